/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "sshguardiand-fdstore.h"
#include "sshguardiand.h"

typedef struct StoredFd {
        const char *name;
        int family, type;               /* a socket: socket(family, type, 0) */
        const char *path;               /* else a file opened for reading */
} StoredFd;

static const StoredFd stored[FDSTORE_MAX] = {
        /* UDP, never bound: it owns no port and receives nothing; any
         * socket of the family reaches x_tables' getsockopt() */
        { FDSTORE_XT_IPV4, AF_INET, SOCK_DGRAM, NULL },
        { FDSTORE_XT_IPV6, AF_INET6, SOCK_DGRAM, NULL },
        { FDSTORE_XT_IPV4_NAMES, 0, 0, "/proc/net/ip_tables_names" },
        { FDSTORE_XT_IPV6_NAMES, 0, 0, "/proc/net/ip6_tables_names" },
        { FDSTORE_XT_RECENT, 0, 0, "/proc/net/xt_recent" },
        { FDSTORE_TIMER_LIST, 0, 0, "/proc/timer_list" },
};

int fdstore_store(void) {
        char msg[128];
        int r, ret = 0;

        if (!getenv("NOTIFY_SOCKET")) {
                fprintf(stderr, "sshguardiand --store-fds: no $NOTIFY_SOCKET: run it from the unit "
                        "(ExecStartPre=+, with NotifyAccess=exec)\n");
                return -ENOTCONN;
        }
        for (size_t i = 0; i < FDSTORE_MAX; i++) {
                int fd;

                /* what a previous start stored goes first */
                snprintf(msg, sizeof(msg), "FDSTOREREMOVE=1\nFDNAME=%s", stored[i].name);
                (void) sd_notify(false, msg);

                fd = stored[i].path ? open(stored[i].path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
                                    : socket(stored[i].family, stored[i].type | SOCK_CLOEXEC, 0);
                if (fd < 0) {
                        ret = log_errno(LOG_WARNING, errno, "--store-fds: cannot open %s (%s)", stored[i].name,
                                        stored[i].path ? stored[i].path : "socket");
                        continue;
                }
                snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=%s", stored[i].name);
                r = sd_pid_notify_with_fds(0, false, msg, &fd, 1);
                close(fd);      /* systemd has its own copy now */
                if (r <= 0)
                        ret = log_errno(LOG_WARNING, r < 0 ? r : -ENOTCONN, "--store-fds: cannot store %s",
                                        stored[i].name);
        }
        /* systemd spawns the daemon once this process is gone: make sure it
         * took every message in by then */
        r = sd_notify_barrier(false, 5 * 1000000ULL);
        if (r < 0)
                ret = log_errno(LOG_WARNING, r, "--store-fds: no barrier");
        return ret;
}

int fdstore_take(XtLegacySource src[2], int *recent_dir, int *timer_list) {
        char **names = NULL;
        int n, taken = 0;

        src[0] = src[1] = (XtLegacySource) { -1, -1 };
        *recent_dir = *timer_list = -1;
        n = sd_listen_fds_with_names(true, &names);
        for (int i = 0; i < n; i++) {
                int fd = SD_LISTEN_FDS_START + i, *slot = NULL;
                const char *name = names ? names[i] : NULL;

                if (!name)
                        slot = NULL;
                else if (strcmp(name, FDSTORE_XT_IPV4) == 0)
                        slot = &src[0].sock;
                else if (strcmp(name, FDSTORE_XT_IPV6) == 0)
                        slot = &src[1].sock;
                else if (strcmp(name, FDSTORE_XT_IPV4_NAMES) == 0)
                        slot = &src[0].names;
                else if (strcmp(name, FDSTORE_XT_IPV6_NAMES) == 0)
                        slot = &src[1].names;
                else if (strcmp(name, FDSTORE_XT_RECENT) == 0)
                        slot = recent_dir;
                else if (strcmp(name, FDSTORE_TIMER_LIST) == 0)
                        slot = timer_list;
                if (!slot || *slot >= 0) {      /* unknown, or a second one of a name */
                        close(fd);
                        continue;
                }
                (void) fcntl(fd, F_SETFD, FD_CLOEXEC);
                *slot = fd;
                taken++;
        }
        for (int i = 0; names && i < n; i++)
                free(names[i]);
        free(names);
        return taken;
}

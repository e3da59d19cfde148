/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The open problems kept in the state directory ($STATE_DIRECTORY, which
 * systemd makes for StateDirectory=sshguardian): a daemon killed and
 * started again (SIGKILL, a crash, Restart=on-failure) rebuilds what it
 * had reported from the facts and this file, so that no problem already
 * written is written again as new, and one that ended while it was down
 * gets its resolved entry.  Nothing is written anywhere else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "atomic-file.h"
#include "macro.h"
#include "sshguardiand.h"

#define STATE_FILE "open-problems"
#define STATE_MAX (1024 * 1024)
/* how far two readings of the boot time may differ (clock steps, NTP) */
#define SAME_BOOT_SEC 120

/* When this boot began, in CLOCK_REALTIME seconds: what tells a restart
 * of the daemon from a reboot of the host (after which every open problem
 * is announced afresh).  /proc/sys's boot_id is hidden by ProcSubset=pid. */
static long long boot_started(void) {
        struct timespec rt, bt;

        if (clock_gettime(CLOCK_REALTIME, &rt) < 0 || clock_gettime(CLOCK_BOOTTIME, &bt) < 0)
                return 0;
        return (long long) rt.tv_sec - (long long) bt.tv_sec;
}

/* $STATE_DIRECTORY/open-problems, or NULL: no state directory (run by
 * hand, or by a unit without StateDirectory=). */
static char *state_path(void) {
        const char *dir = getenv("STATE_DIRECTORY");
        char *p;

        /* several directories are ':'-separated: the first is ours */
        if (!dir || !*dir || *dir != '/')
                return NULL;
        if (asprintf(&p, "%.*s/%s", (int) strcspn(dir, ":"), dir, STATE_FILE) < 0)
                return NULL;
        return p;
}

int manager_state_load(Manager *m) {
        _cleanup_free_ char *path = state_path(), *buf = NULL;
        _cleanup_close_ int fd = -1;
        SgFinding *v = NULL;
        size_t n = 0, len = 0;
        struct stat st;
        int r;

        if (!path)
                return 0;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return errno == ENOENT ? 0 : log_errno(LOG_WARNING, -errno, "Cannot read %s", path);
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > STATE_MAX)
                return log_errno(LOG_WARNING, -EINVAL, "Ignoring %s: not a regular file of at most %d bytes", path,
                                 STATE_MAX);
        buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        while (len < (size_t) st.st_size) {
                ssize_t k = read(fd, buf + len, (size_t) st.st_size - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                len += (size_t) k;
        }
        /* "boot SECONDS" first: another boot's problems are not ours */
        long long then;
        char *body = memchr(buf, '\n', len);
        buf[len] = '\0';
        if (!body || sscanf(buf, "boot %lld", &then) != 1)
                return log_errno(LOG_WARNING, -EBADMSG, "Ignoring %s", path);
        if (llabs(then - boot_started()) > SAME_BOOT_SEC)
                return 0;
        body++;
        r = sg_findings_parse(body, len - (size_t) (body - buf), &v, &n);
        if (r < 0)
                return log_errno(LOG_WARNING, r, "Ignoring %s", path);
        r = sg_tracker_restore(m->tracker, v, n, now_usec());
        if (r >= 0 && m->debug)
                log_errno(LOG_DEBUG, 0, "state: %zu open problem%s reported before", n, n == 1 ? "" : "s");
        sg_findings_free(v, n);
        return r;
}

static int write_state(FILE *f, const void *data) {
        SgTracker *tracker = (SgTracker *) data;
        const SgFinding *open = NULL;
        size_t n = sg_tracker_open(tracker, &open);

        fprintf(f, "boot %lld\n", boot_started());
        return sg_findings_write(f, open, n);
}

int manager_state_save(Manager *m) {
        _cleanup_free_ char *path = state_path();
        int r;

        if (!path)
                return 0;
        r = write_file_atomic(path, 0600, write_state, m->tracker);
        if (r < 0)
                return log_errno(LOG_WARNING, r, "Cannot write %s", path);
        return 0;
}

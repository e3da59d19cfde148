/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sshguardiand: watches everything that decides whether a new TCP
 * connection reaches sshd and writes one journal entry per problem that
 * opens or closes.  It only reads: it never changes the firewall or sshd.
 */
#include <errno.h>
#include <stdint.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include <systemd/sd-daemon.h>

#include "config.h"
#include "gather.h"
#include "sshguardiand-fdstore.h"
#include "sshguardiand.h"

static void help(void) {
        printf("Usage: sshguardiand [OPTIONS]\n"
               "\n"
               "Reports, as it happens, why sshd cannot be reached.\n"
               "\n"
               "  -c --config FILE          settings (default %s)\n"
               "     --log-target=TARGET   journal (default) or console: entries as JSON\n"
               "                            objects on stdout, one per line\n"
               "     --store-fds           open what the unit's sandbox forbids the daemon\n"
               "                            (iptables-legacy's sockets and table lists), hand\n"
               "                            it to systemd's fd store and exit (the unit's\n"
               "                            ExecStartPre=+, as root)\n"
               "  -h --help                 show this help\n"
               "     --version              show the version\n",
               SSHGUARDIAN_CONF_PATH);
}

/* What ExecStartPre=+sshguardiand --store-fds handed over (first: systemd
 * passed it at fd 3 and up).  Said once, at start, when iptables-legacy
 * cannot be read: the unit's sandbox forbids the sockets it is read
 * through, unless they were handed over. */
static void legacy_sources_take(void) {
        XtLegacySource legacy[2];
        uint64_t fp;
        int n, r;

        int recent_dir, timer_list;
        n = fdstore_take(legacy, &recent_dir, &timer_list);
        facts_set_legacy_sources(legacy);
        facts_set_recent_sources(recent_dir, timer_list);
        r = facts_legacy_fingerprint(AF_INET, &fp);
        if (r < 0)
                log_errno(LOG_WARNING, r, "Cannot read iptables-legacy's tables (%s): its rules go unseen",
                          n > 0 ? "through the descriptors handed over" :
                                  "no descriptors handed over by `sshguardiand --store-fds`");
}

static int run(int argc, char **argv) {
        enum { ARG_LOG_TARGET = 0x100, ARG_VERSION, ARG_STORE_FDS };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "log-target", required_argument, NULL, ARG_LOG_TARGET },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "store-fds", no_argument, NULL, ARG_STORE_FDS },
                {}
        };
        const char *conf_path = SSHGUARDIAN_CONF_PATH;
        LogTarget target = LOG_TARGET_JOURNAL;
        bool store_fds = false;
        Manager *m = NULL;
        int opt, r;

        while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c': conf_path = optarg; break;
                case ARG_LOG_TARGET:
                        if (strcmp(optarg, "journal") == 0)
                                target = LOG_TARGET_JOURNAL;
                        else if (strcmp(optarg, "console") == 0)
                                target = LOG_TARGET_CONSOLE;
                        else {
                                fprintf(stderr, "sshguardiand: --log-target: '%s' is neither journal nor console\n",
                                        optarg);
                                return -EINVAL;
                        }
                        break;
                case 'h': help(); return 0;
                case ARG_VERSION: printf("sshguardiand %s\n", PACKAGE_VERSION); return 0;
                case ARG_STORE_FDS: store_fds = true; break;
                default: return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "sshguardiand: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }

        if (store_fds)
                return fdstore_store();
        legacy_sources_take();
        r = manager_new(&m, conf_path, target);
        if (r < 0)
                return log_errno(LOG_ERR, r, "Cannot start");
        r = manager_start(m);
        if (r >= 0)
                r = sd_event_loop(m->event);
        if (r < 0)
                log_errno(LOG_ERR, r, "Event loop failed");
        (void) sd_notify(false, "STOPPING=1");
        manager_free(m);
        return r;
}

int main(int argc, char **argv) {
        return run(argc, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

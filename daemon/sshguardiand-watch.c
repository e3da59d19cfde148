/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The watchers: each turns a kernel or file system notification into the
 * facts it made stale.  None of them polls, except the x_tables check,
 * which rides on the watchdog tick because x_tables has no notifications.
 */
#include <errno.h>
#include <fnmatch.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/inet_diag.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <systemd/sd-daemon.h>

#include "nft-monitor.h"
#include "sshguardiand.h"
#include "strv.h"
#include "xt-legacy.h"

/* Editors replace files in steps (rename away, create, write): the
 * configuration is read once they are done. */
#define CONFIG_SETTLE_USEC (50ULL * 1000ULL)
/* Without a watchdog, how often the x_tables fingerprint is checked. */
#define TICK_DEFAULT_USEC (10ULL * 1000000ULL)

/* --- nftables ------------------------------------------------------------- */

static int on_nft_event(const NftMonitorEvent *ev, void *userdata) {
        Manager *m = userdata;

        if (ev->msg_type == NFT_MSG_NEWGEN) {
                /* The end of a commit.  Its changes are in the store by
                 * now (NEWGEN comes alone, after them): judged again only
                 * when they can change the judgement. */
                const NftStore *now = m->nft_store && !m->nft_store_stale ? m->nft_store : NULL;
                bool matters = nft_batch_scope_matters(&m->nft_batch, m->facts.ruleset, now);

                nft_batch_scope_reset(&m->nft_batch);
                m->nft_genid = ev->genid;
                if (!matters) {
                        m->nft_generations_unseen++;
                        return 0;
                }
                m->nft_generations_judged++;
                /* who made it */
                m->nft_pid = ev->pid;
                snprintf(m->nft_comm, sizeof(m->nft_comm), "%s", ev->comm);
                m->nft_changed = true;
                m->nft_committed = true;
        } else
                nft_batch_scope_add(&m->nft_batch, ev);
        return 0;
}

bool manager_nft_drain(Manager *m) {
        static uint32_t buf[NFT_MONITOR_RECV_SIZE / sizeof(uint32_t)];  /* netlink wants it aligned */
        bool any = false;
        int fd;

        if (!m->nft_sock)
                return false;
        fd = mnl_socket_get_fd(m->nft_sock);
        /* drain: a commit's notifications arrive together, NEWGEN last */
        for (;;) {
                ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == ENOBUFS) {
                        /* notifications were lost: the model is re-read
                         * whole, and who changed it is not known */
                        log_errno(LOG_NOTICE, -ENOBUFS, "nftables notifications overran; reading the ruleset again");
                        m->nft_store_stale = true;
                        m->nft_changed = true;
                        m->nft_pid = 0;
                        m->nft_comm[0] = '\0';
                        any = true;
                        continue;
                }
                if (n <= 0)
                        break;
                any = true;
                /* a malformed datagram: something changed, what is not known */
                if (nft_monitor_parse(buf, (size_t) n, on_nft_event, m) < 0)
                        m->nft_changed = true;
                if (m->nft_store && !m->nft_store_stale && nft_store_apply(m->nft_store, buf, (size_t) n) < 0) {
                        /* a change the store cannot follow with certainty */
                        m->nft_store_stale = true;
                        m->nft_changed = true;
                }
        }
        return any;
}

static int on_nft(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        if (((Manager *) userdata)->debug)
                log_errno(LOG_DEBUG, 0, "event: nft");
        Manager *m = userdata;
        (void) s, (void) fd, (void) revents;

        (void) manager_nft_drain(m);
        if (m->nft_changed)
                manager_schedule(m, DIRTY_FIREWALL);
        return 0;
}

int manager_watch_nftables(Manager *m) {
        int r = nft_monitor_open(&m->nft_sock);

        if (r < 0)
                return r;
        /* the socket first, then the store: nothing between is lost */
        m->nft_store_stale = true;
        return sd_event_add_io(m->event, &m->nft_source, mnl_socket_get_fd(m->nft_sock), EPOLLIN, on_nft, m);
}

/* --- interfaces and addresses ----------------------------------------------- */

static void drain(int fd) {
        char buf[8192];

        for (;;) {
                ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                if (n < 0 && (errno == EINTR || errno == ENOBUFS))
                        continue;
                if (n <= 0)
                        break;
        }
}

static int on_rtnl(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        if (((Manager *) userdata)->debug)
                log_errno(LOG_DEBUG, 0, "event: rtnl");
        (void) s, (void) revents;

        drain(fd);
        /* a link or an address: interface-down, address-missing, and the
         * firewall's per-interface scope and local addresses */
        manager_schedule(userdata, DIRTY_INTERFACES | DIRTY_FIREWALL);
        return 0;
}

static int netlink_open(int protocol, uint32_t groups) {
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);

        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

int manager_watch_rtnl(Manager *m) {
        int fd = netlink_open(NETLINK_ROUTE, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR);

        if (fd < 0)
                return fd;
        m->rtnl_fd = fd;
        return sd_event_add_io(m->event, &m->rtnl_source, fd, EPOLLIN, on_rtnl, m);
}

/* --- destroyed listening sockets -------------------------------------------- */

/* The kernel reports every TCP socket destroyed (state CLOSE, inode 0,
 * with the cookie of the dump), connections included: only a cookie of a
 * listener the last dump saw counts. */
static int on_destroy(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        if (((Manager *) userdata)->debug)
                log_errno(LOG_DEBUG, 0, "event: destroy");
        static uint8_t buf[65536];
        Manager *m = userdata;
        bool listener_gone = false;
        (void) s, (void) revents;

        for (;;) {
                ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == ENOBUFS) {
                        listener_gone = true;   /* lost some: look again */
                        continue;
                }
                if (n <= 0)
                        break;
                for (const struct nlmsghdr *h = (const struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n);
                     h = NLMSG_NEXT(h, n)) {
                        const struct inet_diag_msg *d = NLMSG_DATA(h);
                        uint64_t cookie;

                        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*d)))
                                continue;
                        cookie = (uint64_t) d->id.idiag_cookie[0] | ((uint64_t) d->id.idiag_cookie[1] << 32);
                        for (size_t i = 0; m->facts.listen && i < m->facts.listen->n_sockets && !listener_gone; i++)
                                listener_gone = m->facts.listen->sockets[i].cookie == cookie;
                }
        }
        /* the unit too: a listener gone with sshd's exit is judged with
         * the unit's state, not before systemd reports it */
        if (listener_gone)
                manager_schedule(m, DIRTY_LISTENERS | DIRTY_UNITS);
        return 0;
}

int manager_watch_destroy(Manager *m) {
        int fd = netlink_open(NETLINK_SOCK_DIAG,
                              (1u << (SKNLGRP_INET_TCP_DESTROY - 1)) | (1u << (SKNLGRP_INET6_TCP_DESTROY - 1)));

        if (fd < 0)
                return fd;
        m->destroy_fd = fd;
        return sd_event_add_io(m->event, &m->destroy_source, fd, EPOLLIN, on_destroy, m);
}

/* --- sshd_config and what it includes ---------------------------------------- */

static int on_config_settled(sd_event_source *s, uint64_t usec, void *userdata) {
        if (((Manager *) userdata)->debug)
                log_errno(LOG_DEBUG, 0, "event: config_settled");
        (void) s, (void) usec;
        manager_schedule(userdata, DIRTY_CONFIG);
        return 0;
}

static bool basename_matches(const char *path, const char *name) {
        const char *b = strrchr(path, '/');

        b = b ? b + 1 : path;
        /* an Include's pattern, or a file's own name */
        return fnmatch(b, name, FNM_PERIOD) == 0;
}

/* NAME (a directory entry that changed) is one sshd reads or may read:
 * sshd_config, a file it read, or one an Include pattern names. */
static bool config_name_matters(const Manager *m, const char *name) {
        const SshdConfig *c = m->facts.config;

        if (basename_matches(m->conf.config_file, name))
                return true;
        if (!c)
                return true;            /* not known what it reads */
        for (size_t i = 0; i < c->n_files; i++)
                if (basename_matches(c->files[i], name))
                        return true;
        for (size_t i = 0; i < c->n_directives; i++) {
                const SshdDirective *d = &c->directives[i];
                if (d->keyword->id != SSHD_KW_INCLUDE)
                        continue;
                for (size_t k = 0; k < d->n_args; k++)
                        if (basename_matches(d->args[k], name))
                                return true;
        }
        return false;
}

static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        if (((Manager *) userdata)->debug)
                log_errno(LOG_DEBUG, 0, "event: inotify");
        union {
                struct inotify_event ev;
                char raw[16384];
        } buf;
        Manager *m = userdata;
        bool relevant = false;
        (void) s, (void) revents;

        for (;;) {
                ssize_t n = read(fd, &buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                for (char *p = buf.raw; p < buf.raw + n;) {
                        const struct inotify_event *ev = (const struct inotify_event *) p;
                        /* a file being created is read when it is closed;
                         * a new directory may be an Include's; a file of
                         * no interest to sshd (another program's, in the
                         * same directory) is not */
                        if ((!(ev->mask & IN_CREATE) || (ev->mask & IN_ISDIR)) &&
                            ((ev->mask & IN_ISDIR) || ev->len == 0 || config_name_matters(m, ev->name)))
                                relevant = true;
                        p += sizeof(struct inotify_event) + ev->len;
                }
        }
        if (!relevant)
                return 0;
        (void) sd_event_source_set_time_relative(m->config_settle, CONFIG_SETTLE_USEC);
        (void) sd_event_source_set_enabled(m->config_settle, SD_EVENT_ONESHOT);
        return 0;
}

static int dir_add(char ***dirs, size_t *n, const char *path) {
        char *copy = strdup(path), *dir;
        int r;

        if (!copy)
                return -ENOMEM;
        dir = dirname(copy);
        r = strv_contains(*dirs, dir) ? 0 : strv_push_copy(dirs, n, dir);
        free(copy);
        return r;
}

/* The directories of every file sshd reads and of every Include pattern
 * (an Include glob that matches nothing yet still names a directory to
 * watch).  Directories, not files: editors replace files by renaming. */
int manager_watch_config_files(Manager *m) {
        char **dirs = NULL;
        size_t n = 0;
        int r;

        if (m->inotify_fd < 0) {
                m->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
                if (m->inotify_fd < 0)
                        return log_errno(LOG_WARNING, -errno, "Cannot watch sshd's configuration files");
                r = sd_event_add_io(m->event, &m->inotify_source, m->inotify_fd, EPOLLIN, on_inotify, m);
                if (r >= 0)
                        r = sd_event_add_time(m->event, &m->config_settle, CLOCK_MONOTONIC, UINT64_MAX, 10 * 1000,
                                              on_config_settled, m);
                if (r < 0)
                        return log_errno(LOG_WARNING, r, "Cannot watch sshd's configuration files");
        }

        r = dir_add(&dirs, &n, m->conf.config_file);
        for (size_t i = 0; r >= 0 && m->facts.config && i < m->facts.config->n_files; i++)
                r = dir_add(&dirs, &n, m->facts.config->files[i]);
        for (size_t i = 0; r >= 0 && m->facts.config && i < m->facts.config->n_directives; i++) {
                const SshdDirective *d = &m->facts.config->directives[i];
                if (d->keyword->id != SSHD_KW_INCLUDE)
                        continue;
                for (size_t k = 0; r >= 0 && k < d->n_args; k++) {
                        char *p = NULL;
                        if (d->args[k][0] == '/')
                                r = dir_add(&dirs, &n, d->args[k]);
                        else if (asprintf(&p, "/etc/ssh/%s", d->args[k]) >= 0) {
                                r = dir_add(&dirs, &n, p);
                                free(p);
                        }
                }
        }
        if (r < 0) {
                strv_free(dirs);
                return r;
        }
        /* Watches are per inode and de-duplicated by the kernel: adding
         * again is harmless; old ones of directories no longer read stay
         * until the next restart (a spurious re-read at most). */
        for (size_t i = 0; i < n; i++)
                if (!strpbrk(dirs[i], "*?[") &&
                    inotify_add_watch(m->inotify_fd, dirs[i],
                                      IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB |
                                      IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR) < 0 &&
                    errno != ENOENT && errno != ENOTDIR)
                        log_errno(LOG_WARNING, -errno, "Cannot watch %s", dirs[i]);
        strv_free(dirs);
        return 0;
}

/* --- sshd's journal --------------------------------------------------------- */

static int on_max_startups_window(sd_event_source *s, uint64_t usec, void *userdata) {
        if (((Manager *) userdata)->debug)
                log_errno(LOG_DEBUG, 0, "event: max_startups_window");
        (void) s, (void) usec;
        manager_schedule(userdata, 0);
        return 0;
}

static int on_journal(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        /* (no debug line here: it would wake this very watcher again) */
        Manager *m = userdata;
        const char *const *names = m->conf.n_units > 0 ? (const char *const *) m->conf.units : sshd_default_units;
        bool sshd_spoke = false, dropped = false, learned = false;
        int r;
        (void) s, (void) fd, (void) revents;

        r = sd_journal_process(m->journal);
        if (r < 0 || r == SD_JOURNAL_NOP)
                return 0;
        while (sd_journal_next(m->journal) > 0) {
                const void *data;
                size_t len;

                /* SYSLOG_IDENTIFIER=sshd brings every unit's sshd and
                 * those of no unit: only the service's main process is
                 * sshd's own among the latter (its last words, journald
                 * too late to see its cgroup), none of the former */
                if (sd_journal_get_data(m->journal, "_SYSTEMD_UNIT", &data, &len) >= 0) {
                        bool ours = false;
                        for (size_t i = 0; names[i] && !ours; i++)
                                ours = len == 14 + strlen(names[i]) &&
                                       memcmp((const char *) data + 14, names[i], len - 14) == 0;
                        if (!ours)
                                continue;
                } else if (!sshd_journal_entry_unattributed(m->journal, NULL, m->facts.units.main_pid_last))
                        continue;
                if (sd_journal_get_data(m->journal, "MESSAGE", &data, &len) < 0 || len <= 8)
                        continue;
                /* a successful login: who logs in from where (the lockout
                 * watch); not sshd's last words */
                uint64_t when = 0;
                (void) sd_journal_get_realtime_usec(m->journal, &when);
                if (facts_admin_learn(&m->facts, (const char *) data + 8, len - 8, when,
                                      m->conf.admin_sources_max) > 0) {
                        learned = true;
                        continue;
                }
                sshd_spoke = true;
                /* "drop connection #N from [A]:P on [A]:P past MaxStartups" */
                if (memmem(data, len, "past MaxStartups", 16)) {
                        char *line = strndup((const char *) data + 8, len - 8);
                        dropped = true;
                        m->max_startups_drops++;
                        m->max_startups_last = now_usec();
                        if (line) {
                                free(m->max_startups_line);
                                m->max_startups_line = line;
                        }
                }
        }
        if (dropped) {
                if (!m->max_startups_timer)
                        (void) sd_event_add_time(m->event, &m->max_startups_timer, CLOCK_MONOTONIC, UINT64_MAX,
                                                 1000 * 1000, on_max_startups_window, m);
                (void) sd_event_source_set_time(m->max_startups_timer, m->max_startups_last + MAX_STARTUPS_WINDOW_USEC);
                (void) sd_event_source_set_enabled(m->max_startups_timer, SD_EVENT_ONESHOT);
        }
        /* sshd's last words (a configuration error) may reach the journal
         * after systemd reported the failure: read them again */
        if (learned)
                (void) facts_admin_save(&m->facts, NULL);
        if (sshd_spoke && m->service_active_state && strcmp(m->service_active_state, "active") != 0)
                manager_schedule(m, DIRTY_UNITS);
        else if (dropped || learned)
                manager_schedule(m, 0);
        return 0;
}

int manager_watch_journal(Manager *m) {
        const char *const *names = m->conf.n_units > 0 ? (const char *const *) m->conf.units : sshd_default_units;
        int r, fd;

        /* again on reload: the units may be others */
        m->journal_source = sd_event_source_unref(m->journal_source);
        sd_journal_close(m->journal);
        m->journal = NULL;
        r = sd_journal_open(&m->journal, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r < 0)
                return r;
        for (size_t i = 0; r >= 0 && names[i]; i++) {
                char match[320];
                if (!strstr(names[i], ".service"))
                        continue;
                snprintf(match, sizeof(match), "_SYSTEMD_UNIT=%s", names[i]);
                r = sd_journal_add_match(m->journal, match, 0);
        }
        /* ... or sshd's lines that journald could not attribute to a unit
         * (sshd_journal_entry_unattributed() picks the service's) */
        if (r >= 0)
                r = sd_journal_add_disjunction(m->journal);
        if (r >= 0)
                r = sd_journal_add_match(m->journal, "SYSLOG_IDENTIFIER=sshd", 0);
        if (r >= 0)
                r = sd_journal_seek_tail(m->journal);
        if (r >= 0)
                r = sd_journal_previous(m->journal);    /* at the last entry: only newer ones are read */
        if (r >= 0)
                r = fd = sd_journal_get_fd(m->journal);
        if (r >= 0)
                r = sd_event_add_io(m->event, &m->journal_source, fd, (uint32_t) sd_journal_get_events(m->journal),
                                    on_journal, m);
        if (r < 0) {
                sd_journal_close(m->journal);
                m->journal = NULL;
                return r;
        }
        return 0;
}

/* --- the tick: watchdog and x_tables ---------------------------------------- */

static void legacy_check(Manager *m) {
        uint64_t fp[2];

        if (facts_legacy_fingerprint(AF_INET, &fp[0]) < 0 || facts_legacy_fingerprint(AF_INET6, &fp[1]) < 0)
                return;
        if (m->legacy_fp_known && (fp[0] != m->legacy_fp[0] || fp[1] != m->legacy_fp[1]))
                manager_schedule(m, DIRTY_FIREWALL);
        m->legacy_fp[0] = fp[0];
        m->legacy_fp[1] = fp[1];
        m->legacy_fp_known = true;
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata) {
        if (((Manager *) userdata)->debug)
                log_errno(LOG_DEBUG, 0, "event: tick");
        Manager *m = userdata;

        (void) sd_notify(false, "WATCHDOG=1");
        /* entries the journal refused while journald was stopped */
        if ((m->n_journal_queue > 0 || m->journal_dropped > 0) && manager_journal_flush(m))
                (void) manager_state_save(m);
        legacy_check(m);
        /* The kernel reports no new listening socket: while sshd's sockets
         * are what is wrong, or no systemd tells when sshd starts, they are
         * looked at again on each tick. */
        bool sockets_matter = !m->facts.have_units;
        for (size_t i = 0; i < m->n_findings && !sockets_matter; i++)
                sockets_matter = m->findings[i].cause == SG_CAUSE_PORT_CHANGED ||
                                 m->findings[i].cause == SG_CAUSE_LISTEN_RESTRICTED ||
                                 m->findings[i].cause == SG_CAUSE_ADDRESS_MISSING ||
                                 m->findings[i].cause == SG_CAUSE_PORT_IN_USE;
        if (sockets_matter)
                manager_schedule(m, DIRTY_LISTENERS);
        (void) sd_event_source_set_time(s, usec + m->tick_usec);
        (void) sd_event_source_set_enabled(s, SD_EVENT_ON);
        return 0;
}

int manager_start_tick(Manager *m) {
        uint64_t wd = 0;

        /* half the watchdog period, as sd_watchdog_enabled(3) advises */
        m->tick_usec = sd_watchdog_enabled(false, &wd) > 0 && wd > 0 ? wd / 2 : TICK_DEFAULT_USEC;
        legacy_check(m);
        return sd_event_add_time_relative(m->event, &m->tick, CLOCK_MONOTONIC, m->tick_usec, m->tick_usec / 10, on_tick,
                                          m);
}

void manager_watchers_close(Manager *m) {
        m->nft_source = sd_event_source_unref(m->nft_source);
        m->nft_store = nft_store_free(m->nft_store);
        if (m->facts.ruleset_lent && m->facts.ruleset == m->nft_rs) {
                m->facts.ruleset = NULL;
                m->facts.ruleset_lent = false;
                m->facts.firewall.ruleset = NULL;
        }
        m->nft_rs = nft_ruleset_free(m->nft_rs);
        if (m->nft_sock)
                mnl_socket_close(m->nft_sock);
        m->nft_sock = NULL;
        m->rtnl_source = sd_event_source_unref(m->rtnl_source);
        m->destroy_source = sd_event_source_unref(m->destroy_source);
        m->inotify_source = sd_event_source_unref(m->inotify_source);
        m->config_settle = sd_event_source_unref(m->config_settle);
        m->journal_source = sd_event_source_unref(m->journal_source);
        sd_journal_close(m->journal);
        m->journal = NULL;
        if (m->rtnl_fd >= 0)
                close(m->rtnl_fd);
        if (m->destroy_fd >= 0)
                close(m->destroy_fd);
        if (m->inotify_fd >= 0)
                close(m->inotify_fd);
        m->rtnl_fd = m->destroy_fd = m->inotify_fd = -1;
}

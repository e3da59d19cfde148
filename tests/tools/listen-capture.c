/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sock_diag listener dumps of tests/data/listen, and a look at TCP
 * destroy notifications:
 *   listen-capture dump FILE           AF_INET then AF_INET6 dump replies, raw
 *   listen-capture show FILE|live [PROC_ROOT [CGROUP_ROOT|-]]
 *                                      sockets, and their owners when PROC_ROOT
 *                                      is given (CGROUP_ROOT: where to look for
 *                                      the cgroup fallback; "-": nowhere)
 *   listen-capture taskstats PID FILE  the raw TASKSTATS_CMD_GET answer for PID
 *   listen-capture supported           listen_destroy_events_supported()
 *   listen-capture watch SECONDS       print what SKNLGRP_INET{,6}_TCP_DESTROY deliver
 * Run dump and watch inside a network namespace of your own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/taskstats.h>

#include "listen.h"

static int capture_dump(const char *path) {
        static const int families[] = { AF_INET, AF_INET6 };
        FILE *f = fopen(path, "we");

        if (!f) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return 1;
        }
        for (size_t i = 0; i < 2; i++) {
                void *buf = NULL;
                size_t len = 0;
                int r = listen_dump_raw(families[i], &buf, &len);

                if (r < 0) {
                        fprintf(stderr, "dump: %s\n", strerror(-r));
                        fclose(f);
                        return 1;
                }
                if (fwrite(buf, 1, len, f) != len) {
                        free(buf);
                        fclose(f);
                        return 1;
                }
                free(buf);
        }
        return fclose(f) == 0 ? 0 : 1;
}

static void print_socket(const ListenSocket *s) {
        char a[INET6_ADDRSTRLEN];

        static const char *const from[] = { "none", "fd", "cgroup" };

        inet_ntop(s->family, s->addr, a, sizeof(a));
        printf("%s %s%s%s:%u if=%u inode=%llu cookie=%llu uid=%u v6only=%d cgroup=%llu pid=%d comm=%s "
               "from=%s unit=%s procs=%u likely_pid=%d\n",
               s->family == AF_INET ? "inet" : "inet6", s->family == AF_INET6 ? "[" : "", a,
               s->family == AF_INET6 ? "]" : "", s->port, s->ifindex, (unsigned long long) s->inode,
               (unsigned long long) s->cookie, (unsigned) s->uid, s->v6only, (unsigned long long) s->cgroup_id,
               (int) s->pid, s->comm, from[s->owner_from], s->unit, s->cgroup_procs, (int) s->likely_pid);
}

static int show(const char *what, const char *proc_root, const char *cgroup_root) {
        ListenTable *t = NULL;
        int r;

        if (strcmp(what, "live") == 0)
                r = listen_dump(&t);
        else {
                FILE *f = fopen(what, "re");
                static uint8_t buf[1 << 20];
                size_t len;

                if (!f) {
                        fprintf(stderr, "%s: %s\n", what, strerror(errno));
                        return 1;
                }
                len = fread(buf, 1, sizeof(buf), f);
                fclose(f);
                t = listen_table_new();
                if (!t)
                        return 1;
                r = listen_parse_msgs(t, buf, len);
        }
        if (r >= 0 && proc_root && !cgroup_root)
                r = listen_resolve_owners(t, proc_root);
        else if (r >= 0 && proc_root)
                r = listen_resolve_owners_with(t, &(ListenOwnerLookup) {
                        .proc_root = proc_root,
                        .cgroup_root = strcmp(cgroup_root, "-") == 0 ? NULL : cgroup_root,
                        .taskstats = true,
                });
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", what, strerror(-r));
                listen_table_free(t);
                return 1;
        }
        for (size_t i = 0; i < t->n_sockets; i++)
                print_socket(&t->sockets[i]);
        listen_table_free(t);
        return 0;
}

static const char *const tcp_states[] = {
        "?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
        "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV",
};

static int watch(int seconds) {
        static const int groups[] = { SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET6_TCP_DESTROY };
        static uint8_t buf[32768];
        struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
        time_t end = time(NULL) + seconds;
        struct timespec ts;

        if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                perror("sock_diag");
                return 1;
        }
        for (size_t i = 0; i < 2; i++)
                if (mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &(int) { groups[i] }, sizeof(int)) < 0) {
                        perror("NETLINK_ADD_MEMBERSHIP");
                        mnl_socket_close(nl);
                        return 1;
                }
        printf("subscribed\n");
        fflush(stdout);
        while (time(NULL) < end) {
                struct pollfd p = { .fd = mnl_socket_get_fd(nl), .events = POLLIN };
                const struct nlmsghdr *nlh;
                ssize_t n;
                int len;

                if (poll(&p, 1, 200) <= 0)
                        continue;
                n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
                if (n < 0) {
                        perror("recv");
                        break;
                }
                clock_gettime(CLOCK_REALTIME, &ts);
                len = (int) n;
                for (nlh = (const struct nlmsghdr *) buf; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
                        const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
                        char a[INET6_ADDRSTRLEN];

                        if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
                            mnl_nlmsg_get_payload_len(nlh) < sizeof(*m)) {
                                printf("%ld.%03ld type=%u len=%u\n", (long) ts.tv_sec, ts.tv_nsec / 1000000,
                                       nlh->nlmsg_type, nlh->nlmsg_len);
                                continue;
                        }
                        inet_ntop(m->idiag_family, m->id.idiag_src, a, sizeof(a));
                        printf("%ld.%03ld SOCK_DIAG_BY_FAMILY family=%s state=%s src=%s sport=%u dport=%u inode=%u cookie=%llu len=%u\n",
                               (long) ts.tv_sec, ts.tv_nsec / 1000000,
                               m->idiag_family == AF_INET ? "inet" : "inet6",
                               m->idiag_state < sizeof(tcp_states) / sizeof(tcp_states[0]) ? tcp_states[m->idiag_state] : "?",
                               a, ntohs(m->id.idiag_sport), ntohs(m->id.idiag_dport), m->idiag_inode,
                               (unsigned long long) m->id.idiag_cookie[0] | (unsigned long long) m->id.idiag_cookie[1] << 32,
                               nlh->nlmsg_len);
                }
                fflush(stdout);
        }
        mnl_socket_close(nl);
        return 0;
}

/* The answer exactly as listen_taskstats_comm() gets it. */
static int capture_taskstats(const char *pid_text, const char *path) {
        uint8_t buf[8192];
        struct mnl_socket *nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct genlmsghdr *g;
        char comm[LISTEN_COMM_MAX];
        int family = -1, r;
        ssize_t n;
        FILE *f;

        r = listen_taskstats_comm(atoi(pid_text), comm);
        if (r < 0) {
                fprintf(stderr, "taskstats: %s\n", strerror(-r));
                return 1;
        }
        /* the family id, as the library asks it */
        if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
                return 1;
        nlh->nlmsg_type = GENL_ID_CTRL;
        nlh->nlmsg_flags = NLM_F_REQUEST;
        g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->cmd = CTRL_CMD_GETFAMILY;
        g->version = 1;
        mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TASKSTATS_GENL_NAME);
        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 || (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) < 0)
                return 1;
        nlh = (struct nlmsghdr *) buf;
        if (nlh->nlmsg_type != NLMSG_ERROR) {
                const struct nlattr *a;
                mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
                        if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
                                family = mnl_attr_get_u16(a);
        }
        if (family < 0)
                return 1;
        nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = (uint16_t) family;
        nlh->nlmsg_flags = NLM_F_REQUEST;
        nlh->nlmsg_seq = (uint32_t) atoi(pid_text);
        g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->cmd = TASKSTATS_CMD_GET;
        g->version = TASKSTATS_GENL_VERSION;
        mnl_attr_put_u32(nlh, TASKSTATS_CMD_ATTR_PID, (uint32_t) atoi(pid_text));
        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 || (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) < 0)
                return 1;
        mnl_socket_close(nl);
        f = fopen(path, "we");
        if (!f || fwrite(buf, 1, (size_t) n, f) != (size_t) n) {
                if (f)
                        fclose(f);
                return 1;
        }
        printf("pid %s comm %s, %zd bytes\n", pid_text, comm, n);
        return fclose(f) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
        if (argc == 3 && strcmp(argv[1], "dump") == 0)
                return capture_dump(argv[2]);
        if (argc >= 3 && argc <= 5 && strcmp(argv[1], "show") == 0)
                return show(argv[2], argc >= 4 ? argv[3] : NULL, argc == 5 ? argv[4] : NULL);
        if (argc == 4 && strcmp(argv[1], "taskstats") == 0)
                return capture_taskstats(argv[2], argv[3]);
        if (argc == 2 && strcmp(argv[1], "supported") == 0) {
                int r = listen_destroy_events_supported();

                printf("%d%s%s\n", r, r < 0 ? " " : "", r < 0 ? strerror(-r) : "");
                return r < 0;
        }
        if (argc == 3 && strcmp(argv[1], "watch") == 0)
                return watch(atoi(argv[2]));
        fprintf(stderr, "usage: %s dump FILE | show FILE|live [PROC_ROOT [CGROUP_ROOT|-]] | taskstats PID FILE | supported | "
                "watch SECONDS\n", argv[0]);
        return 2;
}

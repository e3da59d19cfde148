/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "listen.h"
#include "macro.h"

/* A dump of every listener of a busy host is a few hundred kB; more than
 * this means something is wrong, not that the host is big. */
#define LISTEN_DUMP_MAX (64u * 1024u * 1024u)
#define LISTEN_RECV_SIZE 32768u

ListenTable *listen_table_new(void) {
        return calloc(1, sizeof(ListenTable));
}

ListenTable *listen_table_free(ListenTable *t) {
        if (!t)
                return NULL;
        free(t->sockets);
        free(t);
        return NULL;
}

void listen_table_freep(ListenTable **t) {
        listen_table_free(*t);
}

static ListenSocket *listen_table_append(ListenTable *t) {
        if (t->n_sockets == t->n_allocated) {
                size_t n = t->n_allocated ? t->n_allocated * 2 : 16;
                ListenSocket *s = reallocarray(t->sockets, n, sizeof(*s));

                if (!s)
                        return NULL;
                t->sockets = s;
                t->n_allocated = n;
        }
        memset(&t->sockets[t->n_sockets], 0, sizeof(ListenSocket));
        return &t->sockets[t->n_sockets++];
}

/* The attributes after struct inet_diag_msg.  mnl_attr_parse() stops
 * silently at a truncated attribute; a dump we cannot read whole is
 * refused instead. */
static int listen_parse_attrs(ListenSocket *s, const uint8_t *p, size_t len) {
        while (len >= sizeof(struct nlattr)) {
                const struct nlattr *a = (const struct nlattr *) p;
                size_t step;

                if (a->nla_len < sizeof(struct nlattr) || a->nla_len > len)
                        return -EBADMSG;
                if (mnl_attr_get_type(a) == INET_DIAG_SKV6ONLY) {
                        if (mnl_attr_get_payload_len(a) != 1)
                                return -EBADMSG;
                        s->v6only = mnl_attr_get_u8(a) != 0;
                }
                step = MNL_ALIGN(a->nla_len);
                if (step >= len)
                        return 0;
                len -= step;
                p += step;
        }
        return len == 0 ? 0 : -EBADMSG;
}

static int listen_parse_diag_msg(ListenTable *t, const struct nlmsghdr *nlh) {
        size_t plen = nlh->nlmsg_len - NLMSG_HDRLEN, hlen = MNL_ALIGN(sizeof(struct inet_diag_msg));
        const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
        ListenSocket *s;
        int r;

        if (plen < sizeof(*m))
                return -EBADMSG;
        if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
                return -EBADMSG;
        if (m->idiag_state != TCP_LISTEN)
                return 0;
        s = listen_table_append(t);
        if (!s)
                return -ENOMEM;
        s->family = m->idiag_family;
        memcpy(s->addr, m->id.idiag_src, s->family == AF_INET ? 4 : 16);
        s->port = ntohs(m->id.idiag_sport);
        s->ifindex = m->id.idiag_if;
        s->inode = m->idiag_inode;
        s->cookie = (uint64_t) m->id.idiag_cookie[0] | (uint64_t) m->id.idiag_cookie[1] << 32;
        s->uid = (uid_t) m->idiag_uid;
        r = listen_parse_attrs(s, (const uint8_t *) m + hlen, plen > hlen ? plen - hlen : 0);
        if (r < 0)
                t->n_sockets--;
        return r;
}

/* The errno an NLMSG_ERROR or the payload of a dump's NLMSG_DONE carries:
 * 0 for an ack or a clean end, negative for a failure, -EBADMSG when the
 * number cannot be an errno. */
static int listen_msg_errno(int32_t e) {
        if (e > 0 || e < -4095)
                return -EBADMSG;
        return e;
}

int listen_parse_msgs(ListenTable *t, const void *buf, size_t len) {
        const uint8_t *p = buf;

        while (len > 0) {
                const struct nlmsghdr *nlh = (const struct nlmsghdr *) p;
                size_t plen, step;
                int32_t e;
                int r = 0;

                if (len < sizeof(*nlh) || nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len)
                        return -EBADMSG;
                plen = nlh->nlmsg_len - NLMSG_HDRLEN;
                switch (nlh->nlmsg_type) {
                case SOCK_DIAG_BY_FAMILY:
                        r = listen_parse_diag_msg(t, nlh);
                        break;
                case NLMSG_ERROR:
                        if (plen < sizeof(struct nlmsgerr))
                                return -EBADMSG;
                        r = listen_msg_errno(((const struct nlmsgerr *) mnl_nlmsg_get_payload(nlh))->error);
                        break;
                case NLMSG_DONE:
                        /* a dump that failed half-way ends with the errno here */
                        if (plen >= sizeof(e)) {
                                memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
                                r = listen_msg_errno(e);
                        }
                        break;
                default:
                        break;
                }
                if (r < 0)
                        return r;
                step = NLMSG_ALIGN(nlh->nlmsg_len);
                if (step >= len)
                        break;
                len -= step;
                p += step;
        }
        return 0;
}

/* Whether the datagram BUF ends the dump with sequence number SEQ. */
static int listen_dump_ended(const void *buf, size_t len, unsigned seq) {
        const struct nlmsghdr *nlh = buf;
        int n = (int) len;

        for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n))
                if (nlh->nlmsg_seq == seq && (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR))
                        return 1;
        return n > 0 ? -EBADMSG : 0;
}

int listen_dump_raw(int family, void **ret_buf, size_t *ret_len) {
        struct mnl_socket *nl = NULL;
        uint8_t req[128];
        struct nlmsghdr *nlh;
        struct inet_diag_req_v2 *r;
        _cleanup_free_ uint8_t *out = NULL, *rbuf = NULL;
        size_t n_out = 0;
        unsigned seq = (unsigned) time(NULL);
        int ret;

        if (family != AF_INET && family != AF_INET6)
                return -EAFNOSUPPORT;
        rbuf = malloc(LISTEN_RECV_SIZE);
        if (!rbuf)
                return -ENOMEM;
        nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
        if (!nl)
                return -errno;
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                ret = -errno;
                goto out;
        }

        memset(req, 0, sizeof(req));
        nlh = mnl_nlmsg_put_header(req);
        nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        nlh->nlmsg_seq = seq;
        r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
        r->sdiag_family = (uint8_t) family;
        r->sdiag_protocol = IPPROTO_TCP;
        r->idiag_states = 1u << TCP_LISTEN;
        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
                ret = -errno;
                goto out;
        }

        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl, rbuf, LISTEN_RECV_SIZE);
                uint8_t *grown;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        ret = -errno;
                        goto out;
                }
                if (n == 0 || n_out + (size_t) n > LISTEN_DUMP_MAX) {
                        ret = n == 0 ? -EBADMSG : -EMSGSIZE;
                        goto out;
                }
                grown = realloc(out, n_out + (size_t) n);
                if (!grown) {
                        ret = -ENOMEM;
                        goto out;
                }
                out = grown;
                memcpy(out + n_out, rbuf, (size_t) n);
                n_out += (size_t) n;
                ret = listen_dump_ended(rbuf, (size_t) n, seq);
                if (ret < 0)
                        goto out;
                if (ret > 0)
                        break;
        }
        *ret_buf = TAKE_PTR(out);
        *ret_len = n_out;
        ret = 0;
out:
        mnl_socket_close(nl);
        return ret;
}

int listen_dump(ListenTable **ret) {
        _cleanup_(listen_table_freep) ListenTable *t = listen_table_new();
        static const int families[] = { AF_INET, AF_INET6 };

        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
                _cleanup_free_ void *buf = NULL;
                size_t len = 0;
                int r;

                r = listen_dump_raw(families[i], &buf, &len);
                if (r >= 0)
                        r = listen_parse_msgs(t, buf, len);
                if (r < 0 && families[i] == AF_INET6 && (r == -ENOENT || r == -EAFNOSUPPORT))
                        continue;
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(t);
        return 0;
}

/* ---- owners ---- */

typedef struct InodeSlot {
        uint64_t inode;
        ListenSocket *socket;
} InodeSlot;

static int inode_slot_cmp(const void *a, const void *b) {
        uint64_t x = ((const InodeSlot *) a)->inode, y = ((const InodeSlot *) b)->inode;

        return x < y ? -1 : x > y;
}

static int pid_cmp(const void *a, const void *b) {
        pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;

        return x < y ? -1 : x > y;
}

static pid_t pid_from_name(const char *name) {
        long v = 0;

        if (!*name)
                return 0;
        for (const char *c = name; *c; c++) {
                if (*c < '0' || *c > '9')
                        return 0;
                v = v * 10 + (*c - '0');
                if (v > 0x3fffffff)     /* above PID_MAX_LIMIT: not a process */
                        return 0;
        }
        return (pid_t) v;
}

/* "socket:[12345]" -> 12345, 0 for any other link. */
static uint64_t socket_inode_from_link(const char *link) {
        uint64_t v = 0;
        const char *c;

        if (strncmp(link, "socket:[", 8) != 0)
                return 0;
        for (c = link + 8; *c >= '0' && *c <= '9'; c++) {
                if (v > (UINT64_MAX - 9) / 10)
                        return 0;
                v = v * 10 + (uint64_t) (*c - '0');
        }
        return c[0] == ']' && c[1] == '\0' ? v : 0;
}

static void read_comm(int proc_fd, pid_t pid, char comm[LISTEN_COMM_MAX]) {
        char path[32];
        ssize_t n;
        int fd;

        comm[0] = '\0';
        snprintf(path, sizeof(path), "%d/comm", (int) pid);
        fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return;
        n = read(fd, comm, LISTEN_COMM_MAX - 1);
        close(fd);
        if (n <= 0)
                return;
        comm[n] = '\0';
        comm[strcspn(comm, "\n")] = '\0';
}

/* The numeric entries of PROC_FD, ascending. */
static int list_pids(int proc_fd, pid_t **ret, size_t *ret_n) {
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0, allocated = 0;
        struct dirent *de;
        DIR *d;
        int fd;

        fd = openat(proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        while ((de = readdir(d))) {
                pid_t pid = pid_from_name(de->d_name);

                if (pid <= 0)
                        continue;
                if (n == allocated) {
                        size_t a = allocated ? allocated * 2 : 256;
                        pid_t *p = reallocarray(pids, a, sizeof(*p));

                        if (!p) {
                                closedir(d);
                                return -ENOMEM;
                        }
                        pids = p;
                        allocated = a;
                }
                pids[n++] = pid;
        }
        closedir(d);
        if (n > 0)
                qsort(pids, n, sizeof(*pids), pid_cmp);
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

int listen_resolve_owners(ListenTable *t, const char *proc_root) {
        _cleanup_free_ InodeSlot *slots = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n_slots = 0, n_pids = 0, unresolved, resolved = 0, links = 0;
        int proc_fd, r;

        for (size_t i = 0; i < t->n_sockets; i++) {
                t->sockets[i].pid = 0;
                t->sockets[i].comm[0] = '\0';
        }
        if (t->n_sockets == 0)
                return 0;
        slots = calloc(t->n_sockets, sizeof(*slots));
        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_sockets; i++)
                if (t->sockets[i].inode != 0)   /* a socket without a file has no holder */
                        slots[n_slots++] = (InodeSlot) { t->sockets[i].inode, &t->sockets[i] };
        if (n_slots == 0)
                return 0;
        qsort(slots, n_slots, sizeof(*slots), inode_slot_cmp);
        unresolved = n_slots;

        proc_fd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (proc_fd < 0)
                return -errno;
        r = list_pids(proc_fd, &pids, &n_pids);
        if (r < 0) {
                close(proc_fd);
                return r;
        }

        for (size_t i = 0; i < n_pids && unresolved > 0 && links < LISTEN_SCAN_MAX_FDS; i++) {
                char path[32], target[64];
                struct dirent *de;
                DIR *d;
                int fd;

                snprintf(path, sizeof(path), "%d/fd", (int) pids[i]);
                /* gone (ENOENT), a kernel thread's or another user's (EACCES): skip */
                fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                d = fdopendir(fd);
                if (!d) {
                        close(fd);
                        continue;
                }
                while (unresolved > 0 && links < LISTEN_SCAN_MAX_FDS && (de = readdir(d))) {
                        InodeSlot key, *hit;
                        ssize_t n;

                        if (de->d_name[0] == '.')
                                continue;
                        links++;
                        n = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
                        if (n <= 0)
                                continue;
                        target[n] = '\0';
                        key.inode = socket_inode_from_link(target);
                        if (key.inode == 0)
                                continue;
                        hit = bsearch(&key, slots, n_slots, sizeof(*slots), inode_slot_cmp);
                        if (!hit)
                                continue;
                        /* equal inodes sit side by side; give every one of them this owner */
                        while (hit > slots && hit[-1].inode == key.inode)
                                hit--;
                        for (; hit < slots + n_slots && hit->inode == key.inode; hit++) {
                                if (hit->socket->pid != 0)
                                        continue;
                                hit->socket->pid = pids[i];
                                read_comm(proc_fd, pids[i], hit->socket->comm);
                                unresolved--;
                                resolved++;
                        }
                }
                closedir(d);
        }
        close(proc_fd);
        return (int) resolved;
}

/* ---- questions ---- */

static bool addr_is_any(int family, const uint8_t *addr) {
        static const uint8_t zero[16];

        return memcmp(addr, zero, family == AF_INET ? 4 : 16) == 0;
}

static bool addr_is_v4mapped(const uint8_t *addr) {
        static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };

        return memcmp(addr, prefix, sizeof(prefix)) == 0;
}

/* How the kernel ranks S for a connection to FAMILY/ADDR (ADDR NULL: to
 * some address S accepts): -1 it would not take it; an exact address
 * beats a wildcard (inet_lhash2 is searched by address first), and for
 * IPv4 an AF_INET socket beats a dual-stack AF_INET6 one (compute_score). */
static int listen_score(const ListenSocket *s, int family, const uint8_t *addr) {
        bool any = addr_is_any(s->family, s->addr);

        if (family == AF_INET6) {
                /* a v4-mapped address takes IPv4 connections only */
                if (s->family != AF_INET6 || addr_is_v4mapped(s->addr))
                        return -1;
                if (!addr || any)
                        return 1;
                return memcmp(s->addr, addr, 16) == 0 ? 5 : -1;
        }
        if (s->family == AF_INET) {
                if (!addr || any)
                        return 2;
                return memcmp(s->addr, addr, 4) == 0 ? 6 : -1;
        }
        if (s->v6only)
                return -1;
        if (any)
                return 1;
        if (!addr_is_v4mapped(s->addr))
                return -1;
        if (!addr)
                return 1;
        return memcmp(s->addr + 12, addr, 4) == 0 ? 5 : -1;
}

bool listen_covers(const ListenTable *t, int family, const uint8_t *addr, uint16_t port, const ListenSocket **who) {
        const ListenSocket *best = NULL;
        int best_score = -1;

        if (who)
                *who = NULL;
        if (!t || (family != AF_INET && family != AF_INET6))
                return false;
        for (size_t i = 0; i < t->n_sockets; i++) {
                const ListenSocket *s = &t->sockets[i];
                int score;

                if (s->port != port)
                        continue;
                score = listen_score(s, family, addr);
                if (score > best_score) {
                        best = s;
                        best_score = score;
                }
        }
        if (who)
                *who = best;
        return best != NULL;
}

const ListenSocket *listen_find_port(const ListenTable *t, int family, uint16_t port, const ListenSocket *after) {
        size_t i = 0;

        if (!t || t->n_sockets == 0)
                return NULL;
        if (after) {
                if (after < t->sockets || after >= t->sockets + t->n_sockets)
                        return NULL;
                i = (size_t) (after - t->sockets) + 1;
        }
        for (; i < t->n_sockets; i++)
                if (t->sockets[i].port == port && (family == AF_UNSPEC || t->sockets[i].family == family))
                        return &t->sockets[i];
        return NULL;
}

/* ---- destroy notifications ---- */

/* Whether BUF holds the destroy notification of the IPv4 socket bound to PORT. */
static bool listen_destroy_seen(const void *buf, size_t len, uint16_t port) {
        const struct nlmsghdr *nlh = buf;
        int n = (int) len;

        for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
                const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);

                if (nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY && mnl_nlmsg_get_payload_len(nlh) >= sizeof(*m) &&
                    m->idiag_family == AF_INET && ntohs(m->id.idiag_sport) == port)
                        return true;
        }
        return false;
}

int listen_destroy_events_supported(void) {
        static const int groups[] = { SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET6_TCP_DESTROY };
        struct sockaddr_in sin = { .sin_family = AF_INET };
        socklen_t sl = sizeof(sin);
        struct mnl_socket *nl;
        _cleanup_free_ uint8_t *buf = NULL;
        struct timespec deadline, now;
        int r, fd = -1;

        buf = malloc(LISTEN_RECV_SIZE);
        if (!buf)
                return -ENOMEM;
        nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (!nl)
                return -errno;
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                r = -errno;
                goto out;
        }
        /* Netlink rounds every family up to 32 groups, so joining succeeds
         * on kernels that never send to these (before 4.5): only a real
         * socket going away tells.  Where joining needs CAP_NET_ADMIN it
         * fails with EPERM (6.18 lets anyone join). */
        for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
                if (mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &(int) { groups[i] }, sizeof(int)) < 0) {
                        r = errno == EINVAL ? 0 : -errno;
                        goto out;
                }

        /* Bound to an ephemeral port, never listening: nobody can connect
         * to the probe, and its port names its notification. */
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sin, sizeof(sin)) < 0 ||
            getsockname(fd, (struct sockaddr *) &sin, &sl) < 0) {
                r = -errno;
                goto out;
        }
        close(fd);
        fd = -1;

        /* the kernel sends from a workqueue, a few microseconds later */
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_nsec += 500 * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
                deadline.tv_sec++;
                deadline.tv_nsec -= 1000000000L;
        }
        for (;;) {
                struct pollfd p = { .fd = mnl_socket_get_fd(nl), .events = POLLIN };
                long ms;
                ssize_t n;

                clock_gettime(CLOCK_MONOTONIC, &now);
                ms = (deadline.tv_sec - now.tv_sec) * 1000L + (deadline.tv_nsec - now.tv_nsec) / 1000000L;
                if (ms <= 0) {
                        r = 0;
                        break;
                }
                if (poll(&p, 1, (int) ms) < 0 && errno != EINTR) {
                        r = -errno;
                        break;
                }
                n = mnl_socket_recvfrom(nl, buf, LISTEN_RECV_SIZE);
                if (n < 0 && (errno == EAGAIN || errno == EINTR || errno == ENOBUFS))
                        continue;
                if (n < 0) {
                        r = -errno;
                        break;
                }
                if (listen_destroy_seen(buf, (size_t) n, ntohs(sin.sin_port))) {
                        r = 1;
                        break;
                }
        }
out:
        if (fd >= 0)
                close(fd);
        mnl_socket_close(nl);
        return r;
}

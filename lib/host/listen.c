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
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/taskstats.h>

#include "listen.h"
#include "macro.h"
#include "nl-attr.h"

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

/* The attributes after struct inet_diag_msg, each within the message's
 * real length: a dump we cannot read whole is refused. */
static int listen_parse_attrs(ListenSocket *s, const uint8_t *p, size_t len) {
        NlAttrs t;
        uint8_t v6only;

        if (nl_attr_parse(&t, p, len) < 0)
                return -EBADMSG;
        if (t.tb[INET_DIAG_SKV6ONLY]) {
                if (nl_attr_u8(t.tb[INET_DIAG_SKV6ONLY], &v6only) < 0)
                        return -EBADMSG;
                s->v6only = v6only != 0;
        }
        /* sent with every socket by kernels that know it
         * (CONFIG_SOCK_CGROUP_DATA; `ss --cgroup` shows it) */
        if (t.tb[INET_DIAG_CGROUP_ID]) {
                if (nl_attr_len(t.tb[INET_DIAG_CGROUP_ID]) != sizeof(uint64_t))
                        return -EBADMSG;
                memcpy(&s->cgroup_id, nl_attr_data(t.tb[INET_DIAG_CGROUP_ID]), sizeof(uint64_t));
        }
        return 0;
}

static int listen_parse_diag_msg(ListenTable *t, const struct nlmsghdr *nlh) {
        size_t plen = nlh->nlmsg_len - NLMSG_HDRLEN, hlen = NLMSG_ALIGN(sizeof(struct inet_diag_msg));
        const struct inet_diag_msg *m = NLMSG_DATA(nlh);
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
                        r = listen_msg_errno(((const struct nlmsgerr *) NLMSG_DATA(nlh))->error);
                        break;
                case NLMSG_DONE:
                        /* a dump that failed half-way ends with the errno here */
                        if (plen >= sizeof(e)) {
                                memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
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
        size_t n = len;

        for (; nl_msg_ok(nlh, n); nlh = nl_msg_next(nlh, &n))
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

/* The fd scan.  *COMPLETE tells whether it could look into every process:
 * none refused (EACCES, EPERM) and none hidden (pid 1 is listed: hidepid
 * leaves it out of another user's view). */
static int owners_by_fd(ListenTable *t, int proc_fd, bool *complete) {
        _cleanup_free_ InodeSlot *slots = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n_slots = 0, n_pids = 0, unresolved, resolved = 0, links = 0;
        int r;

        *complete = true;
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

        r = list_pids(proc_fd, &pids, &n_pids);
        if (r < 0)
                return r;
        if (n_pids == 0 || pids[0] != 1)
                *complete = false;

        for (size_t i = 0; i < n_pids && unresolved > 0 && links < LISTEN_SCAN_MAX_FDS; i++) {
                char path[32], target[64];
                struct dirent *de;
                DIR *d;
                int fd;

                snprintf(path, sizeof(path), "%d/fd", (int) pids[i]);
                /* gone (ENOENT), a kernel thread's or another user's (EACCES): skip */
                fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0) {
                        if (errno == EACCES || errno == EPERM)
                                *complete = false;
                        continue;
                }
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
                        if (n < 0 && (errno == EACCES || errno == EPERM))
                                *complete = false;
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
                                hit->socket->pid = hit->socket->likely_pid = pids[i];
                                hit->socket->owner_from = LISTEN_OWNER_FD;
                                read_comm(proc_fd, pids[i], hit->socket->comm);
                                unresolved--;
                                resolved++;
                        }
                }
                closedir(d);
        }
        if (links >= LISTEN_SCAN_MAX_FDS)
                *complete = false;
        return (int) resolved;
}

/* ---- owners by cgroup ---- */

typedef struct CgroupSlot {
        uint64_t id;
        ListenSocket *socket;
        char *path;                     /* relative to the cgroup root, "." for the root */
} CgroupSlot;

static int cgroup_slot_cmp(const void *a, const void *b) {
        uint64_t x = ((const CgroupSlot *) a)->id, y = ((const CgroupSlot *) b)->id;

        return x < y ? -1 : x > y;
}

/* Gives PATH to every slot of ID not named yet; returns how many. */
static size_t cgroup_slots_name(CgroupSlot *slots, size_t n, uint64_t id, const char *path) {
        CgroupSlot key = { .id = id }, *hit = bsearch(&key, slots, n, sizeof(*slots), cgroup_slot_cmp);
        size_t named = 0;

        if (!hit)
                return 0;
        while (hit > slots && hit[-1].id == id)
                hit--;
        for (; hit < slots + n && hit->id == id; hit++)
                if (!hit->path && (hit->path = strdup(path)))
                        named++;
        return named;
}

#define CGROUP_MAX_DEPTH 32

/* Walks the cgroup tree below DIR_FD (PATH, LEN bytes of it used) and names
 * the slots whose id is a directory's inode number: cgroup2 ids are the
 * kernfs node ids its directories report as inode numbers (64-bit kernels;
 * readdir()'s d_ino is the same number, so nothing needs a stat()). */
static void cgroup_walk(int dir_fd, char *path, size_t len, unsigned depth, CgroupSlot *slots, size_t n,
                        size_t *left) {
        struct dirent *de;
        DIR *d;

        if (depth >= CGROUP_MAX_DEPTH)
                return;
        d = fdopendir(dir_fd);
        if (!d) {
                close(dir_fd);
                return;
        }
        while (*left > 0 && (de = readdir(d))) {
                size_t l = strlen(de->d_name);
                int sub;

                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                if (len + 1 + l >= PATH_MAX)
                        continue;
                path[len] = '/';
                memcpy(path + len + 1, de->d_name, l + 1);
                *left -= cgroup_slots_name(slots, n, (uint64_t) de->d_ino, path);
                sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (sub >= 0)
                        cgroup_walk(sub, path, len + 1 + l, depth + 1, slots, n, left);
                path[len] = '\0';
        }
        closedir(d);
}

/* The innermost path component that names a unit with processes. */
static void unit_from_cgroup_path(const char *path, char unit[LISTEN_UNIT_MAX]) {
        const char *end = path + strlen(path);

        unit[0] = '\0';
        while (end > path) {
                const char *start = end;
                size_t l;

                while (start > path && start[-1] != '/')
                        start--;
                l = (size_t) (end - start);
                if (l < LISTEN_UNIT_MAX &&
                    ((l > 8 && memcmp(end - 8, ".service", 8) == 0) || (l > 6 && memcmp(end - 6, ".scope", 6) == 0))) {
                        memcpy(unit, start, l);
                        unit[l] = '\0';
                        return;
                }
                end = start > path ? start - 1 : path;
        }
}

/* The pids cgroup.procs lists, ascending.  Processes outside the reader's
 * pid namespace are listed as 0: counted, never named. */
static int cgroup_read_procs(int root_fd, const char *path, pid_t **ret, size_t *ret_n) {
        char file[PATH_MAX + 16];
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0, allocated = 0;
        long v = -1;
        char buf[4096];
        ssize_t k;
        int fd;

        snprintf(file, sizeof(file), "%s/cgroup.procs", path);
        fd = openat(root_fd, file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        while ((k = read(fd, buf, sizeof(buf))) > 0 || (k < 0 && errno == EINTR))
                for (ssize_t i = 0; i < k; i++) {
                        if (buf[i] >= '0' && buf[i] <= '9') {
                                v = (v < 0 ? 0 : v) * 10 + (buf[i] - '0');
                                if (v > 0x3fffffff)
                                        v = 0x3fffffff;
                                continue;
                        }
                        if (v < 0)
                                continue;
                        if (n == allocated) {
                                size_t a = allocated ? allocated * 2 : 16;
                                pid_t *p = reallocarray(pids, a, sizeof(*p));

                                if (!p) {
                                        close(fd);
                                        return -ENOMEM;
                                }
                                pids = p;
                                allocated = a;
                        }
                        pids[n++] = (pid_t) v;
                        v = -1;
                }
        close(fd);
        if (k < 0)
                return -errno;
        if (n > 0)
                qsort(pids, n, sizeof(*pids), pid_cmp);
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

/* Names pids: PROC_ROOT/PID/comm, else (where hidepid hides it) taskstats,
 * over one genetlink socket for the whole resolution. */
typedef struct CommLookup {
        int proc_fd;
        bool taskstats;
        struct mnl_socket *genl;
        int family;                     /* TASKSTATS' genetlink id; 0 not asked yet, < 0 failed */
} CommLookup;

static int taskstats_family(struct mnl_socket *nl, int *ret);
static int taskstats_ask(struct mnl_socket *nl, int family, pid_t pid, char comm[LISTEN_COMM_MAX]);

static int comm_lookup(CommLookup *c, pid_t pid, char comm[LISTEN_COMM_MAX]) {
        read_comm(c->proc_fd, pid, comm);
        if (comm[0])
                return 0;
        if (!c->taskstats || c->family < 0)
                return -ENOENT;
        if (c->family == 0) {
                c->genl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
                if (!c->genl || mnl_socket_bind(c->genl, 0, MNL_SOCKET_AUTOPID) < 0 ||
                    taskstats_family(c->genl, &c->family) < 0) {
                        c->family = -1;
                        return -ENOENT;
                }
        }
        return taskstats_ask(c->genl, c->family, pid, comm);
}

/* What the cgroup of S tells of its holder (listen_resolve_owners_with()). */
static void owner_from_cgroup(ListenSocket *s, const pid_t *pids, size_t n, CommLookup *c) {
        char first[LISTEN_COMM_MAX] = "", other[LISTEN_COMM_MAX];
        bool same = n > 0 && n <= LISTEN_CGROUP_MAX_PROCS && pids[0] > 0;

        s->likely_pid = n > 0 ? pids[0] : 0;    /* 0: outside our pid namespace */
        for (size_t i = 0; same && i < n; i++) {
                if (pids[i] <= 0 || comm_lookup(c, pids[i], i == 0 ? first : other) < 0) {
                        same = false;
                        break;
                }
                if (i > 0 && strcmp(first, other) != 0)
                        same = false;
        }
        s->owner_from = LISTEN_OWNER_CGROUP;
        if (!same)
                return;
        memcpy(s->comm, first, sizeof(s->comm));
        if (n == 1)
                s->pid = pids[0];
}

static int owners_by_cgroup(ListenTable *t, const ListenOwnerLookup *l, int proc_fd, bool scan_complete) {
        _cleanup_free_ CgroupSlot *slots = NULL;
        CommLookup c = { .proc_fd = proc_fd, .taskstats = l->taskstats };
        char path[PATH_MAX] = ".";
        size_t n = 0, left;
        struct stat st;
        int root_fd, resolved = 0;

        slots = calloc(t->n_sockets, sizeof(*slots));
        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_sockets; i++)
                if (t->sockets[i].cgroup_id != 0)
                        slots[n++] = (CgroupSlot) { .id = t->sockets[i].cgroup_id, .socket = &t->sockets[i] };
        if (n == 0)
                return 0;
        qsort(slots, n, sizeof(*slots), cgroup_slot_cmp);
        root_fd = open(l->cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return 0;       /* no cgroups to ask: nothing more is known */
        left = n;
        if (fstat(root_fd, &st) == 0)
                left -= cgroup_slots_name(slots, n, (uint64_t) st.st_ino, ".");
        if (left > 0) {
                int fd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0)
                        cgroup_walk(fd, path, 1, 0, slots, n, &left);
        }

        for (size_t i = 0; i < n; i++) {
                ListenSocket *s = slots[i].socket;
                _cleanup_free_ pid_t *pids = NULL;
                size_t n_pids = 0;

                if (!slots[i].path || cgroup_read_procs(root_fd, slots[i].path, &pids, &n_pids) < 0)
                        continue;
                unit_from_cgroup_path(slots[i].path, s->unit);
                s->cgroup_procs = (unsigned) n_pids;
                if (s->owner_from != LISTEN_OWNER_NONE || scan_complete)
                        continue;
                owner_from_cgroup(s, pids, n_pids, &c);
                if (s->pid > 0)
                        resolved++;
        }
        for (size_t i = 0; i < n; i++)
                free(slots[i].path);
        if (c.genl)
                mnl_socket_close(c.genl);
        close(root_fd);
        return resolved;
}

int listen_resolve_owners_with(ListenTable *t, const ListenOwnerLookup *l) {
        bool complete = true;
        int proc_fd, r, resolved;

        for (size_t i = 0; i < t->n_sockets; i++) {
                ListenSocket *s = &t->sockets[i];

                s->pid = s->likely_pid = 0;
                s->comm[0] = s->unit[0] = '\0';
                s->owner_from = LISTEN_OWNER_NONE;
                s->cgroup_procs = 0;
        }
        if (t->n_sockets == 0)
                return 0;
        proc_fd = open(l->proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (proc_fd < 0)
                return -errno;
        r = owners_by_fd(t, proc_fd, &complete);
        if (r >= 0 && l->cgroup_root) {
                resolved = r;
                r = owners_by_cgroup(t, l, proc_fd, complete);
                if (r >= 0)
                        r += resolved;
        }
        close(proc_fd);
        return r;
}

/* Unescapes mountinfo's octal escapes (\040 for a space) in place. */
static void mountinfo_unescape(char *s) {
        char *w = s;

        for (; *s; s++) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
                    s[3] <= '7') {
                        *w++ = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
                        s += 3;
                } else
                        *w++ = *s;
        }
        *w = '\0';
}

char *listen_cgroup2_mount(const char *proc_root) {
        char path[PATH_MAX], *line = NULL, *found = NULL;
        size_t size = 0;
        FILE *f;

        snprintf(path, sizeof(path), "%s/self/mountinfo", proc_root);
        f = fopen(path, "re");
        if (!f)
                return NULL;
        /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
        while (!found && getline(&line, &size, f) > 0) {
                char *mountpoint = NULL, *sep, *save = NULL, *field;
                int i = 0;

                sep = strstr(line, " - ");
                if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
                        continue;
                *sep = '\0';
                for (field = strtok_r(line, " ", &save); field; field = strtok_r(NULL, " ", &save))
                        if (++i == 5)
                                mountpoint = field;
                if (!mountpoint)
                        continue;
                mountinfo_unescape(mountpoint);
                found = strdup(mountpoint);
        }
        free(line);
        fclose(f);
        return found;
}

int listen_resolve_owners(ListenTable *t, const char *proc_root) {
        _cleanup_free_ char *cgroup_root = listen_cgroup2_mount(proc_root);

        return listen_resolve_owners_with(t, &(ListenOwnerLookup) {
                .proc_root = proc_root,
                .cgroup_root = cgroup_root,
                .taskstats = true,
        });
}

/* ---- taskstats ---- */

/* The errno of an NLMSG_ERROR (0: an ack), -EBADMSG when it has none. */
static int genl_msg_errno(const struct nlmsghdr *nlh) {
        int32_t e;

        if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nlmsgerr))
                return -EBADMSG;
        memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
        return e > 0 || e < -4095 ? -EBADMSG : e;
}

int listen_taskstats_family_parse(const void *buf, size_t len, int *ret_id) {
        const struct nlmsghdr *nlh = buf;
        size_t rem = len;

        for (; nl_msg_ok(nlh, rem); nlh = nl_msg_next(nlh, &rem)) {
                NlAttrs t;
                uint16_t id;
                int r;

                if (nlh->nlmsg_type == NLMSG_ERROR) {
                        if ((r = genl_msg_errno(nlh)) < 0)
                                return r;
                        continue;
                }
                if (nlh->nlmsg_type != GENL_ID_CTRL)
                        continue;
                if (nl_attr_parse_msg(&t, nlh, GENL_HDRLEN) < 0)
                        return -EBADMSG;
                if (nl_attr_u16(t.tb[CTRL_ATTR_FAMILY_ID], &id) == 0 && id >= NLMSG_MIN_TYPE) {
                        *ret_id = id;
                        return 0;
                }
        }
        return rem == 0 ? -ENOENT : -EBADMSG;
}

/* One request on NL, its answer into BUF (SIZE bytes); the length. */
static ssize_t genl_transact(struct mnl_socket *nl, const struct nlmsghdr *req, void *buf, size_t size) {
        ssize_t n;

        if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
                return -errno;
        do
                n = mnl_socket_recvfrom(nl, buf, size);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : n;
}

static int taskstats_family(struct mnl_socket *nl, int *ret) {
        uint8_t buf[8192];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct genlmsghdr *g;
        ssize_t n;

        nlh->nlmsg_type = GENL_ID_CTRL;
        nlh->nlmsg_flags = NLM_F_REQUEST;
        nlh->nlmsg_seq = 1;
        g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->cmd = CTRL_CMD_GETFAMILY;
        g->version = 1;
        mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TASKSTATS_GENL_NAME);
        n = genl_transact(nl, nlh, buf, sizeof(buf));
        if (n < 0)
                return (int) n;
        return listen_taskstats_family_parse(buf, (size_t) n, ret);
}

static int taskstats_ask(struct mnl_socket *nl, int family, pid_t pid, char comm[LISTEN_COMM_MAX]) {
        uint8_t buf[8192];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct genlmsghdr *g;
        ssize_t n;

        nlh->nlmsg_type = (uint16_t) family;
        nlh->nlmsg_flags = NLM_F_REQUEST;
        nlh->nlmsg_seq = (uint32_t) pid;
        g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->cmd = TASKSTATS_CMD_GET;
        g->version = TASKSTATS_GENL_VERSION;
        mnl_attr_put_u32(nlh, TASKSTATS_CMD_ATTR_PID, (uint32_t) pid);
        n = genl_transact(nl, nlh, buf, sizeof(buf));
        if (n < 0)
                return (int) n;
        return listen_taskstats_parse(buf, (size_t) n, pid, comm);
}

int listen_taskstats_comm(pid_t pid, char comm[LISTEN_COMM_MAX]) {
        struct mnl_socket *nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
        int family, r;

        if (!nl)
                return -errno;
        r = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ? -errno : taskstats_family(nl, &family);
        if (r >= 0)
                r = taskstats_ask(nl, family, pid, comm);
        mnl_socket_close(nl);
        return r;
}

/* The comm of TASKSTATS_TYPE_AGGR_PID nest A when it is PID's: 1, 0 when
 * of another, -EBADMSG when malformed. */
static int taskstats_aggr_comm(const struct nlattr *a, pid_t pid, char comm[LISTEN_COMM_MAX]) {
        const struct nlattr *stats;
        char name[TS_COMM_LEN];
        NlAttrs t;
        uint32_t who;

        if (nl_attr_parse_nested(&t, a) < 0)
                return -EBADMSG;
        if (t.tb[TASKSTATS_TYPE_PID] && nl_attr_u32(t.tb[TASKSTATS_TYPE_PID], &who) < 0)
                return -EBADMSG;
        stats = t.tb[TASKSTATS_TYPE_STATS];
        /* ac_comm is in version 1's part: every kernel's struct has it */
        if (stats && nl_attr_len(stats) < offsetof(struct taskstats, ac_comm) + TS_COMM_LEN)
                return -EBADMSG;
        if (!t.tb[TASKSTATS_TYPE_PID] || who != (uint32_t) pid || !stats)
                return 0;
        memcpy(name, (const uint8_t *) nl_attr_data(stats) + offsetof(struct taskstats, ac_comm), sizeof(name));
        name[TS_COMM_LEN - 1] = '\0';
        snprintf(comm, LISTEN_COMM_MAX, "%.*s", LISTEN_COMM_MAX - 1, name);
        return 1;
}

int listen_taskstats_parse(const void *buf, size_t len, pid_t pid, char comm[LISTEN_COMM_MAX]) {
        const struct nlmsghdr *nlh = buf;
        size_t rem = len;

        for (; nl_msg_ok(nlh, rem); nlh = nl_msg_next(nlh, &rem)) {
                NlAttrs t;
                int r;

                if (nlh->nlmsg_type == NLMSG_ERROR) {
                        if ((r = genl_msg_errno(nlh)) < 0)
                                return r;
                        continue;
                }
                if (nlh->nlmsg_type < NLMSG_MIN_TYPE || nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
                        continue;
                if (nl_attr_parse_msg(&t, nlh, GENL_HDRLEN) < 0)
                        return -EBADMSG;
                if (!t.tb[TASKSTATS_TYPE_AGGR_PID])
                        continue;
                if ((r = taskstats_aggr_comm(t.tb[TASKSTATS_TYPE_AGGR_PID], pid, comm)) != 0)
                        return r < 0 ? r : 0;
        }
        return rem == 0 ? -ENOENT : -EBADMSG;
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
        size_t n = len;

        for (; nl_msg_ok(nlh, n); nlh = nl_msg_next(nlh, &n)) {
                const struct inet_diag_msg *m = NLMSG_DATA(nlh);

                if (nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY && nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(*m) &&
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

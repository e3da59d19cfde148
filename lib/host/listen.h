/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The TCP sockets in LISTEN state of the caller's network namespace, as
 * sock_diag (inet_diag) reports them, and the process holding each. */

#define LISTEN_COMM_MAX 16
#define LISTEN_UNIT_MAX 256     /* a unit name: 255 bytes at most, and the NUL */

/* How a socket's pid and comm were found (listen_resolve_owners()). */
typedef enum ListenOwnerFrom {
        LISTEN_OWNER_NONE,      /* not found: pid 0, comm "" */
        LISTEN_OWNER_FD,        /* in the holder's file descriptor table: exact */
        LISTEN_OWNER_CGROUP,    /* from the cgroup the socket was created in (see
                                 * listen_resolve_owners_with()): pid and comm
                                 * only as far as that cgroup tells for certain */
} ListenOwnerFrom;

typedef struct ListenSocket {
        int family;             /* AF_INET or AF_INET6 */
        uint8_t addr[16];       /* bound address, network order; 4 bytes used for AF_INET */
        uint16_t port;          /* host order */
        uint32_t ifindex;       /* SO_BINDTODEVICE interface, 0 when not bound to one */
        uint64_t inode;         /* sockfs inode: /proc/PID/fd/N -> "socket:[inode]" */
        uint64_t cookie;        /* the kernel's socket cookie; a destroy notification
                                 * carries it (and inode 0), so it names the socket then */
        uid_t uid;
        bool v6only;            /* AF_INET6 only: IPV6_V6ONLY, so no IPv4 through it */
        uint64_t cgroup_id;     /* INET_DIAG_CGROUP_ID: the cgroup (v2) of the process that
                                 * created the socket, 0 when the kernel does not say */
        pid_t pid;              /* the process holding the socket (the lowest pid of those
                                 * that do), 0 when not known for certain */
        char comm[LISTEN_COMM_MAX]; /* the holder's comm, "" when not known for certain;
                                     * with pid 0, the one every process of the
                                     * socket's cgroup has */
        ListenOwnerFrom owner_from;
        /* From the socket's cgroup, when listen_resolve_owners() looked there: */
        char unit[LISTEN_UNIT_MAX]; /* the innermost .service or .scope of its path
                                     * ("ssh.service", "init.scope"), "" when none */
        unsigned cgroup_procs;  /* how many processes it had */
        pid_t likely_pid;       /* pid, or when that is not certain the lowest pid of the
                                 * cgroup: the unit's main process in the usual cases, a
                                 * guess; 0 when unknown */
} ListenSocket;

typedef struct ListenTable {
        ListenSocket *sockets;
        size_t n_sockets;
        size_t n_allocated;
} ListenTable;

ListenTable *listen_table_new(void);
ListenTable *listen_table_free(ListenTable *t);
void listen_table_freep(ListenTable **t);

/* Appends the listeners found in BUF, a stream of netlink messages as a
 * SOCK_DIAG_BY_FAMILY dump answers (replies of several dumps may follow each
 * other).  NLMSG_DONE and NLMSG_NOOP are skipped, as are sockets in another
 * state than LISTEN and attributes not known here.  Returns 0, the error an
 * NLMSG_ERROR message carries, or -EBADMSG on a truncated or malformed
 * message (T then holds the sockets decoded before it). */
int listen_parse_msgs(ListenTable *t, const void *buf, size_t len);

/* Dumps FAMILY's (AF_INET or AF_INET6) TCP listeners over NETLINK_SOCK_DIAG
 * and returns every reply datagram received, concatenated, ready for
 * listen_parse_msgs(); the capture tool stores exactly these bytes.  Needs
 * no privilege.  Returns 0 or a negative errno. */
int listen_dump_raw(int family, void **ret_buf, size_t *ret_len);

/* Both families in one table, owners not resolved.  A kernel without IPv6
 * (inet_diag answers -ENOENT for AF_INET6) gives the IPv4 listeners only. */
int listen_dump(ListenTable **ret);

/* Fills pid and comm of each socket of T.
 *
 * First by scanning PROC_ROOT/PID/fd/ once for the inodes of T (PROC_ROOT
 * is "/proc"; tests pass a fake tree): exact.  Processes are visited in
 * ascending pid order, so a socket shared by several (a socket-activated
 * sshd and pid 1) gets the lowest pid; the scan stops as soon as every
 * inode is found, after LISTEN_SCAN_MAX_FDS links in all, and skips
 * processes that vanish or hide their fds.  Looking into another user's
 * fds takes CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH (the kernel's ptrace
 * read check on /proc/PID/fd), and /proc mounted with hidepid= (systemd's
 * ProtectProc=) hides those processes altogether.
 *
 * Then, when that scan could not look everywhere (a process's fds were
 * refused, or /proc hides processes: pid 1 is not listed), for the sockets
 * it did not find, from the socket's cgroup: the cgroup2 file system
 * PROC_ROOT/self/mountinfo names, processes' names from PROC_ROOT/PID/comm
 * or, where /proc hides them, from the kernel's taskstats (needs
 * CAP_NET_ADMIN) -- see listen_resolve_owners_with().
 *
 * Returns the number of sockets with a pid, or a negative errno when
 * PROC_ROOT cannot be read. */
#define LISTEN_SCAN_MAX_FDS 1000000u
int listen_resolve_owners(ListenTable *t, const char *proc_root);

typedef struct ListenOwnerLookup {
        const char *proc_root;          /* "/proc" */
        const char *cgroup_root;        /* a cgroup2 mount; NULL: do not look at cgroups */
        bool taskstats;                 /* a comm /proc does not show: ask taskstats */
} ListenOwnerLookup;

/* listen_resolve_owners() with the places to look given.
 *
 * What the cgroup tells.  The kernel records in each socket the cgroup of
 * the process that created it (sock_diag reports its id, the inode number
 * of the cgroup's directory), and every socket a systemd unit creates is
 * created in that unit's cgroup.  The cgroup's cgroup.procs lists its
 * processes (readable by every user, whatever hidepid hides).  The holder
 * is taken to be one of them, which is true unless the socket was handed
 * to a process in another cgroup (SCM_RIGHTS, pidfd_getfd()) and every
 * process of this one closed it since, or its creator moved to another
 * cgroup after creating it.  Within the cgroup:
 *   - one process: pid and comm are that process (a unit with one
 *     process, e.g. `systemd-run -p User=nobody python3 ...`; pid 1 for a
 *     socket unit's socket, which systemd creates in init.scope and keeps);
 *   - several processes, all with one comm (sshd's listener and its
 *     per-connection children, a master with its workers): comm is
 *     certain, pid is not (0); likely_pid is the lowest pid;
 *   - several with different comms (a login session's scope: its shell,
 *     an editor, the program that holds the port): neither is certain;
 *     unit names the scope and likely_pid is a guess at best.
 * unit and cgroup_procs are filled for every socket whose cgroup is found;
 * pid, comm and likely_pid only for those the fd scan did not find while
 * it could not look everywhere: when it looked everywhere and found no
 * holder, none is made up.  At most LISTEN_CGROUP_MAX_PROCS processes of
 * one cgroup are named. */
#define LISTEN_CGROUP_MAX_PROCS 256u
int listen_resolve_owners_with(ListenTable *t, const ListenOwnerLookup *lookup);

/* The mount point of the cgroup2 file system in PROC_ROOT/self/mountinfo
 * (the first one: "/sys/fs/cgroup", or "/sys/fs/cgroup/unified" on a host
 * with the hybrid layout), malloc()ed, or NULL when there is none. */
char *listen_cgroup2_mount(const char *proc_root);

/* Decodes the kernel's answer to TASKSTATS_CMD_GET for PID (the genetlink
 * messages BUF holds): the comm taskstats reports for it.  0, -ENOENT when
 * the answer holds no statistics of PID, the errno of an NLMSG_ERROR
 * (-EPERM without CAP_NET_ADMIN, -ESRCH for no such process), -EBADMSG on a
 * malformed message. */
int listen_taskstats_parse(const void *buf, size_t len, pid_t pid, char comm[LISTEN_COMM_MAX]);

/* Decodes the answer to generic netlink's CTRL_CMD_GETFAMILY (the messages
 * BUF holds; each attribute bounded by its message's real length): the
 * family id in *RET_ID.  0, -ENOENT when the answer holds no id, the errno
 * of an NLMSG_ERROR, -EBADMSG on a malformed message. */
int listen_taskstats_family_parse(const void *buf, size_t len, int *ret_id);

/* Asks taskstats for PID's comm: 0, or a negative errno.  TASKSTATS_CMD_GET
 * needs CAP_NET_ADMIN, ignores hidepid, and tells only a process's
 * accounting (name, ids, times, I/O counts): nothing of its memory, files,
 * environment or command line. */
int listen_taskstats_comm(pid_t pid, char comm[LISTEN_COMM_MAX]);

/* Would a listener of T accept a TCP connection to FAMILY/ADDR/PORT?  A
 * wildcard address (0.0.0.0, ::) covers every address of its family, an
 * AF_INET6 socket that is not v6only also covers IPv4 (:: every IPv4
 * address, ::ffff:a.b.c.d that one).  ADDR NULL asks whether anything of
 * FAMILY listens on PORT, whatever its address.  Sockets bound to a device
 * count: their ifindex says where the connection must arrive.  *WHO (may
 * be NULL) gets the listener the kernel would pick: the exact address over
 * the wildcard, an AF_INET socket over an AF_INET6 one for IPv4. */
bool listen_covers(const ListenTable *t, int family, const uint8_t *addr, uint16_t port, const ListenSocket **who);

/* The first listener on PORT after AFTER (NULL: from the start) of FAMILY,
 * or of either family when FAMILY is AF_UNSPEC; NULL when there is none. */
const ListenSocket *listen_find_port(const ListenTable *t, int family, uint16_t port, const ListenSocket *after);

/* Whether this kernel reports destroyed TCP sockets (listeners included,
 * as state CLOSE, inode 0, with the cookie of the dump) to members of the
 * sock_diag groups SKNLGRP_INET_TCP_DESTROY and SKNLGRP_INET6_TCP_DESTROY.
 * Joins both, closes a TCP socket of its own and waits up to 500 ms for its
 * notification.  1 yes, 0 no, -EPERM when joining needs a CAP_NET_ADMIN the
 * caller lacks, another negative errno on failure. */
int listen_destroy_events_supported(void);

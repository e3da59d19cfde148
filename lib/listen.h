/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The TCP sockets in LISTEN state of the caller's network namespace, as
 * sock_diag (inet_diag) reports them, and the process holding each. */

#define LISTEN_COMM_MAX 16

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
        pid_t pid;              /* lowest pid holding the socket, 0 when unknown */
        char comm[LISTEN_COMM_MAX]; /* that process's /proc/PID/comm, "" when unknown */
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

/* Fills pid and comm of each socket of T by scanning PROC_ROOT/PID/fd/
 * once for the inodes of T (PROC_ROOT is "/proc"; tests pass a fake tree).
 * Processes are visited in ascending pid order, so a socket shared by
 * several (a socket-activated sshd and pid 1) gets the lowest pid; the scan
 * stops as soon as every inode is found, after LISTEN_SCAN_MAX_FDS links in
 * all, and skips processes that vanish or hide their fds (EACCES).  Returns
 * the number of sockets with an owner, or a negative errno when PROC_ROOT
 * cannot be read. */
#define LISTEN_SCAN_MAX_FDS 1000000u
int listen_resolve_owners(ListenTable *t, const char *proc_root);

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

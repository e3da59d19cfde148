/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * nftables change notifications: what the kernel multicasts to the
 * NFNLGRP_NFTABLES group of NETLINK_NETFILTER whenever a transaction batch
 * commits, and who committed it.  The decoder (nft_monitor_parse) is
 * separate from the socket so that recorded notification bytes can be
 * replayed without root (tests/data/nft-monitor, recorded by
 * tests/tools/nft-monitor-capture).
 *
 * What the kernel does, observed on 6.18 (tests/data/nft-monitor/capture.sh
 * records it; check_nft_monitor.c holds the decoder to it):
 *
 *  - A committed batch is announced as one NEW or DEL message per object it
 *    changed, in the order of the batch (one NEWSETELEM per element), then
 *    ONE NFT_MSG_NEWGEN that ends it, always last and always in a datagram
 *    of its own.  The change messages are packed into as few datagrams as
 *    fit (at most NLMSG_GOODSIZE, about 3.5 KiB with 4 KiB pages: 3,556
 *    bytes held 14 messages), so one recv() returns many and a big batch
 *    spans many recv()s before its NEWGEN.
 *  - NEWGEN carries the new generation id (NFTA_GEN_ID: what GETGEN then
 *    reports, and a dump's res_id its low 16 bits; a fresh network
 *    namespace is at 1, so its first commit is 2), the pid of the committing task as the INITIAL pid
 *    namespace numbers it (nft run in a child pid namespace as its pid 1 was
 *    reported by its global pid), and the task's comm: "nft",
 *    "iptables-nft", "iptables-nft-re" (iptables-nft-restore cut to
 *    TASK_COMM_LEN - 1 = 15 characters).  Its nfgenmsg family is 0.
 *  - The change messages carry the low 16 bits of the new generation in
 *    nfgenmsg's res_id (big endian), and the committer's netlink portid and
 *    sequence number in the netlink header.
 *  - A batch that changes nothing (`nft add table` of an existing table),
 *    a listing (`nft list ruleset`, `iptables-nft -L`) and a batch the
 *    kernel rejects send nothing at all, NEWGEN included.
 *  - Deleting a table announces a DEL for each rule, set and chain in it,
 *    then DELTABLE, then NEWGEN; `nft flush ruleset` the same per table.
 *  - Notifications are per network namespace: the socket hears only the
 *    namespace it was opened in.
 *  - When the receive buffer is full the kernel drops the notification and
 *    marks the socket: the next recv() fails with ENOBUFS, before the
 *    datagrams still queued, which then follow; what was dropped is gone,
 *    the NEWGEN that ends the batch included, and nothing says what it
 *    was.  Once drained the socket hears the next commits normally.  The
 *    only recovery is a fresh dump.  nft_monitor_open() keeps the error
 *    (no NETLINK_NO_ENOBUFS) and makes it rare: the kernel doubles the
 *    4 MiB asked for to an 8 MiB sk_rcvbuf, which took a 10,000-rule `nft
 *    -f` batch unread (2.9 MB of datagrams) and overflowed after 12,908
 *    rules of a 40,000-rule one.  With the smallest buffer the kernel
 *    allows (2,304 bytes) one batch of 2,000 rules gave ENOBUFS and then
 *    the single datagram that had fitted (enobufs.bin).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/netfilter/nf_tables.h>  /* NFT_MSG_* */

struct mnl_socket;

#define NFT_MONITOR_RCVBUF (4u * 1024u * 1024u)

/* A recv() buffer this big never truncates a notification datagram (the
 * kernel builds them at most NLMSG_GOODSIZE, 8 KiB even with big pages). */
#define NFT_MONITOR_RECV_SIZE (64u * 1024u)

/* Characters kept of NFTA_GEN_PROC_NAME: the kernel sends at most 15
 * (TASK_COMM_LEN - 1) and its NUL; anything longer is cut here. */
#define NFT_MONITOR_COMM_MAX 16
#define NFT_MONITOR_NAME_MAX 256        /* NFT_NAME_MAXLEN, with the NUL */

/* Message types newer than the uapi headers this builds against may be. */
#define NFT_MONITOR_MSG_GETRULE_RESET 25
#define NFT_MONITOR_MSG_DESTROYTABLE 26
#define NFT_MONITOR_MSG_DESTROYFLOWTABLE 32
#define NFT_MONITOR_MSG_GETSETELEM_RESET 33

typedef struct NftMonitorEvent {
        uint16_t msg_type;              /* NFT_MSG_*: the low byte of nlmsg_type */
        int family;                     /* NFPROTO_* (nfgenmsg), 0 (NFPROTO_UNSPEC) for NEWGEN */

        /* NFT_MSG_NEWGEN: who committed the batch it ends.  0, 0 and ""
         * when the kernel left them out or sent them malformed (the kernel
         * never uses generation 0). */
        uint32_t genid;
        pid_t pid;
        char comm[NFT_MONITOR_COMM_MAX + 1];

        /* The object a change message is about; "" and has_handle false
         * for what the message does not carry (or carries malformed). */
        char table[NFT_MONITOR_NAME_MAX];
        char chain[NFT_MONITOR_NAME_MAX];       /* CHAIN: itself; RULE: the rule's chain */
        char name[NFT_MONITOR_NAME_MAX];        /* SET, SETELEM: the set; OBJ, FLOWTABLE: itself */
        uint64_t handle;                        /* TABLE, CHAIN, RULE, SET, OBJ, FLOWTABLE */
        bool has_handle;
} NftMonitorEvent;

/* Opens a NETLINK_NETFILTER socket in the caller's network namespace that
 * has joined NFNLGRP_NFTABLES (CAP_NET_ADMIN), nonblocking and close-on-
 * exec, with a receive buffer of NFT_MONITOR_RCVBUF: SO_RCVBUFFORCE (which
 * ignores net.core.rmem_max, CAP_NET_ADMIN), else SO_RCVBUF (capped by
 * rmem_max).  Overruns stay visible: recv() fails with ENOBUFS, after
 * which the caller must re-read the ruleset.  Returns 0 or a negative
 * errno. */
int nft_monitor_open(struct mnl_socket **ret);

typedef int (*nft_monitor_event_cb)(const NftMonitorEvent *ev, void *userdata);

/* Decodes one datagram as recv() returned it (BUF aligned to 4 bytes, as
 * any recv() buffer is): CB is called for each nftables message in it, in
 * order; messages of other netfilter subsystems and netlink control
 * messages are skipped.  Message types this does not know are passed on
 * as they are (nft_monitor_msg_changes_ruleset() counts them as changes).
 * Attributes are checked against a policy; one that fails it is treated as
 * absent, the message is still delivered (one that runs past the end of
 * its message, nlmsg_len, is absent with those after it).  Returns the number of events
 * delivered; -EBADMSG when the framing is broken (a message longer than
 * what is left, shorter than its headers, bytes after the last one) after
 * delivering the messages before it, which the caller should treat like
 * ENOBUFS (something was lost: re-read the ruleset); -EINVAL when BUF is
 * misaligned; or the first negative value CB returned, which stops the
 * walk. */
int nft_monitor_parse(const void *buf, size_t len, nft_monitor_event_cb cb, void *userdata);

/* Whether a message of MSG_TYPE announces a change of the ruleset: a NEW or
 * DEL(/DESTROY) of a table, chain, rule, set, element, object or
 * flowtable, and, to be safe, any type this code does not know.  NEWGEN
 * (the end of a batch), the GET types and trace messages are not. */
bool nft_monitor_msg_changes_ruleset(uint16_t msg_type);

/* "NEWRULE", "NEWGEN", ...; NULL for a type this does not know. */
const char *nft_monitor_msg_name(uint16_t msg_type);

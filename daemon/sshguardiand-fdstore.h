/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What sshguardiand's sandbox does not let it open, opened before it starts
 * and handed over through systemd's file descriptor store.
 *
 * The unit forbids the daemon AF_INET and AF_INET6 sockets
 * (RestrictAddressFamilies=) and gives it no CAP_DAC_READ_SEARCH, yet
 * iptables-legacy's tables are read with getsockopt() on an IPv4 or IPv6
 * socket and listed in /proc/net/ip_tables_names (mode 0440, root).  So
 * `ExecStartPre=+sshguardiand --store-fds` (root, outside the sandbox, in
 * the unit's control group) opens one UDP socket per family, never bound
 * and never sending, and the two names files, and sends them to systemd
 * with sd_pid_notify_with_fds("FDSTORE=1", FDNAME=...): NotifyAccess=exec
 * accepts messages from a control process, FileDescriptorStoreMax= makes
 * room, and systemd passes the store to the main process it starts next
 * (LISTEN_FDS, LISTEN_FDNAMES).  x_tables checks only the caller's
 * CAP_NET_ADMIN on those getsockopt() calls, which the daemon has; a names
 * file, once open, is read again from its start for each look.
 *
 * Each start replaces what the previous one stored (FDSTOREREMOVE=1 first),
 * so restarts do not pile descriptors up.
 */

#include "xt-legacy.h"

/* The names in the store. */
#define FDSTORE_XT_IPV4 "xt-ipv4"
#define FDSTORE_XT_IPV6 "xt-ipv6"
#define FDSTORE_XT_IPV4_NAMES "xt-ipv4-names"
#define FDSTORE_XT_IPV6_NAMES "xt-ipv6-names"
/* xt_recent's lists (ufw's limit): the directory /proc/net/xt_recent
 * (ProcSubset=pid hides /proc/net; its files are 0644 and come and go with
 * the rules that name them, read through the directory), and
 * /proc/timer_list (0400 root), the kernel's jiffies and monotonic clock
 * side by side */
#define FDSTORE_XT_RECENT "xt-recent"
#define FDSTORE_TIMER_LIST "timer-list"
#define FDSTORE_MAX 6           /* the unit's FileDescriptorStoreMax= */

/* `sshguardiand --store-fds`: opens them and stores them; what cannot be
 * opened is left out (a names file does not exist while x_tables is not
 * loaded) and said on stderr.  Needs $NOTIFY_SOCKET.  0 when all were
 * stored, else a negative errno (the last failure). */
int fdstore_store(void);

/* In the daemon, before anything else opens a descriptor: takes what
 * systemd passed (LISTEN_FDS, and unsets it), into SRC[0] (IPv4) and
 * SRC[1] (IPv6), *RECENT_DIR and *TIMER_LIST, -1 where nothing came;
 * descriptors of unknown names are closed.  Returns how many were taken. */
int fdstore_take(XtLegacySource src[2], int *recent_dir, int *timer_list);

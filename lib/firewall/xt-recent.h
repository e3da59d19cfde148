/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * xt_recent's lists (`-m recent`, ufw's `limit`): what the kernel holds,
 * read from /proc/net/xt_recent/NAME, and the clock their stamps are in.
 *
 * A list holds, per address, the jiffies of the last packets that set or
 * updated it (a ring of ip_pkt_list_tot slots).  `--rcheck`/`--update
 * --seconds S --hitcount H` matches when at least H of them are at most S
 * seconds old (recent_mt()); ufw's `limit` is `--set` then `--update
 * --seconds 30 --hitcount 6 -j ufw-user-limit` (a REJECT): a source that
 * opened 6 connections in 30 s is refused until it stops trying for 30 s,
 * each refused attempt stamping it again.  Whether the next connection
 * from an address would be refused is decided here from that state and
 * the current jiffies; the evaluator asks (xt_recent_match()).
 *
 * Jiffies are not offered to users in a stable place: /proc/timer_list
 * (root) prints the monotonic clock ("now at N nsecs") and jiffies, and
 * HZ follows from jiffies' start value, INITIAL_JIFFIES = 2^32 - 300 HZ
 * (include/linux/jiffies.h), that many ticks after boot.  Once HZ and one
 * reading are known, jiffies at any CLOCK_MONOTONIC time follow (the
 * kernel updates jiffies from that clock).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct XtRecentEntry {
        uint8_t family;         /* NFPROTO_IPV4 / NFPROTO_IPV6 */
        uint8_t ttl;
        uint8_t addr[16];       /* network order, IPv4 in the first 4 bytes */
        uint32_t index;         /* "oldest_pkt": the slot the next stamp goes to (1-based count) */
        uint32_t first, n;      /* its stamps: list->stamps[first .. first + n), in slot order */
} XtRecentEntry;

typedef struct XtRecentList {
        char *name;
        XtRecentEntry *entries;
        size_t n_entries;
        uint64_t *stamps;
        size_t n_stamps;
} XtRecentList;

typedef struct XtRecentClock {
        unsigned hz;            /* 0: not known */
        uint64_t jiffies;       /* at mono_ns */
        uint64_t mono_ns;       /* CLOCK_MONOTONIC */
} XtRecentClock;

typedef struct XtRecentState {
        XtRecentList *lists;
        size_t n_lists;
        unsigned hz;            /* 0: not known, nothing is decided */
        uint64_t now;           /* jiffies at the moment judged */
} XtRecentState;

/* TEXT (LEN bytes) of /proc/net/xt_recent/NAME into *RET (named NAME).
 * -EINVAL on a line not as recent_seq_show() prints it. */
int xt_recent_list_parse(const char *name, const char *text, size_t len, XtRecentList *ret);
void xt_recent_list_done(XtRecentList *l);
void xt_recent_state_done(XtRecentState *s);

/* The clock from the beginning of /proc/timer_list: "now at N nsecs" and
 * the first "jiffies: J".  -ENODATA when either is missing or HZ cannot be
 * told (one of the values CONFIG_HZ takes, within a second of the start
 * value, and no other candidate as close: early after boot every HZ
 * predicts about the same). */
int xt_recent_clock_parse(const char *text, size_t len, XtRecentClock *ret);
/* Jiffies at MONO_NS (CLOCK_MONOTONIC) by clock C (hz known). */
uint64_t xt_recent_clock_at(const XtRecentClock *c, uint64_t mono_ns);

const XtRecentList *xt_recent_state_find(const XtRecentState *s, const char *name);

/* What `--rcheck`/`--update` (not inverted) answers for a packet from ADDR
 * (masked already, of FAMILY) on list NAME, ADDED stamps the packet itself
 * put there earlier on its way (`--set`): 1 match, 0 no match (the entry
 * is missing, or too few stamps are recent), -1 not known (no such list,
 * HZ not known, the ring may have dropped a stamp that counts).
 * *RET_EXISTS: an entry exists (the kernel's --update stamps it when it
 * matches). */
int xt_recent_match(const XtRecentState *s, const char *name, uint8_t family, const uint8_t *addr,
                    uint32_t seconds, uint32_t hit_count, unsigned added, bool *ret_exists);

/* E's key (an address under the mask of the rule that stamped it, which
 * the list does not say) may cover ADDR, of FAMILY (NFPROTO_*): taken as
 * the shortest prefix its set bits allow (192.0.2.0 as a /23), so it may
 * cover more than the rule's mask did, never less. */
bool xt_recent_entry_covers(const XtRecentEntry *e, uint8_t family, const uint8_t *addr);

/* A 64-bit fingerprint (FNV-1a) of the entries KEEP (NULL: all) keeps:
 * their list, address, stamps and next slot. */
uint64_t xt_recent_fingerprint(const XtRecentState *s, bool (*keep)(const XtRecentEntry *e, void *userdata),
                               void *userdata);

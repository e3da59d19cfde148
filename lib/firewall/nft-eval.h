/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The nftables evaluator: what the kernel would do with one new TCP SYN
 * (conntrack state new) to sshd's port, walked through every base chain in
 * kernel order — netdev/inet ingress on the input device, then prerouting,
 * then input, each hook's chains across all tables ordered by priority —
 * with the kernel's register file, verdict and jump-stack semantics
 * (net/netfilter/nf_tables_core.c: nft_do_chain).  iptables-nft's xt
 * extensions and iptables-legacy's tables (converted into the ruleset by
 * nft_ruleset_add_legacy()) are judged by xt-eval.c against the same
 * packet, and run at their priorities among the nftables chains.
 *
 * Pure: no I/O except through the set lookup and ipset callbacks.  Whatever the probe
 * does not define (TTL, an expression not modelled) is "unknown": the
 * evaluator follows both outcomes, and if they disagree the verdict is
 * NFT_VERDICT_UNKNOWN, never a false certainty.
 *
 * The source port of a new connection is the client kernel's choice from
 * its ephemeral range.  A probe that does not name one is judged over the
 * whole source-port space, split into the ranges where every rule it
 * reaches answers the same: the verdict is the same for all of them
 * (certain), or it is the one for the ephemeral range (NftProbe's, else
 * Linux's default 32768-60999) and NftEvalResult.sport_split tells what
 * other source ports get.  A rule that reads the source port in a way not
 * modelled (a mask, a hash, a set asked through the callback), or more
 * than NFT_SPORT_MAX_RANGES ranges, leaves the port unknown as above.
 */

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nft-lookup.h"
#include "nft-ruleset.h"

typedef struct NftProbe {
        int family;             /* AF_INET or AF_INET6 */
        uint8_t saddr[16];      /* network order; the first 4 bytes for AF_INET */
        uint8_t daddr[16];
        bool saddr_known, daddr_known;
        char iifname[IFNAMSIZ]; /* "": unknown */
        uint32_t iif;           /* ifindex, 0: unknown */
        uint16_t dport;         /* host order */
        /* the client's source port (host order) when sport_known; else
         * judged over every source port (see above) */
        uint16_t sport;
        bool sport_known;
        /* the client's ephemeral source ports, 0/0: Linux's default
         * (NFT_EPHEMERAL_LO..NFT_EPHEMERAL_HI) */
        uint16_t ephemeral_lo, ephemeral_hi;
        /* the route back to saddr leaves through iif: a reverse-path check
         * (`fib saddr . iif oif missing drop`) passes; false: unknown */
        bool rpfilter_ok;
        /* the host's own addresses of the probe's family (IPv4 in the
         * first 4 bytes): a dnat to one of them is delivered here, like a
         * redirect; addrtype LOCAL holds for them.  May be NULL. */
        const uint8_t (*local_addrs)[16];
        size_t n_local_addrs;
        /* ipset's answer for `-m set`: is `addr` (of `family`, AF_*) in the
         * set with kernel index `index`?  1 yes, 0 no, < 0 not known.  NULL:
         * set matches are undecided (both outcomes followed). */
        int (*ipset_test)(uint16_t index, int family, const uint8_t *addr, void *userdata);
        void *ipset_userdata;
        /* xt_recent's lists as the kernel holds them now (`-m recent`,
         * ufw's limit): --rcheck/--update of a known address are judged
         * from them for a connection made at that moment.  NULL: assumed
         * empty, the verdict only for a source's first connections
         * (rate_limited). */
        const struct XtRecentState *recent;
} NftProbe;

typedef enum NftVerdict {
        NFT_VERDICT_ACCEPT,
        NFT_VERDICT_DROP,
        NFT_VERDICT_REJECT,
        NFT_VERDICT_UNKNOWN,
} NftVerdict;

/* net.ipv4.ip_local_port_range's default: where a Linux client's kernel
 * picks the source port of a new connection */
#define NFT_EPHEMERAL_LO 32768
#define NFT_EPHEMERAL_HI 60999
/* source-port ranges judged apart at most, per probe */
#define NFT_SPORT_MAX_RANGES 64

/* Other source ports than the ephemeral ones, judged otherwise: the first
 * rule (or chain policy: rule NULL) that decides differently for them, its
 * verdict (NFT_VERDICT_UNKNOWN: cannot tell for them), and the ranges of
 * source ports it decides so, in order. */
typedef struct NftSportSplit {
        uint16_t ephemeral_lo, ephemeral_hi;    /* the ports the verdict is for */
        NftVerdict verdict;
        const NftTable *table;
        const NftChain *chain;
        const NftRule *rule;
        uint16_t ranges[4][2];
        uint8_t n_ranges;
        bool more_ranges;                       /* more than the four kept */
} NftSportSplit;

/* Rules (or chain policies) that block on some path the evaluation
 * followed, at most this many */
#define NFT_MAX_BLOCKERS 8

typedef struct NftBlocker {
        const NftTable *table;
        const NftChain *chain;
        const NftRule *rule;                    /* NULL: the chain's policy */
        uint32_t base;                          /* its base chain's place in kernel order */
        NftVerdict verdict;                     /* what it does: drop or reject */
} NftBlocker;

typedef struct NftEvalResult {
        NftVerdict verdict;
        /* drop/reject: the deciding rule, or rule == NULL and the base
         * chain whose policy dropped.  accept: the rule (or policy) that
         * accepted in the last base chain passed; table == chain == NULL
         * when no base chain saw the packet. */
        const NftTable *table;
        const NftChain *chain;
        const NftRule *rule;
        /* a limit, quota, connlimit, dynset with stateful expressions or
         * similar history-dependent expression was passed, assumed within
         * its limit: the verdict holds only for the first packets */
        bool rate_limited;
        /* the verdict is certain but which rule decides depends on
         * something the probe does not define (e.g. the source port) */
        bool rule_ambiguous;
        /* drop/reject: every rule (or policy) that blocks on some path the
         * evaluation followed, in the order a packet meets them (by base
         * chain, then by place in the chain); one entry, the same as
         * table/chain/rule, when one rule decides on every path.  When
         * paths block by different rules (a reverse-path check that drops
         * some sources, a later rule the rest), n_blockers > 1 and no one
         * of them alone decides.  More than NFT_MAX_BLOCKERS:
         * blockers_overflow, the first ones kept. */
        NftBlocker blockers[NFT_MAX_BLOCKERS];
        uint8_t n_blockers;
        bool blockers_overflow;
        /* blocked on every path, dropped on some and rejected on others (a
         * ban that drops, then a reject of the rest): verdict is DROP, what
         * a client whose packet is dropped meets (it waits for a time-out),
         * and each blocker says what it does */
        bool mixed_block;
        /* the destination port after redirect/dnat (host order); 0 if a
         * rewrite made it unknown */
        uint16_t dport;
        /* verdict UNKNOWN: where it became undecidable and why */
        const NftTable *unknown_table;
        const NftChain *unknown_chain;
        const NftRule *unknown_rule;
        const char *unknown_reason;
        /* the verdict is the one for a client's ephemeral source ports;
         * some other source ports get another (sport) */
        bool sport_split;
        NftSportSplit sport;
        /* drop/reject: on its way the connection met `-m recent --rcheck
         * or --update` of list recent_list that matched because of the
         * source's earlier connections (NftProbe.recent): at least
         * recent_hit_count of them in the last recent_seconds (0: any).
         * NULL otherwise. */
        const char *recent_list;
        uint32_t recent_seconds, recent_hit_count;
        uint8_t recent_addr[16];        /* the list's key: the address under the match's mask */
} NftEvalResult;

/* `lookup` may be NULL: sets not read whole are then "unknown". */
void nft_eval_probe(const NftRuleset *rs, const NftProbe *probe, NftSetLookupFn lookup, void *userdata,
                    NftEvalResult *ret);

const char *nft_verdict_name(NftVerdict v);    /* "accept", "drop", "reject", "unknown" */

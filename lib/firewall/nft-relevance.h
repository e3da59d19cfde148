/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Which committed nftables changes can change the judgement, so that the
 * daemon re-judges only for those (issue 13: work proportional to what
 * changed; a change no TCP connection to sshd can see costs no judgement).
 *
 * The evaluator (nft-eval.c) runs only base chains whose hook a new TCP
 * connection to a local port passes: nft_hook_sees_input().  What it reads
 * of a table is reachable from those chains: their rules, the regular
 * chains they jump to, and the table's sets, maps and objects.  So a
 * change can matter only
 *
 *  - to a rule or chain of a base chain whose hook it runs (a base chain
 *    cannot be jumped to: a base chain of another hook, `output`,
 *    `forward`, `postrouting`, changes nothing judged, in whatever table);
 *  - to anything else (a regular chain and its rules, a set and its
 *    elements, an object, a flowtable, the table itself: its dormant flag)
 *    of a table that holds such a base chain, before the change (the
 *    ruleset last judged) or after it (the store with the batch applied).
 *
 * Bridge and arp tables, and ip, ip6, inet and netdev tables with no such
 * chain, are never read.  Everything this cannot place — a message without
 * its table, a kind it does not know, a batch touching more objects than it
 * keeps, a stale store, no ruleset judged yet — matters.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nft-monitor.h"
#include "nft-ruleset.h"
#include "nft-store.h"

/* The distinct objects one batch's relevance is decided from; a batch that
 * touches more matters whole. */
#define NFT_BATCH_SCOPE_MAX 32

typedef struct NftTouched {
        int family;
        bool chain_level;                       /* a rule or chain: CHAIN names it */
        char table[NFT_MONITOR_NAME_MAX];
        char chain[NFT_MONITOR_NAME_MAX];
} NftTouched;

/* What one batch (its change messages, up to its NEWGEN) touched. */
typedef struct NftBatchScope {
        NftTouched touched[NFT_BATCH_SCOPE_MAX];
        size_t n;
        bool all;               /* something not placed: the batch matters */
} NftBatchScope;

/* Whether the evaluator runs base chains of HOOK in a table of FAMILY for a
 * new TCP connection to a local port: prerouting and input (ip, ip6,
 * inet), ingress (netdev, inet). */
bool nft_hook_sees_input(int family, int hook);

/* Whether table FAMILY NAME of RS (its nftables tables, not those
 * nft_ruleset_add_legacy() joined) holds a base chain of such a hook. */
bool nft_ruleset_table_sees_input(const NftRuleset *rs, int family, const char *name);

/* The hook of chain CHAIN of table FAMILY TABLE in RS (nftables tables
 * only): >= 0 for a base chain, -1 for a regular chain, -ENOENT when RS
 * holds no such chain. */
int nft_ruleset_chain_hook(const NftRuleset *rs, int family, const char *table, const char *chain);

/* Adds change message EV (not NEWGEN) to B. */
void nft_batch_scope_add(NftBatchScope *b, const NftMonitorEvent *ev);

/* Whether the batch B describes can change the judgement: JUDGED is the
 * ruleset last judged, NOW the store with the batch applied (either NULL:
 * unknown, and the batch matters). */
bool nft_batch_scope_matters(const NftBatchScope *b, const NftRuleset *judged, const NftStore *now);

static inline void nft_batch_scope_reset(NftBatchScope *b) {
        b->n = 0;
        b->all = false;
}

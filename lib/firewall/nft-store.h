/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The nftables ruleset kept current from the change notifications, so that
 * a committed generation costs the decoding of what is stored instead of a
 * fresh dump (the kernel's dump of a 100,000-rule ruleset takes seconds).
 *
 * The store holds the netlink messages a consistent dump (nft_dump_raw())
 * returns — tables, chains, sets, the set elements the dump includes,
 * objects, flowtables, rules — and applies each notification to them:
 * NFNLGRP_NFTABLES announces every change with the same attributes a dump
 * reply has (nft-monitor.h).  nft_store_ruleset() feeds the stored messages
 * to nft_ruleset_parse_msgs() in the dump's order, so the NftRuleset it
 * returns is the one nft_ruleset_read() would return at the same
 * generation: same tables, chains, rules (handles, order, expressions),
 * sets, and the same elements.
 *
 * What the kernel sends, observed on 6.18 (tests/data/nft-store/capture.sh
 * records it; check_nft_store.c replays it; tests/tools/nft-store-diff.py
 * holds the store to fresh dumps over a long random sequence of changes):
 *
 *  - NEWRULE carries the whole rule and its handle.  NFTA_RULE_POSITION,
 *    the handle of the rule before it, is given only when the rule is
 *    neither first nor last in its chain, as the chain stands when the
 *    kernel commits that rule — with the rules of the same batch that come
 *    later already in it, and those the batch deletes later still in it.
 *    A position may therefore name a rule announced later in the batch
 *    (`nft -f` with several `insert`s): such rules wait for it here.
 *  - Without a position the rule is first or last.  NLM_F_APPEND in the
 *    notification says which it asked for (add: last; insert: first), and
 *    that is where it is, unless the batch deleted a rule of that chain
 *    earlier: a rule added `position H` after rule H that the same batch
 *    deleted becomes first (and an insert before it, last), announced
 *    exactly like a rule appended after a flush.  The store cannot tell
 *    them apart and refuses (-ESTALE): `flush chain` followed by more than
 *    one rule in one batch costs a dump.
 *  - `replace rule` keeps the handle: DELRULE then NEWRULE of that handle
 *    (with NLM_F_APPEND and, for the first or last rule, no position); the
 *    new rule takes the old one's place.
 *  - Deleting a rule that uses an anonymous set announces DELSET of that
 *    set after the DELRULE.  Deleting a rule that binds an anonymous chain
 *    (`jump { ... }`, NFT_CHAIN_BINDING) deletes that chain and its rules
 *    without announcing them: the store deletes them with the rule.
 *  - DELTABLE comes after a DEL of each of its rules, sets, objects and
 *    chains; `nft flush ruleset` does that table by table.  DELSET of a
 *    named set does not announce its elements.
 *  - NEWSETELEM and DELSETELEM carry one element each, as a dump has it
 *    (an interval as its start and its end element).  Adding an element
 *    that exists announces nothing, except in a set with timeouts, where it
 *    updates the timeout and is announced as NEWSETELEM.
 *  - `nft rename chain` is a NEWCHAIN of the same handle and a new name;
 *    the rules that jump to it are not announced, though a dump now names
 *    the chain's new name in them.  The store refuses it (-ESTALE).
 *  - Adding a device to a netdev chain announces NEWCHAIN with only the
 *    added device, and changing its policy NEWCHAIN with an empty device
 *    list: the store keeps its hook for the latter and refuses the former
 *    (-ESTALE), as it refuses any flowtable update.
 *  - iptables-nft-restore (without --noflush) deletes the table and makes
 *    it anew in one batch; `iptables-nft -P` is a NEWCHAIN update.
 *  - NFTA_SET_COUNT (attribute 20, Linux 6.16 and later) gives the number
 *    of elements of a set, which tells the store the size of a set the dump
 *    left out.
 *
 * What the store does not follow, and how the model stays right:
 *  - Sets whose elements change without a notification or a new
 *    generation — named sets with timeouts (elements expire), and sets the
 *    packet path adds to (NFT_SET_EVAL; any set a rule's dynset names,
 *    `add @set` / `update @set`, which the kernel allows on a set without
 *    that flag) — are kept without elements (elems_complete false), as
 *    nft_dump_raw() leaves them: the evaluator asks the kernel
 *    (nft_set_lookup_live).  When the last rule that updates such a set
 *    goes and the set stays, its elements are unknown: NEWGEN refuses.
 *  - A named set of more than NFT_SMALL_SET_MAX elements is not in a dump;
 *    the store counts its elements (up to NFT_STORE_SET_KEEP_MAX it keeps
 *    them, so that a set shrinking back is exact) and refuses the deletion
 *    that would make such a set small again without its elements.
 *  - Counters, quotas and `last` in rules, and the use counts of tables and
 *    chains, are as they were announced or dumped: traffic changes them
 *    without a notification.  Nothing judged depends on them.
 *
 * Memory, measured by tests/bench/nft-store-bench.sh: 260 bytes per rule
 * for 100,000 rules of `ip saddr A tcp dport P counter drop` (ten
 * expressions, 1.6 of them distinct: the address and the port), 26 MB;
 * 280 KB for 1,000 such rules.  A rule is a 32-byte node in one array, 4 to
 * 8 bytes of handle index, and a body of 4 bytes per expression plus its
 * attributes other than the expressions (userdata, compat); each distinct
 * expression (the netlink bytes of one NFTA_LIST_ELEM, 40 to 60 bytes for
 * a comparison) is stored once with a reference count, so the meta,
 * payload, counter and verdict expressions that rules repeat cost 4 bytes
 * each.  Tables, chains, sets and objects are their messages as received;
 * an element of a followed set is its attribute (20 to 60 bytes).
 *
 * Use: open the monitor socket first (nft_monitor_open()), then
 * nft_store_load(); pass every received datagram to nft_store_apply() — it
 * skips what the load already saw — and build an NftRuleset when it
 * reports a committed generation.  On ENOBUFS from recv(), and whenever a
 * call returns -ESTALE, load again.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nft-monitor.h"
#include "nft-ruleset.h"

/* A named set of more than NFT_SMALL_SET_MAX elements keeps its elements
 * here up to this many; beyond, only their number. */
#define NFT_STORE_SET_KEEP_MAX 1024u

typedef struct NftStore NftStore;

/* Reads the ruleset of the caller's network namespace with nft_dump_raw()
 * (consistent: retried while the generation changes) into a new store;
 * also returns the dump decoded into *ret_ruleset when that is not NULL.
 * Needs CAP_NET_ADMIN.  Returns 0 or a negative errno. */
int nft_store_load(NftStore **ret, NftRuleset **ret_ruleset);

/* The same from the bytes of a recorded consistent dump (what an
 * NftDumpSink received, as nft-capture records it).  The store holds what
 * the decoder keeps (nft_ruleset_parse_msgs(): elements only under their
 * own set's request, none of sets the packet path changes), so that
 * nft_store_ruleset() gives *ret_ruleset.  Returns 0, -EBADMSG when the
 * decoder refuses a message, when a GETSETELEM request is left without
 * its NLMSG_DONE, or when the dump has no NEWGEN (the generation the
 * store follows notifications from; nft_dump_raw() always has one),
 * -ESTALE when the dump refers to an object it does not hold, or
 * -ENOMEM. */
int nft_store_load_msgs(NftStore **ret, NftRuleset **ret_ruleset, const void *buf, size_t len);

/* Applies one datagram received on the monitor socket (BUF aligned to 4
 * bytes, as any recv() buffer is).  Changes of generations the store
 * already holds (queued before the load) are skipped.  Returns how many
 * generations this datagram completed (NFT_MSG_NEWGEN applied, 0 or 1), or
 * -ESTALE when the store can no longer be trusted: a generation was
 * skipped or reached out of order, a message refers to something the store
 * does not hold, a rule's place cannot be known, a message kind is not
 * modelled, or a message is malformed (framing, attributes, or anything the
 * decoder refuses).  After -ESTALE (or -ENOMEM) the store stays stale: the
 * caller loads a new one.  -EINVAL: BUF misaligned. */
int nft_store_apply(NftStore *s, const void *buf, size_t len);

/* The generation the store holds (the last NEWGEN applied, or the dump's). */
uint32_t nft_store_genid(const NftStore *s);

/* Whether changes of a generation whose NEWGEN has not arrived yet were
 * applied: the store is between two generations. */
bool nft_store_in_batch(const NftStore *s);

/* The NEWGEN of the last generation applied (genid, and the pid and comm of
 * the process that committed it); NULL when none was since the load. */
const NftMonitorEvent *nft_store_last_commit(const NftStore *s);

/* A new NftRuleset of the stored generation, equal to what nft_ruleset_read()
 * returns at that generation.  Returns 0, -EBUSY between two generations
 * (nft_store_in_batch()), -ESTALE for a stale store, or -ENOMEM. */
int nft_store_ruleset(const NftStore *s, NftRuleset **ret);

/* Keeps *RS the ruleset of the stored generation, as nft_store_ruleset()
 * would build it, with work in proportion to what changed: *RS must be
 * NULL, the ruleset nft_store_load() returned with this store, or what
 * this function left there (legacy tables nft_ruleset_add_legacy()
 * appended to it since are dropped first).  Rules added or deleted are
 * decoded or dropped alone (in the usual case, rules appended to a chain,
 * without walking the chain), a set's changed elements replace its
 * elements, a table deleted is dropped, a new one decoded at the end, a
 * table whose chains or sets (not rules or elements) changed is decoded
 * again in its place.  When that cannot be done (a rule that updates a
 * set, tables not in the kernel's order), or what rules no longer use has
 * grown as large as what they do, *RS is replaced by a whole new build.
 * Returns 0 (brought up to date), 1 (replaced), -ESTALE (a stale store)
 * or -EBUSY (in a batch) with *RS unchanged, or the error of a whole
 * build (-ENOMEM) with *RS freed and NULL. */
int nft_store_ruleset_follow(NftStore *s, NftRuleset **rs);

/* The hook of chain CHAIN of table FAMILY TABLE as stored (in a batch too):
 * >= 0 for a base chain, -1 for a regular chain, -ENOENT when the store
 * holds no such chain. */
int nft_store_chain_hook(const NftStore *s, int family, const char *table, const char *chain);

/* Whether the store holds table FAMILY TABLE with a base chain the
 * evaluator runs (nft_hook_sees_input()): 1, 0, -ENOENT without such a
 * table, -EBADMSG when a stored chain cannot say. */
int nft_store_table_sees_input(const NftStore *s, int family, const char *table);

typedef struct NftStoreStats {
        size_t tables, chains, rules, sets, elems, objects, flowtables;
        size_t exprs;           /* distinct expressions stored */
        size_t expr_refs;       /* expressions of all rules */
} NftStoreStats;

void nft_store_stats(const NftStore *s, NftStoreStats *ret);

NftStore *nft_store_free(NftStore *s);
static inline void nft_store_freep(NftStore **s) {
        nft_store_free(*s);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What nft-ruleset.c (the model) shares with the builders of an NftRuleset
 * (nft-decode.c, nft-legacy.c) and with nft-read.c: its growable arrays,
 * its deduplicating pool and expression store, index lookups.  Not part of
 * the library's interface.
 */

#include "nft-ruleset.h"

struct nlattr;
struct nlmsghdr;

/* "no such table, chain or set" */
#define NFT_NO_INDEX UINT32_MAX

/* Grows *p (of *allocated elements of `size` bytes) to hold `need`. */
int nft_grow(void **p, size_t *allocated, size_t need, size_t size);

#define NFT_GROW(arr, n, allocated) \
        nft_grow((void **) &(arr), &(allocated), (n), sizeof(*(arr)))

/* The offset of a copy of `data` in rs->pool (small data stored once); 0 on
 * ENOMEM. */
uint32_t nft_pool_add_dedup(NftRuleset *rs, const void *data, size_t len);
/* The same for a string with its NUL. */
uint32_t nft_pool_add_str(NftRuleset *rs, const char *s);

/* Appends expression `x` to the rule being built (the run of
 * rs->expr_refs after the rule's first), storing it once. */
int nft_expr_append(NftRuleset *rs, const NftExpr *x);

/* The index of a copy of the decoded extension in rs->xt_matches /
 * rs->xt_targets (equal ones stored once). */
int nft_xt_match_add(NftRuleset *rs, const XtMatch *m, uint32_t *ret_index);
int nft_xt_target_add(NftRuleset *rs, const XtTarget *t, uint32_t *ret_index);

/* Indexes into rs->tables, t->chains, rs->sets; NFT_NO_INDEX: none. */
uint32_t nft_find_table_index(const NftRuleset *rs, int family, const char *name);
uint32_t nft_find_chain_index(const NftTable *t, const char *name);
uint32_t nft_find_set_index(const NftRuleset *rs, uint32_t table, const char *name);

/* Free what chain C / table T owns (not C or T itself); for _cleanup_ of
 * one being built. */
void nft_chain_free_contents(NftChain *c);
void nft_table_free_contents(NftTable *t);

/* An nft_data attribute holding NFTA_DATA_VALUE: its bytes (1 to
 * NFT_DATA_MAXLEN of them); -EBADMSG otherwise (nft-decode.c). */
int nft_attr_data_value(const struct nlattr *a, const void **ret, size_t *ret_len);

/* Decodes one NEWRULE message as a rule of table TI (its expressions
 * appended to rs->expr_refs, as a dump's would be), without placing it in
 * a chain: nft_store_ruleset_follow() puts it where the store has it.
 * -EAGAIN (nothing appended) for a rule with a dynset, which changes what
 * is known of a set: only a whole decode says that.  (nft-decode.c) */
int nft_ruleset_decode_rule(NftRuleset *rs, const struct nlmsghdr *nlh, uint32_t ti, NftRule *ret);

/* Removes the tables and sets marked gone (and the sets of gone tables),
 * renumbering what refers to them: chains' and sets' tables, the sets of
 * lookups and dynsets (those of expressions no rule uses any more may
 * name no set).  For nft_store_ruleset_follow(). */
int nft_ruleset_compact(NftRuleset *rs);

/* Sets RULE's nfproto and nfproto_reg from its first two expressions. */
void nft_rule_family_set(const NftRuleset *rs, NftRule *rule);

/* C's last rule was just appended: its NftRule.run, and its run's.  Every
 * rule of C must be appended so, in order; rules kept in a new order get
 * theirs again from nft_chain_runs_rebuild(). */
void nft_chain_rule_appended(NftChain *c);
void nft_chain_runs_rebuild(NftChain *c);

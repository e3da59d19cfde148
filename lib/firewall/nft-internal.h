/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What nft-ruleset.c shares with the other builders of an NftRuleset
 * (nft-legacy.c): its growable arrays, its deduplicating pool and
 * expression store.  Not part of the library's interface.
 */

#include "nft-ruleset.h"

/* Grows *p (of *allocated elements of `size` bytes) to hold `need`. */
int nft_grow(void **p, size_t *allocated, size_t need, size_t size);

#define NFT_GROW(arr, n, allocated) \
        nft_grow((void **) &(arr), &(allocated), (n), sizeof(*(arr)))

/* The offset of a copy of `data` in rs->pool (small data stored once); 0 on
 * ENOMEM. */
uint32_t nft_pool_add_dedup(NftRuleset *rs, const void *data, size_t len);

/* Appends expression `x` to the rule being built (the run of
 * rs->expr_refs after the rule's first), storing it once. */
int nft_expr_append(NftRuleset *rs, const NftExpr *x);

/* The index of a copy of the decoded extension in rs->xt_matches /
 * rs->xt_targets (equal ones stored once). */
int nft_xt_match_add(NftRuleset *rs, const XtMatch *m, uint32_t *ret_index);
int nft_xt_target_add(NftRuleset *rs, const XtTarget *t, uint32_t *ret_index);

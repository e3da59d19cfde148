/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Set lookups: how the evaluator asks about a set whose elements were not
 * read whole (a large set, one with timeouts, one the packet path updates),
 * and the live answer from the kernel (nft-read.c).  nft-eval.h includes
 * this.
 */

#include <stddef.h>
#include <stdint.h>

#include "nft-ruleset.h"

typedef enum NftLookupResult {
        NFT_LOOKUP_ABSENT,
        NFT_LOOKUP_PRESENT,
        NFT_LOOKUP_UNKNOWN,
} NftLookupResult;

/* What a map element maps to. */
typedef struct NftSetElemData {
        int32_t verdict;        /* verdict maps: NF_ACCEPT, NF_DROP, NFT_JUMP, ... */
        char chain[256];        /* NFT_JUMP / NFT_GOTO target */
        uint8_t data[NFT_DATA_MAXLEN];
        uint8_t len;            /* data maps */
} NftSetElemData;

/* Answers "is `key` in `set`" for sets whose elements were not read whole
 * (!set->elems_complete).  For maps, fills *ret_data. */
typedef NftLookupResult (*NftSetLookupFn)(const NftRuleset *rs, const NftSet *set, const uint8_t *key,
                                          size_t key_len, NftSetElemData *ret_data, void *userdata);

/* The live answer: NFT_MSG_GETSETELEM without NLM_F_DUMP, for one element,
 * over a netlink socket of its own (nft-read.c).  Pass the
 * NftLiveLookup as userdata. */
typedef struct NftLiveLookup NftLiveLookup;
int nft_live_lookup_new(NftLiveLookup **ret);
NftLiveLookup *nft_live_lookup_free(NftLiveLookup *l);
static inline void nft_live_lookup_freep(NftLiveLookup **l) {
        nft_live_lookup_free(*l);
}
NftLookupResult nft_set_lookup_live(const NftRuleset *rs, const NftSet *set, const uint8_t *key,
                                    size_t key_len, NftSetElemData *ret_data, void *userdata);

/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * nftables expressions: the registry of the expressions the kernel names,
 * each with the kind it becomes and its decoder (nft-expr.c).  Internal to
 * the decoder (nft-decode.c).
 */

#include <stdint.h>

#include "nft-ruleset.h"
#include "nl-attr.h"

/* Expression NAME (NFTA_EXPR_NAME) with the attributes of its
 * NFTA_EXPR_DATA, in a rule of table TABLE (an index into rs->tables),
 * into *RET; its data goes to rs's pool, a compat extension to
 * rs->xt_matches / xt_targets.  A name not in the registry becomes
 * NFT_EXPR_UNKNOWN.  Returns 0, -EBADMSG or -ENOMEM. */
int nft_expr_decode(NftRuleset *rs, uint32_t table, const char *name, const NlAttrs *attrs, NftExpr *ret);

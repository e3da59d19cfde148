/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdio.h>

#include "nft-ruleset.h"

/* Compares two models of one ruleset, EXPECTED (a fresh read) and ACTUAL:
 * the generation; tables (family, name, handle, flags); chains (name,
 * handle, hook, priority, policy, type, devices, flags) in order; rules in
 * order (handle, comment, expression kinds, and the text nft_rule_render()
 * gives); sets (name, handle, flags, key and data types and lengths,
 * concatenation, whether complete) with their elements in order (key,
 * interval end, data, verdict, flags).  Writes one line per difference to
 * OUT (at most 50) and returns how many there were. */
unsigned nft_ruleset_compare(const NftRuleset *expected, const NftRuleset *actual, FILE *out);

/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "nft-ruleset.h"

/* What the daemon does with a decoded ruleset, on RS: renders every rule
 * and the whole listing as nft prints them, and asks the evaluator for a
 * few fixed probes (IPv4 and IPv6, a known and an unknown source; sets not
 * read whole answered by a fake lookup), holding each result to the
 * promises of nft-eval.h: a drop or reject names its base chain, a rule it
 * names is in that chain, an unknown verdict says why. */
void fuzz_nft_exercise(const NftRuleset *rs);

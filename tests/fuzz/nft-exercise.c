/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "nft-eval.h"
#include "nft-exercise.h"

/* A set not read whole: the key's first byte decides (absent, present,
 * unknown); maps answer drop / zeroes. */
static NftLookupResult fake_lookup(const NftRuleset *rs, const NftSet *set, const uint8_t *key, size_t key_len,
                                   NftSetElemData *ret_data, void *userdata) {
        unsigned *calls = userdata;

        (*calls)++;
        if (ret_data) {
                memset(ret_data, 0, sizeof(*ret_data));
                ret_data->verdict = NF_DROP;
                ret_data->len = (uint8_t) (set->data_len < NFT_DATA_MAXLEN ? set->data_len : NFT_DATA_MAXLEN);
        }
        switch (key_len > 0 ? key[0] % 3 : 0) {
        case 0:
                return NFT_LOOKUP_ABSENT;
        case 1:
                return NFT_LOOKUP_PRESENT;
        default:
                return NFT_LOOKUP_UNKNOWN;
        }
}

static void check_result(const NftRuleset *rs, const NftEvalResult *r) {
        switch (r->verdict) {
        case NFT_VERDICT_ACCEPT:
                break;
        case NFT_VERDICT_DROP:
        case NFT_VERDICT_REJECT:
                if (!r->table || !r->chain)
                        fuzz_fail("%s without the base chain that decided it", nft_verdict_name(r->verdict));
                if (r->rule && (r->rule < r->chain->rules || r->rule >= r->chain->rules + r->chain->n_rules))
                        fuzz_fail("the deciding rule is not in the chain named with it");
                break;
        case NFT_VERDICT_UNKNOWN:
                if (!r->unknown_reason)
                        fuzz_fail("an unknown verdict without a reason");
                break;
        default:
                fuzz_fail("verdict %d", (int) r->verdict);
        }
        if (r->table && (r->table < rs->tables || r->table >= rs->tables + rs->n_tables))
                fuzz_fail("the result's table is not one of the ruleset's");
}

static void eval(const NftRuleset *rs, int family, const char *saddr, const char *daddr, bool lookup) {
        NftProbe p = { .family = family, .dport = 22, .iifname = "eth0", .iif = 2, .rpfilter_ok = true };
        NftEvalResult r;
        unsigned calls = 0;

        if (saddr)
                p.saddr_known = inet_pton(family, saddr, p.saddr) == 1;
        p.daddr_known = inet_pton(family, daddr, p.daddr) == 1;
        nft_eval_probe(rs, &p, lookup ? fake_lookup : NULL, &calls, &r);
        check_result(rs, &r);
        (void) nft_verdict_name(r.verdict);
}

void fuzz_nft_exercise(const NftRuleset *rs) {
        for (size_t t = 0; t < rs->n_tables; t++) {
                const NftTable *table = &rs->tables[t];

                for (size_t c = 0; c < table->n_chains; c++)
                        for (size_t i = 0; i < table->chains[c].n_rules; i++) {
                                char *text = nft_rule_render(rs, table, &table->chains[c].rules[i]);
                                if (!text)
                                        abort();
                                free(text);
                        }
        }
        nft_ruleset_render(rs, fuzz_null_stream());

        eval(rs, AF_INET, "192.0.2.5", "192.0.2.1", false);
        eval(rs, AF_INET, NULL, "192.0.2.1", true);
        eval(rs, AF_INET6, "2001:db8::5", "2001:db8::1", true);
        eval(rs, AF_INET6, NULL, "2001:db8::1", false);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "json.h"
#include "print-explain.h"

static bool has_rule(const NftEvalResult *res) {
        return (res->verdict == NFT_VERDICT_DROP || res->verdict == NFT_VERDICT_REJECT) && res->table && res->chain;
}

static void json_rule_ref(JsonWriter *w, const NftTable *t, const NftChain *c, const NftRule *rule) {
        json_key(w, "family");
        json_string(w, nft_family_name(t->family));
        json_key(w, "table");
        json_string(w, t->name);
        json_key(w, "chain");
        json_string(w, c->name);
        json_key(w, "handle");
        if (rule)
                json_uint(w, rule->handle);
        else
                json_null(w);
}

static void json_explanation(JsonWriter *w, const SgExplainResult *r, const FwExplanation *e) {
        const NftEvalResult *res = &e->result;

        json_key(w, "verdict");
        json_string(w, nft_verdict_name(res->verdict));
        json_key(w, "family");
        json_string(w, fw_family_name(e->family));
        json_key(w, "port");
        json_uint(w, r->port);
        json_key(w, "from");
        json_string(w, r->from);
        json_key(w, "iif");
        json_string(w, e->iifname ? e->iifname : r->iif);
        json_key(w, "rule");
        if (has_rule(res)) {
                json_object_begin(w);
                json_rule_ref(w, res->table, res->chain, res->rule);
                json_key(w, "text");
                json_string(w, e->text);
                json_object_end(w);
        } else
                json_null(w);
        json_key(w, "frontend");
        json_string(w, e->have_frontend ? fw_frontend_to_string(e->frontend) : NULL);
        json_key(w, "remediation");
        json_string(w, e->remediation);
        json_key(w, "rate_limited");
        json_bool(w, res->rate_limited);
        json_key(w, "dport");
        if (res->dport)
                json_uint(w, res->dport);
        else
                json_null(w);
        json_key(w, "reason");
        json_string(w, res->verdict == NFT_VERDICT_UNKNOWN ? res->unknown_reason
                       : e->refused_by_stack ? "the firewall accepts, but nothing listens on the port: the TCP stack refuses"
                       : NULL);
        json_key(w, "legacy");
        json_bool(w, has_rule(res) && res->table->legacy);
        if (res->verdict == NFT_VERDICT_UNKNOWN && res->unknown_table && res->unknown_chain) {
                json_key(w, "undecided_at");
                json_object_begin(w);
                json_rule_ref(w, res->unknown_table, res->unknown_chain, res->unknown_rule);
                json_object_end(w);
        }
}

int explain_write_json(const SgExplainResult *r, FILE *f) {
        JsonWriter w;

        json_init(&w, f, false);
        json_object_begin(&w);
        json_explanation(&w, r, &r->v.e[r->worst]);
        if (r->from) {
                /* the source of a recent login: who would be locked out */
                json_key(&w, "admin_source");
                if (r->admin) {
                        json_object_begin(&w);
                        json_key(&w, "user");
                        json_string(&w, r->admin->user);
                        json_key(&w, "last_login_usec");
                        json_uint(&w, r->admin->last_login_usec);
                        json_object_end(&w);
                } else
                        json_null(&w);
        }
        json_key(&w, "scope");
        json_string(&w, r->n == 2 ? r->v.scope : NULL);
        json_key(&w, "blocked_interfaces");
        json_array_begin(&w);
        for (size_t i = 0; i < r->v.n_blocked_interfaces; i++)
                json_string(&w, r->v.blocked_interfaces[i]);
        json_array_end(&w);
        json_key(&w, "families");
        json_object_begin(&w);
        for (int k = 0; k < r->n; k++) {
                json_key(&w, fw_family_name(r->v.e[k].family));
                json_object_begin(&w);
                json_explanation(&w, r, &r->v.e[k]);
                json_key(&w, "scope");
                json_string(&w, r->v.e[k].scope);
                json_object_end(&w);
        }
        json_object_end(&w);
        json_object_end(&w);
        return json_finish(&w);
}

static void text_explanation(const SgExplainResult *r, const FwExplanation *e, FILE *f) {
        const NftEvalResult *res = &e->result;
        const char *iif = e->iifname ? e->iifname : r->iif;

        fprintf(f, "%s from %s to port %u%s%s: %s%s\n", fw_family_name(e->family), r->from ? r->from : "any source",
                r->port, iif ? " on " : "", iif ? iif : "", nft_verdict_name(res->verdict),
                res->rate_limited ? " (within rate limits only)" : "");
        if (e->refused_by_stack)
                fprintf(f, "  refused: the firewall accepts, but nothing listens on port %u\n",
                        res->dport ? res->dport : r->port);
        if (has_rule(res)) {
                if (res->rule && res->table->legacy)
                        fprintf(f, "  rule: iptables-legacy %s %s %s rule %llu: %s\n",
                                nft_family_name(res->table->family), res->table->name, res->chain->name,
                                (unsigned long long) res->rule->handle, e->text);
                else if (res->rule)
                        fprintf(f, "  rule: %s %s %s handle %llu: %s\n", nft_family_name(res->table->family),
                                res->table->name, res->chain->name, (unsigned long long) res->rule->handle, e->text);
                else
                        fprintf(f, "  policy of %s %s %s: %s\n", nft_family_name(res->table->family),
                                res->table->name, res->chain->name, e->text);
                if (e->scope && r->n == 2)
                        fprintf(f, "  for: %s\n", e->scope);
                if (e->have_frontend)
                        fprintf(f, "  owner: %s\n", fw_frontend_to_string(e->frontend));
                if (e->remediation)
                        fprintf(f, "  fix: %s\n", e->remediation);
        } else if (res->verdict == NFT_VERDICT_UNKNOWN) {
                fprintf(f, "  cannot tell: %s", res->unknown_reason ? res->unknown_reason : "unknown");
                if (res->unknown_table && res->unknown_chain) {
                        fprintf(f, " (at %s %s %s", nft_family_name(res->unknown_table->family),
                                res->unknown_table->name, res->unknown_chain->name);
                        if (res->unknown_rule)
                                fprintf(f, " handle %llu", (unsigned long long) res->unknown_rule->handle);
                        fprintf(f, ")");
                }
                fprintf(f, "\n");
        }
        if (res->dport && res->dport != r->port)
                fprintf(f, "  the connection is redirected to port %u\n", res->dport);
}

int explain_write_text(const SgExplainResult *r, FILE *f) {
        if (!r->from)
                fprintf(f, "port %u (%s)\n", r->port, r->port_origin);
        if (r->admin) {
                uint64_t ago = r->now_usec > r->admin->last_login_usec ?
                               (r->now_usec - r->admin->last_login_usec) / 1000000ULL : 0;
                fprintf(f, "%s is where %s last logged in from (%llu min ago)\n", r->from,
                        r->admin->user ? r->admin->user : "someone", (unsigned long long) (ago / 60));
        }
        for (int k = 0; k < r->n; k++)
                text_explanation(r, &r->v.e[k], f);
        if (r->n == 2 && r->v.scope) {
                fprintf(f, "scope: %s", r->v.scope);
                for (size_t i = 0; i < r->v.n_blocked_interfaces; i++)
                        fprintf(f, "%s%s", i ? ", " : " (", r->v.blocked_interfaces[i]);
                fprintf(f, "%s\n", r->v.n_blocked_interfaces ? ")" : "");
        }
        return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

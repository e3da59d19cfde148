/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "json.h"
#include "print-explain.h"

static bool has_rule(const NftEvalResult *res) {
        return (res->verdict == NFT_VERDICT_DROP || res->verdict == NFT_VERDICT_REJECT) && res->table && res->chain &&
               res->n_blockers <= 1;
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

/* {family, table, chain, handle, text} */
static void json_rule_object(JsonWriter *w, const NftTable *t, const NftChain *c, const NftRule *rule,
                             const char *text) {
        json_object_begin(w);
        json_rule_ref(w, t, c, rule);
        json_key(w, "text");
        json_string(w, text);
        json_object_end(w);
}

/* one of `rules`: the rule object, whether it is iptables-legacy's, its
 * owner and its own fix */
static void json_rules_entry(JsonWriter *w, const NftTable *t, const NftChain *c, const NftRule *rule,
                             NftVerdict verdict, const char *text, const char *frontend, const char *remediation) {
        json_object_begin(w);
        json_rule_ref(w, t, c, rule);
        json_key(w, "verdict");
        json_string(w, nft_verdict_name(verdict));
        json_key(w, "text");
        json_string(w, text);
        json_key(w, "legacy");
        json_bool(w, t->legacy);
        json_key(w, "frontend");
        json_string(w, frontend);
        json_key(w, "remediation");
        json_string(w, remediation);
        json_object_end(w);
}

/* "1-1023", "22, 80, 443", with ", ..." when there were more */
static void sport_ranges_format(const NftSportSplit *sp, char *buf, size_t len) {
        size_t at = 0;
        buf[0] = '\0';
        for (unsigned i = 0; i < sp->n_ranges && at < len; i++) {
                int n = sp->ranges[i][0] == sp->ranges[i][1]
                        ? snprintf(buf + at, len - at, "%s%u", i ? ", " : "", sp->ranges[i][0])
                        : snprintf(buf + at, len - at, "%s%u-%u", i ? ", " : "", sp->ranges[i][0], sp->ranges[i][1]);
                if (n < 0)
                        return;
                at += (size_t) n;
        }
        if (sp->more_ranges && at < len)
                snprintf(buf + at, len - at, ", ...");
}

/* The verdict holds for a client's ephemeral source ports; others get
 * another one: which, and by which rule. */
static void json_source_ports(JsonWriter *w, const FwExplanation *e) {
        const NftEvalResult *res = &e->result;
        const NftSportSplit *sp = &res->sport;
        char buf[128];

        json_key(w, "source_ports");
        if (!res->sport_split) {
                json_null(w);
                return;
        }
        json_object_begin(w);
        json_key(w, "judged");
        snprintf(buf, sizeof(buf), "%u-%u", sp->ephemeral_lo, sp->ephemeral_hi);
        json_string(w, buf);
        json_key(w, "ports");
        sport_ranges_format(sp, buf, sizeof(buf));
        json_string(w, buf);
        json_key(w, "verdict");
        json_string(w, nft_verdict_name(sp->verdict));
        json_key(w, "rule");
        if (sp->table && sp->chain)
                json_rule_object(w, sp->table, sp->chain, sp->rule, e->sport_text);
        else
                json_null(w);
        json_key(w, "legacy");
        json_bool(w, sp->table && sp->table->legacy);
        json_object_end(w);
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
        if (has_rule(res))
                json_rule_object(w, res->table, res->chain, res->rule, e->text);
        else
                json_null(w);
        /* every rule that blocks on some path, in the order a packet
         * meets them: the one of `rule`, or several when no single rule
         * decides (then `rule` is null and `rule_ambiguous` true) */
        json_key(w, "rules");
        json_array_begin(w);
        if (has_rule(res))
                json_rules_entry(w, res->table, res->chain, res->rule, res->verdict, e->text,
                                 e->have_frontend ? fw_frontend_to_string(e->frontend) : NULL, e->remediation);
        for (size_t i = 0; fw_explanation_several_rules(e) && i < e->n_blockers; i++) {
                const NftBlocker *b = &res->blockers[i];
                json_rules_entry(w, b->table, b->chain, b->rule, b->verdict, e->blockers[i].text,
                                 fw_frontend_to_string(e->blockers[i].frontend), e->blockers[i].remediation);
        }
        json_array_end(w);
        json_key(w, "rule_ambiguous");
        json_bool(w, fw_explanation_several_rules(e));
        json_key(w, "rules_incomplete");
        json_bool(w, fw_explanation_several_rules(e) && res->blockers_overflow);
        /* blocked every way, dropped one way and rejected another */
        json_key(w, "mixed_block");
        json_bool(w, fw_explanation_several_rules(e) && res->mixed_block);
        json_key(w, "frontend");
        json_string(w, e->have_frontend ? fw_frontend_to_string(e->frontend) : NULL);
        json_key(w, "remediation");
        json_string(w, e->remediation);
        json_key(w, "rate_limited");
        json_bool(w, res->rate_limited);
        /* blocked because of the source's own earlier connections (-m
         * recent, ufw's limit): the list, and what it counts */
        json_key(w, "recent");
        if (res->recent_list) {
                json_object_begin(w);
                json_key(w, "list");
                json_string(w, res->recent_list);
                json_key(w, "seconds");
                json_uint(w, res->recent_seconds);
                json_key(w, "hit_count");
                json_uint(w, res->recent_hit_count);
                json_object_end(w);
        } else
                json_null(w);
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
        json_source_ports(w, e);
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
                if (res->recent_list)
                        fprintf(f, "  because: %u or more new connections from it in the last %u s (recent list %s)\n",
                                res->recent_hit_count, res->recent_seconds, res->recent_list);
                if (e->scope && r->n == 2)
                        fprintf(f, "  for: %s\n", e->scope);
                if (e->have_frontend)
                        fprintf(f, "  owner: %s\n", fw_frontend_to_string(e->frontend));
                if (e->remediation)
                        fprintf(f, "  fix: %s\n", e->remediation);
        } else if (fw_explanation_several_rules(e)) {
                fprintf(f, "  no single rule decides: different rules %s different connections, in the order a "
                        "packet meets them:\n",
                        res->mixed_block ? "drop or reject" : res->verdict == NFT_VERDICT_DROP ? "drop" : "reject");
                for (size_t i = 0; i < e->n_blockers; i++) {
                        const NftBlocker *b = &res->blockers[i];
                        if (b->rule)
                                fprintf(f, "  rule: %s%s %s %s %s %llu: %s (%s)\n", b->table->legacy ? "iptables-legacy " : "",
                                        nft_family_name(b->table->family), b->table->name, b->chain->name,
                                        b->table->legacy ? "rule" : "handle", (unsigned long long) b->rule->handle,
                                        e->blockers[i].text, fw_frontend_to_string(e->blockers[i].frontend));
                        else
                                fprintf(f, "  policy of %s %s %s: %s (%s)\n", nft_family_name(b->table->family),
                                        b->table->name, b->chain->name, e->blockers[i].text,
                                        fw_frontend_to_string(e->blockers[i].frontend));
                }
                if (res->blockers_overflow)
                        fprintf(f, "  and more: cannot tell which rules, more block than were kept\n");
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
        if (res->sport_split) {
                const NftSportSplit *sp = &res->sport;
                char ports[128];
                sport_ranges_format(sp, ports, sizeof(ports));
                fprintf(f, "  for a client's source port in %u-%u (Linux's ephemeral range); source ports %s: %s",
                        sp->ephemeral_lo, sp->ephemeral_hi, ports, nft_verdict_name(sp->verdict));
                if (sp->table && sp->chain && sp->rule)
                        fprintf(f, " by %s %s %s %s %llu: %s", nft_family_name(sp->table->family), sp->table->name,
                                sp->chain->name, sp->table->legacy ? "rule" : "handle",
                                (unsigned long long) sp->rule->handle, e->sport_text ? e->sport_text : "");
                else if (sp->table && sp->chain)
                        fprintf(f, " by the policy of %s %s %s", nft_family_name(sp->table->family), sp->table->name,
                                sp->chain->name);
                fprintf(f, "\n");
        }
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

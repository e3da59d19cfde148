/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firewall's verdict for new TCP connections to sshd, per family,
 * interface and source, with its scope, the deciding rule, the tool that
 * owns it and the fix: decided here once for the engine, `explain` and
 * D-Bus Explain().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "listeners.h"
#include "macro.h"
#include "nft-ruleset.h"
#include "verdict.h"
#include "xt.h"

/* The host's own addresses of one family, for the probe (a dnat to one of
 * them stays here; addrtype LOCAL holds for them). */
typedef struct LocalAddrs {
        uint8_t (*addrs)[16];
        size_t n;
} LocalAddrs;

static bool verdict_blocks(NftVerdict v) {
        return v == NFT_VERDICT_DROP || v == NFT_VERDICT_REJECT;
}

static bool explanation_has_rule(const FwExplanation *e) {
        return verdict_blocks(e->result.verdict) && e->result.table && e->result.chain;
}

const char *fw_family_name(int family) {
        return family == AF_INET6 ? "ipv6" : "ipv4";
}

FwFacts fw_facts_from_snapshot(const SgSnapshot *s) {
        return (FwFacts) {
                .input = s->firewall_input,
                .interfaces = s->interfaces,
                .n_interfaces = s->n_interfaces,
                .listeners = s->listeners,
                .n_listeners = s->n_listeners,
                .listeners_known = s->listeners != NULL,
        };
}

void fw_explanation_done(FwExplanation *e) {
        free(e->text);
        free(e->remediation);
        free(e->sport_text);
        e->text = e->remediation = e->sport_text = NULL;
        for (size_t i = 0; i < e->n_blockers; i++) {
                free(e->blockers[i].text);
                free(e->blockers[i].remediation);
        }
        free(e->blockers);
        e->blockers = NULL;
        e->n_blockers = 0;
}

bool fw_explanation_several_rules(const FwExplanation *e) {
        return verdict_blocks(e->result.verdict) && e->result.n_blockers > 1;
}

/* The rules of a block no one rule decides, as KEYS ("ip6 filter INPUT
 * 3") or for a message. */
static char *rules_format(const FwExplanation *e, bool keys) {
        const NftEvalResult *res = &e->result;
        char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);

        if (!f)
                return NULL;
        for (unsigned i = 0; i < res->n_blockers; i++) {
                const NftBlocker *b = &res->blockers[i];
                const char *fam = nft_family_name(b->table->family);
                const FwBlockerText *t = i < e->n_blockers ? &e->blockers[i] : NULL;

                fputs(i == 0 ? "" : keys ? ", " : ", then ", f);
                if (keys && b->rule)
                        fprintf(f, "%s %s %s %llu", fam, b->table->name, b->chain->name,
                                (unsigned long long) b->rule->handle);
                else if (keys)
                        fprintf(f, "%s %s %s policy", fam, b->table->name, b->chain->name);
                else if (b->rule)
                        fprintf(f, "%s%s %s %s %s %llu \"%s\" (%s)", b->table->legacy ? "iptables-legacy " : "", fam,
                                b->table->name, b->chain->name, b->table->legacy ? "rule" : "handle",
                                (unsigned long long) b->rule->handle, t && t->text ? t->text : "",
                                t ? fw_frontend_to_string(t->frontend) : "nftables");
                else
                        fprintf(f, "the policy of %s %s %s (%s)", fam, b->table->name, b->chain->name,
                                t ? fw_frontend_to_string(t->frontend) : "nftables");
        }
        if (res->blockers_overflow)
                fputs(keys ? ", ..." : ", and more that were not kept", f);
        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

char *fw_explanation_rules_key(const FwExplanation *e) {
        return rules_format(e, true);
}

char *fw_explanation_rules_text(const FwExplanation *e) {
        return rules_format(e, false);
}

void fw_port_verdict_done(FwPortVerdict *v) {
        for (int k = 0; k < 2; k++)
                fw_explanation_done(&v->e[k]);
        for (size_t i = 0; i < v->n_blocked_interfaces; i++)
                free(v->blocked_interfaces[i]);
        free(v->blocked_interfaces);
        *v = (FwPortVerdict) {};
}

static int local_addrs_get(const FwFacts *f, int family, LocalAddrs *ret) {
        size_t n = 0;

        *ret = (LocalAddrs) {};
        for (size_t i = 0; i < f->n_interfaces; i++)
                for (size_t j = 0; j < f->interfaces[i].n_addrs; j++)
                        n += f->interfaces[i].addrs[j].family == family;
        if (n == 0)
                return 0;
        ret->addrs = calloc(n, sizeof(*ret->addrs));
        if (!ret->addrs)
                return -ENOMEM;
        for (size_t i = 0; i < f->n_interfaces; i++)
                for (size_t j = 0; j < f->interfaces[i].n_addrs; j++)
                        if (f->interfaces[i].addrs[j].family == family)
                                memcpy(ret->addrs[ret->n++], f->interfaces[i].addrs[j].addr, 16);
        return 0;
}

static const SgInterface *interface_named(const FwFacts *f, const char *name) {
        for (size_t i = 0; name && i < f->n_interfaces; i++)
                if (strcmp(f->interfaces[i].name, name) == 0)
                        return &f->interfaces[i];
        return NULL;
}

static void probe_run(const FwFacts *f, const LocalAddrs *local, int family, const uint8_t *saddr,
                      const uint8_t *daddr, const char *iifname, bool rpfilter_ok, uint16_t port, FwExplanation *e) {
        const SgFirewallInput *in = f->input;
        const SgInterface *ifc = interface_named(f, iifname);
        NftProbe probe = {
                .family = family,
                .saddr_known = saddr != NULL,
                .daddr_known = daddr != NULL,
                .dport = port,
                .rpfilter_ok = rpfilter_ok,
                .local_addrs = (const uint8_t (*)[16]) local->addrs,
                .n_local_addrs = local->n,
                .ipset_test = in->ipset_test,
                .ipset_userdata = in->ipset_data,
                .recent = in->recent,
        };

        if (saddr)
                memcpy(probe.saddr, saddr, family == AF_INET ? 4 : 16);
        if (daddr)
                memcpy(probe.daddr, daddr, family == AF_INET ? 4 : 16);
        if (iifname) {
                snprintf(probe.iifname, sizeof(probe.iifname), "%s", iifname);
                probe.iif = ifc ? ifc->ifindex : 0;
        }
        *e = (FwExplanation) { .family = family, .iifname = ifc ? ifc->name : NULL };
        nft_eval_probe(in->ruleset, &probe, in->set_lookup, in->set_lookup_data, &e->result);
        /* The firewall accepted, but iptables-legacy's tables of that
         * family could not all be read: they may still drop it. */
        const char *legacy = in->legacy_error[family == AF_INET6 ? 1 : 0];
        if (legacy && e->result.verdict == NFT_VERDICT_ACCEPT)
                e->result = (NftEvalResult) {
                        .verdict = NFT_VERDICT_UNKNOWN,
                        .unknown_reason = legacy,
                        .rate_limited = e->result.rate_limited,
                        .dport = e->result.dport,
                };
}

static bool same_blockers(const NftEvalResult *a, const NftEvalResult *b) {
        if (a->n_blockers != b->n_blockers || a->blockers_overflow != b->blockers_overflow)
                return false;
        for (unsigned i = 0; i < a->n_blockers; i++)
                if (a->blockers[i].table != b->blockers[i].table || a->blockers[i].chain != b->blockers[i].chain ||
                    a->blockers[i].rule != b->blockers[i].rule)
                        return false;
        return true;
}

/* A probe without a destination that the evaluator cannot decide: a
 * packet from elsewhere is addressed to one of the host's own addresses
 * that are not loopback (the kernel drops one to 127.0.0.0/8 from outside
 * before any hook, unless route_localnet is set).  Judged for each; when
 * they all agree (verdict and deciding rule), that is the answer, and the
 * rule that decides an ambiguous certain verdict.
 * kube-proxy's `! -s 127.0.0.0/8 -d 127.0.0.0/8 -j DROP` is decided so. */
static void probe_run_any_dest(const FwFacts *f, const LocalAddrs *local, int family, const uint8_t *saddr,
                               const uint8_t *daddr, const char *iifname, bool rpfilter_ok, uint16_t port,
                               FwExplanation *e) {
        FwExplanation agreed = {};
        bool have = false, agree = true;

        probe_run(f, local, family, saddr, daddr, iifname, rpfilter_ok, port, e);
        /* certain, but which rule decides may depend on the destination
         * (rule_ambiguous): the host's addresses tell that too */
        if (daddr || (e->result.verdict != NFT_VERDICT_UNKNOWN && !e->result.rule_ambiguous))
                return;
        for (size_t i = 0; agree && i < f->n_interfaces; i++)
                for (size_t j = 0; agree && !f->interfaces[i].loopback && j < f->interfaces[i].n_addrs; j++) {
                        FwExplanation x;
                        if (f->interfaces[i].addrs[j].family != family)
                                continue;
                        probe_run(f, local, family, saddr, f->interfaces[i].addrs[j].addr, iifname, rpfilter_ok, port,
                                  &x);
                        if (x.result.verdict == NFT_VERDICT_UNKNOWN ||
                            (have && (x.result.verdict != agreed.result.verdict || x.result.rule != agreed.result.rule ||
                                      x.result.chain != agreed.result.chain ||
                                      !same_blockers(&x.result, &agreed.result))))
                                agree = false;
                        else if (!have) {
                                agreed = x;
                                have = true;
                        }
                }
        if (have && agree)
                *e = agreed;
}

/* The first named set the rule looks something up in: what identifies a
 * ban tool's rule (fail2ban's addr-set-JAIL, sshguard's attackers). */
static const char *rule_lookup_set(const NftRuleset *rs, const NftRule *rule) {
        for (uint32_t i = 0; rule && i < rule->n_expr; i++) {
                const NftExpr *e = nft_rule_expr(rs, rule, i);
                if (e->kind == NFT_EXPR_LOOKUP && e->lookup.set < rs->n_sets && rs->sets[e->lookup.set].name &&
                    strncmp(rs->sets[e->lookup.set].name, "__set", 5) != 0)
                        return rs->sets[e->lookup.set].name;
        }
        return NULL;
}

/* The addresses in the set RULE looks a source up in, "A B C", when the
 * set was read whole, holds plain addresses (no intervals) and at most
 * MAX of them: the ones a ban tool's fix names.  NULL otherwise. */
static char *banned_addresses(const NftRuleset *rs, const NftRule *rule, size_t max) {
        for (uint32_t i = 0; rule && i < rule->n_expr; i++) {
                const NftExpr *x = nft_rule_expr(rs, rule, i);
                const NftSet *set;
                char *list = NULL;
                size_t len = 0;
                FILE *f;

                if (x->kind != NFT_EXPR_LOOKUP || x->lookup.set >= rs->n_sets)
                        continue;
                set = &rs->sets[x->lookup.set];
                if (!set->elems_complete || (set->flags & NFT_SET_INTERVAL) || set->n_elems == 0 ||
                    set->n_elems > max || (set->key_len != 4 && set->key_len != 16))
                        return NULL;
                f = open_memstream(&list, &len);
                if (!f)
                        return NULL;
                for (size_t k = 0; k < set->n_elems; k++) {
                        char a[INET6_ADDRSTRLEN];
                        if (inet_ntop(set->key_len == 4 ? AF_INET : AF_INET6, nft_pool(rs, set->elems[k].key_off), a,
                                      sizeof(a)))
                                fprintf(f, "%s%s", k ? " " : "", a);
                }
                if (fclose(f) != 0) {
                        free(list);
                        return NULL;
                }
                return list;
        }
        return NULL;
}

/* One rule's (or policy's) text, the tool that owns it and the fix in
 * that tool's words (for a connection from FROM, NULL: any source). */
static int rule_describe(const NftRuleset *rs, const NftTable *table, const NftChain *chain, const NftRule *rule,
                         NftVerdict verdict, uint16_t port, const char *from, const char *scope, char **ret_text,
                         FwFrontend *ret_frontend, char **ret_remediation) {
        _cleanup_free_ const char **siblings = NULL;
        FwRuleRef ref;

        siblings = calloc(table->n_chains + 1, sizeof(char *));
        if (!siblings)
                return -ENOMEM;
        for (size_t i = 0; i < table->n_chains; i++)
                siblings[i] = table->chains[i].name;
        ref = (FwRuleRef) {
                .family = table->family,
                .table = table->name,
                .chain = chain->name,
                .legacy = table->legacy,
                .is_policy = !rule,
                .handle = rule && !table->legacy ? rule->handle : 0,
                .position = rule ? (unsigned) (rule - chain->rules) + 1 : 0,
                .set = rule_lookup_set(rs, rule),
                .comment = rule ? nft_pool(rs, rule->comment_off) : NULL,
                .sibling_chains = siblings,
        };
        *ret_frontend = fw_frontend_classify(&ref);
        if (rule)
                *ret_text = nft_rule_render_stateless(rs, table, rule);
        else if (asprintf(ret_text, "policy %s", verdict == NFT_VERDICT_DROP ? "drop" : "reject") < 0)
                *ret_text = NULL;
        if (!*ret_text)
                return -ENOMEM;
        /* fail2ban's ban of some sources: its fix names the jail and the
         * addresses it holds (unbanip takes several), not every ban */
        if (!from && *ret_frontend == FW_FRONTEND_FAIL2BAN && scope && strcmp(scope, "some-sources") == 0) {
                _cleanup_free_ char *banned = banned_addresses(rs, rule, 16);
                if (banned)
                        return fw_remediation(&ref, *ret_frontend, port, banned, ret_remediation);
        }
        return fw_remediation(&ref, *ret_frontend, port, from, ret_remediation);
}

/* FIX as words of one nft command line: "nft " and then nothing a shell
 * would take apart but single quotes around words (`'{ 192.0.2.5 }'`),
 * which go: what is left, appended to F (NULL: only checked), is one
 * command of an nft script.  False (nothing appended) for anything else. */
static bool nft_script_command(const char *fix, FILE *f) {
        const char *p;
        bool quoted = false;

        if (strncmp(fix, "nft ", 4) != 0)
                return false;
        for (p = fix + 4; *p; p++)
                if (*p == '\'')
                        quoted = !quoted;
                else if (strchr("\"\\$`;&|<>()#\n", *p) || (!quoted && strchr("*?[~", *p)))
                        return false;
        if (quoted)
                return false;
        for (p = fix + 4; f && *p; p++)
                if (*p != '\'')
                        fputc(*p, f);
        return true;
}

/* FIXES[0..N) (some NULL) joined: when every one is an nft command, one
 * nft invocation of them all (`nft 'delete rule ...; delete rule ...'`:
 * one transaction, no moment where only some are gone, which would itself
 * be a new problem); else each command once, joined by " && ". */
static char *fixes_join(char *const *fixes, size_t n) {
        char *joined = NULL;
        size_t len = 0;
        bool all_nft = true, first = true;
        FILE *f;

        for (size_t i = 0; i < n && all_nft; i++)
                all_nft = !fixes[i] || nft_script_command(fixes[i], NULL);
        f = open_memstream(&joined, &len);
        if (!f)
                return NULL;
        if (all_nft)
                fputs("nft '", f);
        for (size_t i = 0; i < n; i++) {
                if (!fixes[i])
                        continue;
                fputs(first ? "" : all_nft ? "; " : " && ", f);
                if (!all_nft || !nft_script_command(fixes[i], f))
                        fputs(fixes[i], f);
                first = false;
        }
        if (all_nft)
                fputc('\'', f);
        if (fclose(f) != 0) {
                free(joined);
                return NULL;
        }
        return joined;
}

/* A block no one rule decides: every rule that blocks on some path, and
 * one fix for all of them — each rule's own, the last rule a packet meets
 * first (deleting `iptables -D CHAIN N` renumbers the rules after N;
 * inserting an accept before a policy renumbers them all), each command
 * once, in one nft transaction when they are all nft's (fixes_join()).
 * No fix when not every rule was kept. */
static int explanation_finish_several(const NftRuleset *rs, uint16_t port, const char *from, FwExplanation *e) {
        const NftEvalResult *res = &e->result;
        int r;

        e->blockers = calloc(res->n_blockers, sizeof(FwBlockerText));
        if (!e->blockers)
                return -ENOMEM;
        e->n_blockers = res->n_blockers;
        e->have_frontend = true;
        for (unsigned i = 0; i < res->n_blockers; i++) {
                const NftBlocker *b = &res->blockers[i];
                FwBlockerText *t = &e->blockers[i];

                r = rule_describe(rs, b->table, b->chain, b->rule, b->verdict, port, from, e->scope, &t->text,
                                  &t->frontend, &t->remediation);
                if (r < 0)
                        return r;
                if (i == 0)
                        e->frontend = t->frontend;
                else if (t->frontend != e->frontend)
                        e->have_frontend = false;
        }
        if (res->blockers_overflow)
                return 0;
        _cleanup_free_ char **fixes = calloc(e->n_blockers, sizeof(char *));
        size_t n = 0;
        if (!fixes)
                return -ENOMEM;
        for (size_t i = e->n_blockers; i-- > 0;) {
                bool seen = false;
                for (size_t k = e->n_blockers; k-- > i + 1 && !seen;)
                        seen = e->blockers[k].remediation && e->blockers[i].remediation &&
                               strcmp(e->blockers[k].remediation, e->blockers[i].remediation) == 0;
                if (!seen && e->blockers[i].remediation)
                        fixes[n++] = e->blockers[i].remediation;
        }
        e->remediation = fixes_join(fixes, n);
        return e->remediation || n == 0 ? 0 : -ENOMEM;
}

/* The deciding rule's text, the tool that owns it and the fix in that
 * tool's words (for a connection from FROM, NULL: any source). */
static int explanation_finish(const NftRuleset *rs, uint16_t port, const char *from, FwExplanation *e) {
        const NftEvalResult *res = &e->result;
        int r;

        if (res->sport_split && res->sport.table && res->sport.chain && !e->sport_text) {
                if (res->sport.rule)
                        e->sport_text = nft_rule_render_stateless(rs, res->sport.table, res->sport.rule);
                else
                        e->sport_text = strdup(res->sport.chain->policy == NF_DROP ? "policy drop" : "policy accept");
                if (!e->sport_text)
                        return -ENOMEM;
        }
        if (!explanation_has_rule(e) || e->text || e->blockers)
                return 0;
        if (fw_explanation_several_rules(e))
                return explanation_finish_several(rs, port, from, e);
        r = rule_describe(rs, res->table, res->chain, res->rule, res->verdict, port, from, e->scope, &e->text,
                          &e->frontend, &e->remediation);
        e->have_frontend = r >= 0;
        return r;
}

/* What RULE does when all its matches hold: drop, reject, or neither (a
 * jump, accept, a log...).  For a rule the evaluator could not decide for
 * every source (a ban set, an address range), its fate for the sources it
 * matches. */
static NftVerdict rule_terminal_verdict(const NftRuleset *rs, const NftRule *rule) {
        for (uint32_t i = rule ? rule->n_expr : 0; i-- > 0;) {
                const NftExpr *e = nft_rule_expr(rs, rule, i);
                if (e->kind == NFT_EXPR_REJECT)
                        return NFT_VERDICT_REJECT;
                if (e->kind == NFT_EXPR_IMMEDIATE && e->immediate.dreg == NFT_REG_WORD_VERDICT)
                        return (int32_t) e->immediate.data_off == NF_DROP ? NFT_VERDICT_DROP : NFT_VERDICT_ACCEPT;
                if (e->kind == NFT_EXPR_XT_TARGET && e->xt.index < rs->n_xt_targets) {
                        const XtTarget *t = &rs->xt_targets[e->xt.index];
                        if (t->kind == XTT_REJECT)
                                return NFT_VERDICT_REJECT;
                        if (t->kind == XTT_STANDARD && t->u.standard.verdict == -NF_DROP - 1)
                                return NFT_VERDICT_DROP;
                        return NFT_VERDICT_ACCEPT;
                }
        }
        return NFT_VERDICT_ACCEPT;
}

/* DESIGN.md's verdict is what the client sees: a connection the firewall
 * lets through to a port no socket takes (sshd down, bound to loopback
 * only, or the connection moved by a redirect/dnat) is refused by the TCP
 * stack, with no rule to blame.  DADDR NULL: any of the host's addresses
 * that are not loopback, where a client from elsewhere connects to. */
static void listener_apply(const FwFacts *f, const uint8_t *daddr, uint16_t port, bool redirected_only,
                           FwExplanation *e) {
        NftEvalResult *res = &e->result;
        bool taken = false;

        /* a redirect to a port range: which port is not known */
        if (!f->listeners_known || res->verdict != NFT_VERDICT_ACCEPT || res->dport == 0 ||
            (redirected_only && res->dport == port))
                return;
        if (daddr)
                taken = sg_listener_taking(f->listeners, f->n_listeners, e->family, daddr, res->dport) != NULL;
        else {
                /* no address a client can connect to: nothing to say */
                bool any_address = false;
                for (size_t i = 0; !taken && i < f->n_interfaces; i++)
                        for (size_t j = 0; !f->interfaces[i].loopback && !taken && j < f->interfaces[i].n_addrs; j++)
                                if (f->interfaces[i].addrs[j].family == e->family) {
                                        any_address = true;
                                        taken = sg_listener_taking(f->listeners, f->n_listeners, e->family,
                                                                   f->interfaces[i].addrs[j].addr, res->dport) != NULL;
                                }
                taken = taken || !any_address;
        }
        if (taken)
                return;
        *res = (NftEvalResult) {
                .verdict = NFT_VERDICT_REJECT,
                .rate_limited = res->rate_limited,
                .dport = res->dport,
        };
        e->refused_by_stack = true;
}

static int strv_add_unique(char ***v, size_t *n, const char *s) {
        char **nv;

        for (size_t i = 0; i < *n; i++)
                if (strcmp((*v)[i], s) == 0)
                        return 0;
        nv = reallocarray(*v, *n + 1, sizeof(char *));
        if (!nv)
                return -ENOMEM;
        *v = nv;
        nv[*n] = strdup(s);
        if (!nv[*n])
                return -ENOMEM;
        (*n)++;
        return 0;
}

/* FAMILY's answer without a source, when the evaluator alone could not
 * decide it (E holds that answer): judged on every interface a client can
 * arrive on.  On return E is the family's answer: blocked on every one is
 * the block of the first (scope: the whole family), on some is that
 * block with scope some-interfaces, on none is the accept; a block that
 * depends on the source is the rule that does it (some-sources).
 * Otherwise E stays unknown. */
static int family_split(const FwFacts *f, const LocalAddrs *local, uint16_t port, FwPortVerdict *v, FwExplanation *e) {
        FwExplanation first_blocked = {}, first_accept = {};
        size_t n_external = 0, n_blocked = 0;
        bool decided = true, have_blocked = false, have_accept = false;
        int r = 0;

        for (size_t i = 0; i < f->n_interfaces && r >= 0; i++) {
                const SgInterface *ifc = &f->interfaces[i];
                FwExplanation x;

                if (ifc->loopback)
                        continue;
                n_external++;
                probe_run_any_dest(f, local, e->family, NULL, NULL, ifc->name, true, port, &x);
                if (x.result.verdict == NFT_VERDICT_UNKNOWN)
                        decided = false;
                else if (verdict_blocks(x.result.verdict)) {
                        n_blocked++;
                        r = strv_add_unique(&v->blocked_interfaces, &v->n_blocked_interfaces, ifc->name);
                        if (!have_blocked && explanation_has_rule(&x)) {
                                first_blocked = x;
                                have_blocked = true;
                        }
                } else if (!have_accept) {
                        first_accept = x;
                        have_accept = true;
                }
        }
        if (r < 0)
                return r;
        /* a block of every source on an interface is certain, even where
         * another interface leaves it to the source */
        if (n_external > 0 && (decided || have_blocked)) {
                if (n_blocked == n_external && have_blocked) {
                        *e = first_blocked;
                        e->iifname = NULL;
                        e->scope = fw_family_name(e->family);
                } else if (n_blocked > 0 && have_blocked) {
                        *e = first_blocked;
                        e->scope = "some-interfaces";
                } else if (n_blocked == 0 && have_accept) {
                        *e = first_accept;
                        e->iifname = NULL;
                }
                return 0;
        }
        /* Undecided for some interface: the source decides.  The rule
         * where it became undecided, when it drops or rejects what it
         * matches, is the partial block (a ban set, an address range). */
        const NftEvalResult *res = &e->result;
        if (res->unknown_table && res->unknown_chain && res->unknown_rule) {
                NftVerdict t = rule_terminal_verdict(f->input->ruleset, res->unknown_rule);
                if (verdict_blocks(t)) {
                        *e = (FwExplanation) {
                                .family = e->family,
                                .result = {
                                        .verdict = t,
                                        .table = res->unknown_table,
                                        .chain = res->unknown_chain,
                                        .rule = res->unknown_rule,
                                        .dport = port,
                                },
                                .scope = "some-sources",
                        };
                }
        }
        return 0;
}

/* An accept's partial scopes: blocked for source ports a client's kernel
 * does not pick (some-source-ports, the rule in result.sport), or within
 * limits only. */
static void sport_scope_apply(FwExplanation *e) {
        const NftEvalResult *res = &e->result;
        if (res->verdict != NFT_VERDICT_ACCEPT)
                return;
        if (res->sport_split && verdict_blocks(res->sport.verdict))
                e->scope = "some-source-ports";
        else if (res->rate_limited)
                e->scope = "rate-limited";
}

static int partial_scope_rank(const char *s) {
        static const char *const order[] = { "some-interfaces", "some-sources", "some-source-ports", "rate-limited" };
        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
                if (strcmp(s, order[i]) == 0)
                        return (int) i;
        return (int) (sizeof(order) / sizeof(order[0]));
}

/* "Any external source" is a client the host routes back through the
 * interface it arrives on (rpfilter_ok): every client that can get an
 * answer.  A source whose route back leaves elsewhere (asymmetric routing,
 * a forged address) is a question for --from, where the route is looked
 * up: a reverse-path filter's drop of it is no block of sshd. */
int fw_port_verdict(const FwFacts *f, uint16_t port, bool listeners, FwPortVerdict *ret) {
        LocalAddrs local[2] = {};
        FwPortVerdict v = { .port = port };
        bool blocked[2];
        int r = 0;

        r = local_addrs_get(f, AF_INET, &local[0]);
        if (r >= 0)
                r = local_addrs_get(f, AF_INET6, &local[1]);
        for (int k = 0; k < 2 && r >= 0; k++) {
                FwExplanation *e = &v.e[k];

                probe_run_any_dest(f, &local[k], k ? AF_INET6 : AF_INET, NULL, NULL, NULL, true, port, e);
                if (e->result.verdict == NFT_VERDICT_UNKNOWN)
                        r = family_split(f, &local[k], port, &v, e);
                else if (verdict_blocks(e->result.verdict))
                        e->scope = fw_family_name(e->family);
                /* the engine judges sshd's own sockets by their causes: only
                 * a redirect to a port nothing takes is the firewall's */
                if (r >= 0)
                        listener_apply(f, NULL, port, !listeners, e);
                if (e->refused_by_stack)
                        e->scope = fw_family_name(e->family);
                sport_scope_apply(e);
                if (r >= 0)
                        r = explanation_finish(f->input->ruleset, port, NULL, e);
                blocked[k] = e->scope && strcmp(e->scope, fw_family_name(e->family)) == 0;
        }
        free(local[0].addrs);
        free(local[1].addrs);
        if (r < 0) {
                fw_port_verdict_done(&v);
                return r;
        }
        /* A whole family blocked for every source is the larger problem,
         * whatever the other family does for some. */
        if (blocked[0] && blocked[1])
                v.scope = v.e[0].scope = v.e[1].scope = "all";
        else if (blocked[0] || blocked[1])
                v.scope = blocked[0] ? "ipv4" : "ipv6";
        else
                for (int k = 0; k < 2; k++) {
                        const char *s = v.e[k].scope;
                        /* the interface is what matters before the source,
                         * the source address before its port, a block
                         * before a rate limit */
                        if (s && (!v.scope || partial_scope_rank(s) < partial_scope_rank(v.scope)))
                                v.scope = s;
                }
        if (!v.scope || strcmp(v.scope, "some-interfaces") != 0) {
                /* blocked on every interface is the family's scope */
                for (size_t i = 0; i < v.n_blocked_interfaces; i++)
                        free(v.blocked_interfaces[i]);
                free(v.blocked_interfaces);
                v.blocked_interfaces = NULL;
                v.n_blocked_interfaces = 0;
        }
        *ret = v;
        return 0;
}

int fw_source_verdict(const FwFacts *f, uint16_t port, int family, const uint8_t *saddr, const uint8_t *daddr,
                      const char *iifname, bool rpfilter_ok, FwExplanation *ret) {
        LocalAddrs local;
        char from[64] = "";
        int r = local_addrs_get(f, family, &local);

        if (r < 0)
                return r;
        probe_run_any_dest(f, &local, family, saddr, daddr, iifname, rpfilter_ok, port, ret);
        free(local.addrs);
        listener_apply(f, daddr, port, false, ret);
        sport_scope_apply(ret);
        if (saddr && !inet_ntop(family, saddr, from, sizeof(from)))
                from[0] = '\0';
        r = explanation_finish(f->input->ruleset, port, saddr && from[0] ? from : NULL, ret);
        if (r >= 0 && ret->result.recent_list && !fw_explanation_several_rules(ret)) {
                char *fix;
                r = fw_recent_remediation(family, ret->result.recent_addr, ret->result.recent_list, &fix);
                if (r >= 0 && fix) {
                        free(ret->remediation);
                        ret->remediation = fix;
                }
        }
        return r;
}

/* --- the engine's judgements --------------------------------------------- */

bool fw_facts_same_rule(const SgFirewallFacts *a, const SgFirewallFacts *b) {
        return a->verdict == b->verdict && a->rule_is_policy == b->rule_is_policy && a->rule_handle == b->rule_handle &&
               strcmp(a->rules ? a->rules : "", b->rules ? b->rules : "") == 0 &&
               strcmp(a->rule_family ? a->rule_family : "", b->rule_family ? b->rule_family : "") == 0 &&
               strcmp(a->rule_table ? a->rule_table : "", b->rule_table ? b->rule_table : "") == 0 &&
               strcmp(a->rule_chain ? a->rule_chain : "", b->rule_chain ? b->rule_chain : "") == 0;
}

static const char *judgements_keep(FwJudgements *j, const char *s, int *r) {
        char **nv;
        char *c;

        if (!s || *r < 0)
                return NULL;
        c = strdup(s);
        nv = c ? reallocarray(j->strings, j->n_strings + 1, sizeof(char *)) : NULL;
        if (!nv) {
                free(c);
                *r = -ENOMEM;
                return NULL;
        }
        j->strings = nv;
        nv[j->n_strings++] = c;
        return c;
}

static int undecided_add(FwJudgements *j, uint16_t port, const FwExplanation *e) {
        const NftEvalResult *res = &e->result;
        char *s = NULL, **nv;
        int r;

        if (res->unknown_table && res->unknown_chain && res->unknown_rule)
                r = asprintf(&s, "port %u, %s: %s (at %s %s %s handle %llu)", port, e->family == AF_INET6 ? "IPv6" : "IPv4",
                             res->unknown_reason ? res->unknown_reason : "cannot tell",
                             nft_family_name(res->unknown_table->family), res->unknown_table->name,
                             res->unknown_chain->name, (unsigned long long) res->unknown_rule->handle);
        else if (res->unknown_table && res->unknown_chain)
                r = asprintf(&s, "port %u, %s: %s (at %s %s %s)", port, e->family == AF_INET6 ? "IPv6" : "IPv4",
                             res->unknown_reason ? res->unknown_reason : "cannot tell",
                             nft_family_name(res->unknown_table->family), res->unknown_table->name,
                             res->unknown_chain->name);
        else
                r = asprintf(&s, "port %u, %s: %s", port, e->family == AF_INET6 ? "IPv6" : "IPv4",
                             res->unknown_reason ? res->unknown_reason : "cannot tell");
        if (r < 0)
                return -ENOMEM;
        nv = reallocarray(j->undecided, j->n_undecided + 1, sizeof(char *));
        if (!nv) {
                free(s);
                return -ENOMEM;
        }
        j->undecided = nv;
        nv[j->n_undecided++] = s;
        return 0;
}

int fw_judgements_add(FwJudgements *j, const FwPortVerdict *v, const SgFirewallHistory *history) {
        size_t first = j->n;
        int r = 0;

        for (int k = 0; k < 2 && r >= 0; k++) {
                const FwExplanation *e = &v->e[k];
                const NftEvalResult *res = &e->result;
                SgFirewallFacts *nv, *x;

                if (res->verdict == NFT_VERDICT_UNKNOWN) {
                        r = undecided_add(j, v->port, e);
                        continue;
                }
                if (!explanation_has_rule(e) && !(e->refused_by_stack && res->dport != v->port))
                        continue;
                if (!explanation_has_rule(e)) {
                        /* redirected to a port nothing takes: no rule named
                         * (the evaluator does not keep the rewriting one) */
                        nv = reallocarray(j->v, j->n + 1, sizeof(SgFirewallFacts));
                        if (!nv)
                                return -ENOMEM;
                        j->v = nv;
                        nv[j->n++] = (SgFirewallFacts) {
                                .family = e->family,
                                .port = v->port,
                                .verdict = SG_FW_REJECT,
                                .scope = e->scope ? e->scope : "all",
                                .redirected_to = res->dport,
                        };
                        if (k == 1 && j->n == first + 2 && j->v[first].redirected_to == res->dport &&
                            strcmp(j->v[first].scope, j->v[first + 1].scope) == 0) {
                                j->v[first].family = AF_UNSPEC;
                                j->n--;
                        }
                        continue;
                }
                nv = reallocarray(j->v, j->n + 1, sizeof(SgFirewallFacts));
                if (!nv)
                        return -ENOMEM;
                j->v = nv;
                x = &nv[j->n];
                *x = (SgFirewallFacts) {
                        .family = e->family,
                        .port = v->port,
                        .verdict = res->verdict == NFT_VERDICT_DROP ? SG_FW_DROP : SG_FW_REJECT,
                        .scope = e->scope ? e->scope : "all",
                        .rule_is_policy = !res->rule,
                        .rule_handle = res->rule ? res->rule->handle : 0,
                };
                if (fw_explanation_several_rules(e)) {
                        /* no one rule decides: no rule_* fields, every rule
                         * in `rules` (and the message) */
                        _cleanup_free_ char *keys = fw_explanation_rules_key(e);
                        _cleanup_free_ char *texts = fw_explanation_rules_text(e);
                        if (!keys || !texts)
                                return -ENOMEM;
                        x->rule_is_policy = false;
                        x->rule_handle = 0;
                        x->rules = judgements_keep(j, keys, &r);
                        x->rules_text = judgements_keep(j, texts, &r);
                        x->rules_incomplete = res->blockers_overflow;
                        x->rules_mixed = res->mixed_block;
                        if (e->have_frontend)
                                x->frontend = judgements_keep(j, fw_frontend_to_string(e->frontend), &r);
                } else {
                        x->rule_text = judgements_keep(j, e->text, &r);
                        x->rule_family = judgements_keep(j, nft_family_name(res->table->family), &r);
                        x->rule_table = judgements_keep(j, res->table->name, &r);
                        x->rule_chain = judgements_keep(j, res->chain->name, &r);
                        x->frontend = judgements_keep(j, e->have_frontend ? fw_frontend_to_string(e->frontend)
                                                                          : "nftables", &r);
                }
                x->remediation = judgements_keep(j, e->remediation, &r);
                if (r < 0)
                        return r;
                j->n++;
                /* Who committed the change that made it block: the committer
                 * of the generation in which it first blocked, kept while it
                 * blocks. */
                const SgFirewallFacts *old = NULL;
                for (size_t i = 0; history && i < history->n_previous && !old; i++)
                        if (history->previous[i].port == x->port &&
                            (history->previous[i].family == x->family || history->previous[i].family == AF_UNSPEC) &&
                            fw_facts_same_rule(&history->previous[i], x))
                                old = &history->previous[i];
                if (old) {
                        x->changed_by_pid = old->changed_by_pid;
                        x->changed_by_comm = judgements_keep(j, old->changed_by_comm, &r);
                } else if (history && history->committed && history->committer_pid > 0) {
                        x->changed_by_pid = history->committer_pid;
                        x->changed_by_comm = judgements_keep(j, history->committer_comm, &r);
                }
                if (r < 0)
                        return r;
                /* one rule (an inet table's) blocks both families: one problem */
                if (k == 1 && j->n == first + 2 && fw_facts_same_rule(&j->v[first], &j->v[first + 1]) &&
                    strcmp(j->v[first].scope, j->v[first + 1].scope) == 0) {
                        j->v[first].family = AF_UNSPEC;
                        j->n--;
                }
        }
        return r;
}

void fw_judgements_done(FwJudgements *j) {
        for (size_t i = 0; i < j->n_strings; i++)
                free(j->strings[i]);
        for (size_t i = 0; i < j->n_undecided; i++)
                free(j->undecided[i]);
        free(j->strings);
        free(j->undecided);
        free(j->v);
        *j = (FwJudgements) {};
}

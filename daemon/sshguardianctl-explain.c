/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sshguardianctl explain: the firewall's verdict for a new TCP connection
 * to sshd's port, and the rule that decided it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <linux/netfilter.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>


#include "config.h"
#include "fw-frontend.h"
#include "fw-judge.h"
#include "ipset.h"
#include "json.h"
#include "listen.h"
#include "nft-eval.h"
#include "nft-ruleset.h"
#include "route.h"
#include "sshdconf.h"
#include "sshguardianctl.h"
#include "xt-legacy.h"

enum {
        EXPLAIN_ACCEPT = 0,
        EXPLAIN_BLOCKED = 1,
        EXPLAIN_USAGE = 2,
        EXPLAIN_UNKNOWN = 4,
        EXPLAIN_CANNOT_READ = 5,
};

typedef struct Explanation {
        int family;                     /* AF_INET / AF_INET6 */
        NftEvalResult result;
        const char *iifname;            /* the interface assumed, NULL: any */
        char *text;                     /* the deciding rule as nft prints it */
        /* the firewall accepted, but nothing listens on the (final) port:
         * the TCP stack refuses the connection with a reset */
        bool refused_by_stack;
        char *remediation;
        FwFrontend frontend;
        bool have_frontend;
} Explanation;

typedef struct ExplainArgs {
        uint16_t port;
        const char *port_origin;        /* where the port came from, for the text output */
        const char *from;
        const char *to;
        const char *iif;
        bool json;
} ExplainArgs;

static void explanation_done(Explanation *e) {
        free(e->text);
        free(e->remediation);
        e->text = e->remediation = NULL;
}

static bool verdict_blocks(NftVerdict v) {
        return v == NFT_VERDICT_DROP || v == NFT_VERDICT_REJECT;
}

static const char *family_name(int family) {
        return family == AF_INET6 ? "ipv6" : "ipv4";
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

static int explanation_finish(const NftRuleset *rs, const ExplainArgs *args, Explanation *e) {
        const NftEvalResult *res = &e->result;
        const char **siblings = NULL;
        FwRuleRef ref;
        int r = 0;

        if (!verdict_blocks(res->verdict) || !res->table || !res->chain)
                return 0;
        siblings = calloc(res->table->n_chains + 1, sizeof(char *));
        if (!siblings)
                return -ENOMEM;
        for (size_t i = 0; i < res->table->n_chains; i++)
                siblings[i] = res->table->chains[i].name;
        ref = (FwRuleRef) {
                .family = res->table->family,
                .table = res->table->name,
                .chain = res->chain->name,
                .legacy = res->table->legacy,
                .is_policy = !res->rule,
                .handle = res->rule && !res->table->legacy ? res->rule->handle : 0,
                .position = res->rule ? (unsigned) (res->rule - res->chain->rules) + 1 : 0,
                .set = rule_lookup_set(rs, res->rule),
                .comment = res->rule ? nft_pool(rs, res->rule->comment_off) : NULL,
                .sibling_chains = siblings,
        };
        e->frontend = fw_frontend_classify(&ref);
        e->have_frontend = true;
        if (res->rule) {
                e->text = nft_rule_render(rs, res->table, res->rule);
                if (!e->text)
                        r = -ENOMEM;
        } else if (asprintf(&e->text, "policy %s", res->verdict == NFT_VERDICT_DROP ? "drop" : "reject") < 0) {
                e->text = NULL;
                r = -ENOMEM;
        }
        if (r == 0)
                r = fw_remediation(&ref, e->frontend, args->port, args->from, &e->remediation);
        free(siblings);
        return r;
}

/* The host's own addresses, per family: a dnat to one of them stays here,
 * addrtype LOCAL holds for them. */
typedef struct LocalAddrs {
        uint8_t (*addrs)[16];
        size_t n;
} LocalAddrs;

static LocalAddrs local4, local6;

static void local_addrs_load(void) {
        struct ifaddrs *ifa = NULL;

        /* read afresh on every call: addresses come and go */
        free(local4.addrs);
        free(local6.addrs);
        local4 = local6 = (LocalAddrs) {};
        if (getifaddrs(&ifa) < 0)
                return;
        for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
                int f = i->ifa_addr ? i->ifa_addr->sa_family : AF_UNSPEC;
                LocalAddrs *l = f == AF_INET ? &local4 : f == AF_INET6 ? &local6 : NULL;
                uint8_t (*n)[16];
                if (!l || !(n = reallocarray(l->addrs, l->n + 1, sizeof(*l->addrs))))
                        continue;
                l->addrs = n;
                memset(n[l->n], 0, 16);
                if (f == AF_INET)
                        memcpy(n[l->n], &((const struct sockaddr_in *) i->ifa_addr)->sin_addr, 4);
                else
                        memcpy(n[l->n], &((const struct sockaddr_in6 *) i->ifa_addr)->sin6_addr, 16);
                l->n++;
        }
        freeifaddrs(ifa);
}

static void explain_probe(const NftRuleset *rs, NftLiveLookup *live, int family, const uint8_t *saddr,
                          const uint8_t *daddr, const char *iifname, bool rpfilter_ok, uint16_t port,
                          Explanation *e) {
        const LocalAddrs *local = family == AF_INET6 ? &local6 : &local4;
        NftProbe probe = {
                .family = family,
                .saddr_known = saddr != NULL,
                .daddr_known = daddr != NULL,
                .dport = port,
                .rpfilter_ok = rpfilter_ok,
                .local_addrs = (const uint8_t (*)[16]) local->addrs,
                .n_local_addrs = local->n,
                .ipset_test = ipset_probe_test,
        };

        if (saddr)
                memcpy(probe.saddr, saddr, family == AF_INET ? 4 : 16);
        if (daddr)
                memcpy(probe.daddr, daddr, family == AF_INET ? 4 : 16);
        if (iifname) {
                snprintf(probe.iifname, sizeof(probe.iifname), "%s", iifname);
                probe.iif = if_nametoindex(iifname);
        }
        *e = (Explanation) { .family = family, .iifname = iifname };
        nft_eval_probe(rs, &probe, live ? nft_set_lookup_live : NULL, live, &e->result);
}

/* Without a source: is the port blocked for every source, for one family,
 * on some interfaces only, for some sources only, or under rate limits?
 * Judged without enumerating addresses: the evaluator follows both outcomes
 * of every test on what the probe leaves undefined, so a certain verdict
 * holds for every source; an undecidable one is narrowed down by fixing
 * the interface. */
typedef struct Scope {
        const char *name;               /* DESIGN.md's SCOPE values, or NULL (reachable) */
        char **blocked_interfaces;      /* some-interfaces */
        size_t n_blocked_interfaces;
} Scope;

static bool family_blocked_on_some_interface(const NftRuleset *rs, NftLiveLookup *live, int family, uint16_t port,
                                             Scope *scope, bool *all_interfaces_decided) {
        struct if_nameindex *ifs = if_nameindex();
        bool any_blocked = false;

        *all_interfaces_decided = ifs != NULL;
        for (struct if_nameindex *i = ifs; i && i->if_index; i++) {
                Explanation e;

                explain_probe(rs, live, family, NULL, NULL, i->if_name, false, port, &e);
                if (e.result.verdict == NFT_VERDICT_UNKNOWN)
                        *all_interfaces_decided = false;
                else if (verdict_blocks(e.result.verdict)) {
                        bool known = false;
                        any_blocked = true;
                        for (size_t k = 0; k < scope->n_blocked_interfaces; k++)
                                known = known || strcmp(scope->blocked_interfaces[k], i->if_name) == 0;
                        if (!known) {
                                char **n = reallocarray(scope->blocked_interfaces, scope->n_blocked_interfaces + 1,
                                                        sizeof(char *));
                                if (n) {
                                        scope->blocked_interfaces = n;
                                        if ((n[scope->n_blocked_interfaces] = strdup(i->if_name)))
                                                scope->n_blocked_interfaces++;
                                }
                        }
                }
        }
        if (ifs)
                if_freenameindex(ifs);
        return any_blocked;
}

static void scope_compute(const NftRuleset *rs, NftLiveLookup *live, const Explanation e[2], uint16_t port,
                          Scope *scope) {
        bool blocked[2], unknown[2], rate_limited = false;

        for (int k = 0; k < 2; k++) {
                blocked[k] = verdict_blocks(e[k].result.verdict);
                unknown[k] = e[k].result.verdict == NFT_VERDICT_UNKNOWN;
                rate_limited = rate_limited || (e[k].result.verdict == NFT_VERDICT_ACCEPT && e[k].result.rate_limited);
        }
        /* A whole family blocked for every source is the larger problem,
         * whatever the other family does for some sources. */
        if (blocked[0] && blocked[1])
                scope->name = "all";
        else if (blocked[0])
                scope->name = "ipv4";
        else if (blocked[1])
                scope->name = "ipv6";
        else if (unknown[0] || unknown[1]) {
                bool decided = true, some_if = false;

                for (int k = 0; k < 2; k++)
                        if (unknown[k]) {
                                bool d;
                                some_if = family_blocked_on_some_interface(rs, live, e[k].family, port, scope, &d) ||
                                          some_if;
                                decided = decided && d;
                        }
                /* Fixing the interface decided it: the interface is what
                 * matters.  Otherwise it is the source. */
                scope->name = decided ? (some_if ? "some-interfaces" : NULL) : "some-sources";
        } else if (rate_limited)
                scope->name = "rate-limited";
}

static void json_explanation(JsonWriter *w, const ExplainArgs *args, const Explanation *e) {
        const NftEvalResult *res = &e->result;

        json_key(w, "verdict");
        json_string(w, nft_verdict_name(res->verdict));
        json_key(w, "family");
        json_string(w, family_name(e->family));
        json_key(w, "port");
        json_uint(w, args->port);
        json_key(w, "from");
        json_string(w, args->from);
        json_key(w, "iif");
        json_string(w, e->iifname);
        json_key(w, "rule");
        if (verdict_blocks(res->verdict) && res->table && res->chain) {
                json_object_begin(w);
                json_key(w, "family");
                json_string(w, nft_family_name(res->table->family));
                json_key(w, "table");
                json_string(w, res->table->name);
                json_key(w, "chain");
                json_string(w, res->chain->name);
                json_key(w, "handle");
                if (res->rule)
                        json_uint(w, res->rule->handle);
                else
                        json_null(w);
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
        json_bool(w, verdict_blocks(res->verdict) && res->table && res->table->legacy);
        if (res->verdict == NFT_VERDICT_UNKNOWN && res->unknown_table && res->unknown_chain) {
                json_key(w, "undecided_at");
                json_object_begin(w);
                json_key(w, "family");
                json_string(w, nft_family_name(res->unknown_table->family));
                json_key(w, "table");
                json_string(w, res->unknown_table->name);
                json_key(w, "chain");
                json_string(w, res->unknown_chain->name);
                json_key(w, "handle");
                if (res->unknown_rule)
                        json_uint(w, res->unknown_rule->handle);
                else
                        json_null(w);
                json_object_end(w);
        }
}

static void text_explanation(const ExplainArgs *args, const Explanation *e) {
        const NftEvalResult *res = &e->result;

        printf("%s from %s to port %u%s%s: %s%s\n", family_name(e->family), args->from ? args->from : "any source",
               args->port, e->iifname ? " on " : "", e->iifname ? e->iifname : "", nft_verdict_name(res->verdict),
               res->rate_limited ? " (within rate limits only)" : "");
        if (e->refused_by_stack)
                printf("  refused: the firewall accepts, but nothing listens on port %u\n",
                       res->dport ? res->dport : args->port);
        if (verdict_blocks(res->verdict) && res->table && res->chain) {
                if (res->rule && res->table->legacy)
                        printf("  rule: iptables-legacy %s %s %s rule %llu: %s\n", nft_family_name(res->table->family),
                               res->table->name, res->chain->name, (unsigned long long) res->rule->handle, e->text);
                else if (res->rule)
                        printf("  rule: %s %s %s handle %llu: %s\n", nft_family_name(res->table->family),
                               res->table->name, res->chain->name, (unsigned long long) res->rule->handle, e->text);
                else
                        printf("  policy of %s %s %s: %s\n", nft_family_name(res->table->family), res->table->name,
                               res->chain->name, e->text);
                if (e->have_frontend)
                        printf("  owner: %s\n", fw_frontend_to_string(e->frontend));
                if (e->remediation)
                        printf("  fix: %s\n", e->remediation);
        } else if (res->verdict == NFT_VERDICT_UNKNOWN) {
                printf("  cannot tell: %s", res->unknown_reason ? res->unknown_reason : "unknown");
                if (res->unknown_table && res->unknown_chain) {
                        printf(" (at %s %s %s", nft_family_name(res->unknown_table->family), res->unknown_table->name,
                               res->unknown_chain->name);
                        if (res->unknown_rule)
                                printf(" handle %llu", (unsigned long long) res->unknown_rule->handle);
                        printf(")");
                }
                printf("\n");
        }
        if (res->dport && res->dport != args->port)
                printf("  the connection is redirected to port %u\n", res->dport);
}

/* iptables-legacy's tables join the model as tables of their own (see
 * nft_ruleset_add_legacy()), judged with everything else.  Returns NULL,
 * or why the legacy tables of FAMILY could not be (all) read. */
static const char *legacy_add(NftRuleset *rs, int family) {
        XtLegacyTable **tables = NULL;
        const char *failed = NULL;
        size_t n = 0;

        if (xt_legacy_read(family, &tables, &n) < 0)
                return "the iptables-legacy tables could not be read";
        for (size_t i = 0; i < n; i++) {
                if (!failed && nft_ruleset_add_legacy(rs, tables[i]) < 0)
                        failed = "an iptables-legacy table could not be judged";
                xt_legacy_table_free(tables[i]);
        }
        free(tables);
        return failed;
}

static void legacy_apply(Explanation *e, const char *legacy) {
        if (legacy && e->result.verdict == NFT_VERDICT_ACCEPT) {
                e->result = (NftEvalResult) {
                        .verdict = NFT_VERDICT_UNKNOWN,
                        .unknown_reason = legacy,
                        .rate_limited = e->result.rate_limited,
                        .dport = e->result.dport,
                };
        }
}

/* Whether a TCP socket listens on PORT for FAMILY (any address; for IPv4
 * an IPv6 wildcard socket without IPV6_V6ONLY counts): 1 yes, 0 no, < 0
 * not known.  A sock_diag dump needs no privilege. */
static int tcp_port_listened(int family, uint16_t port) {
        ListenTable *t = NULL;
        int r = listen_dump(&t);

        if (r < 0)
                return r;
        r = listen_covers(t, family, NULL, port, NULL);
        listen_table_free(t);
        return r;
}

/* DESIGN.md's verdict is what the client sees: a connection the firewall
 * lets through to a port nothing listens on (sshd down, or moved there by
 * a redirect/dnat) is refused by the TCP stack, with no rule to blame. */
static void listener_apply(Explanation *e) {
        NftEvalResult *res = &e->result;
        /* a redirect to a port range: which port is not known */
        if (res->verdict != NFT_VERDICT_ACCEPT || res->dport == 0)
                return;
        if (tcp_port_listened(e->family, res->dport) != 0)
                return;
        *res = (NftEvalResult) {
                .verdict = NFT_VERDICT_REJECT,
                .rate_limited = res->rate_limited,
                .dport = res->dport,
        };
        e->refused_by_stack = true;
}

static int exit_code_for(NftVerdict v) {
        switch (v) {
        case NFT_VERDICT_ACCEPT: return EXPLAIN_ACCEPT;
        case NFT_VERDICT_DROP:
        case NFT_VERDICT_REJECT: return EXPLAIN_BLOCKED;
        default: return EXPLAIN_UNKNOWN;
        }
}

/* sshd's first port, from its configuration; 22 when that cannot be read. */
static uint16_t sshd_port(const char **origin) {
        SshdConfigOptions opts = { .resolve_names = false };
        SshdConfig *c = NULL;
        uint16_t port = 22;

        *origin = "default";
        if (sshd_config_load(SSHD_CONFIG_DEFAULT, &opts, &c) >= 0 && c->valid && c->n_ports > 0) {
                port = c->ports[0].port;
                *origin = SSHD_CONFIG_DEFAULT;
        }
        sshd_config_free(c);
        return port;
}

static int parse_address(const char *s, int *family, uint8_t addr[16]) {
        if (inet_pton(AF_INET, s, addr) == 1)
                *family = AF_INET;
        else if (inet_pton(AF_INET6, s, addr) == 1)
                *family = AF_INET6;
        else
                return -EINVAL;
        return 0;
}

void fw_judgements_free(FwJudgement *j, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(j[i].rule_text);
                free(j[i].remediation);
                free(j[i].rule_table);
                free(j[i].rule_chain);
        }
        free(j);
}

static int judgement_add(FwJudgement **v, size_t *n, const Explanation *e, uint16_t port, const char *scope) {
        const NftEvalResult *res = &e->result;
        FwJudgement *nv, *j;

        nv = reallocarray(*v, *n + 1, sizeof(FwJudgement));
        if (!nv)
                return -ENOMEM;
        *v = nv;
        j = &nv[*n];
        *j = (FwJudgement) {};
        j->rule_text = e->text ? strdup(e->text) : NULL;
        j->remediation = e->remediation ? strdup(e->remediation) : NULL;
        j->rule_table = strdup(res->table->name);
        j->rule_chain = strdup(res->chain->name);
        if ((e->text && !j->rule_text) || (e->remediation && !j->remediation) || !j->rule_table || !j->rule_chain) {
                free(j->rule_text);
                free(j->remediation);
                free(j->rule_table);
                free(j->rule_chain);
                return -ENOMEM;
        }
        snprintf(j->rule_family, sizeof(j->rule_family), "%s", nft_family_name(res->table->family));
        snprintf(j->frontend, sizeof(j->frontend), "%s",
                 e->have_frontend ? fw_frontend_to_string(e->frontend) : "nftables");
        snprintf(j->scope, sizeof(j->scope), "%s", scope);
        j->facts = (SgFirewallFacts) {
                .family = e->family,
                .port = port,
                .verdict = res->verdict == NFT_VERDICT_DROP ? SG_FW_DROP : SG_FW_REJECT,
                .scope = j->scope,
                .rule_text = j->rule_text,
                .rule_family = j->rule_family,
                .rule_table = j->rule_table,
                .rule_chain = j->rule_chain,
                .rule_is_policy = !res->rule,
                .rule_handle = res->rule ? res->rule->handle : 0,
                .frontend = j->frontend,
                .remediation = j->remediation,
        };
        (*n)++;
        return 0;
}

int fw_judge_ports(const uint16_t *ports, size_t n_ports, FwJudgement **ret, size_t *n) {
        NftRuleset *rs = NULL;
        NftLiveLookup *live = NULL;
        const char *legacy4, *legacy6;
        FwJudgement *v = NULL;
        size_t count = 0;
        int r;

        r = nft_ruleset_read(&rs);
        if (r < 0)
                return r;
        legacy4 = legacy_add(rs, NFPROTO_IPV4);
        legacy6 = legacy_add(rs, NFPROTO_IPV6);
        local_addrs_load();
        if (nft_live_lookup_new(&live) < 0)
                live = NULL;
        for (size_t p = 0; p < n_ports && r >= 0; p++) {
                ExplainArgs args = { .port = ports[p] };
                Explanation e[2] = {};
                Scope scope = {};

                /* the firewall's own verdict: whether sshd listens is the
                 * engine's question, not this one's */
                explain_probe(rs, live, AF_INET, NULL, NULL, NULL, false, ports[p], &e[0]);
                explain_probe(rs, live, AF_INET6, NULL, NULL, NULL, false, ports[p], &e[1]);
                legacy_apply(&e[0], legacy4);
                legacy_apply(&e[1], legacy6);
                scope_compute(rs, live, e, ports[p], &scope);
                for (int k = 0; k < 2 && r >= 0; k++)
                        r = explanation_finish(rs, &args, &e[k]);
                for (int k = 0; k < 2 && r >= 0; k++) {
                        bool same = k == 1 && verdict_blocks(e[0].result.verdict) &&
                                    e[1].result.verdict == e[0].result.verdict &&
                                    e[1].result.table == e[0].result.table && e[1].result.chain == e[0].result.chain &&
                                    e[1].result.rule == e[0].result.rule;
                        if (same) {
                                /* one rule (an inet table's) blocks both families: one problem */
                                v[count - 1].facts.family = AF_UNSPEC;
                                continue;
                        }
                        if (verdict_blocks(e[k].result.verdict) && e[k].result.table && e[k].result.chain)
                                r = judgement_add(&v, &count, &e[k], ports[p], scope.name ? scope.name : "all");
                }
                for (int k = 0; k < 2; k++)
                        explanation_done(&e[k]);
                for (size_t i = 0; i < scope.n_blocked_interfaces; i++)
                        free(scope.blocked_interfaces[i]);
                free(scope.blocked_interfaces);
        }
        nft_live_lookup_free(live);
        nft_ruleset_free(rs);
        if (r < 0) {
                fw_judgements_free(v, count);
                return r;
        }
        *ret = v;
        *n = count;
        return 0;
}

int verb_explain(int argc, char **argv) {
        static const struct option options[] = {
                { "port", required_argument, NULL, 'p' },
                { "from", required_argument, NULL, 'F' },
                { "to", required_argument, NULL, 'T' },
                { "iif", required_argument, NULL, 'i' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        ExplainArgs args = {};
        NftRuleset *rs = NULL;
        NftLiveLookup *live = NULL;
        Explanation e[2] = {};
        Scope scope = {};
        uint8_t saddr[16], daddr[16];
        int family = 0, to_family = 0, n = 0, opt, r, ret;
        const char *legacy4 = NULL, *legacy6 = NULL;
        bool json = false;

        for (int i = 1; i < argc; i++)
                json = json || strcmp(argv[i], "--json") == 0;
        while ((opt = getopt_long(argc, argv, "+p:F:T:i:jh", options, NULL)) >= 0)
                switch (opt) {
                case 'p': {
                        char *end;
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (*optarg == '\0' || *end != '\0' || v == 0 || v > 65535)
                                return ctl_fail(json, EXPLAIN_USAGE, "explain: invalid port '%s'", optarg);
                        args.port = (uint16_t) v;
                        args.port_origin = "--port";
                        break;
                }
                case 'F': args.from = optarg; break;
                case 'T': args.to = optarg; break;
                case 'i': args.iif = optarg; break;
                case 'j': args.json = true; break;
                case 'h': ctl_help(stdout); return 0;
                default: return ctl_fail(json, EXPLAIN_USAGE, "explain: invalid option (see --help)");
                }
        if (optind < argc)
                return ctl_fail(json, EXPLAIN_USAGE, "explain: unexpected argument '%s'", argv[optind]);
        if (args.from && parse_address(args.from, &family, saddr) < 0)
                return ctl_fail(json, EXPLAIN_USAGE, "explain: --from: '%s' is not an IPv4 or IPv6 address",
                                args.from);
        if (args.to && parse_address(args.to, &to_family, daddr) < 0)
                return ctl_fail(json, EXPLAIN_USAGE, "explain: --to: '%s' is not an IPv4 or IPv6 address", args.to);
        if (args.to && args.from && to_family != family)
                return ctl_fail(json, EXPLAIN_USAGE, "explain: --from and --to are of different families");
        if (args.iif && (strlen(args.iif) >= IFNAMSIZ || !if_nametoindex(args.iif)))
                return ctl_fail(json, EXPLAIN_USAGE, "explain: --iif: no interface '%s' here", args.iif);
        if (!args.port)
                args.port = sshd_port(&args.port_origin);

        r = nft_ruleset_read(&rs);
        if (r < 0)
                return ctl_fail(json, EXPLAIN_CANNOT_READ, "explain: cannot read the nftables ruleset: %s%s",
                                strerror(-r), r == -EPERM ? " (reading it needs root: CAP_NET_ADMIN)" : "");
        legacy4 = legacy_add(rs, NFPROTO_IPV4);
        legacy6 = legacy_add(rs, NFPROTO_IPV6);
        local_addrs_load();
        r = nft_live_lookup_new(&live);
        if (r < 0)
                live = NULL;    /* large sets then answer "unknown" */

        if (args.from) {
                const char *iif = args.iif;
                bool rpfilter_ok = false;
                RouteInfo route;

                if (!iif && route_lookup(family, saddr, &route) == 0 && route.ifname[0]) {
                        iif = route.ifname;
                        rpfilter_ok = true;
                        explain_probe(rs, live, family, saddr, args.to ? daddr : NULL, iif, rpfilter_ok, args.port, &e[0]);
                        /* the route's interface name lives in `route`: keep a copy */
                        e[0].iifname = strdup(route.ifname);
                } else
                        explain_probe(rs, live, family, saddr, args.to ? daddr : NULL, iif, rpfilter_ok, args.port, &e[0]);
                n = 1;
        } else {
                explain_probe(rs, live, AF_INET, NULL, to_family == AF_INET ? daddr : NULL, args.iif, false, args.port,
                              &e[0]);
                explain_probe(rs, live, AF_INET6, NULL, to_family == AF_INET6 ? daddr : NULL, args.iif, false,
                              args.port, &e[1]);
                n = 2;
        }
        for (int k = 0; k < n; k++) {
                legacy_apply(&e[k], e[k].family == AF_INET6 ? legacy6 : legacy4);
                listener_apply(&e[k]);
        }
        if (n == 2)
                scope_compute(rs, live, e, args.port, &scope);
        for (int k = 0; k < n; k++)
                if (explanation_finish(rs, &args, &e[k]) < 0) {
                        ret = ctl_fail(json, EXPLAIN_CANNOT_READ, "explain: out of memory");
                        goto out;
                }

        /* The answer: the family a client fails on first. */
        {
                int worst = 0;
                if (n == 2 && (verdict_blocks(e[1].result.verdict) ||
                               (e[1].result.verdict == NFT_VERDICT_UNKNOWN && e[0].result.verdict == NFT_VERDICT_ACCEPT)) &&
                    !verdict_blocks(e[0].result.verdict))
                        worst = 1;
                ret = exit_code_for(e[worst].result.verdict);

                if (args.json) {
                        JsonWriter w;

                        json_init(&w, stdout, false);
                        json_object_begin(&w);
                        json_explanation(&w, &args, &e[worst]);
                        json_key(&w, "scope");
                        json_string(&w, n == 2 ? scope.name : NULL);
                        json_key(&w, "blocked_interfaces");
                        json_array_begin(&w);
                        for (size_t i = 0; i < scope.n_blocked_interfaces; i++)
                                json_string(&w, scope.blocked_interfaces[i]);
                        json_array_end(&w);
                        json_key(&w, "families");
                        json_object_begin(&w);
                        for (int k = 0; k < n; k++) {
                                json_key(&w, family_name(e[k].family));
                                json_object_begin(&w);
                                json_explanation(&w, &args, &e[k]);
                                json_object_end(&w);
                        }
                        json_object_end(&w);
                        json_object_end(&w);
                        if (json_finish(&w) < 0)
                                ret = ctl_fail(false, EXPLAIN_CANNOT_READ, "explain: write failed");
                } else {
                        if (!args.from)
                                printf("port %u (%s)\n", args.port, args.port_origin);
                        for (int k = 0; k < n; k++)
                                text_explanation(&args, &e[k]);
                        if (n == 2 && scope.name) {
                                printf("scope: %s", scope.name);
                                for (size_t i = 0; i < scope.n_blocked_interfaces; i++)
                                        printf("%s%s", i ? ", " : " (", scope.blocked_interfaces[i]);
                                printf("%s\n", scope.n_blocked_interfaces ? ")" : "");
                        }
                }
        }
out:
        if (args.from && !args.iif)
                free((char *) e[0].iifname);
        for (int k = 0; k < n; k++)
                explanation_done(&e[k]);
        for (size_t i = 0; i < scope.n_blocked_interfaces; i++)
                free(scope.blocked_interfaces[i]);
        free(scope.blocked_interfaces);
        free(local4.addrs);
        free(local6.addrs);
        nft_live_lookup_free(live);
        nft_ruleset_free(rs);
        return ret;
}

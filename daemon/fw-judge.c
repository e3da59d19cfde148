/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firewall's verdict for new TCP connections to sshd, on the live
 * ruleset: what `sshguardianctl explain` prints, what `audit` and the
 * daemon hand to the root-cause engine, what the daemon's Explain()
 * returns.  No globals but the descriptors sshguardiand was handed for
 * iptables-legacy: everything read for one call (the ruleset, the host's
 * addresses) lives in that call's FwJudgeContext.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/netfilter.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "fw-frontend.h"
#include "fw-judge.h"
#include "ipset.h"
#include "json.h"
#include "listen.h"
#include "macro.h"
#include "nft-eval.h"
#include "nft-ruleset.h"
#include "route.h"
#include "sshdconf.h"
#include "xt-legacy.h"

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

/* The host's own addresses, per family: a dnat to one of them stays here,
 * addrtype LOCAL holds for them. */
typedef struct LocalAddrs {
        uint8_t (*addrs)[16];
        size_t n;
} LocalAddrs;

/* What one judging call reads once and every probe of it shares. */
typedef struct FwJudgeContext {
        NftRuleset *rs;                 /* nftables, iptables-legacy's tables joined in */
        NftLiveLookup *live;            /* NULL: large sets answer "unknown" */
        /* why a family's iptables-legacy tables could not be (all) judged, or NULL */
        const char *legacy4, *legacy6;
        LocalAddrs local4, local6;
} FwJudgeContext;

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

struct FwExplainResult {
        FwJudgeContext ctx;             /* the explanations point into its ruleset */
        uint16_t port;
        char *port_origin;
        char *from;
        char *iif;                      /* the request's, or the route's to FROM */
        Explanation e[2];
        int n;                          /* 1 with FROM, else 2 (IPv4, IPv6) */
        int worst;                      /* the family a client fails on first */
        Scope scope;
};

static void explanation_done(Explanation *e) {
        free(e->text);
        free(e->remediation);
        e->text = e->remediation = NULL;
}

static void scope_done(Scope *s) {
        for (size_t i = 0; i < s->n_blocked_interfaces; i++)
                free(s->blocked_interfaces[i]);
        free(s->blocked_interfaces);
        *s = (Scope) {};
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

/* The deciding rule's text, the tool that owns it and the fix in that
 * tool's words (for a connection from FROM, NULL: any source). */
static int explanation_finish(const NftRuleset *rs, uint16_t port, const char *from, Explanation *e) {
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
                r = fw_remediation(&ref, e->frontend, port, from, &e->remediation);
        free(siblings);
        return r;
}

/* Read afresh by every call: addresses come and go.  Left empty when they
 * cannot be listed (then a dnat to them is not followed). */
static void local_addrs_load(LocalAddrs *local4, LocalAddrs *local6) {
        struct ifaddrs *ifa = NULL;

        if (getifaddrs(&ifa) < 0)
                return;
        for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
                int f = i->ifa_addr ? i->ifa_addr->sa_family : AF_UNSPEC;
                LocalAddrs *l = f == AF_INET ? local4 : f == AF_INET6 ? local6 : NULL;
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

/* Where iptables-legacy's tables are read from: what sshguardiand was
 * handed at start-up (its sandbox forbids it IPv4 and IPv6 sockets, see
 * sshguardiand-fdstore.h), else -1: opened for each read.  Process-wide by
 * nature, like the descriptors themselves; set once, before any read. */
static XtLegacySource legacy_sources[2] = { { -1, -1 }, { -1, -1 } };

void fw_judge_set_legacy_sources(const XtLegacySource src[2]) {
        legacy_sources[0] = src[0];
        legacy_sources[1] = src[1];
}

static const XtLegacySource *legacy_source(int family) {
        return &legacy_sources[family == NFPROTO_IPV6 ? 1 : 0];
}

int fw_legacy_fingerprint(int family, uint64_t *ret) {
        return xt_legacy_fingerprint_with(legacy_source(family), family, ret);
}

/* iptables-legacy's tables join the model as tables of their own (see
 * nft_ruleset_add_legacy()), judged with everything else.  Returns NULL,
 * or why the legacy tables of FAMILY could not be (all) read. */
static const char *legacy_add(NftRuleset *rs, int family) {
        XtLegacyTable **tables = NULL;
        const char *failed = NULL;
        size_t n = 0;

        if (xt_legacy_read_with(legacy_source(family), family, &tables, &n) < 0)
                return "the iptables-legacy tables could not be read";
        for (size_t i = 0; i < n; i++) {
                if (!failed && nft_ruleset_add_legacy(rs, tables[i]) < 0)
                        failed = "an iptables-legacy table could not be judged";
                xt_legacy_table_free(tables[i]);
        }
        free(tables);
        return failed;
}

static void fw_judge_context_done(FwJudgeContext *c) {
        nft_live_lookup_free(c->live);
        nft_ruleset_free(c->rs);
        free(c->local4.addrs);
        free(c->local6.addrs);
        *c = (FwJudgeContext) {};
}

/* RS (taken over; NULL: read the live one) with iptables-legacy's tables
 * joined in, the host's addresses, the kernel asked for large sets. */
static int fw_judge_context_open(FwJudgeContext *c, NftRuleset *rs) {
        int r;

        *c = (FwJudgeContext) { .rs = rs };
        if (!c->rs) {
                r = nft_ruleset_read(&c->rs);
                if (r < 0)
                        return r;
        }
        c->legacy4 = legacy_add(c->rs, NFPROTO_IPV4);
        c->legacy6 = legacy_add(c->rs, NFPROTO_IPV6);
        local_addrs_load(&c->local4, &c->local6);
        if (nft_live_lookup_new(&c->live) < 0)
                c->live = NULL;
        return 0;
}

static void explain_probe(const FwJudgeContext *c, int family, const uint8_t *saddr, const uint8_t *daddr,
                          const char *iifname, bool rpfilter_ok, uint16_t port, Explanation *e) {
        const LocalAddrs *local = family == AF_INET6 ? &c->local6 : &c->local4;
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
        nft_eval_probe(c->rs, &probe, c->live ? nft_set_lookup_live : NULL, c->live, &e->result);
}

/* Whether IFNAME is a loopback interface: no client from elsewhere
 * arrives there, so what the firewall does on it does not count. */
static bool interface_is_loopback(const char *ifname) {
        struct ifreq ifr = {};
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        bool lo = false;

        if (fd < 0)
                return strcmp(ifname, "lo") == 0;
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) >= 0)
                lo = (ifr.ifr_flags & IFF_LOOPBACK) != 0;
        else
                lo = strcmp(ifname, "lo") == 0;
        close(fd);
        return lo;
}

/* FAMILY's verdict fixed per interface (loopback left out): whether it is
 * blocked on some, on every one (*ALL_BLOCKED), and whether fixing the
 * interface decided it everywhere (*ALL_DECIDED). */
static bool family_blocked_on_some_interface(const FwJudgeContext *c, int family, uint16_t port, Scope *scope,
                                             bool *all_decided, bool *all_blocked) {
        struct if_nameindex *ifs = if_nameindex();
        bool any_blocked = false;
        size_t n_external = 0, n_blocked = 0;

        *all_decided = ifs != NULL;
        for (struct if_nameindex *i = ifs; i && i->if_index; i++) {
                Explanation e;

                if (interface_is_loopback(i->if_name))
                        continue;
                n_external++;
                explain_probe(c, family, NULL, NULL, i->if_name, false, port, &e);
                if (e.result.verdict == NFT_VERDICT_UNKNOWN)
                        *all_decided = false;
                else if (verdict_blocks(e.result.verdict)) {
                        bool known = false;
                        any_blocked = true;
                        n_blocked++;
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
        *all_blocked = n_external > 0 && n_blocked == n_external;
        return any_blocked;
}

static void scope_compute(const FwJudgeContext *c, const Explanation e[2], uint16_t port, Scope *scope) {
        bool blocked[2], unknown[2], rate_limited = false;

        for (int k = 0; k < 2; k++) {
                blocked[k] = verdict_blocks(e[k].result.verdict);
                unknown[k] = e[k].result.verdict == NFT_VERDICT_UNKNOWN;
                rate_limited = rate_limited || (e[k].result.verdict == NFT_VERDICT_ACCEPT && e[k].result.rate_limited);
        }
        /* Undecided because of the interface: blocked on every interface a
         * client can arrive on (everything but loopback, as ufw and most
         * rulesets accept there) is blocked for the whole family. */
        bool decided = true, some_if = false;
        for (int k = 0; k < 2; k++)
                if (unknown[k]) {
                        bool d, all;
                        some_if = family_blocked_on_some_interface(c, e[k].family, port, scope, &d, &all) || some_if;
                        decided = decided && d;
                        if (d && all)
                                blocked[k] = true;
                }
        /* A whole family blocked for every source is the larger problem,
         * whatever the other family does for some sources. */
        if (blocked[0] && blocked[1])
                scope->name = "all";
        else if (blocked[0])
                scope->name = "ipv4";
        else if (blocked[1])
                scope->name = "ipv6";
        else if (unknown[0] || unknown[1])
                /* Fixing the interface decided it: the interface is what
                 * matters.  Otherwise it is the source. */
                scope->name = decided ? (some_if ? "some-interfaces" : NULL) : "some-sources";
        else if (rate_limited)
                scope->name = "rate-limited";
}

/* The firewall accepted, but iptables-legacy's tables of that family could
 * not all be read: they may still drop it, so the answer is not known. */
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

static void fw_judgements_free_one(FwJudgement *j) {
        free(j->rule_text);
        free(j->remediation);
        free(j->rule_table);
        free(j->rule_chain);
}

bool fw_judgement_same_rule(const FwJudgement *a, const FwJudgement *b) {
        return a->facts.verdict == b->facts.verdict && a->facts.rule_is_policy == b->facts.rule_is_policy &&
               a->facts.rule_handle == b->facts.rule_handle && strcmp(a->rule_family, b->rule_family) == 0 &&
               strcmp(a->rule_table, b->rule_table) == 0 && strcmp(a->rule_chain, b->rule_chain) == 0;
}

void fw_judgements_free(FwJudgement *j, size_t n) {
        for (size_t i = 0; i < n; i++)
                fw_judgements_free_one(&j[i]);
        free(j);
}

/* The facts' strings that live inside the judgement itself: set again
 * whenever the array has moved. */
static void judgement_point_facts(FwJudgement *j) {
        j->facts.scope = j->scope;
        j->facts.rule_family = j->rule_family;
        j->facts.frontend = j->frontend;
}

static int judgement_add(FwJudgement **v, size_t *n, const Explanation *e, uint16_t port, const char *scope) {
        const NftEvalResult *res = &e->result;
        FwJudgement *nv, *j;

        nv = reallocarray(*v, *n + 1, sizeof(FwJudgement));
        if (!nv)
                return -ENOMEM;
        *v = nv;
        for (size_t i = 0; i < *n; i++)
                judgement_point_facts(&nv[i]);
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
                .rule_text = j->rule_text,
                .rule_table = j->rule_table,
                .rule_chain = j->rule_chain,
                .rule_is_policy = !res->rule,
                .rule_handle = res->rule ? res->rule->handle : 0,
                .remediation = j->remediation,
        };
        judgement_point_facts(j);
        (*n)++;
        return 0;
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

/* A family blocked for some sources or on some interfaces only: the rule
 * (or policy) that does it, as an explanation of its own in *E.  Returns
 * true when there is one. */
static bool partial_block_explain(const FwJudgeContext *c, const Explanation *any, const Scope *scope, uint16_t port,
                                  Explanation *e) {
        const NftEvalResult *res = &any->result;

        if (res->verdict != NFT_VERDICT_UNKNOWN || !scope->name)
                return false;
        if (strcmp(scope->name, "some-interfaces") == 0 || strcmp(scope->name, "all") == 0 ||
            strcmp(scope->name, family_name(any->family)) == 0) {
                /* the first interface it is blocked on names the rule */
                for (size_t i = 0; i < scope->n_blocked_interfaces; i++) {
                        explain_probe(c, any->family, NULL, NULL, scope->blocked_interfaces[i], false, port, e);
                        if (verdict_blocks(e->result.verdict) && e->result.table && e->result.chain)
                                return true;
                }
                return false;
        }
        if (strcmp(scope->name, "some-sources") == 0 && res->unknown_table && res->unknown_chain &&
            res->unknown_rule) {
                NftVerdict v = rule_terminal_verdict(c->rs, res->unknown_rule);
                if (!verdict_blocks(v))
                        return false;
                *e = (Explanation) {
                        .family = any->family,
                        .result = {
                                .verdict = v,
                                .table = res->unknown_table,
                                .chain = res->unknown_chain,
                                .rule = res->unknown_rule,
                                .dport = port,
                        },
                };
                return true;
        }
        return false;
}

int fw_judge_ports(const uint16_t *ports, size_t n_ports, FwJudgement **ret, size_t *n) {
        return fw_judge_ports_in(NULL, ports, n_ports, ret, n);
}

int fw_judge_ports_in(NftRuleset *rs, const uint16_t *ports, size_t n_ports, FwJudgement **ret, size_t *n) {
        FwJudgeContext c;
        FwJudgement *v = NULL;
        size_t count = 0;
        int r;

        r = fw_judge_context_open(&c, rs);
        if (r < 0)
                return r;
        for (size_t p = 0; p < n_ports && r >= 0; p++) {
                Explanation e[2] = {};
                Scope scope = {};

                /* the firewall's own verdict: whether sshd listens is the
                 * engine's question, not this one's */
                explain_probe(&c, AF_INET, NULL, NULL, NULL, false, ports[p], &e[0]);
                explain_probe(&c, AF_INET6, NULL, NULL, NULL, false, ports[p], &e[1]);
                legacy_apply(&e[0], c.legacy4);
                legacy_apply(&e[1], c.legacy6);
                scope_compute(&c, e, ports[p], &scope);
                for (int k = 0; k < 2 && r >= 0; k++)
                        r = explanation_finish(c.rs, ports[p], NULL, &e[k]);
                size_t first = count;
                for (int k = 0; k < 2 && r >= 0; k++) {
                        Explanation part = {};
                        const Explanation *x = &e[k];

                        if (!verdict_blocks(e[k].result.verdict) || !e[k].result.table || !e[k].result.chain) {
                                if (!partial_block_explain(&c, &e[k], &scope, ports[p], &part))
                                        continue;
                                r = explanation_finish(c.rs, ports[p], NULL, &part);
                                x = &part;
                        }
                        if (r >= 0)
                                r = judgement_add(&v, &count, x, ports[p], scope.name ? scope.name : "all");
                        explanation_done(&part);
                        /* one rule (an inet table's) blocks both families: one problem */
                        if (r >= 0 && k == 1 && count == first + 2 &&
                            fw_judgement_same_rule(&v[first], &v[first + 1])) {
                                v[first].facts.family = AF_UNSPEC;
                                fw_judgements_free_one(&v[--count]);
                        }
                }
                for (int k = 0; k < 2; k++)
                        explanation_done(&e[k]);
                scope_done(&scope);
        }
        fw_judge_context_done(&c);
        if (r < 0) {
                fw_judgements_free(v, count);
                return r;
        }
        *ret = v;
        *n = count;
        return 0;
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

/* Sets *error to the formatted message (NULL if even that fails) and
 * returns R. */
static int explain_error(int r, char **error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int explain_error(int r, char **error, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(error, fmt, ap) < 0)
                *error = NULL;
        va_end(ap);
        return r;
}

FwExplainResult *fw_explain_result_free(FwExplainResult *r) {
        if (!r)
                return NULL;
        for (int k = 0; k < r->n; k++)
                explanation_done(&r->e[k]);
        scope_done(&r->scope);
        fw_judge_context_done(&r->ctx);
        free(r->port_origin);
        free(r->from);
        free(r->iif);
        free(r);
        return NULL;
}

static inline void fw_explain_result_freep(FwExplainResult **r) {
        fw_explain_result_free(*r);
}

static bool strdup_opt(const char *s, char **ret) {
        *ret = s ? strdup(s) : NULL;
        return !s || *ret;
}

int fw_explain(const FwExplainRequest *req, FwExplainResult **ret, char **error) {
        _cleanup_(fw_explain_result_freep) FwExplainResult *res = NULL;
        _cleanup_(nft_ruleset_freep) NftRuleset *given = req->ruleset;
        uint8_t saddr[16], daddr[16];
        int family = 0, to_family = 0, r;
        const char *port_origin = req->port_origin ? req->port_origin : "given";
        uint16_t port = req->port;

        *error = NULL;
        if (req->from && parse_address(req->from, &family, saddr) < 0)
                return explain_error(-EINVAL, error, "--from: '%s' is not an IPv4 or IPv6 address", req->from);
        if (req->to && parse_address(req->to, &to_family, daddr) < 0)
                return explain_error(-EINVAL, error, "--to: '%s' is not an IPv4 or IPv6 address", req->to);
        if (req->to && req->from && to_family != family)
                return explain_error(-EINVAL, error, "--from and --to are of different families");
        if (req->iif && (strlen(req->iif) >= IFNAMSIZ || !if_nametoindex(req->iif)))
                return explain_error(-EINVAL, error, "--iif: no interface '%s' here", req->iif);
        if (!port)
                port = sshd_port(&port_origin);

        res = calloc(1, sizeof(*res));
        if (!res || !strdup_opt(port_origin, &res->port_origin) || !strdup_opt(req->from, &res->from) ||
            !strdup_opt(req->iif, &res->iif))
                return explain_error(-ENOMEM, error, "out of memory");
        res->port = port;

        r = fw_judge_context_open(&res->ctx, TAKE_PTR(given));
        if (r < 0)
                return explain_error(r, error, "cannot read the nftables ruleset: %s%s", strerror(-r),
                                     r == -EPERM ? " (reading it needs root: CAP_NET_ADMIN)" : "");

        if (res->from) {
                bool rpfilter_ok = false;
                RouteInfo route;

                /* Without --iif the connection arrives where the route
                 * back to the client leaves: reverse-path filters pass. */
                if (!res->iif && route_lookup(family, saddr, &route) == 0 && route.ifname[0]) {
                        res->iif = strdup(route.ifname);
                        if (!res->iif)
                                return explain_error(-ENOMEM, error, "out of memory");
                        rpfilter_ok = true;
                }
                explain_probe(&res->ctx, family, saddr, req->to ? daddr : NULL, res->iif, rpfilter_ok, port,
                              &res->e[0]);
                res->n = 1;
        } else {
                explain_probe(&res->ctx, AF_INET, NULL, to_family == AF_INET ? daddr : NULL, res->iif, false, port,
                              &res->e[0]);
                explain_probe(&res->ctx, AF_INET6, NULL, to_family == AF_INET6 ? daddr : NULL, res->iif, false,
                              port, &res->e[1]);
                res->n = 2;
        }
        for (int k = 0; k < res->n; k++) {
                legacy_apply(&res->e[k], res->e[k].family == AF_INET6 ? res->ctx.legacy6 : res->ctx.legacy4);
                listener_apply(&res->e[k]);
        }
        if (res->n == 2)
                scope_compute(&res->ctx, res->e, port, &res->scope);
        for (int k = 0; k < res->n; k++)
                if (explanation_finish(res->ctx.rs, port, res->from, &res->e[k]) < 0)
                        return explain_error(-ENOMEM, error, "out of memory");

        /* The answer: the family a client fails on first. */
        if (res->n == 2 &&
            (verdict_blocks(res->e[1].result.verdict) ||
             (res->e[1].result.verdict == NFT_VERDICT_UNKNOWN && res->e[0].result.verdict == NFT_VERDICT_ACCEPT)) &&
            !verdict_blocks(res->e[0].result.verdict))
                res->worst = 1;

        *ret = TAKE_PTR(res);
        return 0;
}

const char *fw_explain_verdict(const FwExplainResult *r) {
        return nft_verdict_name(r->e[r->worst].result.verdict);
}

int fw_explain_exit_code(const FwExplainResult *r) {
        switch (r->e[r->worst].result.verdict) {
        case NFT_VERDICT_ACCEPT: return FW_EXPLAIN_EXIT_ACCEPT;
        case NFT_VERDICT_DROP:
        case NFT_VERDICT_REJECT: return FW_EXPLAIN_EXIT_BLOCKED;
        default: return FW_EXPLAIN_EXIT_UNKNOWN;
        }
}

static void json_explanation(JsonWriter *w, const FwExplainResult *r, const Explanation *e) {
        const NftEvalResult *res = &e->result;

        json_key(w, "verdict");
        json_string(w, nft_verdict_name(res->verdict));
        json_key(w, "family");
        json_string(w, family_name(e->family));
        json_key(w, "port");
        json_uint(w, r->port);
        json_key(w, "from");
        json_string(w, r->from);
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

int fw_explain_write_json(const FwExplainResult *r, FILE *f) {
        JsonWriter w;

        json_init(&w, f, false);
        json_object_begin(&w);
        json_explanation(&w, r, &r->e[r->worst]);
        json_key(&w, "scope");
        json_string(&w, r->n == 2 ? r->scope.name : NULL);
        json_key(&w, "blocked_interfaces");
        json_array_begin(&w);
        for (size_t i = 0; i < r->scope.n_blocked_interfaces; i++)
                json_string(&w, r->scope.blocked_interfaces[i]);
        json_array_end(&w);
        json_key(&w, "families");
        json_object_begin(&w);
        for (int k = 0; k < r->n; k++) {
                json_key(&w, family_name(r->e[k].family));
                json_object_begin(&w);
                json_explanation(&w, r, &r->e[k]);
                json_object_end(&w);
        }
        json_object_end(&w);
        json_object_end(&w);
        return json_finish(&w);
}

static void text_explanation(const FwExplainResult *r, const Explanation *e, FILE *f) {
        const NftEvalResult *res = &e->result;

        fprintf(f, "%s from %s to port %u%s%s: %s%s\n", family_name(e->family), r->from ? r->from : "any source",
                r->port, e->iifname ? " on " : "", e->iifname ? e->iifname : "", nft_verdict_name(res->verdict),
                res->rate_limited ? " (within rate limits only)" : "");
        if (e->refused_by_stack)
                fprintf(f, "  refused: the firewall accepts, but nothing listens on port %u\n",
                        res->dport ? res->dport : r->port);
        if (verdict_blocks(res->verdict) && res->table && res->chain) {
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

int fw_explain_write_text(const FwExplainResult *r, FILE *f) {
        if (!r->from)
                fprintf(f, "port %u (%s)\n", r->port, r->port_origin);
        for (int k = 0; k < r->n; k++)
                text_explanation(r, &r->e[k], f);
        if (r->n == 2 && r->scope.name) {
                fprintf(f, "scope: %s", r->scope.name);
                for (size_t i = 0; i < r->scope.n_blocked_interfaces; i++)
                        fprintf(f, "%s%s", i ? ", " : " (", r->scope.blocked_interfaces[i]);
                fprintf(f, "%s\n", r->scope.n_blocked_interfaces ? ")" : "");
        }
        return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

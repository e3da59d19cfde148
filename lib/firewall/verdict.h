/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The firewall's verdict on new TCP connections to sshd, decided once for
 * every view: the root-cause engine (the daemon, `audit`), `explain` and
 * D-Bus Explain() all take what these functions decide, so that for the
 * same facts they cannot disagree.  Pure: the ruleset, the interfaces and
 * the listening sockets come in the snapshot (facts.h); the only I/O is
 * through the snapshot's set-lookup callbacks.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "facts.h"
#include "fw-frontend.h"
#include "nft-eval.h"

/* What the host looks like to the verdict: the firewall as read, the
 * interfaces (a client arrives on any that is not loopback; the host's
 * own addresses), the listening sockets (NULL with n 0: not known). */
typedef struct FwFacts {
        const SgFirewallInput *input;
        const SgInterface *interfaces;
        size_t n_interfaces;
        const SgListener *listeners;
        size_t n_listeners;
        bool listeners_known;
} FwFacts;

FwFacts fw_facts_from_snapshot(const SgSnapshot *s);

/* One of the rules that block on some path, when no one rule decides. */
typedef struct FwBlockerText {
        char *text;                     /* as nft prints it, or "policy drop" */
        char *remediation;              /* its own fix, in its owner's words */
        FwFrontend frontend;
} FwBlockerText;

/* One family's answer, with the rule that decided it. */
typedef struct FwExplanation {
        int family;                     /* AF_INET / AF_INET6 */
        NftEvalResult result;
        const char *iifname;            /* the interface assumed (points into the facts), NULL: any */
        char *text;                     /* the deciding rule as nft prints it, or "policy drop" */
        char *remediation;              /* the fix in the owning tool's words */
        FwFrontend frontend;
        bool have_frontend;
        /* the firewall accepted, but no socket takes the connection on the
         * (final) port: the TCP stack refuses it with a reset */
        bool refused_by_stack;
        /* the scope of this family's block: "all" and the family's name
         * when it is blocked for every source on every interface,
         * "some-interfaces", "some-sources"; for an accept,
         * "some-source-ports" when a rule blocks source ports other than a
         * client's ephemeral ones (result.sport), "rate-limited" when it
         * holds within limits; NULL otherwise */
        const char *scope;
        /* result.sport_split: the rule deciding the other source ports as
         * nft prints it ("policy drop" for a policy), NULL if none */
        char *sport_text;
        /* a block decided by different rules on different paths
         * (fw_explanation_several_rules()): result.blockers' texts, owners
         * and fixes, in the same order.  Then text is NULL, remediation is
         * every fix joined by " && " (last rule first, so that iptables'
         * rule numbers stay right; NULL when result.blockers_overflow),
         * and have_frontend says that one tool owns them all. */
        FwBlockerText *blockers;
        size_t n_blockers;
} FwExplanation;

/* E is a drop or reject that no single rule decides: different rules
 * block on different paths (result.n_blockers > 1). */
bool fw_explanation_several_rules(const FwExplanation *e);
/* "ip6 raw PREROUTING 2, ip6 filter INPUT 3" ("... policy" for a chain's
 * policy): result.blockers, in the order a packet meets them, as the
 * `rules` evidence says them; NULL on ENOMEM. */
char *fw_explanation_rules_key(const FwExplanation *e);
/* "ip6 raw PREROUTING handle 2 \"...\" (iptables-nft), then ip6 filter
 * INPUT handle 3 \"...\" (iptables-nft)", for a message; NULL on ENOMEM. */
char *fw_explanation_rules_text(const FwExplanation *e);

/* A port, from any external source, both families. */
typedef struct FwPortVerdict {
        uint16_t port;
        FwExplanation e[2];             /* IPv4, IPv6 */
        /* DESIGN.md's SCOPE of the block over both families, NULL when
         * nothing blocks or it cannot be told */
        const char *scope;
        char **blocked_interfaces;      /* some-interfaces: where */
        size_t n_blocked_interfaces;
} FwPortVerdict;

void fw_explanation_done(FwExplanation *e);
void fw_port_verdict_done(FwPortVerdict *v);

/* PORT from any external source.  A family the evaluator cannot decide
 * without knowing the interface is judged on every interface a client can
 * arrive on (loopback left out): blocked on all of them is blocked for the
 * family, with the rule that does it; on some, scope some-interfaces; a
 * block that depends on the source (a ban set, an address range) is
 * some-sources with its rule.  What stays undecided is NFT_VERDICT_UNKNOWN
 * with its reason, never beside a certain scope of its own.  A connection
 * the firewall lets through that no socket takes is refused by the stack
 * (reject, no rule): with LISTENERS for any port (explain), without it
 * only after a redirect/dnat to another port (the engine: sshd's own
 * sockets are judged by their own causes).  Returns 0 or -ENOMEM. */
int fw_port_verdict(const FwFacts *f, uint16_t port, bool listeners, FwPortVerdict *ret);

/* One client: FAMILY's SADDR (NULL: any source) to DADDR (NULL: one of the
 * host's own addresses that are not loopback, as every packet from
 * elsewhere is), arriving on IIFNAME (NULL: not known), RPFILTER_OK when
 * the route back to SADDR leaves there.  Returns 0 or -ENOMEM. */
int fw_source_verdict(const FwFacts *f, uint16_t port, int family, const uint8_t *saddr, const uint8_t *daddr,
                      const char *iifname, bool rpfilter_ok, FwExplanation *ret);

/* The blocks of V as the root-cause engine takes them: one judgement per
 * family a rule or policy drops or rejects (one for both when the same
 * rule blocks both), with its scope, rule, owner and fix; attributed to
 * the committer HISTORY names (NULL: none).  Appended to *J (*N entries,
 * strings owned by *STRINGS, freed by fw_judgements_free()). */
typedef struct FwJudgements {
        SgFirewallFacts *v;
        size_t n;
        char **strings;
        size_t n_strings;
        /* families the verdict could not tell: "port 22, IPv4: <why> (at inet filter input handle 3)" */
        char **undecided;
        size_t n_undecided;
} FwJudgements;

int fw_judgements_add(FwJudgements *j, const FwPortVerdict *v, const SgFirewallHistory *history);
void fw_judgements_done(FwJudgements *j);
/* The same rule (or policy) decides both, whatever port or family each was
 * judged for. */
bool fw_facts_same_rule(const SgFirewallFacts *a, const SgFirewallFacts *b);

/* "ipv4" / "ipv6" */
const char *fw_family_name(int family);

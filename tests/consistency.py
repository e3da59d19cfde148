# SPDX-License-Identifier: GPL-2.0-or-later
"""The views of one judgement must agree (issue 9, DESIGN.md "explain,
audit, the daemon and D-Bus Explain() are views of the same judgement").

Shared by tests/diff/fw/run.py (explain with and without --from, audit,
against the kernel) and tests/daemon/run.py (the daemon's journal entry
and D-Bus Findings, audit, explain, D-Bus Explain()).  Pure functions over
the JSON the programs print: each returns a list of disagreements (strings;
empty = agree).  Python standard library only.

Vocabulary
- an explain family object: `explain --json`'s `families.ipv4` (or the top
  object of `explain --from`): verdict, rule {family, table, chain, handle
  (null = policy), text}, scope, frontend, remediation, reason;
- a finding: `audit --json`'s `findings[]` {cause, evidence{...}} (D-Bus
  Findings and the journal carry the same evidence keys, in upper case with
  SSHGUARDIAN_ in the journal);
- "rule key": (family, table, chain, handle) with handle None for a chain's
  policy.
"""

import json

FAMILIES = ("ipv4", "ipv6")
BLOCKS = ("drop", "reject")
CAUSE_OF = {"drop": "firewall-drop", "reject": "firewall-reject"}
FIREWALL_CAUSES = ("firewall-drop", "firewall-reject")
# a block "for every source" of a family: the whole family or both
WHOLE_SCOPES = ("all",) + FAMILIES
# scopes that are a certain answer about the family
CERTAIN_SCOPES = ("all", "ipv4", "ipv6", "some-interfaces")


def short(obj, limit=600):
    s = json.dumps(obj, sort_keys=True) if not isinstance(obj, str) else obj
    return s if len(s) <= limit else s[:limit] + "..."


def rule_key(rule):
    """explain's rule object -> rule key, or None."""
    if not isinstance(rule, dict):
        return None
    return (rule.get("family"), rule.get("table"), rule.get("chain"), rule.get("handle"))


def evidence_rule_key(ev):
    """A finding's evidence (lower-case keys) -> rule key, or None."""
    if "rule_table" not in ev and "rule_chain" not in ev:
        return None
    h = ev.get("rule_handle")
    if h in (None, ""):
        h = None
    else:
        try:
            h = int(h)
        except ValueError:
            pass
    return (ev.get("rule_family"), ev.get("rule_table"), ev.get("rule_chain"), h)


def fmt_key(k):
    if k is None:
        return "none"
    return "%s %s %s %s" % (k[0], k[1], k[2], "policy" if k[3] is None else k[3])


def rules_keys(e):
    """The rule keys of explain's `rules` (every rule that blocks on some
    path, in the order a packet meets them)."""
    rules = e.get("rules")
    if not isinstance(rules, list):
        return []
    return [rule_key(r) for r in rules]


def rules_evidence(e):
    """What a finding's `rules` evidence says for explain's family object E
    when no single rule decides (rule_ambiguous): "ip6 raw PREROUTING 2,
    ip6 filter INPUT 2" (", ..." when not every rule was kept)."""
    s = ", ".join(fmt_key(k) for k in rules_keys(e))
    return s + (", ..." if e.get("rules_incomplete") else "")


def journal_to_finding(entry):
    """A journal entry (SSHGUARDIAN_* fields) -> {cause, evidence} as audit prints it."""
    ev = {}
    for k, v in entry.items():
        if k.startswith("SSHGUARDIAN_") and k not in ("SSHGUARDIAN_CAUSE", "SSHGUARDIAN_STATE"):
            ev[k[len("SSHGUARDIAN_"):].lower()] = v
    return {"cause": entry.get("SSHGUARDIAN_CAUSE"), "evidence": ev}


def covers(finding, fam, port=22):
    """Whether FINDING is about FAM on PORT (family `any` covers both; a
    finding without a family key covers every family)."""
    ev = finding.get("evidence") or {}
    if str(ev.get("port", port)) != str(port):
        return False
    return ev.get("family") in (None, fam, "any")


def firewall_covering(findings, fam, port=22):
    return [f for f in findings if f.get("cause") in FIREWALL_CAUSES and covers(f, fam, port)]


def family_vs_finding(fam, e, f, what="audit", remediation=True):
    """Explain's family object E against firewall finding F: cause, rule,
    scope, rule text, frontend, remediation."""
    bad = []
    ev = f.get("evidence") or {}
    if f.get("cause") != CAUSE_OF.get(e.get("verdict")):
        bad.append("%s: explain %s says %s, %s says %s" % (fam, fam, e.get("verdict"), what, f.get("cause")))
    ek, fk = rule_key(e.get("rule")), evidence_rule_key(ev)
    if ek != fk:
        bad.append("%s: rule: explain %s, %s %s" % (fam, fmt_key(ek), what, fmt_key(fk)))
    if e.get("scope") != ev.get("scope"):
        bad.append("%s: scope: explain %r, %s %r" % (fam, e.get("scope"), what, ev.get("scope")))
    et = (e.get("rule") or {}).get("text")
    if et != ev.get("rule"):
        bad.append("%s: rule text: explain %r, %s %r" % (fam, et, what, ev.get("rule")))
    if e.get("frontend") != ev.get("frontend"):
        bad.append("%s: frontend: explain %r, %s %r" % (fam, e.get("frontend"), what, ev.get("frontend")))
    if e.get("rule_ambiguous"):
        # blocked on every path, by different rules: every one named
        if ev.get("rules") != rules_evidence(e):
            bad.append("%s: rules: explain %r, %s %r" % (fam, rules_evidence(e), what, ev.get("rules")))
    elif "rules" in ev:
        bad.append("%s: rules: explain names one rule, %s %r" % (fam, what, ev.get("rules")))
    if remediation and e.get("remediation") != ev.get("remediation"):
        bad.append("%s: remediation: explain %r, %s %r" % (fam, e.get("remediation"), what, ev.get("remediation")))
    return bad


def check_audit(fam, e, findings, what="audit", port=22):
    """(a) FAM blocked in explain (no --from) <=> a finding covering FAM,
    the same rule, scope and remediation."""
    fws = firewall_covering(findings, fam, port)
    blocked = e.get("verdict") in BLOCKS
    if len(fws) > 1:
        return ["%s: %d firewall findings of %s cover %s: %s" % (fam, len(fws), what, fam, short(fws))]
    if blocked and e.get("rule") is None and not e.get("rule_ambiguous"):
        # nothing in the firewall decides (the TCP stack refuses after a
        # redirect): the engine must still not be silent about it
        other = [f for f in findings if covers(f, fam, port)]
        if not other:
            return ["%s: explain says %s (%s), %s has no finding for it" % (
                fam, e.get("verdict"), e.get("reason"), what)]
        return []
    if blocked and not fws:
        return ["%s: explain says %s by %s (scope %s), %s has no firewall finding for %s" % (
            fam, e.get("verdict"), fmt_key(rule_key(e.get("rule"))), e.get("scope"), what, fam)]
    if not blocked and fws:
        return ["%s: explain says %s (scope %s%s), %s has %s by %s (family %s, scope %s)" % (
            fam, e.get("verdict"), e.get("scope"),
            ", reason: " + str(e.get("reason")) if e.get("reason") else "", what, fws[0].get("cause"),
            fmt_key(evidence_rule_key(fws[0]["evidence"])), fws[0]["evidence"].get("family"),
            fws[0]["evidence"].get("scope"))]
    if blocked:
        return family_vs_finding(fam, e, fws[0], what)
    return []


def check_scope_certain(fam, e):
    """(b) never `unknown` beside a certain scope of the family."""
    if e.get("verdict") == "unknown" and e.get("scope") in CERTAIN_SCOPES:
        return ["%s: explain says unknown (%s) beside scope %r" % (fam, e.get("reason"), e.get("scope"))]
    if e.get("verdict") not in ("accept", "drop", "reject", "unknown"):
        return ["%s: explain verdict %r" % (fam, e.get("verdict"))]
    return []


def undecided_names(audit, fam, port=22):
    tag = "port %d, %s:" % (port, "IPv4" if fam == "ipv4" else "IPv6")
    und = audit.get("undecided")
    if not isinstance(und, list):
        return None
    return [u for u in und if isinstance(u, str) and u.startswith(tag)]


def check_undecided(fam, e, audit, port=22):
    """(c) explain unknown for FAM <=> audit lists FAM in `undecided`;
    audit `healthy` with no finding => explain not unknown unless listed."""
    und = undecided_names(audit, fam, port)
    if und is None:
        return ["audit has no `undecided` array: %s" % short(audit)]
    unknown = e.get("verdict") == "unknown"
    bad = []
    if unknown and not und:
        bad.append("%s: explain says unknown (%s), audit %s without listing %s in undecided" % (
            fam, e.get("reason"),
            "says healthy" if audit.get("healthy") and not audit.get("findings") else "judges it",
            fam))
    if und and not unknown:
        bad.append("%s: audit lists it undecided (%s), explain says %s" % (fam, und[0], e.get("verdict")))
    return bad


def check_from(fam, ef, e, kernel=None):
    """(d) explain --from (EF, one family) against explain without --from
    (E, the same family): when E blocks every source (scope all or the
    family), EF is blocked by the same rule with the same verdict; when E
    accepts without a scope, EF accepts; KERNEL (accept/drop/reject),
    when given, must not contradict E's certain answer either."""
    bad = []
    scope = e.get("scope")
    if e.get("verdict") in BLOCKS and scope in WHOLE_SCOPES:
        # blocked every way, dropped one way and rejected another: the
        # client meets one of the rules, and what that rule does
        verdicts = ({r.get("verdict") for r in e.get("rules") or []} if e.get("mixed_block")
                    else {e.get("verdict")})
        if e.get("mixed_block") and verdicts != {"drop", "reject"}:
            bad.append("%s: mixed_block, but its rules' verdicts are %s" % (fam, sorted(map(str, verdicts))))
        if ef.get("verdict") not in verdicts:
            bad.append("%s: without --from %s by %s (scope %s), --from says %s" % (
                fam, e.get("verdict"), fmt_key(rule_key(e.get("rule"))), scope, ef.get("verdict")))
        elif e.get("rule_ambiguous"):
            # different rules block different sources: the client's is
            # one of them (or, itself undecided, some of them)
            keys = rules_keys(e)
            theirs = rules_keys(ef) if ef.get("rule_ambiguous") else [rule_key(ef.get("rule"))]
            if not theirs or any(k not in keys for k in theirs):
                bad.append("%s: rule: without --from one of %s, --from %s" % (
                    fam, rules_evidence(e), ", ".join(fmt_key(k) for k in theirs) or "none"))
        elif rule_key(ef.get("rule")) != rule_key(e.get("rule")):
            bad.append("%s: rule: without --from %s, --from %s" % (
                fam, fmt_key(rule_key(e.get("rule"))), fmt_key(rule_key(ef.get("rule")))))
        if kernel is not None and kernel not in verdicts:
            bad.append("%s: without --from %s (scope %s), the kernel says %s" % (fam, e.get("verdict"), scope, kernel))
    elif e.get("verdict") == "accept" and scope is None:
        if ef.get("verdict") != "accept":
            bad.append("%s: without --from accept (no scope), --from says %s by %s" % (
                fam, ef.get("verdict"), fmt_key(rule_key(ef.get("rule")))))
        if kernel is not None and kernel != "accept":
            bad.append("%s: without --from accept (no scope), the kernel says %s" % (fam, kernel))
    return bad


def explain_fields(o):
    """What two explain answers must share (the CLI's and D-Bus')."""
    def one(x):
        r = x.get("rule") if isinstance(x.get("rule"), dict) else None
        return {"verdict": x.get("verdict"), "family": x.get("family"), "from": x.get("from"),
                "iif": x.get("iif"), "rule": r and {k: r.get(k) for k in ("family", "table", "chain", "handle", "text")},
                "rules": x.get("rules"), "rule_ambiguous": x.get("rule_ambiguous"),
                "scope": x.get("scope"), "frontend": x.get("frontend"), "remediation": x.get("remediation"),
                "reason": x.get("reason")}
    out = one(o)
    out["blocked_interfaces"] = o.get("blocked_interfaces")
    out["families"] = {k: one(v) for k, v in sorted((o.get("families") or {}).items())}
    return out


def same_explain(a, b, what_a, what_b):
    fa, fb = explain_fields(a), explain_fields(b)
    if fa == fb:
        return []
    bad = []
    for k in fa:
        if fa[k] != fb.get(k):
            bad.append("%s: %s %s, %s %s" % (k, what_a, short(fa[k], 300), what_b, short(fb.get(k), 300)))
    return bad

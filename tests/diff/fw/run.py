#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Kernel-differential test of `sshguardianctl explain` (root).

    run.py [--oracle-only] [--case NAME]... [--jobs N] [--keep-going]
           [SSHGUARDIANCTL] CORPUS_DIR

Every CORPUS_DIR/*.sh is a case: a bash script that builds a ruleset with
the real tools (nft, iptables-nft, ip6tables-nft, iptables-legacy, ufw,
fail2ban's nftables action, sshguard's sshg-fw-nft-sets).  For each case:

  1. two fresh network namespaces, server and client, joined by a veth
     (server sgfw0 192.0.2.1/24 2001:db8::1/64, client sgfw1 192.0.2.2/24
     2001:db8::2/64); a listener on TCP 22 and 2222 in the server;
  2. the case script runs in the server namespace, inside a private mount
     namespace whose /etc/ufw, /etc/default, /etc/fail2ban, /var/lib/ufw,
     /var/lib/fail2ban and /run are tmpfs copies (the host's files are never
     written);
  3. oracle 1, the kernel's verdict: connect() from the client to
     192.0.2.1:22 and [2001:db8::1]:22 (both at once), timeout 1.5 s:
     connected = accept, refused/unreachable = reject, time-out = drop;
  4. oracle 2, the deciding rule: during that connect, a trace table
     (netdev ingress on sgfw0 and inet prerouting, priority -500,
     `tcp dport 22 meta nftrace set 1`) and `nft monitor trace`; the first
     trace line of the client's packet with `(verdict drop)`,
     `(verdict reject)` or `policy drop` names family, table, chain and
     handle (null for a policy).  Rules of iptables-legacy are invisible to
     nft trace: when the trace names nothing, the legacy packet counters
     (zeroed before the connect) name the DROP/REJECT rule or policy that
     counted the SYN; its "handle" is its 1-based position in the chain, as
     `iptables-legacy -L --line-numbers` shows it.  When the TCP stack
     refused (no listener after a redirect) neither names anything: "rule"
     is not compared, only the verdict;
  5. the trace table is deleted, then
     `SSHGUARDIANCTL explain --from 192.0.2.2 --port 22 --json` (and
     `--from 2001:db8::2`) runs in the server namespace; its verdict must
     equal oracle 1 and, for drop/reject, its rule's family/table/chain/handle
     must equal oracle 2.

  6. the consistency of the views (issue 9, tests/consistency.py): in the
     server namespace `explain --port 22 --json` (no --from) and
     `audit --json -c CONF` (CONF: Ports=22 and an sshd_config of the
     test's; the listener is named "sshd", so audit judges the firewall
     only), per family:
       audit      blocked in explain <=> one firewall-drop/-reject finding
                  covering the family (family `any` covers both) with the
                  same cause, rule family/table/chain/handle, rule text,
                  scope, frontend and remediation; a block no rule decides
                  (the TCP stack refuses) needs some finding for the family;
       scope      explain never says `unknown` beside a certain scope
                  (all, ipv4, ipv6, some-interfaces);
       undecided  explain says `unknown` <=> audit lists the family in its
                  `undecided` array;
       from       when the answer without --from is certain for every
                  source (a block of scope all or the family, or an accept
                  without scope), explain --from has the same verdict and
                  rule, and the kernel agrees (not run otherwise).
     `ok CASE ipv4 consistency: audit scope undecided from` names the
     checks that ran and passed; each failing one has its own
     `FAIL CASE ipv4 consistency CHECK: ...` line with both outputs.

The case header records what the oracles said when the case was written
(`# expect ipv4: drop inet filter input 3`, `# expect ipv6: accept`); an
oracle that no longer says so is a failure too (a stale corpus or a changed
kernel: look before you "fix" explain).  --oracle-only runs just the oracles
and prints their answer in that header syntax.

Prints `ok CASE ipv4` / `FAIL CASE ipv4: ...` lines and a final
`N passed, M failed` (one check = one case and family against the kernel,
plus one per consistency check that ran); exits 1 on any
failure or when fewer than MIN_CASES cases ran (a full run).  Python
standard library only.  Touches nothing outside the namespaces it creates,
all of which it deletes on exit.
"""

import argparse
import concurrent.futures
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import itertools

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import consistency  # noqa: E402  (tests/consistency.py)

PAIR_SEQ = itertools.count(1)

MIN_CASES = 60
CONNECT_TIMEOUT = 1.5
EXPLAIN_TIMEOUT = 20
SRV_IF, CLI_IF = "sgfw0", "sgfw1"
FAMILIES = (
    # name, client (source), server (destination), legacy tool
    ("ipv4", "192.0.2.2", "192.0.2.1", "iptables-legacy"),
    ("ipv6", "2001:db8::2", "2001:db8::1", "ip6tables-legacy"),
)
HERE = os.path.dirname(os.path.abspath(__file__))

# Listener: accept and close, forever; prints "ready" once bound.
# Its name is "sshd" (prctl PR_SET_NAME): audit then takes it for sshd
# and judges nothing but the firewall (no port-in-use finding).
LISTENER = r"""
import ctypes, socket, select, sys
ctypes.CDLL(None).prctl(15, b"sshd", 0, 0, 0)
socks = []
for port in (22, 2222):
    for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, port)); s.listen(128); socks.append(s)
print("ready", flush=True)
while True:
    for s in select.select(socks, [], [])[0]:
        try: s.accept()[0].close()
        except OSError: pass
"""

# Client probe: both families at once; one JSON line {"ipv4": v, "ipv6": v}.
PROBE = r"""
import errno, json, socket, sys, threading
t = float(sys.argv[1]); out = {}
def probe(name, addr, fam):
    s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(t)
    try:
        s.connect((addr, 22)); out[name] = "accept"
    except socket.timeout:
        out[name] = "drop"
    except OSError as e:
        out[name] = ("reject" if e.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH,
                     errno.ENETUNREACH, errno.EACCES, errno.EPERM)
                     else "error:" + errno.errorcode.get(e.errno, str(e.errno)))
    finally:
        s.close()
ts = [threading.Thread(target=probe, args=a) for a in
      (("ipv4", "192.0.2.1", socket.AF_INET), ("ipv6", "2001:db8::1", socket.AF_INET6))]
[x.start() for x in ts]; [x.join() for x in ts]
print(json.dumps(out), flush=True)
"""

TRACE_TABLES = """
table netdev sgfw_trace {
	chain ingress {
		type filter hook ingress device "%s" priority -500; policy accept;
		tcp dport 22 meta nftrace set 1
	}
}
table inet sgfw_trace {
	set sync {
		type inet_service
	}
	chain pre {
		type filter hook prerouting priority -500; policy accept;
		tcp dport 22 meta nftrace set 1
	}
}
""" % SRV_IF
TRACE_DELETE = "delete table netdev sgfw_trace\ndelete table inet sgfw_trace\n"

# Private mounts for the case script: tmpfs copies of the directories the
# real tools write (ufw, fail2ban) so the host's files are never touched.
PRIVATE_DIRS = ("/etc/ufw", "/etc/default", "/etc/fail2ban", "/var/lib/ufw",
                "/var/lib/fail2ban")
CASE_WRAPPER = r"""
set -e
scratch=$1; shift
mount -t tmpfs sgfw-scratch "$scratch"
i=0
for d in %s; do
	[ -d "$d" ] || continue
	i=$((i + 1))
	cp -a "$d" "$scratch/$i"
	mount -t tmpfs sgfw-private "$d"
	cp -a "$scratch/$i/." "$d/"
done
mount -t tmpfs sgfw-run /run
set +e
exec bash -e "$@"
""" % " ".join(PRIVATE_DIRS)

FRONTEND_RE = re.compile(r"^#\s*frontend\s*:\s*(\S+)\s*$", re.M)
EXPECT_RE = re.compile(r"^#\s*expect\s+(ipv4|ipv6)\s*:\s*(.*?)\s*$", re.M)
# trace lines: "trace id ID FAMILY TABLE CHAIN rule TEXT (verdict V)",
# "... policy drop", "... packet: iif ... ip saddr ...".
TRACE_LINE_RE = re.compile(r"^trace id (\S+) (\S+) (\S+) (\S+) (.*)$")
RULE_VERDICT_RE = re.compile(r"^rule (.*) \(verdict (\w+)(?: [^)]*)?\)$")
HANDLE_RE = re.compile(r"^(.*?)\s*# handle (\d+)$")
LEGACY_CHAIN_RE = re.compile(
    r"^Chain (\S+) \((?:policy (\w+) (\d+) packets|\d+ references)")
LEGACY_RULE_RE = re.compile(r"^\s*(\d+)\s+(\d+)\s+\d+\s+(\S+)")


class Fail(Exception):
    pass


def run(args, timeout=30, check=True, input=None):
    p = subprocess.run(args, input=input, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout,
                       universal_newlines=True)
    if check and p.returncode != 0:
        raise Fail("%s: exit %d: %s" % (" ".join(args), p.returncode,
                                        p.stderr.strip()[-500:]))
    return p


class Pair:
    """A server and a client namespace joined by a veth, with a listener."""

    def __init__(self, tag):
        self.srv = "sgfw-srv-%d-%s" % (os.getpid(), tag)
        self.cli = "sgfw-cli-%d-%s" % (os.getpid(), tag)
        self.listener = None
        self.made = []

    def __enter__(self):
        for ns in (self.srv, self.cli):
            run(["ip", "netns", "add", ns])
            self.made.append(ns)
        run(["ip", "link", "add", SRV_IF, "netns", self.srv, "type", "veth",
             "peer", "name", CLI_IF, "netns", self.cli])
        for ns, dev, v4, v6 in ((self.srv, SRV_IF, "192.0.2.1", "2001:db8::1"),
                                (self.cli, CLI_IF, "192.0.2.2", "2001:db8::2")):
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
            run(["ip", "-n", ns, "addr", "add", v4 + "/24", "dev", dev])
            run(["ip", "-n", ns, "addr", "add", v6 + "/64", "dev", dev, "nodad"])
            run(["ip", "-n", ns, "link", "set", dev, "up"])
        # Permanent neighbour entries: a ruleset that drops ARP or ICMPv6
        # neighbour discovery must not hide the SYN from the oracles.
        macs = {}
        for ns, dev in ((self.srv, SRV_IF), (self.cli, CLI_IF)):
            macs[ns] = json.loads(run(["ip", "-n", ns, "-j", "link", "show", "dev", dev]).stdout)[0]["address"]
        for ns, dev, peer, v4, v6 in ((self.srv, SRV_IF, self.cli, "192.0.2.2", "2001:db8::2"),
                                      (self.cli, CLI_IF, self.srv, "192.0.2.1", "2001:db8::1")):
            for a in (v4, v6):
                run(["ip", "-n", ns, "neigh", "replace", a, "lladdr", macs[peer],
                     "dev", dev, "nud", "permanent"])
        self.listener = subprocess.Popen(
            ["ip", "netns", "exec", self.srv, "python3", "-c", LISTENER],
            stdout=subprocess.PIPE, universal_newlines=True)
        if self.listener.stdout.readline().strip() != "ready":
            raise Fail("listener did not start")
        return self

    def __exit__(self, *exc):
        if self.listener is not None:
            self.listener.kill()
            self.listener.wait()
        for ns in reversed(self.made):
            subprocess.run(["ip", "netns", "del", ns])
        return False

    def srv_exec(self, args, **kw):
        return run(["ip", "netns", "exec", self.srv] + args, **kw)


def run_case_script(pair, path, scratch):
    """Run the case in the server namespace, in a private mount namespace,
    in its own session so anything it leaves running (sshguard's
    sshg-fw-nft-sets) can be ended by process group afterwards."""
    p = subprocess.Popen(
        ["ip", "netns", "exec", pair.srv, "unshare", "--mount",
         "--propagation", "private", "bash", "-c", CASE_WRAPPER, "sgfw-case",
         scratch, path],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        universal_newlines=True, start_new_session=True,
        env=dict(os.environ, SRV_IF=SRV_IF, LC_ALL="C"))
    try:
        out, _ = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        raise Fail("case script timed out")
    if p.returncode != 0:
        raise Fail("case script failed (exit %d): %s" % (p.returncode, out.strip()[-800:]))
    return p.pid  # the process group of whatever it left behind


def end_group(pgid):
    """End what a case script left running (its own process group, which
    this harness created), before its namespaces go."""
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 2.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.time() + wait
        while time.time() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


def legacy_zero(pair):
    for fam in FAMILIES:
        for table in ("raw", "mangle", "nat", "filter"):
            pair.srv_exec([fam[3], "-t", table, "-Z"], check=False)


def legacy_decider(pair, tool):
    """The iptables-legacy rule or policy that dropped/rejected the SYN,
    from the packet counters: (table, chain, handle|None) or None."""
    for table in ("raw", "mangle", "nat", "filter"):
        p = pair.srv_exec([tool, "-t", table, "-L", "-v", "-x", "-n",
                           "--line-numbers"], check=False)
        if p.returncode != 0:
            continue
        chain = None
        policy_hit = None
        for line in p.stdout.splitlines():
            m = LEGACY_CHAIN_RE.match(line)
            if m:
                chain = m.group(1)
                if m.group(2) == "DROP" and int(m.group(3)) > 0:
                    policy_hit = policy_hit or (table, chain, None)
                continue
            m = LEGACY_RULE_RE.match(line)
            if m and chain and int(m.group(2)) > 0 and m.group(3) in ("DROP", "REJECT"):
                return (table, chain, int(m.group(1)))
        if policy_hit:
            return policy_hit
    return None


def parse_trace(lines, fam):
    """The first drop/reject the trace shows for the client's packet of
    family fam: dict or None.  Lines of one packet share a trace id (ids
    are reused by later packets); which packet an id stands for is read
    from the latest "packet:" line with that id."""
    src = {"ipv4": "ip saddr 192.0.2.2 ", "ipv6": "ip6 saddr 2001:db8::2 "}[fam]
    current = {}
    for line in lines:
        m = TRACE_LINE_RE.match(line)
        if not m:
            continue
        tid, family, table, chain, rest = m.groups()
        if rest.startswith("packet:"):
            current[tid] = src in rest
            continue
        if not current.get(tid):
            continue
        if rest.startswith("policy drop"):
            return {"family": family, "table": table, "chain": chain,
                    "handle": None, "text": None, "line": line}
        r = RULE_VERDICT_RE.match(rest)
        if r and r.group(2) in ("drop", "reject"):
            h = HANDLE_RE.match(r.group(1))
            return {"family": family, "table": table, "chain": chain,
                    "handle": int(h.group(2)) if h else None,
                    "text": h.group(1) if h else r.group(1), "line": line}
    return None


def oracles(pair):
    """Oracle 1 and 2 for both families: {fam: {"verdict", "rule"}}."""
    pair.srv_exec(["nft", "-f", "-"], input=TRACE_TABLES)
    legacy_zero(pair)
    # `nft monitor` without a filter: trace events plus ruleset events, so
    # that adding an element to the sync set tells when the monitor is
    # subscribed (before the probe) and when it has read every event that
    # came before (after the probe: one socket, events in order).
    mon = subprocess.Popen(
        ["ip", "netns", "exec", pair.srv, "stdbuf", "-oL", "nft", "-a",
         "monitor"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        universal_newlines=True, start_new_session=True)
    lines = []
    cond = threading.Condition()

    def reader():
        for line in mon.stdout:
            with cond:
                lines.append(line.rstrip("\n"))
                cond.notify_all()
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    seq = [0]

    def sync():
        deadline = time.time() + 10
        while time.time() < deadline:
            seq[0] += 1
            mark = "sgfw_trace sync { %d }" % seq[0]
            pair.srv_exec(["nft", "add element inet sgfw_trace sync { %d }" % seq[0]])
            with cond:
                if cond.wait_for(lambda: any(mark in l for l in lines), timeout=0.5):
                    return
        raise Fail("nft monitor did not report the sync element")
    try:
        sync()
        p = run(["ip", "netns", "exec", pair.cli, "python3", "-c", PROBE,
                 str(CONNECT_TIMEOUT)], timeout=30)
        verdicts = json.loads(p.stdout)
        sync()
    finally:
        mon.terminate()
        try:
            mon.wait(timeout=5)
        except subprocess.TimeoutExpired:
            mon.kill()
            mon.wait()
        t.join(timeout=5)
    pair.srv_exec(["nft", "-f", "-"], input=TRACE_DELETE)
    if not any(TRACE_LINE_RE.match(l) for l in lines):
        raise Fail("nft monitor trace saw nothing (monitor not ready?)")
    res = {}
    for fam in FAMILIES:
        v = verdicts[fam[0]]
        if v not in ("accept", "drop", "reject"):
            raise Fail("%s probe: %s (neither connected, refused nor timed out)" % (fam[0], v))
        rule, source = None, None
        if v in ("drop", "reject"):
            rule = parse_trace(lines, fam[0])
            source = "trace"
            if rule is None:
                leg = legacy_decider(pair, fam[3])
                if leg:
                    rule = {"family": "ip" if fam[0] == "ipv4" else "ip6",
                            "table": leg[0], "chain": leg[1], "handle": leg[2],
                            "text": None}
                    source = "legacy-counters"
                elif v == "reject":
                    source = "stack"  # refused by TCP: nothing to compare
                else:
                    source = "none"  # a drop nobody owns: an oracle failure
        res[fam[0]] = {"verdict": v, "rule": rule, "source": source}
    return res, lines


def expect_string(o):
    """Header syntax of an oracle answer."""
    s = o["verdict"]
    r = o["rule"]
    if r is not None:
        s += " %s %s %s %s" % (r["family"], r["table"], r["chain"],
                               "policy" if r["handle"] is None else r["handle"])
        if o["source"] == "legacy-counters":
            s += " (legacy)"
    elif o["source"] == "stack":
        s += " stack"
    elif o["source"] == "none":
        s += " UNTRACED"
    return s


def explain(pair, ctl, src):
    p = pair.srv_exec([ctl, "explain", "--local", "--from", src, "--port", "22", "--json"],
                      timeout=EXPLAIN_TIMEOUT, check=False)
    try:
        obj = json.loads(p.stdout)
    except ValueError:
        raise Fail("explain exit %d, not one JSON object: %r %s" % (
            p.returncode, p.stdout[:300], p.stderr.strip()[:300]))
    if not isinstance(obj, dict):
        raise Fail("explain: JSON is not an object: %r" % p.stdout[:300])
    return obj


def ctl_json(pair, ctl, args):
    p = pair.srv_exec([ctl] + args, timeout=EXPLAIN_TIMEOUT, check=False)
    try:
        obj = json.loads(p.stdout)
    except ValueError:
        raise Fail("%s exit %d, not one JSON object: %r %s" % (
            " ".join(args[:1]), p.returncode, p.stdout[:300], p.stderr.strip()[:300]))
    if not isinstance(obj, dict):
        raise Fail("%s: JSON is not an object: %r" % (args[0], p.stdout[:300]))
    return obj


CONSISTENCY_CHECKS = ("audit", "scope", "undecided", "from")


def consistency_checks(pair, ctl, conf, o, efrom):
    """The views of one judgement (tests/consistency.py): explain without
    --from against audit (a: "audit"), against itself (b: "scope": never
    unknown beside a certain scope), audit's undecided list (c:
    "undecided"), and explain --from with the kernel (d: "from": when the
    answer without --from is certain for every source).  Returns result
    tuples (label, ok, message, number of checks)."""
    try:
        ex = ctl_json(pair, ctl, ["explain", "--local", "--port", "22", "--json"])
        au = ctl_json(pair, ctl, ["audit", "--json", "-c", conf])
    except (Fail, subprocess.TimeoutExpired) as x:
        return [(fam + " consistency", False, str(x), len(CONSISTENCY_CHECKS)) for fam, *_ in FAMILIES]
    out = []
    findings = au.get("findings") if isinstance(au.get("findings"), list) else []
    for fam, *_ in FAMILIES:
        e = (ex.get("families") or {}).get(fam)
        if not isinstance(e, dict):
            out.append((fam + " consistency", False, "explain without --from has no families.%s: %s" % (
                fam, consistency.short(ex)), len(CONSISTENCY_CHECKS)))
            continue
        res = {"audit": consistency.check_audit(fam, e, findings),
               "scope": consistency.check_scope_certain(fam, e),
               "undecided": consistency.check_undecided(fam, e, au)}
        ran = ["audit", "scope", "undecided"]
        ef = efrom.get(fam)
        decisive = ((e.get("verdict") in consistency.BLOCKS and e.get("scope") in consistency.WHOLE_SCOPES) or
                    (e.get("verdict") == "accept" and e.get("scope") is None))
        if isinstance(ef, dict) and decisive:
            res["from"] = consistency.check_from(fam, ef, e, o[fam]["verdict"])
            ran.append("from")
        good = [k for k in ran if not res[k]]
        if good:
            out.append((fam + " consistency", True, " ".join(good) +
                        ("" if "from" in ran else " (from: n/a, scope %s)" % e.get("scope")), len(good)))
        for k in ran:
            if res[k]:
                out.append((fam + " consistency " + k, False, "; ".join(res[k]) +
                            " [explain: %s] [audit: %s]" % (
                                consistency.short(e, 700),
                                consistency.short({"healthy": au.get("healthy"), "undecided": au.get("undecided"),
                                                   "findings": [{"cause": f.get("cause"), "evidence": f.get("evidence")}
                                                                for f in findings]}, 1200)), 1))
    return out


def compare(fam, o, e):
    """Disagreements between oracle o and explain's object e (list)."""
    bad = []
    if e.get("verdict") != o["verdict"]:
        bad.append("verdict: kernel %s, explain %s" % (o["verdict"], e.get("verdict")))
    if e.get("family") != fam:
        bad.append("family: %r, want %r" % (e.get("family"), fam))
    if e.get("port") != 22:
        bad.append("port: %r, want 22" % (e.get("port"),))
    if o["verdict"] in ("drop", "reject") and o["rule"] is not None:
        r = e.get("rule")
        want = o["rule"]
        if not isinstance(r, dict):
            bad.append("rule: explain %r, kernel %s %s %s %s" % (
                r, want["family"], want["table"], want["chain"], want["handle"]))
        else:
            for k in ("family", "table", "chain", "handle"):
                if r.get(k) != want[k]:
                    bad.append("rule %s: kernel %r, explain %r" % (k, want[k], r.get(k)))
    return bad


def run_case(name, path, ctl, oracle_only, verbose, record_mode=False, conf=None):
    """Returns a list of (label, ok, message[, number of checks])."""
    with open(path) as f:
        header = f.read()
    expected = dict(EXPECT_RE.findall(header))
    frontend = FRONTEND_RE.findall(header)
    results = []
    scratch = tempfile.mkdtemp(prefix="sgfw-")
    leftover = None
    try:
        with Pair(str(next(PAIR_SEQ))) as pair:
            try:
                leftover = run_case_script(pair, path, scratch)
                o, lines = oracles(pair)
                efrom = {}
                if verbose:
                    for l in lines:
                        print("    trace: " + l)
                for fam, src, _dst, _tool in FAMILIES:
                    exp = expect_string(o[fam])
                    msgs = []
                    if o[fam]["source"] == "none":
                        results.append((fam, False, "oracle 2: a drop that neither nft trace "
                                        "nor the legacy counters name"))
                        continue
                    if oracle_only:
                        if fam in expected and expected[fam] != exp and not record_mode:
                            results.append((fam, False, "oracle says %r, case header says %r"
                                            % (exp, expected[fam])))
                        else:
                            results.append((fam, True, exp))
                        continue
                    if fam in expected and expected[fam] != exp:
                        msgs.append("oracle says %r, case header says %r" % (exp, expected[fam]))
                    try:
                        e = explain(pair, ctl, src)
                        efrom[fam] = e
                        msgs += compare(fam, o[fam], e)
                        if (frontend and o[fam]["rule"] is not None
                                and e.get("frontend") != frontend[0]):
                            msgs.append("frontend: %r, case says %r" % (e.get("frontend"), frontend[0]))
                    except (Fail, subprocess.TimeoutExpired) as x:
                        msgs.append(str(x))
                        e = None
                    if msgs:
                        if isinstance(e, dict) and e.get("reason"):
                            msgs.append("explain's reason: %s" % str(e.get("reason"))[:200])
                        if verbose and e is not None:
                            msgs.append("explain: %s" % json.dumps(e))
                        results.append((fam, False, "; ".join(msgs) + " [kernel: %s]" % exp))
                    else:
                        results.append((fam, True, exp))
                if not oracle_only and conf:
                    results += consistency_checks(pair, ctl, conf, o, efrom)
            finally:
                if leftover is not None:
                    end_group(leftover)
    except (Fail, subprocess.TimeoutExpired, OSError) as x:
        results = [(fam[0], False, "harness: %s" % x) for fam in FAMILIES]
    finally:
        try:
            os.rmdir(scratch)
        except OSError:
            pass
    return results


def record(path, results):
    """Replace the case's `# expect` lines by the oracles' answers, placed
    after the leading comment block."""
    with open(path) as f:
        lines = [l for l in f.read().splitlines(True) if not EXPECT_RE.match(l)]
    i = 0
    while i < len(lines) and lines[i].startswith("#"):
        i += 1
    new = ["# expect %s: %s\n" % (fam, msg) for fam, _ok, msg in results]
    with open(path, "w") as f:
        f.writelines(lines[:i] + new + lines[i:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--oracle-only", action="store_true",
                    help="only run the oracles and print what they say")
    ap.add_argument("--case", action="append", default=[],
                    help="run only this case (file name with or without .sh); repeatable")
    ap.add_argument("--jobs", "-j", type=int, default=4,
                    help="cases run in parallel, each in its own namespaces (default 4)")
    ap.add_argument("--verbose", "-v", action="store_true", help="print the trace")
    ap.add_argument("--record", action="store_true",
                    help="with --oracle-only: write the oracles' answers into the cases' "
                         "`# expect` header lines (review the diff!)")
    ap.add_argument("args", nargs="+", metavar="[SSHGUARDIANCTL] CORPUS_DIR")
    a = ap.parse_intermixed_args()
    if a.oracle_only:
        if len(a.args) not in (1, 2):
            ap.error("--oracle-only takes [SSHGUARDIANCTL] CORPUS_DIR")
        ctl, corpus = None, a.args[-1]
    else:
        if len(a.args) != 2:
            ap.error("need SSHGUARDIANCTL CORPUS_DIR")
        ctl, corpus = os.path.abspath(a.args[0]), a.args[1]
    if os.geteuid() != 0:
        print("run.py: needs root (network namespaces)", file=sys.stderr)
        return 2
    for tool in ("nft", "iptables-legacy", "ip6tables-legacy", "iptables-nft",
                 "unshare", "stdbuf"):
        if shutil.which(tool) is None:
            print("run.py: %s not found" % tool, file=sys.stderr)
            return 2
    names = sorted(f[:-3] for f in os.listdir(corpus) if f.endswith(".sh"))
    if a.case:
        want = [c[:-3] if c.endswith(".sh") else c for c in a.case]
        missing = [c for c in want if c not in names]
        if missing:
            print("run.py: no such case: %s" % " ".join(missing), file=sys.stderr)
            return 2
        names = want
    # Cases driven by a tool this machine lacks are reported as skipped,
    # never as passed; CI sets SSHGUARDIAN_REQUIRE_ALL=1 to make them fail.
    require_all = os.environ.get("SSHGUARDIAN_REQUIRE_ALL") == "1"
    skipped = 0
    runnable = []
    for name in names:
        with open(os.path.join(corpus, name + ".sh")) as f:
            needs = re.findall(r"^#\s*requires:\s*(\S+)\s*$", f.read(), re.M)
        lacking = [n for n in needs if not (os.path.exists(n) if n.startswith("/") else shutil.which(n))]
        if not lacking:
            runnable.append(name)
        elif require_all:
            print("FAIL %s: requires %s, not installed" % (name, " ".join(lacking)))
            runnable.append(None)
        else:
            print("SKIP %s: requires %s, not installed" % (name, " ".join(lacking)))
            skipped += 2
    t0 = time.time()
    passed = failed = 0
    failed += 2 * runnable.count(None)
    names = [n for n in runnable if n]
    lock = threading.Lock()

    # audit's settings: port 22 is the one to judge, whatever listens; an
    # sshd_config of the test's own (the host's is not read)
    confdir = tempfile.mkdtemp(prefix="sgfw-conf-")
    conf = os.path.join(confdir, "sshguardian.conf")
    with open(os.path.join(confdir, "sshd_config"), "w") as f:
        f.write("Port 22\n")
    with open(conf, "w") as f:
        f.write("[sshd]\nPorts=22\nConfigFile=%s\n" % os.path.join(confdir, "sshd_config"))

    def one(name):
        return name, run_case(name, os.path.abspath(os.path.join(corpus, name + ".sh")),
                              ctl, a.oracle_only, a.verbose, a.record, conf)

    def stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    ex = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs))
    try:
        for name, results in ex.map(one, names):
            with lock:
                if a.oracle_only and a.record and all(r[1] for r in results):
                    record(os.path.join(corpus, name + ".sh"), results)
                for fam, ok, msg, *n in results:
                    n = n[0] if n else 1
                    if a.oracle_only:
                        print("%s %s %s: %s" % ("oracle" if ok else "FAIL", name, fam, msg))
                    elif ok:
                        print("ok %s %s: %s" % (name, fam, msg))
                    else:
                        print("FAIL %s %s: %s" % (name, fam, msg))
                    if ok:
                        passed += n
                    else:
                        failed += n
                sys.stdout.flush()
    except KeyboardInterrupt:
        # cases under way finish and delete their namespaces; no new ones
        print("run.py: interrupted, cleaning up", file=sys.stderr)
        ex.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(confdir, ignore_errors=True)
        return 2
    ex.shutdown(wait=True)
    shutil.rmtree(confdir, ignore_errors=True)
    print("# %d cases in %.1f s" % (len(names), time.time() - t0))
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped) if skipped else
          "%d passed, %d failed" % (passed, failed))
    if failed or (not a.case and len(names) < MIN_CASES):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Pre-flight corpus: `check-ruleset` and `check-config` against the kernel (root).

    run.py [--case NAME]... [--jobs N] [--verbose] SSHGUARDIANCTL CORPUS_DIR

Every CORPUS_DIR/*.sh is a candidate change, a bash file with a header

    # kind: ruleset | config
    # requires: PATH                            (optional: skipped without it)
    # format: nft | iptables | ip6tables        (ruleset; default nft)
    # expect: safe | lockout | invalid          (what the kernel said when
                                                  the case was written)

and up to two functions:

    live       run in the server namespace before the check: the state the
               change is made on (rules made with nft, iptables-nft,
               iptables-legacy, ufw; a program holding a port, left running
               in the background);
    candidate  writes the candidate to "$CAND": by hand, or as a real tool's
               save command prints it (`nft list ruleset`, `iptables-save`,
               ufw's rules as iptables-save shows them), made in a scratch
               network namespace of its own, or from a capture committed
               beside the cases (firewalld/: real firewalld's `nft list
               ruleset`, remade by firewalld/capture.sh; only *.sh files
               of CORPUS_DIR itself are cases); for config cases, `sshd_base`
               prints the lines every candidate needs here (HostKey,
               PidFile none, UsePAM no).

For each case, in two fresh namespaces joined by a veth (tests/diff/fw/run.py's
Pair: server 192.0.2.1 2001:db8::1, client .2), with a real sshd on port 22 in
the server (`sshd -D -f BASE`):

  1. live runs (in a private mount namespace: ufw's and fail2ban's files are
     tmpfs copies);
  2. `nft list ruleset`, iptables-legacy-save and ip6tables-legacy-save are
     taken (the time left of elements with a timeout aside); `SSHGUARDIANCTL check-ruleset|check-config CAND --json -c CONF`
     runs in the server namespace (CONF: ConfigFile=BASE); the same listing
     again must be byte for byte what it was;
  3. the change is applied for real in the server namespace: `nft -f CAND`
     (iptables-restore, ip6tables-restore), or sshd restarted with CAND;
  4. the kernel says: a ruleset case by tests/diff/fw's oracles (a connect()
     from the client to port 22 over IPv4 and IPv6; the deciding rule from
     `nft monitor trace`, or the legacy counters); a config case by a
     connect() to every port of the candidate over both families that must
     read sshd's "SSH-2.0-" banner (another program's socket is a lockout
     too);
  5. the check must agree: exit 2 and "invalid" exactly when the tool (nft,
     iptables-restore, `sshd -t`) refuses the file; exit 1 and "lockout"
     exactly when some family fails, with, for each family the kernel
     blocked by a rule or policy, a finding naming that family, table,
     chain and handle (empty for a policy); else exit 0 and "safe".  The
     header's expectation must hold too (a stale corpus is a failure).

Prints `ok CASE: ...` / `FAIL CASE: ...` and `N passed, M failed`; exits 1 on
any failure or when fewer than MIN_CASES ran.  Touches nothing outside the
namespaces it creates (and a temporary directory; /run/sshd is created when
missing, as sshd needs it).
"""

import argparse
import concurrent.futures
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "fwrun", os.path.join(HERE, "..", "diff", "fw", "run.py"))
fw = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fw)

MIN_CASES = 30
CHECK_TIMEOUT = 60
HEADER_RE = re.compile(r"^#\s*(kind|format|expect|known-disagreement)\s*:\s*(.*?)\s*$", re.M)

# Client probe for config cases: each port, both families; "accept" only
# when sshd's banner arrives.
BANNER_PROBE = r"""
import json, socket, sys, threading
ports = [int(p) for p in sys.argv[1].split(",")]
out = {}
def probe(fam, af, addr, port):
    s = socket.socket(af, socket.SOCK_STREAM); s.settimeout(1.5)
    try:
        s.connect((addr, port))
        b = s.recv(64)
        out["%s/%d" % (fam, port)] = "accept" if b.startswith(b"SSH-") else "not-sshd"
    except socket.timeout:
        out["%s/%d" % (fam, port)] = "drop"
    except OSError as e:
        out["%s/%d" % (fam, port)] = "reject"
    finally:
        s.close()
ts = [threading.Thread(target=probe, args=(fam, af, addr, port)) for port in ports
      for fam, af, addr in (("ipv4", socket.AF_INET, "192.0.2.1"), ("ipv6", socket.AF_INET6, "2001:db8::1"))]
[t.start() for t in ts]; [t.join() for t in ts]
print(json.dumps(out))
"""

CASE_WRAPPER = fw.CASE_WRAPPER.replace('exec bash -e "$@"', r'''
case_file=$1; fn=$2
sshd_base() { printf 'HostKey %s\nPidFile none\nUsePAM no\n' "$HOSTKEY"; }
source "$case_file"
if declare -F "$fn" >/dev/null; then set -e; "$fn"; fi
''')


class Fail(Exception):
    pass


def header(path):
    with open(path) as f:
        h = dict(HEADER_RE.findall(f.read()))
    h.setdefault("format", "nft")
    return h


def run_fn(ns, case, fn, scratch, env):
    """Runs function FN of the case in namespace NS (a private mount
    namespace, its own process group); returns that group's id."""
    p = subprocess.Popen(
        ["ip", "netns", "exec", ns, "unshare", "--mount", "--propagation", "private",
         "bash", "-c", CASE_WRAPPER, "sgpf-case", scratch, case, fn],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
        start_new_session=True, env=dict(os.environ, LC_ALL="C", **env))
    try:
        out, _ = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        raise Fail("%s timed out" % fn)
    if p.returncode != 0:
        raise Fail("%s failed (exit %d): %s" % (fn, p.returncode, out.strip()[-600:]))
    return p.pid


EXPIRES_RE = re.compile(r" expires \S+")


def firewall_listing(pair):
    """The namespace's firewall as the tools print it; only the time left
    of set elements with a timeout ("expires 59m58s") is left out: it
    changes by itself."""
    out = []
    for cmd in (["nft", "list", "ruleset"], ["iptables-legacy-save"], ["ip6tables-legacy-save"]):
        p = pair.srv_exec(cmd, check=False)
        # the save commands' own "# Generated ... on DATE" lines are not state
        out.append("\n".join(EXPIRES_RE.sub("", l) for l in p.stdout.splitlines() if not l.startswith("# ")))
    return "\n=====\n".join(out)


def start_sshd(pair, config, wait_port=None):
    p = subprocess.Popen(["ip", "netns", "exec", pair.srv, "/usr/sbin/sshd", "-D", "-e", "-f", config],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, universal_newlines=True)
    deadline = time.time() + 5
    while time.time() < deadline:
        if p.poll() is not None:
            return p
        ss = pair.srv_exec(["ss", "-Htlnp"], check=False).stdout
        if '"sshd"' in ss and (wait_port is None or ":%d " % wait_port in ss):
            return p
        time.sleep(0.05)
    return p


def stop(p):
    if p is not None and p.poll() is None:
        p.kill()
    if p is not None:
        p.wait()


def check(pair, ctl, args):
    p = pair.srv_exec([ctl] + args + ["--json"], timeout=CHECK_TIMEOUT, check=False)
    try:
        obj = json.loads(p.stdout)
    except ValueError:
        raise Fail("check exit %d, not one JSON object: %r %s" % (p.returncode, p.stdout[:300], p.stderr[-300:]))
    return p.returncode, obj


def rule_matches(f, want):
    ev = f.get("evidence", {})
    handle = "" if want["handle"] is None else str(want["handle"])
    return (ev.get("rule_family") == want["family"] and ev.get("rule_table") == want["table"] and
            ev.get("rule_chain") == want["chain"] and ev.get("rule_handle") == handle)


def judge_ruleset(pair, ctl, case, h, cand, conf, work, verbose):
    fmt = h["format"]
    before = firewall_listing(pair)
    rc, obj = check(pair, ctl, ["check-ruleset", cand, "--format", fmt, "-c", conf])
    after = firewall_listing(pair)
    msgs = []
    if before != after:
        msgs.append("the check changed the live ruleset of its namespace")
    # as the check loaded it (an ip6tables-save file given as --format
    # iptables is loaded with ip6tables-restore: `loader` says so)
    apply = obj.get("loader") or {"nft": ["nft", "-f", cand], "iptables": ["iptables-restore", cand],
                                  "ip6tables": ["ip6tables-restore", cand]}[fmt]
    p = pair.srv_exec(apply, check=False)
    if p.returncode != 0:
        kernel = "invalid"
        detail = p.stderr.strip().splitlines()[0] if p.stderr.strip() else "exit %d" % p.returncode
        o = None
    else:
        o, _lines = fw.oracles(pair)
        blocked = [fam for fam in ("ipv4", "ipv6") if o[fam]["verdict"] != "accept"]
        kernel = "lockout" if blocked else "safe"
        detail = " ".join("%s:%s" % (fam, fw.expect_string(o[fam])) for fam in ("ipv4", "ipv6"))
    want_rc = {"safe": 0, "lockout": 1, "invalid": 2}[kernel]
    if obj.get("verdict") != kernel or rc != want_rc:
        msgs.append("check says %s (exit %d), kernel %s" % (obj.get("verdict"), rc, kernel))
    if kernel == "lockout" and obj.get("verdict") == "lockout":
        findings = obj.get("findings") or []
        for fam in ("ipv4", "ipv6"):
            if o[fam]["verdict"] == "accept":
                continue
            mine = [f for f in findings if f.get("evidence", {}).get("family") in (fam, "any")]
            if not mine:
                msgs.append("%s blocked by the kernel, no finding for it" % fam)
            elif o[fam]["rule"] is not None and not any(rule_matches(f, o[fam]["rule"]) for f in mine):
                r = o[fam]["rule"]
                msgs.append("%s: kernel's rule %s %s %s %s, check names %s" % (
                    fam, r["family"], r["table"], r["chain"], "policy" if r["handle"] is None else r["handle"],
                    "; ".join("%s %s %s %s" % tuple(f.get("evidence", {}).get(k) for k in (
                        "rule_family", "rule_table", "rule_chain", "rule_handle")) for f in mine)))
    if h.get("expect") and h["expect"] != kernel:
        msgs.append("kernel says %s, case header says %s" % (kernel, h["expect"]))
    line = ""
    for f in obj.get("findings") or []:
        if f.get("evidence", {}).get("file_line"):
            line = " at " + f["evidence"]["file_line"].rsplit(":", 1)[1]
            break
    summary = "%s (kernel: %s)%s" % (kernel, detail, line)
    if verbose or msgs:
        summary += " [check: %s]" % json.dumps(obj)[:1500]
    return msgs, summary


def judge_config(pair, ctl, case, h, cand, conf, base, sshd, work, verbose):
    before = firewall_listing(pair)
    rc, obj = check(pair, ctl, ["check-config", cand, "-c", conf])
    after = firewall_listing(pair)
    msgs = []
    if before != after:
        msgs.append("the check changed the live ruleset of its namespace")
    t = pair.srv_exec(["/usr/sbin/sshd", "-t", "-f", cand], check=False)
    new = None
    if t.returncode != 0:
        kernel = "invalid"
        detail = t.stderr.strip().splitlines()[-1] if t.stderr.strip() else "exit %d" % t.returncode
    else:
        ports = sorted({int(l.split()[1].rsplit(":", 1)[1]) for l in
                        pair.srv_exec(["/usr/sbin/sshd", "-T", "-f", cand]).stdout.splitlines()
                        if l.startswith("listenaddress ")})
        stop(sshd[0])
        sshd[0] = None
        new = start_sshd(pair, cand, wait_port=ports[0])
        sshd[0] = new
        time.sleep(0.2)
        p = fw.run(["ip", "netns", "exec", pair.cli, "python3", "-c", BANNER_PROBE,
                    ",".join(map(str, ports))], timeout=60)
        res = json.loads(p.stdout)
        bad = {k: v for k, v in res.items() if v != "accept"}
        kernel = "lockout" if bad else "safe"
        detail = " ".join("%s=%s" % kv for kv in sorted(res.items()))
        if new.poll() is not None:
            detail += " (sshd exited: %s)" % new.stderr.read().strip().replace("\n", " | ")[-300:]
    want_rc = {"safe": 0, "lockout": 1, "invalid": 2}[kernel]
    if obj.get("verdict") != kernel or rc != want_rc:
        msgs.append("check says %s (exit %d), kernel %s" % (obj.get("verdict"), rc, kernel))
    if h.get("expect") and h["expect"] != kernel:
        msgs.append("kernel says %s, case header says %s" % (kernel, h["expect"]))
    causes = ",".join(f.get("cause", "?") for f in obj.get("findings") or [] if f.get("unreachable"))
    summary = "%s (kernel: %s)%s" % (kernel, detail, " [%s]" % causes if causes else "")
    if verbose or msgs:
        summary += " [check: %s]" % json.dumps(obj)[:1500]
    return msgs, summary


def run_case(name, path, ctl, hostkey, verbose):
    h = header(path)
    work = tempfile.mkdtemp(prefix="sgpf-")
    scratch = tempfile.mkdtemp(prefix="sgpf-scratch-")
    cand = os.path.join(work, "candidate")
    base = os.path.join(work, "sshd_config")
    conf = os.path.join(work, "sshguardian.conf")
    with open(base, "w") as f:
        f.write("Port 22\nHostKey %s\nPidFile none\nUsePAM no\n" % hostkey)
    with open(conf, "w") as f:
        f.write("[sshd]\nConfigFile=%s\n" % base)
    env = {"CAND": cand, "HOSTKEY": hostkey, "CASE_DIR": work, "SRV_IF": fw.SRV_IF}
    groups = []
    sshd = [None]
    scratch_ns = "sgpf-cand-%d-%s" % (os.getpid(), name[:20])
    try:
        with fw.Pair("pf%d" % next(fw.PAIR_SEQ)) as pair:
            try:
                # the candidate, made where nothing else is
                subprocess.run(["ip", "netns", "add", scratch_ns], check=True)
                subprocess.run(["ip", "-n", scratch_ns, "link", "set", "lo", "up"], check=True)
                groups.append(run_fn(scratch_ns, path, "candidate", scratch, env))
                if not os.path.exists(cand):
                    raise Fail("candidate wrote no $CAND")
                # the real sshd instead of the harness's listener
                pair.listener.kill()
                pair.listener.wait()
                pair.listener = None
                sshd[0] = start_sshd(pair, base, wait_port=22)
                if sshd[0].poll() is not None:
                    raise Fail("sshd did not start: %s" % sshd[0].stderr.read()[-300:])
                groups.append(run_fn(pair.srv, path, "live", scratch, env))
                if h.get("kind") == "config":
                    msgs, summary = judge_config(pair, ctl, path, h, cand, conf, base, sshd, work, verbose)
                else:
                    msgs, summary = judge_ruleset(pair, ctl, path, h, cand, conf, work, verbose)
            finally:
                for g in groups:
                    fw.end_group(g)
                stop(sshd[0])
                subprocess.run(["ip", "netns", "del", scratch_ns], stderr=subprocess.DEVNULL)
    except (Fail, fw.Fail, subprocess.TimeoutExpired, subprocess.CalledProcessError, OSError) as x:
        return False, "harness: %s" % x
    finally:
        shutil.rmtree(work, ignore_errors=True)
        try:
            os.rmdir(scratch)
        except OSError:
            pass
    if h.get("known-disagreement"):
        # a disagreement the case documents (its header says where): it
        # must still disagree, else the note is stale
        if msgs:
            return True, "XFAIL (known disagreement: %s) %s" % ("; ".join(msgs), summary.split(" [check:")[0])
        return False, "XPASS: agrees now; remove its known-disagreement note -- " + summary
    return not msgs, ("; ".join(msgs) + " -- " if msgs else "") + summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", action="append", default=[])
    ap.add_argument("--jobs", "-j", type=int, default=4)
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("ctl")
    ap.add_argument("corpus")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("run.py: needs root (network namespaces)", file=sys.stderr)
        return 2
    for tool in ("nft", "iptables-restore", "ip6tables-restore", "iptables-legacy-save", "ufw", "ss",
                 "/usr/sbin/sshd", "ssh-keygen", "unshare", "stdbuf"):
        if not (os.path.exists(tool) if tool.startswith("/") else shutil.which(tool)):
            print("run.py: %s not found" % tool, file=sys.stderr)
            return 2
    ctl = os.path.abspath(a.ctl)
    names = sorted(f[:-3] for f in os.listdir(a.corpus) if f.endswith(".sh"))
    if a.case:
        want = [c[:-3] if c.endswith(".sh") else c for c in a.case]
        missing = [c for c in want if c not in names]
        if missing:
            print("run.py: no such case: %s" % " ".join(missing), file=sys.stderr)
            return 2
        names = want
    # cases driven by a tool this machine lacks (`# requires: PATH`) are
    # skipped, never passed; SSHGUARDIAN_REQUIRE_ALL=1 makes them fail
    skipped = []
    runnable = []
    for name in names:
        with open(os.path.join(a.corpus, name + ".sh")) as f:
            needs = re.findall(r"^#\s*requires:\s*(\S+)\s*$", f.read(), re.M)
        lacking = [n for n in needs if not (os.path.exists(n) if n.startswith("/") else shutil.which(n))]
        if lacking and os.environ.get("SSHGUARDIAN_REQUIRE_ALL") != "1":
            print("SKIP %s: requires %s, not installed" % (name, " ".join(lacking)))
            skipped.append(name)
        else:
            runnable.append(name)
    names = runnable
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    keydir = tempfile.mkdtemp(prefix="sgpf-keys-")
    hostkey = os.path.join(keydir, "ssh_host_ed25519_key")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostkey], check=True)
    t0 = time.time()
    passed = failed = xfail = 0

    def one(name):
        return name, run_case(name, os.path.abspath(os.path.join(a.corpus, name + ".sh")), ctl, hostkey,
                              a.verbose)

    ex = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs))
    try:
        for name, (ok, msg) in ex.map(one, names):
            print("%s %s: %s" % ("ok" if ok else "FAIL", name, msg))
            sys.stdout.flush()
            if ok:
                passed += 1
                xfail += msg.startswith("XFAIL")
            else:
                failed += 1
    except KeyboardInterrupt:
        ex.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(keydir, ignore_errors=True)
        return 2
    ex.shutdown(wait=True)
    shutil.rmtree(keydir, ignore_errors=True)
    print("# %d cases in %.1f s" % (len(names), time.time() - t0))
    print("%d passed (%d of them known disagreements), %d failed%s" % (
        passed, xfail, failed, ", %d skipped" % len(skipped) if skipped else ""))
    return 1 if failed or (not a.case and len(names) < MIN_CASES) else 0


if __name__ == "__main__":
    sys.exit(main())

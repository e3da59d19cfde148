#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Journal shipping end to end: the SSHGUARDIAN_* fields as a fleet's schema.

    journal-remote.py [--keep] BUILD_DIR

Boots the machine's OS in systemd-nspawn with the build installed over /usr
(tests/e2e/run.py's Container: same recipe, same masks, plus the units of
prometheus and systemd-journal-remote/-upload disabled by preset so that
only what this test starts runs), enables sshguardian.service, then:

  - a receiver: systemd-journal-remote --listen-http=127.0.0.1:PORT
    --output=/run/jremote/ on the container's own loopback (a transient
    unit of the container's systemd);
  - a sender: systemd-journal-upload --url=http://127.0.0.1:PORT, following
    the container's journal (another transient unit);
  - an nft reject rule on sshd's port (table inet e2e), then its removal;
    meanwhile `sshguardianctl explain` must be answered by the running
    daemon (`answered_by`, also as user nobody, in text), `--local` by the
    CLI's own read, with the same rule and fix.

The received journal files are queried by field, as a collector would:
`journalctl --file /run/jremote/*.journal SSHGUARDIAN_CAUSE=firewall-reject
SSHGUARDIAN_STATE=problem` must find the entry with its exact fields (rule
text, family, table, chain, handle, scope, frontend, port, family, who
changed it, remediation), identical to the entry in the container's own
journal (every SSHGUARDIAN_* field, MESSAGE and MESSAGE_ID); then the
resolved entry. Needs root, systemd-nspawn, systemd-journal-remote; exit 77
(skipped) when systemd-journal-remote is not installed.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import Container, NET_SETUP, Sanitizers, build_sanitizers, nft_handle, log  # noqa: E402

REMOTE = "/lib/systemd/systemd-journal-remote"
UPLOAD = "/lib/systemd/systemd-journal-upload"
PORT = 19532
OUT = "/run/jremote"
TIMEOUT = 30


def entries(c, files, *matches):
    r = c.sh("journalctl --no-pager -o json --file '%s' %s" % (files, " ".join(matches)), check=False)
    out = []
    for line in r.stdout.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def local_entries(c, *matches):
    r = c.sh("journalctl --no-pager -o json -u sshguardian.service %s" % " ".join(matches), check=False)
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


def wait_for(what, fn, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise RuntimeError("timed out waiting for " + what)
        time.sleep(0.2)


def sg_fields(e):
    return {k: v for k, v in e.items() if k.startswith("SSHGUARDIAN_") or k in ("MESSAGE", "MESSAGE_ID",
                                                                                 "PRIORITY", "SYSLOG_IDENTIFIER")}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("build_dir")
    a = ap.parse_args()
    if os.geteuid() != 0:
        log("FAIL journal-remote: needs root (systemd-nspawn)")
        return 1
    if not (os.access(REMOTE, os.X_OK) and os.access(UPLOAD, os.X_OK)):
        log("SKIP journal-remote: %s/%s missing (package systemd-journal-remote)" % (REMOTE, UPLOAD))
        return 77

    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="sshguardian-jremote-")
    dest = os.path.join(tmp, "dest")
    c = Container(tmp, dest, "sgjr%d" % os.getpid())
    passed, failed = [], []
    san = None

    def check(name, ok, detail=""):
        (passed if ok else failed).append(name)
        log("%s %s%s" % ("PASS" if ok else "FAIL", name, (": " + detail) if detail and not ok else ""))

    try:
        r = subprocess.run(["meson", "install", "-C", a.build_dir, "--no-rebuild", "--destdir", dest],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("meson install --destdir: " + (r.stdout + r.stderr)[-2000:])
        c.prepare()
        with open(os.path.join(c.preset, "00-sshguardian-e2e.preset"), "a") as f:
            f.write("disable prometheus.service\ndisable prometheus-node-exporter.service\n"
                    "disable systemd-journal-remote.socket\ndisable systemd-journal-remote.service\n"
                    "disable systemd-journal-upload.service\n")
        c.boot()
        log("container booted in %.1f s (leader pid %d)" % (time.monotonic() - started, c.leader))
        c.sh(NET_SETUP)
        which = build_sanitizers(a.build_dir)
        if which:
            san = Sanitizers(c, which)
            san.setup()
        c.sh("systemctl enable --now sshguardian.service")
        wait_for("sshguardian.service active",
                 lambda: c.run(["systemctl", "is-active", "sshguardian.service"], check=False)
                 .stdout.strip() == "active")

        # the receiver on the container's loopback, the sender following the journal
        c.sh("mkdir -p %s && systemd-run --unit=e2e-jremote %s --listen-http=127.0.0.1:%d --output=%s/"
             % (OUT, REMOTE, PORT, OUT))
        wait_for("journal-remote listening",
                 lambda: ":%d " % PORT in c.sh("ss -Htln", check=False).stdout)
        c.sh("systemd-run --unit=e2e-jupload %s --url=http://127.0.0.1:%d --save-state=/run/jupload.state"
             % (UPLOAD, PORT))
        files = OUT + "/*.journal"
        # something from before the breakage has arrived: systemd's line
        # for the daemon's start
        wait_for("the upload to start", lambda: entries(c, files, "UNIT=sshguardian.service"))
        check("upload-running", c.sh("systemctl is-active e2e-jupload e2e-jremote", check=False)
              .stdout.split() == ["active", "active"])

        c.write("/run/e2e.nft", "table inet e2e {\n\tchain input {\n"
                "\t\ttype filter hook input priority 0; policy accept;\n"
                "\t\ttcp dport 22 reject\n\t}\n}\n")
        c.sh("nft -f /run/e2e.nft")
        handle = int(nft_handle(c, "inet", "e2e", "input"))
        match = ["SSHGUARDIAN_CAUSE=firewall-reject", "SSHGUARDIAN_STATE=problem"]
        local = wait_for("the local problem entry", lambda: local_entries(c, *match))
        t0 = time.monotonic()
        remote = wait_for("the problem entry in the received journal", lambda: entries(c, files, *match))
        log("problem entry received %.0f ms after it was in the local journal" % ((time.monotonic() - t0) * 1000))
        check("one-problem-entry-received", len(remote) == 1, "%d entries" % len(remote))
        e = remote[0]
        want = {
            "SYSLOG_IDENTIFIER": "sshguardiand",
            "SSHGUARDIAN_CAUSE": "firewall-reject",
            "SSHGUARDIAN_STATE": "problem",
            "SSHGUARDIAN_PORT": "22",
            "SSHGUARDIAN_FAMILY": "any",
            "SSHGUARDIAN_SCOPE": "all",
            "SSHGUARDIAN_FRONTEND": "nftables",
            "SSHGUARDIAN_RULE": "tcp dport 22 reject",
            "SSHGUARDIAN_RULE_FAMILY": "inet",
            "SSHGUARDIAN_RULE_TABLE": "e2e",
            "SSHGUARDIAN_RULE_CHAIN": "input",
            "SSHGUARDIAN_RULE_HANDLE": str(handle),
            "SSHGUARDIAN_CHANGED_BY_COMM": "nft",
            "SSHGUARDIAN_REMEDIATION": "nft delete rule inet e2e input handle %d" % handle,
        }
        for k, v in want.items():
            check("remote-field %s" % k, e.get(k) == v, "%r, expected %r" % (e.get(k), v))
        check("remote-equals-local", sg_fields(e) == sg_fields(local[-1]),
              "remote %s\nlocal %s" % (sg_fields(e), sg_fields(local[-1])))
        check("remote-hostname", e.get("_HOSTNAME") == local[-1].get("_HOSTNAME"),
              "%r vs %r" % (e.get("_HOSTNAME"), local[-1].get("_HOSTNAME")))
        # the query a collector runs with the rule's own coordinates
        hit = entries(c, files, "SSHGUARDIAN_RULE_TABLE=e2e", "SSHGUARDIAN_RULE_HANDLE=%d" % handle)
        check("query-by-rule", len(hit) == 1 and hit[0].get("SSHGUARDIAN_STATE") == "problem",
              "%d entries" % len(hit))

        # explain answered by the running daemon (issue 13), and by the CLI's own read
        for args, by in ((["--from", "192.0.2.5"], "sshguardiand"), (["--local", "--from", "192.0.2.5"], "sshguardianctl"),
                         ([], "sshguardiand")):
            r = c.run(["sshguardianctl", "explain", "--json"] + args, check=False)
            try:
                o = json.loads(r.stdout)
            except ValueError:
                o = {}
            rule = o.get("rule") or {}
            check("explain %s answered by %s" % (" ".join(args) or "(any source)", by),
                  r.returncode == 1 and o.get("answered_by") == by and o.get("verdict") == "reject" and
                  rule.get("handle") == handle and rule.get("table") == "e2e" and
                  o.get("remediation") == want["SSHGUARDIAN_REMEDIATION"],
                  "exit %d: %s %s" % (r.returncode, r.stdout[:400], r.stderr[:200]))
        r = c.run(["sshguardianctl", "explain", "--from", "192.0.2.5"], user="nobody", check=False)
        check("explain as nobody answered by the daemon (text)",
              r.returncode == 1 and r.stdout.startswith("answered by sshguardiand") and
              "rule: inet e2e input handle %d: tcp dport 22 reject" % handle in r.stdout and
              "fix: " + want["SSHGUARDIAN_REMEDIATION"] in r.stdout, r.stdout + r.stderr)

        c.sh("nft delete table inet e2e")
        res = wait_for("the resolved entry in the received journal",
                       lambda: entries(c, files, "SSHGUARDIAN_CAUSE=firewall-reject", "SSHGUARDIAN_STATE=resolved"))
        check("resolved-received", len(res) == 1 and res[0].get("SSHGUARDIAN_RULE_HANDLE") == str(handle),
              json.dumps([sg_fields(x) for x in res]))
    except (Exception, KeyboardInterrupt) as ex:
        check("journal-remote-harness", False, str(ex) or type(ex).__name__)
    finally:
        # a sanitized build: the daemon stopped, its reports (run.py's Sanitizers)
        if san:
            try:
                problems, _ = san.check()
                check("sanitizers-report-nothing", not problems, "\n    ".join([""] + problems))
            except Exception as ex:
                check("sanitizers-report-nothing", False, "harness: %s" % ex)
        if a.keep:
            log("kept: %s, container leader pid %s, systemd-nspawn pid %s" % (
                tmp, c.leader, c.proc.pid if c.proc else None))
        else:
            c.kill()
            shutil.rmtree(tmp, ignore_errors=True)
    if san and san.report:
        log("sanitizer reports:")
        for line in san.report:
            log("  " + line)
    log("took %.0f s" % (time.monotonic() - started))
    log("%d passed, %d failed" % (len(passed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

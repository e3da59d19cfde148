#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The fix test without systemd (issue 10): `audit --json` where no systemd
manages sshd, and its remediation run as written (root).

    run.py [--keep] SSHGUARDIANCTL

This machine runs no systemd (no system bus): to sshguardianctl the units
are unknown, and sshd is judged by its sockets.  Two network namespaces of
the test's own, joined by a veth pair: a server (192.0.2.1/24,
2001:db8::1/64) and a client (192.0.2.5, 2001:db8::5).  sshd is installed
and not running in the server namespace, its configuration untouched (the
system's /etc/ssh/sshd_config).  For each variant:

  sysv    the host as it is (/etc/init.d/ssh and service(8) present);
  plain   /etc/init.d/ssh hidden (/dev/null bound over it in a private
          mount namespace): a host where only sshd itself can start sshd;

`sshguardianctl audit --json` in the server namespace must exit 1 and say
`systemd: false` and exactly one finding, `not-running`, with a
remediation; that remediation runs verbatim (`sh -c`) in the same
namespaces; then a TCP connection from the client namespace to each family
reads sshd's "SSH-2.0-" banner, and `audit --json` exits 0 with no finding.

The sshd the remediation started listens only in the server namespace (its
own network stack: nothing listens outside it); the test finds it by its
pid file and by scanning /proc for sshd processes in that namespace, and
ends exactly those by pid.  /run/sshd.pid (sshd's default PidFile, shared
with the host's /run) must not name a live sshd before the test starts;
the test removes it afterwards if it names one of its processes.  Prints
`ok NAME` / `FAIL NAME: ...` and `N passed, M failed`; exits 1 on any
failure.  Python standard library only.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

NS = "sgns%d" % os.getpid()
SRV, CLI = NS + "-srv", NS + "-cli"
ADDRS = {"ipv4": "192.0.2.1", "ipv6": "2001:db8::1"}
PIDFILE = "/run/sshd.pid"
BANNER_PY = (
    "import socket, sys\n"
    "s = socket.create_connection((sys.argv[1], 22), timeout=3)\n"
    "s.settimeout(3)\n"
    "b = b''\n"
    "while b'\\n' not in b and len(b) < 512:\n"
    "    d = s.recv(256)\n"
    "    if not d:\n"
    "        break\n"
    "    b += d\n"
    "print(b.split(b'\\n')[0].decode(errors='replace').strip())\n")
# /etc/init.d/ssh hidden from the commands run in this mount namespace only
HIDE_SYSV = "mount --bind /dev/null /etc/init.d/ssh && "
OUTSIDE = [""]          # port 22's listeners in the test's own network namespace, before


def log(msg=""):
    print(msg, flush=True)


def run(argv, check=True, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(argv), r.returncode, (r.stderr or r.stdout).strip()))
    return r


def in_srv(script, hide_sysv):
    """SCRIPT with sh -c in the server namespace; for the plain variant in
    a private mount namespace with /etc/init.d/ssh hidden."""
    if hide_sysv:
        return ["ip", "netns", "exec", SRV, "unshare", "-m", "--propagation", "private",
                "sh", "-c", HIDE_SYSV + script]
    return ["ip", "netns", "exec", SRV, "sh", "-c", script]


def netns_inode(name):
    return os.stat("/run/netns/" + name).st_ino


def sshd_pids_in(name):
    """sshd processes whose network namespace is NAME's."""
    want = "net:[%d]" % netns_inode(name)
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            if os.readlink("/proc/%s/ns/net" % d) != want:
                continue
            with open("/proc/%s/comm" % d) as f:
                if f.read().strip() == "sshd":
                    pids.append(int(d))
        except OSError:
            pass
    return pids


def pidfile_pid():
    try:
        with open(PIDFILE) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive_sshd(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip() == "sshd"
    except OSError:
        return False


def stop_ours(pids):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for p in pids:
            try:
                os.kill(p, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 3
        while any(os.path.exists("/proc/%d" % p) and alive_sshd(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.05)


def audit(ctl, hide_sysv):
    # (--local: its own read of this namespace, whatever daemon may run on
    # a system bus the namespace still reaches)
    r = run(in_srv("%s audit --json --local" % ctl, hide_sysv), check=False)
    try:
        return r.returncode, json.loads(r.stdout), r
    except ValueError:
        return r.returncode, None, r


def banner(family):
    deadline = time.monotonic() + 3
    while True:
        r = run(["ip", "netns", "exec", CLI, "python3", "-c", BANNER_PY, ADDRS[family]], check=False, timeout=15)
        text = r.stdout.strip() if r.returncode == 0 else (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1]
        if r.returncode == 0 and text.startswith("SSH-2.0-"):
            return True, text
        if time.monotonic() > deadline:
            return False, text
        time.sleep(0.1)


def variant(ctl, name, hide_sysv, expected):
    problems, notes, started = [], [], []
    try:
        if sshd_pids_in(SRV):
            raise RuntimeError("an sshd already runs in the namespace")
        rc, out, r = audit(ctl, hide_sysv)
        if out is None:
            raise RuntimeError("audit --json is not JSON (exit %d): %s" % (rc, (r.stdout + r.stderr)[-500:]))
        if rc != 1:
            problems.append("audit --json with sshd not running: expected exit 1, observed %d" % rc)
        if out.get("systemd") is not False:
            problems.append("audit --json says systemd: %r (this machine runs none)" % out.get("systemd"))
        found = out.get("findings", [])
        causes = [f.get("cause") for f in found]
        if causes != ["not-running"]:
            problems.append("audit --json findings: expected [not-running], observed %s: %s" % (
                causes, [f.get("message") for f in found]))
        f = next((f for f in found if f.get("cause") == "not-running"), None)
        rem = f.get("evidence", {}).get("remediation") if f else None
        if f and rem != expected:
            problems.append("not-running's remediation: expected %r, observed %r" % (expected, rem))
        if f and f.get("unreachable") is not True:
            problems.append("not-running is not marked unreachable: %s" % f)
        if not rem:
            raise RuntimeError("no remediation to run")
        notes.append("remediation %r" % rem)
        r = run(in_srv(rem, hide_sysv), check=False, timeout=60)
        if r.returncode != 0:
            problems.append("`%s` exited %d: %s" % (rem, r.returncode, (r.stderr or r.stdout).strip()))
        time.sleep(0.2)
        started = sshd_pids_in(SRV)
        p = pidfile_pid()
        if p and p not in started and alive_sshd(p) and os.readlink("/proc/%d/ns/net" % p) == \
                "net:[%d]" % netns_inode(SRV):
            started.append(p)
        if not started:
            problems.append("no sshd runs in the namespace after `%s`" % rem)
        outside = run(["ss", "-Htln", "sport = :22"], check=False).stdout
        if outside != OUTSIDE[0]:
            problems.append("port 22 listeners outside the namespace changed: %r -> %r" % (OUTSIDE[0], outside))
        for fam in ("ipv4", "ipv6"):
            ok, text = banner(fam)
            if not ok:
                problems.append("no sshd banner from the client (%s port 22): %s" % (ADDRS[fam], text))
            elif fam == "ipv4":
                notes.append(text)
        rc, out, r = audit(ctl, hide_sysv)
        if rc != 0 or not out or out.get("findings"):
            problems.append("audit --json after the fix: expected exit 0 and no finding, observed exit %d: %s" % (
                rc, out.get("findings") if out else (r.stdout + r.stderr)[-300:]))
    except Exception as ex:
        problems.append("harness: %s" % ex)
    finally:
        ours = sorted(set(started) | set(sshd_pids_in(SRV)))
        stop_ours(ours)
        if pidfile_pid() in ours:
            os.unlink(PIDFILE)
        left = sshd_pids_in(SRV)
        if left:
            problems.append("sshd processes %s survived SIGKILL" % left)
    if problems:
        log("FAIL %s:" % name)
        for p in problems:
            log("    - " + p)
    else:
        log("ok %s (%s)" % (name, "; ".join(notes)))
    return not problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", action="store_true", help="leave the namespaces in place")
    ap.add_argument("sshguardianctl")
    a = ap.parse_args()
    ctl = os.path.abspath(a.sshguardianctl)
    if os.geteuid() != 0:
        log("FAIL nosystemd: needs root (network namespaces, sshd)")
        log("0 passed, 1 failed")
        return 1
    missing = [t for t in ("ip", "unshare", "/usr/sbin/sshd") if not shutil.which(t)]
    if missing or not os.path.isfile("/etc/ssh/sshd_config"):
        log("FAIL nosystemd: %s not installed (packages: iproute2, util-linux, openssh-server)" %
            (", ".join(missing) or "/etc/ssh/sshd_config"))
        log("0 passed, 1 failed")
        return 1
    p = pidfile_pid()
    if p and alive_sshd(p):
        log("FAIL nosystemd: %s names a running sshd (pid %d): the init script would take it for ours" % (PIDFILE, p))
        log("0 passed, 1 failed")
        return 1
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    OUTSIDE[0] = run(["ss", "-Htln", "sport = :22"], check=False).stdout
    passed = failed = 0
    run(["ip", "netns", "add", SRV])
    try:
        run(["ip", "netns", "add", CLI])
        run(["ip", "-n", SRV, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", CLI])
        for ns, last in ((SRV, 1), (CLI, 5)):
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
            run(["ip", "-n", ns, "addr", "add", "192.0.2.%d/24" % last, "dev", "eth0"])
            run(["ip", "-n", ns, "addr", "add", "2001:db8::%d/64" % last, "dev", "eth0", "nodad"])
            run(["ip", "-n", ns, "link", "set", "eth0", "up"])
        has_sysv = os.access("/etc/init.d/ssh", os.X_OK) and (shutil.which("service") is not None)
        variants = [("plain-sshd", True, "install -d -m 0755 /run/sshd && /usr/sbin/sshd")]
        if has_sysv:
            variants.insert(0, ("sysv-script", False, "service ssh start"))
        else:
            log("note: no /etc/init.d/ssh and service(8): the sysv-script variant is not possible here")
        for name, hide, expected in variants:
            if variant(ctl, "not-running-fixed-as-written-" + name, hide, expected):
                passed += 1
            else:
                failed += 1
    except (Exception, KeyboardInterrupt) as ex:
        log("FAIL nosystemd-harness: %s" % (str(ex) or type(ex).__name__))
        failed += 1
    finally:
        stop_ours(sshd_pids_in(SRV))
        if a.keep:
            log("kept: namespaces %s %s" % (SRV, CLI))
        else:
            for ns in (SRV, CLI):
                subprocess.run(["ip", "netns", "delete", ns], capture_output=True)
    log("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""sshguardiand under scale and change (issue 13): figures, not assertions.

    daemon-scale.py BUILDDIR [--rules N] [--storm-rate R] [--storm-secs S]
                    [--replace-secs S] [--replace-rules N] [--json OUT]

In a network namespace of its own (tests/daemon/run.py's harness: a real
sshd, a private system-type dbus-daemon with the project's policy, the
daemon started as its tests start it), with N (default 100,000) rules
`ip saddr 10.X.Y.Z tcp dport 22 drop` in one chain and a ban set
(`inet storm banned`, looked up by a rule at priority -10):

1. explain via the daemon: `sshguardianctl explain --from 192.0.2.77`
   (answered by sshguardiand over D-Bus, checked), median and best of 30,
   against `nft list ruleset` (best of 3) and `explain --local --from`
   (the CLI's own read, best of 3) on the same ruleset.
2. One change absorbed: CPU time of the daemon (all its threads,
   /proc/PID/task/*/schedstat, ns) over 100 changes of each kind, made one
   by one with nft, minus its idle CPU over the same time, per change:
   a rule appended to the 100,000-rule chain, an element added to the ban
   set, a rule in a table no TCP SYN to sshd passes (an output chain).
   Reference: CPU time of one full read (`explain --local`, the re-dump and
   judgement the daemon would otherwise do) and of `nft list ruleset`.
3. Ban storm: R elements/s (default 10,000) for S seconds (default 60),
   100 elements per transaction through one `nft -i`; the daemon's RSS
   before, peak and after, its CPU, ENOBUFS re-reads (its log), the lag
   from the last transaction to the daemon answering `drop` for the last
   address banned, and no event lost: the whole set dumped once afterwards
   (`nft -j list set`) must hold every element sent, and for 501 banned
   (random, seeded, and the last) and 500 unbanned addresses the daemon's
   Explain() verdict must equal membership in that dump; one
   banned/unbanned pair must equal `explain --local` (the CLI's own read).
4. Full replacements (firewalld's reload): every second for REPLACE_SECS
   (default 60), one transaction deletes and remakes `inet firewalld`
   (REPLACE_RULES accepts and a reject of another source each time); the
   lag until the daemon's Explain() has the new table (the new source
   rejected, the last one accepted again), its RSS and CPU, ENOBUFS
   re-reads, and the daemon against a fresh read at the end.
Root; touches nothing outside its namespace.
"""

import argparse
import glob
import importlib.util
import json
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
spec = importlib.util.spec_from_file_location("daemon_run", os.path.join(SRC, "tests", "daemon", "run.py"))
dr = importlib.util.module_from_spec(spec)
sys.path.insert(0, os.path.join(SRC, "tests"))
spec.loader.exec_module(dr)

NS = dr.NS
ADDR = "192.0.2.77"


def log(*a):
    print(*a, flush=True)


def ns(*args, **kw):
    return subprocess.run(["ip", "netns", "exec", NS] + list(args), capture_output=True, text=True, **kw)


def timed(argv, env=None):
    """wall seconds, and the child's CPU seconds (user+sys)"""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, text=True, env=env)
    t = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return t, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), p


def cpu_ns(pid):
    total = 0
    for f in glob.glob("/proc/%d/task/*/schedstat" % pid):
        try:
            total += int(open(f).read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def bus_verdict(bus, addr):
    p = subprocess.run(["busctl", "--address=" + bus.address, "--json=short", "call", "org.sshguardian1",
                        "/org/sshguardian1", "org.sshguardian1.Manager", "Explain", "sq", addr, "22"],
                       capture_output=True, text=True)
    return json.loads(p.stdout)["data"][0] if p.returncode == 0 else "error"


def firewalld_table(n_rules, k):
    """What firewalld writes when it reloads (one transaction: its table
    deleted and made again): N_RULES service accepts, and this round's
    reject of source 198.51.100.K (K mod 250) to port 22."""
    lines = ["add table inet firewalld", "delete table inet firewalld", "table inet firewalld {",
             " chain filter_INPUT {", "  type filter hook input priority 10; policy accept;",
             "  ct state established,related accept", "  iifname \"lo\" accept",
             "  ip saddr 198.51.100.%d tcp dport 22 reject" % (k % 250 + 1)]
    lines += ["  tcp dport %d accept" % (10000 + i) for i in range(n_rules)]
    lines += [" }", "}", ""]
    return "\n".join(lines)


def replace_storm(a, res, bus, pid, tmp, ctl, env):
    """Every second for REPLACE_SECS s, firewalld's reload: its whole table
    replaced in one transaction, each time rejecting another source.  After
    each, how long until the daemon's Explain() says reject for the new
    source and accept for the last one (lag, from the end of `nft -f`);
    RSS before, peak and after; ENOBUFS re-reads; then the daemon against
    a fresh read."""
    # the sources arrive through sgd0, as a real host's do (without a route
    # their interface is unknown, and firewalld's `iifname "lo" accept`
    # leaves the verdict undecided)
    ns("ip", "route", "replace", "default", "via", "192.0.2.254", "dev", "sgd0")
    path = os.path.join(tmp, "firewalld.nft")
    stderr_path = os.path.join(tmp, "daemon.stderr")
    mark = os.path.getsize(stderr_path)
    rss0 = status_kb(pid, "VmRSS")
    rss_peak, lags, missed = rss0, [], 0
    c0 = cpu_ns(pid)
    start = time.monotonic()
    for k in range(a.replace_secs):
        due = start + k
        now = time.monotonic()
        if now < due:
            time.sleep(due - now)
        with open(path, "w") as f:
            f.write(firewalld_table(a.replace_rules, k))
        p = ns("nft", "-f", path)
        if p.returncode != 0:
            raise RuntimeError("nft -f %s: %s" % (path, p.stderr.strip()[-300:]))
        t = time.monotonic()
        new, old = "198.51.100.%d" % (k % 250 + 1), "198.51.100.%d" % ((k - 1) % 250 + 1)
        while True:
            if bus_verdict(bus, new) == "reject" and (k == 0 or bus_verdict(bus, old) == "accept"):
                lags.append(time.monotonic() - t)
                break
            if time.monotonic() - t > 0.9:
                missed += 1
                if missed == 1:
                    log("replacement %d: after 0.9 s the daemon says %s for %s, %s for %s" % (
                        k, bus_verdict(bus, new), new, bus_verdict(bus, old), old))
                break
            time.sleep(0.002)
        rss_peak = max(rss_peak, status_kb(pid, "VmRSS"))
    cpu = (cpu_ns(pid) - c0) / 1e9
    time.sleep(2)
    rss1 = status_kb(pid, "VmRSS")
    enobufs = open(stderr_path).read()[mark:].count("overran")
    last = "198.51.100.%d" % ((a.replace_secs - 1) % 250 + 1)
    pd = json.loads(subprocess.run([ctl, "explain", "--json", "--from", last], env=env,
                                   capture_output=True, text=True).stdout)
    pl = json.loads(ns(ctl, "explain", "--local", "--json", "--from", last).stdout)
    same = (pd.get("answered_by") == "sshguardiand" and pd.get("verdict") == pl.get("verdict") == "reject"
            and pd.get("rule") == pl.get("rule"))
    ns("nft", "delete", "table", "inet", "firewalld")
    res.update(replace_secs=a.replace_secs, replace_rules=a.replace_rules, replace_n=len(lags) + missed,
               replace_lag_median_s=statistics.median(lags) if lags else None,
               replace_lag_max_s=max(lags) if lags else None, replace_missed=missed, replace_cpu_s=cpu,
               replace_rss_before_kb=rss0, replace_rss_peak_kb=rss_peak, replace_rss_after_kb=rss1,
               replace_enobufs=enobufs, replace_equals_fresh=same)
    log("replacement storm: %d full replacements of a %d-rule table, one a second: lag median %s, max %s, "
        "%d not caught up within 0.9 s; daemon CPU %.1f s; RSS %d -> peak %d -> %d KB; ENOBUFS %d; "
        "daemon = fresh read: %s" % (
            len(lags) + missed, a.replace_rules,
            "%.1f ms" % (statistics.median(lags) * 1000) if lags else "-",
            "%.1f ms" % (max(lags) * 1000) if lags else "-", missed, cpu, rss0, rss_peak, rss1, enobufs, same))


def status_kb(pid, key):
    for line in open("/proc/%d/status" % pid):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def ruleset(n):
    out = ["table inet bench {", " chain input {", "  type filter hook input priority 0; policy accept;"]
    for i in range(n):
        a, b = divmod(i, 250)
        out.append("  ip saddr 10.%d.%d.%d tcp dport 22 drop" % (a // 250, a % 250, b + 1))
    out += [" }", "}",
            "table inet storm {", " set banned { type ipv4_addr; }",
            " chain input {", "  type filter hook input priority -10; policy accept;",
            "  ip saddr @banned tcp dport 22 drop", " }", "}",
            "table inet quiet {", " chain output {", "  type filter hook output priority 0; policy accept;",
            " }", "}"]
    return "\n".join(out) + "\n"


def storm_addr(i):
    # 100.64.0.0/10: unique addresses, none in the bench chain's 10/8
    return "100.%d.%d.%d" % (64 + (i >> 16), (i >> 8) & 255, i & 255)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build")
    ap.add_argument("--rules", type=int, default=100000)
    ap.add_argument("--storm-rate", type=int, default=10000)
    ap.add_argument("--storm-secs", type=int, default=60)
    ap.add_argument("--changes", type=int, default=100)
    ap.add_argument("--replace-secs", type=int, default=60)
    ap.add_argument("--replace-rules", type=int, default=300)
    ap.add_argument("--json")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    daemon = os.path.join(build, "daemon", "sshguardiand")
    ctl = os.path.join(build, "daemon", "sshguardianctl")
    res = {"rules": a.rules}
    tmp = tempfile.mkdtemp(prefix="sg-scale-")
    os.chmod(tmp, 0o755)
    d = sshd = bus = None
    subprocess.run(["ip", "netns", "add", NS], check=True)
    try:
        dr.sh("ip", "link", "set", "lo", "up")
        dr.sh("ip", "link", "add", "sgd0", "type", "veth", "peer", "name", "sgd1")
        dr.sh("ip", "link", "set", "sgd1", "up")
        dr.sh("ip", "link", "set", "sgd0", "up")
        dr.sh("ip", "address", "add", "192.0.2.1/24", "dev", "sgd0")
        os.makedirs("/run/sshd", exist_ok=True)
        key = os.path.join(tmp, "hostkey")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
        sshd_config = os.path.join(tmp, "sshd_config")
        with open(sshd_config, "w") as f:
            f.write("Port 22\nListenAddress 0.0.0.0\nHostKey %s\nPidFile %s/sshd.pid\nUsePAM no\n" % (key, tmp))
        conf = os.path.join(tmp, "sshguardian.conf")
        with open(conf, "w") as f:
            f.write("[sshd]\nConfigFile=%s\n[report]\nRateLimitIntervalSec=0\n" % sshd_config)
        sshd = dr.Sshd("/usr/sbin/sshd", sshd_config)
        sshd.start()
        bus = dr.Bus(tmp, os.path.join(SRC, "systemd", "org.sshguardian1.conf"))
        dr.BUS_ADDRESS[0] = bus.address
        dr.WATCHDOG_USEC[0] = 30000000
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=bus.address)

        path = os.path.join(tmp, "rules.nft")
        with open(path, "w") as f:
            f.write(ruleset(a.rules))
        dr.sh("nft", "-f", path)
        t0 = time.monotonic()
        d = dr.Daemon(daemon, conf, tmp)
        t, _ = d.wait_note(lambda n: n == "READY=1", 0, timeout=600)
        if t is None:
            raise RuntimeError("the daemon did not start: " + open(os.path.join(tmp, "daemon.stderr")).read())
        pid = d.proc.pid
        res["startup_s"] = t - t0
        log("daemon ready in %.2f s with %d rules (pid %d, RSS %d KB)" % (t - t0, a.rules, pid,
                                                                          status_kb(pid, "VmRSS")))

        # 1. explain via the daemon vs nft list ruleset
        nft_t = min(timed(["ip", "netns", "exec", NS, "nft", "list", "ruleset"])[0] for _ in range(3))
        res["nft_list_s"] = nft_t
        _, nft_cpu, _ = timed(["ip", "netns", "exec", NS, "nft", "list", "ruleset"])
        res["nft_list_cpu_s"] = nft_cpu
        ts = []
        for i in range(30):
            t, _, p = timed([ctl, "explain", "--from", ADDR, "--port", "22"], env=env)
            if not p.stdout.startswith("answered by sshguardiand"):
                raise RuntimeError("explain was not answered by the daemon: %r %r" % (p.stdout[:200], p.stderr))
            ts.append(t)
        res["explain_daemon_median_s"], res["explain_daemon_best_s"] = statistics.median(ts), min(ts)
        tj, _, pj = timed([ctl, "explain", "--json", "--from", ADDR, "--port", "22"], env=env)
        oj = json.loads(pj.stdout)
        res["explain_daemon_json_answered_by"] = oj.get("answered_by")
        loc = [timed(["ip", "netns", "exec", NS, ctl, "explain", "--local", "--json", "--from", ADDR,
                      "--port", "22"]) for _ in range(3)]
        res["explain_local_s"] = min(x[0] for x in loc)
        res["explain_local_cpu_s"] = min(x[1] for x in loc)
        ol = json.loads(loc[0][2].stdout)
        res["explain_daemon_equals_local"] = (
            {k: oj.get(k) for k in ("verdict", "rule", "remediation")} ==
            {k: ol.get(k) for k in ("verdict", "rule", "remediation")})
        log("explain --from via daemon: median %.2f ms, best %.2f ms; nft list ruleset %.3f s; "
            "explain --local %.3f s" % (res["explain_daemon_median_s"] * 1e3, res["explain_daemon_best_s"] * 1e3,
                                        nft_t, res["explain_local_s"]))

        # 2. one change absorbed: CPU per change, idle subtracted
        def settle():
            time.sleep(1.0)

        settle()
        c0, w0 = cpu_ns(pid), time.monotonic()
        time.sleep(5)
        idle_ns_per_s = (cpu_ns(pid) - c0) / (time.monotonic() - w0)
        res["idle_cpu_ms_per_s"] = idle_ns_per_s / 1e6
        kinds = [
            ("rule", lambda i: "add rule inet bench input ip saddr 10.251.%d.%d tcp dport 22 drop" % (i // 250, i % 250 + 1)),
            ("element", lambda i: "add element inet storm banned { 100.127.%d.%d }" % (i // 250, i % 250 + 1)),
            ("unrelated", lambda i: "add rule inet quiet output ip daddr 198.51.100.%d counter" % (i % 250 + 1)),
        ]
        n_entries0 = d.mark()
        for name, cmd in kinds:
            settle()
            c0, w0 = cpu_ns(pid), time.monotonic()
            for i in range(a.changes):
                dr.sh("nft", cmd(i))
                time.sleep(0.02)
            time.sleep(1.0)
            dt = time.monotonic() - w0
            per = (cpu_ns(pid) - c0 - idle_ns_per_s * dt) / a.changes
            res["change_cpu_ms_%s" % name] = per / 1e6
            log("one %s change: %.3f ms of daemon CPU (n=%d)" % (name, per / 1e6, a.changes))
        res["entries_during_changes"] = len(d.since(n_entries0))

        # 3. ban storm
        dr.sh("nft", "flush set inet storm banned")
        settle()
        rss0, hwm0 = status_kb(pid, "VmRSS"), status_kb(pid, "VmHWM")
        c0 = cpu_ns(pid)
        stderr_mark = os.path.getsize(os.path.join(tmp, "daemon.stderr"))
        per_txn = 100
        txn_per_s = a.storm_rate // per_txn
        total_txn = txn_per_s * a.storm_secs
        nfti = subprocess.Popen(["ip", "netns", "exec", NS, "nft", "-i"], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1)
        start = time.monotonic()
        rss_peak = rss0
        behind = 0.0
        for k in range(total_txn):
            due = start + k / txn_per_s
            now = time.monotonic()
            if now < due:
                time.sleep(due - now)
            else:
                behind = max(behind, now - due)
            els = ", ".join(storm_addr(k * per_txn + j) for j in range(per_txn))
            nfti.stdin.write("add element inet storm banned { %s }\n" % els)
            if k % txn_per_s == 0:
                rss_peak = max(rss_peak, status_kb(pid, "VmRSS"))
        nfti.stdin.close()
        nfti.wait()
        t_end = time.monotonic()
        last = storm_addr(total_txn * per_txn - 1)
        # the kernel has it: then how long until the daemon answers drop
        lag = None
        while time.monotonic() - t_end < 60:
            p = subprocess.run(["busctl", "--address=" + bus.address, "--json=short", "call", "org.sshguardian1",
                                "/org/sshguardian1", "org.sshguardian1.Manager", "Explain", "sq", last, "22"],
                               capture_output=True, text=True)
            if p.returncode == 0 and json.loads(p.stdout)["data"][0] == "drop":
                lag = time.monotonic() - t_end
                break
            time.sleep(0.005)
        storm_wall = t_end - start
        cpu_storm = (cpu_ns(pid) - c0) / 1e9
        time.sleep(2)
        rss1, hwm1 = status_kb(pid, "VmRSS"), status_kb(pid, "VmHWM")
        rss_peak = max(rss_peak, rss1)
        # one fresh dump of the set: the kernel's truth (`nft get element`
        # builds nft's cache from a dump of the whole set per call)
        dump = json.loads(ns("nft", "-j", "list", "set", "inet", "storm", "banned").stdout)
        in_kernel = set()
        for item in dump["nftables"]:
            for el in (item.get("set") or {}).get("elem", []):
                in_kernel.add(el if isinstance(el, str) else json.dumps(el))
        n_kernel = len(in_kernel)
        log_after = open(os.path.join(tmp, "daemon.stderr")).read()[stderr_mark:]
        res.update(storm_rate=a.storm_rate, storm_secs=a.storm_secs, storm_wall_s=storm_wall,
                   storm_sender_behind_s=behind, storm_elements=total_txn * per_txn,
                   storm_kernel_elements=n_kernel, storm_lag_s=lag, storm_cpu_s=cpu_storm,
                   rss_before_kb=rss0, rss_peak_kb=rss_peak, rss_after_kb=rss1, hwm_before_kb=hwm0,
                   hwm_after_kb=hwm1, storm_enobufs=log_after.count("overran"),
                   nft_i_errors=nfti.stderr.read()[:300])
        log("storm: %d elements in %.1f s (sender behind at most %.3f s), kernel holds %d; daemon lag %s; "
            "CPU %.1f s; RSS %d -> peak %d -> %d KB; ENOBUFS re-reads %d" % (
                total_txn * per_txn, storm_wall, behind, n_kernel,
                "%.3f s" % lag if lag is not None else "NOT CAUGHT UP in 60 s", cpu_storm, rss0, rss_peak, rss1,
                res["storm_enobufs"]))
        # no event lost: the daemon's model against the kernel, address by address
        rng = random.Random(13)
        banned = [storm_addr(rng.randrange(total_txn * per_txn)) for _ in range(500)] + [last]
        unbanned = ["100.%d.%d.%d" % (120 + rng.randrange(6), rng.randrange(256), rng.randrange(256))
                    for _ in range(500)]
        mism = []
        for addr in banned + unbanned:
            kin = addr in in_kernel
            p = subprocess.run(["busctl", "--address=" + bus.address, "--json=short", "call", "org.sshguardian1",
                                "/org/sshguardian1", "org.sshguardian1.Manager", "Explain", "sq", addr, "22"],
                               capture_output=True, text=True)
            v = json.loads(p.stdout)["data"][0] if p.returncode == 0 else "error"
            if (v == "drop") != kin:
                mism.append((addr, kin, v))
        res["storm_checked"] = len(banned) + len(unbanned)
        res["storm_mismatches"] = mism[:10]
        res["storm_n_mismatches"] = len(mism)
        fresh = {}
        for addr in (banned[0], unbanned[0]):
            pd = json.loads(subprocess.run([ctl, "explain", "--json", "--from", addr], env=env,
                                           capture_output=True, text=True).stdout)
            pl = json.loads(ns(ctl, "explain", "--local", "--json", "--from", addr).stdout)
            fresh[addr] = (pd.get("answered_by"), pd.get("verdict"), pl.get("answered_by"), pl.get("verdict"),
                           pd.get("rule") == pl.get("rule"))
        res["storm_fresh_dump"] = fresh
        log("no event lost: %d/%d addresses agree with the kernel; fresh dump: %s" % (
            res["storm_checked"] - len(mism), res["storm_checked"], fresh))
        # 4. a firewalld-style full replacement every second
        if a.replace_secs > 0:
            replace_storm(a, res, bus, pid, tmp, ctl, env)
        res["daemon_alive"] = d.proc.poll() is None
        d.proc.send_signal(signal.SIGTERM)
        try:
            d.proc.wait(10)
        except subprocess.TimeoutExpired:
            d.proc.kill()
        d = None
    finally:
        if d and d.proc.poll() is None:
            d.proc.kill()
            d.proc.wait()
        if sshd:
            sshd.stop() if hasattr(sshd, "stop") else None
        if bus:
            bus.stop()
        subprocess.run(["ip", "netns", "del", NS])
        shutil.rmtree(tmp, ignore_errors=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# sshguardiand's speed and footprint (issue 4), as figures, not assertions:
#
#   tests/bench/daemon-bench.sh BUILDDIR [ROUNDS]
#
# 1. Latency: tests/daemon/run.py repeats its cases ROUNDS times (default 5)
#    in a network namespace of its own: a rule committed (nft, iptables-nft,
#    ip6 tables, policies, a ban set), a listening socket closed, sshd_config
#    rewritten, iptables-legacy changed; each time from the start of the
#    breaking command to the daemon's entry.  Printed: median and maximum,
#    and the ratio against the anchors: a poller with monit's 30 s cycle
#    answers after 15 s on average and 30 s at worst; a Nagios check every
#    5 min after 150 s and 300 s.
#    Expected: event-driven causes (rules, sockets) median well under 20 ms;
#    iptables-legacy (no notifications) and a socket that starts listening
#    again are noticed on the watchdog tick (250 ms here; WatchdogSec/2 under
#    systemd), configuration changes after a 50 ms settle time.
# 2. Idle: the daemon with a typical ruleset (tests/bench/typical.nft: about
#    100 rules, sets, a ban set, a redirect) left alone for 20 s: wake-ups (only the watchdog tick should wake it),
#    CPU time and resident memory (target: under 8 MB).
set -euo pipefail
BUILD=${1:?usage: daemon-bench.sh BUILDDIR [ROUNDS]}
ROUNDS=${2:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

ARGS=("$BUILD/daemon/sshguardiand" /usr/sbin/sshd "$SRC/systemd/org.sshguardian1.conf")
python3 "$SRC/tests/daemon/run.py" --rounds "$ROUNDS" "${ARGS[@]}" | tee "$OUT" |
        grep -E "^(FAIL|latency|[0-9]+ passed)"
# idle with a typical ruleset and a 30 s watchdog (tick every 15 s), as
# the unit runs it
python3 "$SRC/tests/daemon/run.py" --case none --ruleset "$HERE/typical.nft" --watchdog-usec 30000000 \
        --idle 40 "${ARGS[@]}" | grep -E "^(FAIL|idle)"
python3 - "$OUT" <<'PY'
import re, statistics, sys
lat = {}
for line in open(sys.argv[1]):
    m = re.match(r"ok (\S+) (problem|resolved) \(([\d.]+) ms\)", line)
    if m:
        lat.setdefault(m.group(1), []).append(float(m.group(3)))
allv = [v for vs in lat.values() for v in vs]
if not allv:
    sys.exit("no latencies measured")
print("%-20s %8s %8s %6s" % ("cause (both entries)", "median", "max", "n"))
for k, vs in sorted(lat.items()):
    print("%-20s %6.1f ms %6.1f ms %6d" % (k, statistics.median(vs), max(vs), len(vs)))
med, mx = statistics.median(allv), max(allv)
ev = [v for k, vs in lat.items() if k not in ("legacy-drop", "sshd-gone", "config-pending") for v in vs]
print("all: median %.1f ms, max %.1f ms (n=%d)" % (med, mx, len(allv)))
if ev:
    print("notified events (rules, sockets closed): median %.1f ms, max %.1f ms (n=%d)" %
          (statistics.median(ev), max(ev), len(ev)))
print("vs monit (30 s cycle: 15 s mean, 30 s worst): median %.5f, max %.5f of the poller's" %
      (med / 15000, mx / 30000))
print("vs Nagios (5 min: 150 s mean, 300 s worst): median %.6f, max %.6f" % (med / 150000, mx / 300000))
PY

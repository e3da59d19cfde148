#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Firewall benchmarks of issue 3, each a ratio against a reference measured
# in the same run on the same ruleset (these machines are shared and noisy:
# absolute times mean little).  Root; everything happens in a network
# namespace this script creates and deletes.
#
#   tests/bench/fw-bench.sh BUILDDIR [RULES [ELEMENTS]]
#
# 1. RULES (default 100000) rules in one chain: `sshguardianctl explain`
#    (full read + judgement) against `nft list ruleset`: wall time and peak
#    resident memory.  Targets: at most half of nft's time, at most 16 MB.
# 2. A rule that looks up a set of ELEMENTS (default 1000000) addresses:
#    `sshguardianctl explain --from ADDR` (which asks the kernel for one
#    element instead of dumping the set) against `nft list ruleset`.
#    Target: explain under 10 ms.
set -eu
build=$1
rules=${2:-100000}
elements=${3:-1000000}
ctl=$(cd "$build" && pwd)/daemon/sshguardianctl
[ -x "$ctl" ] || { echo "no $ctl" >&2; exit 2; }
ns=sgbench-$$
tmp=$(mktemp -d)
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up

# best of N runs of a command inside the namespace: wall seconds (from
# fork to exit, ip netns exec's own cost excluded), and peak RSS in KB
measure() {
        local n=$1; shift
        ip netns exec "$ns" python3 - "$n" "$@" <<'PY'
import subprocess, sys, tempfile, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
best = None
for _ in range(n):
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t = time.perf_counter() - t0
    best = t if best is None else min(best, t)
# peak RSS from GNU time: the command's own (a fork of this interpreter
# would report the interpreter's memory too)
with tempfile.NamedTemporaryFile("r") as f:
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name] + cmd,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rss = f.read().strip().splitlines()[-1]
print(f"{best:.4f} {rss}")
PY
}

echo "== $rules rules"
python3 - "$rules" > "$tmp/rules.nft" <<'PY'
import sys
n = int(sys.argv[1])
print("table inet bench {\n chain input {\n  type filter hook input priority 0; policy accept;")
for i in range(n):
    a, b = divmod(i, 250)
    print(f"  ip saddr 10.{a // 250 % 250}.{a % 250}.{b + 1} tcp dport {1024 + i % 60000} counter drop")
print("  tcp dport 22 accept\n }\n}")
PY
ip netns exec "$ns" nft -f "$tmp/rules.nft"
read -r nft_t nft_m < <(measure 3 nft list ruleset)
read -r sg_t sg_m < <(measure 3 "$ctl" explain --from 192.0.2.2 --port 22)
echo "nft list ruleset:        ${nft_t}s ${nft_m}KB"
echo "sshguardianctl explain:  ${sg_t}s ${sg_m}KB"
awk -v a="$sg_t" -v b="$nft_t" 'BEGIN { printf "time ratio explain/nft: %.2f (target <= 0.50)\n", a / b }'
echo "explain peak RSS: $((sg_m / 1024)) MB (target <= 16 MB)"
ip netns exec "$ns" nft flush ruleset

echo "== a set of $elements addresses"
python3 - "$elements" > "$tmp/set.nft" <<'PY'
import sys
n = int(sys.argv[1])
print("table inet bench {\n set banned {\n  type ipv4_addr\n  flags interval\n  elements = {")
out = []
for i in range(n):
    out.append(f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}")
print(",\n".join(out))
print("  }\n }\n chain input {\n  type filter hook input priority 0; policy accept;\n  ip saddr @banned tcp dport 22 drop\n }\n}")
PY
ip netns exec "$ns" nft -f "$tmp/set.nft"
read -r sg_t sg_m < <(measure 5 "$ctl" explain --from 10.0.1.2 --port 22)
echo "sshguardianctl explain --from a banned address: ${sg_t}s ${sg_m}KB (target < 0.010 s)"
read -r nft_t nft_m < <(measure 1 nft list ruleset)
echo "nft list ruleset: ${nft_t}s ${nft_m}KB"
awk -v a="$sg_t" -v b="$nft_t" 'BEGIN { printf "time ratio explain/nft: %.4f\n", a / b }'

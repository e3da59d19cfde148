#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# lib/nft-store's benchmark (issue 4): with RULES (default 100000) rules in a
# chain, the time from "one rule added" to a fresh NftRuleset through the
# store (the notifications applied, the stored messages decoded) against
# nft_ruleset_read() (a consistent dump), as a ratio measured in the same run
# (these machines are shared and noisy: absolute times mean little), and the
# store's memory.  Root; everything happens in a network namespace this
# script creates and deletes.
#
#   tests/bench/nft-store-bench.sh BUILDDIR [RULES [RUNS]]
set -eu
build=$1
rules=${2:-100000}
runs=${3:-7}
tool=$(cd "$build" && pwd)/tests/tools/nft-store-follow
[ -x "$tool" ] || { echo "no $tool" >&2; exit 2; }
ns=sgd-store-bench-$$
tmp=$(mktemp -d)
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
ip netns add "$ns"

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
echo "== $rules rules; each run: nft add rule, then a fresh NftRuleset both ways"
ip netns exec "$ns" "$tool" bench "$runs" "nft add rule inet bench input tcp dport {} drop"

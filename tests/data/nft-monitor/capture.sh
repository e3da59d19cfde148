#!/bin/sh
# Remakes the NFNLGRP_NFTABLES notification captures of this directory, each
# in a fresh network namespace (so generations count from 1, and the first
# commit is generation 2).  Run as root from the build directory:
#   sh ../tests/data/nft-monitor/capture.sh tests/tools/nft-monitor-capture
# NAME.pids gets the pid of every command that commits, in order: the pid
# its NEWGEN must name (tests/unit/check_nft_monitor.c reads it).  Commands
# run with `quiet` change nothing and must send nothing.
set -eu
tool=$(realpath "$1")
out=$(realpath "$(dirname "$0")")
ns=sgb-nft-monitor.$$
trap 'ip netns delete "$ns" 2>/dev/null || true' EXIT

capture() {     # NAME [--rcvbuf N] SCRIPT
        name=$1
        shift
        ip netns delete "$ns" 2>/dev/null || true
        ip netns add "$ns"
        : > "$out/$name.pids"
        ip netns exec "$ns" env OUT="$out" PIDS="$out/$name.pids" \
                "$tool" record "$out/$name.bin" "$@"
        "$tool" show "$out/$name.bin" > "$out/$name.txt"
}

# run CMD...: runs CMD as the shell's own pid (exec) after noting that pid
helpers='
run() { sh -c "echo \$\$ >> \"\$PIDS\"; exec \"\$@\"" sh "$@"; }
quiet() { "$@" > /dev/null; }
'

# nft: a batch from a file, single rules added and deleted by handle,
# elements added, a no-op, the whole table deleted
capture nft -- sh -ec "$helpers"'
run nft -f "$OUT/ruleset.nft"
run nft add rule inet filter input tcp dport 2222 drop
run nft delete rule inet filter input handle 4
run nft add element inet filter allowed "{ 192.0.2.7, 192.0.2.8 }"
quiet nft add table inet filter
quiet nft list ruleset
run nft delete table inet filter
'

# iptables-nft and iptables-nft-restore (comm is truncated to 15 characters)
capture iptables-nft -- sh -ec "$helpers"'
run iptables-nft -A INPUT -p tcp --dport 22 -j DROP
quiet iptables-nft -L -n
printf "*filter\n-A INPUT -s 198.51.100.7/32 -j ACCEPT\nCOMMIT\n" | run iptables-nft-restore --noflush
run iptables-nft -D INPUT -p tcp --dport 22 -j DROP
'

# A batch of 2,000 rules into the smallest receive buffer the kernel allows:
# recv() fails with ENOBUFS, then returns the one datagram that fitted; the
# rest, NEWGEN included, is lost.
{
        printf 'table ip t {\n\tchain c {\n'
        i=1
        while [ $i -le 2000 ]; do
                printf '\t\ttcp dport %d accept\n' $((i + 1000))
                i=$((i + 1))
        done
        printf '\t}\n}\n'
} > "$out/enobufs.nft.tmp"
capture enobufs --rcvbuf 1 -- sh -ec "$helpers"'
run nft -f "$OUT/enobufs.nft.tmp"
'
rm -f "$out/enobufs.nft.tmp"

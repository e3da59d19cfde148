#!/bin/sh
# Remakes the captures of this directory, each in a fresh network namespace
# (generations count from 1).  Run as root from the build directory:
#   sh ../tests/data/nft-store/capture.sh tests/tools/nft-store-capture
# NAME.bin: the dump, then for each command its notifications and the dump
# after it (tests/tools/nft-store-capture.c describes the format); NAME.txt
# shows them.  tests/unit/check_nft_store.c replays them.
set -eu
tool=$(realpath "$1")
out=$(realpath "$(dirname "$0")")
ns=sgd-nft-store.$$
trap 'ip netns delete "$ns" 2>/dev/null || true' EXIT

capture() {     # NAME SETUP [--rcvbuf N] COMMAND...
        name=$1 setup=$2
        shift 2
        ip netns delete "$ns" 2>/dev/null || true
        ip netns add "$ns"
        ip netns exec "$ns" sh -c "$setup"
        ip netns exec "$ns" "$tool" record "$out/$name.bin" "$@"
        "$tool" show "$out/$name.bin" > "$out/$name.txt"
}

# the handle of the first rule of inet filter CHAIN whose text has PATTERN
h2() { echo "\$(nft -a list chain inet $1 $2 | awk '/$3/ { print \$NF; exit }')"; }
h() { echo "\$(nft -a list chain inet filter $1 | awk '/$2/ { print \$NF; exit }')"; }

capture rules "nft -f $out/base.nft" \
        "nft add rule inet filter input tcp dport 2222 drop" \
        "nft insert rule inet filter input tcp dport 2223 drop" \
        "nft insert rule inet filter input position $(h input lo) tcp dport 2224 drop" \
        "nft add rule inet filter input position $(h input lo) tcp dport 2225 drop" \
        "nft replace rule inet filter input handle $(h input 2223) tcp dport 2226 accept" \
        "nft replace rule inet filter input handle $(h input 2222) tcp dport 2227 accept" \
        "nft delete rule inet filter input handle $(h input 2224)" \
        "nft -f - <<NFT
insert rule inet filter ssh tcp dport 1 accept
insert rule inet filter ssh tcp dport 2 accept
add rule inet filter input position $(h input lo) tcp dport 3 accept
add rule inet filter input position $(h input lo) tcp dport 4 accept
NFT" \
        "nft 'add rule inet filter input tcp dport 22 jump { ip saddr { 192.0.2.1, 192.0.2.2 } drop; accept; }'" \
        "nft delete rule inet filter input handle $(h input '^\t\t}')" \
        "nft 'add chain inet filter input { type filter hook input priority 0; policy drop; }'" \
        "iptables-nft -A INPUT -p tcp --dport 22 -j ACCEPT" \
        "iptables-nft -I INPUT 1 -s 192.0.2.9 -m comment --comment ban -j DROP" \
        "iptables-nft -R INPUT 1 -s 192.0.2.10 -j DROP" \
        "iptables-nft -D INPUT 2" \
        "nft -f - <<'NFT'
flush chain inet filter ssh
add rule inet filter ssh tcp dport 5 accept
add rule inet filter ssh tcp dport 6 accept
NFT" \
        "nft add counter inet filter more" \
        "nft delete counter inet filter more" \
        "nft rename chain inet filter ssh ssh2" \
        "nft delete table ip nat" \
        "nft flush ruleset"

big=$(i=0; while [ $i -lt 300 ]; do printf '11.0.%d.%d, ' $((i / 250)) $((i % 250 + 1)); i=$((i + 1)); done)
some=$(i=0; while [ $i -lt 60 ]; do printf '11.0.%d.%d, ' $((i / 250)) $((i % 250 + 1)); i=$((i + 1)); done)
capture sets "nft -f $out/base.nft" \
        "nft 'add element inet filter allowed { 10.1.0.0/16, 172.16.0.1-172.16.0.9 }'" \
        "nft 'delete element inet filter allowed { 198.51.100.7 }'" \
        "nft 'add element inet filter pairs { 10.0.0.3 . 7, 10.0.0.2 . 8 }'" \
        "nft 'delete element inet filter pairs { 10.0.0.1 . 80 }'" \
        "nft 'add element inet filter ports { 443 : accept, 8080 : drop }'" \
        "nft 'add element inet filter bans { 203.0.113.10 timeout 2h }'" \
        "nft 'add set inet filter many { type ipv4_addr; }'" \
        "nft 'add element inet filter many { ${big%, } }'" \
        "nft 'delete element inet filter many { ${some%, } }'" \
        "nft flush set inet filter allowed" \
        "nft 'add rule inet filter ssh tcp dport { 1, 2, 3 } accept'" \
        "nft delete rule inet filter ssh handle $(h ssh '{ 1, 2, 3 }')" \
        "nft delete set inet filter many"

# a 200-rule batch into the smallest receive buffer: ENOBUFS
capture enobufs "true" --rcvbuf 1 "nft -f - <<'NFT'
table ip t {
	chain c {
$(i=0; while [ $i -lt 200 ]; do printf '\t\ttcp dport %d accept\n' $((i + 1000)); i=$((i + 1)); done)
	}
}
NFT"

# nft_store_ruleset_follow(): tables before and after one replaced whole
# (firewalld's reload), deleted, added; sets of later tables renumbered;
# rules appended, inserted, updating a set; a chain's policy; a flush
capture follow "nft -f $out/follow.nft" \
        "nft -f - <<'NFT'
delete table inet fw
table inet fw {
	set trusted { type ipv4_addr; elements = { 192.0.2.7 } }
	chain input { type filter hook input priority 0; policy accept; ip saddr @trusted accept; tcp dport 22 jump ssh; }
	chain ssh { ip saddr 203.0.113.0/24 reject; }
}
NFT" \
        "nft 'add element inet z blocked { 198.51.100.1, 198.51.100.2 }'" \
        "nft delete table inet a" \
        "nft 'delete element inet z blocked { 198.51.100.1 }'" \
        "nft -f - <<'NFT'
table inet b {
	set ports { type inet_service; elements = { 22, 2222 } }
	chain input { type filter hook input priority 0; policy accept; tcp dport @ports ip saddr 10.9.9.9 drop; }
}
NFT" \
        "nft add rule inet z input ip saddr 10.0.0.1 tcp dport 22 drop" \
        "nft insert rule inet z input tcp dport 1 accept" \
        "nft 'add element inet b ports { 2022 }'" \
        "nft 'add chain inet z input { type filter hook input priority 0; policy drop; }'" \
        "nft add rule inet z input update @seen { ip saddr }" \
        "nft delete rule inet z input handle $(h2 z input 'tcp dport 1 ')" \
        "nft flush chain inet z input"

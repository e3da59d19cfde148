# nft: native `fib saddr . mark . iif oif missing drop` (NFTA_FIB_F_MARK) with the mark 0, then `tcp dport 22 reject` (issue 10).
# frontend: nftables
# expect ipv4: reject inet filter input 2
# expect ipv6: reject inet filter input 2
nft -f - <<'NFT'
table inet raw {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		fib saddr . mark . iif oif missing drop
	}
}
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 reject with tcp reset
	}
}
NFT

# nft: inet reject at prio -200 runs before ip6 drop at prio 0 and ip drop at 100.
# frontend: nftables
# expect ipv4: reject inet first input 2
# expect ipv6: reject inet first input 2
nft -f - <<'NFT'
table ip6 v6 {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 drop
	}
}
table ip v4 {
	chain input {
		type filter hook input priority 100; policy accept;
		tcp dport 22 drop
	}
}
table inet first {
	chain input {
		type filter hook input priority -200; policy accept;
		tcp dport 22 reject
	}
}
NFT

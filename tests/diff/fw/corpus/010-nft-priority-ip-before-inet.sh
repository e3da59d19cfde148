# nft: ip table at prio -10 drops; inet table at prio 0 rejects. IPv4: the ip table decides (lower priority first); IPv6: the inet reject.
# frontend: nftables
# expect ipv4: drop ip early input 2
# expect ipv6: reject inet late input 2
nft -f - <<'NFT'
table inet late {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 reject
	}
}
table ip early {
	chain input {
		type filter hook input priority -10; policy accept;
		tcp dport 22 drop
	}
}
NFT

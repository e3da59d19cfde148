# nft: two base chains on input in the same table: accept in the first (prio -5), policy drop in the second (prio 5).
# frontend: nftables
# expect ipv4: drop inet filter in_late policy
# expect ipv6: drop inet filter in_late policy
nft -f - <<'NFT'
table inet filter {
	chain in_early {
		type filter hook input priority -5; policy accept;
		tcp dport 22 accept
	}
	chain in_late {
		type filter hook input priority 5; policy drop;
		iif lo accept
	}
}
NFT

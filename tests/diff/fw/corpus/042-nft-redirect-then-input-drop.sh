# nft: redirect 22 -> 2222, then input drops 2222: the rewritten port is what input sees.
# frontend: nftables
# expect ipv4: drop inet filter input 2
# expect ipv6: drop inet filter input 2
nft -f - <<'NFT'
table inet nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 22 redirect to :2222
	}
}
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 2222 drop
	}
}
NFT

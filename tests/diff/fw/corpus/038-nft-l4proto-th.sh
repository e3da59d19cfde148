# nft: `meta l4proto tcp th dport 22 reject`.
# frontend: nftables
# expect ipv4: reject inet filter input 3
# expect ipv6: reject inet filter input 3
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		meta l4proto udp th dport 22 drop
		meta l4proto tcp th dport 22 reject
	}
}
NFT

# nft: netdev ingress chain on the server veth drops ssh before any ip hook.
# frontend: nftables
# expect ipv4: drop netdev edge ingress 2
# expect ipv6: drop netdev edge ingress 2
nft -f - <<'NFT'
table netdev edge {
	chain ingress {
		type filter hook ingress device "sgfw0" priority 0; policy accept;
		tcp dport 22 drop
	}
}
NFT

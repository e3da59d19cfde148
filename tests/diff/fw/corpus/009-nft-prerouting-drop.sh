# nft: drop in a filter prerouting chain (before input, which accepts).
# frontend: nftables
# expect ipv4: drop inet filter pre 3
# expect ipv6: drop inet filter pre 3
nft -f - <<'NFT'
table inet filter {
	chain pre {
		type filter hook prerouting priority -150; policy accept;
		tcp dport 22 drop
	}
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 accept
	}
}
NFT

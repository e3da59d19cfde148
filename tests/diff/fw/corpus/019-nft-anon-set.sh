# nft: anonymous set `tcp dport { 22, 80 } drop`.
# frontend: nftables
# expect ipv4: drop inet filter input 3
# expect ipv6: drop inet filter input 3
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport { 22, 80 } drop
	}
}
NFT

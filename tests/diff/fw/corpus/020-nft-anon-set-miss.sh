# nft: anonymous set without 22: accepted.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: accept
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport { 21, 23, 80, 443 } drop
	}
}
NFT

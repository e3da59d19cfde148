# nft: verdict map `tcp dport vmap { 22 : drop, 80 : accept }`.
# frontend: nftables
# expect ipv4: drop inet filter input 3
# expect ipv6: drop inet filter input 3
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport vmap { 22 : drop, 80 : accept }
	}
}
NFT

# nft: `tcp dport 22 drop` after unrelated rules.
# frontend: nftables
# expect ipv4: drop inet filter input 4
# expect ipv6: drop inet filter input 4
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 80 accept
		udp dport 53 accept
		tcp dport 22 drop
	}
}
NFT

# nft: port range `tcp dport 20-30 drop`; `tcp dport != 22` rules do not match.
# frontend: nftables
# expect ipv4: drop inet filter input 3
# expect ipv6: drop inet filter input 3
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport != 22 reject
		tcp dport 20-30 drop
	}
}
NFT

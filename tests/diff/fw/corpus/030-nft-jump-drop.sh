# nft: jump into a regular chain that drops.
# frontend: nftables
# expect ipv4: drop inet filter ssh 4
# expect ipv6: drop inet filter ssh 4
nft -f - <<'NFT'
table inet filter {
	chain ssh {
		ip saddr 198.51.100.0/24 accept
		drop
	}
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 jump ssh
	}
}
NFT

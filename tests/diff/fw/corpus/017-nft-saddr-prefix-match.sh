# nft: prefixes that contain the client.
# frontend: nftables
# expect ipv4: reject inet filter input 2
# expect ipv6: drop inet filter input 3
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr 192.0.2.0/25 tcp dport 22 reject
		ip6 saddr 2001:db8::/64 tcp dport 22 drop
	}
}
NFT

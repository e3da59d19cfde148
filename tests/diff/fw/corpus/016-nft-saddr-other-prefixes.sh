# nft: bans of prefixes that do not contain the client: accepted.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: accept
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr 198.51.100.0/24 drop
		ip saddr 192.0.2.128/25 drop
		ip saddr 192.0.2.3 drop
		ip6 saddr 2001:db8:1::/48 drop
		ip6 saddr 2001:db8::3 drop
	}
}
NFT

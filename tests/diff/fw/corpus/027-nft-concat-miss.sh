# nft: concatenation whose elements pair the client with other ports: accepted.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: accept
nft -f - <<'NFT'
table inet filter {
	set pairs4 {
		type ipv4_addr . inet_service
		elements = { 192.0.2.2 . 80, 192.0.2.3 . 22 }
	}
	set pairs6 {
		type ipv6_addr . inet_service
		elements = { 2001:db8::2 . 443 }
	}
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr . tcp dport @pairs4 drop
		ip6 saddr . tcp dport @pairs6 drop
	}
}
NFT

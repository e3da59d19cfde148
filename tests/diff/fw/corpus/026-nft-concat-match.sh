# nft: concatenation `ip saddr . tcp dport` with the client . 22.
# frontend: nftables
# expect ipv4: drop inet filter input 4
# expect ipv6: reject inet filter input 5
nft -f - <<'NFT'
table inet filter {
	set pairs4 {
		type ipv4_addr . inet_service
		elements = { 192.0.2.2 . 22, 192.0.2.3 . 80 }
	}
	set pairs6 {
		type ipv6_addr . inet_service
		elements = { 2001:db8::2 . 22 }
	}
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr . tcp dport @pairs4 drop
		ip6 saddr . tcp dport @pairs6 reject
	}
}
NFT

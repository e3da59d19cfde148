# nft: inverted lookup `ip saddr != @allowed drop`, the client not in allowed (IPv4); in allowed6 (IPv6).
# frontend: nftables
# expect ipv4: drop inet filter input 4
# expect ipv6: accept
nft -f - <<'NFT'
table inet filter {
	set allowed {
		type ipv4_addr
		elements = { 198.51.100.1 }
	}
	set allowed6 {
		type ipv6_addr
		elements = { 2001:db8::2 }
	}
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 ip saddr != @allowed drop
		tcp dport 22 ip6 saddr != @allowed6 drop
	}
}
NFT

# nft: interval sets (ranges and prefixes); the client is inside for IPv4, outside for IPv6.
# frontend: nftables
# expect ipv4: reject inet filter input 4
# expect ipv6: accept
nft -f - <<'NFT'
table inet filter {
	set nets4 {
		type ipv4_addr
		flags interval
		elements = { 10.0.0.0/8, 192.0.2.0-192.0.2.10 }
	}
	set nets6 {
		type ipv6_addr
		flags interval
		elements = { 2001:db8:0:1::/64, 2001:db8::10-2001:db8::20 }
	}
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr @nets4 reject
		ip6 saddr @nets6 reject
	}
}
NFT

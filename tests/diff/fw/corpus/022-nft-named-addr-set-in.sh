# nft: named address sets containing the client (ipv4_addr and ipv6_addr).
# frontend: nftables
# expect ipv4: drop inet filter input 4
# expect ipv6: drop inet filter input 5
nft -f - <<'NFT'
table inet filter {
	set bad4 {
		type ipv4_addr
		elements = { 192.0.2.2, 198.51.100.7 }
	}
	set bad6 {
		type ipv6_addr
		elements = { 2001:db8::2, 2001:db8::99 }
	}
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr @bad4 drop
		ip6 saddr @bad6 drop
	}
}
NFT

# nft: named address sets not containing the client: accepted.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: accept
nft -f - <<'NFT'
table inet filter {
	set bad4 {
		type ipv4_addr
		elements = { 192.0.2.3, 198.51.100.7 }
	}
	set bad6 {
		type ipv6_addr
		elements = { 2001:db8::3 }
	}
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr @bad4 drop
		ip6 saddr @bad6 drop
	}
}
NFT

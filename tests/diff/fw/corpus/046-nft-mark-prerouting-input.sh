# nft: mark set in prerouting (mangle) for the client, matched in input.
# frontend: nftables
# expect ipv4: drop inet filter input 2
# expect ipv6: accept
nft -f - <<'NFT'
table inet mangle {
	chain pre {
		type filter hook prerouting priority mangle; policy accept;
		ip saddr 192.0.2.2 meta mark set 0x1
		ip6 saddr 2001:db8::2 meta mark set 0x2
	}
}
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		meta mark 0x1 tcp dport 22 drop
		meta mark 0x3 tcp dport 22 drop
	}
}
NFT

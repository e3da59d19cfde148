# nft: named verdict map keyed by source jumping to a chain that rejects ssh (IPv4); IPv6 falls through to accept.
# frontend: nftables
# expect ipv4: reject inet filter untrusted 4
# expect ipv6: accept
nft -f - <<'NFT'
table inet filter {
	map by_source {
		type ipv4_addr : verdict
		elements = { 192.0.2.2 : jump untrusted, 198.51.100.1 : accept }
	}
	chain untrusted {
		tcp dport 22 reject with tcp reset
		return
	}
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr vmap @by_source
	}
}
NFT

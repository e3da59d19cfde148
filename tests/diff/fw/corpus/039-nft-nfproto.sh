# nft: `meta nfproto ipv6` in an inet chain: only IPv6 is dropped.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: drop inet filter input 2
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		meta nfproto ipv6 tcp dport 22 drop
	}
}
NFT

# nft: firewalld's reverse-path filter alone (`meta nfproto ipv6 fib saddr . mark . iif oif missing drop` in a filter chain at prerouting, after its neighbour-discovery accept), nothing else: a client routed back where it arrives connects, and so does "any external source" (no finding: it used to be a some-sources drop by the rpfilter rule on every such host).
# frontend: nftables
# expect ipv4: accept
# expect ipv6: accept
nft -f - <<'NFT'
table inet firewalld {
	chain filter_PREROUTING {
		type filter hook prerouting priority filter + 10; policy accept;
		icmpv6 type { nd-router-advert, nd-neighbor-solicit } accept
		meta nfproto ipv6 fib saddr . mark . iif oif missing drop
	}
}
NFT

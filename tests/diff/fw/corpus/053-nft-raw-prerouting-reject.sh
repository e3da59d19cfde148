# nft: reject in a raw-priority prerouting chain (fib check style) for IPv4 only; inet policy accept.
# frontend: nftables
# expect ipv4: reject ip raw pre 2
# expect ipv6: accept
nft -f - <<'NFT'
table ip raw {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		ip saddr 192.0.2.2 tcp dport 22 reject with icmp type host-prohibited
	}
}
NFT

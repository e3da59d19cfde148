# nft: prerouting nat moves 22 to 2200 where nothing listens: the TCP stack refuses (no rule decides). An input drop of port 22 no longer matches.
# frontend: nftables
# expect ipv4: reject stack
# expect ipv6: reject stack
nft -f - <<'NFT'
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 22 dnat to 192.0.2.1:2200
	}
}
table ip6 nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 22 dnat to [2001:db8::1]:2200
	}
}
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 drop
	}
}
NFT

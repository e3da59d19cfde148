# nft: `tcp dport 22 redirect to :2222` (something listens there): connected; the input rule for 22 no longer matches.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: accept
nft -f - <<'NFT'
table inet nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 22 redirect to :2222
	}
}
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 reject
	}
}
NFT

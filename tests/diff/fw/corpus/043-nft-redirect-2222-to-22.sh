# nft: a redirect of 2222 -> 22 does not concern connections to 22, which the input policy drops.
# frontend: nftables
# expect ipv4: drop inet filter input policy
# expect ipv6: drop inet filter input policy
nft -f - <<'NFT'
table inet nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 2222 redirect to :22
	}
}
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		tcp dport 2222 accept
	}
}
NFT

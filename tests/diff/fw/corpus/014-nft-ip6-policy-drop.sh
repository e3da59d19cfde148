# nft: ip6 table with policy drop, ip table policy drop with ssh accepted.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: drop ip6 filter input policy
nft -f - <<'NFT'
table ip6 filter {
	chain input {
		type filter hook input priority 0; policy drop;
		iif lo accept
	}
}
table ip filter {
	chain input {
		type filter hook input priority 0; policy drop;
		tcp dport 22 accept
	}
}
NFT

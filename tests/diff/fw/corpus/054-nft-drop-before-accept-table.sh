# nft: drop at prio -1 in ip6 table, accept at prio 0 in inet; IPv4 passes both.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: drop ip6 ban input 2
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		tcp dport 22 accept
	}
}
table ip6 ban {
	chain input {
		type filter hook input priority -1; policy accept;
		ip6 saddr 2001:db8::/64 drop
	}
}
NFT

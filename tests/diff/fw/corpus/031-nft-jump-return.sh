# nft: jump into a check chain: IPv4 returns and the calling chain then rejects; IPv6 hits `accept` inside the jumped-to chain, which ends the base chain (accepted).
# frontend: nftables
# expect ipv4: reject inet filter input 7
# expect ipv6: accept
nft -f - <<'NFT'
table inet filter {
	chain check {
		ip saddr 192.0.2.0/24 return
		ip6 saddr 2001:db8::/64 accept
		drop
	}
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 jump check
		tcp dport 22 reject
	}
}
NFT

# nft: the client banned by exact address in both families (/32, /128).
# frontend: nftables
# expect ipv4: drop inet filter input 2
# expect ipv6: reject inet filter input 3
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr 192.0.2.2 drop
		ip6 saddr 2001:db8::2 reject
	}
}
NFT

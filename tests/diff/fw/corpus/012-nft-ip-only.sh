# nft: a drop in an ip (IPv4-only) table: IPv6 passes.
# frontend: nftables
# expect ipv4: drop ip filter input 2
# expect ipv6: accept
nft -f - <<'NFT'
table ip filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 drop
	}
}
NFT

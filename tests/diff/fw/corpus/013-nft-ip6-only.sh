# nft: a reject in an ip6 table: IPv4 passes.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: reject ip6 filter input 2
nft -f - <<'NFT'
table ip6 filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 reject
	}
}
NFT

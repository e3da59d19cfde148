# nft: filter chain on input at mangle priority (-150) drops before a filter accept at 0.
# frontend: nftables
# expect ipv4: drop inet early input 2
# expect ipv6: drop inet early input 2
nft -f - <<'NFT'
table inet early {
	chain input {
		type filter hook input priority mangle; policy accept;
		tcp flags & (syn | ack) == syn tcp dport 22 drop
	}
}
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 22 accept
	}
}
NFT

# nft: `tcp sport 1-1023 drop` before an accept: a client's ephemeral source port (32768-60999) never matches it (issue 10).
# frontend: nftables
# expect ipv4: accept
# expect ipv6: accept
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		tcp sport 1-1023 drop
		tcp dport 22 accept
	}
}
NFT

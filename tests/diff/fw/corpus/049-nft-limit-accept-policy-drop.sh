# nft: `limit rate 10/minute burst 20 packets accept` then policy drop: the first SYN is accepted.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: accept
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		tcp dport 22 ct state new limit rate 10/minute burst 20 packets accept
		ct state established,related accept
	}
}
NFT

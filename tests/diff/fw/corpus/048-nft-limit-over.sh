# nft: `limit rate over 1/minute burst 20 packets drop`: the first SYN is under the limit, so it passes (flag rate-limited only).
# frontend: nftables
# expect ipv4: accept
# expect ipv6: accept
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 ct state new limit rate over 1/minute burst 20 packets drop
	}
}
NFT

# nft: `tcp dport 22 reject` in an inet input chain rejects both families (the trace prints "(verdict drop)" for reject).
# frontend: nftables
# expect ipv4: reject inet filter input 2
# expect ipv6: reject inet filter input 2
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 reject
	}
}
NFT

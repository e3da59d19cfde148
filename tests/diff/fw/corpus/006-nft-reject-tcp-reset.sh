# nft: `reject with tcp reset`: the client sees ECONNREFUSED.
# frontend: nftables
# expect ipv4: reject inet filter input 2
# expect ipv6: reject inet filter input 2
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		meta l4proto tcp tcp dport 22 reject with tcp reset
	}
}
NFT

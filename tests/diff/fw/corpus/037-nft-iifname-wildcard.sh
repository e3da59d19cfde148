# nft: `iifname "sgfw*"` matches the veth; policy drop with ssh accepted only on eth*.
# frontend: nftables
# expect ipv4: drop inet filter input policy
# expect ipv6: reject inet filter input 3
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		iifname "eth*" tcp dport 22 accept
		iifname "sgfw*" ip6 nexthdr tcp reject
	}
}
NFT

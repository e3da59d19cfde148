# nft: input policy drop, only loopback accepted: the chain policy decides (handle null).
# frontend: nftables
# expect ipv4: drop inet filter input policy
# expect ipv6: drop inet filter input policy
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		iif lo accept
	}
}
NFT

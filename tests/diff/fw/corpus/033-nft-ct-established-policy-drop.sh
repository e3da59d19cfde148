# nft: `ct state established,related accept` + policy drop: a SYN is NEW, so the policy drops it.
# frontend: nftables
# expect ipv4: drop inet filter input policy
# expect ipv6: drop inet filter input policy
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		ct state invalid drop
		iif lo accept
		icmp type echo-request accept
	}
}
NFT

# nft: goto into a chain that falls off its end: the base chain policy (drop) decides, not the rule after goto.
# frontend: nftables
# expect ipv4: drop inet filter input policy
# expect ipv6: drop inet filter input policy
nft -f - <<'NFT'
table inet filter {
	chain ssh {
		ip saddr 198.51.100.1 accept
	}
	chain input {
		type filter hook input priority 0; policy drop;
		tcp dport 22 goto ssh
		tcp dport 22 accept
	}
}
NFT

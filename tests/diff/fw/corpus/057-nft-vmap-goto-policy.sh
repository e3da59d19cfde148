# nft: verdict map `tcp dport vmap { 22 : goto ssh }` into a chain that ends without verdict for IPv4: the base chain policy drop decides (not the `accept` after the vmap); IPv6 is accepted inside ssh.
# frontend: nftables
# expect ipv4: drop inet filter input policy
# expect ipv6: accept
nft -f - <<'NFT'
table inet filter {
	chain ssh {
		ip saddr 203.0.113.0/24 accept
		ip6 saddr 2001:db8::/64 accept
	}
	chain input {
		type filter hook input priority 0; policy drop;
		tcp dport vmap { 22 : goto ssh, 80 : accept }
		tcp dport 22 accept
	}
}
NFT

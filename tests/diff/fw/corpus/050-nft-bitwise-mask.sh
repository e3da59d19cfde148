# nft: `ip saddr & 255.255.255.0 == 192.0.2.0` (a bitwise mask) rejects IPv4.
# frontend: nftables
# expect ipv4: reject ip filter input 2
# expect ipv6: accept
nft -f - <<'NFT'
table ip filter {
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr & 255.255.255.0 == 192.0.2.0 tcp dport 22 reject
	}
}
NFT

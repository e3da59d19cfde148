# nft: `ip saddr != 192.0.2.0/24 drop` does not match the client; `ip6 saddr != 2001:db8:1::/48` does.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: drop inet filter input 3
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr != 192.0.2.0/24 tcp dport 22 drop
		ip6 saddr != 2001:db8:1::/48 tcp dport 22 drop
	}
}
NFT

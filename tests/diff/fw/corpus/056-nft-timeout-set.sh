# nft: sets with timeouts (as fail2ban/sshguard-style bans use): the client is in the IPv6 set (1h), another address in the IPv4 set.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: drop inet filter input 5
nft -f - <<'NFT'
table inet filter {
	set ban4 {
		type ipv4_addr
		flags timeout
		elements = { 198.51.100.4 timeout 1h }
	}
	set ban6 {
		type ipv6_addr
		flags timeout
		timeout 1h
		elements = { 2001:db8::2 }
	}
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr @ban4 tcp dport 22 drop
		ip6 saddr @ban6 tcp dport 22 drop
	}
}
NFT

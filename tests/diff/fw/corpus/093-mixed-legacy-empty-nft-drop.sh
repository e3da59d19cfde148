# mixed: empty iptables-legacy tables (policy ACCEPT, instantiated by -L) and an nft ip6 drop.
# frontend: nftables
# expect ipv4: accept
# expect ipv6: drop ip6 filter input 2
iptables-legacy -L -n >/dev/null
ip6tables-legacy -L -n >/dev/null
iptables-legacy -t nat -L -n >/dev/null
nft -f - <<'NFT'
table ip6 filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 drop
	}
}
NFT

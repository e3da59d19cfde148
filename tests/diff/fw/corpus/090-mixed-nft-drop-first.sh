# mixed: nft drop at prio -10 runs before the iptables-legacy REJECT (prio 0): nft decides.
# frontend: nftables
# expect ipv4: drop inet early input 2
# expect ipv6: drop inet early input 2
nft -f - <<'NFT'
table inet early {
	chain input {
		type filter hook input priority -10; policy accept;
		tcp dport 22 drop
	}
}
NFT
iptables-legacy -A INPUT -p tcp --dport 22 -j REJECT
ip6tables-legacy -A INPUT -p tcp --dport 22 -j REJECT

# mixed: iptables-legacy ACCEPTs 22; an nft chain at prio 10 with policy drop still drops it.
# frontend: nftables
# expect ipv4: drop inet filter input policy
# expect ipv6: drop inet filter input policy
iptables-legacy -A INPUT -p tcp --dport 22 -j ACCEPT
ip6tables-legacy -A INPUT -p tcp --dport 22 -j ACCEPT
nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 10; policy drop;
		iif lo accept
	}
}
NFT

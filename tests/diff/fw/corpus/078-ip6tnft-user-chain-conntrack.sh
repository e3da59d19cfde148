# ip6tables-nft: user chain + conntrack; both families via iptables-nft/ip6tables-nft.
# frontend: iptables-nft
# expect ipv4: drop ip filter LOGDROP 2
# expect ipv6: drop ip6 filter LOGDROP 2
for t in iptables-nft ip6tables-nft; do
	$t -N LOGDROP
	$t -A LOGDROP -j DROP
	$t -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	$t -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -j LOGDROP
done

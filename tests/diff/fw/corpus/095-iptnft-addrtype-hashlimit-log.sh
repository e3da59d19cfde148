# iptables-nft: conntrack ESTABLISHED accept, LOG (continues), addrtype LOCAL, tcp-flags SYN and a hashlimit accept whose burst lets the first SYN through; then REJECT for what is over the limit.
# frontend: iptables-nft
# expect ipv4: accept
# expect ipv6: accept
for t in iptables-nft ip6tables-nft; do
	$t -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	$t -A INPUT -p tcp --dport 22 -j LOG --log-prefix "sgfw "
	$t -A INPUT -p tcp --dport 22 --tcp-flags SYN,RST,ACK SYN -m addrtype --dst-type LOCAL -m hashlimit --hashlimit-upto 1/min --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name sgfw$t -j ACCEPT
	$t -A INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset
done

# iptables-legacy and ip6tables-legacy: policy DROP, conntrack established accept only.
# frontend: iptables-legacy
# expect ipv4: drop ip filter INPUT policy (legacy)
# expect ipv6: drop ip6 filter INPUT policy (legacy)
for t in iptables-legacy ip6tables-legacy; do
	$t -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	$t -P INPUT DROP
done

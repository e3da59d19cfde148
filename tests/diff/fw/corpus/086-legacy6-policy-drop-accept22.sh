# ip6tables-legacy: policy DROP with ssh accepted (accepted); iptables-legacy policy DROP without it.
# frontend: iptables-legacy
# expect ipv4: drop ip filter INPUT policy (legacy)
# expect ipv6: accept
ip6tables-legacy -A INPUT -p tcp --dport 22 -j ACCEPT
ip6tables-legacy -P INPUT DROP
iptables-legacy -A INPUT -p tcp --dport 80 -j ACCEPT
iptables-legacy -P INPUT DROP

# iptables-legacy: DROP in raw PREROUTING, IPv6 in mangle INPUT.
# frontend: iptables-legacy
# expect ipv4: drop ip raw PREROUTING 1 (legacy)
# expect ipv6: drop ip6 mangle INPUT 1 (legacy)
iptables-legacy -t raw -A PREROUTING -p tcp --dport 22 -j DROP
ip6tables-legacy -t mangle -A INPUT -p tcp --dport 22 -j DROP

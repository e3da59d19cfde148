# ip6tables-legacy: REJECT for IPv6; IPv4 passes.
# frontend: iptables-legacy
# expect ipv4: accept
# expect ipv6: reject ip6 filter INPUT 1 (legacy)
ip6tables-legacy -A INPUT -p tcp --dport 22 -j REJECT

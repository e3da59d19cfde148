# iptables-legacy: `-s 192.0.2.2 -j DROP`; ip6tables-legacy bans another prefix.
# frontend: iptables-legacy
# expect ipv4: drop ip filter INPUT 1 (legacy)
# expect ipv6: accept
iptables-legacy -A INPUT -s 192.0.2.2 -j DROP
ip6tables-legacy -A INPUT -s 2001:db8:1::/48 -j DROP

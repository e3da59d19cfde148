# iptables-legacy: iprange + comment matches on the deciding rule.
# frontend: iptables-legacy
# expect ipv4: drop ip filter INPUT 1 (legacy)
# expect ipv6: accept
iptables-legacy -A INPUT -p tcp --dport 22 -m iprange --src-range 192.0.2.2-192.0.2.20 -m comment --comment "lab ban" -j DROP

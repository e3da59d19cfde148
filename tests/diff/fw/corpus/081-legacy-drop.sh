# iptables-legacy: DROP as third rule.
# frontend: iptables-legacy
# expect ipv4: drop ip filter INPUT 3 (legacy)
# expect ipv6: accept
iptables-legacy -A INPUT -i lo -j ACCEPT
iptables-legacy -A INPUT -p tcp --dport 80 -j ACCEPT
iptables-legacy -A INPUT -p tcp --dport 22 -j DROP

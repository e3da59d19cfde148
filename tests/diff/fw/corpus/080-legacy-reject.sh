# iptables-legacy: `-p tcp --dport 22 -j REJECT` (x_tables, invisible to nft). Decider from the legacy counters; handle = rule number.
# frontend: iptables-legacy
# expect ipv4: reject ip filter INPUT 1 (legacy)
# expect ipv6: accept
iptables-legacy -A INPUT -p tcp --dport 22 -j REJECT

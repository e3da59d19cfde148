# iptables-nft: a comment match (xt) on the deciding rule.
# frontend: iptables-nft
# expect ipv4: drop ip filter INPUT 2
# expect ipv6: accept
iptables-nft -A INPUT -p tcp --dport 22 -m comment --comment "no ssh from here" -j DROP

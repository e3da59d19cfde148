# iptables-nft: `-p tcp --dport 22 -j DROP` after unrelated accepts.
# frontend: iptables-nft
# expect ipv4: drop ip filter INPUT 4
# expect ipv6: accept
iptables-nft -A INPUT -i lo -j ACCEPT
iptables-nft -A INPUT -p tcp --dport 80 -j ACCEPT
iptables-nft -A INPUT -p tcp --dport 22 -j DROP

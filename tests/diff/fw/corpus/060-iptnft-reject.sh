# iptables-nft: `-p tcp --dport 22 -j REJECT` (native payload match, xt REJECT target). IPv6 untouched.
# frontend: iptables-nft
# expect ipv4: reject ip filter INPUT 2
# expect ipv6: accept
iptables-nft -A INPUT -p tcp --dport 22 -j REJECT

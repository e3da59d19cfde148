# iptables-nft: multiport (xt match blob) with 22 among the ports.
# frontend: iptables-nft
# expect ipv4: drop ip filter INPUT 2
# expect ipv6: accept
iptables-nft -A INPUT -p tcp -m multiport --dports 80,22,443 -j DROP

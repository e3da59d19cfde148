# iptables-nft: `-s 192.0.2.2 -j DROP`, and a ban of another source before it.
# frontend: iptables-nft
# expect ipv4: drop ip filter INPUT 3
# expect ipv6: accept
iptables-nft -A INPUT -s 198.51.100.0/24 -j DROP
iptables-nft -A INPUT -s 192.0.2.2 -j DROP

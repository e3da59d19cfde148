# iptables-nft: DROP in the raw table's PREROUTING chain.
# frontend: iptables-nft
# expect ipv4: drop ip raw PREROUTING 2
# expect ipv6: accept
iptables-nft -t raw -A PREROUTING -p tcp --dport 22 -j DROP

# iptables-nft: multiport without 22 and a port range beside it: accepted.
# frontend: iptables-nft
# expect ipv4: accept
# expect ipv6: accept
iptables-nft -A INPUT -p tcp -m multiport --dports 80,443,2000:2100 -j DROP
iptables-nft -A INPUT -p udp --dport 22 -j DROP

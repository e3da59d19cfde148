# iptables-nft: iprange (xt match) containing the client.
# frontend: iptables-nft
# expect ipv4: reject ip filter INPUT 2
# expect ipv6: accept
iptables-nft -A INPUT -p tcp --dport 22 -m iprange --src-range 192.0.2.1-192.0.2.10 -j REJECT
iptables-nft -A INPUT -p tcp --dport 22 -m iprange --src-range 198.51.100.1-198.51.100.10 -j DROP

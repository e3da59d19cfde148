# iptables-nft: conntrack NEW + dport 22 accept, then a catch-all REJECT: accepted.
# frontend: iptables-nft
# expect ipv4: accept
# expect ipv6: accept
iptables-nft -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
iptables-nft -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT
iptables-nft -A INPUT -j REJECT --reject-with icmp-host-prohibited

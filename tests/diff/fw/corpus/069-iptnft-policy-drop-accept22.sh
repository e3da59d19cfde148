# iptables-nft: policy DROP with `-p tcp --dport 22 -j ACCEPT`: accepted.
# frontend: iptables-nft
# expect ipv4: accept
# expect ipv6: accept
iptables-nft -A INPUT -p tcp --dport 22 -j ACCEPT
iptables-nft -P INPUT DROP

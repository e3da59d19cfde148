# ip6tables-nft: policy DROP with a multiport accept including 22; iptables-nft policy DROP without.
# frontend: iptables-nft
# expect ipv4: drop ip filter INPUT policy
# expect ipv6: accept
ip6tables-nft -A INPUT -p tcp -m multiport --dports 22,80 -j ACCEPT
ip6tables-nft -P INPUT DROP
iptables-nft -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
iptables-nft -P INPUT DROP

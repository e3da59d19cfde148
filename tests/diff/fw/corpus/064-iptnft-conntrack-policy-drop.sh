# iptables-nft: conntrack ESTABLISHED,RELATED accept + policy DROP: the SYN is NEW, the policy drops it.
# frontend: iptables-nft
# expect ipv4: drop ip filter INPUT policy
# expect ipv6: accept
iptables-nft -A INPUT -i lo -j ACCEPT
iptables-nft -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
iptables-nft -A INPUT -p icmp -j ACCEPT
iptables-nft -P INPUT DROP

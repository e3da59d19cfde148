# ip6tables-nft: REJECT for IPv6 only; IPv4 passes.
# frontend: iptables-nft
# expect ipv4: accept
# expect ipv6: reject ip6 filter INPUT 2
ip6tables-nft -A INPUT -p tcp --dport 22 -j REJECT

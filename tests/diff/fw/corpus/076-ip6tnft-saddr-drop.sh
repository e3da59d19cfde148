# ip6tables-nft: `-s 2001:db8::2 -j DROP`; iptables-nft bans another IPv4 source.
# frontend: iptables-nft
# expect ipv4: accept
# expect ipv6: drop ip6 filter INPUT 2
ip6tables-nft -A INPUT -s 2001:db8::2 -j DROP
iptables-nft -A INPUT -s 192.0.2.99 -j DROP

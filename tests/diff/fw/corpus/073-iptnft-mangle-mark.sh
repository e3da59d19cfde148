# iptables-nft: MARK set in mangle PREROUTING, `-m mark` matched in filter INPUT.
# frontend: iptables-nft
# expect ipv4: drop ip filter INPUT 2
# expect ipv6: accept
iptables-nft -t mangle -A PREROUTING -s 192.0.2.2 -j MARK --set-mark 7
iptables-nft -A INPUT -m mark --mark 7 -p tcp --dport 22 -j DROP

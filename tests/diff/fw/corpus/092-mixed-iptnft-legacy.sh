# mixed: iptables-nft ACCEPT and iptables-legacy REJECT on the same hook and priority: both run, legacy decides (IPv4); IPv6 only iptables-nft policy accept.
# frontend: iptables-legacy
# expect ipv4: reject ip filter INPUT 1 (legacy)
# expect ipv6: accept
iptables-nft -A INPUT -p tcp --dport 22 -j ACCEPT
iptables-legacy -A INPUT -p tcp --dport 22 -j REJECT

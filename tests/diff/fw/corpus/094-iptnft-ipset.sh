# iptables-nft: `-m set --match-set sgfw-bans src -j DROP` (xt set match) with an ipset (hash:net) holding the client's /24; ip6tables-nft with a hash:ip set without the client.
# frontend: iptables-nft
# expect ipv4: drop ip filter INPUT 2
# expect ipv6: accept
# requires: ipset
ipset create sgfw-bans hash:net
ipset add sgfw-bans 192.0.2.0/24
ipset create sgfw-bans6 hash:ip family inet6
ipset add sgfw-bans6 2001:db8::99
iptables-nft -A INPUT -p tcp --dport 22 -m set --match-set sgfw-bans src -j DROP
ip6tables-nft -A INPUT -p tcp --dport 22 -m set --match-set sgfw-bans6 src -j DROP

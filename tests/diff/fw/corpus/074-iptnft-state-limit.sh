# iptables-nft: `-m state --state NEW -m limit` accept (burst large enough for the first SYN), then DROP.
# frontend: iptables-nft
# expect ipv4: accept
# expect ipv6: accept
iptables-nft -A INPUT -p tcp --dport 22 -m state --state NEW -m limit --limit 1/min --limit-burst 20 -j ACCEPT
iptables-nft -A INPUT -p tcp --dport 22 -j DROP

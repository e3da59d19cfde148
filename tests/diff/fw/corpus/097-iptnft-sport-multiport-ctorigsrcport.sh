# iptables-nft: --sport, multiport --sports and conntrack --ctorigsrcport on privileged ports only; then REJECT: an ephemeral client reaches the REJECT (issue 10).
# frontend: iptables-nft
# expect ipv4: reject ip filter INPUT 5
# expect ipv6: drop ip6 filter INPUT 2
iptables-nft -A INPUT -p tcp --sport 1:1023 -j DROP
iptables-nft -A INPUT -p tcp -m multiport --sports 1:1023,5000 -j DROP
iptables-nft -A INPUT -p tcp -m conntrack --ctorigsrcport 1:1023 -j DROP
iptables-nft -A INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset
ip6tables-nft -A INPUT -p tcp -m multiport --sports 1024:65535 -j DROP

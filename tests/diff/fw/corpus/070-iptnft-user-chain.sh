# iptables-nft: user chain reached by a jump; REJECT --reject-with tcp-reset inside it.
# frontend: iptables-nft
# expect ipv4: reject ip filter SSH-CHECK 3
# expect ipv6: accept
iptables-nft -N SSH-CHECK
iptables-nft -A SSH-CHECK -s 198.51.100.0/24 -j RETURN
iptables-nft -A SSH-CHECK -s 192.0.2.0/24 -p tcp -j REJECT --reject-with tcp-reset
iptables-nft -A INPUT -p tcp --dport 22 -j SSH-CHECK

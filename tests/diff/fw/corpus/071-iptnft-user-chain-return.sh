# iptables-nft: user chain returns for the client; the policy DROP of INPUT then decides.
# frontend: iptables-nft
# expect ipv4: drop ip filter INPUT policy
# expect ipv6: accept
iptables-nft -N SSH-CHECK
iptables-nft -A SSH-CHECK -s 192.0.2.0/24 -j RETURN
iptables-nft -A SSH-CHECK -j ACCEPT
iptables-nft -A INPUT -p tcp --dport 22 -j SSH-CHECK
iptables-nft -P INPUT DROP

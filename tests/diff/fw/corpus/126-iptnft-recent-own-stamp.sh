# iptables-nft: `-m recent --set` then `--update --hitcount 1 -j REJECT`: the connection's own stamp is enough, every source (even its first SYN) is refused, whatever the list held.
# frontend: iptables-nft
# expect ipv4: reject ip filter INPUT 3
# expect ipv6: accept
iptables-nft -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --set --name sgfw
iptables-nft -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --update --seconds 60 --hitcount 1 --name sgfw -j REJECT

# iptables-legacy: ipset match and `-m recent` (ufw-limit style: --set then --update --hitcount 20 DROP; the first SYN passes) before a final REJECT of one source.
# frontend: iptables-legacy
# expect ipv4: reject ip filter INPUT 4 (legacy)
# expect ipv6: accept
# requires: ipset
ipset create sgfw-allow hash:ip
ipset add sgfw-allow 198.51.100.1
iptables-legacy -A INPUT -p tcp --dport 22 -m set --match-set sgfw-allow src -j ACCEPT
iptables-legacy -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --set --name sgfw
iptables-legacy -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --update --seconds 60 --hitcount 20 --name sgfw -j DROP
iptables-legacy -A INPUT -p tcp --dport 22 -s 192.0.2.2 -j REJECT

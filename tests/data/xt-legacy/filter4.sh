# iptables-legacy rules captured into filter4.bin (IPv4 filter table):
iptables-legacy -P INPUT DROP
iptables-legacy -N blocklist
iptables-legacy -A blocklist -s 198.51.100.0/24 -j DROP
iptables-legacy -A blocklist -j RETURN
iptables-legacy -A INPUT -i lo -j ACCEPT
iptables-legacy -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
iptables-legacy -A INPUT -j blocklist
iptables-legacy -A INPUT -p tcp --dport 22 -m comment --comment ssh -j ACCEPT
iptables-legacy -A INPUT -p tcp -m multiport --dports 80,443 -j REJECT --reject-with tcp-reset
iptables-legacy -A INPUT ! -s 192.0.2.0/24 -p tcp --dport 2222 -g blocklist

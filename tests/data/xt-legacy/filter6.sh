# ip6tables-legacy rules captured into filter6.bin (IPv6 filter table):
ip6tables-legacy -A INPUT -p tcp --dport 22 -s 2001:db8::2/128 -j DROP
ip6tables-legacy -A INPUT -i veth0 -p tcp --dport 22 -j REJECT --reject-with tcp-reset

# iptables-legacy: user chain with multiport REJECT --reject-with tcp-reset.
# frontend: iptables-legacy
# expect ipv4: reject ip filter sshguard-test 1 (legacy)
# expect ipv6: accept
iptables-legacy -N sshguard-test
iptables-legacy -A sshguard-test -p tcp -m multiport --dports 22,2222 -j REJECT --reject-with tcp-reset
iptables-legacy -A INPUT -s 192.0.2.0/24 -j sshguard-test

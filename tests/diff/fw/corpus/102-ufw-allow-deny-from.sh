# ufw: default allow incoming + `ufw deny from 192.0.2.2`: IPv4 dropped by ufw's user rule, IPv6 accepted.
# frontend: ufw
# expect ipv4: drop ip filter ufw-user-input 95
# expect ipv6: accept
# requires: ufw
ufw --force reset >/dev/null
ufw default allow incoming
ufw default allow outgoing
ufw deny from 192.0.2.2
ufw --force enable

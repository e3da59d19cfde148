# ufw: default allow + `ufw deny in on sgfw0 to any port 22`: dropped on the veth.
# frontend: ufw
# expect ipv4: drop ip filter ufw-user-input 95
# expect ipv6: drop ip6 filter ufw6-user-input 134
# requires: ufw
ufw --force reset >/dev/null
ufw default allow incoming
ufw default allow outgoing
ufw deny in on sgfw0 to any port 22
ufw --force enable

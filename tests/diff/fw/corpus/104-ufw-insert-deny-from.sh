# ufw: `ufw allow ssh`, then `ufw prepend deny from 192.0.2.2` and `ufw prepend reject from 2001:db8::2`: both families refused by ufw's user rules.
# frontend: ufw
# expect ipv4: drop ip filter ufw-user-input 130
# expect ipv6: reject ip6 filter ufw6-user-input 168
# requires: ufw
ufw --force reset >/dev/null
ufw default deny incoming
ufw default allow outgoing
ufw allow ssh
ufw --force enable
ufw prepend deny from 192.0.2.2
ufw prepend reject from 2001:db8::2

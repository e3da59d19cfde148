# ufw: `ufw allow ssh` before `ufw deny from 192.0.2.2` (first match wins in ufw's chain): accepted.
# frontend: ufw
# expect ipv4: accept
# expect ipv6: accept
# requires: ufw
ufw --force reset >/dev/null
ufw default deny incoming
ufw default allow outgoing
ufw allow ssh
ufw deny from 192.0.2.2
ufw --force enable

# ufw: default deny incoming + `ufw allow ssh`: accepted in both families.
# frontend: ufw
# expect ipv4: accept
# expect ipv6: accept
# requires: ufw
ufw --force reset >/dev/null
ufw default deny incoming
ufw default allow outgoing
ufw allow ssh
ufw --force enable

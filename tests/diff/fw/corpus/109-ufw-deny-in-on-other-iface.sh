# ufw: default allow + `ufw deny in on eth9 to any port 22`: another interface, accepted.
# frontend: ufw
# expect ipv4: accept
# expect ipv6: accept
# requires: ufw
ufw --force reset >/dev/null
ufw default allow incoming
ufw default allow outgoing
ufw deny in on eth9 to any port 22
ufw --force enable

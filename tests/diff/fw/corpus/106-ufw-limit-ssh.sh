# ufw: default deny + `ufw limit ssh` (recent match; the first SYN passes): accepted, rate-limited.
# frontend: ufw
# expect ipv4: accept
# expect ipv6: accept
# requires: ufw
ufw --force reset >/dev/null
ufw default deny incoming
ufw default allow outgoing
ufw limit ssh
ufw --force enable

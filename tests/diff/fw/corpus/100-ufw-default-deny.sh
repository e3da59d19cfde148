# ufw: default deny incoming, enabled, no rule for ssh.
# frontend: ufw
# expect ipv4: drop ip filter INPUT policy
# expect ipv6: drop ip6 filter INPUT policy
# requires: ufw
ufw --force reset >/dev/null
ufw default deny incoming
ufw default allow outgoing
ufw --force enable

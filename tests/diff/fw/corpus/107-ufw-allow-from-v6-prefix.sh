# ufw: default deny + `ufw allow from 2001:db8::/64 to any port 22 proto tcp`: IPv6 accepted, IPv4 dropped by the policy.
# frontend: ufw
# expect ipv4: drop ip filter INPUT policy
# expect ipv6: accept
# requires: ufw
ufw --force reset >/dev/null
ufw default deny incoming
ufw default allow outgoing
ufw allow from 2001:db8::/64 to any port 22 proto tcp
ufw --force enable

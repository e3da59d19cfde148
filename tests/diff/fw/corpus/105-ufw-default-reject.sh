# ufw: default reject incoming (policy stays DROP; ufw-reject-input rejects).
# frontend: ufw
# expect ipv4: reject ip filter ufw-reject-input 43
# expect ipv6: reject ip6 filter ufw6-reject-input 43
# requires: ufw
ufw --force reset >/dev/null
ufw default reject incoming
ufw default allow outgoing
ufw allow 80/tcp
ufw --force enable

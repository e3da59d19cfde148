# fail2ban nftables-allports action (`meta l4proto { tcp }`) bans 192.0.2.2.
# Commands: fail2ban's action.d/nftables.conf (banaction = nftables, type = allports,
# jail sshd: name=sshd port=ssh protocol=tcp blocktype=reject), actionstart then
# actionban <ip>=192.0.2.2, expanded by hand as fail2ban-server would run them
# (`fail2ban-client -d` prints the same actionstart text).
# frontend: fail2ban
# expect ipv4: reject inet f2b-table f2b-chain 3
# expect ipv6: accept
nft add table inet f2b-table
nft -- add chain inet f2b-table f2b-chain \{ type filter hook input priority -1 \; \}
nft add set inet f2b-table addr-set-sshd \{ type ipv4_addr\; \}

nft add rule inet f2b-table f2b-chain meta l4proto \{ tcp \} ip saddr @addr-set-sshd reject

nft add element inet f2b-table addr-set-sshd \{ 192.0.2.2 \}

# fail2ban nftables action bans 198.51.100.9 (not the client): accepted.
# Commands: fail2ban's action.d/nftables.conf (banaction = nftables, type = multiport,
# jail sshd: name=sshd port=ssh protocol=tcp blocktype=reject), actionstart then
# actionban <ip>=198.51.100.9, expanded by hand as fail2ban-server would run them
# (`fail2ban-client -d` prints the same actionstart text).
# frontend: fail2ban
# expect ipv4: accept
# expect ipv6: accept
nft add table inet f2b-table
nft -- add chain inet f2b-table f2b-chain \{ type filter hook input priority -1 \; \}
nft add set inet f2b-table addr-set-sshd \{ type ipv4_addr\; \}
for proto in $(echo 'tcp' | sed 's/,/ /g'); do
nft add rule inet f2b-table f2b-chain $proto dport \{ $(echo 'ssh' | sed s/:/-/g) \} ip saddr @addr-set-sshd reject
done
nft add element inet f2b-table addr-set-sshd \{ 198.51.100.9 \}

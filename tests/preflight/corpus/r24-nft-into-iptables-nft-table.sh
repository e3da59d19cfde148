# kind: ruleset
# expect: lockout
# nft adds a rule to the filter table iptables-nft made (with an x_tables
# match in it): the copy is made with iptables-nft-save, the handles are
# the live table's.
live() {
	iptables-nft -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
	iptables-nft -A INPUT -p udp --dport 53 -j ACCEPT
}
candidate() {
	printf 'add rule ip filter INPUT tcp dport 22 counter drop\n' > "$CAND"
}

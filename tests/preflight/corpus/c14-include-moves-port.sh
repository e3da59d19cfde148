# kind: config
# expect: lockout
# The port comes from an Include'd file; the live firewall drops it.
live() {
	nft add table inet filter
	nft add chain inet filter input '{ type filter hook input priority 0; policy accept; }'
	nft add rule inet filter input tcp dport 2200 drop
}
candidate() {
	echo "Port 2200" > "$CASE_DIR/port.conf"
	{ echo "Include $CASE_DIR/port.conf"; sshd_base; } > "$CAND"
}

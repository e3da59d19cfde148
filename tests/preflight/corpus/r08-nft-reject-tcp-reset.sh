# kind: ruleset
# expect: lockout
live() {
	nft add table inet filter
	nft add chain inet filter input '{ type filter hook input priority 0; policy accept; }'
	nft add rule inet filter input tcp dport 443 accept
}
candidate() {
	printf 'add rule inet filter input tcp dport 22 reject with tcp reset\n' > "$CAND"
}

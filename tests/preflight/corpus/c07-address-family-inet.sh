# kind: config
# expect: lockout
candidate() {
	{ sshd_base; echo "AddressFamily inet"; } > "$CAND"
}

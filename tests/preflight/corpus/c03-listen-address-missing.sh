# kind: config
# expect: lockout
# An address no interface has: sshd cannot bind anything and exits.
candidate() {
	{ sshd_base; echo "ListenAddress 198.51.100.10"; } > "$CAND"
}

# kind: config
# expect: lockout
candidate() {
	{ sshd_base; echo "ListenAddress 127.0.0.1"; } > "$CAND"
}

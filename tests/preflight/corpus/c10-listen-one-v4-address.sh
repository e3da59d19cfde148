# kind: config
# expect: lockout
# Only the IPv4 address: IPv6 clients are refused.
candidate() {
	{ sshd_base; echo "ListenAddress 192.0.2.1"; } > "$CAND"
}

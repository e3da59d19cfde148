# kind: config
# expect: safe
# Both of the host's addresses named one by one.
candidate() {
	{ sshd_base; echo "ListenAddress 192.0.2.1"; echo "ListenAddress [2001:db8::1]:22"; } > "$CAND"
}

# kind: config
# expect: safe
# Wildcards and an address nobody has: sshd logs the failed bind and serves
# on the others.
candidate() {
	{ sshd_base; echo "ListenAddress 0.0.0.0"; echo "ListenAddress ::"; echo "ListenAddress 198.51.100.10"; } > "$CAND"
}

# kind: config
# expect: safe
# Moved to 2222 on purpose: safe (with a warning that 22 goes).
candidate() {
	{ sshd_base; echo "Port 2222"; } > "$CAND"
}

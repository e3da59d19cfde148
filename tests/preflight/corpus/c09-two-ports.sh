# kind: config
# expect: safe
candidate() {
	{ sshd_base; echo "Port 22"; echo "Port 2222"; } > "$CAND"
}

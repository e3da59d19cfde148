# kind: config
# expect: invalid
candidate() {
	{ sshd_base; echo "Match User backup"; echo "    Port 2222"; } > "$CAND"
}

# kind: config
# expect: invalid
candidate() {
	{ sshd_base; echo "Port 22"; echo "PermitRootLogon no"; } > "$CAND"
}

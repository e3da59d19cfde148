# kind: config
# expect: lockout
# The live firewall accepts 22 only: a move to 2222 is dropped.
live() {
	nft -f - <<'N'
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		tcp dport 22 accept
	}
}
N
}
candidate() {
	{ sshd_base; echo "Port 2222"; } > "$CAND"
}

# kind: ruleset
# expect: invalid
candidate() {
	cat > "$CAND" <<'N'
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop
		tcp dport 22 acept
	}
}
N
}

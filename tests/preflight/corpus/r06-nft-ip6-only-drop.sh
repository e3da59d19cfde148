# kind: ruleset
# expect: lockout
candidate() {
	cat > "$CAND" <<'N'
table ip6 v6guard {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 22 drop
	}
}
N
}

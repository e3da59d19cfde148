# kind: ruleset
# expect: safe
candidate() {
	cat > "$CAND" <<'N'
flush ruleset
table inet filter {
	chain ssh_in {
		accept
	}
	chain input {
		type filter hook input priority filter; policy drop;
		tcp dport vmap { 22 : jump ssh_in, 23 : drop }
	}
}
N
}

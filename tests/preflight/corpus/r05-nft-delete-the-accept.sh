# kind: ruleset
# expect: lockout
# policy drop with an accept for ssh (handle 2); the file deletes that rule.
live() {
	nft -f - <<'N'
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		tcp dport 22 accept
		iif "lo" accept
	}
}
N
}
candidate() {
	printf 'delete rule inet filter input handle 2\n' > "$CAND"
}

# kind: ruleset
# expect: lockout
# The live table's handles have a gap (a rule was deleted): the copy's
# handles differ, the check must name the live one (4) and predict the new
# rule's (5).
live() {
	nft -f - <<'N'
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 80 accept
		tcp dport 443 accept
		tcp dport 22 drop
	}
}
N
	nft delete rule inet filter input handle 3
}
candidate() {
	printf 'insert rule inet filter input tcp dport 8080 accept\n' > "$CAND"
}

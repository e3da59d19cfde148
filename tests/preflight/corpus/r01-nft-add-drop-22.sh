# kind: ruleset
# expect: lockout
# An incremental file: one `add rule` on the live table.
live() {
	nft -f - <<'N'
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 80 accept
	}
}
N
}
candidate() {
	printf 'add rule inet filter input tcp dport 22 drop\n' > "$CAND"
}

# kind: ruleset
# expect: safe
# The live ruleset drops port 22; the file inserts an accept before it.
live() {
	nft -f - <<'N'
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 22 drop
	}
}
N
}
candidate() {
	printf 'insert rule inet filter input tcp dport 22 accept\n' > "$CAND"
}

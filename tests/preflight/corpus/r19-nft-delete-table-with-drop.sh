# kind: ruleset
# expect: safe
# The live ruleset drops ssh; the file deletes that table.
live() {
	nft -f - <<'N'
table inet lockdown {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 22 drop
	}
}
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
	}
}
N
}
candidate() {
	printf 'delete table inet lockdown\n' > "$CAND"
}

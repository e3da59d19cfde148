# kind: ruleset
# expect: lockout
# nft variables: the allowed ports come from a define that lost 22.
candidate() {
	cat > "$CAND" <<'N'
define allowed = { 80, 443 }
flush ruleset
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		tcp dport $allowed accept
	}
}
N
}

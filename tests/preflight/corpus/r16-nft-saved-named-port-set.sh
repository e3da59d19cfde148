# kind: ruleset
# expect: lockout
# A named set of allowed ports, saved with `nft list ruleset`: 22 is not in it.
candidate() {
	nft -f - <<'N'
table inet filter {
	set allowed {
		type inet_service
		elements = { 80, 443, 2222 }
	}
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		tcp dport @allowed accept
	}
}
N
	{ echo "flush ruleset"; nft list ruleset; } > "$CAND"
}

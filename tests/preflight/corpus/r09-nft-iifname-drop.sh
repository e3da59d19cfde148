# kind: ruleset
# expect: lockout
# Dropped on the one interface clients arrive on.
candidate() {
	cat > "$CAND" <<N
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		iifname "$SRV_IF" tcp dport 22 drop
	}
}
N
}

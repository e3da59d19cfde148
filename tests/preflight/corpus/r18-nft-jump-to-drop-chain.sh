# kind: ruleset
# expect: lockout
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
	cat > "$CAND" <<'N'
add chain inet filter quarantine
add rule inet filter quarantine counter drop
add rule inet filter input tcp dport { 22, 23 } jump quarantine
N
}

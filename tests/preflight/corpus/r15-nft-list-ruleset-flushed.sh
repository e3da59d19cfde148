# kind: ruleset
# expect: lockout
# The same saved ruleset as an nftables.conf (flush ruleset first).
live() {
	nft -f - <<'N'
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		tcp dport 22 accept
	}
}
N
}
candidate() {
	nft add table inet filter
	nft add chain inet filter input '{ type filter hook input priority 0; policy drop; }'
	nft add rule inet filter input iif lo accept
	nft add rule inet filter input tcp dport 80 accept
	{ echo "flush ruleset"; nft list ruleset; } > "$CAND"
}

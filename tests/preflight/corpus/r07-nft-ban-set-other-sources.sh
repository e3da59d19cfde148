# kind: ruleset
# expect: safe
# A ban of other sources: the host stays reachable.
candidate() {
	cat > "$CAND" <<'N'
table inet bans {
	set banned4 {
		type ipv4_addr
		flags interval
		elements = { 198.51.100.0/24, 203.0.113.7 }
	}
	chain input {
		type filter hook input priority -10; policy accept;
		ip saddr @banned4 tcp dport 22 drop
	}
}
N
}

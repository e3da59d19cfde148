# kind: ruleset
# expect: safe
# The live ruleset bans other sources with timeouts (fail2ban/sshguard
# style: `nft list ruleset` prints "expires", which the copy re-reads); the
# file adds an unrelated rule.
live() {
	nft -f - <<'N'
table inet filter {
	set ban4 {
		type ipv4_addr
		flags timeout
		elements = { 198.51.100.4 timeout 1h }
	}
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr @ban4 tcp dport 22 drop
	}
}
N
}
candidate() {
	printf 'add rule inet filter input tcp dport 25 drop\n' > "$CAND"
}

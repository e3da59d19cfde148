# kind: ruleset
# format: iptables
# expect: lockout
# ufw's own rules (deny incoming, nothing allowed) as iptables-save shows
# them after `ufw enable`.
candidate() {
	ufw --force reset >/dev/null
	ufw default deny incoming >/dev/null
	ufw default allow outgoing >/dev/null
	ufw --force enable >/dev/null
	iptables-save > "$CAND"
}

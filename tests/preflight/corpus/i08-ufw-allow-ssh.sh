# kind: ruleset
# format: iptables
# expect: safe
candidate() {
	ufw --force reset >/dev/null
	ufw default deny incoming >/dev/null
	ufw allow 22/tcp >/dev/null
	ufw --force enable >/dev/null
	iptables-save > "$CAND"
}

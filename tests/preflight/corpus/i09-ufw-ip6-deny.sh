# kind: ruleset
# format: ip6tables
# expect: lockout
# ufw's IPv6 rules (ip6tables-save), ssh not allowed.
candidate() {
	ufw --force reset >/dev/null
	ufw default deny incoming >/dev/null
	ufw allow 80/tcp >/dev/null
	ufw --force enable >/dev/null
	ip6tables-save > "$CAND"
}

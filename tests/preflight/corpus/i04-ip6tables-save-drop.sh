# kind: ruleset
# format: iptables
# expect: lockout
# An ip6tables-save file, told apart by its header.
candidate() {
	ip6tables -A INPUT -p tcp --dport 22 -j DROP
	ip6tables-save > "$CAND"
}

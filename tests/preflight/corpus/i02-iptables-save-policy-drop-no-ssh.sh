# kind: ruleset
# format: iptables
# expect: lockout
candidate() {
	iptables -P INPUT DROP
	iptables -A INPUT -i lo -j ACCEPT
	iptables -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
	iptables-save > "$CAND"
}

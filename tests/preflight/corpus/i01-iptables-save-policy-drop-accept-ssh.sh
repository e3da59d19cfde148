# kind: ruleset
# format: iptables
# expect: safe
# iptables-save of a host that allows ssh (made with iptables-nft).
candidate() {
	iptables -P INPUT DROP
	iptables -A INPUT -i lo -j ACCEPT
	iptables -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	iptables -A INPUT -p tcp --dport 22 -j ACCEPT
	iptables-save > "$CAND"
}

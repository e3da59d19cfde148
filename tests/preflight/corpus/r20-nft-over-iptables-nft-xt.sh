# kind: ruleset
# expect: lockout
# The live host has iptables-nft rules with x_tables extensions (multiport,
# conntrack): nft cannot re-read those; copied with iptables-nft-save.
live() {
	iptables-nft -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	iptables-nft -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
	ip6tables-nft -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
}
candidate() {
	cat > "$CAND" <<'N'
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
	}
}
N
}

# kind: ruleset
# expect: safe
# iptables-nft accepts ssh with multiport; the file adds a table of its own
# that also accepts it.
live() {
	iptables-nft -P INPUT DROP
	iptables-nft -A INPUT -p tcp -m multiport --dports 22,80 -j ACCEPT
	ip6tables-nft -P INPUT DROP
	ip6tables-nft -A INPUT -p tcp -m multiport --dports 22,80 -j ACCEPT
}
candidate() {
	cat > "$CAND" <<'N'
table inet extra {
	chain input {
		type filter hook input priority filter + 10; policy accept;
		tcp dport 22 accept
	}
}
N
}

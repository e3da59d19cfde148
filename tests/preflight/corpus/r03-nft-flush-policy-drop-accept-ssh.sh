# kind: ruleset
# expect: safe
candidate() {
	cat > "$CAND" <<'N'
flush ruleset
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		ct state established,related accept
		tcp dport ssh accept
		meta l4proto ipv6-icmp accept
	}
}
N
}

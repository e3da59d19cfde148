# kind: ruleset
# expect: lockout
# iptables-legacy drops ssh: an nft file that accepts it changes nothing
# there (legacy tables are copied with iptables-legacy-save).
live() {
	iptables-legacy -A INPUT -p tcp --dport 22 -j DROP
}
candidate() {
	cat > "$CAND" <<'N'
flush ruleset
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 22 accept
	}
}
N
}

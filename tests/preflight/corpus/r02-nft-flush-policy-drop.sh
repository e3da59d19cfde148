# kind: ruleset
# expect: lockout
# A whole /etc/nftables.conf that forgets ssh.
candidate() {
	cat > "$CAND" <<'N'
#!/usr/sbin/nft -f
flush ruleset

table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		ct state established,related accept
		tcp dport { 80, 443 } accept
	}
}
N
}

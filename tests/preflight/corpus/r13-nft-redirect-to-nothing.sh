# kind: ruleset
# expect: lockout
# Port 22 redirected where nothing listens: the TCP stack refuses.
candidate() {
	cat > "$CAND" <<'N'
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 22 redirect to :2200
	}
}
table ip6 nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 22 redirect to :2200
	}
}
N
}

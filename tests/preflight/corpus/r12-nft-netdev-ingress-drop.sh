# kind: ruleset
# expect: lockout
# netdev ingress on the host's interface: the private namespace needs that
# device to load it.
candidate() {
	cat > "$CAND" <<N
table netdev edge {
	chain ingress {
		type filter hook ingress device "$SRV_IF" priority -100; policy accept;
		tcp dport 22 drop
	}
}
N
}

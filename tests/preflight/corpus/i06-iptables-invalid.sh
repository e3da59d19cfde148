# kind: ruleset
# format: iptables
# expect: invalid
candidate() {
	cat > "$CAND" <<'N'
*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 22 -j ACCEPTT
COMMIT
N
}

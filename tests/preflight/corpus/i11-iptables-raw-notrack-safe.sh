# kind: ruleset
# format: iptables
# expect: safe
# Another table only (raw): filter is left as it is.
live() {
	nft -f - <<'N'
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		tcp dport 22 accept
	}
}
N
}
candidate() {
	cat > "$CAND" <<'N'
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p udp --dport 53 -j CT --notrack
COMMIT
N
}

# kind: ruleset
# format: iptables
# expect: safe
# The live filter table (iptables-nft, multiport) drops ssh; iptables-restore
# flushes the tables the file names.
live() {
	iptables-nft -A INPUT -p tcp -m multiport --dports 22,23 -j DROP
}
candidate() {
	cat > "$CAND" <<'N'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m multiport --dports 22,80 -j ACCEPT
COMMIT
N
}

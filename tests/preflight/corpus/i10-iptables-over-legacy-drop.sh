# kind: ruleset
# format: iptables
# expect: lockout
# iptables-legacy drops ssh; restoring an nft-backend filter table leaves it.
live() {
	iptables-legacy -P INPUT DROP
	iptables-legacy -A INPUT -i lo -j ACCEPT
}
candidate() {
	cat > "$CAND" <<'N'
*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 22 -j ACCEPT
COMMIT
N
}

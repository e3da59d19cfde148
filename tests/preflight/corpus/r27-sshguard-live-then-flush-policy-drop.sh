# kind: ruleset
# expect: lockout
# requires: /usr/libexec/sshguard/sshg-fw-nft-sets
# sshguard's own tables are live (its nft backend, fed on a fifo); the file
# flushes everything and drops by policy.
live() {
	fifo=$(mktemp -u /run/sgpf-sshg.XXXXXX); mkfifo "$fifo"
	/usr/libexec/sshguard/sshg-fw-nft-sets < "$fifo" >/dev/null 2>&1 &
	exec 3>"$fifo"
	echo 'block 198.51.100.7 4 32' >&3
	for i in $(seq 50); do
		[ "$(nft list ruleset | grep -c 'elements')" -ge 1 ] && break
		sleep 0.1
	done
	sleep 3600 3>&3 </dev/null >/dev/null 2>&1 &
}
candidate() {
	cat > "$CAND" <<'N'
flush ruleset
table ip filter {
	chain INPUT {
		type filter hook input priority filter; policy drop;
		tcp dport 80 accept
	}
}
N
}

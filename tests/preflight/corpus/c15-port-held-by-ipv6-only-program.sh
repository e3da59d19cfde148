# kind: config
# expect: lockout
# Another program's IPv6-only socket on 2222 does not keep sshd's IPv4 one
# out; sshd's IPv6 bind fails, and IPv6 clients reach that program.
live() {
	python3 -c '
import socket, time
a = socket.socket(socket.AF_INET6); a.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
a.bind(("::", 2222)); a.listen()
time.sleep(600)' >/dev/null 2>&1 &
	for i in $(seq 50); do ss -Htln | grep -q ':2222 ' && break; sleep 0.05; done
}
candidate() {
	{ sshd_base; echo "Port 2222"; } > "$CAND"
}

# kind: config
# expect: lockout
# Another program holds 2222 for both families.
live() {
	python3 -c '
import socket, time
a = socket.socket(socket.AF_INET6); a.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
a.bind(("::", 2222)); a.listen()
time.sleep(600)' >/dev/null 2>&1 &
	for i in $(seq 50); do ss -Htln | grep -q ':2222 ' && break; sleep 0.05; done
}
candidate() {
	{ sshd_base; echo "Port 2222"; } > "$CAND"
}

# kind: config
# expect: lockout
# Another program holds 0.0.0.0:2222: sshd gets IPv6 only, IPv4 clients
# reach that program.
live() {
	python3 -c '
import socket, time
a = socket.socket(); a.bind(("0.0.0.0", 2222)); a.listen()
time.sleep(600)' >/dev/null 2>&1 &
	for i in $(seq 50); do ss -Htln | grep -q ':2222 ' && break; sleep 0.05; done
}
candidate() {
	{ sshd_base; echo "Port 2222"; } > "$CAND"
}

# sshguard blocks 192.0.2.2/32: IPv4 dropped (ip sshguard blacklist), IPv6 accepted.
# sshguard's nft backend: the real /usr/libexec/sshguard/sshg-fw-nft-sets reading
# sshg-blocker's commands on stdin.  It deletes its tables at EOF, so it is
# left running (the harness ends the case's process group afterwards).
# frontend: sshguard
# expect ipv4: drop ip sshguard blacklist 3
# expect ipv6: accept
# requires: /usr/libexec/sshguard/sshg-fw-nft-sets
fifo=$(mktemp -u /run/sgfw-sshg.XXXXXX); mkfifo "$fifo"
/usr/libexec/sshguard/sshg-fw-nft-sets < "$fifo" >/dev/null 2>&1 &
exec 3>"$fifo"
echo 'block 192.0.2.2 4 32' >&3
# wait until the last element is in
for i in $(seq 50); do
	[ "$(nft list ruleset | grep -c 'elements')" -ge 1 ] && break
	sleep 0.1
done
nft list ruleset | grep -q elements
# keep the fifo open after this script ends (EOF would make sshguard delete its tables)
sleep 3600 3>&3 </dev/null >/dev/null 2>&1 &

# kind: config
# expect: safe
# known-disagreement: lib/diagnose.c diagnose_listening() calls a sshd
# bound to specific addresses "listen-restricted" (scope some-interfaces,
# unreachable) whenever it has no wildcard socket, even when every address
# of every interface that is up and not loopback has an sshd socket taking
# it (here 192.0.2.1 and 2001:db8::1; only the link-local fe80:: is left).
# Both of the host's addresses named one by one.
candidate() {
	{ sshd_base; echo "ListenAddress 192.0.2.1"; echo "ListenAddress [2001:db8::1]:22"; } > "$CAND"
}

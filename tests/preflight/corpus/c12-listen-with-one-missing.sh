# kind: config
# expect: safe
# known-disagreement: lib/diagnose.c diagnose_listening() makes
# address-missing unreachable for a ListenAddress no interface has even
# while sshd's wildcard sockets on the same port take every client.
# Wildcards and an address nobody has: sshd logs the failed bind and serves
# on the others.
candidate() {
	{ sshd_base; echo "ListenAddress 0.0.0.0"; echo "ListenAddress ::"; echo "ListenAddress 198.51.100.10"; } > "$CAND"
}

#!/bin/sh
# Remakes filter4-counters.bin: the rules of filter4.sh, then traffic over
# lo that their counters count (packets to closed TCP ports, so INPUT's
# "-i lo -j ACCEPT" and the chain policies see it).  The same rules as
# filter4.bin with other counters: xt_legacy_table_fingerprint() must not
# tell them apart.  Run as root from the build directory:
#   sh ../tests/data/xt-legacy/filter4-counters.sh tests/tools/xt-legacy-capture
set -eu
tool=$(realpath "$1")
out=$(realpath "$(dirname "$0")")
ns=sgb-xt-counters.$$
ip netns add "$ns"
trap 'ip netns delete "$ns"' EXIT
ip -n "$ns" link set lo up
ip netns exec "$ns" sh -e "$out/filter4.sh"
ip netns exec "$ns" python3 -c '
import socket
for port in (9, 22, 80, 2222):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2)
    except OSError:
        pass'
ip netns exec "$ns" iptables-legacy -L -v -n -x
ip netns exec "$ns" "$tool" 4 filter > "$out/filter4-counters.bin"

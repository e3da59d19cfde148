#!/bin/sh
# Remakes basic.bin and dualstack.bin: AF_INET then AF_INET6
# SOCK_DIAG_BY_FAMILY dump replies of known python listeners, in a network
# namespace of its own.  Run as root from the build directory:
#   sh ../tests/data/listen/capture.sh tests/tools/listen-capture
# Inodes, cookies and the order of sockets change with every capture: update
# tests/unit/check_listen.c after (`listen-capture show FILE` prints them).
set -eu
tool=$(realpath "$1")
out=$(realpath "$(dirname "$0")")
ns=sgl-listen-capture.$$
ip netns add "$ns"
trap 'ip netns delete "$ns"' EXIT
ip -n "$ns" link set lo up

capture() {     # NAME PYTHON
        ip netns exec "$ns" python3 -c "$2" &
        pid=$!
        sleep 1
        ip netns exec "$ns" "$tool" dump "$out/$1.bin"
        kill "$pid"
        wait "$pid" || true
}

# 0.0.0.0:22, 127.0.0.1:2222, [::]:22 v6only, [::]:2022 dual-stack (it cannot
# share 22 with 0.0.0.0:22), [::1]:2200 v6only
capture basic '
import socket, time
keep = []
for fam, a, p, v6only in [(2, "0.0.0.0", 22, None), (2, "127.0.0.1", 2222, None),
                          (10, "::", 22, 1), (10, "::", 2022, 0), (10, "::1", 2200, 1)]:
    s = socket.socket(fam, socket.SOCK_STREAM)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    s.bind((a, p)); s.listen(); keep.append(s)
time.sleep(60)'

# [::]:22 dual-stack, [::ffff:127.0.0.1]:2223, 0.0.0.0:2224 bound to lo, and
# 0.0.0.0:8022 of uid 65534 (a child; the others are shared with it)
capture dualstack '
import socket, time, os
keep = []
def mk(fam, a, p, v6only=None, dev=None):
    s = socket.socket(fam, socket.SOCK_STREAM)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    if dev:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev)
    s.bind((a, p)); s.listen(); keep.append(s)
mk(10, "::", 22, 0)
mk(10, "::ffff:127.0.0.1", 2223, 0)
mk(2, "0.0.0.0", 2224, dev=b"lo")
r, w = os.pipe()
if os.fork() == 0:
    os.setuid(65534); mk(2, "0.0.0.0", 8022); os.write(w, b"x"); time.sleep(5); os._exit(0)
os.read(r, 1)
time.sleep(60)'

# taskstats-sleep.bin: the kernel's TASKSTATS_CMD_GET answer for a process
# named "sleep" (its pid is printed: update tests/unit/check_listen.c)
sleep 30 &
pid=$!
sleep 1         # until it is "sleep", no longer the shell that forked it
"$tool" taskstats "$pid" "$out/taskstats-sleep.bin"
kill "$pid"

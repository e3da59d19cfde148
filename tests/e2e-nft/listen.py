#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Stands in for sshd in the server namespace: accepts on every given port,
# IPv4 and IPv6.
import select, socket, sys

socks = []
for p in map(int, sys.argv[1:]):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", p))
    s.listen(128)
    socks.append(s)
while True:
    r, _, _ = select.select(socks, [], [])
    for s in r:
        c, _ = s.accept()
        c.close()

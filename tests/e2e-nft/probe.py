#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel's answer: a real connect() from the client namespace.
# Prints accept (connected), reject (refused/unreachable) or drop (time-out).
import errno, socket, sys

addr, port = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(float(sys.argv[3]) if len(sys.argv) > 3 else 1.5)
try:
    s.connect((addr, port))
    print("accept")
except socket.timeout:
    print("drop")
except OSError as e:
    if e.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM):
        print("reject")
    else:
        print("error %s" % e)

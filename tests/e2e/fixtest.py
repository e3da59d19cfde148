# SPDX-License-Identifier: GPL-2.0-or-later
"""The fix test of issue 10: a problem entry's fix applied as an admin would.

Once a problem entry is there, wait until sshd's units settle (no job, not
activating/deactivating: systemd's auto-restart may be under way), do only
the one human step the MESSAGE names, computed from the entry's own fields
(the config causes: delete line CONFIG_LINE of CONFIG_FILE), then run
SSHGUARDIAN_REMEDIATION verbatim with `sh -c` inside the container, and
assert:

  - exactly one resolved entry of the same finding (cause and the evidence
    that identifies it, as lib/transitions.c's identity) within seconds;
  - no other problem entry opened by the fix (e.g. `systemctl reset-failed`
    must not open unit-stopped);
  - then the next problem still open since the case's setup began (a setup
    may open one of its own, e.g. listen-restricted before interface-down)
    is fixed the same way, until none is open;
  - Healthy true, `sshguardianctl status` 0, and a real TCP connection from
    the client namespace `cl` (the peer of the container's e2e0) reads
    sshd's "SSH-2.0-" banner on every family.

Python standard library only; used by run.py.
"""

import re
import time

FIX_TIMEOUT = 5.0       # s: a resolved entry after the fix
GRACE = 1.0             # s: after the last resolved entry, for late entries the fix caused
SETTLE_TIMEOUT = 20.0   # s: sshd's units to settle
SSH_UNITS = ("ssh.service", "ssh.socket")
CLIENT_NS = "cl"
SERVER_ADDRS = {"ipv4": "192.0.2.1", "ipv6": "2001:db8::1"}

# The causes whose MESSAGE names a line of sshd_config to change: the human
# step is deleting that line (the cases write only lines that break).
LINE_CAUSES = ("config-invalid", "config-pending", "port-changed", "listen-restricted", "address-missing")

# lib/transitions.c: identity_keys
IDENTITY_KEYS = ("unit", "port", "family", "interface", "config_file", "config_line",
                 "rule_family", "rule_table", "rule_chain", "rule_handle")

BANNER_PY = (
    "import socket, sys\n"
    "s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)\n"
    "s.settimeout(3)\n"
    "b = b''\n"
    "while b'\\n' not in b and len(b) < 512:\n"
    "    d = s.recv(256)\n"
    "    if not d:\n"
    "        break\n"
    "    b += d\n"
    "print(b.split(b'\\n')[0].decode(errors='replace').strip())\n")


class NoFixTest(str):
    """A case whose entry carries no REMEDIATION, or whose fix is a human
    decision: the suite's own fix is done instead, and the reason printed."""


def identity(e):
    return (e.get("SSHGUARDIAN_CAUSE"),) + tuple(e.get("SSHGUARDIAN_" + k.upper()) for k in IDENTITY_KEYS)


def show_identity(ident):
    return ident[0] + "".join(" %s=%s" % (k.upper(), v) for k, v in zip(IDENTITY_KEYS, ident[1:]) if v is not None)


def open_problems(entries):
    """The findings a list of entries leaves open, oldest first: [(identity, problem entry)]."""
    open_ = {}
    for x in entries:
        if x.get("SSHGUARDIAN_FLAPPING"):
            continue
        ident = identity(x)
        if x.get("SSHGUARDIAN_STATE") == "problem":
            open_.setdefault(ident, x)
        elif x.get("SSHGUARDIAN_STATE") == "resolved":
            open_.pop(ident, None)
    return list(open_.items())


def default_human_step(e):
    """The human step the entry's MESSAGE names, as a command; None if there is none."""
    cause = e.get("SSHGUARDIAN_CAUSE")
    f, line = e.get("SSHGUARDIAN_CONFIG_FILE"), e.get("SSHGUARDIAN_CONFIG_LINE")
    if cause in LINE_CAUSES and f and line and line.isdigit():
        return "sed -i '%sd' '%s'" % (line, f)
    return None


def units_state(c):
    r = c.run(["systemctl", "show", "-p", "Id", "-p", "ActiveState", "-p", "SubState", "-p", "Job"]
              + list(SSH_UNITS), check=False)
    units = []
    for block in r.stdout.strip().split("\n\n"):
        units.append(dict(l.split("=", 1) for l in block.splitlines() if "=" in l))
    jobs = c.run(["systemctl", "list-jobs", "--no-legend", "--plain"], check=False).stdout
    busy = [l for l in jobs.splitlines() if any(u in l for u in SSH_UNITS)]
    return units, busy


def settle(c, timeout=SETTLE_TIMEOUT):
    """Waits until sshd's units have no job and are neither activating
    (auto-restart included) nor deactivating, twice 0.3 s apart.  Returns
    None, or what was still moving."""
    deadline = time.monotonic() + timeout
    steady = 0
    while True:
        units, busy = units_state(c)
        moving = busy + ["%s %s/%s" % (u.get("Id"), u.get("ActiveState"), u.get("SubState")) for u in units
                         if u.get("ActiveState") in ("activating", "deactivating", "reloading")
                         or u.get("SubState") == "auto-restart" or u.get("Job") not in (None, "", "0")]
        steady = 0 if moving else steady + 1
        if steady >= 2:
            return None
        if time.monotonic() > deadline:
            return "sshd's units did not settle in %.0f s: %s" % (timeout, "; ".join(moving))
        time.sleep(0.3)


def banner(c, family, port, timeout=3.0):
    """The first line sshd sends to a client in namespace cl; (ok, text)."""
    deadline = time.monotonic() + timeout
    while True:
        r = c.run(["ip", "netns", "exec", CLIENT_NS, "python3", "-c", BANNER_PY, SERVER_ADDRS[family], str(port)],
                  check=False, timeout=15)
        text = r.stdout.strip() if r.returncode == 0 else (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1]
        if r.returncode == 0 and text.startswith("SSH-2.0-"):
            return True, text
        if time.monotonic() > deadline:
            return False, text
        time.sleep(0.2)


def strip_reinstall(rem):
    """binary-missing: the package manager's part cannot run in the
    container (no network, /usr read-only); the systemctl part after it."""
    m = re.match(r"^(apt-get install --reinstall openssh-server|dnf reinstall openssh-server|"
                 r"yum reinstall openssh-server|zypper install --force openssh|apk fix openssh-server) && (systemctl .*)$",
                 rem or "")
    return m.group(2) if m else None

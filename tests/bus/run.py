#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""`sshguardianctl status` against a stand-in daemon on a private bus.

    run.py SSHGUARDIANCTL BUS_FAKE_MANAGER

Starts a dbus-daemon of its own (a socket in a temporary directory, a
policy that lets anyone own and call anything), points
DBUS_SYSTEM_BUS_ADDRESS at it, and for each case runs bus-fake-manager
(tests/tools: owns org.sshguardian1 and exports the Manager's Healthy,
Summary and Findings as told) and `status` with and without --json,
comparing stdout, stderr and the exit status exactly.  Touches nothing
but the processes and the directory it creates.  No root needed; as root,
one case runs `status` as nobody (setpriv) to show it needs no privilege.

Prints `ok NAME` / `FAIL NAME: ...` and a final `N passed, M failed`;
exits 1 on any failure.  Fails (never skips) without dbus-daemon.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

CTL, FAKE = sys.argv[1], sys.argv[2]
PREFIX = "sshguardianctl: "

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>sshguardian-test</type>
  <listen>unix:dir=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"""

passed = failed = 0


def check(name, got, want):
    global passed, failed
    if got == want:
        passed += 1
        print("ok " + name)
    else:
        failed += 1
        print("FAIL %s:\n  got  %r\n  want %r" % (name, got, want))


def status(env, *args, ctl=None, prefix=()):
    p = subprocess.run(list(prefix) + [ctl or CTL, "status"] + list(args), env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, timeout=10)
    return p.returncode, p.stdout, p.stderr


class Fake:
    """bus-fake-manager for the length of a with block."""

    def __init__(self, env, *args):
        self.env, self.args = env, list(args)

    def __enter__(self):
        self.p = subprocess.Popen([FAKE] + self.args, env=self.env, stdout=subprocess.PIPE,
                                  universal_newlines=True)
        if self.p.stdout.readline().strip() != "ready":
            self.p.kill()
            self.p.wait()
            raise SystemExit("bus-fake-manager did not start (%s)" % " ".join(self.args))
        return self

    def __exit__(self, *exc):
        self.p.terminate()
        self.p.wait(timeout=5)
        self.p.stdout.close()
        return False


def main():
    daemon = shutil.which("dbus-daemon")
    if not daemon:
        print("FAIL: dbus-daemon is not installed: the status tests need a bus of their own "
              "(Debian: apt-get install dbus)")
        return 1
    tmp = tempfile.mkdtemp(prefix="sgbus-")
    # the bus socket and a copy of sshguardianctl, reachable by nobody
    os.chmod(tmp, 0o755)
    conf = os.path.join(tmp, "bus.conf")
    with open(conf, "w") as f:
        f.write(BUS_CONFIG % tmp)
    bus = subprocess.Popen([daemon, "--config-file=" + conf, "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=None,
                           universal_newlines=True)
    try:
        address = bus.stdout.readline().strip()
        if not address:
            print("FAIL: dbus-daemon printed no address")
            return 1
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=address, LC_ALL="C")
        run_cases(env, dict(os.environ, LC_ALL="C",
                            DBUS_SYSTEM_BUS_ADDRESS="unix:path=" + os.path.join(tmp, "no-bus")))
        run_unprivileged(env, tmp)
    finally:
        bus.terminate()
        bus.wait(timeout=5)
        bus.stdout.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


def run_cases(env, env_no_bus):
    healthy_line = "healthy: nothing keeps new connections from sshd on port 22"

    # healthy: the daemon's summary line, exit 0
    with Fake(env, "true", healthy_line):
        check("healthy-text", status(env), (0, healthy_line + "\n", ""))
        check("healthy-json", status(env, "--json"),
              (0, '{"healthy":true,"summary":"%s","findings":[]}\n' % healthy_line, ""))

    # open problems: audit's lines, evidence in the daemon's order; JSON
    # escapes what needs escaping
    drop_msg = ('The firewall drops new connections to port 22 (IPv4 and IPv6, all): '
                'inet filter input handle 7 "tcp dport 22 drop" (nftables); '
                'fix: nft delete rule inet filter input handle 7.')
    stop_msg = "sshd (ssh.service) was stopped \\ on purpose; start it: systemctl start ssh.service."
    with Fake(env, "false", "2 problems: sshd is unreachable",
              "-f", "firewall-drop", drop_msg,
              "port=22", "family=any", "scope=all", "rule=tcp dport 22 drop", "rule_family=inet",
              "rule_table=filter", "rule_chain=input", "rule_handle=7", "frontend=nftables",
              "remediation=nft delete rule inet filter input handle 7",
              "-f", "unit-stopped", stop_msg, "unit=ssh.service", "unit_result=success"):
        check("problems-text", status(env), (1, (
            "firewall-drop: " + drop_msg + "\n"
            "  port=22\n  family=any\n  scope=all\n  rule=tcp dport 22 drop\n  rule_family=inet\n"
            "  rule_table=filter\n  rule_chain=input\n  rule_handle=7\n  frontend=nftables\n"
            "  remediation=nft delete rule inet filter input handle 7\n"
            "unit-stopped: " + stop_msg + "\n"
            "  unit=ssh.service\n  unit_result=success\n"), ""))
        check("problems-json", status(env, "--json"), (1, (
            '{"healthy":false,"summary":"2 problems: sshd is unreachable","findings":['
            '{"cause":"firewall-drop","state":"problem","message":"The firewall drops new connections '
            'to port 22 (IPv4 and IPv6, all): inet filter input handle 7 \\"tcp dport 22 drop\\" '
            '(nftables); fix: nft delete rule inet filter input handle 7.",'
            '"evidence":{"port":"22","family":"any","scope":"all","rule":"tcp dport 22 drop",'
            '"rule_family":"inet","rule_table":"filter","rule_chain":"input","rule_handle":"7",'
            '"frontend":"nftables","remediation":"nft delete rule inet filter input handle 7"}},'
            '{"cause":"unit-stopped","state":"problem","message":"sshd (ssh.service) was stopped '
            '\\\\ on purpose; start it: systemctl start ssh.service.",'
            '"evidence":{"unit":"ssh.service","unit_result":"success"}}]}\n'), ""))

    # DESIGN.md: a source ban leaves the host healthy, but it is an open
    # problem: exit 1
    ban_msg = "fail2ban bans some sources from port 22."
    with Fake(env, "true", "healthy; 1 source ban", "-f", "firewall-reject", ban_msg,
              "scope=some-sources", "frontend=fail2ban"):
        check("source-ban-text", status(env),
              (1, "firewall-reject: %s\n  scope=some-sources\n  frontend=fail2ban\n" % ban_msg, ""))
        check("source-ban-json", status(env, "--json"), (1, (
            '{"healthy":true,"summary":"healthy; 1 source ban","findings":[{"cause":"firewall-reject",'
            '"state":"problem","message":"%s","evidence":{"scope":"some-sources","frontend":"fail2ban"}}]}\n'
            % ban_msg), ""))

    # unhealthy without findings (a daemon still judging, say): exit 1
    with Fake(env, "false", "not judged yet"):
        check("unhealthy-no-findings", status(env), (1, "not judged yet\n", ""))

    # a daemon that exports other types: cannot tell, exit 3
    with Fake(env, "wrong-type", "x"):
        err = ("status: org.sshguardian1 answered without Healthy (b), Summary (s) and Findings "
               "(a(ssa{ss}))")
        check("wrong-type-json", status(env, "--json"),
              (3, json.dumps({"error": err}, separators=(",", ":")) + "\n", PREFIX + err + "\n"))

    # nobody owns the name: exit 3, one line; JSON: the same line as an object
    rc, out, err = status(env)
    want = PREFIX + "status: sshguardiand is not running (org.sshguardian1 not on the system bus): "
    check("not-running-text", (rc, out, err.startswith(want), err.count("\n")), (3, "", True, 1))
    rc, out, err = status(env, "--json")
    check("not-running-json", (rc, out), (3, json.dumps({"error": err[len(PREFIX):-1]},
                                                        separators=(",", ":")) + "\n"))
    check("not-running-json-stderr", err.startswith(want), True)

    # no bus at all
    err = "status: sshguardiand cannot be asked: no system bus: No such file or directory"
    check("no-bus-text", status(env_no_bus), (3, "", PREFIX + err + "\n"))
    check("no-bus-json", status(env_no_bus, "--json"),
          (3, '{"error":"%s"}\n' % err, PREFIX + err + "\n"))

    # usage errors: 2, before the bus is asked
    rc, out, err = status(env_no_bus, "--bogus")
    check("bad-option-text", (rc, out, err.splitlines()[-1]),
          (2, "", PREFIX + "status: invalid option (see --help)"))
    rc, out, err = status(env_no_bus, "--json", "--bogus")
    check("bad-option-json", (rc, out), (2, '{"error":"status: invalid option (see --help)"}\n'))
    check("extra-argument", status(env_no_bus, "now"),
          (2, "", PREFIX + "status: unexpected argument 'now'\n"))


def run_unprivileged(env, tmp):
    """DESIGN.md: status works for unprivileged users.  As root, drop to
    nobody; otherwise this user already is one."""
    prefix, ctl = (), CTL
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if not setpriv:
            check("unprivileged: setpriv (util-linux) is installed", False, True)
            return
        prefix = (setpriv, "--reuid=65534", "--regid=65534", "--clear-groups")
        ctl = os.path.join(tmp, "sshguardianctl")
        shutil.copy(CTL, ctl)
        os.chmod(ctl, 0o755)
    with Fake(env, "true", "healthy: nothing keeps new connections from sshd on port 22"):
        check("unprivileged", status(env, "--json", ctl=ctl, prefix=prefix),
              (0, '{"healthy":true,"summary":"healthy: nothing keeps new connections from sshd on '
                  'port 22","findings":[]}\n', ""))


if __name__ == "__main__":
    sys.exit(main())

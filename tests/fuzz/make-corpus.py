#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Remakes the seed corpora of tests/fuzz/corpus/NAME from the project's
captured test data (tests/data, tests/diff/sshd/corpus, conf/) and a few
inputs written here, in each harness's input format (see the comment at
the top of fuzz-NAME.c).  Seeds are named after what they came from.

    tests/fuzz/make-corpus.py [--rtnl-capture]

Replaces corpus/NAME for every NAME it makes, except corpus/rtnl, which
holds answers captured from this machine's kernel: --rtnl-capture asks the
kernel again (RTM_GETROUTE over NETLINK_ROUTE, read-only, no privilege)
and adds the crafted seeds.  Inputs that libFuzzer found and that are worth
keeping are merged into the corpora with `run.sh BUILDDIR SECONDS --merge`,
not by this script: running it again drops them.
"""
import hashlib
import os
import shutil
import socket
import struct
import sys

FUZZ = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(FUZZ))
DATA = os.path.join(TOP, "tests", "data")
SSHD_CORPUS = os.path.join(TOP, "tests", "diff", "sshd", "corpus")
NFPROTO_IPV4, NFPROTO_IPV6 = 2, 10


class Corpus:
    def __init__(self, name):
        self.dir = os.path.join(FUZZ, "corpus", name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.seen = set()

    def add(self, name, data):
        digest = hashlib.sha1(data).hexdigest()
        if digest in self.seen:
            return
        self.seen.add(digest)
        with open(os.path.join(self.dir, name), "wb") as f:
            f.write(data)


def read(*path):
    with open(os.path.join(*path), "rb") as f:
        return f.read()


def records(path, magic):
    """(kind, bytes) of a tests/data/nft-store capture."""
    d = read(path)
    assert d[:4] == magic, path
    at, out = 4, []
    while at + 8 <= len(d):
        kind, n = struct.unpack_from("<II", d, at)
        at += 8
        out.append((chr(kind), d[at:at + n]))
        at += (n + 3) & ~3
    return out


def record_bytes(kind, data):
    return struct.pack("<II", ord(kind), len(data)) + data + b"\0" * ((4 - len(data) % 4) % 4)


def datagrams(path):
    """The datagrams of a tests/data/nft-monitor capture."""
    d = read(path)
    assert d[:4] == b"SGNM", path
    at, out = 4, []
    while at + 4 <= len(d):
        (n,) = struct.unpack_from("<i", d, at)
        at += 4
        if n < 0:
            continue
        out.append(d[at:at + n])
        at += n
    return out


def sshd_corpus_cases():
    for name in sorted(os.listdir(SSHD_CORPUS)):
        if name.endswith(".conf"):
            yield name[:-5], read(SSHD_CORPUS, name)


def include_is_local(text):
    """fuzz_sshd_config_includes_are_local(), for the seeds."""
    for line in text.split(b"\0")[0].split(b"\n"):
        word = line.translate(None, b"\"'\\").lstrip(b" \t\r=\f\v")
        if word[:7].lower() == b"include" and (b"/" in line or b"~" in line):
            return False
    return True


def make_sshdconf():
    c = Corpus("sshdconf")
    for name, text in sshd_corpus_cases():
        if include_is_local(text):
            c.add(name, text)
    c.add("include-relative-self", b"Port 2222\nInclude sshd_config\nListenAddress 127.0.0.1\n")
    c.add("match-all-listen", b"Port 22\nMatch all\nPasswordAuthentication no\nMatch Address 10.0.0.0/8\n"
          b"PermitRootLogin yes\n")


def make_sshdconf_include():
    c = Corpus("sshdconf-include")
    cases = dict(sshd_corpus_cases())
    for name, text in sorted(cases.items()):
        d = os.path.join(SSHD_CORPUS, name + ".d")
        if not os.path.isdir(d):
            continue
        parts = sorted(f for f in os.listdir(d) if os.path.isfile(os.path.join(d, f)))
        lines = text.split(b"\n")
        top = b"\n".join(l for l in lines if not l.lstrip().lower().startswith(b"include"))
        included = [read(d, f) for f in parts]
        included = [t for t in included if include_is_local(t)]
        c.add(name, b"\f".join([top] + included))
        # the Include where it was, naming the next part by its relative name
        inplace = b"\n".join(b"Include f*.conf" if l.lstrip().lower().startswith(b"include") else l
                             for l in lines)
        c.add(name + "-in-place", b"\f".join([inplace] + included[:1]))
    plain = [t for n, t in sorted(cases.items()) if include_is_local(t) and b"Match" in t][:12]
    for i in range(0, len(plain) - 1, 2):
        c.add("pair-%02d" % i, plain[i] + b"\f" + plain[i + 1])
    c.add("match-then-include", b"Port 2222\nMatch User bob\nX11Forwarding no\n\fListenAddress 127.0.0.1\n"
          b"Match all\nPasswordAuthentication no\n")
    c.add("glob-all", b"Include f*.conf\nPort 22\n\fPort 2200\n\fListenAddress [::1]:2201\n")
    c.add("recursion", b"Include f0.conf\n")
    c.add("port-in-match", b"Match Address 192.0.2.0/24\n\fPort 2222\n")


def make_sgconf():
    c = Corpus("sgconf")
    for name in sorted(os.listdir(os.path.join(DATA, "sgconf"))):
        c.add(name, read(DATA, "sgconf", name))
    c.add("shipped.conf", read(TOP, "conf", "sshguardian.conf"))
    for i, text in enumerate([
            b"[sshd]\nUnits=ssh.service sshd.service\tssh.socket sshd@eth0:22.service my_ssh-2.socket\n",
            b"[sshd]\nPorts=22 2222 1 65535 022\nPorts=2222 443\n",
            b"[sshd]\nConfigFile=/etc/ssh/a;b   ; the test file\nPorts=22 ;2222\n",
            b"[sshd]\nConfigFile=/x\nConfigFile=\nPorts=22\nPorts=\n[report]\nRateLimitIntervalSec=1h\n"
            b"RateLimitIntervalSec=\nRateLimitBurst=9\nRateLimitBurst=\n[firewall]\nIgnoreSourceBans=yes\n"
            b"IgnoreSourceBans=\n",
            b"[SSHD]\nports=22\nCONFIGFILE=/x\n[Report]\nratelimitburst=7\n",
            b"[foo]\nPorts=22\nBar=1\n  more\n[sshd]\nPorts=2222\n[ sshd ]\nPorts=1\n",
            b"[sshd]\nConfigFile=/a\n  /b\n[report]\nRateLimitBurst=3\n 4\nFoo=1\n 2\n",
            b"[report]\nRateLimitIntervalSec=1min 30s\nRateLimitBurst=01000\n",
            b"[sshd]\nPorts=22\r\nUnits=ssh.service\r\n" + b"x" * 250 + b"\n",
    ]):
        c.add("unit-%02d.conf" % i, text)


def make_nft():
    dump, monitor, store = Corpus("nft-dump"), Corpus("nft-monitor"), Corpus("nft-store")
    for name in sorted(os.listdir(os.path.join(DATA, "nft"))):
        if name.endswith(".bin"):
            dump.add(name, read(DATA, "nft", name))
    for name in sorted(os.listdir(os.path.join(DATA, "nft-monitor"))):
        if name.endswith(".bin"):
            for i, d in enumerate(datagrams(os.path.join(DATA, "nft-monitor", name))):
                monitor.add("%s-%03d" % (name[:-4], i), d)
    for name in sorted(os.listdir(os.path.join(DATA, "nft-store"))):
        if not name.endswith(".bin"):
            continue
        base = name[:-4]
        recs = records(os.path.join(DATA, "nft-store", name), b"SGNS")
        segment, n = [], 0
        for i, (kind, data) in enumerate(recs):
            if kind in "LD":
                dump.add("store-%s-%03d" % (base, i), data)
                if segment:
                    store.add("%s-%03d" % (base, n), b"".join(segment + [record_bytes(kind, data)]))
                    n += 1
                segment = [record_bytes(kind, data)]
            else:
                if kind == "N":
                    monitor.add("store-%s-%03d" % (base, i), data)
                segment.append(record_bytes(kind, data))


def make_xt():
    xt = Corpus("xt")
    d = os.path.join(DATA, "xt")
    for txt in sorted(os.listdir(d)):
        if not txt.endswith(".txt") or txt == "translations.txt":
            continue
        case = txt[:-4]
        for line in read(d, txt).decode().splitlines():
            if not line.startswith("blob: "):
                continue
            n, rule, kind, name, rev, fam, proto, length = line[6:].split()
            blob = read(d, "%s-%s-%s-%s.bin" % (case, n, kind, name))
            assert len(blob) == int(length), (case, n)
            ext = b"" if name == "standard" else name.encode()
            flags = (1 if kind == "target" else 0) | (2 if fam == "ipv6" else 0)
            xt.add("%s-%s-%s-%s" % (case, n, kind, name), bytes([flags, int(rev)]) + ext + b"\0" + blob)

    legacy = Corpus("xt-legacy")
    d = os.path.join(DATA, "xt-legacy")
    for name in sorted(os.listdir(d)):
        if name.endswith(".bin"):
            data = read(d, name)
            assert data[:4] == b"SGXT"
            legacy.add(name, data[4:])


def make_listen():
    sd, ts = Corpus("sockdiag"), Corpus("taskstats")
    for name in ("basic.bin", "dualstack.bin"):
        sd.add(name, read(DATA, "listen", name))
    answer = read(DATA, "listen", "taskstats-sleep.bin")
    ts.add("sleep-19184", struct.pack("<I", 19184) + answer)
    ts.add("sleep-other-pid", struct.pack("<I", 1) + answer)
    ts.add("family-answer", struct.pack("<I", 0) + genl_family_answer())


def genl_family_answer():
    """What the kernel answers CTRL_CMD_GETFAMILY "TASKSTATS" with (the
    attributes listen.c reads; the kernel adds version, ops and groups)."""
    GENL_ID_CTRL, CTRL_CMD_NEWFAMILY = 16, 1
    CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_ATTR_VERSION = 1, 2, 3
    payload = (struct.pack("=BBH", CTRL_CMD_NEWFAMILY, 2, 0) + rta(CTRL_ATTR_FAMILY_NAME, b"TASKSTATS\0") +
               rta(CTRL_ATTR_FAMILY_ID, struct.pack("=H", 27)) + rta(CTRL_ATTR_VERSION, struct.pack("=I", 1)))
    return nlmsg(GENL_ID_CTRL, 0, 1, 0, payload)


# ---- rtnetlink ----

NLMSG_ERROR, NLMSG_DONE, RTM_NEWROUTE, RTM_GETROUTE = 2, 3, 24, 26
NLM_F_REQUEST = 1
RTA_DST, RTA_OIF, RTA_PREFSRC, RTA_TABLE = 1, 4, 7, 15


def rta(kind, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, kind) + payload + b"\0" * ((4 - n % 4) % 4)


def nlmsg(kind, flags, seq, pid, payload):
    return struct.pack("=IHHII", 16 + len(payload), kind, flags, seq, pid) + payload


def rtmsg(family, dst_len):
    # family, dst_len, src_len, tos, table, protocol, scope, type, flags
    return struct.pack("=BBBBBBBBI", family, dst_len, 0, 0, 254, 0, 0, 1, 0)


def make_rtnl(capture):
    d = os.path.join(FUZZ, "corpus", "rtnl")
    os.makedirs(d, exist_ok=True)

    def add(name, data):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)

    a4 = socket.inet_pton(socket.AF_INET, "192.0.2.1")
    a6 = socket.inet_pton(socket.AF_INET6, "2001:db8::1")
    add("crafted-v4", nlmsg(RTM_NEWROUTE, 0, 1, 0, rtmsg(socket.AF_INET, 32) + rta(RTA_TABLE, struct.pack("=I", 254))
                            + rta(RTA_DST, a4) + rta(RTA_OIF, struct.pack("=I", 2)) + rta(RTA_PREFSRC, a4)))
    add("crafted-v6", nlmsg(RTM_NEWROUTE, 0, 1, 0, rtmsg(socket.AF_INET6, 128) + rta(RTA_DST, a6)
                            + rta(RTA_OIF, struct.pack("=I", 3)) + rta(RTA_PREFSRC, a6)))
    add("crafted-unreachable", nlmsg(NLMSG_ERROR, 0, 1, 0, struct.pack("=i", -101)
                                     + nlmsg(RTM_GETROUTE, NLM_F_REQUEST, 1, 0, rtmsg(socket.AF_INET, 32))))
    add("crafted-two-then-done", nlmsg(RTM_NEWROUTE, 2, 1, 0, rtmsg(socket.AF_INET, 32)
                                       + rta(RTA_OIF, struct.pack("=I", 1)))
        + nlmsg(RTM_NEWROUTE, 2, 1, 0, rtmsg(socket.AF_INET, 32) + rta(RTA_OIF, struct.pack("=I", 7)))
        + nlmsg(NLMSG_DONE, 2, 1, 0, struct.pack("=i", 0)))
    if not capture:
        return
    for family, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1"),
                         (socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)  # NETLINK_ROUTE
        s.bind((0, 0))
        a = socket.inet_pton(family, addr)
        s.send(nlmsg(RTM_GETROUTE, NLM_F_REQUEST, 1, 0, rtmsg(family, len(a) * 8) + rta(RTA_DST, a)))
        add("kernel-" + addr.replace(":", "_"), s.recv(8192))
        s.close()


# ---- D-Bus Explain() arguments ----

DBUS_CAPTURES = ("basic", "families", "stateful", "largeset")
DBUS_ROUTES = (None, "eth0", "eth1", "lo", "wlan9")


def dbus_args(port, capture="basic", route=None, src=None, to=None, iif=None):
    """fuzz-dbus-args' input: port, capture and route, flags, strings."""
    sel = DBUS_CAPTURES.index(capture) + len(DBUS_CAPTURES) * DBUS_ROUTES.index(route)
    flags = (src is not None) | (to is not None) << 1 | (iif is not None) << 2
    strings = [x for x in (src, to, iif) if x is not None]
    return struct.pack("=HBB", port, sel, flags) + "\n".join(strings).encode()


def make_dbus_args():
    c = Corpus("dbus-args")
    cases = {
        "any-source-expected-port": dbus_args(0, src=""),
        "any-source-no-from": dbus_args(22),
        "admin-source": dbus_args(22, src="192.0.2.5", route="eth0"),
        "source-in-dropped-range": dbus_args(22, src="192.0.2.20"),
        "source-in-set": dbus_args(22, src="198.51.100.7", route="eth1"),
        "ipv6-source": dbus_args(22, src="2001:db8::5", route="eth0"),
        "v4-mapped-source": dbus_args(22, src="::ffff:192.0.2.5"),
        "redirected-port": dbus_args(2222, src="10.0.0.3", route="eth0"),
        "source-and-local-address": dbus_args(22, src="192.0.2.5", to="192.0.2.10"),
        "any-source-to-address": dbus_args(22, to="2001:db8::10"),
        "any-source-on-interface": dbus_args(22, iif="eth1"),
        "source-on-loopback": dbus_args(22, src="127.0.0.1", iif="lo"),
        "route-to-unknown-interface": dbus_args(22, src="203.0.113.9", route="wlan9"),
        "bad-from": dbus_args(22, src="300.1.1.1"),
        "bad-from-name": dbus_args(22, src="host.example"),
        "bad-from-scope-id": dbus_args(22, src="fe80::1%eth0"),
        "bad-to-prefix": dbus_args(22, src="192.0.2.5", to="192.0.2.10/24"),
        "mixed-families": dbus_args(22, src="192.0.2.5", to="2001:db8::10"),
        "bad-iif": dbus_args(22, iif="wlan0"),
        "bad-iif-too-long": dbus_args(22, src="192.0.2.5", iif="averyveryverylongname"),
        "families-ipv6": dbus_args(22, "families", src="2001:db8::7"),
        "stateful-rate-limited": dbus_args(22, "stateful", src="192.0.2.5", route="eth0"),
        "largeset-lookup": dbus_args(22, "largeset", src="10.0.0.1", route="eth0"),
        "largeset-any": dbus_args(0, "largeset"),
        # found by fuzzing: no socket on the port, the TCP stack's reset
        "port-nothing-listens-on": dbus_args(1, "families", route="wlan9"),
    }
    for name, data in cases.items():
        c.add(name, data)


def main():
    make_sshdconf()
    make_sshdconf_include()
    make_sgconf()
    make_nft()
    make_xt()
    make_listen()
    make_rtnl("--rtnl-capture" in sys.argv[1:])
    make_dbus_args()
    for name in sorted(os.listdir(os.path.join(FUZZ, "corpus"))):
        d = os.path.join(FUZZ, "corpus", name)
        files = os.listdir(d)
        print("%-18s %4d files %8d bytes" % (name, len(files),
                                              sum(os.path.getsize(os.path.join(d, f)) for f in files)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Kernel-differential test of lib/nft-store (root).

In a network namespace of its own, makes a long random sequence of changes
with the real tools -- nft add/insert (at a `position` or `index`)/replace/
delete rule, add/delete/flush/rename chain, chain policy updates, add/delete/
flush table, dormant tables, sets and maps (intervals, concatenations,
verdict maps, timeouts, dynamic sets, a set that grows past and shrinks
below NFT_SMALL_SET_MAX), their elements, named objects, chains bound to a
rule (`jump { ... }`), iptables-nft and ip6tables-nft -A/-I/-D/-R/-N/-X/-F/-P,
iptables-nft-restore, and `nft -f` batches of several changes -- while
`nft-store-follow follow` keeps an NftStore current from the notifications.
After every change the store's ruleset must equal a fresh dump, with no
difference at all (the follower reloads, as the daemon would, on -ESTALE and
ENOBUFS: those are counted, not failures).  Then it overflows a follower's
tiny receive buffer with a 2,000-rule batch (ENOBUFS), and makes a batch
whose rule positions the store cannot know (-ESTALE), and checks that both
followers end equal to a fresh dump.

  nft-store-diff.py NFT_STORE_FOLLOW [--seed N] [--changes N] [--verbose] [--log FILE]

Prints the seed; the same seed makes the same sequence.  Exit status 0 when
every check agreed.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

FAMILIES = ["inet", "ip", "ip6", "inet", "ip", "netdev", "bridge", "arp"]
HOOKS = {"inet": ["input", "forward", "output", "prerouting", "postrouting"],
         "ip": ["input", "forward", "output", "prerouting"],
         "ip6": ["input", "forward", "output"],
         "bridge": ["input", "forward", "output"],
         "arp": ["input", "output"],
         "netdev": ["ingress"]}
SET_TYPES = [
    ("ipv4_addr", ""),
    ("ipv4_addr", "flags interval;"),
    ("inet_service", ""),
    ("inet_service", "flags interval;"),
    ("ipv4_addr . inet_service", ""),
    ("ipv4_addr . inet_service", "flags interval;"),
    ("ipv6_addr", ""),
    ("ipv4_addr", "flags timeout; timeout 1h;"),
    ("ipv4_addr", "flags dynamic;"),
]


class Follower:
    def __init__(self, tool, rcvbuf=None):
        cmd = [tool, "follow"] + (["--rcvbuf", str(rcvbuf)] if rcvbuf else [])
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        if not line.startswith("ready"):
            raise SystemExit(f"follower did not start: {line!r}")

    def check(self):
        self.p.stdin.write("check\n")
        self.p.stdin.flush()
        lines = []
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise SystemExit("follower died")
            line = line.rstrip("\n")
            if line == "end":
                return lines
            lines.append(line)

    def close(self):
        self.p.stdin.write("quit\n")
        self.p.stdin.flush()
        self.p.wait(timeout=10)


def counters(line):
    return dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)


def sh(cmd, stdin=None):
    return subprocess.run(cmd, shell=True, input=stdin, text=True, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


class World:
    """What exists now (from `nft -j list ruleset`) and the elements added."""

    def __init__(self, rng):
        self.rng = rng
        self.elems = {}         # (family, table, set, handle) -> [element text]
        self.names = 0

    def refresh(self):
        """Parses `nft -a list ruleset` (nft 1.0.6's JSON output breaks on
        some rulesets): nft indents with one tab a level."""
        out = subprocess.run(["nft", "-a", "list", "ruleset"], text=True, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL).stdout
        self.tables, self.chains, self.rules, self.sets, self.objs = [], [], [], [], []
        table = block = None
        for line in out.splitlines():
            depth = len(line) - len(line.lstrip("\t"))
            words = line.split()
            handle = int(words[-1]) if len(words) > 2 and words[-2] == "handle" and words[-1].isdigit() else None
            if depth == 0 and words[:1] == ["table"]:
                table = {"family": words[1], "name": words[2]}
                self.tables.append(table)
                block = None
            elif depth == 1 and words[:1] == ["flags"]:
                table["flags"] = words[1:]
            elif depth == 1 and len(words) > 1 and words[-1] != "}" and handle is not None:
                v = {"family": table["family"], "table": table["name"], "name": words[1], "handle": handle}
                if words[0] == "chain":
                    self.chains.append(v)
                elif words[0] in ("set", "map"):
                    v["kind"] = words[0]
                    self.sets.append(v)
                elif words[0] in ("counter", "quota", "limit"):
                    v["kind"] = words[0]
                    self.objs.append(v)
                block = (words[0], v)
            elif depth == 2 and block and block[0] == "chain" and words[:1] == ["type"] and "hook" in words:
                v = block[1]
                v["hook"] = words[words.index("hook") + 1]
            elif depth == 2 and block and block[0] in ("set", "map") and words[:1] == ["type"]:
                typ = " ".join(words[1:])
                block[1]["type"] = typ.split(" : ")[0]
            elif depth == 2 and block and block[0] in ("set", "map") and words[:1] == ["flags"]:
                block[1]["flags"] = [f.rstrip(",") for f in words[1:]]
            elif depth == 2 and block and block[0] == "chain" and handle is not None:
                c = block[1]
                self.rules.append({"family": c["family"], "table": c["table"], "chain": c["name"], "handle": handle})
        live = {(s["family"], s["table"], s["name"], s["handle"]) for s in self.sets}
        self.elems = {k: v for k, v in self.elems.items() if k in live}

    def base_chain(self, c):
        """hook and numeric priority of base chain C (from `nft -j list chains`)."""
        out = subprocess.run(["nft", "-j", "list", "chains"], text=True, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL).stdout
        try:
            for it in json.loads(out)["nftables"]:
                v = it.get("chain")
                if v and (v["family"], v["table"], v["name"]) == (c["family"], c["table"], c["name"]):
                    return v.get("hook"), v.get("prio")
        except ValueError:
            pass
        return None, None

    def fresh(self, prefix):
        self.names += 1
        return f"{prefix}{self.names}"

    # -- picking --
    def pick(self, seq):
        return self.rng.choice(seq) if seq else None

    def nft_tables(self):
        # tables iptables-nft owns are left to it
        return [t for t in self.tables if t["name"] not in ("filter", "nat", "mangle", "raw", "security")]

    def chains_of(self, t, base=None):
        out = [c for c in self.chains if c["family"] == t["family"] and c["table"] == t["name"]
               and not c["name"].startswith("__chain")]
        if base is not None:
            out = [c for c in out if ("hook" in c) == base]
        return out

    def rules_of(self, c):
        return [r for r in self.rules if r["family"] == c["family"] and r["table"] == c["table"]
                and r["chain"] == c["name"]]

    def sets_of(self, t):
        return [s for s in self.sets if s["family"] == t["family"] and s["table"] == t["name"]
                and not s["name"].startswith("__")]


def ip4(rng):
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def element(rng, s):
    t = s.get("type", "")
    interval = "interval" in s.get("flags", [])
    if s["kind"] == "map":
        return f"{rng.randrange(1, 65535)} : {rng.choice(['accept', 'drop'])}"
    if t == "ipv4_addr":
        if interval and rng.random() < 0.5:
            return f"10.{rng.randrange(256)}.{rng.randrange(256)}.0/24"
        if interval and rng.random() < 0.5:
            a, b = rng.randrange(256), rng.randrange(256)
            return f"172.{a}.{b}.1-172.{a}.{b}.{rng.randrange(2, 200)}"
        e = ip4(rng)
        if "timeout" in s.get("flags", []) and rng.random() < 0.5:
            e += f" timeout {rng.randrange(10, 60)}m"
        return e
    if t == "ipv6_addr":
        return f"2001:db8::{rng.randrange(1, 65535):x}"
    if t == "inet_service":
        p = rng.randrange(1, 60000)
        return f"{p}-{p + rng.randrange(1, 50)}" if interval and rng.random() < 0.5 else str(p)
    p = rng.randrange(1, 60000)
    if interval and rng.random() < 0.5:
        return f"10.{rng.randrange(256)}.{rng.randrange(256)}.0/24 . {p}-{p + 5}"
    return f"{ip4(rng)} . {p}"


def rule_text(w, t, c):
    """A random valid-looking rule for chain C of table T."""
    rng = w.rng
    fam = t["family"]
    parts = []
    if fam in ("inet", "ip", "netdev"):
        r = rng.random()
        if r < 0.15:
            parts.append(f"ip saddr {ip4(rng)}")
        elif r < 0.25:
            parts.append(f"ip saddr 10.{rng.randrange(256)}.0.0/16")
        elif r < 0.32:
            parts.append(f"ip saddr {{ {ip4(rng)}, 192.0.2.0/24, {ip4(rng)} }}")
        elif r < 0.38:
            parts.append(f"ip saddr . tcp dport {{ {ip4(rng)} . 22, {ip4(rng)} . {rng.randrange(1, 9999)} }}")
        elif r < 0.42:
            parts.append(f"ip saddr . tcp dport {{ 10.{rng.randrange(256)}.0.0/16 . 20-25, {ip4(rng)} . 22 }}")
        elif r < 0.47:
            parts.append(f"ip daddr != {ip4(rng)}")
    if fam in ("inet", "ip6") and rng.random() < 0.15:
        parts.append(f"ip6 saddr 2001:db8::{rng.randrange(1, 9999):x}")
    if fam in ("inet", "ip", "ip6", "netdev"):
        r = rng.random()
        if r < 0.3:
            parts.append(f"tcp dport {rng.randrange(1, 65535)}")
        elif r < 0.4:
            parts.append(f"tcp dport {{ 22, {rng.randrange(23, 9999)}, {rng.randrange(10000, 60000)} }}")
        elif r < 0.45:
            parts.append(f"udp dport {rng.randrange(1, 1000)}-{rng.randrange(1000, 2000)}")
        if fam != "netdev" and rng.random() < 0.2:
            parts.append(rng.choice(["ct state established,related", "ct state new", "ct state invalid"]))
        if rng.random() < 0.1:
            parts.append('iifname "lo"')
        # a named set of this table
        sets = [s for s in w.sets_of(t) if fam != "netdev"]
        s = w.pick(sets)
        if s and rng.random() < 0.3:
            st = s.get("type", "")
            if s["kind"] == "map":
                return " ".join(parts + [f"tcp dport vmap @{s['name']}"])
            if st == "ipv4_addr" and fam != "ip6":
                parts.append(f"ip saddr @{s['name']}")
            elif st == "inet_service":
                parts.append(f"tcp dport @{s['name']}")
            elif st == "ipv4_addr . inet_service" and fam != "ip6":
                parts.append(f"ip saddr . tcp dport @{s['name']}")
            elif st == "ipv6_addr" and fam != "ip":
                parts.append(f"ip6 saddr @{s['name']}")
    if rng.random() < 0.2:
        parts.append(f"meta mark {rng.randrange(1, 100):#x}")
    if rng.random() < 0.4:
        parts.append("counter")
    objs = [o for o in w.objs if o["family"] == fam and o["table"] == t["name"] and o["kind"] == "counter"]
    if objs and rng.random() < 0.1:
        parts.append(f'counter name "{rng.choice(objs)["name"]}"')
    if rng.random() < 0.1:
        parts.append(f'log prefix "sg{rng.randrange(100)} "')
    if rng.random() < 0.08:
        parts.append(f"limit rate {rng.randrange(1, 100)}/second")
    regular = [x for x in w.chains_of(t, base=False) if x["name"] != c["name"]]
    r = rng.random()
    if fam in ("inet", "ip", "ip6") and r < 0.06:
        inner = rule_text(w, t, c).replace("jump ", "").replace("goto ", "")
        if "{" in inner or "@" in inner or "counter name" in inner:
            inner = f"tcp dport {rng.randrange(1, 999)} accept"
        parts.append(f"jump {{ {inner}; udp dport {rng.randrange(1, 999)} drop; }}")
    elif fam in ("inet", "ip", "ip6") and r < 0.12:
        v = rng.choice(["accept", "drop"])
        tgt = w.pick(regular)
        v2 = f"jump {tgt['name']}" if tgt else "drop"
        parts.append(f"tcp dport vmap {{ {rng.randrange(1, 999)} : {v}, {rng.randrange(1000, 1999)} : {v2} }}")
    elif regular and r < 0.25:
        parts.append(f"{rng.choice(['jump', 'goto'])} {rng.choice(regular)['name']}")
    elif fam in ("inet", "ip", "ip6") and c.get("hook") in ("input", "forward", "output") and r < 0.3:
        parts.append("reject")
    else:
        parts.append(rng.choice(["accept", "drop", "accept", "continue", "return"]))
    if rng.random() < 0.1:
        parts.append(f'comment "note {rng.randrange(1000)}"')
    return " ".join(parts)


def gen_table_op(w):
    rng = w.rng
    r = rng.random()
    tables = w.nft_tables()
    if r < 0.45 or not tables:
        fam = rng.choice(FAMILIES)
        name = w.fresh("t")
        body = ""
        for _ in range(rng.randrange(0, 3)):
            hook = rng.choice(HOOKS[fam])
            dev = 'devices = { sgd-v0 } ' if fam == "netdev" else ""
            body += (f" chain {w.fresh('b')} {{ type filter hook {hook} {dev}priority {rng.randrange(-200, 200)};"
                     f" policy {rng.choice(['accept', 'drop'])}; }};")
        for _ in range(rng.randrange(0, 3)):
            body += f" chain {w.fresh('c')} {{ }};"
        return f"nft 'add table {fam} {name} {{{body} }}'"
    t = rng.choice(tables)
    if r < 0.7:
        return f"nft delete table {t['family']} {t['name']}"
    if r < 0.85:
        return f"nft flush table {t['family']} {t['name']}"
    flag = "flags dormant;" if "flags" not in t else ""
    return f"nft 'add table {t['family']} {t['name']} {{ {flag} }}'"


def gen_chain_op(w):
    rng = w.rng
    t = w.pick(w.nft_tables())
    if not t:
        return gen_table_op(w)
    fam = t["family"]
    chains = w.chains_of(t)
    r = rng.random()
    if r < 0.35 or not chains:
        if rng.random() < 0.5:
            return f"nft add chain {fam} {t['name']} {w.fresh('c')}"
        hook = rng.choice(HOOKS[fam])
        dev = 'devices = { sgd-v0 } ' if fam == "netdev" else ""
        return (f"nft 'add chain {fam} {t['name']} {w.fresh('b')} {{ type filter hook {hook} {dev}"
                f"priority {rng.randrange(-300, 300)}; policy {rng.choice(['accept', 'drop'])}; }}'")
    c = rng.choice(chains)
    if r < 0.55:
        return f"nft delete chain {fam} {t['name']} {c['name']}"
    if r < 0.75:
        return f"nft flush chain {fam} {t['name']} {c['name']}"
    if r < 0.95 and "hook" in c:
        # a policy update
        hook, prio = w.base_chain(c)
        dev = 'devices = { sgd-v0 } ' if fam == "netdev" else ""
        if hook is not None:
            return (f"nft 'add chain {fam} {t['name']} {c['name']} {{ type filter hook {hook} {dev}"
                    f"priority {prio}; policy {rng.choice(['accept', 'drop'])}; }}'")
    if r < 0.95:
        return f"nft add chain {fam} {t['name']} {w.fresh('c')}"
    return f"nft rename chain {fam} {t['name']} {c['name']} {w.fresh('r')}"


def rule_target(w):
    t = w.pick([t for t in w.nft_tables() if w.chains_of(t)])
    if not t:
        return None, None
    return t, w.rng.choice(w.chains_of(t))


def rule_line(w, verb):
    """One `add|insert|replace|delete rule` line, without `nft`."""
    rng = w.rng
    t, c = rule_target(w)
    if not t:
        return None
    where = f"{t['family']} {t['name']} {c['name']}"
    rules = w.rules_of(c)
    if verb in ("replace", "delete") and not rules:
        verb = "add"
    if verb == "delete":
        return f"delete rule {where} handle {rng.choice(rules)['handle']}"
    text = rule_text(w, t, c)
    if verb == "replace":
        return f"replace rule {where} handle {rng.choice(rules)['handle']} {text}"
    pos = ""
    r = rng.random()
    if rules and r < 0.3:
        pos = f"position {rng.choice(rules)['handle']} "
    elif rules and r < 0.45:
        pos = f"index {rng.randrange(len(rules))} "
    return f"{verb} rule {where} {pos}{text}"


def gen_rule_op(w):
    line = rule_line(w, w.rng.choice(["add", "add", "add", "insert", "insert", "replace", "delete", "delete"]))
    if not line:
        return gen_chain_op(w)
    return "nft '" + line.replace("'", "") + "'"


def gen_set_op(w):
    rng = w.rng
    t = w.pick([t for t in w.nft_tables() if t["family"] in ("inet", "ip", "ip6")])
    if not t:
        return gen_table_op(w)
    fam, tn = t["family"], t["name"]
    sets = w.sets_of(t)
    r = rng.random()
    if r < 0.2 or not sets:
        if rng.random() < 0.15:
            return f"nft 'add map {fam} {tn} {w.fresh('m')} {{ type inet_service : verdict; }}'"
        typ, flags = rng.choice(SET_TYPES)
        return f"nft 'add set {fam} {tn} {w.fresh('s')} {{ type {typ}; {flags} }}'"
    s = rng.choice(sets)
    key = (fam, tn, s["name"], s["handle"])
    if r < 0.6:
        n = rng.choice([1, 1, 2, 3, 5])
        elems = [element(rng, s) for _ in range(n)]
        return ("nft 'add element " + f"{fam} {tn} {s['name']} {{ {', '.join(elems)} }}'", key, elems)
    have = w.elems.get(key, [])
    if r < 0.8 and have:
        gone = rng.sample(have, min(len(have), rng.choice([1, 1, 2])))
        return ("nft 'delete element " + f"{fam} {tn} {s['name']} {{ {', '.join(e.split(' timeout')[0] for e in gone)} }}'",
                key, gone, "delete")
    if r < 0.88:
        return (f"nft flush set {fam} {tn} {s['name']}", key, [], "flush")
    if r < 0.93 and s.get("type") == "ipv4_addr" and "timeout" not in s.get("flags", []) and len(have) < 200:
        # past NFT_SMALL_SET_MAX: from now on counted, not dumped
        elems = [f"11.{i // 250}.{i % 250}.{rng.randrange(1, 255)}" for i in range(300)]
        elems = list(dict.fromkeys(elems))
        return ("nft 'add element " + f"{fam} {tn} {s['name']} {{ {', '.join(elems)} }}'", key, elems)
    return f"nft delete set {fam} {tn} {s['name']}"


def gen_obj_op(w):
    rng = w.rng
    t = w.pick([t for t in w.nft_tables() if t["family"] in ("inet", "ip", "ip6")])
    if not t:
        return gen_table_op(w)
    objs = [o for o in w.objs if o["family"] == t["family"] and o["table"] == t["name"]]
    if objs and rng.random() < 0.4:
        o = rng.choice(objs)
        return f"nft delete {o['kind']} {t['family']} {t['name']} {o['name']}"
    kind = rng.choice(["counter", "quota", "limit"])
    spec = {"counter": "", "quota": f"{{ over {rng.randrange(1, 99)} mbytes }}",
            "limit": f"{{ rate {rng.randrange(1, 99)}/second }}"}[kind]
    return f"nft 'add {kind} {t['family']} {t['name']} {w.fresh('o')} {spec}'"


def gen_batch_op(w):
    """Several changes in one `nft -f` transaction."""
    rng = w.rng
    r = rng.random()
    t, c = rule_target(w)
    if not t:
        return gen_table_op(w)
    where = f"{t['family']} {t['name']} {c['name']}"
    lines = []
    if r < 0.15:
        # flushed and refilled: the store cannot place the second rule
        lines.append(f"flush chain {where}")
        for _ in range(rng.randrange(1, 4)):
            lines.append(f"add rule {where} {rule_text(w, t, c)}")
    elif r < 0.35:
        # several inserts: positions name rules announced later
        rules = w.rules_of(c)
        anchor = f"position {rng.choice(rules)['handle']} " if rules and rng.random() < 0.5 else ""
        verb = rng.choice(["insert", "add"])
        for _ in range(rng.randrange(2, 6)):
            lines.append(f"{verb} rule {where} {anchor}{rule_text(w, t, c)}")
    elif r < 0.45:
        name = w.fresh("t")
        fam = t["family"] if t["family"] in ("inet", "ip", "ip6") else "inet"
        lines.append(f"add table {fam} {name}")
        lines.append(f"add chain {fam} {name} in {{ type filter hook input priority 0; policy accept; }}")
        lines.append(f"add set {fam} {name} s {{ type ipv4_addr; flags interval; }}")
        lines.append(f"add element {fam} {name} s {{ 192.0.2.0/24, {ip4(rng)} }}")
        if fam != "ip6":
            lines.append(f"add rule {fam} {name} in ip saddr @s tcp dport 22 drop")
        lines.append(f"add rule {fam} {name} in tcp dport {{ 22, 2222 }} accept")
        if rng.random() < 0.5:
            lines.append(f"delete table {t['family']} {t['name']}")
    else:
        for _ in range(rng.randrange(2, 7)):
            line = rule_line(w, rng.choice(["add", "insert", "replace", "delete", "add"]))
            if line:
                lines.append(line)
    return "nft -f - <<'EOF'\n" + "\n".join(lines) + "\nEOF"


def gen_iptables_op(w):
    rng = w.rng
    tool = rng.choice(["iptables-nft", "iptables-nft", "ip6tables-nft"])
    fam = "ip" if tool == "iptables-nft" else "ip6"
    t = {"family": fam, "name": "filter"}
    chains = [c["name"] for c in w.chains_of(t)] or ["INPUT"]
    chain = rng.choice(chains)
    rules = [r for r in w.rules if r["family"] == fam and r["table"] == "filter" and r["chain"] == chain]
    src = ip4(rng) if fam == "ip" else f"2001:db8::{rng.randrange(1, 999):x}"
    match = rng.choice([f"-p tcp --dport {rng.randrange(1, 65535)}", f"-s {src}", "-p udp",
                        "-p tcp -m multiport --dports 22,80,443", "-m conntrack --ctstate NEW",
                        "-i lo", f"-m comment --comment c{rng.randrange(99)}", ""])
    target = rng.choice(["ACCEPT", "DROP", "RETURN"] + (["REJECT"] if chain in ("INPUT", "FORWARD", "OUTPUT") else []))
    r = rng.random()
    if r < 0.3:
        return f"{tool} -A {chain} {match} -j {target}"
    if r < 0.45:
        n = f" {rng.randrange(1, len(rules) + 2)}" if rules and rng.random() < 0.6 else ""
        return f"{tool} -I {chain}{n} {match} -j {target}"
    if r < 0.6 and rules:
        return f"{tool} -D {chain} {rng.randrange(1, len(rules) + 1)}"
    if r < 0.7 and rules:
        return f"{tool} -R {chain} {rng.randrange(1, len(rules) + 1)} {match} -j {target}"
    if r < 0.75:
        return f"{tool} -N {w.fresh('U')}"
    if r < 0.8:
        user = [c for c in chains if c not in ("INPUT", "FORWARD", "OUTPUT")]
        return f"{tool} -F {rng.choice(user)}" if user else f"{tool} -P INPUT {rng.choice(['ACCEPT', 'DROP'])}"
    if r < 0.85:
        user = [c for c in chains if c not in ("INPUT", "FORWARD", "OUTPUT")]
        return f"{tool} -X {rng.choice(user)}" if user else f"{tool} -F INPUT"
    if r < 0.9:
        return f"{tool} -P {rng.choice(['INPUT', 'FORWARD'])} {rng.choice(['ACCEPT', 'DROP'])}"
    restore = tool.replace("tables-nft", "tables-nft-restore")
    lines = ["*filter"]
    for _ in range(rng.randrange(1, 4)):
        lines.append(f"-A INPUT -p tcp --dport {rng.randrange(1, 65535)} -j {rng.choice(['ACCEPT', 'DROP'])}")
    lines.append("COMMIT")
    noflush = "--noflush" if rng.random() < 0.7 else ""
    return f"printf '%s\\n' {' '.join(repr(l) for l in lines)} | {restore} {noflush}"


def addrs(first, n, prefix="11"):
    return ", ".join(f"{prefix}.{i // 250}.{i % 250}.1" for i in range(first, first + n))


BOUND_HANDLE = "$(nft -a list chain inet sc c | sed -n 's/^\t\t} # handle //p' | head -1)"

# Directed changes first, so that every path of the store is taken whatever
# the seed: (command, what the follower must report: "ok" or "reload")
SCENARIO = [
    # a netdev chain: a policy update announces its hook without devices, a
    # second device only the added one
    ("nft 'add table netdev nd { chain in { type filter hook ingress devices = { sgd-v0 } priority 0; "
     "policy accept; }; }'", "ok"),
    ("nft add rule netdev nd in ip saddr 192.0.2.1 drop", "ok"),
    ("nft 'add chain netdev nd in { type filter hook ingress devices = { sgd-v0 } priority 0; policy drop; }'",
     "ok"),
    ("nft 'add chain netdev nd in { type filter hook ingress devices = { sgd-v0, sgd-v1 } priority 0; "
     "policy drop; }'", "reload"),
    ("nft delete table netdev nd", "ok"),
    # replacing the first and the last rule: no position, the old place
    ("nft 'add table inet sc { chain c { tcp dport 1 accept; tcp dport 2 accept; tcp dport 3 accept; }; }'", "ok"),
    ("nft replace rule inet sc c handle 2 tcp dport 11 drop", "ok"),
    ("nft replace rule inet sc c handle 4 tcp dport 33 drop", "ok"),
    ("iptables-nft -A INPUT -p tcp --dport 1 -j ACCEPT", "ok"),
    ("iptables-nft -A INPUT -p tcp --dport 2 -j ACCEPT", "ok"),
    ("iptables-nft -R INPUT 1 -p tcp --dport 9 -j DROP", "ok"),
    ("iptables-nft -I INPUT 2 -s 192.0.2.7 -j ACCEPT", "ok"),
    # positions naming rules the same batch announces later
    ("nft -f - <<'EOF'\ninsert rule inet sc c tcp dport 100 accept\ninsert rule inet sc c tcp dport 101 accept\n"
     "add rule inet sc c position 3 tcp dport 102 accept\nadd rule inet sc c position 3 tcp dport 103 accept\n"
     "insert rule inet sc c position 3 tcp dport 104 accept\nEOF", "ok"),
    # a rule deleted and another added after it in one batch: the position
    # names the rule before it
    ("nft -f - <<'EOF'\ndelete rule inet sc c handle 3\nadd rule inet sc c position 3 tcp dport 105 accept\nEOF",
     "ok"),
    # a chain bound to a rule, with an anonymous set, gone with the rule
    ("nft 'add rule inet sc c tcp dport 22 jump { ip saddr { 192.0.2.1, 192.0.2.2 } drop; udp dport 1 accept; }'",
     "ok"),
    (f"nft delete rule inet sc c handle {BOUND_HANDLE}", "ok"),
    ("nft 'add rule inet sc c tcp dport 22 jump { ip saddr { 192.0.2.3, 192.0.2.4 } drop; }'", "ok"),
    (f"nft \"replace rule inet sc c handle {BOUND_HANDLE} tcp dport 23 jump {{ tcp dport 24 accept; }}\"", "ok"),
    # sets: an update; past NFT_SMALL_SET_MAX and back; past
    # NFT_STORE_SET_KEEP_MAX, counted, and back to small (refused)
    ("nft 'add set inet sc s { type ipv4_addr; size 65535; }'", "ok"),
    ("nft 'add set inet sc s { type ipv4_addr; size 60000; }'", "ok"),
    ("nft add rule inet sc c ip saddr @s drop", "ok"),
    (f"nft 'add element inet sc s {{ {addrs(0, 300)} }}'", "ok"),
    (f"nft 'delete element inet sc s {{ {addrs(0, 50)} }}'", "ok"),
    (f"nft 'add element inet sc s {{ {addrs(300, 900)} }}'", "ok"),
    (f"nft 'delete element inet sc s {{ {addrs(50, 10)} }}'", "ok"),
    (f"nft 'delete element inet sc s {{ {addrs(60, 900)} }}'", "reload"),
    ("nft flush set inet sc s", "ok"),
    # elements that change unannounced are not followed
    ("nft 'add set inet sc t { type ipv4_addr; flags timeout; }'", "ok"),
    ("nft 'add element inet sc t { 10.0.0.1 timeout 1h, 10.0.0.2 }'", "ok"),
    ("nft 'add element inet sc t { 10.0.0.1 timeout 2h }'", "ok"),
    ("nft 'add element inet sc t { 10.0.0.3 timeout 1s }' && sleep 1.5", "ok"),
    ("nft 'add set inet sc d { type ipv4_addr; flags dynamic; }'", "ok"),
    ("nft add rule inet sc c add @d { ip saddr } accept", "ok"),
    # a rule adds to a set without NFT_SET_EVAL from the packet path; the
    # set is followed again once no rule does (after a reload: a packet
    # changed it unannounced)
    ("nft 'add set inet sc p { type ipv4_addr; }; add element inet sc p { 192.0.2.7 }'", "ok"),
    ("nft 'add chain inet sc out { type filter hook output priority 0; policy accept; }'", "ok"),
    ("nft add rule inet sc out add @p { ip daddr }", "ok"),
    ("python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b\"x\", (\"127.0.0.9\", 9))'"
     " && nft list set inet sc p | grep -q 127.0.0.9", "ok"),
    ("nft delete rule inet sc out handle $(nft -a list chain inet sc out | awk '/add @p/ { print $NF }')", "reload"),
    # concatenated intervals keep the order they were added in
    ("nft 'add set inet sc cc { type ipv4_addr . inet_service; flags interval; }'", "ok"),
    ("nft 'add element inet sc cc { 10.0.0.5 . 22, 10.0.0.1 . 80, 10.0.0.9 . 1-5 }'", "ok"),
    ("nft 'delete element inet sc cc { 10.0.0.1 . 80 }'", "ok"),
    ("nft 'add element inet sc cc { 10.0.0.0 . 9 }'", "ok"),
    ("nft add rule inet sc c ip saddr . tcp dport @cc drop", "ok"),
    ("nft 'add rule inet sc c ip saddr . tcp dport { 10.0.0.5 . 22, 10.0.0.1 . 80, 10.0.0.0/8 . 1-4 } drop'", "ok"),
    ("nft 'add map inet sc vm { type inet_service : verdict; elements = { 22 : accept, 23 : drop } }'", "ok"),
    ("nft add rule inet sc c tcp dport vmap @vm", "ok"),
    # objects
    ("nft add counter inet sc k", "ok"),
    ("nft 'add quota inet sc q { over 10 mbytes }'", "ok"),
    ("nft add rule inet sc c counter name k accept", "ok"),
    ("nft delete quota inet sc q", "ok"),
    # a dormant table; a renamed chain (refused: rules name it)
    ("nft 'add table inet sc { flags dormant; }'", "ok"),
    ("nft add chain inet sc x", "ok"),
    ("nft add rule inet sc c jump x", "ok"),
    ("nft rename chain inet sc x y", "reload"),
    ("nft delete table inet sc", "ok"),
    # iptables-nft-restore deletes the table and makes it anew
    ("printf '*filter\\n-A INPUT -p tcp --dport 7 -j DROP\\n-A INPUT -j ACCEPT\\nCOMMIT\\n' | iptables-nft-restore",
     "ok"),
    # a flushed chain refilled with more than one rule: refused
    ("nft -f - <<'EOF'\nflush chain ip filter INPUT\nadd rule ip filter INPUT tcp dport 1 accept\n"
     "add rule ip filter INPUT tcp dport 2 accept\nEOF", "reload"),
    ("nft flush ruleset", "ok"),
]

GENERATORS = [(gen_rule_op, 40), (gen_batch_op, 10), (gen_iptables_op, 14), (gen_set_op, 18),
              (gen_chain_op, 9), (gen_table_op, 5), (gen_obj_op, 4)]


def inside(args):
    seed = args.seed
    rng = random.Random(seed)
    sh("ip link set lo up")
    sh("ip link add sgd-v0 type veth peer name sgd-v1")
    w = World(rng)
    f = Follower(args.tool)
    t0 = time.monotonic()
    changes = attempts = 0
    totals = counters(f.check()[0])
    weights = [g[1] for g in GENERATORS]
    for op, expect in SCENARIO:
        before = totals
        ok = sh(op)
        out = f.check()
        totals = counters(out[0]) if out and out[0].startswith("ok") else {}
        reloaded = totals and totals["reloads"] != before["reloads"]
        if not ok or not totals or reloaded != (expect == "reload"):
            print(f"seed {seed}: scenario step {'failed' if not ok else 'differs'}"
                  f"{'' if reloaded == (expect == 'reload') else ' (expected ' + expect + ')'}:\n  {op}")
            print("\n".join("  " + l for l in out))
            f.close()
            return 1
        changes += 1
    print(f"{len(SCENARIO)} directed changes: store equal to a fresh dump after each "
          f"(reloads {totals['reloads']}, where expected)")
    while changes < args.changes and attempts < args.changes * 4:
        attempts += 1
        w.refresh()
        gen = rng.choices(GENERATORS, weights)[0][0]
        op = gen(w)
        elems = None
        if isinstance(op, tuple):
            op, key, elems, *mode = op
        ok = sh(op)
        if args.log:
            with open(args.log, "a") as log:
                log.write(f"{'ok ' if ok else 'failed '}{op}\n")
        if ok:
            changes += 1
            if elems is not None:
                if mode and mode[0] == "flush":
                    w.elems[key] = []
                elif mode and mode[0] == "delete":
                    w.elems[key] = [e for e in w.elems.get(key, []) if e not in elems]
                else:
                    w.elems.setdefault(key, []).extend(elems)
        out = f.check()
        if not out or not out[0].startswith("ok"):
            print(f"seed {seed}: change {changes} (attempt {attempts}) differs from a fresh dump:\n  {op}")
            print("\n".join("  " + l for l in out))
            f.close()
            return 1
        now = counters(out[0])
        if args.verbose and now.get("reloads") != totals.get("reloads"):
            print(f"reload (stale {now.get('stale')}, ENOBUFS {now.get('enobufs')}) after: {op}")
        totals = now
    t_random = time.monotonic() - t0
    print(f"seed {seed}: {changes - len(SCENARIO)} random changes ({attempts} commands), {changes} in all, in "
          f"{t_random:.1f} s: store equal to a fresh dump after each; reloads {totals.get('reloads')} "
          f"(ENOBUFS {totals.get('enobufs')}, refused {totals.get('stale')})")
    if changes < args.changes:
        print(f"seed {seed}: only {changes} of {attempts} commands changed the ruleset")
        f.close()
        return 1

    # ENOBUFS: the smallest receive buffer and one 2,000-rule batch
    small = Follower(args.tool, rcvbuf=1)
    with tempfile.NamedTemporaryFile("w", suffix=".nft") as tmp:
        tmp.write("table ip big {\n chain c {\n")
        for i in range(2000):
            tmp.write(f"  tcp dport {i + 1000} accept\n")
        tmp.write(" }\n}\n")
        tmp.flush()
        if not sh(f"nft -f {tmp.name}"):
            print("the 2,000-rule batch failed")
            return 1
    failed = 0
    for who, fol in (("8 MiB buffer", f), ("tiny buffer", small)):
        out = fol.check()
        c = counters(out[0]) if out and out[0].startswith("ok") else {}
        if not c:
            print(f"after a 2,000-rule batch, the follower with a {who} differs:\n" + "\n".join(out))
            failed += 1
        else:
            print(f"2,000-rule batch, {who}: equal to a fresh dump (ENOBUFS {c['enobufs']}, reloads {c['reloads']})")
    if int(counters(small.check()[0]).get("enobufs", 0)) < 1:
        print("the tiny buffer never overflowed")
        failed += 1

    # -ESTALE: a flushed chain refilled with two rules in one batch
    before = int(counters(f.check()[0])["stale"])
    sh("nft -f - <<'EOF'\nflush chain ip big c\nadd rule ip big c tcp dport 1 accept\n"
       "add rule ip big c tcp dport 2 accept\nEOF")
    out = f.check()
    if not out[0].startswith("ok") or int(counters(out[0])["stale"]) != before + 1:
        print("a batch the store cannot place was not refused and reloaded:\n" + "\n".join(out))
        failed += 1
    else:
        print("flush + two rules in one batch: refused (-ESTALE), reloaded, equal to a fresh dump")
    f.close()
    small.close()
    print(f"total {time.monotonic() - t0:.1f} s")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tool")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--changes", type=int, default=600)
    ap.add_argument("--verbose", action="store_true", help="print the commands after which the store reloaded")
    ap.add_argument("--log", help="append every random command, and whether it succeeded, to this file")
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 32)
    args.tool = os.path.abspath(args.tool)
    if args.inside:
        return inside(args)
    ns = f"sgd-store-diff-{os.getpid()}"
    if subprocess.run(["ip", "netns", "add", ns]).returncode != 0:
        return 2
    try:
        print(f"seed {args.seed} (rerun: {sys.argv[0]} {args.tool} --seed {args.seed})", flush=True)
        return subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__), args.tool,
                               "--seed", str(args.seed), "--changes", str(args.changes), "--inside"] +
                              (["--verbose"] if args.verbose else []) +
                              (["--log", os.path.abspath(args.log)] if args.log else [])).returncode
    finally:
        subprocess.run(["ip", "netns", "del", ns])


if __name__ == "__main__":
    sys.exit(main())

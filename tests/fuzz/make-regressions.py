#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Remakes the reproducers of regressions/nft-store from the first dump of
tests/data/nft-store/sets.bin (a consistent dump as nft_dump_raw() records
it), each with the one edit that makes the dump one the kernel never
sends, in fuzz-nft-store's input format (one 'L' record):

    tests/fuzz/make-regressions.py

The inputs libFuzzer first found for these (README) were mutated dumps
that, once nl-attr.c bounded every nest by its real length, the decoder
refused for an unrelated damaged attribute before reaching the defect:
the replay passed without testing anything.  These reach it.  Each name
is the shape of dump; the decoder and the store must agree on it (both
refuse it, or the store holds what the decoder decodes).
"""
import os
import struct

FUZZ = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(FUZZ))
OUT = os.path.join(FUZZ, "regressions", "nft-store")

NLMSG_DONE = 3
NLM_F_REQUEST = 1
NFNL_SUBSYS_NFTABLES = 10
(NFT_MSG_NEWRULE, NFT_MSG_NEWSET, NFT_MSG_NEWSETELEM, NFT_MSG_GETSETELEM,
 NFT_MSG_NEWGEN) = 6, 9, 12, 13, 15
NFTA_SET_NAME, NFTA_SET_FLAGS = 2, 3
NFTA_SET_ELEM_LIST_SET = 2
NFTA_RULE_EXPRESSIONS = 4
NFTA_EXPR_NAME, NFTA_EXPR_DATA = 1, 2
NFTA_IMMEDIATE_DATA = 2
NFTA_DATA_VALUE, NFTA_DATA_VERDICT = 1, 2
NFTA_LOOKUP_SET, NFTA_LOOKUP_SREG = 1, 2
NFTA_DYNSET_SET_NAME, NFTA_DYNSET_OP, NFTA_DYNSET_SREG_KEY = 1, 3, 4
NFT_SET_TIMEOUT = 0x10
NLA_F_NESTED = 0x8000


def align(n):
    return (n + 3) & ~3


class Msg:
    """One netlink message: header fields, the 4-byte nfgenmsg (if any)
    and the raw attribute bytes after it."""

    def __init__(self, raw):
        self.len, self.type, self.flags, self.seq, self.pid = struct.unpack_from("<IHHII", raw)
        self.body = raw[16:self.len]

    def nft_type(self):
        return self.type & 0xff if self.type >> 8 == NFNL_SUBSYS_NFTABLES else None

    def attrs(self):
        return parse_attrs(self.body[4:])

    def set_attrs(self, attrs):
        self.body = self.body[:4] + put_attrs(attrs)

    def bytes(self):
        b = struct.pack("<IHHII", 16 + len(self.body), self.type, self.flags, self.seq, self.pid) + self.body
        return b + b"\0" * (align(len(b)) - len(b))


def parse_attrs(b):
    """[(type with its flags, payload)]"""
    out, at = [], 0
    while at + 4 <= len(b):
        n, t = struct.unpack_from("<HH", b, at)
        out.append((t, b[at + 4:at + n]))
        at += align(n)
    return out


def put_attrs(attrs):
    b = b""
    for t, payload in attrs:
        a = struct.pack("<HH", 4 + len(payload), t) + payload
        b += a + b"\0" * (align(len(a)) - len(a))
    return b


def get(attrs, kind):
    return next(p for t, p in attrs if t & 0x3fff == kind)


def replace(attrs, kind, payload):
    return [(t, payload if t & 0x3fff == kind else p) for t, p in attrs]


def strz(s):
    return s.encode() + b"\0"


def first_dump():
    with open(os.path.join(TOP, "tests", "data", "nft-store", "sets.bin"), "rb") as f:
        d = f.read()
    assert d[:4] == b"SGNS"
    kind, n = struct.unpack_from("<II", d, 4)
    assert chr(kind) == "L"
    raw, msgs, at = d[12:12 + n], [], 0
    while at < len(raw):
        m = Msg(raw[at:])
        msgs.append(m)
        at += align(m.len)
    return msgs


def named(m, kind, attr, name):
    return m.nft_type() == kind and get(m.attrs(), attr) == strz(name)


def index(msgs, pred):
    return next(i for i, m in enumerate(msgs) if pred(m))


def write(name, msgs):
    dump = b"".join(m.bytes() for m in msgs)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(struct.pack("<II", ord("L"), len(dump)) + dump)


def rule_exprs(m):
    """The rule's expressions: [(name, [attrs of its data])]."""
    out = []
    for _, elem in parse_attrs(get(m.attrs(), NFTA_RULE_EXPRESSIONS)):
        e = parse_attrs(elem)
        out.append((get(e, NFTA_EXPR_NAME).rstrip(b"\0").decode(), parse_attrs(get(e, NFTA_EXPR_DATA))))
    return out


def set_rule_exprs(m, exprs):
    elems = [(1, put_attrs([(NFTA_EXPR_NAME, strz(name)),
                                            (NFTA_EXPR_DATA, put_attrs(data))]))
             for name, data in exprs]
    m.set_attrs(replace(m.attrs(), NFTA_RULE_EXPRESSIONS, put_attrs(elems)))


def main():
    os.makedirs(OUT, exist_ok=True)
    req = lambda name: lambda m: (m.flags & NLM_F_REQUEST) and named(m, NFT_MSG_GETSETELEM,
                                                                       NFTA_SET_ELEM_LIST_SET, name)

    # no NEWGEN: nothing tells the store which generation it holds
    write("no-newgen-in-a-dump", [m for m in first_dump() if m.nft_type() != NFT_MSG_NEWGEN])

    # the elements of "ports" without the request before them
    msgs = first_dump()
    del msgs[index(msgs, req("ports"))]
    write("setelem-without-request", msgs)

    # the elements of "ports" under a request naming "pairs"
    msgs = first_dump()
    m = msgs[index(msgs, req("ports"))]
    m.set_attrs(replace(m.attrs(), NFTA_SET_ELEM_LIST_SET, strz("pairs")))
    write("setelem-of-another-set", msgs)

    # the request of "ports" while that of "pairs" is still open
    msgs = first_dump()
    i = index(msgs, req("ports"))
    assert msgs[i - 1].type == NLMSG_DONE
    del msgs[i - 1]
    write("setelem-request-without-done", msgs)

    # the dump ends inside the last set's element replies
    msgs = first_dump()
    i = max(i for i, m in enumerate(msgs) if m.type == NLMSG_DONE)
    del msgs[i]
    write("setelem-request-open-at-end", msgs)

    # a rule, a set flagged as requests (the store skipped them)
    msgs = first_dump()
    msgs[index(msgs, lambda m: m.nft_type() == NFT_MSG_NEWRULE)].flags |= NLM_F_REQUEST
    write("object-flagged-request", msgs)
    msgs = first_dump()
    msgs[index(msgs, lambda m: named(m, NFT_MSG_NEWSET, NFTA_SET_NAME, "bans"))].flags |= NLM_F_REQUEST
    write("set-flagged-request", msgs)

    # "ports" with timeouts, its elements dumped all the same
    msgs = first_dump()
    m = msgs[index(msgs, lambda m: named(m, NFT_MSG_NEWSET, NFTA_SET_NAME, "ports"))]
    flags = struct.unpack(">I", get(m.attrs(), NFTA_SET_FLAGS))[0]
    m.set_attrs(replace(m.attrs(), NFTA_SET_FLAGS, struct.pack(">I", flags | NFT_SET_TIMEOUT)))
    write("elements-of-an-unfollowed-set", msgs)

    # `ip saddr @allowed` made `add @allowed { ip saddr }`: a rule's dynset
    # names "allowed", whose elements are dumped all the same
    msgs = first_dump()
    m = msgs[index(msgs, lambda m: m.nft_type() == NFT_MSG_NEWRULE and
                   any(n == "lookup" and get(d, NFTA_LOOKUP_SET) == strz("allowed") for n, d in rule_exprs(m)))]
    exprs = [(n, d) if n != "lookup" else
             ("dynset", [(NFTA_DYNSET_SET_NAME, strz("allowed")), (NFTA_DYNSET_OP, struct.pack(">I", 0)),
                         (NFTA_DYNSET_SREG_KEY, get(d, NFTA_LOOKUP_SREG))])
             for n, d in rule_exprs(m)]
    set_rule_exprs(m, exprs)
    write("elements-of-a-set-a-rule-updates", msgs)

    # an immediate to the verdict register with NFTA_DATA_VALUE (the
    # kernel's nft_immediate_init() refuses it): the verdict nest's bytes
    # as a value
    msgs = first_dump()
    m = msgs[index(msgs, lambda m: m.nft_type() == NFT_MSG_NEWRULE and
                   any(n == "immediate" for n, _ in rule_exprs(m)))]
    exprs = []
    for n, d in rule_exprs(m):
        if n == "immediate":
            verdict = get(parse_attrs(get(d, NFTA_IMMEDIATE_DATA)), NFTA_DATA_VERDICT)
            d = replace(d, NFTA_IMMEDIATE_DATA, put_attrs([(NFTA_DATA_VALUE, verdict)]))
        exprs.append((n, d))
    set_rule_exprs(m, exprs)
    write("immediate-verdict-register-with-value", msgs)


if __name__ == "__main__":
    main()

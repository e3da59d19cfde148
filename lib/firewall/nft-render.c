/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Rules as `nft list ruleset` (nftables 1.0.6) prints them, for evidence.
 * The common native forms are reproduced exactly — payload and meta matches
 * with their dependencies elided as nft elides them, prefixes, ranges,
 * anonymous sets and verdict maps, ct state, tcp flags, counters, limits,
 * log, reject, verdicts, comments.  Anything else prints as nft's raw
 * syntax where one exists (`@th,16,16 22`) or as a bracketed expression
 * (`[tproxy]`), never silently dropped.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "nft-ruleset.h"
#include "xt.h"

/* A name or string in the pool; never NULL. */
static const char *pool_str(const NftRuleset *rs, uint32_t off) {
        const char *p = nft_pool(rs, off);
        return p ? p : "";
}

/* ---- a growing string ---- */

typedef struct Buf {
        char *s;
        size_t len, cap;
        bool oom;
} Buf;

__attribute__((format(printf, 2, 3)))
static void bprintf(Buf *b, const char *fmt, ...) {
        va_list ap;
        if (b->oom)
                return;
        for (;;) {
                va_start(ap, fmt);
                int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
                va_end(ap);
                if (n < 0) {
                        b->oom = true;
                        return;
                }
                if (b->s && b->len + (size_t) n < b->cap) {
                        b->len += (size_t) n;
                        return;
                }
                size_t cap = b->cap ? b->cap : 64;
                while (cap <= b->len + (size_t) n)
                        cap *= 2;
                char *s = realloc(b->s, cap);
                if (!s) {
                        b->oom = true;
                        return;
                }
                b->s = s;
                b->cap = cap;
        }
}

/* Separates statements by one space. */
static void bsep(Buf *b) {
        if (b->len > 0 && b->s[b->len - 1] != ' ')
                bprintf(b, " ");
}

/* ---- types and fields ---- */

typedef enum ValType {
        T_INT_BE,       /* big-endian integer (decimal up to 4 bytes, else hex) */
        T_INT_HOST,     /* host-order integer (meta, ct) */
        T_HEX_HOST,     /* host-order, printed 0x%08x (marks) */
        T_IPV4,
        T_IPV6,
        T_SERVICE,      /* ports: decimal */
        T_PROTO,        /* inet_proto */
        T_NFPROTO,
        T_ETHERTYPE,
        T_IFNAME,
        T_CTSTATE,
        T_CTSTATUS,
        T_TCPFLAGS,
        T_PKTTYPE,
        T_LLADDR,
        T_MARK,
        T_FIB_PRESENT,  /* exists / missing */
        T_RTN,          /* route types: local, unicast, ... */
} ValType;

typedef struct Field {
        const char *proto, *name;
        uint8_t base;
        uint8_t offset, len;
        ValType type;
} Field;

enum { P_NONE, P_IP, P_IP6, P_TCP, P_UDP, P_OTHER_L4 };

static const Field fields[] = {
        { "ether", "daddr", NFT_PAYLOAD_LL_HEADER, 0, 6, T_LLADDR },
        { "ether", "saddr", NFT_PAYLOAD_LL_HEADER, 6, 6, T_LLADDR },
        { "ether", "type", NFT_PAYLOAD_LL_HEADER, 12, 2, T_ETHERTYPE },
        { "ip", "length", NFT_PAYLOAD_NETWORK_HEADER, 2, 2, T_INT_BE },
        { "ip", "id", NFT_PAYLOAD_NETWORK_HEADER, 4, 2, T_INT_BE },
        { "ip", "ttl", NFT_PAYLOAD_NETWORK_HEADER, 8, 1, T_INT_BE },
        { "ip", "protocol", NFT_PAYLOAD_NETWORK_HEADER, 9, 1, T_PROTO },
        { "ip", "checksum", NFT_PAYLOAD_NETWORK_HEADER, 10, 2, T_INT_BE },
        { "ip", "saddr", NFT_PAYLOAD_NETWORK_HEADER, 12, 4, T_IPV4 },
        { "ip", "daddr", NFT_PAYLOAD_NETWORK_HEADER, 16, 4, T_IPV4 },
        { "ip6", "length", NFT_PAYLOAD_NETWORK_HEADER, 4, 2, T_INT_BE },
        { "ip6", "nexthdr", NFT_PAYLOAD_NETWORK_HEADER, 6, 1, T_PROTO },
        { "ip6", "hoplimit", NFT_PAYLOAD_NETWORK_HEADER, 7, 1, T_INT_BE },
        { "ip6", "saddr", NFT_PAYLOAD_NETWORK_HEADER, 8, 16, T_IPV6 },
        { "ip6", "daddr", NFT_PAYLOAD_NETWORK_HEADER, 24, 16, T_IPV6 },
        { "tcp", "sport", NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, T_SERVICE },
        { "tcp", "dport", NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, T_SERVICE },
        { "tcp", "sequence", NFT_PAYLOAD_TRANSPORT_HEADER, 4, 4, T_INT_BE },
        { "tcp", "ackseq", NFT_PAYLOAD_TRANSPORT_HEADER, 8, 4, T_INT_BE },
        { "tcp", "flags", NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1, T_TCPFLAGS },
        { "tcp", "window", NFT_PAYLOAD_TRANSPORT_HEADER, 14, 2, T_INT_BE },
        { "tcp", "checksum", NFT_PAYLOAD_TRANSPORT_HEADER, 16, 2, T_INT_BE },
        { "tcp", "urgptr", NFT_PAYLOAD_TRANSPORT_HEADER, 18, 2, T_INT_BE },
        { "udp", "sport", NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, T_SERVICE },
        { "udp", "dport", NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, T_SERVICE },
        { "udp", "length", NFT_PAYLOAD_TRANSPORT_HEADER, 4, 2, T_INT_BE },
        { "udp", "checksum", NFT_PAYLOAD_TRANSPORT_HEADER, 6, 2, T_INT_BE },
        { "th", "sport", NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, T_SERVICE },
        { "th", "dport", NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, T_SERVICE },
};

static const char *const meta_names[] = {
        [NFT_META_LEN] = "length", [NFT_META_PROTOCOL] = "protocol", [NFT_META_PRIORITY] = "priority",
        [NFT_META_MARK] = "mark", [NFT_META_IIF] = "iif", [NFT_META_OIF] = "oif",
        [NFT_META_IIFNAME] = "iifname", [NFT_META_OIFNAME] = "oifname", [NFT_META_IIFTYPE] = "iiftype",
        [NFT_META_OIFTYPE] = "oiftype", [NFT_META_SKUID] = "skuid", [NFT_META_SKGID] = "skgid",
        [NFT_META_NFTRACE] = "nftrace", [NFT_META_RTCLASSID] = "rtclassid", [NFT_META_SECMARK] = "secmark",
        [NFT_META_NFPROTO] = "nfproto", [NFT_META_L4PROTO] = "l4proto", [NFT_META_BRI_IIFNAME] = "ibrname",
        [NFT_META_BRI_OIFNAME] = "obrname", [NFT_META_PKTTYPE] = "pkttype", [NFT_META_CPU] = "cpu",
        [NFT_META_IIFGROUP] = "iifgroup", [NFT_META_OIFGROUP] = "oifgroup", [NFT_META_CGROUP] = "cgroup",
        [NFT_META_PRANDOM] = "random", [NFT_META_SECPATH] = "ipsec", [NFT_META_IIFKIND] = "iifkind",
        [NFT_META_OIFKIND] = "oifkind", [NFT_META_BRI_IIFPVID] = "ibrpvid",
        [NFT_META_BRI_IIFVPROTO] = "ibrvproto", [NFT_META_TIME_NS] = "time", [NFT_META_TIME_DAY] = "day",
        [NFT_META_TIME_HOUR] = "hour", [NFT_META_SDIF] = "sdif", [NFT_META_SDIFNAME] = "sdifname",
};

static const char *const ct_names[] = {
        [NFT_CT_STATE] = "state", [NFT_CT_DIRECTION] = "direction", [NFT_CT_STATUS] = "status",
        [NFT_CT_MARK] = "mark", [NFT_CT_SECMARK] = "secmark", [NFT_CT_EXPIRATION] = "expiration",
        [NFT_CT_HELPER] = "helper", [NFT_CT_L3PROTOCOL] = "l3proto", [NFT_CT_SRC] = "saddr",
        [NFT_CT_DST] = "daddr", [NFT_CT_PROTOCOL] = "protocol", [NFT_CT_PROTO_SRC] = "proto-src",
        [NFT_CT_PROTO_DST] = "proto-dst", [NFT_CT_LABELS] = "label", [NFT_CT_PKTS] = "packets",
        [NFT_CT_BYTES] = "bytes", [NFT_CT_AVGPKT] = "avgpkt", [NFT_CT_ZONE] = "zone",
        [NFT_CT_EVENTMASK] = "event", [NFT_CT_SRC_IP] = "ip saddr", [NFT_CT_DST_IP] = "ip daddr",
        [NFT_CT_SRC_IP6] = "ip6 saddr", [NFT_CT_DST_IP6] = "ip6 daddr", [NFT_CT_ID] = "id",
};

/* What a register holds, as far as rendering cares. */
typedef struct Load {
        enum { L_NONE, L_PAYLOAD, L_META, L_CT, L_IMM, L_FIB } kind;
        const Field *field;     /* L_PAYLOAD: a known field, or NULL (raw) */
        uint8_t base, len;
        uint32_t offset;
        uint8_t key, dir;       /* meta/ct; fib: result */
        uint32_t fib_flags;
        const uint8_t *mask;    /* a bitwise mask applied (xor zero), NULL: none */
        const uint8_t *data;    /* L_IMM */
} Load;

typedef struct Ctx {
        const NftRuleset *rs;
        const NftTable *table;
        int l3;                 /* P_IP / P_IP6 / P_NONE: what the network header is */
        int l4;                 /* P_TCP / P_UDP / P_OTHER_L4 / P_NONE */
        Load regs[NFT_REGS_WORDS];
        Buf *out;
        /* Dependencies (meta nfproto, meta l4proto, ip protocol...) are
         * printed, and cut out again when a later match implies them, as
         * nft does (payload_dependency_kill): the latest one per layer,
         * indexed by payload base, is the one that can go. */
        struct { size_t start, end; bool live, nfproto; } dep[3];
        struct { size_t start, end; } cut[16];
        unsigned n_cut;
        /* as `nft -s` prints: counters without their values (they change
         * with every packet, without a notification) */
        bool stateless;
} Ctx;

static const char *proto_name(unsigned p) {
        switch (p) {
        case 1: return "icmp";
        case 2: return "igmp";
        case 6: return "tcp";
        case 17: return "udp";
        case 33: return "dccp";
        case 47: return "gre";
        case 50: return "esp";
        case 51: return "ah";
        case 58: return "ipv6-icmp";
        case 132: return "sctp";
        case 136: return "udplite";
        default: return NULL;
        }
}

static int proto_l4(unsigned p) {
        return p == 6 ? P_TCP : p == 17 ? P_UDP : P_OTHER_L4;
}

static uint32_t host_u32(const uint8_t *d, unsigned len) {
        uint32_t v = 0;
        memcpy(&v, d, len < 4 ? len : 4);
        if (len == 1)
                v = d[0];
        else if (len == 2) {
                uint16_t s;
                memcpy(&s, d, 2);
                v = s;
        }
        return v;
}

static uint64_t be_uint(const uint8_t *d, unsigned len) {
        uint64_t v = 0;
        for (unsigned i = 0; i < len && i < 8; i++)
                v = v << 8 | d[i];
        return v;
}

static void print_flags(Buf *b, uint32_t v, const char *const *names, unsigned n) {
        bool first = true;
        for (unsigned i = 0; i < n; i++)
                if ((v & (1u << i)) && names[i]) {
                        bprintf(b, "%s%s", first ? "" : ",", names[i]);
                        first = false;
                        v &= ~(1u << i);
                }
        if (v || first)
                bprintf(b, "%s0x%x", first ? "" : ",", v);
}

static const char *const ctstate_names[] = { "invalid", "established", "related", "new", NULL, NULL, "untracked" };
/* IPS_*_BIT, as nft names them (src/ct.c) */
static const char *const ctstatus_names[] = { "expected", "seen-reply", "assured", "confirmed", "snat", "dnat",
                                              NULL, NULL, NULL, "dying" };
static const char *const tcpflag_names[] = { "fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr" };

/* Prints a value of `len` bytes as nft shows values of that type. */
static void print_value(Buf *b, ValType t, const uint8_t *d, unsigned len) {
        char a[INET6_ADDRSTRLEN];
        switch (t) {
        case T_IPV4:
                if (len == 4 && inet_ntop(AF_INET, d, a, sizeof(a))) {
                        bprintf(b, "%s", a);
                        return;
                }
                break;
        case T_IPV6:
                if (len == 16 && inet_ntop(AF_INET6, d, a, sizeof(a))) {
                        bprintf(b, "%s", a);
                        return;
                }
                break;
        case T_SERVICE:
                bprintf(b, "%" PRIu64, be_uint(d, len));
                return;
        case T_PROTO: {
                const char *n = proto_name(d[0]);
                if (n)
                        bprintf(b, "%s", n);
                else
                        bprintf(b, "%u", d[0]);
                return;
        }
        case T_NFPROTO:
                bprintf(b, "%s", d[0] == NFPROTO_IPV4 ? "ipv4" : d[0] == NFPROTO_IPV6 ? "ipv6" : "");
                if (d[0] != NFPROTO_IPV4 && d[0] != NFPROTO_IPV6)
                        bprintf(b, "%u", d[0]);
                return;
        case T_ETHERTYPE: {
                uint64_t v = be_uint(d, len);
                if (v == 0x0800)
                        bprintf(b, "ip");
                else if (v == 0x86dd)
                        bprintf(b, "ip6");
                else if (v == 0x0806)
                        bprintf(b, "arp");
                else if (v == 0x8100)
                        bprintf(b, "vlan");
                else
                        bprintf(b, "0x%04" PRIx64, v);
                return;
        }
        case T_IFNAME: {
                size_t n = strnlen((const char *) d, len);
                /* a prefix match is a comparison without the terminating NUL */
                bprintf(b, "\"%.*s%s\"", (int) n, (const char *) d, n == len && len < 16 ? "*" : "");
                return;
        }
        case T_CTSTATE:
                print_flags(b, host_u32(d, len), ctstate_names, 7);
                return;
        case T_CTSTATUS:
                print_flags(b, host_u32(d, len), ctstatus_names, 10);
                return;
        case T_TCPFLAGS:
                print_flags(b, d[0], tcpflag_names, 8);
                return;
        case T_PKTTYPE: {
                static const char *const n[] = { "host", "broadcast", "multicast", "other" };
                if (d[0] < 4)
                        bprintf(b, "%s", n[d[0]]);
                else
                        bprintf(b, "%u", d[0]);
                return;
        }
        case T_LLADDR:
                for (unsigned i = 0; i < len; i++)
                        bprintf(b, "%s%02x", i ? ":" : "", d[i]);
                return;
        case T_MARK:
                bprintf(b, "0x%08x", host_u32(d, len));
                return;
        case T_HEX_HOST:
                bprintf(b, "0x%08x", host_u32(d, len));
                return;
        case T_FIB_PRESENT:
                bprintf(b, "%s", d[0] ? "exists" : "missing");
                return;
        case T_RTN: {
                static const char *const n[] = { "unspec", "unicast", "local", "broadcast", "anycast",
                        "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve" };
                uint32_t v = host_u32(d, len);
                if (v < sizeof(n) / sizeof(n[0]))
                        bprintf(b, "%s", n[v]);
                else
                        bprintf(b, "%u", v);
                return;
        }
        case T_INT_HOST:
                if (len <= 4) {
                        bprintf(b, "%u", host_u32(d, len));
                        return;
                }
                break;
        case T_INT_BE:
                if (len <= 4) {
                        bprintf(b, "%" PRIu64, be_uint(d, len));
                        return;
                }
                break;
        }
        bprintf(b, "0x");
        for (unsigned i = 0; i < len; i++)
                bprintf(b, "%02x", d[i]);
}

static ValType meta_type(unsigned key) {
        switch (key) {
        case NFT_META_PROTOCOL: return T_ETHERTYPE;
        case NFT_META_MARK: return T_MARK;
        case NFT_META_IIFNAME: case NFT_META_OIFNAME: case NFT_META_SDIFNAME:
        case NFT_META_BRI_IIFNAME: case NFT_META_BRI_OIFNAME: case NFT_META_IIFKIND: case NFT_META_OIFKIND:
                return T_IFNAME;
        case NFT_META_NFPROTO: return T_NFPROTO;
        case NFT_META_L4PROTO: return T_PROTO;
        case NFT_META_PKTTYPE: return T_PKTTYPE;
        default: return T_INT_HOST;
        }
}

static ValType load_type(const Load *l) {
        switch (l->kind) {
        case L_FIB:
                if (l->fib_flags & NFTA_FIB_F_PRESENT)
                        return T_FIB_PRESENT;
                return l->key == NFT_FIB_RESULT_ADDRTYPE ? T_RTN
                        : l->key == NFT_FIB_RESULT_OIFNAME ? T_IFNAME : T_INT_HOST;
        case L_PAYLOAD:
                return l->field ? l->field->type : T_INT_BE;
        case L_META:
                return meta_type(l->key);
        case L_CT:
                switch (l->key) {
                case NFT_CT_STATE: return T_CTSTATE;
                case NFT_CT_STATUS: return T_CTSTATUS;
                case NFT_CT_MARK: return T_MARK;
                case NFT_CT_SRC_IP: case NFT_CT_DST_IP: return T_IPV4;
                case NFT_CT_SRC_IP6: case NFT_CT_DST_IP6: return T_IPV6;
                case NFT_CT_PROTO_SRC: case NFT_CT_PROTO_DST: return T_SERVICE;
                case NFT_CT_L3PROTOCOL: return T_NFPROTO;
                case NFT_CT_PROTOCOL: return T_PROTO;
                default: return T_INT_HOST;
                }
        default:
                return T_INT_BE;
        }
}

static bool is_bitmask_type(ValType t) {
        return t == T_CTSTATE || t == T_CTSTATUS || t == T_TCPFLAGS;
}

static const Field *find_field(const Ctx *c, uint8_t base, uint32_t offset, uint8_t len, bool *prefix) {
        const char *proto;
        *prefix = false;
        if (base == NFT_PAYLOAD_NETWORK_HEADER) {
                int l3 = c->l3;
                if (l3 == P_NONE)
                        l3 = offset >= 8 && len > 4 ? P_IP6 : P_IP;
                proto = l3 == P_IP6 ? "ip6" : "ip";
        } else if (base == NFT_PAYLOAD_TRANSPORT_HEADER)
                proto = c->l4 == P_TCP ? "tcp" : c->l4 == P_UDP ? "udp" : "th";
        else if (base == NFT_PAYLOAD_LL_HEADER)
                proto = "ether";
        else
                return NULL;
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
                const Field *f = &fields[i];
                if (f->base != base || f->offset != offset || strcmp(f->proto, proto) != 0)
                        continue;
                if (f->len == len)
                        return f;
                /* nft shortens loads of byte-aligned address prefixes */
                if ((f->type == T_IPV4 || f->type == T_IPV6) && len < f->len) {
                        *prefix = true;
                        return f;
                }
        }
        return NULL;
}

/* Prints the left-hand side of a match on a register. */
static void print_lhs(Ctx *c, const Load *l) {
        Buf *b = c->out;
        bool prefix;
        switch (l->kind) {
        case L_PAYLOAD: {
                const Field *f = find_field(c, l->base, l->offset, l->len, &prefix);
                if (f) {
                        bprintf(b, "%s %s", f->proto, f->name);
                        return;
                }
                const char *bn = l->base == NFT_PAYLOAD_LL_HEADER ? "ll"
                        : l->base == NFT_PAYLOAD_NETWORK_HEADER ? "nh"
                        : l->base == NFT_PAYLOAD_TRANSPORT_HEADER ? "th" : "ih";
                bprintf(b, "@%s,%u,%u", bn, l->offset * 8, l->len * 8u);
                return;
        }
        case L_META:
                if (l->key == NFT_META_IIF || l->key == NFT_META_OIF || l->key == NFT_META_IIFNAME ||
                    l->key == NFT_META_OIFNAME || l->key == NFT_META_IIFGROUP || l->key == NFT_META_OIFGROUP)
                        bprintf(b, "%s", meta_names[l->key]);
                else if (l->key < sizeof(meta_names) / sizeof(meta_names[0]) && meta_names[l->key])
                        bprintf(b, "meta %s", meta_names[l->key]);
                else
                        bprintf(b, "meta %u", l->key);
                return;
        case L_CT: {
                const char *n = l->key < sizeof(ct_names) / sizeof(ct_names[0]) ? ct_names[l->key] : NULL;
                bprintf(b, "ct ");
                if (l->dir == 0)
                        bprintf(b, "original ");
                else if (l->dir == 1)
                        bprintf(b, "reply ");
                if (n)
                        bprintf(b, "%s", n);
                else
                        bprintf(b, "%u", l->key);
                return;
        }
        case L_FIB: {
                static const struct { uint32_t flag; const char *name; } keys[] = {
                        { NFTA_FIB_F_SADDR, "saddr" }, { NFTA_FIB_F_DADDR, "daddr" }, { NFTA_FIB_F_MARK, "mark" },
                        { NFTA_FIB_F_IIF, "iif" }, { NFTA_FIB_F_OIF, "oif" } };
                bool first = true;
                bprintf(b, "fib ");
                for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
                        if (l->fib_flags & keys[i].flag) {
                                bprintf(b, "%s%s", first ? "" : " . ", keys[i].name);
                                first = false;
                        }
                bprintf(b, " %s", l->key == NFT_FIB_RESULT_OIF ? "oif" : l->key == NFT_FIB_RESULT_OIFNAME ? "oifname"
                                  : l->key == NFT_FIB_RESULT_ADDRTYPE ? "type" : "unspec");
                return;
        }
        default:
                bprintf(b, "[register]");
                return;
        }
}

/* The length of the field a load is part of (prefixes print as /N of it). */
static unsigned field_len(const Ctx *c, const Load *l) {
        bool prefix;
        if (l->kind == L_PAYLOAD) {
                const Field *f = find_field(c, l->base, l->offset, l->len, &prefix);
                if (f)
                        return f->len;
        }
        return l->len;
}

static int mask_prefix_len(const uint8_t *mask, unsigned len) {
        int bits = 0;
        unsigned i = 0;
        for (; i < len && mask[i] == 0xff; i++)
                bits += 8;
        if (i < len) {
                uint8_t m = mask[i];
                while (m & 0x80) {
                        bits++;
                        m = (uint8_t) (m << 1);
                }
                if (m)
                        return -1;
                for (i++; i < len; i++)
                        if (mask[i])
                                return -1;
        }
        return bits;
}

/* A value of the load's type; prefixes (shortened loads, address masks) as
 * ADDR/N. */
static void print_rhs(Ctx *c, const Load *l, const uint8_t *d, unsigned len) {
        ValType t = load_type(l);
        unsigned flen = field_len(c, l);
        if ((t == T_IPV4 || t == T_IPV6) && (len < flen || l->mask)) {
                uint8_t full[16] = { 0 };
                int bits = (int) len * 8;
                memcpy(full, d, len < 16 ? len : 16);
                if (l->mask && (bits = mask_prefix_len(l->mask, len)) < 0) {
                        print_value(c->out, T_INT_BE, d, len);
                        return;
                }
                print_value(c->out, t, full, flen);
                bprintf(c->out, "/%d", bits);
                return;
        }
        if (l->kind == L_META && (l->key == NFT_META_IIFNAME || l->key == NFT_META_OIFNAME)) {
                print_value(c->out, T_IFNAME, d, len);
                return;
        }
        print_value(c->out, t, d, len);
}

/* ---- dependencies ---- */

static void kill_dep(Ctx *c, unsigned layer) {
        if (layer < 3 && c->dep[layer].live && c->n_cut < sizeof(c->cut) / sizeof(c->cut[0])) {
                c->cut[c->n_cut].start = c->dep[layer].start;
                c->cut[c->n_cut].end = c->dep[layer].end;
                c->n_cut++;
        }
        if (layer < 3)
                c->dep[layer].live = false;
}

/* A match about to be printed on loads `l`: the dependencies they imply
 * are cut. */
static void before_match_n(Ctx *c, const Load *const *l, unsigned n) {
        for (unsigned j = 0; j < n; j++)
                if (l[j]->kind == L_PAYLOAD)
                        kill_dep(c, l[j]->base);
        bsep(c->out);
}

static void before_match(Ctx *c, const Load *l) {
        before_match_n(c, &l, 1);
}

static void before_stmt(Ctx *c) {
        bsep(c->out);
}

/* The output without the cut dependencies (and one space each). */
static void apply_cuts(Ctx *c) {
        Buf *b = c->out;
        if (b->oom || !b->s)
                return;
        /* cuts do not overlap; apply them from the last */
        for (unsigned k = 0; k < c->n_cut; k++)
                for (unsigned m = k + 1; m < c->n_cut; m++)
                        if (c->cut[m].start > c->cut[k].start) {
                                size_t ts = c->cut[k].start, te = c->cut[k].end;
                                c->cut[k] = c->cut[m];
                                c->cut[m].start = ts;
                                c->cut[m].end = te;
                        }
        for (unsigned k = 0; k < c->n_cut; k++) {
                size_t st = c->cut[k].start, en = c->cut[k].end;
                if (en < b->len && b->s[en] == ' ')
                        en++;
                else if (st > 0 && b->s[st - 1] == ' ')
                        st--;
                memmove(b->s + st, b->s + en, b->len - en + 1);
                b->len -= en - st;
        }
}

/* Matches that only state a protocol are held back as dependencies. */
static bool hold_dependency(Ctx *c, const Load *l, unsigned op, const uint8_t *d, unsigned len) {
        if (op != NFT_CMP_EQ || l->mask)
                return false;
        int layer = 0;
        if (l->kind == L_META && l->key == NFT_META_NFPROTO && len == 1) {
                c->l3 = d[0] == NFPROTO_IPV6 ? P_IP6 : d[0] == NFPROTO_IPV4 ? P_IP : P_NONE;
                layer = NFT_PAYLOAD_NETWORK_HEADER;
        } else if (l->kind == L_META && l->key == NFT_META_PROTOCOL && len == 2) {
                uint64_t v = be_uint(d, 2);
                c->l3 = v == 0x86dd ? P_IP6 : v == 0x0800 ? P_IP : P_NONE;
                layer = NFT_PAYLOAD_NETWORK_HEADER;
        } else if (l->kind == L_META && l->key == NFT_META_L4PROTO && len == 1) {
                c->l4 = proto_l4(d[0]);
                layer = NFT_PAYLOAD_TRANSPORT_HEADER;
        } else if (l->kind == L_PAYLOAD && l->base == NFT_PAYLOAD_NETWORK_HEADER && len == 1 &&
                   ((c->l3 != P_IP6 && l->offset == 9) || (c->l3 == P_IP6 && l->offset == 6))) {
                /* `ip protocol tcp` / `ip6 nexthdr tcp`: itself a match on
                 * the network header, so it first settles its own dependency */
                before_match(c, l);
                c->l4 = proto_l4(d[0]);
                layer = NFT_PAYLOAD_TRANSPORT_HEADER;
        } else
                return false;

        bsep(c->out);
        c->dep[layer].start = c->out->len;
        print_lhs(c, l);
        bprintf(c->out, " ");
        print_rhs(c, l, d, len);
        c->dep[layer].end = c->out->len;
        c->dep[layer].live = true;
        c->dep[layer].nfproto = l->kind == L_META && l->key == NFT_META_NFPROTO;
        return true;
}

/* ---- matches ---- */

static const char *cmp_op(unsigned op) {
        switch (op) {
        case NFT_CMP_EQ: return "";
        case NFT_CMP_NEQ: return "!= ";
        case NFT_CMP_LT: return "< ";
        case NFT_CMP_LTE: return "<= ";
        case NFT_CMP_GT: return "> ";
        case NFT_CMP_GTE: return ">= ";
        default: return "?? ";
        }
}

static bool all_zero(const uint8_t *d, unsigned len) {
        for (unsigned i = 0; i < len; i++)
                if (d[i])
                        return false;
        return true;
}

static void render_cmp(Ctx *c, const Load *l, unsigned op, const uint8_t *d, unsigned len) {
        ValType t = load_type(l);
        if (hold_dependency(c, l, op, d, len))
                return;
        before_match(c, l);
        print_lhs(c, l);
        bprintf(c->out, " ");
        if (t == T_FIB_PRESENT && (op == NFT_CMP_EQ || op == NFT_CMP_NEQ)) {
                bool exists = (d[0] != 0) == (op == NFT_CMP_EQ);
                bprintf(c->out, "%s", exists ? "exists" : "missing");
                return;
        }
        if (is_bitmask_type(t)) {
                /* `ct state established,related`: (x & mask) != 0;
                 * `tcp flags syn / fin,syn,rst,ack`: (x & mask) == value */
                if (l->mask && op == NFT_CMP_NEQ && all_zero(d, len)) {
                        print_value(c->out, t, l->mask, len);
                        return;
                }
                if (l->mask && op == NFT_CMP_EQ) {
                        print_value(c->out, t, d, len);
                        bprintf(c->out, " / ");
                        print_value(c->out, t, l->mask, len);
                        return;
                }
                if (!l->mask) {
                        bprintf(c->out, "%s", op == NFT_CMP_EQ ? "== " : cmp_op(op));
                        print_value(c->out, t, d, len);
                        return;
                }
        }
        if (l->mask && t != T_IPV4 && t != T_IPV6) {
                ValType mt = t == T_MARK || t == T_INT_HOST || t == T_HEX_HOST ? T_MARK : T_INT_BE;
                bprintf(c->out, "& ");
                print_value(c->out, mt, l->mask, len);
                bprintf(c->out, " %s", op == NFT_CMP_EQ ? "== " : cmp_op(op));
                print_value(c->out, mt, d, len);
                return;
        }
        bprintf(c->out, "%s", cmp_op(op));
        print_rhs(c, l, d, len);
}

static void render_range(Ctx *c, const Load *l, bool neq, const uint8_t *from, const uint8_t *to, unsigned len) {
        ValType t = load_type(l);
        before_match(c, l);
        print_lhs(c, l);
        bprintf(c->out, " %s", neq ? "!= " : "");
        print_value(c->out, t, from, len);
        bprintf(c->out, "-");
        print_value(c->out, t, to, len);
}

typedef struct ElemOrder {
        const NftRuleset *rs;
        size_t key_len;
} ElemOrder;

static int elem_cmp(const void *a, const void *b, void *userdata) {
        const NftSetElem *x = a, *y = b;
        const ElemOrder *o = userdata;
        if (!x->key_off || !y->key_off)
                return x->key_off ? -1 : y->key_off ? 1 : 0;
        int r = memcmp(nft_pool(o->rs, x->key_off), nft_pool(o->rs, y->key_off), o->key_len);
        if (r)
                return r;
        /* an interval's end sorts before a start at the same key */
        return (int) (y->flags & NFT_SET_ELEM_INTERVAL_END) - (int) (x->flags & NFT_SET_ELEM_INTERVAL_END);
}

static void print_verdict(Buf *b, const NftRuleset *rs, int32_t code, const char *chain) {
        switch (code) {
        case NF_ACCEPT: bprintf(b, "accept"); return;
        case NF_DROP: bprintf(b, "drop"); return;
        case NF_QUEUE: bprintf(b, "queue"); return;
        case NFT_CONTINUE: bprintf(b, "continue"); return;
        case NFT_RETURN: bprintf(b, "return"); return;
        case NFT_JUMP: bprintf(b, "jump %s", chain ? chain : "?"); return;
        case NFT_GOTO: bprintf(b, "goto %s", chain ? chain : "?"); return;
        default: bprintf(b, "verdict %d", code); return;
        }
}

/* Subtracts one from a big-endian number (the exclusive end of an
 * interval becomes the inclusive one nft prints). */
static void be_decrement(uint8_t *d, unsigned len) {
        for (unsigned i = len; i > 0; i--)
                if (d[i - 1]-- != 0)
                        return;
}

/* ADDR/N if [lo, hi] is exactly a prefix, else -1. */
static int range_prefix(const uint8_t *lo, const uint8_t *hi, unsigned len) {
        int bits = (int) len * 8;
        for (int b = (int) len * 8 - 1; b >= 0; b--) {
                unsigned byte = (unsigned) b / 8, bit = 7 - (unsigned) b % 8;
                bool l = lo[byte] >> bit & 1, h = hi[byte] >> bit & 1;
                if (!l && h)
                        bits = b;
                else
                        break;
        }
        for (int b = bits; b < (int) len * 8; b++) {
                unsigned byte = (unsigned) b / 8, bit = 7 - (unsigned) b % 8;
                if ((lo[byte] >> bit & 1) || !(hi[byte] >> bit & 1))
                        return -1;
        }
        for (int b = 0; b < bits; b++) {
                unsigned byte = (unsigned) b / 8, bit = 7 - (unsigned) b % 8;
                if ((lo[byte] >> bit & 1) != (hi[byte] >> bit & 1))
                        return -1;
        }
        return bits;
}

/* An anonymous set's elements inline, sorted, intervals rebuilt from their
 * start and end markers as nft does. */
static bool render_anon_elems(Ctx *c, const Load *l, const NftSet *set) {
        ValType t = load_type(l);
        unsigned klen = set->key_len;
        if (set->n_concat > 1 || klen > 16 || !set->elems_complete)
                return false;
        NftSetElem *el = malloc((set->n_elems ? set->n_elems : 1) * sizeof(NftSetElem));
        if (!el) {
                c->out->oom = true;
                return true;
        }
        if (set->n_elems)
                memcpy(el, set->elems, set->n_elems * sizeof(NftSetElem));
        ElemOrder order = { c->rs, klen };
        qsort_r(el, set->n_elems, sizeof(NftSetElem), elem_cmp, &order);

        bool first = true;
        bprintf(c->out, "{ ");
        for (size_t i = 0; i < set->n_elems; i++) {
                const NftSetElem *e = &el[i];
                const uint8_t *k = nft_pool(c->rs, e->key_off);
                if (!k || (e->flags & NFT_SET_ELEM_INTERVAL_END))
                        continue;
                bprintf(c->out, "%s", first ? "" : ", ");
                first = false;
                if (set->flags & NFT_SET_INTERVAL) {
                        uint8_t hi[16];
                        if (e->key_end_off)
                                memcpy(hi, nft_pool(c->rs, e->key_end_off), klen);
                        else if (i + 1 < set->n_elems && (el[i + 1].flags & NFT_SET_ELEM_INTERVAL_END) &&
                                 el[i + 1].key_off) {
                                memcpy(hi, nft_pool(c->rs, el[i + 1].key_off), klen);
                                be_decrement(hi, klen);
                        } else
                                memset(hi, 0xff, klen);
                        int p = (t == T_IPV4 || t == T_IPV6) ? range_prefix(k, hi, klen) : -1;
                        if (memcmp(k, hi, klen) == 0)
                                print_value(c->out, t, k, klen);
                        else if (p >= 0) {
                                print_value(c->out, t, k, klen);
                                bprintf(c->out, "/%d", p);
                        } else {
                                print_value(c->out, t, k, klen);
                                bprintf(c->out, "-");
                                print_value(c->out, t, hi, klen);
                        }
                } else
                        print_value(c->out, t, k, klen);
                if (set->flags & NFT_SET_MAP) {
                        bprintf(c->out, " : ");
                        if (set->data_type == NFT_DATA_VERDICT)
                                print_verdict(c->out, c->rs, e->verdict, nft_pool(c->rs, e->chain_off));
                        else if (e->data_off)
                                print_value(c->out, T_INT_BE, nft_pool(c->rs, e->data_off), set->data_len);
                }
        }
        bprintf(c->out, " }");
        free(el);
        return true;
}

/* The registers a lookup key spans: one load per concatenated field. */
static unsigned key_loads(const Ctx *c, unsigned reg, unsigned key_len, const Load **ret, unsigned max) {
        unsigned n = 0, off = 0;
        while (off < key_len && n < max && reg < NFT_REGS_WORDS && c->regs[reg].kind != L_NONE &&
               c->regs[reg].kind != L_IMM) {
                unsigned len = c->regs[reg].len ? c->regs[reg].len : 4;
                unsigned padded = (len + 3) & ~3u;
                ret[n++] = &c->regs[reg];
                off += padded;
                reg += padded / 4;
        }
        return off == key_len ? n : 0;
}

static void print_field_value(Ctx *c, const Load *l, const uint8_t *lo, const uint8_t *hi, unsigned len) {
        ValType t = load_type(l);
        if (!hi || memcmp(lo, hi, len) == 0) {
                print_rhs(c, l, lo, len);
                return;
        }
        int p = (t == T_IPV4 || t == T_IPV6) ? range_prefix(lo, hi, len) : -1;
        print_value(c->out, t, lo, len);
        if (p >= 0)
                bprintf(c->out, "/%d", p);
        else {
                bprintf(c->out, "-");
                print_value(c->out, t, hi, len);
        }
}

/* Anonymous sets with a concatenated key: each element field by field. */
static bool render_anon_concat(Ctx *c, const Load *const *l, unsigned n, const NftSet *set) {
        if (!set->elems_complete)
                return false;
        bprintf(c->out, "{ ");
        bool first = true;
        for (size_t i = 0; i < set->n_elems; i++) {
                const NftSetElem *e = &set->elems[i];
                const uint8_t *k = nft_pool(c->rs, e->key_off), *ke = nft_pool(c->rs, e->key_end_off);
                if (!k || (e->flags & NFT_SET_ELEM_INTERVAL_END))
                        continue;
                bprintf(c->out, "%s", first ? "" : ", ");
                first = false;
                unsigned off = 0;
                for (unsigned f = 0; f < n; f++) {
                        unsigned len = l[f]->len, padded = (len + 3) & ~3u;
                        if (f)
                                bprintf(c->out, " . ");
                        print_field_value(c, l[f], k + off, ke ? ke + off : NULL, len);
                        off += padded;
                }
                if ((set->flags & NFT_SET_MAP) && set->data_type == NFT_DATA_VERDICT) {
                        bprintf(c->out, " : ");
                        print_verdict(c->out, c->rs, e->verdict, nft_pool(c->rs, e->chain_off));
                }
        }
        bprintf(c->out, " }");
        return true;
}

static void render_lookup(Ctx *c, const Load *l, const NftExpr *e) {
        const NftSet *set = e->lookup.set < c->rs->n_sets ? &c->rs->sets[e->lookup.set] : NULL;
        const Load *loads[16] = { l };
        unsigned n = 1;

        if (set && set->key_len > ((l->len + 3u) & ~3u)) {
                n = key_loads(c, e->lookup.sreg, set->key_len, loads, 16);
                if (n == 0) {
                        loads[0] = l;
                        n = 1;
                }
        }
        before_match_n(c, loads, n);
        for (unsigned i = 0; i < n; i++) {
                if (i)
                        bprintf(c->out, " . ");
                print_lhs(c, loads[i]);
        }
        bprintf(c->out, " ");
        if (e->lookup.flags & NFT_EXPR_F_INVERT)
                bprintf(c->out, "!= ");
        if (e->lookup.dreg == NFT_REG_WORD_VERDICT)
                bprintf(c->out, "vmap ");
        else if (e->lookup.dreg != NFT_REG_WORD_NONE)
                bprintf(c->out, "map ");
        if (set && (set->flags & NFT_SET_ANONYMOUS)) {
                if (n > 1 && render_anon_concat(c, loads, n, set))
                        return;
                if (n == 1 && render_anon_elems(c, l, set))
                        return;
        }
        bprintf(c->out, "@%s", pool_str(c->rs, e->lookup.set_name_off));
}

/* ---- statements ---- */

/* nft's byte counts: the largest unit that divides them */
static void print_bytes(Buf *b, uint64_t v) {
        static const char *const units[] = { "bytes", "kbytes", "mbytes", "gbytes" };
        unsigned u = 0;
        while (u < 3 && v >= 1024 && v % 1024 == 0) {
                v /= 1024;
                u++;
        }
        bprintf(b, "%" PRIu64 " %s", v, units[u]);
}

static void render_quota(Ctx *c, const NftExpr *e) {
        uint64_t q[2];
        memcpy(q, nft_pool(c->rs, e->quota.data_off), sizeof(q));
        before_stmt(c);
        bprintf(c->out, "quota %s", (e->quota.flags & NFT_EXPR_F_INVERT) ? "over " : "");
        print_bytes(c->out, q[0]);
        if (q[1]) {
                bprintf(c->out, " used ");
                print_bytes(c->out, q[1]);
        }
}

static void render_limit(Ctx *c, const NftExpr *e) {
        const uint8_t *d = nft_pool(c->rs, e->limit.data_off);
        uint64_t rate, unit;
        uint32_t burst;
        memcpy(&rate, d, 8);
        memcpy(&unit, d + 8, 8);
        memcpy(&burst, d + 16, 4);
        const char *u = unit == 1 ? "second" : unit == 60 ? "minute" : unit == 3600 ? "hour"
                : unit == 86400 ? "day" : unit == 604800 ? "week" : NULL;
        before_stmt(c);
        bprintf(c->out, "limit rate %s", (e->limit.flags & NFT_EXPR_F_INVERT) ? "over " : "");
        if (e->limit.type == NFT_LIMIT_PKT_BYTES)
                print_bytes(c->out, rate);
        else
                bprintf(c->out, "%" PRIu64, rate);
        if (u)
                bprintf(c->out, "/%s", u);
        else
                bprintf(c->out, "/%" PRIu64 "s", unit);
        if (e->limit.type == NFT_LIMIT_PKT_BYTES) {
                if (burst) {
                        bprintf(c->out, " burst ");
                        print_bytes(c->out, burst);
                }
        } else if (burst != 5 && burst != 0)
                bprintf(c->out, " burst %u packets", burst);
}

static void render_reject(Ctx *c, const NftExpr *e) {
        static const char *const icmp[] = { [0] = "net-unreachable", [1] = "host-unreachable",
                [2] = "prot-unreachable", [3] = "port-unreachable", [9] = "net-prohibited",
                [10] = "host-prohibited", [13] = "admin-prohibited" };
        static const char *const icmp6[] = { [0] = "no-route", [1] = "admin-prohibited",
                [3] = "addr-unreachable", [4] = "port-unreachable", [5] = "policy-fail", [6] = "reject-route" };
        static const char *const icmpx[] = { "no-route", "port-unreachable", "host-unreachable", "admin-prohibited" };
        int fam = c->table->family;
        unsigned code = e->reject.code;

        /* `reject with icmp(v6) ...` implies the family: nft drops a
         * `meta nfproto` dependency before it */
        if (e->reject.type == NFT_REJECT_ICMP_UNREACH && c->dep[NFT_PAYLOAD_NETWORK_HEADER].nfproto)
                kill_dep(c, NFT_PAYLOAD_NETWORK_HEADER);
        before_stmt(c);
        bprintf(c->out, "reject");
        if (e->reject.type == NFT_REJECT_TCP_RST) {
                bprintf(c->out, " with tcp reset");
                return;
        }
        if (e->reject.type == NFT_REJECT_ICMPX_UNREACH) {
                if (code == NFT_REJECT_ICMPX_PORT_UNREACH && (fam == NFPROTO_INET || fam == NFPROTO_BRIDGE ||
                                                              fam == NFPROTO_NETDEV))
                        return;
                if (code < 4)
                        bprintf(c->out, " with icmpx %s", icmpx[code]);
                else
                        bprintf(c->out, " with icmpx %u", code);
                return;
        }
        bool v6 = fam == NFPROTO_IPV6 || (fam != NFPROTO_IPV4 && c->l3 == P_IP6);
        if (!v6 && fam == NFPROTO_IPV4 && code == 3)
                return;
        if (v6 && fam == NFPROTO_IPV6 && code == 4)
                return;
        const char *n = v6 ? (code < 7 ? icmp6[code] : NULL) : (code < 14 ? icmp[code] : NULL);
        if (n)
                bprintf(c->out, " with %s %s", v6 ? "icmpv6" : "icmp", n);
        else
                bprintf(c->out, " with %s %u", v6 ? "icmpv6" : "icmp", code);
}

static void render_reg_value(Ctx *c, unsigned reg, ValType t, unsigned len) {
        const Load *l = reg < NFT_REGS_WORDS ? &c->regs[reg] : NULL;
        if (l && l->kind == L_IMM && l->data) {
                /* an immediate shorter than what is read from its register:
                 * the kernel zeroed the rest of its last 32-bit word
                 * (nft_data_copy(), as the evaluator's reg_store()); the
                 * pool bytes after it are another datum's */
                uint8_t v[NFT_DATA_MAXLEN] = { 0 };
                len = len < sizeof(v) ? len : sizeof(v);
                memcpy(v, l->data, l->len < len ? l->len : len);
                print_value(c->out, t, v, len);
        } else if (l && l->kind != L_NONE)
                print_lhs(c, l);
        else
                bprintf(c->out, "[register]");
}

static void render_nat(Ctx *c, const NftExpr *e) {
        before_stmt(c);
        if (e->kind == NFT_EXPR_REDIR || e->kind == NFT_EXPR_MASQ) {
                bprintf(c->out, "%s", e->kind == NFT_EXPR_REDIR ? "redirect" : "masquerade");
                if (e->redir.reg_proto_min != NFT_REG_WORD_NONE) {
                        bprintf(c->out, " to :");
                        render_reg_value(c, e->redir.reg_proto_min, T_SERVICE, 2);
                        if (e->redir.reg_proto_max != NFT_REG_WORD_NONE && e->redir.reg_proto_max != e->redir.reg_proto_min) {
                                bprintf(c->out, "-");
                                render_reg_value(c, e->redir.reg_proto_max, T_SERVICE, 2);
                        }
                }
                return;
        }
        bool v6 = e->nat.family == NFPROTO_IPV6;
        bprintf(c->out, "%s", e->nat.type == NFT_NAT_DNAT ? "dnat" : "snat");
        if (c->table->family == NFPROTO_INET)
                bprintf(c->out, " %s", v6 ? "ip6" : "ip");
        if (e->nat.reg_addr_min == NFT_REG_WORD_NONE && e->nat.reg_proto_min == NFT_REG_WORD_NONE)
                return;
        bprintf(c->out, " to ");
        if (e->nat.reg_addr_min != NFT_REG_WORD_NONE) {
                if (v6 && e->nat.reg_proto_min != NFT_REG_WORD_NONE)
                        bprintf(c->out, "[");
                render_reg_value(c, e->nat.reg_addr_min, v6 ? T_IPV6 : T_IPV4, v6 ? 16 : 4);
                if (e->nat.reg_addr_max != NFT_REG_WORD_NONE && e->nat.reg_addr_max != e->nat.reg_addr_min) {
                        bprintf(c->out, "-");
                        render_reg_value(c, e->nat.reg_addr_max, v6 ? T_IPV6 : T_IPV4, v6 ? 16 : 4);
                }
                if (v6 && e->nat.reg_proto_min != NFT_REG_WORD_NONE)
                        bprintf(c->out, "]");
        }
        if (e->nat.reg_proto_min != NFT_REG_WORD_NONE) {
                bprintf(c->out, ":");
                render_reg_value(c, e->nat.reg_proto_min, T_SERVICE, 2);
                if (e->nat.reg_proto_max != NFT_REG_WORD_NONE && e->nat.reg_proto_max != e->nat.reg_proto_min) {
                        bprintf(c->out, "-");
                        render_reg_value(c, e->nat.reg_proto_max, T_SERVICE, 2);
                }
        }
}

static const char *expr_kind_name(const NftRuleset *rs, const NftExpr *e) {
        switch ((NftExprKind) e->kind) {
        case NFT_EXPR_UNKNOWN: case NFT_EXPR_NOOP: case NFT_EXPR_OPAQUE_LOAD: case NFT_EXPR_OPAQUE:
                return pool_str(rs, e->other.name_off);
        case NFT_EXPR_NUMGEN: return "numgen";
        case NFT_EXPR_HASH: return "hash";
        case NFT_EXPR_FIB: return "fib";
        case NFT_EXPR_DYNSET: return "dynset";
        case NFT_EXPR_QUOTA: return "quota";
        case NFT_EXPR_CONNLIMIT: return "connlimit";
        case NFT_EXPR_LAST: return "last";
        case NFT_EXPR_QUEUE: return "queue";
        case NFT_EXPR_BYTEORDER: return "byteorder";
        case NFT_EXPR_PAYLOAD_SET: return "payload set";
        case NFT_EXPR_META_SET: return "meta set";
        case NFT_EXPR_CT_SET: return "ct set";
        default: return "expression";
        }
}

/* iptables-nft's compat expressions, as nft translates them (xt-render.c),
 * or as nft prints what it cannot translate. */
static void render_xt(Ctx *c, const NftExpr *e) {
        const NftRuleset *rs = c->rs;
        const XtMatch *m = nft_expr_xt_match(rs, e);
        const XtTarget *t = nft_expr_xt_target(rs, e);
        uint8_t l4proto = c->l4 == P_TCP ? IPPROTO_TCP : c->l4 == P_UDP ? IPPROTO_UDP : 0;
        char buf[256];
        int n = -EOPNOTSUPP;

        before_stmt(c);
        if (m)
                n = xt_match_render(m, &rs->xt_pool, l4proto, buf, sizeof(buf));
        else if (t)
                n = xt_target_render(t, &rs->xt_pool, buf, sizeof(buf));
        if (n >= 0)
                bprintf(c->out, "%s", buf);
        else if (m)
                bprintf(c->out, "xt match \"%s\"", xt_match_name(m, &rs->xt_pool));
        else if (t)
                bprintf(c->out, "xt target \"%s\"", xt_target_name(t, &rs->xt_pool));
        else
                bprintf(c->out, "[xt]");
}

/* ---- one function per kind: each returns how many expressions it took ---- */

static unsigned render_expr_payload(Ctx *c, const NftExpr *e) {
        bool prefix;
        if (e->payload.dreg >= NFT_REGS_WORDS)
                return 1;
        c->regs[e->payload.dreg] = (Load) { .kind = L_PAYLOAD, .base = e->payload.base,
                .offset = e->payload.offset, .len = e->payload.len };
        c->regs[e->payload.dreg].field = find_field(c, e->payload.base, e->payload.offset, e->payload.len, &prefix);
        return 1;
}

static unsigned render_expr_meta(Ctx *c, const NftExpr *e) {
        if (e->meta.dreg < NFT_REGS_WORDS)
                c->regs[e->meta.dreg] = (Load) { .kind = L_META, .key = e->meta.key,
                        .len = (uint8_t) (meta_type(e->meta.key) == T_IFNAME ? 16 : 4) };
        return 1;
}

static unsigned render_expr_ct(Ctx *c, const NftExpr *e) {
        if (e->ct.dreg < NFT_REGS_WORDS)
                c->regs[e->ct.dreg] = (Load) { .kind = L_CT, .key = e->ct.key, .dir = e->ct.dir, .len = 4 };
        return 1;
}

static unsigned render_expr_bitwise(Ctx *c, const NftExpr *e) {
        const uint8_t *mask = nft_pool(c->rs, e->bitwise.data_off);
        if (e->bitwise.sreg < NFT_REGS_WORDS && e->bitwise.dreg < NFT_REGS_WORDS &&
            e->bitwise.op == NFT_BITWISE_BOOL && all_zero(mask + e->bitwise.len, e->bitwise.len)) {
                Load l = c->regs[e->bitwise.sreg];
                l.mask = mask;
                c->regs[e->bitwise.dreg] = l;
                return 1;
        }
        before_stmt(c);
        bprintf(c->out, "[bitwise]");
        return 1;
}

static unsigned render_expr_immediate(Ctx *c, const NftExpr *e) {
        const NftRuleset *rs = c->rs;
        if (e->immediate.dreg == NFT_REG_WORD_VERDICT) {
                const char *chain = NULL;
                if (e->immediate.flags & NFT_EXPR_F_CHAIN_RESOLVED)
                        chain = c->table->chains[e->immediate.chain].name;
                else if (e->immediate.chain)
                        chain = nft_pool(rs, e->immediate.chain);
                before_stmt(c);
                print_verdict(c->out, rs, (int32_t) e->immediate.data_off, chain);
                return 1;
        }
        if (e->immediate.dreg < NFT_REGS_WORDS)
                c->regs[e->immediate.dreg] = (Load) { .kind = L_IMM, .len = e->immediate.len,
                        .data = nft_pool(rs, e->immediate.data_off) };
        return 1;
}

static unsigned render_expr_cmp(Ctx *c, const NftExpr *e, const NftExpr *next) {
        const NftRuleset *rs = c->rs;
        const Load *l = e->cmp.sreg < NFT_REGS_WORDS ? &c->regs[e->cmp.sreg] : NULL;
        const uint8_t *d = nft_pool(rs, e->cmp.data_off);
        if (!l || l->kind == L_NONE || l->kind == L_IMM) {
                before_stmt(c);
                bprintf(c->out, "[cmp]");
                return 1;
        }
        /* nft writes `a-b` as two comparisons on the same register */
        if (e->cmp.op == NFT_CMP_GTE && next && next->kind == NFT_EXPR_CMP && next->cmp.op == NFT_CMP_LTE &&
            next->cmp.sreg == e->cmp.sreg && next->cmp.len == e->cmp.len) {
                render_range(c, l, false, d, nft_pool(rs, next->cmp.data_off), e->cmp.len);
                return 2;
        }
        render_cmp(c, l, e->cmp.op, d, e->cmp.len);
        return 1;
}

static unsigned render_expr_range(Ctx *c, const NftExpr *e) {
        const Load *l = e->range.sreg < NFT_REGS_WORDS ? &c->regs[e->range.sreg] : NULL;
        const uint8_t *from = nft_pool(c->rs, e->range.from_off);
        if (!l || l->kind == L_NONE) {
                before_stmt(c);
                bprintf(c->out, "[range]");
                return 1;
        }
        render_range(c, l, e->range.op == NFT_RANGE_NEQ, from, from + e->range.len, e->range.len);
        return 1;
}

static unsigned render_expr_lookup(Ctx *c, const NftExpr *e) {
        const Load *l = e->lookup.sreg < NFT_REGS_WORDS ? &c->regs[e->lookup.sreg] : NULL;
        if (!l || l->kind == L_NONE) {
                before_stmt(c);
                bprintf(c->out, "[lookup @%s]", pool_str(c->rs, e->lookup.set_name_off));
                return 1;
        }
        render_lookup(c, l, e);
        return 1;
}

static unsigned render_expr_counter(Ctx *c, const NftExpr *e) {
        uint64_t ctr[2];
        memcpy(ctr, nft_pool(c->rs, e->counter.data_off), sizeof(ctr));
        before_stmt(c);
        if (c->stateless)
                bprintf(c->out, "counter");
        else
                bprintf(c->out, "counter packets %" PRIu64 " bytes %" PRIu64, ctr[0], ctr[1]);
        return 1;
}

static unsigned render_expr_log(Ctx *c, const NftExpr *e) {
        before_stmt(c);
        bprintf(c->out, "log");
        if (e->log.prefix_off)
                bprintf(c->out, " prefix \"%s\"", pool_str(c->rs, e->log.prefix_off));
        return 1;
}

static unsigned render_expr_connlimit(Ctx *c, const NftExpr *e) {
        before_stmt(c);
        bprintf(c->out, "ct count %s%u", (e->connlimit.flags & NFT_EXPR_F_INVERT) ? "over " : "", e->connlimit.count);
        return 1;
}

static unsigned render_expr_notrack(Ctx *c) {
        before_stmt(c);
        bprintf(c->out, "notrack");
        return 1;
}

static unsigned render_expr_meta_set(Ctx *c, const NftExpr *e) {
        before_stmt(c);
        if (e->meta_set.key < sizeof(meta_names) / sizeof(meta_names[0]) && meta_names[e->meta_set.key]) {
                const char *n = meta_names[e->meta_set.key];
                bprintf(c->out, "meta %s set ", n);
        } else
                bprintf(c->out, "meta %u set ", e->meta_set.key);
        render_reg_value(c, e->meta_set.sreg, meta_type(e->meta_set.key), 4);
        return 1;
}

static unsigned render_expr_ct_set(Ctx *c, const NftExpr *e) {
        before_stmt(c);
        if (e->ct_set.key < sizeof(ct_names) / sizeof(ct_names[0]) && ct_names[e->ct_set.key])
                bprintf(c->out, "ct %s set ", ct_names[e->ct_set.key]);
        else
                bprintf(c->out, "ct %u set ", e->ct_set.key);
        render_reg_value(c, e->ct_set.sreg, e->ct_set.key == NFT_CT_MARK ? T_MARK : T_INT_HOST, 4);
        return 1;
}

/* OPAQUE, UNKNOWN: by the kernel's name */
static unsigned render_expr_other(Ctx *c, const NftExpr *e) {
        const char *n = pool_str(c->rs, e->other.name_off);
        before_stmt(c);
        bprintf(c->out, "[%s]", n);
        return 1;
}

/* A kind nft prints in ways not reproduced here: its name in brackets;
 * what it loads into DREG is unknown from there on. */
static unsigned render_unmodelled(Ctx *c, const NftExpr *e, unsigned dreg) {
        if (dreg < NFT_REGS_WORDS)
                c->regs[dreg].kind = L_NONE;
        before_stmt(c);
        bprintf(c->out, "[%s]", expr_kind_name(c->rs, e));
        return 1;
}

static unsigned render_expr_fib(Ctx *c, const NftExpr *e) {
        if (e->fib.dreg >= NFT_REGS_WORDS)
                return render_unmodelled(c, e, e->fib.dreg);
        c->regs[e->fib.dreg] = (Load) { .kind = L_FIB, .key = e->fib.result, .fib_flags = e->fib.flags,
                                        .len = (uint8_t) (e->fib.result == NFT_FIB_RESULT_OIFNAME ? 16 : 4) };
        return 1;
}

/* One expression (NEXT: the one after it, or NULL); every kind has its
 * entry (nft-expr.c registers the kinds, nft-eval.c evaluates them).
 * Returns how many expressions were consumed (a range takes two). */
static unsigned render_expr(Ctx *c, const NftExpr *e, const NftExpr *next) {
        switch ((NftExprKind) e->kind) {
        case NFT_EXPR_PAYLOAD:
                return render_expr_payload(c, e);
        case NFT_EXPR_META:
                return render_expr_meta(c, e);
        case NFT_EXPR_CT:
                return render_expr_ct(c, e);
        case NFT_EXPR_BITWISE:
                return render_expr_bitwise(c, e);
        case NFT_EXPR_IMMEDIATE:
                return render_expr_immediate(c, e);
        case NFT_EXPR_CMP:
                return render_expr_cmp(c, e, next);
        case NFT_EXPR_RANGE:
                return render_expr_range(c, e);
        case NFT_EXPR_LOOKUP:
                return render_expr_lookup(c, e);
        case NFT_EXPR_COUNTER:
                return render_expr_counter(c, e);
        case NFT_EXPR_LOG:
                return render_expr_log(c, e);
        case NFT_EXPR_LIMIT:
                render_limit(c, e);
                return 1;
        case NFT_EXPR_QUOTA:
                render_quota(c, e);
                return 1;
        case NFT_EXPR_CONNLIMIT:
                return render_expr_connlimit(c, e);
        case NFT_EXPR_REJECT:
                render_reject(c, e);
                return 1;
        case NFT_EXPR_NOTRACK:
                return render_expr_notrack(c);
        case NFT_EXPR_NAT:
        case NFT_EXPR_REDIR:
        case NFT_EXPR_MASQ:
                render_nat(c, e);
                return 1;
        case NFT_EXPR_META_SET:
                return render_expr_meta_set(c, e);
        case NFT_EXPR_CT_SET:
                return render_expr_ct_set(c, e);
        case NFT_EXPR_XT_MATCH:
        case NFT_EXPR_XT_TARGET:
                render_xt(c, e);
                return 1;
        case NFT_EXPR_OPAQUE:
        case NFT_EXPR_UNKNOWN:
                return render_expr_other(c, e);
        case NFT_EXPR_FIB:
                return render_expr_fib(c, e);
        case NFT_EXPR_NUMGEN:
                return render_unmodelled(c, e, e->numgen.dreg);
        case NFT_EXPR_HASH:
                return render_unmodelled(c, e, e->hash.dreg);
        case NFT_EXPR_OPAQUE_LOAD:
                return render_unmodelled(c, e, e->other.dreg);
        case NFT_EXPR_PAYLOAD_SET:
        case NFT_EXPR_BYTEORDER:
        case NFT_EXPR_DYNSET:   /* (render_dynset() takes it with its expressions) */
        case NFT_EXPR_OBJREF:
        case NFT_EXPR_QUEUE:
        case NFT_EXPR_LAST:
        case NFT_EXPR_NOOP:
        case _NFT_EXPR_KIND_MAX:
                break;
        }
        return render_unmodelled(c, e, NFT_REG_WORD_NONE);
}

/* `add @meter { ip saddr limit rate over 10/minute }`: the dynset and the
 * per-element expressions that follow it; returns how many it took. */
static unsigned render_dynset(Ctx *c, const NftRule *rule, uint32_t at) {
        static const char *const ops[] = { "add", "update", "delete", "dynset" };
        const NftRuleset *rs = c->rs;
        const NftExpr *e = nft_rule_expr(rs, rule, at);
        const NftSet *set = e->dynset.set < rs->n_sets ? &rs->sets[e->dynset.set] : NULL;
        const Load *loads[16];
        unsigned n = 0;

        if (e->dynset.sreg_key < NFT_REGS_WORDS) {
                const Load *l = &c->regs[e->dynset.sreg_key];
                if (l->kind != L_NONE && l->kind != L_IMM) {
                        loads[0] = l;
                        n = 1;
                        if (set && set->key_len > ((l->len + 3u) & ~3u) &&
                            (n = key_loads(c, e->dynset.sreg_key, set->key_len, loads, 16)) == 0) {
                                loads[0] = l;
                                n = 1;
                        }
                }
        }
        if (n)
                before_match_n(c, loads, n);
        else
                before_stmt(c);
        bprintf(c->out, "%s @%s { ", ops[NFT_DYNSET_OP(e)], pool_str(rs, e->dynset.set_name_off));
        for (unsigned i = 0; i < n; i++) {
                if (i)
                        bprintf(c->out, " . ");
                print_lhs(c, loads[i]);
        }
        if (n == 0)
                bprintf(c->out, "[register]");
        if (e->dynset.sreg_data != NFT_REG_WORD_NONE) {
                bprintf(c->out, " : ");
                render_reg_value(c, e->dynset.sreg_data, T_INT_BE, set ? set->data_len : 4);
        }
        unsigned k = NFT_DYNSET_N_EXPRS(e);
        for (unsigned j = 1; j <= k && at + j < rule->n_expr; j++) {
                const NftExpr *x = nft_rule_expr(rs, rule, at + j);
                /* an element's counter is a template: nft shows no values */
                if (x->kind == NFT_EXPR_COUNTER) {
                        bprintf(c->out, " counter");
                        continue;
                }
                (void) render_expr(c, x, NULL);
        }
        bprintf(c->out, " }");
        return 1 + k;
}

static char *rule_render(const NftRuleset *rs, const NftTable *table, const NftRule *rule, bool stateless) {
        Buf b = { 0 };
        Ctx c = {
                .rs = rs,
                .table = table,
                .out = &b,
                .stateless = stateless,
                .l3 = table->family == NFPROTO_IPV4 ? P_IP : table->family == NFPROTO_IPV6 ? P_IP6 : P_NONE,
        };
        for (uint32_t i = 0; i < rule->n_expr;) {
                const NftExpr *e = nft_rule_expr(rs, rule, i);
                const NftExpr *next = i + 1 < rule->n_expr ? nft_rule_expr(rs, rule, i + 1) : NULL;
                i += e->kind == NFT_EXPR_DYNSET ? render_dynset(&c, rule, i) : render_expr(&c, e, next);
        }
        apply_cuts(&c);
        if (rule->comment_off) {
                bsep(&b);
                bprintf(&b, "comment \"%s\"", pool_str(rs, rule->comment_off));
        }
        if (!b.s && !b.oom)
                bprintf(&b, "%s", "");
        if (b.oom) {
                free(b.s);
                errno = ENOMEM;
                return NULL;
        }
        return b.s;
}

char *nft_rule_render(const NftRuleset *rs, const NftTable *table, const NftRule *rule) {
        return rule_render(rs, table, rule, false);
}

char *nft_rule_render_stateless(const NftRuleset *rs, const NftTable *table, const NftRule *rule) {
        return rule_render(rs, table, rule, true);
}

static const char *policy_name(int p) {
        return p == NF_DROP ? "drop" : "accept";
}

int nft_ruleset_render(const NftRuleset *rs, FILE *f) {
        for (size_t i = 0; i < rs->n_tables; i++) {
                const NftTable *t = &rs->tables[i];
                fprintf(f, "table %s %s { # handle %" PRIu64 "\n", nft_family_name(t->family), t->name, t->handle);
                for (size_t j = 0; j < t->n_chains; j++) {
                        const NftChain *ch = &t->chains[j];
                        fprintf(f, "\tchain %s { # handle %" PRIu64 "\n", ch->name, ch->handle);
                        if (ch->hook >= 0) {
                                fprintf(f, "\t\ttype %s hook %s", ch->type ? ch->type : "filter",
                                        nft_hook_name(t->family, ch->hook));
                                if (ch->devices) {
                                        fprintf(f, " device");
                                        for (char **d = ch->devices; *d; d++)
                                                fprintf(f, " \"%s\"", *d);
                                }
                                fprintf(f, " priority %d; policy %s;\n", ch->priority, policy_name(ch->policy));
                        }
                        for (size_t k = 0; k < ch->n_rules; k++) {
                                char *s = nft_rule_render(rs, t, &ch->rules[k]);
                                if (!s)
                                        return -ENOMEM;
                                fprintf(f, "\t\t%s # handle %" PRIu64 "\n", s, ch->rules[k].handle);
                                free(s);
                        }
                        fprintf(f, "\t}\n");
                }
                fprintf(f, "}\n");
        }
        return ferror(f) ? -EIO : 0;
}

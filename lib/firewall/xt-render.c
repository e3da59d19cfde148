/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * The text `nft list ruleset` shows for iptables-nft's compat expressions.
 * nft (1.0.6, built with xtables) hands each blob to libxtables' "xlate"
 * function of the extension (iptables 1.8.9) and prints what it returns,
 * or "xt match NAME" / "xt target NAME" when there is none or it declines.
 * Every form produced here was observed on those versions
 * (tests/data/xt/translations.txt); anything else returns -EOPNOTSUPP
 * rather than a plausible-looking guess.  The translations are not always
 * faithful (some drop an inversion or a field): they are reproduced as nft
 * prints them, since this text is evidence, not semantics.
 */

#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_CONNMARK.h>
#include <linux/netfilter/xt_CT.h>
#include <linux/netfilter/xt_LOG.h>
#include <linux/netfilter/xt_TCPMSS.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_hashlimit.h>
#include <linux/netfilter/xt_iprange.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_rpfilter.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "xt.h"

typedef struct Out {
        char *buf;
        size_t size, pos;       /* pos counts what would have been written */
        bool unsupported;
} Out;

__attribute__((format(printf, 2, 3)))
static void out_printf(Out *o, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *dst = o->pos < o->size ? o->buf + o->pos : NULL;
        int n = vsnprintf(dst, dst ? o->size - o->pos : 0, fmt, ap);
        va_end(ap);
        if (n > 0)
                o->pos += (size_t) n;
}

/* A space before every part but the first. */
static void out_sep(Out *o) {
        if (o->pos > 0)
                out_printf(o, " ");
}

static int out_done(Out *o) {
        if (o->size > 0 && o->pos < o->size)
                o->buf[o->pos] = 0;
        else if (o->size > 0)
                o->buf[o->size - 1] = 0;
        if (o->unsupported)
                return -EOPNOTSUPP;
        return o->pos > INT32_MAX ? INT32_MAX : (int) o->pos;
}

static const char *l4proto_name(uint8_t proto) {
        switch (proto) {
        case IPPROTO_TCP:
                return "tcp";
        case IPPROTO_UDP:
                return "udp";
        case IPPROTO_UDPLITE:
                return "udplite";
        case IPPROTO_SCTP:
                return "sctp";
        case IPPROTO_DCCP:
                return "dccp";
        default:
                return NULL;
        }
}

static void out_port_range(Out *o, uint16_t lo, uint16_t hi) {
        if (lo == hi)
                out_printf(o, "%u", lo);
        else
                out_printf(o, "%u-%u", lo, hi);
}

static void out_addr(Out *o, int family, const void *a) {
        char s[INET6_ADDRSTRLEN];
        if (!inet_ntop(family == NFPROTO_IPV6 ? AF_INET6 : AF_INET, a, s, sizeof(s))) {
                o->unsupported = true;
                return;
        }
        out_printf(o, "%s", s);
}

/* The prefix length of a contiguous mask, -1 otherwise. */
static int mask_prefix(const uint8_t *mask, size_t n) {
        int bits = 0;
        size_t i = 0;
        for (; i < n && mask[i] == 0xff; i++)
                bits += 8;
        if (i < n) {
                uint8_t b = mask[i];
                while (b & 0x80) {
                        bits++;
                        b = (uint8_t) (b << 1);
                }
                if (b)
                        return -1;
                for (i++; i < n; i++)
                        if (mask[i])
                                return -1;
        }
        return bits;
}

/* ---- matches ---- */

/* multiport_xlate_v1(): a set of ports, or a concatenation of sport and
 * dport for --ports, where nft 1.0.6 lists each range end as a port of
 * its own and drops the inversion. */
static void render_multiport(Out *o, const XtMatch *m, uint8_t l4proto) {
        const char *proto = l4proto_name(l4proto);
        unsigned count = m->u.multiport.count;

        if (!proto || m->rev != 1 || count == 0 || count > XT_MULTI_PORTS) {
                o->unsupported = true;
                return;
        }
        if (m->u.multiport.flags == XT_MULTIPORT_EITHER) {
                out_printf(o, "%s sport . %s dport { ", proto, proto);
                for (unsigned i = 0; i < count; i++)
                        out_printf(o, "%s0-65535 . %u, %u . 0-65535", i ? ", " : "",
                                   m->u.multiport.ports[i], m->u.multiport.ports[i]);
                out_printf(o, " }");
                return;
        }
        /* elements: a port, or a range taking two slots */
        unsigned n_elem = 0;
        for (unsigned i = 0; i < count; i++, n_elem++)
                if (m->u.multiport.pflags & (1u << i)) {
                        if (i + 1 >= count) {
                                o->unsupported = true;
                                return;
                        }
                        i++;
                }
        out_printf(o, "%s %s %s%s", proto, m->u.multiport.flags == XT_MULTIPORT_SOURCE ? "sport" : "dport",
                   m->u.multiport.invert ? "!= " : "", n_elem > 1 ? "{ " : "");
        for (unsigned i = 0, e = 0; i < count; i++, e++) {
                uint16_t lo = m->u.multiport.ports[i], hi = lo;
                if (m->u.multiport.pflags & (1u << i))
                        hi = m->u.multiport.ports[++i];
                if (e > 0)
                        out_printf(o, ", ");
                out_port_range(o, lo, hi);
        }
        if (n_elem > 1)
                out_printf(o, " }");
}

static void render_ct_states(Out *o, uint16_t mask) {
        static const struct {
                uint16_t bit;
                const char *name;
        } states[] = {
                { XT_CONNTRACK_STATE_INVALID, "invalid" },
                { XT_CONNTRACK_STATE_BIT(IP_CT_NEW), "new" },
                { XT_CONNTRACK_STATE_BIT(IP_CT_RELATED), "related" },
                { XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED), "established" },
                { XT_CONNTRACK_STATE_UNTRACKED, "untracked" },
        };
        bool first = true;
        for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
                if (mask & states[i].bit) {
                        out_printf(o, "%s%s", first ? "" : ",", states[i].name);
                        first = false;
                }
}

/* _conntrack3_mt_xlate() */
static void render_conntrack(Out *o, const XtMatch *m, const XtPool *pool) {
        static const uint16_t statuses[] = { IPS_EXPECTED, IPS_SEEN_REPLY, IPS_ASSURED, IPS_CONFIRMED };
        static const char *const status_names[] = { "expected", "seen-reply", "assured", "confirmed" };
        uint16_t flags = m->u.conntrack.match_flags, inv = m->u.conntrack.invert_flags;
        const uint16_t known_states = XT_CONNTRACK_STATE_INVALID | XT_CONNTRACK_STATE_BIT(IP_CT_NEW) |
                                      XT_CONNTRACK_STATE_BIT(IP_CT_RELATED) |
                                      XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED) | XT_CONNTRACK_STATE_UNTRACKED;
        const uint16_t nat_states = XT_CONNTRACK_STATE_SNAT | XT_CONNTRACK_STATE_DNAT;

        if (m->rev != 3 || (flags & ~0x3fffu)) {
                o->unsupported = true;
                return;
        }
        if (flags & XT_CONNTRACK_DIRECTION) {
                out_sep(o);
                out_printf(o, "ct direction %s", inv & XT_CONNTRACK_DIRECTION ? "reply" : "original");
        }
        if (flags & XT_CONNTRACK_PROTO) {
                out_sep(o);
                out_printf(o, "ct %s protocol %s%u", inv & XT_CONNTRACK_DIRECTION ? "reply" : "original",
                           inv & XT_CONNTRACK_PROTO ? "!= " : "", m->u.conntrack.l4proto);
        }
        if (flags & XT_CONNTRACK_STATE) {
                uint16_t sm = m->u.conntrack.state_mask;
                out_sep(o);
                if (sm & nat_states)
                        /* the other states and the inversion are dropped */
                        out_printf(o, "ct status %s", sm & XT_CONNTRACK_STATE_SNAT ? "snat" : "dnat");
                else if (sm == 0 || (sm & ~known_states))
                        o->unsupported = true;
                else {
                        out_printf(o, "ct state %s", inv & XT_CONNTRACK_STATE ? "! " : "");
                        render_ct_states(o, sm);
                }
        }
        if (flags & XT_CONNTRACK_STATUS) {
                uint16_t sm = m->u.conntrack.status_mask;
                if (sm & ~(IPS_EXPECTED | IPS_SEEN_REPLY | IPS_ASSURED | IPS_CONFIRMED))
                        o->unsupported = true;
                out_sep(o);
                out_printf(o, "ct status%s", sm == 0 ? "" : inv & XT_CONNTRACK_STATUS ? " ! " : " ");
                bool first = true;
                for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
                        if (sm & statuses[i]) {
                                out_printf(o, "%s%s", first ? "" : ",", status_names[i]);
                                first = false;
                        }
        }
        if (flags & XT_CONNTRACK_EXPIRES) {
                out_sep(o);
                out_printf(o, "ct expiration %s", inv & XT_CONNTRACK_EXPIRES ? "!= " : "");
                if (m->u.conntrack.expires_min == m->u.conntrack.expires_max)
                        out_printf(o, "%u", m->u.conntrack.expires_min);
                else
                        out_printf(o, "%u-%u", m->u.conntrack.expires_min, m->u.conntrack.expires_max);
        }

        static const struct {
                uint16_t flag;
                const char *text;
        } addrs[] = {
                { XT_CONNTRACK_ORIGSRC, "ct original saddr" },
                { XT_CONNTRACK_ORIGDST, "ct original daddr" },
                { XT_CONNTRACK_REPLSRC, "ct reply saddr" },
                { XT_CONNTRACK_REPLDST, "ct reply daddr" },
        };
        const uint8_t *a = xt_pool_get(pool, m->u.conntrack.addr_off);
        size_t alen = m->family == NFPROTO_IPV6 ? 16 : 4;
        unsigned n_addr = 0;
        for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
                if (!(flags & addrs[i].flag))
                        continue;
                if (!a || m->u.conntrack.addr_off + (n_addr + 1) * 32u > pool->len) {
                        o->unsupported = true;
                        return;
                }
                const uint8_t *addr = a + n_addr * 32, *mask = addr + 16;
                n_addr++;
                out_sep(o);
                out_printf(o, "%s %s", addrs[i].text, inv & addrs[i].flag ? "!= " : "");
                out_addr(o, m->family, addr);
                /* a full mask prints no prefix, a non-contiguous one none either */
                int prefix = mask_prefix(mask, alen);
                if (prefix >= 0 && (size_t) prefix < alen * 8)
                        out_printf(o, "/%d", prefix);
        }

        const struct {
                uint16_t flag;
                const char *text;
                const uint16_t *range;
        } ports[] = {
                { XT_CONNTRACK_ORIGSRC_PORT, "ct original proto-src", m->u.conntrack.origsrc_port },
                { XT_CONNTRACK_ORIGDST_PORT, "ct original proto-dst", m->u.conntrack.origdst_port },
                { XT_CONNTRACK_REPLSRC_PORT, "ct reply proto-src", m->u.conntrack.replsrc_port },
                { XT_CONNTRACK_REPLDST_PORT, "ct reply proto-dst", m->u.conntrack.repldst_port },
        };
        for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
                if (!(flags & ports[i].flag))
                        continue;
                out_sep(o);
                out_printf(o, "%s %s", ports[i].text, inv & ports[i].flag ? "!= " : "");
                out_port_range(o, ports[i].range[0], ports[i].range[1]);
        }
}

static void render_iprange(Out *o, const XtMatch *m, const XtPool *pool) {
        const uint8_t *a = xt_pool_get(pool, m->u.iprange.addr_off);
        const char *fam = m->family == NFPROTO_IPV6 ? "ip6" : "ip";
        uint8_t f = m->u.iprange.flags;

        if (!a || m->u.iprange.addr_off + 64u > pool->len || !(f & (IPRANGE_SRC | IPRANGE_DST))) {
                o->unsupported = true;
                return;
        }
        if (f & IPRANGE_SRC) {
                out_printf(o, "%s saddr %s", fam, f & IPRANGE_SRC_INV ? "!= " : "");
                out_addr(o, m->family, a);
                out_printf(o, "-");
                out_addr(o, m->family, a + 16);
        }
        if (f & IPRANGE_DST) {
                out_sep(o);
                out_printf(o, "%s daddr %s", fam, f & IPRANGE_DST_INV ? "!= " : "");
                out_addr(o, m->family, a + 32);
                out_printf(o, "-");
                out_addr(o, m->family, a + 48);
        }
}

/* addrtype_mt_xlate(): the source types if any, else the destination's;
 * nft has no names for THROW, NAT and XRESOLVE and leaves them out. */
static void render_addrtype(Out *o, const XtMatch *m) {
        static const char *const names[] = {
                "unspec", "unicast", "local", "broadcast", "anycast",
                "multicast", "blackhole", "unreachable", "prohibit",
        };
        uint32_t flags = m->u.addrtype.flags;
        bool src = m->u.addrtype.source != 0;
        uint16_t types = src ? m->u.addrtype.source : m->u.addrtype.dest;
        bool inv = flags & (src ? XT_ADDRTYPE_INVERT_SOURCE : XT_ADDRTYPE_INVERT_DEST);

        if (types == 0) {
                o->unsupported = true;
                return;
        }
        out_printf(o, "fib %s%s type", src ? "saddr" : "daddr",
                   flags & XT_ADDRTYPE_LIMIT_IFACE_IN ? " . iif" :
                   flags & XT_ADDRTYPE_LIMIT_IFACE_OUT ? " . oif" : "");
        unsigned n = 0;
        for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                n += !!(types & (1u << i));
        if (n == 0)
                return;
        out_printf(o, " %s%s", inv ? "!= " : "", n > 1 ? "{ " : "");
        for (unsigned i = 0, k = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (types & (1u << i))
                        out_printf(o, "%s%s", k++ ? ", " : "", names[i]);
        if (n > 1)
                out_printf(o, " }");
}

static void render_tcp_flags(Out *o, uint8_t flags) {
        static const char *const names[] = { "fin", "syn", "rst", "psh", "ack", "urg" };
        if (flags == 0) {
                out_printf(o, "0x0");
                return;
        }
        for (unsigned i = 0, k = 0; i < 6; i++)
                if (flags & (1u << i))
                        out_printf(o, "%s%s", k++ ? "," : "", names[i]);
}

/* tcp_xlate(): iptables-nft makes an xt tcp match only for --tcp-option */
static void render_tcp(Out *o, const XtMatch *m) {
        if (m->u.tcp.flg_mask & 0xc0) {        /* ECE/CWR: names not seen */
                o->unsupported = true;
                return;
        }
        /* a full range prints nothing, even inverted */
        if (m->u.tcp.spts[0] != 0 || m->u.tcp.spts[1] != 0xffff) {
                out_printf(o, "tcp sport %s", m->u.tcp.invflags & XT_TCP_INV_SRCPT ? "!= " : "");
                out_port_range(o, m->u.tcp.spts[0], m->u.tcp.spts[1]);
        }
        if (m->u.tcp.dpts[0] != 0 || m->u.tcp.dpts[1] != 0xffff) {
                out_sep(o);
                out_printf(o, "tcp dport %s", m->u.tcp.invflags & XT_TCP_INV_DSTPT ? "!= " : "");
                out_port_range(o, m->u.tcp.dpts[0], m->u.tcp.dpts[1]);
        }
        if (m->u.tcp.option) {
                out_sep(o);
                out_printf(o, "tcp option %u %s", m->u.tcp.option,
                           m->u.tcp.invflags & XT_TCP_INV_OPTION ? "missing" : "exists");
        }
        if (m->u.tcp.flg_mask) {
                out_sep(o);
                out_printf(o, "tcp flags %s", m->u.tcp.invflags & XT_TCP_INV_FLAGS ? "!= " : "");
                render_tcp_flags(o, m->u.tcp.flg_cmp);
                out_printf(o, " / ");
                render_tcp_flags(o, m->u.tcp.flg_mask);
        }
}

/* hashlimit_mt_xlate() for revision 3, packet mode: a meter keyed by the
 * hashed fields (ports always spelled "tcp", whatever the protocol). */
static void render_hashlimit(Out *o, const XtMatch *m, const XtPool *pool) {
        static const struct {
                const char *name;
                uint64_t mult;
        } units[] = {
                { "day", XT_HASHLIMIT_SCALE_v2 * 24 * 60 * 60 },
                { "hour", XT_HASHLIMIT_SCALE_v2 * 60 * 60 },
                { "minute", XT_HASHLIMIT_SCALE_v2 * 60 },
                { "second", XT_HASHLIMIT_SCALE_v2 },
        };
        const uint32_t keys = XT_HASHLIMIT_HASH_DIP | XT_HASHLIMIT_HASH_DPT | XT_HASHLIMIT_HASH_SIP |
                              XT_HASHLIMIT_HASH_SPT;
        uint32_t mode = m->u.hashlimit.mode;
        const char *name = xt_pool_get(pool, m->u.hashlimit.name_off);
        bool is6 = m->family == NFPROTO_IPV6;
        unsigned full = is6 ? 128 : 32;
        uint64_t period = m->u.hashlimit.avg;

        if (m->rev != 3 || (mode & (XT_HASHLIMIT_BYTES | XT_HASHLIMIT_RATE_MATCH)) || !name || period == 0 ||
            m->u.hashlimit.expire % 1000 != 0 || m->u.hashlimit.srcmask == 0 || m->u.hashlimit.srcmask > full ||
            m->u.hashlimit.dstmask == 0 || m->u.hashlimit.dstmask > full) {
                o->unsupported = true;
                return;
        }
        if (!(mode & keys)) {
                /* no key: the translation declines */
                out_printf(o, "xt match hashlimit");
                return;
        }
        out_printf(o, "meter %s {", name);
        const struct {
                uint32_t bit;
                const char *text;
                uint8_t mask;
        } parts[] = {
                { XT_HASHLIMIT_HASH_DIP, "daddr", m->u.hashlimit.dstmask },
                { XT_HASHLIMIT_HASH_DPT, "tcp dport", 0 },
                { XT_HASHLIMIT_HASH_SIP, "saddr", m->u.hashlimit.srcmask },
                { XT_HASHLIMIT_HASH_SPT, "tcp sport", 0 },
        };
        bool first = true;
        for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
                if (!(mode & parts[i].bit))
                        continue;
                out_printf(o, "%s", first ? " " : " . ");
                first = false;
                if (parts[i].mask == 0) {
                        out_printf(o, "%s", parts[i].text);
                        continue;
                }
                out_printf(o, "%s %s", is6 ? "ip6" : "ip", parts[i].text);
                if (parts[i].mask == full)
                        continue;
                uint8_t mask[16] = {};
                for (unsigned b = 0; b < parts[i].mask; b++)
                        mask[b / 8] |= (uint8_t) (0x80u >> (b % 8));
                if (is6) {
                        /* every group in full, unlike inet_ntop */
                        out_printf(o, " and ");
                        for (unsigned g = 0; g < 8; g++)
                                out_printf(o, "%s%02x%02x", g ? ":" : "", mask[2 * g], mask[2 * g + 1]);
                } else
                        out_printf(o, " and %u.%u.%u.%u", mask[0], mask[1], mask[2], mask[3]);
        }
        if (m->u.hashlimit.expire != 1000)
                out_printf(o, " timeout %us", m->u.hashlimit.expire / 1000);

        /* print_rate(): the largest unit the period divides well enough */
        size_t u;
        for (u = 1; u < sizeof(units) / sizeof(units[0]); u++)
                if (period > units[u].mult || units[u].mult / period < units[u].mult % period)
                        break;
        out_printf(o, " limit rate %s%llu/%s", mode & XT_HASHLIMIT_INVERT ? "over " : "",
                   (unsigned long long) (units[u - 1].mult / period), units[u - 1].name);
        if (m->u.hashlimit.burst != 5)  /* iptables' default burst */
                out_printf(o, " burst %llu packets", (unsigned long long) m->u.hashlimit.burst);
        out_printf(o, " }");
}

int xt_match_render(const XtMatch *m, const XtPool *pool, uint8_t l4proto, char *buf, size_t len) {
        Out o = { .buf = buf, .size = len };

        switch (m->kind) {
        case XTM_MULTIPORT:
                render_multiport(&o, m, l4proto);
                break;
        case XTM_CONNTRACK:
                render_conntrack(&o, m, pool);
                break;
        case XTM_COMMENT:
                /* the comment translates to a rule comment nft does not
                 * show here: the text is empty */
                break;
        case XTM_IPRANGE:
                render_iprange(&o, m, pool);
                break;
        case XTM_ADDRTYPE:
                render_addrtype(&o, m);
                break;
        case XTM_MAC:
                out_printf(&o, "ether saddr %s%02x:%02x:%02x:%02x:%02x:%02x", m->u.mac.invert ? "!= " : "",
                           m->u.mac.addr[0], m->u.mac.addr[1], m->u.mac.addr[2], m->u.mac.addr[3],
                           m->u.mac.addr[4], m->u.mac.addr[5]);
                break;
        case XTM_TCP:
                render_tcp(&o, m);
                break;
        case XTM_HASHLIMIT:
                render_hashlimit(&o, m, pool);
                break;
        case XTM_RPFILTER: {
                /* iptables 1.8.9's rpfilter_xlate(), as nft 1.0.6 prints it */
                uint8_t f = m->u.rpfilter.flags;
                bool inv = f & XT_RPFILTER_INVERT;
                if ((f & XT_RPFILTER_ACCEPT_LOCAL) && !inv) {
                        out_printf(&o, "xt match rpfilter");
                        break;
                }
                out_printf(&o, "%sfib saddr%s%s oif %s0", (f & XT_RPFILTER_ACCEPT_LOCAL) ? "fib saddr type != local " : "",
                           (f & XT_RPFILTER_VALID_MARK) ? " . mark" : "", (f & XT_RPFILTER_LOOSE) ? "" : " . iif",
                           inv ? "" : "!= ");
                break;
        }
        case XTM_RECENT:
        case XTM_SET:
                /* no translation in iptables 1.8.9 */
                out_printf(&o, "xt match %s", xt_match_name(m, pool));
                break;
        default:
                /* udp, icmp, mark, limit: iptables-nft writes them natively
                 * (and -m state as conntrack); nft's text for unknown
                 * extensions is not known here */
                o.unsupported = true;
                break;
        }
        return out_done(&o);
}

/* ---- targets ---- */

static void render_reject(Out *o, const XtTarget *t) {
        static const char *const v4[] = {
                [IPT_ICMP_NET_UNREACHABLE] = "net-unreachable",
                [IPT_ICMP_HOST_UNREACHABLE] = "host-unreachable",
                [IPT_ICMP_PROT_UNREACHABLE] = "prot-unreachable",
                [IPT_ICMP_NET_PROHIBITED] = "net-prohibited",
                [IPT_ICMP_HOST_PROHIBITED] = "host-prohibited",
                [IPT_ICMP_ADMIN_PROHIBITED] = "admin-prohibited",
        };
        static const char *const v6[] = {
                [IP6T_ICMP6_NO_ROUTE] = "no-route",
                [IP6T_ICMP6_ADM_PROHIBITED] = "admin-prohibited",
                [IP6T_ICMP6_ADDR_UNREACH] = "addr-unreachable",
                [IP6T_ICMP6_POLICY_FAIL] = "policy-fail",
                [IP6T_ICMP6_REJECT_ROUTE] = "reject-route",
        };
        bool is6 = t->family == NFPROTO_IPV6;
        uint32_t w = t->u.reject.with;

        if (w == (is6 ? (uint32_t) IP6T_ICMP6_PORT_UNREACH : (uint32_t) IPT_ICMP_PORT_UNREACHABLE)) {
                out_printf(o, "reject");
                return;
        }
        if (w == (is6 ? (uint32_t) IP6T_TCP_RESET : (uint32_t) IPT_TCP_RESET)) {
                out_printf(o, "reject with tcp reset");
                return;
        }
        const char *const *names = is6 ? v6 : v4;
        size_t n = is6 ? sizeof(v6) / sizeof(v6[0]) : sizeof(v4) / sizeof(v4[0]);
        if (w >= n || !names[w]) {
                o->unsupported = true;
                return;
        }
        out_printf(o, "reject with %s type %s", is6 ? "icmpv6" : "icmp", names[w]);
}

static void render_log(Out *o, const XtTarget *t, const XtPool *pool) {
        static const char *const levels[] = {
                "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
        };
        const char *prefix = xt_pool_get(pool, t->u.log.prefix_off);
        uint8_t f = t->u.log.logflags;

        if (t->u.log.level >= 8 || (f & ~XT_LOG_MASK)) {
                o->unsupported = true;
                return;
        }
        out_printf(o, "log");
        if (prefix && prefix[0])
                out_printf(o, " prefix \"%s\"", prefix);        /* nft 1.0.6 does not escape it */
        if (t->u.log.level != 4)        /* LOG's default, warn, is not shown */
                out_printf(o, " level %s", levels[t->u.log.level]);
        if (f == XT_LOG_MASK) {
                out_printf(o, " flags all");
                return;
        }
        if (f & (XT_LOG_TCPSEQ | XT_LOG_TCPOPT))
                out_printf(o, " flags tcp %s",
                           (f & XT_LOG_TCPSEQ) && (f & XT_LOG_TCPOPT) ? "sequence,options" :
                           f & XT_LOG_TCPSEQ ? "sequence" : "options");
        if (f & XT_LOG_IPOPT)
                out_printf(o, " flags ip options");
        if (f & XT_LOG_UID)
                out_printf(o, " flags skuid");
        if (f & XT_LOG_MACDECODE)
                out_printf(o, " flags ether");
}

/* mark_tg_xlate() */
static void render_mark(Out *o, const XtTarget *t) {
        uint32_t mark = t->u.mark.mark, mask = t->u.mark.mask;
        out_printf(o, "meta mark set ");
        if (mask == UINT32_MAX)
                out_printf(o, "0x%x", mark);
        else if (mark == 0)
                out_printf(o, "mark and 0x%x", ~mask);
        else if (mark == mask)
                out_printf(o, "mark or 0x%x", mark);
        else if (mask == 0)
                out_printf(o, "mark xor 0x%x", mark);
        else
                out_printf(o, "mark and 0x%x xor 0x%x", ~mask, mark);
}

/* connmark_tg_xlate_v2() */
static void render_connmark(Out *o, const XtTarget *t) {
        uint32_t ctmark = t->u.connmark.ctmark, ctmask = t->u.connmark.ctmask, nfmask = t->u.connmark.nfmask;
        bool shift = t->u.connmark.shift_bits != 0;

        if (t->rev != 2) {
                o->unsupported = true;
                return;
        }
        switch (t->u.connmark.mode) {
        case XT_CONNMARK_SET:
                if (shift)
                        o->unsupported = true;
                else if (ctmask == UINT32_MAX)
                        out_printf(o, "ct mark set 0x%x", ctmark);
                else if (ctmark == 0)
                        out_printf(o, "ct mark set ct mark and 0x%x", ~ctmask);
                else if (ctmark == ctmask)
                        out_printf(o, "ct mark set ct mark or 0x%x", ctmark);
                else if (ctmask == 0)
                        out_printf(o, "ct mark set ct mark xor 0x%x", ctmark);
                else
                        out_printf(o, "ct mark set ct mark xor 0x%x and 0x%x", ctmark, ~ctmask);
                break;
        case XT_CONNMARK_SAVE:
                if (shift) {
                        if (nfmask == UINT32_MAX && ctmask == UINT32_MAX && t->u.connmark.shift_dir == D_SHIFT_LEFT)
                                out_printf(o, "ct mark set ( mark ) << %u", t->u.connmark.shift_bits);
                        else
                                o->unsupported = true;
                } else if (nfmask == UINT32_MAX && ctmask == UINT32_MAX)
                        out_printf(o, "ct mark set mark");
                else if (nfmask == ctmask)
                        out_printf(o, "ct mark set mark and 0x%x", nfmask);
                else
                        out_printf(o, "xt target CONNMARK");
                break;
        case XT_CONNMARK_RESTORE:
                if (shift)
                        o->unsupported = true;
                else if (nfmask == UINT32_MAX && ctmask == UINT32_MAX)
                        out_printf(o, "meta mark set ct mark");
                else if (nfmask == ctmask)
                        out_printf(o, "meta mark set ct mark and 0x%x", nfmask);
                else
                        out_printf(o, "xt target CONNMARK");
                break;
        default:
                o->unsupported = true;
                break;
        }
}

/* The flags nft has been seen to print, in its order. */
static void render_nat_flags(Out *o, uint32_t flags) {
        uint32_t f = flags & (NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PERSISTENT | NF_NAT_RANGE_PROTO_RANDOM_FULLY);
        if (f == 0)
                return;
        if (f == NF_NAT_RANGE_PROTO_RANDOM)
                out_printf(o, " random");
        else if (f == NF_NAT_RANGE_PERSISTENT)
                out_printf(o, " persistent");
        else if (f == (NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PERSISTENT))
                out_printf(o, " random,persistent");
        else if (f == NF_NAT_RANGE_PROTO_RANDOM_FULLY)
                out_printf(o, " fully-random");
        else
                o->unsupported = true;
}

static void render_nat(Out *o, const XtTarget *t) {
        static const char *const words[] = {
                [XT_NAT_DNAT] = "dnat", [XT_NAT_SNAT] = "snat",
                [XT_NAT_REDIRECT] = "redirect", [XT_NAT_MASQUERADE] = "masquerade",
        };
        uint32_t flags = t->u.nat.flags;
        bool ports = flags & NF_NAT_RANGE_PROTO_SPECIFIED;
        bool is6 = t->family == NFPROTO_IPV6;

        if (t->u.nat.type >= sizeof(words) / sizeof(words[0])) {
                o->unsupported = true;
                return;
        }
        if (flags & NF_NAT_RANGE_PROTO_OFFSET) {
                out_printf(o, "xt target %s", t->u.nat.type == XT_NAT_DNAT ? "DNAT" : "SNAT");
                return;
        }
        out_printf(o, "%s", words[t->u.nat.type]);
        if (t->u.nat.type == XT_NAT_DNAT || t->u.nat.type == XT_NAT_SNAT) {
                bool ips = flags & NF_NAT_RANGE_MAP_IPS;
                bool range = ips && memcmp(t->u.nat.min_addr, t->u.nat.max_addr, is6 ? 16 : 4) != 0;
                if (!ips && !ports) {
                        o->unsupported = true;
                        return;
                }
                if (is6 && range && ports) {    /* not seen: iptables refuses to parse it */
                        o->unsupported = true;
                        return;
                }
                out_printf(o, " to ");
                if (ips) {
                        if (is6 && ports)
                                out_printf(o, "[");
                        out_addr(o, t->family, t->u.nat.min_addr);
                        if (range) {
                                out_printf(o, "-");
                                out_addr(o, t->family, t->u.nat.max_addr);
                        }
                        if (is6 && ports)
                                out_printf(o, "]");
                }
                if (ports) {
                        out_printf(o, ":");
                        out_port_range(o, t->u.nat.min_port, t->u.nat.max_port);
                }
        } else if (ports) {
                out_printf(o, " to :");
                out_port_range(o, t->u.nat.min_port, t->u.nat.max_port);
        }
        render_nat_flags(o, flags);
}

int xt_target_render(const XtTarget *t, const XtPool *pool, char *buf, size_t len) {
        Out o = { .buf = buf, .size = len };

        switch (t->kind) {
        case XTT_REJECT:
                render_reject(&o, t);
                break;
        case XTT_LOG:
                render_log(&o, t, pool);
                break;
        case XTT_MARK:
                render_mark(&o, t);
                break;
        case XTT_CONNMARK:
                render_connmark(&o, t);
                break;
        case XTT_NAT:
                render_nat(&o, t);
                break;
        case XTT_CT:
                /* only notrack has a translation */
                if (t->u.ct.flags & XT_CT_NOTRACK)
                        out_printf(&o, "notrack");
                else
                        out_printf(&o, "xt target CT");
                break;
        case XTT_TCPMSS:
                if (t->u.tcpmss.mss == XT_TCPMSS_CLAMP_PMTU)
                        out_printf(&o, "tcp option maxseg size set rt mtu");
                else
                        out_printf(&o, "tcp option maxseg size set %u", t->u.tcpmss.mss);
                break;
        default:
                /* standard verdicts and ERROR exist only in legacy tables,
                 * NFLOG is native in iptables-nft */
                o.unsupported = true;
                break;
        }
        return out_done(&o);
}

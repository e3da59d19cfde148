/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Judging decoded x_tables extensions against a probe, following the
 * kernel's match and target functions (net/netfilter/xt_*.c,
 * net/ipv4/netfilter/ipt_*.c, net/ipv6/netfilter/ip6t_*.c): the same
 * comparisons, the same inversions, the same order of early returns.
 * Whatever the probe cannot tell (set membership, TCP options, conntrack
 * timeouts...) makes the answer XT_RESULT_UNKNOWN, unless another part of
 * the same match already fails for certain.
 */

/* glibc first: its headers tell the uapi ones not to redefine in_addr */
#include <netinet/in.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_CONNMARK.h>
#include <linux/netfilter/xt_CT.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_hashlimit.h>
#include <linux/netfilter/xt_iprange.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_recent.h>
#include <linux/netfilter/xt_set.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>
#include "xt.h"

/* Tri-state conjunction: a match is the AND of its conditions, so one
 * certain failure decides even when another condition is unknown. */
typedef struct Conj {
        bool failed, unknown;
} Conj;

static void conj_add(Conj *c, bool holds) {
        if (!holds)
                c->failed = true;
}

static void conj_unknown(Conj *c) {
        c->unknown = true;
}

static XtResult conj_result(const Conj *c) {
        return c->failed ? XT_RESULT_NO_MATCH : c->unknown ? XT_RESULT_UNKNOWN : XT_RESULT_MATCH;
}

static XtResult result_of(bool b) {
        return b ? XT_RESULT_MATCH : XT_RESULT_NO_MATCH;
}

static bool port_match(uint16_t min, uint16_t max, uint16_t port, bool invert) {
        return (port >= min && port <= max) ^ invert;
}

static size_t addr_len(int family) {
        return family == NFPROTO_IPV6 ? 16 : 4;
}

static bool has_ports(uint8_t l4proto) {
        return l4proto == IPPROTO_TCP || l4proto == IPPROTO_UDP || l4proto == IPPROTO_UDPLITE ||
               l4proto == IPPROTO_SCTP || l4proto == IPPROTO_DCCP;
}

/* Whether a connection exists for the probe (nf_ct_get() != NULL). */
static bool probe_has_ct(const XtProbe *p) {
        return p->ct_state == XT_CT_NEW || p->ct_state == XT_CT_ESTABLISHED || p->ct_state == XT_CT_RELATED;
}

static XtResult eval_tcp(const XtMatch *m, const XtProbe *p) {
        /* the rule's -p tcp comes first (xt_check_match insists on it) */
        if (p->l4proto != IPPROTO_TCP)
                return XT_RESULT_NO_MATCH;
        if (!port_match(m->u.tcp.spts[0], m->u.tcp.spts[1], p->sport, m->u.tcp.invflags & XT_TCP_INV_SRCPT))
                return XT_RESULT_NO_MATCH;
        if (!port_match(m->u.tcp.dpts[0], m->u.tcp.dpts[1], p->dport, m->u.tcp.invflags & XT_TCP_INV_DSTPT))
                return XT_RESULT_NO_MATCH;
        if (!(((p->tcp_flags & m->u.tcp.flg_mask) == m->u.tcp.flg_cmp) ^
              !!(m->u.tcp.invflags & XT_TCP_INV_FLAGS)))
                return XT_RESULT_NO_MATCH;
        /* the options a client puts in its SYN are not part of the probe */
        if (m->u.tcp.option)
                return XT_RESULT_UNKNOWN;
        return XT_RESULT_MATCH;
}

static XtResult eval_udp(const XtMatch *m, const XtProbe *p) {
        if (p->l4proto != IPPROTO_UDP)
                return XT_RESULT_NO_MATCH;
        return result_of(port_match(m->u.udp.spts[0], m->u.udp.spts[1], p->sport, m->u.udp.invflags & XT_UDP_INV_SRCPT) &&
                         port_match(m->u.udp.dpts[0], m->u.udp.dpts[1], p->dport, m->u.udp.invflags & XT_UDP_INV_DSTPT));
}

/* ports_match_v1() */
static XtResult eval_multiport(const XtMatch *m, const XtProbe *p) {
        if (!has_ports(p->l4proto))
                return XT_RESULT_NO_MATCH;
        bool invert = m->rev >= 1 && m->u.multiport.invert;
        unsigned count = m->u.multiport.count;
        for (unsigned i = 0; i < count; i++) {
                uint16_t s = m->u.multiport.ports[i], e = s;
                if (m->rev >= 1 && (m->u.multiport.pflags & (1u << i))) {
                        /* the range's end is the next port; the kernel reads
                         * it even past count, never past the array */
                        if (++i >= XT_MULTI_PORTS)
                                return XT_RESULT_UNKNOWN;
                        e = m->u.multiport.ports[i];
                }
                bool src = p->sport >= s && p->sport <= e, dst = p->dport >= s && p->dport <= e;
                switch (m->u.multiport.flags) {
                case XT_MULTIPORT_SOURCE:
                        if (src)
                                return result_of(!invert);
                        break;
                case XT_MULTIPORT_DESTINATION:
                        if (dst)
                                return result_of(!invert);
                        break;
                case XT_MULTIPORT_EITHER:
                        if (src || dst)
                                return result_of(!invert);
                        break;
                }
        }
        return result_of(invert);
}

static bool masked_equal(const uint8_t *a, const uint8_t *b, const uint8_t *mask, size_t n) {
        for (size_t i = 0; i < n; i++)
                if ((a[i] ^ b[i]) & mask[i])
                        return false;
        return true;
}

/* conntrack_mt(): the probe is the original direction of its connection;
 * the reply tuple of a new connection is the original one reversed, with
 * the destination after DNAT (no SNAT happens before the input filter). */
static XtResult eval_conntrack(const XtMatch *m, const XtPool *pool, const XtProbe *p) {
        uint16_t flags = m->u.conntrack.match_flags, inv = m->u.conntrack.invert_flags;
        bool have_ct = probe_has_ct(p);
        unsigned statebit;
        Conj c = {};

        switch (p->ct_state) {
        case XT_CT_NEW:
                statebit = XT_CONNTRACK_STATE_BIT(IP_CT_NEW);
                break;
        case XT_CT_ESTABLISHED:
                statebit = XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED);
                break;
        case XT_CT_RELATED:
                statebit = XT_CONNTRACK_STATE_BIT(IP_CT_RELATED);
                break;
        case XT_CT_UNTRACKED:
                statebit = XT_CONNTRACK_STATE_UNTRACKED;
                break;
        default:
                statebit = XT_CONNTRACK_STATE_INVALID;
                break;
        }

        if (flags & XT_CONNTRACK_STATE) {
                if (have_ct && p->dnat)
                        statebit |= XT_CONNTRACK_STATE_DNAT;
                /* SNAT is set by nat chains after the input filter; for
                 * older connections it is not known */
                if (have_ct && p->ct_state != XT_CT_NEW && (m->u.conntrack.state_mask & XT_CONNTRACK_STATE_SNAT) &&
                    !(m->u.conntrack.state_mask & statebit))
                        conj_unknown(&c);
                else
                        conj_add(&c, !!(m->u.conntrack.state_mask & statebit) ^ !!(inv & XT_CONNTRACK_STATE));
        }
        if (!have_ct) {
                if (c.failed || c.unknown)
                        return conj_result(&c);
                return result_of(flags & XT_CONNTRACK_STATE);
        }

        /* the probe travels in the original direction */
        if (flags & XT_CONNTRACK_DIRECTION)
                conj_add(&c, !(inv & XT_CONNTRACK_DIRECTION));

        bool is_new = p->ct_state == XT_CT_NEW;
        const uint8_t *orig_dst = p->dnat ? p->orig_daddr : p->daddr;
        const uint8_t *tuple_addr[4] = { p->saddr, orig_dst, p->daddr, p->saddr };
        static const uint16_t addr_flags[4] = {
                XT_CONNTRACK_ORIGSRC, XT_CONNTRACK_ORIGDST, XT_CONNTRACK_REPLSRC, XT_CONNTRACK_REPLDST,
        };
        const uint8_t *addrs = xt_pool_get(pool, m->u.conntrack.addr_off);
        unsigned n_addr = 0;
        for (unsigned i = 0; i < 4; i++) {
                if (!(flags & addr_flags[i]))
                        continue;
                if (!addrs || !pool || m->u.conntrack.addr_off + (n_addr + 1) * 32u > pool->len) {
                        conj_unknown(&c);
                        break;
                }
                const uint8_t *a = addrs + n_addr * 32, *mask = a + 16;
                n_addr++;
                if (!is_new) {
                        conj_unknown(&c);
                        continue;
                }
                conj_add(&c, masked_equal(tuple_addr[i], a, mask, addr_len(p->family)) ^
                                     !!(inv & addr_flags[i]));
        }

        /* ct_proto_port_check{,_v3}() */
        if (flags & XT_CONNTRACK_PROTO)
                conj_add(&c, (p->l4proto == m->u.conntrack.l4proto) ^ !!(inv & XT_CONNTRACK_PROTO));
        uint16_t orig_dport = p->dnat ? p->orig_dport : p->dport;
        const struct {
                uint16_t flag, port;
                const uint16_t *range;
        } ports[4] = {
                { XT_CONNTRACK_ORIGSRC_PORT, p->sport, m->u.conntrack.origsrc_port },
                { XT_CONNTRACK_ORIGDST_PORT, orig_dport, m->u.conntrack.origdst_port },
                { XT_CONNTRACK_REPLSRC_PORT, p->dport, m->u.conntrack.replsrc_port },
                { XT_CONNTRACK_REPLDST_PORT, p->sport, m->u.conntrack.repldst_port },
        };
        for (unsigned i = 0; i < 4; i++) {
                if (!(flags & ports[i].flag))
                        continue;
                if (!is_new || !has_ports(p->l4proto)) {
                        /* ICMP ids, GRE keys... are not in the probe */
                        conj_unknown(&c);
                        continue;
                }
                conj_add(&c, port_match(ports[i].range[0], ports[i].range[1], ports[i].port,
                                        inv & ports[i].flag));
        }

        if (flags & XT_CONNTRACK_STATUS) {
                /* a new, unconfirmed connection: not expected, no reply
                 * seen, not assured, not confirmed (that happens when the
                 * packet leaves the input hook), no SNAT yet */
                const uint32_t known = IPS_EXPECTED | IPS_SEEN_REPLY | IPS_ASSURED | IPS_CONFIRMED |
                                       IPS_SRC_NAT | IPS_DST_NAT;
                uint32_t status = p->dnat ? IPS_DST_NAT : 0;
                uint16_t mask = m->u.conntrack.status_mask;
                if (!is_new)
                        conj_unknown(&c);
                else if (status & mask)
                        conj_add(&c, !(inv & XT_CONNTRACK_STATUS));
                else if (mask & ~known)
                        conj_unknown(&c);
                else
                        conj_add(&c, !!(inv & XT_CONNTRACK_STATUS));
        }

        /* the remaining lifetime of a connection not yet confirmed */
        if (flags & XT_CONNTRACK_EXPIRES)
                conj_unknown(&c);

        return conj_result(&c);
}

static XtResult eval_state(const XtMatch *m, const XtProbe *p) {
        unsigned statebit;
        switch (p->ct_state) {
        case XT_CT_NEW:
                statebit = XT_STATE_BIT(IP_CT_NEW);
                break;
        case XT_CT_ESTABLISHED:
                statebit = XT_STATE_BIT(IP_CT_ESTABLISHED);
                break;
        case XT_CT_RELATED:
                statebit = XT_STATE_BIT(IP_CT_RELATED);
                break;
        case XT_CT_UNTRACKED:
                statebit = XT_STATE_UNTRACKED;
                break;
        default:
                statebit = XT_STATE_INVALID;
                break;
        }
        return result_of(m->u.state.statemask & statebit);
}

/* iprange_mt4/6(): addresses compared as big-endian numbers */
static XtResult eval_iprange(const XtMatch *m, const XtPool *pool, const XtProbe *p) {
        const uint8_t *a = xt_pool_get(pool, m->u.iprange.addr_off);
        size_t n = addr_len(p->family);
        if (!a || m->u.iprange.addr_off + 64u > pool->len)
                return XT_RESULT_UNKNOWN;
        if (m->u.iprange.flags & IPRANGE_SRC) {
                bool out = memcmp(p->saddr, a, n) < 0 || memcmp(p->saddr, a + 16, n) > 0;
                if (out ^ !!(m->u.iprange.flags & IPRANGE_SRC_INV))
                        return XT_RESULT_NO_MATCH;
        }
        if (m->u.iprange.flags & IPRANGE_DST) {
                bool out = memcmp(p->daddr, a + 32, n) < 0 || memcmp(p->daddr, a + 48, n) > 0;
                if (out ^ !!(m->u.iprange.flags & IPRANGE_DST_INV))
                        return XT_RESULT_NO_MATCH;
        }
        return XT_RESULT_MATCH;
}

/* addrtype_mt_v1() */
static XtResult eval_addrtype(const XtMatch *m, const XtProbe *p) {
        uint32_t flags = m->u.addrtype.flags;
        Conj c = {};

        if (flags & XT_ADDRTYPE_LIMIT_IFACE_OUT)
                /* types relative to an output device: not known at input */
                return XT_RESULT_UNKNOWN;
        bool iif = flags & XT_ADDRTYPE_LIMIT_IFACE_IN;
        if (m->u.addrtype.source) {
                uint16_t types = iif ? p->saddr_types_iif : p->saddr_types;
                if (!types)
                        conj_unknown(&c);
                else
                        conj_add(&c, !!(types & m->u.addrtype.source) ^ !!(flags & XT_ADDRTYPE_INVERT_SOURCE));
        }
        if (m->u.addrtype.dest) {
                uint16_t types = iif ? p->daddr_types_iif : p->daddr_types;
                if (!types)
                        conj_unknown(&c);
                else
                        conj_add(&c, !!(types & m->u.addrtype.dest) ^ !!(flags & XT_ADDRTYPE_INVERT_DEST));
        }
        return conj_result(&c);
}

static XtResult eval_icmp(const XtMatch *m, const XtProbe *p, bool v6) {
        if (p->l4proto != (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP))
                return XT_RESULT_NO_MATCH;
        /* icmp_type_code_match(): 0xFF is "any type" for IPv4 only */
        bool b = (!v6 && m->u.icmp.type == 0xff) ||
                 (p->icmp_type == m->u.icmp.type && p->icmp_code >= m->u.icmp.code[0] &&
                  p->icmp_code <= m->u.icmp.code[1]);
        return result_of(b ^ !!(m->u.icmp.invert & (v6 ? IP6T_ICMP_INV : IPT_ICMP_INV)));
}

XtResult xt_match_eval(const XtMatch *m, const XtPool *pool, const XtProbe *p, XtResult *ret_fresh) {
        XtResult r, fresh = XT_RESULT_UNKNOWN;

        switch (m->kind) {
        case XTM_TCP:
                r = eval_tcp(m, p);
                break;
        case XTM_UDP:
                r = eval_udp(m, p);
                break;
        case XTM_MULTIPORT:
                r = eval_multiport(m, p);
                break;
        case XTM_CONNTRACK:
                r = eval_conntrack(m, pool, p);
                break;
        case XTM_STATE:
                r = eval_state(m, p);
                break;
        case XTM_IPRANGE:
                r = eval_iprange(m, pool, p);
                break;
        case XTM_COMMENT:
                r = XT_RESULT_MATCH;
                break;
        case XTM_MARK:
                r = result_of(((p->mark & m->u.mark.mask) == m->u.mark.mark) ^ !!m->u.mark.invert);
                break;
        case XTM_LIMIT:
                /* the bucket starts full: burst >= 1 packets pass first */
                r = XT_RESULT_HISTORY;
                fresh = XT_RESULT_MATCH;
                break;
        case XTM_HASHLIMIT:
                r = XT_RESULT_HISTORY;
                /* a new entry starts with a full bucket (avg * burst
                 * credits): --hashlimit-upto passes, --hashlimit-above
                 * (INVERT) does not.  Byte mode and rate-match (rev 3)
                 * depend on the packet size and measured rate. */
                if (!(m->u.hashlimit.mode & (XT_HASHLIMIT_BYTES | XT_HASHLIMIT_RATE_MATCH)) && m->u.hashlimit.burst > 0)
                        fresh = result_of(!(m->u.hashlimit.mode & XT_HASHLIMIT_INVERT));
                break;
        case XTM_RECENT:
                /* --set always matches (and records the address); the
                 * others match only when the list already holds it */
                if (m->u.recent.check_set & XT_RECENT_SET)
                        r = result_of(!m->u.recent.invert);
                else {
                        r = XT_RESULT_HISTORY;
                        fresh = result_of(m->u.recent.invert);
                }
                break;
        case XTM_SET:
                r = XT_RESULT_UNKNOWN;  /* membership: xt_set_match_result() */
                break;
        case XTM_ADDRTYPE:
                r = eval_addrtype(m, p);
                break;
        case XTM_ICMP:
                r = eval_icmp(m, p, false);
                break;
        case XTM_ICMP6:
                r = eval_icmp(m, p, true);
                break;
        case XTM_MAC:
                /* the link-layer source is known only when the caller says so */
                r = p->have_src_mac ? result_of((memcmp(p->src_mac, m->u.mac.addr, 6) == 0) ^ !!m->u.mac.invert)
                                    : XT_RESULT_UNKNOWN;
                break;
        default:
                r = XT_RESULT_UNKNOWN;
                break;
        }
        if (ret_fresh)
                *ret_fresh = r == XT_RESULT_HISTORY ? fresh : r;
        return r;
}

XtResult xt_set_match_result(const XtMatch *m, XtSetMember member, bool type_has_nomatch) {
        if (m->kind != XTM_SET)
                return XT_RESULT_UNKNOWN;
        bool inv = m->u.set.flags & IPSET_INV_MATCH;
        /* set_match_v1() (revisions 1 and 2) takes --return-nomatch from
         * the set info flags, revisions 3 and 4 from their own flags */
        bool return_nomatch = m->rev >= 3 ? m->u.set.match_flags & IPSET_FLAG_RETURN_NOMATCH
                                          : m->u.set.flags & IPSET_RETURN_NOMATCH;
        /* ip_set_test(): a member tests > 0, a nomatch element -ENOTEMPTY;
         * --return-nomatch negates both when the type knows nomatch; what
         * is not > 0 in the end is no match */
        int ret = member == XT_SET_MEMBER ? 1 : member == XT_SET_MEMBER_NOMATCH ? -1 : 0;
        if (return_nomatch && type_has_nomatch)
                ret = -ret;
        /* counter conditions are checked on the element found (rev 3+) */
        if (ret != 0 && m->rev >= 3 &&
            (m->u.set.packets_op != IPSET_COUNTER_NONE || m->u.set.bytes_op != IPSET_COUNTER_NONE))
                return XT_RESULT_HISTORY;
        return result_of((ret > 0) ^ inv);
}

/* ---- targets ---- */

static XtVerdict eval_standard(const XtTarget *t) {
        int32_t v = t->u.standard.verdict;
        if (v >= 0)
                return (XtVerdict) { .kind = XT_VERDICT_JUMP, .jump = v };
        switch (-v - 1) {
        case NF_DROP:
                return (XtVerdict) { .kind = XT_VERDICT_DROP };
        case NF_ACCEPT:
                return (XtVerdict) { .kind = XT_VERDICT_ACCEPT };
        case NF_QUEUE:
                return (XtVerdict) { .kind = XT_VERDICT_QUEUE };
        case NF_REPEAT:         /* XT_RETURN */
                return (XtVerdict) { .kind = XT_VERDICT_RETURN };
        default:
                return (XtVerdict) { .kind = XT_VERDICT_UNKNOWN };
        }
}

static XtVerdict eval_reject(const XtTarget *t, const XtProbe *p) {
        bool reset = t->family == NFPROTO_IPV6 ? t->u.reject.with == IP6T_TCP_RESET
                                               : t->u.reject.with == IPT_TCP_RESET;
        /* nf_send_reset(): only TCP segments without RST get a reset; the
         * packet is dropped in every case */
        if (reset && (p->l4proto != IPPROTO_TCP || (p->tcp_flags & 0x04)))
                return (XtVerdict) { .kind = XT_VERDICT_DROP };
        return (XtVerdict) { .kind = XT_VERDICT_REJECT, .tcp_reset = reset };
}

static uint32_t shifted(uint32_t v, uint8_t dir, uint8_t bits) {
        return dir == D_SHIFT_RIGHT ? v >> bits : v << bits;
}

/* connmark_tg_shift() */
static XtVerdict eval_connmark(const XtTarget *t, XtProbe *p) {
        XtVerdict v = { .kind = XT_VERDICT_CONTINUE };
        if (!probe_has_ct(p))
                return v;
        uint8_t dir = t->u.connmark.shift_dir, bits = t->u.connmark.shift_bits;
        if (bits >= 32) {
                v.changed = v.uncertain = t->u.connmark.mode == XT_CONNMARK_RESTORE ? XT_CHANGED_MARK : XT_CHANGED_CTMARK;
                return v;
        }
        switch (t->u.connmark.mode) {
        case XT_CONNMARK_SET:
                p->ct_mark = shifted((p->ct_mark & ~t->u.connmark.ctmask) ^ t->u.connmark.ctmark, dir, bits);
                v.changed = XT_CHANGED_CTMARK;
                break;
        case XT_CONNMARK_SAVE:
                p->ct_mark = (p->ct_mark & ~t->u.connmark.ctmask) ^
                             shifted(p->mark & t->u.connmark.nfmask, dir, bits);
                v.changed = XT_CHANGED_CTMARK;
                break;
        case XT_CONNMARK_RESTORE:
                p->mark = (p->mark & ~t->u.connmark.nfmask) ^
                          shifted(p->ct_mark & t->u.connmark.ctmask, dir, bits);
                v.changed = XT_CHANGED_MARK;
                break;
        }
        return v;
}

static XtVerdict eval_nat(const XtTarget *t, XtProbe *p) {
        XtVerdict v = { .kind = XT_VERDICT_NAT };
        uint32_t flags = t->u.nat.flags;
        size_t n = addr_len(p->family);
        bool dst = t->u.nat.type == XT_NAT_DNAT || t->u.nat.type == XT_NAT_REDIRECT;
        uint8_t addr_bit = dst ? XT_CHANGED_DADDR : XT_CHANGED_SADDR;
        uint8_t port_bit = dst ? XT_CHANGED_DPORT : XT_CHANGED_SPORT;

        if (dst && !p->dnat) {
                memcpy(p->orig_daddr, p->daddr, sizeof(p->orig_daddr));
                p->orig_dport = p->dport;
        }
        if (t->u.nat.type == XT_NAT_REDIRECT || t->u.nat.type == XT_NAT_MASQUERADE) {
                /* the input (output) interface's own address */
                v.changed |= addr_bit;
                v.uncertain |= addr_bit;
        } else if (flags & NF_NAT_RANGE_MAP_IPS) {
                v.changed |= addr_bit;
                if (memcmp(t->u.nat.min_addr, t->u.nat.max_addr, n) != 0)
                        v.uncertain |= addr_bit;
                memcpy(dst ? p->daddr : p->saddr, t->u.nat.min_addr, n);
        }
        if ((flags & NF_NAT_RANGE_PROTO_SPECIFIED) && has_ports(p->l4proto)) {
                v.changed |= port_bit;
                if (t->u.nat.min_port != t->u.nat.max_port || (flags & NF_NAT_RANGE_PROTO_OFFSET))
                        v.uncertain |= port_bit;
                *(dst ? &p->dport : &p->sport) = t->u.nat.min_port;
        }
        if (dst && (v.changed & (XT_CHANGED_DADDR | XT_CHANGED_DPORT)))
                p->dnat = true;
        return v;
}

XtVerdict xt_target_eval(const XtTarget *t, const XtPool *pool, XtProbe *p) {
        (void) pool;    /* no target needs its strings to judge */
        switch (t->kind) {
        case XTT_STANDARD:
                return eval_standard(t);
        case XTT_ERROR:
                return (XtVerdict) { .kind = XT_VERDICT_ERROR };
        case XTT_REJECT:
                return eval_reject(t, p);
        case XTT_LOG:
        case XTT_NFLOG:
        case XTT_TCPMSS:
                return (XtVerdict) { .kind = XT_VERDICT_CONTINUE };
        case XTT_MARK:
                p->mark = (p->mark & ~t->u.mark.mask) ^ t->u.mark.mark;
                return (XtVerdict) { .kind = XT_VERDICT_CONTINUE, .changed = XT_CHANGED_MARK };
        case XTT_CONNMARK:
                return eval_connmark(t, p);
        case XTT_NAT:
                return eval_nat(t, p);
        case XTT_CT:
                if (t->u.ct.flags & XT_CT_NOTRACK) {
                        p->ct_state = XT_CT_UNTRACKED;
                        return (XtVerdict) { .kind = XT_VERDICT_CONTINUE, .changed = XT_CHANGED_CTSTATE };
                }
                return (XtVerdict) { .kind = XT_VERDICT_CONTINUE };
        default:
                return (XtVerdict) { .kind = XT_VERDICT_UNKNOWN };
        }
}

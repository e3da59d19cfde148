/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Decoding of x_tables extension blobs.  Each known extension is one entry
 * in a table {name, revision, family, kernel struct size, decoder}; the
 * size is checked before the decoder sees a byte, and the decoder copies
 * the blob into the kernel's own uapi struct first, so no field is read at
 * an unaligned or out-of-range address.
 */

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_CONNMARK.h>
#include <linux/netfilter/xt_CT.h>
#include <linux/netfilter/xt_LOG.h>
#include <linux/netfilter/xt_MARK.h>
#include <linux/netfilter/xt_NFLOG.h>
#include <linux/netfilter/xt_TCPMSS.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_hashlimit.h>
#include <linux/netfilter/xt_iprange.h>
#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter/xt_mac.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_recent.h>
#include <linux/netfilter/xt_rpfilter.h>
#include <linux/netfilter/xt_set.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "xt.h"

/* decoders share one signature; not all of them store into the pool */
#define _unused_ __attribute__((unused))

/* ---- pool ---- */

void xt_pool_done(XtPool *pool) {
        if (!pool)
                return;
        free(pool->data);
        *pool = (XtPool) {};
}

/* Makes room for n bytes at the end; returns their offset, 0 on ENOMEM or
 * when the pool would outgrow 32-bit offsets. */
static uint32_t pool_reserve(XtPool *pool, size_t n) {
        if (pool->len == 0)
                pool->len = 1;          /* offset 0 means "none" */
        if (n > UINT32_MAX - pool->len)
                return 0;
        if (pool->len + n > pool->allocated) {
                size_t want = pool->allocated ? pool->allocated : 256;
                while (want < pool->len + n)
                        want *= 2;
                uint8_t *d = realloc(pool->data, want);
                if (!d)
                        return 0;
                if (pool->allocated == 0)
                        d[0] = 0;
                pool->data = d;
                pool->allocated = want;
        }
        uint32_t off = (uint32_t) pool->len;
        pool->len += n;
        return off;
}

static uint32_t pool_add(XtPool *pool, const void *data, size_t n) {
        uint32_t off = pool_reserve(pool, n);
        if (off)
                memcpy(pool->data + off, data, n);
        return off;
}

/* A NUL-terminated copy of a fixed-size char array that may lack its NUL. */
static uint32_t pool_add_str(XtPool *pool, const char *s, size_t max) {
        size_t n = strnlen(s, max);
        uint32_t off = pool_reserve(pool, n + 1);
        if (off) {
                memcpy(pool->data + off, s, n);
                pool->data[off + n] = 0;
        }
        return off;
}

/* ---- helpers ---- */

/* The kernel accepts a blob whose XT_ALIGN()ed length is that of the
 * extension's struct (xt_check_match/xt_check_target; nft_compat aligns
 * the attribute length first).  Shorter than the struct itself is refused
 * here: nft_compat would copy the missing bytes from beyond the attribute. */
static bool blob_size_ok(size_t len, size_t size) {
        return len >= size && XT_ALIGN(len) == XT_ALIGN(size);
}

/* ---- matches ---- */

typedef int (*MatchDecoder)(XtMatch *m, XtPool *pool, const void *info);

static int decode_tcp(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_tcp t;
        memcpy(&t, info, sizeof(t));
        m->u.tcp.spts[0] = t.spts[0];
        m->u.tcp.spts[1] = t.spts[1];
        m->u.tcp.dpts[0] = t.dpts[0];
        m->u.tcp.dpts[1] = t.dpts[1];
        m->u.tcp.option = t.option;
        m->u.tcp.flg_mask = t.flg_mask;
        m->u.tcp.flg_cmp = t.flg_cmp;
        m->u.tcp.invflags = t.invflags;
        return 0;
}

static int decode_udp(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_udp u;
        memcpy(&u, info, sizeof(u));
        m->u.udp.spts[0] = u.spts[0];
        m->u.udp.spts[1] = u.spts[1];
        m->u.udp.dpts[0] = u.dpts[0];
        m->u.udp.dpts[1] = u.dpts[1];
        m->u.udp.invflags = u.invflags;
        return 0;
}

static bool multiport_flags_ok(uint8_t flags, uint8_t count) {
        /* multiport_mt_check(): a known comparison, at most 15 ports */
        return (flags == XT_MULTIPORT_SOURCE || flags == XT_MULTIPORT_DESTINATION ||
                flags == XT_MULTIPORT_EITHER) && count <= XT_MULTI_PORTS;
}

static int decode_multiport0(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_multiport mp;
        memcpy(&mp, info, sizeof(mp));
        if (!multiport_flags_ok(mp.flags, mp.count))
                return -EINVAL;
        m->u.multiport.flags = mp.flags;
        m->u.multiport.count = mp.count;
        memcpy(m->u.multiport.ports, mp.ports, sizeof(mp.ports));
        return 0;
}

static int decode_multiport1(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_multiport_v1 mp;
        memcpy(&mp, info, sizeof(mp));
        if (!multiport_flags_ok(mp.flags, mp.count))
                return -EINVAL;
        m->u.multiport.flags = mp.flags;
        m->u.multiport.count = mp.count;
        m->u.multiport.invert = mp.invert;
        memcpy(m->u.multiport.ports, mp.ports, sizeof(mp.ports));
        for (unsigned i = 0; i < XT_MULTI_PORTS; i++)
                if (mp.pflags[i])
                        m->u.multiport.pflags |= (uint16_t) (1u << i);
        return 0;
}

/* The fields all conntrack revisions share (the same leading layout in
 * each: four address/mask pairs, expiry, protocol); ports of rev 1 and 2
 * are single network-order values, of rev 3 host-order ranges. */
static int conntrack_common(XtMatch *m, XtPool *pool, const void *info, uint16_t match_flags,
                            uint16_t invert_flags, uint16_t state_mask, uint16_t status_mask) {
        static const uint16_t addr_flags[4] = {
                XT_CONNTRACK_ORIGSRC, XT_CONNTRACK_ORIGDST, XT_CONNTRACK_REPLSRC, XT_CONNTRACK_REPLDST,
        };
        struct xt_conntrack_mtinfo1 c;

        _Static_assert(offsetof(struct xt_conntrack_mtinfo1, l4proto) ==
                       offsetof(struct xt_conntrack_mtinfo3, l4proto), "conntrack layouts");
        _Static_assert(offsetof(struct xt_conntrack_mtinfo2, l4proto) ==
                       offsetof(struct xt_conntrack_mtinfo3, l4proto), "conntrack layouts");
        memcpy(&c, info, offsetof(struct xt_conntrack_mtinfo1, l4proto) + sizeof(c.l4proto));

        const union nf_inet_addr *addrs[8] = {
                &c.origsrc_addr, &c.origsrc_mask, &c.origdst_addr, &c.origdst_mask,
                &c.replsrc_addr, &c.replsrc_mask, &c.repldst_addr, &c.repldst_mask,
        };
        m->u.conntrack.match_flags = match_flags;
        m->u.conntrack.invert_flags = invert_flags;
        m->u.conntrack.state_mask = state_mask;
        m->u.conntrack.status_mask = status_mask;
        m->u.conntrack.l4proto = c.l4proto;
        m->u.conntrack.expires_min = c.expires_min;
        m->u.conntrack.expires_max = c.expires_max;
        for (unsigned i = 0; i < 4; i++) {
                if (!(match_flags & addr_flags[i]))
                        continue;
                uint32_t off = pool_add(pool, addrs[2 * i], 16);
                if (!off || !pool_add(pool, addrs[2 * i + 1], 16))
                        return -ENOMEM;
                if (!m->u.conntrack.addr_off)
                        m->u.conntrack.addr_off = off;
        }
        return 0;
}

static int decode_conntrack1(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_conntrack_mtinfo1 c;
        memcpy(&c, info, sizeof(c));
        int r = conntrack_common(m, pool, info, c.match_flags, c.invert_flags, c.state_mask, c.status_mask);
        m->u.conntrack.origsrc_port[0] = m->u.conntrack.origsrc_port[1] = ntohs(c.origsrc_port);
        m->u.conntrack.origdst_port[0] = m->u.conntrack.origdst_port[1] = ntohs(c.origdst_port);
        m->u.conntrack.replsrc_port[0] = m->u.conntrack.replsrc_port[1] = ntohs(c.replsrc_port);
        m->u.conntrack.repldst_port[0] = m->u.conntrack.repldst_port[1] = ntohs(c.repldst_port);
        return r;
}

static int decode_conntrack2(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_conntrack_mtinfo2 c;
        memcpy(&c, info, sizeof(c));
        int r = conntrack_common(m, pool, info, c.match_flags, c.invert_flags, c.state_mask, c.status_mask);
        m->u.conntrack.origsrc_port[0] = m->u.conntrack.origsrc_port[1] = ntohs(c.origsrc_port);
        m->u.conntrack.origdst_port[0] = m->u.conntrack.origdst_port[1] = ntohs(c.origdst_port);
        m->u.conntrack.replsrc_port[0] = m->u.conntrack.replsrc_port[1] = ntohs(c.replsrc_port);
        m->u.conntrack.repldst_port[0] = m->u.conntrack.repldst_port[1] = ntohs(c.repldst_port);
        return r;
}

static int decode_conntrack3(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_conntrack_mtinfo3 c;
        memcpy(&c, info, sizeof(c));
        int r = conntrack_common(m, pool, info, c.match_flags, c.invert_flags, c.state_mask, c.status_mask);
        m->u.conntrack.origsrc_port[0] = c.origsrc_port;
        m->u.conntrack.origsrc_port[1] = c.origsrc_port_high;
        m->u.conntrack.origdst_port[0] = c.origdst_port;
        m->u.conntrack.origdst_port[1] = c.origdst_port_high;
        m->u.conntrack.replsrc_port[0] = c.replsrc_port;
        m->u.conntrack.replsrc_port[1] = c.replsrc_port_high;
        m->u.conntrack.repldst_port[0] = c.repldst_port;
        m->u.conntrack.repldst_port[1] = c.repldst_port_high;
        return r;
}

static int decode_state(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_state_info s;
        memcpy(&s, info, sizeof(s));
        m->u.state.statemask = s.statemask;
        return 0;
}

static int decode_iprange(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_iprange_mtinfo ir;
        memcpy(&ir, info, sizeof(ir));
        m->u.iprange.flags = ir.flags;
        uint8_t addrs[64];
        memcpy(addrs, &ir.src_min, 16);
        memcpy(addrs + 16, &ir.src_max, 16);
        memcpy(addrs + 32, &ir.dst_min, 16);
        memcpy(addrs + 48, &ir.dst_max, 16);
        m->u.iprange.addr_off = pool_add(pool, addrs, sizeof(addrs));
        return m->u.iprange.addr_off ? 0 : -ENOMEM;
}

static int decode_comment(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        m->u.comment.text_off = pool_add_str(pool, info, XT_MAX_COMMENT_LEN);
        return m->u.comment.text_off ? 0 : -ENOMEM;
}

static int decode_mark(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_mark_mtinfo1 mk;
        memcpy(&mk, info, sizeof(mk));
        m->u.mark.mark = mk.mark;
        m->u.mark.mask = mk.mask;
        m->u.mark.invert = mk.invert;
        return 0;
}

static int decode_limit(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_rateinfo r;
        memcpy(&r, info, sizeof(r));
        /* limit_mt_check(): refused when burst is 0 */
        if (r.burst == 0)
                return -EINVAL;
        m->u.limit.avg = r.avg;
        m->u.limit.burst = r.burst;
        return 0;
}

static int decode_recent_common(XtMatch *m, XtPool *pool, const struct xt_recent_mtinfo *r) {
        /* recent_mt_check(): exactly one of CHECK, SET, UPDATE, REMOVE */
        uint8_t op = r->check_set & (XT_RECENT_CHECK | XT_RECENT_SET | XT_RECENT_UPDATE | XT_RECENT_REMOVE);
        if ((op & (op - 1)) != 0 || op == 0 || (r->check_set & ~XT_RECENT_VALID_FLAGS))
                return -EINVAL;
        m->u.recent.seconds = r->seconds;
        m->u.recent.hit_count = r->hit_count;
        m->u.recent.check_set = r->check_set;
        m->u.recent.invert = r->invert;
        m->u.recent.side = r->side;
        m->u.recent.name_off = pool_add_str(pool, r->name, XT_RECENT_NAME_LEN);
        return m->u.recent.name_off ? 0 : -ENOMEM;
}

static int decode_recent0(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_recent_mtinfo r;
        memcpy(&r, info, sizeof(r));
        memset(m->u.recent.mask, 0xff, sizeof(m->u.recent.mask));
        return decode_recent_common(m, pool, &r);
}

static int decode_recent1(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_recent_mtinfo_v1 r1;
        struct xt_recent_mtinfo r;
        memcpy(&r1, info, sizeof(r1));
        memcpy(&r, &r1, offsetof(struct xt_recent_mtinfo, side));
        r.side = r1.side;
        memcpy(m->u.recent.mask, &r1.mask, sizeof(m->u.recent.mask));
        return decode_recent_common(m, pool, &r);
}

static int hashlimit_common(XtMatch *m, XtPool *pool, const char *name, size_t name_size, uint64_t avg,
                            uint64_t burst, uint32_t mode, uint32_t expire, uint8_t srcmask, uint8_t dstmask) {
        m->u.hashlimit.avg = avg;
        m->u.hashlimit.burst = burst;
        m->u.hashlimit.mode = mode;
        m->u.hashlimit.expire = expire;
        m->u.hashlimit.srcmask = srcmask;
        m->u.hashlimit.dstmask = dstmask;
        m->u.hashlimit.name_off = pool_add_str(pool, name, name_size);
        return m->u.hashlimit.name_off ? 0 : -ENOMEM;
}

#define HASHLIMIT_COMMON(m, pool, h)                                                    \
        hashlimit_common(m, pool, (h).name, sizeof((h).name), (h).cfg.avg, (h).cfg.burst, \
                         (h).cfg.mode, (h).cfg.expire, (h).cfg.srcmask, (h).cfg.dstmask)

static int decode_hashlimit1(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_hashlimit_mtinfo1 h;
        memcpy(&h, info, sizeof(h));
        return HASHLIMIT_COMMON(m, pool, h);
}

static int decode_hashlimit2(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_hashlimit_mtinfo2 h;
        memcpy(&h, info, sizeof(h));
        return HASHLIMIT_COMMON(m, pool, h);
}

static int decode_hashlimit3(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_hashlimit_mtinfo3 h;
        memcpy(&h, info, sizeof(h));
        m->u.hashlimit.interval = h.cfg.interval;
        return HASHLIMIT_COMMON(m, pool, h);
}

static int decode_set_info(XtMatch *m, const struct xt_set_info *s) {
        /* set_match_v1_checkentry(): at most IPSET_DIM_MAX dimensions */
        if (s->dim > IPSET_DIM_MAX)
                return -EINVAL;
        m->u.set.index = s->index;
        m->u.set.dim = s->dim;
        m->u.set.flags = s->flags;
        return 0;
}

/* rev 1 and 2 share xt_set_info_match_v1; 2 added --return-nomatch */
static int decode_set1(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_set_info_match_v1 s;
        memcpy(&s, info, sizeof(s));
        return decode_set_info(m, &s.match_set);
}

static int decode_set3(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_set_info_match_v3 s;
        memcpy(&s, info, sizeof(s));
        m->u.set.match_flags = s.flags;
        m->u.set.packets_op = s.packets.op;
        m->u.set.packets = s.packets.value;
        m->u.set.bytes_op = s.bytes.op;
        m->u.set.bytes = s.bytes.value;
        return decode_set_info(m, &s.match_set);
}

static int decode_set4(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_set_info_match_v4 s;
        memcpy(&s, info, sizeof(s));
        m->u.set.match_flags = s.flags;
        m->u.set.packets_op = s.packets.op;
        m->u.set.packets = s.packets.value;
        m->u.set.bytes_op = s.bytes.op;
        m->u.set.bytes = s.bytes.value;
        return decode_set_info(m, &s.match_set);
}

static int decode_addrtype1(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_addrtype_info_v1 a;
        memcpy(&a, info, sizeof(a));
        /* addrtype_mt_checkentry_v1(): not both interface limits */
        if ((a.flags & XT_ADDRTYPE_LIMIT_IFACE_IN) && (a.flags & XT_ADDRTYPE_LIMIT_IFACE_OUT))
                return -EINVAL;
        m->u.addrtype.source = a.source;
        m->u.addrtype.dest = a.dest;
        m->u.addrtype.flags = a.flags;
        return 0;
}

static int decode_icmp(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct ipt_icmp i;
        memcpy(&i, info, sizeof(i));
        m->u.icmp.type = i.type;
        m->u.icmp.code[0] = i.code[0];
        m->u.icmp.code[1] = i.code[1];
        m->u.icmp.invert = i.invflags;
        return 0;
}

static int decode_icmp6(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct ip6t_icmp i;
        memcpy(&i, info, sizeof(i));
        m->u.icmp.type = i.type;
        m->u.icmp.code[0] = i.code[0];
        m->u.icmp.code[1] = i.code[1];
        m->u.icmp.invert = i.invflags;
        return 0;
}

static int decode_mac(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_mac_info mi;
        memcpy(&mi, info, sizeof(mi));
        memcpy(m->u.mac.addr, mi.srcaddr, sizeof(m->u.mac.addr));
        m->u.mac.invert = mi.invert != 0;
        return 0;
}

static int decode_rpfilter(XtMatch *m, _unused_ XtPool *pool, const void *info) {
        struct xt_rpfilter_info r;
        memcpy(&r, info, sizeof(r));
        /* rpfilter_check(): no other option bits (the kernel's
         * XT_RPFILTER_OPTION_MASK, not in the uapi header) */
        if (r.flags & ~(XT_RPFILTER_LOOSE | XT_RPFILTER_VALID_MARK | XT_RPFILTER_ACCEPT_LOCAL | XT_RPFILTER_INVERT))
                return -EINVAL;
        m->u.rpfilter.flags = r.flags;
        return 0;
}

#define ANY_FAMILY 0

typedef struct MatchType {
        const char *name;
        uint8_t rev;
        uint8_t family;         /* NFPROTO_*, ANY_FAMILY */
        XtMatchKind kind;
        size_t size;
        MatchDecoder decode;
} MatchType;

static const MatchType match_types[] = {
        { "tcp",       0, ANY_FAMILY,   XTM_TCP,       sizeof(struct xt_tcp),                decode_tcp },
        { "udp",       0, ANY_FAMILY,   XTM_UDP,       sizeof(struct xt_udp),                decode_udp },
        { "multiport", 0, ANY_FAMILY,   XTM_MULTIPORT, sizeof(struct xt_multiport),          decode_multiport0 },
        { "multiport", 1, ANY_FAMILY,   XTM_MULTIPORT, sizeof(struct xt_multiport_v1),       decode_multiport1 },
        { "conntrack", 1, ANY_FAMILY,   XTM_CONNTRACK, sizeof(struct xt_conntrack_mtinfo1),  decode_conntrack1 },
        { "conntrack", 2, ANY_FAMILY,   XTM_CONNTRACK, sizeof(struct xt_conntrack_mtinfo2),  decode_conntrack2 },
        { "conntrack", 3, ANY_FAMILY,   XTM_CONNTRACK, sizeof(struct xt_conntrack_mtinfo3),  decode_conntrack3 },
        { "state",     0, ANY_FAMILY,   XTM_STATE,     sizeof(struct xt_state_info),         decode_state },
        { "iprange",   1, ANY_FAMILY,   XTM_IPRANGE,   sizeof(struct xt_iprange_mtinfo),     decode_iprange },
        { "comment",   0, ANY_FAMILY,   XTM_COMMENT,   sizeof(struct xt_comment_info),       decode_comment },
        { "mark",      1, ANY_FAMILY,   XTM_MARK,      sizeof(struct xt_mark_mtinfo1),       decode_mark },
        { "limit",     0, ANY_FAMILY,   XTM_LIMIT,     sizeof(struct xt_rateinfo),           decode_limit },
        { "recent",    0, ANY_FAMILY,   XTM_RECENT,    sizeof(struct xt_recent_mtinfo),      decode_recent0 },
        { "recent",    1, ANY_FAMILY,   XTM_RECENT,    sizeof(struct xt_recent_mtinfo_v1),   decode_recent1 },
        { "hashlimit", 1, ANY_FAMILY,   XTM_HASHLIMIT, sizeof(struct xt_hashlimit_mtinfo1),  decode_hashlimit1 },
        { "hashlimit", 2, ANY_FAMILY,   XTM_HASHLIMIT, sizeof(struct xt_hashlimit_mtinfo2),  decode_hashlimit2 },
        { "hashlimit", 3, ANY_FAMILY,   XTM_HASHLIMIT, sizeof(struct xt_hashlimit_mtinfo3),  decode_hashlimit3 },
        { "set",       1, ANY_FAMILY,   XTM_SET,       sizeof(struct xt_set_info_match_v1),  decode_set1 },
        { "set",       2, ANY_FAMILY,   XTM_SET,       sizeof(struct xt_set_info_match_v1),  decode_set1 },
        { "set",       3, ANY_FAMILY,   XTM_SET,       sizeof(struct xt_set_info_match_v3),  decode_set3 },
        { "set",       4, ANY_FAMILY,   XTM_SET,       sizeof(struct xt_set_info_match_v4),  decode_set4 },
        { "addrtype",  1, ANY_FAMILY,   XTM_ADDRTYPE,  sizeof(struct xt_addrtype_info_v1),   decode_addrtype1 },
        { "icmp",      0, NFPROTO_IPV4, XTM_ICMP,      sizeof(struct ipt_icmp),              decode_icmp },
        { "icmp6",     0, NFPROTO_IPV6, XTM_ICMP6,     sizeof(struct ip6t_icmp),             decode_icmp6 },
        { "mac",       0, ANY_FAMILY,   XTM_MAC,       sizeof(struct xt_mac_info),           decode_mac },
        { "rpfilter",  0, ANY_FAMILY,   XTM_RPFILTER,  sizeof(struct xt_rpfilter_info),      decode_rpfilter },
};

static bool family_ok(int family) {
        return family == NFPROTO_IPV4 || family == NFPROTO_IPV6;
}

static int unknown_ext_set(XtUnknownExt *u, XtPool *pool, const char *name, uint32_t rev, size_t len) {
        u->rev = rev;
        u->len = len > UINT32_MAX ? UINT32_MAX : (uint32_t) len;
        u->name_off = pool_add_str(pool, name, XT_EXTENSION_MAXNAMELEN);
        return u->name_off ? 0 : -ENOMEM;
}

int xt_match_decode(XtMatch *ret, XtPool *pool, int family, const char *name, uint32_t rev,
                    const void *info, size_t len) {
        XtMatch m;

        /* padding included, so that equal extensions compare equal bytewise */
        memset(&m, 0, sizeof(m));
        m.family = (uint8_t) family;
        m.rev = (uint8_t) rev;
        if (!name)
                name = "";
        if (family_ok(family) && rev <= UINT8_MAX && (info || len == 0))
                for (size_t i = 0; i < sizeof(match_types) / sizeof(match_types[0]); i++) {
                        const MatchType *t = &match_types[i];
                        if (t->rev != rev || strcmp(t->name, name) != 0)
                                continue;
                        if ((t->family != ANY_FAMILY && t->family != family) || !blob_size_ok(len, t->size))
                                break;
                        m.kind = t->kind;
                        int r = t->decode(&m, pool, info);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                break;
                        *ret = m;
                        return 0;
                }

        /* unknown: keep what identifies it */
        memset(&m, 0, sizeof(m));
        m.kind = XTM_UNKNOWN;
        m.family = (uint8_t) family;
        m.rev = (uint8_t) rev;
        if (unknown_ext_set(&m.u.unknown, pool, name, rev, len) < 0)
                return -ENOMEM;
        *ret = m;
        return 0;
}

const char *xt_match_name(const XtMatch *m, const XtPool *pool) {
        if (m->kind == XTM_UNKNOWN) {
                const char *n = xt_pool_get(pool, m->u.unknown.name_off);
                return n ? n : "";
        }
        for (size_t i = 0; i < sizeof(match_types) / sizeof(match_types[0]); i++)
                if (match_types[i].kind == m->kind)
                        return match_types[i].name;
        return "";
}

/* ---- targets ---- */

typedef int (*TargetDecoder)(XtTarget *t, XtPool *pool, const void *info);

static int decode_standard(XtTarget *t, _unused_ XtPool *pool, _unused_ const void *info) {
        int v;
        memcpy(&v, info, sizeof(v));
        /* the verdicts a standard target may carry (standard_check() in
         * x_tables.c: a jump offset >= 0, or -NF_MAX_VERDICT-1 .. -1) */
        if (v < -NF_MAX_VERDICT - 1)
                return -EINVAL;
        t->u.standard.verdict = v;
        return 0;
}

static int decode_error(XtTarget *t, _unused_ XtPool *pool, _unused_ const void *info) {
        t->u.error.name_off = pool_add_str(pool, info, XT_FUNCTION_MAXNAMELEN);
        return t->u.error.name_off ? 0 : -ENOMEM;
}

static int decode_reject4(XtTarget *t, _unused_ XtPool *pool, _unused_ const void *info) {
        struct ipt_reject_info r;
        memcpy(&r, info, sizeof(r));
        /* reject_tg_check(): ECHOREPLY is refused, TCP_RESET needs -p tcp */
        if (r.with == IPT_ICMP_ECHOREPLY || r.with > IPT_ICMP_ADMIN_PROHIBITED)
                return -EINVAL;
        t->u.reject.with = r.with;
        return 0;
}

static int decode_reject6(XtTarget *t, _unused_ XtPool *pool, _unused_ const void *info) {
        struct ip6t_reject_info r;
        memcpy(&r, info, sizeof(r));
        if (r.with == IP6T_ICMP6_ECHOREPLY || r.with > IP6T_ICMP6_REJECT_ROUTE)
                return -EINVAL;
        t->u.reject.with = r.with;
        return 0;
}

static int decode_log(XtTarget *t, _unused_ XtPool *pool, _unused_ const void *info) {
        struct xt_log_info l;
        memcpy(&l, info, sizeof(l));
        t->u.log.level = l.level;
        t->u.log.logflags = l.logflags;
        t->u.log.prefix_off = pool_add_str(pool, l.prefix, sizeof(l.prefix));
        return t->u.log.prefix_off ? 0 : -ENOMEM;
}

static int decode_nflog(XtTarget *t, _unused_ XtPool *pool, _unused_ const void *info) {
        struct xt_nflog_info n;
        memcpy(&n, info, sizeof(n));
        t->u.nflog.len = n.len;
        t->u.nflog.group = n.group;
        t->u.nflog.threshold = n.threshold;
        t->u.nflog.flags = n.flags;
        t->u.nflog.prefix_off = pool_add_str(pool, n.prefix, sizeof(n.prefix));
        return t->u.nflog.prefix_off ? 0 : -ENOMEM;
}

static int decode_mark2(XtTarget *t, _unused_ XtPool *pool, _unused_ const void *info) {
        struct xt_mark_tginfo2 mk;
        memcpy(&mk, info, sizeof(mk));
        t->u.mark.mark = mk.mark;
        t->u.mark.mask = mk.mask;
        return 0;
}

static int decode_connmark1(XtTarget *t, _unused_ XtPool *pool, _unused_ const void *info) {
        struct xt_connmark_tginfo1 c;
        memcpy(&c, info, sizeof(c));
        if (c.mode > XT_CONNMARK_RESTORE)
                return -EINVAL;
        t->u.connmark.ctmark = c.ctmark;
        t->u.connmark.ctmask = c.ctmask;
        t->u.connmark.nfmask = c.nfmask;
        t->u.connmark.mode = c.mode;
        return 0;
}

static int decode_connmark2(XtTarget *t, _unused_ XtPool *pool, _unused_ const void *info) {
        struct xt_connmark_tginfo2 c;
        memcpy(&c, info, sizeof(c));
        if (c.mode > XT_CONNMARK_RESTORE)
                return -EINVAL;
        t->u.connmark.ctmark = c.ctmark;
        t->u.connmark.ctmask = c.ctmask;
        t->u.connmark.nfmask = c.nfmask;
        t->u.connmark.mode = c.mode;
        t->u.connmark.shift_dir = c.shift_dir;
        t->u.connmark.shift_bits = c.shift_bits;
        return 0;
}

/* IPv4-only revision 0 of DNAT, SNAT, REDIRECT, MASQUERADE: exactly one
 * range (xt_nat_checkentry_v0, masquerade_tg_check, redirect_tg4_check). */
static int decode_nat_compat(XtTarget *t, const void *info) {
        struct nf_nat_ipv4_multi_range_compat mr;
        memcpy(&mr, info, sizeof(mr));
        if (mr.rangesize != 1)
                return -EINVAL;
        const struct nf_nat_ipv4_range *r = &mr.range[0];
        t->u.nat.flags = r->flags;
        memcpy(t->u.nat.min_addr, &r->min_ip, 4);
        memcpy(t->u.nat.max_addr, &r->max_ip, 4);
        t->u.nat.min_port = ntohs(r->min.all);
        t->u.nat.max_port = ntohs(r->max.all);
        return 0;
}

static void decode_nat_range(XtTarget *t, const struct nf_nat_range *r) {
        t->u.nat.flags = r->flags;
        memcpy(t->u.nat.min_addr, &r->min_addr, 16);
        memcpy(t->u.nat.max_addr, &r->max_addr, 16);
        t->u.nat.min_port = ntohs(r->min_proto.all);
        t->u.nat.max_port = ntohs(r->max_proto.all);
}

static int decode_nat1(XtTarget *t, const void *info) {
        struct nf_nat_range r;
        memcpy(&r, info, sizeof(r));
        decode_nat_range(t, &r);
        return 0;
}

static int decode_nat2(XtTarget *t, const void *info) {
        struct nf_nat_range2 r2;
        struct nf_nat_range r;
        memcpy(&r2, info, sizeof(r2));
        memcpy(&r, &r2, sizeof(r));
        decode_nat_range(t, &r);
        t->u.nat.base_port = ntohs(r2.base_proto.all);
        return 0;
}

static int decode_nat_compat_v4(XtTarget *t, _unused_ XtPool *pool, _unused_ const void *info) {
        return decode_nat_compat(t, info);
}

static int decode_nat_range1(XtTarget *t, _unused_ XtPool *pool, _unused_ const void *info) {
        return decode_nat1(t, info);
}

static int decode_nat_range2(XtTarget *t, _unused_ XtPool *pool, _unused_ const void *info) {
        return decode_nat2(t, info);
}

static int decode_tcpmss(XtTarget *t, _unused_ XtPool *pool, _unused_ const void *info) {
        struct xt_tcpmss_info i;
        memcpy(&i, info, sizeof(i));
        t->u.tcpmss.mss = i.mss;
        return 0;
}

static int decode_ct0(XtTarget *t, _unused_ XtPool *pool, _unused_ const void *info) {
        struct xt_ct_target_info c;
        memcpy(&c, info, sizeof(c));
        t->u.ct.flags = c.flags;
        t->u.ct.zone = c.zone;
        if (c.helper[0]) {
                t->u.ct.helper_off = pool_add_str(pool, c.helper, sizeof(c.helper));
                if (!t->u.ct.helper_off)
                        return -ENOMEM;
        }
        return 0;
}

static int decode_ct1(XtTarget *t, _unused_ XtPool *pool, _unused_ const void *info) {
        struct xt_ct_target_info_v1 c;
        memcpy(&c, info, sizeof(c));
        t->u.ct.flags = c.flags;
        t->u.ct.zone = c.zone;
        if (c.helper[0]) {
                t->u.ct.helper_off = pool_add_str(pool, c.helper, sizeof(c.helper));
                if (!t->u.ct.helper_off)
                        return -ENOMEM;
        }
        if (c.timeout[0]) {
                t->u.ct.timeout_off = pool_add_str(pool, c.timeout, sizeof(c.timeout));
                if (!t->u.ct.timeout_off)
                        return -ENOMEM;
        }
        return 0;
}

static int decode_notrack(XtTarget *t, _unused_ XtPool *pool, _unused_ const void *info) {
        t->u.ct.flags = XT_CT_NOTRACK;
        return 0;
}

typedef struct TargetType {
        const char *name;
        uint8_t rev;
        uint8_t family;
        XtTargetKind kind;
        size_t size;
        TargetDecoder decode;
} TargetType;

static const TargetType target_types[] = {
        { XT_STANDARD_TARGET, 0, ANY_FAMILY, XTT_STANDARD, sizeof(int),                          decode_standard },
        { XT_ERROR_TARGET,    0, ANY_FAMILY, XTT_ERROR,    XT_FUNCTION_MAXNAMELEN,               decode_error },
        { "REJECT",     0, NFPROTO_IPV4, XTT_REJECT,   sizeof(struct ipt_reject_info),           decode_reject4 },
        { "REJECT",     0, NFPROTO_IPV6, XTT_REJECT,   sizeof(struct ip6t_reject_info),          decode_reject6 },
        { "LOG",        0, ANY_FAMILY,   XTT_LOG,      sizeof(struct xt_log_info),               decode_log },
        { "NFLOG",      0, ANY_FAMILY,   XTT_NFLOG,    sizeof(struct xt_nflog_info),             decode_nflog },
        { "MARK",       2, ANY_FAMILY,   XTT_MARK,     sizeof(struct xt_mark_tginfo2),           decode_mark2 },
        { "CONNMARK",   1, ANY_FAMILY,   XTT_CONNMARK, sizeof(struct xt_connmark_tginfo1),       decode_connmark1 },
        { "CONNMARK",   2, ANY_FAMILY,   XTT_CONNMARK, sizeof(struct xt_connmark_tginfo2),       decode_connmark2 },
        { "DNAT",       0, NFPROTO_IPV4, XTT_NAT,      sizeof(struct nf_nat_ipv4_multi_range_compat), decode_nat_compat_v4 },
        { "DNAT",       1, ANY_FAMILY,   XTT_NAT,      sizeof(struct nf_nat_range),              decode_nat_range1 },
        { "DNAT",       2, ANY_FAMILY,   XTT_NAT,      sizeof(struct nf_nat_range2),             decode_nat_range2 },
        { "SNAT",       0, NFPROTO_IPV4, XTT_NAT,      sizeof(struct nf_nat_ipv4_multi_range_compat), decode_nat_compat_v4 },
        { "SNAT",       1, ANY_FAMILY,   XTT_NAT,      sizeof(struct nf_nat_range),              decode_nat_range1 },
        { "SNAT",       2, ANY_FAMILY,   XTT_NAT,      sizeof(struct nf_nat_range2),             decode_nat_range2 },
        { "REDIRECT",   0, NFPROTO_IPV4, XTT_NAT,      sizeof(struct nf_nat_ipv4_multi_range_compat), decode_nat_compat_v4 },
        { "REDIRECT",   0, NFPROTO_IPV6, XTT_NAT,      sizeof(struct nf_nat_range),              decode_nat_range1 },
        { "MASQUERADE", 0, NFPROTO_IPV4, XTT_NAT,      sizeof(struct nf_nat_ipv4_multi_range_compat), decode_nat_compat_v4 },
        { "MASQUERADE", 0, NFPROTO_IPV6, XTT_NAT,      sizeof(struct nf_nat_range),              decode_nat_range1 },
        { "TCPMSS",     0, ANY_FAMILY,   XTT_TCPMSS,   sizeof(struct xt_tcpmss_info),            decode_tcpmss },
        { "CT",         0, ANY_FAMILY,   XTT_CT,       sizeof(struct xt_ct_target_info),         decode_ct0 },
        { "CT",         1, ANY_FAMILY,   XTT_CT,       sizeof(struct xt_ct_target_info_v1),      decode_ct1 },
        { "CT",         2, ANY_FAMILY,   XTT_CT,       sizeof(struct xt_ct_target_info_v1),      decode_ct1 },
        { "NOTRACK",    0, ANY_FAMILY,   XTT_CT,       0,                                        decode_notrack },
};

static const char *const nat_names[] = {
        [XT_NAT_DNAT] = "DNAT", [XT_NAT_SNAT] = "SNAT",
        [XT_NAT_REDIRECT] = "REDIRECT", [XT_NAT_MASQUERADE] = "MASQUERADE",
};

int xt_target_decode(XtTarget *ret, XtPool *pool, int family, const char *name, uint32_t rev,
                     const void *info, size_t len) {
        XtTarget t;

        memset(&t, 0, sizeof(t));
        t.family = (uint8_t) family;
        t.rev = (uint8_t) rev;
        if (!name)
                name = "";
        if (family_ok(family) && rev <= UINT8_MAX && (info || len == 0))
                for (size_t i = 0; i < sizeof(target_types) / sizeof(target_types[0]); i++) {
                        const TargetType *tt = &target_types[i];
                        if (tt->rev != rev || strcmp(tt->name, name) != 0)
                                continue;
                        if (tt->family != ANY_FAMILY && tt->family != family)
                                continue;       /* REJECT, REDIRECT...: per-family entries */
                        if (!blob_size_ok(len, tt->size))
                                break;
                        t.kind = tt->kind;
                        if (t.kind == XTT_NAT)
                                for (uint8_t n = 0; n < sizeof(nat_names) / sizeof(nat_names[0]); n++)
                                        if (strcmp(nat_names[n], name) == 0)
                                                t.u.nat.type = n;
                        int r = tt->decode(&t, pool, info);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                break;
                        *ret = t;
                        return 0;
                }

        memset(&t, 0, sizeof(t));
        t.kind = XTT_UNKNOWN;
        t.family = (uint8_t) family;
        t.rev = (uint8_t) rev;
        if (unknown_ext_set(&t.u.unknown, pool, name, rev, len) < 0)
                return -ENOMEM;
        *ret = t;
        return 0;
}

const char *xt_target_name(const XtTarget *t, const XtPool *pool) {
        switch (t->kind) {
        case XTT_UNKNOWN: {
                const char *n = xt_pool_get(pool, t->u.unknown.name_off);
                return n ? n : "";
        }
        case XTT_NAT:
                return t->u.nat.type < sizeof(nat_names) / sizeof(nat_names[0]) ? nat_names[t->u.nat.type] : "";
        default:
                for (size_t i = 0; i < sizeof(target_types) / sizeof(target_types[0]); i++)
                        if (target_types[i].kind == t->kind)
                                return target_types[i].name;
                return "";
        }
}

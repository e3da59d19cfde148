/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * x_tables extensions: the binary structs that iptables keeps in its rules
 * (iptables-legacy: ipt_entry_match/ipt_entry_target data; iptables-nft:
 * NFTA_MATCH_INFO / NFTA_TARGET_INFO of the nft "match"/"target" compat
 * expressions), decoded into compact values, judged against a probe packet
 * exactly as the kernel's match/target functions would, and printed the way
 * `nft list ruleset` prints them.
 *
 * Pure: no I/O, no globals.  Blobs are hostile input: every length is
 * checked against the kernel's struct for that name and revision before a
 * byte is read; anything else decodes as XTM_UNKNOWN / XTT_UNKNOWN with its
 * name and revision kept, never as a guess.
 *
 * Memory: an XtMatch or XtTarget is a fixed 48-byte value with no pointer;
 * what is large and rare (names, comments, log prefixes, conntrack and
 * iprange addresses) lives in an XtPool, addressed by offset (0: none).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the byte pool ---- */

typedef struct XtPool {
        uint8_t *data;          /* offset 0 is reserved: "none" */
        size_t len, allocated;
} XtPool;

void xt_pool_done(XtPool *pool);

static inline const void *xt_pool_get(const XtPool *pool, uint32_t off) {
        return off && pool && off < pool->len ? pool->data + off : NULL;
}

/* ---- decoded matches ---- */

/* An extension the decoders do not know (or whose blob they refused):
 * what identifies it, for messages and rendering. */
typedef struct XtUnknownExt {
        uint32_t name_off, rev, len;
} XtUnknownExt;

typedef enum XtMatchKind {
        XTM_UNKNOWN,            /* name (pool), rev and the blob length kept */
        XTM_TCP,
        XTM_UDP,
        XTM_MULTIPORT,          /* rev 0 and 1 */
        XTM_CONNTRACK,          /* rev 1, 2, 3 */
        XTM_STATE,
        XTM_IPRANGE,            /* rev 1 */
        XTM_COMMENT,
        XTM_MARK,               /* rev 1 */
        XTM_LIMIT,
        XTM_RECENT,             /* rev 0, 1 */
        XTM_HASHLIMIT,          /* rev 1, 2, 3 */
        XTM_SET,                /* rev 1..4 */
        XTM_ADDRTYPE,           /* rev 1 */
        XTM_ICMP,
        XTM_ICMP6,
        XTM_MAC,
        XTM_RPFILTER,           /* rev 0 */
        _XTM_KIND_MAX,
} XtMatchKind;

/* XtMatch.u.conntrack.addr_off points at the addresses present, in this
 * order, each as 16 bytes of address then 16 of mask: origsrc, origdst,
 * replsrc, repldst (only those whose XT_CONNTRACK_* flag is set). */
typedef struct XtMatch {
        uint8_t kind;           /* XtMatchKind */
        uint8_t family;         /* NFPROTO_IPV4 / NFPROTO_IPV6 */
        uint8_t rev;
        uint8_t pad_;
        union {
                XtUnknownExt unknown;
                /* host byte order; invflags XT_TCP_INV_* / XT_UDP_INV_* */
                struct { uint16_t spts[2], dpts[2]; uint8_t option, flg_mask, flg_cmp, invflags; } tcp;
                struct { uint16_t spts[2], dpts[2]; uint8_t invflags; } udp;
                /* flags XT_MULTIPORT_SOURCE/DESTINATION/EITHER; bit i of
                 * pflags: ports[i] starts a range ending at ports[i+1] */
                struct { uint8_t flags, count, invert; uint16_t pflags; uint16_t ports[15]; } multiport;
                /* state_mask in XT_CONNTRACK_STATE_* bits, status_mask in
                 * IPS_* bits; ports in host order, [lo, hi] */
                struct {
                        uint16_t match_flags, invert_flags, state_mask, status_mask, l4proto;
                        uint16_t origsrc_port[2], origdst_port[2], replsrc_port[2], repldst_port[2];
                        uint32_t expires_min, expires_max, addr_off;
                } conntrack;
                struct { uint32_t statemask; } state;   /* XT_STATE_* bits */
                /* flags IPRANGE_*; addr_off: src_min, src_max, dst_min,
                 * dst_max, 16 bytes each (always all four) */
                struct { uint8_t flags; uint32_t addr_off; } iprange;
                struct { uint32_t text_off; } comment;
                struct { uint32_t mark, mask; uint8_t invert; } mark;
                /* avg: XT_LIMIT_SCALE (10000) x seconds between packets */
                struct { uint32_t avg, burst; } limit;
                /* check_set XT_RECENT_*; side XT_RECENT_SOURCE/DEST; mask
                 * all ones in rev 0 */
                struct { uint32_t seconds, hit_count, name_off; uint8_t check_set, invert, side;
                         uint8_t mask[16]; } recent;
                /* mode XT_HASHLIMIT_HASH_* | XT_HASHLIMIT_INVERT/BYTES/
                 * RATE_MATCH; avg scale: rev 1 XT_HASHLIMIT_SCALE, rev 2/3
                 * XT_HASHLIMIT_SCALE_v2 */
                struct { uint64_t avg, burst; uint32_t mode, expire, interval, name_off;
                         uint8_t srcmask, dstmask; } hashlimit;
                /* flags of xt_set_info: IPSET_INV_MATCH, IPSET_DIM_*_SRC,
                 * IPSET_RETURN_NOMATCH; counter ops IPSET_COUNTER_* (rev 3+) */
                struct { uint16_t index; uint8_t dim, flags; uint32_t match_flags;
                         uint8_t packets_op, bytes_op; uint64_t packets, bytes; } set;
                /* masks of 1 << RTN_*; flags XT_ADDRTYPE_INVERT_* / LIMIT_IFACE_* */
                struct { uint16_t source, dest; uint32_t flags; } addrtype;
                /* type 0xff: any; invert IPT_ICMP_INV / IP6T_ICMP_INV */
                struct { uint8_t type, code[2], invert; } icmp;
                struct { uint8_t addr[6]; uint8_t invert; } mac;
                struct { uint8_t flags; } rpfilter;     /* XT_RPFILTER_* */
        } u;
} XtMatch;

/* ---- decoded targets ---- */

typedef enum XtTargetKind {
        XTT_UNKNOWN,            /* name (pool), rev and the blob length kept */
        XTT_STANDARD,           /* legacy "" target: a verdict or a jump offset */
        XTT_ERROR,              /* legacy chain head / end of table */
        XTT_REJECT,
        XTT_LOG,
        XTT_NFLOG,
        XTT_MARK,               /* rev 2 */
        XTT_CONNMARK,           /* rev 1, 2 */
        XTT_NAT,                /* DNAT, SNAT, REDIRECT, MASQUERADE */
        XTT_TCPMSS,
        XTT_CT,                 /* CT rev 0..2, NOTRACK */
        _XTT_KIND_MAX,
} XtTargetKind;

typedef enum XtNatType {
        XT_NAT_DNAT,
        XT_NAT_SNAT,
        XT_NAT_REDIRECT,
        XT_NAT_MASQUERADE,
} XtNatType;

typedef struct XtTarget {
        uint8_t kind;           /* XtTargetKind */
        uint8_t family;
        uint8_t rev;
        uint8_t pad_;
        union {
                XtUnknownExt unknown;
                /* < 0: -NF_*-1 or XT_RETURN; >= 0: offset of the jump's
                 * target entry in the legacy table */
                struct { int32_t verdict; } standard;
                struct { uint32_t name_off; } error;
                /* with: enum ipt_reject_with (IPv4) or ip6t_reject_with */
                struct { uint32_t with; } reject;
                struct { uint8_t level, logflags; uint32_t prefix_off; } log;
                struct { uint32_t len, prefix_off; uint16_t group, threshold, flags; } nflog;
                /* new mark = (mark & ~mask) ^ value */
                struct { uint32_t mark, mask; } mark;
                struct { uint32_t ctmark, ctmask, nfmask; uint8_t mode, shift_dir, shift_bits; } connmark;
                /* flags NF_NAT_RANGE_*; ports host order; base_port:
                 * NF_NAT_RANGE_PROTO_OFFSET (rev 2) */
                struct { uint8_t type; uint16_t min_port, max_port, base_port; uint32_t flags;
                         uint8_t min_addr[16], max_addr[16]; } nat;
                struct { uint16_t mss; } tcpmss;        /* XT_TCPMSS_CLAMP_PMTU: clamp */
                struct { uint16_t flags, zone; uint32_t helper_off, timeout_off; } ct;
        } u;
} XtTarget;

_Static_assert(sizeof(XtMatch) <= 48, "XtMatch must stay small");
_Static_assert(sizeof(XtTarget) <= 48, "XtTarget must stay small");

/* Decodes one extension blob.  `family` is NFPROTO_IPV4 or NFPROTO_IPV6 (the
 * table's family; IPv4-only or IPv6-only layouts decode only there).  A
 * name, revision or length the kernel would not accept for that family
 * gives kind XTM_UNKNOWN / XTT_UNKNOWN, still returning 0.  `len` is the
 * blob's length as the kernel reports it: the XT_ALIGN()ed struct size, or
 * anything from the struct's own size up to that (nft_compat aligns the
 * attribute's length before checking it).  The value is zeroed first,
 * padding included, so equal extensions compare equal with memcmp() (the
 * pool offsets aside).  Returns 0 or -ENOMEM (pool growth). */
int xt_match_decode(XtMatch *ret, XtPool *pool, int family, const char *name, uint32_t rev,
                    const void *info, size_t len);
int xt_target_decode(XtTarget *ret, XtPool *pool, int family, const char *name, uint32_t rev,
                     const void *info, size_t len);

/* The extension's name as iptables spells it ("conntrack", "REJECT", ""
 * for the standard target), the unknown ones' from the pool. */
const char *xt_match_name(const XtMatch *m, const XtPool *pool);
const char *xt_target_name(const XtTarget *t, const XtPool *pool);

/* ---- judging a probe ---- */

typedef enum XtCtState {
        XT_CT_NEW,              /* the usual probe: a first SYN */
        XT_CT_ESTABLISHED,
        XT_CT_RELATED,
        XT_CT_INVALID,          /* no conntrack entry */
        XT_CT_UNTRACKED,        /* notrack'ed earlier (CT --notrack) */
} XtCtState;

/* The packet being judged, and what the caller knows about it.  Addresses
 * in network order (IPv4 in the first 4 bytes), ports and marks in host
 * order. */
typedef struct XtProbe {
        int family;             /* NFPROTO_IPV4 / NFPROTO_IPV6 */
        uint8_t saddr[16], daddr[16];
        uint8_t l4proto;        /* IPPROTO_* */
        uint16_t sport, dport;
        uint8_t tcp_flags;      /* TCP header byte 13: SYN is 0x02 */
        uint8_t icmp_type, icmp_code;
        char iifname[16];       /* kept for callers; no decoded extension reads it yet */
        uint32_t mark, ct_mark;
        XtCtState ct_state;
        /* conntrack's original tuple keeps the destination before DNAT:
         * when dnat is set, orig_daddr/orig_dport are what the client
         * addressed and daddr/dport where it is going now */
        bool dnat;
        uint8_t orig_daddr[16];
        uint16_t orig_dport;
        /* addrtype facts: masks of 1 << RTN_* (XT_ADDRTYPE_*) that hold for
         * the address (IPv4: exactly one bit); 0 means not known.  The
         * *_iif variants are for --limit-iface-in (types on the input
         * interface only). */
        uint16_t saddr_types, daddr_types, saddr_types_iif, daddr_types_iif;
        bool have_src_mac;
        uint8_t src_mac[6];
} XtProbe;

typedef enum XtResult {
        XT_RESULT_NO_MATCH,
        XT_RESULT_MATCH,
        XT_RESULT_UNKNOWN,      /* not decidable from the probe (set membership, unknown extension, ...) */
        XT_RESULT_HISTORY,      /* depends on earlier packets (limit, hashlimit, recent): rate-limited */
} XtResult;

/* Judges the match for the probe.  For XT_RESULT_HISTORY, *ret_fresh (may
 * be NULL) says what it answers when the history is empty, e.g. for the
 * first packet after the ruleset was loaded: limit matches, recent --rcheck
 * does not; XT_RESULT_UNKNOWN when even that is not known.  Otherwise
 * *ret_fresh is the result itself. */
XtResult xt_match_eval(const XtMatch *m, const XtPool *pool, const XtProbe *p, XtResult *ret_fresh);

/* What ipset answers for the probe's element of set u.set.index, asked by
 * the caller: absent, present, or present flagged nomatch (hash:net and
 * the other types with nomatch support report those as absent). */
typedef enum XtSetMember {
        XT_SET_ABSENT,
        XT_SET_MEMBER,
        XT_SET_MEMBER_NOMATCH,
} XtSetMember;

/* The set match's answer given that membership (ip_set_test() and the
 * match's inversion); `type_has_nomatch`: the set's type supports nomatch
 * elements, without which --return-nomatch changes nothing.  Packet/byte
 * counter conditions (rev 3+) on a member give XT_RESULT_HISTORY. */
XtResult xt_set_match_result(const XtMatch *m, XtSetMember member, bool type_has_nomatch);

typedef enum XtVerdictKind {
        XT_VERDICT_UNKNOWN,     /* unknown target: may do anything */
        XT_VERDICT_CONTINUE,    /* next rule (LOG, NFLOG, MARK, CONNMARK, CT, TCPMSS) */
        XT_VERDICT_ACCEPT,
        XT_VERDICT_DROP,
        XT_VERDICT_REJECT,      /* dropped, the client is told (ICMP error or TCP reset) */
        XT_VERDICT_QUEUE,       /* handed to user space: outcome unknown */
        XT_VERDICT_JUMP,        /* legacy: jump to the entry at XtVerdict.jump */
        XT_VERDICT_RETURN,
        XT_VERDICT_NAT,         /* nat chains: addresses/ports changed, then accept */
        XT_VERDICT_ERROR,       /* legacy ERROR entry: the kernel drops a packet reaching it */
} XtVerdictKind;

/* what an XtVerdict changed in the probe, and what it could not know */
#define XT_CHANGED_SADDR   0x01u
#define XT_CHANGED_SPORT   0x02u
#define XT_CHANGED_DADDR   0x04u
#define XT_CHANGED_DPORT   0x08u
#define XT_CHANGED_MARK    0x10u
#define XT_CHANGED_CTMARK  0x20u
#define XT_CHANGED_CTSTATE 0x40u

typedef struct XtVerdict {
        XtVerdictKind kind;
        uint8_t changed;        /* XT_CHANGED_* applied to the probe */
        uint8_t uncertain;      /* XT_CHANGED_* whose new value is not known
                                 * (a range, the interface's address...) */
        int32_t jump;           /* XT_VERDICT_JUMP: legacy entry offset */
        bool tcp_reset;         /* XT_VERDICT_REJECT: with a TCP reset (else ICMP) */
} XtVerdict;

/* Judges the target for the probe and applies its effect to it (new mark,
 * DNAT/REDIRECT destination port and address, notrack...). */
XtVerdict xt_target_eval(const XtTarget *t, const XtPool *pool, XtProbe *p);

/* ---- rendering ---- */

/* Writes the text `nft list ruleset` (nftables 1.0.6 with its xtables
 * translation, iptables 1.8.9) prints for the compat expression, e.g.
 * "tcp dport { 22, 80 }" or "ct state new" or "xt match recent".
 * `l4proto` is the rule's protocol (`-p`), needed by port matches; 0 when
 * the rule has none.  The translations are nft's own, lossy ones included
 * (`! --ports` prints no "!=", `--ctstate NEW,DNAT` prints "ct status
 * dnat"): this is evidence text, not a re-statement of what matches.
 * Returns the length written (snprintf-style: may exceed len - 1, then the
 * text is cut), or -EOPNOTSUPP for forms whose nft text has not been
 * verified here (the caller falls back to its own rendering). */
int xt_match_render(const XtMatch *m, const XtPool *pool, uint8_t l4proto, char *buf, size_t len);
int xt_target_render(const XtTarget *t, const XtPool *pool, char *buf, size_t len);

/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <arpa/inet.h>
#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_iprange.h>
#include <linux/netfilter/xt_recent.h>
#include <linux/netfilter/xt_rpfilter.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter/ipset/ip_set.h>

#include "nft-eval.h"
#include "nft-relevance.h"
#include "xt.h"
#include "xt-recent.h"

#define NO_INDEX UINT32_MAX

/* Hook priorities the kernel's own hooks use (include/uapi/linux/netfilter_ipv4.h,
 * identical for IPv6): conntrack at prerouting, nat's destination and source
 * manipulation.  nftables nat chains do not register hooks of their own: the
 * nat core runs them from its hook, in their own priority order. */
#define PRI_CONNTRACK (-200)
#define PRI_NAT_DST (-100)
#define PRI_NAT_SRC 100

/* conntrack state bits as `ct state` reads them (nf_conntrack_common.h) */
#define CT_STATE_INVALID_BIT (1u << 0)
#define CT_STATE_NEW_BIT (1u << 3)      /* NF_CT_STATE_BIT(IP_CT_NEW) */
#define CT_STATE_UNTRACKED_BIT (1u << 6)

/* The jump stack depth the kernel allows (NFT_JUMP_STACK_SIZE). */
#define JUMP_STACK 16

/* Both outcomes of an undecidable match are followed, up to this many
 * times per probe; beyond it the verdict is unknown. */
#define MAX_FORKS 64
/* Jumps and gotos one path may take: the kernel refuses a ruleset whose
 * chains loop (nf_tables' loop check, x_tables' mark_source_chains), but a
 * decoded ruleset need not come from it (a crafted dump, a legacy table
 * read from bytes): `goto` keeps no stack, so a loop of them never ends.
 * Far above any real path (a chain returns to its caller, which may jump
 * again), and past it the verdict is unknown. */
#define MAX_JUMPS (1u << 16)

/* The packet image: an Ethernet header, the IP header without options, a
 * TCP header whose options (a SYN has some, of unknown content) follow. */
#define LL_OFF 0
#define LL_LEN 14
#define NH_OFF LL_LEN
#define PKT_LEN (LL_LEN + 40 + 60)

enum {
        STAGE_INGRESS,
        STAGE_PREROUTING,
        STAGE_INPUT,
};

typedef struct BaseChain {
        uint32_t table, chain;
        int stage;
        int32_t eff_priority;   /* where it runs relative to other hooks */
        bool nat;
        bool device_unknown;    /* ingress chain; the probe names no device */
        size_t order;
} BaseChain;

typedef enum CtState {
        CT_NONE,                /* conntrack has not seen the packet yet */
        CT_MAYBE,               /* a chain at conntrack's own priority */
        CT_NEW,
        CT_UNTRACKED,
} CtState;

typedef struct Frame {
        uint32_t chain, rule;
} Frame;

typedef struct EvalState {
        size_t base;            /* index into Ctx.bases */
        bool in_chain;          /* base chain entered (registers initialised) */
        uint32_t table, chain, rule, expr;
        Frame stack[JUMP_STACK];
        unsigned depth;
        int32_t verdict;
        uint32_t jump_chain;    /* NFT_JUMP/GOTO target (chain index), NO_INDEX: unresolved */
        uint32_t jumps;         /* taken on this path, up to MAX_JUMPS */
        bool rejected;

        uint8_t reg[NFT_REGS_WORDS * 4], known[NFT_REGS_WORDS * 4];
        /* which register bytes hold the probe's source port (TAINT_*) */
        uint8_t taint[NFT_REGS_WORDS * 4];
        /* some register byte was ever the source port (until then taint
         * is all TAINT_NONE and not looked at: the walk over a long chain
         * of rules that never read the port costs nothing more) */
        bool taint_any;
        uint8_t pkt[PKT_LEN], pkt_known[PKT_LEN];
        unsigned nh_len;        /* 20 or 40 */
        /* the TCP header's source port is still the probe's (no snat or
         * payload write replaced it) */
        bool sport_in_pkt;

        uint32_t mark, ctmark;
        bool mark_known, ctmark_known;
        uint64_t meta_clobbered;        /* meta keys set to something unmodelled */
        CtState ct;
        bool nat_dst_done, nat_src_done;
        bool rate_limited;
        /* xt_recent: the stamps this packet put on lists on its way
         * (--set, an --update that matched), for two lists; more: lost */
        const char *recent_name[2];
        uint8_t recent_added[2];
        bool recent_lost;
        /* the --rcheck/--update the source's history made match, and
         * where: kept while its rule's verdict (a jump to ufw's
         * ufw-user-limit and the REJECT there) is under way */
        const XtMatch *recent_hit;
        uint8_t recent_hit_addr[16];
        uint32_t recent_hit_chain, recent_hit_rule;
        unsigned recent_hit_depth;

        const NftTable *accept_table;
        const NftChain *accept_chain;
        const NftRule *accept_rule;
} EvalState;

typedef struct Ctx {
        const NftRuleset *rs;
        const NftProbe *probe;
        NftSetLookupFn lookup;
        void *userdata;
        BaseChain *bases;
        size_t n_bases;
        unsigned forks;
        /* Probe with a source port: the ports around it where every
         * decision taken on every path so far is the same, and whether
         * some expression read the port in a way that is not modelled. */
        uint32_t sport_lo, sport_hi;
        bool sport_unmodelled;
} Ctx;

/* register bytes that are the probe's source port, big-endian */
enum {
        TAINT_NONE,
        TAINT_SPORT_HI,
        TAINT_SPORT_LO,
};

typedef enum Tri {
        TRI_NO,
        TRI_YES,
        TRI_MAYBE,
} Tri;

/* What evaluating one expression did. */
typedef enum Step {
        STEP_NEXT,              /* go on with the next expression */
        STEP_BREAK,             /* the rule does not match */
        STEP_VERDICT,           /* st->verdict was set */
        STEP_FORK,              /* the outcome is undecidable: follow both */
        STEP_DONE,              /* *res holds the final result */
} Step;

const char *nft_verdict_name(NftVerdict v) {
        switch (v) {
        case NFT_VERDICT_ACCEPT: return "accept";
        case NFT_VERDICT_DROP: return "drop";
        case NFT_VERDICT_REJECT: return "reject";
        default: return "unknown";
        }
}

/* ---- base chains in kernel order ---- */

static bool chain_has_device(const NftChain *c, const char *dev) {
        if (!c->devices)
                return false;
        for (char **d = c->devices; *d; d++)
                if (strcmp(*d, dev) == 0)
                        return true;
        return false;
}

static int base_cmp(const void *a, const void *b) {
        const BaseChain *x = a, *y = b;
        if (x->stage != y->stage)
                return x->stage < y->stage ? -1 : 1;
        if (x->eff_priority != y->eff_priority)
                return x->eff_priority < y->eff_priority ? -1 : 1;
        /* at equal priority the kernel runs the hook registered last first
         * (nf_hook_entries_grow inserts before equal priorities); chains
         * are dumped in creation order, so later ones go first */
        if (x->order != y->order)
                return x->order > y->order ? -1 : 1;
        return 0;
}

static int collect_bases(Ctx *ctx) {
        const NftRuleset *rs = ctx->rs;
        int l3 = ctx->probe->family == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
        size_t n = 0;

        for (size_t i = 0; i < rs->n_tables; i++)
                n += rs->tables[i].n_chains;
        ctx->bases = calloc(n ? n : 1, sizeof(BaseChain));
        if (!ctx->bases)
                return -ENOMEM;

        /* chains are numbered in dump order, our best guess at the order
         * the kernel registered their hooks in */
        size_t order = 0;
        for (size_t i = 0; i < rs->n_tables; i++) {
                const NftTable *t = &rs->tables[i];
                if (t->flags & NFT_TABLE_F_DORMANT)
                        continue;
                for (size_t j = 0; j < t->n_chains; j++) {
                        const NftChain *c = &t->chains[j];
                        BaseChain b = { .table = (uint32_t) i, .chain = (uint32_t) j, .order = order++ };
                        bool nat = c->type && strcmp(c->type, "nat") == 0;
                        /* what nft-relevance.c says is never read is not */
                        if (c->hook < 0 || !nft_hook_sees_input(t->family, c->hook))
                                continue;
                        if ((t->family == NFPROTO_NETDEV && c->hook == NF_NETDEV_INGRESS) ||
                            (t->family == NFPROTO_INET && c->hook == NF_INET_INGRESS)) {
                                if (ctx->probe->iifname[0]) {
                                        if (!chain_has_device(c, ctx->probe->iifname))
                                                continue;
                                } else
                                        b.device_unknown = true;
                                b.stage = STAGE_INGRESS;
                                b.eff_priority = c->priority;
                        } else if (t->family == NFPROTO_INET || t->family == l3) {
                                if (c->hook == NF_INET_PRE_ROUTING) {
                                        b.stage = STAGE_PREROUTING;
                                        b.eff_priority = nat ? PRI_NAT_DST : c->priority;
                                } else if (c->hook == NF_INET_LOCAL_IN) {
                                        b.stage = STAGE_INPUT;
                                        b.eff_priority = nat ? PRI_NAT_SRC : c->priority;
                                } else
                                        continue;
                        } else
                                continue;
                        b.nat = nat;
                        ctx->bases[ctx->n_bases++] = b;
                }
        }
        qsort(ctx->bases, ctx->n_bases, sizeof(BaseChain), base_cmp);
        /* nat chains of one hook run back to back from the nat core's hook,
         * ordered by their own priority */
        for (size_t i = 0; i < ctx->n_bases; i++) {
                size_t j = i;
                while (j < ctx->n_bases && ctx->bases[j].nat && ctx->bases[j].stage == ctx->bases[i].stage &&
                       ctx->bases[j].eff_priority == ctx->bases[i].eff_priority)
                        j++;
                for (size_t a = i + 1; a < j; a++)
                        for (size_t b = a; b > i; b--) {
                                const NftChain *x = &rs->tables[ctx->bases[b - 1].table].chains[ctx->bases[b - 1].chain];
                                const NftChain *y = &rs->tables[ctx->bases[b].table].chains[ctx->bases[b].chain];
                                if (x->priority <= y->priority)
                                        break;
                                BaseChain tmp = ctx->bases[b - 1];
                                ctx->bases[b - 1] = ctx->bases[b];
                                ctx->bases[b] = tmp;
                        }
                if (j > i)
                        i = j - 1;
        }
        return 0;
}

/* ---- the packet ---- */

static void pkt_set(EvalState *st, unsigned off, const void *v, unsigned len, uint8_t known) {
        memcpy(st->pkt + off, v, len);
        memset(st->pkt_known + off, known, len);
}

static unsigned th_off(const EvalState *st) {
        return NH_OFF + st->nh_len;
}

static void init_packet(EvalState *st, const NftProbe *p) {
        memset(st->pkt, 0, sizeof(st->pkt));
        memset(st->pkt_known, 0, sizeof(st->pkt_known));
        /* Ethernet: addresses unknown, the ethertype known */
        uint16_t ethertype = htons(p->family == AF_INET6 ? 0x86dd : 0x0800);
        pkt_set(st, 12, &ethertype, 2, 0xff);

        uint8_t full = 0xff, none = 0x00;
        if (p->family == AF_INET6) {
                st->nh_len = 40;
                /* version known, traffic class and flow label not */
                st->pkt[NH_OFF] = 0x60;
                st->pkt_known[NH_OFF] = 0xf0;
                uint8_t nexthdr = IPPROTO_TCP;
                pkt_set(st, NH_OFF + 6, &nexthdr, 1, full);
                pkt_set(st, NH_OFF + 8, p->saddr, 16, p->saddr_known ? full : none);
                pkt_set(st, NH_OFF + 24, p->daddr, 16, p->daddr_known ? full : none);
        } else {
                st->nh_len = 20;
                uint8_t vihl = 0x45, proto = IPPROTO_TCP, zero = 0;
                pkt_set(st, NH_OFF, &vihl, 1, full);
                /* not a fragment: MF and the offset are zero, DF unknown */
                st->pkt[NH_OFF + 6] = 0;
                st->pkt_known[NH_OFF + 6] = 0xbf;
                pkt_set(st, NH_OFF + 7, &zero, 1, full);
                pkt_set(st, NH_OFF + 9, &proto, 1, full);
                pkt_set(st, NH_OFF + 12, p->saddr, 4, p->saddr_known ? full : none);
                pkt_set(st, NH_OFF + 16, p->daddr, 4, p->daddr_known ? full : none);
        }
        unsigned th = th_off(st);
        uint16_t dport = htons(p->dport);
        uint32_t ack = 0;
        uint8_t flags = 0x02;   /* SYN */
        uint16_t urg = 0;
        pkt_set(st, th + 2, &dport, 2, full);
        if (p->sport_known) {
                uint16_t sport = htons(p->sport);
                pkt_set(st, th, &sport, 2, full);
                st->sport_in_pkt = true;
        }
        pkt_set(st, th + 8, &ack, 4, full);
        st->pkt[th + 12] = 0;   /* data offset unknown (options), reserved bits zero */
        st->pkt_known[th + 12] = 0x0f;
        pkt_set(st, th + 13, &flags, 1, full);
        pkt_set(st, th + 18, &urg, 2, full);
}

/* ---- registers ---- */

static void reg_unknown(EvalState *st, unsigned word, unsigned len) {
        unsigned off = word * 4;
        if (word == NFT_REG_WORD_NONE || off >= sizeof(st->reg))
                return;
        if (off + len > sizeof(st->reg))
                len = (unsigned) sizeof(st->reg) - off;
        memset(st->known + off, 0, len);
        if (st->taint_any)
                memset(st->taint + off, TAINT_NONE, len);
}

static void reg_unknown_to_end(EvalState *st, unsigned word) {
        if (word != NFT_REG_WORD_NONE && word < NFT_REGS_WORDS)
                reg_unknown(st, word, (NFT_REGS_WORDS - word) * 4);
}

/* A data register (words 4..19) holding len bytes; the verdict words 0..3
 * are no data register. */
static bool reg_ok(unsigned word, unsigned len) {
        return word != NFT_REG_WORD_NONE && word >= 4 && len <= NFT_DATA_MAXLEN &&
               word * 4 + len <= NFT_REGS_WORDS * 4;
}

/* Stores len bytes at a register, zeroing the rest of the last word as the
 * kernel does (nft_data_copy, nft_payload_eval). */
static inline void reg_store(EvalState *st, unsigned word, const uint8_t *v, const uint8_t *known, unsigned len) {
        unsigned off = word * 4, padded = (len + 3) & ~3u;
        memset(st->reg + off, 0, padded);
        memset(st->known + off, 0xff, padded);
        if (st->taint_any)
                memset(st->taint + off, TAINT_NONE, padded);
        memcpy(st->reg + off, v, len);
        if (known)
                memcpy(st->known + off, known, len);
}

static void reg_store_u32(EvalState *st, unsigned word, uint32_t v) {
        reg_store(st, word, (const uint8_t *) &v, NULL, 4);
}

static void reg_store_u8(EvalState *st, unsigned word, uint8_t v) {
        reg_store(st, word, &v, NULL, 1);
}

static bool reg_all_known(const EvalState *st, unsigned word, unsigned len) {
        for (unsigned i = 0; i < len; i++)
                if (st->known[word * 4 + i] != 0xff)
                        return false;
        return true;
}

/* memcmp() of a register against data, as far as the known bits tell:
 * the smallest and largest value the register can hold. */
static void reg_min_max(const EvalState *st, unsigned word, unsigned len, uint8_t *min, uint8_t *max) {
        for (unsigned i = 0; i < len; i++) {
                uint8_t v = st->reg[word * 4 + i], k = st->known[word * 4 + i];
                min[i] = (uint8_t) (v & k);
                max[i] = (uint8_t) ((v & k) | (uint8_t) ~k);
        }
}

static bool reg_may_equal(const EvalState *st, unsigned word, const uint8_t *d, unsigned len) {
        for (unsigned i = 0; i < len; i++) {
                uint8_t k = st->known[word * 4 + i];
                if ((st->reg[word * 4 + i] & k) != (d[i] & k))
                        return false;
        }
        return true;
}

static Tri tri_of(bool certain_yes, bool possible_yes) {
        return certain_yes ? TRI_YES : possible_yes ? TRI_MAYBE : TRI_NO;
}

static Tri cmp_tri(const EvalState *st, unsigned word, unsigned op, const uint8_t *d, unsigned len) {
        uint8_t min[NFT_DATA_MAXLEN], max[NFT_DATA_MAXLEN];
        bool may_eq = reg_may_equal(st, word, d, len);

        /* (the most frequent: a rule per address or port, walked for
         * every probe) */
        if (op == NFT_CMP_EQ)
                return may_eq ? tri_of(reg_all_known(st, word, len), true) : TRI_NO;
        if (op == NFT_CMP_NEQ)
                return may_eq ? tri_of(false, !reg_all_known(st, word, len)) : TRI_YES;
        reg_min_max(st, word, len, min, max);
        int lo = memcmp(min, d, len), hi = memcmp(max, d, len);
        switch (op) {
        case NFT_CMP_LT: return tri_of(hi < 0, lo < 0);
        case NFT_CMP_LTE: return tri_of(hi <= 0, lo <= 0);
        case NFT_CMP_GT: return tri_of(lo > 0, hi > 0);
        case NFT_CMP_GTE: return tri_of(lo >= 0, hi >= 0);
        default: return TRI_MAYBE;
        }
}

static Tri range_tri(const EvalState *st, unsigned word, const uint8_t *from, const uint8_t *to, unsigned len) {
        uint8_t min[NFT_DATA_MAXLEN], max[NFT_DATA_MAXLEN];
        reg_min_max(st, word, len, min, max);
        bool in = memcmp(min, from, len) >= 0 && memcmp(max, to, len) <= 0;
        bool out = memcmp(max, from, len) < 0 || memcmp(min, to, len) > 0;
        return tri_of(in, !out);
}

/* ---- the source port ---- */

static bool reg_tainted(const EvalState *st, unsigned word, unsigned len) {
        if (!st->taint_any)
                return false;
        for (unsigned i = 0; word != NFT_REG_WORD_NONE && i < len && word * 4 + i < sizeof(st->taint); i++)
                if (st->taint[word * 4 + i] != TAINT_NONE)
                        return true;
        return false;
}

/* What is judged next may answer differently for source ports P - 1 and
 * P: the range around the probe's port where nothing changes ends there. */
static void sport_boundary(Ctx *ctx, uint32_t p) {
        uint32_t s = ctx->probe->sport;
        if (p == 0 || p > 0xffff)
                return;
        if (p <= s) {
                if (p > ctx->sport_lo)
                        ctx->sport_lo = p;
        } else if (p - 1 < ctx->sport_hi)
                ctx->sport_hi = p - 1;
}

/* Where the source port sits in LEN register bytes from byte OFF: *pos is
 * its high byte, *both whether its low byte follows.  Compared as a
 * string (memcmp, what cmp, range and set lookups do), such bytes grow
 * with the port: every comparison changes its answer at most twice.
 * Returns 0: the bytes do not hold the port; 1: they do, so; -1: in a way
 * that is not monotonic (the low byte alone, twice, reversed). */
static int sport_layout(const EvalState *st, unsigned off, unsigned len, unsigned *pos, bool *both) {
        int hi = -1, lo = -1;
        if (!st->taint_any)
                return 0;
        for (unsigned i = 0; i < len; i++) {
                uint8_t t = st->taint[off + i];
                if (t == TAINT_SPORT_HI) {
                        if (hi >= 0)
                                return -1;
                        hi = (int) i;
                } else if (t == TAINT_SPORT_LO) {
                        if (lo >= 0)
                                return -1;
                        lo = (int) i;
                }
        }
        if (hi < 0 && lo < 0)
                return 0;
        if (hi < 0 || (lo >= 0 && lo != hi + 1))
                return -1;
        *pos = (unsigned) hi;
        *both = lo >= 0;
        return 1;
}

/* memcmp() of the register bytes, with source port S in place of the
 * probe's and the unknown bits at their lowest (max: highest), against D */
static int sport_memcmp(const EvalState *st, unsigned off, unsigned len, unsigned pos, bool both, uint32_t s,
                        bool max, const uint8_t *d) {
        uint8_t b[NFT_DATA_MAXLEN];
        for (unsigned i = 0; i < len; i++) {
                uint8_t v = st->reg[off + i], k = st->known[off + i];
                b[i] = max ? (uint8_t) ((v & k) | (uint8_t) ~k) : (uint8_t) (v & k);
        }
        b[pos] = (uint8_t) (s >> 8);
        if (both)
                b[pos + 1] = (uint8_t) s;
        return memcmp(b, d, len);
}

/* The smallest source port whose bytes compare at least (STRICT: above)
 * D, 65536 if none: a binary search, the comparison being monotonic. */
static uint32_t sport_first_reaching(const EvalState *st, unsigned off, unsigned len, unsigned pos, bool both,
                                     bool max, const uint8_t *d, bool strict) {
        uint32_t lo = 0, hi = 0x10000;
        while (lo < hi) {
                uint32_t mid = (lo + hi) / 2;
                int c = sport_memcmp(st, off, len, pos, both, mid, max, d);
                if (strict ? c > 0 : c >= 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return lo;
}

/* Comparing LEN register bytes from byte OFF with D: the source ports where
 * the answer (less, equal, greater; for the unknown bits at either end, and
 * "may be equal") can change.  False: the bytes hold the port in a way
 * not modelled. */
static bool sport_compare_boundaries(Ctx *ctx, const EvalState *st, unsigned off, unsigned len, const uint8_t *d) {
        unsigned pos;
        bool both;
        int r = sport_layout(st, off, len, &pos, &both);
        if (r <= 0)
                return r == 0;
        for (int max = 0; max <= 1; max++)
                for (int strict = 0; strict <= 1; strict++)
                        sport_boundary(ctx, sport_first_reaching(st, off, len, pos, both, max, d, strict));
        /* may-equal looks at the port's bytes alone */
        uint32_t eq = both ? (uint32_t) (d[pos] << 8 | d[pos + 1]) : (uint32_t) d[pos] << 8;
        sport_boundary(ctx, eq);
        sport_boundary(ctx, eq + (both ? 1 : 0x100));
        return true;
}

static void sport_unmodelled(Ctx *ctx) {
        ctx->sport_unmodelled = true;
}

/* ---- set lookups ---- */

/* Compares a key with an element's [key, key_end] field by field: a
 * concatenation of ranges matches when every field is in its range. */
/* The lengths of a set key's fields (each a register's 4-byte multiple),
 * into FIELDS[16]; one field of the whole key when the set names no
 * concatenation or its lengths do not add up.  Returns how many. */
static unsigned set_key_fields(const NftSet *set, unsigned fields[16]) {
        unsigned n = 0, total = 0;
        for (unsigned i = 0; i < set->n_concat && i < 16; i++) {
                fields[n++] = (set->concat_len[i] + 3u) & ~3u;
                total += fields[n - 1];
        }
        if (n == 0 || total != set->key_len) {
                fields[0] = set->key_len;
                n = 1;
        }
        return n;
}

static bool key_in_range(const NftSet *set, const uint8_t *key, const uint8_t *lo, const uint8_t *hi) {
        unsigned fields[16], n = set_key_fields(set, fields);
        unsigned off = 0;
        for (unsigned i = 0; i < n; i++) {
                if (memcmp(key + off, lo + off, fields[i]) < 0 || memcmp(key + off, hi + off, fields[i]) > 0)
                        return false;
                off += fields[i];
        }
        return true;
}

static const NftSetElem *set_match_local(const NftRuleset *rs, const NftSet *set, const uint8_t *key) {
        const NftSetElem *best = NULL, *catchall = NULL;
        const uint8_t *best_key = NULL;

        for (size_t i = 0; i < set->n_elems; i++) {
                const NftSetElem *e = &set->elems[i];
                const uint8_t *k = nft_pool(rs, e->key_off);
                if (e->flags & NFT_SET_ELEM_CATCHALL) {
                        catchall = e;
                        continue;
                }
                if (!k)
                        continue;
                if (e->key_end_off) {
                        if (key_in_range(set, key, k, nft_pool(rs, e->key_end_off)))
                                return e;
                        continue;
                }
                if (!(set->flags & NFT_SET_INTERVAL)) {
                        if (memcmp(k, key, set->key_len) == 0)
                                return e;
                        continue;
                }
                /* rbtree intervals: the greatest boundary at or below the
                 * key decides; a start wins over an end at the same key */
                if (memcmp(k, key, set->key_len) > 0)
                        continue;
                int c = best_key ? memcmp(k, best_key, set->key_len) : 1;
                if (c > 0 || (c == 0 && (best->flags & NFT_SET_ELEM_INTERVAL_END) &&
                              !(e->flags & NFT_SET_ELEM_INTERVAL_END))) {
                        best = e;
                        best_key = k;
                }
        }
        if (best && !(best->flags & NFT_SET_ELEM_INTERVAL_END))
                return best;
        return catchall;
}

/* A set read whole and looked up with the source port in its key: the
 * ports where the element found can change are the boundaries of the
 * elements' field that holds the port.  False: not modelled (a set asked
 * through the callback, the port across fields, too many elements). */
#define SPORT_SET_MAX_ELEMS 4096
static bool sport_set_boundaries(Ctx *ctx, const EvalState *st, const NftSet *set, unsigned word) {
        const NftRuleset *rs = ctx->rs;
        unsigned fields[16], n, off = 0, field = UINT32_MAX;

        if (!set->elems_complete || set->n_elems > SPORT_SET_MAX_ELEMS)
                return false;
        n = set_key_fields(set, fields);
        for (unsigned i = 0, at = 0; i < n; at += fields[i], i++) {
                unsigned pos;
                bool both;
                int r = sport_layout(st, word * 4 + at, fields[i], &pos, &both);
                if (r < 0 || (r > 0 && field != UINT32_MAX))
                        return false;
                if (r > 0) {
                        field = i;
                        off = at;
                }
        }
        if (field == UINT32_MAX)
                return true;
        for (size_t i = 0; i < set->n_elems; i++) {
                const NftSetElem *e = &set->elems[i];
                const uint8_t *k = nft_pool(rs, e->key_off), *end = nft_pool(rs, e->key_end_off);
                if (k && !sport_compare_boundaries(ctx, st, word * 4 + off, fields[field], k + off))
                        return false;
                if (e->key_end_off && end && !sport_compare_boundaries(ctx, st, word * 4 + off, fields[field], end + off))
                        return false;
        }
        return true;
}

static NftLookupResult set_lookup(Ctx *ctx, const NftSet *set, const uint8_t *key, NftSetElemData *data) {
        memset(data, 0, sizeof(*data));
        data->verdict = NFT_CONTINUE;
        if (set->elems_complete) {
                const NftSetElem *e = set_match_local(ctx->rs, set, key);
                if (!e)
                        return NFT_LOOKUP_ABSENT;
                data->verdict = e->verdict;
                if (e->chain_off)
                        snprintf(data->chain, sizeof(data->chain), "%s", (const char *) nft_pool(ctx->rs, e->chain_off));
                if (e->data_off && set->data_len <= sizeof(data->data)) {
                        memcpy(data->data, nft_pool(ctx->rs, e->data_off), set->data_len);
                        data->len = (uint8_t) set->data_len;
                }
                return NFT_LOOKUP_PRESENT;
        }
        if (!ctx->lookup)
                return NFT_LOOKUP_UNKNOWN;
        return ctx->lookup(ctx->rs, set, key, set->key_len, data, ctx->userdata);
}

/* ---- results ---- */

static const NftChain *cur_chain(const Ctx *ctx, const EvalState *st) {
        return &ctx->rs->tables[st->table].chains[st->chain];
}

static const NftRule *cur_rule(const Ctx *ctx, const EvalState *st) {
        const NftChain *c = cur_chain(ctx, st);
        return st->rule < c->n_rules ? &c->rules[st->rule] : NULL;
}

static uint16_t final_dport(const EvalState *st) {
        unsigned th = th_off(st);
        if (st->pkt_known[th + 2] != 0xff || st->pkt_known[th + 3] != 0xff)
                return 0;
        return (uint16_t) (st->pkt[th + 2] << 8 | st->pkt[th + 3]);
}

static Step set_unknown(const Ctx *ctx, const EvalState *st, NftEvalResult *res, const char *reason) {
        *res = (NftEvalResult) {
                .verdict = NFT_VERDICT_UNKNOWN,
                .unknown_table = &ctx->rs->tables[st->table],
                .unknown_chain = cur_chain(ctx, st),
                .unknown_rule = cur_rule(ctx, st),
                .unknown_reason = reason,
                .rate_limited = st->rate_limited,
                .dport = final_dport(st),
        };
        return STEP_DONE;
}

static bool blocker_same(const NftBlocker *a, const NftBlocker *b) {
        return a->table == b->table && a->chain == b->chain && a->rule == b->rule;
}

/* Whether a packet meets X before Y: an earlier base chain first; in the
 * same chain, the earlier rule (a policy last).  Otherwise (chains reached
 * by jumps) the order they were found in stands. */
static bool blocker_before(const NftBlocker *x, const NftBlocker *y) {
        if (x->base != y->base)
                return x->base < y->base;
        if (x->table != y->table || x->chain != y->chain)
                return false;
        size_t px = x->rule ? (size_t) (x->rule - x->chain->rules) : SIZE_MAX;
        size_t py = y->rule ? (size_t) (y->rule - y->chain->rules) : SIZE_MAX;
        return px < py;
}

/* A's blockers joined by B's, each once, in the order a packet meets them. */
static void blockers_merge(NftEvalResult *a, const NftEvalResult *b) {
        a->blockers_overflow = a->blockers_overflow || b->blockers_overflow;
        for (unsigned i = 0; i < b->n_blockers; i++) {
                const NftBlocker *x = &b->blockers[i];
                unsigned at = a->n_blockers;
                bool seen = false;

                for (unsigned k = 0; k < a->n_blockers && !seen; k++)
                        seen = blocker_same(&a->blockers[k], x);
                if (seen)
                        continue;
                if (a->n_blockers == NFT_MAX_BLOCKERS) {
                        a->blockers_overflow = true;
                        continue;
                }
                while (at > 0 && blocker_before(x, &a->blockers[at - 1]))
                        at--;
                memmove(&a->blockers[at + 1], &a->blockers[at], (a->n_blockers - at) * sizeof(NftBlocker));
                a->blockers[at] = *x;
                a->n_blockers++;
        }
}

static bool verdict_blocks(NftVerdict v) {
        return v == NFT_VERDICT_DROP || v == NFT_VERDICT_REJECT;
}

static void merge_results(NftEvalResult *a, const NftEvalResult *b, const Ctx *ctx, const EvalState *at) {
        bool rl = a->rate_limited || b->rate_limited;
        if (a->verdict == NFT_VERDICT_UNKNOWN) {
                a->rate_limited = rl;
                return;
        }
        if (b->verdict == NFT_VERDICT_UNKNOWN) {
                *a = *b;
                a->rate_limited = rl;
                return;
        }
        if (a->verdict != b->verdict && !(verdict_blocks(a->verdict) && verdict_blocks(b->verdict))) {
                (void) set_unknown(ctx, at, a, "the outcome depends on what the probe does not define");
                a->rate_limited = rl;
                return;
        }
        /* dropped one way, rejected the other: blocked all the same */
        if (a->verdict != b->verdict || b->mixed_block) {
                a->verdict = NFT_VERDICT_DROP;
                a->mixed_block = true;
        }
        if (a->rule != b->rule || a->chain != b->chain)
                a->rule_ambiguous = true;
        a->rule_ambiguous = a->rule_ambiguous || b->rule_ambiguous;
        /* both block: by every rule that does on some path, and the one
         * named first is the first a packet meets */
        blockers_merge(a, b);
        if (a->n_blockers > 0) {
                a->table = a->blockers[0].table;
                a->chain = a->blockers[0].chain;
                a->rule = a->blockers[0].rule;
        }
        if (a->dport != b->dport)
                a->dport = 0;
        a->rate_limited = rl;
}

/* ---- expressions ---- */

static Step eval_meta(Ctx *ctx, EvalState *st, const NftExpr *e, int stage) {
        const NftProbe *p = ctx->probe;
        const BaseChain *b = &ctx->bases[st->base];
        const NftTable *t = &ctx->rs->tables[b->table];
        unsigned d = e->meta.dreg;
        uint8_t key = e->meta.key;

        if (!reg_ok(d, 4))
                return STEP_FORK;
        if (key < 64 && (st->meta_clobbered & (UINT64_C(1) << key))) {
                reg_unknown(st, d, 16);
                return STEP_NEXT;
        }
        switch (key) {
        case NFT_META_PROTOCOL: {
                uint16_t proto = htons(p->family == AF_INET6 ? 0x86dd : 0x0800);
                reg_store(st, d, (const uint8_t *) &proto, NULL, 2);
                return STEP_NEXT;
        }
        case NFT_META_NFPROTO:
                /* netdev chains see NFPROTO_NETDEV; inet chains the packet's family */
                reg_store_u8(st, d, (uint8_t) (t->family == NFPROTO_NETDEV ? NFPROTO_NETDEV
                                               : p->family == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4));
                return STEP_NEXT;
        case NFT_META_L4PROTO:
                reg_store_u8(st, d, IPPROTO_TCP);
                return STEP_NEXT;
        case NFT_META_MARK:
                if (st->mark_known)
                        reg_store_u32(st, d, st->mark);
                else
                        reg_unknown(st, d, 4);
                return STEP_NEXT;
        case NFT_META_IIF:
                if (p->iif)
                        reg_store_u32(st, d, p->iif);
                else
                        reg_unknown(st, d, 4);
                return STEP_NEXT;
        case NFT_META_IIFNAME: {
                uint8_t name[IFNAMSIZ] = { 0 };
                if (!p->iifname[0]) {
                        reg_unknown(st, d, IFNAMSIZ);
                        return STEP_NEXT;
                }
                memcpy(name, p->iifname, strnlen(p->iifname, IFNAMSIZ - 1));
                reg_store(st, d, name, NULL, IFNAMSIZ);
                return STEP_NEXT;
        }
        case NFT_META_OIF:
                /* no output device before routing to the local host */
                reg_store_u32(st, d, 0);
                return STEP_NEXT;
        case NFT_META_OIFNAME: {
                uint8_t name[IFNAMSIZ] = { 0 };
                reg_store(st, d, name, NULL, IFNAMSIZ);
                return STEP_NEXT;
        }
        case NFT_META_PKTTYPE:
                reg_store_u8(st, d, 0 /* PACKET_HOST */);
                return STEP_NEXT;
        case NFT_META_SKUID:
        case NFT_META_SKGID:
        case NFT_META_CGROUP:
                /* an incoming SYN has no socket attached yet: NFT_BREAK */
                return STEP_BREAK;
        default:
                /* length, cpu, time, random, groups, secpath, ... */
                reg_unknown(st, d, 16);
                return STEP_NEXT;
        }
}

static Step eval_ct(Ctx *ctx, EvalState *st, const NftExpr *e) {
        const NftProbe *p = ctx->probe;
        unsigned d = e->ct.dreg;

        if (!reg_ok(d, 4))
                return STEP_FORK;
        if (st->ct == CT_MAYBE) {
                reg_unknown(st, d, 16);
                return STEP_FORK;
        }
        if (e->ct.key == NFT_CT_STATE) {
                reg_store_u32(st, d, st->ct == CT_NEW ? CT_STATE_NEW_BIT
                                     : st->ct == CT_UNTRACKED ? CT_STATE_UNTRACKED_BIT : CT_STATE_INVALID_BIT);
                return STEP_NEXT;
        }
        if (st->ct != CT_NEW)
                return STEP_BREAK;      /* no conntrack entry: NFT_BREAK */
        bool orig = e->ct.dir == 0 /* IP_CT_DIR_ORIGINAL */;
        unsigned alen = p->family == AF_INET6 ? 16 : 4;
        switch (e->ct.key) {
        case NFT_CT_DIRECTION:
                reg_store_u8(st, d, 0 /* IP_CT_DIR_ORIGINAL */);
                return STEP_NEXT;
        case NFT_CT_MARK:
                if (st->ctmark_known)
                        reg_store_u32(st, d, st->ctmark);
                else
                        reg_unknown(st, d, 4);
                return STEP_NEXT;
        case NFT_CT_L3PROTOCOL:
                reg_store_u8(st, d, (uint8_t) (p->family == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4));
                return STEP_NEXT;
        case NFT_CT_STATUS: {
                /* A new connection's entry, before conntrack confirms it
                 * (the last thing on input): not expected (the probe is
                 * no RELATED packet), no reply seen, not assured, not
                 * confirmed, not dying, no timeout fixed, no template,
                 * not offloaded.  Mapped (IPS_SRC_NAT/DST_NAT) only if a
                 * nat statement ran on its way, and then only if it
                 * changed the tuple: not known.  The NAT_DONE bits depend
                 * on which nat hooks are registered, a helper on rules
                 * and conntrack's own configuration: not known.
                 * firewalld's `ct status dnat accept` is decided so. */
                uint32_t unknown = IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE | IPS_HELPER;
                if (st->nat_src_done)
                        unknown |= IPS_SRC_NAT;
                if (st->nat_dst_done)
                        unknown |= IPS_DST_NAT;
                uint32_t v = 0, known = ~unknown;
                reg_store(st, d, (const uint8_t *) &v, (const uint8_t *) &known, 4);
                return STEP_NEXT;
        }
        case NFT_CT_PROTOCOL:
                reg_store_u8(st, d, IPPROTO_TCP);
                return STEP_NEXT;
        case NFT_CT_SRC:
        case NFT_CT_SRC_IP:
        case NFT_CT_SRC_IP6:
                if (orig && p->saddr_known && !(e->ct.key == NFT_CT_SRC_IP && alen != 4) &&
                    !(e->ct.key == NFT_CT_SRC_IP6 && alen != 16)) {
                        reg_store(st, d, p->saddr, NULL, alen);
                        return STEP_NEXT;
                }
                break;
        case NFT_CT_DST:
        case NFT_CT_DST_IP:
        case NFT_CT_DST_IP6:
                if (orig && p->daddr_known && !(e->ct.key == NFT_CT_DST_IP && alen != 4) &&
                    !(e->ct.key == NFT_CT_DST_IP6 && alen != 16)) {
                        reg_store(st, d, p->daddr, NULL, alen);
                        return STEP_NEXT;
                }
                break;
        case NFT_CT_PROTO_DST:
                if (orig) {
                        uint16_t port = htons(p->dport);
                        reg_store(st, d, (const uint8_t *) &port, NULL, 2);
                        return STEP_NEXT;
                }
                break;
        case NFT_CT_PROTO_SRC:
                /* the original tuple keeps the client's port */
                if (orig && p->sport_known) {
                        uint16_t port = htons(p->sport);
                        reg_store(st, d, (const uint8_t *) &port, NULL, 2);
                        st->taint_any = true;
                        st->taint[d * 4] = TAINT_SPORT_HI;
                        st->taint[d * 4 + 1] = TAINT_SPORT_LO;
                        return STEP_NEXT;
                }
                break;
        default:
                break;
        }
        reg_unknown(st, d, 16);
        return STEP_NEXT;
}

static Step eval_payload(EvalState *st, const NftExpr *e) {
        unsigned d = e->payload.dreg, len = e->payload.len, base;
        if (len > NFT_DATA_MAXLEN || !reg_ok(d, len))
                return STEP_FORK;
        switch (e->payload.base) {
        case NFT_PAYLOAD_LL_HEADER: base = LL_OFF; break;
        case NFT_PAYLOAD_NETWORK_HEADER: base = NH_OFF; break;
        case NFT_PAYLOAD_TRANSPORT_HEADER: base = th_off(st); break;
        default:
                reg_unknown(st, d, len);
                return STEP_FORK;      /* inner headers: may be absent */
        }
        uint8_t v[NFT_DATA_MAXLEN], k[NFT_DATA_MAXLEN];
        unsigned th = th_off(st);
        for (unsigned i = 0; i < len; i++) {
                size_t at = (size_t) base + e->payload.offset + i;
                v[i] = at < PKT_LEN ? st->pkt[at] : 0;
                k[i] = at < PKT_LEN ? st->pkt_known[at] : 0;
        }
        reg_store(st, d, v, k, len);
        for (unsigned i = 0; st->sport_in_pkt && i < len; i++) {
                size_t at = (size_t) base + e->payload.offset + i;
                if (at == th || at == th + 1) {
                        st->taint_any = true;
                        st->taint[d * 4 + i] = at == th ? TAINT_SPORT_HI : TAINT_SPORT_LO;
                }
        }
        return STEP_NEXT;
}

static Step eval_payload_set(Ctx *ctx, EvalState *st, const NftExpr *e) {
        unsigned s = e->payload_set.sreg, len = e->payload_set.len, base;
        if (!reg_ok(s, len))
                return STEP_FORK;
        if (reg_tainted(st, s, len))
                sport_unmodelled(ctx);  /* the packet would carry the port elsewhere */
        switch (e->payload_set.base) {
        case NFT_PAYLOAD_LL_HEADER: base = LL_OFF; break;
        case NFT_PAYLOAD_NETWORK_HEADER: base = NH_OFF; break;
        case NFT_PAYLOAD_TRANSPORT_HEADER: base = th_off(st); break;
        default: return STEP_FORK;
        }
        for (unsigned i = 0; i < len; i++) {
                size_t at = (size_t) base + e->payload_set.offset + i;
                if (at < PKT_LEN) {
                        st->pkt[at] = st->reg[s * 4 + i];
                        st->pkt_known[at] = st->known[s * 4 + i];
                        if (at == th_off(st) || at == th_off(st) + 1)
                                st->sport_in_pkt = false;
                }
        }
        return STEP_NEXT;
}

static Step eval_bitwise(Ctx *ctx, EvalState *st, const NftExpr *e) {
        unsigned s = e->bitwise.sreg, d = e->bitwise.dreg, len = e->bitwise.len;
        unsigned words = (len + 3) / 4;
        uint8_t v[NFT_DATA_MAXLEN] = { 0 }, k[NFT_DATA_MAXLEN] = { 0 };

        if (len > NFT_DATA_MAXLEN || !reg_ok(s, words * 4) || !reg_ok(d, words * 4))
                return STEP_FORK;
        /* a masked or shifted source port: not monotonic in the port */
        if (reg_tainted(st, s, words * 4))
                sport_unmodelled(ctx);
        memset(st->taint + d * 4, TAINT_NONE, words * 4);
        if (e->bitwise.op == NFT_BITWISE_BOOL) {
                const uint8_t *mask = nft_pool(ctx->rs, e->bitwise.data_off), *xor = mask + len;
                size_t n = words * 4 < sizeof(v) ? words * 4 : sizeof(v);
                for (size_t i = 0; i < n; i++) {
                        uint8_t m = i < len ? mask[i] : 0, x = i < len ? xor[i] : 0;
                        v[i] = (uint8_t) ((st->reg[s * 4 + i] & m) ^ x);
                        k[i] = (uint8_t) ((st->known[s * 4 + i] & m) | (uint8_t) ~m);
                }
                memcpy(st->reg + d * 4, v, n);
                memcpy(st->known + d * 4, k, n);
                return STEP_NEXT;
        }
        if (e->bitwise.op == NFT_BITWISE_LSHIFT || e->bitwise.op == NFT_BITWISE_RSHIFT) {
                uint32_t shift, src[NFT_DATA_MAXLEN / 4], dst[NFT_DATA_MAXLEN / 4], carry = 0;
                memcpy(&shift, nft_pool(ctx->rs, e->bitwise.data_off), 4);
                if (!reg_all_known(st, s, words * 4) || shift >= 32) {
                        reg_unknown(st, d, words * 4);
                        return STEP_NEXT;
                }
                memcpy(src, st->reg + s * 4, words * 4);
                if (e->bitwise.op == NFT_BITWISE_LSHIFT)
                        for (unsigned i = words; i > 0; i--) {
                                dst[i - 1] = (src[i - 1] << shift) | carry;
                                carry = shift ? src[i - 1] >> (32 - shift) : 0;
                        }
                else
                        for (unsigned i = 0; i < words; i++) {
                                dst[i] = carry | (src[i] >> shift);
                                carry = shift ? src[i] << (32 - shift) : 0;
                        }
                memcpy(st->reg + d * 4, dst, words * 4);
                memset(st->known + d * 4, 0xff, words * 4);
                return STEP_NEXT;
        }
        reg_unknown(st, d, words * 4);
        return STEP_NEXT;
}

static Step eval_byteorder(Ctx *ctx, EvalState *st, const NftExpr *e) {
        unsigned s = e->byteorder.sreg, d = e->byteorder.dreg, len = e->byteorder.len, size = e->byteorder.size;
        uint8_t v[NFT_DATA_MAXLEN], k[NFT_DATA_MAXLEN];

        if ((size != 2 && size != 4 && size != 8) || len % size || len > NFT_DATA_MAXLEN ||
            !reg_ok(s, len) || !reg_ok(d, len))
                return STEP_FORK;
        if (reg_tainted(st, s, len))
                sport_unmodelled(ctx);
        memset(st->taint + d * 4, TAINT_NONE, len);
        memcpy(v, st->reg + s * 4, len);
        memcpy(k, st->known + s * 4, len);
        /* hton and ntoh are the same swap, and none on big-endian hosts */
        if (htons(1) != 1)
                for (unsigned c = 0; c < len; c += size)
                        for (unsigned i = 0; i < size / 2; i++) {
                                uint8_t t = v[c + i];
                                v[c + i] = v[c + size - 1 - i];
                                v[c + size - 1 - i] = t;
                                t = k[c + i];
                                k[c + i] = k[c + size - 1 - i];
                                k[c + size - 1 - i] = t;
                        }
        memcpy(st->reg + d * 4, v, len);
        memcpy(st->known + d * 4, k, len);
        return STEP_NEXT;
}

static Step tri_step(Tri t) {
        return t == TRI_YES ? STEP_NEXT : t == TRI_NO ? STEP_BREAK : STEP_FORK;
}

static uint32_t resolve_chain(const NftTable *t, const char *name) {
        for (size_t i = 0; name && i < t->n_chains; i++)
                if (strcmp(t->chains[i].name, name) == 0)
                        return (uint32_t) i;
        return NO_INDEX;
}

static Step eval_lookup(Ctx *ctx, EvalState *st, const NftExpr *e, NftEvalResult *res) {
        const NftRuleset *rs = ctx->rs;
        if (e->lookup.set == NO_INDEX || e->lookup.set >= rs->n_sets)
                return set_unknown(ctx, st, res, "the rule looks up a set that was not read");
        const NftSet *set = &rs->sets[e->lookup.set];
        unsigned s = e->lookup.sreg;
        bool map = e->lookup.dreg != NFT_REG_WORD_NONE;

        if (!reg_ok(s, set->key_len))
                return STEP_FORK;
        /* A set known to be empty matches no key, whatever the probe
         * leaves undefined (fail2ban's ban set with nobody in it). */
        if (set->elems_complete && set->n_elems == 0) {
                if (map)
                        return STEP_BREAK;
                return (e->lookup.flags & NFT_EXPR_F_INVERT) ? STEP_NEXT : STEP_BREAK;
        }
        if (!reg_all_known(st, s, set->key_len)) {
                if (map)
                        return set_unknown(ctx, st, res, "a map is looked up with a key the probe does not define");
                return STEP_FORK;
        }
        if (reg_tainted(st, s, set->key_len) && !sport_set_boundaries(ctx, st, set, s))
                sport_unmodelled(ctx);
        NftSetElemData data;
        NftLookupResult r = set_lookup(ctx, set, st->reg + s * 4, &data);
        if (r == NFT_LOOKUP_UNKNOWN) {
                if (map)
                        return set_unknown(ctx, st, res, "the map's element could not be read");
                return STEP_FORK;
        }
        bool found = r == NFT_LOOKUP_PRESENT;
        if (!map)
                return found != !!(e->lookup.flags & NFT_EXPR_F_INVERT) ? STEP_NEXT : STEP_BREAK;
        if (!found)
                return STEP_BREAK;
        if (e->lookup.dreg == NFT_REG_WORD_VERDICT) {
                st->verdict = data.verdict;
                st->jump_chain = NO_INDEX;
                if (data.verdict == NFT_JUMP || data.verdict == NFT_GOTO)
                        st->jump_chain = resolve_chain(&rs->tables[set->table], data.chain);
                return STEP_VERDICT;
        }
        if (!reg_ok(e->lookup.dreg, set->data_len) || data.len != set->data_len)
                return set_unknown(ctx, st, res, "the map's data could not be read");
        reg_store(st, e->lookup.dreg, data.data, NULL, data.len);
        return STEP_NEXT;
}

static bool reg_is_u16(const EvalState *st, unsigned word, uint16_t *ret) {
        if (!reg_ok(word, 2) || !reg_all_known(st, word, 2))
                return false;
        *ret = (uint16_t) (st->reg[word * 4] << 8 | st->reg[word * 4 + 1]);
        return true;
}

/* The probe's destination or one of the host's own addresses: a packet
 * sent there is delivered locally. */
static bool addr_is_local(const NftProbe *p, const uint8_t *addr) {
        size_t alen = p->family == AF_INET6 ? 16 : 4;
        if (p->daddr_known && memcmp(addr, p->daddr, alen) == 0)
                return true;
        for (size_t i = 0; p->local_addrs && i < p->n_local_addrs; i++)
                if (memcmp(addr, p->local_addrs[i], alen) == 0)
                        return true;
        return false;
}

/* dnat and redirect on the probe's way in: the new destination port is what
 * every later chain (and sshd) sees. */
static Step eval_nat(Ctx *ctx, EvalState *st, const NftExpr *e, NftEvalResult *res, int stage) {
        const NftProbe *p = ctx->probe;
        unsigned th = th_off(st);
        unsigned pmin, pmax;

        if (st->ct != CT_NEW)
                return set_unknown(ctx, st, res, "nat without a conntrack entry");
        if (e->kind == NFT_EXPR_NAT) {
                if (reg_tainted(st, e->nat.reg_addr_min, 16) || reg_tainted(st, e->nat.reg_addr_max, 16) ||
                    reg_tainted(st, e->nat.reg_proto_min, 4) || reg_tainted(st, e->nat.reg_proto_max, 4))
                        sport_unmodelled(ctx);
        }
        if (e->kind == NFT_EXPR_NAT) {
                unsigned alen = p->family == AF_INET6 ? 16 : 4;
                unsigned addr_off = e->nat.type == NFT_NAT_DNAT ? (p->family == AF_INET6 ? 24 : 16)
                                                                : (p->family == AF_INET6 ? 8 : 12);
                if (e->nat.type == NFT_NAT_DNAT && stage != STAGE_PREROUTING)
                        return set_unknown(ctx, st, res, "dnat outside prerouting");
                if (e->nat.reg_addr_min != NFT_REG_WORD_NONE) {
                        unsigned a = e->nat.reg_addr_min, b = e->nat.reg_addr_max;
                        if (!reg_ok(a, alen) || !reg_all_known(st, a, alen) ||
                            (b != NFT_REG_WORD_NONE && b != a &&
                             (!reg_ok(b, alen) || memcmp(st->reg + a * 4, st->reg + b * 4, alen) != 0)))
                                return set_unknown(ctx, st, res, "nat to an address the probe cannot tell");
                        if (e->nat.type == NFT_NAT_DNAT && !addr_is_local(p, st->reg + a * 4))
                                return set_unknown(ctx, st, res, "dnat to another address: the connection is forwarded");
                        memcpy(st->pkt + NH_OFF + addr_off, st->reg + a * 4, alen);
                        memset(st->pkt_known + NH_OFF + addr_off, 0xff, alen);
                }
                pmin = e->nat.reg_proto_min;
                pmax = e->nat.reg_proto_max;
                if (e->nat.type == NFT_NAT_DNAT)
                        st->nat_dst_done = true;
                else
                        st->nat_src_done = true;
                if (e->nat.type != NFT_NAT_DNAT) {
                        /* a new source port for the chains after it */
                        if (pmin != NFT_REG_WORD_NONE) {
                                memset(st->pkt_known + th, 0, 2);
                                st->sport_in_pkt = false;
                        }
                        pmin = pmax = NFT_REG_WORD_NONE;
                }
        } else {
                /* redirect: to the primary address of the input device */
                if (stage != STAGE_PREROUTING)
                        return set_unknown(ctx, st, res, "redirect outside prerouting");
                memset(st->pkt_known + NH_OFF + (p->family == AF_INET6 ? 24 : 16), 0,
                       p->family == AF_INET6 ? 16 : 4);
                if (reg_tainted(st, e->redir.reg_proto_min, 4) || reg_tainted(st, e->redir.reg_proto_max, 4))
                        sport_unmodelled(ctx);
                pmin = e->redir.reg_proto_min;
                pmax = e->redir.reg_proto_max;
                st->nat_dst_done = true;
        }
        if (pmin != NFT_REG_WORD_NONE) {
                uint16_t lo, hi;
                if (!reg_is_u16(st, pmin, &lo))
                        memset(st->pkt_known + th + 2, 0, 2);
                else if (pmax != NFT_REG_WORD_NONE && pmax != pmin && (!reg_is_u16(st, pmax, &hi) || hi != lo))
                        memset(st->pkt_known + th + 2, 0, 2);
                else {
                        memcpy(st->pkt + th + 2, st->reg + pmin * 4, 2);
                        memset(st->pkt_known + th + 2, 0xff, 2);
                }
        }
        /* nft_nat_eval's verdict is nf_nat_setup_info()'s: NF_ACCEPT */
        st->verdict = NF_ACCEPT;
        return STEP_VERDICT;
}

/* The reverse-path lookup answers as the probe's (rpfilter_ok: the route
 * back to the source leaves through the input device) when it is the same
 * lookup.  With the packet's mark in it (nft's `fib saddr . mark . iif`,
 * NFTA_FIB_F_MARK: flowi4_mark = skb->mark; xt_rpfilter's --validmark,
 * which iptables-nft lists so), it is when the mark is known to be 0: the
 * lookup without the flag uses mark 0 (nft_fib4_eval's flowi4 starts
 * zeroed).  Another mark may select other routes (`ip rule fwmark`),
 * which the probe's route does not tell. */
static bool reverse_path_known(const Ctx *ctx, const EvalState *st, bool with_mark) {
        return ctx->probe->rpfilter_ok && (!with_mark || (st->mark_known && st->mark == 0));
}

/* Routing lookups (nft_fib4_eval, nft_fib6_eval): the probe's destination
 * is an address of this host, so `fib daddr type` is local; the reverse
 * path is known only when the probe says so. */
static Step eval_fib(Ctx *ctx, EvalState *st, const NftExpr *e) {
        const NftProbe *p = ctx->probe;
        uint32_t f = e->fib.flags;
        unsigned d = e->fib.dreg;

        if (!reg_ok(d, IFNAMSIZ))
                return STEP_FORK;
        if (e->fib.result == NFT_FIB_RESULT_ADDRTYPE && (f & NFTA_FIB_F_DADDR) &&
            !(f & (NFTA_FIB_F_SADDR | NFTA_FIB_F_IIF | NFTA_FIB_F_OIF))) {
                reg_store_u32(st, d, 2 /* RTN_LOCAL */);
                return STEP_NEXT;
        }
        if ((e->fib.result == NFT_FIB_RESULT_OIF || e->fib.result == NFT_FIB_RESULT_OIFNAME) &&
            (f & NFTA_FIB_F_SADDR) && (f & NFTA_FIB_F_IIF) && !(f & NFTA_FIB_F_OIF) &&
            reverse_path_known(ctx, st, f & NFTA_FIB_F_MARK)) {
                /* the lookup answers with the input device */
                if (f & NFTA_FIB_F_PRESENT) {
                        reg_store_u8(st, d, 1);
                        return STEP_NEXT;
                }
                if (e->fib.result == NFT_FIB_RESULT_OIF && p->iif) {
                        reg_store_u32(st, d, p->iif);
                        return STEP_NEXT;
                }
                if (e->fib.result == NFT_FIB_RESULT_OIFNAME && p->iifname[0]) {
                        uint8_t name[IFNAMSIZ] = { 0 };
                        memcpy(name, p->iifname, strnlen(p->iifname, IFNAMSIZ - 1));
                        reg_store(st, d, name, NULL, IFNAMSIZ);
                        return STEP_NEXT;
                }
        }
        reg_unknown(st, d, IFNAMSIZ);
        return STEP_NEXT;
}

/* ---- x_tables extensions ---- */

/* What of the probe the evaluator knows, for an XtProbe. */
typedef struct XtKnown {
        bool saddr, daddr, orig_daddr, sport, dport, mark, ctmark, ct;
} XtKnown;

static bool pkt_all_known(const EvalState *st, unsigned off, unsigned len) {
        for (unsigned i = 0; i < len; i++)
                if (st->pkt_known[off + i] != 0xff)
                        return false;
        return true;
}

/* The XT_ADDRTYPE_* (1 << RTN_*) types of an address, as addrtype_mt()
 * sees them: inet_addr_type() for IPv4 (exactly one), ipv6_addr_type()
 * and the local check for IPv6. */
static uint16_t addr_types(const NftProbe *p, const uint8_t *a) {
        bool local = addr_is_local(p, a);
        if (p->family == AF_INET6) {
                if (a[0] == 0xff)
                        return XT_ADDRTYPE_MULTICAST;
                return (uint16_t) (XT_ADDRTYPE_UNICAST | (local ? XT_ADDRTYPE_LOCAL : 0));
        }
        if (a[0] >= 224 && a[0] < 240)
                return XT_ADDRTYPE_MULTICAST;
        if (a[0] == 0 || (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255))
                return XT_ADDRTYPE_BROADCAST;
        return local ? XT_ADDRTYPE_LOCAL : XT_ADDRTYPE_UNICAST;
}

static void xt_probe_fill(const Ctx *ctx, const EvalState *st, XtProbe *xp, XtKnown *k) {
        const NftProbe *p = ctx->probe;
        bool v6 = p->family == AF_INET6;
        unsigned alen = v6 ? 16 : 4, soff = NH_OFF + (v6 ? 8 : 12), doff = NH_OFF + (v6 ? 24 : 16);
        unsigned th = th_off(st);

        memset(xp, 0, sizeof(*xp));
        memset(k, 0, sizeof(*k));
        xp->family = v6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
        memcpy(xp->saddr, st->pkt + soff, alen);
        memcpy(xp->daddr, st->pkt + doff, alen);
        k->saddr = pkt_all_known(st, soff, alen);
        k->daddr = pkt_all_known(st, doff, alen);
        xp->l4proto = IPPROTO_TCP;
        xp->dport = (uint16_t) (st->pkt[th + 2] << 8 | st->pkt[th + 3]);
        k->dport = pkt_all_known(st, th + 2, 2);
        xp->sport = (uint16_t) (st->pkt[th] << 8 | st->pkt[th + 1]);
        k->sport = pkt_all_known(st, th, 2);
        xp->tcp_flags = 0x02;   /* SYN */
        snprintf(xp->iifname, sizeof(xp->iifname), "%s", p->iifname);
        xp->mark = st->mark;
        xp->ct_mark = st->ctmark;
        k->mark = st->mark_known;
        k->ctmark = st->ctmark_known;
        k->ct = st->ct != CT_MAYBE;
        xp->ct_state = st->ct == CT_NEW ? XT_CT_NEW : st->ct == CT_UNTRACKED ? XT_CT_UNTRACKED : XT_CT_INVALID;
        /* conntrack's original tuple: what the client addressed */
        xp->dnat = st->nat_dst_done;
        memcpy(xp->orig_daddr, p->daddr, alen);
        xp->orig_dport = p->dport;
        k->orig_daddr = st->nat_dst_done ? p->daddr_known : k->daddr;
        /* the probe is addressed to this host */
        xp->daddr_types = v6 ? XT_ADDRTYPE_LOCAL | XT_ADDRTYPE_UNICAST : XT_ADDRTYPE_LOCAL;
        if (k->saddr)
                xp->saddr_types = addr_types(p, xp->saddr);
}

enum {
        XT_READS_SADDR = 1 << 0,
        XT_READS_DADDR = 1 << 1,
        XT_READS_ORIG_DADDR = 1 << 2,
        XT_READS_DPORT = 1 << 3,
        XT_READS_MARK = 1 << 4,
        XT_READS_CT = 1 << 5,
};

/* Which parts of the probe a match's answer depends on (the source port
 * is handled by xt_sport_bounds()). */
static unsigned xt_match_reads(const XtMatch *m) {
        switch (m->kind) {
        case XTM_TCP:
                return XT_READS_DPORT;
        case XTM_MULTIPORT:
                return m->u.multiport.flags == XT_MULTIPORT_SOURCE ? 0 : XT_READS_DPORT;
        case XTM_CONNTRACK: {
                unsigned f = m->u.conntrack.match_flags, r = XT_READS_CT;
                if (f & (XT_CONNTRACK_ORIGSRC | XT_CONNTRACK_REPLDST))
                        r |= XT_READS_SADDR;
                if (f & XT_CONNTRACK_ORIGDST)
                        r |= XT_READS_ORIG_DADDR;
                if (f & XT_CONNTRACK_REPLSRC)
                        r |= XT_READS_DADDR;
                if (f & (XT_CONNTRACK_ORIGDST_PORT | XT_CONNTRACK_REPLSRC_PORT))
                        r |= XT_READS_DPORT;
                return r;
        }
        case XTM_STATE:
                return XT_READS_CT;
        case XTM_IPRANGE:
                return ((m->u.iprange.flags & IPRANGE_SRC) ? XT_READS_SADDR : 0) |
                       ((m->u.iprange.flags & IPRANGE_DST) ? XT_READS_DADDR : 0);
        case XTM_MARK:
                return XT_READS_MARK;
        default:
                return 0;
        }
}

/* The source ports where a match's answer may change: it is constant
 * between consecutive ones, so judging each of them (and its neighbours)
 * judges every source port.  Returns how many, 0 if it reads none. */
static unsigned xt_sport_bounds(const XtMatch *m, uint16_t *b, unsigned max) {
        unsigned n = 0;
        switch (m->kind) {
        case XTM_TCP:
                if (m->u.tcp.spts[0] != 0 || m->u.tcp.spts[1] != 0xffff || (m->u.tcp.invflags & XT_TCP_INV_SRCPT)) {
                        b[n++] = m->u.tcp.spts[0];
                        b[n++] = m->u.tcp.spts[1];
                }
                break;
        case XTM_MULTIPORT:
                if (m->u.multiport.flags != XT_MULTIPORT_DESTINATION)
                        for (unsigned i = 0; i < m->u.multiport.count && i < 15 && n < max; i++)
                                b[n++] = m->u.multiport.ports[i];
                break;
        case XTM_CONNTRACK:
                if (m->u.conntrack.match_flags & XT_CONNTRACK_ORIGSRC_PORT) {
                        b[n++] = m->u.conntrack.origsrc_port[0];
                        b[n++] = m->u.conntrack.origsrc_port[1];
                }
                if (m->u.conntrack.match_flags & XT_CONNTRACK_REPLDST_PORT) {
                        b[n++] = m->u.conntrack.repldst_port[0];
                        b[n++] = m->u.conntrack.repldst_port[1];
                }
                break;
        default:
                break;
        }
        return n;
}

static Step xt_result_step(EvalState *st, XtResult r, XtResult fresh) {
        if (r == XT_RESULT_HISTORY) {
                /* like `limit`: assumed within what the history allows */
                st->rate_limited = true;
                r = fresh;
        }
        return r == XT_RESULT_MATCH ? STEP_NEXT : r == XT_RESULT_NO_MATCH ? STEP_BREAK : STEP_FORK;
}

static Step eval_xt_set(Ctx *ctx, EvalState *st, const XtMatch *m, const XtProbe *xp, const XtKnown *k) {
        const NftProbe *p = ctx->probe;
        bool src = m->u.set.flags & IPSET_DIM_ONE_SRC;
        int member;

        /* one dimension, an address: what ipset can be asked for */
        if (m->u.set.dim != 1 || !p->ipset_test || !(src ? k->saddr : k->daddr))
                return STEP_FORK;
        member = p->ipset_test(m->u.set.index, p->family, src ? xp->saddr : xp->daddr, p->ipset_userdata);
        if (member < 0)
                return STEP_FORK;
        XtResult r = xt_set_match_result(m, member ? XT_SET_MEMBER : XT_SET_ABSENT, false);
        return xt_result_step(st, r, XT_RESULT_UNKNOWN);
}

/* ip6tables matches on an extension header, which the kernel's match
 * functions answer "no" for a packet without it (ipv6_find_hdr() fails). */
static bool ipv6_exthdr_match(const char *name) {
        static const char *const names[] = { "rt", "frag", "hbh", "dst" };
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (strcmp(name, names[i]) == 0)
                        return true;
        return false;
}

/* ipt_rpfilter / ip6t_rpfilter (raw and mangle prerouting): before routing
 * the SYN is not yet local, its source is unicast, so the match is the
 * reverse lookup's answer: found through the input device (or, --loose,
 * at all), XORed with --invert.  --accept-local changes only the answer
 * for a source that is one of the host's own addresses, which a route
 * back through the input device is not. */
static Step eval_xt_rpfilter(const Ctx *ctx, const EvalState *st, const XtMatch *m) {
        uint8_t f = m->u.rpfilter.flags;
        if (!reverse_path_known(ctx, st, f & XT_RPFILTER_VALID_MARK))
                return STEP_FORK;
        return (f & XT_RPFILTER_INVERT) ? STEP_BREAK : STEP_NEXT;
}

/* Stamps of list NAME this packet added on its way; -1: not known. */
static int recent_added(const EvalState *st, const char *name) {
        for (unsigned i = 0; i < 2; i++)
                if (st->recent_name[i] && strcmp(st->recent_name[i], name) == 0)
                        return st->recent_added[i];
        return st->recent_lost ? -1 : 0;
}

static void recent_add(EvalState *st, const char *name) {
        for (unsigned i = 0; i < 2; i++)
                if (!st->recent_name[i] || strcmp(st->recent_name[i], name) == 0) {
                        st->recent_name[i] = name;
                        if (st->recent_added[i] < UINT8_MAX)
                                st->recent_added[i]++;
                        return;
                }
        st->recent_lost = true;
}

/* -m recent (recent_mt()): --set always matches and stamps the source;
 * --rcheck/--update of a source whose list the probe has is judged from
 * the list and what this packet stamped before (an --update that matches
 * stamps it again).  Returns false to leave it to the generic judgement
 * (assumed a source's first connection): the list or the address not
 * known, --remove, --ttl. */
static bool eval_xt_recent(const Ctx *ctx, EvalState *st, const XtMatch *m, const XtProbe *xp, const XtKnown *k,
                           Step *ret) {
        const char *name = xt_pool_get(&ctx->rs->xt_pool, m->u.recent.name_off);
        uint8_t cs = m->u.recent.check_set, addr[16];
        bool src = m->u.recent.side != XT_RECENT_DEST, exists;
        int added, r;

        if (cs & XT_RECENT_SET) {
                recent_add(st, name);
                *ret = m->u.recent.invert ? STEP_BREAK : STEP_NEXT;
                return true;
        }
        if (!(cs & (XT_RECENT_CHECK | XT_RECENT_UPDATE)) || (cs & XT_RECENT_TTL))
                return false;
        added = recent_added(st, name);
        if (added < 0)
                return false;
        if (!ctx->probe->recent || !(src ? k->saddr : k->daddr)) {
                /* The history not known: this packet's own stamps alone
                 * may be enough (`--set`, then `--rcheck` or `--update
                 * --hitcount 1`), and more stamps only add hits.  Else it
                 * is left to the generic judgement: a first connection. */
                if (added == 0 || m->u.recent.invert || (m->u.recent.hit_count > (unsigned) added))
                        return false;
                if (cs & XT_RECENT_UPDATE)
                        recent_add(st, name);
                *ret = STEP_NEXT;
                return true;
        }
        for (unsigned i = 0; i < 16; i++)
                addr[i] = (src ? xp->saddr : xp->daddr)[i] & m->u.recent.mask[i];
        r = xt_recent_match(ctx->probe->recent, name, (uint8_t) xp->family, addr, m->u.recent.seconds,
                            m->u.recent.hit_count, (unsigned) added, &exists);
        if (r < 0)
                return false;
        bool match = (r == 1) != !!m->u.recent.invert;
        if ((cs & XT_RECENT_UPDATE) && match && exists)
                recent_add(st, name);
        if (r == 1 && match) {
                st->recent_hit = m;
                memcpy(st->recent_hit_addr, addr, sizeof(addr));
                st->recent_hit_chain = st->chain;
                st->recent_hit_rule = st->rule;
                st->recent_hit_depth = st->depth;
        }
        *ret = match ? STEP_NEXT : STEP_BREAK;
        return true;
}

static Step eval_xt_match(Ctx *ctx, EvalState *st, const NftExpr *e) {
        const NftRuleset *rs = ctx->rs;
        const XtMatch *m = nft_expr_xt_match(rs, e);
        XtProbe xp;
        XtKnown k;
        uint16_t bounds[32];
        unsigned reads, n;

        if (!m)
                return STEP_FORK;
        if (m->kind == XTM_UNKNOWN && m->family == NFPROTO_IPV6 && ipv6_exthdr_match(xt_match_name(m, &rs->xt_pool)))
                /* rt_mt6(), frag_mt6(), hbh_mt6(): no such header (the
                 * probe's next header is TCP), no match, whatever the
                 * match's options and inversions say */
                return STEP_BREAK;
        if (m->kind == XTM_RPFILTER)
                return eval_xt_rpfilter(ctx, st, m);
        xt_probe_fill(ctx, st, &xp, &k);
        if (m->kind == XTM_SET)
                return eval_xt_set(ctx, st, m, &xp, &k);
        if (m->kind == XTM_RECENT) {
                Step step;
                if (eval_xt_recent(ctx, st, m, &xp, &k, &step))
                        return step;
        }
        reads = xt_match_reads(m);
        if (((reads & XT_READS_SADDR) && !k.saddr) || ((reads & XT_READS_DADDR) && !k.daddr) ||
            ((reads & XT_READS_ORIG_DADDR) && !k.orig_daddr) || ((reads & XT_READS_DPORT) && !k.dport) ||
            ((reads & XT_READS_MARK) && !k.mark) || ((reads & XT_READS_CT) && !k.ct))
                return STEP_FORK;

        XtResult fresh, r = xt_match_eval(m, &rs->xt_pool, &xp, &fresh);
        n = xt_sport_bounds(m, bounds, 30);
        if (k.sport) {
                /* judged for this port; the answer may change only at
                 * the bounds (and right after them) */
                for (unsigned i = 0; st->sport_in_pkt && i < n; i++) {
                        sport_boundary(ctx, bounds[i]);
                        sport_boundary(ctx, (uint32_t) bounds[i] + 1);
                }
                return xt_result_step(st, r, fresh);
        }
        for (unsigned i = 0; i < n; i++)
                for (int d = -1; d <= 1; d++) {
                        int port = bounds[i] + d;
                        XtResult f2, r2;
                        if (port < 0 || port > 0xffff)
                                continue;
                        xp.sport = (uint16_t) port;
                        r2 = xt_match_eval(m, &rs->xt_pool, &xp, &f2);
                        if (r2 != r || f2 != fresh)
                                return STEP_FORK;       /* the source port decides */
                }
        if (n > 0) {
                XtResult f2;
                xp.sport = 0xffff;
                if (xt_match_eval(m, &rs->xt_pool, &xp, &f2) != r || f2 != fresh)
                        return STEP_FORK;
        }
        return xt_result_step(st, r, fresh);
}

/* DNAT, REDIRECT, SNAT, MASQUERADE targets: as the native nat statements. */
static Step eval_xt_nat(Ctx *ctx, EvalState *st, const XtTarget *t, const XtProbe *xp, XtVerdict v,
                        NftEvalResult *res, int stage) {
        const NftProbe *p = ctx->probe;
        bool v6 = p->family == AF_INET6;
        unsigned alen = v6 ? 16 : 4, th = th_off(st);
        bool dst = t->u.nat.type == XT_NAT_DNAT || t->u.nat.type == XT_NAT_REDIRECT;

        if (st->ct != CT_NEW)
                return set_unknown(ctx, st, res, "nat without a conntrack entry");
        if (!dst) {
                unsigned soff = NH_OFF + (v6 ? 8 : 12);
                if (v.changed & XT_CHANGED_SADDR) {
                        memcpy(st->pkt + soff, xp->saddr, alen);
                        memset(st->pkt_known + soff, (v.uncertain & XT_CHANGED_SADDR) ? 0 : 0xff, alen);
                }
                if (v.changed & XT_CHANGED_SPORT) {
                        uint16_t port = htons(xp->sport);
                        memcpy(st->pkt + th, &port, 2);
                        memset(st->pkt_known + th, (v.uncertain & XT_CHANGED_SPORT) ? 0 : 0xff, 2);
                        st->sport_in_pkt = false;
                }
                st->nat_src_done = true;
                st->verdict = NF_ACCEPT;
                return STEP_VERDICT;
        }
        if (stage != STAGE_PREROUTING)
                return set_unknown(ctx, st, res, "dnat outside prerouting");
        unsigned doff = NH_OFF + (v6 ? 24 : 16);
        if (t->u.nat.type == XT_NAT_REDIRECT)
                /* the primary address of the input device: this host */
                memset(st->pkt_known + doff, 0, alen);
        else if (v.changed & XT_CHANGED_DADDR) {
                if (v.uncertain & XT_CHANGED_DADDR)
                        return set_unknown(ctx, st, res, "nat to an address the probe cannot tell");
                if (!addr_is_local(p, xp->daddr))
                        return set_unknown(ctx, st, res, "dnat to another address: the connection is forwarded");
                memcpy(st->pkt + doff, xp->daddr, alen);
                memset(st->pkt_known + doff, 0xff, alen);
        }
        if (v.changed & XT_CHANGED_DPORT) {
                uint16_t port = htons(xp->dport);
                memcpy(st->pkt + th + 2, &port, 2);
                memset(st->pkt_known + th + 2, (v.uncertain & XT_CHANGED_DPORT) ? 0 : 0xff, 2);
        }
        st->nat_dst_done = true;
        st->verdict = NF_ACCEPT;
        return STEP_VERDICT;
}

static Step eval_xt_target(Ctx *ctx, EvalState *st, const NftExpr *e, NftEvalResult *res, int stage) {
        const NftRuleset *rs = ctx->rs;
        const XtTarget *t = nft_expr_xt_target(rs, e);
        XtProbe xp;
        XtKnown k;

        if (!t)
                return set_unknown(ctx, st, res, "an x_tables target that was not read");
        xt_probe_fill(ctx, st, &xp, &k);
        XtVerdict v = xt_target_eval(t, &rs->xt_pool, &xp);
        switch (v.kind) {
        case XT_VERDICT_CONTINUE:
                if (v.changed & XT_CHANGED_MARK) {
                        /* (mark & ~mask) ^ value: known when the old mark
                         * was, or when the mask replaces all of it */
                        bool known = !(v.uncertain & XT_CHANGED_MARK) &&
                                     ((st->mark_known && (t->kind != XTT_CONNMARK || st->ctmark_known)) ||
                                      (t->kind == XTT_MARK && t->u.mark.mask == UINT32_MAX));
                        st->mark = xp.mark;
                        st->mark_known = known;
                }
                if (v.changed & XT_CHANGED_CTMARK) {
                        bool known = !(v.uncertain & XT_CHANGED_CTMARK) && st->ctmark_known && st->mark_known &&
                                     st->ct != CT_MAYBE;
                        st->ctmark = xp.ct_mark;
                        st->ctmark_known = known;
                }
                if (v.changed & XT_CHANGED_CTSTATE) {
                        if (st->ct == CT_MAYBE)
                                return set_unknown(ctx, st, res, "notrack at conntrack's own priority");
                        if (st->ct == CT_NONE)
                                st->ct = CT_UNTRACKED;
                }
                return STEP_NEXT;
        case XT_VERDICT_ACCEPT:
                st->verdict = NF_ACCEPT;
                return STEP_VERDICT;
        case XT_VERDICT_DROP:
                st->verdict = NF_DROP;
                return STEP_VERDICT;
        case XT_VERDICT_REJECT:
                st->rejected = true;
                st->verdict = NF_DROP;
                return STEP_VERDICT;
        case XT_VERDICT_RETURN:
                st->verdict = NFT_RETURN;
                return STEP_VERDICT;
        case XT_VERDICT_NAT:
                return eval_xt_nat(ctx, st, t, &xp, v, res, stage);
        case XT_VERDICT_QUEUE:
                return set_unknown(ctx, st, res, "the packet is queued to a userspace program");
        default:
                return set_unknown(ctx, st, res, "an x_tables target that is not modelled");
        }
}

static Step eval_cmp(Ctx *ctx, EvalState *st, const NftExpr *e) {
        const uint8_t *d = nft_pool(ctx->rs, e->cmp.data_off);
        if (!reg_ok(e->cmp.sreg, e->cmp.len))
                return STEP_FORK;
        if (st->taint_any && !sport_compare_boundaries(ctx, st, e->cmp.sreg * 4, e->cmp.len, d))
                sport_unmodelled(ctx);
        return tri_step(cmp_tri(st, e->cmp.sreg, e->cmp.op, d, e->cmp.len));
}

static Step eval_range(Ctx *ctx, EvalState *st, const NftExpr *e) {
        const uint8_t *from = nft_pool(ctx->rs, e->range.from_off);
        if (!reg_ok(e->range.sreg, e->range.len))
                return STEP_FORK;
        if (!sport_compare_boundaries(ctx, st, e->range.sreg * 4, e->range.len, from) ||
            !sport_compare_boundaries(ctx, st, e->range.sreg * 4, e->range.len, from + e->range.len))
                sport_unmodelled(ctx);
        Tri in = range_tri(st, e->range.sreg, from, from + e->range.len, e->range.len);
        if (e->range.op == NFT_RANGE_NEQ)
                in = in == TRI_YES ? TRI_NO : in == TRI_NO ? TRI_YES : TRI_MAYBE;
        return tri_step(in);
}

static Step eval_meta_set(Ctx *ctx, EvalState *st, const NftExpr *e) {
        if (reg_tainted(st, e->meta_set.sreg, 4))
                sport_unmodelled(ctx);
        if (e->meta_set.key == NFT_META_MARK) {
                st->mark_known = reg_ok(e->meta_set.sreg, 4) && reg_all_known(st, e->meta_set.sreg, 4);
                if (st->mark_known)
                        memcpy(&st->mark, st->reg + e->meta_set.sreg * 4, 4);
        } else if (e->meta_set.key != NFT_META_NFTRACE && e->meta_set.key < 64)
                st->meta_clobbered |= UINT64_C(1) << e->meta_set.key;
        return STEP_NEXT;
}

static Step eval_ct_set(Ctx *ctx, EvalState *st, const NftExpr *e) {
        if (reg_tainted(st, e->ct_set.sreg, 4))
                sport_unmodelled(ctx);
        if (e->ct_set.key == NFT_CT_MARK) {
                if (st->ct != CT_NEW)
                        return STEP_NEXT;       /* no entry to mark */
                st->ctmark_known = reg_ok(e->ct_set.sreg, 4) && reg_all_known(st, e->ct_set.sreg, 4);
                if (st->ctmark_known)
                        memcpy(&st->ctmark, st->reg + e->ct_set.sreg * 4, 4);
        }
        return STEP_NEXT;
}

static Step eval_immediate(const Ctx *ctx, EvalState *st, const NftExpr *e) {
        if (e->immediate.dreg == NFT_REG_WORD_VERDICT) {
                st->verdict = (int32_t) e->immediate.data_off;
                st->jump_chain = (e->immediate.flags & NFT_EXPR_F_CHAIN_RESOLVED) ? e->immediate.chain : NO_INDEX;
                return STEP_VERDICT;
        }
        if (!reg_ok(e->immediate.dreg, e->immediate.len))
                return STEP_FORK;
        reg_store(st, e->immediate.dreg, nft_pool(ctx->rs, e->immediate.data_off), NULL, e->immediate.len);
        return STEP_NEXT;
}

/* assumed within the limit: `limit rate` matches, `limit rate over` not */
static Step eval_limit(EvalState *st, const NftExpr *e) {
        st->rate_limited = true;
        return (e->limit.flags & NFT_EXPR_F_INVERT) ? STEP_BREAK : STEP_NEXT;
}

static Step eval_quota(EvalState *st, const NftExpr *e) {
        st->rate_limited = true;
        return (e->quota.flags & NFT_EXPR_F_INVERT) ? STEP_BREAK : STEP_NEXT;
}

/* the probe is the only connection: count 1 */
static Step eval_connlimit(EvalState *st, const NftExpr *e) {
        st->rate_limited = true;
        return ((e->connlimit.count >= 1) != !!(e->connlimit.flags & NFT_EXPR_F_INVERT)) ? STEP_NEXT : STEP_BREAK;
}

static Step eval_numgen(EvalState *st, const NftExpr *e) {
        st->rate_limited = true;
        reg_unknown(st, e->numgen.dreg, 4);
        return STEP_NEXT;
}

static Step eval_hash(EvalState *st, const NftExpr *e) {
        reg_unknown(st, e->hash.dreg, 4);
        return STEP_NEXT;
}

/* nft_reject sends the error, then drops */
static Step eval_reject(EvalState *st) {
        st->rejected = true;
        st->verdict = NF_DROP;
        return STEP_VERDICT;
}

static Step eval_notrack(Ctx *ctx, EvalState *st, NftEvalResult *res) {
        if (st->ct == CT_NONE)
                st->ct = CT_UNTRACKED;
        else if (st->ct == CT_MAYBE)
                return set_unknown(ctx, st, res, "notrack at conntrack's own priority");
        return STEP_NEXT;
}

static Step eval_objref(Ctx *ctx, EvalState *st, const NftExpr *e, NftEvalResult *res) {
        if (e->objref.type != NFT_OBJECT_COUNTER)
                st->rate_limited = e->objref.type == 0 || e->objref.type == NFT_OBJECT_QUOTA ||
                                   e->objref.type == NFT_OBJECT_LIMIT || e->objref.type == NFT_OBJECT_CONNLIMIT ||
                                   st->rate_limited;
        if (e->objref.type == NFT_OBJECT_SYNPROXY)
                return set_unknown(ctx, st, res, "synproxy answers the SYN itself");
        return STEP_NEXT;
}

/* writes something unknown into its register and on */
static Step eval_opaque_load(EvalState *st, const NftExpr *e) {
        reg_unknown_to_end(st, e->other.dreg);
        return STEP_FORK;
}

/* One expression; every kind has its entry (nft-expr.c registers the
 * kinds, nft-render.c prints them). */
static Step eval_expr(Ctx *ctx, EvalState *st, const NftExpr *e, NftEvalResult *res, int stage) {
        switch ((NftExprKind) e->kind) {
        case NFT_EXPR_PAYLOAD:
                return eval_payload(st, e);
        case NFT_EXPR_PAYLOAD_SET:
                return eval_payload_set(ctx, st, e);
        case NFT_EXPR_CMP:
                return eval_cmp(ctx, st, e);
        case NFT_EXPR_RANGE:
                return eval_range(ctx, st, e);
        case NFT_EXPR_BITWISE:
                return eval_bitwise(ctx, st, e);
        case NFT_EXPR_BYTEORDER:
                return eval_byteorder(ctx, st, e);
        case NFT_EXPR_META:
                return eval_meta(ctx, st, e, stage);
        case NFT_EXPR_META_SET:
                return eval_meta_set(ctx, st, e);
        case NFT_EXPR_CT:
                return eval_ct(ctx, st, e);
        case NFT_EXPR_CT_SET:
                return eval_ct_set(ctx, st, e);
        case NFT_EXPR_LOOKUP:
                return eval_lookup(ctx, st, e, res);
        case NFT_EXPR_IMMEDIATE:
                return eval_immediate(ctx, st, e);
        case NFT_EXPR_COUNTER:
        case NFT_EXPR_LOG:
        case NFT_EXPR_LAST:
        case NFT_EXPR_NOOP:
                return STEP_NEXT;       /* no effect on the verdict */
        case NFT_EXPR_LIMIT:
                return eval_limit(st, e);
        case NFT_EXPR_QUOTA:
                return eval_quota(st, e);
        case NFT_EXPR_CONNLIMIT:
                return eval_connlimit(st, e);
        case NFT_EXPR_NUMGEN:
                return eval_numgen(st, e);
        case NFT_EXPR_HASH:
                return eval_hash(st, e);
        case NFT_EXPR_REJECT:
                return eval_reject(st);
        case NFT_EXPR_NAT:
        case NFT_EXPR_REDIR:
                return eval_nat(ctx, st, e, res, stage);
        case NFT_EXPR_MASQ:
                return set_unknown(ctx, st, res, "masquerade on the way in");
        case NFT_EXPR_NOTRACK:
                return eval_notrack(ctx, st, res);
        case NFT_EXPR_FIB:
                return eval_fib(ctx, st, e);
        case NFT_EXPR_DYNSET:
                /* handled by eval_dynset() with its embedded expressions */
                return STEP_FORK;
        case NFT_EXPR_OBJREF:
                return eval_objref(ctx, st, e, res);
        case NFT_EXPR_QUEUE:
                return set_unknown(ctx, st, res, "the packet is queued to a userspace program");
        case NFT_EXPR_OPAQUE_LOAD:
                return eval_opaque_load(st, e);
        case NFT_EXPR_XT_MATCH:
                return eval_xt_match(ctx, st, e);
        case NFT_EXPR_XT_TARGET:
                return eval_xt_target(ctx, st, e, res, stage);
        case NFT_EXPR_OPAQUE:
        case NFT_EXPR_UNKNOWN:
        case _NFT_EXPR_KIND_MAX:
                break;
        }
        return set_unknown(ctx, st, res, "an expression that is not modelled");
}

/* A dynset (`add @meter { ip saddr limit rate over 10/minute }`) adds or
 * refreshes the key's element and runs the element's expressions, breaking
 * when one of them does.  Their state is history: assumed within limits. */
static Step eval_dynset(Ctx *ctx, EvalState *st, const NftRule *rule, uint32_t at) {
        const NftExpr *e = nft_rule_expr(ctx->rs, rule, at);
        bool pass = true;
        for (uint32_t i = 1; i <= NFT_DYNSET_N_EXPRS(e) && at + i < rule->n_expr; i++) {
                const NftExpr *x = nft_rule_expr(ctx->rs, rule, at + i);
                switch (x->kind) {
                case NFT_EXPR_LIMIT:
                        pass = eval_limit(st, x) == STEP_NEXT && pass;
                        break;
                case NFT_EXPR_QUOTA:
                        pass = eval_quota(st, x) == STEP_NEXT && pass;
                        break;
                case NFT_EXPR_CONNLIMIT:
                        pass = eval_connlimit(st, x) == STEP_NEXT && pass;
                        break;
                case NFT_EXPR_COUNTER:
                case NFT_EXPR_LAST:
                        break;
                default:
                        return STEP_FORK;
                }
        }
        if (e->dynset.flags & NFT_EXPR_F_INVERT)
                pass = !pass;
        return pass ? STEP_NEXT : STEP_BREAK;
}

/* ---- chains ---- */

static void run(Ctx *ctx, EvalState *st, NftEvalResult *res);

/* Follows both outcomes of an undecidable expression: the rule matching on
 * (the expression passes) and not matching. */
static void fork_rule(Ctx *ctx, EvalState *st, NftEvalResult *res, unsigned n_exprs) {
        if (++ctx->forks > MAX_FORKS) {
                (void) set_unknown(ctx, st, res, "too many outcomes depend on what the probe does not define");
                return;
        }
        EvalState *alt = malloc(sizeof(*alt));
        if (!alt) {
                (void) set_unknown(ctx, st, res, "out of memory");
                return;
        }
        *alt = *st;
        alt->rule++;            /* no match: next rule */
        alt->expr = 0;
        NftEvalResult other;
        run(ctx, alt, &other);
        free(alt);

        EvalState at = *st;
        st->expr += n_exprs;    /* match: go on with the rule */
        run(ctx, st, res);
        merge_results(res, &other, ctx, &at);
}

typedef enum ChainEnd {
        CHAIN_ACCEPT,           /* this base chain accepted: on to the next */
        CHAIN_FINAL,            /* *res is the final result */
} ChainEnd;

static ChainEnd final(Ctx *ctx, EvalState *st, NftEvalResult *res, NftVerdict v, const NftRule *rule) {
        const NftTable *t = &ctx->rs->tables[st->table];
        *res = (NftEvalResult) {
                .verdict = v,
                .table = t,
                .chain = cur_chain(ctx, st),
                .rule = rule,
                .rate_limited = st->rate_limited,
                .dport = final_dport(st),
                .n_blockers = 1,
        };
        res->blockers[0] = (NftBlocker) { .table = t, .chain = res->chain, .rule = rule, .base = st->base,
                                          .verdict = v };
        if (st->recent_hit && (v == NFT_VERDICT_DROP || v == NFT_VERDICT_REJECT)) {
                res->recent_list = xt_pool_get(&ctx->rs->xt_pool, st->recent_hit->u.recent.name_off);
                res->recent_seconds = st->recent_hit->u.recent.seconds;
                res->recent_hit_count = st->recent_hit->u.recent.hit_count;
                memcpy(res->recent_addr, st->recent_hit_addr, sizeof(res->recent_addr));
        }
        return CHAIN_FINAL;
}

/* Rules from RULE on that begin `meta nfproto; cmp eq V` (every `ip ...`
 * or `ip6 ...` rule of an inet table) for a packet of the other family:
 * none matches, and each leaves the register as eval_meta() would.  Decided
 * from the rules alone (nft_rule_family_set()), a run at a time
 * (NftRule.run): a walk passes a long chain of rules of the other family
 * without reading them.  Returns how many rules it passed (0: RULE is not
 * such a rule). */
static uint32_t other_family_rules(EvalState *st, const NftChain *c, uint32_t rule, uint8_t nfproto) {
        const NftRule *r = &c->rules[rule];
        uint8_t v = r->nfproto, reg = r->nfproto_reg;
        size_t k = rule;

        if (!v || v == nfproto || !reg_ok(reg, 4) || (st->meta_clobbered & (UINT64_C(1) << NFT_META_NFPROTO)))
                return 0;
        while (k < c->n_rules && c->rules[k].nfproto == v && c->rules[k].nfproto_reg == reg)
                k += c->rules[k].run ? c->rules[k].run : 1;
        reg_store_u8(st, reg, nfproto);
        return (uint32_t) ((k < c->n_rules ? k : c->n_rules) - rule);
}

static ChainEnd run_chain(Ctx *ctx, EvalState *st, NftEvalResult *res, int stage) {
        const NftRuleset *rs = ctx->rs;
        const NftTable *t = &rs->tables[st->table];
        /* what `meta nfproto` loads here (eval_meta) */
        const uint8_t nfproto = t->family == NFPROTO_NETDEV ? NFPROTO_NETDEV
                                : ctx->probe->family == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4;

        for (;;) {
                const NftChain *c = &t->chains[st->chain];
                while (st->rule < c->n_rules) {
                        const NftRule *rule = &c->rules[st->rule];
                        if (st->expr == 0) {
                                st->verdict = NFT_CONTINUE;
                                st->rejected = false;
                                uint32_t passed = other_family_rules(st, c, st->rule, nfproto);
                                if (passed > 0) {
                                        st->rule += passed;
                                        continue;
                                }
                        }
                        Step step = STEP_NEXT;
                        while (st->expr < rule->n_expr) {
                                const NftExpr *e = nft_rule_expr(rs, rule, st->expr);
                                unsigned width = 1;
                                if (e->kind == NFT_EXPR_DYNSET) {
                                        step = eval_dynset(ctx, st, rule, st->expr);
                                        width += NFT_DYNSET_N_EXPRS(e);
                                        if (step == STEP_NEXT)
                                                st->expr += width - 1;
                                } else
                                        step = eval_expr(ctx, st, e, res, stage);
                                if (step == STEP_FORK) {
                                        fork_rule(ctx, st, res, width);
                                        return CHAIN_FINAL;
                                }
                                if (step == STEP_DONE)
                                        return CHAIN_FINAL;
                                if (step != STEP_NEXT)
                                        break;
                                st->expr++;
                        }
                        st->expr = 0;
                        if (step == STEP_BREAK || st->verdict == NFT_CONTINUE || st->verdict == NFT_BREAK) {
                                /* the history matched, the rule did not act */
                                if (st->recent_hit && st->depth == st->recent_hit_depth &&
                                    st->chain == st->recent_hit_chain && st->rule == st->recent_hit_rule)
                                        st->recent_hit = NULL;
                                st->rule++;
                                continue;
                        }
                        switch (st->verdict) {
                        case NF_ACCEPT:
                                st->recent_hit = NULL;
                                st->accept_table = t;
                                st->accept_chain = c;
                                st->accept_rule = rule;
                                return CHAIN_ACCEPT;
                        case NF_DROP:
                                return final(ctx, st, res, st->rejected ? NFT_VERDICT_REJECT : NFT_VERDICT_DROP, rule);
                        case NFT_JUMP:
                        case NFT_GOTO:
                                if (st->jump_chain == NO_INDEX || st->jump_chain >= t->n_chains)
                                        return set_unknown(ctx, st, res, "a jump to a chain that was not read"), CHAIN_FINAL;
                                if (++st->jumps > MAX_JUMPS)
                                        return set_unknown(ctx, st, res, "the chains' jumps loop (the kernel refuses "
                                                           "such a ruleset)"), CHAIN_FINAL;
                                if (st->verdict == NFT_JUMP) {
                                        if (st->depth >= JUMP_STACK)
                                                return final(ctx, st, res, NFT_VERDICT_DROP, rule);
                                        st->stack[st->depth++] = (Frame) { st->chain, st->rule + 1 };
                                }
                                st->chain = st->jump_chain;
                                st->rule = 0;
                                c = &t->chains[st->chain];
                                continue;
                        case NFT_RETURN:
                                st->rule = (uint32_t) c->n_rules;
                                continue;
                        default:
                                return set_unknown(ctx, st, res, "a verdict that hands the packet elsewhere (queue, stolen)"),
                                       CHAIN_FINAL;
                        }
                }
                if (st->depth > 0) {
                        st->depth--;
                        /* back after the rule that jumped: it decided nothing */
                        if (st->recent_hit && st->depth <= st->recent_hit_depth)
                                st->recent_hit = NULL;
                        st->chain = st->stack[st->depth].chain;
                        st->rule = st->stack[st->depth].rule;
                        st->expr = 0;
                        continue;
                }
                /* the end of the base chain: its policy */
                st->chain = ctx->bases[st->base].chain;
                st->rule = UINT32_MAX;
                const NftChain *base = cur_chain(ctx, st);
                if (base->policy == NF_DROP)
                        return final(ctx, st, res, NFT_VERDICT_DROP, NULL);
                st->accept_table = t;
                st->accept_chain = base;
                st->accept_rule = NULL;
                return CHAIN_ACCEPT;
        }
}

static void enter_base(Ctx *ctx, EvalState *st) {
        const BaseChain *b = &ctx->bases[st->base];
        st->in_chain = true;
        st->table = b->table;
        st->chain = b->chain;
        st->rule = st->expr = 0;
        st->depth = 0;
        /* a fresh register file per base chain (nft_do_chain's stack) */
        memset(st->known, 0, sizeof(st->known));
        memset(st->taint, TAINT_NONE, sizeof(st->taint));
        st->taint_any = false;
        if (st->ct == CT_NONE || st->ct == CT_MAYBE) {
                if (b->stage == STAGE_INPUT || (b->stage == STAGE_PREROUTING && b->eff_priority > PRI_CONNTRACK))
                        st->ct = CT_NEW;
                else if (b->stage == STAGE_PREROUTING && b->eff_priority == PRI_CONNTRACK)
                        st->ct = CT_MAYBE;
                else
                        st->ct = CT_NONE;
        }
}

static void run(Ctx *ctx, EvalState *st, NftEvalResult *res) {
        for (; st->base < ctx->n_bases; st->base++, st->in_chain = false) {
                const BaseChain *b = &ctx->bases[st->base];
                if (!st->in_chain) {
                        /* nat chains run only for a connection's first
                         * packet, until one of them has mapped it, and
                         * never for untracked packets */
                        if (b->nat && (st->ct == CT_UNTRACKED ||
                                       (b->stage == STAGE_PREROUTING && st->nat_dst_done) ||
                                       (b->stage == STAGE_INPUT && st->nat_src_done)))
                                continue;
                        if (b->device_unknown) {
                                if (++ctx->forks > MAX_FORKS) {
                                        st->table = b->table;
                                        st->chain = b->chain;
                                        st->rule = UINT32_MAX;
                                        (void) set_unknown(ctx, st, res, "too many outcomes depend on what the probe does not define");
                                        return;
                                }
                                /* the chain may be on another device: follow both */
                                EvalState *alt = malloc(sizeof(*alt));
                                if (!alt) {
                                        *res = (NftEvalResult) { .verdict = NFT_VERDICT_UNKNOWN, .unknown_reason = "out of memory" };
                                        return;
                                }
                                *alt = *st;
                                alt->base++;
                                NftEvalResult other;
                                run(ctx, alt, &other);
                                free(alt);
                                enter_base(ctx, st);
                                EvalState at = *st;
                                at.rule = UINT32_MAX;
                                run(ctx, st, res);
                                merge_results(res, &other, ctx, &at);
                                return;
                        }
                        enter_base(ctx, st);
                }
                if (run_chain(ctx, st, res, b->stage) == CHAIN_FINAL)
                        return;
        }
        *res = (NftEvalResult) {
                .verdict = NFT_VERDICT_ACCEPT,
                .table = st->accept_table,
                .chain = st->accept_chain,
                .rule = st->accept_rule,
                .rate_limited = st->rate_limited,
                .dport = final_dport(st),
        };
}

/* One evaluation of ctx->probe; with a source port, ctx->sport_lo..hi is
 * where the result holds. */
static void eval_once(Ctx *ctx, NftEvalResult *ret) {
        EvalState *st = calloc(1, sizeof(*st));
        if (!st) {
                *ret = (NftEvalResult) { .verdict = NFT_VERDICT_UNKNOWN, .unknown_reason = "out of memory" };
                return;
        }
        ctx->forks = 0;
        ctx->sport_lo = 0;
        ctx->sport_hi = 0xffff;
        ctx->sport_unmodelled = false;
        init_packet(st, ctx->probe);
        st->mark_known = st->ctmark_known = true;
        st->ct = CT_NONE;
        run(ctx, st, ret);
        free(st);
}

typedef struct SportRange {
        uint32_t lo, hi;
        NftEvalResult r;
} SportRange;

static bool same_blockers(const NftEvalResult *a, const NftEvalResult *b) {
        for (unsigned i = 0; i < a->n_blockers; i++)
                if (!blocker_same(&a->blockers[i], &b->blockers[i]))
                        return false;
        return true;
}

static bool same_result(const NftEvalResult *a, const NftEvalResult *b) {
        return a->verdict == b->verdict && a->table == b->table && a->chain == b->chain && a->rule == b->rule &&
               a->rate_limited == b->rate_limited && a->rule_ambiguous == b->rule_ambiguous && a->dport == b->dport &&
               a->unknown_rule == b->unknown_rule && a->unknown_chain == b->unknown_chain &&
               a->unknown_reason == b->unknown_reason && a->n_blockers == b->n_blockers &&
               a->blockers_overflow == b->blockers_overflow && a->mixed_block == b->mixed_block &&
               a->recent_list == b->recent_list && same_blockers(a, b);
}

/* The deciding rule of a range's result, or where it became unknown. */
static void range_decider(const NftEvalResult *r, const NftTable **t, const NftChain **c, const NftRule **rule) {
        if (r->verdict == NFT_VERDICT_UNKNOWN) {
                *t = r->unknown_table;
                *c = r->unknown_chain;
                *rule = r->unknown_rule;
        } else {
                *t = r->table;
                *c = r->chain;
                *rule = r->rule;
        }
}

/* The verdict over source-port ranges V[0..N) (covering 0..65535, each
 * with a constant result): the same for all, or the ephemeral ports'. */
static void sport_verdict(const NftProbe *p, const SportRange *v, size_t n, NftEvalResult *ret) {
        uint32_t elo = NFT_EPHEMERAL_LO, ehi = NFT_EPHEMERAL_HI;
        const SportRange *first = NULL, *differing = NULL;
        bool all_same = true;

        if ((p->ephemeral_lo || p->ephemeral_hi) && p->ephemeral_lo <= p->ephemeral_hi) {
                elo = p->ephemeral_lo;
                ehi = p->ephemeral_hi;
        }
        for (size_t i = 0; i < n; i++)
                if (v[i].r.verdict == NFT_VERDICT_UNKNOWN || v[i].r.verdict != v[0].r.verdict)
                        all_same = false;

        /* the ephemeral ports' answer */
        for (size_t i = 0; i < n; i++) {
                if (v[i].hi < elo || v[i].lo > ehi)
                        continue;
                if (v[i].r.verdict == NFT_VERDICT_UNKNOWN) {
                        *ret = v[i].r;
                        return;
                }
                if (!first) {
                        first = &v[i];
                        *ret = v[i].r;
                        continue;
                }
                if (v[i].r.verdict != first->r.verdict &&
                    !(verdict_blocks(v[i].r.verdict) && verdict_blocks(first->r.verdict))) {
                        if (!differing || (!verdict_blocks(differing->r.verdict) && verdict_blocks(v[i].r.verdict)))
                                differing = &v[i];
                        continue;
                }
                /* dropped for some source ports, rejected for others */
                if (v[i].r.verdict != ret->verdict || v[i].r.mixed_block) {
                        ret->verdict = NFT_VERDICT_DROP;
                        ret->mixed_block = true;
                }
                if (v[i].r.rule != ret->rule || v[i].r.chain != ret->chain)
                        ret->rule_ambiguous = true;
                ret->rule_ambiguous = ret->rule_ambiguous || v[i].r.rule_ambiguous;
                /* blocked by other rules for other source ports: all of them */
                blockers_merge(ret, &v[i].r);
                if (ret->n_blockers > 0) {
                        ret->table = ret->blockers[0].table;
                        ret->chain = ret->blockers[0].chain;
                        ret->rule = ret->blockers[0].rule;
                }
                ret->rate_limited = ret->rate_limited || v[i].r.rate_limited;
                if (v[i].r.dport != ret->dport)
                        ret->dport = 0;
        }
        if (differing) {
                /* a client's connection may pass or not, by the port its
                 * kernel picks: the rule that decides otherwise is named */
                const SportRange *b = verdict_blocks(differing->r.verdict) ? differing : first;
                *ret = (NftEvalResult) {
                        .verdict = NFT_VERDICT_UNKNOWN,
                        .unknown_table = b->r.table,
                        .unknown_chain = b->r.chain,
                        .unknown_rule = b->r.rule,
                        .unknown_reason = "the verdict depends on the source port a client's kernel picks from "
                                          "its ephemeral range",
                        .rate_limited = first->r.rate_limited || differing->r.rate_limited,
                        .dport = first->r.dport == differing->r.dport ? first->r.dport : 0,
                };
                return;
        }
        if (all_same || !first)
                return;

        /* Other source ports are judged otherwise: the first range that
         * blocks (for an accept), else the first that differs, and every
         * range its rule decides the same way. */
        const SportRange *pick = NULL;
        for (size_t i = 0; i < n; i++) {
                if (!(v[i].hi < elo || v[i].lo > ehi) || v[i].r.verdict == first->r.verdict)
                        continue;
                if (!pick || (first->r.verdict == NFT_VERDICT_ACCEPT && !verdict_blocks(pick->r.verdict) &&
                              verdict_blocks(v[i].r.verdict)))
                        pick = &v[i];
        }
        if (!pick)
                return;
        NftSportSplit *sp = &ret->sport;
        ret->sport_split = true;
        *sp = (NftSportSplit) { .ephemeral_lo = (uint16_t) elo, .ephemeral_hi = (uint16_t) ehi,
                                .verdict = pick->r.verdict };
        range_decider(&pick->r, &sp->table, &sp->chain, &sp->rule);
        for (size_t i = 0; i < n; i++) {
                const NftTable *t;
                const NftChain *c;
                const NftRule *rule;
                if (!(v[i].hi < elo || v[i].lo > ehi) || v[i].r.verdict != pick->r.verdict)
                        continue;
                range_decider(&v[i].r, &t, &c, &rule);
                if (t != sp->table || c != sp->chain || rule != sp->rule)
                        continue;
                if (sp->n_ranges > 0 && sp->ranges[sp->n_ranges - 1][1] + 1u == v[i].lo)
                        sp->ranges[sp->n_ranges - 1][1] = (uint16_t) v[i].hi;
                else if (sp->n_ranges < 4) {
                        sp->ranges[sp->n_ranges][0] = (uint16_t) v[i].lo;
                        sp->ranges[sp->n_ranges][1] = (uint16_t) v[i].hi;
                        sp->n_ranges++;
                } else
                        sp->more_ranges = true;
        }
}

/* A probe without a source port: judged for every source port, range by
 * range (the ranges where every decision stays the same).  Returns false
 * when a rule reads the port in a way not modelled: then judge it with
 * the port unknown. */
static bool eval_sports(Ctx *ctx, NftEvalResult *ret) {
        NftProbe p = *ctx->probe;
        const NftProbe *orig = ctx->probe;
        SportRange v[NFT_SPORT_MAX_RANGES];
        size_t n = 0;
        bool modelled = true;

        ctx->probe = &p;
        p.sport_known = true;
        for (uint32_t s = 0; s <= 0xffff && modelled;) {
                NftEvalResult r;
                p.sport = (uint16_t) s;
                eval_once(ctx, &r);
                if (ctx->sport_unmodelled) {
                        modelled = false;
                        break;
                }
                if (n > 0 && same_result(&v[n - 1].r, &r))
                        v[n - 1].hi = ctx->sport_hi;
                else if (n == NFT_SPORT_MAX_RANGES) {
                        *ret = (NftEvalResult) {
                                .verdict = NFT_VERDICT_UNKNOWN,
                                .unknown_table = r.verdict == NFT_VERDICT_UNKNOWN ? r.unknown_table : r.table,
                                .unknown_chain = r.verdict == NFT_VERDICT_UNKNOWN ? r.unknown_chain : r.chain,
                                .unknown_rule = r.verdict == NFT_VERDICT_UNKNOWN ? r.unknown_rule : r.rule,
                                .unknown_reason = "the verdict depends on the source port in too many ways "
                                                  "(over 64 ranges of ports)",
                        };
                        ctx->probe = orig;
                        return true;
                } else
                        v[n++] = (SportRange) { .lo = s, .hi = ctx->sport_hi, .r = r };
                s = ctx->sport_hi + 1;
        }
        ctx->probe = orig;
        if (!modelled)
                return false;
        sport_verdict(orig, v, n, ret);
        return true;
}

void nft_eval_probe(const NftRuleset *rs, const NftProbe *probe, NftSetLookupFn lookup, void *userdata,
                    NftEvalResult *ret) {
        Ctx ctx = { .rs = rs, .probe = probe, .lookup = lookup, .userdata = userdata };
        assert(rs && probe && ret);

        if (collect_bases(&ctx) < 0) {
                *ret = (NftEvalResult) { .verdict = NFT_VERDICT_UNKNOWN, .unknown_reason = "out of memory" };
                return;
        }
        if (probe->sport_known || !eval_sports(&ctx, ret))
                eval_once(&ctx, ret);
        free(ctx.bases);
}

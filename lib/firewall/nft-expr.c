/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * nftables expressions, one entry per expression the kernel names
 * (NFTA_EXPR_NAME), registered in one array (expr_types below): the kind it
 * becomes and its decoder, which turns the expression's attributes into
 * the 12-byte NftExpr.  Several names may share a kind (dup and
 * flow_offload are NOOP, the loads this does not model OPAQUE_LOAD).  Each
 * kind is evaluated in nft-eval.c (eval_expr) and printed in nft-render.c
 * (render_expr), in one switch each over every NftExprKind, so that the
 * compiler (-Wswitch) names a kind that one of them leaves out.
 */

#include <errno.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>

#include "nft-expr.h"
#include "macro.h"
#include "nft-internal.h"
#include "xt.h"

typedef struct ExprType ExprType;

/* What a decoder is given: X is zeroed, of the type's kind. */
typedef struct ExprDecode {
        NftRuleset *rs;
        uint32_t table;                 /* the rule's table, an index into rs->tables */
        const char *name;               /* as the kernel names it */
        const ExprType *type;
        const struct nlattr *const *tb; /* the attributes of NFTA_EXPR_DATA */
} ExprDecode;

struct ExprType {
        const char *name;
        NftExprKind kind;
        int (*decode)(const ExprDecode *d, NftExpr *x);
        uint16_t dreg_attr;             /* OPAQUE_LOAD: the attribute naming its destination register */
};

/* ---- attribute helpers ---- */

/* The kernel's register numbering (nft_parse_register): NFT_REG_1..4 are
 * 16-byte registers aliasing 32-bit words 4..19, NFT_REG32_00..15 are the
 * same words one by one. */
static uint8_t reg_word(uint32_t reg) {
        if (reg <= NFT_REG_4)
                return (uint8_t) (reg * (NFT_REG_SIZE / NFT_REG32_SIZE));
        if (reg >= NFT_REG32_00 && reg <= NFT_REG32_15)
                return (uint8_t) (reg - NFT_REG32_00 + NFT_REG_SIZE / NFT_REG32_SIZE);
        return NFT_REG_WORD_NONE;
}

/* A register attribute as a word index; NFT_REG_WORD_NONE when absent. */
static uint8_t attr_reg(const struct nlattr *a) {
        uint32_t v;
        if (nl_attr_be32(a, &v) < 0)
                return NFT_REG_WORD_NONE;
        return reg_word(v);
}

static uint32_t pool_add_data(NftRuleset *rs, const struct nlattr *a, size_t *ret_len) {
        const void *d;
        size_t len;
        if (nft_attr_data_value(a, &d, &len) < 0)
                return 0;
        *ret_len = len;
        return nft_pool_add_dedup(rs, d, len);
}

/* ---- loads, comparisons, arithmetic ---- */

static int decode_payload(const ExprDecode *d, NftExpr *x) {
        const struct nlattr *const *tb = d->tb;
        if (tb[NFTA_PAYLOAD_SREG]) {
                x->payload_set.kind = NFT_EXPR_PAYLOAD_SET;
                x->payload_set.sreg = attr_reg(tb[NFTA_PAYLOAD_SREG]);
        } else
                x->payload.dreg = attr_reg(tb[NFTA_PAYLOAD_DREG]);
        x->payload.base = (uint8_t) nl_attr_be32_or(tb[NFTA_PAYLOAD_BASE], 0);
        x->payload.offset = nl_attr_be32_or(tb[NFTA_PAYLOAD_OFFSET], 0);
        uint32_t v = nl_attr_be32_or(tb[NFTA_PAYLOAD_LEN], 0);
        if (v == 0 || v > NFT_DATA_MAXLEN)
                return -EBADMSG;
        x->payload.len = (uint8_t) v;
        return 0;
}

static int decode_cmp(const ExprDecode *d, NftExpr *x) {
        const struct nlattr *const *tb = d->tb;
        size_t len;
        x->cmp.sreg = attr_reg(tb[NFTA_CMP_SREG]);
        x->cmp.op = (uint8_t) nl_attr_be32_or(tb[NFTA_CMP_OP], NFT_CMP_EQ);
        if (!(x->cmp.data_off = pool_add_data(d->rs, tb[NFTA_CMP_DATA], &len)))
                return -EBADMSG;
        x->cmp.len = (uint8_t) len;
        return 0;
}

static int decode_range(const ExprDecode *d, NftExpr *x) {
        const struct nlattr *const *tb = d->tb;
        const void *from, *to;
        size_t len, to_len;
        x->range.sreg = attr_reg(tb[NFTA_RANGE_SREG]);
        x->range.op = (uint8_t) nl_attr_be32_or(tb[NFTA_RANGE_OP], NFT_RANGE_EQ);
        if (nft_attr_data_value(tb[NFTA_RANGE_FROM_DATA], &from, &len) < 0 ||
            nft_attr_data_value(tb[NFTA_RANGE_TO_DATA], &to, &to_len) < 0 || len != to_len)
                return -EBADMSG;
        uint8_t both[2 * NFT_DATA_MAXLEN];
        memcpy(both, from, len);
        memcpy(both + len, to, len);
        x->range.len = (uint8_t) len;
        if (!(x->range.from_off = nft_pool_add_dedup(d->rs, both, 2 * len)))
                return -ENOMEM;
        return 0;
}

static int decode_bitwise(const ExprDecode *d, NftExpr *x) {
        const struct nlattr *const *tb = d->tb;
        x->bitwise.sreg = attr_reg(tb[NFTA_BITWISE_SREG]);
        x->bitwise.dreg = attr_reg(tb[NFTA_BITWISE_DREG]);
        uint32_t v = nl_attr_be32_or(tb[NFTA_BITWISE_LEN], 0);
        if (v == 0 || v > NFT_DATA_MAXLEN)
                return -EBADMSG;
        x->bitwise.len = (uint8_t) v;
        x->bitwise.op = (uint8_t) nl_attr_be32_or(tb[NFTA_BITWISE_OP], NFT_BITWISE_BOOL);
        if (x->bitwise.op == NFT_BITWISE_BOOL) {
                const void *mask, *xor;
                size_t mlen, xlen;
                if (nft_attr_data_value(tb[NFTA_BITWISE_MASK], &mask, &mlen) < 0 ||
                    nft_attr_data_value(tb[NFTA_BITWISE_XOR], &xor, &xlen) < 0 || mlen != v || xlen != v)
                        return -EBADMSG;
                uint8_t both[2 * NFT_DATA_MAXLEN];
                memcpy(both, mask, v);
                memcpy(both + v, xor, v);
                if (!(x->bitwise.data_off = nft_pool_add_dedup(d->rs, both, 2 * v)))
                        return -ENOMEM;
        } else {
                const void *sh;
                size_t slen;
                uint32_t amount;
                if (nft_attr_data_value(tb[NFTA_BITWISE_DATA], &sh, &slen) < 0 || slen != 4)
                        return -EBADMSG;
                memcpy(&amount, sh, 4);
                if (!(x->bitwise.data_off = nft_pool_add_dedup(d->rs, &amount, 4)))
                        return -ENOMEM;
        }
        return 0;
}

static int decode_byteorder(const ExprDecode *d, NftExpr *x) {
        const struct nlattr *const *tb = d->tb;
        x->byteorder.sreg = attr_reg(tb[NFTA_BYTEORDER_SREG]);
        x->byteorder.dreg = attr_reg(tb[NFTA_BYTEORDER_DREG]);
        x->byteorder.op = (uint8_t) nl_attr_be32_or(tb[NFTA_BYTEORDER_OP], 0);
        x->byteorder.len = (uint8_t) nl_attr_be32_or(tb[NFTA_BYTEORDER_LEN], 0);
        x->byteorder.size = (uint8_t) nl_attr_be32_or(tb[NFTA_BYTEORDER_SIZE], 0);
        return 0;
}

static int decode_meta(const ExprDecode *d, NftExpr *x) {
        const struct nlattr *const *tb = d->tb;
        x->meta.key = (uint8_t) nl_attr_be32_or(tb[NFTA_META_KEY], 0xff);
        if (tb[NFTA_META_SREG]) {
                x->meta_set.kind = NFT_EXPR_META_SET;
                x->meta_set.sreg = attr_reg(tb[NFTA_META_SREG]);
        } else
                x->meta.dreg = attr_reg(tb[NFTA_META_DREG]);
        return 0;
}

static int decode_ct(const ExprDecode *d, NftExpr *x) {
        const struct nlattr *const *tb = d->tb;
        x->ct.key = (uint8_t) nl_attr_be32_or(tb[NFTA_CT_KEY], 0xff);
        x->ct.dir = nl_attr_u8_or(tb[NFTA_CT_DIRECTION], 0xff);
        if (tb[NFTA_CT_SREG]) {
                x->ct_set.kind = NFT_EXPR_CT_SET;
                x->ct_set.sreg = attr_reg(tb[NFTA_CT_SREG]);
        } else
                x->ct.dreg = attr_reg(tb[NFTA_CT_DREG]);
        return 0;
}

static int decode_immediate(const ExprDecode *d, NftExpr *x) {
        const struct nlattr *const *tb = d->tb;
        const struct nlattr *dt[NFTA_DATA_MAX + 1];
        size_t len;
        x->immediate.dreg = attr_reg(tb[NFTA_IMMEDIATE_DREG]);
        if (nl_attr_parse_nested_n(dt, ELEMENTSOF(dt), tb[NFTA_IMMEDIATE_DATA]) < 0)
                return -EBADMSG;
        /* nft_immediate_init() (nft_validate_register_store()): a
         * destination register, verdicts to the verdict register only,
         * values to the others only; a value read as a verdict would be a
         * pool offset taken for a verdict code */
        if (x->immediate.dreg == NFT_REG_WORD_NONE ||
            (x->immediate.dreg == NFT_REG_WORD_VERDICT) != !!dt[NFTA_DATA_VERDICT])
                return -EBADMSG;
        if (dt[NFTA_DATA_VERDICT]) {
                const struct nlattr *vt[NFTA_VERDICT_MAX + 1];
                uint32_t v;
                if (nl_attr_parse_nested_n(vt, ELEMENTSOF(vt), dt[NFTA_DATA_VERDICT]) < 0 ||
                    nl_attr_be32(vt[NFTA_VERDICT_CODE], &v) < 0)
                        return -EBADMSG;
                x->immediate.data_off = v;      /* the verdict code */
                const char *ch = nl_attr_strz(vt[NFTA_VERDICT_CHAIN]);
                if (ch) {
                        uint32_t ci = nft_find_chain_index(&d->rs->tables[d->table], ch);
                        if (ci != NFT_NO_INDEX) {
                                x->immediate.chain = ci;
                                x->immediate.flags |= NFT_EXPR_F_CHAIN_RESOLVED;
                        } else if (!(x->immediate.chain = nft_pool_add_str(d->rs, ch)))
                                return -ENOMEM;
                }
                return 0;
        }
        if (!(x->immediate.data_off = pool_add_data(d->rs, tb[NFTA_IMMEDIATE_DATA], &len)))
                return -EBADMSG;
        x->immediate.len = (uint8_t) len;
        return 0;
}

/* ---- sets ---- */

static int decode_lookup(const ExprDecode *d, NftExpr *x) {
        const struct nlattr *const *tb = d->tb;
        const char *set = nl_attr_strz(tb[NFTA_LOOKUP_SET]);
        if (!set)
                return -EBADMSG;
        x->lookup.sreg = attr_reg(tb[NFTA_LOOKUP_SREG]);
        x->lookup.dreg = attr_reg(tb[NFTA_LOOKUP_DREG]);
        x->lookup.flags = (nl_attr_be32_or(tb[NFTA_LOOKUP_FLAGS], 0) & NFT_LOOKUP_F_INV) ? NFT_EXPR_F_INVERT : 0;
        x->lookup.set = nft_find_set_index(d->rs, d->table, set);
        if (!(x->lookup.set_name_off = nft_pool_add_str(d->rs, set)))
                return -ENOMEM;
        return 0;
}

/* The expressions it carries for each element are decoded after it, by
 * the rule's decoder (nft-decode.c), which counts them into its flags. */
static int decode_dynset(const ExprDecode *d, NftExpr *x) {
        const struct nlattr *const *tb = d->tb;
        const char *set = nl_attr_strz(tb[NFTA_DYNSET_SET_NAME]);
        if (!set)
                return -EBADMSG;
        x->dynset.sreg_key = attr_reg(tb[NFTA_DYNSET_SREG_KEY]);
        x->dynset.sreg_data = attr_reg(tb[NFTA_DYNSET_SREG_DATA]);
        x->dynset.flags = (uint8_t) ((nl_attr_be32_or(tb[NFTA_DYNSET_OP], 0) & 3u) << 4);
        if (nl_attr_be32_or(tb[NFTA_DYNSET_FLAGS], 0) & NFT_DYNSET_F_INV)
                x->dynset.flags |= NFT_EXPR_F_INVERT;
        x->dynset.set = nft_find_set_index(d->rs, d->table, set);
        if (!(x->dynset.set_name_off = nft_pool_add_str(d->rs, set)))
                return -ENOMEM;
        return 0;
}

/* ---- state and side effects ---- */

static int decode_counter(const ExprDecode *d, NftExpr *x) {
        uint64_t c[2] = { nl_attr_be64_or(d->tb[NFTA_COUNTER_PACKETS], 0),
                          nl_attr_be64_or(d->tb[NFTA_COUNTER_BYTES], 0) };
        if (!(x->counter.data_off = nft_pool_add_dedup(d->rs, c, sizeof(c))))
                return -ENOMEM;
        return 0;
}

static int decode_log(const ExprDecode *d, NftExpr *x) {
        const char *p = nl_attr_strz(d->tb[NFTA_LOG_PREFIX]);
        if (p && !(x->log.prefix_off = nft_pool_add_str(d->rs, p)))
                return -ENOMEM;
        return 0;
}

static int decode_limit(const ExprDecode *d, NftExpr *x) {
        const struct nlattr *const *tb = d->tb;
        uint8_t buf[20];
        uint64_t rate = nl_attr_be64_or(tb[NFTA_LIMIT_RATE], 0), unit = nl_attr_be64_or(tb[NFTA_LIMIT_UNIT], 0);
        uint32_t burst = nl_attr_be32_or(tb[NFTA_LIMIT_BURST], 0);
        memcpy(buf, &rate, 8);
        memcpy(buf + 8, &unit, 8);
        memcpy(buf + 16, &burst, 4);
        x->limit.type = (uint8_t) nl_attr_be32_or(tb[NFTA_LIMIT_TYPE], NFT_LIMIT_PKTS);
        x->limit.flags = (nl_attr_be32_or(tb[NFTA_LIMIT_FLAGS], 0) & NFT_LIMIT_F_INV) ? NFT_EXPR_F_INVERT : 0;
        if (!(x->limit.data_off = nft_pool_add_dedup(d->rs, buf, sizeof(buf))))
                return -ENOMEM;
        return 0;
}

static int decode_quota(const ExprDecode *d, NftExpr *x) {
        const struct nlattr *const *tb = d->tb;
        uint64_t q[2] = { nl_attr_be64_or(tb[NFTA_QUOTA_BYTES], 0), nl_attr_be64_or(tb[NFTA_QUOTA_CONSUMED], 0) };
        x->quota.flags = (nl_attr_be32_or(tb[NFTA_QUOTA_FLAGS], 0) & NFT_QUOTA_F_INV) ? NFT_EXPR_F_INVERT : 0;
        if (!(x->quota.data_off = nft_pool_add_dedup(d->rs, q, sizeof(q))))
                return -ENOMEM;
        return 0;
}

static int decode_connlimit(const ExprDecode *d, NftExpr *x) {
        x->connlimit.count = nl_attr_be32_or(d->tb[NFTA_CONNLIMIT_COUNT], 0);
        x->connlimit.flags =
                (nl_attr_be32_or(d->tb[NFTA_CONNLIMIT_FLAGS], 0) & NFT_CONNLIMIT_F_INV) ? NFT_EXPR_F_INVERT : 0;
        return 0;
}

static int decode_numgen(const ExprDecode *d, NftExpr *x) {
        x->numgen.dreg = attr_reg(d->tb[NFTA_NG_DREG]);
        x->numgen.type = (uint8_t) nl_attr_be32_or(d->tb[NFTA_NG_TYPE], 0);
        x->numgen.modulus = nl_attr_be32_or(d->tb[NFTA_NG_MODULUS], 0);
        return 0;
}

static int decode_hash(const ExprDecode *d, NftExpr *x) {
        x->hash.dreg = attr_reg(d->tb[NFTA_HASH_DREG]);
        x->hash.type = (uint8_t) nl_attr_be32_or(d->tb[NFTA_HASH_TYPE], 0);
        x->hash.modulus = nl_attr_be32_or(d->tb[NFTA_HASH_MODULUS], 0);
        return 0;
}

static int decode_objref(const ExprDecode *d, NftExpr *x) {
        const char *n = nl_attr_strz(d->tb[NFTA_OBJREF_IMM_NAME]);
        if (!n)
                n = nl_attr_strz(d->tb[NFTA_OBJREF_SET_NAME]);
        x->objref.type = (uint8_t) nl_attr_be32_or(d->tb[NFTA_OBJREF_IMM_TYPE], 0);
        if (n && !(x->objref.name_off = nft_pool_add_str(d->rs, n)))
                return -ENOMEM;
        return 0;
}

/* notrack, last: nothing to keep */
static int decode_nothing(const ExprDecode *d, NftExpr *x) {
        return 0;
}

/* ---- verdicts, rewrites, routing ---- */

static int decode_reject(const ExprDecode *d, NftExpr *x) {
        x->reject.type = (uint8_t) nl_attr_be32_or(d->tb[NFTA_REJECT_TYPE], 0);
        x->reject.code = nl_attr_u8_or(d->tb[NFTA_REJECT_ICMP_CODE], 0);
        return 0;
}

static int decode_nat(const ExprDecode *d, NftExpr *x) {
        const struct nlattr *const *tb = d->tb;
        x->nat.type = (uint8_t) nl_attr_be32_or(tb[NFTA_NAT_TYPE], 0);
        x->nat.family = (uint8_t) nl_attr_be32_or(tb[NFTA_NAT_FAMILY], 0);
        x->nat.flags = (uint8_t) nl_attr_be32_or(tb[NFTA_NAT_FLAGS], 0);
        x->nat.reg_addr_min = attr_reg(tb[NFTA_NAT_REG_ADDR_MIN]);
        x->nat.reg_addr_max = attr_reg(tb[NFTA_NAT_REG_ADDR_MAX]);
        x->nat.reg_proto_min = attr_reg(tb[NFTA_NAT_REG_PROTO_MIN]);
        x->nat.reg_proto_max = attr_reg(tb[NFTA_NAT_REG_PROTO_MAX]);
        return 0;
}

static int decode_redir(const ExprDecode *d, NftExpr *x) {
        x->redir.flags = (uint8_t) nl_attr_be32_or(d->tb[NFTA_REDIR_FLAGS], 0);
        x->redir.reg_proto_min = attr_reg(d->tb[NFTA_REDIR_REG_PROTO_MIN]);
        x->redir.reg_proto_max = attr_reg(d->tb[NFTA_REDIR_REG_PROTO_MAX]);
        return 0;
}

/* kept as redir is (NFTA_MASQ_* number flags differently) */
static int decode_masq(const ExprDecode *d, NftExpr *x) {
        x->redir.flags = (uint8_t) nl_attr_be32_or(d->tb[NFTA_MASQ_FLAGS], 0);
        x->redir.reg_proto_min = attr_reg(d->tb[NFTA_MASQ_REG_PROTO_MIN]);
        x->redir.reg_proto_max = attr_reg(d->tb[NFTA_MASQ_REG_PROTO_MAX]);
        return 0;
}

static int decode_queue(const ExprDecode *d, NftExpr *x) {
        x->queue.num = nl_attr_be16_or(d->tb[NFTA_QUEUE_NUM], 0);
        x->queue.flags = (uint8_t) nl_attr_be16_or(d->tb[NFTA_QUEUE_FLAGS], 0);
        return 0;
}

static int decode_fib(const ExprDecode *d, NftExpr *x) {
        x->fib.dreg = attr_reg(d->tb[NFTA_FIB_DREG]);
        x->fib.result = (uint8_t) nl_attr_be32_or(d->tb[NFTA_FIB_RESULT], 0);
        x->fib.flags = nl_attr_be32_or(d->tb[NFTA_FIB_FLAGS], 0);
        return 0;
}

/* ---- iptables-nft's compat extensions ---- */

/* `match` and `target` (NFTA_MATCH_* and NFTA_TARGET_* are numbered
 * alike): the x_tables blob decoded for the table's family. */
static int decode_xt(const ExprDecode *d, NftExpr *x) {
        const struct nlattr *const *tb = d->tb;
        NftRuleset *rs = d->rs;
        const char *name = nl_attr_strz(tb[NFTA_MATCH_NAME]);
        uint32_t rev = nl_attr_be32_or(tb[NFTA_MATCH_REV], 0);
        const void *info = tb[NFTA_MATCH_INFO] ? nl_attr_data(tb[NFTA_MATCH_INFO]) : NULL;
        size_t len = tb[NFTA_MATCH_INFO] ? nl_attr_len(tb[NFTA_MATCH_INFO]) : 0;
        int family = rs->tables[d->table].family;
        int r;

        if (!name)
                return -EBADMSG;
        if (x->kind == NFT_EXPR_XT_MATCH) {
                XtMatch m;
                memset(&m, 0, sizeof(m));
                if ((r = xt_match_decode(&m, &rs->xt_pool, family, name, rev, info, len)) < 0)
                        return r;
                return nft_xt_match_add(rs, &m, &x->xt.index);
        }
        XtTarget t;
        memset(&t, 0, sizeof(t));
        if ((r = xt_target_decode(&t, &rs->xt_pool, family, name, rev, info, len)) < 0)
                return r;
        return nft_xt_target_add(rs, &t, &x->xt.index);
}

/* ---- what is not modelled: kept by name ---- */

/* NOOP, OPAQUE, UNKNOWN */
static int decode_other(const ExprDecode *d, NftExpr *x) {
        x->other.dreg = NFT_REG_WORD_NONE;
        if (!(x->other.name_off = nft_pool_add_str(d->rs, d->name)))
                return -ENOMEM;
        return 0;
}

/* A load into the register its type's dreg_attr names; without one (exthdr
 * writing the packet) it may change the packet's fate: OPAQUE. */
static int decode_opaque_load(const ExprDecode *d, NftExpr *x) {
        x->other.dreg = attr_reg(d->tb[d->type->dreg_attr]);
        if (x->other.dreg == NFT_REG_WORD_NONE)
                x->other.kind = NFT_EXPR_OPAQUE;
        if (!(x->other.name_off = nft_pool_add_str(d->rs, d->name)))
                return -ENOMEM;
        return 0;
}

/* ---- the registry ---- */

static const ExprType expr_types[] = {
        { "payload", NFT_EXPR_PAYLOAD, decode_payload },        /* or PAYLOAD_SET */
        { "cmp", NFT_EXPR_CMP, decode_cmp },
        { "range", NFT_EXPR_RANGE, decode_range },
        { "bitwise", NFT_EXPR_BITWISE, decode_bitwise },
        { "byteorder", NFT_EXPR_BYTEORDER, decode_byteorder },
        { "meta", NFT_EXPR_META, decode_meta },                 /* or META_SET */
        { "ct", NFT_EXPR_CT, decode_ct },                       /* or CT_SET */
        { "lookup", NFT_EXPR_LOOKUP, decode_lookup },
        { "immediate", NFT_EXPR_IMMEDIATE, decode_immediate },
        { "counter", NFT_EXPR_COUNTER, decode_counter },
        { "log", NFT_EXPR_LOG, decode_log },
        { "limit", NFT_EXPR_LIMIT, decode_limit },
        { "quota", NFT_EXPR_QUOTA, decode_quota },
        { "connlimit", NFT_EXPR_CONNLIMIT, decode_connlimit },
        { "numgen", NFT_EXPR_NUMGEN, decode_numgen },
        { "hash", NFT_EXPR_HASH, decode_hash },
        { "reject", NFT_EXPR_REJECT, decode_reject },
        { "nat", NFT_EXPR_NAT, decode_nat },
        { "redir", NFT_EXPR_REDIR, decode_redir },
        { "masq", NFT_EXPR_MASQ, decode_masq },
        { "notrack", NFT_EXPR_NOTRACK, decode_nothing },
        { "fib", NFT_EXPR_FIB, decode_fib },
        { "dynset", NFT_EXPR_DYNSET, decode_dynset },
        { "objref", NFT_EXPR_OBJREF, decode_objref },
        { "queue", NFT_EXPR_QUEUE, decode_queue },
        { "last", NFT_EXPR_LAST, decode_nothing },
        { "dup", NFT_EXPR_NOOP, decode_other },
        { "flow_offload", NFT_EXPR_NOOP, decode_other },
        /* read something of the packet or its context we do not model */
        { "exthdr", NFT_EXPR_OPAQUE_LOAD, decode_opaque_load, NFTA_EXTHDR_DREG },
        { "rt", NFT_EXPR_OPAQUE_LOAD, decode_opaque_load, NFTA_RT_DREG },
        { "socket", NFT_EXPR_OPAQUE_LOAD, decode_opaque_load, NFTA_SOCKET_DREG },
        { "osf", NFT_EXPR_OPAQUE_LOAD, decode_opaque_load, NFTA_OSF_DREG },
        { "xfrm", NFT_EXPR_OPAQUE_LOAD, decode_opaque_load, NFTA_XFRM_DREG },
        { "tunnel", NFT_EXPR_OPAQUE_LOAD, decode_opaque_load, NFTA_TUNNEL_DREG },
        /* may decide the packet's fate in ways we do not model */
        { "tproxy", NFT_EXPR_OPAQUE, decode_other },
        { "synproxy", NFT_EXPR_OPAQUE, decode_other },
        { "fwd", NFT_EXPR_OPAQUE, decode_other },
        { "inner", NFT_EXPR_OPAQUE, decode_other },
        { "match", NFT_EXPR_XT_MATCH, decode_xt },
        { "target", NFT_EXPR_XT_TARGET, decode_xt },
};

/* a name the kernel has and this does not know */
static const ExprType expr_type_unknown = { NULL, NFT_EXPR_UNKNOWN, decode_other };

static const ExprType *expr_type_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(expr_types); i++)
                if (expr_types[i].name[0] == name[0] && strcmp(expr_types[i].name, name) == 0)
                        return &expr_types[i];
        return &expr_type_unknown;
}

int nft_expr_decode(NftRuleset *rs, uint32_t table, const char *name, const NlAttrs *attrs, NftExpr *ret) {
        const ExprDecode d = {
                .rs = rs,
                .table = table,
                .name = name,
                .type = expr_type_find(name),
                .tb = attrs->tb,
        };
        memset(ret, 0, sizeof(*ret));
        ret->kind = (uint8_t) d.type->kind;
        return d.type->decode(&d, ret);
}

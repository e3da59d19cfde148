/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * The decoder: the netlink messages of nftables dumps (or of a store's
 * replay) into an NftRuleset.  Pure: no sockets (nft-read.c does the I/O),
 * nothing of the evaluator.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft-internal.h"
#include "nft-ruleset.h"
#include "nl-attr.h"
#include "xt.h"

/* every attribute read here has its slot in an NlAttrs (NFTA_SET_* are the
 * most numerous) */
_Static_assert(NFTA_SET_MAX < NL_ATTR_MAX && NFTA_SET_ELEM_MAX < NL_ATTR_MAX && NFTA_CHAIN_MAX < NL_ATTR_MAX,
               "NL_ATTR_MAX too small");

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

static uint8_t attr_reg(const struct nlattr *a) {
        uint32_t v;
        if (nl_attr_be32(a, &v) < 0)
                return NFT_REG_WORD_NONE;
        return reg_word(v);
}

/* An nft_data attribute holding NFTA_DATA_VALUE: its bytes. */
int nft_attr_data_value(const struct nlattr *a, const void **ret, size_t *ret_len) {
        NlAttrs t;
        if (!a || nl_attr_parse_nested(&t, a) < 0 || !t.tb[NFTA_DATA_VALUE])
                return -EBADMSG;
        size_t len = nl_attr_len(t.tb[NFTA_DATA_VALUE]);
        if (len == 0 || len > NFT_DATA_MAXLEN)
                return -EBADMSG;
        *ret = nl_attr_data(t.tb[NFTA_DATA_VALUE]);
        *ret_len = len;
        return 0;
}

static uint32_t pool_add_data(NftRuleset *rs, const struct nlattr *a, size_t *ret_len) {
        const void *d;
        size_t len;
        if (nft_attr_data_value(a, &d, &len) < 0)
                return 0;
        *ret_len = len;
        return nft_pool_add_dedup(rs, d, len);
}

/* ---- tables, chains ---- */

static int parse_table(NftRuleset *rs, const struct nlmsghdr *nlh, int family) {
        NlAttrs t;
        if (nl_attr_parse_nfgen(&t, nlh) < 0)
                return -EBADMSG;
        const char *name = nl_attr_strz(t.tb[NFTA_TABLE_NAME]);
        if (!name)
                return -EBADMSG;
        if (nft_find_table_index(rs, family, name) != NFT_NO_INDEX)
                return 0;       /* seen in an earlier dump of the same generation */
        if (NFT_GROW(rs->tables, rs->n_tables + 1, rs->allocated_tables) < 0)
                return -ENOMEM;
        NftTable *tbl = &rs->tables[rs->n_tables];
        *tbl = (NftTable) {
                .family = family,
                .name = strdup(name),
                .handle = nl_attr_be64_or(t.tb[NFTA_TABLE_HANDLE], 0),
                .flags = nl_attr_be32_or(t.tb[NFTA_TABLE_FLAGS], 0),
        };
        if (!tbl->name)
                return -ENOMEM;
        rs->n_tables++;
        return 0;
}

static int parse_hook(NftChain *c, const struct nlattr *a) {
        NlAttrs h;
        uint32_t v;
        if (nl_attr_parse_nested(&h, a) < 0)
                return -EBADMSG;
        if (nl_attr_be32(h.tb[NFTA_HOOK_HOOKNUM], &v) < 0)
                return -EBADMSG;
        c->hook = (int) v;
        c->priority = (int32_t) nl_attr_be32_or(h.tb[NFTA_HOOK_PRIORITY], 0);
        size_t n = 0;
        const char *dev = nl_attr_strz(h.tb[NFTA_HOOK_DEV]);
        if (h.tb[NFTA_HOOK_DEVS]) {
                const struct nlattr *d;
                nl_attr_for_each_nested(d, h.tb[NFTA_HOOK_DEVS])
                        n++;
        } else if (dev)
                n = 1;
        if (n == 0)
                return 0;
        c->devices = calloc(n + 1, sizeof(char *));
        if (!c->devices)
                return -ENOMEM;
        if (h.tb[NFTA_HOOK_DEVS]) {
                size_t i = 0;
                const struct nlattr *d;
                nl_attr_for_each_nested(d, h.tb[NFTA_HOOK_DEVS]) {
                        const char *s = nl_attr_strz(d);
                        if (!s)
                                return -EBADMSG;
                        if (!(c->devices[i++] = strdup(s)))
                                return -ENOMEM;
                }
        } else if (!(c->devices[0] = strdup(dev)))
                return -ENOMEM;
        return 0;
}

static int parse_chain(NftRuleset *rs, const struct nlmsghdr *nlh, int family) {
        NlAttrs t;
        if (nl_attr_parse_nfgen(&t, nlh) < 0)
                return -EBADMSG;
        const char *tname = nl_attr_strz(t.tb[NFTA_CHAIN_TABLE]), *name = nl_attr_strz(t.tb[NFTA_CHAIN_NAME]);
        if (!tname || !name)
                return -EBADMSG;
        uint32_t ti = nft_find_table_index(rs, family, tname);
        if (ti == NFT_NO_INDEX)
                return -ESTALE;     /* refers to an object not (yet) seen */
        NftTable *tbl = &rs->tables[ti];
        if (nft_find_chain_index(tbl, name) != NFT_NO_INDEX)
                return 0;
        NftChain c = {
                .table = ti,
                .hook = -1,
                .handle = nl_attr_be64_or(t.tb[NFTA_CHAIN_HANDLE], 0),
                .policy = (int) nl_attr_be32_or(t.tb[NFTA_CHAIN_POLICY], NF_ACCEPT),
                .flags = nl_attr_be32_or(t.tb[NFTA_CHAIN_FLAGS], 0),
        };
        int r = -ENOMEM;
        if (!(c.name = strdup(name)))
                goto fail;
        const char *type = nl_attr_strz(t.tb[NFTA_CHAIN_TYPE]);
        if (type && !(c.type = strdup(type)))
                goto fail;
        if (t.tb[NFTA_CHAIN_HOOK] && (r = parse_hook(&c, t.tb[NFTA_CHAIN_HOOK])) < 0)
                goto fail;
        r = -ENOMEM;
        if (NFT_GROW(tbl->chains, tbl->n_chains + 1, tbl->allocated_chains) < 0)
                goto fail;
        tbl->chains[tbl->n_chains++] = c;
        return 0;
fail:
        nft_chain_free_contents(&c);
        return r;
}

/* ---- sets and elements ---- */

static int parse_set(NftRuleset *rs, const struct nlmsghdr *nlh, int family) {
        NlAttrs t;
        if (nl_attr_parse_nfgen(&t, nlh) < 0)
                return -EBADMSG;
        const char *tname = nl_attr_strz(t.tb[NFTA_SET_TABLE]), *name = nl_attr_strz(t.tb[NFTA_SET_NAME]);
        if (!tname || !name)
                return -EBADMSG;
        uint32_t ti = nft_find_table_index(rs, family, tname);
        if (ti == NFT_NO_INDEX)
                return -ESTALE;
        if (nft_find_set_index(rs, ti, name) != NFT_NO_INDEX)
                return 0;
        NftSet s = {
                .table = ti,
                .handle = nl_attr_be64_or(t.tb[NFTA_SET_HANDLE], 0),
                .id = nl_attr_be32_or(t.tb[NFTA_SET_ID], 0),
                .flags = nl_attr_be32_or(t.tb[NFTA_SET_FLAGS], 0),
                .key_type = nl_attr_be32_or(t.tb[NFTA_SET_KEY_TYPE], 0),
                .key_len = nl_attr_be32_or(t.tb[NFTA_SET_KEY_LEN], 0),
                .data_type = nl_attr_be32_or(t.tb[NFTA_SET_DATA_TYPE], 0),
                .data_len = nl_attr_be32_or(t.tb[NFTA_SET_DATA_LEN], 0),
        };
        if (s.key_len == 0 || s.key_len > NFT_DATA_MAXLEN || s.data_len > NFT_DATA_MAXLEN)
                return -EBADMSG;
        if (t.tb[NFTA_SET_DESC]) {
                NlAttrs d;
                if (nl_attr_parse_nested(&d, t.tb[NFTA_SET_DESC]) < 0)
                        return -EBADMSG;
                if (d.tb[NFTA_SET_DESC_CONCAT]) {
                        const struct nlattr *e;
                        nl_attr_for_each_nested(e, d.tb[NFTA_SET_DESC_CONCAT]) {
                                NlAttrs f;
                                if (nl_attr_parse_nested(&f, e) < 0)
                                        return -EBADMSG;
                                if (s.n_concat < sizeof(s.concat_len))
                                        s.concat_len[s.n_concat++] =
                                                (uint8_t) nl_attr_be32_or(f.tb[NFTA_SET_FIELD_LEN], 0);
                        }
                }
        }
        if (!(s.name = strdup(name)))
                return -ENOMEM;
        if (NFT_GROW(rs->sets, rs->n_sets + 1, rs->allocated_sets) < 0) {
                free(s.name);
                return -ENOMEM;
        }
        rs->sets[rs->n_sets++] = s;
        return 0;
}

/* Decodes one element (NFTA_LIST_ELEM) of a set's element list. */
static int parse_elem(NftRuleset *rs, NftSet *set, const struct nlattr *a, NftSetElem *ret) {
        NlAttrs e;
        const void *d;
        size_t len;
        NftSetElem el = { .verdict = NFT_CONTINUE };

        if (nl_attr_parse_nested(&e, a) < 0)
                return -EBADMSG;
        el.flags = nl_attr_be32_or(e.tb[NFTA_SET_ELEM_FLAGS], 0);
        if (e.tb[NFTA_SET_ELEM_KEY]) {
                if (nft_attr_data_value(e.tb[NFTA_SET_ELEM_KEY], &d, &len) < 0 || len != set->key_len)
                        return -EBADMSG;
                if (!(el.key_off = nft_pool_add_dedup(rs, d, len)))
                        return -ENOMEM;
        } else if (!(el.flags & NFT_SET_ELEM_CATCHALL))
                return -EBADMSG;
        if (e.tb[NFTA_SET_ELEM_KEY_END]) {
                if (nft_attr_data_value(e.tb[NFTA_SET_ELEM_KEY_END], &d, &len) < 0 || len != set->key_len)
                        return -EBADMSG;
                if (!(el.key_end_off = nft_pool_add_dedup(rs, d, len)))
                        return -ENOMEM;
        }
        if (e.tb[NFTA_SET_ELEM_DATA]) {
                NlAttrs dt;
                if (nl_attr_parse_nested(&dt, e.tb[NFTA_SET_ELEM_DATA]) < 0)
                        return -EBADMSG;
                if (dt.tb[NFTA_DATA_VERDICT]) {
                        NlAttrs v;
                        if (nl_attr_parse_nested(&v, dt.tb[NFTA_DATA_VERDICT]) < 0)
                                return -EBADMSG;
                        el.verdict = (int32_t) nl_attr_be32_or(v.tb[NFTA_VERDICT_CODE], (uint32_t) NFT_CONTINUE);
                        const char *ch = nl_attr_strz(v.tb[NFTA_VERDICT_CHAIN]);
                        if (ch && !(el.chain_off = nft_pool_add_str(rs, ch)))
                                return -ENOMEM;
                } else if (dt.tb[NFTA_DATA_VALUE]) {
                        if (nft_attr_data_value(e.tb[NFTA_SET_ELEM_DATA], &d, &len) < 0)
                                return -EBADMSG;
                        if (!(el.data_off = nft_pool_add_dedup(rs, d, len)))
                                return -ENOMEM;
                }
        }
        *ret = el;
        return 0;
}

static int parse_setelems(NftRuleset *rs, const struct nlmsghdr *nlh, int family) {
        NlAttrs t;
        if (nl_attr_parse_nfgen(&t, nlh) < 0)
                return -EBADMSG;
        const char *tname = nl_attr_strz(t.tb[NFTA_SET_ELEM_LIST_TABLE]),
                   *sname = nl_attr_strz(t.tb[NFTA_SET_ELEM_LIST_SET]);
        if (!tname || !sname)
                return -EBADMSG;
        uint32_t ti = nft_find_table_index(rs, family, tname);
        uint32_t si = ti == NFT_NO_INDEX ? NFT_NO_INDEX : nft_find_set_index(rs, ti, sname);
        if (si == NFT_NO_INDEX)
                return -ESTALE;
        if (!t.tb[NFTA_SET_ELEM_LIST_ELEMENTS])
                return 0;
        const struct nlattr *a;
        nl_attr_for_each_nested(a, t.tb[NFTA_SET_ELEM_LIST_ELEMENTS]) {
                NftSetElem el;
                int r = parse_elem(rs, &rs->sets[si], a, &el);
                if (r < 0)
                        return r;
                NftSet *set = &rs->sets[si];
                if (NFT_GROW(set->elems, set->n_elems + 1, set->allocated_elems) < 0)
                        return -ENOMEM;
                set->elems[set->n_elems++] = el;
        }
        return 0;
}

/* The echo of our own GETSETELEM dump request: the replies that follow, up
 * to NLMSG_DONE, are every element of that set. */
static int parse_setelem_request(NftRuleset *rs, const struct nlmsghdr *nlh, int family) {
        NlAttrs t;
        if (nl_attr_parse_nfgen(&t, nlh) < 0)
                return -EBADMSG;
        const char *tname = nl_attr_strz(t.tb[NFTA_SET_ELEM_LIST_TABLE]),
                   *sname = nl_attr_strz(t.tb[NFTA_SET_ELEM_LIST_SET]);
        if (!tname || !sname)
                return -EBADMSG;
        uint32_t ti = nft_find_table_index(rs, family, tname);
        rs->pending_set = ti == NFT_NO_INDEX ? NFT_NO_INDEX : nft_find_set_index(rs, ti, sname);
        if (rs->pending_set != NFT_NO_INDEX) {
                /* a retried capture may carry the elements twice */
                rs->sets[rs->pending_set].n_elems = 0;
                rs->sets[rs->pending_set].elems_complete = false;
        }
        return 0;
}

/* ---- rules and expressions ---- */

typedef struct ExprName {
        const char *name;
        NftExprKind kind;
} ExprName;

static const ExprName expr_names[] = {
        { "payload", NFT_EXPR_PAYLOAD },
        { "cmp", NFT_EXPR_CMP },
        { "range", NFT_EXPR_RANGE },
        { "bitwise", NFT_EXPR_BITWISE },
        { "byteorder", NFT_EXPR_BYTEORDER },
        { "meta", NFT_EXPR_META },
        { "ct", NFT_EXPR_CT },
        { "lookup", NFT_EXPR_LOOKUP },
        { "immediate", NFT_EXPR_IMMEDIATE },
        { "counter", NFT_EXPR_COUNTER },
        { "log", NFT_EXPR_LOG },
        { "limit", NFT_EXPR_LIMIT },
        { "quota", NFT_EXPR_QUOTA },
        { "connlimit", NFT_EXPR_CONNLIMIT },
        { "numgen", NFT_EXPR_NUMGEN },
        { "hash", NFT_EXPR_HASH },
        { "reject", NFT_EXPR_REJECT },
        { "nat", NFT_EXPR_NAT },
        { "redir", NFT_EXPR_REDIR },
        { "masq", NFT_EXPR_MASQ },
        { "notrack", NFT_EXPR_NOTRACK },
        { "fib", NFT_EXPR_FIB },
        { "dynset", NFT_EXPR_DYNSET },
        { "objref", NFT_EXPR_OBJREF },
        { "queue", NFT_EXPR_QUEUE },
        { "last", NFT_EXPR_LAST },
        { "dup", NFT_EXPR_NOOP },
        { "flow_offload", NFT_EXPR_NOOP },
        /* read something of the packet or its context we do not model */
        { "exthdr", NFT_EXPR_OPAQUE_LOAD },
        { "rt", NFT_EXPR_OPAQUE_LOAD },
        { "socket", NFT_EXPR_OPAQUE_LOAD },
        { "osf", NFT_EXPR_OPAQUE_LOAD },
        { "xfrm", NFT_EXPR_OPAQUE_LOAD },
        { "tunnel", NFT_EXPR_OPAQUE_LOAD },
        /* may decide the packet's fate in ways we do not model */
        { "tproxy", NFT_EXPR_OPAQUE },
        { "synproxy", NFT_EXPR_OPAQUE },
        { "fwd", NFT_EXPR_OPAQUE },
        { "inner", NFT_EXPR_OPAQUE },
        { "match", NFT_EXPR_XT_MATCH },
        { "target", NFT_EXPR_XT_TARGET },
};

static NftExprKind expr_kind(const char *name) {
        for (size_t i = 0; i < sizeof(expr_names) / sizeof(expr_names[0]); i++)
                if (strcmp(expr_names[i].name, name) == 0)
                        return expr_names[i].kind;
        return NFT_EXPR_UNKNOWN;
}

/* nft_compat's `match` and `target` (NFTA_MATCH_* and NFTA_TARGET_* are
 * numbered alike): the x_tables blob decoded for the table's family. */
static int parse_xt(NftRuleset *rs, uint32_t table, NftExpr *x, const struct nlattr *const *tb) {
        const char *name = nl_attr_strz(tb[NFTA_MATCH_NAME]);
        uint32_t rev = nl_attr_be32_or(tb[NFTA_MATCH_REV], 0);
        const void *info = tb[NFTA_MATCH_INFO] ? nl_attr_data(tb[NFTA_MATCH_INFO]) : NULL;
        size_t len = tb[NFTA_MATCH_INFO] ? nl_attr_len(tb[NFTA_MATCH_INFO]) : 0;
        int family = rs->tables[table].family;
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

static int parse_expr_data(NftRuleset *rs, uint32_t table, NftExpr *x, const char *name,
                           const NlAttrs *d) {
        const struct nlattr *const *tb = d->tb;
        size_t len;
        uint32_t v;

        memset(x, 0, sizeof(*x));
        x->kind = (uint8_t) expr_kind(name);
        switch ((NftExprKind) x->kind) {
        case NFT_EXPR_PAYLOAD:
                if (tb[NFTA_PAYLOAD_SREG]) {
                        x->payload_set.kind = NFT_EXPR_PAYLOAD_SET;
                        x->payload_set.sreg = attr_reg(tb[NFTA_PAYLOAD_SREG]);
                } else
                        x->payload.dreg = attr_reg(tb[NFTA_PAYLOAD_DREG]);
                x->payload.base = (uint8_t) nl_attr_be32_or(tb[NFTA_PAYLOAD_BASE], 0);
                x->payload.offset = nl_attr_be32_or(tb[NFTA_PAYLOAD_OFFSET], 0);
                v = nl_attr_be32_or(tb[NFTA_PAYLOAD_LEN], 0);
                if (v == 0 || v > NFT_DATA_MAXLEN)
                        return -EBADMSG;
                x->payload.len = (uint8_t) v;
                return 0;
        case NFT_EXPR_CMP:
                x->cmp.sreg = attr_reg(tb[NFTA_CMP_SREG]);
                x->cmp.op = (uint8_t) nl_attr_be32_or(tb[NFTA_CMP_OP], NFT_CMP_EQ);
                if (!(x->cmp.data_off = pool_add_data(rs, tb[NFTA_CMP_DATA], &len)))
                        return -EBADMSG;
                x->cmp.len = (uint8_t) len;
                return 0;
        case NFT_EXPR_RANGE: {
                const void *from, *to;
                size_t to_len;
                x->range.sreg = attr_reg(tb[NFTA_RANGE_SREG]);
                x->range.op = (uint8_t) nl_attr_be32_or(tb[NFTA_RANGE_OP], NFT_RANGE_EQ);
                if (nft_attr_data_value(tb[NFTA_RANGE_FROM_DATA], &from, &len) < 0 ||
                    nft_attr_data_value(tb[NFTA_RANGE_TO_DATA], &to, &to_len) < 0 || len != to_len)
                        return -EBADMSG;
                uint8_t both[2 * NFT_DATA_MAXLEN];
                memcpy(both, from, len);
                memcpy(both + len, to, len);
                x->range.len = (uint8_t) len;
                if (!(x->range.from_off = nft_pool_add_dedup(rs, both, 2 * len)))
                        return -ENOMEM;
                return 0;
        }
        case NFT_EXPR_BITWISE: {
                x->bitwise.sreg = attr_reg(tb[NFTA_BITWISE_SREG]);
                x->bitwise.dreg = attr_reg(tb[NFTA_BITWISE_DREG]);
                v = nl_attr_be32_or(tb[NFTA_BITWISE_LEN], 0);
                if (v == 0 || v > NFT_DATA_MAXLEN)
                        return -EBADMSG;
                x->bitwise.len = (uint8_t) v;
                x->bitwise.op = (uint8_t) nl_attr_be32_or(tb[NFTA_BITWISE_OP], NFT_BITWISE_BOOL);
                if (x->bitwise.op == NFT_BITWISE_BOOL) {
                        const void *mask, *xor;
                        size_t mlen, xlen;
                        if (nft_attr_data_value(tb[NFTA_BITWISE_MASK], &mask, &mlen) < 0 ||
                            nft_attr_data_value(tb[NFTA_BITWISE_XOR], &xor, &xlen) < 0 ||
                            mlen != v || xlen != v)
                                return -EBADMSG;
                        uint8_t both[2 * NFT_DATA_MAXLEN];
                        memcpy(both, mask, v);
                        memcpy(both + v, xor, v);
                        if (!(x->bitwise.data_off = nft_pool_add_dedup(rs, both, 2 * v)))
                                return -ENOMEM;
                } else {
                        const void *sh;
                        size_t slen;
                        uint32_t amount;
                        if (nft_attr_data_value(tb[NFTA_BITWISE_DATA], &sh, &slen) < 0 || slen != 4)
                                return -EBADMSG;
                        memcpy(&amount, sh, 4);
                        if (!(x->bitwise.data_off = nft_pool_add_dedup(rs, &amount, 4)))
                                return -ENOMEM;
                }
                return 0;
        }
        case NFT_EXPR_BYTEORDER:
                x->byteorder.sreg = attr_reg(tb[NFTA_BYTEORDER_SREG]);
                x->byteorder.dreg = attr_reg(tb[NFTA_BYTEORDER_DREG]);
                x->byteorder.op = (uint8_t) nl_attr_be32_or(tb[NFTA_BYTEORDER_OP], 0);
                x->byteorder.len = (uint8_t) nl_attr_be32_or(tb[NFTA_BYTEORDER_LEN], 0);
                x->byteorder.size = (uint8_t) nl_attr_be32_or(tb[NFTA_BYTEORDER_SIZE], 0);
                return 0;
        case NFT_EXPR_META:
                x->meta.key = (uint8_t) nl_attr_be32_or(tb[NFTA_META_KEY], 0xff);
                if (tb[NFTA_META_SREG]) {
                        x->meta_set.kind = NFT_EXPR_META_SET;
                        x->meta_set.sreg = attr_reg(tb[NFTA_META_SREG]);
                } else
                        x->meta.dreg = attr_reg(tb[NFTA_META_DREG]);
                return 0;
        case NFT_EXPR_CT:
                x->ct.key = (uint8_t) nl_attr_be32_or(tb[NFTA_CT_KEY], 0xff);
                x->ct.dir = nl_attr_u8_or(tb[NFTA_CT_DIRECTION], 0xff);
                if (tb[NFTA_CT_SREG]) {
                        x->ct_set.kind = NFT_EXPR_CT_SET;
                        x->ct_set.sreg = attr_reg(tb[NFTA_CT_SREG]);
                } else
                        x->ct.dreg = attr_reg(tb[NFTA_CT_DREG]);
                return 0;
        case NFT_EXPR_LOOKUP: {
                const char *set = nl_attr_strz(tb[NFTA_LOOKUP_SET]);
                if (!set)
                        return -EBADMSG;
                x->lookup.sreg = attr_reg(tb[NFTA_LOOKUP_SREG]);
                x->lookup.dreg = tb[NFTA_LOOKUP_DREG] ? attr_reg(tb[NFTA_LOOKUP_DREG]) : NFT_REG_WORD_NONE;
                x->lookup.flags = (nl_attr_be32_or(tb[NFTA_LOOKUP_FLAGS], 0) & NFT_LOOKUP_F_INV) ? NFT_EXPR_F_INVERT : 0;
                x->lookup.set = nft_find_set_index(rs, table, set);
                if (!(x->lookup.set_name_off = nft_pool_add_str(rs, set)))
                        return -ENOMEM;
                return 0;
        }
        case NFT_EXPR_IMMEDIATE: {
                NlAttrs dt;
                x->immediate.dreg = attr_reg(tb[NFTA_IMMEDIATE_DREG]);
                if (!tb[NFTA_IMMEDIATE_DATA] || nl_attr_parse_nested(&dt, tb[NFTA_IMMEDIATE_DATA]) < 0)
                        return -EBADMSG;
                if (dt.tb[NFTA_DATA_VERDICT]) {
                        NlAttrs vt;
                        if (nl_attr_parse_nested(&vt, dt.tb[NFTA_DATA_VERDICT]) < 0 ||
                            nl_attr_be32(vt.tb[NFTA_VERDICT_CODE], &v) < 0)
                                return -EBADMSG;
                        x->immediate.dreg = NFT_REG_WORD_VERDICT;
                        x->immediate.data_off = v;      /* the verdict code */
                        const char *ch = nl_attr_strz(vt.tb[NFTA_VERDICT_CHAIN]);
                        if (ch) {
                                uint32_t ci = nft_find_chain_index(&rs->tables[table], ch);
                                if (ci != NFT_NO_INDEX) {
                                        x->immediate.chain = ci;
                                        x->immediate.flags |= NFT_EXPR_F_CHAIN_RESOLVED;
                                } else if (!(x->immediate.chain = nft_pool_add_str(rs, ch)))
                                        return -ENOMEM;
                        }
                        return 0;
                }
                if (!(x->immediate.data_off = pool_add_data(rs, tb[NFTA_IMMEDIATE_DATA], &len)))
                        return -EBADMSG;
                x->immediate.len = (uint8_t) len;
                return 0;
        }
        case NFT_EXPR_COUNTER: {
                uint64_t c[2] = { nl_attr_be64_or(tb[NFTA_COUNTER_PACKETS], 0),
                                  nl_attr_be64_or(tb[NFTA_COUNTER_BYTES], 0) };
                if (!(x->counter.data_off = nft_pool_add_dedup(rs, c, sizeof(c))))
                        return -ENOMEM;
                return 0;
        }
        case NFT_EXPR_LOG: {
                const char *p = nl_attr_strz(tb[NFTA_LOG_PREFIX]);
                if (p && !(x->log.prefix_off = nft_pool_add_str(rs, p)))
                        return -ENOMEM;
                return 0;
        }
        case NFT_EXPR_LIMIT: {
                uint8_t buf[20];
                uint64_t rate = nl_attr_be64_or(tb[NFTA_LIMIT_RATE], 0), unit = nl_attr_be64_or(tb[NFTA_LIMIT_UNIT], 0);
                uint32_t burst = nl_attr_be32_or(tb[NFTA_LIMIT_BURST], 0);
                memcpy(buf, &rate, 8);
                memcpy(buf + 8, &unit, 8);
                memcpy(buf + 16, &burst, 4);
                x->limit.type = (uint8_t) nl_attr_be32_or(tb[NFTA_LIMIT_TYPE], NFT_LIMIT_PKTS);
                x->limit.flags = (nl_attr_be32_or(tb[NFTA_LIMIT_FLAGS], 0) & NFT_LIMIT_F_INV) ? NFT_EXPR_F_INVERT : 0;
                if (!(x->limit.data_off = nft_pool_add_dedup(rs, buf, sizeof(buf))))
                        return -ENOMEM;
                return 0;
        }
        case NFT_EXPR_QUOTA: {
                uint64_t q[2] = { nl_attr_be64_or(tb[NFTA_QUOTA_BYTES], 0), nl_attr_be64_or(tb[NFTA_QUOTA_CONSUMED], 0) };
                x->quota.flags = (nl_attr_be32_or(tb[NFTA_QUOTA_FLAGS], 0) & NFT_QUOTA_F_INV) ? NFT_EXPR_F_INVERT : 0;
                if (!(x->quota.data_off = nft_pool_add_dedup(rs, q, sizeof(q))))
                        return -ENOMEM;
                return 0;
        }
        case NFT_EXPR_CONNLIMIT:
                x->connlimit.count = nl_attr_be32_or(tb[NFTA_CONNLIMIT_COUNT], 0);
                x->connlimit.flags = (nl_attr_be32_or(tb[NFTA_CONNLIMIT_FLAGS], 0) & NFT_CONNLIMIT_F_INV) ? NFT_EXPR_F_INVERT : 0;
                return 0;
        case NFT_EXPR_NUMGEN:
                x->numgen.dreg = attr_reg(tb[NFTA_NG_DREG]);
                x->numgen.type = (uint8_t) nl_attr_be32_or(tb[NFTA_NG_TYPE], 0);
                x->numgen.modulus = nl_attr_be32_or(tb[NFTA_NG_MODULUS], 0);
                return 0;
        case NFT_EXPR_HASH:
                x->hash.dreg = attr_reg(tb[NFTA_HASH_DREG]);
                x->hash.type = (uint8_t) nl_attr_be32_or(tb[NFTA_HASH_TYPE], 0);
                x->hash.modulus = nl_attr_be32_or(tb[NFTA_HASH_MODULUS], 0);
                return 0;
        case NFT_EXPR_REJECT:
                x->reject.type = (uint8_t) nl_attr_be32_or(tb[NFTA_REJECT_TYPE], 0);
                x->reject.code = nl_attr_u8_or(tb[NFTA_REJECT_ICMP_CODE], 0);
                return 0;
        case NFT_EXPR_NAT:
                x->nat.type = (uint8_t) nl_attr_be32_or(tb[NFTA_NAT_TYPE], 0);
                x->nat.family = (uint8_t) nl_attr_be32_or(tb[NFTA_NAT_FAMILY], 0);
                x->nat.flags = (uint8_t) nl_attr_be32_or(tb[NFTA_NAT_FLAGS], 0);
                x->nat.reg_addr_min = tb[NFTA_NAT_REG_ADDR_MIN] ? attr_reg(tb[NFTA_NAT_REG_ADDR_MIN]) : NFT_REG_WORD_NONE;
                x->nat.reg_addr_max = tb[NFTA_NAT_REG_ADDR_MAX] ? attr_reg(tb[NFTA_NAT_REG_ADDR_MAX]) : NFT_REG_WORD_NONE;
                x->nat.reg_proto_min = tb[NFTA_NAT_REG_PROTO_MIN] ? attr_reg(tb[NFTA_NAT_REG_PROTO_MIN]) : NFT_REG_WORD_NONE;
                x->nat.reg_proto_max = tb[NFTA_NAT_REG_PROTO_MAX] ? attr_reg(tb[NFTA_NAT_REG_PROTO_MAX]) : NFT_REG_WORD_NONE;
                return 0;
        case NFT_EXPR_REDIR:
        case NFT_EXPR_MASQ:
                /* NFTA_REDIR_* and NFTA_MASQ_* share numbering except flags */
                if (x->kind == NFT_EXPR_REDIR) {
                        x->redir.flags = (uint8_t) nl_attr_be32_or(tb[NFTA_REDIR_FLAGS], 0);
                        x->redir.reg_proto_min = tb[NFTA_REDIR_REG_PROTO_MIN] ? attr_reg(tb[NFTA_REDIR_REG_PROTO_MIN]) : NFT_REG_WORD_NONE;
                        x->redir.reg_proto_max = tb[NFTA_REDIR_REG_PROTO_MAX] ? attr_reg(tb[NFTA_REDIR_REG_PROTO_MAX]) : NFT_REG_WORD_NONE;
                } else {
                        x->redir.flags = (uint8_t) nl_attr_be32_or(tb[NFTA_MASQ_FLAGS], 0);
                        x->redir.reg_proto_min = tb[NFTA_MASQ_REG_PROTO_MIN] ? attr_reg(tb[NFTA_MASQ_REG_PROTO_MIN]) : NFT_REG_WORD_NONE;
                        x->redir.reg_proto_max = tb[NFTA_MASQ_REG_PROTO_MAX] ? attr_reg(tb[NFTA_MASQ_REG_PROTO_MAX]) : NFT_REG_WORD_NONE;
                }
                return 0;
        case NFT_EXPR_FIB:
                x->fib.dreg = attr_reg(tb[NFTA_FIB_DREG]);
                x->fib.result = (uint8_t) nl_attr_be32_or(tb[NFTA_FIB_RESULT], 0);
                x->fib.flags = nl_attr_be32_or(tb[NFTA_FIB_FLAGS], 0);
                return 0;
        case NFT_EXPR_DYNSET: {
                const char *set = nl_attr_strz(tb[NFTA_DYNSET_SET_NAME]);
                if (!set)
                        return -EBADMSG;
                x->dynset.sreg_key = attr_reg(tb[NFTA_DYNSET_SREG_KEY]);
                x->dynset.sreg_data = tb[NFTA_DYNSET_SREG_DATA] ? attr_reg(tb[NFTA_DYNSET_SREG_DATA]) : NFT_REG_WORD_NONE;
                x->dynset.flags = (uint8_t) ((nl_attr_be32_or(tb[NFTA_DYNSET_OP], 0) & 3u) << 4);
                if (nl_attr_be32_or(tb[NFTA_DYNSET_FLAGS], 0) & NFT_DYNSET_F_INV)
                        x->dynset.flags |= NFT_EXPR_F_INVERT;
                /* the embedded expressions are counted by parse_rule_expr() */
                x->dynset.set = nft_find_set_index(rs, table, set);
                if (!(x->dynset.set_name_off = nft_pool_add_str(rs, set)))
                        return -ENOMEM;
                return 0;
        }
        case NFT_EXPR_OBJREF: {
                const char *n = nl_attr_strz(tb[NFTA_OBJREF_IMM_NAME]);
                if (!n)
                        n = nl_attr_strz(tb[NFTA_OBJREF_SET_NAME]);
                x->objref.type = (uint8_t) nl_attr_be32_or(tb[NFTA_OBJREF_IMM_TYPE], 0);
                if (n && !(x->objref.name_off = nft_pool_add_str(rs, n)))
                        return -ENOMEM;
                return 0;
        }
        case NFT_EXPR_QUEUE:
                x->queue.num = nl_attr_be16_or(tb[NFTA_QUEUE_NUM], 0);
                x->queue.flags = (uint8_t) nl_attr_be16_or(tb[NFTA_QUEUE_FLAGS], 0);
                return 0;
        case NFT_EXPR_NOTRACK:
        case NFT_EXPR_LAST:
                return 0;
        case NFT_EXPR_XT_MATCH:
        case NFT_EXPR_XT_TARGET:
                return parse_xt(rs, table, x, tb);
        case NFT_EXPR_OPAQUE_LOAD:
        case NFT_EXPR_OPAQUE:
        case NFT_EXPR_NOOP:
        case NFT_EXPR_UNKNOWN: {
                uint8_t kind = x->kind;
                x->other.kind = kind;
                x->other.dreg = NFT_REG_WORD_NONE;
                /* every modelled-as-opaque load names its destination
                 * register with attribute 1 (NFTA_*_DREG) except exthdr,
                 * where 1 is DREG too; socket's is 2 (after KEY) */
                if (kind == NFT_EXPR_OPAQUE_LOAD) {
                        if (strcmp(name, "socket") == 0)
                                x->other.dreg = tb[NFTA_SOCKET_DREG] ? attr_reg(tb[NFTA_SOCKET_DREG]) : NFT_REG_WORD_NONE;
                        else if (strcmp(name, "rt") == 0)
                                x->other.dreg = attr_reg(tb[NFTA_RT_DREG]);
                        else if (strcmp(name, "exthdr") == 0)
                                x->other.dreg = tb[NFTA_EXTHDR_DREG] ? attr_reg(tb[NFTA_EXTHDR_DREG]) : NFT_REG_WORD_NONE;
                        else if (strcmp(name, "osf") == 0)
                                x->other.dreg = attr_reg(tb[NFTA_OSF_DREG]);
                        else if (strcmp(name, "xfrm") == 0)
                                x->other.dreg = attr_reg(tb[NFTA_XFRM_DREG]);
                        else if (strcmp(name, "tunnel") == 0)
                                x->other.dreg = attr_reg(tb[NFTA_TUNNEL_DREG]);
                        /* exthdr without DREG writes the packet */
                        if (x->other.dreg == NFT_REG_WORD_NONE)
                                x->other.kind = NFT_EXPR_OPAQUE;
                }
                if (!(x->other.name_off = nft_pool_add_str(rs, name)))
                        return -ENOMEM;
                return 0;
        }
        case NFT_EXPR_PAYLOAD_SET:
        case NFT_EXPR_META_SET:
        case NFT_EXPR_CT_SET:
        case _NFT_EXPR_KIND_MAX:
                break;
        }
        return -EBADMSG;
}

static int parse_rule_expr(NftRuleset *rs, uint32_t table, const struct nlattr *elem) {
        NlAttrs e, d;
        if (nl_attr_parse_nested(&e, elem) < 0)
                return -EBADMSG;
        const char *name = nl_attr_strz(e.tb[NFTA_EXPR_NAME]);
        if (!name)
                return -EBADMSG;
        if (e.tb[NFTA_EXPR_DATA]) {
                if (nl_attr_parse_nested(&d, e.tb[NFTA_EXPR_DATA]) < 0)
                        return -EBADMSG;
        } else
                memset(&d, 0, sizeof(d));
        NftExpr x;
        int r = parse_expr_data(rs, table, &x, name, &d);
        if (r < 0)
                return r;
        if (x.kind != NFT_EXPR_DYNSET)
                return nft_expr_append(rs, &x);

        /* a dynset's per-element expressions follow it (at most
         * NFT_SET_EXPR_MAX, 2, in the kernel; 3 fit the flags) */
        const struct nlattr *embedded[3];
        unsigned n = 0;
        if (d.tb[NFTA_DYNSET_EXPR])
                embedded[n++] = d.tb[NFTA_DYNSET_EXPR];
        else if (d.tb[NFTA_DYNSET_EXPRESSIONS]) {
                const struct nlattr *a;
                nl_attr_for_each_nested(a, d.tb[NFTA_DYNSET_EXPRESSIONS]) {
                        if (n == 3)
                                return -EBADMSG;
                        embedded[n++] = a;
                }
        }
        x.dynset.flags |= (uint8_t) (n << 6);
        if ((r = nft_expr_append(rs, &x)) < 0)
                return r;
        for (unsigned i = 0; i < n; i++) {
                if ((r = parse_rule_expr(rs, table, embedded[i])) < 0)
                        return r;
                if (rs->exprs[rs->expr_refs[rs->n_expr_refs - 1]].kind == NFT_EXPR_DYNSET)
                        return -EBADMSG;
        }
        return 0;
}

/* The comment in a rule's userdata (libnftnl's TLV, NFTNL_UDATA_RULE_COMMENT). */
static uint32_t rule_comment(NftRuleset *rs, const struct nlattr *a) {
        if (!a)
                return 0;
        const uint8_t *p = nl_attr_data(a);
        size_t len = nl_attr_len(a);
        while (len >= 2) {
                uint8_t type = p[0], l = p[1];
                if ((size_t) l + 2 > len)
                        break;
                if (type == 0 /* NFTNL_UDATA_RULE_COMMENT */ && l > 0 && memchr(p + 2, 0, l))
                        return nft_pool_add_str(rs, (const char *) p + 2);
                p += 2 + l;
                len -= 2 + (size_t) l;
        }
        return 0;
}

static int parse_rule(NftRuleset *rs, const struct nlmsghdr *nlh, int family) {
        NlAttrs t;
        if (nl_attr_parse_nfgen(&t, nlh) < 0)
                return -EBADMSG;
        const char *tname = nl_attr_strz(t.tb[NFTA_RULE_TABLE]), *cname = nl_attr_strz(t.tb[NFTA_RULE_CHAIN]);
        if (!tname || !cname)
                return -EBADMSG;

        uint32_t ti = rs->last_table, ci = rs->last_chain;
        if (ti == NFT_NO_INDEX || rs->tables[ti].family != family || strcmp(rs->tables[ti].name, tname) != 0 ||
            strcmp(rs->tables[ti].chains[ci].name, cname) != 0) {
                ti = nft_find_table_index(rs, family, tname);
                if (ti == NFT_NO_INDEX)
                        return -ESTALE;
                ci = nft_find_chain_index(&rs->tables[ti], cname);
                if (ci == NFT_NO_INDEX)
                        return -ESTALE;
                rs->last_table = ti;
                rs->last_chain = ci;
        }

        if (rs->n_expr_refs >= UINT32_MAX - 4096)
                return -ENOMEM;
        NftRule rule = {
                .handle = nl_attr_be64_or(t.tb[NFTA_RULE_HANDLE], 0),
                .expr = (uint32_t) rs->n_expr_refs,
        };
        size_t first = rs->n_expr_refs;
        if (t.tb[NFTA_RULE_EXPRESSIONS]) {
                const struct nlattr *a;
                nl_attr_for_each_nested(a, t.tb[NFTA_RULE_EXPRESSIONS]) {
                        int r = parse_rule_expr(rs, ti, a);
                        if (r < 0) {
                                rs->n_expr_refs = first;
                                return r;
                        }
                }
        }
        rule.n_expr = (uint32_t) (rs->n_expr_refs - first);
        rule.comment_off = rule_comment(rs, t.tb[NFTA_RULE_USERDATA]);

        NftChain *c = &rs->tables[ti].chains[ci];
        if (NFT_GROW(c->rules, c->n_rules + 1, c->allocated_rules) < 0)
                return -ENOMEM;
        c->rules[c->n_rules++] = rule;
        return 0;
}

static int parse_gen(NftRuleset *rs, const struct nlmsghdr *nlh) {
        NlAttrs t;
        if (nl_attr_parse_nfgen(&t, nlh) < 0 || nl_attr_be32(t.tb[NFTA_GEN_ID], &rs->genid) < 0)
                return -EBADMSG;
        rs->have_genid = true;
        return 0;
}

typedef struct ElemOrder {
        const NftRuleset *rs;
        size_t key_len;
} ElemOrder;

static int elem_bytes_cmp(const NftRuleset *rs, uint32_t a, uint32_t b, size_t len) {
        if (!a || !b)
                return (a != 0) - (b != 0);
        return memcmp(rs->pool + a, rs->pool + b, len);
}

static int elem_order_cmp(const void *pa, const void *pb, void *userdata) {
        const ElemOrder *o = userdata;
        const NftSetElem *a = pa, *b = pb;
        int c = elem_bytes_cmp(o->rs, a->key_off, b->key_off, o->key_len);
        if (c)
                return c;
        if ((a->flags & NFT_SET_ELEM_INTERVAL_END) != (b->flags & NFT_SET_ELEM_INTERVAL_END))
                return (a->flags & NFT_SET_ELEM_INTERVAL_END) ? 1 : -1;
        return elem_bytes_cmp(o->rs, a->key_end_off, b->key_end_off, o->key_len);
}

/* A complete set's elements in one order whatever order the kernel's
 * backend returned them in (a hash's depends on a random seed): by key, a
 * start before an end of the same key, the catchall element first.  Two
 * reads of one set, or a read and an NftStore, give equal models.  The
 * exception is the backend of concatenated intervals (pipapo), which keeps
 * its elements in the order they were added: nft lists them in that order,
 * and so does nft_rule_render(). */
static void set_elems_sort(NftRuleset *rs, NftSet *set) {
        ElemOrder o = { rs, set->key_len };
        if ((set->flags & NFT_SET_INTERVAL) && set->n_concat > 1)
                return;
        if (set->n_elems > 1)
                qsort_r(set->elems, set->n_elems, sizeof(NftSetElem), elem_order_cmp, &o);
}

int nft_ruleset_parse_msgs(NftRuleset *rs, const void *buf, size_t len) {
        const struct nlmsghdr *nlh = buf;
        size_t remaining = len;

        for (; nl_msg_ok(nlh, remaining); nlh = nl_msg_next(nlh, &remaining)) {
                if (nlh->nlmsg_type == NLMSG_DONE) {
                        if (rs->pending_set != NFT_NO_INDEX) {
                                rs->sets[rs->pending_set].elems_complete = true;
                                set_elems_sort(rs, &rs->sets[rs->pending_set]);
                        }
                        rs->pending_set = NFT_NO_INDEX;
                        continue;
                }
                if (nlh->nlmsg_type == NLMSG_ERROR) {
                        if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nlmsgerr))
                                return -EBADMSG;
                        const struct nlmsgerr *err = NLMSG_DATA(nlh);
                        if (err->error != 0)
                                return err->error < 0 ? err->error : -EBADMSG;
                        continue;
                }
                if (nlh->nlmsg_type == NLMSG_NOOP)
                        continue;
                if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES)
                        return -EBADMSG;
                if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg))
                        return -EBADMSG;
                const struct nfgenmsg *g = NLMSG_DATA(nlh);
                int family = g->nfgen_family;
                int r = 0;
                switch (nlh->nlmsg_type & 0xff) {
                case NFT_MSG_NEWGEN:
                        r = parse_gen(rs, nlh);
                        break;
                case NFT_MSG_NEWTABLE:
                        r = parse_table(rs, nlh, family);
                        break;
                case NFT_MSG_NEWCHAIN:
                        r = parse_chain(rs, nlh, family);
                        break;
                case NFT_MSG_NEWSET:
                        r = parse_set(rs, nlh, family);
                        break;
                case NFT_MSG_NEWSETELEM:
                        r = parse_setelems(rs, nlh, family);
                        break;
                case NFT_MSG_NEWRULE:
                        r = parse_rule(rs, nlh, family);
                        break;
                case NFT_MSG_GETSETELEM:
                        if (nlh->nlmsg_flags & NLM_F_REQUEST)
                                r = parse_setelem_request(rs, nlh, family);
                        break;
                default:
                        /* requests we sent, objects, flowtables: not needed */
                        break;
                }
                if (r < 0)
                        return r;
        }
        return remaining == 0 ? 0 : -EBADMSG;
}

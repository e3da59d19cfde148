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

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "macro.h"
#include "nft-expr.h"
#include "nft-internal.h"
#include "nft-ruleset.h"
#include "nl-attr.h"
#include "xt.h"

/* every attribute read here has its slot in an NlAttrs (NFTA_SET_* are the
 * most numerous) */
_Static_assert(NFTA_SET_MAX < NL_ATTR_MAX && NFTA_SET_ELEM_MAX < NL_ATTR_MAX && NFTA_CHAIN_MAX < NL_ATTR_MAX,
               "NL_ATTR_MAX too small");

/* ---- attribute helpers ---- */

/* An nft_data attribute holding NFTA_DATA_VALUE: its bytes. */
int nft_attr_data_value(const struct nlattr *a, const void **ret, size_t *ret_len) {
        const struct nlattr *t[NFTA_DATA_MAX + 1];
        if (nl_attr_parse_nested_n(t, ELEMENTSOF(t), a) < 0 || !t[NFTA_DATA_VALUE])
                return -EBADMSG;
        size_t len = nl_attr_len(t[NFTA_DATA_VALUE]);
        if (len == 0 || len > NFT_DATA_MAXLEN)
                return -EBADMSG;
        *ret = nl_attr_data(t[NFTA_DATA_VALUE]);
        *ret_len = len;
        return 0;
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
        _cleanup_(nft_chain_free_contents) NftChain c = {
                .table = ti,
                .hook = -1,
                .handle = nl_attr_be64_or(t.tb[NFTA_CHAIN_HANDLE], 0),
                .policy = (int) nl_attr_be32_or(t.tb[NFTA_CHAIN_POLICY], NF_ACCEPT),
                .flags = nl_attr_be32_or(t.tb[NFTA_CHAIN_FLAGS], 0),
        };
        int r;
        if (!(c.name = strdup(name)))
                return -ENOMEM;
        const char *type = nl_attr_strz(t.tb[NFTA_CHAIN_TYPE]);
        if (type && !(c.type = strdup(type)))
                return -ENOMEM;
        if (t.tb[NFTA_CHAIN_HOOK] && (r = parse_hook(&c, t.tb[NFTA_CHAIN_HOOK])) < 0)
                return r;
        if (NFT_GROW(tbl->chains, tbl->n_chains + 1, tbl->allocated_chains) < 0)
                return -ENOMEM;
        tbl->chains[tbl->n_chains++] = c;
        c = (NftChain) {};      /* handed over */
        return 0;
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
        if (NFT_GROW(rs->sets, rs->n_sets + 1, rs->allocated_sets) < 0 || !(s.name = strdup(name)))
                return -ENOMEM;
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
        /* outside its own set's request (or for a set not followed): the
         * elements are checked, not kept (nft_ruleset_parse_msgs()) */
        bool keep = rs->setelem_request_open && rs->pending_set == si;
        const struct nlattr *a;
        nl_attr_for_each_nested(a, t.tb[NFTA_SET_ELEM_LIST_ELEMENTS]) {
                NftSetElem el;
                int r = parse_elem(rs, &rs->sets[si], a, &el);
                if (r < 0)
                        return r;
                if (!keep)
                        continue;
                NftSet *set = &rs->sets[si];
                if (NFT_GROW(set->elems, set->n_elems + 1, set->allocated_elems) < 0)
                        return -ENOMEM;
                set->elems[set->n_elems++] = el;
        }
        return 0;
}

/* Whether the packet path changes the set's elements without a new
 * generation (nft_dump_raw() does not ask for them; an NftStore does not
 * follow them). */
static bool set_changed_by_packets(const NftSet *set) {
        if (set->updated_by_rule)
                return true;
        return !(set->flags & NFT_SET_ANONYMOUS) && (set->flags & (NFT_SET_TIMEOUT | NFT_SET_EVAL));
}

static void set_elems_forget(NftSet *set) {
        set->n_elems = 0;
        set->elems_complete = false;
}

/* The echo of our own GETSETELEM dump request: the replies that follow, up
 * to NLMSG_DONE, are every element of that set. */
static int parse_setelem_request(NftRuleset *rs, const struct nlmsghdr *nlh, int family) {
        NlAttrs t;
        if (rs->setelem_request_open)
                return -EBADMSG;        /* the previous one's NLMSG_DONE is missing */
        if (nl_attr_parse_nfgen(&t, nlh) < 0)
                return -EBADMSG;
        const char *tname = nl_attr_strz(t.tb[NFTA_SET_ELEM_LIST_TABLE]),
                   *sname = nl_attr_strz(t.tb[NFTA_SET_ELEM_LIST_SET]);
        if (!tname || !sname)
                return -EBADMSG;
        uint32_t ti = nft_find_table_index(rs, family, tname);
        uint32_t si = ti == NFT_NO_INDEX ? NFT_NO_INDEX : nft_find_set_index(rs, ti, sname);
        rs->setelem_request_open = true;
        rs->pending_set = NFT_NO_INDEX;
        if (si != NFT_NO_INDEX) {
                /* a retried capture may carry the elements twice */
                set_elems_forget(&rs->sets[si]);
                if (!set_changed_by_packets(&rs->sets[si]))
                        rs->pending_set = si;
        }
        return 0;
}

/* ---- rules (each expression: nft-expr.c) ---- */

static int parse_rule_expr(NftRuleset *rs, uint32_t table, const struct nlattr *elem) {
        const struct nlattr *e[NFTA_EXPR_MAX + 1];
        NlAttrs d;
        if (nl_attr_parse_nested_n(e, ELEMENTSOF(e), elem) < 0)
                return -EBADMSG;
        const char *name = nl_attr_strz(e[NFTA_EXPR_NAME]);
        if (!name)
                return -EBADMSG;
        if (e[NFTA_EXPR_DATA]) {
                if (nl_attr_parse_nested(&d, e[NFTA_EXPR_DATA]) < 0)
                        return -EBADMSG;
        } else
                memset(&d, 0, sizeof(d));
        NftExpr x;
        int r = nft_expr_decode(rs, table, name, &d, &x);
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

/* A rule's expressions (appended to rs->expr_refs) and comment. */
static int rule_decode(NftRuleset *rs, const NlAttrs *t, uint32_t ti, NftRule *ret) {
        if (rs->n_expr_refs >= UINT32_MAX - 4096)
                return -ENOMEM;
        NftRule rule = {
                .handle = nl_attr_be64_or(t->tb[NFTA_RULE_HANDLE], 0),
                .expr = (uint32_t) rs->n_expr_refs,
        };
        size_t first = rs->n_expr_refs;
        if (t->tb[NFTA_RULE_EXPRESSIONS]) {
                const struct nlattr *a;
                nl_attr_for_each_nested(a, t->tb[NFTA_RULE_EXPRESSIONS]) {
                        int r = parse_rule_expr(rs, ti, a);
                        if (r < 0) {
                                rs->n_expr_refs = first;
                                return r;
                        }
                }
        }
        rule.n_expr = (uint32_t) (rs->n_expr_refs - first);
        rule.comment_off = rule_comment(rs, t->tb[NFTA_RULE_USERDATA]);
        nft_rule_family_set(rs, &rule);
        *ret = rule;
        return 0;
}

static bool rule_has_dynset(const NftRuleset *rs, const NftRule *rule) {
        for (uint32_t i = 0; i < rule->n_expr; i++)
                if (nft_rule_expr(rs, rule, i)->kind == NFT_EXPR_DYNSET)
                        return true;
        return false;
}

int nft_ruleset_decode_rule(NftRuleset *rs, const struct nlmsghdr *nlh, uint32_t ti, NftRule *ret) {
        NlAttrs t;
        NftRule rule;
        int r;

        if (ti >= rs->n_tables || nl_attr_parse_nfgen(&t, nlh) < 0)
                return -EBADMSG;
        if ((r = rule_decode(rs, &t, ti, &rule)) < 0)
                return r;
        if (rule_has_dynset(rs, &rule)) {
                /* it changes what is known of a set: not decoded alone */
                rs->n_expr_refs = rule.expr;
                return -EAGAIN;
        }
        *ret = rule;
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

        NftRule rule;
        int r = rule_decode(rs, &t, ti, &rule);
        if (r < 0)
                return r;
        for (size_t i = rule.expr; i < rs->n_expr_refs; i++) {
                const NftExpr *x = &rs->exprs[rs->expr_refs[i]];
                if (x->kind != NFT_EXPR_DYNSET || x->dynset.set >= rs->n_sets)
                        continue;
                /* the packet path adds to it from now on: elements read
                 * before are not all of them */
                rs->sets[x->dynset.set].updated_by_rule = true;
                set_elems_forget(&rs->sets[x->dynset.set]);
                if (rs->pending_set == x->dynset.set)
                        rs->pending_set = NFT_NO_INDEX;
        }

        NftChain *c = &rs->tables[ti].chains[ci];
        if (NFT_GROW(c->rules, c->n_rules + 1, c->allocated_rules) < 0)
                return -ENOMEM;
        c->rules[c->n_rules++] = rule;
        nft_chain_rule_appended(c);
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
                        rs->setelem_request_open = false;
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

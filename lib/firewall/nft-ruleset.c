/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft-eval.h"
#include "nft-internal.h"
#include "nft-ruleset.h"
#include "nl-attr.h"
#include "xt.h"

#define NO_INDEX UINT32_MAX

/* every attribute read here has its slot in an NlAttrs (NFTA_SET_* are the
 * most numerous) */
_Static_assert(NFTA_SET_MAX < NL_ATTR_MAX && NFTA_SET_ELEM_MAX < NL_ATTR_MAX && NFTA_CHAIN_MAX < NL_ATTR_MAX,
               "NL_ATTR_MAX too small");

/* ---- growable arrays and the byte pool ---- */

int nft_grow(void **p, size_t *allocated, size_t need, size_t size) {
        if (need <= *allocated)
                return 0;
        size_t n = *allocated ? *allocated : 4;
        while (n < need) {
                if (n > SIZE_MAX / 2 / size)
                        return -ENOMEM;
                n *= 2;
        }
        void *q = realloc(*p, n * size);
        if (!q)
                return -ENOMEM;
        *p = q;
        *allocated = n;
        return 0;
}

#define GROW NFT_GROW

/* Returns the offset of a copy of `data` in the pool, 0 on ENOMEM (offset 0
 * is reserved: it means "none"). */
static uint32_t pool_add(NftRuleset *rs, const void *data, size_t len) {
        if (rs->pool_len + len > UINT32_MAX)
                return 0;
        if (nft_grow((void **) &rs->pool, &rs->pool_allocated, rs->pool_len + len, 1) < 0)
                return 0;
        uint32_t off = (uint32_t) rs->pool_len;
        if (len)
                memcpy(rs->pool + off, data, len);
        rs->pool_len += len;
        return off;
}

static uint32_t hash_bytes(const void *data, size_t len) {
        const uint8_t *p = data;
        uint32_t h = 2166136261u;       /* FNV-1a */
        for (size_t i = 0; i < len; i++)
                h = (h ^ p[i]) * 16777619u;
        return h ^ (uint32_t) len;
}

/* Doubles an open-addressing index of entry+1 values and re-inserts them
 * with `hash_of`. */
static int index_grow(uint32_t **index, size_t *size, uint32_t (*hash_of)(const NftRuleset *, uint32_t),
                      const NftRuleset *rs) {
        size_t n = *size ? *size * 2 : 1024;
        uint32_t *t = calloc(n, sizeof(uint32_t));
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < *size; i++) {
                uint32_t v = (*index)[i];
                if (!v)
                        continue;
                size_t j = hash_of(rs, v - 1) & (n - 1);
                while (t[j])
                        j = (j + 1) & (n - 1);
                t[j] = v;
        }
        free(*index);
        *index = t;
        *size = n;
        return 0;
}

static uint32_t expr_hash_of(const NftRuleset *rs, uint32_t i) {
        return hash_bytes(&rs->exprs[i], sizeof(NftExpr));
}

/* Pool data is indexed by offset and length packed in 32 bits (data up to
 * POOL_DEDUP_MAX bytes in the first 64 MiB of the pool). */
static uint32_t pool_hash_at(const NftRuleset *rs, uint32_t packed) {
        /* the index stores offset << 6 | len, small data only */
        return hash_bytes(rs->pool + (packed >> 6), packed & 63);
}

#define POOL_DEDUP_MAX 32u

/* Like pool_add(), but data of at most POOL_DEDUP_MAX bytes seen before is
 * not stored again. */
uint32_t nft_pool_add_dedup(NftRuleset *rs, const void *data, size_t len) {
        if (len == 0 || len > POOL_DEDUP_MAX || rs->pool_len + len >= (UINT32_MAX >> 6))
                return pool_add(rs, data, len);
        if ((rs->n_pool_indexed + 1) * 2 > rs->pool_index_size &&
            index_grow(&rs->pool_index, &rs->pool_index_size, pool_hash_at, rs) < 0)
                return 0;
        size_t mask = rs->pool_index_size - 1, j = hash_bytes(data, len) & mask;
        for (; rs->pool_index[j]; j = (j + 1) & mask) {
                uint32_t packed = rs->pool_index[j] - 1;
                if ((packed & 63) == len && memcmp(rs->pool + (packed >> 6), data, len) == 0)
                        return packed >> 6;
        }
        uint32_t off = pool_add(rs, data, len);
        if (off) {
                rs->pool_index[j] = (off << 6 | (uint32_t) len) + 1;
                rs->n_pool_indexed++;
        }
        return off;
}

#define pool_add_dedup nft_pool_add_dedup

static uint32_t pool_add_str(NftRuleset *rs, const char *s) {
        return pool_add_dedup(rs, s, strlen(s) + 1);
}

/* Appends expression `x` to the rule being built, stored once. */
int nft_expr_append(NftRuleset *rs, const NftExpr *x) {
        if ((rs->n_expr_indexed + 1) * 2 > rs->expr_index_size &&
            index_grow(&rs->expr_index, &rs->expr_index_size, expr_hash_of, rs) < 0)
                return -ENOMEM;
        if (GROW(rs->expr_refs, rs->n_expr_refs + 1, rs->allocated_expr_refs) < 0)
                return -ENOMEM;
        size_t mask = rs->expr_index_size - 1, j = hash_bytes(x, sizeof(*x)) & mask;
        for (; rs->expr_index[j]; j = (j + 1) & mask)
                if (memcmp(&rs->exprs[rs->expr_index[j] - 1], x, sizeof(*x)) == 0) {
                        rs->expr_refs[rs->n_expr_refs++] = rs->expr_index[j] - 1;
                        return 0;
                }
        if (rs->n_exprs >= UINT32_MAX - 1 || GROW(rs->exprs, rs->n_exprs + 1, rs->allocated_exprs) < 0)
                return -ENOMEM;
        rs->exprs[rs->n_exprs] = *x;
        rs->expr_index[j] = (uint32_t) rs->n_exprs + 1;
        rs->n_expr_indexed++;
        rs->expr_refs[rs->n_expr_refs++] = (uint32_t) rs->n_exprs++;
        return 0;
}

#define expr_ref_add nft_expr_append

static uint32_t xt_match_hash_of(const NftRuleset *rs, uint32_t i) {
        return hash_bytes(&rs->xt_matches[i], sizeof(XtMatch));
}

static uint32_t xt_target_hash_of(const NftRuleset *rs, uint32_t i) {
        return hash_bytes(&rs->xt_targets[i], sizeof(XtTarget));
}

/* One store for both kinds of extension: entries of `size` bytes in *arr,
 * found again through an open-addressing index of entry+1 values. */
static int xt_store(NftRuleset *rs, void **arr, size_t *n, size_t *allocated, uint32_t **index,
                    size_t *index_size, uint32_t (*hash_of)(const NftRuleset *, uint32_t), const void *x,
                    size_t size, uint32_t *ret_index) {
        if ((*n + 1) * 2 > *index_size && index_grow(index, index_size, hash_of, rs) < 0)
                return -ENOMEM;
        size_t mask = *index_size - 1, j = hash_bytes(x, size) & mask;
        for (; (*index)[j]; j = (j + 1) & mask)
                if (memcmp((uint8_t *) *arr + ((*index)[j] - 1) * size, x, size) == 0) {
                        *ret_index = (*index)[j] - 1;
                        return 0;
                }
        if (*n >= UINT32_MAX - 1 || nft_grow(arr, allocated, *n + 1, size) < 0)
                return -ENOMEM;
        memcpy((uint8_t *) *arr + *n * size, x, size);
        (*index)[j] = (uint32_t) *n + 1;
        *ret_index = (uint32_t) (*n)++;
        return 0;
}

int nft_xt_match_add(NftRuleset *rs, const XtMatch *m, uint32_t *ret_index) {
        return xt_store(rs, (void **) &rs->xt_matches, &rs->n_xt_matches, &rs->allocated_xt_matches,
                        &rs->xt_match_index, &rs->xt_match_index_size, xt_match_hash_of, m, sizeof(*m), ret_index);
}

int nft_xt_target_add(NftRuleset *rs, const XtTarget *t, uint32_t *ret_index) {
        return xt_store(rs, (void **) &rs->xt_targets, &rs->n_xt_targets, &rs->allocated_xt_targets,
                        &rs->xt_target_index, &rs->xt_target_index_size, xt_target_hash_of, t, sizeof(*t), ret_index);
}

NftRuleset *nft_ruleset_new(void) {
        NftRuleset *rs = calloc(1, sizeof(*rs));
        if (!rs)
                return NULL;
        rs->last_table = rs->last_chain = rs->pending_set = NO_INDEX;
        /* byte 0 of the pool stands for "none" */
        if (pool_add(rs, "", 1) != 0) {
                free(rs);
                return NULL;
        }
        return rs;
}

static void chain_free_contents(NftChain *c) {
        free(c->name);
        free(c->type);
        if (c->devices)
                for (char **d = c->devices; *d; d++)
                        free(*d);
        free(c->devices);
        free(c->rules);
}

NftRuleset *nft_ruleset_free(NftRuleset *rs) {
        if (!rs)
                return NULL;
        for (size_t i = 0; i < rs->n_tables; i++) {
                NftTable *t = &rs->tables[i];
                for (size_t j = 0; j < t->n_chains; j++)
                        chain_free_contents(&t->chains[j]);
                free(t->chains);
                free(t->name);
        }
        free(rs->tables);
        for (size_t i = 0; i < rs->n_sets; i++) {
                free(rs->sets[i].name);
                free(rs->sets[i].elems);
        }
        free(rs->sets);
        free(rs->exprs);
        free(rs->expr_refs);
        free(rs->expr_index);
        free(rs->pool_index);
        free(rs->pool);
        free(rs->xt_matches);
        free(rs->xt_targets);
        free(rs->xt_match_index);
        free(rs->xt_target_index);
        xt_pool_done(&rs->xt_pool);
        free(rs);
        return NULL;
}

/* ---- lookups ---- */

static uint32_t find_table_index(const NftRuleset *rs, int family, const char *name) {
        for (size_t i = 0; i < rs->n_tables; i++)
                if (rs->tables[i].family == family && strcmp(rs->tables[i].name, name) == 0)
                        return (uint32_t) i;
        return NO_INDEX;
}

static uint32_t find_chain_index(const NftTable *t, const char *name) {
        for (size_t i = 0; i < t->n_chains; i++)
                if (strcmp(t->chains[i].name, name) == 0)
                        return (uint32_t) i;
        return NO_INDEX;
}

static uint32_t find_set_index(const NftRuleset *rs, uint32_t table, const char *name) {
        for (size_t i = 0; i < rs->n_sets; i++)
                if (rs->sets[i].table == table && strcmp(rs->sets[i].name, name) == 0)
                        return (uint32_t) i;
        return NO_INDEX;
}

const NftTable *nft_ruleset_find_table(const NftRuleset *rs, int family, const char *name) {
        uint32_t i = find_table_index(rs, family, name);
        return i == NO_INDEX ? NULL : &rs->tables[i];
}

const NftChain *nft_table_find_chain(const NftTable *t, const char *name) {
        uint32_t i = find_chain_index(t, name);
        return i == NO_INDEX ? NULL : &t->chains[i];
}

const NftSet *nft_ruleset_find_set(const NftRuleset *rs, uint32_t table, const char *name) {
        uint32_t i = find_set_index(rs, table, name);
        return i == NO_INDEX ? NULL : &rs->sets[i];
}

const NftChain *nft_rule_chain(const NftRuleset *rs, const NftRule *rule, const NftTable **ret_table) {
        for (size_t i = 0; i < rs->n_tables; i++) {
                const NftTable *t = &rs->tables[i];
                for (size_t j = 0; j < t->n_chains; j++) {
                        const NftChain *c = &t->chains[j];
                        if (c->n_rules > 0 && rule >= c->rules && rule < c->rules + c->n_rules) {
                                if (ret_table)
                                        *ret_table = t;
                                return c;
                        }
                }
        }
        return NULL;
}

const char *nft_family_name(int family) {
        switch (family) {
        case NFPROTO_INET: return "inet";
        case NFPROTO_IPV4: return "ip";
        case NFPROTO_IPV6: return "ip6";
        case NFPROTO_ARP: return "arp";
        case NFPROTO_NETDEV: return "netdev";
        case NFPROTO_BRIDGE: return "bridge";
        default: return "unknown";
        }
}

const char *nft_hook_name(int family, int hook) {
        if (family == NFPROTO_NETDEV)
                return hook == NF_NETDEV_INGRESS ? "ingress" : hook == 1 ? "egress" : "unknown";
        if (family == NFPROTO_ARP)
                return hook == 0 ? "input" : hook == 1 ? "output" : "unknown";
        switch (hook) {
        case NF_INET_PRE_ROUTING: return "prerouting";
        case NF_INET_LOCAL_IN: return "input";
        case NF_INET_FORWARD: return "forward";
        case NF_INET_LOCAL_OUT: return "output";
        case NF_INET_POST_ROUTING: return "postrouting";
        case NF_INET_INGRESS: return "ingress";
        default: return "unknown";
        }
}

/* ---- message and attribute helpers ---- */

/* mnl_nlmsg_ok() compares nlmsg_len as an int: a length above INT_MAX
 * passes it.  Captured files are untrusted input. */
static bool nlmsg_ok(const struct nlmsghdr *nlh, size_t rem) {
        return rem >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= rem;
}

static const struct nlmsghdr *nlmsg_next(const struct nlmsghdr *nlh, size_t *rem) {
        size_t step = NLMSG_ALIGN(nlh->nlmsg_len);
        if (step > *rem)
                step = *rem;
        *rem -= step;
        return (const struct nlmsghdr *) ((const uint8_t *) nlh + step);
}

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
static int attr_data_value(const struct nlattr *a, const void **ret, size_t *ret_len) {
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
        if (attr_data_value(a, &d, &len) < 0)
                return 0;
        *ret_len = len;
        return pool_add_dedup(rs, d, len);
}

/* ---- tables, chains ---- */

static int parse_table(NftRuleset *rs, const struct nlmsghdr *nlh, int family) {
        NlAttrs t;
        if (nl_attr_parse_nfgen(&t, nlh) < 0)
                return -EBADMSG;
        const char *name = nl_attr_strz(t.tb[NFTA_TABLE_NAME]);
        if (!name)
                return -EBADMSG;
        if (find_table_index(rs, family, name) != NO_INDEX)
                return 0;       /* seen in an earlier dump of the same generation */
        if (GROW(rs->tables, rs->n_tables + 1, rs->allocated_tables) < 0)
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
                mnl_attr_for_each_nested(d, h.tb[NFTA_HOOK_DEVS])
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
                mnl_attr_for_each_nested(d, h.tb[NFTA_HOOK_DEVS]) {
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
        uint32_t ti = find_table_index(rs, family, tname);
        if (ti == NO_INDEX)
                return -ESTALE;     /* refers to an object not (yet) seen */
        NftTable *tbl = &rs->tables[ti];
        if (find_chain_index(tbl, name) != NO_INDEX)
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
        if (GROW(tbl->chains, tbl->n_chains + 1, tbl->allocated_chains) < 0)
                goto fail;
        tbl->chains[tbl->n_chains++] = c;
        return 0;
fail:
        chain_free_contents(&c);
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
        uint32_t ti = find_table_index(rs, family, tname);
        if (ti == NO_INDEX)
                return -ESTALE;
        if (find_set_index(rs, ti, name) != NO_INDEX)
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
                        mnl_attr_for_each_nested(e, d.tb[NFTA_SET_DESC_CONCAT]) {
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
        if (GROW(rs->sets, rs->n_sets + 1, rs->allocated_sets) < 0) {
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
                if (attr_data_value(e.tb[NFTA_SET_ELEM_KEY], &d, &len) < 0 || len != set->key_len)
                        return -EBADMSG;
                if (!(el.key_off = pool_add_dedup(rs, d, len)))
                        return -ENOMEM;
        } else if (!(el.flags & NFT_SET_ELEM_CATCHALL))
                return -EBADMSG;
        if (e.tb[NFTA_SET_ELEM_KEY_END]) {
                if (attr_data_value(e.tb[NFTA_SET_ELEM_KEY_END], &d, &len) < 0 || len != set->key_len)
                        return -EBADMSG;
                if (!(el.key_end_off = pool_add_dedup(rs, d, len)))
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
                        if (ch && !(el.chain_off = pool_add_str(rs, ch)))
                                return -ENOMEM;
                } else if (dt.tb[NFTA_DATA_VALUE]) {
                        if (attr_data_value(e.tb[NFTA_SET_ELEM_DATA], &d, &len) < 0)
                                return -EBADMSG;
                        if (!(el.data_off = pool_add_dedup(rs, d, len)))
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
        uint32_t ti = find_table_index(rs, family, tname);
        uint32_t si = ti == NO_INDEX ? NO_INDEX : find_set_index(rs, ti, sname);
        if (si == NO_INDEX)
                return -ESTALE;
        if (!t.tb[NFTA_SET_ELEM_LIST_ELEMENTS])
                return 0;
        const struct nlattr *a;
        mnl_attr_for_each_nested(a, t.tb[NFTA_SET_ELEM_LIST_ELEMENTS]) {
                NftSetElem el;
                int r = parse_elem(rs, &rs->sets[si], a, &el);
                if (r < 0)
                        return r;
                NftSet *set = &rs->sets[si];
                if (GROW(set->elems, set->n_elems + 1, set->allocated_elems) < 0)
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
        uint32_t ti = find_table_index(rs, family, tname);
        rs->pending_set = ti == NO_INDEX ? NO_INDEX : find_set_index(rs, ti, sname);
        if (rs->pending_set != NO_INDEX) {
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
                if (attr_data_value(tb[NFTA_RANGE_FROM_DATA], &from, &len) < 0 ||
                    attr_data_value(tb[NFTA_RANGE_TO_DATA], &to, &to_len) < 0 || len != to_len)
                        return -EBADMSG;
                uint8_t both[2 * NFT_DATA_MAXLEN];
                memcpy(both, from, len);
                memcpy(both + len, to, len);
                x->range.len = (uint8_t) len;
                if (!(x->range.from_off = pool_add_dedup(rs, both, 2 * len)))
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
                        if (attr_data_value(tb[NFTA_BITWISE_MASK], &mask, &mlen) < 0 ||
                            attr_data_value(tb[NFTA_BITWISE_XOR], &xor, &xlen) < 0 ||
                            mlen != v || xlen != v)
                                return -EBADMSG;
                        uint8_t both[2 * NFT_DATA_MAXLEN];
                        memcpy(both, mask, v);
                        memcpy(both + v, xor, v);
                        if (!(x->bitwise.data_off = pool_add_dedup(rs, both, 2 * v)))
                                return -ENOMEM;
                } else {
                        const void *sh;
                        size_t slen;
                        uint32_t amount;
                        if (attr_data_value(tb[NFTA_BITWISE_DATA], &sh, &slen) < 0 || slen != 4)
                                return -EBADMSG;
                        memcpy(&amount, sh, 4);
                        if (!(x->bitwise.data_off = pool_add_dedup(rs, &amount, 4)))
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
                x->lookup.set = find_set_index(rs, table, set);
                if (!(x->lookup.set_name_off = pool_add_str(rs, set)))
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
                                uint32_t ci = find_chain_index(&rs->tables[table], ch);
                                if (ci != NO_INDEX) {
                                        x->immediate.chain = ci;
                                        x->immediate.flags |= NFT_EXPR_F_CHAIN_RESOLVED;
                                } else if (!(x->immediate.chain = pool_add_str(rs, ch)))
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
                if (!(x->counter.data_off = pool_add_dedup(rs, c, sizeof(c))))
                        return -ENOMEM;
                return 0;
        }
        case NFT_EXPR_LOG: {
                const char *p = nl_attr_strz(tb[NFTA_LOG_PREFIX]);
                if (p && !(x->log.prefix_off = pool_add_str(rs, p)))
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
                if (!(x->limit.data_off = pool_add_dedup(rs, buf, sizeof(buf))))
                        return -ENOMEM;
                return 0;
        }
        case NFT_EXPR_QUOTA: {
                uint64_t q[2] = { nl_attr_be64_or(tb[NFTA_QUOTA_BYTES], 0), nl_attr_be64_or(tb[NFTA_QUOTA_CONSUMED], 0) };
                x->quota.flags = (nl_attr_be32_or(tb[NFTA_QUOTA_FLAGS], 0) & NFT_QUOTA_F_INV) ? NFT_EXPR_F_INVERT : 0;
                if (!(x->quota.data_off = pool_add_dedup(rs, q, sizeof(q))))
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
                x->dynset.set = find_set_index(rs, table, set);
                if (!(x->dynset.set_name_off = pool_add_str(rs, set)))
                        return -ENOMEM;
                return 0;
        }
        case NFT_EXPR_OBJREF: {
                const char *n = nl_attr_strz(tb[NFTA_OBJREF_IMM_NAME]);
                if (!n)
                        n = nl_attr_strz(tb[NFTA_OBJREF_SET_NAME]);
                x->objref.type = (uint8_t) nl_attr_be32_or(tb[NFTA_OBJREF_IMM_TYPE], 0);
                if (n && !(x->objref.name_off = pool_add_str(rs, n)))
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
                if (!(x->other.name_off = pool_add_str(rs, name)))
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
                return expr_ref_add(rs, &x);

        /* a dynset's per-element expressions follow it (at most
         * NFT_SET_EXPR_MAX, 2, in the kernel; 3 fit the flags) */
        const struct nlattr *embedded[3];
        unsigned n = 0;
        if (d.tb[NFTA_DYNSET_EXPR])
                embedded[n++] = d.tb[NFTA_DYNSET_EXPR];
        else if (d.tb[NFTA_DYNSET_EXPRESSIONS]) {
                const struct nlattr *a;
                mnl_attr_for_each_nested(a, d.tb[NFTA_DYNSET_EXPRESSIONS]) {
                        if (n == 3)
                                return -EBADMSG;
                        embedded[n++] = a;
                }
        }
        x.dynset.flags |= (uint8_t) (n << 6);
        if ((r = expr_ref_add(rs, &x)) < 0)
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
                        return pool_add_str(rs, (const char *) p + 2);
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
        if (ti == NO_INDEX || rs->tables[ti].family != family || strcmp(rs->tables[ti].name, tname) != 0 ||
            strcmp(rs->tables[ti].chains[ci].name, cname) != 0) {
                ti = find_table_index(rs, family, tname);
                if (ti == NO_INDEX)
                        return -ESTALE;
                ci = find_chain_index(&rs->tables[ti], cname);
                if (ci == NO_INDEX)
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
                mnl_attr_for_each_nested(a, t.tb[NFTA_RULE_EXPRESSIONS]) {
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
        if (GROW(c->rules, c->n_rules + 1, c->allocated_rules) < 0)
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

        for (; nlmsg_ok(nlh, remaining); nlh = nlmsg_next(nlh, &remaining)) {
                if (nlh->nlmsg_type == NLMSG_DONE) {
                        if (rs->pending_set != NO_INDEX) {
                                rs->sets[rs->pending_set].elems_complete = true;
                                set_elems_sort(rs, &rs->sets[rs->pending_set]);
                        }
                        rs->pending_set = NO_INDEX;
                        continue;
                }
                if (nlh->nlmsg_type == NLMSG_ERROR) {
                        if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nlmsgerr))
                                return -EBADMSG;
                        const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
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
                const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
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

/* ---- the socket side ---- */

#define DUMP_BUFSIZE (256u * 1024u)
#define REQ_BUFSIZE 8192

typedef struct DumpConn {
        struct mnl_socket *nl;
        uint32_t portid, seq;
        uint8_t *buf;
} DumpConn;

static void conn_close(DumpConn *c) {
        if (c->nl)
                mnl_socket_close(c->nl);
        c->nl = NULL;
}

static int conn_open(DumpConn *c) {
        conn_close(c);
        c->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
        if (!c->nl)
                return -errno;
        if (mnl_socket_bind(c->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                int r = -errno;
                conn_close(c);
                return r;
        }
        c->portid = mnl_socket_get_portid(c->nl);
        return 0;
}

/* BUF is REQ_BUFSIZE bytes; zeroed, so that no attribute's padding sends
 * stack bytes to the kernel. */
static struct nlmsghdr *request_hdr(void *buf, uint16_t type, int family, uint16_t flags, uint32_t seq) {
        memset(buf, 0, REQ_BUFSIZE);
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = (uint16_t) ((NFNL_SUBSYS_NFTABLES << 8) | type);
        nlh->nlmsg_flags = (uint16_t) (NLM_F_REQUEST | flags);
        nlh->nlmsg_seq = seq;
        struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->nfgen_family = (uint8_t) family;
        g->version = NFNETLINK_V0;
        g->res_id = 0;
        return nlh;
}

/* Receive callback: sees each buffer of a reply; returns <0 to abort the
 * dump (the socket is then unusable until reopened). */
typedef int (*ReplyFn)(const void *buf, size_t len, void *userdata);

/* Sends `req` and receives until NLMSG_DONE (dumps) or the single reply /
 * ack.  Sets *intr when the kernel flagged the dump interrupted. */
static int conn_transact(DumpConn *c, const struct nlmsghdr *req, bool dump, ReplyFn fn, void *userdata,
                         bool *intr) {
        if (mnl_socket_sendto(c->nl, req, req->nlmsg_len) < 0)
                return -errno;
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(c->nl, c->buf, DUMP_BUFSIZE);
                if (n < 0)
                        return -errno;
                bool done = false;
                int err = 0;
                const struct nlmsghdr *nlh = (const struct nlmsghdr *) c->buf;
                size_t rem = (size_t) n;
                for (; nlmsg_ok(nlh, rem); nlh = nlmsg_next(nlh, &rem)) {
                        if (nlh->nlmsg_seq != req->nlmsg_seq || nlh->nlmsg_pid != c->portid)
                                return -EPROTO;
                        if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
                                *intr = true;
                        if (nlh->nlmsg_type == NLMSG_DONE)
                                done = true;
                        else if (nlh->nlmsg_type == NLMSG_ERROR) {
                                const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
                                if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
                                        return -EBADMSG;
                                err = e->error;
                                done = true;
                        } else if (!dump && !(req->nlmsg_flags & NLM_F_ACK))
                                done = true;
                }
                if (err < 0)
                        return err;
                if (fn) {
                        int r = fn(c->buf, (size_t) n, userdata);
                        if (r < 0)
                                return r;
                }
                if (done)
                        return 0;
        }
}

typedef struct SetRef {
        int family;
        char table[256], name[256];
        uint32_t flags;
        bool updated_by_rule;   /* the target of a rule's dynset */
} SetRef;

typedef struct DumpState {
        const NftDumpSink *sink;
        SetRef *sets;
        size_t n_sets, allocated_sets;
        /* element dump of a named set, held back until known to be small */
        uint8_t *held;
        size_t held_len, held_allocated, held_elems;
        uint32_t genid;
} DumpState;

static int sink_cb(const void *buf, size_t len, void *userdata) {
        DumpState *s = userdata;
        return s->sink->msgs(buf, len, s->sink->userdata);
}

/* FN for each nftables message of MSG_TYPE in BUF (one datagram of an
 * answer), with its attributes, or T NULL when they do not parse (FN says
 * what that means for its message).  A negative return of FN ends it. */
static int nft_msgs_each(const void *buf, size_t len, uint8_t msg_type,
                         int (*fn)(const struct nlmsghdr *nlh, const NlAttrs *t, void *userdata), void *userdata) {
        const struct nlmsghdr *nlh = buf;
        size_t rem = len;

        for (; nlmsg_ok(nlh, rem); nlh = nlmsg_next(nlh, &rem)) {
                NlAttrs t;
                int r;
                if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES || (nlh->nlmsg_type & 0xff) != msg_type)
                        continue;
                r = fn(nlh, nl_attr_parse_nfgen(&t, nlh) == 0 ? &t : NULL, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int gen_msg(const struct nlmsghdr *nlh, const NlAttrs *t, void *userdata) {
        DumpState *s = userdata;
        (void) nlh;
        if (t)
                (void) nl_attr_be32(t->tb[NFTA_GEN_ID], &s->genid);
        return 0;
}

static int gen_cb(const void *buf, size_t len, void *userdata) {
        (void) nft_msgs_each(buf, len, NFT_MSG_NEWGEN, gen_msg, userdata);
        return sink_cb(buf, len, userdata);
}

static int set_msg(const struct nlmsghdr *nlh, const NlAttrs *t, void *userdata) {
        DumpState *s = userdata;
        if (!t)
                return -EBADMSG;
        const char *tn = nl_attr_strz(t->tb[NFTA_SET_TABLE]), *sn = nl_attr_strz(t->tb[NFTA_SET_NAME]);
        if (!tn || !sn || strlen(tn) >= 256 || strlen(sn) >= 256)
                return -EBADMSG;
        if (GROW(s->sets, s->n_sets + 1, s->allocated_sets) < 0)
                return -ENOMEM;
        SetRef *ref = &s->sets[s->n_sets++];
        *ref = (SetRef) {};
        ref->family = ((const struct nfgenmsg *) mnl_nlmsg_get_payload(nlh))->nfgen_family;
        strcpy(ref->table, tn);
        strcpy(ref->name, sn);
        ref->flags = nl_attr_be32_or(t->tb[NFTA_SET_FLAGS], 0);
        return 0;
}

static int sets_cb(const void *buf, size_t len, void *userdata) {
        int r = nft_msgs_each(buf, len, NFT_MSG_NEWSET, set_msg, userdata);
        return r < 0 ? r : sink_cb(buf, len, userdata);
}

/* Marks the set a dynset expression of a rule in TABLE updates. */
static void mark_dynset_target(DumpState *s, int family, const char *table, const struct nlattr *expr) {
        NlAttrs e, d;
        const char *name, *set;
        if (nl_attr_parse_nested(&e, expr) < 0 || !(name = nl_attr_strz(e.tb[NFTA_EXPR_NAME])) || strcmp(name, "dynset") != 0 ||
            !e.tb[NFTA_EXPR_DATA] || nl_attr_parse_nested(&d, e.tb[NFTA_EXPR_DATA]) < 0 ||
            !(set = nl_attr_strz(d.tb[NFTA_DYNSET_SET_NAME])))
                return;
        for (size_t i = 0; i < s->n_sets; i++)
                if (s->sets[i].family == family && strcmp(s->sets[i].table, table) == 0 &&
                    strcmp(s->sets[i].name, set) == 0)
                        s->sets[i].updated_by_rule = true;
}

static int rule_msg(const struct nlmsghdr *nlh, const NlAttrs *t, void *userdata) {
        DumpState *s = userdata;
        const char *table;
        const struct nlattr *a;
        if (!t || !(table = nl_attr_strz(t->tb[NFTA_RULE_TABLE])) || !t->tb[NFTA_RULE_EXPRESSIONS])
                return 0;       /* the decoder judges the message */
        int family = ((const struct nfgenmsg *) mnl_nlmsg_get_payload(nlh))->nfgen_family;
        mnl_attr_for_each_nested(a, t->tb[NFTA_RULE_EXPRESSIONS])
                mark_dynset_target(s, family, table, a);
        return 0;
}

static int rules_cb(const void *buf, size_t len, void *userdata) {
        (void) nft_msgs_each(buf, len, NFT_MSG_NEWRULE, rule_msg, userdata);
        return sink_cb(buf, len, userdata);
}

static int held_msg(const struct nlmsghdr *nlh, const NlAttrs *t, void *userdata) {
        DumpState *s = userdata;
        const struct nlattr *a;
        (void) nlh;
        if (!t)
                return -EBADMSG;
        if (t->tb[NFTA_SET_ELEM_LIST_ELEMENTS])
                mnl_attr_for_each_nested(a, t->tb[NFTA_SET_ELEM_LIST_ELEMENTS])
                        s->held_elems++;
        return 0;
}

static int held_cb(const void *buf, size_t len, void *userdata) {
        DumpState *s = userdata;
        int r = nft_msgs_each(buf, len, NFT_MSG_NEWSETELEM, held_msg, s);
        if (r < 0)
                return r;
        if (s->held_elems > NFT_SMALL_SET_MAX)
                return -E2BIG;
        if (nft_grow((void **) &s->held, &s->held_allocated, s->held_len + len, 1) < 0)
                return -ENOMEM;
        memcpy(s->held + s->held_len, buf, len);
        s->held_len += len;
        return 0;
}

static int dump_simple(DumpConn *c, DumpState *s, uint16_t type, ReplyFn fn, bool *intr) {
        uint8_t req[REQ_BUFSIZE];
        struct nlmsghdr *nlh = request_hdr(req, type, NFPROTO_UNSPEC, NLM_F_DUMP, ++c->seq);
        int r = s->sink->msgs(nlh, nlh->nlmsg_len, s->sink->userdata);
        if (r < 0)
                return r;
        return conn_transact(c, nlh, true, fn, s, intr);
}

static int get_gen(DumpConn *c, DumpState *s) {
        uint8_t req[REQ_BUFSIZE];
        bool intr = false;
        struct nlmsghdr *nlh = request_hdr(req, NFT_MSG_GETGEN, NFPROTO_UNSPEC, 0, ++c->seq);
        return conn_transact(c, nlh, false, gen_cb, s, &intr);
}

static int dump_set_elems(DumpConn *c, DumpState *s, const SetRef *ref, bool *intr) {
        uint8_t req[REQ_BUFSIZE];
        struct nlmsghdr *nlh = request_hdr(req, NFT_MSG_GETSETELEM, ref->family, NLM_F_DUMP, ++c->seq);
        mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, ref->table);
        mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, ref->name);

        /* Elements of a named set with timeouts expire, and the packet path
         * adds to a set that a rule's `add @set` / `update @set` (or a
         * meter) names, with or without NFT_SET_EVAL, both without a new
         * generation: a copy would go stale unseen, so those are asked one
         * element at a time too. */
        if (!(ref->flags & NFT_SET_ANONYMOUS) &&
            ((ref->flags & (NFT_SET_TIMEOUT | NFT_SET_EVAL)) || ref->updated_by_rule))
                return 0;

        if (ref->flags & NFT_SET_ANONYMOUS) {
                /* part of a rule's text: always read whole */
                int r = s->sink->msgs(nlh, nlh->nlmsg_len, s->sink->userdata);
                if (r < 0)
                        return r;
                return conn_transact(c, nlh, true, sink_cb, s, intr);
        }

        s->held_len = s->held_elems = 0;
        int r = conn_transact(c, nlh, true, held_cb, s, intr);
        if (r == -E2BIG)
                /* a large set: leave it to per-element lookups; the dump is
                 * still running on this socket, so start a fresh one */
                return conn_open(c);
        if (r < 0)
                return r;
        r = s->sink->msgs(nlh, nlh->nlmsg_len, s->sink->userdata);
        if (r < 0)
                return r;
        return s->sink->msgs(s->held, s->held_len, s->sink->userdata);
}

static int dump_once(DumpConn *c, DumpState *s, bool *consistent) {
        bool intr = false;
        int r;

        s->n_sets = 0;
        if ((r = get_gen(c, s)) < 0)
                return r;
        uint32_t gen_before = s->genid;
        /* objects and flowtables are not decoded, but an NftStore keeps
         * them; the rules come before the elements, to tell which sets
         * rules update */
        if ((r = dump_simple(c, s, NFT_MSG_GETTABLE, sink_cb, &intr)) < 0 ||
            (r = dump_simple(c, s, NFT_MSG_GETCHAIN, sink_cb, &intr)) < 0 ||
            (r = dump_simple(c, s, NFT_MSG_GETSET, sets_cb, &intr)) < 0 ||
            (r = dump_simple(c, s, NFT_MSG_GETOBJ, sink_cb, &intr)) < 0 ||
            (r = dump_simple(c, s, NFT_MSG_GETFLOWTABLE, sink_cb, &intr)) < 0 ||
            (r = dump_simple(c, s, NFT_MSG_GETRULE, rules_cb, &intr)) < 0)
                return r;
        for (size_t i = 0; i < s->n_sets; i++) {
                r = dump_set_elems(c, s, &s->sets[i], &intr);
                /* a set deleted since the set dump: the generation check
                 * below catches it */
                if (r == -ENOENT) {
                        intr = true;
                        continue;
                }
                if (r < 0)
                        return r;
        }
        if ((r = get_gen(c, s)) < 0)
                return r;
        *consistent = !intr && s->genid == gen_before;
        return 0;
}

int nft_dump_raw(const NftDumpSink *sink) {
        DumpConn c = { .seq = (uint32_t) time(NULL) };
        DumpState s = { .sink = sink };
        int r;

        if (!(c.buf = malloc(DUMP_BUFSIZE)))
                return -ENOMEM;
        if ((r = conn_open(&c)) < 0)
                goto out;
        for (unsigned attempt = 0;; attempt++) {
                bool consistent = false;
                if (attempt >= NFT_DUMP_RETRIES) {
                        r = -EAGAIN;
                        break;
                }
                if (attempt > 0 && sink->reset && (r = sink->reset(sink->userdata)) < 0)
                        break;
                r = dump_once(&c, &s, &consistent);
                if (r == -EINTR || r == -EBUSY || r == -ESTALE) {
                        /* the kernel aborts a dump racing a commit; a
                         * chain or rule of a table created after the table
                         * dump (-ESTALE from the decoder) is the same race */
                        if ((r = conn_open(&c)) < 0)
                                break;
                        continue;
                }
                if (r < 0 || consistent)
                        break;
        }
out:
        conn_close(&c);
        free(c.buf);
        free(s.sets);
        free(s.held);
        return r;
}

typedef struct ReadState {
        NftRuleset *rs;
} ReadState;

static int read_reset(void *userdata) {
        ReadState *st = userdata;
        nft_ruleset_free(st->rs);
        st->rs = nft_ruleset_new();
        return st->rs ? 0 : -ENOMEM;
}

static int read_msgs(const void *buf, size_t len, void *userdata) {
        ReadState *st = userdata;
        return nft_ruleset_parse_msgs(st->rs, buf, len);
}

int nft_ruleset_read(NftRuleset **ret) {
        ReadState st = { .rs = nft_ruleset_new() };
        if (!st.rs)
                return -ENOMEM;
        NftDumpSink sink = { .reset = read_reset, .msgs = read_msgs, .userdata = &st };
        int r = nft_dump_raw(&sink);
        if (r < 0) {
                nft_ruleset_free(st.rs);
                return r;
        }
        *ret = st.rs;
        return 0;
}

/* ---- per-element lookups against the live kernel ---- */

struct NftLiveLookup {
        DumpConn conn;
};

int nft_live_lookup_new(NftLiveLookup **ret) {
        NftLiveLookup *l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        l->conn.seq = (uint32_t) time(NULL);
        if (!(l->conn.buf = malloc(DUMP_BUFSIZE))) {
                free(l);
                return -ENOMEM;
        }
        int r = conn_open(&l->conn);
        if (r < 0) {
                nft_live_lookup_free(l);
                return r;
        }
        *ret = l;
        return 0;
}

NftLiveLookup *nft_live_lookup_free(NftLiveLookup *l) {
        if (!l)
                return NULL;
        conn_close(&l->conn);
        free(l->conn.buf);
        free(l);
        return NULL;
}

typedef struct ElemReply {
        const NftSet *set;
        bool found;
        NftSetElemData *data;
        int error;
} ElemReply;

static int elem_reply_msg(const struct nlmsghdr *nlh, const NlAttrs *t, void *userdata) {
        ElemReply *er = userdata;
        (void) nlh;
        if (!t || !t->tb[NFTA_SET_ELEM_LIST_ELEMENTS])
                return -EBADMSG;
        const struct nlattr *a;
        mnl_attr_for_each_nested(a, t->tb[NFTA_SET_ELEM_LIST_ELEMENTS]) {
                NlAttrs e;
                if (nl_attr_parse_nested(&e, a) < 0)
                        return -EBADMSG;
                er->found = true;
                if (!er->data || !e.tb[NFTA_SET_ELEM_DATA])
                        continue;
                NlAttrs dt;
                if (nl_attr_parse_nested(&dt, e.tb[NFTA_SET_ELEM_DATA]) < 0)
                        return -EBADMSG;
                if (dt.tb[NFTA_DATA_VERDICT]) {
                        NlAttrs v;
                        if (nl_attr_parse_nested(&v, dt.tb[NFTA_DATA_VERDICT]) < 0)
                                return -EBADMSG;
                        er->data->verdict = (int32_t) nl_attr_be32_or(v.tb[NFTA_VERDICT_CODE],
                                                                  (uint32_t) NFT_CONTINUE);
                        const char *ch = nl_attr_strz(v.tb[NFTA_VERDICT_CHAIN]);
                        snprintf(er->data->chain, sizeof(er->data->chain), "%s", ch ? ch : "");
                } else {
                        const void *d;
                        size_t dlen;
                        if (attr_data_value(e.tb[NFTA_SET_ELEM_DATA], &d, &dlen) < 0)
                                return -EBADMSG;
                        memcpy(er->data->data, d, dlen);
                        er->data->len = (uint8_t) dlen;
                }
        }
        return 0;
}

static int elem_reply_cb(const void *buf, size_t len, void *userdata) {
        return nft_msgs_each(buf, len, NFT_MSG_NEWSETELEM, elem_reply_msg, userdata);
}

NftLookupResult nft_set_lookup_live(const NftRuleset *rs, const NftSet *set, const uint8_t *key,
                                    size_t key_len, NftSetElemData *ret_data, void *userdata) {
        NftLiveLookup *l = userdata;
        uint8_t req[REQ_BUFSIZE];
        const NftTable *t = &rs->tables[set->table];
        bool intr = false;

        if (!l || !l->conn.nl || key_len != set->key_len)
                return NFT_LOOKUP_UNKNOWN;
        /* Without NLM_F_DUMP the kernel looks the one key up (in an
         * interval set, the interval containing it) and answers with that
         * element or ENOENT. */
        struct nlmsghdr *nlh = request_hdr(req, NFT_MSG_GETSETELEM, t->family, NLM_F_ACK, ++l->conn.seq);
        mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, t->name);
        mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set->name);
        struct nlattr *list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
        struct nlattr *elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
        struct nlattr *k = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
        mnl_attr_put(nlh, NFTA_DATA_VALUE, key_len, key);
        mnl_attr_nest_end(nlh, k);
        mnl_attr_nest_end(nlh, elem);
        mnl_attr_nest_end(nlh, list);

        NftSetElemData scratch;
        memset(&scratch, 0, sizeof(scratch));
        scratch.verdict = NFT_CONTINUE;
        ElemReply er = { .set = set, .data = ret_data ? ret_data : &scratch };
        if (ret_data) {
                memset(ret_data, 0, sizeof(*ret_data));
                ret_data->verdict = NFT_CONTINUE;
        }
        int r = conn_transact(&l->conn, nlh, false, elem_reply_cb, &er, &intr);
        if (r == -ENOENT)
                return NFT_LOOKUP_ABSENT;
        if (r < 0) {
                /* the socket may hold a half-read answer: start afresh */
                (void) conn_open(&l->conn);
                return NFT_LOOKUP_UNKNOWN;
        }
        return er.found ? NFT_LOOKUP_PRESENT : NFT_LOOKUP_UNKNOWN;
}

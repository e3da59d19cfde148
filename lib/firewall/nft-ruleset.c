/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * The NftRuleset model: its arrays, the byte pool and the expression and
 * extension stores (each datum stored once), lookups and names.  Filled by
 * the decoder (nft-decode.c) and by nft-legacy.c.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "macro.h"
#include "nft-internal.h"
#include "nft-ruleset.h"
#include "xt.h"

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

/* Four bytes at a time (what is hashed is 1 to 32 bytes of pool data or a
 * 12-byte NftExpr, decoded a million times for 100,000 rules: FNV-1a's
 * byte at a time showed in the one-shot read's profile), the high half of
 * the last multiplication kept: the indexes use the low bits. */
static uint32_t hash_bytes(const void *data, size_t len) {
        const uint8_t *p = data;
        uint64_t h = len;
        for (; len >= 4; p += 4, len -= 4) {
                uint32_t w;
                memcpy(&w, p, 4);
                h = (h ^ w) * 0x9e3779b97f4a7c15u;
                h ^= h >> 32;
        }
        for (; len > 0; p++, len--)
                h = (h ^ *p) * 0x9e3779b97f4a7c15u;
        return (uint32_t) ((h * 0x9e3779b97f4a7c15u) >> 32);
}

/* Whether an index of SIZE slots holding N entries must grow before one
 * more: past 3/4 full.  At 100,000 rules the expression and pool indexes
 * hold about 160,000 entries each: 1 MB apiece instead of 2 MB at half
 * full (4 MB were a quarter of the 16 MB budget), and the longer linear
 * probes measured no slower (a smaller index misses the cache less). */
static bool index_full(size_t n, size_t size) {
        return (n + 1) * 4 > size * 3;
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
        if (index_full(rs->n_pool_indexed, rs->pool_index_size) &&
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

uint32_t nft_pool_add_str(NftRuleset *rs, const char *s) {
        return nft_pool_add_dedup(rs, s, strlen(s) + 1);
}

/* Appends expression `x` to the rule being built, stored once. */
int nft_expr_append(NftRuleset *rs, const NftExpr *x) {
        if (index_full(rs->n_expr_indexed, rs->expr_index_size) &&
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
        if (index_full(*n, *index_size) && index_grow(index, index_size, hash_of, rs) < 0)
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
        rs->last_table = rs->last_chain = rs->pending_set = NFT_NO_INDEX;
        /* byte 0 of the pool stands for "none" */
        if (pool_add(rs, "", 1) != 0) {
                free(rs);
                return NULL;
        }
        return rs;
}

void nft_chain_free_contents(NftChain *c) {
        free(c->name);
        free(c->type);
        if (c->devices)
                for (char **d = c->devices; *d; d++)
                        free(*d);
        free(c->devices);
        free(c->rules);
}

void nft_table_free_contents(NftTable *t) {
        for (size_t j = 0; j < t->n_chains; j++)
                nft_chain_free_contents(&t->chains[j]);
        free(t->chains);
        free(t->name);
}

NftRuleset *nft_ruleset_free(NftRuleset *rs) {
        if (!rs)
                return NULL;
        for (size_t i = 0; i < rs->n_tables; i++)
                nft_table_free_contents(&rs->tables[i]);
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

uint32_t nft_find_table_index(const NftRuleset *rs, int family, const char *name) {
        for (size_t i = 0; i < rs->n_tables; i++)
                if (rs->tables[i].family == family && !rs->tables[i].gone && strcmp(rs->tables[i].name, name) == 0)
                        return (uint32_t) i;
        return NFT_NO_INDEX;
}

uint32_t nft_find_chain_index(const NftTable *t, const char *name) {
        for (size_t i = 0; i < t->n_chains; i++)
                if (strcmp(t->chains[i].name, name) == 0)
                        return (uint32_t) i;
        return NFT_NO_INDEX;
}

uint32_t nft_find_set_index(const NftRuleset *rs, uint32_t table, const char *name) {
        for (size_t i = 0; i < rs->n_sets; i++)
                if (rs->sets[i].table == table && !rs->sets[i].gone && strcmp(rs->sets[i].name, name) == 0)
                        return (uint32_t) i;
        return NFT_NO_INDEX;
}

const NftTable *nft_ruleset_find_table(const NftRuleset *rs, int family, const char *name) {
        uint32_t i = nft_find_table_index(rs, family, name);
        return i == NFT_NO_INDEX ? NULL : &rs->tables[i];
}

const NftChain *nft_table_find_chain(const NftTable *t, const char *name) {
        uint32_t i = nft_find_chain_index(t, name);
        return i == NFT_NO_INDEX ? NULL : &t->chains[i];
}

const NftSet *nft_ruleset_find_set(const NftRuleset *rs, uint32_t table, const char *name) {
        uint32_t i = nft_find_set_index(rs, table, name);
        return i == NFT_NO_INDEX ? NULL : &rs->sets[i];
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

static int expr_index_rebuild(NftRuleset *rs) {
        free(rs->expr_index);
        rs->expr_index = NULL;
        rs->expr_index_size = 0;
        rs->n_expr_indexed = 0;
        size_t size = 1024;
        while (size < rs->n_exprs * 2 + 2)
                size *= 2;
        uint32_t *t = calloc(size, sizeof(uint32_t));
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < rs->n_exprs; i++) {
                size_t j = expr_hash_of(rs, (uint32_t) i) & (size - 1);
                bool dup = false;
                for (; t[j]; j = (j + 1) & (size - 1))
                        if (memcmp(&rs->exprs[t[j] - 1], &rs->exprs[i], sizeof(NftExpr)) == 0) {
                                dup = true;     /* equal now: found as the first */
                                break;
                        }
                if (dup)
                        continue;
                t[j] = (uint32_t) i + 1;
                rs->n_expr_indexed++;
        }
        rs->expr_index = t;
        rs->expr_index_size = size;
        return 0;
}

int nft_ruleset_compact(NftRuleset *rs) {
        size_t nt = 0, ns = 0, n_old_sets = rs->n_sets;
        _cleanup_free_ uint32_t *tmap = malloc((rs->n_tables ? rs->n_tables : 1) * sizeof(uint32_t));
        _cleanup_free_ uint32_t *smap = malloc((rs->n_sets ? rs->n_sets : 1) * sizeof(uint32_t));
        size_t n_old_tables = rs->n_tables;
        bool sets_moved = false;

        if (!tmap || !smap)
                return -ENOMEM;
        for (size_t i = 0; i < n_old_tables; i++) {
                if (rs->tables[i].gone) {
                        nft_table_free_contents(&rs->tables[i]);
                        tmap[i] = NFT_NO_INDEX;
                        continue;
                }
                tmap[i] = (uint32_t) nt;
                rs->tables[nt] = rs->tables[i];
                for (size_t j = 0; j < rs->tables[nt].n_chains; j++)
                        rs->tables[nt].chains[j].table = (uint32_t) nt;
                nt++;
        }
        rs->n_tables = nt;
        /* sets in the order of their tables, as a dump lists them (a
         * table decoded again had its sets appended) */
        _cleanup_free_ size_t *start = calloc(nt + 1, sizeof(size_t));
        _cleanup_free_ NftSet *sets = malloc((n_old_sets ? n_old_sets : 1) * sizeof(NftSet));
        if (!start || !sets)
                return -ENOMEM;
        for (size_t i = 0; i < n_old_sets; i++) {
                const NftSet *set = &rs->sets[i];
                if (!set->gone && set->table < n_old_tables && tmap[set->table] != NFT_NO_INDEX)
                        start[tmap[set->table] + 1]++;
        }
        for (size_t t = 0; t < nt; t++)
                start[t + 1] += start[t];
        for (size_t i = 0; i < n_old_sets; i++) {
                NftSet set = rs->sets[i];
                if (set.gone || set.table >= n_old_tables || tmap[set.table] == NFT_NO_INDEX) {
                        free(set.name);
                        free(set.elems);
                        smap[i] = NFT_NO_INDEX;
                        sets_moved = true;
                        continue;
                }
                set.table = tmap[set.table];
                smap[i] = (uint32_t) start[set.table]++;
                sets_moved |= smap[i] != i;
                sets[smap[i]] = set;
                ns++;
        }
        if (ns > 0)
                memcpy(rs->sets, sets, ns * sizeof(NftSet));
        rs->n_sets = ns;
        rs->last_table = rs->last_chain = rs->pending_set = NFT_NO_INDEX;
        if (!sets_moved)
                return 0;
        /* lookups and dynsets name sets by index (those of rules no longer
         * there name none); the index of expressions is by content */
        for (size_t i = 0; i < rs->n_exprs; i++) {
                NftExpr *x = &rs->exprs[i];
                uint32_t *set = x->kind == NFT_EXPR_LOOKUP ? &x->lookup.set :
                                x->kind == NFT_EXPR_DYNSET ? &x->dynset.set : NULL;
                if (set && *set < n_old_sets)
                        *set = smap[*set];
        }
        return expr_index_rebuild(rs);
}

/* Sets RULE's nfproto and nfproto_reg from its first two expressions. */
void nft_rule_family_set(const NftRuleset *rs, NftRule *rule) {
        rule->nfproto = rule->nfproto_reg = 0;
        if (rule->n_expr < 2)
                return;
        const NftExpr *m = nft_rule_expr(rs, rule, 0), *c = nft_rule_expr(rs, rule, 1);
        if (m->kind == NFT_EXPR_META && m->meta.key == NFT_META_NFPROTO && c->kind == NFT_EXPR_CMP &&
            c->cmp.op == NFT_CMP_EQ && c->cmp.len == 1 && c->cmp.sreg == m->meta.dreg) {
                rule->nfproto = *(const uint8_t *) nft_pool(rs, c->cmp.data_off);
                rule->nfproto_reg = m->meta.dreg;
        }
}

void nft_chain_rule_appended(NftChain *c) {
        size_t n = c->n_rules - 1;
        NftRule *x = &c->rules[n];

        x->run = 0;
        if (!x->nfproto)
                return;
        if (n > 0) {
                NftRule *prev = &c->rules[n - 1], *head = &c->rules[c->run_head];
                if (prev->nfproto == x->nfproto && prev->nfproto_reg == x->nfproto_reg && c->run_head < n &&
                    head->nfproto == x->nfproto && head->nfproto_reg == x->nfproto_reg &&
                    c->run_head + head->run == n && head->run < UINT16_MAX) {
                        head->run++;
                        return;
                }
        }
        x->run = 1;
        c->run_head = n;
}

void nft_chain_runs_rebuild(NftChain *c) {
        size_t n = c->n_rules;

        c->run_head = 0;
        for (c->n_rules = 1; c->n_rules <= n; c->n_rules++)
                nft_chain_rule_appended(c);
        c->n_rules = n;
}

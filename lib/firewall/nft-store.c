/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "macro.h"
#include "nft-internal.h"
#include "nft-relevance.h"
#include "nft-store.h"
#include "nl-attr.h"

#define NONE UINT32_MAX
/* RuleNode.prev of a rule whose position names a rule not announced yet */
#define WAITING (UINT32_MAX - 1)

/* Attribute numbers newer than the uapi headers this builds against may be
 * (Linux 6.16: the set backend's name and its number of elements). */
#define STORE_NFTA_SET_COUNT 20

/* ---- attributes ---- */

/* A name: NUL-terminated inside its attribute, at most NFT_NAME_MAXLEN
 * with the NUL, not empty. */
static const char *attr_name(const struct nlattr *a) {
        if (!a)
                return NULL;
        size_t len = nl_attr_len(a);
        const char *s = nl_attr_data(a);
        size_t n = strnlen(s, len);
        if (n == 0 || n == len || n >= NFT_NAME_MAXLEN)
                return NULL;
        return s;
}

static uint32_t hash_bytes(uint32_t h, const void *data, size_t len) {
        const uint8_t *p = data;
        for (size_t i = 0; i < len; i++)
                h = (h ^ p[i]) * 16777619u;     /* FNV-1a */
        return h;
}

static uint32_t hash_u64(uint64_t v) {
        v ^= v >> 33;
        v *= 0xff51afd7ed558ccdull;
        v ^= v >> 33;
        v *= 0xc4ceb9fe1a85ec53ull;
        v ^= v >> 33;
        return (uint32_t) v;
}

static struct nlmsghdr *msg_dup(const struct nlmsghdr *nlh) {
        struct nlmsghdr *m = malloc(nlh->nlmsg_len);
        if (m)
                memcpy(m, nlh, nlh->nlmsg_len);
        return m;
}

static uint8_t msg_family(const struct nlmsghdr *nlh) {
        return ((const struct nfgenmsg *) NLMSG_DATA(nlh))->nfgen_family;
}

/* ---- the store ---- */

typedef struct StoreTable StoreTable;

typedef struct StoreChain {
        StoreTable *table;
        struct nlmsghdr *msg;   /* NEWCHAIN as received; name points into it */
        const char *name;
        uint64_t handle;
        bool binding;           /* NFT_CHAIN_BINDING: belongs to the rule that jumps to it */
        uint32_t first, last;   /* rule nodes */
        size_t n_rules;
        /* NftStore.batch when the batch last deleted one of its rules (not
         * as a replace): where a rule without position goes is then unknown */
        uint64_t deleted_batch;
        /* for nft_store_ruleset_follow(): the generation (NftStore.batch
         * + 1 while it is applied, 0 in a load) of the last change to its
         * rules, and of the last deletion of one */
        uint64_t rules_changed, rules_deleted;
} StoreChain;

typedef enum SetMode {
        SET_TRACKED,            /* every element stored */
        SET_COUNTED,            /* only their number (a large named set) */
        SET_UNTRACKED,          /* elements change unannounced: not followed */
} SetMode;

/* One element: its NFTA_LIST_ELEM attribute as the kernel sent it, padded. */
typedef struct StoreElem {
        uint32_t hash;          /* of its identity (elem_id) */
        uint32_t len;
        uint8_t data[];
} StoreElem;

typedef struct StoreSet {
        StoreTable *table;
        struct nlmsghdr *msg;
        const char *name;
        uint64_t handle;
        uint32_t flags;
        SetMode mode;
        uint64_t count;         /* SET_COUNTED: elements the kernel holds */
        /* rules whose dynset updates it: the packet path adds elements */
        uint32_t dynset_rules;
        bool dynset_lost;       /* its last such rule went in this batch */
        StoreElem **elems;
        size_t n_elems, allocated_elems;
        uint64_t elems_changed;         /* as StoreChain.rules_changed */
} StoreSet;

/* A stateful object or a flowtable: not decoded, kept for completeness and
 * so that what refers to one can be checked. */
typedef struct StoreObj {
        struct nlmsghdr *msg;
        const char *name;
        uint32_t type;          /* NFT_OBJECT_*; 0 for flowtables */
        uint64_t handle;
} StoreObj;

struct StoreTable {
        uint32_t id;            /* never reused: keys the rule handle index */
        int family;
        struct nlmsghdr *msg;
        const char *name;
        uint64_t handle;
        StoreChain **chains;
        size_t n_chains, allocated_chains;
        StoreSet **sets;
        size_t n_sets, allocated_sets;
        StoreObj **objs;
        size_t n_objs, allocated_objs;
        StoreObj **flowtables;
        size_t n_flowtables, allocated_flowtables;
        size_t n_bindings;
        /* as StoreChain.rules_changed: the table itself, its chains, its
         * sets, anything but rules and elements */
        uint64_t changed;
};

/* A rule: its expressions as indices of NftStore.exprs, then the rule's
 * attributes other than table, chain, handle, position and expressions
 * (userdata, compat), verbatim. */
typedef struct RuleBody {
        uint16_t n_expr, extra_len;
        uint32_t expr[];
} RuleBody;

typedef struct RuleNode {
        uint64_t handle;
        StoreChain *chain;
        RuleBody *body;
        uint32_t prev, next;    /* prev WAITING: in NftStore.waiting */
        uint64_t born;          /* as StoreChain.rules_changed */
} RuleNode;

#define EXPR_F_DYNSET 0x01u  /* updates a set from the packet path */

typedef struct ExprBlob {
        uint32_t refs, hash;
        uint16_t len;           /* padded */
        uint8_t flags, reserved;
        uint8_t data[];         /* one NFTA_LIST_ELEM of NFTA_RULE_EXPRESSIONS */
} ExprBlob;

typedef struct Waiting {
        uint32_t node;
        uint64_t anchor;        /* the handle its position names */
} Waiting;

struct NftStore {
        uint32_t genid;
        bool in_batch, stale;
        uint64_t batch;         /* counts generations applied, from 1 */
        NftMonitorEvent last_commit;
        bool have_commit;

        StoreTable **tables;
        size_t n_tables, allocated_tables;
        uint32_t next_table_id;

        RuleNode *nodes;
        size_t n_nodes, allocated_nodes;
        uint32_t free_node;     /* list through RuleNode.next */
        /* open addressing, node + 1; key: table id and handle */
        uint32_t *handle_index;
        size_t handle_index_size, n_handles;

        ExprBlob **exprs;
        size_t n_exprs, allocated_exprs, n_live_exprs;
        uint32_t *free_exprs;
        size_t n_free_exprs, allocated_free_exprs;
        uint32_t *expr_index;   /* open addressing, expr + 1 */
        size_t expr_index_size;

        Waiting *waiting;
        size_t n_waiting, allocated_waiting;

        /* sets that lost their last dynset rule in this batch */
        size_t n_dynset_lost;

        /* the last rule deleted, while nothing else happened to rules: a
         * NEWRULE of its handle next is its replacement */
        struct {
                bool valid;
                StoreChain *chain;
                uint64_t handle;
                uint32_t prev;
                uint64_t deleted_batch;
        } last_del;

        /* loading: whether a GETSETELEM request's replies are being
         * received (up to NLMSG_DONE), and the set they are kept for (NULL:
         * none, or one not followed); whether a NEWGEN was seen */
        bool load_request_open, load_have_genid;
        StoreSet *load_set;
        StoreChain *last_chain;

        /* what the decoder says of messages before they are applied */
        NftRuleset *scratch;
        const StoreChain *scratch_chain;

        /* the ruleset nft_store_ruleset_follow() keeps up to date (not
         * owned), and the generation it has */
        const NftRuleset *followed_rs;
        uint64_t followed;
};

#define GROW NFT_GROW

/* What a change is stamped with: the generation it makes (0 in a load). */
static uint64_t stamp(const NftStore *s) {
        return s->in_batch ? s->batch + 1 : 0;
}

/* ---- rule handle index ---- */

static uint32_t handle_hash(uint32_t table_id, uint64_t handle) {
        return hash_u64(handle ^ ((uint64_t) table_id << 40) ^ ((uint64_t) table_id * 0x9e3779b97f4a7c15ull));
}

static uint32_t node_hash(const NftStore *s, uint32_t n) {
        return handle_hash(s->nodes[n].chain->table->id, s->nodes[n].handle);
}

static uint32_t handle_lookup(const NftStore *s, const StoreTable *t, uint64_t handle) {
        if (!s->handle_index_size)
                return NONE;
        size_t mask = s->handle_index_size - 1;
        for (size_t j = handle_hash(t->id, handle) & mask; s->handle_index[j]; j = (j + 1) & mask) {
                uint32_t n = s->handle_index[j] - 1;
                if (s->nodes[n].handle == handle && s->nodes[n].chain->table == t)
                        return n;
        }
        return NONE;
}

static int handle_index_grow(NftStore *s) {
        size_t size = s->handle_index_size ? s->handle_index_size * 2 : 256;
        uint32_t *t = calloc(size, sizeof(uint32_t));
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < s->handle_index_size; i++) {
                uint32_t v = s->handle_index[i];
                if (!v)
                        continue;
                size_t j = node_hash(s, v - 1) & (size - 1);
                while (t[j])
                        j = (j + 1) & (size - 1);
                t[j] = v;
        }
        free(s->handle_index);
        s->handle_index = t;
        s->handle_index_size = size;
        return 0;
}

static int handle_insert(NftStore *s, uint32_t n) {
        if ((s->n_handles + 1) * 2 > s->handle_index_size && handle_index_grow(s) < 0)
                return -ENOMEM;
        size_t mask = s->handle_index_size - 1, j = node_hash(s, n) & mask;
        while (s->handle_index[j])
                j = (j + 1) & mask;
        s->handle_index[j] = n + 1;
        s->n_handles++;
        return 0;
}

/* Linear probing's deletion: later entries of the run move back into the
 * hole when their home slot allows. */
static void index_remove_slot(uint32_t *index, size_t size, size_t i,
                              uint32_t (*hash_of)(const NftStore *, uint32_t), const NftStore *s) {
        size_t mask = size - 1, j = i;
        for (;;) {
                j = (j + 1) & mask;
                if (!index[j])
                        break;
                size_t k = hash_of(s, index[j] - 1) & mask;
                bool move = i <= j ? (k <= i || k > j) : (k <= i && k > j);
                if (move) {
                        index[i] = index[j];
                        i = j;
                }
        }
        index[i] = 0;
}

static void handle_remove(NftStore *s, uint32_t n) {
        size_t mask = s->handle_index_size - 1;
        for (size_t j = node_hash(s, n) & mask; s->handle_index[j]; j = (j + 1) & mask)
                if (s->handle_index[j] == n + 1) {
                        index_remove_slot(s->handle_index, s->handle_index_size, j, node_hash, s);
                        s->n_handles--;
                        return;
                }
}

/* ---- distinct expressions ---- */

static uint32_t expr_hash_of(const NftStore *s, uint32_t i) {
        return s->exprs[i]->hash;
}

static int expr_index_grow(NftStore *s) {
        size_t size = s->expr_index_size ? s->expr_index_size * 2 : 256;
        uint32_t *t = calloc(size, sizeof(uint32_t));
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < s->expr_index_size; i++) {
                uint32_t v = s->expr_index[i];
                if (!v)
                        continue;
                size_t j = s->exprs[v - 1]->hash & (size - 1);
                while (t[j])
                        j = (j + 1) & (size - 1);
                t[j] = v;
        }
        free(s->expr_index);
        s->expr_index = t;
        s->expr_index_size = size;
        return 0;
}

/* The set a `dynset` expression updates, NULL for any other expression. */
static const char *expr_dynset_set(const ExprBlob *b) {
        NlAttrs e, d;
        const char *name;
        if (nl_attr_parse_nested(&e, (const struct nlattr *) b->data) < 0 || !(name = attr_name(e.tb[NFTA_EXPR_NAME])) ||
            strcmp(name, "dynset") != 0 || nl_attr_parse_nested(&d, e.tb[NFTA_EXPR_DATA]) < 0)
                return NULL;
        return attr_name(d.tb[NFTA_DYNSET_SET_NAME]);
}

/* The index of a stored copy of expression attribute A (padded to 4),
 * referenced once more. */
static int expr_ref(NftStore *s, const struct nlattr *a, uint32_t *ret) {
        static const uint8_t zeros[NLA_ALIGNTO];
        size_t len = NLA_ALIGN(a->nla_len), pad = len - a->nla_len;
        uint32_t h = hash_bytes(hash_bytes(2166136261u, a, a->nla_len), zeros, pad);

        if ((s->n_live_exprs + 1) * 2 > s->expr_index_size && expr_index_grow(s) < 0)
                return -ENOMEM;
        size_t mask = s->expr_index_size - 1, j = h & mask;
        for (; s->expr_index[j]; j = (j + 1) & mask) {
                ExprBlob *b = s->exprs[s->expr_index[j] - 1];
                /* the stored copy's padding is zeroes */
                if (b->hash == h && b->len == len && memcmp(b->data, a, a->nla_len) == 0) {
                        if (b->refs == UINT32_MAX)
                                return -ENOMEM;
                        b->refs++;
                        *ret = s->expr_index[j] - 1;
                        return 0;
                }
        }
        uint32_t id;
        if (s->n_free_exprs > 0)
                id = s->free_exprs[s->n_free_exprs - 1];
        else {
                if (s->n_exprs >= UINT32_MAX - 1 || GROW(s->exprs, s->n_exprs + 1, s->allocated_exprs) < 0)
                        return -ENOMEM;
                id = (uint32_t) s->n_exprs;
        }
        ExprBlob *b = malloc(sizeof(*b) + len);
        if (!b)
                return -ENOMEM;
        *b = (ExprBlob) { .refs = 1, .hash = h, .len = (uint16_t) len };
        memcpy(b->data, a, a->nla_len);
        memset(b->data + a->nla_len, 0, pad);
        if (expr_dynset_set(b))
                b->flags |= EXPR_F_DYNSET;
        if (s->n_free_exprs > 0)
                s->n_free_exprs--;
        else
                s->n_exprs++;
        s->exprs[id] = b;
        s->expr_index[j] = id + 1;
        s->n_live_exprs++;
        *ret = id;
        return 0;
}

static void expr_unref(NftStore *s, uint32_t id) {
        ExprBlob *b = s->exprs[id];
        if (--b->refs > 0)
                return;
        size_t mask = s->expr_index_size - 1;
        for (size_t j = b->hash & mask; s->expr_index[j]; j = (j + 1) & mask)
                if (s->expr_index[j] == id + 1) {
                        index_remove_slot(s->expr_index, s->expr_index_size, j, expr_hash_of, s);
                        break;
                }
        free(b);
        s->exprs[id] = NULL;
        s->n_live_exprs--;
        /* the free list never needs more room than the array has ids */
        if (GROW(s->free_exprs, s->n_free_exprs + 1, s->allocated_free_exprs) == 0)
                s->free_exprs[s->n_free_exprs++] = id;
}

/* ---- rules ---- */

static void body_free(NftStore *s, RuleBody *b) {
        if (!b)
                return;
        for (uint16_t i = 0; i < b->n_expr; i++)
                expr_unref(s, b->expr[i]);
        free(b);
}

static bool rule_attr_is_extra(uint16_t type) {
        switch (type) {
        case NFTA_RULE_TABLE:
        case NFTA_RULE_CHAIN:
        case NFTA_RULE_HANDLE:
        case NFTA_RULE_EXPRESSIONS:
        case NFTA_RULE_POSITION:
        case NFTA_RULE_PAD:
        case NFTA_RULE_ID:
        case NFTA_RULE_POSITION_ID:
        case NFTA_RULE_CHAIN_ID:
                return false;
        default:
                return true;
        }
}

/* The body of the rule in NEWRULE message NLH (attributes already checked
 * by nl_attr_parse_msg()). */
static int body_new(NftStore *s, const struct nlmsghdr *nlh, const NlAttrs *t, RuleBody **ret) {
        const uint8_t *p = (const uint8_t *) nlh + NLMSG_HDRLEN + sizeof(struct nfgenmsg);
        size_t len = nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(struct nfgenmsg), n_expr = 0, extra = 0;
        NlAttrs ex;
        const struct nlattr *a;

        if (t->tb[NFTA_RULE_EXPRESSIONS]) {
                if (nl_attr_parse_nested(&ex, t->tb[NFTA_RULE_EXPRESSIONS]) < 0)
                        return -EBADMSG;
                nl_attr_for_each_nested(a, t->tb[NFTA_RULE_EXPRESSIONS])
                        n_expr++;
        }
        for (size_t off = 0; off < len;) {
                a = (const struct nlattr *) (p + off);
                if (rule_attr_is_extra(a->nla_type & NLA_TYPE_MASK))
                        extra += NLA_ALIGN(a->nla_len);
                off += NLA_ALIGN(a->nla_len);
        }
        if (n_expr > UINT16_MAX || extra > UINT16_MAX)
                return -EBADMSG;

        RuleBody *b = malloc(sizeof(*b) + n_expr * sizeof(uint32_t) + extra);
        if (!b)
                return -ENOMEM;
        b->n_expr = 0;
        b->extra_len = (uint16_t) extra;
        if (t->tb[NFTA_RULE_EXPRESSIONS])
                nl_attr_for_each_nested(a, t->tb[NFTA_RULE_EXPRESSIONS]) {
                        if (expr_ref(s, a, &b->expr[b->n_expr]) < 0) {
                                body_free(s, b);
                                return -ENOMEM;
                        }
                        b->n_expr++;
                }
        uint8_t *out = (uint8_t *) (b->expr + n_expr);
        for (size_t off = 0; off < len;) {
                a = (const struct nlattr *) (p + off);
                size_t step = NLA_ALIGN(a->nla_len);
                if (rule_attr_is_extra(a->nla_type & NLA_TYPE_MASK)) {
                        memcpy(out, a, a->nla_len);
                        memset(out + a->nla_len, 0, step - a->nla_len);
                        out += step;
                }
                off += step;
        }
        *ret = b;
        return 0;
}

static uint32_t node_new(NftStore *s, uint64_t handle, StoreChain *c, RuleBody *body) {
        uint32_t n;
        if (s->free_node != NONE) {
                n = s->free_node;
                s->free_node = s->nodes[n].next;
        } else {
                if (s->n_nodes >= WAITING || GROW(s->nodes, s->n_nodes + 1, s->allocated_nodes) < 0)
                        return NONE;
                n = (uint32_t) s->n_nodes++;
        }
        s->nodes[n] = (RuleNode) { .handle = handle, .chain = c, .body = body, .prev = NONE, .next = NONE,
                                   .born = stamp(s) };
        return n;
}

static void node_release(NftStore *s, uint32_t n) {
        s->nodes[n].body = NULL;
        s->nodes[n].chain = NULL;
        s->nodes[n].next = s->free_node;
        s->free_node = n;
}

static void rule_link_after(NftStore *s, StoreChain *c, uint32_t n, uint32_t prev) {
        RuleNode *x = &s->nodes[n];
        x->chain = c;
        x->prev = prev;
        x->next = prev == NONE ? c->first : s->nodes[prev].next;
        if (x->next != NONE)
                s->nodes[x->next].prev = n;
        else
                c->last = n;
        if (prev != NONE)
                s->nodes[prev].next = n;
        else
                c->first = n;
        c->n_rules++;
        c->rules_changed = stamp(s);
}

static void rule_unlink(NftStore *s, uint32_t n) {
        RuleNode *x = &s->nodes[n];
        StoreChain *c = x->chain;
        if (x->prev != NONE)
                s->nodes[x->prev].next = x->next;
        else
                c->first = x->next;
        if (x->next != NONE)
                s->nodes[x->next].prev = x->prev;
        else
                c->last = x->prev;
        c->n_rules--;
        c->rules_changed = c->rules_deleted = stamp(s);
}

/* ---- tables, chains, sets, objects ---- */

static void set_free(StoreSet *set) {
        if (!set)
                return;
        for (size_t i = 0; i < set->n_elems; i++)
                free(set->elems[i]);
        free(set->elems);
        free(set->msg);
        free(set);
}

static void obj_free(StoreObj *o) {
        if (!o)
                return;
        free(o->msg);
        free(o);
}

static void chain_free(StoreChain *c) {
        if (!c)
                return;
        free(c->msg);
        free(c);
}

static void table_free(StoreTable *t) {
        if (!t)
                return;
        /* the rules are freed with the store's nodes */
        for (size_t i = 0; i < t->n_chains; i++)
                chain_free(t->chains[i]);
        free(t->chains);
        for (size_t i = 0; i < t->n_sets; i++)
                set_free(t->sets[i]);
        free(t->sets);
        for (size_t i = 0; i < t->n_objs; i++)
                obj_free(t->objs[i]);
        free(t->objs);
        for (size_t i = 0; i < t->n_flowtables; i++)
                obj_free(t->flowtables[i]);
        free(t->flowtables);
        free(t->msg);
        free(t);
}

static StoreTable *table_find(const NftStore *s, int family, const char *name) {
        for (size_t i = 0; i < s->n_tables; i++)
                if (s->tables[i]->family == family && strcmp(s->tables[i]->name, name) == 0)
                        return s->tables[i];
        return NULL;
}

static StoreChain *chain_find(NftStore *s, const StoreTable *t, const char *name) {
        if (s->last_chain && s->last_chain->table == t && strcmp(s->last_chain->name, name) == 0)
                return s->last_chain;
        for (size_t i = 0; i < t->n_chains; i++)
                if (strcmp(t->chains[i]->name, name) == 0)
                        return s->last_chain = t->chains[i];
        return NULL;
}

static StoreSet *set_find(const StoreTable *t, const char *name) {
        for (size_t i = 0; i < t->n_sets; i++)
                if (strcmp(t->sets[i]->name, name) == 0)
                        return t->sets[i];
        return NULL;
}

static size_t obj_find(StoreObj *const *v, size_t n, uint32_t type, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (v[i]->type == type && strcmp(v[i]->name, name) == 0)
                        return i;
        return SIZE_MAX;
}

/* Removes entry I of an array of pointers, keeping the order (the dump's). */
static void ptr_remove(void **v, size_t *n, size_t i) {
        memmove(v + i, v + i + 1, (*n - i - 1) * sizeof(void *));
        (*n)--;
}

static size_t ptr_index(void *const *v, size_t n, const void *p) {
        for (size_t i = 0; i < n; i++)
                if (v[i] == p)
                        return i;
        return SIZE_MAX;
}

/* The table a message names in attribute TABLE_ATTR, with its family. */
static StoreTable *msg_table(const NftStore *s, const struct nlmsghdr *nlh, const NlAttrs *t, uint16_t table_attr) {
        const char *name = attr_name(t->tb[table_attr]);
        return name ? table_find(s, msg_family(nlh), name) : NULL;
}

/* The device list of a hook attribute (NFTA_HOOK_DEVS or NFTA_HOOK_DEV of a
 * chain, NFTA_FLOWTABLE_HOOK_DEVS of a flowtable) as bytes; none: len 0. */
static void hook_devices(const struct nlattr *hook, uint16_t devs_attr, uint16_t dev_attr, const void **ret,
                         size_t *ret_len) {
        NlAttrs h;
        *ret = NULL;
        *ret_len = 0;
        if (!hook || nl_attr_parse_nested(&h, hook) < 0)
                return;
        const struct nlattr *d = h.tb[devs_attr] ? h.tb[devs_attr] : dev_attr ? h.tb[dev_attr] : NULL;
        if (d) {
                *ret = nl_attr_data(d);
                *ret_len = nl_attr_len(d);
        }
}

static bool same_devices(const struct nlattr *a, const struct nlattr *b, uint16_t devs_attr, uint16_t dev_attr) {
        const void *da, *db;
        size_t la, lb;
        hook_devices(a, devs_attr, dev_attr, &da, &la);
        hook_devices(b, devs_attr, dev_attr, &db, &lb);
        return la == lb && (la == 0 || memcmp(da, db, la) == 0);
}

/* Whether the hook of a base chain's update, NEW, adds no device to OLD's
 * (the same hook and priority, an empty device list). */
static bool hook_adds_no_devices(const struct nlattr *old, const struct nlattr *new) {
        NlAttrs o, n;
        if (!old || !new || nl_attr_parse_nested(&o, old) < 0 || nl_attr_parse_nested(&n, new) < 0)
                return false;
        for (uint16_t a = NFTA_HOOK_HOOKNUM; a <= NFTA_HOOK_PRIORITY; a++)
                if (!o.tb[a] || !n.tb[a] || o.tb[a]->nla_len != n.tb[a]->nla_len ||
                    memcmp(o.tb[a], n.tb[a], o.tb[a]->nla_len) != 0)
                        return false;
        return !n.tb[NFTA_HOOK_DEV] && (!n.tb[NFTA_HOOK_DEVS] || nl_attr_len(n.tb[NFTA_HOOK_DEVS]) == 0);
}

/* A copy of message NLH with attribute A in place of its attribute TYPE. */
static struct nlmsghdr *msg_with_attr(const struct nlmsghdr *nlh, uint16_t type, const struct nlattr *a) {
        size_t head = NLMSG_HDRLEN + sizeof(struct nfgenmsg), len = nlh->nlmsg_len;
        struct nlmsghdr *m = malloc(NLMSG_ALIGN(len) + NLA_ALIGN(a->nla_len));
        if (!m)
                return NULL;
        memcpy(m, nlh, head);
        size_t out = head;
        for (size_t off = head; off < len;) {
                const struct nlattr *x = (const struct nlattr *) ((const uint8_t *) nlh + off);
                size_t step = NLA_ALIGN(x->nla_len);
                if ((x->nla_type & NLA_TYPE_MASK) != type) {
                        memcpy((uint8_t *) m + out, x, x->nla_len);
                        memset((uint8_t *) m + out + x->nla_len, 0, step - x->nla_len);
                        out += step;
                }
                off += step;
        }
        memcpy((uint8_t *) m + out, a, a->nla_len);
        memset((uint8_t *) m + out + a->nla_len, 0, NLA_ALIGN(a->nla_len) - a->nla_len);
        m->nlmsg_len = (uint32_t) (out + NLA_ALIGN(a->nla_len));
        return m;
}

/* ---- set elements ---- */

typedef struct ElemId {
        uint32_t flags;                 /* NFT_SET_ELEM_INTERVAL_END, _CATCHALL */
        const void *key, *key_end;
        size_t key_len, key_end_len;
} ElemId;

static int data_value(const struct nlattr *a, const void **ret, size_t *ret_len) {
        NlAttrs d;
        if (nl_attr_parse_nested(&d, a) < 0 || !d.tb[NFTA_DATA_VALUE])
                return -EBADMSG;
        *ret = nl_attr_data(d.tb[NFTA_DATA_VALUE]);
        *ret_len = nl_attr_len(d.tb[NFTA_DATA_VALUE]);
        return 0;
}

/* What tells an element from the others of its set: an interval's start
 * and end may share a key. */
static int elem_id(const struct nlattr *a, ElemId *id) {
        NlAttrs e;
        uint32_t flags = 0;

        *id = (ElemId) {};
        if (nl_attr_parse_nested(&e, a) < 0)
                return -EBADMSG;
        if (e.tb[NFTA_SET_ELEM_FLAGS] && nl_attr_be32(e.tb[NFTA_SET_ELEM_FLAGS], &flags) < 0)
                return -EBADMSG;
        id->flags = flags & (NFT_SET_ELEM_INTERVAL_END | NFT_SET_ELEM_CATCHALL);
        if (e.tb[NFTA_SET_ELEM_KEY] && data_value(e.tb[NFTA_SET_ELEM_KEY], &id->key, &id->key_len) < 0)
                return -EBADMSG;
        if (e.tb[NFTA_SET_ELEM_KEY_END] && data_value(e.tb[NFTA_SET_ELEM_KEY_END], &id->key_end, &id->key_end_len) < 0)
                return -EBADMSG;
        if (!id->key && !(id->flags & NFT_SET_ELEM_CATCHALL))
                return -EBADMSG;
        return 0;
}

static uint32_t elem_id_hash(const ElemId *id) {
        uint32_t h = hash_bytes(2166136261u, &id->flags, sizeof(id->flags));
        h = hash_bytes(h, id->key, id->key_len);
        return hash_bytes(h ^ 0x5bd1e995u, id->key_end, id->key_end_len);
}

static bool elem_id_eq(const ElemId *a, const ElemId *b) {
        return a->flags == b->flags && a->key_len == b->key_len && a->key_end_len == b->key_end_len &&
               (a->key_len == 0 || memcmp(a->key, b->key, a->key_len) == 0) &&
               (a->key_end_len == 0 || memcmp(a->key_end, b->key_end, a->key_end_len) == 0);
}

static size_t set_elem_find(const StoreSet *set, const ElemId *id, uint32_t hash) {
        for (size_t i = 0; i < set->n_elems; i++) {
                ElemId other;
                if (set->elems[i]->hash == hash &&
                    elem_id((const struct nlattr *) set->elems[i]->data, &other) == 0 && elem_id_eq(id, &other))
                        return i;
        }
        return SIZE_MAX;
}

static int set_elem_add(StoreSet *set, const struct nlattr *a, uint32_t hash) {
        size_t len = NLA_ALIGN(a->nla_len);
        if (GROW(set->elems, set->n_elems + 1, set->allocated_elems) < 0)
                return -ENOMEM;
        StoreElem *e = malloc(sizeof(*e) + len);
        if (!e)
                return -ENOMEM;
        e->hash = hash;
        e->len = (uint32_t) len;
        memcpy(e->data, a, a->nla_len);
        memset(e->data + a->nla_len, 0, len - a->nla_len);
        set->elems[set->n_elems++] = e;
        return 0;
}

static void set_elems_drop(StoreSet *set) {
        for (size_t i = 0; i < set->n_elems; i++)
                free(set->elems[i]);
        free(set->elems);
        set->elems = NULL;
        set->n_elems = set->allocated_elems = 0;
}

/* Whether a dump includes the set's elements, as nft_dump_raw() decides. */
static bool set_dumped(const StoreSet *set) {
        if (set->flags & NFT_SET_ANONYMOUS)
                return set->mode == SET_TRACKED;
        return set->mode == SET_TRACKED && set->n_elems <= NFT_SMALL_SET_MAX;
}

/* Elements of named sets with timeouts or updated from the packet path
 * change without a notification (nft_dump_raw() leaves them out too). */
static SetMode set_mode_of(uint32_t flags) {
        if (!(flags & NFT_SET_ANONYMOUS) && (flags & (NFT_SET_TIMEOUT | NFT_SET_EVAL)))
                return SET_UNTRACKED;
        return SET_TRACKED;
}

/* A rule (DELTA +1) or its deletion (-1) that updates sets from the
 * packet path: while any does, a set is not followed. */
static void rule_count_dynsets(NftStore *s, StoreTable *tb, const RuleBody *b, int delta) {
        for (uint16_t i = 0; i < b->n_expr; i++) {
                const ExprBlob *e = s->exprs[b->expr[i]];
                const char *name = (e->flags & EXPR_F_DYNSET) ? expr_dynset_set(e) : NULL;
                StoreSet *set = name ? set_find(tb, name) : NULL;
                if (!set)
                        continue;
                /* what is known of the set's elements changes */
                tb->changed = stamp(s);
                if (delta > 0) {
                        if (set->dynset_rules++ == 0 && set->mode != SET_UNTRACKED) {
                                set_elems_drop(set);
                                set->count = 0;
                                set->mode = SET_UNTRACKED;
                        }
                        /* (a dump has its rules before the elements; the
                         * decoder drops what such a set's replies hold) */
                        if (s->load_set == set)
                                s->load_set = NULL;
                } else if (set->dynset_rules > 0 && --set->dynset_rules == 0 &&
                           set_mode_of(set->flags) != SET_UNTRACKED && !set->dynset_lost) {
                        /* the packet path may have changed it: unless the
                         * batch deletes it, NEWGEN refuses */
                        set->dynset_lost = true;
                        s->n_dynset_lost++;
                }
        }
}

/* ---- what the decoder says ---- */

static void scratch_drop(NftStore *s) {
        s->scratch = nft_ruleset_free(s->scratch);
        s->scratch_chain = NULL;
}

static int scratch_feed(NftStore *s, const struct nlmsghdr *nlh) {
        int r = nft_ruleset_parse_msgs(s->scratch, nlh, nlh->nlmsg_len);
        /* whatever the decoder refuses, nft_store_ruleset() could not build */
        return r == -ENOMEM ? r : r < 0 ? -EBADMSG : 0;
}

/* Feeds a fresh decoder TABLE's message and then CTX (a chain or a set of
 * it, or NULL): the context a message about them is decoded in. */
static int scratch_open(NftStore *s, const StoreTable *t, const struct nlmsghdr *ctx) {
        int r;
        scratch_drop(s);
        if (!(s->scratch = nft_ruleset_new()))
                return -ENOMEM;
        if ((r = scratch_feed(s, t->msg)) < 0 || (ctx && (r = scratch_feed(s, ctx)) < 0))
                return r;
        return 0;
}

/* A rule message as the decoder will see it, in the context of its chain
 * (kept for the next rules of the same chain). */
static int validate_rule(NftStore *s, const StoreChain *c, const struct nlmsghdr *nlh) {
        int r;
        if (!s->scratch || s->scratch_chain != c || s->scratch->n_expr_refs > 65536) {
                if ((r = scratch_open(s, c->table, c->msg)) < 0)
                        return r;
                s->scratch_chain = c;
        }
        return scratch_feed(s, nlh);
}

/* A message about a table (T NULL), or about something in table T (CTX:
 * the set an element message is about). */
static int validate_in(NftStore *s, const StoreTable *t, const struct nlmsghdr *ctx, const struct nlmsghdr *nlh) {
        int r;
        if (t)
                r = scratch_open(s, t, ctx);
        else
                r = (s->scratch = nft_ruleset_new()) ? 0 : -ENOMEM;
        if (r == 0)
                r = scratch_feed(s, nlh);
        scratch_drop(s);
        return r;
}

/* ---- building up from a dump, and from notifications ---- */

static NftStore *store_new(void) {
        NftStore *s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        s->free_node = NONE;
        s->batch = 1;
        return s;
}

static int table_add(NftStore *s, const struct nlmsghdr *nlh, const NlAttrs *t) {
        const char *name = attr_name(t->tb[NFTA_TABLE_NAME]);
        uint64_t handle;
        if (!name || nl_attr_be64(t->tb[NFTA_TABLE_HANDLE], &handle) < 0)
                return -EBADMSG;
        if (GROW(s->tables, s->n_tables + 1, s->allocated_tables) < 0)
                return -ENOMEM;
        StoreTable *tb = calloc(1, sizeof(*tb));
        if (!tb || !(tb->msg = msg_dup(nlh))) {
                free(tb);
                return -ENOMEM;
        }
        tb->id = s->next_table_id++;
        tb->family = msg_family(nlh);
        tb->name = (const char *) tb->msg + (name - (const char *) nlh);
        tb->handle = handle;
        s->tables[s->n_tables++] = tb;
        return 0;
}

static int chain_add(NftStore *s, StoreTable *tb, const struct nlmsghdr *nlh, const NlAttrs *t) {
        const char *name = attr_name(t->tb[NFTA_CHAIN_NAME]);
        uint64_t handle;
        uint32_t flags = 0;
        if (!name || nl_attr_be64(t->tb[NFTA_CHAIN_HANDLE], &handle) < 0 ||
            (t->tb[NFTA_CHAIN_FLAGS] && nl_attr_be32(t->tb[NFTA_CHAIN_FLAGS], &flags) < 0))
                return -EBADMSG;
        if (GROW(tb->chains, tb->n_chains + 1, tb->allocated_chains) < 0)
                return -ENOMEM;
        StoreChain *c = calloc(1, sizeof(*c));
        if (!c || !(c->msg = msg_dup(nlh))) {
                free(c);
                return -ENOMEM;
        }
        c->table = tb;
        c->name = (const char *) c->msg + (name - (const char *) nlh);
        c->handle = handle;
        c->binding = flags & NFT_CHAIN_BINDING;
        c->first = c->last = NONE;
        tb->chains[tb->n_chains++] = c;
        tb->n_bindings += c->binding;
        return 0;
}

static int set_add(StoreTable *tb, const struct nlmsghdr *nlh, const NlAttrs *t, StoreSet **ret) {
        const char *name = attr_name(t->tb[NFTA_SET_NAME]);
        uint64_t handle;
        uint32_t flags = 0;
        if (!name || nl_attr_be64(t->tb[NFTA_SET_HANDLE], &handle) < 0 ||
            (t->tb[NFTA_SET_FLAGS] && nl_attr_be32(t->tb[NFTA_SET_FLAGS], &flags) < 0))
                return -EBADMSG;
        if (GROW(tb->sets, tb->n_sets + 1, tb->allocated_sets) < 0)
                return -ENOMEM;
        StoreSet *set = calloc(1, sizeof(*set));
        if (!set || !(set->msg = msg_dup(nlh))) {
                free(set);
                return -ENOMEM;
        }
        set->table = tb;
        set->name = (const char *) set->msg + (name - (const char *) nlh);
        set->handle = handle;
        set->flags = flags;
        set->mode = set_mode_of(flags);
        tb->sets[tb->n_sets++] = set;
        *ret = set;
        return 0;
}

/* An object (NFTA_OBJ_*) or, with FLOWTABLE, a flowtable (NFTA_FLOWTABLE_*). */
static int obj_parse(const NlAttrs *t, bool flowtable, const char **ret_name, uint32_t *ret_type, uint64_t *ret_handle) {
        *ret_type = 0;
        *ret_name = attr_name(t->tb[flowtable ? NFTA_FLOWTABLE_NAME : NFTA_OBJ_NAME]);
        if (!*ret_name || (!flowtable && nl_attr_be32(t->tb[NFTA_OBJ_TYPE], ret_type) < 0))
                return -EBADMSG;
        if (ret_handle && nl_attr_be64(t->tb[flowtable ? NFTA_FLOWTABLE_HANDLE : NFTA_OBJ_HANDLE], ret_handle) < 0)
                return -EBADMSG;
        return 0;
}

static int obj_add(StoreObj ***v, size_t *n, size_t *allocated, const struct nlmsghdr *nlh, const char *name,
                   uint32_t type, uint64_t handle) {
        if (nft_grow((void **) v, allocated, *n + 1, sizeof(StoreObj *)) < 0)
                return -ENOMEM;
        StoreObj *o = calloc(1, sizeof(*o));
        if (!o || !(o->msg = msg_dup(nlh))) {
                free(o);
                return -ENOMEM;
        }
        o->name = (const char *) o->msg + (name - (const char *) nlh);
        o->type = type;
        o->handle = handle;
        (*v)[(*n)++] = o;
        return 0;
}

/* ---- loading a dump ---- */

static int load_table(NftStore *s, const struct nlmsghdr *nlh) {
        NlAttrs t;
        if (nl_attr_parse_nfgen(&t, nlh) < 0 || !attr_name(t.tb[NFTA_TABLE_NAME]))
                return -EBADMSG;
        if (msg_table(s, nlh, &t, NFTA_TABLE_NAME))
                return 0;       /* seen in an earlier dump of the same generation */
        return table_add(s, nlh, &t);
}

static int load_chain(NftStore *s, const struct nlmsghdr *nlh) {
        NlAttrs t;
        if (nl_attr_parse_nfgen(&t, nlh) < 0)
                return -EBADMSG;
        const char *name = attr_name(t.tb[NFTA_CHAIN_NAME]);
        StoreTable *tb = msg_table(s, nlh, &t, NFTA_CHAIN_TABLE);
        if (!name)
                return -EBADMSG;
        if (!tb)
                return -ESTALE;
        if (chain_find(s, tb, name))
                return 0;
        return chain_add(s, tb, nlh, &t);
}

static int load_set(NftStore *s, const struct nlmsghdr *nlh) {
        NlAttrs t;
        StoreSet *set;
        uint32_t count = 0;
        int r;
        if (nl_attr_parse_nfgen(&t, nlh) < 0)
                return -EBADMSG;
        const char *name = attr_name(t.tb[NFTA_SET_NAME]);
        StoreTable *tb = msg_table(s, nlh, &t, NFTA_SET_TABLE);
        if (!name)
                return -EBADMSG;
        if (!tb)
                return -ESTALE;
        if (set_find(tb, name))
                return 0;
        if ((r = set_add(tb, nlh, &t, &set)) < 0)
                return r;
        /* until its element dump arrives, a set the dump leaves out: of
         * more than NFT_SMALL_SET_MAX elements (the kernel's count of them
         * when it gives one; catchall elements are not in it) */
        if (set->mode == SET_TRACKED) {
                set->mode = SET_COUNTED;
                if (t.tb[STORE_NFTA_SET_COUNT])
                        (void) nl_attr_be32(t.tb[STORE_NFTA_SET_COUNT], &count);
                set->count = count > NFT_SMALL_SET_MAX ? count : NFT_SMALL_SET_MAX + 1;
        }
        return 0;
}

/* The echo of a GETSETELEM dump request: the replies up to NLMSG_DONE are
 * every element of that set. */
static int load_setelem_request(NftStore *s, const struct nlmsghdr *nlh) {
        NlAttrs t;
        if (s->load_request_open)
                return -EBADMSG;        /* the previous one's NLMSG_DONE is missing */
        if (nl_attr_parse_nfgen(&t, nlh) < 0)
                return -EBADMSG;
        const char *name = attr_name(t.tb[NFTA_SET_ELEM_LIST_SET]);
        StoreTable *tb = msg_table(s, nlh, &t, NFTA_SET_ELEM_LIST_TABLE);
        StoreSet *set = tb && name ? set_find(tb, name) : NULL;
        s->load_request_open = true;
        s->load_set = NULL;
        if (!set)
                return 0;
        set_elems_drop(set);
        set->count = 0;
        if (set->mode != SET_UNTRACKED) {
                set->mode = SET_TRACKED;
                s->load_set = set;
        }
        return 0;
}

static int load_setelems(NftStore *s, const struct nlmsghdr *nlh) {
        NlAttrs t;
        const struct nlattr *a;
        int r;
        if (nl_attr_parse_nfgen(&t, nlh) < 0)
                return -EBADMSG;
        const char *name = attr_name(t.tb[NFTA_SET_ELEM_LIST_SET]);
        StoreTable *tb = msg_table(s, nlh, &t, NFTA_SET_ELEM_LIST_TABLE);
        StoreSet *set = tb && name ? set_find(tb, name) : NULL;
        if (!set)
                return -ESTALE;
        if (set != s->load_set || !t.tb[NFTA_SET_ELEM_LIST_ELEMENTS])
                return 0;
        NlAttrs list;
        if (nl_attr_parse_nested(&list, t.tb[NFTA_SET_ELEM_LIST_ELEMENTS]) < 0)
                return -EBADMSG;
        nl_attr_for_each_nested(a, t.tb[NFTA_SET_ELEM_LIST_ELEMENTS]) {
                ElemId id;
                if (elem_id(a, &id) < 0)
                        return -EBADMSG;
                if ((r = set_elem_add(set, a, elem_id_hash(&id))) < 0)
                        return r;
        }
        return 0;
}

static int load_obj(NftStore *s, const struct nlmsghdr *nlh, bool flowtable) {
        NlAttrs t;
        const char *name;
        uint32_t type;
        uint64_t handle;
        if (nl_attr_parse_nfgen(&t, nlh) < 0 || obj_parse(&t, flowtable, &name, &type, &handle) < 0)
                return -EBADMSG;
        StoreTable *tb = msg_table(s, nlh, &t, flowtable ? NFTA_FLOWTABLE_TABLE : NFTA_OBJ_TABLE);
        if (!tb)
                return -ESTALE;
        if (flowtable) {
                if (obj_find(tb->flowtables, tb->n_flowtables, 0, name) != SIZE_MAX)
                        return 0;
                return obj_add(&tb->flowtables, &tb->n_flowtables, &tb->allocated_flowtables, nlh, name, 0, handle);
        }
        if (obj_find(tb->objs, tb->n_objs, type, name) != SIZE_MAX)
                return 0;
        return obj_add(&tb->objs, &tb->n_objs, &tb->allocated_objs, nlh, name, type, handle);
}

static int load_rule(NftStore *s, const struct nlmsghdr *nlh) {
        NlAttrs t;
        uint64_t handle;
        RuleBody *body;
        int r;
        if (nl_attr_parse_nfgen(&t, nlh) < 0 || nl_attr_be64(t.tb[NFTA_RULE_HANDLE], &handle) < 0)
                return -EBADMSG;
        const char *cname = attr_name(t.tb[NFTA_RULE_CHAIN]);
        StoreTable *tb = msg_table(s, nlh, &t, NFTA_RULE_TABLE);
        if (!cname)
                return -EBADMSG;
        StoreChain *c = tb ? chain_find(s, tb, cname) : NULL;
        if (!c)
                return -ESTALE;
        if (handle_lookup(s, tb, handle) != NONE)
                return -ESTALE;
        if ((r = body_new(s, nlh, &t, &body)) < 0)
                return r;
        uint32_t n = node_new(s, handle, c, body);
        if (n == NONE || handle_insert(s, n) < 0) {
                body_free(s, body);
                if (n != NONE)
                        node_release(s, n);
                return -ENOMEM;
        }
        rule_link_after(s, c, n, c->last);
        rule_count_dynsets(s, tb, body, +1);
        return 0;
}

static int load_gen(NftStore *s, const struct nlmsghdr *nlh) {
        NlAttrs t;
        if (nl_attr_parse_nfgen(&t, nlh) < 0 || nl_attr_be32(t.tb[NFTA_GEN_ID], &s->genid) < 0)
                return -EBADMSG;
        s->load_have_genid = true;
        return 0;
}

static int load_msgs(NftStore *s, const void *buf, size_t len) {
        const uint8_t *p = buf;
        size_t off = 0;
        int r;

        while (len - off >= NLMSG_HDRLEN) {
                const struct nlmsghdr *nlh = (const struct nlmsghdr *) (p + off);
                if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len - off)
                        return -EBADMSG;
                size_t step = NLMSG_ALIGN(nlh->nlmsg_len);
                off += step < len - off ? step : len - off;

                if (nlh->nlmsg_type == NLMSG_DONE) {
                        s->load_request_open = false;
                        s->load_set = NULL;
                        continue;
                }
                if (nlh->nlmsg_type < NLMSG_MIN_TYPE || NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
                        continue;       /* errors are the decoder's to report */
                if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg))
                        return -EBADMSG;
                uint16_t type = NFNL_MSG_TYPE(nlh->nlmsg_type);
                /* of the requests we sent (GET*, skipped below) only
                 * GETSETELEM matters; an object message is one whatever
                 * its flags, as the decoder reads it */
                if (type == NFT_MSG_GETSETELEM) {
                        if ((nlh->nlmsg_flags & NLM_F_REQUEST) && (r = load_setelem_request(s, nlh)) < 0)
                                return r;
                        continue;
                }
                switch (type) {
                case NFT_MSG_NEWGEN:
                        r = load_gen(s, nlh);
                        break;
                case NFT_MSG_NEWTABLE:
                        r = load_table(s, nlh);
                        break;
                case NFT_MSG_NEWCHAIN:
                        r = load_chain(s, nlh);
                        break;
                case NFT_MSG_NEWSET:
                        r = load_set(s, nlh);
                        break;
                case NFT_MSG_NEWSETELEM:
                        r = load_setelems(s, nlh);
                        break;
                case NFT_MSG_NEWOBJ:
                        r = load_obj(s, nlh, false);
                        break;
                case NFT_MSG_NEWFLOWTABLE:
                        r = load_obj(s, nlh, true);
                        break;
                case NFT_MSG_NEWRULE:
                        r = load_rule(s, nlh);
                        break;
                default:
                        r = 0;
                        break;
                }
                if (r < 0)
                        return r;
        }
        return off == len ? 0 : -EBADMSG;
}

/* A fresh store and decoder take every buffer of the dump. */
typedef struct LoadState {
        NftStore *s;
        NftRuleset *rs;
} LoadState;

static int load_reset(void *userdata) {
        LoadState *st = userdata;
        nft_store_free(st->s);
        nft_ruleset_free(st->rs);
        st->s = store_new();
        st->rs = nft_ruleset_new();
        return st->s && st->rs ? 0 : -ENOMEM;
}

static int load_buf(const void *buf, size_t len, void *userdata) {
        LoadState *st = userdata;
        /* the decoder first: it reports the kernel's errors, and what it
         * refuses must not be stored */
        int r = nft_ruleset_parse_msgs(st->rs, buf, len);
        if (r < 0)
                return r;
        return load_msgs(st->s, buf, len);
}

static void load_state_done(LoadState *st) {
        nft_store_free(st->s);
        nft_ruleset_free(st->rs);
}

static void follow_built(NftStore *s, NftRuleset *rs);

/* A dump ends with every request answered, and has a NEWGEN: the
 * generation the store follows notifications from. */
static int load_finish(LoadState *st, NftStore **ret, NftRuleset **ret_ruleset) {
        if (st->s->load_request_open || !st->s->load_have_genid)
                return -EBADMSG;
        st->s->load_set = NULL;
        st->s->last_chain = NULL;
        if (ret_ruleset)
                follow_built(st->s, st->rs);
        *ret = TAKE_PTR(st->s);
        if (ret_ruleset)
                *ret_ruleset = TAKE_PTR(st->rs);
        return 0;
}

/* ---- following notifications ---- */

static void waiting_remove(NftStore *s, size_t i) {
        s->waiting[i] = s->waiting[--s->n_waiting];
}

static bool chain_has_waiting(const NftStore *s, const StoreChain *c) {
        for (size_t i = 0; i < s->n_waiting; i++)
                if (s->nodes[s->waiting[i].node].chain == c)
                        return true;
        return false;
}

/* Links rule N after PREV (NONE: first), then the rules that were waiting
 * for it, each after the one it names. */
static void rule_place(NftStore *s, StoreChain *c, uint32_t n, uint32_t prev) {
        rule_link_after(s, c, n, prev);
        for (bool found = true; found;) {
                found = false;
                for (size_t i = 0; i < s->n_waiting; i++) {
                        uint32_t w = s->waiting[i].node;
                        if (s->waiting[i].anchor != s->nodes[n].handle || s->nodes[w].chain != c)
                                continue;
                        waiting_remove(s, i);
                        rule_link_after(s, c, w, n);
                        n = w;
                        found = true;
                        break;
                }
        }
}

/* The chain an `immediate` expression jumps to (or goes to), NULL for any
 * other expression. */
static const char *expr_jump_target(const ExprBlob *b) {
        NlAttrs e, d, data, v;
        const char *name;

        if (nl_attr_parse_nested(&e, (const struct nlattr *) b->data) < 0 || !(name = attr_name(e.tb[NFTA_EXPR_NAME])) ||
            strcmp(name, "immediate") != 0 || nl_attr_parse_nested(&d, e.tb[NFTA_EXPR_DATA]) < 0 ||
            nl_attr_parse_nested(&data, d.tb[NFTA_IMMEDIATE_DATA]) < 0 || nl_attr_parse_nested(&v, data.tb[NFTA_DATA_VERDICT]) < 0)
                return NULL;
        return attr_name(v.tb[NFTA_VERDICT_CHAIN]);
}

static void chain_forget(NftStore *s, StoreChain *c) {
        if (s->last_chain == c)
                s->last_chain = NULL;
        if (s->last_del.chain == c)
                s->last_del.valid = false;
        if (s->scratch_chain == c)
                scratch_drop(s);
}

static int rule_destroy(NftStore *s, uint32_t n);

/* The kernel deletes the anonymous chains a rule binds (`jump { ... }`)
 * with the rule, rules and all, and announces none of it. */
static int bound_chains_destroy(NftStore *s, StoreTable *tb, const StoreChain *owner, const RuleBody *b) {
        for (uint16_t i = 0; i < b->n_expr; i++) {
                const char *target = expr_jump_target(s->exprs[b->expr[i]]);
                StoreChain *bc = target ? chain_find(s, tb, target) : NULL;
                int r;

                if (!bc || !bc->binding || bc == owner)
                        continue;
                if (chain_has_waiting(s, bc))
                        return -ESTALE;
                while (bc->first != NONE)
                        if ((r = rule_destroy(s, bc->first)) < 0)
                                return r;
                size_t k = ptr_index((void *const *) tb->chains, tb->n_chains, bc);
                if (k == SIZE_MAX)
                        return -ESTALE;
                chain_forget(s, bc);
                ptr_remove((void **) tb->chains, &tb->n_chains, k);
                tb->changed = stamp(s);
                tb->n_bindings--;
                chain_free(bc);
        }
        return 0;
}

static int rule_destroy(NftStore *s, uint32_t n) {
        StoreChain *c = s->nodes[n].chain;
        RuleBody *b = s->nodes[n].body;
        int r = 0;

        rule_unlink(s, n);
        handle_remove(s, n);
        node_release(s, n);
        rule_count_dynsets(s, c->table, b, -1);
        if (c->table->n_bindings > 0)
                r = bound_chains_destroy(s, c->table, c, b);
        body_free(s, b);
        return r;
}

static int apply_table(NftStore *s, const struct nlmsghdr *nlh, bool del) {
        NlAttrs t;
        uint64_t handle;
        if (nl_attr_parse_nfgen(&t, nlh) < 0 || !attr_name(t.tb[NFTA_TABLE_NAME]) ||
            nl_attr_be64(t.tb[NFTA_TABLE_HANDLE], &handle) < 0)
                return -ESTALE;
        StoreTable *tb = msg_table(s, nlh, &t, NFTA_TABLE_NAME);
        if (del) {
                /* everything in it was announced deleted before */
                if (!tb || tb->handle != handle || tb->n_chains || tb->n_sets || tb->n_objs || tb->n_flowtables)
                        return -ESTALE;
                ptr_remove((void **) s->tables, &s->n_tables, ptr_index((void *const *) s->tables, s->n_tables, tb));
                table_free(tb);
                return 0;
        }
        int r = validate_in(s, NULL, NULL, nlh);
        if (r < 0)
                return r == -ENOMEM ? r : -ESTALE;
        if (!tb)
                return table_add(s, nlh, &t);
        /* an update (flags): same table */
        if (tb->handle != handle)
                return -ESTALE;
        struct nlmsghdr *m = msg_dup(nlh);
        if (!m)
                return -ENOMEM;
        tb->name = (const char *) m + (attr_name(t.tb[NFTA_TABLE_NAME]) - (const char *) nlh);
        free(tb->msg);
        tb->msg = m;
        return 0;
}

static int apply_chain(NftStore *s, const struct nlmsghdr *nlh, bool del) {
        NlAttrs t;
        uint64_t handle;
        uint32_t flags = 0;
        if (nl_attr_parse_nfgen(&t, nlh) < 0 || nl_attr_be64(t.tb[NFTA_CHAIN_HANDLE], &handle) < 0 ||
            (t.tb[NFTA_CHAIN_FLAGS] && nl_attr_be32(t.tb[NFTA_CHAIN_FLAGS], &flags) < 0))
                return -ESTALE;
        const char *name = attr_name(t.tb[NFTA_CHAIN_NAME]);
        StoreTable *tb = msg_table(s, nlh, &t, NFTA_CHAIN_TABLE);
        if (!name || !tb)
                return -ESTALE;
        StoreChain *c = chain_find(s, tb, name);
        if (del) {
                if (!c || c->handle != handle || c->n_rules > 0 || chain_has_waiting(s, c))
                        return -ESTALE;
                /* a hook here would be some devices leaving a netdev chain */
                if (t.tb[NFTA_CHAIN_HOOK]) {
                        NlAttrs old;
                        if (nl_attr_parse_nfgen(&old, c->msg) < 0 ||
                            !same_devices(old.tb[NFTA_CHAIN_HOOK], t.tb[NFTA_CHAIN_HOOK], NFTA_HOOK_DEVS, NFTA_HOOK_DEV))
                                return -ESTALE;
                }
                chain_forget(s, c);
                ptr_remove((void **) tb->chains, &tb->n_chains, ptr_index((void *const *) tb->chains, tb->n_chains, c));
                tb->n_bindings -= c->binding;
                chain_free(c);
                return 0;
        }
        int r = validate_in(s, tb, NULL, nlh);
        if (r < 0)
                return r == -ENOMEM ? r : -ESTALE;
        if (!c) {
                /* a known handle under a new name: renamed, and the rules
                 * that jump to it now name it differently */
                for (size_t i = 0; i < tb->n_chains; i++)
                        if (tb->chains[i]->handle == handle)
                                return -ESTALE;
                return chain_add(s, tb, nlh, &t);
        }
        /* an update (policy, devices) */
        NlAttrs old;
        if (c->handle != handle || c->binding != !!(flags & NFT_CHAIN_BINDING) || nl_attr_parse_nfgen(&old, c->msg) < 0)
                return -ESTALE;
        const struct nlattr *keep_hook = NULL;
        if (!same_devices(old.tb[NFTA_CHAIN_HOOK], t.tb[NFTA_CHAIN_HOOK], NFTA_HOOK_DEVS, NFTA_HOOK_DEV)) {
                /* the hook of an update lists the devices it adds, none
                 * when it changes the policy: the stored hook still holds */
                if (!hook_adds_no_devices(old.tb[NFTA_CHAIN_HOOK], t.tb[NFTA_CHAIN_HOOK]))
                        return -ESTALE;
                keep_hook = old.tb[NFTA_CHAIN_HOOK];
        }
        struct nlmsghdr *m = keep_hook ? msg_with_attr(nlh, NFTA_CHAIN_HOOK, keep_hook) : msg_dup(nlh);
        NlAttrs now;
        if (!m)
                return -ENOMEM;
        if (nl_attr_parse_nfgen(&now, m) < 0 || !(name = attr_name(now.tb[NFTA_CHAIN_NAME]))) {
                free(m);
                return -ESTALE;
        }
        chain_forget(s, c);
        c->name = name;
        free(c->msg);
        c->msg = m;
        return 0;
}

static int apply_rule_del(NftStore *s, StoreChain *c, uint64_t handle) {
        uint32_t n = handle_lookup(s, c->table, handle);
        if (n == NONE || s->nodes[n].prev == WAITING || s->nodes[n].chain != c)
                return -ESTALE;
        s->last_del.valid = true;
        s->last_del.chain = c;
        s->last_del.handle = handle;
        s->last_del.prev = s->nodes[n].prev;
        s->last_del.deleted_batch = c->deleted_batch;
        c->deleted_batch = s->batch;
        return rule_destroy(s, n);
}

static int apply_rule(NftStore *s, const struct nlmsghdr *nlh, bool del) {
        NlAttrs t;
        uint64_t handle, pos = 0;
        RuleBody *body;
        int r;

        if (nl_attr_parse_nfgen(&t, nlh) < 0 || nl_attr_be64(t.tb[NFTA_RULE_HANDLE], &handle) < 0)
                return -ESTALE;
        const char *cname = attr_name(t.tb[NFTA_RULE_CHAIN]);
        StoreTable *tb = msg_table(s, nlh, &t, NFTA_RULE_TABLE);
        StoreChain *c = tb && cname ? chain_find(s, tb, cname) : NULL;
        if (!c)
                return -ESTALE;
        if (del)
                return apply_rule_del(s, c, handle);

        bool replace = s->last_del.valid && s->last_del.chain == c && s->last_del.handle == handle;
        s->last_del.valid = false;
        if ((r = validate_rule(s, c, nlh)) < 0)
                return r == -ENOMEM ? r : -ESTALE;
        if (t.tb[NFTA_RULE_POSITION] && nl_attr_be64(t.tb[NFTA_RULE_POSITION], &pos) < 0)
                return -ESTALE;
        if (handle_lookup(s, tb, handle) != NONE)
                return -ESTALE;
        if ((r = body_new(s, nlh, &t, &body)) < 0)
                return r == -ENOMEM ? r : -ESTALE;
        uint32_t n = node_new(s, handle, c, body);
        if (n == NONE || handle_insert(s, n) < 0) {
                body_free(s, body);
                if (n != NONE)
                        node_release(s, n);
                return -ENOMEM;
        }
        rule_count_dynsets(s, tb, body, +1);

        if (replace) {
                /* `replace rule`: the new rule took the old one's place */
                c->deleted_batch = s->last_del.deleted_batch;
                rule_place(s, c, n, s->last_del.prev);
                return 0;
        }
        if (t.tb[NFTA_RULE_POSITION]) {
                uint32_t p = handle_lookup(s, tb, pos);
                if (p != NONE && s->nodes[p].chain != c)
                        return -ESTALE;
                if (p != NONE && s->nodes[p].prev != WAITING) {
                        rule_place(s, c, n, p);
                        return 0;
                }
                /* after a rule announced later in this batch (or after
                 * nothing: NEWGEN finds it still waiting) */
                for (size_t i = 0; i < s->n_waiting; i++)
                        if (s->waiting[i].anchor == pos && s->nodes[s->waiting[i].node].chain == c)
                                return -ESTALE;
                if (GROW(s->waiting, s->n_waiting + 1, s->allocated_waiting) < 0)
                        return -ENOMEM;
                s->nodes[n].prev = WAITING;
                s->waiting[s->n_waiting++] = (Waiting) { .node = n, .anchor = pos };
                return 0;
        }
        /* first or last: NLM_F_APPEND tells, unless the batch deleted a rule
         * this one may have been positioned after (or before) */
        if (c->n_rules > 0 && c->deleted_batch == s->batch)
                return -ESTALE;
        rule_place(s, c, n, (nlh->nlmsg_flags & NLM_F_APPEND) ? c->last : NONE);
        return 0;
}

static int apply_set(NftStore *s, const struct nlmsghdr *nlh, bool del) {
        NlAttrs t;
        uint64_t handle;
        uint32_t flags = 0;
        StoreSet *set;
        if (nl_attr_parse_nfgen(&t, nlh) < 0 || nl_attr_be64(t.tb[NFTA_SET_HANDLE], &handle) < 0 ||
            (t.tb[NFTA_SET_FLAGS] && nl_attr_be32(t.tb[NFTA_SET_FLAGS], &flags) < 0))
                return -ESTALE;
        const char *name = attr_name(t.tb[NFTA_SET_NAME]);
        StoreTable *tb = msg_table(s, nlh, &t, NFTA_SET_TABLE);
        if (!name || !tb)
                return -ESTALE;
        set = set_find(tb, name);
        if (del) {
                if (!set || set->handle != handle)
                        return -ESTALE;
                if (set->dynset_lost)
                        s->n_dynset_lost--;
                ptr_remove((void **) tb->sets, &tb->n_sets, ptr_index((void *const *) tb->sets, tb->n_sets, set));
                set_free(set);
                return 0;
        }
        int r = validate_in(s, tb, NULL, nlh);
        if (r < 0)
                return r == -ENOMEM ? r : -ESTALE;
        if (!set)
                /* a new set is announced empty: its elements follow */
                return set_add(tb, nlh, &t, &set);
        if (set->handle != handle || set->flags != flags)
                return -ESTALE;
        struct nlmsghdr *m = msg_dup(nlh);
        if (!m)
                return -ENOMEM;
        set->name = (const char *) m + (name - (const char *) nlh);
        free(set->msg);
        set->msg = m;
        return 0;
}

static int apply_setelem(NftStore *s, StoreSet *set, const struct nlattr *a, bool del) {
        ElemId id;
        if (elem_id(a, &id) < 0)
                return -ESTALE;
        switch (set->mode) {
        case SET_TRACKED: {
                uint32_t h = elem_id_hash(&id);
                size_t i = set_elem_find(set, &id, h);
                if (del) {
                        if (i == SIZE_MAX)
                                return -ESTALE;
                        /* in order: concatenated intervals (pipapo)
                         * keep theirs, the decoder sorts the others */
                        free(set->elems[i]);
                        ptr_remove((void **) set->elems, &set->n_elems, i);
                        return 0;
                }
                if (i != SIZE_MAX)
                        return -ESTALE;
                int r = set_elem_add(set, a, h);
                if (r < 0)
                        return r;
                if (!(set->flags & NFT_SET_ANONYMOUS) && set->n_elems > NFT_STORE_SET_KEEP_MAX) {
                        set->count = set->n_elems;
                        set_elems_drop(set);
                        set->mode = SET_COUNTED;
                }
                return 0;
        }
        case SET_COUNTED:
                if (!del) {
                        set->count++;
                        return 0;
                }
                /* small again: a dump would have its elements */
                if (set->count <= NFT_SMALL_SET_MAX + 1)
                        return -ESTALE;
                set->count--;
                return 0;
        case SET_UNTRACKED:
                return 0;
        }
        return -ESTALE;
}

static int apply_setelems(NftStore *s, const struct nlmsghdr *nlh, bool del) {
        NlAttrs t, list;
        const struct nlattr *a;
        int r;
        if (nl_attr_parse_nfgen(&t, nlh) < 0 || nl_attr_parse_nested(&list, t.tb[NFTA_SET_ELEM_LIST_ELEMENTS]) < 0)
                return -ESTALE;
        const char *name = attr_name(t.tb[NFTA_SET_ELEM_LIST_SET]);
        StoreTable *tb = msg_table(s, nlh, &t, NFTA_SET_ELEM_LIST_TABLE);
        StoreSet *set = tb && name ? set_find(tb, name) : NULL;
        if (!set)
                return -ESTALE;
        if (!del && (r = validate_in(s, tb, set->msg, nlh)) < 0)
                return r == -ENOMEM ? r : -ESTALE;
        set->elems_changed = stamp(s);
        nl_attr_for_each_nested(a, t.tb[NFTA_SET_ELEM_LIST_ELEMENTS])
                if ((r = apply_setelem(s, set, a, del)) < 0)
                        return r;
        return 0;
}

static int apply_obj(NftStore *s, const struct nlmsghdr *nlh, bool del, bool flowtable) {
        NlAttrs t;
        const char *name;
        uint32_t type;
        uint64_t handle;
        if (nl_attr_parse_nfgen(&t, nlh) < 0 || obj_parse(&t, flowtable, &name, &type, &handle) < 0)
                return -ESTALE;
        StoreTable *tb = msg_table(s, nlh, &t, flowtable ? NFTA_FLOWTABLE_TABLE : NFTA_OBJ_TABLE);
        if (!tb)
                return -ESTALE;
        StoreObj ***v = flowtable ? &tb->flowtables : &tb->objs;
        size_t *n = flowtable ? &tb->n_flowtables : &tb->n_objs;
        size_t *allocated = flowtable ? &tb->allocated_flowtables : &tb->allocated_objs;
        size_t i = obj_find(*v, *n, type, name);

        if (del) {
                if (i == SIZE_MAX || (*v)[i]->handle != handle)
                        return -ESTALE;
                /* a hook here may list only the devices leaving it */
                if (flowtable && t.tb[NFTA_FLOWTABLE_HOOK]) {
                        NlAttrs old;
                        if (nl_attr_parse_nfgen(&old, (*v)[i]->msg) < 0 ||
                            !same_devices(old.tb[NFTA_FLOWTABLE_HOOK], t.tb[NFTA_FLOWTABLE_HOOK],
                                          NFTA_FLOWTABLE_HOOK_DEVS, 0))
                                return -ESTALE;
                }
                obj_free((*v)[i]);
                ptr_remove((void **) *v, n, i);
                return 0;
        }
        if (i == SIZE_MAX)
                return obj_add(v, n, allocated, nlh, name, type, handle);
        /* a flowtable update announces only the devices it adds */
        if (flowtable || (*v)[i]->handle != handle)
                return -ESTALE;
        struct nlmsghdr *m = msg_dup(nlh);
        if (!m)
                return -ENOMEM;
        (*v)[i]->name = (const char *) m + (name - (const char *) nlh);
        free((*v)[i]->msg);
        (*v)[i]->msg = m;
        return 0;
}

static int apply_gen(NftStore *s, const struct nlmsghdr *nlh) {
        NlAttrs t;
        uint32_t genid, pid = 0;
        if (nl_attr_parse_nfgen(&t, nlh) < 0 || nl_attr_be32(t.tb[NFTA_GEN_ID], &genid) < 0 ||
            (t.tb[NFTA_GEN_PROC_PID] && nl_attr_be32(t.tb[NFTA_GEN_PROC_PID], &pid) < 0))
                return -ESTALE;
        int32_t ahead = (int32_t) (genid - s->genid);
        if (ahead <= 0)
                /* a generation the load already saw, queued before it */
                return s->in_batch ? -ESTALE : 0;
        if (ahead != 1 || s->n_waiting > 0)
                return -ESTALE;
        if (s->n_dynset_lost > 0) {
                /* a set no rule updates any more, that the packet path may
                 * have changed unannounced: a dump has its elements again */
                for (size_t i = 0; i < s->n_tables; i++)
                        for (size_t j = 0; j < s->tables[i]->n_sets; j++) {
                                StoreSet *set = s->tables[i]->sets[j];
                                if (set->dynset_lost && set->dynset_rules == 0)
                                        return -ESTALE;
                                set->dynset_lost = false;
                        }
                s->n_dynset_lost = 0;
        }
        s->genid = genid;
        s->in_batch = false;
        s->batch++;
        s->last_del.valid = false;
        s->last_commit = (NftMonitorEvent) {
                .msg_type = NFT_MSG_NEWGEN,
                .genid = genid,
                .pid = (pid_t) pid,
        };
        if (t.tb[NFTA_GEN_PROC_NAME]) {
                size_t len = nl_attr_len(t.tb[NFTA_GEN_PROC_NAME]);
                len = strnlen(nl_attr_data(t.tb[NFTA_GEN_PROC_NAME]), len < NFT_MONITOR_COMM_MAX ? len : NFT_MONITOR_COMM_MAX);
                memcpy(s->last_commit.comm, nl_attr_data(t.tb[NFTA_GEN_PROC_NAME]), len);
        }
        s->have_commit = true;
        return 1;
}

/* After R, the outcome of applying a change to a table's chains or sets
 * (or the table itself): that table is built again by
 * nft_store_ruleset_follow(). */
static int table_changed(NftStore *s, const struct nlmsghdr *nlh, uint16_t table_attr, int r) {
        NlAttrs t;
        StoreTable *tb;

        if (r >= 0 && nl_attr_parse_nfgen(&t, nlh) >= 0 && (tb = msg_table(s, nlh, &t, table_attr)))
                tb->changed = stamp(s);
        return r;
}

static int apply_msg(NftStore *s, const struct nlmsghdr *nlh) {
        if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg))
                return -ESTALE;
        uint16_t type = NFNL_MSG_TYPE(nlh->nlmsg_type);
        if (type == NFT_MSG_NEWGEN)
                return apply_gen(s, nlh);
        if (type == NFT_MSG_TRACE)
                return 0;

        /* a change carries the low 16 bits of the generation it makes */
        uint16_t gen = ntohs(((const struct nfgenmsg *) NLMSG_DATA(nlh))->res_id);
        if (gen != (uint16_t) (s->genid + 1)) {
                if (!s->in_batch && (uint16_t) (s->genid - gen) < 0x8000)
                        return 0;       /* in the load already */
                return -ESTALE;
        }
        s->in_batch = true;

        switch (type) {
        case NFT_MSG_NEWTABLE:
                return table_changed(s, nlh, NFTA_TABLE_NAME, apply_table(s, nlh, false));
        case NFT_MSG_DELTABLE:
        case NFT_MONITOR_MSG_DESTROYTABLE:
                return apply_table(s, nlh, true);
        case NFT_MSG_NEWCHAIN:
                return table_changed(s, nlh, NFTA_CHAIN_TABLE, apply_chain(s, nlh, false));
        case NFT_MSG_DELCHAIN:
        case NFT_MONITOR_MSG_DESTROYTABLE + 1:
                return table_changed(s, nlh, NFTA_CHAIN_TABLE, apply_chain(s, nlh, true));
        case NFT_MSG_NEWRULE:
                return apply_rule(s, nlh, false);
        case NFT_MSG_DELRULE:
        case NFT_MONITOR_MSG_DESTROYTABLE + 2:
                return apply_rule(s, nlh, true);
        case NFT_MSG_NEWSET:
                return table_changed(s, nlh, NFTA_SET_TABLE, apply_set(s, nlh, false));
        case NFT_MSG_DELSET:
        case NFT_MONITOR_MSG_DESTROYTABLE + 3:
                return table_changed(s, nlh, NFTA_SET_TABLE, apply_set(s, nlh, true));
        case NFT_MSG_NEWSETELEM:
                return apply_setelems(s, nlh, false);
        case NFT_MSG_DELSETELEM:
        case NFT_MONITOR_MSG_DESTROYTABLE + 4:
                return apply_setelems(s, nlh, true);
        case NFT_MSG_NEWOBJ:
                return apply_obj(s, nlh, false, false);
        case NFT_MSG_DELOBJ:
        case NFT_MONITOR_MSG_DESTROYTABLE + 5:
                return apply_obj(s, nlh, true, false);
        case NFT_MSG_NEWFLOWTABLE:
                return apply_obj(s, nlh, false, true);
        case NFT_MSG_DELFLOWTABLE:
        case NFT_MONITOR_MSG_DESTROYFLOWTABLE:
                return apply_obj(s, nlh, true, true);
        default:
                /* not modelled: what it changed is unknown */
                return -ESTALE;
        }
}

int nft_store_apply(NftStore *s, const void *buf, size_t len) {
        const uint8_t *p = buf;
        size_t off = 0;
        int r = 0, committed = 0;

        if ((uintptr_t) buf % NLMSG_ALIGNTO != 0)
                return -EINVAL;
        if (s->stale)
                return -ESTALE;
        while (r >= 0 && off < len) {
                const struct nlmsghdr *nlh = (const struct nlmsghdr *) (p + off);
                if (len - off < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len - off) {
                        r = -ESTALE;
                        break;
                }
                size_t step = NLMSG_ALIGN(nlh->nlmsg_len);
                off += step < len - off ? step : len - off;
                if (nlh->nlmsg_type < NLMSG_MIN_TYPE || NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
                        continue;
                r = apply_msg(s, nlh);
                if (r > 0)
                        committed += r;
        }
        scratch_drop(s);
        s->last_chain = NULL;
        if (r < 0) {
                s->stale = true;
                return r == -ENOMEM ? r : -ESTALE;
        }
        return committed;
}

/* ---- the ruleset, decoded from what is stored ---- */

typedef struct Writer {
        NftRuleset *rs;
        uint8_t *buf;
        size_t len, size;
} Writer;

static void writer_free_contents(Writer *w) {
        nft_ruleset_free(w->rs);
        free(w->buf);
}

static int writer_flush(Writer *w) {
        int r = w->len ? nft_ruleset_parse_msgs(w->rs, w->buf, w->len) : 0;
        w->len = 0;
        return r;
}

/* Room for a message of at most NEED bytes, zeroed. */
static struct nlmsghdr *writer_room(Writer *w, size_t need, int *r) {
        need = NLMSG_ALIGN(need);
        if (w->len + need > w->size) {
                if ((*r = writer_flush(w)) < 0)
                        return NULL;
                if (need > w->size) {
                        uint8_t *b = realloc(w->buf, need);
                        if (!b) {
                                *r = -ENOMEM;
                                return NULL;
                        }
                        w->buf = b;
                        w->size = need;
                }
        }
        memset(w->buf + w->len, 0, need);
        return (struct nlmsghdr *) (w->buf + w->len);
}

static void writer_done(Writer *w, const struct nlmsghdr *nlh) {
        w->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static struct nlmsghdr *put_hdr(void *at, uint16_t type, uint16_t flags, int family) {
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
        nlh->nlmsg_type = (uint16_t) (NFNL_SUBSYS_NFTABLES << 8 | type);
        nlh->nlmsg_flags = flags;
        struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->nfgen_family = (uint8_t) family;
        g->version = NFNETLINK_V0;
        return nlh;
}

static int write_stored(Writer *w, const struct nlmsghdr *msg) {
        int r = 0;
        struct nlmsghdr *nlh = writer_room(w, msg->nlmsg_len, &r);
        if (!nlh)
                return r;
        memcpy(nlh, msg, msg->nlmsg_len);
        writer_done(w, nlh);
        return 0;
}

#define NAME_ATTRS_MAX (2 * NLA_ALIGN(NLA_HDRLEN + NFT_NAME_MAXLEN))
#define ELEMS_PER_MSG_MAX (UINT16_MAX - NLA_HDRLEN)

/* As nft_dump_raw() passes a set's elements on: the request, the
 * elements, NLMSG_DONE (which tells the decoder they are all). */
static int write_set_elems(Writer *w, const StoreSet *set) {
        const StoreTable *tb = set->table;
        int r = 0;
        struct nlmsghdr *nlh = writer_room(w, NLMSG_HDRLEN + sizeof(struct nfgenmsg) + NAME_ATTRS_MAX, &r);
        if (!nlh)
                return r;
        nlh = put_hdr(nlh, NFT_MSG_GETSETELEM, NLM_F_REQUEST | NLM_F_DUMP, tb->family);
        mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, tb->name);
        mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set->name);
        writer_done(w, nlh);

        for (size_t i = 0; i < set->n_elems;) {
                size_t payload = 0, j = i;
                while (j < set->n_elems && payload + set->elems[j]->len <= ELEMS_PER_MSG_MAX)
                        payload += set->elems[j++]->len;
                if (j == i)
                        return -EBADMSG;
                nlh = writer_room(w, NLMSG_HDRLEN + sizeof(struct nfgenmsg) + NAME_ATTRS_MAX + NLA_HDRLEN + payload, &r);
                if (!nlh)
                        return r;
                nlh = put_hdr(nlh, NFT_MSG_NEWSETELEM, NLM_F_MULTI, tb->family);
                mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, tb->name);
                mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set->name);
                struct nlattr *nest = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
                for (; i < j; i++) {
                        memcpy(mnl_nlmsg_get_payload_tail(nlh), set->elems[i]->data, set->elems[i]->len);
                        nlh->nlmsg_len += set->elems[i]->len;
                }
                mnl_attr_nest_end(nlh, nest);
                writer_done(w, nlh);
        }

        nlh = writer_room(w, NLMSG_HDRLEN + sizeof(int), &r);
        if (!nlh)
                return r;
        nlh = mnl_nlmsg_put_header(nlh);
        nlh->nlmsg_type = NLMSG_DONE;
        nlh->nlmsg_flags = NLM_F_MULTI;
        mnl_nlmsg_put_extra_header(nlh, sizeof(int));
        writer_done(w, nlh);
        return 0;
}

static size_t rule_msg_size(const NftStore *s, const RuleNode *x) {
        const RuleBody *b = x->body;
        size_t exprs = 0;

        for (uint16_t i = 0; i < b->n_expr; i++)
                exprs += s->exprs[b->expr[i]]->len;
        return NLMSG_HDRLEN + sizeof(struct nfgenmsg) + NAME_ATTRS_MAX + NLA_HDRLEN + sizeof(uint64_t) + NLA_HDRLEN +
               exprs + b->extra_len;
}

/* Rule X of chain C as a dump has it, at AT (rule_msg_size() bytes, zeroed). */
static struct nlmsghdr *rule_msg_put(void *at, const NftStore *s, const StoreChain *c, const RuleNode *x) {
        const RuleBody *b = x->body;
        struct nlmsghdr *nlh = put_hdr(at, NFT_MSG_NEWRULE, NLM_F_MULTI, c->table->family);

        mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, c->table->name);
        mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, c->name);
        mnl_attr_put_u64(nlh, NFTA_RULE_HANDLE, htobe64(x->handle));
        if (b->n_expr > 0) {
                struct nlattr *nest = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
                for (uint16_t i = 0; i < b->n_expr; i++) {
                        const ExprBlob *e = s->exprs[b->expr[i]];
                        memcpy(mnl_nlmsg_get_payload_tail(nlh), e->data, e->len);
                        nlh->nlmsg_len += e->len;
                }
                mnl_attr_nest_end(nlh, nest);
        }
        memcpy(mnl_nlmsg_get_payload_tail(nlh), b->expr + b->n_expr, b->extra_len);
        nlh->nlmsg_len += b->extra_len;
        return nlh;
}

static int write_rule(Writer *w, const NftStore *s, const StoreChain *c, const RuleNode *x) {
        int r = 0;
        struct nlmsghdr *nlh = writer_room(w, rule_msg_size(s, x), &r);

        if (!nlh)
                return r;
        writer_done(w, rule_msg_put(nlh, s, c, x));
        return 0;
}

/* The stored messages in the order of a dump: the generation, tables,
 * chains, sets, the elements of the sets a dump includes, objects,
 * flowtables, rules chain by chain. */
static int write_all(Writer *w, const NftStore *s) {
        int r = 0;
        struct nlmsghdr *nlh = writer_room(w, NLMSG_HDRLEN + sizeof(struct nfgenmsg) + NLA_HDRLEN + 4, &r);
        if (!nlh)
                return r;
        nlh = put_hdr(nlh, NFT_MSG_NEWGEN, 0, NFPROTO_UNSPEC);
        mnl_attr_put_u32(nlh, NFTA_GEN_ID, htonl(s->genid));
        writer_done(w, nlh);

        for (size_t i = 0; i < s->n_tables; i++)
                if ((r = write_stored(w, s->tables[i]->msg)) < 0)
                        return r;
        for (size_t i = 0; i < s->n_tables; i++)
                for (size_t j = 0; j < s->tables[i]->n_chains; j++)
                        if ((r = write_stored(w, s->tables[i]->chains[j]->msg)) < 0)
                                return r;
        for (size_t i = 0; i < s->n_tables; i++)
                for (size_t j = 0; j < s->tables[i]->n_sets; j++)
                        if ((r = write_stored(w, s->tables[i]->sets[j]->msg)) < 0)
                                return r;
        for (size_t i = 0; i < s->n_tables; i++)
                for (size_t j = 0; j < s->tables[i]->n_sets; j++)
                        if (set_dumped(s->tables[i]->sets[j]) && (r = write_set_elems(w, s->tables[i]->sets[j])) < 0)
                                return r;
        for (size_t i = 0; i < s->n_tables; i++) {
                for (size_t j = 0; j < s->tables[i]->n_objs; j++)
                        if ((r = write_stored(w, s->tables[i]->objs[j]->msg)) < 0)
                                return r;
                for (size_t j = 0; j < s->tables[i]->n_flowtables; j++)
                        if ((r = write_stored(w, s->tables[i]->flowtables[j]->msg)) < 0)
                                return r;
        }
        for (size_t i = 0; i < s->n_tables; i++)
                for (size_t j = 0; j < s->tables[i]->n_chains; j++) {
                        const StoreChain *c = s->tables[i]->chains[j];
                        for (uint32_t n = c->first; n != NONE; n = s->nodes[n].next)
                                if ((r = write_rule(w, s, c, &s->nodes[n])) < 0)
                                        return r;
                }
        return writer_flush(w);
}

int nft_store_ruleset(const NftStore *s, NftRuleset **ret) {
        if (s->stale)
                return -ESTALE;
        if (s->in_batch)
                return -EBUSY;
        _cleanup_(writer_free_contents) Writer w = { .size = 256u * 1024u };
        if (!(w.rs = nft_ruleset_new()) || !(w.buf = malloc(w.size)))
                return -ENOMEM;
        int r = write_all(&w, s);
        if (r < 0)
                return r == -ENOMEM ? r : -ESTALE;
        *ret = TAKE_PTR(w.rs);
        return 0;
}

/* ---- the ruleset, kept up to date ---- */

/* A changed ruleset is not patched for ever: what no rule uses any more
 * (references of deleted rules, expressions and pool data only they had)
 * is dropped by building it whole once it is as large as what is used. */
static bool follow_worn(const NftRuleset *rs) {
        return rs->garbage_refs * 2 > rs->n_expr_refs + 65536 || rs->n_exprs > 2 * rs->built_exprs + 65536 ||
               rs->pool_len > 2 * rs->built_pool + (1u << 20);
}

static void follow_built(NftStore *s, NftRuleset *rs) {
        rs->garbage_refs = 0;
        rs->built_exprs = rs->n_exprs;
        rs->built_pool = rs->pool_len;
        s->followed_rs = rs;
        s->followed = s->batch;
}

static void writer_free_buf(Writer *w) {
        free(w->buf);
}

static size_t table_refs(const NftTable *t) {
        size_t n = 0;
        for (size_t j = 0; j < t->n_chains; j++)
                for (size_t k = 0; k < t->chains[j].n_rules; k++)
                        n += t->chains[j].rules[k].n_expr;
        return n;
}

/* Table TI is no longer what the store has (deleted, or built again). */
static void follow_drop_table(NftRuleset *rs, uint32_t ti) {
        rs->garbage_refs += table_refs(&rs->tables[ti]);
        rs->tables[ti].gone = true;
        for (size_t i = 0; i < rs->n_sets; i++)
                if (rs->sets[i].table == ti)
                        rs->sets[i].gone = true;
}

/* Table TB as a dump has it, decoded at the end of RS. */
static int follow_add_table(const NftStore *s, NftRuleset *rs, const StoreTable *tb) {
        _cleanup_(writer_free_buf) Writer w = { .rs = rs, .size = 64u * 1024u };
        int r;

        if (!(w.buf = malloc(w.size)))
                return -ENOMEM;
        if ((r = write_stored(&w, tb->msg)) < 0)
                return r;
        for (size_t j = 0; j < tb->n_chains; j++)
                if ((r = write_stored(&w, tb->chains[j]->msg)) < 0)
                        return r;
        for (size_t j = 0; j < tb->n_sets; j++)
                if ((r = write_stored(&w, tb->sets[j]->msg)) < 0)
                        return r;
        for (size_t j = 0; j < tb->n_sets; j++)
                if (set_dumped(tb->sets[j]) && (r = write_set_elems(&w, tb->sets[j])) < 0)
                        return r;
        for (size_t j = 0; j < tb->n_chains; j++) {
                const StoreChain *c = tb->chains[j];
                for (uint32_t n = c->first; n != NONE; n = s->nodes[n].next)
                        if ((r = write_rule(&w, s, c, &s->nodes[n])) < 0)
                                return r;
        }
        r = writer_flush(&w);
        rs->last_table = rs->last_chain = NFT_NO_INDEX;
        return r;
}

/* Table TB built again in place of table TI (its position is the
 * kernel's order, which decides between base chains of equal priority). */
static int follow_rebuild_table(const NftStore *s, NftRuleset *rs, const StoreTable *tb, uint32_t ti) {
        size_t end = rs->n_tables;
        int r;

        follow_drop_table(rs, ti);
        if ((r = follow_add_table(s, rs, tb)) < 0)
                return r;
        if (rs->n_tables != end + 1)
                return -ESTALE;
        /* swap: the new one at TI, the dropped one last (compacted away) */
        NftTable t = rs->tables[ti];
        rs->tables[ti] = rs->tables[end];
        rs->tables[end] = t;
        for (size_t j = 0; j < rs->tables[ti].n_chains; j++)
                rs->tables[ti].chains[j].table = ti;
        for (size_t i = 0; i < rs->n_sets; i++) {
                if (rs->sets[i].gone)
                        continue;
                if (rs->sets[i].table == end)
                        rs->sets[i].table = ti;
        }
        return 0;
}

static int follow_decode_rule(const NftStore *s, NftRuleset *rs, const StoreChain *c, const RuleNode *x, uint32_t ti,
                              uint8_t **buf, size_t *size, NftRule *ret) {
        size_t need = rule_msg_size(s, x);
        if (need > *size) {
                uint8_t *b = realloc(*buf, need);
                if (!b)
                        return -ENOMEM;
                *buf = b;
                *size = need;
        }
        memset(*buf, 0, need);
        int r = nft_ruleset_decode_rule(rs, rule_msg_put(*buf, s, c, x), ti, ret);
        return r == -EAGAIN ? -ESTALE : r;
}

/* The rules of chain C, as RC has them from an earlier generation: kept
 * where the store kept them, decoded where they are new. */
static int follow_chain(const NftStore *s, NftRuleset *rs, const StoreChain *c, NftChain *rc, uint32_t ti) {
        _cleanup_free_ uint8_t *buf = NULL;
        size_t size = 0, k = 0, n = 0, tail = 0;
        uint32_t x;
        int r;

        /* the usual change: rules added at the end */
        for (x = c->last; x != NONE && s->nodes[x].born > s->followed; x = s->nodes[x].prev)
                tail++;
        if (c->rules_deleted <= s->followed && rc->n_rules + tail == c->n_rules &&
            (x == NONE ? rc->n_rules == 0 : rc->n_rules > 0 && rc->rules[rc->n_rules - 1].handle == s->nodes[x].handle)) {
                if (NFT_GROW(rc->rules, c->n_rules, rc->allocated_rules) < 0)
                        return -ENOMEM;
                for (x = x == NONE ? c->first : s->nodes[x].next; x != NONE; x = s->nodes[x].next) {
                        if ((r = follow_decode_rule(s, rs, c, &s->nodes[x], ti, &buf, &size, &rc->rules[rc->n_rules])) < 0)
                                return r;
                        rc->n_rules++;
                        nft_chain_rule_appended(rc);
                }
                return 0;
        }

        /* anything else: the rules in the store's order */
        _cleanup_free_ NftRule *rules = malloc((c->n_rules ? c->n_rules : 1) * sizeof(NftRule));
        if (!rules)
                return -ENOMEM;
        for (x = c->first; x != NONE; x = s->nodes[x].next) {
                const RuleNode *node = &s->nodes[x];
                if (n >= c->n_rules)
                        return -ESTALE;
                if (node->born > s->followed) {
                        if ((r = follow_decode_rule(s, rs, c, node, ti, &buf, &size, &rules[n])) < 0)
                                return r;
                        n++;
                        continue;
                }
                while (k < rc->n_rules && rc->rules[k].handle != node->handle)
                        rs->garbage_refs += rc->rules[k++].n_expr;
                if (k == rc->n_rules)
                        return -ESTALE;
                rules[n++] = rc->rules[k++];
        }
        if (n != c->n_rules)
                return -ESTALE;
        for (; k < rc->n_rules; k++)
                rs->garbage_refs += rc->rules[k].n_expr;
        free(rc->rules);
        rc->rules = TAKE_PTR(rules);
        rc->n_rules = rc->allocated_rules = n;
        nft_chain_runs_rebuild(rc);
        return 0;
}

/* The elements of SET, as a dump has them (none when it leaves them out). */
static int follow_set(NftRuleset *rs, const StoreSet *set, uint32_t ti) {
        uint32_t si = nft_find_set_index(rs, ti, set->name);

        if (si == NFT_NO_INDEX)
                return -ESTALE;
        rs->sets[si].n_elems = 0;
        rs->sets[si].elems_complete = false;
        if (!set_dumped(set))
                return 0;
        _cleanup_(writer_free_buf) Writer w = { .rs = rs, .size = 64u * 1024u };
        int r;
        if (!(w.buf = malloc(w.size)))
                return -ENOMEM;
        if ((r = write_set_elems(&w, set)) < 0)
                return r;
        return writer_flush(&w);
}

/* Table TB, unchanged itself, at TI: its changed chains and sets. */
static int follow_table(const NftStore *s, NftRuleset *rs, const StoreTable *tb, uint32_t ti) {
        NftTable *t = &rs->tables[ti];
        int r;

        if (t->n_chains != tb->n_chains)
                return -ESTALE;
        for (size_t j = 0; j < tb->n_chains; j++) {
                const StoreChain *c = tb->chains[j];
                if (strcmp(t->chains[j].name, c->name) != 0)
                        return -ESTALE;
                if (c->rules_changed > s->followed && (r = follow_chain(s, rs, c, &t->chains[j], ti)) < 0)
                        return r;
        }
        for (size_t j = 0; j < tb->n_sets; j++)
                if (tb->sets[j]->elems_changed > s->followed && (r = follow_set(rs, tb->sets[j], ti)) < 0)
                        return r;
        return 0;
}

static bool same_table(const NftTable *t, const StoreTable *tb) {
        return !t->gone && !t->legacy && t->family == tb->family && t->handle == tb->handle &&
               strcmp(t->name, tb->name) == 0;
}

/* RS, built from this store at generation s->followed, brought to the
 * store's generation: tables in the kernel's order (new ones are last),
 * a table whose chains or sets changed built again in its place, rules
 * and elements patched in the others. */
static int follow_patch(NftStore *s, NftRuleset *rs) {
        size_t n_old = rs->n_tables, i = 0;
        int r;

        for (size_t j = 0; j < s->n_tables; j++) {
                const StoreTable *tb = s->tables[j];
                /* tables deleted since (those the store does not have) */
                for (; i < n_old && !same_table(&rs->tables[i], tb); i++) {
                        for (size_t k = j + 1; k < s->n_tables; k++)
                                if (same_table(&rs->tables[i], s->tables[k]))
                                        return -ESTALE;         /* not in the kernel's order */
                        follow_drop_table(rs, (uint32_t) i);
                }
                if (i < n_old) {
                        r = tb->changed > s->followed ? follow_rebuild_table(s, rs, tb, (uint32_t) i)
                                                      : follow_table(s, rs, tb, (uint32_t) i);
                        i++;
                } else
                        r = follow_add_table(s, rs, tb);
                if (r < 0)
                        return r;
        }
        for (; i < n_old; i++)
                follow_drop_table(rs, (uint32_t) i);
        if ((r = nft_ruleset_compact(rs)) < 0)
                return r;
        rs->genid = s->genid;
        rs->have_genid = true;
        return 0;
}

int nft_store_ruleset_follow(NftStore *s, NftRuleset **rs) {
        NftRuleset *fresh = NULL;
        int r;

        if (s->stale)
                return -ESTALE;
        if (s->in_batch)
                return -EBUSY;
        if (*rs && *rs == s->followed_rs && !follow_worn(*rs)) {
                nft_ruleset_drop_legacy(*rs);
                if (s->followed == s->batch)
                        return 0;
                r = follow_patch(s, *rs);
                if (r >= 0) {
                        s->followed = s->batch;
                        return 0;
                }
                /* what cannot be patched (or half patched) is built whole */
        }
        r = nft_store_ruleset(s, &fresh);
        if (r < 0) {
                *rs = nft_ruleset_free(*rs);
                s->followed_rs = NULL;
                return r;
        }
        nft_ruleset_free(*rs);
        *rs = fresh;
        follow_built(s, fresh);
        return 1;
}

/* ---- the rest of the interface ---- */

int nft_store_load(NftStore **ret, NftRuleset **ret_ruleset) {
        _cleanup_(load_state_done) LoadState st = {};
        int r = load_reset(&st);
        if (r < 0)
                return r;
        NftDumpSink sink = { .reset = load_reset, .msgs = load_buf, .userdata = &st };
        if ((r = nft_dump_raw(&sink)) < 0)
                return r;
        return load_finish(&st, ret, ret_ruleset);
}

int nft_store_load_msgs(NftStore **ret, NftRuleset **ret_ruleset, const void *buf, size_t len) {
        _cleanup_(load_state_done) LoadState st = {};
        int r = load_reset(&st);
        if (r == 0)
                r = load_buf(buf, len, &st);
        if (r < 0)
                return r == -ENOMEM || r == -ESTALE ? r : -EBADMSG;
        return load_finish(&st, ret, ret_ruleset);
}

/* The hook number in a stored NEWCHAIN, -1 without one (a regular chain). */
static int stored_chain_hook(const StoreChain *c) {
        NlAttrs t, h;
        uint32_t v;

        if (nl_attr_parse_nfgen(&t, c->msg) < 0)
                return -EBADMSG;
        if (!t.tb[NFTA_CHAIN_HOOK])
                return -1;
        if (nl_attr_parse_nested(&h, t.tb[NFTA_CHAIN_HOOK]) < 0 || nl_attr_be32(h.tb[NFTA_HOOK_HOOKNUM], &v) < 0 ||
            v > INT32_MAX)
                return -EBADMSG;
        return (int) v;
}

int nft_store_chain_hook(const NftStore *s, int family, const char *table, const char *chain) {
        const StoreTable *t = table_find(s, family, table);

        for (size_t i = 0; t && i < t->n_chains; i++)
                if (strcmp(t->chains[i]->name, chain) == 0)
                        return stored_chain_hook(t->chains[i]);
        return -ENOENT;
}

int nft_store_table_sees_input(const NftStore *s, int family, const char *table) {
        const StoreTable *t = table_find(s, family, table);
        int r = 0;

        if (!t)
                return -ENOENT;
        for (size_t i = 0; i < t->n_chains; i++) {
                int hook = stored_chain_hook(t->chains[i]);
                if (hook >= 0 && nft_hook_sees_input(family, hook))
                        return 1;
                if (hook < -1)
                        r = hook;
        }
        return r;
}

uint32_t nft_store_genid(const NftStore *s) {
        return s->genid;
}

bool nft_store_in_batch(const NftStore *s) {
        return s->in_batch;
}

const NftMonitorEvent *nft_store_last_commit(const NftStore *s) {
        return s->have_commit ? &s->last_commit : NULL;
}

void nft_store_stats(const NftStore *s, NftStoreStats *ret) {
        *ret = (NftStoreStats) { .tables = s->n_tables, .exprs = s->n_live_exprs };
        for (size_t i = 0; i < s->n_tables; i++) {
                const StoreTable *t = s->tables[i];
                ret->chains += t->n_chains;
                ret->sets += t->n_sets;
                ret->objects += t->n_objs;
                ret->flowtables += t->n_flowtables;
                for (size_t j = 0; j < t->n_chains; j++) {
                        const StoreChain *c = t->chains[j];
                        ret->rules += c->n_rules;
                        for (uint32_t n = c->first; n != NONE; n = s->nodes[n].next)
                                ret->expr_refs += s->nodes[n].body->n_expr;
                }
                for (size_t j = 0; j < t->n_sets; j++)
                        ret->elems += t->sets[j]->n_elems;
        }
}

NftStore *nft_store_free(NftStore *s) {
        if (!s)
                return NULL;
        scratch_drop(s);
        for (size_t i = 0; i < s->n_tables; i++)
                table_free(s->tables[i]);
        free(s->tables);
        /* released nodes have no body */
        for (size_t i = 0; i < s->n_nodes; i++)
                free(s->nodes[i].body);
        free(s->nodes);
        free(s->handle_index);
        for (size_t i = 0; i < s->n_exprs; i++)
                free(s->exprs[i]);
        free(s->exprs);
        free(s->free_exprs);
        free(s->expr_index);
        free(s->waiting);
        free(s);
        return NULL;
}

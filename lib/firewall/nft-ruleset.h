/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The nftables ruleset as the kernel holds it: tables, chains, rules with
 * their expressions, sets and (for small sets) their elements, read over
 * netlink.  The decoder (nft_ruleset_parse_msgs, nft-decode.c) is separate
 * from the socket I/O (nft_dump_raw and nft_ruleset_read, nft-read.c) so
 * that captured dump bytes can be replayed without root.
 *
 * Memory matters (the target is a 100,000-rule ruleset in 16 MB): no
 * libnftnl object stays alive; every expression is a 12-byte NftExpr in one
 * array, and every variable-sized datum (compared values, masks, names of
 * jump targets, counters) lives in one byte pool, addressed by offset.
 * Offset 0 of the pool means "none".
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xt.h"

/* Register numbers are stored as the kernel's 32-bit word index into struct
 * nft_regs (NFT_REG_1 is word 4, NFT_REG32_00 also word 4, NFT_REG_4 is
 * word 16, NFT_REG32_15 is word 19); word 0 is the verdict register. */
#define NFT_REGS_WORDS 20u
#define NFT_REG_WORD_VERDICT 0u
#define NFT_REG_WORD_NONE 0xffu

/* Largest datum the kernel accepts in a register or a set key/data
 * (NFT_DATA_VALUE_MAXLEN). */
#define NFT_DATA_MAXLEN 64u

/* Named sets with at most this many elements are read whole; larger ones
 * are asked one element at a time (nft_set_lookup_live), and so are named
 * sets with timeouts (NFT_SET_TIMEOUT) or updated from the packet path
 * (NFT_SET_EVAL, or named by a rule's dynset: `add @set`, `update @set`),
 * whose elements change without a new generation. */
#define NFT_SMALL_SET_MAX 256u

/* Dumps whose generation changed underneath are retried this many times
 * before nft_ruleset_read() gives up with -EAGAIN. */
#define NFT_DUMP_RETRIES 8u

typedef enum NftExprKind {
        NFT_EXPR_UNKNOWN,       /* name kept in other.name; outcome undefined */
        NFT_EXPR_PAYLOAD,       /* load */
        NFT_EXPR_PAYLOAD_SET,   /* mangle */
        NFT_EXPR_CMP,
        NFT_EXPR_RANGE,
        NFT_EXPR_BITWISE,
        NFT_EXPR_BYTEORDER,
        NFT_EXPR_META,          /* load */
        NFT_EXPR_META_SET,
        NFT_EXPR_CT,            /* load */
        NFT_EXPR_CT_SET,
        NFT_EXPR_LOOKUP,
        NFT_EXPR_IMMEDIATE,     /* data or verdict */
        NFT_EXPR_COUNTER,
        NFT_EXPR_LOG,
        NFT_EXPR_LIMIT,
        NFT_EXPR_QUOTA,
        NFT_EXPR_CONNLIMIT,
        NFT_EXPR_NUMGEN,
        NFT_EXPR_HASH,
        NFT_EXPR_REJECT,
        NFT_EXPR_NAT,           /* snat/dnat */
        NFT_EXPR_REDIR,
        NFT_EXPR_MASQ,
        NFT_EXPR_NOTRACK,
        NFT_EXPR_FIB,
        NFT_EXPR_DYNSET,
        NFT_EXPR_OBJREF,
        NFT_EXPR_QUEUE,
        NFT_EXPR_LAST,
        NFT_EXPR_NOOP,          /* no effect on the verdict: dup, flow offload; name kept */
        /* Known to exist, not modelled: they write an unknown value into
         * other.dreg (when set) and never end evaluation themselves. */
        NFT_EXPR_OPAQUE_LOAD,
        /* Known to exist, not modelled, may change the packet's fate
         * (tproxy, synproxy, fwd, inner, ...). */
        NFT_EXPR_OPAQUE,
        /* iptables-nft's compat `match` / `target` (and the matches and
         * targets of iptables-legacy rules), decoded: xt.index into
         * NftRuleset.xt_matches / xt_targets.  Extensions the xt decoders
         * do not know are kept there as XTM_UNKNOWN / XTT_UNKNOWN. */
        NFT_EXPR_XT_MATCH,
        NFT_EXPR_XT_TARGET,
        _NFT_EXPR_KIND_MAX,
} NftExprKind;

/* flags of NftExpr.lookup / dynset / limit / quota / connlimit */
#define NFT_EXPR_F_INVERT 0x01u
#define NFT_EXPR_F_CHAIN_RESOLVED 0x04u /* immediate: chain is a chain index */
/* dynset: its operation (NFT_DYNSET_OP_*) and how many expressions it
 * carries for each element (a meter's limit, a counter); those follow it
 * in the rule's expression list and belong to it */
#define NFT_DYNSET_OP(x) (((x)->dynset.flags >> 4) & 3u)
#define NFT_DYNSET_N_EXPRS(x) ((x)->dynset.flags >> 6)

/*
 * One expression in 12 bytes.  Every member starts with `kind`; offsets
 * named *_off point into NftRuleset.pool; `set` is an index into
 * NftRuleset.sets (UINT32_MAX: no such set, name in set_name_off).
 */
typedef union NftExpr {
        uint8_t kind;
        struct { uint8_t kind, dreg, len, base; uint32_t offset; } payload;
        struct { uint8_t kind, sreg, len, base; uint32_t offset; } payload_set;
        struct { uint8_t kind, sreg, len, op; uint32_t data_off; } cmp;
        /* from at from_off, to right after it (same len) */
        struct { uint8_t kind, sreg, len, op; uint32_t from_off; } range;
        /* NFT_BITWISE_BOOL: mask at data_off, xor at data_off + len;
         * shifts: a 4-byte host-order amount at data_off */
        struct { uint8_t kind, sreg, dreg, len; uint32_t data_off; uint8_t op; } bitwise;
        struct { uint8_t kind, sreg, dreg, len; uint8_t op, size; } byteorder;
        struct { uint8_t kind, dreg; uint8_t key; } meta;
        struct { uint8_t kind, sreg; uint8_t key; } meta_set;
        struct { uint8_t kind, dreg, dir; uint8_t key; } ct;
        struct { uint8_t kind, sreg, dir; uint8_t key; } ct_set;
        struct { uint8_t kind, sreg, dreg, flags; uint32_t set, set_name_off; } lookup;
        /* dreg == NFT_REG_WORD_VERDICT: verdict in code, jump target in
         * chain (index into the rule's table's chains when
         * NFT_EXPR_F_CHAIN_RESOLVED, else a pool offset of its name, 0 for
         * none); else len bytes at data_off */
        struct { uint8_t kind, dreg, len, flags; uint32_t data_off; uint32_t chain; } immediate;
        struct { uint8_t kind; uint32_t data_off; } counter;    /* u64 packets, u64 bytes */
        struct { uint8_t kind; uint32_t prefix_off; } log;
        /* u64 rate, u64 unit (seconds), u32 burst at data_off */
        struct { uint8_t kind, type, flags; uint32_t data_off; } limit;
        struct { uint8_t kind, flags; uint32_t data_off; } quota;       /* u64 bytes, u64 consumed */
        struct { uint8_t kind, flags; uint32_t count; } connlimit;
        struct { uint8_t kind, dreg, type; uint32_t modulus; } numgen;
        struct { uint8_t kind, dreg, type; uint32_t modulus; } hash;
        struct { uint8_t kind, type, code; } reject;
        struct { uint8_t kind, type, family, flags;
                 uint8_t reg_addr_min, reg_addr_max, reg_proto_min, reg_proto_max; } nat;
        struct { uint8_t kind, flags, reg_proto_min, reg_proto_max; } redir;   /* also masq */
        struct { uint8_t kind, dreg, result; uint32_t flags; } fib;
        struct { uint8_t kind, sreg_key, sreg_data, flags; uint32_t set, set_name_off; } dynset;
        struct { uint8_t kind, type; uint32_t name_off; } objref;
        struct { uint8_t kind, flags; uint16_t num; } queue;
        struct { uint8_t kind; uint32_t index; } xt;
        /* UNKNOWN, NOOP, OPAQUE*: name as the kernel calls it ("tproxy") */
        struct { uint8_t kind, dreg; uint32_t name_off; } other;
} NftExpr;

_Static_assert(sizeof(NftExpr) == 12, "NftExpr must stay 12 bytes");

typedef struct NftRule {
        uint64_t handle;
        uint32_t expr;          /* index of its first entry in NftRuleset.expr_refs */
        uint32_t n_expr;
        uint32_t comment_off;   /* the rule's comment (from its userdata), 0: none */
        /* The rule begins `meta nfproto` into register word nfproto_reg,
         * then `cmp eq` of that byte with NFPROTO_* nfproto (what nft
         * writes for `ip ...` and `ip6 ...` in an inet table); 0: it does
         * not.  Lets a walk pass a rule of the other family without
         * reading its expressions (nft_rule_family_set()). */
        uint8_t nfproto, nfproto_reg;
        /* On the first rule of a run of rules with the same nonzero
         * nfproto and nfproto_reg: how many (at most UINT16_MAX; a longer
         * run goes on with another); 0 on the others
         * (nft_chain_rule_appended()). */
        uint16_t run;
} NftRule;

typedef struct NftChain {
        char *name;
        uint64_t handle;
        uint32_t table;         /* index into NftRuleset.tables */
        int hook;               /* NF_INET_* / NF_NETDEV_INGRESS; -1: not a base chain */
        int32_t priority;
        int policy;             /* NF_ACCEPT or NF_DROP (base chains) */
        char *type;             /* "filter", "nat", "route"; NULL for regular chains */
        char **devices;         /* NULL-terminated, netdev/ingress base chains; else NULL */
        uint32_t flags;
        NftRule *rules;
        size_t n_rules, allocated_rules;
        size_t run_head;        /* the first rule of the last rule's run */
} NftChain;

typedef struct NftTable {
        int family;             /* NFPROTO_* */
        /* an iptables-legacy (x_tables) table converted by
         * nft_ruleset_add_legacy(): its chains' handles are 0, its rules'
         * handles their 1-based position in the chain (`iptables -D CHAIN
         * N`, `--line-numbers`) */
        bool legacy;
        bool gone;              /* nft_store_ruleset_follow() only, while it works */
        char *name;
        uint64_t handle;
        uint32_t flags;         /* NFT_TABLE_F_DORMANT: no chain of it runs */
        NftChain *chains;
        size_t n_chains, allocated_chains;
} NftTable;

typedef struct NftSetElem {
        uint32_t key_off;       /* set key_len bytes */
        uint32_t key_end_off;   /* 0: none (pipapo ranges have one) */
        uint32_t data_off;      /* map data (data_len bytes), 0: none */
        uint32_t chain_off;     /* verdict maps: jump/goto target name */
        int32_t verdict;        /* verdict maps */
        uint32_t flags;         /* NFT_SET_ELEM_INTERVAL_END */
} NftSetElem;

typedef struct NftSet {
        uint32_t table;         /* index into NftRuleset.tables */
        char *name;
        uint64_t handle;
        uint32_t id;
        uint32_t flags;         /* NFT_SET_* */
        uint32_t key_type, key_len;
        uint32_t data_type, data_len;   /* maps; data_type NFT_DATA_VERDICT for vmaps */
        uint32_t n_concat;      /* fields of a concatenated key, 0: not given */
        uint8_t concat_len[16]; /* their lengths in bytes */
        bool elems_complete;    /* every element is in elems, sorted by key
                                 * (a start before an end of the same key),
                                 * except concatenated intervals: in the
                                 * order they were added, as nft lists them */
        /* a decoded rule's dynset names it (`add @set`, `update @set`):
         * the packet path adds to it, its elements are never kept */
        bool updated_by_rule;
        bool gone;              /* nft_store_ruleset_follow() only, while it works */
        NftSetElem *elems;
        size_t n_elems, allocated_elems;
} NftSet;

typedef struct NftRuleset {
        uint32_t genid;
        bool have_genid;
        NftTable *tables;
        size_t n_tables, allocated_tables;
        NftSet *sets;
        size_t n_sets, allocated_sets;
        /* Expressions are stored once: rules of a large ruleset repeat the
         * same ones (meta l4proto, cmp eq tcp, accept...).  A rule is a run
         * of indices into exprs; equal data in the pool is stored once. */
        NftExpr *exprs;
        size_t n_exprs, allocated_exprs;
        uint32_t *expr_refs;
        size_t n_expr_refs, allocated_expr_refs;
        uint8_t *pool;
        size_t pool_len, pool_allocated;
        /* decoded x_tables extensions (NFT_EXPR_XT_*), stored once each;
         * their strings and addresses live in xt_pool */
        XtMatch *xt_matches;
        size_t n_xt_matches, allocated_xt_matches;
        XtTarget *xt_targets;
        size_t n_xt_targets, allocated_xt_targets;
        XtPool xt_pool;
        uint32_t *xt_match_index, *xt_target_index;
        size_t xt_match_index_size, xt_target_index_size;
        /* open-addressing indexes for that (entries + 1; 0: empty) */
        uint32_t *expr_index, *pool_index;
        size_t expr_index_size, n_expr_indexed, pool_index_size, n_pool_indexed;
        /* decoder state: where the last rule went (dumps are in chain
         * order), whether a GETSETELEM request's replies are being
         * received (up to NLMSG_DONE), and the set they are kept for
         * (NFT_NO_INDEX: none, or one whose elements are not kept) */
        uint32_t last_table, last_chain;
        bool setelem_request_open;
        uint32_t pending_set;
        /* kept up to date by nft_store_ruleset_follow(): the entries of
         * expr_refs no rule uses any more, and the sizes when it was last
         * built whole (what grows without bound is rebuilt) */
        size_t garbage_refs;
        size_t built_exprs, built_pool;
} NftRuleset;

NftRuleset *nft_ruleset_new(void);
NftRuleset *nft_ruleset_free(NftRuleset *rs);
static inline void nft_ruleset_freep(NftRuleset **rs) {
        nft_ruleset_free(*rs);
}

/* Consumes the netlink messages of one or more nftables dumps (NEWGEN,
 * NEWTABLE, NEWCHAIN, NEWSET, NEWSETELEM, NEWRULE, whatever their flags;
 * empty ERROR acks, objects, flowtables and the other requests sent are
 * skipped).  Tables must come before their chains, chains before their
 * rules, sets before rules that use them, as nft_dump_raw() orders them.
 * The stream may also hold the GETSETELEM dump requests that were sent
 * (NLM_F_REQUEST set): a request followed by its replies up to NLMSG_DONE
 * marks that set's elements complete (NftSet.elems_complete), which is how
 * a capture records "this is every element".  Elements are kept only
 * there, as an NftStore keeps them: NEWSETELEM outside its own set's
 * request (none open, or another set's) is decoded and dropped, and so
 * are the elements of a set whose contents change without a new
 * generation (a named set with NFT_SET_TIMEOUT or NFT_SET_EVAL, or a set
 * a decoded rule's dynset names: NftSet.updated_by_rule), which
 * nft_dump_raw() does not ask for.  A request while another's replies are
 * still open is malformed (a dump answers one request at a time).
 * Returns 0, -EBADMSG on a malformed message, -ESTALE for a chain, set,
 * element or rule of a table, chain or set not seen before (in a live
 * dump: the ruleset changed in between), the error of an NLMSG_ERROR, or
 * -ENOMEM. */
int nft_ruleset_parse_msgs(NftRuleset *rs, const void *buf, size_t len);

/* Receives the raw bytes of a consistent dump; `reset` is called before a
 * retry (the generation changed), `msgs` with each received buffer. */
typedef struct NftDumpSink {
        int (*reset)(void *userdata);
        int (*msgs)(const void *buf, size_t len, void *userdata);
        void *userdata;
} NftDumpSink;

/* Dumps the ruleset of the caller's network namespace into `sink`:
 * GETGEN, tables, chains, sets, objects, flowtables, rules, the elements of
 * anonymous sets and of named sets of at most NFT_SMALL_SET_MAX elements
 * (without timeouts or packet-path updates), GETGEN; retried while
 * the generation changes or the kernel flags a dump interrupted
 * (NLM_F_DUMP_INTR) or the decoder finds a dangling reference (-ESTALE),
 * at most NFT_DUMP_RETRIES times (then -EAGAIN).
 * Needs CAP_NET_ADMIN.  Returns 0 or a negative errno. */
int nft_dump_raw(const NftDumpSink *sink);

/* nft_dump_raw() into a new NftRuleset. */
int nft_ruleset_read(NftRuleset **ret);

/* Appends an iptables-legacy table as an NftTable with `legacy` set (of
 * family NFPROTO_IPV4 or NFPROTO_IPV6, the hooks' chains as base chains at
 * the x_tables priorities: raw -300, mangle -150, nat -100/100, filter 0,
 * security 50): each rule becomes native expressions for its header
 * (addresses with their masks, interfaces with '+' wildcards, protocol,
 * fragments, each with its inversion), NFT_EXPR_XT_MATCH for its matches
 * and a native verdict (accept, drop, queue, return, jump, goto) or
 * NFT_EXPR_XT_TARGET.  A comment match becomes the rule's comment.
 * At equal priority the kernel runs the hook registered last first
 * (nf_hook_entries_grow()); an x_tables table registers its hooks when it
 * is first used in the namespace, which cannot be read back: appended
 * after the nftables tables, legacy chains count as registered later.
 * (nft-legacy.c)  Returns 0 or, adding no table or rule to RS:
 *   -EAFNOSUPPORT  T's family is neither NFPROTO_IPV4 nor NFPROTO_IPV6;
 *   -EOPNOTSUPP    T is not one of the tables x_tables has hooks for (raw,
 *                  mangle, nat, filter, security): its priorities are not
 *                  known (xt_legacy_table_parse() takes any name);
 *   -EBADMSG       a rule or chain refers to a match, rule or chain T does
 *                  not hold, or has a verdict x_tables does not have;
 *   -ENOMEM. */
typedef struct XtLegacyTable XtLegacyTable;
int nft_ruleset_add_legacy(NftRuleset *rs, const XtLegacyTable *t);

/* Removes the tables nft_ruleset_add_legacy() appended (they are the
 * last ones) and the expression references their rules added, so that
 * the nftables part can be brought up to date and legacy tables added
 * again. */
void nft_ruleset_drop_legacy(NftRuleset *rs);

static inline const XtMatch *nft_expr_xt_match(const NftRuleset *rs, const NftExpr *e) {
        return e->kind == NFT_EXPR_XT_MATCH && e->xt.index < rs->n_xt_matches ? &rs->xt_matches[e->xt.index] : NULL;
}

static inline const XtTarget *nft_expr_xt_target(const NftRuleset *rs, const NftExpr *e) {
        return e->kind == NFT_EXPR_XT_TARGET && e->xt.index < rs->n_xt_targets ? &rs->xt_targets[e->xt.index] : NULL;
}

const NftTable *nft_ruleset_find_table(const NftRuleset *rs, int family, const char *name);
const NftChain *nft_table_find_chain(const NftTable *t, const char *name);
const NftSet *nft_ruleset_find_set(const NftRuleset *rs, uint32_t table, const char *name);

static inline const void *nft_pool(const NftRuleset *rs, uint32_t off) {
        return off ? rs->pool + off : NULL;
}

/* The i-th expression of a rule. */
static inline const NftExpr *nft_rule_expr(const NftRuleset *rs, const NftRule *rule, uint32_t i) {
        return &rs->exprs[rs->expr_refs[rule->expr + i]];
}

/* The chain a rule belongs to, found by address. */
const NftChain *nft_rule_chain(const NftRuleset *rs, const NftRule *rule, const NftTable **ret_table);

const char *nft_family_name(int family);       /* "inet", "ip", "ip6", ... */
const char *nft_hook_name(int family, int hook);

/* ---- rendering (nft-render.c) ---- */

/* The rule as `nft list ruleset` prints it (without the handle), e.g.
 * "ip saddr 192.0.2.0/24 tcp dport 22 drop".  Forms nft would print
 * differently from what is understood here fall back to a bracketed
 * expression listing, e.g. "[unknown foo]".  Returns a malloc()ed string
 * or NULL on ENOMEM. */
char *nft_rule_render(const NftRuleset *rs, const NftTable *table, const NftRule *rule);
/* The same without the counters' values, as `nft -s` prints it: what the
 * evidence of a finding carries (a counter changes with every packet). */
char *nft_rule_render_stateless(const NftRuleset *rs, const NftTable *table, const NftRule *rule);

/* `nft list ruleset`-like listing of everything, with "# handle N". */
int nft_ruleset_render(const NftRuleset *rs, FILE *f);

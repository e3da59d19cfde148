/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * iptables-legacy tables in the nftables model: every x_tables table
 * becomes an NftTable (flagged `legacy`) whose hook chains are base chains
 * at the priorities x_tables registers them with, so that the one
 * evaluator runs them interleaved with the nftables base chains of the
 * same hooks, exactly as the kernel does (both sit in the same
 * nf_hook_entries, ordered by priority).
 *
 * A rule's header match (ip_packet_match(), ip6_packet_match() in
 * net/ipv{4,6}/netfilter/ip{,6}_tables.c) is written as the native
 * expressions that test the same thing; its matches and its target stay
 * x_tables extensions (NFT_EXPR_XT_*), judged by xt-eval.c.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* glibc first: its headers tell the uapi ones not to redefine in_addr */
#include <netinet/in.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include "macro.h"
#include "nft-internal.h"
#include "nft-ruleset.h"
#include "xt-legacy.h"
#include "xt.h"

#define REG 4u  /* NFT_REG_1's first word: every synthesized load uses it */

/* The hook priorities of the x_tables tables (NF_IP_PRI_* in
 * include/uapi/linux/netfilter_ipv4.h, NF_IP6_PRI_* alike): nat's
 * destination manipulation at prerouting (and output), its source
 * manipulation at input (and postrouting). */
static const struct {
        const char *name;
        int32_t priority, nat_src_priority;
        const char *type;
} table_kinds[] = {
        { "raw", -300, -300, "filter" },
        { "mangle", -150, -150, "filter" },
        { "nat", -100, 100, "nat" },
        { "filter", 0, 0, "filter" },
        { "security", 50, 50, "filter" },
};

static bool all_bytes(const uint8_t *d, size_t len, uint8_t v) {
        for (size_t i = 0; i < len; i++)
                if (d[i] != v)
                        return false;
        return true;
}

static int append(NftRuleset *rs, const NftExpr *x) {
        return nft_expr_append(rs, x);
}

static int append_cmp(NftRuleset *rs, bool invert, const void *data, size_t len) {
        NftExpr x;
        memset(&x, 0, sizeof(x));
        x.cmp.kind = NFT_EXPR_CMP;
        x.cmp.sreg = REG;
        x.cmp.len = (uint8_t) len;
        x.cmp.op = invert ? NFT_CMP_NEQ : NFT_CMP_EQ;
        if (!(x.cmp.data_off = nft_pool_add_dedup(rs, data, len)))
                return -ENOMEM;
        return append(rs, &x);
}

/* REG = REG & mask (xor zero), len bytes. */
static int append_mask(NftRuleset *rs, const uint8_t *mask, size_t len) {
        uint8_t both[2 * 16] = { 0 };
        NftExpr x;

        memcpy(both, mask, len);
        memset(&x, 0, sizeof(x));
        x.bitwise.kind = NFT_EXPR_BITWISE;
        x.bitwise.sreg = x.bitwise.dreg = REG;
        x.bitwise.len = (uint8_t) len;
        x.bitwise.op = NFT_BITWISE_BOOL;
        if (!(x.bitwise.data_off = nft_pool_add_dedup(rs, both, 2 * len)))
                return -ENOMEM;
        return append(rs, &x);
}

static int append_payload(NftRuleset *rs, uint32_t offset, size_t len) {
        NftExpr x;
        memset(&x, 0, sizeof(x));
        x.payload.kind = NFT_EXPR_PAYLOAD;
        x.payload.dreg = REG;
        x.payload.len = (uint8_t) len;
        x.payload.base = NFT_PAYLOAD_NETWORK_HEADER;
        x.payload.offset = offset;
        return append(rs, &x);
}

static int append_meta(NftRuleset *rs, uint8_t key) {
        NftExpr x;
        memset(&x, 0, sizeof(x));
        x.meta.kind = NFT_EXPR_META;
        x.meta.dreg = REG;
        x.meta.key = key;
        return append(rs, &x);
}

/* (addr & mask) == value, inverted: the kernel compares the masked packet
 * address with the rule's address as stored (iptables stores it masked). */
static int append_addr(NftRuleset *rs, uint32_t offset, size_t len, const uint8_t *addr, const uint8_t *mask,
                       bool invert) {
        int r;
        if (!invert && all_bytes(mask, len, 0) && all_bytes(addr, len, 0))
                return 0;
        if ((r = append_payload(rs, offset, len)) < 0)
                return r;
        if (!all_bytes(mask, len, 0xff) && (r = append_mask(rs, mask, len)) < 0)
                return r;
        return append_cmp(rs, invert, addr, len);
}

/* ifname_compare_aligned(): the name compared under its mask, which covers
 * the name and its NUL ("eth0") or only the prefix ("eth+" is "eth"). */
static int append_iface(NftRuleset *rs, uint8_t key, const char *name, const uint8_t *mask, bool invert) {
        uint8_t n[XT_LEGACY_IFNAMSIZ] = { 0 };
        size_t k = 0;
        int r;

        if (!invert && all_bytes(mask, XT_LEGACY_IFNAMSIZ, 0))
                return 0;
        memcpy(n, name, strnlen(name, XT_LEGACY_IFNAMSIZ));
        if ((r = append_meta(rs, key)) < 0)
                return r;
        while (k < XT_LEGACY_IFNAMSIZ && mask[k] == 0xff)
                k++;
        if (k > 0 && all_bytes(mask + k, XT_LEGACY_IFNAMSIZ - k, 0))
                return append_cmp(rs, invert, n, k);    /* as iptables-nft writes it */
        for (size_t i = 0; i < XT_LEGACY_IFNAMSIZ; i++)
                n[i] &= mask[i];
        if ((r = append_mask(rs, mask, XT_LEGACY_IFNAMSIZ)) < 0)
                return r;
        return append_cmp(rs, invert, n, XT_LEGACY_IFNAMSIZ);
}

static int append_header(NftRuleset *rs, int family, const XtLegacyRule *rule) {
        bool v6 = family == NFPROTO_IPV6;
        size_t alen = v6 ? 16 : 4;
        uint8_t inv = rule->invflags;
        int r;

        /* IPT_INV_* and IP6T_INV_* share their values for these */
        if ((r = append_addr(rs, v6 ? 8 : 12, alen, rule->src, rule->smsk, inv & IPT_INV_SRCIP)) < 0 ||
            (r = append_addr(rs, v6 ? 24 : 16, alen, rule->dst, rule->dmsk, inv & IPT_INV_DSTIP)) < 0 ||
            (r = append_iface(rs, NFT_META_IIFNAME, rule->iniface, rule->iniface_mask, inv & IPT_INV_VIA_IN)) < 0 ||
            (r = append_iface(rs, NFT_META_OIFNAME, rule->outiface, rule->outiface_mask, inv & IPT_INV_VIA_OUT)) < 0)
                return r;
        if (v6) {
                /* ipv6_find_hdr()'s upper-layer protocol; 0 is "all" */
                if ((rule->flags & IP6T_F_PROTO) && rule->proto != 0) {
                        uint8_t p = (uint8_t) rule->proto;
                        if ((r = append_meta(rs, NFT_META_L4PROTO)) < 0 ||
                            (r = append_cmp(rs, inv & IP6T_INV_PROTO, &p, 1)) < 0)
                                return r;
                }
                return 0;
        }
        if (rule->proto != 0) {
                uint8_t p = (uint8_t) rule->proto;
                if ((r = append_payload(rs, 9, 1)) < 0 || (r = append_cmp(rs, inv & IPT_INV_PROTO, &p, 1)) < 0)
                        return r;
        }
        /* -f: the rule fails when ((-f && !fragment) ^ invert) */
        bool frag = rule->flags & IPT_F_FRAG, finv = inv & IPT_INV_FRAG;
        if (frag || finv) {
                static const uint8_t offset_mask[2] = { 0x1f, 0xff }, zero[2] = { 0, 0 };
                if ((r = append_payload(rs, 6, 2)) < 0 || (r = append_mask(rs, offset_mask, 2)) < 0)
                        return r;
                if (frag)       /* -f: a later fragment; ! -f: not one */
                        return append_cmp(rs, !finv, zero, 2);
                /* inverted without -f: never */
                if ((r = append_cmp(rs, false, zero, 2)) < 0)
                        return r;
                return append_cmp(rs, true, zero, 2);
        }
        return 0;
}

static int append_verdict(NftRuleset *rs, int32_t verdict, uint32_t chain) {
        NftExpr x;
        memset(&x, 0, sizeof(x));
        x.immediate.kind = NFT_EXPR_IMMEDIATE;
        x.immediate.dreg = NFT_REG_WORD_VERDICT;
        x.immediate.data_off = (uint32_t) verdict;
        if (verdict == NFT_JUMP || verdict == NFT_GOTO) {
                x.immediate.chain = chain;
                x.immediate.flags = NFT_EXPR_F_CHAIN_RESOLVED;
        }
        return append(rs, &x);
}

static int append_rule(NftRuleset *rs, const XtLegacyTable *t, const XtLegacyRule *rule, NftRule *ret) {
        NftRule out = { .handle = rule->position, .expr = (uint32_t) rs->n_expr_refs };
        size_t first = rs->n_expr_refs;
        NftExpr x;
        int r;

        if ((r = append_header(rs, t->family, rule)) < 0)
                return r;
        for (uint32_t i = 0; i < rule->n_matches; i++) {
                const XtLegacyExt *ext;
                XtMatch m;

                if ((size_t) rule->first_match + i >= t->n_matches)
                        return -EBADMSG;
                ext = &t->matches[rule->first_match + i];
                memset(&m, 0, sizeof(m));
                if ((r = xt_match_decode(&m, &rs->xt_pool, t->family, ext->name, ext->revision,
                                         t->blob + ext->data_off, ext->data_len)) < 0)
                        return r;
                if (m.kind == XTM_COMMENT && !out.comment_off) {
                        /* what iptables-nft keeps as the rule's comment */
                        const char *text = xt_pool_get(&rs->xt_pool, m.u.comment.text_off);
                        if (text && !(out.comment_off = nft_pool_add_dedup(rs, text, strlen(text) + 1)))
                                return -ENOMEM;
                        continue;
                }
                memset(&x, 0, sizeof(x));
                x.xt.kind = NFT_EXPR_XT_MATCH;
                if ((r = nft_xt_match_add(rs, &m, &x.xt.index)) < 0 || (r = append(rs, &x)) < 0)
                        return r;
        }
        switch (rule->verdict) {
        case XT_LEGACY_TARGET: {
                XtTarget tg;
                memset(&tg, 0, sizeof(tg));
                if ((r = xt_target_decode(&tg, &rs->xt_pool, t->family, rule->target.name, rule->target.revision,
                                          t->blob + rule->target.data_off, rule->target.data_len)) < 0)
                        return r;
                memset(&x, 0, sizeof(x));
                x.xt.kind = NFT_EXPR_XT_TARGET;
                if ((r = nft_xt_target_add(rs, &tg, &x.xt.index)) < 0 || (r = append(rs, &x)) < 0)
                        return r;
                break;
        }
        case XT_LEGACY_ACCEPT: r = append_verdict(rs, NF_ACCEPT, 0); break;
        case XT_LEGACY_DROP: r = append_verdict(rs, NF_DROP, 0); break;
        case XT_LEGACY_QUEUE: r = append_verdict(rs, NF_QUEUE, 0); break;
        case XT_LEGACY_RETURN: r = append_verdict(rs, NFT_RETURN, 0); break;
        case XT_LEGACY_JUMP:
                if (rule->jump_chain < 0 || (size_t) rule->jump_chain >= t->n_chains)
                        return -EBADMSG;
                r = append_verdict(rs, rule->goto_chain ? NFT_GOTO : NFT_JUMP, (uint32_t) rule->jump_chain);
                break;
        case XT_LEGACY_CONTINUE: r = 0; break;
        default: r = -EBADMSG; break;
        }
        if (r < 0)
                return r;
        out.n_expr = (uint32_t) (rs->n_expr_refs - first);
        nft_rule_family_set(rs, &out);
        *ret = out;
        return 0;
}

/* Converts T's chains and rules into TBL's chains (of the table that will
 * be rs->tables[rs->n_tables]), KIND's priorities. */
static int legacy_chains_add(NftRuleset *rs, const XtLegacyTable *t, size_t kind, NftTable *tbl) {
        int r;

        if (t->n_chains > 0 && !(tbl->chains = calloc(t->n_chains, sizeof(NftChain))))
                return -ENOMEM;
        tbl->allocated_chains = t->n_chains;
        for (size_t ci = 0; ci < t->n_chains; ci++) {
                const XtLegacyChain *lc = &t->chains[ci];
                NftChain *c = &tbl->chains[tbl->n_chains++];

                *c = (NftChain) {
                        .table = (uint32_t) rs->n_tables,
                        .hook = lc->hook,
                        .policy = lc->policy == XT_LEGACY_DROP ? NF_DROP : NF_ACCEPT,
                };
                if (!(c->name = strdup(lc->name)))
                        return -ENOMEM;
                if (lc->hook >= 0) {
                        bool src = lc->hook == NF_INET_LOCAL_IN || lc->hook == NF_INET_POST_ROUTING;
                        c->priority = src ? table_kinds[kind].nat_src_priority : table_kinds[kind].priority;
                        if (!(c->type = strdup(table_kinds[kind].type)))
                                return -ENOMEM;
                }
                if (lc->n_rules > 0) {
                        if ((size_t) lc->first_rule + lc->n_rules > t->n_rules)
                                return -EBADMSG;
                        if (!(c->rules = calloc(lc->n_rules, sizeof(NftRule))))
                                return -ENOMEM;
                        c->allocated_rules = lc->n_rules;
                }
                for (uint32_t k = 0; k < lc->n_rules; k++) {
                        if ((r = append_rule(rs, t, &t->rules[lc->first_rule + k], &c->rules[c->n_rules])) < 0)
                                return r;
                        c->n_rules++;
                        nft_chain_rule_appended(c);
                }
        }
        return 0;
}

int nft_ruleset_add_legacy(NftRuleset *rs, const XtLegacyTable *t) {
        _cleanup_(nft_table_free_contents) NftTable tbl = { .family = t->family, .legacy = true };
        size_t kind = SIZE_MAX, first_ref = rs->n_expr_refs;
        int r;

        if (t->family != NFPROTO_IPV4 && t->family != NFPROTO_IPV6)
                return -EAFNOSUPPORT;
        for (size_t i = 0; i < sizeof(table_kinds) / sizeof(table_kinds[0]); i++)
                if (strcmp(table_kinds[i].name, t->name) == 0)
                        kind = i;
        if (kind == SIZE_MAX)
                return -EOPNOTSUPP;     /* a table whose priorities are not known here */
        if (NFT_GROW(rs->tables, rs->n_tables + 1, rs->allocated_tables) < 0)
                return -ENOMEM;
        if (!(tbl.name = strdup(t->name)))
                return -ENOMEM;
        if ((r = legacy_chains_add(rs, t, kind, &tbl)) < 0) {
                rs->n_expr_refs = first_ref;    /* the rules' expressions were appended */
                return r;
        }
        rs->tables[rs->n_tables++] = tbl;
        tbl = (NftTable) {};    /* handed over */
        return 0;
}

void nft_ruleset_drop_legacy(NftRuleset *rs) {
        size_t refs = rs->n_expr_refs;

        while (rs->n_tables > 0 && rs->tables[rs->n_tables - 1].legacy) {
                NftTable *t = &rs->tables[--rs->n_tables];
                for (size_t j = 0; j < t->n_chains; j++)
                        for (size_t k = 0; k < t->chains[j].n_rules; k++)
                                if (t->chains[j].rules[k].expr < refs)
                                        refs = t->chains[j].rules[k].expr;
                nft_table_free_contents(t);
        }
        /* their rules' references were appended after everything else */
        rs->n_expr_refs = refs;
        rs->last_table = rs->last_chain = NFT_NO_INDEX;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * The netlink decoder and the renderer, replaying dumps captured from a real
 * kernel (tests/data/nft/NAME.bin, made from NAME.nft as that file says;
 * NAME.list is what `nft -a list ruleset` printed for it).  No root needed.
 */

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft-eval.h"
#include "nft-ruleset.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must be defined"
#endif

static uint8_t *read_file(const char *name, const char *ext, size_t *ret_len) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/nft/%s.%s", TEST_DATA_DIR, name, ext);
        FILE *f = fopen(path, "re");
        ck_assert_msg(f != NULL, "cannot open %s", path);
        ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
        long len = ftell(f);
        ck_assert_int_ge(len, 0);
        rewind(f);
        uint8_t *buf = malloc((size_t) len + 1);
        ck_assert_ptr_nonnull(buf);
        ck_assert_uint_eq(fread(buf, 1, (size_t) len, f), (size_t) len);
        buf[len] = 0;
        fclose(f);
        *ret_len = (size_t) len;
        return buf;
}

static NftRuleset *load_capture(const char *name) {
        size_t len;
        uint8_t *buf = read_file(name, "bin", &len);
        NftRuleset *rs = nft_ruleset_new();
        ck_assert_ptr_nonnull(rs);
        ck_assert_int_eq(nft_ruleset_parse_msgs(rs, buf, len), 0);
        free(buf);
        return rs;
}

static const NftTable *table(const NftRuleset *rs, int family, const char *name) {
        const NftTable *t = nft_ruleset_find_table(rs, family, name);
        ck_assert_msg(t != NULL, "no table %s", name);
        return t;
}

static const NftChain *chain(const NftTable *t, const char *name) {
        const NftChain *c = nft_table_find_chain(t, name);
        ck_assert_msg(c != NULL, "no chain %s", name);
        return c;
}

static int family_of(const char *s) {
        if (strcmp(s, "inet") == 0) return NFPROTO_INET;
        if (strcmp(s, "ip") == 0) return NFPROTO_IPV4;
        if (strcmp(s, "ip6") == 0) return NFPROTO_IPV6;
        if (strcmp(s, "netdev") == 0) return NFPROTO_NETDEV;
        if (strcmp(s, "bridge") == 0) return NFPROTO_BRIDGE;
        if (strcmp(s, "arp") == 0) return NFPROTO_ARP;
        return -1;
}

/* Every rule nft listed must be in the model, under the same handle, and
 * render to the same text; returns how many were compared. */
static unsigned compare_with_listing(const NftRuleset *rs, const char *name) {
        size_t len;
        char *list = (char *) read_file(name, "list", &len);
        const NftTable *t = NULL;
        const NftChain *c = NULL;
        unsigned compared = 0, rules_in_model = 0;
        char *save = NULL;

        for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                while (*line == '\t' || *line == ' ')
                        line++;
                char fam[16], tname[128], cname[128];
                if (sscanf(line, "table %15s %127s {", fam, tname) == 2) {
                        t = table(rs, family_of(fam), tname);
                        c = NULL;
                        continue;
                }
                if (sscanf(line, "chain %127s {", cname) == 1) {
                        c = chain(t, cname);
                        continue;
                }
                char *h = strstr(line, " # handle ");
                if (!c || !h || strncmp(line, "set ", 4) == 0 || strncmp(line, "map ", 4) == 0 ||
                    strncmp(line, "type ", 5) == 0)
                        continue;
                uint64_t handle = strtoull(h + strlen(" # handle "), NULL, 10);
                *h = 0;
                const NftRule *rule = NULL;
                for (size_t i = 0; i < c->n_rules; i++)
                        if (c->rules[i].handle == handle)
                                rule = &c->rules[i];
                ck_assert_msg(rule != NULL, "no rule with handle %" PRIu64 " in %s", handle, c->name);
                char *text = nft_rule_render(rs, t, rule);
                ck_assert_ptr_nonnull(text);
                ck_assert_str_eq(text, line);
                free(text);
                compared++;
        }
        for (size_t i = 0; i < rs->n_tables; i++)
                for (size_t j = 0; j < rs->tables[i].n_chains; j++)
                        rules_in_model += (unsigned) rs->tables[i].chains[j].n_rules;
        ck_assert_uint_eq(compared, rules_in_model);
        free(list);
        return compared;
}

START_TEST(test_basic_capture_decodes_tables_chains_and_rules) {
        NftRuleset *rs = load_capture("basic");
        ck_assert(rs->have_genid);
        ck_assert_uint_eq(rs->n_tables, 3);

        const NftTable *f = table(rs, NFPROTO_INET, "filter");
        const NftChain *in = chain(f, "input");
        ck_assert_int_eq(in->hook, NF_INET_LOCAL_IN);
        ck_assert_int_eq(in->priority, 0);
        ck_assert_int_eq(in->policy, NF_ACCEPT);
        ck_assert_str_eq(in->type, "filter");
        ck_assert_uint_eq(in->n_rules, 33);
        const NftChain *ssh = chain(f, "ssh");
        ck_assert_int_eq(ssh->hook, -1);
        ck_assert_ptr_null(ssh->type);

        const NftTable *t4 = table(rs, NFPROTO_IPV4, "t4");
        ck_assert_int_eq(chain(t4, "input")->policy, NF_DROP);
        const NftChain *pre = chain(table(rs, NFPROTO_IPV4, "nat"), "pre");
        ck_assert_int_eq(pre->hook, NF_INET_PRE_ROUTING);
        ck_assert_int_eq(pre->priority, -100);
        ck_assert_str_eq(pre->type, "nat");

        /* the first rule: meta l4proto, cmp, payload, cmp, reject */
        const NftRule *r = &in->rules[0];
        ck_assert_uint_eq(r->n_expr, 5);
        NftExpr x[5];
        for (uint32_t i = 0; i < 5; i++)
                x[i] = *nft_rule_expr(rs, r, i);
        ck_assert_int_eq(x[0].kind, NFT_EXPR_META);
        ck_assert_int_eq(x[0].meta.key, NFT_META_L4PROTO);
        ck_assert_int_eq(x[0].meta.dreg, 4);    /* NFT_REG_1 is word 4 */
        ck_assert_int_eq(x[1].kind, NFT_EXPR_CMP);
        ck_assert_int_eq(x[1].cmp.op, NFT_CMP_EQ);
        ck_assert_int_eq(x[1].cmp.len, 1);
        ck_assert_int_eq(*(const uint8_t *) nft_pool(rs, x[1].cmp.data_off), IPPROTO_TCP);
        ck_assert_int_eq(x[2].kind, NFT_EXPR_PAYLOAD);
        ck_assert_int_eq(x[2].payload.base, NFT_PAYLOAD_TRANSPORT_HEADER);
        ck_assert_uint_eq(x[2].payload.offset, 2);
        ck_assert_int_eq(x[2].payload.len, 2);
        ck_assert_int_eq(x[4].kind, NFT_EXPR_REJECT);
        ck_assert_int_eq(x[4].reject.type, NFT_REJECT_ICMPX_UNREACH);

        /* the comment survives */
        bool found = false;
        for (size_t i = 0; i < in->n_rules; i++)
                if (in->rules[i].comment_off && strcmp(nft_pool(rs, in->rules[i].comment_off), "to ssh") == 0)
                        found = true;
        ck_assert(found);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_basic_capture_renders_as_nft_lists_it) {
        NftRuleset *rs = load_capture("basic");
        ck_assert_uint_eq(compare_with_listing(rs, "basic"), 41);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_sets_and_elements_are_decoded) {
        NftRuleset *rs = load_capture("basic");
        const NftTable *f = table(rs, NFPROTO_INET, "filter");
        uint32_t ti = (uint32_t) (f - rs->tables);
        const NftSet *s4 = nft_ruleset_find_set(rs, ti, "s4");
        ck_assert_ptr_nonnull(s4);
        ck_assert(s4->flags & NFT_SET_INTERVAL);
        ck_assert_uint_eq(s4->key_len, 4);
        ck_assert(s4->elems_complete);
        /* 192.0.2.0/24 and 198.51.100.7 as rbtree boundaries, plus the
         * 0.0.0.0 end the kernel keeps */
        ck_assert_uint_eq(s4->n_elems, 5);
        unsigned ends = 0;
        for (size_t i = 0; i < s4->n_elems; i++)
                ends += !!(s4->elems[i].flags & NFT_SET_ELEM_INTERVAL_END);
        ck_assert_uint_eq(ends, 3);

        /* the anonymous verdict map of `tcp dport vmap {...}` */
        const NftSet *map = NULL;
        for (size_t i = 0; i < rs->n_sets; i++)
                if ((rs->sets[i].flags & NFT_SET_MAP) && rs->sets[i].data_type == NFT_DATA_VERDICT)
                        map = &rs->sets[i];
        ck_assert_ptr_nonnull(map);
        ck_assert(map->flags & NFT_SET_ANONYMOUS);
        ck_assert(map->elems_complete);
        ck_assert_uint_eq(map->n_elems, 2);
        bool jump = false;
        for (size_t i = 0; i < map->n_elems; i++)
                if (map->elems[i].verdict == NFT_JUMP)
                        jump = strcmp(nft_pool(rs, map->elems[i].chain_off), "ssh") == 0;
        ck_assert(jump);

        /* the concatenation's field lengths */
        const NftSet *concat = NULL;
        for (size_t i = 0; i < rs->n_sets; i++)
                if (rs->sets[i].key_len == 8)
                        concat = &rs->sets[i];
        ck_assert_ptr_nonnull(concat);
        ck_assert_uint_eq(concat->n_concat, 2);
        ck_assert_uint_eq(concat->concat_len[0], 4);
        ck_assert_uint_eq(concat->concat_len[1], 2);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_large_named_set_is_not_dumped_small_one_is) {
        NftRuleset *rs = load_capture("largeset");
        const NftTable *f = table(rs, NFPROTO_INET, "filter");
        uint32_t ti = (uint32_t) (f - rs->tables);
        const NftSet *big = nft_ruleset_find_set(rs, ti, "big");
        const NftSet *small = nft_ruleset_find_set(rs, ti, "small");
        ck_assert_ptr_nonnull(big);
        ck_assert_ptr_nonnull(small);
        ck_assert(!big->elems_complete);
        ck_assert_uint_eq(big->n_elems, 0);
        ck_assert(small->elems_complete);
        ck_assert_uint_eq(small->n_elems, 2);
        ck_assert_uint_eq(compare_with_listing(rs, "largeset"), 2);

        /* the evaluator asks about the big set, answers the small one
         * itself: 192.0.2.3 is rejected by @small when not in @big, which
         * would drop it; 192.0.2.9 is accepted unless in @big */
        NftProbe p = { .family = AF_INET, .dport = 22, .saddr_known = true, .iifname = "eth0" };
        inet_pton(AF_INET, "192.0.2.3", p.saddr);
        NftEvalResult r;
        nft_eval_probe(rs, &p, NULL, NULL, &r);
        ck_assert_int_eq(r.verdict, NFT_VERDICT_DROP);
        ck_assert(r.mixed_block);
        ck_assert_uint_eq(r.n_blockers, 2);
        ck_assert_uint_eq(r.blockers[0].rule->handle, f->chains[0].rules[0].handle);
        ck_assert_uint_eq(r.blockers[1].rule->handle, f->chains[0].rules[1].handle);
        inet_pton(AF_INET, "192.0.2.9", p.saddr);
        nft_eval_probe(rs, &p, NULL, NULL, &r);
        ck_assert_int_eq(r.verdict, NFT_VERDICT_UNKNOWN);
        ck_assert_uint_eq(r.unknown_rule->handle, f->chains[0].rules[0].handle);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_every_family_is_read) {
        NftRuleset *rs = load_capture("families");
        ck_assert_uint_eq(rs->n_tables, 5);
        const NftChain *in = chain(table(rs, NFPROTO_NETDEV, "edge"), "in");
        ck_assert_int_eq(in->hook, NF_NETDEV_INGRESS);
        ck_assert_ptr_nonnull(in->devices);
        ck_assert_str_eq(in->devices[0], "sgt-d0");
        ck_assert_ptr_null(in->devices[1]);
        ck_assert_ptr_nonnull(nft_ruleset_find_table(rs, NFPROTO_BRIDGE, "br"));
        ck_assert_ptr_nonnull(nft_ruleset_find_table(rs, NFPROTO_ARP, "a"));
        ck_assert(table(rs, NFPROTO_INET, "dormant")->flags & NFT_TABLE_F_DORMANT);
        ck_assert_uint_eq(compare_with_listing(rs, "families"), 3);

        /* ingress on sgt-d0 drops 192.0.2.2; IPv6 meets the ip6 policy */
        NftProbe p = { .family = AF_INET, .dport = 22, .saddr_known = true, .iifname = "sgt-d0" };
        inet_pton(AF_INET, "192.0.2.2", p.saddr);
        NftEvalResult r;
        nft_eval_probe(rs, &p, NULL, NULL, &r);
        ck_assert_int_eq(r.verdict, NFT_VERDICT_DROP);
        ck_assert_str_eq(r.chain->name, "in");
        ck_assert_uint_eq(r.rule->handle, 2);
        p.family = AF_INET6;
        inet_pton(AF_INET6, "2001:db8::2", p.saddr);
        p.dport = 23;
        nft_eval_probe(rs, &p, NULL, NULL, &r);
        ck_assert_int_eq(r.verdict, NFT_VERDICT_DROP);
        ck_assert_str_eq(r.table->name, "f6");
        ck_assert_ptr_null(r.rule);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_stateful_capture_renders_and_is_flagged_rate_limited) {
        NftRuleset *rs = load_capture("stateful");
        ck_assert_uint_eq(compare_with_listing(rs, "stateful"), 12);

        /* the meter, `quota over` and `limit rate over` do not fire for a
         * first packet; `limit rate 1 mbytes/second accept` takes it, and
         * the verdict is marked as depending on rates */
        NftProbe p = { .family = AF_INET, .dport = 22, .saddr_known = true, .iifname = "eth0" };
        inet_pton(AF_INET, "192.0.2.7", p.saddr);
        NftEvalResult r;
        nft_eval_probe(rs, &p, NULL, NULL, &r);
        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
        ck_assert_uint_eq(r.rule->handle, 13);
        ck_assert(r.rate_limited);

        /* the first rule's dynset carries its limit with it */
        const NftChain *in = chain(table(rs, NFPROTO_INET, "filter"), "input");
        const NftRule *meter = &in->rules[0];
        bool seen = false;
        for (uint32_t i = 0; i < meter->n_expr; i++) {
                const NftExpr *x = nft_rule_expr(rs, meter, i);
                if (x->kind != NFT_EXPR_DYNSET)
                        continue;
                ck_assert_uint_eq(NFT_DYNSET_OP(x), NFT_DYNSET_OP_ADD);
                ck_assert_uint_eq(NFT_DYNSET_N_EXPRS(x), 1);
                ck_assert_int_eq(nft_rule_expr(rs, meter, i + 1)->kind, NFT_EXPR_LIMIT);
                seen = true;
        }
        ck_assert(seen);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_truncated_and_corrupt_input_is_refused) {
        size_t len;
        uint8_t *buf = read_file("basic", "bin", &len);
        /* every prefix: a clean error or success, never a crash */
        for (size_t cut = 0; cut < len; cut += 7) {
                NftRuleset *rs = nft_ruleset_new();
                int r = nft_ruleset_parse_msgs(rs, buf, cut);
                ck_assert(r == 0 || r == -EBADMSG || r == -ESTALE);
                nft_ruleset_free(rs);
        }
        /* flipped bytes */
        for (size_t i = 0; i < len; i += 13) {
                uint8_t saved = buf[i];
                buf[i] ^= 0x5a;
                NftRuleset *rs = nft_ruleset_new();
                int r = nft_ruleset_parse_msgs(rs, buf, len);
                ck_assert(r <= 0);
                nft_ruleset_free(rs);
                buf[i] = saved;
        }
        free(buf);
}
END_TEST

START_TEST(test_netlink_error_is_returned) {
        uint8_t buf[256] = { 0 };
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = NLMSG_ERROR;
        struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
        e->error = -EPERM;
        NftRuleset *rs = nft_ruleset_new();
        ck_assert_int_eq(nft_ruleset_parse_msgs(rs, buf, nlh->nlmsg_len), -EPERM);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_rule_before_its_chain_is_refused) {
        size_t len;
        uint8_t *buf = read_file("basic", "bin", &len);
        /* find the first NEWRULE message and feed it alone */
        const struct nlmsghdr *nlh = (const struct nlmsghdr *) buf;
        int rem = (int) len;
        for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem))
                if (nlh->nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE))
                        break;
        ck_assert(mnl_nlmsg_ok(nlh, rem));
        NftRuleset *rs = nft_ruleset_new();
        ck_assert_int_eq(nft_ruleset_parse_msgs(rs, nlh, nlh->nlmsg_len), -ESTALE);
        nft_ruleset_free(rs);
        free(buf);
}
END_TEST

/* ../shared/fuzz-findings/nft_monitor-unpadded-last-msg-overread (an
 * outside libFuzzer run): a NEWGEN of nlmsg_len 25 whose last attribute
 * claims 8 bytes where 5 are left; libmnl's walk bounded attributes by the
 * aligned length (28), past the end of the buffer. */
static const uint8_t fuzz_unpadded_newgen[25] = {
        0x19, 0x00, 0x00, 0x00, 0x0f, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x03, 0x00, 0x78,
};

/* One nftables message of TYPE with one attribute ATTR whose header says
 * NLA_LEN and whose payload is PLEN bytes of PAYLOAD; its nlmsg_len ends
 * right after the payload, unpadded.  OUT is zeroed up to the aligned end;
 * returns nlmsg_len. */
static size_t unpadded_msg(uint8_t *out, uint16_t type, int family, uint16_t attr, uint16_t nla_len,
                           const void *payload, size_t plen) {
        struct nlmsghdr *nlh = (struct nlmsghdr *) out;
        struct nfgenmsg *g = (struct nfgenmsg *) (out + NLMSG_HDRLEN);
        struct nlattr *a = (struct nlattr *) (out + NLMSG_HDRLEN + sizeof(*g));

        memset(out, 0, NLMSG_ALIGN(NLMSG_HDRLEN + sizeof(*g) + NLA_HDRLEN + plen));
        nlh->nlmsg_type = (uint16_t) ((NFNL_SUBSYS_NFTABLES << 8) | type);
        g->nfgen_family = (uint8_t) family;
        a->nla_type = attr;
        a->nla_len = nla_len;
        memcpy(a + 1, payload, plen);
        nlh->nlmsg_len = (uint32_t) (NLMSG_HDRLEN + sizeof(*g) + NLA_HDRLEN + plen);
        return nlh->nlmsg_len;
}

/* B (LEN bytes) copied into a buffer of exactly that size, so that ASan
 * sees any read past it, and decoded into a fresh ruleset. */
static int parse_exact(const void *b, size_t len, NftRuleset **ret) {
        uint8_t *copy = malloc(len);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, b, len);
        NftRuleset *rs = nft_ruleset_new();
        ck_assert_ptr_nonnull(rs);
        int r = nft_ruleset_parse_msgs(rs, copy, len);
        free(copy);
        if (ret)
                *ret = rs;
        else
                nft_ruleset_free(rs);
        return r;
}

/* Table "t", chain "c" of family ip and a rule in it of the N
 * expressions X (taken), as one dump decoded. */
static int parse_rule_of(struct nftnl_expr **x, size_t n, NftRuleset **ret) {
        uint8_t *buf = calloc(1, 4096);
        ck_assert_ptr_nonnull(buf);
        size_t len = 0;
        struct nlmsghdr *nlh;

        struct nftnl_table *t = nftnl_table_alloc();
        nftnl_table_set_str(t, NFTNL_TABLE_NAME, "t");
        nlh = nftnl_nlmsg_build_hdr((char *) buf + len, NFT_MSG_NEWTABLE, NFPROTO_IPV4, 0, 1);
        nftnl_table_nlmsg_build_payload(nlh, t);
        len += NLMSG_ALIGN(nlh->nlmsg_len);
        nftnl_table_free(t);

        struct nftnl_chain *c = nftnl_chain_alloc();
        nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, "t");
        nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, "c");
        nlh = nftnl_nlmsg_build_hdr((char *) buf + len, NFT_MSG_NEWCHAIN, NFPROTO_IPV4, 0, 1);
        nftnl_chain_nlmsg_build_payload(nlh, c);
        len += NLMSG_ALIGN(nlh->nlmsg_len);
        nftnl_chain_free(c);

        struct nftnl_rule *r = nftnl_rule_alloc();
        nftnl_rule_set_str(r, NFTNL_RULE_TABLE, "t");
        nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "c");
        nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, 2);
        for (size_t i = 0; i < n; i++)
                nftnl_rule_add_expr(r, x[i]);
        nlh = nftnl_nlmsg_build_hdr((char *) buf + len, NFT_MSG_NEWRULE, NFPROTO_IPV4, 0, 1);
        nftnl_rule_nlmsg_build_payload(nlh, r);
        len += NLMSG_ALIGN(nlh->nlmsg_len);
        nftnl_rule_free(r);

        int ret_r = parse_exact(buf, len, ret);
        free(buf);
        return ret_r;
}

/* The same with one immediate to DREG, carrying verdict NF_DROP or the
 * 4-byte value 0x5f (the fuzzer's "verdict 95"). */
static int parse_immediate_rule(uint32_t dreg, bool verdict, NftRuleset **ret) {
        struct nftnl_expr *e = nftnl_expr_alloc("immediate");
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, dreg);
        if (verdict)
                nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
        else
                nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DATA, 0x5f);
        return parse_rule_of(&e, 1, ret);
}

START_TEST(test_immediate_data_must_fit_its_register_as_the_kernel_checks) {
        NftRuleset *rs = NULL;

        /* nft_validate_register_store(): verdicts to the verdict
         * register, values to the others */
        ck_assert_int_eq(parse_immediate_rule(NFT_REG_VERDICT, true, &rs), 0);
        const NftRule *rule = &table(rs, NFPROTO_IPV4, "t")->chains[0].rules[0];
        const NftExpr *x = nft_rule_expr(rs, rule, 0);
        ck_assert_uint_eq(x->immediate.dreg, NFT_REG_WORD_VERDICT);
        ck_assert_uint_eq(x->immediate.data_off, NF_DROP);
        nft_ruleset_free(rs);

        ck_assert_int_eq(parse_immediate_rule(NFT_REG_1, false, &rs), 0);
        rule = &table(rs, NFPROTO_IPV4, "t")->chains[0].rules[0];
        x = nft_rule_expr(rs, rule, 0);
        ck_assert_uint_eq(x->immediate.dreg, 4);        /* NFT_REG_1 is word 4 */
        ck_assert_uint_eq(x->immediate.len, 4);
        nft_ruleset_free(rs);

        ck_assert_int_eq(parse_immediate_rule(NFT_REG_VERDICT, false, NULL), -EBADMSG);
        ck_assert_int_eq(parse_immediate_rule(NFT_REG_1, true, NULL), -EBADMSG);
}
END_TEST

/* fuzz-nft-store (corpus/nft-store/redirect-port-from-one-byte-immediate):
 * `redirect to :P` reads 2 bytes of a register an immediate of 1 byte
 * filled.  The renderer read the pool byte after the immediate's, so the
 * text depended on what else the pool held; the kernel zeroes the rest of
 * the register's word (nft_data_copy()). */
START_TEST(test_redirect_port_from_a_short_immediate_reads_the_zeroed_word) {
        NftRuleset *rs = NULL;
        struct nftnl_expr *x[2] = { nftnl_expr_alloc("immediate"), nftnl_expr_alloc("redir") };
        uint8_t one = 0x16;

        nftnl_expr_set_u32(x[0], NFTNL_EXPR_IMM_DREG, NFT_REG_1);
        nftnl_expr_set(x[0], NFTNL_EXPR_IMM_DATA, &one, 1);
        nftnl_expr_set_u32(x[1], NFTNL_EXPR_REDIR_REG_PROTO_MIN, NFT_REG_1);
        ck_assert_int_eq(parse_rule_of(x, 2, &rs), 0);
        const NftTable *t = table(rs, NFPROTO_IPV4, "t");
        char *text = nft_rule_render(rs, t, &t->chains[0].rules[0]);
        ck_assert_str_eq(text, "redirect to :5632");     /* 0x16 0x00 */
        free(text);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_fuzz_attribute_past_an_unpadded_message_is_refused) {
        uint32_t buf[32];
        uint8_t *b = (uint8_t *) buf;
        NftRuleset *rs = NULL;

        ck_assert_int_eq(parse_exact(fuzz_unpadded_newgen, sizeof(fuzz_unpadded_newgen), NULL), -EBADMSG);

        /* a table whose name attribute runs into the padding, then
         * NLMSG_DONE: "t" when the padding held a NUL, refused when not —
         * the same bytes decoded differently by what followed them */
        static const uint8_t paddings[][3] = { { 0, 0, 0 }, { 'z', 'z', 'z' } };
        for (size_t i = 0; i < 2; i++) {
                size_t len = unpadded_msg(b, NFT_MSG_NEWTABLE, NFPROTO_IPV4, NFTA_TABLE_NAME, 8, "t", 1);
                ck_assert_uint_eq(len, 25);
                memcpy(b + len, paddings[i], 3);
                struct nlmsghdr *done = mnl_nlmsg_put_header(b + NLMSG_ALIGN(len));
                done->nlmsg_type = NLMSG_DONE;
                mnl_nlmsg_put_extra_header(done, sizeof(int));
                ck_assert_int_eq(parse_exact(b, NLMSG_ALIGN(len) + done->nlmsg_len, &rs), -EBADMSG);
                ck_assert_uint_eq(rs->n_tables, 0);
                rs = nft_ruleset_free(rs);
                /* and as the last message */
                ck_assert_int_eq(parse_exact(b, len, NULL), -EBADMSG);
        }

        /* the last message unpadded but whole: decoded */
        size_t len = unpadded_msg(b, NFT_MSG_NEWTABLE, NFPROTO_IPV4, NFTA_TABLE_NAME, NLA_HDRLEN + 2, "t", 2);
        ck_assert_uint_eq(len % 4, 2);
        ck_assert_int_eq(parse_exact(b, len, &rs), 0);
        ck_assert_ptr_nonnull(nft_ruleset_find_table(rs, NFPROTO_IPV4, "t"));
        nft_ruleset_free(rs);
}
END_TEST

/* Evidence carries no packet counts: `nft -s`'s rendering keeps the
 * counter statement, not its values. */
START_TEST(test_stateless_rendering_drops_counter_values) {
        NftRuleset *rs = load_capture("basic");
        unsigned with_counter = 0;

        ck_assert_ptr_nonnull(rs);
        for (size_t t = 0; t < rs->n_tables; t++)
                for (size_t c = 0; c < rs->tables[t].n_chains; c++)
                        for (size_t r = 0; r < rs->tables[t].chains[c].n_rules; r++) {
                                const NftRule *rule = &rs->tables[t].chains[c].rules[r];
                                char *full = nft_rule_render(rs, &rs->tables[t], rule);
                                char *bare = nft_rule_render_stateless(rs, &rs->tables[t], rule);
                                ck_assert_ptr_nonnull(full);
                                ck_assert_ptr_nonnull(bare);
                                ck_assert_ptr_null(strstr(bare, "counter packets"));
                                if (strstr(full, "counter packets")) {
                                        with_counter++;
                                        ck_assert_ptr_nonnull(strstr(bare, "counter"));
                                } else
                                        ck_assert_str_eq(full, bare);
                                free(full);
                                free(bare);
                        }
        ck_assert_uint_ge(with_counter, 2);
        nft_ruleset_free(rs);
}
END_TEST

static Suite *nft_ruleset_suite(void) {
        Suite *s = suite_create("nft_ruleset");
        TCase *tc = tcase_create("decode");
        tcase_add_test(tc, test_basic_capture_decodes_tables_chains_and_rules);
        tcase_add_test(tc, test_basic_capture_renders_as_nft_lists_it);
        tcase_add_test(tc, test_sets_and_elements_are_decoded);
        tcase_add_test(tc, test_large_named_set_is_not_dumped_small_one_is);
        tcase_add_test(tc, test_every_family_is_read);
        tcase_add_test(tc, test_stateful_capture_renders_and_is_flagged_rate_limited);
        tcase_add_test(tc, test_truncated_and_corrupt_input_is_refused);
        tcase_add_test(tc, test_netlink_error_is_returned);
        tcase_add_test(tc, test_rule_before_its_chain_is_refused);
        tcase_add_test(tc, test_fuzz_attribute_past_an_unpadded_message_is_refused);
        tcase_add_test(tc, test_stateless_rendering_drops_counter_values);
        tcase_add_test(tc, test_immediate_data_must_fit_its_register_as_the_kernel_checks);
        tcase_add_test(tc, test_redirect_port_from_a_short_immediate_reads_the_zeroed_word);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(nft_ruleset_suite());
        srunner_run_all(sr, CK_NORMAL);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed;
}

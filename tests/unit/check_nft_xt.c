/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * x_tables in the nftables model: iptables-nft's compat `match`/`target`
 * expressions decoded from netlink (built with libnftnl as the kernel dumps
 * them) and judged by the evaluator; iptables-legacy tables (captured with
 * tests/tools/xt-legacy-capture) converted into the same model and run
 * interleaved with nftables base chains by priority; dnat to one of the
 * host's own addresses.  No root needed.
 */

/* glibc first: its headers tell the uapi ones not to redefine in_addr */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* net/if.h (through nft-eval.h) before the uapi headers' linux/if.h */
#include "nft-eval.h"
#include "xt-recent.h"
#include "nft-ruleset.h"
#include "xt-legacy.h"
#include "xt.h"

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_recent.h>
#include <linux/netfilter/xt_rpfilter.h>
#include <linux/netfilter/xt_set.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>

/* ---- building a dump (as check_nft_eval.c) ---- */

static uint8_t dump[1 << 18];
static size_t dump_len;
static struct nftnl_rule *cur;
static uint64_t next_handle;

static struct nlmsghdr *msg_begin(uint16_t type, int family) {
        ck_assert_uint_lt(dump_len + 65536, sizeof(dump));
        return nftnl_nlmsg_build_hdr((char *) dump + dump_len, type, (uint16_t) family, NLM_F_MULTI, 1);
}

static void msg_end(struct nlmsghdr *nlh) {
        dump_len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void add_table(int family, const char *name) {
        struct nftnl_table *t = nftnl_table_alloc();
        nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
        nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, (uint32_t) family);
        struct nlmsghdr *nlh = msg_begin(NFT_MSG_NEWTABLE, family);
        nftnl_table_nlmsg_build_payload(nlh, t);
        msg_end(nlh);
        nftnl_table_free(t);
}

static void add_chain(int family, const char *table, const char *name, int hook, int prio, int policy,
                      const char *type) {
        struct nftnl_chain *c = nftnl_chain_alloc();
        nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
        nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
        nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, (uint32_t) family);
        if (hook >= 0) {
                nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t) hook);
                nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
                nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, (uint32_t) policy);
                nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type ? type : "filter");
        }
        struct nlmsghdr *nlh = msg_begin(NFT_MSG_NEWCHAIN, family);
        nftnl_chain_nlmsg_build_payload(nlh, c);
        msg_end(nlh);
        nftnl_chain_free(c);
}

static void rule_begin(int family, const char *table, const char *chain) {
        cur = nftnl_rule_alloc();
        nftnl_rule_set_str(cur, NFTNL_RULE_TABLE, table);
        nftnl_rule_set_str(cur, NFTNL_RULE_CHAIN, chain);
        nftnl_rule_set_u32(cur, NFTNL_RULE_FAMILY, (uint32_t) family);
        nftnl_rule_set_u64(cur, NFTNL_RULE_HANDLE, ++next_handle);
}

static uint64_t rule_end(void) {
        struct nlmsghdr *nlh = msg_begin(NFT_MSG_NEWRULE, (int) nftnl_rule_get_u32(cur, NFTNL_RULE_FAMILY));
        nftnl_rule_nlmsg_build_payload(nlh, cur);
        msg_end(nlh);
        nftnl_rule_free(cur);
        cur = NULL;
        return next_handle;
}

static void x_meta(uint32_t key, uint32_t dreg) {
        struct nftnl_expr *e = nftnl_expr_alloc("meta");
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
        nftnl_rule_add_expr(cur, e);
}

static void x_payload(uint32_t base, uint32_t off, uint32_t len, uint32_t dreg) {
        struct nftnl_expr *e = nftnl_expr_alloc("payload");
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
        nftnl_rule_add_expr(cur, e);
}

static void x_cmp(uint32_t sreg, uint32_t op, const void *data, uint32_t len) {
        struct nftnl_expr *e = nftnl_expr_alloc("cmp");
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
        nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
        nftnl_rule_add_expr(cur, e);
}

static void x_verdict(int verdict) {
        struct nftnl_expr *e = nftnl_expr_alloc("immediate");
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t) verdict);
        nftnl_rule_add_expr(cur, e);
}

static void x_imm(uint32_t dreg, const void *data, uint32_t len) {
        struct nftnl_expr *e = nftnl_expr_alloc("immediate");
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, dreg);
        nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
        nftnl_rule_add_expr(cur, e);
}

/* `-p tcp --dport P` as iptables-nft writes it */
static void x_tcp_dport(uint16_t port) {
        uint8_t tcp = IPPROTO_TCP;
        uint16_t be = htons(port);
        x_meta(NFT_META_L4PROTO, NFT_REG_1);
        x_cmp(NFT_REG_1, NFT_CMP_EQ, &tcp, 1);
        x_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1);
        x_cmp(NFT_REG_1, NFT_CMP_EQ, &be, 2);
}

/* A compat expression with its blob zero-padded to XT_ALIGN(), as the
 * kernel dumps it (nft_match_dump(), nft_target_dump()). */
static void x_compat(bool target, const char *name, uint32_t rev, const void *info, size_t len) {
        size_t aligned = XT_ALIGN(len);
        /* libnftnl keeps (and frees) the blob it is given */
        uint8_t *blob = calloc(1, aligned ? aligned : 1);
        struct nftnl_expr *e = nftnl_expr_alloc(target ? "target" : "match");

        ck_assert_ptr_nonnull(blob);
        if (len)
                memcpy(blob, info, len);
        nftnl_expr_set_str(e, target ? NFTNL_EXPR_TG_NAME : NFTNL_EXPR_MT_NAME, name);
        nftnl_expr_set_u32(e, target ? NFTNL_EXPR_TG_REV : NFTNL_EXPR_MT_REV, rev);
        nftnl_expr_set(e, target ? NFTNL_EXPR_TG_INFO : NFTNL_EXPR_MT_INFO, blob, (uint32_t) aligned);
        nftnl_rule_add_expr(cur, e);
}

static void x_match(const char *name, uint32_t rev, const void *info, size_t len) {
        x_compat(false, name, rev, info, len);
}

static void x_target(const char *name, uint32_t rev, const void *info, size_t len) {
        x_compat(true, name, rev, info, len);
}

static void x_multiport_dports(uint16_t a, uint16_t b) {
        struct xt_multiport_v1 mp = { .flags = XT_MULTIPORT_DESTINATION, .count = 2, .ports = { a, b } };
        x_match("multiport", 1, &mp, sizeof(mp));
}

static void x_ctstate(unsigned state_mask) {
        struct xt_conntrack_mtinfo3 ct = { .match_flags = XT_CONNTRACK_STATE | XT_CONNTRACK_STATE_ALIAS,
                                           .state_mask = (uint16_t) state_mask };
        x_match("conntrack", 3, &ct, sizeof(ct));
}

static void x_reject4(enum ipt_reject_with with) {
        struct ipt_reject_info ri = { .with = with };
        x_target("REJECT", 0, &ri, sizeof(ri));
}

static NftRuleset *parse_dump(void) {
        NftRuleset *rs = nft_ruleset_new();
        ck_assert_ptr_nonnull(rs);
        ck_assert_int_eq(nft_ruleset_parse_msgs(rs, dump, dump_len), 0);
        return rs;
}

static void setup(void) {
        dump_len = 0;
        next_handle = 0;
}

/* ---- probes ---- */

static const uint8_t local4[][16] = { { 192, 0, 2, 1 } };

static NftProbe probe4(const char *saddr, uint16_t dport) {
        NftProbe p = { .family = AF_INET, .dport = dport, .saddr_known = saddr != NULL, .daddr_known = true,
                       .iifname = "eth0", .iif = 2, .local_addrs = local4, .n_local_addrs = 1 };
        if (saddr)
                ck_assert_int_eq(inet_pton(AF_INET, saddr, p.saddr), 1);
        ck_assert_int_eq(inet_pton(AF_INET, "192.0.2.1", p.daddr), 1);
        return p;
}

static NftProbe probe6(const char *saddr, uint16_t dport) {
        NftProbe p = { .family = AF_INET6, .dport = dport, .saddr_known = saddr != NULL, .daddr_known = true,
                       .iifname = "eth0", .iif = 2 };
        if (saddr)
                ck_assert_int_eq(inet_pton(AF_INET6, saddr, p.saddr), 1);
        ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::1", p.daddr), 1);
        return p;
}

static NftEvalResult eval(const NftRuleset *rs, NftProbe p) {
        NftEvalResult r;
        nft_eval_probe(rs, &p, NULL, NULL, &r);
        return r;
}

static void assert_rule(const NftEvalResult *r, NftVerdict v, const char *table, const char *chain, uint64_t handle) {
        ck_assert_str_eq(nft_verdict_name(r->verdict), nft_verdict_name(v));
        ck_assert_ptr_nonnull(r->chain);
        ck_assert_str_eq(r->table->name, table);
        ck_assert_str_eq(r->chain->name, chain);
        if (handle == 0)
                ck_assert_ptr_null(r->rule);
        else {
                ck_assert_ptr_nonnull(r->rule);
                ck_assert_uint_eq(r->rule->handle, handle);
        }
}

/* Blocked on every path: dropped by DROP_HANDLE where the reverse path
 * (or a set) is not known to pass, rejected by REJECT_HANDLE where it is. */
static void assert_mixed(const NftEvalResult *r, uint64_t drop_handle, uint64_t reject_handle) {
        ck_assert_int_eq(r->verdict, NFT_VERDICT_DROP);
        ck_assert(r->mixed_block);
        ck_assert(r->rule_ambiguous);
        ck_assert_uint_eq(r->n_blockers, 2);
        ck_assert_uint_eq(r->blockers[0].rule->handle, drop_handle);
        ck_assert_int_eq(r->blockers[0].verdict, NFT_VERDICT_DROP);
        ck_assert_uint_eq(r->blockers[1].rule->handle, reject_handle);
        ck_assert_int_eq(r->blockers[1].verdict, NFT_VERDICT_REJECT);
}

static void assert_text(const NftRuleset *rs, const NftEvalResult *r, const char *text) {
        char *s = nft_rule_render(rs, r->table, r->rule);
        ck_assert_ptr_nonnull(s);
        ck_assert_str_eq(s, text);
        free(s);
}

static void ip_filter_input(int policy) {
        add_table(NFPROTO_IPV4, "filter");
        add_chain(NFPROTO_IPV4, "filter", "INPUT", NF_INET_LOCAL_IN, 0, policy, NULL);
}

/* ---- iptables-nft compat expressions ---- */

START_TEST(test_compat_match_and_target_decode_into_xt_expressions) {
        ip_filter_input(NF_ACCEPT);
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_multiport_dports(22, 80);
        x_reject4(IPT_TCP_RESET);
        rule_end();
        NftRuleset *rs = parse_dump();
        const NftRule *rule = &rs->tables[0].chains[0].rules[0];
        ck_assert_uint_eq(rule->n_expr, 2);
        const XtMatch *m = nft_expr_xt_match(rs, nft_rule_expr(rs, rule, 0));
        const XtTarget *t = nft_expr_xt_target(rs, nft_rule_expr(rs, rule, 1));
        ck_assert_ptr_nonnull(m);
        ck_assert_ptr_nonnull(t);
        ck_assert_int_eq(m->kind, XTM_MULTIPORT);
        ck_assert_uint_eq(m->u.multiport.count, 2);
        ck_assert_int_eq(t->kind, XTT_REJECT);
        ck_assert_uint_eq(sizeof(NftExpr), 12);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_equal_compat_blobs_are_stored_once) {
        ip_filter_input(NF_ACCEPT);
        for (int i = 0; i < 3; i++) {
                rule_begin(NFPROTO_IPV4, "filter", "INPUT");
                x_ctstate(XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED));
                x_verdict(NF_ACCEPT);
                rule_end();
        }
        NftRuleset *rs = parse_dump();
        ck_assert_uint_eq(rs->n_xt_matches, 1);
        ck_assert_uint_eq(rs->tables[0].chains[0].n_rules, 3);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_multiport_drop_matches_its_ports_only) {
        ip_filter_input(NF_ACCEPT);
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_multiport_dports(22, 2222);
        x_verdict(NF_DROP);
        uint64_t h = rule_end();
        NftRuleset *rs = parse_dump();
        NftEvalResult r = eval(rs, probe4("192.0.2.2", 22));
        assert_rule(&r, NFT_VERDICT_DROP, "filter", "INPUT", h);
        r = eval(rs, probe4("192.0.2.2", 2222));
        assert_rule(&r, NFT_VERDICT_DROP, "filter", "INPUT", h);
        r = eval(rs, probe4("192.0.2.2", 80));
        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
        /* no source needed: the rule reads only the destination port */
        r = eval(rs, probe4(NULL, 22));
        assert_rule(&r, NFT_VERDICT_DROP, "filter", "INPUT", h);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_reject_target_is_a_reject_verdict) {
        ip_filter_input(NF_ACCEPT);
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_tcp_dport(22);
        x_reject4(IPT_ICMP_PORT_UNREACHABLE);
        uint64_t h = rule_end();
        NftRuleset *rs = parse_dump();
        NftEvalResult r = eval(rs, probe4("192.0.2.2", 22));
        assert_rule(&r, NFT_VERDICT_REJECT, "filter", "INPUT", h);
        assert_text(rs, &r, "tcp dport 22 reject");
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_conntrack_new_accept_before_policy_drop) {
        ip_filter_input(NF_DROP);
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_ctstate(XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED) | XT_CONNTRACK_STATE_BIT(IP_CT_RELATED));
        x_verdict(NF_ACCEPT);
        rule_end();
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_tcp_dport(22);
        x_ctstate(XT_CONNTRACK_STATE_BIT(IP_CT_NEW));
        x_verdict(NF_ACCEPT);
        uint64_t h = rule_end();
        NftRuleset *rs = parse_dump();
        NftEvalResult r = eval(rs, probe4("192.0.2.2", 22));
        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
        ck_assert_ptr_nonnull(r.rule);
        ck_assert_uint_eq(r.rule->handle, h);
        r = eval(rs, probe4("192.0.2.2", 23));
        assert_rule(&r, NFT_VERDICT_DROP, "filter", "INPUT", 0);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_mark_target_sets_the_mark_a_later_match_reads) {
        struct xt_mark_tginfo2 set = { .mark = 0x2a, .mask = 0xffffffff };
        struct xt_mark_mtinfo1 is = { .mark = 0x2a, .mask = 0xffffffff };
        add_table(NFPROTO_IPV4, "mangle");
        add_chain(NFPROTO_IPV4, "mangle", "PREROUTING", NF_INET_PRE_ROUTING, -150, NF_ACCEPT, NULL);
        rule_begin(NFPROTO_IPV4, "mangle", "PREROUTING");
        x_tcp_dport(22);
        x_target("MARK", 2, &set, sizeof(set));
        rule_end();
        ip_filter_input(NF_ACCEPT);
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_match("mark", 1, &is, sizeof(is));
        x_verdict(NF_DROP);
        uint64_t h = rule_end();
        NftRuleset *rs = parse_dump();
        NftEvalResult r = eval(rs, probe4("192.0.2.2", 22));
        assert_rule(&r, NFT_VERDICT_DROP, "filter", "INPUT", h);
        r = eval(rs, probe4("192.0.2.2", 80));
        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_limit_match_passes_the_first_packet_rate_limited) {
        struct xt_rateinfo lim = { .avg = XT_LIMIT_SCALE * 20, .burst = 5 };
        ip_filter_input(NF_DROP);
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_tcp_dport(22);
        x_match("limit", 0, &lim, sizeof(lim));
        x_verdict(NF_ACCEPT);
        rule_end();
        NftRuleset *rs = parse_dump();
        NftEvalResult r = eval(rs, probe4("192.0.2.2", 22));
        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
        ck_assert(r.rate_limited);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_addrtype_dst_local_holds_for_the_probe) {
        struct xt_addrtype_info_v1 at = { .dest = XT_ADDRTYPE_LOCAL };
        ip_filter_input(NF_ACCEPT);
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_match("addrtype", 1, &at, sizeof(at));
        x_verdict(NF_DROP);
        uint64_t h = rule_end();
        NftRuleset *rs = parse_dump();
        NftEvalResult r = eval(rs, probe4(NULL, 22));
        assert_rule(&r, NFT_VERDICT_DROP, "filter", "INPUT", h);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_source_port_match_is_judged_for_ephemeral_ports) {
        /* -p tcp --sport 1024:65535 --dport 22 -j DROP; -p tcp --dport 22 -j REJECT */
        struct xt_tcp tcp = { .spts = { 1024, 65535 }, .dpts = { 22, 22 } };
        ip_filter_input(NF_ACCEPT);
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_tcp_dport(22);
        x_match("tcp", 0, &tcp, sizeof(tcp));
        x_verdict(NF_DROP);
        uint64_t h1 = rule_end();
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        struct xt_tcp any_sport = { .spts = { 0, 65535 }, .dpts = { 22, 22 } };
        x_match("tcp", 0, &any_sport, sizeof(any_sport));
        x_reject4(IPT_TCP_RESET);
        uint64_t h2 = rule_end();
        NftRuleset *rs = parse_dump();
        /* ephemeral ports reach the drop, low ones the reject */
        NftEvalResult r = eval(rs, probe4("192.0.2.2", 22));
        assert_rule(&r, NFT_VERDICT_DROP, "filter", "INPUT", h1);
        ck_assert(r.sport_split);
        ck_assert_int_eq(r.sport.verdict, NFT_VERDICT_REJECT);
        ck_assert_uint_eq(r.sport.rule->handle, h2);
        ck_assert_uint_eq(r.sport.n_ranges, 1);
        ck_assert_uint_eq(r.sport.ranges[0][0], 0);
        ck_assert_uint_eq(r.sport.ranges[0][1], 1023);
        NftProbe p = probe4("192.0.2.2", 22);
        p.sport_known = true;
        p.sport = 1023;
        assert_rule((NftEvalResult[]) { eval(rs, p) }, NFT_VERDICT_REJECT, "filter", "INPUT", h2);
        /* a whole-range source port is no condition */
        r = eval(rs, probe4("192.0.2.2", 23));
        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
        ck_assert(!r.sport_split);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_multiport_source_ports_block_only_privileged_ports) {
        /* -p tcp -m multiport --sports 1:1023 -j DROP */
        struct xt_multiport_v1 mp = { .flags = XT_MULTIPORT_SOURCE, .count = 2, .pflags = { 1 }, .ports = { 1, 1023 } };
        ip_filter_input(NF_ACCEPT);
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_match("multiport", 1, &mp, sizeof(mp));
        x_verdict(NF_DROP);
        uint64_t h = rule_end();
        NftRuleset *rs = parse_dump();
        NftEvalResult r = eval(rs, probe4("192.0.2.2", 22));
        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
        ck_assert(r.sport_split);
        ck_assert_int_eq(r.sport.verdict, NFT_VERDICT_DROP);
        ck_assert_uint_eq(r.sport.rule->handle, h);
        ck_assert_uint_eq(r.sport.n_ranges, 1);
        ck_assert_uint_eq(r.sport.ranges[0][0], 1);
        ck_assert_uint_eq(r.sport.ranges[0][1], 1023);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_ctorigsrcport_covering_the_ephemeral_range_decides) {
        /* -m conntrack --ctorigsrcport 30000:65535 -j REJECT, policy accept */
        struct xt_conntrack_mtinfo3 ct = { .match_flags = XT_CONNTRACK_ORIGSRC_PORT,
                                           .origsrc_port = 30000, .origsrc_port_high = 65535 };
        ip_filter_input(NF_ACCEPT);
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_match("conntrack", 3, &ct, sizeof(ct));
        x_reject4(IPT_TCP_RESET);
        uint64_t h = rule_end();
        NftRuleset *rs = parse_dump();
        NftEvalResult r = eval(rs, probe4("192.0.2.2", 22));
        assert_rule(&r, NFT_VERDICT_REJECT, "filter", "INPUT", h);
        ck_assert(!r.rule_ambiguous);
        ck_assert(r.sport_split);
        ck_assert_int_eq(r.sport.verdict, NFT_VERDICT_ACCEPT);
        ck_assert_uint_eq(r.sport.ranges[0][0], 0);
        ck_assert_uint_eq(r.sport.ranges[0][1], 29999);
        nft_ruleset_free(rs);
}
END_TEST

/* raw PREROUTING: -m rpfilter FLAGS -j DROP; filter INPUT: --dport 22 -j
 * REJECT (-j DROP with INPUT_DROP) */
static NftRuleset *rpfilter_ruleset_ex(uint8_t flags, bool mark_first, bool input_drop, uint64_t *h_rpfilter,
                                      uint64_t *h_reject) {
        struct xt_rpfilter_info rp = { .flags = flags };
        add_table(NFPROTO_IPV4, "raw");
        add_chain(NFPROTO_IPV4, "raw", "PREROUTING", NF_INET_PRE_ROUTING, -300, NF_ACCEPT, NULL);
        if (mark_first) {
                /* -j MARK --set-mark 1 */
                struct xt_mark_tginfo2 mk = { .mark = 1, .mask = UINT32_MAX };
                rule_begin(NFPROTO_IPV4, "raw", "PREROUTING");
                x_target("MARK", 2, &mk, sizeof(mk));
                rule_end();
        }
        rule_begin(NFPROTO_IPV4, "raw", "PREROUTING");
        x_match("rpfilter", 0, &rp, sizeof(rp));
        x_verdict(NF_DROP);
        *h_rpfilter = rule_end();
        ip_filter_input(NF_ACCEPT);
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_tcp_dport(22);
        if (input_drop)
                x_verdict(NF_DROP);
        else
                x_reject4(IPT_TCP_RESET);
        *h_reject = rule_end();
        return parse_dump();
}

static NftRuleset *rpfilter_ruleset(uint8_t flags, bool mark_first, uint64_t *h_rpfilter, uint64_t *h_reject) {
        return rpfilter_ruleset_ex(flags, mark_first, false, h_rpfilter, h_reject);
}

START_TEST(test_rpfilter_drop_then_input_drop_is_a_certain_drop_by_both_rules) {
        uint64_t hrp, hdrop;
        /* the kernel case 098's first shape: -m rpfilter --validmark
         * --invert -j DROP, then INPUT --dport 22 -j DROP */
        NftRuleset *rs = rpfilter_ruleset_ex(XT_RPFILTER_VALID_MARK | XT_RPFILTER_INVERT, false, true, &hrp, &hdrop);
        NftProbe p = probe4("192.0.2.2", 22);
        NftEvalResult r = eval(rs, p);
        /* dropped either way: by rpfilter when the route back leaves
         * elsewhere, by INPUT otherwise; the first a packet meets is
         * `rule`, and no one of them alone decides */
        ck_assert_int_eq(r.verdict, NFT_VERDICT_DROP);
        ck_assert(r.rule_ambiguous);
        ck_assert_uint_eq(r.n_blockers, 2);
        ck_assert(!r.blockers_overflow);
        ck_assert_str_eq(r.blockers[0].table->name, "raw");
        ck_assert_str_eq(r.blockers[0].chain->name, "PREROUTING");
        ck_assert_uint_eq(r.blockers[0].rule->handle, hrp);
        ck_assert_str_eq(r.blockers[1].table->name, "filter");
        ck_assert_str_eq(r.blockers[1].chain->name, "INPUT");
        ck_assert_uint_eq(r.blockers[1].rule->handle, hdrop);
        ck_assert_uint_eq(r.rule->handle, hrp);
        /* the route back known good: INPUT alone */
        p.rpfilter_ok = true;
        r = eval(rs, p);
        assert_rule(&r, NFT_VERDICT_DROP, "filter", "INPUT", hdrop);
        ck_assert(!r.rule_ambiguous);
        ck_assert_uint_eq(r.n_blockers, 1);
        nft_ruleset_free(rs);

        /* with -j REJECT after it, one side times out and the other is
         * refused: blocked either way, by both */
        setup();
        rs = rpfilter_ruleset_ex(XT_RPFILTER_VALID_MARK | XT_RPFILTER_INVERT, false, false, &hrp, &hdrop);
        r = eval(rs, probe4("192.0.2.2", 22));
        assert_mixed(&r, hrp, hdrop);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_rpfilter_validmark_decided_when_the_mark_is_known) {
        uint64_t hrp, hrej;
        /* iptables-nft -t raw -A PREROUTING -m rpfilter --validmark --invert -j DROP */
        NftRuleset *rs = rpfilter_ruleset(XT_RPFILTER_VALID_MARK | XT_RPFILTER_INVERT, false, &hrp, &hrej);
        const NftChain *c = &rs->tables[0].chains[0];
        char *text = nft_rule_render(rs, &rs->tables[0], &c->rules[0]);
        ck_assert_str_eq(text, "fib saddr . mark . iif oif 0 drop");
        free(text);
        NftProbe p = probe4("192.0.2.2", 22);
        NftEvalResult r = eval(rs, p);
        assert_mixed(&r, hrp, hrej);    /* the route back is not known */
        p.rpfilter_ok = true;
        r = eval(rs, p);
        assert_rule(&r, NFT_VERDICT_REJECT, "filter", "INPUT", hrej);
        nft_ruleset_free(rs);

        /* without --invert the same lookup matches: dropped */
        setup();
        rs = rpfilter_ruleset(XT_RPFILTER_VALID_MARK, false, &hrp, &hrej);
        r = eval(rs, p);
        assert_rule(&r, NFT_VERDICT_DROP, "raw", "PREROUTING", hrp);
        nft_ruleset_free(rs);

        /* marked 1 before it: the lookup with mark 1 may take another
         * routing rule than the probe's route */
        setup();
        rs = rpfilter_ruleset(XT_RPFILTER_VALID_MARK | XT_RPFILTER_INVERT, true, &hrp, &hrej);
        r = eval(rs, p);
        assert_mixed(&r, hrp, hrej);
        nft_ruleset_free(rs);

        /* without --validmark the mark does not take part */
        setup();
        rs = rpfilter_ruleset(XT_RPFILTER_LOOSE | XT_RPFILTER_INVERT, true, &hrp, &hrej);
        r = eval(rs, p);
        assert_rule(&r, NFT_VERDICT_REJECT, "filter", "INPUT", hrej);
        c = &rs->tables[0].chains[0];
        text = nft_rule_render(rs, &rs->tables[0], &c->rules[1]);
        ck_assert_str_eq(text, "fib saddr oif 0 drop");
        free(text);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_unknown_match_follows_both_outcomes_unknown_target_is_unknown) {
        uint8_t blob[8] = { 1 };
        ip_filter_input(NF_ACCEPT);
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_tcp_dport(22);
        x_match("owner", 1, blob, sizeof(blob));
        x_verdict(NF_DROP);
        rule_end();
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_tcp_dport(2222);
        x_target("TRACE", 0, NULL, 0);
        rule_end();
        NftRuleset *rs = parse_dump();
        NftEvalResult r = eval(rs, probe4("192.0.2.2", 22));
        ck_assert_int_eq(r.verdict, NFT_VERDICT_UNKNOWN);
        r = eval(rs, probe4("192.0.2.2", 2222));
        ck_assert_int_eq(r.verdict, NFT_VERDICT_UNKNOWN);
        ck_assert_str_eq(r.unknown_reason, "an x_tables target that is not modelled");
        r = eval(rs, probe4("192.0.2.2", 80));
        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_ipv6_routing_header_match_never_matches_a_plain_syn) {
        uint8_t rt[40] = { 0 };
        add_table(NFPROTO_IPV6, "filter");
        add_chain(NFPROTO_IPV6, "filter", "INPUT", NF_INET_LOCAL_IN, 0, NF_ACCEPT, NULL);
        rule_begin(NFPROTO_IPV6, "filter", "INPUT");
        x_match("rt", 0, rt, sizeof(rt));
        x_verdict(NF_DROP);
        rule_end();
        NftRuleset *rs = parse_dump();
        NftEvalResult r = eval(rs, probe6("2001:db8::2", 22));
        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
        nft_ruleset_free(rs);
}
END_TEST

static int member_answers;

static int fake_ipset(uint16_t index, int family, const uint8_t *addr, void *userdata) {
        member_answers++;
        ck_assert_uint_eq(index, 3);
        ck_assert_int_eq(family, AF_INET);
        /* 192.0.2.0/24 is banned */
        return addr[0] == 192 && addr[1] == 0 && addr[2] == 2;
}

START_TEST(test_set_match_asks_ipset_for_the_source) {
        struct xt_set_info_match_v1 sm = { .match_set = { .index = 3, .dim = 1, .flags = IPSET_DIM_ONE_SRC } };
        ip_filter_input(NF_ACCEPT);
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_tcp_dport(22);
        x_match("set", 1, &sm, sizeof(sm));
        x_verdict(NF_DROP);
        uint64_t h = rule_end();
        NftRuleset *rs = parse_dump();
        NftProbe p = probe4("192.0.2.2", 22);
        NftEvalResult r;
        p.ipset_test = fake_ipset;
        member_answers = 0;
        nft_eval_probe(rs, &p, NULL, NULL, &r);
        assert_rule(&r, NFT_VERDICT_DROP, "filter", "INPUT", h);
        ck_assert_int_eq(member_answers, 1);
        p = probe4("198.51.100.1", 22);
        p.ipset_test = fake_ipset;
        nft_eval_probe(rs, &p, NULL, NULL, &r);
        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
        /* without ipset's answer: both outcomes */
        r = eval(rs, probe4("192.0.2.2", 22));
        ck_assert_int_eq(r.verdict, NFT_VERDICT_UNKNOWN);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_dnat_target_to_a_local_address_moves_the_port) {
        struct nf_nat_range2 nat = { .flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED };
        inet_pton(AF_INET, "192.0.2.1", &nat.min_addr.ip);
        nat.max_addr = nat.min_addr;
        nat.min_proto.tcp.port = nat.max_proto.tcp.port = htons(2200);
        add_table(NFPROTO_IPV4, "nat");
        add_chain(NFPROTO_IPV4, "nat", "PREROUTING", NF_INET_PRE_ROUTING, -100, NF_ACCEPT, "nat");
        rule_begin(NFPROTO_IPV4, "nat", "PREROUTING");
        x_tcp_dport(22);
        x_target("DNAT", 2, &nat, sizeof(nat));
        rule_end();
        ip_filter_input(NF_ACCEPT);
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_tcp_dport(22);
        x_verdict(NF_DROP);
        rule_end();
        NftRuleset *rs = parse_dump();
        NftProbe p = probe4("192.0.2.2", 22);
        p.daddr_known = false;  /* explain without --to: only the local addresses */
        NftEvalResult r = eval(rs, p);
        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
        ck_assert_uint_eq(r.dport, 2200);
        /* to an address that is not ours: forwarded, not judged here */
        p.n_local_addrs = 0;
        r = eval(rs, p);
        ck_assert_int_eq(r.verdict, NFT_VERDICT_UNKNOWN);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_native_dnat_to_a_local_address_is_delivered_here) {
        uint8_t addr[4] = { 192, 0, 2, 1 };
        uint16_t port = htons(2200);
        add_table(NFPROTO_IPV4, "nat");
        add_chain(NFPROTO_IPV4, "nat", "prerouting", NF_INET_PRE_ROUTING, -100, NF_ACCEPT, "nat");
        rule_begin(NFPROTO_IPV4, "nat", "prerouting");
        x_tcp_dport(22);
        x_imm(NFT_REG_1, addr, 4);
        x_imm(NFT_REG_2, &port, 2);
        struct nftnl_expr *e = nftnl_expr_alloc("nat");
        nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
        nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
        nftnl_rule_add_expr(cur, e);
        rule_end();
        NftRuleset *rs = parse_dump();
        NftProbe p = probe4("192.0.2.2", 22);
        p.daddr_known = false;
        NftEvalResult r = eval(rs, p);
        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
        ck_assert_uint_eq(r.dport, 2200);
        p.n_local_addrs = 0;
        r = eval(rs, p);
        ck_assert_int_eq(r.verdict, NFT_VERDICT_UNKNOWN);
        ck_assert_str_eq(r.unknown_reason, "dnat to another address: the connection is forwarded");
        nft_ruleset_free(rs);
}
END_TEST

/* ---- iptables-legacy ---- */

/* tests/data/xt-legacy/filterN.bin: see filterN.sh and check_xt_legacy.c */
static XtLegacyTable *legacy_load(const char *name) {
        char path[512], magic[4];
        uint32_t family;
        XtLegacyInfo info;
        XtLegacyTable *t = NULL;
        FILE *f;
        long len;

        snprintf(path, sizeof(path), "%s/xt-legacy/%s", TEST_DATA_DIR, name);
        f = fopen(path, "re");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
        len = ftell(f);
        rewind(f);
        ck_assert_uint_eq(fread(magic, 1, 4, f), 4);
        ck_assert_uint_eq(fread(&family, sizeof(family), 1, f), 1);
        ck_assert_uint_eq(fread(&info, sizeof(info), 1, f), 1);
        size_t size = (size_t) len - 4 - sizeof(family) - sizeof(info);
        uint8_t *entries = malloc(size);
        ck_assert_ptr_nonnull(entries);
        ck_assert_uint_eq(fread(entries, 1, size, f), size);
        fclose(f);
        ck_assert_int_eq(xt_legacy_table_parse((int) family, &info, entries, size, &t), 0);
        free(entries);
        return t;
}

static NftRuleset *with_legacy(const char *name) {
        NftRuleset *rs = parse_dump();
        XtLegacyTable *t = legacy_load(name);
        ck_assert_int_eq(nft_ruleset_add_legacy(rs, t), 0);
        xt_legacy_table_free(t);
        return rs;
}

START_TEST(test_legacy_filter4_policy_rules_and_positions) {
        NftRuleset *rs = with_legacy("filter4.bin");
        const NftTable *t = &rs->tables[rs->n_tables - 1];
        ck_assert(t->legacy);
        ck_assert_str_eq(t->name, "filter");
        ck_assert_int_eq(t->family, NFPROTO_IPV4);
        const NftChain *input = nft_table_find_chain(t, "INPUT");
        ck_assert_ptr_nonnull(input);
        ck_assert_int_eq(input->hook, NF_INET_LOCAL_IN);
        ck_assert_int_eq(input->priority, 0);
        ck_assert_int_eq(input->policy, NF_DROP);
        ck_assert_uint_eq(input->n_rules, 6);

        /* -p tcp --dport 22 -m comment --comment ssh -j ACCEPT */
        NftEvalResult r = eval(rs, probe4("192.0.2.2", 22));
        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
        ck_assert_ptr_nonnull(r.rule);
        ck_assert_uint_eq(r.rule->handle, 4);
        ck_assert_str_eq(nft_pool(rs, r.rule->comment_off), "ssh");
        /* blocklist: -s 198.51.100.0/24 -j DROP, reached by a jump */
        r = eval(rs, probe4("198.51.100.9", 22));
        assert_rule(&r, NFT_VERDICT_DROP, "filter", "blocklist", 1);
        assert_text(rs, &r, "ip saddr 198.51.100.0/24 drop");
        /* -p tcp -m multiport --dports 80,443 -j REJECT --reject-with tcp-reset */
        r = eval(rs, probe4("192.0.2.2", 443));
        assert_rule(&r, NFT_VERDICT_REJECT, "filter", "INPUT", 5);
        /* ! -s 192.0.2.0/24 -p tcp --dport 2222 -g blocklist: goto, then
         * blocklist's RETURN ends INPUT: its policy */
        r = eval(rs, probe4("203.0.113.5", 2222));
        assert_rule(&r, NFT_VERDICT_DROP, "filter", "INPUT", 0);
        r = eval(rs, probe4("192.0.2.2", 2222));
        assert_rule(&r, NFT_VERDICT_DROP, "filter", "INPUT", 0);
        /* -i lo -j ACCEPT */
        NftProbe lo = probe4("192.0.2.2", 2222);
        strcpy(lo.iifname, "lo");
        r = eval(rs, lo);
        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
        ck_assert_uint_eq(r.rule->handle, 1);
        /* an ip table: IPv6 does not see it */
        r = eval(rs, probe6("2001:db8::2", 2222));
        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
        ck_assert_ptr_null(r.chain);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_legacy_filter6_interface_and_source) {
        NftRuleset *rs = with_legacy("filter6.bin");
        /* -p tcp --dport 22 -s 2001:db8::2/128 -j DROP */
        NftEvalResult r = eval(rs, probe6("2001:db8::2", 22));
        assert_rule(&r, NFT_VERDICT_DROP, "filter", "INPUT", 1);
        /* -i veth0 -p tcp --dport 22 -j REJECT --reject-with tcp-reset */
        NftProbe p = probe6("2001:db8::3", 22);
        r = eval(rs, p);
        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
        strcpy(p.iifname, "veth0");
        r = eval(rs, p);
        assert_rule(&r, NFT_VERDICT_REJECT, "filter", "INPUT", 2);
        /* the interface unknown: it decides */
        p.iifname[0] = '\0';
        r = eval(rs, p);
        ck_assert_int_eq(r.verdict, NFT_VERDICT_UNKNOWN);
        nft_ruleset_free(rs);
}
END_TEST

START_TEST(test_legacy_runs_by_priority_among_nft_base_chains) {
        /* an nft chain at -10 accepting does not stop legacy filter (0) */
        add_table(NFPROTO_INET, "early");
        add_chain(NFPROTO_INET, "early", "input", NF_INET_LOCAL_IN, -10, NF_ACCEPT, NULL);
        rule_begin(NFPROTO_INET, "early", "input");
        x_verdict(NF_ACCEPT);
        rule_end();
        /* an nft chain at 10 dropping runs after legacy accepted */
        add_table(NFPROTO_INET, "late");
        add_chain(NFPROTO_INET, "late", "input", NF_INET_LOCAL_IN, 10, NF_ACCEPT, NULL);
        rule_begin(NFPROTO_INET, "late", "input");
        x_tcp_dport(22);
        x_verdict(NF_DROP);
        uint64_t late = rule_end();
        NftRuleset *rs = with_legacy("filter6.bin");
        NftProbe p = probe6("2001:db8::2", 22);
        NftEvalResult r = eval(rs, p);
        assert_rule(&r, NFT_VERDICT_DROP, "filter", "INPUT", 1);
        ck_assert(r.table->legacy);
        p = probe6("2001:db8::3", 22);
        r = eval(rs, p);
        assert_rule(&r, NFT_VERDICT_DROP, "late", "input", late);
        ck_assert(!r.table->legacy);
        nft_ruleset_free(rs);
}
END_TEST

/* ---- xt_recent: ufw's limit ---- */

static void x_jump(const char *chain) {
        struct nftnl_expr *e = nftnl_expr_alloc("immediate");
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t) NFT_JUMP);
        nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
        nftnl_rule_add_expr(cur, e);
}

static void x_recent(uint8_t check_set, uint32_t seconds, uint32_t hit_count) {
        struct xt_recent_mtinfo_v1 r = { .seconds = seconds, .hit_count = hit_count, .check_set = check_set,
                                         .side = XT_RECENT_SOURCE };
        snprintf(r.name, sizeof(r.name), "DEFAULT");
        memset(&r.mask, 0xff, sizeof(r.mask));
        x_match("recent", 1, &r, sizeof(r));
}

/* `ufw limit 22/tcp` as iptables-nft writes it (ufw-user-input, then
 * ufw-user-limit's REJECT); *REJECT: the REJECT's handle, *ACCEPT: the
 * accept's */
static NftRuleset *ufw_limit_ruleset(uint64_t *reject, uint64_t *accept) {
        add_table(NFPROTO_IPV4, "filter");
        add_chain(NFPROTO_IPV4, "filter", "INPUT", NF_INET_LOCAL_IN, 0, NF_ACCEPT, NULL);
        add_chain(NFPROTO_IPV4, "filter", "ufw-user-limit", -1, 0, 0, NULL);
        rule_begin(NFPROTO_IPV4, "filter", "ufw-user-limit");
        x_reject4(IPT_ICMP_PORT_UNREACHABLE);
        *reject = rule_end();
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_tcp_dport(22);
        x_ctstate(XT_CONNTRACK_STATE_BIT(IP_CT_NEW));
        x_recent(XT_RECENT_SET, 0, 0);
        rule_end();
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_tcp_dport(22);
        x_ctstate(XT_CONNTRACK_STATE_BIT(IP_CT_NEW));
        x_recent(XT_RECENT_UPDATE, 30, 6);
        x_jump("ufw-user-limit");
        rule_end();
        rule_begin(NFPROTO_IPV4, "filter", "INPUT");
        x_tcp_dport(22);
        x_verdict(NF_ACCEPT);
        *accept = rule_end();
        return parse_dump();
}

/* /proc/net/xt_recent/DEFAULT with 192.0.2.5 seen N times, 4 s apart,
 * the last 2 s before NOW (HZ 250) */
static void recent_state(XtRecentState *s, XtRecentList *l, unsigned n, uint64_t now) {
        char text[1024];
        int at = snprintf(text, sizeof(text), "src=192.0.2.5 ttl: 64 last_seen: %llu oldest_pkt: %u",
                          (unsigned long long) (now - 500), n);
        for (unsigned i = 0; i < n; i++)
                at += snprintf(text + at, sizeof(text) - (size_t) at, "%s %llu", i ? "," : "",
                               (unsigned long long) (now - 500 - (n - 1 - i) * 1000));
        at += snprintf(text + at, sizeof(text) - (size_t) at, "\n");
        ck_assert_int_eq(xt_recent_list_parse("DEFAULT", text, (size_t) at, l), 0);
        *s = (XtRecentState) { .lists = l, .n_lists = 1, .hz = 250, .now = now };
}

START_TEST(test_ufw_limit_refuses_a_source_past_its_hit_count) {
        const uint64_t now = UINT64_C(4308881321);
        uint64_t hrej, hacc;
        XtRecentState state;
        XtRecentList list;
        NftRuleset *rs = ufw_limit_ruleset(&hrej, &hacc);

        /* without the lists: a source's first connection, let in */
        NftEvalResult r = eval(rs, probe4("192.0.2.5", 22));
        assert_rule(&r, NFT_VERDICT_ACCEPT, "filter", "INPUT", hacc);
        ck_assert(r.rate_limited);
        ck_assert_ptr_null(r.recent_list);

        /* 5 within 30 s: this one is the 6th (its own --set first) */
        recent_state(&state, &list, 5, now);
        NftProbe p = probe4("192.0.2.5", 22);
        p.recent = &state;
        r = eval(rs, p);
        assert_rule(&r, NFT_VERDICT_REJECT, "filter", "ufw-user-limit", hrej);
        ck_assert_str_eq(r.recent_list, "DEFAULT");
        ck_assert_uint_eq(r.recent_seconds, 30);
        ck_assert_uint_eq(r.recent_hit_count, 6);
        /* another source is not in the list */
        ck_assert_int_eq(inet_pton(AF_INET, "192.0.2.6", p.saddr), 1);
        r = eval(rs, p);
        assert_rule(&r, NFT_VERDICT_ACCEPT, "filter", "INPUT", hacc);
        ck_assert(!r.rate_limited);
        xt_recent_list_done(&list);

        /* 4: the 5th, let in */
        recent_state(&state, &list, 4, now);
        p = probe4("192.0.2.5", 22);
        p.recent = &state;
        r = eval(rs, p);
        assert_rule(&r, NFT_VERDICT_ACCEPT, "filter", "INPUT", hacc);
        ck_assert_ptr_null(r.recent_list);
        xt_recent_list_done(&list);

        /* 9, 4 s apart, the last 2 s ago: 8 of them within 30 s (the
         * one exactly 30 s old counts, as in recent_mt()), 8 + 1 >= 6 */
        recent_state(&state, &list, 9, now);
        r = eval(rs, p);
        assert_rule(&r, NFT_VERDICT_REJECT, "filter", "ufw-user-limit", hrej);
        xt_recent_list_done(&list);
        /* the same 5 stamps judged 20 s later: 3 are left within 30 s */
        recent_state(&state, &list, 5, now);
        state.now = now + 20 * 250;
        r = eval(rs, p);
        assert_rule(&r, NFT_VERDICT_ACCEPT, "filter", "INPUT", hacc);
        xt_recent_list_done(&list);
        nft_ruleset_free(rs);
}
END_TEST

/* `--set`, then `--update --hitcount N -j REJECT`: with N = 1 the
 * packet's own stamp is enough, whatever the lists hold (none given);
 * with N = 2 it depends on earlier connections: a first one passes. */
START_TEST(test_recent_own_stamp_decides_without_the_lists) {
        for (uint32_t hits = 1; hits <= 2; hits++) {
                setup();
                add_table(NFPROTO_IPV4, "filter");
                add_chain(NFPROTO_IPV4, "filter", "INPUT", NF_INET_LOCAL_IN, 0, NF_ACCEPT, NULL);
                rule_begin(NFPROTO_IPV4, "filter", "INPUT");
                x_tcp_dport(22);
                x_recent(XT_RECENT_SET, 0, 0);
                rule_end();
                rule_begin(NFPROTO_IPV4, "filter", "INPUT");
                x_tcp_dport(22);
                x_recent(XT_RECENT_UPDATE, 60, hits);
                x_reject4(IPT_ICMP_PORT_UNREACHABLE);
                uint64_t h = rule_end();
                NftRuleset *rs = parse_dump();
                NftEvalResult r = eval(rs, probe4("192.0.2.5", 22));
                if (hits == 1) {
                        assert_rule(&r, NFT_VERDICT_REJECT, "filter", "INPUT", h);
                        ck_assert(!r.rate_limited);
                        ck_assert_ptr_null(r.recent_list);      /* its own stamp, not its history */
                } else {
                        ck_assert_int_eq(r.verdict, NFT_VERDICT_ACCEPT);
                        ck_assert(r.rate_limited);
                }
                /* any source: the same */
                r = eval(rs, probe4(NULL, 22));
                ck_assert_int_eq(r.verdict, hits == 1 ? NFT_VERDICT_REJECT : NFT_VERDICT_ACCEPT);
                nft_ruleset_free(rs);
        }
}
END_TEST

static bool keep_none(const XtRecentEntry *e, void *userdata) {
        (void) e;
        (void) userdata;
        return false;
}

START_TEST(test_recent_list_and_clock_parse) {
        static const char list[] = "src=192.0.2.5 ttl: 64 last_seen: 4295000900 oldest_pkt: 2 4295001000, 4295000900, "
                                   "4295000800\n"
                                   "src=2001:0db8:0000:0000:0000:0000:0000:0007 ttl: 0 last_seen: 7 oldest_pkt: 1 7\n";
        XtRecentList l;
        ck_assert_int_eq(xt_recent_list_parse("ssh", list, strlen(list), &l), 0);
        ck_assert_uint_eq(l.n_entries, 2);
        ck_assert_uint_eq(l.entries[0].family, NFPROTO_IPV4);
        ck_assert_uint_eq(l.entries[0].index, 2);
        ck_assert_uint_eq(l.entries[0].n, 3);
        ck_assert_uint_eq(l.stamps[l.entries[0].first + 2], UINT64_C(4295000800));
        ck_assert_uint_eq(l.entries[1].family, NFPROTO_IPV6);
        ck_assert_uint_eq(l.entries[1].addr[15], 7);
        /* an entry covers the addresses its key is the masked form of */
        uint8_t a[16] = { 192, 0, 2, 5 };
        ck_assert(xt_recent_entry_covers(&l.entries[0], NFPROTO_IPV4, a));
        ck_assert(!xt_recent_entry_covers(&l.entries[0], NFPROTO_IPV6, a));
        l.entries[0].addr[3] = 0;       /* 192.0.2.0: --mask 255.255.255.0 */
        ck_assert(xt_recent_entry_covers(&l.entries[0], NFPROTO_IPV4, a));
        a[2] = 3;       /* 192.0.2.0 may be a /23's key too */
        ck_assert(xt_recent_entry_covers(&l.entries[0], NFPROTO_IPV4, a));
        a[2] = 4;
        ck_assert(!xt_recent_entry_covers(&l.entries[0], NFPROTO_IPV4, a));
        /* the fingerprint of what is kept: all, or nothing */
        XtRecentState st = { .lists = &l, .n_lists = 1 };
        ck_assert_uint_ne(xt_recent_fingerprint(&st, NULL, NULL), xt_recent_fingerprint(&st, keep_none, NULL));
        xt_recent_list_done(&l);
        /* what recent_seq_show() never prints */
        static const char *const bad[] = { "src=192.0.2.5 ttl: 64 last_seen: 1 oldest_pkt: 1\n",
                                           "src=192.0.2.5 ttl: 64 last_seen: 1 oldest_pkt: 2 1\n",
                                           "src=192.0.2.500 ttl: 64 last_seen: 1 oldest_pkt: 1 1\n",
                                           "src=192.0.2.5 ttl: 64 last_seen: 1 oldest_pkt: 1 1",
                                           "src=192.0.2.5 ttl: 640 last_seen: 1 oldest_pkt: 1 1\n",
                                           "src=192.0.2.5 ttl: 64 last_seen: 1 oldest_pkt: 1 1,2\n" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_int_eq(xt_recent_list_parse("ssh", bad[i], strlen(bad[i]), &l), -EINVAL);

        /* this machine's /proc/timer_list, 15.5 h after boot: HZ 250 */
        static const char tl[] = "Timer List Version: v0.10\nHRTIMER_MAX_CLOCK_BASES: 8\nnow at 55956347205998 nsecs\n"
                                 "\ncpu: 0\n clock 0:\n  .last_jiffies   : 4308877256\njiffies: 4308881321\n";
        XtRecentClock c;
        ck_assert_int_eq(xt_recent_clock_parse(tl, strlen(tl), &c), 0);
        ck_assert_uint_eq(c.hz, 250);
        ck_assert_uint_eq(xt_recent_clock_at(&c, c.mono_ns + 2000000000u), UINT64_C(4308881821));
        /* 300 s after boot every HZ predicts 2^32: not told */
        static const char early[] = "now at 300000000000 nsecs\njiffies: 4294967296\n";
        ck_assert_int_eq(xt_recent_clock_parse(early, strlen(early), &c), -ENODATA);
        /* HZ 1000, 1 h after boot */
        static const char hz1000[] = "now at 3600000000000 nsecs\njiffies: 4298267296\n";
        ck_assert_int_eq(xt_recent_clock_parse(hz1000, strlen(hz1000), &c), 0);
        ck_assert_uint_eq(c.hz, 1000);
}
END_TEST

static Suite *nft_xt_suite(void) {
        Suite *s = suite_create("nft_xt");
        TCase *tc = tcase_create("compat");
        tcase_add_checked_fixture(tc, setup, NULL);
        tcase_add_test(tc, test_compat_match_and_target_decode_into_xt_expressions);
        tcase_add_test(tc, test_equal_compat_blobs_are_stored_once);
        tcase_add_test(tc, test_multiport_drop_matches_its_ports_only);
        tcase_add_test(tc, test_reject_target_is_a_reject_verdict);
        tcase_add_test(tc, test_conntrack_new_accept_before_policy_drop);
        tcase_add_test(tc, test_mark_target_sets_the_mark_a_later_match_reads);
        tcase_add_test(tc, test_limit_match_passes_the_first_packet_rate_limited);
        tcase_add_test(tc, test_addrtype_dst_local_holds_for_the_probe);
        tcase_add_test(tc, test_source_port_match_is_judged_for_ephemeral_ports);
        tcase_add_test(tc, test_multiport_source_ports_block_only_privileged_ports);
        tcase_add_test(tc, test_ctorigsrcport_covering_the_ephemeral_range_decides);
        tcase_add_test(tc, test_rpfilter_validmark_decided_when_the_mark_is_known);
        tcase_add_test(tc, test_rpfilter_drop_then_input_drop_is_a_certain_drop_by_both_rules);
        tcase_add_test(tc, test_unknown_match_follows_both_outcomes_unknown_target_is_unknown);
        tcase_add_test(tc, test_ipv6_routing_header_match_never_matches_a_plain_syn);
        tcase_add_test(tc, test_set_match_asks_ipset_for_the_source);
        tcase_add_test(tc, test_dnat_target_to_a_local_address_moves_the_port);
        tcase_add_test(tc, test_native_dnat_to_a_local_address_is_delivered_here);
        tcase_add_test(tc, test_ufw_limit_refuses_a_source_past_its_hit_count);
        tcase_add_test(tc, test_recent_list_and_clock_parse);
        tcase_add_test(tc, test_recent_own_stamp_decides_without_the_lists);
        suite_add_tcase(s, tc);
        tc = tcase_create("legacy");
        tcase_add_checked_fixture(tc, setup, NULL);
        tcase_add_test(tc, test_legacy_filter4_policy_rules_and_positions);
        tcase_add_test(tc, test_legacy_filter6_interface_and_source);
        tcase_add_test(tc, test_legacy_runs_by_priority_among_nft_base_chains);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(nft_xt_suite());
        srunner_run_all(sr, CK_NORMAL);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed;
}

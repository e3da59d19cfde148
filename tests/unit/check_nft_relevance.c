/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib/firewall/nft-relevance: which committed changes can change the
 * judgement.  The ruleset judged and the store after the batch are built
 * from constructed dumps (nft-build.c); the batch is its change messages as
 * nft_monitor_parse() reports them.  Beside the classification, the
 * evaluator is held to it: a change called unseen leaves every probe's
 * verdict as it was.
 */
#include <check.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nft-build.h"
#include "nft-eval.h"
#include "nft-relevance.h"
#include "nft-store.h"

#define NF_BR_LOCAL_IN 1

static NftMonitorEvent ev(uint16_t type, int family, const char *table, const char *chain, const char *name) {
        NftMonitorEvent e = { .msg_type = type, .family = family };
        snprintf(e.table, sizeof(e.table), "%s", table ? table : "");
        snprintf(e.chain, sizeof(e.chain), "%s", chain ? chain : "");
        snprintf(e.name, sizeof(e.name), "%s", name ? name : "");
        return e;
}

/* inet f: input (hook input), out (hook output), reg (regular);
 * ip o: output only; bridge b: input.  EXTRA: ip o gets an input chain. */
static void build(bool extra) {
        nb_reset();
        nb_object_handles();
        nb_table(NFPROTO_INET, "f");
        nb_chain(NFPROTO_INET, "f", "input", NF_INET_LOCAL_IN, 0, NF_ACCEPT);
        nb_chain(NFPROTO_INET, "f", "out", NF_INET_LOCAL_OUT, 0, NF_ACCEPT);
        nb_chain(NFPROTO_INET, "f", "reg", -1, 0, 0);
        nb_table(NFPROTO_IPV4, "o");
        nb_chain(NFPROTO_IPV4, "o", "output", NF_INET_LOCAL_OUT, 0, NF_ACCEPT);
        if (extra)
                nb_chain(NFPROTO_IPV4, "o", "input", NF_INET_LOCAL_IN, 0, NF_ACCEPT);
        nb_table(NFPROTO_BRIDGE, "b");
        nb_chain(NFPROTO_BRIDGE, "b", "in", NF_BR_LOCAL_IN, 0, NF_ACCEPT);
}

static NftStore *store_of_dump(void) {
        NftStore *s = NULL;
        size_t len;
        const void *d;

        nb_gen(7);
        d = nb_dump(&len);
        ck_assert_int_eq(nft_store_load_msgs(&s, NULL, d, len), 0);
        return s;
}

static bool matters1(const NftRuleset *judged, const NftStore *now, NftMonitorEvent e) {
        NftBatchScope b = {};
        nft_batch_scope_add(&b, &e);
        return nft_batch_scope_matters(&b, judged, now);
}

START_TEST(test_hooks_the_evaluator_runs) {
        ck_assert(nft_hook_sees_input(NFPROTO_IPV4, NF_INET_PRE_ROUTING));
        ck_assert(nft_hook_sees_input(NFPROTO_IPV6, NF_INET_LOCAL_IN));
        ck_assert(nft_hook_sees_input(NFPROTO_INET, NF_INET_INGRESS));
        ck_assert(nft_hook_sees_input(NFPROTO_NETDEV, NF_NETDEV_INGRESS));
        ck_assert(!nft_hook_sees_input(NFPROTO_IPV4, NF_INET_INGRESS));
        ck_assert(!nft_hook_sees_input(NFPROTO_INET, NF_INET_LOCAL_OUT));
        ck_assert(!nft_hook_sees_input(NFPROTO_INET, NF_INET_FORWARD));
        ck_assert(!nft_hook_sees_input(NFPROTO_IPV6, NF_INET_POST_ROUTING));
        ck_assert(!nft_hook_sees_input(NFPROTO_BRIDGE, NF_BR_LOCAL_IN));
        ck_assert(!nft_hook_sees_input(NFPROTO_ARP, 0));
}
END_TEST

START_TEST(test_changes_classified) {
        build(false);
        NftRuleset *judged = nb_parse();
        NftStore *now = store_of_dump();

        ck_assert_int_eq(nft_ruleset_chain_hook(judged, NFPROTO_INET, "f", "out"), NF_INET_LOCAL_OUT);
        ck_assert_int_eq(nft_ruleset_chain_hook(judged, NFPROTO_INET, "f", "reg"), -1);
        ck_assert_int_eq(nft_ruleset_chain_hook(judged, NFPROTO_INET, "f", "none"), -ENOENT);
        ck_assert_int_eq(nft_store_chain_hook(now, NFPROTO_INET, "f", "input"), NF_INET_LOCAL_IN);
        ck_assert_int_eq(nft_store_chain_hook(now, NFPROTO_INET, "f", "reg"), -1);
        ck_assert_int_eq(nft_store_chain_hook(now, NFPROTO_IPV4, "f", "input"), -ENOENT);
        ck_assert_int_eq(nft_store_table_sees_input(now, NFPROTO_INET, "f"), 1);
        ck_assert_int_eq(nft_store_table_sees_input(now, NFPROTO_IPV4, "o"), 0);
        ck_assert_int_eq(nft_store_table_sees_input(now, NFPROTO_IPV4, "x"), -ENOENT);

        /* what the evaluator reads */
        ck_assert(matters1(judged, now, ev(NFT_MSG_NEWRULE, NFPROTO_INET, "f", "input", NULL)));
        ck_assert(matters1(judged, now, ev(NFT_MSG_DELRULE, NFPROTO_INET, "f", "reg", NULL)));
        ck_assert(matters1(judged, now, ev(NFT_MSG_NEWCHAIN, NFPROTO_INET, "f", "input", NULL)));
        ck_assert(matters1(judged, now, ev(NFT_MSG_NEWSETELEM, NFPROTO_INET, "f", NULL, "bans")));
        ck_assert(matters1(judged, now, ev(NFT_MSG_NEWOBJ, NFPROTO_INET, "f", NULL, "quota")));
        ck_assert(matters1(judged, now, ev(NFT_MSG_NEWTABLE, NFPROTO_INET, "f", NULL, NULL)));  /* dormant? */
        /* what it does not: an output chain beside an input chain, a table
         * without such a chain, a bridge table, a table made empty */
        ck_assert(!matters1(judged, now, ev(NFT_MSG_NEWRULE, NFPROTO_INET, "f", "out", NULL)));
        ck_assert(!matters1(judged, now, ev(NFT_MSG_NEWCHAIN, NFPROTO_INET, "f", "out", NULL)));
        ck_assert(!matters1(judged, now, ev(NFT_MSG_NEWRULE, NFPROTO_IPV4, "o", "output", NULL)));
        ck_assert(!matters1(judged, now, ev(NFT_MSG_NEWSET, NFPROTO_IPV4, "o", NULL, "s")));
        ck_assert(!matters1(judged, now, ev(NFT_MSG_NEWRULE, NFPROTO_BRIDGE, "b", "in", NULL)));
        ck_assert(!matters1(judged, now, ev(NFT_MSG_NEWTABLE, NFPROTO_INET, "new", NULL, NULL)));
        /* the same names in another family are other tables */
        ck_assert(!matters1(judged, now, ev(NFT_MSG_NEWRULE, NFPROTO_IPV6, "f", "input", NULL)));
        /* what it cannot place */
        ck_assert(matters1(judged, now, ev(NFT_MSG_NEWRULE, NFPROTO_INET, "", "input", NULL)));
        ck_assert(matters1(judged, NULL, ev(NFT_MSG_NEWRULE, NFPROTO_IPV4, "o", "output", NULL)));
        ck_assert(matters1(NULL, now, ev(NFT_MSG_NEWRULE, NFPROTO_IPV4, "o", "output", NULL)));
        /* not a change at all */
        ck_assert(!matters1(judged, now, ev(NFT_MSG_GETRULE, NFPROTO_INET, "f", "input", NULL)));

        nft_store_free(now);
        nft_ruleset_free(judged);
}
END_TEST

START_TEST(test_batch_bounded_and_whole) {
        build(false);
        NftRuleset *judged = nb_parse();
        NftStore *now = store_of_dump();
        NftBatchScope b = {};
        char name[32];

        /* unseen parts together stay unseen; one seen part makes it all seen */
        NftMonitorEvent out = ev(NFT_MSG_NEWRULE, NFPROTO_INET, "f", "out", NULL);
        NftMonitorEvent o = ev(NFT_MSG_NEWRULE, NFPROTO_IPV4, "o", "output", NULL);
        for (int i = 0; i < 100; i++) {
                nft_batch_scope_add(&b, &out);
                nft_batch_scope_add(&b, &o);
        }
        ck_assert_uint_eq(b.n, 2);
        ck_assert(!nft_batch_scope_matters(&b, judged, now));
        NftMonitorEvent in = ev(NFT_MSG_DELRULE, NFPROTO_INET, "f", "input", NULL);
        nft_batch_scope_add(&b, &in);
        ck_assert(nft_batch_scope_matters(&b, judged, now));
        nft_batch_scope_reset(&b);
        ck_assert(!nft_batch_scope_matters(&b, judged, now));

        /* more distinct objects than it keeps: the whole batch matters */
        for (int i = 0; i <= NFT_BATCH_SCOPE_MAX; i++) {
                snprintf(name, sizeof(name), "t%d", i);
                NftMonitorEvent e = ev(NFT_MSG_NEWTABLE, NFPROTO_IPV4, name, NULL, NULL);
                nft_batch_scope_add(&b, &e);
        }
        ck_assert(b.all);
        ck_assert(nft_batch_scope_matters(&b, judged, now));

        nft_store_free(now);
        nft_ruleset_free(judged);
}
END_TEST

START_TEST(test_store_after_the_batch_decides_too) {
        /* judged: ip o has only an output chain; the batch added an input
         * chain to it: what it touched in o now matters */
        build(false);
        NftRuleset *judged = nb_parse();
        build(true);
        NftStore *now = store_of_dump();

        ck_assert(matters1(judged, now, ev(NFT_MSG_NEWCHAIN, NFPROTO_IPV4, "o", "input", NULL)));
        ck_assert(matters1(judged, now, ev(NFT_MSG_NEWSET, NFPROTO_IPV4, "o", NULL, "s")));
        /* its output chain still cannot be seen */
        ck_assert(!matters1(judged, now, ev(NFT_MSG_NEWRULE, NFPROTO_IPV4, "o", "output", NULL)));
        nft_store_free(now);
        nft_ruleset_free(judged);

        /* and the other way: judged with the input chain, the batch deleted
         * it: the table mattered before */
        build(true);
        judged = nb_parse();
        build(false);
        now = store_of_dump();
        ck_assert(matters1(judged, now, ev(NFT_MSG_DELCHAIN, NFPROTO_IPV4, "o", "input", NULL)));
        ck_assert(matters1(judged, now, ev(NFT_MSG_DELTABLE, NFPROTO_IPV4, "o", NULL, NULL)));
        nft_store_free(now);
        nft_ruleset_free(judged);
}
END_TEST

/* The evaluator agrees: a rule dropping port 22 in an output chain (what
 * the classification calls unseen) leaves every verdict as it was, while
 * the same rule in the input chain changes it. */
static NftVerdict verdict_of(const NftRuleset *rs) {
        NftProbe p = { .family = AF_INET, .dport = 22, .saddr_known = true, .daddr_known = true,
                       .iifname = "eth0", .iif = 2 };
        NftEvalResult r;
        p.saddr[0] = 192, p.saddr[1] = 0, p.saddr[2] = 2, p.saddr[3] = 9;
        p.daddr[0] = 192, p.daddr[1] = 0, p.daddr[2] = 2, p.daddr[3] = 1;
        nft_eval_probe(rs, &p, NULL, NULL, &r);
        return r.verdict;
}

static NftRuleset *with_drop_in(const char *chain) {
        build(false);
        if (chain) {
                nb_rule_begin(NFPROTO_INET, "f", chain);
                x_tcp_dport(22);
                x_verdict(NF_DROP, NULL);
                nb_rule_end();
        }
        return nb_parse();
}

START_TEST(test_the_evaluator_does_not_read_what_is_unseen) {
        NftRuleset *base = with_drop_in(NULL), *out = with_drop_in("out"), *in = with_drop_in("input");

        ck_assert_int_eq(verdict_of(base), NFT_VERDICT_ACCEPT);
        ck_assert_int_eq(verdict_of(out), NFT_VERDICT_ACCEPT);
        ck_assert_int_eq(verdict_of(in), NFT_VERDICT_DROP);
        nft_ruleset_free(base);
        nft_ruleset_free(out);
        nft_ruleset_free(in);
}
END_TEST

static Suite *relevance_suite(void) {
        Suite *s = suite_create("nft-relevance");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_hooks_the_evaluator_runs);
        tcase_add_test(tc, test_changes_classified);
        tcase_add_test(tc, test_batch_bounded_and_whole);
        tcase_add_test(tc, test_store_after_the_batch_decides_too);
        tcase_add_test(tc, test_the_evaluator_does_not_read_what_is_unseen);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(relevance_suite());
        srunner_run_all(sr, CK_NORMAL);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? 1 : 0;
}

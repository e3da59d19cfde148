/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * The firewall's verdict (lib/firewall/verdict.h) on constructed rulesets
 * and hosts (fw-scenarios.h): per family, interface and source, its scope,
 * the deciding rule, the tool that owns it and the fix, and the engine's
 * judgements made of it.  No root needed.
 */

#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter.h>

#include "fw-scenarios.h"
#include "nft-build.h"
#include "verdict.h"

/* HANDLE 0: the chain's policy decided. */
static void assert_explanation(const FwExplanation *e, NftVerdict verdict, const char *scope, const char *table,
                               const char *chain, uint64_t handle, const char *text, const char *remediation) {
        ck_assert_str_eq(nft_verdict_name(e->result.verdict), nft_verdict_name(verdict));
        ck_assert_pstr_eq(e->scope, scope);
        ck_assert_pstr_eq(e->text, text);
        ck_assert_pstr_eq(e->remediation, remediation);
        ck_assert(!e->refused_by_stack);
        if (!table)
                return;
        ck_assert_ptr_nonnull(e->result.table);
        ck_assert_ptr_nonnull(e->result.chain);
        ck_assert_str_eq(e->result.table->name, table);
        ck_assert_str_eq(e->result.chain->name, chain);
        if (handle == 0)
                ck_assert_ptr_null(e->result.rule);
        else {
                ck_assert_ptr_nonnull(e->result.rule);
                ck_assert_uint_eq(e->result.rule->handle, handle);
        }
}

static void assert_accept(const FwExplanation *e) {
        ck_assert_str_eq(nft_verdict_name(e->result.verdict), "accept");
        ck_assert_ptr_null(e->scope);
        ck_assert_ptr_null(e->text);
        ck_assert_ptr_null(e->remediation);
}

static void assert_judgement(const SgFirewallFacts *x, int family, SgFwVerdict verdict, const char *scope,
                             const char *rule_family, const char *table, const char *chain, uint64_t handle,
                             const char *text, const char *frontend, const char *remediation) {
        ck_assert_int_eq(x->family, family);
        ck_assert_uint_eq(x->port, 22);
        ck_assert_int_eq(x->verdict, verdict);
        ck_assert_pstr_eq(x->scope, scope);
        ck_assert_pstr_eq(x->rule_family, rule_family);
        ck_assert_pstr_eq(x->rule_table, table);
        ck_assert_pstr_eq(x->rule_chain, chain);
        ck_assert_int_eq(x->rule_is_policy, handle == 0);
        ck_assert_uint_eq(x->rule_handle, handle);
        ck_assert_pstr_eq(x->rule_text, text);
        ck_assert_pstr_eq(x->frontend, frontend);
        ck_assert_pstr_eq(x->remediation, remediation);
}

/* The engine's view of port 22: without the listening sockets (sshd's are
 * judged by their own causes). */
static void port_verdict(const TestHost *h, FwPortVerdict *v) {
        FwFacts f = fw_facts_from_snapshot(&h->s);
        ck_assert_int_eq(fw_port_verdict(&f, 22, false, v), 0);
        ck_assert_uint_eq(v->port, 22);
}

static void judgements(const FwPortVerdict *v, const SgFirewallHistory *history, FwJudgements *j) {
        *j = (FwJudgements) {};
        ck_assert_int_eq(fw_judgements_add(j, v, history), 0);
}

static void source_verdict(const TestHost *h, int family, const char *saddr, const char *daddr, const char *iif,
                           FwExplanation *e) {
        FwFacts f = fw_facts_from_snapshot(&h->s);
        uint8_t s[16] = {}, d[16] = {};

        ck_assert_int_eq(inet_pton(family, saddr, s), 1);
        if (daddr)
                ck_assert_int_eq(inet_pton(family, daddr, d), 1);
        ck_assert_int_eq(fw_source_verdict(&f, 22, family, s, daddr ? d : NULL, iif, false, e), 0);
        ck_assert_int_eq(e->family, family);
}

START_TEST(test_inet_rule_blocks_both_families_as_one_judgement) {
        TestHost h;
        FwPortVerdict v;
        FwJudgements j;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_inet_dport22_drop(&handle));
        port_verdict(&h, &v);
        ck_assert_str_eq(v.scope, "all");
        ck_assert_uint_eq(v.n_blocked_interfaces, 0);
        for (int k = 0; k < 2; k++) {
                ck_assert_int_eq(v.e[k].family, k ? AF_INET6 : AF_INET);
                assert_explanation(&v.e[k], NFT_VERDICT_DROP, "all", "filter", "input", handle, "tcp dport 22 drop",
                                   "nft delete rule inet filter input handle 1");
                ck_assert(v.e[k].have_frontend);
                ck_assert_int_eq(v.e[k].frontend, FW_FRONTEND_NFTABLES);
                ck_assert_ptr_null(v.e[k].iifname);
        }
        judgements(&v, NULL, &j);
        ck_assert_uint_eq(j.n, 1);
        ck_assert_uint_eq(j.n_undecided, 0);
        assert_judgement(&j.v[0], AF_UNSPEC, SG_FW_DROP, "all", "inet", "filter", "input", handle, "tcp dport 22 drop",
                         "nftables", "nft delete rule inet filter input handle 1");
        ck_assert_int_eq(j.v[0].changed_by_pid, 0);
        ck_assert_ptr_null(j.v[0].changed_by_comm);
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);
        test_host_done(&h);
}
END_TEST

START_TEST(test_ip_table_drop_blocks_ipv4_only) {
        TestHost h;
        FwPortVerdict v;
        FwJudgements j;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_ip_dport22_drop(&handle));
        port_verdict(&h, &v);
        ck_assert_str_eq(v.scope, "ipv4");
        assert_explanation(&v.e[0], NFT_VERDICT_DROP, "ipv4", "filter", "input", handle, "tcp dport 22 drop",
                           "nft delete rule ip filter input handle 1");
        assert_accept(&v.e[1]);
        judgements(&v, NULL, &j);
        ck_assert_uint_eq(j.n, 1);
        assert_judgement(&j.v[0], AF_INET, SG_FW_DROP, "ipv4", "ip", "filter", "input", handle, "tcp dport 22 drop",
                         "nftables", "nft delete rule ip filter input handle 1");
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);
        test_host_done(&h);
}
END_TEST

START_TEST(test_ip6_table_reject_blocks_ipv6_only) {
        TestHost h;
        FwPortVerdict v;
        FwJudgements j;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_ip6_dport22_reject(&handle));
        port_verdict(&h, &v);
        ck_assert_str_eq(v.scope, "ipv6");
        assert_accept(&v.e[0]);
        assert_explanation(&v.e[1], NFT_VERDICT_REJECT, "ipv6", "filter", "input", handle,
                           "tcp dport 22 reject with tcp reset", "nft delete rule ip6 filter input handle 1");
        judgements(&v, NULL, &j);
        ck_assert_uint_eq(j.n, 1);
        assert_judgement(&j.v[0], AF_INET6, SG_FW_REJECT, "ipv6", "ip6", "filter", "input", handle,
                         "tcp dport 22 reject with tcp reset", "nftables", "nft delete rule ip6 filter input handle 1");
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);
        test_host_done(&h);
}
END_TEST

/* Issue 9's first example: the evaluator alone cannot tell (it depends on
 * the interface), but every interface a client arrives on is blocked by
 * the policy. */
START_TEST(test_policy_drop_accepting_only_lo_blocks_every_external_interface) {
        TestHost h;
        FwPortVerdict v;
        FwJudgements j;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0_ETH1, fw_policy_drop_lo_accept(&handle));
        port_verdict(&h, &v);
        ck_assert_str_eq(v.scope, "all");
        ck_assert_uint_eq(v.n_blocked_interfaces, 0);
        for (int k = 0; k < 2; k++) {
                assert_explanation(&v.e[k], NFT_VERDICT_DROP, "all", "filter", "input", 0, "policy drop",
                                   "nft insert rule inet filter input tcp dport 22 accept");
                ck_assert_ptr_null(v.e[k].iifname);
        }
        judgements(&v, NULL, &j);
        ck_assert_uint_eq(j.n, 1);
        ck_assert_uint_eq(j.n_undecided, 0);
        assert_judgement(&j.v[0], AF_UNSPEC, SG_FW_DROP, "all", "inet", "filter", "input", 0, "policy drop",
                         "nftables", "nft insert rule inet filter input tcp dport 22 accept");
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);
        test_host_done(&h);
}
END_TEST

START_TEST(test_policy_drop_on_a_host_with_only_lo_is_undecided) {
        TestHost h;
        FwPortVerdict v;
        FwJudgements j;
        uint64_t handle;

        test_host_init(&h, HOST_LO_ONLY, fw_policy_drop_lo_accept(&handle));
        port_verdict(&h, &v);
        ck_assert_ptr_null(v.scope);
        for (int k = 0; k < 2; k++) {
                ck_assert_str_eq(nft_verdict_name(v.e[k].result.verdict), "unknown");
                ck_assert_ptr_null(v.e[k].scope);       /* never beside a certain scope */
                ck_assert_ptr_null(v.e[k].text);
                ck_assert_str_eq(v.e[k].result.unknown_reason, "the outcome depends on what the probe does not define");
        }
        judgements(&v, NULL, &j);
        ck_assert_uint_eq(j.n, 0);
        ck_assert_uint_eq(j.n_undecided, 2);
        ck_assert_str_eq(j.undecided[0], "port 22, IPv4: the outcome depends on what the probe does not define "
                                         "(at inet filter input handle 2)");
        ck_assert_str_eq(j.undecided[1], "port 22, IPv6: the outcome depends on what the probe does not define "
                                         "(at inet filter input handle 2)");
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);
        test_host_done(&h);
}
END_TEST

START_TEST(test_interface_rule_on_one_of_two_interfaces_is_some_interfaces) {
        TestHost h;
        FwPortVerdict v;
        FwJudgements j;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0_ETH1, fw_iifname_eth1_drop(&handle));
        port_verdict(&h, &v);
        ck_assert_str_eq(v.scope, "some-interfaces");
        ck_assert_uint_eq(v.n_blocked_interfaces, 1);
        ck_assert_str_eq(v.blocked_interfaces[0], "eth1");
        for (int k = 0; k < 2; k++) {
                assert_explanation(&v.e[k], NFT_VERDICT_DROP, "some-interfaces", "filter", "input", handle,
                                   "iifname \"eth1\" tcp dport 22 drop", "nft delete rule inet filter input handle 1");
                ck_assert_str_eq(v.e[k].iifname, "eth1");
        }
        judgements(&v, NULL, &j);
        ck_assert_uint_eq(j.n, 1);
        assert_judgement(&j.v[0], AF_UNSPEC, SG_FW_DROP, "some-interfaces", "inet", "filter", "input", handle,
                         "iifname \"eth1\" tcp dport 22 drop", "nftables", "nft delete rule inet filter input handle 1");
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);
        test_host_done(&h);

        /* a host without eth1: nothing is blocked */
        test_host_init(&h, HOST_ETH0, fw_iifname_eth1_drop(&handle));
        port_verdict(&h, &v);
        ck_assert_ptr_null(v.scope);
        ck_assert_uint_eq(v.n_blocked_interfaces, 0);
        assert_accept(&v.e[0]);
        assert_accept(&v.e[1]);
        judgements(&v, NULL, &j);
        ck_assert_uint_eq(j.n + j.n_undecided, 0);
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);
        test_host_done(&h);
}
END_TEST

/* IPv4 on eth0 is blocked for every source; on eth1 only banned sources
 * are.  The whole interface is the larger problem (and leaves the host
 * unhealthy); it must not be reported as a source ban. */
START_TEST(test_interface_block_is_not_hidden_by_a_ban_on_another_interface) {
        TestHost h;
        FwPortVerdict v;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0_ETH1, fw_iifname_eth0_ipv4_drop_and_ban(&handle));
        port_verdict(&h, &v);
        ck_assert_pstr_eq(v.scope, "some-interfaces");
        ck_assert_uint_eq(v.n_blocked_interfaces, 1);
        ck_assert_str_eq(v.blocked_interfaces[0], "eth0");
        assert_explanation(&v.e[0], NFT_VERDICT_DROP, "some-interfaces", "filter", "input", handle,
                           "meta nfproto ipv4 iifname \"eth0\" tcp dport 22 drop",
                           "nft delete rule inet filter input handle 1");
        assert_accept(&v.e[1]);
        fw_port_verdict_done(&v);
        test_host_done(&h);
}
END_TEST

START_TEST(test_ban_set_blocks_some_sources_with_its_rule) {
        TestHost h;
        FwPortVerdict v;
        FwJudgements j;
        uint64_t handle;

        /* the set holds someone else: whether a client is in it depends on
         * who the client is */
        test_host_init(&h, HOST_ETH0, fw_ban_set("198.51.100.7", &handle));
        port_verdict(&h, &v);
        ck_assert_str_eq(v.scope, "some-sources");
        ck_assert_uint_eq(v.n_blocked_interfaces, 0);
        assert_explanation(&v.e[0], NFT_VERDICT_DROP, "some-sources", "filter", "input", handle,
                           "ip saddr @banned tcp dport 22 drop", "nft delete rule inet filter input handle 1");
        assert_accept(&v.e[1]);
        judgements(&v, NULL, &j);
        ck_assert_uint_eq(j.n, 1);
        ck_assert_uint_eq(j.n_undecided, 0);
        assert_judgement(&j.v[0], AF_INET, SG_FW_DROP, "some-sources", "inet", "filter", "input", handle,
                         "ip saddr @banned tcp dport 22 drop", "nftables", "nft delete rule inet filter input handle 1");
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);
        test_host_done(&h);
}
END_TEST

START_TEST(test_rate_limited_accept_is_no_judgement) {
        TestHost h;
        FwPortVerdict v;
        FwJudgements j;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_rate_limited(&handle));
        port_verdict(&h, &v);
        ck_assert_str_eq(v.scope, "rate-limited");
        for (int k = 0; k < 2; k++) {
                ck_assert_str_eq(nft_verdict_name(v.e[k].result.verdict), "accept");
                ck_assert(v.e[k].result.rate_limited);
                ck_assert_str_eq(v.e[k].scope, "rate-limited");
                ck_assert_uint_eq(v.e[k].result.rule->handle, handle);
                ck_assert_ptr_null(v.e[k].remediation);
        }
        judgements(&v, NULL, &j);
        ck_assert_uint_eq(j.n, 0);
        ck_assert_uint_eq(j.n_undecided, 0);
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);
        test_host_done(&h);
}
END_TEST

START_TEST(test_privileged_source_port_drop_is_a_partial_scope_of_an_accept) {
        TestHost h;
        FwPortVerdict v;
        FwJudgements j;
        FwExplanation e;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_privileged_sport_drop(&handle));
        port_verdict(&h, &v);
        ck_assert_str_eq(v.scope, "some-source-ports");
        for (int k = 0; k < 2; k++) {
                const NftEvalResult *r = &v.e[k].result;
                ck_assert_str_eq(nft_verdict_name(r->verdict), "accept");
                ck_assert_str_eq(v.e[k].scope, "some-source-ports");
                ck_assert_ptr_null(v.e[k].text);
                ck_assert_ptr_null(v.e[k].remediation);
                ck_assert(r->sport_split);
                ck_assert_str_eq(nft_verdict_name(r->sport.verdict), "drop");
                ck_assert_uint_eq(r->sport.rule->handle, handle);
                ck_assert_uint_eq(r->sport.ranges[0][0], 1);
                ck_assert_uint_eq(r->sport.ranges[0][1], 1023);
                ck_assert_pstr_eq(v.e[k].sport_text, "tcp sport 1-1023 drop");
        }
        /* no problem for the engine: every client's port gets through */
        judgements(&v, NULL, &j);
        ck_assert_uint_eq(j.n, 0);
        ck_assert_uint_eq(j.n_undecided, 0);
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);

        /* one client: accepted, the same partial scope */
        source_verdict(&h, AF_INET, "198.51.100.7", NULL, "eth0", &e);
        ck_assert_str_eq(nft_verdict_name(e.result.verdict), "accept");
        ck_assert_str_eq(e.scope, "some-source-ports");
        ck_assert_pstr_eq(e.sport_text, "tcp sport 1-1023 drop");
        fw_explanation_done(&e);
        test_host_done(&h);
}
END_TEST

START_TEST(test_banned_source_is_dropped_by_the_ban_rule) {
        TestHost h;
        FwExplanation e;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_ban_set("192.0.2.5", &handle));
        source_verdict(&h, AF_INET, "192.0.2.5", NULL, "eth0", &e);
        /* that client's fix: its address out of the set, not the rule for everyone */
        assert_explanation(&e, NFT_VERDICT_DROP, NULL, "filter", "input", handle, "ip saddr @banned tcp dport 22 drop",
                           "nft delete element inet filter banned '{ 192.0.2.5 }'");
        ck_assert_str_eq(e.iifname, "eth0");
        fw_explanation_done(&e);
        source_verdict(&h, AF_INET, "192.0.2.6", NULL, "eth0", &e);
        assert_accept(&e);
        fw_explanation_done(&e);
        test_host_done(&h);

        /* a ban tool's set: the fix lifts the ban of that address alone */
        test_host_init(&h, HOST_ETH0, fw_sshguard("192.0.2.5", &handle));
        source_verdict(&h, AF_INET, "192.0.2.5", NULL, "eth0", &e);
        assert_explanation(&e, NFT_VERDICT_DROP, NULL, "sshguard", "blacklist", handle, "ip saddr @attackers drop",
                           "nft delete element ip sshguard attackers '{ 192.0.2.5 }'");
        ck_assert_int_eq(e.frontend, FW_FRONTEND_SSHGUARD);
        fw_explanation_done(&e);
        test_host_done(&h);
}
END_TEST

/* kube-proxy's `! saddr 127/8 daddr 127/8 drop`: a client from elsewhere
 * connects to one of the host's own addresses, never to 127.0.0.0/8. */
START_TEST(test_loopback_destination_rule_is_judged_over_the_hosts_addresses) {
        TestHost h;
        FwExplanation e;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_loopback_destination_drop(&handle));
        source_verdict(&h, AF_INET, "192.0.2.5", NULL, NULL, &e);
        assert_accept(&e);
        ck_assert_str_eq(e.result.table->name, "filter");
        ck_assert_ptr_null(e.result.rule);      /* the policy accepted */
        fw_explanation_done(&e);
        /* to 127.0.0.1 it is the rule's */
        source_verdict(&h, AF_INET, "192.0.2.5", "127.0.0.1", NULL, &e);
        assert_explanation(&e, NFT_VERDICT_DROP, NULL, "filter", "input", handle,
                           "ip saddr != 127.0.0.0/8 ip daddr 127.0.0.0/8 drop",
                           "nft delete rule ip filter input handle 1");
        fw_explanation_done(&e);
        test_host_done(&h);
}
END_TEST

/* The same for any source: no client is blocked, no ban to report. */
START_TEST(test_loopback_destination_rule_blocks_no_external_source) {
        TestHost h;
        FwPortVerdict v;
        FwJudgements j;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_loopback_destination_drop(&handle));
        port_verdict(&h, &v);
        ck_assert_ptr_null(v.scope);
        assert_accept(&v.e[0]);
        assert_accept(&v.e[1]);
        judgements(&v, NULL, &j);
        ck_assert_uint_eq(j.n, 0);
        ck_assert_uint_eq(j.n_undecided, 0);
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);
        test_host_done(&h);
}
END_TEST

START_TEST(test_unread_legacy_tables_make_an_accept_undecided) {
        TestHost h;
        FwPortVerdict v;
        FwJudgements j;

        nb_reset();
        test_host_init(&h, HOST_ETH0, nb_parse());
        h.input.legacy_error[0] = "iptables-legacy: cannot read table filter: Permission denied";
        port_verdict(&h, &v);
        ck_assert_str_eq(nft_verdict_name(v.e[0].result.verdict), "unknown");
        ck_assert_ptr_null(v.e[0].scope);
        assert_accept(&v.e[1]);
        judgements(&v, NULL, &j);
        ck_assert_uint_eq(j.n, 0);
        ck_assert_uint_eq(j.n_undecided, 1);
        ck_assert_str_eq(j.undecided[0], "port 22, IPv4: iptables-legacy: cannot read table filter: Permission denied");
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);
        test_host_done(&h);
}
END_TEST

/* --- who committed the change --------------------------------------------- */

START_TEST(test_committer_of_a_rule_still_blocking_is_kept) {
        TestHost h;
        FwPortVerdict v;
        FwJudgements j;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_inet_dport22_drop(&handle));
        port_verdict(&h, &v);
        SgFirewallFacts previous = { .family = AF_UNSPEC, .port = 22, .verdict = SG_FW_DROP, .scope = "all",
                                     .rule_family = "inet", .rule_table = "filter", .rule_chain = "input",
                                     .rule_handle = handle, .changed_by_pid = 321, .changed_by_comm = "nft" };
        /* a later commit by someone else did not make this rule block */
        SgFirewallHistory history = { .previous = &previous, .n_previous = 1, .committed = true,
                                      .committer_pid = 999, .committer_comm = "firewalld" };
        judgements(&v, &history, &j);
        ck_assert_uint_eq(j.n, 1);
        ck_assert_int_eq(j.v[0].family, AF_UNSPEC);
        ck_assert_int_eq(j.v[0].changed_by_pid, 321);
        ck_assert_str_eq(j.v[0].changed_by_comm, "nft");
        fw_judgements_done(&j);

        /* the previous judgement was of another rule: this one is new */
        previous.rule_handle = handle + 1;
        judgements(&v, &history, &j);
        ck_assert_uint_eq(j.n, 1);
        ck_assert_int_eq(j.v[0].changed_by_pid, 999);
        ck_assert_str_eq(j.v[0].changed_by_comm, "firewalld");
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);
        test_host_done(&h);
}
END_TEST

START_TEST(test_new_block_gets_the_committer_only_when_a_commit_was_seen) {
        TestHost h;
        FwPortVerdict v;
        FwJudgements j;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_ip_dport22_drop(&handle));
        port_verdict(&h, &v);
        SgFirewallHistory history = { .committed = true, .committer_pid = 4242, .committer_comm = "ufw" };
        judgements(&v, &history, &j);
        ck_assert_uint_eq(j.n, 1);
        ck_assert_int_eq(j.v[0].changed_by_pid, 4242);
        ck_assert_str_eq(j.v[0].changed_by_comm, "ufw");
        fw_judgements_done(&j);

        history.committed = false;
        judgements(&v, &history, &j);
        ck_assert_int_eq(j.v[0].changed_by_pid, 0);
        ck_assert_ptr_null(j.v[0].changed_by_comm);
        fw_judgements_done(&j);

        /* one-shot: no history */
        judgements(&v, NULL, &j);
        ck_assert_int_eq(j.v[0].changed_by_pid, 0);
        ck_assert_ptr_null(j.v[0].changed_by_comm);
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);
        test_host_done(&h);
}
END_TEST

START_TEST(test_same_rule_compares_rule_not_port_or_family) {
        SgFirewallFacts a = { .family = AF_INET, .port = 22, .verdict = SG_FW_DROP, .rule_family = "inet",
                              .rule_table = "filter", .rule_chain = "input", .rule_handle = 7 };
        SgFirewallFacts b = a;

        b.family = AF_INET6;
        b.port = 2222;
        ck_assert(fw_facts_same_rule(&a, &b));
        b.rule_handle = 8;
        ck_assert(!fw_facts_same_rule(&a, &b));
        b = a;
        b.rule_table = "other";
        ck_assert(!fw_facts_same_rule(&a, &b));
        b = a;
        b.verdict = SG_FW_REJECT;
        ck_assert(!fw_facts_same_rule(&a, &b));
        b = a;
        b.rule_is_policy = true;
        b.rule_handle = 0;
        ck_assert(!fw_facts_same_rule(&a, &b));
}
END_TEST

/* The bug this protects against: a fork on the source (a ban of a /48,
 * then a drop of everything) whose every side is dropped, by the ban's
 * rule for the sources it names and by the later rule for all others:
 * naming the later rule alone (and deleting it) would leave ssh blocked
 * for the banned sources, naming the ban alone for everyone else. */
START_TEST(test_ban_and_input_drop_name_both_rules_and_fix_both) {
        TestHost h;
        FwPortVerdict v;
        FwJudgements j;
        uint64_t hban, hdrop;

        test_host_init(&h, HOST_ETH0, fw_ip6_ban_then_input_drop(&hban, &hdrop));
        port_verdict(&h, &v);
        assert_accept(&v.e[0]);
        const FwExplanation *e = &v.e[1];
        ck_assert_str_eq(nft_verdict_name(e->result.verdict), "drop");
        ck_assert_pstr_eq(e->scope, "ipv6");
        ck_assert_str_eq(v.scope, "ipv6");
        ck_assert(fw_explanation_several_rules(e));
        ck_assert(e->result.rule_ambiguous);
        ck_assert(!e->result.blockers_overflow);
        ck_assert_uint_eq(e->result.n_blockers, 2);
        /* in the order a packet meets them */
        ck_assert_uint_eq(e->result.blockers[0].rule->handle, hban);
        ck_assert_uint_eq(e->result.blockers[1].rule->handle, hdrop);
        /* no single rule claimed; every one named, one fix for all */
        ck_assert_ptr_null(e->text);
        ck_assert_uint_eq(e->n_blockers, 2);
        ck_assert_str_eq(e->blockers[0].text, "tcp dport 22 ip6 saddr 2001:db8:1::/48 drop");
        ck_assert_str_eq(e->blockers[0].remediation, "nft delete rule ip6 filter input handle 1");
        ck_assert_str_eq(e->blockers[1].text, "tcp dport 22 drop");
        ck_assert_str_eq(e->blockers[1].remediation, "nft delete rule ip6 filter input handle 2");
        ck_assert_str_eq(e->remediation,
                         "nft 'delete rule ip6 filter input handle 2; delete rule ip6 filter input handle 1'");
        ck_assert(e->have_frontend);
        ck_assert_int_eq(e->frontend, FW_FRONTEND_NFTABLES);

        /* the engine: one judgement without rule_* fields, every rule in
         * `rules`, the same fix */
        judgements(&v, NULL, &j);
        ck_assert_uint_eq(j.n, 1);
        ck_assert_uint_eq(j.n_undecided, 0);
        ck_assert_int_eq(j.v[0].family, AF_INET6);
        ck_assert_int_eq(j.v[0].verdict, SG_FW_DROP);
        ck_assert_str_eq(j.v[0].scope, "ipv6");
        ck_assert_ptr_null(j.v[0].rule_family);
        ck_assert_ptr_null(j.v[0].rule_table);
        ck_assert_ptr_null(j.v[0].rule_chain);
        ck_assert_ptr_null(j.v[0].rule_text);
        ck_assert(!j.v[0].rule_is_policy);
        ck_assert_str_eq(j.v[0].frontend, "nftables");
        ck_assert_str_eq(j.v[0].remediation,
                         "nft 'delete rule ip6 filter input handle 2; delete rule ip6 filter input handle 1'");
        ck_assert_str_eq(j.v[0].rules, "ip6 filter input 1, ip6 filter input 2");
        ck_assert_str_eq(j.v[0].rules_text,
                         "ip6 filter input handle 1 \"tcp dport 22 ip6 saddr 2001:db8:1::/48 drop\" (nftables), then ip6 filter "
                         "input handle 2 \"tcp dport 22 drop\" (nftables)");
        ck_assert(!j.v[0].rules_incomplete);
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);

        /* one client: the rule that names it alone */
        FwExplanation x;
        source_verdict(&h, AF_INET6, "2001:db8:1::5", NULL, "eth0", &x);
        assert_explanation(&x, NFT_VERDICT_DROP, NULL, "filter", "input", hban, "tcp dport 22 ip6 saddr 2001:db8:1::/48 drop",
                           "nft delete rule ip6 filter input handle 1");
        ck_assert(!fw_explanation_several_rules(&x));
        fw_explanation_done(&x);
        test_host_done(&h);
}
END_TEST

/* The fork of issue 10: a ban that drops the sources it names, then a
 * reject of everyone else.  Every source is blocked, one way or the other:
 * a block of the whole family (the drop first: a banned client waits for a
 * time-out), both rules named with what each does, one fix for both; not
 * a block of some sources that leaves sshd reachable. */
START_TEST(test_ban_drop_then_reject_of_the_rest_blocks_every_source) {
        TestHost h;
        FwPortVerdict v;
        FwJudgements j;
        uint64_t hban, hrej;

        test_host_init(&h, HOST_ETH0, fw_ip6_ban_then_input_reject(&hban, &hrej));
        port_verdict(&h, &v);
        assert_accept(&v.e[0]);
        const FwExplanation *e = &v.e[1];
        ck_assert_str_eq(nft_verdict_name(e->result.verdict), "drop");
        ck_assert(e->result.mixed_block);
        ck_assert_pstr_eq(e->scope, "ipv6");
        ck_assert_str_eq(v.scope, "ipv6");
        ck_assert(fw_explanation_several_rules(e));
        ck_assert_uint_eq(e->result.n_blockers, 2);
        ck_assert_uint_eq(e->result.blockers[0].rule->handle, hban);
        ck_assert_int_eq(e->result.blockers[0].verdict, NFT_VERDICT_DROP);
        ck_assert_uint_eq(e->result.blockers[1].rule->handle, hrej);
        ck_assert_int_eq(e->result.blockers[1].verdict, NFT_VERDICT_REJECT);
        ck_assert_str_eq(e->blockers[1].text, "tcp dport 22 reject with tcp reset");
        ck_assert_str_eq(e->remediation,
                         "nft 'delete rule ip6 filter input handle 2; delete rule ip6 filter input handle 1'");

        judgements(&v, NULL, &j);
        ck_assert_uint_eq(j.n, 1);
        ck_assert_uint_eq(j.n_undecided, 0);
        ck_assert_int_eq(j.v[0].verdict, SG_FW_DROP);
        ck_assert(j.v[0].rules_mixed);
        ck_assert_str_eq(j.v[0].scope, "ipv6");
        ck_assert_str_eq(j.v[0].rules, "ip6 filter input 1, ip6 filter input 2");
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);

        /* one client: the rule that meets it, alone, and what it does */
        FwExplanation x;
        source_verdict(&h, AF_INET6, "2001:db8:1::5", NULL, "eth0", &x);
        assert_explanation(&x, NFT_VERDICT_DROP, NULL, "filter", "input", hban, "tcp dport 22 ip6 saddr 2001:db8:1::/48 drop",
                           "nft delete rule ip6 filter input handle 1");
        ck_assert(!x.result.mixed_block);
        fw_explanation_done(&x);
        source_verdict(&h, AF_INET6, "2001:db8:2::5", NULL, "eth0", &x);
        assert_explanation(&x, NFT_VERDICT_REJECT, NULL, "filter", "input", hrej, "tcp dport 22 reject with tcp reset",
                           "nft delete rule ip6 filter input handle 2");
        fw_explanation_done(&x);
        test_host_done(&h);
}
END_TEST

/* A reverse-path check in prerouting, then a drop in input.  "Any external
 * source" is a client the host routes back through the interface it
 * arrives on, as every client that can get an answer is (a source whose
 * route back leaves elsewhere is asymmetric routing or a forged address,
 * asked about with --from): the input rule decides, alone, and deleting
 * it is the fix.  A client whose route back is not known is dropped
 * either way, by both. */
START_TEST(test_rpfilter_drop_then_input_drop_any_source_meets_the_input_rule) {
        TestHost h;
        FwPortVerdict v;
        uint64_t hrp, hdrop;

        test_host_init(&h, HOST_ETH0, fw_ip6_rpfilter_then_input(NF_DROP, &hrp, &hdrop));
        port_verdict(&h, &v);
        assert_accept(&v.e[0]);
        assert_explanation(&v.e[1], NFT_VERDICT_DROP, "ipv6", "filter", "input", hdrop, "tcp dport 22 drop",
                           "nft delete rule ip6 filter input handle 2");
        ck_assert(!fw_explanation_several_rules(&v.e[1]));
        ck_assert_str_eq(v.scope, "ipv6");
        fw_port_verdict_done(&v);

        FwExplanation x;
        source_verdict(&h, AF_INET6, "2001:db8::5", NULL, "eth0", &x);
        ck_assert_str_eq(nft_verdict_name(x.result.verdict), "drop");
        ck_assert(fw_explanation_several_rules(&x));
        ck_assert_str_eq(x.remediation,
                         "nft 'delete rule ip6 filter input handle 2; delete rule ip6 raw prerouting handle 1'");
        fw_explanation_done(&x);
        FwFacts f = fw_facts_from_snapshot(&h.s);
        uint8_t a[16];
        ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::5", a), 1);
        ck_assert_int_eq(fw_source_verdict(&f, 22, AF_INET6, a, NULL, "eth0", true, &x), 0);
        assert_explanation(&x, NFT_VERDICT_DROP, NULL, "filter", "input", hdrop, "tcp dport 22 drop",
                           "nft delete rule ip6 filter input handle 2");
        fw_explanation_done(&x);
        test_host_done(&h);
}
END_TEST

/* The reverse-path check alone (firewalld's IPv6 default): no client that
 * can get an answer is dropped, so nothing is reported -- it was a
 * some-sources block by the rpfilter rule, a finding on every such host.
 * A client whose route back is not known: it depends on that route. */
START_TEST(test_rpfilter_drop_alone_lets_any_source_in) {
        TestHost h;
        FwPortVerdict v;
        uint64_t hrp, none;

        test_host_init(&h, HOST_ETH0, fw_ip6_rpfilter_then_input(NF_ACCEPT, &hrp, &none));
        port_verdict(&h, &v);
        assert_accept(&v.e[0]);
        assert_accept(&v.e[1]);
        ck_assert_ptr_null(v.scope);
        fw_port_verdict_done(&v);

        FwExplanation x;
        source_verdict(&h, AF_INET6, "2001:db8::5", NULL, "eth0", &x);
        ck_assert_str_eq(nft_verdict_name(x.result.verdict), "unknown");
        fw_explanation_done(&x);
        test_host_done(&h);
}
END_TEST

/* Both sides of a fork on the source reach the same drop: one rule, as
 * certain as without the fork. */
START_TEST(test_fork_whose_both_sides_the_same_rule_drops_names_that_rule) {
        TestHost h;
        FwPortVerdict v;
        FwJudgements j;
        uint64_t hdrop;

        test_host_init(&h, HOST_ETH0, fw_ip6_fork_same_drop(&hdrop));
        port_verdict(&h, &v);
        assert_accept(&v.e[0]);
        assert_explanation(&v.e[1], NFT_VERDICT_DROP, "ipv6", "filter", "input", hdrop, "tcp dport 22 drop",
                           "nft delete rule ip6 filter input handle 2");
        ck_assert(!v.e[1].result.rule_ambiguous);
        ck_assert_uint_eq(v.e[1].result.n_blockers, 1);
        ck_assert(!fw_explanation_several_rules(&v.e[1]));
        judgements(&v, NULL, &j);
        ck_assert_uint_eq(j.n, 1);
        assert_judgement(&j.v[0], AF_INET6, SG_FW_DROP, "ipv6", "ip6", "filter", "input", hdrop, "tcp dport 22 drop",
                         "nftables", "nft delete rule ip6 filter input handle 2");
        ck_assert_ptr_null(j.v[0].rules);
        fw_judgements_done(&j);
        fw_port_verdict_done(&v);
        test_host_done(&h);
}
END_TEST

static Suite *verdict_suite(void) {
        Suite *s = suite_create("verdict");
        TCase *tc = tcase_create("port");

        tcase_add_test(tc, test_inet_rule_blocks_both_families_as_one_judgement);
        tcase_add_test(tc, test_ip_table_drop_blocks_ipv4_only);
        tcase_add_test(tc, test_ip6_table_reject_blocks_ipv6_only);
        tcase_add_test(tc, test_policy_drop_accepting_only_lo_blocks_every_external_interface);
        tcase_add_test(tc, test_policy_drop_on_a_host_with_only_lo_is_undecided);
        tcase_add_test(tc, test_interface_rule_on_one_of_two_interfaces_is_some_interfaces);
        tcase_add_test(tc, test_interface_block_is_not_hidden_by_a_ban_on_another_interface);
        tcase_add_test(tc, test_ban_set_blocks_some_sources_with_its_rule);
        tcase_add_test(tc, test_rate_limited_accept_is_no_judgement);
        tcase_add_test(tc, test_loopback_destination_rule_blocks_no_external_source);
        tcase_add_test(tc, test_unread_legacy_tables_make_an_accept_undecided);
        suite_add_tcase(s, tc);

        tc = tcase_create("source");
        tcase_add_test(tc, test_banned_source_is_dropped_by_the_ban_rule);
        tcase_add_test(tc, test_privileged_source_port_drop_is_a_partial_scope_of_an_accept);
        tcase_add_test(tc, test_loopback_destination_rule_is_judged_over_the_hosts_addresses);
        suite_add_tcase(s, tc);

        tc = tcase_create("judgements");
        tcase_add_test(tc, test_committer_of_a_rule_still_blocking_is_kept);
        tcase_add_test(tc, test_new_block_gets_the_committer_only_when_a_commit_was_seen);
        tcase_add_test(tc, test_same_rule_compares_rule_not_port_or_family);
        tcase_add_test(tc, test_ban_and_input_drop_name_both_rules_and_fix_both);
        tcase_add_test(tc, test_ban_drop_then_reject_of_the_rest_blocks_every_source);
        tcase_add_test(tc, test_rpfilter_drop_then_input_drop_any_source_meets_the_input_rule);
        tcase_add_test(tc, test_rpfilter_drop_alone_lets_any_source_in);
        tcase_add_test(tc, test_fork_whose_both_sides_the_same_rule_drops_names_that_rule);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(verdict_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

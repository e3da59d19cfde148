/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * `explain` and D-Bus Explain() (lib/explain.h): the request checked with
 * the CLI's words, the listening sockets taking (or not) what the firewall
 * lets through, and, without a source, by construction the same verdict,
 * rule and scope as the engine's judgements (sg_assess()) on the same
 * host.  Constructed rulesets and hosts (fw-scenarios.h), no root.
 */

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter.h>

#include "diagnose.h"
#include "explain.h"
#include "fw-scenarios.h"
#include "nft-build.h"

static NftRuleset *fw_empty(uint64_t *handle) {
        *handle = 0;
        nb_reset();
        return nb_parse();
}

static SgExplainResult *explain_ok(const TestHost *h, SgExplainRequest req) {
        SgExplainResult *res = NULL;
        char *error = NULL;

        ck_assert_int_eq(sg_explain(&h->s, &req, &res, &error), 0);
        ck_assert_ptr_null(error);
        ck_assert_ptr_nonnull(res);
        return res;
}

static void assert_explain_error(const TestHost *h, SgExplainRequest req, int r, const char *message) {
        SgExplainResult *res = NULL;
        char *error = NULL;

        ck_assert_int_eq(sg_explain(&h->s, &req, &res, &error), r);
        ck_assert_ptr_null(res);
        ck_assert_pstr_eq(error, message);
        free(error);
}

/* --- the request ---------------------------------------------------------- */

START_TEST(test_address_that_is_not_one_is_refused_in_the_options_words) {
        TestHost h;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_empty(&handle));
        assert_explain_error(&h, (SgExplainRequest) { .from = "300.1.1.1" }, -EINVAL,
                             "--from: '300.1.1.1' is not an IPv4 or IPv6 address");
        assert_explain_error(&h, (SgExplainRequest) { .from = "host.example" }, -EINVAL,
                             "--from: 'host.example' is not an IPv4 or IPv6 address");
        assert_explain_error(&h, (SgExplainRequest) { .from = "192.0.2.5", .to = "192.0.2.10/24" }, -EINVAL,
                             "--to: '192.0.2.10/24' is not an IPv4 or IPv6 address");
        test_host_done(&h);
}
END_TEST

START_TEST(test_from_and_to_of_different_families_are_refused) {
        TestHost h;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_empty(&handle));
        assert_explain_error(&h, (SgExplainRequest) { .from = "192.0.2.5", .to = "2001:db8::10" }, -EINVAL,
                             "--from and --to are of different families");
        assert_explain_error(&h, (SgExplainRequest) { .from = "2001:db8::5", .to = "192.0.2.10" }, -EINVAL,
                             "--from and --to are of different families");
        test_host_done(&h);
}
END_TEST

START_TEST(test_interface_the_host_lacks_is_refused) {
        TestHost h;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_empty(&handle));
        assert_explain_error(&h, (SgExplainRequest) { .iif = "eth1" }, -EINVAL, "--iif: no interface 'eth1' here");
        assert_explain_error(&h, (SgExplainRequest) { .from = "192.0.2.5", .iif = "averyveryverylongname" }, -EINVAL,
                             "--iif: no interface 'averyveryverylongname' here");
        test_host_done(&h);
}
END_TEST

START_TEST(test_unreadable_ruleset_says_why_and_that_reading_needs_root) {
        TestHost h;

        test_host_init(&h, HOST_ETH0, NULL);
        assert_explain_error(&h, (SgExplainRequest) {}, -EPERM,
                             "cannot read the nftables ruleset: Operation not permitted (reading it needs root: "
                             "CAP_NET_ADMIN)");
        /* the request is checked first */
        assert_explain_error(&h, (SgExplainRequest) { .from = "nope" }, -EINVAL,
                             "--from: 'nope' is not an IPv4 or IPv6 address");
        h.input.read_error = -ENOBUFS;
        assert_explain_error(&h, (SgExplainRequest) {}, -ENOBUFS,
                             "cannot read the nftables ruleset: No buffer space available");
        h.s.firewall_input = NULL;
        assert_explain_error(&h, (SgExplainRequest) {}, -EIO, "cannot read the nftables ruleset: Input/output error");
        test_host_done(&h);
}
END_TEST

START_TEST(test_port_is_the_first_expected_unless_given) {
        TestHost h;
        SgExplainResult *res;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_empty(&handle));
        res = explain_ok(&h, (SgExplainRequest) {});
        ck_assert_uint_eq(res->port, 22);
        ck_assert_str_eq(res->port_origin, "expected");
        sg_explain_result_free(res);
        res = explain_ok(&h, (SgExplainRequest) { .port = 2222 });
        ck_assert_uint_eq(res->port, 2222);
        ck_assert_str_eq(res->port_origin, "given");
        sg_explain_result_free(res);
        h.s.n_expected_ports = 0;
        res = explain_ok(&h, (SgExplainRequest) {});
        ck_assert_uint_eq(res->port, 22);
        ck_assert_str_eq(res->port_origin, "default");
        sg_explain_result_free(res);
        test_host_done(&h);
}
END_TEST

/* --- the sockets behind the firewall --------------------------------------- */

START_TEST(test_loopback_only_listener_is_refused_by_the_stack) {
        TestHost h;
        SgExplainResult *res;
        uint64_t handle;
        SgListener l[] = { test_listener(AF_INET, "127.0.0.1", 22, false, 500, "sshd") };

        test_host_init(&h, HOST_ETH0, fw_empty(&handle));
        test_host_set_listeners(&h, l, 1);
        res = explain_ok(&h, (SgExplainRequest) {});
        ck_assert_int_eq(res->n, 2);
        ck_assert_int_eq(res->worst, 0);
        ck_assert_str_eq(sg_explain_verdict(res), "reject");
        ck_assert_int_eq(sg_explain_exit_code(res), SG_EXPLAIN_EXIT_BLOCKED);
        for (int k = 0; k < 2; k++) {
                ck_assert_str_eq(nft_verdict_name(res->v.e[k].result.verdict), "reject");
                ck_assert(res->v.e[k].refused_by_stack);
                ck_assert_ptr_null(res->v.e[k].result.table);   /* no rule to blame */
                ck_assert_ptr_null(res->v.e[k].text);
        }
        sg_explain_result_free(res);

        /* the firewall decides first: its drop is what the client sees */
        nft_ruleset_free(h.rs);
        h.input.ruleset = h.rs = fw_inet_dport22_drop(&handle);
        res = explain_ok(&h, (SgExplainRequest) {});
        ck_assert_str_eq(sg_explain_verdict(res), "drop");
        ck_assert(!res->v.e[0].refused_by_stack);
        ck_assert_str_eq(res->v.e[0].text, "tcp dport 22 drop");
        sg_explain_result_free(res);
        test_host_done(&h);
}
END_TEST

START_TEST(test_any_process_listening_takes_the_connection) {
        TestHost h;
        SgExplainResult *res;
        uint64_t handle;
        SgListener l[] = { test_listener(AF_INET, "0.0.0.0", 22, false, 77, "python3"),
                           test_listener(AF_INET6, "::", 22, true, 500, "sshd") };

        test_host_init(&h, HOST_ETH0, fw_empty(&handle));
        test_host_set_listeners(&h, l, 2);
        res = explain_ok(&h, (SgExplainRequest) {});
        ck_assert_str_eq(sg_explain_verdict(res), "accept");
        ck_assert_int_eq(sg_explain_exit_code(res), SG_EXPLAIN_EXIT_ACCEPT);
        ck_assert(!res->v.e[0].refused_by_stack);
        ck_assert(!res->v.e[1].refused_by_stack);
        sg_explain_result_free(res);

        /* sshd on IPv6 alone, v6only: IPv4 is refused, and is the answer */
        test_host_set_listeners(&h, &l[1], 1);
        res = explain_ok(&h, (SgExplainRequest) {});
        ck_assert_int_eq(res->worst, 0);
        ck_assert_str_eq(sg_explain_verdict(res), "reject");
        ck_assert(res->v.e[0].refused_by_stack);
        ck_assert_str_eq(nft_verdict_name(res->v.e[1].result.verdict), "accept");
        sg_explain_result_free(res);

        /* the same socket without v6only takes IPv4 too */
        l[1].v6only = false;
        test_host_set_listeners(&h, &l[1], 1);
        res = explain_ok(&h, (SgExplainRequest) {});
        ck_assert_str_eq(sg_explain_verdict(res), "accept");
        sg_explain_result_free(res);

        /* to one address: the socket bound to that address decides */
        SgListener exact[] = { test_listener(AF_INET, "198.51.100.99", 22, false, 500, "sshd") };
        test_host_set_listeners(&h, exact, 1);
        res = explain_ok(&h, (SgExplainRequest) { .from = "203.0.113.5", .to = "192.0.2.10" });
        ck_assert_int_eq(res->n, 1);
        ck_assert_str_eq(sg_explain_verdict(res), "reject");
        ck_assert(res->v.e[0].refused_by_stack);
        sg_explain_result_free(res);
        test_host_done(&h);
}
END_TEST

/* --- one client ------------------------------------------------------------ */

static int route_via_eth0(int family, const uint8_t *addr, char ifname[16]) {
        (void) family;
        (void) addr;
        strcpy(ifname, "eth0");
        return 0;
}

START_TEST(test_banned_client_is_told_the_ban_and_its_fix) {
        TestHost h;
        SgExplainResult *res;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_sshguard("192.0.2.5", &handle));
        res = explain_ok(&h, (SgExplainRequest) { .from = "192.0.2.5", .route_iif = route_via_eth0 });
        ck_assert_int_eq(res->n, 1);
        ck_assert_str_eq(res->from, "192.0.2.5");
        ck_assert_str_eq(res->iif, "eth0");
        ck_assert_str_eq(sg_explain_verdict(res), "drop");
        ck_assert_int_eq(sg_explain_exit_code(res), SG_EXPLAIN_EXIT_BLOCKED);
        ck_assert_str_eq(res->v.e[0].text, "ip saddr @attackers drop");
        ck_assert_uint_eq(res->v.e[0].result.rule->handle, handle);
        ck_assert_str_eq(res->v.e[0].remediation, "nft delete element ip sshguard attackers '{ 192.0.2.5 }'");
        sg_explain_result_free(res);

        res = explain_ok(&h, (SgExplainRequest) { .from = "192.0.2.6" });
        ck_assert_str_eq(sg_explain_verdict(res), "accept");
        ck_assert_ptr_null(res->iif);
        sg_explain_result_free(res);
        test_host_done(&h);
}
END_TEST

START_TEST(test_interface_given_decides_an_interface_dependent_verdict) {
        TestHost h;
        SgExplainResult *res;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_policy_drop_lo_accept(&handle));
        res = explain_ok(&h, (SgExplainRequest) { .iif = "eth0" });
        ck_assert_int_eq(res->n, 2);
        for (int k = 0; k < 2; k++) {
                ck_assert_str_eq(nft_verdict_name(res->v.e[k].result.verdict), "drop");
                ck_assert_ptr_null(res->v.e[k].result.rule);
                ck_assert_str_eq(res->v.e[k].text, "policy drop");
                ck_assert_str_eq(res->v.e[k].iifname, "eth0");
        }
        sg_explain_result_free(res);
        res = explain_ok(&h, (SgExplainRequest) { .iif = "lo" });
        ck_assert_str_eq(sg_explain_verdict(res), "accept");
        sg_explain_result_free(res);
        test_host_done(&h);
}
END_TEST

/* --- the engine's judgement, by construction -------------------------------- */

static NftRuleset *fw_ban_someone_else(uint64_t *handle) {
        return fw_ban_set("198.51.100.7", handle);
}

static NftRuleset *fw_rpfilter_then_input_drop(uint64_t *handle) {
        uint64_t rpfilter;
        return fw_ip6_rpfilter_then_input(NF_DROP, &rpfilter, handle);
}

static NftRuleset *fw_ban_then_input_drop(uint64_t *handle) {
        uint64_t ban;
        return fw_ip6_ban_then_input_drop(&ban, handle);
}

static NftRuleset *fw_rpfilter_alone(uint64_t *handle) {
        uint64_t none;
        return fw_ip6_rpfilter_then_input(NF_ACCEPT, handle, &none);
}

static const struct {
        const char *name;
        NftRuleset *(*build)(uint64_t *handle);
        TestHostShape shape;
} scenarios[] = {
        { "inet drop", fw_inet_dport22_drop, HOST_ETH0 },
        { "ip drop", fw_ip_dport22_drop, HOST_ETH0 },
        { "ip6 reject", fw_ip6_dport22_reject, HOST_ETH0 },
        { "policy drop, lo accepted", fw_policy_drop_lo_accept, HOST_ETH0_ETH1 },
        { "policy drop, only lo", fw_policy_drop_lo_accept, HOST_LO_ONLY },
        { "iifname eth1 drop", fw_iifname_eth1_drop, HOST_ETH0_ETH1 },
        { "iifname eth0 drop, ban on eth1", fw_iifname_eth0_ipv4_drop_and_ban, HOST_ETH0_ETH1 },
        { "ban set", fw_ban_someone_else, HOST_ETH0 },
        { "rate limited", fw_rate_limited, HOST_ETH0 },
        { "loopback destination", fw_loopback_destination_drop, HOST_ETH0 },
        { "nothing", fw_empty, HOST_ETH0 },
        { "rpfilter drop, then input drop", fw_rpfilter_then_input_drop, HOST_ETH0 },
        { "rpfilter drop alone", fw_rpfilter_alone, HOST_ETH0 },
        { "a ban, then input drop", fw_ban_then_input_drop, HOST_ETH0 },
        { "a fork both of whose sides one rule drops", fw_ip6_fork_same_drop, HOST_ETH0 },
};

static const SgFirewallFacts *judgement_of(const SgAssessment *a, int family) {
        const SgFirewallFacts *found = NULL;

        for (size_t i = 0; i < a->firewall.n; i++)
                if (a->firewall.v[i].port == 22 &&
                    (a->firewall.v[i].family == family || a->firewall.v[i].family == AF_UNSPEC)) {
                        ck_assert_msg(!found, "two judgements of one family");
                        found = &a->firewall.v[i];
                }
        return found;
}

static bool undecided_of(const SgAssessment *a, int family) {
        const char *prefix = family == AF_INET6 ? "port 22, IPv6: " : "port 22, IPv4: ";

        for (size_t i = 0; i < a->firewall.n_undecided; i++)
                if (strncmp(a->firewall.undecided[i], prefix, strlen(prefix)) == 0)
                        return true;
        return false;
}

START_TEST(test_explain_without_source_is_the_engines_judgement) {
        for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
                TestHost h;
                SgAssessment a;
                SgExplainResult *res;
                uint64_t handle;

                test_host_init(&h, scenarios[i].shape, scenarios[i].build(&handle));
                ck_assert_int_eq(sg_assess(&h.s, NULL, &a), 0);
                res = explain_ok(&h, (SgExplainRequest) {});
                ck_assert_int_eq(res->n, 2);
                for (int k = 0; k < 2; k++) {
                        int family = k ? AF_INET6 : AF_INET;
                        const FwExplanation *e = &res->v.e[k];
                        const NftEvalResult *r = &e->result;
                        const SgFirewallFacts *x = judgement_of(&a, family);

                        ck_assert_int_eq(e->family, family);
                        ck_assert(!e->refused_by_stack);
                        switch (r->verdict) {
                        case NFT_VERDICT_DROP:
                        case NFT_VERDICT_REJECT:
                                ck_assert_msg(x, "%s: family %d blocked by explain, not by the engine",
                                              scenarios[i].name, family);
                                ck_assert_int_eq(x->verdict, r->verdict == NFT_VERDICT_DROP ? SG_FW_DROP : SG_FW_REJECT);
                                if (fw_explanation_several_rules(e)) {
                                        /* no one rule decides: every one, the same fix */
                                        char *keys = fw_explanation_rules_key(e);
                                        ck_assert_pstr_eq(x->rules, keys);
                                        free(keys);
                                        ck_assert_ptr_null(x->rule_family);
                                        ck_assert_ptr_null(x->rule_text);
                                        ck_assert_ptr_null(e->text);
                                        ck_assert_pstr_eq(x->scope, e->scope);
                                        ck_assert_pstr_eq(x->remediation, e->remediation);
                                        ck_assert_ptr_nonnull(x->remediation);
                                        ck_assert(!undecided_of(&a, family));
                                        break;
                                }
                                ck_assert_ptr_null(x->rules);
                                ck_assert_str_eq(x->rule_family, nft_family_name(r->table->family));
                                ck_assert_str_eq(x->rule_table, r->table->name);
                                ck_assert_str_eq(x->rule_chain, r->chain->name);
                                ck_assert_int_eq(x->rule_is_policy, r->rule == NULL);
                                ck_assert_uint_eq(x->rule_handle, r->rule ? r->rule->handle : 0);
                                ck_assert_pstr_eq(x->scope, e->scope);
                                ck_assert_pstr_eq(x->rule_text, e->text);
                                ck_assert_pstr_eq(x->remediation, e->remediation);
                                ck_assert(!undecided_of(&a, family));
                                break;
                        case NFT_VERDICT_ACCEPT:
                                ck_assert_msg(!x, "%s: family %d blocked by the engine, not by explain",
                                              scenarios[i].name, family);
                                ck_assert(!undecided_of(&a, family));
                                break;
                        default:
                                ck_assert_msg(!x && undecided_of(&a, family), "%s: family %d unknown to explain only",
                                              scenarios[i].name, family);
                                ck_assert_ptr_null(e->scope);
                                ck_assert(a.uncertain);
                                break;
                        }
                }
                /* what the client fails on first is what makes the host unhealthy */
                if (sg_explain_exit_code(res) == SG_EXPLAIN_EXIT_UNKNOWN)
                        ck_assert(a.uncertain);
                if (!a.healthy)
                        ck_assert_int_eq(sg_explain_exit_code(res), SG_EXPLAIN_EXIT_BLOCKED);
                sg_explain_result_free(res);
                sg_assessment_done(&a);
                test_host_done(&h);
        }
}
END_TEST

static const char *evidence_of(const SgFinding *f, const char *key) {
        for (size_t i = 0; i < f->n_evidence; i++)
                if (strcmp(f->evidence[i].key, key) == 0)
                        return f->evidence[i].value;
        return NULL;
}

/* The daemon's journal entry and `audit` for a block that no one rule
 * decides: every rule named, in the order a packet meets them, no rule_*
 * fields that would claim one, the fix for all of them. */
START_TEST(test_finding_of_a_block_by_different_rules_names_them_all) {
        TestHost h;
        SgAssessment a;
        uint64_t handle;
        const SgFinding *f = NULL;

        test_host_init(&h, HOST_ETH0, fw_ban_then_input_drop(&handle));
        ck_assert_int_eq(sg_assess(&h.s, NULL, &a), 0);
        ck_assert(!a.healthy);
        for (size_t i = 0; i < a.n_findings; i++)
                if (a.findings[i].cause == SG_CAUSE_FIREWALL_DROP) {
                        ck_assert_ptr_null(f);
                        f = &a.findings[i];
                }
        ck_assert_ptr_nonnull(f);
        ck_assert(f->unreachable);
        ck_assert_str_eq(f->message,
                         "The firewall drops new connections to port 22 (IPv6, ipv6), but no single rule decides: "
                         "different rules block different connections, in the order a packet meets them: ip6 filter "
                         "input handle 1 \"tcp dport 22 ip6 saddr 2001:db8:1::/48 drop\" (nftables), then ip6 filter "
                         "input handle 2 \"tcp dport 22 drop\" (nftables); fix: nft 'delete rule ip6 filter input "
                         "handle 2; delete rule ip6 filter input handle 1'.");
        ck_assert_pstr_eq(evidence_of(f, "rules"), "ip6 filter input 1, ip6 filter input 2");
        ck_assert_pstr_eq(evidence_of(f, "remediation"),
                          "nft 'delete rule ip6 filter input handle 2; delete rule ip6 filter input handle 1'");
        ck_assert_pstr_eq(evidence_of(f, "scope"), "ipv6");
        ck_assert_pstr_eq(evidence_of(f, "family"), "ipv6");
        ck_assert_pstr_eq(evidence_of(f, "frontend"), "nftables");
        ck_assert_ptr_null(evidence_of(f, "rule"));
        ck_assert_ptr_null(evidence_of(f, "rule_handle"));
        ck_assert_ptr_null(evidence_of(f, "rule_table"));
        sg_assessment_done(&a);
        test_host_done(&h);
}
END_TEST

/* A ban that drops, then a reject of everyone else: every source blocked,
 * one finding that says both, not a notice about some sources. */
START_TEST(test_finding_of_a_block_that_drops_some_and_rejects_the_rest) {
        TestHost h;
        SgAssessment a;
        uint64_t ban, handle;
        const SgFinding *f = NULL;

        test_host_init(&h, HOST_ETH0, fw_ip6_ban_then_input_reject(&ban, &handle));
        ck_assert_int_eq(sg_assess(&h.s, NULL, &a), 0);
        ck_assert(!a.healthy);
        for (size_t i = 0; i < a.n_findings; i++) {
                ck_assert_int_ne(a.findings[i].cause, SG_CAUSE_FIREWALL_REJECT);
                if (a.findings[i].cause == SG_CAUSE_FIREWALL_DROP) {
                        ck_assert_ptr_null(f);
                        f = &a.findings[i];
                }
        }
        ck_assert_ptr_nonnull(f);
        ck_assert(f->unreachable);
        ck_assert_str_eq(f->message,
                         "The firewall drops or rejects new connections to port 22 (IPv6, ipv6), but no single rule "
                         "decides: different rules block different connections, in the order a packet meets them: ip6 "
                         "filter input handle 1 \"tcp dport 22 ip6 saddr 2001:db8:1::/48 drop\" (nftables), then ip6 "
                         "filter input handle 2 \"tcp dport 22 reject with tcp reset\" (nftables); fix: nft 'delete rule "
                         "ip6 filter input handle 2; delete rule ip6 filter input handle 1'.");
        ck_assert_pstr_eq(evidence_of(f, "scope"), "ipv6");
        ck_assert_pstr_eq(evidence_of(f, "rules"), "ip6 filter input 1, ip6 filter input 2");
        sg_assessment_done(&a);
        test_host_done(&h);
}
END_TEST

static Suite *explain_suite(void) {
        Suite *s = suite_create("explain");
        TCase *tc = tcase_create("request");

        tcase_add_test(tc, test_address_that_is_not_one_is_refused_in_the_options_words);
        tcase_add_test(tc, test_from_and_to_of_different_families_are_refused);
        tcase_add_test(tc, test_interface_the_host_lacks_is_refused);
        tcase_add_test(tc, test_unreadable_ruleset_says_why_and_that_reading_needs_root);
        tcase_add_test(tc, test_port_is_the_first_expected_unless_given);
        suite_add_tcase(s, tc);

        tc = tcase_create("verdict");
        tcase_add_test(tc, test_loopback_only_listener_is_refused_by_the_stack);
        tcase_add_test(tc, test_any_process_listening_takes_the_connection);
        tcase_add_test(tc, test_banned_client_is_told_the_ban_and_its_fix);
        tcase_add_test(tc, test_interface_given_decides_an_interface_dependent_verdict);
        tcase_add_test(tc, test_explain_without_source_is_the_engines_judgement);
        tcase_add_test(tc, test_finding_of_a_block_by_different_rules_names_them_all);
        tcase_add_test(tc, test_finding_of_a_block_that_drops_some_and_rejects_the_rest);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(explain_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <linux/netfilter.h>
#include <stdlib.h>

#include "fw-frontend.h"

/* Table, chain and set names below are the ones each tool creates (ufw's
 * before.rules/user.rules, firewalld's nftables backend, fail2ban's
 * action.d/nftables.conf and iptables-multiport.conf, sshguard's
 * sshg-fw-nft-sets and sshg-fw-iptables, docker's DOCKER-USER). */

static FwFrontend classify(int family, const char *table, const char *chain, const char *set, bool legacy,
                           bool policy, const char *const *siblings) {
        FwRuleRef r = {
                .family = family, .table = table, .chain = chain, .set = set, .legacy = legacy,
                .is_policy = policy, .sibling_chains = siblings,
        };
        return fw_frontend_classify(&r);
}

static char *fix(const FwRuleRef *r, uint16_t port, const char *source) {
        char *s = NULL;

        ck_assert_int_eq(fw_remediation(r, fw_frontend_classify(r), port, source, &s), 0);
        ck_assert_ptr_nonnull(s);
        return s;
}

#define ck_assert_fix(r, port, source, expected)                \
        do {                                                    \
                char *_s = fix(r, port, source);                \
                ck_assert_str_eq(_s, expected);                 \
                free(_s);                                       \
        } while (0)

START_TEST(test_names_are_designs) {
        ck_assert_str_eq(fw_frontend_to_string(FW_FRONTEND_NFTABLES), "nftables");
        ck_assert_str_eq(fw_frontend_to_string(FW_FRONTEND_IPTABLES_NFT), "iptables-nft");
        ck_assert_str_eq(fw_frontend_to_string(FW_FRONTEND_IPTABLES_LEGACY), "iptables-legacy");
        ck_assert_str_eq(fw_frontend_to_string(FW_FRONTEND_UFW), "ufw");
        ck_assert_str_eq(fw_frontend_to_string(FW_FRONTEND_FIREWALLD), "firewalld");
        ck_assert_str_eq(fw_frontend_to_string(FW_FRONTEND_FAIL2BAN), "fail2ban");
        ck_assert_str_eq(fw_frontend_to_string(FW_FRONTEND_SSHGUARD), "sshguard");
        ck_assert_str_eq(fw_frontend_to_string(FW_FRONTEND_DOCKER), "docker");
        ck_assert_ptr_null(fw_frontend_to_string(_FW_FRONTEND_MAX));
}
END_TEST

START_TEST(test_plain_nft_table_is_nftables) {
        ck_assert_int_eq(classify(NFPROTO_INET, "filter", "input", NULL, false, false, NULL), FW_FRONTEND_NFTABLES);
        /* an ip table named like iptables' but with nft-style chains */
        static const char *const siblings[] = { "input", "forward", NULL };
        ck_assert_int_eq(classify(NFPROTO_IPV4, "filter", "input", NULL, false, false, siblings),
                         FW_FRONTEND_NFTABLES);
}
END_TEST

START_TEST(test_iptables_nft_tables_and_user_chains) {
        static const char *const siblings[] = { "INPUT", "FORWARD", "OUTPUT", "blocklist", NULL };

        ck_assert_int_eq(classify(NFPROTO_IPV4, "filter", "INPUT", NULL, false, false, siblings),
                         FW_FRONTEND_IPTABLES_NFT);
        ck_assert_int_eq(classify(NFPROTO_IPV6, "filter", "blocklist", NULL, false, false, siblings),
                         FW_FRONTEND_IPTABLES_NFT);
        ck_assert_int_eq(classify(NFPROTO_IPV4, "nat", "PREROUTING", NULL, false, false, NULL),
                         FW_FRONTEND_IPTABLES_NFT);
        ck_assert_int_eq(classify(NFPROTO_IPV4, "filter", "INPUT", NULL, true, false, siblings),
                         FW_FRONTEND_IPTABLES_LEGACY);
}
END_TEST

START_TEST(test_ufw_chains_and_its_default_policy) {
        static const char *const siblings[] = { "INPUT", "ufw-before-input", "ufw-user-input", NULL };

        ck_assert_int_eq(classify(NFPROTO_IPV4, "filter", "ufw-user-input", NULL, false, false, siblings),
                         FW_FRONTEND_UFW);
        ck_assert_int_eq(classify(NFPROTO_IPV6, "filter", "ufw6-user-input", NULL, false, false, NULL),
                         FW_FRONTEND_UFW);
        ck_assert_int_eq(classify(NFPROTO_IPV4, "filter", "INPUT", NULL, false, true, siblings), FW_FRONTEND_UFW);
        /* legacy ufw is still ufw */
        ck_assert_int_eq(classify(NFPROTO_IPV4, "filter", "ufw-reject-input", NULL, true, false, siblings),
                         FW_FRONTEND_UFW);
        /* a rule (not the policy) of INPUT itself is iptables' */
        ck_assert_int_eq(classify(NFPROTO_IPV4, "filter", "INPUT", NULL, false, false, siblings),
                         FW_FRONTEND_IPTABLES_NFT);
}
END_TEST

START_TEST(test_ban_tools_and_firewalld_and_docker) {
        ck_assert_int_eq(classify(NFPROTO_INET, "f2b-table", "f2b-chain", "addr-set-sshd", false, false, NULL),
                         FW_FRONTEND_FAIL2BAN);
        ck_assert_int_eq(classify(NFPROTO_IPV4, "filter", "f2b-sshd", NULL, false, false, NULL),
                         FW_FRONTEND_FAIL2BAN);
        ck_assert_int_eq(classify(NFPROTO_IPV4, "sshguard", "blacklist", "attackers", false, false, NULL),
                         FW_FRONTEND_SSHGUARD);
        ck_assert_int_eq(classify(NFPROTO_IPV4, "filter", "sshguard", NULL, false, false, NULL),
                         FW_FRONTEND_SSHGUARD);
        ck_assert_int_eq(classify(NFPROTO_INET, "firewalld", "filter_IN_public_allow", NULL, false, false, NULL),
                         FW_FRONTEND_FIREWALLD);
        ck_assert_int_eq(classify(NFPROTO_IPV4, "filter", "IN_public_deny", NULL, false, false, NULL),
                         FW_FRONTEND_FIREWALLD);
        ck_assert_int_eq(classify(NFPROTO_IPV4, "filter", "DOCKER-USER", NULL, false, false, NULL),
                         FW_FRONTEND_DOCKER);
}
END_TEST

START_TEST(test_fail2ban_jail_from_set_or_chain) {
        FwRuleRef nft = { .family = NFPROTO_INET, .table = "f2b-table", .chain = "f2b-chain",
                          .set = "addr-set-sshd" };
        FwRuleRef ipt = { .family = NFPROTO_IPV4, .table = "filter", .chain = "f2b-sshd-ddos" };
        /* Debian 1.0.2's nftables.conf, [Init?family=inet6]: the IPv6 set */
        FwRuleRef nft6 = { .family = NFPROTO_INET, .table = "f2b-table", .chain = "f2b-chain",
                           .set = "addr6-set-sshd" };
        FwRuleRef none = { .family = NFPROTO_INET, .table = "f2b-table", .chain = "f2b-chain" };

        ck_assert_str_eq(fw_fail2ban_jail(&nft), "sshd");
        ck_assert_str_eq(fw_fail2ban_jail(&nft6), "sshd");
        ck_assert_str_eq(fw_fail2ban_jail(&ipt), "sshd-ddos");
        ck_assert_ptr_null(fw_fail2ban_jail(&none));
}
END_TEST

START_TEST(test_remediation_nft_rule_and_policy) {
        FwRuleRef rule = { .family = NFPROTO_INET, .table = "filter", .chain = "input", .handle = 7 };
        FwRuleRef policy = { .family = NFPROTO_IPV6, .table = "fw", .chain = "in", .is_policy = true };
        FwRuleRef odd = { .family = NFPROTO_IPV4, .table = "my table", .chain = "1st", .handle = 3 };

        ck_assert_fix(&rule, 22, NULL, "nft delete rule inet filter input handle 7");
        ck_assert_fix(&policy, 2222, NULL, "nft insert rule ip6 fw in tcp dport 2222 accept");
        ck_assert_fix(&odd, 22, NULL, "nft delete rule ip '\"my table\"' '\"1st\"' handle 3");
}
END_TEST

START_TEST(test_remediation_iptables_family_and_table) {
        static const char *const siblings[] = { "INPUT", NULL };
        FwRuleRef v4 = { .family = NFPROTO_IPV4, .table = "filter", .chain = "INPUT", .position = 3,
                         .sibling_chains = siblings };
        FwRuleRef v6pol = { .family = NFPROTO_IPV6, .table = "filter", .chain = "INPUT", .is_policy = true,
                            .sibling_chains = siblings };
        FwRuleRef raw = { .family = NFPROTO_IPV4, .table = "raw", .chain = "PREROUTING", .position = 1 };
        FwRuleRef legacy = { .family = NFPROTO_IPV6, .table = "filter", .chain = "INPUT", .position = 2,
                             .legacy = true };

        ck_assert_fix(&v4, 22, NULL, "iptables -D INPUT 3");
        ck_assert_fix(&v6pol, 22, NULL, "ip6tables -I INPUT -p tcp --dport 22 -j ACCEPT");
        ck_assert_fix(&raw, 22, NULL, "iptables -t raw -D PREROUTING 1");
        ck_assert_fix(&legacy, 22, NULL, "ip6tables-legacy -D INPUT 2");
}
END_TEST

START_TEST(test_remediation_in_each_tools_words) {
        static const char *const ufw_siblings[] = { "INPUT", "ufw-user-input", NULL };
        FwRuleRef ufw_policy = { .family = NFPROTO_IPV4, .table = "filter", .chain = "INPUT", .is_policy = true,
                                 .sibling_chains = ufw_siblings };
        FwRuleRef ufw_deny = { .family = NFPROTO_IPV4, .table = "filter", .chain = "ufw-user-input",
                               .position = 1 };
        FwRuleRef f2b = { .family = NFPROTO_INET, .table = "f2b-table", .chain = "f2b-chain", .handle = 4,
                          .set = "addr-set-sshd" };
        FwRuleRef sshg = { .family = NFPROTO_IPV4, .table = "sshguard", .chain = "blacklist", .handle = 2,
                           .set = "attackers" };
        FwRuleRef fwd = { .family = NFPROTO_INET, .table = "firewalld", .chain = "filter_INPUT", .is_policy = true };

        ck_assert_fix(&ufw_policy, 22, NULL, "ufw allow ssh");
        ck_assert_fix(&ufw_policy, 2222, NULL, "ufw allow 2222/tcp");
        ck_assert_fix(&ufw_deny, 22, "192.0.2.2", "ufw insert 1 allow from 192.0.2.2 to any port 22 proto tcp");
        ck_assert_fix(&ufw_deny, 22, NULL, "ufw insert 1 allow 22/tcp");
        ck_assert_fix(&f2b, 22, "192.0.2.2", "fail2ban-client set sshd unbanip 192.0.2.2");
        f2b.set = "addr6-set-sshd";
        ck_assert_fix(&f2b, 22, "2001:db8::2", "fail2ban-client set sshd unbanip 2001:db8::2");
        ck_assert_fix(&sshg, 22, "192.0.2.2", "nft delete element ip sshguard attackers '{ 192.0.2.2 }'");
        ck_assert_fix(&fwd, 22, NULL, "firewall-cmd --add-service=ssh && firewall-cmd --permanent --add-service=ssh");
        ck_assert_fix(&fwd, 2200, NULL,
                      "firewall-cmd --add-port=2200/tcp && firewall-cmd --permanent --add-port=2200/tcp");

        /* firewalld's zones: the zone that blocks, not the default one */
        FwRuleRef zone = { .family = NFPROTO_INET, .table = "firewalld", .chain = "filter_IN_drop", .handle = 157 };
        ck_assert_int_eq(fw_frontend_classify(&zone), FW_FRONTEND_FIREWALLD);
        ck_assert_fix(&zone, 22, NULL,
                      "firewall-cmd --zone=drop --add-service=ssh && firewall-cmd --permanent --zone=drop --add-service=ssh");
        ck_assert_fix(&zone, 2222, NULL,
                      "firewall-cmd --zone=drop --add-port=2222/tcp && firewall-cmd --permanent --zone=drop "
                      "--add-port=2222/tcp");
        zone.chain = "IN_internal";     /* the iptables backend */
        ck_assert_fix(&zone, 22, NULL,
                      "firewall-cmd --zone=internal --add-service=ssh && firewall-cmd --permanent --zone=internal "
                      "--add-service=ssh");
        /* a rich rule rejects or drops it: those rules go */
        zone.chain = "filter_IN_public_deny";
        ck_assert_fix(&zone, 22, NULL,
                      "firewall-cmd --zone=public --list-rich-rules | grep -e 'service name=\"ssh\"' -e 'port "
                      "port=\"22\" protocol=\"tcp\"' | grep -E ' (reject|drop)( |$)' | grep -v ' source ' | while "
                      "IFS= read -r rule; do firewall-cmd --zone=public --remove-rich-rule=\"$rule\" && { ! "
                      "firewall-cmd --permanent --zone=public --query-rich-rule=\"$rule\" >/dev/null || firewall-cmd "
                      "--permanent --zone=public --remove-rich-rule=\"$rule\"; } || exit 1; done");
        ck_assert_fix(&zone, 2222, "192.0.2.2",
                      "firewall-cmd --zone=public --list-rich-rules | grep -e 'port port=\"2222\" protocol=\"tcp\"' "
                      "| grep -E ' (reject|drop)( |$)' | while IFS= read -r rule; do firewall-cmd --zone=public "
                      "--remove-rich-rule=\"$rule\" && { ! firewall-cmd --permanent --zone=public "
                      "--query-rich-rule=\"$rule\" >/dev/null || firewall-cmd --permanent --zone=public "
                      "--remove-rich-rule=\"$rule\"; } || exit 1; done");
        /* not a zone's chain, or a name a shell would take apart */
        zone.chain = "filter_IN_policy_allow-host-ipv6";
        ck_assert_fix(&zone, 22, NULL, "firewall-cmd --add-service=ssh && firewall-cmd --permanent --add-service=ssh");
        zone.chain = "filter_IN_a;b";
        ck_assert_fix(&zone, 22, NULL, "firewall-cmd --add-service=ssh && firewall-cmd --permanent --add-service=ssh");
        /* panic mode */
        FwRuleRef panic = { .family = NFPROTO_INET, .table = "firewalld_policy_drop", .chain = "raw_prerouting",
                            .is_policy = true };
        ck_assert_int_eq(fw_frontend_classify(&panic), FW_FRONTEND_FIREWALLD);
        ck_assert_fix(&panic, 22, NULL, "firewall-cmd --panic-off");
}
END_TEST

static Suite *fw_frontend_suite(void) {
        Suite *s = suite_create("fw-frontend");
        TCase *tc = tcase_create("classify");

        tcase_add_test(tc, test_names_are_designs);
        tcase_add_test(tc, test_plain_nft_table_is_nftables);
        tcase_add_test(tc, test_iptables_nft_tables_and_user_chains);
        tcase_add_test(tc, test_ufw_chains_and_its_default_policy);
        tcase_add_test(tc, test_ban_tools_and_firewalld_and_docker);
        tcase_add_test(tc, test_fail2ban_jail_from_set_or_chain);
        suite_add_tcase(s, tc);
        tc = tcase_create("remediation");
        tcase_add_test(tc, test_remediation_nft_rule_and_policy);
        tcase_add_test(tc, test_remediation_iptables_family_and_table);
        tcase_add_test(tc, test_remediation_in_each_tools_words);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(fw_frontend_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

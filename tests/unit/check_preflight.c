/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <check.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nft-build.h"
#include "preflight.h"

/* lib/preflight on constructed snapshots: the host after a restart with a
 * candidate sshd_config, judged by the engine; the handles of a candidate
 * ruleset; the line of the file that makes a rule. */

static char tmpdir[] = "/tmp/check-preflight-XXXXXX";

static SshdConfig *config_of(const char *text) {
        char path[256];
        SshdConfig *c = NULL;
        FILE *f;

        snprintf(path, sizeof(path), "%s/sshd_config.%u", tmpdir, (unsigned) rand());
        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
        ck_assert_int_eq(sshd_config_load(path, &(SshdConfigOptions) { .resolve_names = false }, &c), 0);
        ck_assert(c->valid);
        return c;
}

static SgListener listener(int family, const char *addr, uint16_t port, pid_t pid, const char *comm) {
        SgListener l = { .family = family, .port = port, .pid = pid, .comm = comm, .v6only = family == AF_INET6 };
        ck_assert_int_eq(inet_pton(family, addr, l.addr), 1);
        return l;
}

#define ck_assert_evidence(f, key, value) ck_assert_str_eq(sg_finding_get(f, key) ?: "(none)", value)

/* A host with eth0 (192.0.2.1, 2001:db8::1) and lo, no systemd, sshd
 * (pid 500) on port 22 for both families, no firewall read. */
static SgAddress eth0_addrs[2], lo_addrs[2];
static SgInterface ifaces[2];
static SgListener today[4];
static const uint16_t port22[] = { 22 };

static SgSnapshot host(size_t n_extra) {
        inet_pton(AF_INET, "192.0.2.1", eth0_addrs[0].addr);
        eth0_addrs[0].family = AF_INET;
        inet_pton(AF_INET6, "2001:db8::1", eth0_addrs[1].addr);
        eth0_addrs[1].family = AF_INET6;
        inet_pton(AF_INET, "127.0.0.1", lo_addrs[0].addr);
        lo_addrs[0].family = AF_INET;
        inet_pton(AF_INET6, "::1", lo_addrs[1].addr);
        lo_addrs[1].family = AF_INET6;
        ifaces[0] = (SgInterface) { .name = "lo", .ifindex = 1, .up = true, .loopback = true, .addrs = lo_addrs,
                                    .n_addrs = 2 };
        ifaces[1] = (SgInterface) { .name = "eth0", .ifindex = 2, .up = true, .addrs = eth0_addrs, .n_addrs = 2 };
        today[0] = listener(AF_INET, "0.0.0.0", 22, 500, "sshd");
        today[1] = listener(AF_INET6, "::", 22, 500, "sshd");
        return (SgSnapshot) {
                .units_unknown = true,
                .listeners = today, .n_listeners = 2 + n_extra,
                .expected_ports = port22, .n_expected_ports = 1,
                .interfaces = ifaces, .n_interfaces = 2,
        };
}

/* The candidate judged: its verdict, the assessment in *A. */
static SgPreflightVerdict judge(const SgSnapshot *live, const SshdConfig *c, const SgPreflightConfigOptions *o,
                                SgConfigCandidate **cand, SgAssessment *a, long *reason) {
        ck_assert_int_eq(sg_preflight_config(live, c, o, cand), 0);
        ck_assert_int_eq(sg_assess(&(*cand)->snapshot, NULL, a), 0);
        ck_assert_int_eq(sg_preflight_config_merge(*cand, a), 0);
        return sg_preflight_verdict(a, reason);
}

START_TEST(test_config_moved_port_is_safe_and_warns_that_22_goes) {
        SgSnapshot live = host(0);
        SshdConfig *c = config_of("Port 2222\n");
        SgConfigCandidate *cand = NULL;
        SgAssessment a = {};
        long reason;

        ck_assert_int_eq(judge(&live, c, NULL, &cand, &a, &reason), SG_PREFLIGHT_SAFE);
        ck_assert_int_eq(reason, -1);
        ck_assert_uint_eq(a.n_findings, 0);
        ck_assert_uint_eq(cand->snapshot.n_expected_ports, 1);
        ck_assert_uint_eq(cand->snapshot.expected_ports[0], 2222);
        /* today's sockets of sshd are gone, the candidate's are there */
        ck_assert_uint_eq(cand->snapshot.n_listeners, 2);
        ck_assert_uint_eq(cand->snapshot.listeners[0].port, 2222);
        ck_assert_uint_eq(cand->n_warnings, 1);
        ck_assert_ptr_nonnull(strstr(cand->warnings[0], "port 22, where sshd is expected today"));
        sg_assessment_done(&a);
        sg_config_candidate_free(cand);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_config_loopback_only_is_a_lockout_naming_the_directive) {
        SgSnapshot live = host(0);
        SshdConfig *c = config_of("Port 22\nListenAddress 127.0.0.1\n");
        SgConfigCandidate *cand = NULL;
        SgAssessment a = {};
        long reason;

        ck_assert_int_eq(judge(&live, c, NULL, &cand, &a, &reason), SG_PREFLIGHT_LOCKOUT);
        ck_assert_int_eq(a.findings[reason].cause, SG_CAUSE_LISTEN_RESTRICTED);
        ck_assert_evidence(&a.findings[reason], "config_line", "2");
        sg_assessment_done(&a);
        sg_config_candidate_free(cand);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_config_missing_address_without_systemd_is_address_missing_not_not_running) {
        SgSnapshot live = host(0);
        SshdConfig *c = config_of("ListenAddress 198.51.100.10\n");
        SgConfigCandidate *cand = NULL;
        SgAssessment a = {};
        long reason;

        ck_assert_int_eq(judge(&live, c, NULL, &cand, &a, &reason), SG_PREFLIGHT_LOCKOUT);
        ck_assert(!cand->starts);
        ck_assert_uint_eq(a.n_findings, 1);
        ck_assert_int_eq(a.findings[0].cause, SG_CAUSE_ADDRESS_MISSING);
        ck_assert_evidence(&a.findings[0], "config_line", "1");
        ck_assert_ptr_nonnull(strstr(a.findings[0].message, "Cannot bind any address"));
        sg_assessment_done(&a);
        sg_config_candidate_free(cand);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_config_port_held_for_ipv4_is_port_in_use_for_ipv4) {
        SgSnapshot live = host(1);
        SshdConfig *c = config_of("Port 2222\n");
        SgConfigCandidate *cand = NULL;
        SgAssessment a = {};
        long reason;

        today[2] = listener(AF_INET, "0.0.0.0", 2222, 77, "python3");
        ck_assert_int_eq(judge(&live, c, NULL, &cand, &a, &reason), SG_PREFLIGHT_LOCKOUT);
        ck_assert(cand->starts);
        ck_assert_int_eq(a.findings[reason].cause, SG_CAUSE_PORT_IN_USE);
        ck_assert_evidence(&a.findings[reason], "family", "ipv4");
        ck_assert_evidence(&a.findings[reason], "holder_pid", "77");
        sg_assessment_done(&a);
        sg_config_candidate_free(cand);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_config_ipv6_only_holder_does_not_block_ipv4_binds) {
        SgSnapshot live = host(1);
        SshdConfig *c = config_of("Port 2222\nAddressFamily inet\n");
        SgConfigCandidate *cand = NULL;
        SgAssessment a = {};
        long reason;

        today[2] = listener(AF_INET6, "::", 2222, 77, "python3");       /* v6only */
        ck_assert_int_eq(sg_preflight_config(&live, c, NULL, &cand), 0);
        ck_assert(cand->starts);
        ck_assert_uint_eq(cand->snapshot.n_listeners, 2);
        ck_assert_int_eq(cand->snapshot.listeners[1].family, AF_INET);
        ck_assert_uint_eq(cand->snapshot.listeners[1].port, 2222);
        (void) reason;
        (void) a;
        sg_config_candidate_free(cand);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_config_no_bind_under_systemd_is_the_units_start_failure) {
        SgSnapshot live = host(1);
        SgUnitFacts svc = { .name = "ssh.service", .loaded = true, .active_state = "active", .result = "success",
                            .main_pid = 500 };
        SshdConfig *c = config_of("Port 2222\n");
        SgConfigCandidate *cand = NULL;
        SgAssessment a = {};
        long reason;

        live.units_unknown = false;
        live.units = &svc;
        live.n_units = 1;
        today[2] = listener(AF_INET6, "::", 2222, 4242, "nc");
        today[2].v6only = false;        /* dual stack: takes IPv4 too */
        ck_assert_int_eq(judge(&live, c, NULL, &cand, &a, &reason), SG_PREFLIGHT_LOCKOUT);
        ck_assert(!cand->starts);
        ck_assert_str_eq(cand->snapshot.units[0].active_state, "failed");
        ck_assert_int_eq(a.findings[reason].cause, SG_CAUSE_PORT_IN_USE);
        ck_assert_evidence(&a.findings[reason], "holder_pid", "4242");
        ck_assert_evidence(&a.findings[reason], "remediation", "kill 4242 && systemctl reset-failed ssh.service && systemctl restart ssh.service");
        sg_assessment_done(&a);
        sg_config_candidate_free(cand);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_config_socket_unit_elsewhere_is_socket_mismatch) {
        SgSnapshot live = host(0);
        const char *listen[] = { "22" };
        SgUnitFacts units[2] = {
                { .name = "ssh.service", .loaded = true, .active_state = "active", .result = "success", .main_pid = 600 },
                { .name = "ssh.socket", .loaded = true, .enabled = true, .active_state = "active", .listen = listen,
                  .n_listen = 1 },
        };
        SshdConfig *c = config_of("Port 2222\n");
        SgConfigCandidate *cand = NULL;
        SgAssessment a = {};
        long reason;

        live.units_unknown = false;
        live.units = units;
        live.n_units = 2;
        today[0].pid = today[1].pid = 1;        /* systemd holds ssh.socket's sockets */
        today[0].comm = today[1].comm = "systemd";
        ck_assert_int_eq(judge(&live, c, NULL, &cand, &a, &reason), SG_PREFLIGHT_LOCKOUT);
        ck_assert_int_eq(a.findings[reason].cause, SG_CAUSE_SOCKET_MISMATCH);
        /* the socket unit's sockets stay: nothing moves to 2222 */
        ck_assert_uint_eq(cand->snapshot.n_listeners, 2);
        ck_assert_uint_eq(cand->snapshot.listeners[0].port, 22);
        sg_assessment_done(&a);
        sg_config_candidate_free(cand);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_config_selinux_unlabelled_port_is_bind_denied) {
        SgSnapshot live = host(0);
        SshdConfig *c = config_of("Port 22\nPort 2222\n");
        SgConfigCandidate *cand = NULL;
        SgAssessment a = {};
        long reason;
        SgPreflightConfigOptions o = { .selinux_ssh_ports = port22, .n_selinux_ssh_ports = 1, .selinux_known = true };

        ck_assert_int_eq(judge(&live, c, &o, &cand, &a, &reason), SG_PREFLIGHT_LOCKOUT);
        ck_assert_int_eq(a.findings[reason].cause, SG_CAUSE_BIND_DENIED);
        ck_assert_evidence(&a.findings[reason], "port", "2222");
        ck_assert_evidence(&a.findings[reason], "config_line", "2");
        /* 2222 is judged by that finding, not again as port-changed */
        ck_assert_uint_eq(cand->snapshot.n_expected_ports, 1);
        ck_assert_uint_eq(a.n_findings, 1);
        sg_assessment_done(&a);
        sg_config_candidate_free(cand);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_verdict_names_first_unreachable_and_ignores_bans) {
        SgEvidence ban_ev[] = { { (char *) "scope", (char *) "some-sources" } };
        SgFinding f[2] = {
                { .cause = SG_CAUSE_FIREWALL_DROP, .unreachable = false, .evidence = ban_ev, .n_evidence = 1 },
                { .cause = SG_CAUSE_FIREWALL_REJECT, .unreachable = true },
        };
        SgAssessment a = { .findings = f, .n_findings = 1 };
        long reason;

        ck_assert_int_eq(sg_preflight_verdict(&a, &reason), SG_PREFLIGHT_SAFE);
        ck_assert_int_eq(reason, -1);
        a.uncertain = true;
        ck_assert_int_eq(sg_preflight_verdict(&a, &reason), SG_PREFLIGHT_UNDECIDED);
        a.n_findings = 2;
        ck_assert_int_eq(sg_preflight_verdict(&a, &reason), SG_PREFLIGHT_LOCKOUT);
        ck_assert_int_eq(reason, 1);
        ck_assert_int_eq(sg_preflight_exit_code(SG_PREFLIGHT_LOCKOUT), 1);
        ck_assert_int_eq(sg_preflight_exit_code(SG_PREFLIGHT_INVALID), 2);
        ck_assert_str_eq(sg_preflight_verdict_to_string(SG_PREFLIGHT_SAFE), "safe");
}
END_TEST

/* --- handles ---------------------------------------------------------------------- */

static void filter_table(int nrules) {
        nb_table(NFPROTO_INET, "filter");
        nb_chain(NFPROTO_INET, "filter", "input", NF_INET_LOCAL_IN, 0, NF_ACCEPT);
        for (int i = 0; i < nrules; i++) {
                nb_rule_begin(NFPROTO_INET, "filter", "input");
                x_tcp_dport((uint16_t) (80 + i));
                x_verdict(NF_ACCEPT, NULL);
                nb_rule_end();
        }
}

START_TEST(test_map_handles_gives_live_handles_and_predicts_new_ones) {
        NftRuleset *live, *copy, *after;
        NftChain *ch;

        /* live: rules 80 and 81 at handles 2 and 9 (others deleted) */
        nb_reset();
        filter_table(2);
        live = nb_parse();
        live->tables[0].handle = 5;
        live->tables[0].chains[0].handle = 1;
        live->tables[0].chains[0].rules[0].handle = 2;
        live->tables[0].chains[0].rules[1].handle = 9;
        /* the copy, loaded afresh: 2 and 3 */
        nb_reset();
        filter_table(2);
        copy = nb_parse();
        copy->tables[0].handle = 1;
        copy->tables[0].chains[0].handle = 1;
        copy->tables[0].chains[0].rules[0].handle = 2;
        copy->tables[0].chains[0].rules[1].handle = 3;
        /* after the file: a rule inserted first (handle 4), the others kept */
        nb_reset();
        filter_table(3);
        after = nb_parse();
        after->tables[0].handle = 1;
        ch = &after->tables[0].chains[0];
        ch->handle = 1;
        ch->rules[0].handle = 4;
        ch->rules[1].handle = 2;
        ch->rules[2].handle = 3;
        /* 2 and 3 are the copy's own rules (the same objects): live's 2 and 9 */
        ck_assert_uint_eq(sg_preflight_map_handles(after, copy, live), 0);
        ck_assert_uint_eq(ch->rules[0].handle, 10);     /* the next after live's 9 */
        ck_assert_uint_eq(ch->rules[1].handle, 2);
        ck_assert_uint_eq(ch->rules[2].handle, 9);
        /* a table the file made again (another table handle) keeps its own */
        after->tables[0].handle = 7;
        ch->rules[0].handle = 1;
        ck_assert_uint_eq(sg_preflight_map_handles(after, copy, live), 0);
        ck_assert_uint_eq(ch->rules[0].handle, 1);
        ck_assert_uint_eq(sg_preflight_rule_position(after, "inet", "filter", "input", 9), 3);
        ck_assert_uint_eq(sg_preflight_rule_position(after, "inet", "filter", "input", 99), 0);
        nft_ruleset_free(live);
        nft_ruleset_free(copy);
        nft_ruleset_free(after);
}
END_TEST

/* --- lines ----------------------------------------------------------------------- */

START_TEST(test_nft_line_in_blocks_and_commands) {
        const char *file =
                "#!/usr/sbin/nft -f\n"
                "flush ruleset\n"
                "table inet filter {\n"
                "\tchain input {\n"
                "\t\ttype filter hook input priority filter; policy drop;\n"
                "\t\ttcp dport 80 accept # web\n"
                "\t\ttcp dport 22 counter drop\n"
                "\t}\n"
                "\tchain other {\n"
                "\t\ttcp dport 22 counter drop\n"
                "\t}\n"
                "}\n"
                "add rule inet filter input position 3 tcp dport 23 drop\n"
                "add rule ip nat pre tcp dport 22 drop\n";
        SgRuleRef r = { .family = "inet", .table = "filter", .chain = "input",
                        .text = "tcp dport 22 counter packets 7 bytes 420 drop" };

        ck_assert_uint_eq(sg_preflight_nft_line(file, strlen(file), &r), 7);
        r.chain = "other";
        ck_assert_uint_eq(sg_preflight_nft_line(file, strlen(file), &r), 10);
        r.chain = "input";
        r.text = NULL;
        ck_assert_uint_eq(sg_preflight_nft_line(file, strlen(file), &r), 5);
        r.text = "tcp dport 23 drop";
        ck_assert_uint_eq(sg_preflight_nft_line(file, strlen(file), &r), 13);
        r = (SgRuleRef) { .family = "ip", .table = "nat", .chain = "pre", .text = "tcp dport 22 drop" };
        ck_assert_uint_eq(sg_preflight_nft_line(file, strlen(file), &r), 14);
        r.text = "tcp dport 24 drop";
        ck_assert_uint_eq(sg_preflight_nft_line(file, strlen(file), &r), 0);
}
END_TEST

START_TEST(test_iptables_line_follows_appends_and_inserts) {
        const char *file =
                "# Generated by iptables-save\n"
                "*nat\n"
                ":INPUT ACCEPT [0:0]\n"
                "-A INPUT -j ACCEPT\n"
                "COMMIT\n"
                "*filter\n"
                ":INPUT DROP [0:0]\n"
                "-A INPUT -i lo -j ACCEPT\n"
                "-A INPUT -p tcp --dport 22 -j REJECT\n"
                "-I INPUT 2 -p tcp --dport 80 -j ACCEPT\n"
                "COMMIT\n";
        SgRuleRef r = { .family = "ip", .table = "filter", .chain = "INPUT", .text = "x", .position = 3 };

        ck_assert_uint_eq(sg_preflight_iptables_line(file, strlen(file), &r), 9);
        r.position = 2;
        ck_assert_uint_eq(sg_preflight_iptables_line(file, strlen(file), &r), 10);
        r.text = NULL;
        ck_assert_uint_eq(sg_preflight_iptables_line(file, strlen(file), &r), 7);
        r = (SgRuleRef) { .family = "ip", .table = "filter", .chain = "FORWARD", .text = NULL };
        ck_assert_uint_eq(sg_preflight_iptables_line(file, strlen(file), &r), 0);
}
END_TEST

/* check-ruleset keeps the firewall's findings and the people it would
 * lock out by name; sshd's own state is not the candidate's to judge. */
START_TEST(test_ruleset_check_keeps_admin_lockouts) {
        SgFinding *f = calloc(3, sizeof(SgFinding));
        SgAssessment a = { .findings = f, .n_findings = 3 };

        ck_assert_ptr_nonnull(f);
        f[0] = (SgFinding) { .cause = SG_CAUSE_UNIT_STOPPED, .message = strdup("stopped"), .unreachable = true };
        f[1] = (SgFinding) { .cause = SG_CAUSE_ADMIN_LOCKED_OUT, .message = strdup("root locked out"),
                             .unreachable = true };
        f[2] = (SgFinding) { .cause = SG_CAUSE_FIREWALL_DROP, .message = strdup("a ban"), .unreachable = false };
        sg_preflight_keep_firewall(&a);
        ck_assert_uint_eq(a.n_findings, 2);
        ck_assert_int_eq(a.findings[0].cause, SG_CAUSE_ADMIN_LOCKED_OUT);
        ck_assert_int_eq(a.findings[1].cause, SG_CAUSE_FIREWALL_DROP);
        ck_assert(!a.healthy);
        ck_assert_int_eq(sg_preflight_verdict(&a, NULL), SG_PREFLIGHT_LOCKOUT);
        sg_assessment_done(&a);
}
END_TEST

static Suite *preflight_suite(void) {
        Suite *s = suite_create("preflight");
        TCase *tc = tcase_create("config");

        tcase_add_test(tc, test_config_moved_port_is_safe_and_warns_that_22_goes);
        tcase_add_test(tc, test_config_loopback_only_is_a_lockout_naming_the_directive);
        tcase_add_test(tc, test_config_missing_address_without_systemd_is_address_missing_not_not_running);
        tcase_add_test(tc, test_config_port_held_for_ipv4_is_port_in_use_for_ipv4);
        tcase_add_test(tc, test_config_ipv6_only_holder_does_not_block_ipv4_binds);
        tcase_add_test(tc, test_config_no_bind_under_systemd_is_the_units_start_failure);
        tcase_add_test(tc, test_config_socket_unit_elsewhere_is_socket_mismatch);
        tcase_add_test(tc, test_config_selinux_unlabelled_port_is_bind_denied);
        tcase_add_test(tc, test_verdict_names_first_unreachable_and_ignores_bans);
        suite_add_tcase(s, tc);
        tc = tcase_create("ruleset");
        tcase_add_test(tc, test_map_handles_gives_live_handles_and_predicts_new_ones);
        tcase_add_test(tc, test_nft_line_in_blocks_and_commands);
        tcase_add_test(tc, test_iptables_line_follows_appends_and_inserts);
        tcase_add_test(tc, test_ruleset_check_keeps_admin_lockouts);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr;
        int failed;
        char cmd[64];

        if (!mkdtemp(tmpdir))
                return 2;
        sr = srunner_create(preflight_suite());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
                failed++;
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

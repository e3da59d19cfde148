/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "diagnose.h"

/* Issue 10's contract: every cause named right, and SSHGUARDIAN_REMEDIATION
 * a shell command that works in the state the breakage left behind (no
 * prose, no placeholders, never pid 1 or sshd's own processes). */

static char tmpdir[] = "/tmp/check-remediation-XXXXXX";

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
        return c;
}

static SgListener listener(int family, const char *addr, uint16_t port, pid_t pid, const char *comm, bool v6only) {
        SgListener l = { .family = family, .port = port, .pid = pid, .comm = comm, .v6only = v6only };
        ck_assert_int_eq(inet_pton(family, addr, l.addr), 1);
        return l;
}

#define ck_assert_evidence(f, key, value) ck_assert_str_eq(sg_finding_get(f, key) ?: "(none)", value)

static const uint16_t port22[] = { 22 };
static const uint16_t port2222[] = { 2222 };

/* what no printed fix may contain */
static void assert_runnable(const SgFinding *f) {
        const char *r = sg_finding_get(f, "remediation");
        static const char *const bad[] = { "PREFIX", "IFACE", "SSHGUARDIAN_", "restore", "remove or", "`", "kill 1 ",
                                           NULL };

        if (!r)
                return;
        for (const char *const *b = bad; *b; b++)
                ck_assert_msg(!strstr(r, *b), "remediation of %s has %s: %s", sg_cause_to_string(f->cause), *b, r);
}

static SgFinding *diagnose_one(const SgSnapshot *s, size_t *n, SgFinding **all) {
        ck_assert_int_eq(sg_diagnose(s, all, n), 0);
        ck_assert_uint_ge(*n, 1);
        for (size_t i = 0; i < *n; i++)
                assert_runnable(&(*all)[i]);
        return &(*all)[0];
}

static SgAddress eth0_addrs[2];
static SgInterface ifaces[2];

static void interfaces_setup(void) {
        eth0_addrs[0] = (SgAddress) { .family = AF_INET };
        inet_pton(AF_INET, "192.0.2.10", eth0_addrs[0].addr);
        eth0_addrs[1] = (SgAddress) { .family = AF_INET6 };
        inet_pton(AF_INET6, "2001:db8::10", eth0_addrs[1].addr);
        ifaces[0] = (SgInterface) { .name = "lo", .ifindex = 1, .up = true, .loopback = true };
        ifaces[1] = (SgInterface) { .name = "eth0", .ifindex = 2, .up = true, .addrs = eth0_addrs, .n_addrs = 2 };
}

START_TEST(test_binary_missing_from_203_exec) {
        SgUnitFacts u = { .name = "ssh.service", .loaded = true, .active_state = "failed", .result = "exit-code",
                          .exit_status = 203 };
        SgSnapshot s = { .units = &u, .n_units = 1, .expected_ports = port22, .n_expected_ports = 1,
                         .tools = { .reinstall_sshd = "apt-get install --reinstall openssh-server" } };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_BINARY_MISSING);
        ck_assert_evidence(f, "unit", "ssh.service");
        ck_assert_evidence(f, "remediation", "apt-get install --reinstall openssh-server && systemctl reset-failed ssh.service && systemctl restart ssh.service");
        ck_assert_ptr_nonnull(strstr(f->message, "203/EXEC"));
        sg_findings_free(all, n);

        u.result = "start-limit-hit";   /* systemd gave up: restart refused until reset-failed */
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_BINARY_MISSING);
        ck_assert_evidence(f, "remediation", "apt-get install --reinstall openssh-server && systemctl reset-failed "
                           "ssh.service && systemctl restart ssh.service");
        sg_findings_free(all, n);

        u.exit_status = 255;            /* sshd ran and failed: not this cause */
        u.result = "exit-code";
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_UNIT_FAILED);
        sg_findings_free(all, n);
}
END_TEST

START_TEST(test_bind_denied_with_and_without_selinux) {
        SgUnitFacts u = { .name = "sshd.service", .loaded = true, .active_state = "failed", .result = "exit-code",
                          .exit_status = 255 };
        const char *log[] = { "error: Bind to port 2222 on 0.0.0.0 failed: Permission denied.",
                              "fatal: Cannot bind any address." };
        SshdConfig *c = config_of("Port 2222\n");
        SgSnapshot s = { .units = &u, .n_units = 1, .sshd_log = log, .n_sshd_log = 2, .config = c,
                         .expected_ports = port2222, .n_expected_ports = 1, .tools = { .selinux = true } };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_BIND_DENIED);
        ck_assert_evidence(f, "port", "2222");
        ck_assert_evidence(f, "config_line", "1");
        ck_assert_evidence(f, "remediation", "{ semanage port -a -t ssh_port_t -p tcp 2222 || semanage port -m -t "
                           "ssh_port_t -p tcp 2222; } && systemctl reset-failed sshd.service && systemctl restart sshd.service");
        sg_findings_free(all, n);

        s.tools.selinux = false;
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_BIND_DENIED);
        ck_assert_evidence(f, "remediation", "systemctl reset-failed sshd.service && systemctl restart sshd.service");
        ck_assert_ptr_nonnull(strstr(f->message, "CAP_NET_BIND_SERVICE"));
        sg_findings_free(all, n);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_not_running_without_systemd) {
        SshdConfig *c = config_of("");
        SgSnapshot s = { .units_unknown = true, .listeners = (SgListener[1]) {}, .n_listeners = 0, .config = c,
                         .expected_ports = port22, .n_expected_ports = 1,
                         .tools = { .sysv_ssh = true, .sshd_path = "/usr/sbin/sshd" } };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(f->cause, SG_CAUSE_NOT_RUNNING);
        ck_assert_evidence(f, "remediation", "service ssh start");
        ck_assert(f->unreachable);
        ck_assert_str_eq(f->statement, "sshd is not running, and no systemd manages it here (a container or another "
                                       "init).");
        sg_findings_free(all, n);

        s.tools.sysv_ssh = false;
        f = diagnose_one(&s, &n, &all);
        ck_assert_evidence(f, "remediation", "install -d -m 0755 /run/sshd && /usr/sbin/sshd");
        sg_findings_free(all, n);
        sshd_config_free(c);

        /* a configuration sshd would refuse: that is why, and sshd -t checks the fix */
        s.config = c = config_of("Port 22\nNoSuchKeyword yes\n");
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_CONFIG_INVALID);
        ck_assert_evidence(f, "config_line", "2");
        ck_assert_evidence(f, "remediation", "install -d -m 0755 /run/sshd && sshd -t && install -d -m 0755 /run/sshd "
                           "&& /usr/sbin/sshd");
        sg_findings_free(all, n);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_socket_activation_port_mismatch) {
        static const char *const listen[] = { "[::]:22", NULL };
        SgUnitFacts units[] = {
                { .name = "ssh.service", .loaded = true, .active_state = "active", .result = "success", .main_pid = 700 },
                { .name = "ssh.socket", .loaded = true, .enabled = true, .active_state = "active", .result = "success",
                  .listen = listen, .n_listen = 1 },
        };
        SgListener l[] = { listener(AF_INET6, "::", 22, 1, "systemd", false) };
        SshdConfig *c = config_of("Port 2222\n");
        SgSnapshot s = { .units = units, .n_units = 2, .config = c, .listeners = l, .n_listeners = 1,
                         .expected_ports = port22, .n_expected_ports = 1 };
        SgFinding *all, *f;
        size_t n;

        /* Debian 12: no generator; restarting ssh.service would not move it */
        f = diagnose_one(&s, &n, &all);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(f->cause, SG_CAUSE_SOCKET_MISMATCH);
        ck_assert_evidence(f, "unit", "ssh.socket");
        ck_assert_evidence(f, "config_line", "1");
        ck_assert_evidence(f, "remediation", "systemctl disable --now ssh.socket && systemctl enable ssh.service && "
                           "systemctl restart ssh.service");
        ck_assert_int_eq(f->priority, 0);
        ck_assert_int_eq(sg_cause_priority(f->cause), LOG_WARNING);
        sg_findings_free(all, n);

        /* Ubuntu 22.10+: the generator makes the socket from sshd_config */
        s.tools.socket_generator = true;
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_SOCKET_MISMATCH);
        ck_assert_evidence(f, "remediation", "systemctl daemon-reload && systemctl restart ssh.socket");
        sg_findings_free(all, n);
        sshd_config_free(c);

        /* agreeing: nothing */
        s.config = c = config_of("Port 22\n");
        ck_assert_int_eq(sg_diagnose(&s, &all, &n), 0);
        ck_assert_uint_eq(n, 0);
        sg_findings_free(all, n);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_one_family_taken_by_another_program) {
        static const SgUnitFacts svc = { .name = "ssh.service", .loaded = true, .active_state = "active",
                                         .result = "success", .main_pid = 500 };
        /* python3 -m http.server 22 first: sshd got [::]:22 (v6only) only */
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 22, 900, "python3", false),
                           listener(AF_INET6, "::", 22, 500, "sshd", true) };
        SshdConfig *c = config_of("");
        SgSnapshot s = { .units = &svc, .n_units = 1, .config = c, .listeners = l, .n_listeners = 2,
                         .expected_ports = port22, .n_expected_ports = 1, .interfaces = ifaces, .n_interfaces = 2 };
        SgFinding *all, *f;
        size_t n;

        interfaces_setup();
        f = diagnose_one(&s, &n, &all);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(f->cause, SG_CAUSE_PORT_IN_USE);
        ck_assert_evidence(f, "family", "ipv4");
        ck_assert_evidence(f, "scope", "ipv4");
        ck_assert_evidence(f, "holder_pid", "900");
        ck_assert_evidence(f, "holder_comm", "python3");
        ck_assert_evidence(f, "remediation", "kill 900 && systemctl restart ssh.service");
        ck_assert(f->unreachable);
        sg_findings_free(all, n);

        /* under a unit of its own: stopped there, not killed */
        l[0].unit = "web.service";
        f = diagnose_one(&s, &n, &all);
        ck_assert_evidence(f, "remediation", "systemctl stop web.service && systemctl restart ssh.service");
        sg_findings_free(all, n);

        /* pid 1 (a socket unit's socket) is never the thing to kill */
        l[0] = listener(AF_INET, "0.0.0.0", 22, 1, "systemd", false);
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_PORT_IN_USE);
        ck_assert_ptr_null(sg_finding_get(f, "remediation"));
        sg_findings_free(all, n);

        /* sshd holding both: healthy */
        l[0] = listener(AF_INET, "0.0.0.0", 22, 500, "sshd", false);
        ck_assert_int_eq(sg_diagnose(&s, &all, &n), 0);
        ck_assert_uint_eq(n, 0);
        sg_findings_free(all, n);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_fixes_after_the_human_step_are_commands) {
        static const SgUnitFacts svc = { .name = "ssh.service", .loaded = true, .active_state = "active",
                                         .result = "success", .main_pid = 500 };
        SgListener l[] = { listener(AF_INET, "127.0.0.1", 22, 500, "sshd", false) };
        SshdConfig *c = config_of("ListenAddress 127.0.0.1\n");
        SgSnapshot s = { .units = &svc, .n_units = 1, .config = c, .listeners = l, .n_listeners = 1,
                         .expected_ports = port22, .n_expected_ports = 1 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_LISTEN_RESTRICTED);
        ck_assert_evidence(f, "remediation", "systemctl restart ssh.service");
        ck_assert_ptr_nonnull(strstr(f->message, "remove or widen that ListenAddress"));
        sg_findings_free(all, n);
        sshd_config_free(c);

        /* moved: the message names the line to restore, the command restarts */
        s.config = c = config_of("Port 2222\n");
        l[0] = listener(AF_INET, "0.0.0.0", 2222, 500, "sshd", false);
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_PORT_CHANGED);
        ck_assert_evidence(f, "remediation", "systemctl restart ssh.service");
        ck_assert_ptr_nonnull(strstr(f->message, "restore `Port 22`"));
        ck_assert_ptr_null(strstr(f->statement, "restore"));
        sg_findings_free(all, n);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_a_ban_of_some_sources_is_a_notice) {
        static const SgUnitFacts svc = { .name = "ssh.service", .loaded = true, .active_state = "active",
                                         .result = "success", .main_pid = 500 };
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 22, 500, "sshd", false) };
        SgFirewallFacts fw = { .family = AF_INET, .port = 22, .verdict = SG_FW_REJECT, .scope = "some-sources",
                               .rule_text = "ip saddr @addr-set-sshd reject", .rule_family = "inet",
                               .rule_table = "f2b-table", .rule_chain = "f2b-chain", .rule_handle = 4,
                               .frontend = "fail2ban", .remediation = "fail2ban-client unban --all" };
        SgSnapshot s = { .units = &svc, .n_units = 1, .listeners = l, .n_listeners = 1, .expected_ports = port22,
                         .n_expected_ports = 1, .firewall = &fw, .n_firewall = 1 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_FIREWALL_REJECT);
        ck_assert_int_eq(f->priority, LOG_NOTICE);
        ck_assert(!f->unreachable);
        sg_findings_free(all, n);

        fw.scope = "all";
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->priority, 0);       /* the cause's: an error */
        ck_assert(f->unreachable);
        sg_findings_free(all, n);
}
END_TEST

START_TEST(test_config_past_the_reading_budget_is_not_called_invalid) {
        static const SgUnitFacts svc = { .name = "ssh.service", .loaded = true, .active_state = "active",
                                         .result = "success", .main_pid = 500 };
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 22, 500, "sshd", false) };
        char path[256], inc[256];
        SshdConfig *c = NULL;
        FILE *f;
        SgFinding *all, *x;
        size_t n;

        snprintf(inc, sizeof(inc), "%s/budget-inc.conf", tmpdir);
        f = fopen(inc, "w");
        ck_assert_ptr_nonnull(f);
        fputs("Port 22\n", f);
        fclose(f);
        snprintf(path, sizeof(path), "%s/budget.conf", tmpdir);
        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "Include %s\nInclude %s\n", inc, inc);
        fclose(f);
        /* one file allowed: the Include goes past it */
        ck_assert_int_eq(sshd_config_load(path, &(SshdConfigOptions) { .max_files = 1 }, &c), 0);
        ck_assert(c->budget_exceeded);

        SgSnapshot s = { .units = &svc, .n_units = 1, .config = c, .listeners = l, .n_listeners = 1,
                         .expected_ports = port22, .n_expected_ports = 1 };
        x = diagnose_one(&s, &n, &all);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(x->cause, SG_CAUSE_CONFIG_PENDING);
        ck_assert_ptr_nonnull(strstr(x->message, "cannot tell"));
        ck_assert(!x->unreachable);
        sg_findings_free(all, n);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_listen_addresses_naming_every_address_confine_nothing) {
        static const SgUnitFacts svc = { .name = "ssh.service", .loaded = true, .active_state = "active",
                                         .result = "success", .main_pid = 500 };
        SgListener l[] = { listener(AF_INET, "192.0.2.10", 22, 500, "sshd", false),
                           listener(AF_INET6, "2001:db8::10", 22, 500, "sshd", true) };
        SshdConfig *c = config_of("ListenAddress 192.0.2.10\nListenAddress 2001:db8::10\n");
        SgSnapshot s = { .units = &svc, .n_units = 1, .config = c, .listeners = l, .n_listeners = 2,
                         .expected_ports = port22, .n_expected_ports = 1, .interfaces = ifaces, .n_interfaces = 2 };
        SgFinding *all, *f;
        size_t n;

        interfaces_setup();
        ck_assert_int_eq(sg_diagnose(&s, &all, &n), 0);
        ck_assert_uint_eq(n, 0);
        sg_findings_free(all, n);

        /* one of them only: the other address is not served */
        s.n_listeners = 1;
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_LISTEN_RESTRICTED);
        ck_assert(f->unreachable);
        sg_findings_free(all, n);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_an_address_nobody_has_beside_wildcards_locks_nobody_out) {
        static const SgUnitFacts svc = { .name = "ssh.service", .loaded = true, .active_state = "active",
                                         .result = "success", .main_pid = 500 };
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 22, 500, "sshd", false),
                           listener(AF_INET6, "::", 22, 500, "sshd", true) };
        SshdConfig *c = config_of("ListenAddress 0.0.0.0\nListenAddress ::\nListenAddress 198.51.100.99\n");
        SgSnapshot s = { .units = &svc, .n_units = 1, .config = c, .listeners = l, .n_listeners = 2,
                         .expected_ports = port22, .n_expected_ports = 1, .interfaces = ifaces, .n_interfaces = 2 };
        SgFinding *all, *f;
        size_t n;

        interfaces_setup();
        f = diagnose_one(&s, &n, &all);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(f->cause, SG_CAUSE_ADDRESS_MISSING);
        ck_assert(!f->unreachable);
        sg_findings_free(all, n);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_the_advised_socket_move_is_the_new_expectation) {
        SgFinding mismatch = { .cause = SG_CAUSE_SOCKET_MISMATCH }, moved = { .cause = SG_CAUSE_PORT_CHANGED },
                  other = { .cause = SG_CAUSE_UNIT_STOPPED };

        ck_assert(sg_advised_move_applied(&mismatch, 1, &moved, 1));
        ck_assert(!sg_advised_move_applied(&other, 1, &moved, 1));     /* a move nobody advised */
        ck_assert(!sg_advised_move_applied(&mismatch, 1, &mismatch, 1));
        ck_assert(!sg_advised_move_applied(&mismatch, 1, &other, 1));
}
END_TEST

START_TEST(test_nothing_is_pending_once_the_restart_applied_it) {
        static const SgUnitFacts svc = { .name = "ssh.service", .loaded = true, .active_state = "active",
                                         .result = "success", .main_pid = 500 };
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 2222, 500, "sshd", false) };
        SshdConfig *disk = config_of("Port 2222\n"), *ran = config_of("Port 2222\n");
        SgSnapshot s = { .units = &svc, .n_units = 1, .config = disk, .config_running = ran, .listeners = l,
                         .n_listeners = 1, .expected_ports = port22, .n_expected_ports = 1 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(f->cause, SG_CAUSE_PORT_CHANGED);
        sg_findings_free(all, n);

        /* before the restart: running Port 22, the file says 2222 */
        sshd_config_free(ran);
        s.config_running = ran = config_of("Port 22\n");
        l[0].port = 22;
        f = diagnose_one(&s, &n, &all);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(f->cause, SG_CAUSE_CONFIG_PENDING);
        sg_findings_free(all, n);
        sshd_config_free(ran);
        sshd_config_free(disk);
}
END_TEST

static Suite *remediation_suite(void) {
        Suite *s = suite_create("remediation");
        TCase *tc = tcase_create("contract");

        tcase_add_test(tc, test_binary_missing_from_203_exec);
        tcase_add_test(tc, test_bind_denied_with_and_without_selinux);
        tcase_add_test(tc, test_not_running_without_systemd);
        tcase_add_test(tc, test_socket_activation_port_mismatch);
        tcase_add_test(tc, test_one_family_taken_by_another_program);
        tcase_add_test(tc, test_fixes_after_the_human_step_are_commands);
        tcase_add_test(tc, test_a_ban_of_some_sources_is_a_notice);
        tcase_add_test(tc, test_config_past_the_reading_budget_is_not_called_invalid);
        tcase_add_test(tc, test_listen_addresses_naming_every_address_confine_nothing);
        tcase_add_test(tc, test_an_address_nobody_has_beside_wildcards_locks_nobody_out);
        tcase_add_test(tc, test_the_advised_socket_move_is_the_new_expectation);
        tcase_add_test(tc, test_nothing_is_pending_once_the_restart_applied_it);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr;
        int failed;
        char cmd[64];

        if (!mkdtemp(tmpdir))
                return 2;
        sr = srunner_create(remediation_suite());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
                failed++;
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

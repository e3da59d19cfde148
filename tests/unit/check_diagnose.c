/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "diagnose.h"
#include "fw-scenarios.h"

/* Every cause code of DESIGN.md from a constructed snapshot, with the
 * evidence the journal entry must carry.  The sshd log lines are the ones
 * OpenSSH 9.2 writes. */

static char tmpdir[] = "/tmp/check-diagnose-XXXXXX";

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

static const SgUnitFacts running_ssh = { .name = "ssh.service", .loaded = true, .active_state = "active",
                                         .result = "success", .main_pid = 500 };

static SgListener listener(int family, const char *addr, uint16_t port, pid_t pid, const char *comm) {
        SgListener l = { .family = family, .port = port, .pid = pid, .comm = comm, .v6only = true };
        ck_assert_int_eq(inet_pton(family, addr, l.addr), 1);
        return l;
}

static SgFinding *diagnose_one(const SgSnapshot *s, size_t *n, SgFinding **all) {
        ck_assert_int_eq(sg_diagnose(s, all, n), 0);
        ck_assert_uint_ge(*n, 1);
        return &(*all)[0];
}

#define ck_assert_evidence(f, key, value) ck_assert_str_eq(sg_finding_get(f, key) ?: "(none)", value)

static const uint16_t port22[] = { 22 };

START_TEST(test_cause_names_and_ids_are_fixed) {
        ck_assert_str_eq(sg_cause_to_string(SG_CAUSE_UNIT_MISSING), "unit-missing");
        ck_assert_str_eq(sg_cause_to_string(SG_CAUSE_FIREWALL_REJECT), "firewall-reject");
        ck_assert_int_eq(sg_cause_from_string("listen-restricted"), SG_CAUSE_LISTEN_RESTRICTED);
        ck_assert_int_lt(sg_cause_from_string("nope"), 0);
        for (int i = 0; i < _SG_CAUSE_MAX; i++) {
                ck_assert_uint_eq(strlen(sg_cause_message_id(i)), 32);
                ck_assert_int_eq(sg_cause_from_string(sg_cause_to_string(i)), i);
                for (int j = 0; j < i; j++)
                        ck_assert_str_ne(sg_cause_message_id(i), sg_cause_message_id(j));
        }
        ck_assert_int_eq(sg_cause_priority(SG_CAUSE_CONFIG_PENDING), LOG_WARNING);
        ck_assert_ptr_null(sg_cause_to_string(_SG_CAUSE_MAX));
}
END_TEST

START_TEST(test_healthy_host_has_no_finding) {
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 22, 500, "sshd"), listener(AF_INET6, "::", 22, 500, "sshd") };
        SshdConfig *c = config_of("");
        SgSnapshot s = { .units = &running_ssh, .n_units = 1, .config = c, .listeners = l, .n_listeners = 2,
                         .expected_ports = port22, .n_expected_ports = 1 };
        SgFinding *f = NULL;
        size_t n = 99;

        ck_assert_int_eq(sg_diagnose(&s, &f, &n), 0);
        ck_assert_uint_eq(n, 0);
        sg_findings_free(f, n);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_unit_missing) {
        SgUnitFacts u[] = { { .name = "ssh.service" }, { .name = "sshd.service" } };
        SgSnapshot s = { .units = u, .n_units = 2 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(f->cause, SG_CAUSE_UNIT_MISSING);
        ck_assert(f->unreachable);
        ck_assert_evidence(f, "unit", "ssh.service");
        ck_assert_evidence(f, "remediation", "apt-get install openssh-server");
        sg_findings_free(all, n);

        /* masked: installed, but systemd refuses to start it */
        u[0].masked = true;
        f = diagnose_one(&s, &n, &all);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(f->cause, SG_CAUSE_UNIT_MISSING);
        ck_assert_evidence(f, "unit", "ssh.service");
        ck_assert_evidence(f, "remediation", "systemctl unmask ssh.service && systemctl start ssh.service");
        ck_assert_str_eq(f->message, "ssh.service is masked, so systemd will not start sshd; unmask it with "
                                     "`systemctl unmask ssh.service` and start it.");
        sg_findings_free(all, n);
}
END_TEST

START_TEST(test_unit_stopped_on_purpose) {
        SgUnitFacts u = { .name = "ssh.service", .loaded = true, .active_state = "inactive", .result = "success",
                          .stop_requested = true };
        SgSnapshot s = { .units = &u, .n_units = 1, .expected_ports = port22, .n_expected_ports = 1 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_UNIT_STOPPED);
        ck_assert_evidence(f, "unit", "ssh.service");
        ck_assert_evidence(f, "unit_result", "success");
        ck_assert_evidence(f, "remediation", "systemctl start ssh.service");
        ck_assert_ptr_nonnull(strstr(f->message, "stopped on purpose"));
        sg_findings_free(all, n);
}
END_TEST

START_TEST(test_unit_failed_with_sshds_last_line) {
        SgUnitFacts u = { .name = "sshd.service", .loaded = true, .active_state = "failed", .result = "exit-code" };
        const char *log[] = { "fatal: Privilege separation user sshd does not exist" };
        SgSnapshot s = { .units = &u, .n_units = 1, .sshd_log = log, .n_sshd_log = 1 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_UNIT_FAILED);
        ck_assert_evidence(f, "unit", "sshd.service");
        ck_assert_evidence(f, "unit_result", "exit-code");
        ck_assert_ptr_nonnull(strstr(f->message, "Privilege separation user sshd does not exist"));
        sg_findings_free(all, n);
}
END_TEST

START_TEST(test_config_invalid_names_file_and_line) {
        SgUnitFacts u = { .name = "ssh.service", .loaded = true, .active_state = "failed", .result = "exit-code" };
        const char *log[] = { "/etc/ssh/sshd_config line 14: Bad configuration option: Prot",
                              "/etc/ssh/sshd_config: terminating, 1 bad configuration options" };
        SgSnapshot s = { .units = &u, .n_units = 1, .sshd_log = log, .n_sshd_log = 2 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_CONFIG_INVALID);
        ck_assert_evidence(f, "config_file", "/etc/ssh/sshd_config");
        ck_assert_evidence(f, "config_line", "14");
        ck_assert_evidence(f, "unit_result", "exit-code");
        /* sshd -t needs /run/sshd, gone with the stopped unit (issue 10) */
        ck_assert_evidence(f, "remediation", "install -d -m 0755 /run/sshd && sshd -t && systemctl reset-failed ssh.service && systemctl restart ssh.service");
        sg_findings_free(all, n);
}
END_TEST

START_TEST(test_config_invalid_from_the_model_when_sshd_said_nothing) {
        SgUnitFacts u = { .name = "ssh.service", .loaded = true, .active_state = "failed", .result = "exit-code" };
        SshdConfig *c = config_of("Port 22\nMatch User x\n\tPort 2222\n");
        SgSnapshot s = { .units = &u, .n_units = 1, .config = c };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_CONFIG_INVALID);
        ck_assert_evidence(f, "config_file", c->path);
        ck_assert_evidence(f, "config_line", "3");
        ck_assert_ptr_nonnull(strstr(f->message, "Directive 'Port' is not allowed within a Match block"));
        sg_findings_free(all, n);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_hostkeys_and_privsep_missing) {
        SgUnitFacts u = { .name = "ssh.service", .loaded = true, .active_state = "failed", .result = "exit-code" };
        const char *log1[] = { "sshd: no hostkeys available -- exiting." };
        const char *log2[] = { "Missing privilege separation directory: /run/sshd" };
        SgSnapshot s = { .units = &u, .n_units = 1, .sshd_log = log1, .n_sshd_log = 1 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_HOSTKEYS_MISSING);
        ck_assert_evidence(f, "remediation", "ssh-keygen -A && systemctl reset-failed ssh.service && systemctl restart ssh.service");
        sg_findings_free(all, n);
        s.sshd_log = log2;
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_PRIVSEP_MISSING);
        ck_assert_evidence(f, "unit", "ssh.service");
        sg_findings_free(all, n);
}
END_TEST

START_TEST(test_port_in_use_names_the_holder) {
        SgUnitFacts u = { .name = "ssh.service", .loaded = true, .active_state = "failed", .result = "exit-code" };
        const char *log[] = { "error: Bind to port 22 on 0.0.0.0 failed: Address already in use.",
                              "fatal: Cannot bind any address." };
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 22, 4242, "nc") };
        SgSnapshot s = { .units = &u, .n_units = 1, .sshd_log = log, .n_sshd_log = 2, .listeners = l, .n_listeners = 1 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_PORT_IN_USE);
        ck_assert_evidence(f, "holder_pid", "4242");
        ck_assert_evidence(f, "holder_comm", "nc");
        ck_assert_evidence(f, "port", "22");
        ck_assert_evidence(f, "remediation", "kill 4242 && systemctl reset-failed ssh.service && systemctl restart ssh.service");
        sg_findings_free(all, n);
}
END_TEST

START_TEST(test_start_limit_hit_reports_the_underlying_cause) {
        SgUnitFacts u = { .name = "ssh.service", .loaded = true, .active_state = "failed", .result = "start-limit-hit" };
        const char *log[] = { "/etc/ssh/sshd_config line 2: Badly formatted port number." };
        SgSnapshot s = { .units = &u, .n_units = 1, .sshd_log = log, .n_sshd_log = 1 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_CONFIG_INVALID);
        ck_assert_evidence(f, "unit_result", "start-limit-hit");
        ck_assert_evidence(f, "config_line", "2");
        ck_assert_evidence(f, "remediation",
                           "install -d -m 0755 /run/sshd && sshd -t && systemctl reset-failed ssh.service && "
                           "systemctl restart ssh.service");
        sg_findings_free(all, n);

        /* nothing more specific known: start-limit itself */
        s.n_sshd_log = 0;
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_START_LIMIT);
        ck_assert_evidence(f, "unit_result", "start-limit-hit");
        sg_findings_free(all, n);
}
END_TEST

START_TEST(test_crashed_while_down_and_after_restart) {
        SgUnitFacts down = { .name = "ssh.service", .loaded = true, .active_state = "failed", .result = "core-dump",
                             .crash_signal = SIGSEGV };
        SgUnitFacts again = running_ssh;
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 22, 500, "sshd"), listener(AF_INET6, "::", 22, 500, "sshd") };
        SgSnapshot s = { .units = &down, .n_units = 1 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_CRASHED);
        ck_assert(f->unreachable);
        ck_assert_evidence(f, "unit_result", "core-dump");
        ck_assert_ptr_nonnull(strstr(f->message, "SEGV"));
        sg_findings_free(all, n);

        again.crashed = true;
        again.crash_signal = SIGKILL;
        s = (SgSnapshot) { .units = &again, .n_units = 1, .listeners = l, .n_listeners = 2,
                           .expected_ports = port22, .n_expected_ports = 1 };
        f = diagnose_one(&s, &n, &all);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(f->cause, SG_CAUSE_CRASHED);
        ck_assert(!f->unreachable);     /* restarted: reported, the host is reachable */
        ck_assert_ptr_nonnull(strstr(f->message, "KILL"));
        sg_findings_free(all, n);
}
END_TEST

START_TEST(test_port_changed_names_the_port_line) {
        SshdConfig *c = config_of("# moved\nPort 2222\n");
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 2222, 500, "sshd") };
        SgSnapshot s = { .units = &running_ssh, .n_units = 1, .config = c, .listeners = l, .n_listeners = 1,
                         .expected_ports = port22, .n_expected_ports = 1 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_PORT_CHANGED);
        ck_assert_evidence(f, "config_file", c->path);
        ck_assert_evidence(f, "config_line", "2");
        ck_assert_evidence(f, "port", "22");
        ck_assert(f->unreachable);
        sg_findings_free(all, n);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_listen_restricted_to_loopback) {
        SshdConfig *c = config_of("Port 22\nListenAddress 127.0.0.1\n");
        SgListener l[] = { listener(AF_INET, "127.0.0.1", 22, 500, "sshd") };
        SgAddress lo = { .family = AF_INET, .addr = { 127, 0, 0, 1 } };
        SgInterface ifs[] = { { .name = "lo", .up = true, .addrs = &lo, .n_addrs = 1 } };
        SgSnapshot s = { .units = &running_ssh, .n_units = 1, .config = c, .listeners = l, .n_listeners = 1,
                         .expected_ports = port22, .n_expected_ports = 1, .interfaces = ifs, .n_interfaces = 1 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(f->cause, SG_CAUSE_LISTEN_RESTRICTED);
        ck_assert_evidence(f, "config_line", "2");
        ck_assert_evidence(f, "scope", "all");
        sg_findings_free(all, n);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_listen_restricted_to_one_family_by_address_family) {
        SshdConfig *c = config_of("AddressFamily inet\n");
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 22, 500, "sshd") };
        SgSnapshot s = { .units = &running_ssh, .n_units = 1, .config = c, .listeners = l, .n_listeners = 1,
                         .expected_ports = port22, .n_expected_ports = 1 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_LISTEN_RESTRICTED);
        ck_assert_evidence(f, "scope", "ipv6");
        ck_assert_evidence(f, "config_line", "1");
        sg_findings_free(all, n);

        /* the same listeners without the directive: a host without IPv6 */
        sshd_config_free(c);
        c = config_of("");
        s.config = c;
        ck_assert_int_eq(sg_diagnose(&s, &all, &n), 0);
        ck_assert_uint_eq(n, 0);
        sg_findings_free(all, n);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_address_missing_and_interface_down) {
        SshdConfig *c = config_of("ListenAddress 192.0.2.5\nListenAddress 198.51.100.7\n");
        SgListener l[] = { listener(AF_INET, "198.51.100.7", 22, 500, "sshd") };
        SgAddress a5 = { .family = AF_INET, .addr = { 198, 51, 100, 7 } };
        SgAddress down_addr = { .family = AF_INET, .addr = { 192, 0, 2, 5 } };
        SgInterface ifs[] = { { .name = "eth0", .up = true, .addrs = &a5, .n_addrs = 1 },
                              { .name = "eth1", .up = false, .addrs = &down_addr, .n_addrs = 1 } };
        SgSnapshot s = { .units = &running_ssh, .n_units = 1, .config = c, .listeners = l, .n_listeners = 1,
                         .expected_ports = port22, .n_expected_ports = 1, .interfaces = ifs, .n_interfaces = 2 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_INTERFACE_DOWN);
        ck_assert_evidence(f, "interface", "eth1");
        ck_assert_evidence(f, "config_line", "1");
        ck_assert_evidence(f, "remediation", "ip link set eth1 up");
        sg_findings_free(all, n);

        s.n_interfaces = 1;     /* 192.0.2.5 nowhere at all */
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_ADDRESS_MISSING);
        ck_assert_evidence(f, "config_line", "1");
        sg_findings_free(all, n);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_socket_stopped) {
        SgUnitFacts u[] = { { .name = "ssh.service", .loaded = true, .active_state = "inactive", .result = "success" },
                            { .name = "ssh.socket", .loaded = true, .active_state = "inactive", .result = "success",
                              .stop_requested = true, .enabled = true } };
        SgSnapshot s = { .units = u, .n_units = 2 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_SOCKET_STOPPED);
        ck_assert_evidence(f, "unit", "ssh.socket");
        ck_assert_evidence(f, "remediation", "systemctl start ssh.socket");
        sg_findings_free(all, n);

        /* socket activation set up after the service was disabled and
         * stopped: the socket's later stop is what broke it */
        u[0].stop_requested = true;
        u[0].inactive_enter_usec = 1000;
        u[1].inactive_enter_usec = 2000;
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_SOCKET_STOPPED);
        sg_findings_free(all, n);

        /* the service stopped on purpose after the socket: that is it */
        u[0].inactive_enter_usec = 3000;
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_UNIT_STOPPED);
        ck_assert_evidence(f, "unit", "ssh.service");
        sg_findings_free(all, n);

        /* socket activation not set up (the socket disabled, as Debian
         * ships it): its stop says nothing; the service's failure does */
        u[1].enabled = false;
        u[0].stop_requested = false;
        u[0].active_state = "failed";
        u[0].result = "exit-code";
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_UNIT_FAILED);
        sg_findings_free(all, n);

        /* the service masked, the socket loaded but not listening: nothing
         * will start sshd */
        u[0] = (SgUnitFacts) { .name = "ssh.service", .masked = true };
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_UNIT_MISSING);
        ck_assert_evidence(f, "unit", "ssh.service");
        sg_findings_free(all, n);
}
END_TEST

START_TEST(test_holder_known_only_by_its_unit) {
        /* sshd stopped, port 22 held by a unit of several processes (the
         * cgroup says which unit, not which process) */
        SgUnitFacts u[] = { { .name = "ssh.service", .loaded = true, .active_state = "failed", .result = "exit-code" } };
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 22, 0, NULL) };
        const char *log[] = { "error: Bind to port 22 on 0.0.0.0 failed: Address already in use.",
                              "fatal: Cannot bind any address." };
        SgSnapshot s = { .units = u, .n_units = 1, .listeners = l, .n_listeners = 1, .expected_ports = port22,
                         .n_expected_ports = 1, .sshd_log = log, .n_sshd_log = 2 };
        SgFinding *all, *f;
        size_t n;

        l[0].unit = "web.service";
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_PORT_IN_USE);
        ck_assert_evidence(f, "holder_unit", "web.service");
        ck_assert_ptr_null(sg_finding_get(f, "holder_pid"));
        ck_assert_evidence(f, "remediation", "systemctl stop web.service && systemctl reset-failed ssh.service && systemctl restart ssh.service");
        ck_assert_ptr_nonnull(strstr(f->message, "held by a process of web.service"));
        sg_findings_free(all, n);
}
END_TEST

START_TEST(test_listener_of_unknown_owner_is_not_another_process) {
        SgUnitFacts u[] = { running_ssh };
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 22, 0, NULL), listener(AF_INET6, "::", 22, 0, NULL) };
        SgSnapshot s = { .units = u, .n_units = 1, .listeners = l, .n_listeners = 2, .expected_ports = port22,
                         .n_expected_ports = 1 };
        SgFinding *all;
        size_t n;

        /* no right to read other processes' fds: owners unknown */
        ck_assert_int_eq(sg_diagnose(&s, &all, &n), 0);
        ck_assert_uint_eq(n, 0);
        sg_findings_free(all, n);
}
END_TEST

START_TEST(test_socket_activation_running_is_healthy) {
        SgUnitFacts u[] = { { .name = "ssh.service", .loaded = true, .active_state = "inactive", .result = "success" },
                            { .name = "ssh.socket", .loaded = true, .active_state = "active", .result = "success" } };
        SgListener l[] = { listener(AF_INET6, "::", 22, 1, "systemd") };
        /* (found in a container booted with every unit enabled) */
        SgSnapshot s = { .units = u, .n_units = 2, .listeners = l, .n_listeners = 1,
                         .expected_ports = port22, .n_expected_ports = 1 };
        SgFinding *all;
        size_t n;

        l[0].v6only = false;    /* ssh.socket: BindIPv6Only=default, one dual-stack socket */
        ck_assert_int_eq(sg_diagnose(&s, &all, &n), 0);
        ck_assert_uint_eq(n, 0);
        sg_findings_free(all, n);

        /* Debian's ssh.socket with the sshd it started running: the
         * socket's lowest-pid owner is systemd, and that is sshd's */
        u[0].active_state = "active";
        u[0].main_pid = 43;
        ck_assert_int_eq(sg_diagnose(&s, &all, &n), 0);
        ck_assert_uint_eq(n, 0);
        sg_findings_free(all, n);
}
END_TEST

START_TEST(test_config_pending_break_and_move) {
        SshdConfig *broken = config_of("Port 22\nBogusOption yes\n"), *moved = config_of("Port 2222\n");
        SshdConfig *now = config_of("Port 22\n");
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 22, 500, "sshd"), listener(AF_INET6, "::", 22, 500, "sshd") };
        SgSnapshot s = { .units = &running_ssh, .n_units = 1, .config = broken, .config_running = now,
                         .listeners = l, .n_listeners = 2, .expected_ports = port22, .n_expected_ports = 1 };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(f->cause, SG_CAUSE_CONFIG_PENDING);
        ck_assert(!f->unreachable);
        ck_assert_evidence(f, "config_line", "2");
        ck_assert_ptr_nonnull(strstr(f->message, "Bad configuration option: BogusOption"));
        sg_findings_free(all, n);

        s.config = moved;
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_CONFIG_PENDING);
        ck_assert_evidence(f, "port", "22");
        ck_assert_evidence(f, "config_line", "1");
        ck_assert_ptr_nonnull(strstr(f->message, "move sshd off port 22"));
        sg_findings_free(all, n);
        sshd_config_free(broken);
        sshd_config_free(moved);
        sshd_config_free(now);
}
END_TEST

START_TEST(test_max_startups) {
        SshdConfig *c = config_of("MaxStartups 3:50:6\n");
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 22, 500, "sshd"), listener(AF_INET6, "::", 22, 500, "sshd") };
        SgSnapshot s = { .units = &running_ssh, .n_units = 1, .config = c, .listeners = l, .n_listeners = 2,
                         .expected_ports = port22, .n_expected_ports = 1, .max_startups_drops = 4,
                         .max_startups_line = "drop connection #6 from [192.0.2.9]:40000 on [192.0.2.1]:22 past MaxStartups" };
        SgFinding *all, *f;
        size_t n;

        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_MAX_STARTUPS);
        ck_assert(!f->unreachable);
        ck_assert_evidence(f, "scope", "rate-limited");
        ck_assert_evidence(f, "config_line", "1");
        ck_assert_ptr_nonnull(strstr(f->message, "3:50:6"));
        sg_findings_free(all, n);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_firewall_drop_reject_and_source_bans) {
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 22, 500, "sshd"), listener(AF_INET6, "::", 22, 500, "sshd") };
        SgFirewallFacts fw[] = {
                { .family = AF_INET, .port = 22, .verdict = SG_FW_DROP, .scope = "all", .rule_text = "tcp dport 22 drop",
                  .rule_family = "inet", .rule_table = "filter", .rule_chain = "input", .rule_handle = 7,
                  .frontend = "nftables", .remediation = "nft delete rule inet filter input handle 7",
                  .changed_by_pid = 321, .changed_by_comm = "nft" },
                { .family = AF_INET6, .port = 22, .verdict = SG_FW_REJECT, .scope = "ipv6", .rule_text = "policy drop",
                  .rule_family = "ip6", .rule_table = "filter", .rule_chain = "INPUT", .rule_is_policy = true,
                  .frontend = "ufw", .remediation = "ufw allow ssh" },
                { .family = AF_INET, .port = 22, .verdict = SG_FW_REJECT, .scope = "some-sources",
                  .rule_text = "ip saddr @addr-set-sshd reject", .rule_family = "inet", .rule_table = "f2b-table",
                  .rule_chain = "f2b-chain", .rule_handle = 3, .frontend = "fail2ban" },
                { .family = AF_INET, .port = 22, .verdict = SG_FW_ACCEPT },
        };
        SgSnapshot s = { .units = &running_ssh, .n_units = 1, .listeners = l, .n_listeners = 2,
                         .expected_ports = port22, .n_expected_ports = 1, .firewall = fw, .n_firewall = 4 };
        SgFinding *all;
        size_t n;

        ck_assert_int_eq(sg_diagnose(&s, &all, &n), 0);
        ck_assert_uint_eq(n, 3);
        ck_assert_int_eq(all[0].cause, SG_CAUSE_FIREWALL_DROP);
        ck_assert(all[0].unreachable);
        ck_assert_evidence(&all[0], "rule_handle", "7");
        ck_assert_evidence(&all[0], "rule_table", "filter");
        ck_assert_evidence(&all[0], "rule_chain", "input");
        ck_assert_evidence(&all[0], "rule_family", "inet");
        ck_assert_evidence(&all[0], "rule", "tcp dport 22 drop");
        ck_assert_evidence(&all[0], "changed_by_pid", "321");
        ck_assert_evidence(&all[0], "changed_by_comm", "nft");
        ck_assert_evidence(&all[0], "frontend", "nftables");
        ck_assert_str_eq(all[0].message, "The firewall drops new connections to port 22 (IPv4, all): inet filter "
                         "input handle 7 \"tcp dport 22 drop\" (nftables, committed by nft (pid 321)); fix: nft "
                         "delete rule inet filter input handle 7.");
        ck_assert_int_eq(all[1].cause, SG_CAUSE_FIREWALL_REJECT);
        ck_assert_evidence(&all[1], "rule_handle", "");     /* the policy */
        ck_assert_evidence(&all[1], "scope", "ipv6");
        ck_assert(all[1].unreachable);
        ck_assert_int_eq(all[2].cause, SG_CAUSE_FIREWALL_REJECT);
        ck_assert(!all[2].unreachable);                     /* a source ban: a finding, not unhealthy */
        ck_assert_evidence(&all[2], "scope", "some-sources");
        sg_findings_free(all, n);
}
END_TEST

START_TEST(test_without_systemd_sshd_is_judged_by_its_sockets) {
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 22, 77, "sshd"), listener(AF_INET6, "::", 22, 77, "sshd") };
        SgFirewallFacts fw = { .family = AF_UNSPEC, .port = 22, .verdict = SG_FW_DROP, .scope = "all",
                               .rule_text = "tcp dport 22 drop", .rule_family = "inet", .rule_table = "t",
                               .rule_chain = "in", .rule_handle = 2, .frontend = "nftables",
                               .remediation = "nft delete rule inet t in handle 2" };
        SgSnapshot s = { .units_unknown = true, .listeners = l, .n_listeners = 2, .expected_ports = port22,
                         .n_expected_ports = 1 };
        SgFinding *all, *f;
        size_t n;

        /* no unit to ask about is not "unit-missing" */
        ck_assert_int_eq(sg_diagnose(&s, &all, &n), 0);
        ck_assert_uint_eq(n, 0);
        sg_findings_free(all, n);

        s.firewall = &fw;
        s.n_firewall = 1;
        f = diagnose_one(&s, &n, &all);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(f->cause, SG_CAUSE_FIREWALL_DROP);
        ck_assert_evidence(f, "family", "any");
        ck_assert_ptr_nonnull(strstr(f->message, "(IPv4 and IPv6, all)"));
        sg_findings_free(all, n);

        s.n_firewall = 0;
        s.n_listeners = 0;      /* sshd gone: not running, no systemd to start it (issue 10) */
        f = diagnose_one(&s, &n, &all);
        ck_assert_int_eq(f->cause, SG_CAUSE_NOT_RUNNING);
        ck_assert_evidence(f, "port", "22");
        ck_assert_evidence(f, "remediation", "install -d -m 0755 /run/sshd && /usr/sbin/sshd");
        sg_findings_free(all, n);

        /* the file on disk would move it: warned all the same */
        s.n_listeners = 2;
        s.config = config_of("Port 2222\n");
        f = diagnose_one(&s, &n, &all);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(f->cause, SG_CAUSE_CONFIG_PENDING);
        ck_assert_evidence(f, "port", "22");
        ck_assert_evidence(f, "config_line", "1");
        sg_findings_free(all, n);
        sshd_config_free((SshdConfig *) s.config);
}
END_TEST

/* --- sg_assess(): the firewall judged from the ruleset as read ------------ */

static void assess(const TestHost *h, bool ignore_source_bans, SgAssessment *a) {
        ck_assert_int_eq(sg_assess(&h->s, &(SgAssessOptions) { .ignore_source_bans = ignore_source_bans }, a), 0);
}

START_TEST(test_assess_rule_blocking_both_families_is_one_unreachable_finding) {
        TestHost h;
        SgAssessment a;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_inet_dport22_drop(&handle));
        assess(&h, false, &a);
        ck_assert(!a.healthy);
        ck_assert(!a.uncertain);
        ck_assert_int_eq(a.firewall_error, 0);
        ck_assert_uint_eq(a.firewall.n, 1);
        ck_assert_uint_eq(a.n_findings, 1);
        ck_assert_int_eq(a.findings[0].cause, SG_CAUSE_FIREWALL_DROP);
        ck_assert(a.findings[0].unreachable);
        ck_assert_evidence(&a.findings[0], "family", "any");
        ck_assert_evidence(&a.findings[0], "scope", "all");
        ck_assert_evidence(&a.findings[0], "rule", "tcp dport 22 drop");
        ck_assert_evidence(&a.findings[0], "rule_family", "inet");
        ck_assert_evidence(&a.findings[0], "rule_table", "filter");
        ck_assert_evidence(&a.findings[0], "rule_chain", "input");
        ck_assert_evidence(&a.findings[0], "rule_handle", "1");
        ck_assert_evidence(&a.findings[0], "frontend", "nftables");
        ck_assert_evidence(&a.findings[0], "remediation", "nft delete rule inet filter input handle 1");
        ck_assert_str_eq(a.findings[0].message, "The firewall drops new connections to port 22 (IPv4 and IPv6, all): "
                         "inet filter input handle 1 \"tcp dport 22 drop\" (nftables); fix: nft delete rule inet "
                         "filter input handle 1.");
        sg_assessment_done(&a);
        test_host_done(&h);
}
END_TEST

START_TEST(test_assess_policy_drop_past_lo_is_the_policys_finding) {
        TestHost h;
        SgAssessment a;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_policy_drop_lo_accept(&handle));
        assess(&h, false, &a);
        ck_assert(!a.healthy);
        ck_assert(!a.uncertain);
        ck_assert_uint_eq(a.n_findings, 1);
        ck_assert_int_eq(a.findings[0].cause, SG_CAUSE_FIREWALL_DROP);
        ck_assert_evidence(&a.findings[0], "family", "any");
        ck_assert_evidence(&a.findings[0], "scope", "all");
        ck_assert_evidence(&a.findings[0], "rule", "policy drop");
        ck_assert_evidence(&a.findings[0], "rule_handle", "");
        ck_assert_evidence(&a.findings[0], "remediation", "nft insert rule inet filter input tcp dport 22 accept");
        sg_assessment_done(&a);
        test_host_done(&h);
}
END_TEST

/* Nothing arrives from elsewhere: the verdict cannot be told, and the
 * host is not called unhealthy for it, but uncertain, with the reasons. */
START_TEST(test_assess_host_with_only_lo_is_uncertain_not_unhealthy) {
        TestHost h;
        SgAssessment a;
        uint64_t handle;

        test_host_init(&h, HOST_LO_ONLY, fw_policy_drop_lo_accept(&handle));
        assess(&h, false, &a);
        ck_assert(a.healthy);
        ck_assert(a.uncertain);
        ck_assert_uint_eq(a.n_findings, 0);
        ck_assert_uint_eq(a.firewall.n, 0);
        ck_assert_uint_eq(a.firewall.n_undecided, 2);
        ck_assert_str_eq(a.firewall.undecided[0], "port 22, IPv4: the outcome depends on what the probe does not "
                                                  "define (at inet filter input handle 2)");
        ck_assert_str_eq(a.firewall.undecided[1], "port 22, IPv6: the outcome depends on what the probe does not "
                                                  "define (at inet filter input handle 2)");
        sg_assessment_done(&a);
        test_host_done(&h);
}
END_TEST

START_TEST(test_assess_block_on_some_interfaces_is_unhealthy) {
        TestHost h;
        SgAssessment a;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0_ETH1, fw_iifname_eth1_drop(&handle));
        assess(&h, false, &a);
        ck_assert(!a.healthy);
        ck_assert(!a.uncertain);
        ck_assert_uint_eq(a.n_findings, 1);
        ck_assert_int_eq(a.findings[0].cause, SG_CAUSE_FIREWALL_DROP);
        ck_assert(a.findings[0].unreachable);
        ck_assert_evidence(&a.findings[0], "scope", "some-interfaces");
        ck_assert_evidence(&a.findings[0], "rule", "iifname \"eth1\" tcp dport 22 drop");
        ck_assert_evidence(&a.findings[0], "rule_handle", "1");
        sg_assessment_done(&a);
        test_host_done(&h);
}
END_TEST

/* IPv4 on eth0 is closed to everyone; the ban on eth1 does not make that
 * a source ban that keeps the host healthy. */
START_TEST(test_assess_interface_block_beside_a_ban_is_unhealthy) {
        TestHost h;
        SgAssessment a;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0_ETH1, fw_iifname_eth0_ipv4_drop_and_ban(&handle));
        assess(&h, true, &a);
        ck_assert(!a.healthy);
        ck_assert_uint_eq(a.n_findings, 1);
        ck_assert_int_eq(a.findings[0].cause, SG_CAUSE_FIREWALL_DROP);
        ck_assert(a.findings[0].unreachable);
        ck_assert_evidence(&a.findings[0], "family", "ipv4");
        ck_assert_evidence(&a.findings[0], "scope", "some-interfaces");
        ck_assert_evidence(&a.findings[0], "rule_handle", "1");
        sg_assessment_done(&a);
        test_host_done(&h);
}
END_TEST

START_TEST(test_assess_source_ban_is_a_finding_that_keeps_the_host_healthy) {
        TestHost h;
        SgAssessment a;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_ban_set("198.51.100.7", &handle));
        assess(&h, false, &a);
        ck_assert(a.healthy);
        ck_assert(!a.uncertain);
        ck_assert_uint_eq(a.n_findings, 1);
        ck_assert_int_eq(a.findings[0].cause, SG_CAUSE_FIREWALL_DROP);
        ck_assert(!a.findings[0].unreachable);
        ck_assert_evidence(&a.findings[0], "family", "ipv4");
        ck_assert_evidence(&a.findings[0], "scope", "some-sources");
        ck_assert_evidence(&a.findings[0], "rule", "ip saddr @banned tcp dport 22 drop");
        ck_assert_evidence(&a.findings[0], "rule_handle", "1");
        sg_assessment_done(&a);

        /* IgnoreSourceBans=yes */
        assess(&h, true, &a);
        ck_assert(a.healthy);
        ck_assert_uint_eq(a.n_findings, 0);
        ck_assert_uint_eq(a.firewall.n, 1);     /* judged all the same */
        sg_assessment_done(&a);
        test_host_done(&h);
}
END_TEST

/* The people who log in: a ban of an address someone logged in from is
 * admin-locked-out (error, unhealthy) beside the ban's notice; a ban of
 * an address nobody logs in from stays a notice. */
START_TEST(test_assess_ban_of_an_admin_source_locks_them_out) {
        TestHost h;
        SgAssessment a;
        uint64_t handle;
        SgAdminSource admins[2] = {
                { .family = AF_INET, .user = "root", .last_login_usec = 1000ULL * 1000000ULL, .iif = "eth0" },
                { .family = AF_INET, .user = "alice", .last_login_usec = 1000ULL * 1000000ULL, .iif = "eth0" },
        };
        const SgFinding *lock = NULL;

        inet_pton(AF_INET, "198.51.100.7", admins[0].addr);
        inet_pton(AF_INET, "203.0.113.9", admins[1].addr);
        test_host_init(&h, HOST_ETH0, fw_ban_set("198.51.100.7", &handle));
        h.s.admin_sources = admins;
        h.s.n_admin_sources = 2;
        h.s.now_usec = (1000ULL + 2 * 3600) * 1000000ULL;
        assess(&h, false, &a);
        ck_assert(!a.healthy);
        ck_assert_uint_eq(a.n_findings, 2);
        for (size_t i = 0; i < a.n_findings; i++)
                if (a.findings[i].cause == SG_CAUSE_ADMIN_LOCKED_OUT)
                        lock = &a.findings[i];
        ck_assert_ptr_nonnull(lock);
        ck_assert(lock->unreachable);
        ck_assert_evidence(lock, "source", "198.51.100.7");
        ck_assert_evidence(lock, "user", "root");
        ck_assert_evidence(lock, "port", "22");
        ck_assert_evidence(lock, "rule_table", "filter");
        ck_assert_evidence(lock, "rule_handle", "1");
        ck_assert_ptr_nonnull(strstr(lock->message, "root last logged in from 198.51.100.7 (2 h ago)"));
        ck_assert_ptr_nonnull(sg_finding_get(lock, "remediation"));
        ck_assert_ptr_nonnull(strstr(sg_finding_get(lock, "remediation"), "198.51.100.7"));
        sg_assessment_done(&a);

        /* nobody logs in from the banned address: the ban is a notice only */
        h.s.admin_sources = &admins[1];
        h.s.n_admin_sources = 1;
        assess(&h, false, &a);
        ck_assert(a.healthy);
        ck_assert_uint_eq(a.n_findings, 1);
        ck_assert_int_eq(a.findings[0].cause, SG_CAUSE_FIREWALL_DROP);
        sg_assessment_done(&a);
        test_host_done(&h);
}
END_TEST

/* fail2ban's ban: the daemon's finding names the jail and the addresses
 * it holds, at notice priority. */
START_TEST(test_assess_fail2ban_ban_names_jail_and_addresses) {
        TestHost h;
        SgAssessment a;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_fail2ban("203.0.113.9", &handle));
        assess(&h, false, &a);
        ck_assert(a.healthy);
        ck_assert_uint_eq(a.n_findings, 1);
        ck_assert_int_eq(a.findings[0].cause, SG_CAUSE_FIREWALL_DROP);
        ck_assert_evidence(&a.findings[0], "frontend", "fail2ban");
        ck_assert_evidence(&a.findings[0], "scope", "some-sources");
        ck_assert_evidence(&a.findings[0], "remediation", "fail2ban-client set sshd unbanip 203.0.113.9");
        ck_assert_int_eq(a.findings[0].priority, LOG_NOTICE);
        sg_assessment_done(&a);
        test_host_done(&h);
}
END_TEST

START_TEST(test_assess_rate_limit_is_no_finding) {
        TestHost h;
        SgAssessment a;
        uint64_t handle;

        test_host_init(&h, HOST_ETH0, fw_rate_limited(&handle));
        assess(&h, false, &a);
        ck_assert(a.healthy);
        ck_assert(!a.uncertain);
        ck_assert_uint_eq(a.n_findings, 0);
        ck_assert_uint_eq(a.firewall.n, 0);
        sg_assessment_done(&a);
        test_host_done(&h);
}
END_TEST

START_TEST(test_assess_unreadable_firewall_is_uncertain) {
        TestHost h;
        SgAssessment a;

        test_host_init(&h, HOST_ETH0, NULL);
        assess(&h, false, &a);
        ck_assert_int_eq(a.firewall_error, -EPERM);
        ck_assert(a.healthy);
        ck_assert(a.uncertain);
        ck_assert_uint_eq(a.n_findings, 0);
        sg_assessment_done(&a);
        test_host_done(&h);
}
END_TEST

START_TEST(test_assess_attributes_the_committer_from_history) {
        TestHost h;
        SgAssessment a;
        uint64_t handle;
        SgFirewallHistory history = { .committed = true, .committer_pid = 4242, .committer_comm = "ufw" };

        test_host_init(&h, HOST_ETH0, fw_inet_dport22_drop(&handle));
        h.s.firewall_history = &history;
        assess(&h, false, &a);
        ck_assert_uint_eq(a.n_findings, 1);
        ck_assert_evidence(&a.findings[0], "changed_by_pid", "4242");
        ck_assert_evidence(&a.findings[0], "changed_by_comm", "ufw");
        sg_assessment_done(&a);
        test_host_done(&h);
}
END_TEST

static Suite *diagnose_suite(void) {
        Suite *s = suite_create("diagnose");
        TCase *tc = tcase_create("causes");

        tcase_add_test(tc, test_cause_names_and_ids_are_fixed);
        tcase_add_test(tc, test_healthy_host_has_no_finding);
        tcase_add_test(tc, test_unit_missing);
        tcase_add_test(tc, test_unit_stopped_on_purpose);
        tcase_add_test(tc, test_unit_failed_with_sshds_last_line);
        tcase_add_test(tc, test_config_invalid_names_file_and_line);
        tcase_add_test(tc, test_config_invalid_from_the_model_when_sshd_said_nothing);
        tcase_add_test(tc, test_hostkeys_and_privsep_missing);
        tcase_add_test(tc, test_port_in_use_names_the_holder);
        tcase_add_test(tc, test_start_limit_hit_reports_the_underlying_cause);
        tcase_add_test(tc, test_crashed_while_down_and_after_restart);
        tcase_add_test(tc, test_port_changed_names_the_port_line);
        tcase_add_test(tc, test_listen_restricted_to_loopback);
        tcase_add_test(tc, test_listen_restricted_to_one_family_by_address_family);
        tcase_add_test(tc, test_address_missing_and_interface_down);
        tcase_add_test(tc, test_socket_stopped);
        tcase_add_test(tc, test_socket_activation_running_is_healthy);
        tcase_add_test(tc, test_listener_of_unknown_owner_is_not_another_process);
        tcase_add_test(tc, test_holder_known_only_by_its_unit);
        tcase_add_test(tc, test_config_pending_break_and_move);
        tcase_add_test(tc, test_max_startups);
        tcase_add_test(tc, test_firewall_drop_reject_and_source_bans);
        tcase_add_test(tc, test_without_systemd_sshd_is_judged_by_its_sockets);
        suite_add_tcase(s, tc);

        tc = tcase_create("assess");
        tcase_add_test(tc, test_assess_rule_blocking_both_families_is_one_unreachable_finding);
        tcase_add_test(tc, test_assess_policy_drop_past_lo_is_the_policys_finding);
        tcase_add_test(tc, test_assess_host_with_only_lo_is_uncertain_not_unhealthy);
        tcase_add_test(tc, test_assess_block_on_some_interfaces_is_unhealthy);
        tcase_add_test(tc, test_assess_interface_block_beside_a_ban_is_unhealthy);
        tcase_add_test(tc, test_assess_source_ban_is_a_finding_that_keeps_the_host_healthy);
        tcase_add_test(tc, test_assess_rate_limit_is_no_finding);
        tcase_add_test(tc, test_assess_ban_of_an_admin_source_locks_them_out);
        tcase_add_test(tc, test_assess_fail2ban_ban_names_jail_and_addresses);
        tcase_add_test(tc, test_assess_unreadable_firewall_is_uncertain);
        tcase_add_test(tc, test_assess_attributes_the_committer_from_history);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr;
        int failed;
        char cmd[64];

        if (!mkdtemp(tmpdir))
                return 2;
        sr = srunner_create(diagnose_suite());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
                failed++;
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

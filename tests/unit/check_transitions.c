/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"
#include "transitions.h"

#define SEC 1000000ULL

static SgEvidence ev_port22[] = { { "port", "22" }, { "family", "ipv4" }, { "rule_handle", "7" },
                                  { "changed_by_pid", "100" } };
static SgEvidence ev_port22_other_pid[] = { { "port", "22" }, { "family", "ipv4" }, { "rule_handle", "7" },
                                            { "changed_by_pid", "200" } };
static SgEvidence ev_handle9[] = { { "port", "22" }, { "family", "ipv4" }, { "rule_handle", "9" } };
static SgEvidence ev_unit[] = { { "unit", "ssh.service" }, { "unit_result", "signal" } };

static SgFinding drop7 = { .cause = SG_CAUSE_FIREWALL_DROP, .message = "drop by 7", .evidence = ev_port22,
                           .n_evidence = 4, .unreachable = true };
static SgFinding drop7_again = { .cause = SG_CAUSE_FIREWALL_DROP, .message = "drop by 7 (pid 200)",
                                 .evidence = ev_port22_other_pid, .n_evidence = 4, .unreachable = true };
static SgFinding drop9 = { .cause = SG_CAUSE_FIREWALL_DROP, .message = "drop by 9", .evidence = ev_handle9,
                           .n_evidence = 3, .unreachable = true };
static SgFinding crashed = { .cause = SG_CAUSE_CRASHED, .message = "crashed", .evidence = ev_unit, .n_evidence = 2 };

static void update(SgTracker *t, const SgFinding *f, size_t n, uint64_t now, SgTransition **v, size_t *nv) {
        ck_assert_int_eq(sg_tracker_update(t, f, n, now, v, nv), 0);
}

START_TEST(test_identity_is_cause_and_location_not_wording) {
        char *a = sg_finding_identity(&drop7), *b = sg_finding_identity(&drop7_again), *c = sg_finding_identity(&drop9);

        ck_assert_str_eq(a, b);
        ck_assert_str_ne(a, c);
        ck_assert_str_eq(a, "firewall-drop\x1fport=22\x1f" "family=ipv4\x1frule_handle=7");
        free(a);
        free(b);
        free(c);
}
END_TEST

START_TEST(test_one_entry_per_transition) {
        SgTracker *t;
        SgTransition *v;
        size_t n;
        SgFinding both[] = { drop7_again, crashed };

        ck_assert_int_eq(sg_tracker_new(30 * SEC, 5, &t), 0);
        update(t, &drop7, 1, 1 * SEC, &v, &n);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(v[0].kind, SG_TRANSITION_PROBLEM);
        ck_assert_str_eq(v[0].finding.message, "drop by 7");
        sg_transitions_free(v, n);

        /* still open, reworded: no new entry */
        update(t, &drop7_again, 1, 2 * SEC, &v, &n);
        ck_assert_uint_eq(n, 0);
        sg_transitions_free(v, n);

        update(t, both, 2, 3 * SEC, &v, &n);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(v[0].kind, SG_TRANSITION_PROBLEM);
        ck_assert_int_eq(v[0].finding.cause, SG_CAUSE_CRASHED);
        sg_transitions_free(v, n);

        {
                const SgFinding *open;
                ck_assert_uint_eq(sg_tracker_open(t, &open), 2);
        }

        update(t, NULL, 0, 4 * SEC, &v, &n);
        ck_assert_uint_eq(n, 2);
        ck_assert_int_eq(v[0].kind, SG_TRANSITION_RESOLVED);
        ck_assert_int_eq(v[1].kind, SG_TRANSITION_RESOLVED);
        /* the resolved entry carries the newest evidence */
        ck_assert_str_eq(sg_finding_get(&v[0].finding, "changed_by_pid") ?: sg_finding_get(&v[1].finding, "changed_by_pid"),
                         "200");
        sg_transitions_free(v, n);
        sg_tracker_free(t);
}
END_TEST

START_TEST(test_flapping_is_held_back_then_summarised) {
        SgTracker *t;
        SgTransition *v;
        size_t n, written = 0;

        ck_assert_int_eq(sg_tracker_new(30 * SEC, 3, &t), 0);
        /* a crash loop: open/resolved every second, 10 times over */
        for (unsigned i = 0; i < 20; i++) {
                update(t, i % 2 ? NULL : &crashed, i % 2 ? 0 : 1, (1 + i) * SEC, &v, &n);
                for (size_t k = 0; k < n; k++) {
                        if (written < 3)
                                ck_assert_int_eq(v[k].kind, i % 2 ? SG_TRANSITION_RESOLVED : SG_TRANSITION_PROBLEM);
                        else
                                ck_assert_int_eq(v[k].kind, SG_TRANSITION_FLAPPING);
                        written++;
                }
                sg_transitions_free(v, n);
        }
        /* three transitions, then one "flapping", then silence */
        ck_assert_uint_eq(written, 4);

        /* the window ends: one summary with the count and the state now */
        update(t, NULL, 0, 40 * SEC, &v, &n);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(v[0].kind, SG_TRANSITION_SUMMARY);
        ck_assert_uint_eq(v[0].held_back, 16);
        ck_assert(!v[0].open);
        sg_transitions_free(v, n);

        /* quiet again: the next change is written at once */
        update(t, &crashed, 1, 80 * SEC, &v, &n);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(v[0].kind, SG_TRANSITION_PROBLEM);
        sg_transitions_free(v, n);
        sg_tracker_free(t);
}
END_TEST

START_TEST(test_interval_zero_writes_everything) {
        SgTracker *t;
        SgTransition *v;
        size_t n, total = 0;

        ck_assert_int_eq(sg_tracker_new(0, 5, &t), 0);
        for (unsigned i = 0; i < 20; i++) {
                update(t, i % 2 ? NULL : &drop9, i % 2 ? 0 : 1, i, &v, &n);
                total += n;
                sg_transitions_free(v, n);
        }
        ck_assert_uint_eq(total, 20);
        sg_tracker_free(t);
}
END_TEST

START_TEST(test_unit_result_change_is_written_again_and_next_due_is_the_window_end) {
        static SgEvidence failing[] = { { "unit", "ssh.service" }, { "unit_result", "exit-code" }, { "port", "22" } };
        static SgEvidence gave_up[] = { { "unit", "ssh.service" }, { "unit_result", "start-limit-hit" }, { "port", "22" } };
        SgFinding a = { .cause = SG_CAUSE_PORT_IN_USE, .message = "in use", .evidence = failing, .n_evidence = 3 };
        SgFinding b = { .cause = SG_CAUSE_PORT_IN_USE, .message = "in use, gave up", .evidence = gave_up, .n_evidence = 3 };
        SgTracker *t;
        SgTransition *v;
        size_t n;

        ck_assert_int_eq(sg_tracker_new(30 * SEC, 1, &t), 0);
        ck_assert_uint_eq(sg_tracker_next_due(t), 0);
        update(t, &a, 1, 1 * SEC, &v, &n);
        ck_assert_uint_eq(n, 1);
        sg_transitions_free(v, n);
        update(t, &a, 1, 2 * SEC, &v, &n);
        ck_assert_uint_eq(n, 0);
        sg_transitions_free(v, n);
        /* systemd gave up: one more "problem" entry, no "resolved" */
        update(t, &b, 1, 3 * SEC, &v, &n);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(v[0].kind, SG_TRANSITION_FLAPPING);   /* burst 1: the second transition is held back */
        ck_assert_str_eq(sg_finding_get(&v[0].finding, "unit_result"), "start-limit-hit");
        sg_transitions_free(v, n);
        ck_assert_uint_eq(sg_tracker_next_due(t), 31 * SEC);
        sg_tracker_free(t);

        ck_assert_int_eq(sg_tracker_new(30 * SEC, 5, &t), 0);
        update(t, &a, 1, 1 * SEC, &v, &n);
        sg_transitions_free(v, n);
        update(t, &b, 1, 2 * SEC, &v, &n);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(v[0].kind, SG_TRANSITION_PROBLEM);
        ck_assert_str_eq(v[0].finding.message, "in use, gave up");
        sg_transitions_free(v, n);
        ck_assert_uint_eq(sg_tracker_next_due(t), 0);
        sg_tracker_free(t);
}
END_TEST

START_TEST(test_new_limits_apply_from_now_on) {
        SgTracker *t;
        SgTransition *v;
        size_t n, total = 0;

        ck_assert_int_eq(sg_tracker_new(30 * SEC, 1, &t), 0);
        update(t, &drop9, 1, 1 * SEC, &v, &n);
        sg_transitions_free(v, n);
        /* burst 1: the next change is held back ... */
        update(t, NULL, 0, 2 * SEC, &v, &n);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(v[0].kind, SG_TRANSITION_FLAPPING);
        sg_transitions_free(v, n);
        /* ... until a reload turns coalescing off: everything is written */
        sg_tracker_set_limits(t, 0, 5);
        for (unsigned i = 0; i < 4; i++) {
                update(t, i % 2 ? NULL : &drop9, i % 2 ? 0 : 1, (3 + i) * SEC, &v, &n);
                for (size_t k = 0; k < n; k++)
                        ck_assert_int_eq(v[k].kind, i % 2 ? SG_TRANSITION_RESOLVED : SG_TRANSITION_PROBLEM);
                total += n;
                sg_transitions_free(v, n);
        }
        ck_assert_uint_eq(total, 4);
        sg_tracker_free(t);
}
END_TEST

START_TEST(test_open_problems_round_trip_through_the_state_file) {
        static SgEvidence ev[] = { { "rule", "ip saddr { 1.2.3.4 } \\ tab\there" }, { "port", "22" } };
        SgFinding f[] = {
                { .cause = SG_CAUSE_FIREWALL_REJECT, .message = "line one\nline two", .statement = "stmt",
                  .evidence = ev, .n_evidence = 2, .unreachable = true, .priority = 5 },
                { .cause = SG_CAUSE_NOT_RUNNING, .message = "not running; start it", .statement = "not running." },
        };
        char *buf = NULL;
        size_t len = 0, n = 0;
        SgFinding *back = NULL;
        FILE *m = open_memstream(&buf, &len);

        ck_assert_int_eq(sg_findings_write(m, f, 2), 0);
        fclose(m);
        ck_assert_int_eq(sg_findings_parse(buf, len, &back, &n), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_int_eq(back[0].cause, SG_CAUSE_FIREWALL_REJECT);
        ck_assert_str_eq(back[0].message, "line one\nline two");
        ck_assert_str_eq(back[0].statement, "stmt");
        ck_assert_int_eq(back[0].priority, 5);
        ck_assert(back[0].unreachable);
        ck_assert_str_eq(sg_finding_get(&back[0], "rule"), "ip saddr { 1.2.3.4 } \\ tab\there");
        ck_assert_str_eq(sg_finding_get(&back[0], "port"), "22");
        ck_assert_int_eq(back[1].cause, SG_CAUSE_NOT_RUNNING);
        ck_assert(!back[1].unreachable);
        sg_findings_free(back, n);
        free(buf);
}
END_TEST

START_TEST(test_state_file_damage_is_dropped_not_guessed) {
        static const char *const bad[] = {
                "F\tno-such-cause\t0\t1\nM\tm\nS\ts\n",         /* unknown cause */
                "F\tcrashed\t0\t1\nE\tunit\tssh.service\n",       /* no message */
                "F\tcrashed\t9\t1\nM\tm\nS\ts\n",                /* no such priority */
                "F\tcrashed\t0\t1\nM\tbad escape \\q\nS\ts\n",
                "garbage",
        };
        SgFinding *v;
        size_t n;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_int_eq(sg_findings_parse(bad[i], strlen(bad[i]), &v, &n), -EBADMSG);
        /* a good finding after a damaged one survives */
        const char *mixed = "F\tcrashed\t0\t1\nE\tunit\tx\nF\tcrashed\t0\t0\nM\tm\nS\ts\n";
        ck_assert_int_eq(sg_findings_parse(mixed, strlen(mixed), &v, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(v[0].message, "m");
        sg_findings_free(v, n);
        ck_assert_int_eq(sg_findings_parse("", 0, &v, &n), 0);
        ck_assert_uint_eq(n, 0);
        free(v);
}
END_TEST

START_TEST(test_restored_problems_are_not_announced_again) {
        SgTracker *t;
        SgTransition *v;
        size_t nv;

        ck_assert_int_eq(sg_tracker_new(0, 5, &t), 0);
        ck_assert_int_eq(sg_tracker_restore(t, (SgFinding[]) { drop7, drop9 }, 2, 1 * SEC), 0);
        /* drop7 still open (its committer unknown now): nothing; drop9 gone: resolved */
        update(t, &drop7_again, 1, 2 * SEC, &v, &nv);
        ck_assert_uint_eq(nv, 1);
        ck_assert_int_eq(v[0].kind, SG_TRANSITION_RESOLVED);
        ck_assert_str_eq(v[0].finding.message, "drop by 9");
        sg_transitions_free(v, nv);
        sg_tracker_free(t);
}
END_TEST

START_TEST(test_waiting_journal_entry_round_trips_and_damage_is_refused) {
        char *fields[] = { "MESSAGE=two\tlines\nand a \\", "SSHGUARDIAN_CAUSE=firewall-reject",
                           "SSHGUARDIAN_TIMESTAMP=1700000000123456", NULL };
        char *buf = NULL, **back = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);

        ck_assert_int_eq(sg_entry_write(m, fields), 0);
        fclose(m);
        ck_assert_str_eq(buf, "J\tMESSAGE=two\\tlines\\nand a \\\\\tSSHGUARDIAN_CAUSE=firewall-reject"
                              "\tSSHGUARDIAN_TIMESTAMP=1700000000123456\n");
        ck_assert_int_eq(sg_entry_parse(buf, len - 1, &back), 0);
        ck_assert_uint_eq(strv_length(back), 3);
        for (size_t i = 0; i < 3; i++)
                ck_assert_str_eq(back[i], fields[i]);
        strv_free(back);
        free(buf);

        static const char *const bad[] = {
                "J", "J\t", "X\tMESSAGE=m", "J\tMESSAGE=m\t", "J\tno equals sign", "J\t_PID=1",
                "J\tmessage=lower case", "J\tMESSAGE=bad escape \\q", "J\t=empty name",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                back = NULL;
                ck_assert_msg(sg_entry_parse(bad[i], strlen(bad[i]), &back) == -EBADMSG, "accepted %s", bad[i]);
                ck_assert_ptr_null(back);
        }
        /* a NUL inside a line is damage, not the end of a field */
        ck_assert_int_eq(sg_entry_parse("J\tMESSAGE=a\0b", 13, &back), -EBADMSG);
}
END_TEST

static Suite *transitions_suite(void) {
        Suite *s = suite_create("transitions");
        TCase *tc = tcase_create("tracker");

        tcase_add_test(tc, test_identity_is_cause_and_location_not_wording);
        tcase_add_test(tc, test_one_entry_per_transition);
        tcase_add_test(tc, test_flapping_is_held_back_then_summarised);
        tcase_add_test(tc, test_interval_zero_writes_everything);
        tcase_add_test(tc, test_unit_result_change_is_written_again_and_next_due_is_the_window_end);
        tcase_add_test(tc, test_new_limits_apply_from_now_on);
        tcase_add_test(tc, test_open_problems_round_trip_through_the_state_file);
        tcase_add_test(tc, test_state_file_damage_is_dropped_not_guessed);
        tcase_add_test(tc, test_restored_problems_are_not_announced_again);
        tcase_add_test(tc, test_waiting_journal_entry_round_trips_and_damage_is_refused);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(transitions_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

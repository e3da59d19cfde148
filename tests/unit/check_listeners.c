/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Which listening socket takes a new connection (lib/host/listeners.h), as
 * the kernel's inet_lhash2_lookup() picks it: the exact address before the
 * wildcard, IPv4 before a dual-stack IPv6 socket, IPV6_V6ONLY honoured.
 */

#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "listeners.h"

static SgListener listener(int family, const char *addr, uint16_t port, bool v6only, pid_t pid, const char *comm) {
        SgListener l = { .family = family, .port = port, .v6only = v6only, .pid = pid, .comm = comm };
        ck_assert_int_eq(inet_pton(family, addr, l.addr), 1);
        return l;
}

/* The socket taking FAMILY's connection to ADDR:PORT, or NULL. */
static const SgListener *taking(const SgListener *l, size_t n, int family, const char *addr, uint16_t port) {
        uint8_t a[16] = {};
        ck_assert_int_eq(inet_pton(family, addr, a), 1);
        return sg_listener_taking(l, n, family, a, port);
}

START_TEST(test_ipv4_wildcard_and_v6only_ipv6_wildcard_each_take_their_family) {
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 22, false, 77, "python3"),
                           listener(AF_INET6, "::", 22, true, 500, "sshd") };

        ck_assert_ptr_eq(taking(l, 2, AF_INET, "192.0.2.10", 22), &l[0]);
        ck_assert_ptr_eq(taking(l, 2, AF_INET6, "2001:db8::10", 22), &l[1]);
        ck_assert_str_eq(taking(l, 2, AF_INET, "192.0.2.10", 22)->comm, "python3");
}
END_TEST

START_TEST(test_exact_address_beats_the_wildcard) {
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 22, false, 77, "python3"),
                           listener(AF_INET, "192.0.2.10", 22, false, 500, "sshd"),
                           listener(AF_INET6, "::", 22, true, 77, "python3"),
                           listener(AF_INET6, "2001:db8::10", 22, true, 500, "sshd") };

        /* in either order */
        for (int reversed = 0; reversed < 2; reversed++) {
                if (reversed) {
                        SgListener t = l[0];
                        l[0] = l[1];
                        l[1] = t;
                        t = l[2];
                        l[2] = l[3];
                        l[3] = t;
                }
                ck_assert_str_eq(taking(l, 4, AF_INET, "192.0.2.10", 22)->comm, "sshd");
                ck_assert_str_eq(taking(l, 4, AF_INET, "198.51.100.10", 22)->comm, "python3");
                ck_assert_str_eq(taking(l, 4, AF_INET6, "2001:db8::10", 22)->comm, "sshd");
                ck_assert_str_eq(taking(l, 4, AF_INET6, "2001:db8:1::10", 22)->comm, "python3");
        }
}
END_TEST

START_TEST(test_dual_stack_ipv6_wildcard_takes_ipv4_unless_v6only) {
        SgListener l[] = { listener(AF_INET6, "::", 22, false, 500, "sshd") };

        ck_assert_ptr_eq(taking(l, 1, AF_INET, "192.0.2.10", 22), &l[0]);
        ck_assert_ptr_eq(taking(l, 1, AF_INET6, "2001:db8::10", 22), &l[0]);
        l[0].v6only = true;
        ck_assert_ptr_null(taking(l, 1, AF_INET, "192.0.2.10", 22));
        ck_assert_ptr_eq(taking(l, 1, AF_INET6, "2001:db8::10", 22), &l[0]);
}
END_TEST

START_TEST(test_ipv4_socket_beats_a_dual_stack_wildcard) {
        SgListener l[] = { listener(AF_INET6, "::", 22, false, 500, "sshd"),
                           listener(AF_INET, "0.0.0.0", 22, false, 77, "python3") };

        ck_assert_ptr_eq(taking(l, 2, AF_INET, "192.0.2.10", 22), &l[1]);
        ck_assert_ptr_eq(taking(l, 2, AF_INET6, "2001:db8::10", 22), &l[0]);
}
END_TEST

START_TEST(test_v4_mapped_socket_takes_only_its_own_ipv4_address) {
        SgListener l[] = { listener(AF_INET6, "::ffff:192.0.2.10", 22, false, 500, "sshd") };

        ck_assert_ptr_eq(taking(l, 1, AF_INET, "192.0.2.10", 22), &l[0]);
        ck_assert_ptr_null(taking(l, 1, AF_INET, "198.51.100.10", 22));
        ck_assert_ptr_null(taking(l, 1, AF_INET6, "2001:db8::10", 22));
}
END_TEST

START_TEST(test_loopback_socket_refuses_connections_to_the_hosts_addresses) {
        SgListener l[] = { listener(AF_INET, "127.0.0.1", 22, false, 500, "sshd"),
                           listener(AF_INET6, "::1", 22, true, 500, "sshd") };

        ck_assert_ptr_null(taking(l, 2, AF_INET, "192.0.2.10", 22));
        ck_assert_ptr_null(taking(l, 2, AF_INET6, "2001:db8::10", 22));
        ck_assert_ptr_eq(taking(l, 2, AF_INET, "127.0.0.1", 22), &l[0]);
        ck_assert_ptr_eq(taking(l, 2, AF_INET6, "::1", 22), &l[1]);
}
END_TEST

START_TEST(test_socket_on_another_port_takes_nothing) {
        SgListener l[] = { listener(AF_INET, "0.0.0.0", 2222, false, 500, "sshd"),
                           listener(AF_INET6, "::", 2222, false, 500, "sshd") };

        ck_assert_ptr_null(taking(l, 2, AF_INET, "192.0.2.10", 22));
        ck_assert_ptr_null(taking(l, 2, AF_INET6, "2001:db8::10", 22));
        ck_assert_ptr_eq(taking(l, 2, AF_INET, "192.0.2.10", 2222), &l[0]);
        ck_assert_ptr_null(sg_listener_taking(NULL, 0, AF_INET, (uint8_t[16]) {}, 22));
        ck_assert_ptr_null(sg_listener_taking(l, 2, AF_UNSPEC, (uint8_t[16]) {}, 2222));
}
END_TEST

static Suite *listeners_suite(void) {
        Suite *s = suite_create("listeners");
        TCase *tc = tcase_create("taking");

        tcase_add_test(tc, test_ipv4_wildcard_and_v6only_ipv6_wildcard_each_take_their_family);
        tcase_add_test(tc, test_exact_address_beats_the_wildcard);
        tcase_add_test(tc, test_dual_stack_ipv6_wildcard_takes_ipv4_unless_v6only);
        tcase_add_test(tc, test_ipv4_socket_beats_a_dual_stack_wildcard);
        tcase_add_test(tc, test_v4_mapped_socket_takes_only_its_own_ipv4_address);
        tcase_add_test(tc, test_loopback_socket_refuses_connections_to_the_hosts_addresses);
        tcase_add_test(tc, test_socket_on_another_port_takes_nothing);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(listeners_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

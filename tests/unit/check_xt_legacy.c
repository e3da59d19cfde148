/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "strv.h"
#include "xt-legacy.h"

/* tests/data/xt-legacy/filterN.bin were captured with
 * tests/tools/xt-legacy-capture from the rules in filterN.sh, made with the
 * real iptables-legacy in a network namespace. */

typedef struct Capture {
        uint32_t family;
        XtLegacyInfo info;
        uint8_t *entries;
        size_t size;
} Capture;

static void capture_load(const char *name, Capture *c) {
        char path[512], magic[4];
        FILE *f;
        long len;

        snprintf(path, sizeof(path), "%s/xt-legacy/%s", TEST_DATA_DIR, name);
        f = fopen(path, "re");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
        len = ftell(f);
        rewind(f);
        ck_assert_uint_eq(fread(magic, 1, 4, f), 4);
        ck_assert_int_eq(memcmp(magic, "SGXT", 4), 0);
        ck_assert_uint_eq(fread(&c->family, sizeof(c->family), 1, f), 1);
        ck_assert_uint_eq(fread(&c->info, sizeof(c->info), 1, f), 1);
        c->size = (size_t) len - 4 - sizeof(c->family) - sizeof(c->info);
        ck_assert_uint_eq(c->size, c->info.size);
        c->entries = malloc(c->size);
        ck_assert_ptr_nonnull(c->entries);
        ck_assert_uint_eq(fread(c->entries, 1, c->size, f), c->size);
        fclose(f);
}

static XtLegacyTable *parse_capture(const char *name, Capture *c) {
        XtLegacyTable *t = NULL;

        capture_load(name, c);
        ck_assert_int_eq(xt_legacy_table_parse((int) c->family, &c->info, c->entries, c->size, &t), 0);
        ck_assert_ptr_nonnull(t);
        return t;
}

static const XtLegacyChain *chain(const XtLegacyTable *t, const char *name) {
        for (size_t i = 0; i < t->n_chains; i++)
                if (strcmp(t->chains[i].name, name) == 0)
                        return &t->chains[i];
        ck_abort_msg("no chain %s", name);
        return NULL;
}

static const XtLegacyRule *rule(const XtLegacyTable *t, const XtLegacyChain *c, unsigned position) {
        ck_assert_uint_ge(position, 1);
        ck_assert_uint_le(position, c->n_rules);
        ck_assert_uint_eq(t->rules[c->first_rule + position - 1].position, position);
        return &t->rules[c->first_rule + position - 1];
}

static const char *match_name(const XtLegacyTable *t, const XtLegacyRule *r, unsigned i) {
        ck_assert_uint_lt(i, r->n_matches);
        return t->matches[r->first_match + i].name;
}

START_TEST(test_ipv4_filter_chains_policies_and_positions) {
        Capture c;
        XtLegacyTable *t = parse_capture("filter4.bin", &c);
        const XtLegacyChain *input, *bl;

        ck_assert_str_eq(t->name, "filter");
        ck_assert_int_eq(t->family, NFPROTO_IPV4);
        ck_assert_uint_eq(t->n_chains, 4);
        input = chain(t, "INPUT");
        ck_assert_int_eq(input->hook, NF_INET_LOCAL_IN);
        ck_assert_int_eq(input->policy, XT_LEGACY_DROP);
        ck_assert_uint_eq(input->n_rules, 6);
        ck_assert_int_eq(chain(t, "FORWARD")->policy, XT_LEGACY_ACCEPT);
        ck_assert_int_eq(chain(t, "OUTPUT")->hook, NF_INET_LOCAL_OUT);
        ck_assert_uint_eq(chain(t, "OUTPUT")->n_rules, 0);
        bl = chain(t, "blocklist");
        ck_assert_int_eq(bl->hook, -1);
        /* the explicit "-j RETURN" is a rule; the implicit final one is not */
        ck_assert_uint_eq(bl->n_rules, 2);
        ck_assert_int_eq(rule(t, bl, 2)->verdict, XT_LEGACY_RETURN);
        ck_assert_int_eq(rule(t, bl, 1)->verdict, XT_LEGACY_DROP);
        xt_legacy_table_free(t);
        free(c.entries);
}
END_TEST

START_TEST(test_ipv4_rule_headers_matches_and_targets) {
        Capture c;
        XtLegacyTable *t = parse_capture("filter4.bin", &c);
        const XtLegacyChain *input = chain(t, "INPUT"), *bl = chain(t, "blocklist");
        const XtLegacyRule *r;
        struct in_addr a;

        r = rule(t, input, 1);          /* -i lo -j ACCEPT */
        ck_assert_str_eq(r->iniface, "lo");
        ck_assert_int_eq(r->verdict, XT_LEGACY_ACCEPT);
        ck_assert_uint_eq(r->n_matches, 0);

        r = rule(t, input, 2);          /* -m conntrack --ctstate ... -j ACCEPT */
        ck_assert_uint_eq(r->n_matches, 1);
        ck_assert_str_eq(match_name(t, r, 0), "conntrack");

        r = rule(t, input, 3);          /* -j blocklist */
        ck_assert_int_eq(r->verdict, XT_LEGACY_JUMP);
        ck_assert_int_eq(r->jump_chain, (int) (bl - t->chains));
        ck_assert(!r->goto_chain);

        r = rule(t, input, 4);          /* -p tcp --dport 22 -m comment -j ACCEPT */
        ck_assert_uint_eq(r->proto, 6);
        ck_assert_uint_eq(r->n_matches, 2);
        ck_assert_str_eq(match_name(t, r, 0), "tcp");
        ck_assert_str_eq(match_name(t, r, 1), "comment");
        ck_assert_str_eq((const char *) t->blob + t->matches[r->first_match + 1].data_off, "ssh");

        r = rule(t, input, 5);          /* multiport -j REJECT --reject-with tcp-reset */
        ck_assert_str_eq(match_name(t, r, 0), "multiport");
        ck_assert_int_eq(r->verdict, XT_LEGACY_TARGET);
        ck_assert_str_eq(r->target.name, "REJECT");

        r = rule(t, input, 6);          /* ! -s 192.0.2.0/24 -p tcp --dport 2222 -g blocklist */
        ck_assert_int_eq(r->verdict, XT_LEGACY_JUMP);
        ck_assert(r->goto_chain);
        ck_assert_uint_eq(r->invflags & IPT_INV_SRCIP, IPT_INV_SRCIP);
        memcpy(&a, r->src, 4);
        ck_assert_str_eq(inet_ntoa(a), "192.0.2.0");
        memcpy(&a, r->smsk, 4);
        ck_assert_str_eq(inet_ntoa(a), "255.255.255.0");

        r = rule(t, bl, 1);             /* -s 198.51.100.0/24 -j DROP */
        memcpy(&a, r->src, 4);
        ck_assert_str_eq(inet_ntoa(a), "198.51.100.0");
        ck_assert_uint_eq(r->invflags, 0);
        xt_legacy_table_free(t);
        free(c.entries);
}
END_TEST

START_TEST(test_ipv6_filter_rules) {
        Capture c;
        XtLegacyTable *t = parse_capture("filter6.bin", &c);
        const XtLegacyChain *input = chain(t, "INPUT");
        const XtLegacyRule *r;
        char buf[INET6_ADDRSTRLEN];

        ck_assert_int_eq(t->family, NFPROTO_IPV6);
        ck_assert_int_eq(input->policy, XT_LEGACY_ACCEPT);
        ck_assert_uint_eq(input->n_rules, 2);
        r = rule(t, input, 1);
        ck_assert_str_eq(inet_ntop(AF_INET6, r->src, buf, sizeof(buf)), "2001:db8::2");
        ck_assert_uint_eq(r->proto, 6);
        ck_assert_uint_eq(r->flags & IP6T_F_PROTO, IP6T_F_PROTO);
        ck_assert_int_eq(r->verdict, XT_LEGACY_DROP);
        r = rule(t, input, 2);
        ck_assert_str_eq(r->iniface, "veth0");
        ck_assert_str_eq(r->target.name, "REJECT");
        xt_legacy_table_free(t);
        free(c.entries);
}
END_TEST

/* Every truncation of a real table, and every single-byte corruption of
 * its offsets, is either decoded or refused with -EBADMSG: never a crash,
 * never an out-of-bounds read (the ASan build checks that). */
START_TEST(test_truncated_and_corrupted_tables_are_refused_cleanly) {
        Capture c;
        XtLegacyTable *t;

        capture_load(_i ? "filter6.bin" : "filter4.bin", &c);
        for (size_t len = 0; len < c.size; len++) {
                uint8_t *copy = malloc(len ? len : 1);
                memcpy(copy, c.entries, len);
                t = NULL;
                ck_assert_int_eq(xt_legacy_table_parse((int) c.family, &c.info, copy, len, &t), -EBADMSG);
                ck_assert_ptr_null(t);
                free(copy);
        }
        srand(42);
        for (unsigned n = 0; n < 20000; n++) {
                uint8_t *copy = malloc(c.size);
                int r;

                memcpy(copy, c.entries, c.size);
                copy[(size_t) rand() % c.size] = (uint8_t) rand();
                if (n % 3 == 0)
                        copy[(size_t) rand() % c.size] = (uint8_t) rand();
                t = NULL;
                r = xt_legacy_table_parse((int) c.family, &c.info, copy, c.size, &t);
                ck_assert_msg(r == 0 || r == -EBADMSG, "r=%d", r);
                xt_legacy_table_free(t);
                free(copy);
        }
        free(c.entries);
}
END_TEST

START_TEST(test_unknown_family_is_refused) {
        XtLegacyInfo info = { .name = "filter" };
        XtLegacyTable *t = NULL;

        ck_assert_int_eq(xt_legacy_table_parse(NFPROTO_ARP, &info, "", 0, &t), -EAFNOSUPPORT);
        ck_assert_ptr_null(t);
}
END_TEST

/* ---- fingerprints ---- */

static uint64_t fingerprint_of(const Capture *c) {
        uint64_t fp = 0;

        ck_assert_int_eq(xt_legacy_table_fingerprint((int) c->family, &c->info, c->entries, c->size, &fp), 0);
        return fp;
}

/* Whether byte OFF of C's entries is part of an entry's comefrom, padding
 * or counters: what traffic and the kernel's bookkeeping change. */
static bool is_counter_byte(const Capture *c, size_t off) {
        size_t from = c->family == NFPROTO_IPV6 ? offsetof(struct ip6t_entry, comefrom) : offsetof(struct ipt_entry, comefrom);
        size_t to = c->family == NFPROTO_IPV6 ? offsetof(struct ip6t_entry, counters) : offsetof(struct ipt_entry, counters);
        size_t next_at = c->family == NFPROTO_IPV6 ? offsetof(struct ip6t_entry, next_offset) : offsetof(struct ipt_entry, next_offset);

        to += sizeof(struct xt_counters);
        for (size_t e = 0; e < c->size;) {
                uint16_t next;

                memcpy(&next, c->entries + e + next_at, sizeof(next));
                if (off >= e && off < e + next)
                        return off - e >= from && off - e < to;
                e += next;
        }
        ck_abort_msg("offset %zu outside the entries", off);
        return false;
}

START_TEST(test_fingerprint_ignores_counters_of_the_same_rules) {
        Capture quiet, busy;
        XtLegacyTable *t = NULL;

        /* filter4-counters.bin: filter4.sh's rules again, after traffic */
        capture_load("filter4.bin", &quiet);
        capture_load("filter4-counters.bin", &busy);
        ck_assert_uint_eq(quiet.size, busy.size);
        ck_assert_int_ne(memcmp(quiet.entries, busy.entries, quiet.size), 0);
        ck_assert_int_eq(xt_legacy_table_parse((int) busy.family, &busy.info, busy.entries, busy.size, &t), 0);
        ck_assert_uint_gt(rule(t, chain(t, "INPUT"), 1)->packets, 0);    /* -i lo -j ACCEPT counted */
        xt_legacy_table_free(t);

        ck_assert_uint_eq(fingerprint_of(&quiet), fingerprint_of(&busy));
        ck_assert_uint_ne(fingerprint_of(&quiet), XT_LEGACY_FINGERPRINT_NONE);
        free(quiet.entries);
        free(busy.entries);
}
END_TEST

/* Every byte of every entry, changed: the fingerprint changes (or the
 * entries no longer chain up), except in the counters and comefrom. */
START_TEST(test_fingerprint_changes_with_any_rule_byte) {
        Capture c;
        uint64_t orig, fp;
        unsigned same = 0;

        capture_load(_i ? "filter6.bin" : "filter4.bin", &c);
        orig = fingerprint_of(&c);
        for (size_t off = 0; off < c.size; off++) {
                bool counter = is_counter_byte(&c, off);
                int r;

                c.entries[off] ^= 0x01;
                r = xt_legacy_table_fingerprint((int) c.family, &c.info, c.entries, c.size, &fp);
                c.entries[off] ^= 0x01;
                if (counter) {
                        ck_assert_int_eq(r, 0);
                        ck_assert_uint_eq(fp, orig);
                        same++;
                } else
                        ck_assert_msg(r == -EBADMSG || (r == 0 && fp != orig), "byte %zu: r=%d", off, r);
        }
        /* comefrom + counters (+ 4 bytes of padding in IPv6) per entry */
        ck_assert_uint_eq(same, c.info.num_entries * (c.family == NFPROTO_IPV6 ? 24u : 20u));
        free(c.entries);
}
END_TEST

START_TEST(test_fingerprint_covers_name_hooks_and_policy_offsets) {
        Capture c;
        XtLegacyInfo info;
        uint64_t orig, fp;
        int r;

        capture_load("filter4.bin", &c);
        orig = fingerprint_of(&c);
        for (unsigned field = 0; field < 5; field++) {
                info = c.info;
                switch (field) {
                case 0: info.name[0] = 'F'; break;
                case 1: info.valid_hooks ^= 1u << NF_INET_PRE_ROUTING; break;
                case 2: info.hook_entry[NF_INET_LOCAL_IN] += 4; break;
                case 3: info.underflow[NF_INET_FORWARD] += 4; break;
                case 4: info.num_entries++; break;
                }
                ck_assert_int_eq(xt_legacy_table_fingerprint((int) c.family, &info, c.entries, c.size, &fp), 0);
                ck_assert_msg(fp != orig, "field %u", field);
        }
        /* bytes after the name's NUL are not part of it */
        info = c.info;
        info.name[sizeof(info.name) - 1] = 'x';
        ck_assert_int_eq(xt_legacy_table_fingerprint((int) c.family, &info, c.entries, c.size, &fp), 0);
        ck_assert_uint_eq(fp, orig);
        /* the same bytes as the other family are another table */
        r = xt_legacy_table_fingerprint(NFPROTO_IPV6, &c.info, c.entries, c.size, &fp);
        ck_assert(r == -EBADMSG || (r == 0 && fp != orig));
        ck_assert_int_eq(xt_legacy_table_fingerprint(NFPROTO_ARP, &c.info, c.entries, c.size, &fp), -EAFNOSUPPORT);
        ck_assert_int_eq(xt_legacy_fingerprint(NFPROTO_ARP, &fp), -EAFNOSUPPORT);
        free(c.entries);
}
END_TEST

/* Truncated anywhere, or with an entry length of 0 (an endless walk for a
 * careless reader): a fingerprint (cut between entries) or -EBADMSG. */
START_TEST(test_fingerprint_of_truncated_or_looping_entries_is_clean) {
        Capture c;
        uint64_t fp;
        size_t next_at;

        capture_load(_i ? "filter6.bin" : "filter4.bin", &c);
        for (size_t len = 0; len < c.size; len++) {
                uint8_t *copy = malloc(len ? len : 1);
                int r;

                memcpy(copy, c.entries, len);
                r = xt_legacy_table_fingerprint((int) c.family, &c.info, copy, len, &fp);
                ck_assert_msg(r == 0 || r == -EBADMSG, "len %zu: r=%d", len, r);
                if (len == 0)
                        ck_assert_int_eq(r, 0);
                free(copy);
        }
        next_at = c.family == NFPROTO_IPV6 ? offsetof(struct ip6t_entry, next_offset) : offsetof(struct ipt_entry, next_offset);
        memset(c.entries + next_at, 0, sizeof(uint16_t));
        ck_assert_int_eq(xt_legacy_table_fingerprint((int) c.family, &c.info, c.entries, c.size, &fp), -EBADMSG);
        memset(c.entries + next_at, 0xff, sizeof(uint16_t));
        ck_assert_int_eq(xt_legacy_table_fingerprint((int) c.family, &c.info, c.entries, c.size, &fp), -EBADMSG);
        free(c.entries);
}
END_TEST

START_TEST(test_live_fingerprint_of_a_new_namespace_is_none_and_creates_nothing) {
        uint64_t fp4 = 0, fp6 = 0;
        char **names = NULL;

        /* CK_FORK runs each test in a child, so the namespace dies with it */
        if (unshare(CLONE_NEWNET) < 0) {
                fprintf(stderr, "check_xt_legacy: live test skipped: unshare(CLONE_NEWNET): %s\n", strerror(errno));
                return;
        }
        ck_assert_int_eq(xt_legacy_fingerprint(NFPROTO_IPV4, &fp4), 0);
        ck_assert_int_eq(xt_legacy_fingerprint(NFPROTO_IPV6, &fp6), 0);
        ck_assert_uint_eq(fp4, XT_LEGACY_FINGERPRINT_NONE);
        ck_assert_uint_eq(fp6, XT_LEGACY_FINGERPRINT_NONE);
        ck_assert_int_eq(xt_legacy_table_names(NFPROTO_IPV4, &names), 0);
        ck_assert_ptr_null(names[0]);
        strv_free(names);
}
END_TEST

/* Drops CAP_NET_RAW from this process's effective set (raw syscalls: no
 * libcap in the build). */
static void drop_net_raw(void) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2];

        ck_assert_int_eq(syscall(SYS_capget, &h, d), 0);
        d[CAP_NET_RAW / 32].effective &= ~(1u << (CAP_NET_RAW % 32));
        ck_assert_int_eq(syscall(SYS_capset, &h, d), 0);
        ck_assert_int_lt(socket(AF_INET, SOCK_RAW, IPPROTO_RAW), 0);
}

/* What sshguardiand is handed (a UDP socket per family, the names files
 * open) serves without CAP_NET_RAW, and the names file, read again from its
 * start, shows a table created after it was opened. */
START_TEST(test_live_handed_socket_and_names_file_serve_without_net_raw) {
        XtLegacySource src[2];
        uint64_t fp, fp_with;
        char **names = NULL;
        XtLegacyTable **tables = NULL;
        size_t n = 0;

        if (unshare(CLONE_NEWNET) < 0) {
                fprintf(stderr, "check_xt_legacy: live test skipped: unshare(CLONE_NEWNET): %s\n", strerror(errno));
                return;
        }
        src[0] = (XtLegacySource) { socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0),
                                    open("/proc/net/ip_tables_names", O_RDONLY | O_CLOEXEC) };
        src[1] = (XtLegacySource) { socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0),
                                    open("/proc/net/ip6_tables_names", O_RDONLY | O_CLOEXEC) };
        if (src[0].names < 0 || src[1].names < 0) {
                fprintf(stderr, "check_xt_legacy: live test skipped: no x_tables: %s\n", strerror(errno));
                return;
        }
        ck_assert_int_ge(src[0].sock, 0);
        ck_assert_int_ge(src[1].sock, 0);
        drop_net_raw();

        ck_assert_int_eq(xt_legacy_fingerprint_with(&src[0], NFPROTO_IPV4, &fp_with), 0);
        ck_assert_uint_eq(fp_with, XT_LEGACY_FINGERPRINT_NONE);
        ck_assert_int_eq(xt_legacy_table_names_from(NFPROTO_IPV4, src[0].names, &names), 0);
        strv_free(names);

        /* Asking for a table by name creates it (what the daemon never
         * does): here, the way to make one appear without iptables. */
        {
                XtLegacyInfo info;
                void *entries = NULL;
                size_t size = 0;

                ck_assert_int_eq(xt_legacy_read_raw_with(NFPROTO_IPV4, src[0].sock, "filter", &info, &entries,
                                                         &size), 0);
                free(entries);
        }
        ck_assert_int_eq(xt_legacy_table_names_from(NFPROTO_IPV4, src[0].names, &names), 1);
        ck_assert_str_eq(names[0], "filter");
        strv_free(names);
        /* twice: each read starts over */
        ck_assert_int_eq(xt_legacy_table_names_from(NFPROTO_IPV4, src[0].names, &names), 1);
        strv_free(names);

        ck_assert_int_eq(xt_legacy_fingerprint_with(&src[0], NFPROTO_IPV4, &fp_with), 0);
        ck_assert_uint_ne(fp_with, XT_LEGACY_FINGERPRINT_NONE);
        /* opening its own (a UDP socket, no CAP_NET_RAW either) reads the same */
        ck_assert_int_eq(xt_legacy_fingerprint(NFPROTO_IPV4, &fp), 0);
        ck_assert_uint_eq(fp, fp_with);
        ck_assert_int_eq(xt_legacy_read_with(&src[0], NFPROTO_IPV4, &tables, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(tables[0]->name, "filter");
        xt_legacy_table_free(tables[0]);
        free(tables);
        /* the other family's are its own */
        ck_assert_int_eq(xt_legacy_fingerprint_with(&src[1], NFPROTO_IPV6, &fp_with), 0);
        ck_assert_uint_eq(fp_with, XT_LEGACY_FINGERPRINT_NONE);
        /* a file that is not a names file is refused, not misread */
        {
                int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

                ck_assert_int_eq(xt_legacy_table_names_from(NFPROTO_IPV4, fd, &names), -EBADMSG);
                close(fd);
        }
}
END_TEST

static Suite *xt_legacy_suite(void) {
        Suite *s = suite_create("xt-legacy");
        TCase *tc = tcase_create("decode");

        tcase_add_test(tc, test_ipv4_filter_chains_policies_and_positions);
        tcase_add_test(tc, test_ipv4_rule_headers_matches_and_targets);
        tcase_add_test(tc, test_ipv6_filter_rules);
        tcase_add_test(tc, test_unknown_family_is_refused);
        suite_add_tcase(s, tc);
        tc = tcase_create("hostile");
        tcase_set_timeout(tc, 60);
        tcase_add_loop_test(tc, test_truncated_and_corrupted_tables_are_refused_cleanly, 0, 2);
        tcase_add_loop_test(tc, test_fingerprint_of_truncated_or_looping_entries_is_clean, 0, 2);
        suite_add_tcase(s, tc);
        tc = tcase_create("fingerprint");
        tcase_add_test(tc, test_fingerprint_ignores_counters_of_the_same_rules);
        tcase_add_loop_test(tc, test_fingerprint_changes_with_any_rule_byte, 0, 2);
        tcase_add_test(tc, test_fingerprint_covers_name_hooks_and_policy_offsets);
        suite_add_tcase(s, tc);
        tc = tcase_create("live");
        tcase_add_test(tc, test_live_fingerprint_of_a_new_namespace_is_none_and_creates_nothing);
        tcase_add_test(tc, test_live_handed_socket_and_names_file_serve_without_net_raw);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(xt_legacy_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

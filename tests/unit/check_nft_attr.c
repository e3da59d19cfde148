/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * lib/firewall/nl-attr: the one attribute parser of the netlink decoders.
 * Every buffer is malloc()ed to exactly its length, so that ASan sees a
 * read past it.
 */

#include <arpa/inet.h>
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nfnetlink.h>

#include "nl-attr.h"

/* Attributes written one after the other, each padded. */
typedef struct Attrs {
        uint8_t b[256];
        size_t len;
} Attrs;

static struct nlattr *put(Attrs *x, uint16_t type, const void *data, size_t len) {
        struct nlattr *a = (struct nlattr *) (x->b + x->len);
        a->nla_type = type;
        a->nla_len = (uint16_t) (NLA_HDRLEN + len);
        if (len)
                memcpy(x->b + x->len + NLA_HDRLEN, data, len);
        memset(x->b + x->len + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
        x->len += NLA_HDRLEN + NLA_ALIGN(len);
        ck_assert_uint_le(x->len, sizeof(x->b));
        return a;
}

static uint8_t *exact(const void *p, size_t len) {
        uint8_t *c = malloc(len ? len : 1);
        ck_assert_ptr_nonnull(c);
        memcpy(c, p, len);
        return c;
}

START_TEST(test_attributes_are_indexed_by_type_unknown_types_skipped) {
        Attrs x = {};
        uint32_t v = htonl(7);
        put(&x, 1, "a", 2);
        put(&x, NL_ATTR_MAX + 3, &v, 4);                /* a newer attribute */
        put(&x, 3 | NLA_F_NESTED, NULL, 0);             /* flags are not the type */
        put(&x, 1, "b", 2);                             /* the last one wins */
        uint8_t *b = exact(x.b, x.len);
        NlAttrs t;
        ck_assert_int_eq(nl_attr_parse(&t, b, x.len), 0);
        ck_assert_str_eq(nl_attr_strz(t.tb[1]), "b");
        ck_assert_ptr_nonnull(t.tb[3]);
        ck_assert_uint_eq(nl_attr_len(t.tb[3]), 0);
        for (size_t i = 0; i < NL_ATTR_MAX; i++)
                if (i != 1 && i != 3)
                        ck_assert_ptr_null(t.tb[i]);
        free(b);
}
END_TEST

START_TEST(test_an_attribute_past_the_real_length_is_refused_the_ones_before_kept) {
        Attrs x = {};
        put(&x, 1, "abc", 4);
        put(&x, 2, "xy", 3);            /* 7 bytes, padded to 8 */
        /* cut inside the second attribute's padding: it claims 7, 7 are
         * there; cut inside its payload: it claims 7, fewer are there */
        for (size_t len = x.len - 1; len > 8; len--) {
                uint8_t *b = exact(x.b, len);
                NlAttrs t;
                int r = nl_attr_parse(&t, b, len);
                if (len >= 8 + 7)
                        ck_assert_int_eq(r, 0);         /* only its padding is missing */
                else {
                        ck_assert_int_eq(r, -EBADMSG);
                        ck_assert_str_eq(nl_attr_strz(t.tb[1]), "abc");
                        ck_assert_ptr_null(t.tb[2]);
                }
                free(b);
        }
        /* 1 to 3 stray bytes after the last attribute */
        for (size_t extra = 1; extra < 4; extra++) {
                uint8_t *b = exact(x.b, 8 + extra);
                NlAttrs t;
                ck_assert_int_eq(nl_attr_parse(&t, b, 8 + extra), -EBADMSG);
                free(b);
        }
        /* nla_len shorter than its header, and 0 */
        struct nlattr *a = (struct nlattr *) (x.b + 8);
        for (uint16_t l = 0; l < NLA_HDRLEN; l++) {
                a->nla_len = l;
                uint8_t *b = exact(x.b, x.len);
                NlAttrs t;
                ck_assert_int_eq(nl_attr_parse(&t, b, x.len), -EBADMSG);
                free(b);
        }
}
END_TEST

START_TEST(test_a_message_is_bounded_by_nlmsg_len_not_its_aligned_length) {
        uint8_t m[64] = {};
        struct nlmsghdr *nlh = (struct nlmsghdr *) m;
        struct nlattr *a = (struct nlattr *) (m + NLMSG_HDRLEN + sizeof(struct nfgenmsg));
        a->nla_type = 3;
        a->nla_len = 8;                 /* 4 bytes of payload claimed */
        memcpy(a + 1, "xyz", 4);
        nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(struct nfgenmsg) + NLA_HDRLEN + 1;     /* 1 there */
        NlAttrs t;
        uint8_t *b = exact(m, nlh->nlmsg_len);
        ck_assert_int_eq(nl_attr_parse_nfgen(&t, (struct nlmsghdr *) b), -EBADMSG);
        ck_assert_ptr_null(t.tb[3]);
        free(b);
        a->nla_len = NLA_HDRLEN + 1;    /* what is there: fits, unpadded */
        b = exact(m, nlh->nlmsg_len);
        ck_assert_int_eq(nl_attr_parse_nfgen(&t, (struct nlmsghdr *) b), 0);
        ck_assert_uint_eq(nl_attr_len(t.tb[3]), 1);
        free(b);
        /* shorter than its headers */
        nlh->nlmsg_len = NLMSG_HDRLEN + 2;
        b = exact(m, nlh->nlmsg_len);
        ck_assert_int_eq(nl_attr_parse_nfgen(&t, (struct nlmsghdr *) b), -EBADMSG);
        free(b);
}
END_TEST

START_TEST(test_nested_walk_stops_at_the_nest_end) {
        Attrs inner = {}, outer = {};
        put(&inner, 1, "a", 2);
        put(&inner, 1, "bb", 3);
        size_t whole = inner.len;
        put(&inner, 1, "ccc", 4);
        /* the nest ends 2 bytes into the third attribute's payload */
        struct nlattr *nest = put(&outer, 5, inner.b, whole + NLA_HDRLEN + 2);
        uint8_t *b = exact(outer.b, nest->nla_len);
        const struct nlattr *a, *n = (const struct nlattr *) b;
        unsigned count = 0;
        nl_attr_for_each_nested(a, n) {
                ck_assert_ptr_nonnull(nl_attr_strz(a));
                count++;
        }
        ck_assert_uint_eq(count, 2);
        NlAttrs t;
        ck_assert_int_eq(nl_attr_parse_nested(&t, n), -EBADMSG);
        ck_assert_int_eq(nl_attr_parse_nested(&t, NULL), -EBADMSG);
        free(b);
}
END_TEST

START_TEST(test_a_small_table_holds_the_types_below_its_size_and_checks_every_attribute) {
        Attrs inner = {}, outer = {};
        put(&inner, 1, "a", 2);
        put(&inner, 3, "b", 2);         /* at the table's size: skipped */
        put(&inner, 2, "c", 2);
        struct nlattr *nest = put(&outer, 5, inner.b, inner.len);
        uint8_t *b = exact(outer.b, nest->nla_len);
        const struct nlattr *n = (const struct nlattr *) b, *tb[4] = { n, n, n, n }, *big[NL_ATTR_MAX];
        ck_assert_int_eq(nl_attr_parse_nested_n(tb, 3, n), 0);
        ck_assert_ptr_null(tb[0]);
        ck_assert_str_eq(nl_attr_strz(tb[1]), "a");
        ck_assert_str_eq(nl_attr_strz(tb[2]), "c");
        ck_assert_ptr_eq(tb[3], n);     /* outside the table: untouched */
        /* the same attributes as in a whole NlAttrs */
        ck_assert_int_eq(nl_attr_parse_nested_n(big, NL_ATTR_MAX, n), 0);
        ck_assert_ptr_eq(big[1], tb[1]);
        ck_assert_ptr_eq(big[2], tb[2]);
        ck_assert_str_eq(nl_attr_strz(big[3]), "b");
        free(b);

        /* an attribute that does not fit fails the nest, whatever its type */
        Attrs bad = {};
        put(&bad, 1, "a", 2);
        struct nlattr *last = put(&bad, 30, "xyz", 4);
        last->nla_len = 64;
        Attrs o2 = {};
        nest = put(&o2, 5, bad.b, bad.len);
        b = exact(o2.b, nest->nla_len);
        ck_assert_int_eq(nl_attr_parse_nested_n(tb, 3, (const struct nlattr *) b), -EBADMSG);
        ck_assert_int_eq(nl_attr_parse_nested_n(tb, 3, NULL), -EBADMSG);
        ck_assert_ptr_null(tb[1]);
        free(b);
}
END_TEST

START_TEST(test_accessors_check_the_exact_length) {
        Attrs x = {};
        uint8_t u8 = 9;
        uint16_t be16 = htons(0x1234);
        uint32_t be32 = htonl(0x12345678);
        uint64_t be64 = htobe64(0x0102030405060708ull);
        const struct nlattr *a8 = put(&x, 1, &u8, 1), *a16 = put(&x, 2, &be16, 2), *a32 = put(&x, 3, &be32, 4),
                            *a64 = put(&x, 4, &be64, 8), *nonul = put(&x, 5, "ab", 2), *empty = put(&x, 6, NULL, 0),
                            *inner = put(&x, 7, "a\0b", 4);
        uint8_t v8;
        uint16_t v16;
        uint32_t v32;
        uint64_t v64;
        ck_assert_int_eq(nl_attr_u8(a8, &v8), 0);
        ck_assert_uint_eq(v8, 9);
        ck_assert_int_eq(nl_attr_be16(a16, &v16), 0);
        ck_assert_uint_eq(v16, 0x1234);
        ck_assert_int_eq(nl_attr_be32(a32, &v32), 0);
        ck_assert_uint_eq(v32, 0x12345678);
        ck_assert_int_eq(nl_attr_be64(a64, &v64), 0);
        ck_assert_uint_eq(v64, 0x0102030405060708ull);
        /* any other length, or none, is refused */
        ck_assert_int_eq(nl_attr_be32(a16, &v32), -EBADMSG);
        ck_assert_int_eq(nl_attr_be32(a64, &v32), -EBADMSG);
        ck_assert_int_eq(nl_attr_be64(a32, &v64), -EBADMSG);
        ck_assert_int_eq(nl_attr_u8(a16, &v8), -EBADMSG);
        ck_assert_int_eq(nl_attr_be16(NULL, &v16), -EBADMSG);
        ck_assert_uint_eq(nl_attr_be32_or(a16, 77), 77);
        ck_assert_uint_eq(nl_attr_be64_or(NULL, 78), 78);
        ck_assert_uint_eq(nl_attr_u8_or(a32, 79), 79);
        ck_assert_uint_eq(nl_attr_be16_or(a16, 0), 0x1234);
        /* strings: NUL-terminated at the end of a non-empty payload */
        ck_assert_ptr_null(nl_attr_strz(nonul));
        ck_assert_ptr_null(nl_attr_strz(empty));
        ck_assert_ptr_null(nl_attr_strz(NULL));
        ck_assert_str_eq(nl_attr_strz(inner), "a");
}
END_TEST

static Suite *nft_attr_suite(void) {
        Suite *s = suite_create("nl_attr");
        TCase *tc = tcase_create("parse");
        tcase_add_test(tc, test_attributes_are_indexed_by_type_unknown_types_skipped);
        tcase_add_test(tc, test_an_attribute_past_the_real_length_is_refused_the_ones_before_kept);
        tcase_add_test(tc, test_a_message_is_bounded_by_nlmsg_len_not_its_aligned_length);
        tcase_add_test(tc, test_nested_walk_stops_at_the_nest_end);
        tcase_add_test(tc, test_a_small_table_holds_the_types_below_its_size_and_checks_every_attribute);
        tcase_add_test(tc, test_accessors_check_the_exact_length);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(nft_attr_suite());
        srunner_run_all(sr, CK_NORMAL);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

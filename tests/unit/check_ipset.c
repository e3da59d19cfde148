/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * The kernel's answers to ipset requests (ipset_answer_parse()), crafted:
 * the set name of IPSET_CMD_GET_BYINDEX, the ack and errors that end an
 * answer, and messages whose last attribute lacks its padding or claims
 * the padding that is not there.  Each is parsed from a buffer of exactly
 * its size, so that ASan sees any read past it.  No root needed.
 */

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/ipset/ip_set.h>
#include <linux/netfilter/nfnetlink.h>

#include "ipset.h"

#define SEQ 7u
#define PORTID 4242u

static int parse_exact(const void *b, size_t len, char name[IPSET_NAME_MAX], int *err) {
        uint8_t *copy = malloc(len ? len : 1);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, b, len);
        int r = ipset_answer_parse(copy, len, SEQ, PORTID, name, err);
        free(copy);
        return r;
}

/* The reply to GET_BYINDEX: PROTOCOL, then SETNAME NAME (its NUL the
 * last byte of the message, unpadded), the name's header claiming EXTRA
 * bytes more.  Returns nlmsg_len. */
static size_t byindex_reply(uint32_t *buf, const char *name, uint16_t extra) {
        memset(buf, 0, 128);
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = (NFNL_SUBSYS_IPSET << 8) | IPSET_CMD_GET_BYINDEX;
        nlh->nlmsg_seq = SEQ;
        nlh->nlmsg_pid = PORTID;
        struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->nfgen_family = NFPROTO_IPV4;
        mnl_attr_put_u8(nlh, IPSET_ATTR_PROTOCOL, IPSET_PROTOCOL);
        struct nlattr *a = mnl_nlmsg_get_payload_tail(nlh);
        mnl_attr_put_strz(nlh, IPSET_ATTR_SETNAME, name);
        nlh->nlmsg_len = (uint32_t) ((uint8_t *) a + NLA_HDRLEN + strlen(name) + 1 - (uint8_t *) buf);
        a->nla_len = (uint16_t) (a->nla_len + extra);
        return nlh->nlmsg_len;
}

/* An NLMSG_ERROR carrying ERROR (0: the ack) at AT. */
static size_t error_msg(void *at, int error) {
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
        nlh->nlmsg_type = NLMSG_ERROR;
        nlh->nlmsg_seq = SEQ;
        nlh->nlmsg_pid = PORTID;
        struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
        e->error = error;
        return nlh->nlmsg_len;
}

START_TEST(test_set_name_then_ack_ends_the_answer) {
        uint32_t buf[64];
        char name[IPSET_NAME_MAX] = "";
        int err = -1;

        size_t len = byindex_reply(buf, "banned", 0);
        ck_assert_uint_eq(len % 4, 3);
        /* the reply alone: more is to come (the ack) */
        ck_assert_int_eq(parse_exact(buf, len, name, &err), 0);
        ck_assert_str_eq(name, "banned");
        /* the reply then the ack, in one datagram */
        len = NLMSG_ALIGN(len);
        len += error_msg((uint8_t *) buf + len, 0);
        memset(name, 0, sizeof(name));
        ck_assert_int_eq(parse_exact(buf, len, name, &err), 1);
        ck_assert_str_eq(name, "banned");
        ck_assert_int_eq(err, 0);
}
END_TEST

START_TEST(test_attribute_claiming_missing_padding_is_refused) {
        uint32_t buf[64];
        char name[IPSET_NAME_MAX] = "";
        int err = -1;

        /* libmnl's walk, bounded by the aligned length, took a name of
         * nla_len up to 3 bytes past the message, past the buffer when it
         * is the last one */
        for (uint16_t extra = 1; extra <= 3; extra++) {
                size_t len = byindex_reply(buf, "banned", extra);
                ck_assert_int_eq(parse_exact(buf, len, name, &err), -EBADMSG);
                ck_assert_str_eq(name, "");
        }
        /* cut anywhere: more to come or refused, never read past */
        size_t len = byindex_reply(buf, "banned", 0);
        for (size_t cut = 0; cut < len; cut++) {
                int r = parse_exact(buf, cut, name, &err);
                ck_assert_msg(r == 0 || r == -EBADMSG, "cut %zu: %d", cut, r);
        }
}
END_TEST

START_TEST(test_errors_end_the_answer_with_their_errno) {
        uint32_t buf[16];
        int err = 0;

        /* ipset test: not a member */
        size_t len = error_msg(buf, -IPSET_ERR_EXIST);
        ck_assert_int_eq(parse_exact(buf, len, NULL, &err), 1);
        ck_assert_int_eq(err, IPSET_ERR_EXIST);
        len = error_msg(buf, -ENOENT);
        ck_assert_int_eq(parse_exact(buf, len, NULL, &err), 1);
        ck_assert_int_eq(err, ENOENT);
        /* not an errno */
        len = error_msg(buf, 5);
        ck_assert_int_eq(parse_exact(buf, len, NULL, &err), -EBADMSG);
        len = error_msg(buf, -2000000);
        ck_assert_int_eq(parse_exact(buf, len, NULL, &err), -EBADMSG);
        /* of another request, another socket */
        len = error_msg(buf, 0);
        ((struct nlmsghdr *) buf)->nlmsg_seq = SEQ + 1;
        ck_assert_int_eq(parse_exact(buf, len, NULL, &err), -EPROTO);
        ((struct nlmsghdr *) buf)->nlmsg_seq = SEQ;
        ((struct nlmsghdr *) buf)->nlmsg_pid = PORTID + 1;
        ck_assert_int_eq(parse_exact(buf, len, NULL, &err), -ESRCH);
        /* an error message too short for its nlmsgerr */
        ((struct nlmsghdr *) buf)->nlmsg_pid = PORTID;
        ((struct nlmsghdr *) buf)->nlmsg_len = NLMSG_HDRLEN + 4;
        ck_assert_int_eq(parse_exact(buf, NLMSG_HDRLEN + 4, NULL, &err), -EBADMSG);
}
END_TEST

START_TEST(test_name_too_long_or_unterminated_is_not_taken) {
        uint32_t buf[64];
        char name[IPSET_NAME_MAX] = "";
        char longname[IPSET_NAME_MAX + 1];
        int err;

        memset(longname, 'a', IPSET_NAME_MAX);
        longname[IPSET_NAME_MAX] = '\0';
        size_t len = byindex_reply(buf, longname, 0);
        ck_assert_int_eq(parse_exact(buf, len, name, &err), 0);
        ck_assert_str_eq(name, "");
        len = byindex_reply(buf, "banned", 0);
        ((uint8_t *) buf)[len - 1] = 'x';
        ck_assert_int_eq(parse_exact(buf, len, name, &err), 0);
        ck_assert_str_eq(name, "");
}
END_TEST

static Suite *ipset_suite(void) {
        Suite *s = suite_create("ipset");
        TCase *tc = tcase_create("answers");
        tcase_add_test(tc, test_set_name_then_ack_ends_the_answer);
        tcase_add_test(tc, test_attribute_claiming_missing_padding_is_refused);
        tcase_add_test(tc, test_errors_end_the_answer_with_their_errno);
        tcase_add_test(tc, test_name_too_long_or_unterminated_is_not_taken);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(ipset_suite());
        srunner_run_all(sr, CK_NORMAL);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

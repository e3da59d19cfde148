/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON writer behind every `--json` output: the CLI promises "always a
 * single JSON object", and configuration files are arbitrary bytes, so the
 * writer must produce well-formed, valid UTF-8 JSON whatever it is given.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* A writer on a memory stream; json_take() finishes it and returns the text. */
typedef struct Mem {
        FILE *f;
        char *buf;
        size_t len;
        JsonWriter w;
} Mem;

static void mem_open(Mem *m, bool pretty) {
        m->buf = NULL;
        m->len = 0;
        m->f = open_memstream(&m->buf, &m->len);
        ck_assert_ptr_nonnull(m->f);
        json_init(&m->w, m->f, pretty);
}

static char *mem_take(Mem *m) {
        ck_assert_int_eq(json_finish(&m->w), 0);
        ck_assert_int_eq(fclose(m->f), 0);
        return m->buf;
}

/* The JSON text of one string value written with json_string_len(). */
static char *string_json(const char *s, size_t len) {
        Mem m;

        mem_open(&m, false);
        json_string_len(&m.w, s, len);
        return mem_take(&m);
}

#define ck_assert_string_json(input, expected)                                  \
        do {                                                                    \
                char *_out = string_json((input), sizeof(input) - 1);           \
                ck_assert_str_eq(_out, expected "\n");                          \
                free(_out);                                                     \
        } while (0)

/* --- structure ------------------------------------------------------------ */

START_TEST(test_nested_object_and_array_members_are_comma_separated) {
        Mem m;
        char *out;

        mem_open(&m, false);
        json_object_begin(&m.w);
        json_key(&m.w, "a");
        json_int(&m.w, 1);
        json_key(&m.w, "b");
        json_array_begin(&m.w);
        json_int(&m.w, 1);
        json_string(&m.w, "x");
        json_null(&m.w);
        json_bool(&m.w, true);
        json_array_begin(&m.w);
        json_array_end(&m.w);
        json_object_begin(&m.w);
        json_key(&m.w, "k");
        json_bool(&m.w, false);
        json_object_end(&m.w);
        json_array_end(&m.w);
        json_key(&m.w, "c");
        json_object_begin(&m.w);
        json_object_end(&m.w);
        json_key(&m.w, "d");
        json_uint(&m.w, 7);
        json_object_end(&m.w);
        out = mem_take(&m);
        ck_assert_str_eq(out, "{\"a\":1,\"b\":[1,\"x\",null,true,[],{\"k\":false}],\"c\":{},\"d\":7}\n");
        free(out);
}
END_TEST

START_TEST(test_empty_object_is_braces_and_newline) {
        Mem m;
        char *out;

        mem_open(&m, false);
        json_object_begin(&m.w);
        json_object_end(&m.w);
        out = mem_take(&m);
        ck_assert_str_eq(out, "{}\n");
        free(out);
}
END_TEST

START_TEST(test_array_of_objects_separates_objects) {
        Mem m;
        char *out;

        mem_open(&m, false);
        json_object_begin(&m.w);
        json_key(&m.w, "listen");
        json_array_begin(&m.w);
        for (int i = 0; i < 3; i++) {
                json_object_begin(&m.w);
                json_key(&m.w, "port");
                json_int(&m.w, 22 + i);
                json_key(&m.w, "file");
                json_string(&m.w, NULL);
                json_object_end(&m.w);
        }
        json_array_end(&m.w);
        json_object_end(&m.w);
        out = mem_take(&m);
        ck_assert_str_eq(out, "{\"listen\":[{\"port\":22,\"file\":null},{\"port\":23,\"file\":null},"
                              "{\"port\":24,\"file\":null}]}\n");
        free(out);
}
END_TEST

START_TEST(test_pretty_output_indents_members_two_spaces) {
        Mem m;
        char *out;

        mem_open(&m, true);
        json_object_begin(&m.w);
        json_key(&m.w, "a");
        json_array_begin(&m.w);
        json_int(&m.w, 1);
        json_int(&m.w, 2);
        json_array_end(&m.w);
        json_key(&m.w, "e");
        json_array_begin(&m.w);
        json_array_end(&m.w);
        json_object_end(&m.w);
        out = mem_take(&m);
        /* A line break before each member and before each closing bracket
         * of a non-empty container; none before the document. */
        ck_assert_str_eq(out, "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"e\": []\n}\n");
        free(out);
}
END_TEST

START_TEST(test_keys_are_escaped_like_strings) {
        Mem m;
        char *out;

        mem_open(&m, false);
        json_object_begin(&m.w);
        json_key(&m.w, "a\"b\\c\n");
        json_int(&m.w, 0);
        json_object_end(&m.w);
        out = mem_take(&m);
        ck_assert_str_eq(out, "{\"a\\\"b\\\\c\\n\":0}\n");
        free(out);
}
END_TEST

START_TEST(test_integer_extremes_are_written_exactly) {
        Mem m;
        char *out;

        mem_open(&m, false);
        json_array_begin(&m.w);
        json_int(&m.w, INT64_MIN);
        json_int(&m.w, INT64_MAX);
        json_int(&m.w, -1);
        json_uint(&m.w, UINT64_MAX);
        json_uint(&m.w, 0);
        json_array_end(&m.w);
        out = mem_take(&m);
        ck_assert_str_eq(out, "[-9223372036854775808,9223372036854775807,-1,18446744073709551615,0]\n");
        free(out);
}
END_TEST

START_TEST(test_null_string_is_written_as_null) {
        Mem m;
        char *out;

        mem_open(&m, false);
        json_object_begin(&m.w);
        json_key(&m.w, "file");
        json_string(&m.w, NULL);
        json_key(&m.w, "list");
        json_array_begin(&m.w);
        json_string(&m.w, NULL);
        json_string(&m.w, "");
        json_array_end(&m.w);
        json_object_end(&m.w);
        out = mem_take(&m);
        ck_assert_str_eq(out, "{\"file\":null,\"list\":[null,\"\"]}\n");
        free(out);
}
END_TEST

START_TEST(test_members_stay_comma_separated_beyond_64_levels) {
        /* need_comma[] has 64 slots; a deeper document must still be JSON. */
        Mem m;
        char *out, *expected, *p;
        const int depth = 70;

        mem_open(&m, false);
        for (int i = 0; i < depth; i++)
                json_array_begin(&m.w);
        json_int(&m.w, 1);
        json_int(&m.w, 2);
        for (int i = 0; i < depth; i++)
                json_array_end(&m.w);
        out = mem_take(&m);

        expected = p = malloc(2 * depth + 8);
        ck_assert_ptr_nonnull(expected);
        for (int i = 0; i < depth; i++)
                *p++ = '[';
        p = stpcpy(p, "1,2");
        for (int i = 0; i < depth; i++)
                *p++ = ']';
        strcpy(p, "\n");
        ck_assert_str_eq(out, expected);
        free(expected);
        free(out);
}
END_TEST

START_TEST(test_finish_reports_a_failed_write) {
        JsonWriter w;
        FILE *f = fopen("/dev/full", "we");

        ck_assert_ptr_nonnull(f);
        json_init(&w, f, false);
        json_object_begin(&w);
        json_key(&w, "a");
        json_string(&w, "b");
        json_object_end(&w);
        ck_assert_int_eq(json_finish(&w), -EIO);
        fclose(f);
}
END_TEST

/* --- string escaping ------------------------------------------------------ */

START_TEST(test_quote_and_backslash_are_escaped) {
        ck_assert_string_json("say \"hi\" \\o/", "\"say \\\"hi\\\" \\\\o/\"");
}
END_TEST

START_TEST(test_named_control_escapes) {
        ck_assert_string_json("a\nb\tc\rd", "\"a\\nb\\tc\\rd\"");
}
END_TEST

START_TEST(test_other_control_chars_use_u_escapes) {
        ck_assert_string_json("\x01\x08\x0c\x1b[31m\x1f\x7f", "\"\\u0001\\u0008\\u000c\\u001b[31m\\u001f\\u007f\"");
}
END_TEST

START_TEST(test_embedded_nul_is_escaped_with_explicit_length) {
        ck_assert_string_json("a\0b", "\"a\\u0000b\"");
}
END_TEST

START_TEST(test_json_string_stops_at_nul) {
        Mem m;
        char *out;

        mem_open(&m, false);
        json_string(&m.w, "ab\0cd");
        out = mem_take(&m);
        ck_assert_str_eq(out, "\"ab\"\n");
        free(out);
}
END_TEST

START_TEST(test_slash_and_printable_ascii_pass_through) {
        ck_assert_string_json("/etc/ssh/sshd_config ~!@#$%^&*()_+{}|:<>?'",
                              "\"/etc/ssh/sshd_config ~!@#$%^&*()_+{}|:<>?'\"");
}
END_TEST

/* --- UTF-8 ---------------------------------------------------------------- */

START_TEST(test_valid_multibyte_sequences_are_kept) {
        /* U+00E9, U+20AC, U+FFFF, U+1D11E, U+10FFFF: the 2-, 3- and 4-byte
         * forms up to the last code point. */
        ck_assert_string_json("caf\xc3\xa9 \xe2\x82\xac \xef\xbf\xbf \xf0\x9d\x84\x9e \xf4\x8f\xbf\xbf",
                              "\"caf\xc3\xa9 \xe2\x82\xac \xef\xbf\xbf \xf0\x9d\x84\x9e \xf4\x8f\xbf\xbf\"");
}
END_TEST

START_TEST(test_lowest_multibyte_forms_are_kept) {
        /* U+0080, U+0800, U+10000: the shortest values of each length. */
        ck_assert_string_json("\xc2\x80\xe0\xa0\x80\xf0\x90\x80\x80", "\"\xc2\x80\xe0\xa0\x80\xf0\x90\x80\x80\"");
}
END_TEST

START_TEST(test_invalid_byte_becomes_replacement_character) {
        ck_assert_string_json("a\xff" "b\xfe", "\"a\\ufffdb\\ufffd\"");
}
END_TEST

START_TEST(test_lone_continuation_byte_is_replaced) {
        ck_assert_string_json("\x80x\xbf", "\"\\ufffdx\\ufffd\"");
}
END_TEST

START_TEST(test_truncated_sequence_at_end_is_replaced) {
        ck_assert_string_json("ok\xe2\x82", "\"ok\\ufffd\\ufffd\"");
}
END_TEST

START_TEST(test_truncated_sequence_before_ascii_keeps_the_ascii) {
        ck_assert_string_json("bad\xc3(", "\"bad\\ufffd(\"");
}
END_TEST

START_TEST(test_overlong_two_byte_form_is_rejected) {
        /* C0 AF would be '/' spelt with two bytes: C0 and C1 never start a
         * valid sequence. */
        ck_assert_string_json("\xc0\xaf\xc1\xbf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}
END_TEST

START_TEST(test_overlong_three_and_four_byte_forms_are_rejected) {
        /* E0 80 AF is '/' in three bytes, F0 80 80 AF in four. */
        ck_assert_string_json("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");
        ck_assert_string_json("\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}
END_TEST

START_TEST(test_surrogates_are_rejected) {
        /* U+D800 and U+DFFF encoded directly (CESU-8 style). */
        ck_assert_string_json("\xed\xa0\x80|\xed\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd\"");
}
END_TEST

START_TEST(test_code_points_past_10ffff_are_rejected) {
        ck_assert_string_json("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
        ck_assert_string_json("\xf5\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}
END_TEST

START_TEST(test_boundary_around_surrogates_is_kept) {
        /* U+D7FF and U+E000 are the neighbours of the surrogate range. */
        ck_assert_string_json("\xed\x9f\xbf\xee\x80\x80", "\"\xed\x9f\xbf\xee\x80\x80\"");
}
END_TEST

static Suite *json_suite(void) {
        Suite *s = suite_create("json");
        TCase *tc;

        tc = tcase_create("structure");
        tcase_add_test(tc, test_nested_object_and_array_members_are_comma_separated);
        tcase_add_test(tc, test_empty_object_is_braces_and_newline);
        tcase_add_test(tc, test_array_of_objects_separates_objects);
        tcase_add_test(tc, test_pretty_output_indents_members_two_spaces);
        tcase_add_test(tc, test_keys_are_escaped_like_strings);
        tcase_add_test(tc, test_integer_extremes_are_written_exactly);
        tcase_add_test(tc, test_null_string_is_written_as_null);
        tcase_add_test(tc, test_members_stay_comma_separated_beyond_64_levels);
        tcase_add_test(tc, test_finish_reports_a_failed_write);
        suite_add_tcase(s, tc);

        tc = tcase_create("escaping");
        tcase_add_test(tc, test_quote_and_backslash_are_escaped);
        tcase_add_test(tc, test_named_control_escapes);
        tcase_add_test(tc, test_other_control_chars_use_u_escapes);
        tcase_add_test(tc, test_embedded_nul_is_escaped_with_explicit_length);
        tcase_add_test(tc, test_json_string_stops_at_nul);
        tcase_add_test(tc, test_slash_and_printable_ascii_pass_through);
        suite_add_tcase(s, tc);

        tc = tcase_create("utf8");
        tcase_add_test(tc, test_valid_multibyte_sequences_are_kept);
        tcase_add_test(tc, test_lowest_multibyte_forms_are_kept);
        tcase_add_test(tc, test_invalid_byte_becomes_replacement_character);
        tcase_add_test(tc, test_lone_continuation_byte_is_replaced);
        tcase_add_test(tc, test_truncated_sequence_at_end_is_replaced);
        tcase_add_test(tc, test_truncated_sequence_before_ascii_keeps_the_ascii);
        tcase_add_test(tc, test_overlong_two_byte_form_is_rejected);
        tcase_add_test(tc, test_overlong_three_and_four_byte_forms_are_rejected);
        tcase_add_test(tc, test_surrogates_are_rejected);
        tcase_add_test(tc, test_code_points_past_10ffff_are_rejected);
        tcase_add_test(tc, test_boundary_around_surrogates_is_kept);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(json_suite());
        int failed;

        srunner_run_all(sr, CK_ENV);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed;
}

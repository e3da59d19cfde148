/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sshd_config's lexical rules (sshdconf-token.h).  Every expectation here was
 * checked against OpenSSH 9.2's sshd where sshd makes it observable: the
 * comment above a test gives the file and what `sshd -T -f FILE` does with
 * it.  Where sshd shows nothing (the split of a single token), the expected
 * values are those of misc.c strdelim()/argv_split() run on the same input.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshdconf-token.h"
#include "strv.h"

/* --- sshd_text_load ---------------------------------------------------------- */

typedef struct Loaded {
        char *text;
        size_t len;
        unsigned nul_line;
} Loaded;

static Loaded text_load(const char *data, size_t len) {
        Loaded l = {};

        ck_assert_int_eq(sshd_text_load(data, len, &l.text, &l.len, &l.nul_line), 0);
        ck_assert_uint_eq(strlen(l.text), l.len);
        return l;
}

#define TEXT_LOAD(lit) text_load((lit), sizeof(lit) - 1)

/* "   \t\r Port 2222\n\tPermitRootLogin no\r\n": sshd -T port 2222,
 * permitrootlogin no. */
START_TEST(test_text_load_strips_leading_space_tab_cr) {
        Loaded l = TEXT_LOAD("   \t\r Port 2222\n\tPermitRootLogin no\r\n");

        ck_assert_str_eq(l.text, "Port 2222\nPermitRootLogin no\r\n");
        ck_assert_uint_eq(l.len, 30);
        ck_assert_uint_eq(l.nul_line, 0);
        free(l.text);
}
END_TEST

START_TEST(test_text_load_keeps_interior_and_trailing_whitespace) {
        Loaded l = TEXT_LOAD("Port  2222 \t\nX11Forwarding\tyes\n");

        ck_assert_str_eq(l.text, "Port  2222 \t\nX11Forwarding\tyes\n");
        ck_assert_uint_eq(l.nul_line, 0);
        free(l.text);
}
END_TEST

START_TEST(test_text_load_strips_each_line_separately) {
        Loaded l = TEXT_LOAD(" \n\t\n\r\nX");

        ck_assert_str_eq(l.text, "\n\n\nX");
        ck_assert_uint_eq(l.len, 4);
        free(l.text);
}
END_TEST

/* A form feed is not leading whitespace to sshd's loader. */
START_TEST(test_text_load_keeps_leading_form_feed) {
        Loaded l = TEXT_LOAD("\fPort 2222\n");

        ck_assert_str_eq(l.text, "\fPort 2222\n");
        free(l.text);
}
END_TEST

/* "Port 2222\0junk\nPort 2200\n": sshd sees "Port 2222Port 2200" and says
 * "line 1: Badly formatted port number." */
START_TEST(test_text_load_nul_drops_rest_of_line_and_its_newline) {
        Loaded l = TEXT_LOAD("Port 2222\0junk\nPort 2200\n");

        ck_assert_str_eq(l.text, "Port 2222Port 2200\n");
        ck_assert_uint_eq(l.len, 19);
        ck_assert_uint_eq(l.nul_line, 1);
        free(l.text);
}
END_TEST

/* "Port 2222\0junk\n\nPort bad\n": sshd reports "line 2" for the file's
 * third line. */
START_TEST(test_text_load_nul_shifts_later_line_numbers_down_by_one) {
        Loaded l = TEXT_LOAD("Port 2222\0junk\n\nPort bad\n");

        ck_assert_str_eq(l.text, "Port 2222\nPort bad\n");
        ck_assert_uint_eq(l.nul_line, 1);
        free(l.text);
}
END_TEST

/* "x\n\0\nPort 2222\0\nBogus\n": sshd says "line 1: no argument after
 * keyword "x"" and "line 2: Badly formatted port number." (Port 2222Bogus). */
START_TEST(test_text_load_nul_line_reports_first_nul_physical_line) {
        Loaded l = TEXT_LOAD("x\n\0\nPort 2222\0\nBogus\n");

        ck_assert_str_eq(l.text, "x\nPort 2222Bogus\n");
        ck_assert_uint_eq(l.nul_line, 2);
        free(l.text);
}
END_TEST

START_TEST(test_text_load_nul_line_counts_physical_lines_before_it) {
        Loaded l = TEXT_LOAD("a\nb\n\nc\0x\nd\0y\ne\n");

        ck_assert_str_eq(l.text, "a\nb\n\ncde\n");
        ck_assert_uint_eq(l.nul_line, 4);
        free(l.text);
}
END_TEST

/* "Port \0junk\n  2222\n": the joined line's leading blanks go first, so
 * sshd reads "Port 2222" and listens on 2222. */
START_TEST(test_text_load_strips_leading_blanks_of_joined_line) {
        Loaded l = TEXT_LOAD("Port \0junk\n  2222\n");

        ck_assert_str_eq(l.text, "Port 2222\n");
        ck_assert_uint_eq(l.nul_line, 1);
        free(l.text);
}
END_TEST

START_TEST(test_text_load_nul_after_leading_blanks_empties_the_line) {
        Loaded l = TEXT_LOAD("  \0Port 1\nPort 2\n");

        ck_assert_str_eq(l.text, "Port 2\n");
        ck_assert_uint_eq(l.nul_line, 1);
        free(l.text);
}
END_TEST

START_TEST(test_text_load_nul_on_last_line_without_newline) {
        Loaded l = TEXT_LOAD("Port 2222\nPort 2200\0");

        ck_assert_str_eq(l.text, "Port 2222\nPort 2200");
        ck_assert_uint_eq(l.nul_line, 2);
        free(l.text);
}
END_TEST

/* "Port\t2222\r\n": sshd -T port 2222.  The loader keeps the CR; the line
 * tokenizer drops it as trailing whitespace. */
START_TEST(test_text_load_keeps_crlf_line_endings) {
        Loaded l = TEXT_LOAD("Port 2222\r\nPort 2200\r\n");

        ck_assert_str_eq(l.text, "Port 2222\r\nPort 2200\r\n");
        ck_assert_uint_eq(l.nul_line, 0);
        free(l.text);
}
END_TEST

/* "Port 2222" without a newline: sshd -T port 2222. */
START_TEST(test_text_load_without_trailing_newline) {
        Loaded l = TEXT_LOAD("Port 2222");

        ck_assert_str_eq(l.text, "Port 2222");
        ck_assert_uint_eq(l.len, 9);
        ck_assert_uint_eq(l.nul_line, 0);
        free(l.text);
}
END_TEST

START_TEST(test_text_load_empty_input) {
        Loaded l = text_load("", 0);

        ck_assert_str_eq(l.text, "");
        ck_assert_uint_eq(l.len, 0);
        ck_assert_uint_eq(l.nul_line, 0);
        free(l.text);
}
END_TEST

START_TEST(test_text_load_reads_only_len_bytes) {
        Loaded l = text_load("Port 22\nPort 23\n", 8);

        ck_assert_str_eq(l.text, "Port 22\n");
        ck_assert_uint_eq(l.len, 8);
        free(l.text);
}
END_TEST

/* --- sshd_strdelim ----------------------------------------------------------- */

/* Splits S with sshd_strdelim() until NULL; returns the tokens joined as
 * "[tok][tok]...", with "NULL" appended when the last call returned NULL
 * (always, since the loop runs until then). */
static char *strdelim_all(const char *s) {
        char *copy = strdup(s), *p = copy, *out = NULL;
        size_t outlen = 0;
        FILE *f = open_memstream(&out, &outlen);

        ck_assert_ptr_nonnull(copy);
        ck_assert_ptr_nonnull(f);
        for (int i = 0; i < 16; i++) {
                char *tok = sshd_strdelim(&p);
                if (!tok) {
                        fputs("NULL", f);
                        break;
                }
                fprintf(f, "[%s]", tok);
        }
        fclose(f);
        free(copy);
        return out;
}

#define ck_assert_strdelim(input, expected)             \
        do {                                            \
                char *_r = strdelim_all(input);         \
                ck_assert_str_eq(_r, expected);         \
                free(_r);                               \
        } while (0)

START_TEST(test_strdelim_splits_on_whitespace) {
        ck_assert_strdelim("a b", "[a][b]NULL");
        ck_assert_strdelim("a \t b", "[a][b]NULL");
        ck_assert_strdelim("a\r\nb", "[a][b]NULL");
}
END_TEST

START_TEST(test_strdelim_trailing_whitespace_yields_one_empty_token) {
        ck_assert_strdelim("a ", "[a][]NULL");
        ck_assert_strdelim("", "[]NULL");
}
END_TEST

START_TEST(test_strdelim_null_input_returns_null) {
        char *p = NULL;

        ck_assert_ptr_null(sshd_strdelim(&p));
}
END_TEST

START_TEST(test_strdelim_single_equals_separates) {
        ck_assert_strdelim("a=b", "[a][b]NULL");
        ck_assert_strdelim("a = b", "[a][b]NULL");
        ck_assert_strdelim("a= b", "[a][b]NULL");
        ck_assert_strdelim("a =b", "[a][b]NULL");
}
END_TEST

/* Only one '=' is skipped: the second starts an (empty) token.  sshd: a
 * line "Port==2222" gives the argument "=2222", "Badly formatted port
 * number." */
START_TEST(test_strdelim_second_equals_starts_empty_token) {
        ck_assert_strdelim("a==b", "[a][][b]NULL");
        ck_assert_strdelim("a = =b", "[a][][b]NULL");
        ck_assert_strdelim("a=  = b", "[a][][b]NULL");
}
END_TEST

START_TEST(test_strdelim_leading_equals_gives_empty_first_token) {
        ck_assert_strdelim("=a", "[][a]NULL");
}
END_TEST

START_TEST(test_strdelim_double_quotes_group_words) {
        ck_assert_strdelim("\"a b\" c", "[a b][c]NULL");
        ck_assert_strdelim("\"a=b\"", "[a=b][]NULL");
}
END_TEST

/* A quote inside a word opens a quoted part that ends the token at its
 * closing quote. */
START_TEST(test_strdelim_quote_inside_word_joins_and_ends_token) {
        ck_assert_strdelim("a\"b c\"", "[ab c][]NULL");
        ck_assert_strdelim("a\" b\"c d", "[a b][c][d]NULL");
}
END_TEST

START_TEST(test_strdelim_single_quotes_are_ordinary) {
        ck_assert_strdelim("a'b c'", "[a'b][c']NULL");
}
END_TEST

START_TEST(test_strdelim_unmatched_quote_returns_null) {
        ck_assert_strdelim("\"a b", "NULL");
        ck_assert_strdelim("x \"a b", "[x]NULL");
}
END_TEST

/* --- sshd_argv_split --------------------------------------------------------- */

/* The arguments as "[a][b]...", or "EINVAL". */
static char *argv_all(const char *s) {
        char **argv = NULL, *out = NULL;
        size_t argc = 0, outlen = 0;
        FILE *f;
        int r;

        r = sshd_argv_split(s, &argv, &argc);
        if (r == -EINVAL)
                return strdup("EINVAL");
        ck_assert_int_eq(r, 0);
        ck_assert_ptr_nonnull(argv);
        ck_assert_uint_eq(strv_length(argv), argc);
        f = open_memstream(&out, &outlen);
        ck_assert_ptr_nonnull(f);
        for (size_t i = 0; i < argc; i++)
                fprintf(f, "[%s]", argv[i]);
        fclose(f);
        strv_free(argv);
        return out;
}

#define ck_assert_argv(input, expected)                 \
        do {                                            \
                char *_r = argv_all(input);             \
                ck_assert_str_eq(_r, expected);         \
                free(_r);                               \
        } while (0)

/* "AllowUsers "a b" 'c d'": sshd -T prints "allowusers a b" and
 * "allowusers c d". */
START_TEST(test_argv_split_single_and_double_quotes) {
        ck_assert_argv("\"a b\" 'c d'", "[a b][c d]");
        ck_assert_argv("'o\"p' \"q'r\"", "[o\"p][q'r]");
}
END_TEST

/* "AllowUsers u"v w"x": one pattern "uv wx". */
START_TEST(test_argv_split_quoted_parts_join_the_word) {
        ck_assert_argv("u\"v w\"x", "[uv wx]");
        ck_assert_argv("\"a b\"c\"d e\"", "[a bcd e]");
}
END_TEST

/* "AllowUsers g\"h g\'i g\\j e\ f k\xl": sshd -T prints g"h, g'i, g\j,
 * "e f", k\xl. */
START_TEST(test_argv_split_escapes_outside_quotes) {
        ck_assert_argv("g\\\"h g\\'i g\\\\j e\\ f k\\xl", "[g\"h][g'i][g\\j][e f][k\\xl]");
}
END_TEST

START_TEST(test_argv_split_escaped_space_at_word_edges) {
        ck_assert_argv("\\ a", "[ a]");
        ck_assert_argv(" a\\  b", "[a ][b]");
}
END_TEST

/* "AllowUsers "m\ n"": inside quotes "\ " stays as is: "m\ n". */
START_TEST(test_argv_split_escaped_space_inside_quotes_is_kept) {
        ck_assert_argv("\"m\\ n\"", "[m\\ n]");
}
END_TEST

START_TEST(test_argv_split_escaped_quote_inside_quotes) {
        ck_assert_argv("\"a\\\"b\"", "[a\"b]");
        ck_assert_argv("'a\\'b'", "[a'b]");
}
END_TEST

/* "AuthorizedKeysFile a\": sshd -T prints "a\". */
START_TEST(test_argv_split_trailing_backslash_is_kept) {
        ck_assert_argv("a\\", "[a\\]");
}
END_TEST

/* "Port 2222 # admin": sshd -T port 2222. */
START_TEST(test_argv_split_hash_at_word_start_ends_line) {
        ck_assert_argv("a #b c", "[a]");
        ck_assert_argv("#a", "");
        ck_assert_argv("x # y", "[x]");
}
END_TEST

/* "AllowUsers s#t": sshd -T prints "allowusers s#t". */
START_TEST(test_argv_split_hash_inside_word_is_kept) {
        ck_assert_argv("a#b", "[a#b]");
        ck_assert_argv("\"#a\"", "[#a]");
        ck_assert_argv("a\\#b", "[a\\#b]");
        ck_assert_argv("\\\"#", "[\"#]");
}
END_TEST

/* "AuthorizedKeysFile a "b": sshd says "invalid quotes". */
START_TEST(test_argv_split_unterminated_quote_is_einval) {
        ck_assert_argv("a \"b", "EINVAL");
        ck_assert_argv("a 'b", "EINVAL");
        ck_assert_argv("\"a\\\"", "EINVAL");
}
END_TEST

/* "AllowUsers\ta\t\t"b\tc"  #comment": sshd -T prints "allowusers a" and
 * "allowusers b<TAB>c". */
START_TEST(test_argv_split_tabs_separate_outside_quotes) {
        ck_assert_argv("a\tb\t\t\"c\td\"", "[a][b][c\td]");
}
END_TEST

START_TEST(test_argv_split_cr_is_not_a_separator) {
        ck_assert_argv("a\rb", "[a\rb]");
}
END_TEST

START_TEST(test_argv_split_empty_and_blank_give_no_arguments) {
        char **argv = NULL;
        size_t argc = 1;

        ck_assert_int_eq(sshd_argv_split("  \t ", &argv, &argc), 0);
        ck_assert_uint_eq(argc, 0);
        ck_assert_ptr_nonnull(argv);
        ck_assert_ptr_null(argv[0]);
        strv_free(argv);
        ck_assert_argv("", "");
}
END_TEST

/* "Port 2222 """: sshd counts the empty word: "extra arguments". */
START_TEST(test_argv_split_empty_quotes_are_an_argument) {
        ck_assert_argv("\"\"", "[]");
        ck_assert_argv("a \"\" b", "[a][][b]");
        ck_assert_argv("'' x", "[][x]");
}
END_TEST

/* --- sshd_line_tokenize ------------------------------------------------------ */

typedef struct Tok {
        char buf[256];
        SshdLine l;
} Tok;

static void tokenize(Tok *t, const char *line) {
        ck_assert_uint_lt(strlen(line), sizeof(t->buf));
        strcpy(t->buf, line);
        ck_assert_int_eq(sshd_line_tokenize(t->buf, &t->l), 0);
}

static char *joined_args(const SshdLine *l) {
        char *out = NULL;
        size_t outlen = 0;
        FILE *f = open_memstream(&out, &outlen);

        ck_assert_ptr_nonnull(f);
        for (size_t i = 0; i < l->argc; i++)
                fprintf(f, "[%s]", l->argv[i]);
        fclose(f);
        return out;
}

#define ck_assert_directive(line, kw, args)                             \
        do {                                                            \
                Tok _t;                                                 \
                char *_a;                                               \
                tokenize(&_t, line);                                    \
                ck_assert_int_eq(_t.l.kind, SSHD_LINE_DIRECTIVE);       \
                ck_assert_str_eq(_t.l.keyword, kw);                     \
                _a = joined_args(&_t.l);                                \
                ck_assert_str_eq(_a, args);                             \
                free(_a);                                               \
                sshd_line_done(&_t.l);                                  \
        } while (0)

#define ck_assert_line_kind(line, k)                                    \
        do {                                                            \
                Tok _t;                                                 \
                tokenize(&_t, line);                                    \
                ck_assert_int_eq(_t.l.kind, k);                         \
                ck_assert_ptr_null(_t.l.argv);                          \
                sshd_line_done(&_t.l);                                  \
        } while (0)

START_TEST(test_tokenize_comment_lines_are_empty) {
        ck_assert_line_kind("# Port 2222", SSHD_LINE_EMPTY);
        ck_assert_line_kind("#Port 2222", SSHD_LINE_EMPTY);
        ck_assert_line_kind(" # indented", SSHD_LINE_EMPTY);
}
END_TEST

START_TEST(test_tokenize_blank_lines_are_empty) {
        ck_assert_line_kind("", SSHD_LINE_EMPTY);
        ck_assert_line_kind(" ", SSHD_LINE_EMPTY);
        ck_assert_line_kind("\t\t", SSHD_LINE_EMPTY);
        ck_assert_line_kind("\r", SSHD_LINE_EMPTY);
}
END_TEST

/* "Port", "Port   " and "Port =": sshd says `no argument after keyword
 * "Port"`. */
START_TEST(test_tokenize_keyword_only_is_no_argument) {
        const char *lines[] = { "Port", "Port   ", "Port =", "Port\t\f" };

        for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
                Tok t;
                tokenize(&t, lines[i]);
                ck_assert_int_eq(t.l.kind, SSHD_LINE_NO_ARGUMENT);
                ck_assert_str_eq(t.l.keyword, "Port");
                ck_assert_ptr_null(t.l.argv);
                ck_assert_uint_eq(t.l.argc, 0);
                sshd_line_done(&t.l);
        }
}
END_TEST

/* A lone form feed: its first byte is never trimmed, so sshd says `no
 * argument after keyword "\014"`. */
START_TEST(test_tokenize_lone_form_feed_is_a_keyword) {
        Tok t;

        tokenize(&t, "\f");
        ck_assert_int_eq(t.l.kind, SSHD_LINE_NO_ARGUMENT);
        ck_assert_str_eq(t.l.keyword, "\f");
        sshd_line_done(&t.l);
}
END_TEST

/* "Port=2222", "Port = 2222", "Port =2222 \f": sshd -T port 2222. */
START_TEST(test_tokenize_equals_form) {
        ck_assert_directive("Port=2222", "Port", "[2222]");
        ck_assert_directive("Port = 2222", "Port", "[2222]");
        ck_assert_directive("Port =2222", "Port", "[2222]");
        ck_assert_directive("Port= 2222", "Port", "[2222]");
}
END_TEST

/* "Port==2222", "Port = = 2222", "Port= =2222": sshd says "Badly formatted
 * port number." -- the second '=' belongs to the value. */
START_TEST(test_tokenize_second_equals_is_part_of_value) {
        ck_assert_directive("Port==2222", "Port", "[=2222]");
        ck_assert_directive("Port = = 2222", "Port", "[=][2222]");
        ck_assert_directive("Port= =2222", "Port", "[=2222]");
}
END_TEST

/* "=Port 2222": sshd -T port 2222. */
START_TEST(test_tokenize_leading_equals_is_skipped) {
        ck_assert_directive("=Port 2222", "Port", "[2222]");
        ck_assert_directive(" Port 2222", "Port", "[2222]");
}
END_TEST

/* "Port =2222 \f" and "Port\t2222\r": sshd -T port 2222. */
START_TEST(test_tokenize_strips_trailing_whitespace_and_form_feed) {
        Tok t;

        tokenize(&t, "Port 2222 \t\f\r\n\f");
        ck_assert_int_eq(t.l.kind, SSHD_LINE_DIRECTIVE);
        ck_assert_str_eq(t.l.keyword, "Port");
        ck_assert_str_eq(t.l.rest, "2222");
        ck_assert_uint_eq(t.l.argc, 1);
        ck_assert_str_eq(t.l.argv[0], "2222");
        ck_assert_ptr_null(t.l.argv[1]);
        sshd_line_done(&t.l);
        ck_assert_ptr_null(t.l.argv);
        ck_assert_uint_eq(t.l.argc, 0);

        ck_assert_directive("Port\t2222\r", "Port", "[2222]");
}
END_TEST

START_TEST(test_tokenize_rest_is_text_after_keyword) {
        Tok t;

        tokenize(&t, "ForceCommand   echo  \"a b\"  # c");
        ck_assert_int_eq(t.l.kind, SSHD_LINE_DIRECTIVE);
        ck_assert_str_eq(t.l.keyword, "ForceCommand");
        ck_assert_str_eq(t.l.rest, "echo  \"a b\"  # c");
        ck_assert_uint_eq(t.l.argc, 2);
        ck_assert_str_eq(t.l.argv[0], "echo");
        ck_assert_str_eq(t.l.argv[1], "a b");
        sshd_line_done(&t.l);
}
END_TEST

/* "Port 2222 # the admin port": sshd -T port 2222. */
START_TEST(test_tokenize_trailing_comment_is_dropped) {
        ck_assert_directive("Port 2222 # the admin port", "Port", "[2222]");
        ck_assert_directive("Port 2222#admin", "Port", "[2222#admin]");
}
END_TEST

/* "Port #2222": the only argument is a comment: a directive without
 * arguments (sshd: "missing port number."). */
START_TEST(test_tokenize_comment_as_only_argument_leaves_no_arguments) {
        Tok t;

        tokenize(&t, "Port #2222");
        ck_assert_int_eq(t.l.kind, SSHD_LINE_DIRECTIVE);
        ck_assert_str_eq(t.l.keyword, "Port");
        ck_assert_uint_eq(t.l.argc, 0);
        ck_assert_ptr_nonnull(t.l.argv);
        ck_assert_ptr_null(t.l.argv[0]);
        sshd_line_done(&t.l);
}
END_TEST

/* ""Port" "2222"": sshd -T port 2222. */
START_TEST(test_tokenize_quoted_keyword) {
        ck_assert_directive("\"Port\" \"2222\"", "Port", "[2222]");
        ck_assert_directive("\"Port\" 2222", "Port", "[2222]");
}
END_TEST

/* ""Port"=2222": after a quoted keyword only whitespace is skipped, so sshd
 * sees the argument "=2222": "Badly formatted port number." */
START_TEST(test_tokenize_quoted_keyword_does_not_skip_equals) {
        ck_assert_directive("\"Port\"=2222", "Port", "[=2222]");
}
END_TEST

/* ""Port 2222"": one word: sshd says `no argument after keyword "Port
 * 2222"`. */
START_TEST(test_tokenize_quoted_whole_line_is_keyword_without_argument) {
        Tok t;

        tokenize(&t, "\"Port 2222\"");
        ck_assert_int_eq(t.l.kind, SSHD_LINE_NO_ARGUMENT);
        ck_assert_str_eq(t.l.keyword, "Port 2222");
        sshd_line_done(&t.l);
}
END_TEST

/* "Port"2222"": sshd says `no argument after keyword "Port2222"`. */
START_TEST(test_tokenize_quote_inside_keyword_joins_it) {
        Tok t;

        tokenize(&t, "Port\"2222\"");
        ck_assert_int_eq(t.l.kind, SSHD_LINE_NO_ARGUMENT);
        ck_assert_str_eq(t.l.keyword, "Port2222");
        sshd_line_done(&t.l);
}
END_TEST

/* ""Port 2222" (no closing quote): sshd ignores the line silently; sshd -T
 * port 22. */
START_TEST(test_tokenize_unterminated_quote_in_keyword_ignores_line) {
        Tok t;

        tokenize(&t, "\"Port 2222");
        ck_assert_int_eq(t.l.kind, SSHD_LINE_EMPTY);
        ck_assert_ptr_null(t.l.keyword);
        ck_assert_ptr_null(t.l.argv);
        sshd_line_done(&t.l);
}
END_TEST

/* "Port "2222": sshd says "line 1: invalid quotes". */
START_TEST(test_tokenize_unterminated_quote_in_arguments_is_bad_quotes) {
        Tok t;

        tokenize(&t, "Port \"2222");
        ck_assert_int_eq(t.l.kind, SSHD_LINE_BAD_QUOTES);
        ck_assert_str_eq(t.l.keyword, "Port");
        ck_assert_ptr_null(t.l.argv);
        ck_assert_uint_eq(t.l.argc, 0);
        sshd_line_done(&t.l);

        tokenize(&t, "AllowUsers a 'b");
        ck_assert_int_eq(t.l.kind, SSHD_LINE_BAD_QUOTES);
        ck_assert_str_eq(t.l.keyword, "AllowUsers");
        sshd_line_done(&t.l);
}
END_TEST

/* "Port 2222 \": the lone backslash is an argument: sshd says "keyword Port
 * extra arguments at end of line". */
START_TEST(test_tokenize_lone_backslash_is_an_argument) {
        ck_assert_directive("Port 2222 \\", "Port", "[2222][\\]");
}
END_TEST

START_TEST(test_tokenize_tabs_separate_keyword_and_arguments) {
        ck_assert_directive("AllowUsers\ta\t\t\"b\tc\"  #comment here", "AllowUsers", "[a][b\tc]");
}
END_TEST

static Suite *sshdconf_token_suite(void) {
        Suite *s = suite_create("sshdconf-token");
        TCase *tc;

        tc = tcase_create("text_load");
        tcase_add_test(tc, test_text_load_strips_leading_space_tab_cr);
        tcase_add_test(tc, test_text_load_keeps_interior_and_trailing_whitespace);
        tcase_add_test(tc, test_text_load_strips_each_line_separately);
        tcase_add_test(tc, test_text_load_keeps_leading_form_feed);
        tcase_add_test(tc, test_text_load_nul_drops_rest_of_line_and_its_newline);
        tcase_add_test(tc, test_text_load_nul_shifts_later_line_numbers_down_by_one);
        tcase_add_test(tc, test_text_load_nul_line_reports_first_nul_physical_line);
        tcase_add_test(tc, test_text_load_nul_line_counts_physical_lines_before_it);
        tcase_add_test(tc, test_text_load_strips_leading_blanks_of_joined_line);
        tcase_add_test(tc, test_text_load_nul_after_leading_blanks_empties_the_line);
        tcase_add_test(tc, test_text_load_nul_on_last_line_without_newline);
        tcase_add_test(tc, test_text_load_keeps_crlf_line_endings);
        tcase_add_test(tc, test_text_load_without_trailing_newline);
        tcase_add_test(tc, test_text_load_empty_input);
        tcase_add_test(tc, test_text_load_reads_only_len_bytes);
        suite_add_tcase(s, tc);

        tc = tcase_create("strdelim");
        tcase_add_test(tc, test_strdelim_splits_on_whitespace);
        tcase_add_test(tc, test_strdelim_trailing_whitespace_yields_one_empty_token);
        tcase_add_test(tc, test_strdelim_null_input_returns_null);
        tcase_add_test(tc, test_strdelim_single_equals_separates);
        tcase_add_test(tc, test_strdelim_second_equals_starts_empty_token);
        tcase_add_test(tc, test_strdelim_leading_equals_gives_empty_first_token);
        tcase_add_test(tc, test_strdelim_double_quotes_group_words);
        tcase_add_test(tc, test_strdelim_quote_inside_word_joins_and_ends_token);
        tcase_add_test(tc, test_strdelim_single_quotes_are_ordinary);
        tcase_add_test(tc, test_strdelim_unmatched_quote_returns_null);
        suite_add_tcase(s, tc);

        tc = tcase_create("argv_split");
        tcase_add_test(tc, test_argv_split_single_and_double_quotes);
        tcase_add_test(tc, test_argv_split_quoted_parts_join_the_word);
        tcase_add_test(tc, test_argv_split_escapes_outside_quotes);
        tcase_add_test(tc, test_argv_split_escaped_space_at_word_edges);
        tcase_add_test(tc, test_argv_split_escaped_space_inside_quotes_is_kept);
        tcase_add_test(tc, test_argv_split_escaped_quote_inside_quotes);
        tcase_add_test(tc, test_argv_split_trailing_backslash_is_kept);
        tcase_add_test(tc, test_argv_split_hash_at_word_start_ends_line);
        tcase_add_test(tc, test_argv_split_hash_inside_word_is_kept);
        tcase_add_test(tc, test_argv_split_unterminated_quote_is_einval);
        tcase_add_test(tc, test_argv_split_tabs_separate_outside_quotes);
        tcase_add_test(tc, test_argv_split_cr_is_not_a_separator);
        tcase_add_test(tc, test_argv_split_empty_and_blank_give_no_arguments);
        tcase_add_test(tc, test_argv_split_empty_quotes_are_an_argument);
        suite_add_tcase(s, tc);

        tc = tcase_create("line_tokenize");
        tcase_add_test(tc, test_tokenize_comment_lines_are_empty);
        tcase_add_test(tc, test_tokenize_blank_lines_are_empty);
        tcase_add_test(tc, test_tokenize_keyword_only_is_no_argument);
        tcase_add_test(tc, test_tokenize_lone_form_feed_is_a_keyword);
        tcase_add_test(tc, test_tokenize_equals_form);
        tcase_add_test(tc, test_tokenize_second_equals_is_part_of_value);
        tcase_add_test(tc, test_tokenize_leading_equals_is_skipped);
        tcase_add_test(tc, test_tokenize_strips_trailing_whitespace_and_form_feed);
        tcase_add_test(tc, test_tokenize_rest_is_text_after_keyword);
        tcase_add_test(tc, test_tokenize_trailing_comment_is_dropped);
        tcase_add_test(tc, test_tokenize_comment_as_only_argument_leaves_no_arguments);
        tcase_add_test(tc, test_tokenize_quoted_keyword);
        tcase_add_test(tc, test_tokenize_quoted_keyword_does_not_skip_equals);
        tcase_add_test(tc, test_tokenize_quoted_whole_line_is_keyword_without_argument);
        tcase_add_test(tc, test_tokenize_quote_inside_keyword_joins_it);
        tcase_add_test(tc, test_tokenize_unterminated_quote_in_keyword_ignores_line);
        tcase_add_test(tc, test_tokenize_unterminated_quote_in_arguments_is_bad_quotes);
        tcase_add_test(tc, test_tokenize_lone_backslash_is_an_argument);
        tcase_add_test(tc, test_tokenize_tabs_separate_keyword_and_arguments);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(sshdconf_token_suite());
        int failed;

        srunner_run_all(sr, CK_ENV);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed;
}

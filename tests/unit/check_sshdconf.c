/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sshd_config model's semantics, through sshd_config_load() on files in
 * a fresh temporary directory.  Each expectation was checked against
 * OpenSSH 9.2 (`sshd -T -f FILE`): the comment above a test says what sshd
 * printed for the same file ("listenaddress" lines in sshd's order, or its
 * first error line).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "sshdconf.h"
#include "strv.h"

/* --- fixture: one temporary directory per test ------------------------------ */

/* Made by an unchecked fixture, in the process that runs the tests: its
 * teardown removes everything even when a forked test died or failed
 * (which skips the checked teardown). */
static char basedir[PATH_MAX];
/* The test's own directory, inside basedir. */
static char tmpdir[PATH_MAX];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) remove(path);
        return 0;
}

static void remove_tree(char *dir) {
        if (dir[0] != '\0')
                (void) nftw(dir, remove_entry, 64, FTW_DEPTH | FTW_PHYS);
        dir[0] = '\0';
}

static void basedir_setup(void) {
        strcpy(basedir, "/tmp/check-sshdconf-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(basedir));
}

static void basedir_teardown(void) {
        remove_tree(basedir);
}

static void tmpdir_setup(void) {
        int n = snprintf(tmpdir, sizeof(tmpdir), "%s/t-XXXXXX", basedir);

        ck_assert(n > 0 && (size_t) n < sizeof(tmpdir));
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmpdir_teardown(void) {
        remove_tree(tmpdir);
}

static TCase *tcase_with_tmpdir(const char *name) {
        TCase *tc = tcase_create(name);

        tcase_add_unchecked_fixture(tc, basedir_setup, basedir_teardown);
        tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
        return tc;
}

/* NAME inside the temporary directory (a few rotating buffers, so that a
 * test may hold several at once). */
static const char *tpath(const char *name) {
        static char bufs[16][PATH_MAX];
        static unsigned next;
        char *b = bufs[next++ % 16];
        int n = snprintf(b, PATH_MAX, "%s/%s", tmpdir, name);

        ck_assert(n > 0 && n < PATH_MAX);
        return b;
}

/* S with every "@D@" replaced by the temporary directory. */
static char *expand(const char *s) {
        char *out = NULL;
        size_t outlen = 0;
        FILE *f = open_memstream(&out, &outlen);

        ck_assert_ptr_nonnull(f);
        for (const char *p = s; *p;) {
                if (strncmp(p, "@D@", 3) == 0) {
                        fputs(tmpdir, f);
                        p += 3;
                } else
                        fputc(*p++, f);
        }
        ck_assert_int_eq(fclose(f), 0);
        return out;
}

static void mkdirs_for(const char *name) {
        char buf[PATH_MAX];

        strcpy(buf, name);
        for (char *p = strchr(buf, '/'); p; p = strchr(p + 1, '/')) {
                *p = '\0';
                if (mkdir(tpath(buf), 0755) < 0)
                        ck_assert_int_eq(errno, EEXIST);
                *p = '/';
        }
}

static void write_raw(const char *name, const void *data, size_t len) {
        const char *path;
        int fd;

        mkdirs_for(name);
        path = tpath(name);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, data, len), (ssize_t) len);
        ck_assert_int_eq(close(fd), 0);
}

#define WRITE_BYTES(name, lit) write_raw((name), (lit), sizeof(lit) - 1)

/* Writes a text file; "@D@" stands for the temporary directory. */
static void write_conf(const char *name, const char *text) {
        char *t = expand(text);

        write_raw(name, t, strlen(t));
        free(t);
}

static SshdConfig *load_path(const char *path, const SshdConfigOptions *opts) {
        SshdConfig *c = NULL;

        ck_assert_int_eq(sshd_config_load(path, opts, &c), 0);
        ck_assert_ptr_nonnull(c);
        return c;
}

/* Loads NAME with relative Includes taken against the temporary directory. */
static SshdConfig *load_conf(const char *name) {
        SshdConfigOptions o = { .include_base = tmpdir };

        return load_path(tpath(name), &o);
}

/* --- renderings that make whole-model assertions one string compare --------- */

static int compare_strings(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

/* Space-separated words, sorted. */
static char *sorted_words(const char *s) {
        char *copy = strdup(s), *save = NULL, *w, **words = NULL, *out = NULL;
        size_t n = 0, outlen = 0;
        FILE *f;

        ck_assert_ptr_nonnull(copy);
        for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                words = reallocarray(words, n + 1, sizeof(char *));
                ck_assert_ptr_nonnull(words);
                words[n++] = w;
        }
        if (n > 0)
                qsort(words, n, sizeof(char *), compare_strings);
        f = open_memstream(&out, &outlen);
        ck_assert_ptr_nonnull(f);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%s%s", i > 0 ? " " : "", words[i]);
        ck_assert_int_eq(fclose(f), 0);
        free(words);
        free(copy);
        return out;
}

/* The endpoints as `sshd -T` prints them ("[::]:22 0.0.0.0:22"), sorted:
 * the contract is the set sshd binds.  (The order of sshd -T is not that
 * of its binds either: it prints each getaddrinfo() result list reversed.) */
static char *listen_str(const SshdConfig *c) {
        char *out = NULL, *sorted;
        size_t outlen = 0;
        FILE *f = open_memstream(&out, &outlen);

        ck_assert_ptr_nonnull(f);
        for (size_t i = 0; i < c->n_listen; i++) {
                const SshdListen *l = &c->listen[i];
                fprintf(f, l->family == AF_INET6 ? "%s[%s]:%u" : "%s%s:%u", i > 0 ? " " : "", l->address, l->port);
        }
        ck_assert_int_eq(fclose(f), 0);
        sorted = sorted_words(out);
        free(out);
        return sorted;
}

static char *ports_str(const SshdConfig *c) {
        char *out = NULL;
        size_t outlen = 0;
        FILE *f = open_memstream(&out, &outlen);

        ck_assert_ptr_nonnull(f);
        for (size_t i = 0; i < c->n_ports; i++)
                fprintf(f, "%s%u", i > 0 ? " " : "", c->ports[i].port);
        ck_assert_int_eq(fclose(f), 0);
        return out;
}

/* Criteria of the block a directive belongs to, by value. */
static void put_match(FILE *f, const SshdConfig *c, int match) {
        if (match < 0) {
                fputs("global", f);
                return;
        }
        ck_assert_int_lt(match, (int) c->n_matches);
        fputs("Match", f);
        for (char **a = c->matches[match].criteria; *a; a++)
                fprintf(f, " <%s>", *a);
}

/* One line per directive: "Keyword <arg>... [block]", the file and line when
 * WITH_ORIGIN.  With SKIP_STRUCTURE, Include and Match lines are left out
 * (a dump expands the one and may re-open the other) and the directives
 * come in the order sshd's semantics depend on: the global ones in reading
 * order, then the Match blocks' in reading order. */
static char *directives_str(const SshdConfig *c, bool skip_structure, bool with_origin) {
        char *out = NULL;
        size_t outlen = 0;
        FILE *f = open_memstream(&out, &outlen);

        ck_assert_ptr_nonnull(f);
        for (size_t k = 0; k < (skip_structure ? 2 * c->n_directives : c->n_directives); k++) {
                bool second_pass = k >= c->n_directives;
                const SshdDirective *d = &c->directives[second_pass ? k - c->n_directives : k];

                if (skip_structure && (d->keyword->id == SSHD_KW_INCLUDE || d->keyword->id == SSHD_KW_MATCH))
                        continue;
                if (skip_structure && (d->match >= 0) != second_pass)
                        continue;
                ck_assert_uint_eq(strv_length(d->args), d->n_args);
                /* the name stands for the id: one name per id */
                ck_assert_ptr_eq(sshd_keyword_by_id(d->keyword->id), d->keyword);
                ck_assert_ptr_eq(sshd_keyword_lookup(d->keyword->name), d->keyword);
                fputs(d->keyword->name, f);
                for (size_t j = 0; j < d->n_args; j++)
                        fprintf(f, " <%s>", d->args[j]);
                fputs(" [", f);
                put_match(f, c, d->match);
                fputc(']', f);
                if (with_origin)
                        fprintf(f, " %s:%u", d->origin.file ? d->origin.file : "(null)", d->origin.line);
                fputc('\n', f);
        }
        ck_assert_int_eq(fclose(f), 0);
        return out;
}

static char *dump_of(const SshdConfig *c) {
        char *out = NULL;
        size_t outlen = 0;
        FILE *f = open_memstream(&out, &outlen);

        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(sshd_config_dump(c, f), 0);
        ck_assert_int_eq(fclose(f), 0);
        ck_assert_uint_eq(strlen(out), outlen);
        return out;
}

static char *json_of(const SshdConfig *c, size_t *ret_len) {
        char *out = NULL;
        size_t outlen = 0;
        FILE *f = open_memstream(&out, &outlen);

        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(sshd_config_write_json(c, f), 0);
        ck_assert_int_eq(fclose(f), 0);
        *ret_len = outlen;
        return out;
}

/* The listen set is EXPECTED (sshd -T's listenaddress lines, any order). */
#define ck_assert_listen(c, expected)                   \
        do {                                            \
                char *_s = listen_str(c);               \
                char *_e = sorted_words(expected);      \
                ck_assert_str_eq(_s, _e);               \
                free(_s);                               \
                free(_e);                               \
        } while (0)

#define ck_assert_ports(c, expected)                    \
        do {                                            \
                char *_s = ports_str(c);                \
                ck_assert_str_eq(_s, expected);         \
                free(_s);                               \
        } while (0)

/* The model holds exactly one error: MESSAGE at FILE (a name in the
 * temporary directory, or NULL) line LINE. */
static void assert_single_error(const SshdConfig *c, const char *file, unsigned line, const char *message) {
        ck_assert_msg(!c->valid, "expected an invalid configuration");
        ck_assert_uint_eq(c->n_errors, 1);
        ck_assert_str_eq(c->errors[0].message, message);
        if (file)
                ck_assert_str_eq(c->errors[0].file, tpath(file));
        else
                ck_assert_ptr_null(c->errors[0].file);
        ck_assert_uint_eq(c->errors[0].line, line);
        ck_assert_uint_eq(c->n_listen, 0);
}

static void assert_valid(const SshdConfig *c) {
        ck_assert_msg(c->valid && c->n_errors == 0, "expected a valid configuration, first error: %s",
                      c->n_errors > 0 ? c->errors[0].message : "(none)");
}

/* --- a self-contained JSON checker -------------------------------------------- */

typedef struct JsonParser {
        const char *s;
        size_t i, n;
} JsonParser;

static bool jp_value(JsonParser *p, unsigned depth);

static void jp_space(JsonParser *p) {
        while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\r' || p->s[p->i] == '\n'))
                p->i++;
}

static bool jp_accept(JsonParser *p, char c) {
        jp_space(p);
        if (p->i < p->n && p->s[p->i] == c) {
                p->i++;
                return true;
        }
        return false;
}

static bool jp_literal(JsonParser *p, const char *lit) {
        size_t l = strlen(lit);

        if (p->n - p->i < l || memcmp(p->s + p->i, lit, l) != 0)
                return false;
        p->i += l;
        return true;
}

static bool jp_string(JsonParser *p) {
        if (!jp_accept(p, '"'))
                return false;
        while (p->i < p->n) {
                unsigned char c = (unsigned char) p->s[p->i++];

                if (c == '"')
                        return true;
                if (c < 0x20)
                        return false;
                if (c != '\\')
                        continue;
                if (p->i >= p->n)
                        return false;
                c = (unsigned char) p->s[p->i++];
                if (c == 'u') {
                        for (int k = 0; k < 4; k++, p->i++)
                                if (p->i >= p->n || !strchr("0123456789abcdefABCDEF", p->s[p->i]) || p->s[p->i] == '\0')
                                        return false;
                } else if (c == '\0' || !strchr("\"\\/bfnrt", c))
                        return false;
        }
        return false;
}

static size_t jp_digits(JsonParser *p) {
        size_t start = p->i;

        while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
                p->i++;
        return p->i - start;
}

static bool jp_number(JsonParser *p) {
        size_t start;

        if (p->i < p->n && p->s[p->i] == '-')
                p->i++;
        start = p->i;
        if (jp_digits(p) == 0 || (p->s[start] == '0' && p->i - start > 1))
                return false;
        if (p->i < p->n && p->s[p->i] == '.') {
                p->i++;
                if (jp_digits(p) == 0)
                        return false;
        }
        if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
                p->i++;
                if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
                        p->i++;
                if (jp_digits(p) == 0)
                        return false;
        }
        return true;
}

static bool jp_value(JsonParser *p, unsigned depth) {
        if (depth > 100)
                return false;
        jp_space(p);
        if (p->i >= p->n)
                return false;
        switch (p->s[p->i]) {
        case '{':
                p->i++;
                if (jp_accept(p, '}'))
                        return true;
                do {
                        if (!jp_string(p) || !jp_accept(p, ':') || !jp_value(p, depth + 1))
                                return false;
                } while (jp_accept(p, ','));
                return jp_accept(p, '}');
        case '[':
                p->i++;
                if (jp_accept(p, ']'))
                        return true;
                do {
                        if (!jp_value(p, depth + 1))
                                return false;
                } while (jp_accept(p, ','));
                return jp_accept(p, ']');
        case '"':
                return jp_string(p);
        case 't':
                return jp_literal(p, "true");
        case 'f':
                return jp_literal(p, "false");
        case 'n':
                return jp_literal(p, "null");
        default:
                return jp_number(p);
        }
}

/* Exactly one JSON object, nothing but whitespace around it. */
static bool json_is_one_object(const char *s, size_t n) {
        JsonParser p = { .s = s, .n = n };

        jp_space(&p);
        if (p.i >= n || s[p.i] != '{' || !jp_value(&p, 0))
                return false;
        jp_space(&p);
        return p.i == n;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
static bool utf8_is_valid(const char *str, size_t n) {
        const unsigned char *s = (const unsigned char *) str;

        for (size_t i = 0; i < n;) {
                unsigned char c = s[i];
                size_t len;
                uint32_t cp, min;

                if (c < 0x80) {
                        i++;
                        continue;
                }
                if ((c & 0xe0) == 0xc0)
                        len = 2, cp = c & 0x1f, min = 0x80;
                else if ((c & 0xf0) == 0xe0)
                        len = 3, cp = c & 0x0f, min = 0x800;
                else if ((c & 0xf8) == 0xf0)
                        len = 4, cp = c & 0x07, min = 0x10000;
                else
                        return false;
                if (n - i < len)
                        return false;
                for (size_t k = 1; k < len; k++) {
                        if ((s[i + k] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (s[i + k] & 0x3f);
                }
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                i += len;
        }
        return true;
}

START_TEST(test_json_checker_rejects_malformed_documents) {
        /* The checker itself, so that a passing JSON test means something. */
        const char *bad[] = { "", "[]", "{", "{}{}", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":[1 2]}", "{\"a\":01}",
                              "{\"a\":\"\\x\"}", "{\"a\":\"\x01\"}", "{\"a\":tru}", "{a:1}", "{\"a\":-}" };
        const char *good[] = { "{}", " {\"a\":[1,-2.5e3,true,false,null,\"\\u00e9\\n\",{}]}\n" };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(!json_is_one_object(bad[i], strlen(bad[i])), "accepted: %s", bad[i]);
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
                ck_assert_msg(json_is_one_object(good[i], strlen(good[i])), "rejected: %s", good[i]);
        ck_assert(!utf8_is_valid("\xc0\xaf", 2));
        ck_assert(!utf8_is_valid("\xed\xa0\x80", 3));
        ck_assert(!utf8_is_valid("\xf4\x90\x80\x80", 4));
        ck_assert(!utf8_is_valid("\xe2\x82", 2));
        ck_assert(utf8_is_valid("caf\xc3\xa9 \xf0\x9d\x84\x9e", 10));
}
END_TEST

/* --- first value wins ------------------------------------------------------------ */

/* sshd -T: permitrootlogin no, passwordauthentication no. */
START_TEST(test_first_value_wins_permit_root_login_with_origin) {
        SshdConfig *c;

        write_conf("sshd_config", "# first value wins\nPermitRootLogin no\nPermitRootLogin yes\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_int_eq(c->permit_root_login, SSHD_PERMIT_ROOT_NO);
        ck_assert_str_eq(c->permit_root_login_origin.file, tpath("sshd_config"));
        ck_assert_uint_eq(c->permit_root_login_origin.line, 2);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_first_value_wins_password_authentication_with_origin) {
        SshdConfig *c;

        write_conf("sshd_config", "\n\nPasswordAuthentication no\npasswordauthentication yes\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_int_eq(c->password_authentication, 0);
        ck_assert_str_eq(c->password_authentication_origin.file, tpath("sshd_config"));
        ck_assert_uint_eq(c->password_authentication_origin.line, 3);
        sshd_config_free(c);
}
END_TEST

/* An included file read first decides: sshd -T permitrootlogin yes (from
 * 20-b.conf, before 30-c.conf and the main file's "no"). */
START_TEST(test_first_value_wins_across_included_file) {
        SshdConfig *c;

        write_conf("d/20-b.conf", "Port 2002\nPermitRootLogin yes\n");
        write_conf("d/30-c.conf", "PermitRootLogin no\n");
        write_conf("sshd_config", "Include @D@/d/*.conf\nPermitRootLogin no\nPasswordAuthentication no\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_int_eq(c->permit_root_login, SSHD_PERMIT_ROOT_YES);
        ck_assert_str_eq(c->permit_root_login_origin.file, tpath("d/20-b.conf"));
        ck_assert_uint_eq(c->permit_root_login_origin.line, 2);
        ck_assert_int_eq(c->password_authentication, 0);
        ck_assert_str_eq(c->password_authentication_origin.file, tpath("sshd_config"));
        ck_assert_uint_eq(c->password_authentication_origin.line, 3);
        sshd_config_free(c);
}
END_TEST

/* An empty file: sshd -T port 22, listenaddress [::]:22 and 0.0.0.0:22,
 * permitrootlogin without-password, maxstartups 10:30:100,
 * persourcemaxstartups none, addressfamily any. */
START_TEST(test_empty_file_has_sshd_defaults) {
        SshdConfig *c;

        write_conf("sshd_config", "");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_uint_eq(c->n_files, 1);
        ck_assert_str_eq(c->files[0], tpath("sshd_config"));
        ck_assert_str_eq(c->path, tpath("sshd_config"));
        ck_assert_uint_eq(c->n_directives, 0);
        ck_assert_uint_eq(c->n_warnings, 0);
        ck_assert_ports(c, "22");
        ck_assert_ptr_null(c->ports[0].origin.file);
        ck_assert_listen(c, "[::]:22 0.0.0.0:22");
        ck_assert_ptr_null(c->listen[0].origin.file);
        ck_assert_int_eq(c->permit_root_login, SSHD_PERMIT_ROOT_PROHIBIT_PASSWORD);
        ck_assert_ptr_null(c->permit_root_login_origin.file);
        ck_assert_int_eq(c->password_authentication, 1);
        ck_assert_int_eq(c->pubkey_authentication, 1);
        ck_assert_int_eq(c->kbd_interactive_authentication, 1);
        ck_assert_int_eq(c->use_pam, 0);
        ck_assert_int_eq(c->address_family, SSHD_AF_ANY);
        ck_assert_int_eq(c->max_startups.begin, 10);
        ck_assert_int_eq(c->max_startups.rate, 30);
        ck_assert_int_eq(c->max_startups.full, 100);
        ck_assert_ptr_null(c->max_startups.origin.file);
        ck_assert_int_eq(c->per_source_max_startups, -1);
        ck_assert_int_eq(c->per_source_netblock_v4, 32);
        ck_assert_int_eq(c->per_source_netblock_v6, 128);
        sshd_config_free(c);
}
END_TEST

/* --- Port and ListenAddress ----------------------------------------------------- */

/* sshd -T: listenaddress 127.0.0.1:2222, 127.0.0.1:2200, 10.1.2.3:2022,
 * [::1]:2222, [::1]:2200, [fe80::1%lo]:2300, [::2]:2222, [::2]:2200. */
START_TEST(test_ports_and_listen_addresses_add_up) {
        SshdConfig *c;

        write_conf("sshd_config",
                   "Port 2222\n"
                   "ListenAddress 127.0.0.1\n"
                   "Port 2200\n"
                   "ListenAddress 10.1.2.3:2022\n"
                   "ListenAddress ::1\n"
                   "ListenAddress [fe80::1%lo]:2300\n"
                   "ListenAddress [::2]\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_ports(c, "2222 2200");
        ck_assert_uint_eq(c->ports[0].origin.line, 1);
        ck_assert_uint_eq(c->ports[1].origin.line, 3);
        ck_assert_uint_eq(c->n_listen_specs, 5);
        ck_assert_listen(c, "127.0.0.1:2222 127.0.0.1:2200 10.1.2.3:2022 [::1]:2222 [::1]:2200 "
                            "[fe80::1%lo]:2300 [::2]:2222 [::2]:2200");
        ck_assert_uint_eq(c->listen[2].origin.line, 4);
        ck_assert_uint_eq(c->listen[5].origin.line, 6);
        ck_assert_str_eq(c->listen[7].origin.file, tpath("sshd_config"));
        ck_assert_uint_eq(c->listen[7].origin.line, 7);
        sshd_config_free(c);
}
END_TEST

/* sshd -T: listenaddress 127.0.0.1:2222 and 127.0.0.1:2200, both from the
 * ListenAddress line. */
START_TEST(test_listen_address_without_port_applies_to_every_port) {
        SshdConfig *c;

        write_conf("sshd_config", "Port 2222\nPort 2200\nListenAddress 127.0.0.1\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_uint_eq(c->n_listen_specs, 1);
        ck_assert_str_eq(c->listen_specs[0].host, "127.0.0.1");
        ck_assert_uint_eq(c->listen_specs[0].port, 0);
        ck_assert_listen(c, "127.0.0.1:2222 127.0.0.1:2200");
        ck_assert_int_eq(c->listen[0].family, AF_INET);
        ck_assert_uint_eq(c->listen[0].origin.line, 3);
        ck_assert_uint_eq(c->listen[1].origin.line, 3);
        sshd_config_free(c);
}
END_TEST

/* A ListenAddress without ports, a single Port: sshd -T listenaddress
 * 127.0.0.1:22 with the default port. */
START_TEST(test_listen_address_without_port_uses_default_port) {
        SshdConfig *c;

        write_conf("sshd_config", "ListenAddress 127.0.0.1\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_listen(c, "127.0.0.1:22");
        sshd_config_free(c);
}
END_TEST

/* sshd -T: listenaddress 127.0.0.1:2022 only -- its own port, not Port's. */
START_TEST(test_listen_address_with_port_ignores_port_directive) {
        SshdConfig *c;

        write_conf("sshd_config", "Port 2222\nListenAddress 127.0.0.1:2022\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_ports(c, "2222");
        ck_assert_uint_eq(c->listen_specs[0].port, 2022);
        ck_assert_listen(c, "127.0.0.1:2022");
        ck_assert_uint_eq(c->listen[0].origin.line, 2);
        sshd_config_free(c);
}
END_TEST

/* sshd -T: listenaddress [::1]:22, [::2]:2300, [::3]:22. */
START_TEST(test_listen_address_ipv6_bare_and_bracketed) {
        SshdConfig *c;

        write_conf("sshd_config", "ListenAddress ::1\nListenAddress [::2]:2300\nListenAddress [::3]\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_str_eq(c->listen_specs[0].host, "::1");
        ck_assert_uint_eq(c->listen_specs[0].port, 0);
        ck_assert_str_eq(c->listen_specs[1].host, "::2");
        ck_assert_uint_eq(c->listen_specs[1].port, 2300);
        ck_assert_str_eq(c->listen_specs[2].host, "::3");
        ck_assert_uint_eq(c->listen_specs[2].port, 0);
        ck_assert_listen(c, "[::1]:22 [::2]:2300 [::3]:22");
        for (size_t i = 0; i < c->n_listen; i++)
                ck_assert_int_eq(c->listen[i].family, AF_INET6);
        ck_assert_str_eq(c->listen[0].address, "::1");
        sshd_config_free(c);
}
END_TEST

/* sshd -T: addressfamily inet, listenaddress 0.0.0.0:2222 only. */
START_TEST(test_address_family_inet_restricts_wildcard_to_ipv4) {
        SshdConfig *c;

        write_conf("sshd_config", "AddressFamily inet\nPort 2222\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_int_eq(c->address_family, SSHD_AF_INET);
        ck_assert_uint_eq(c->address_family_origin.line, 1);
        ck_assert_listen(c, "0.0.0.0:2222");
        ck_assert_uint_eq(c->listen[0].origin.line, 2);
        sshd_config_free(c);
}
END_TEST

/* sshd -T: addressfamily inet6, listenaddress [::]:22 only. */
START_TEST(test_address_family_inet6_restricts_wildcard_to_ipv6) {
        SshdConfig *c;

        write_conf("sshd_config", "AddressFamily inet6\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_int_eq(c->address_family, SSHD_AF_INET6);
        ck_assert_listen(c, "[::]:22");
        sshd_config_free(c);
}
END_TEST

/* sshd: "bad addr or host: ::1 (Address family for hostname not
 * supported)", without a file and line; the model keeps the ListenAddress
 * line as evidence. */
START_TEST(test_address_family_inet_rejects_ipv6_listen_address) {
        SshdConfig *c;

        write_conf("sshd_config", "AddressFamily inet\nListenAddress ::1\n");
        c = load_conf("sshd_config");
        assert_single_error(c, "sshd_config", 2, "bad addr or host: ::1 (Address family for hostname not supported)");
        sshd_config_free(c);
}
END_TEST

/* --- MaxStartups, PerSourceMaxStartups ---------------------------------------- */

/* sshd -T: maxstartups 20:40:80 -- sshd stores every MaxStartups. */
START_TEST(test_max_startups_last_value_wins) {
        SshdConfig *c;

        write_conf("sshd_config", "MaxStartups 5:50:60\nMaxStartups 20:40:80\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_int_eq(c->max_startups.begin, 20);
        ck_assert_int_eq(c->max_startups.rate, 40);
        ck_assert_int_eq(c->max_startups.full, 80);
        ck_assert_str_eq(c->max_startups.origin.file, tpath("sshd_config"));
        ck_assert_uint_eq(c->max_startups.origin.line, 2);
        sshd_config_free(c);
}
END_TEST

/* sshd -T: maxstartups 8:50:8 -- a single number sets begin and full and
 * leaves the rate of the previous line. */
START_TEST(test_max_startups_single_number_keeps_previous_rate) {
        SshdConfig *c;

        write_conf("sshd_config", "MaxStartups 5:50:60\nMaxStartups 8\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_int_eq(c->max_startups.begin, 8);
        ck_assert_int_eq(c->max_startups.rate, 50);
        ck_assert_int_eq(c->max_startups.full, 8);
        ck_assert_uint_eq(c->max_startups.origin.line, 2);
        sshd_config_free(c);
}
END_TEST

/* sshd: "line 1: Invalid MaxStartups spec." for begin > full. */
START_TEST(test_max_startups_begin_above_full_is_an_error) {
        SshdConfig *c;

        write_conf("sshd_config", "MaxStartups 50:30:10\n");
        c = load_conf("sshd_config");
        assert_single_error(c, "sshd_config", 1, "Invalid MaxStartups spec.");
        sshd_config_free(c);
}
END_TEST

/* sshd -T: persourcemaxstartups 7 (5 then 7), none (5 then none). */
START_TEST(test_per_source_max_startups_last_value_wins) {
        SshdConfig *c;

        write_conf("sshd_config", "PerSourceMaxStartups 5\nPerSourceMaxStartups 7\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_int_eq(c->per_source_max_startups, 7);
        ck_assert_uint_eq(c->per_source_max_startups_origin.line, 2);
        sshd_config_free(c);

        write_conf("sshd_config", "PerSourceMaxStartups 5\nPerSourceMaxStartups none\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_int_eq(c->per_source_max_startups, -1);
        ck_assert_uint_eq(c->per_source_max_startups_origin.line, 2);
        sshd_config_free(c);
}
END_TEST

/* --- keywords ------------------------------------------------------------------- */

/* sshd -T: port 2222, listenaddress 127.0.0.1:2222, permitrootlogin no. */
START_TEST(test_keywords_and_flag_values_are_case_insensitive) {
        SshdConfig *c;

        write_conf("sshd_config", "pOrT 2222\nlistenADDRESS 127.0.0.1\nPERMITROOTLOGIN No\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_uint_eq(c->n_directives, 3);
        ck_assert_int_eq(c->directives[0].keyword->id, SSHD_KW_PORT);
        ck_assert_str_eq(c->directives[0].keyword->name, "Port");
        ck_assert_int_eq(c->directives[1].keyword->id, SSHD_KW_LISTEN_ADDRESS);
        ck_assert_int_eq(c->permit_root_login, SSHD_PERMIT_ROOT_NO);
        ck_assert_listen(c, "127.0.0.1:2222");
        sshd_config_free(c);
}
END_TEST

/* sshd: "FILE: line 1: Bad configuration option: Bogus". */
START_TEST(test_unknown_keyword_is_bad_configuration_option) {
        SshdConfig *c;

        write_conf("sshd_config", "Bogus yes\n");
        c = load_conf("sshd_config");
        assert_single_error(c, "sshd_config", 1, "Bad configuration option: Bogus");
        sshd_config_free(c);
}
END_TEST

/* sshd: "line 1: keyword Port extra arguments at end of line". */
START_TEST(test_extra_arguments_are_an_error) {
        SshdConfig *c;

        write_conf("sshd_config", "Port 2222 2200\n");
        c = load_conf("sshd_config");
        assert_single_error(c, "sshd_config", 1, "keyword Port extra arguments at end of line");
        sshd_config_free(c);
}
END_TEST

/* sshd: "line 1: Badly formatted port number." for each of them. */
START_TEST(test_bad_port_numbers_are_rejected) {
        const char *ports[] = { "0", "65536", "abc", "-1", "0x16", "22x", "99999999999999999999" };

        for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
                char text[64];
                SshdConfig *c;

                snprintf(text, sizeof(text), "Port %s\n", ports[i]);
                write_conf("sshd_config", text);
                c = load_conf("sshd_config");
                assert_single_error(c, "sshd_config", 1, "Badly formatted port number.");
                sshd_config_free(c);
        }
}
END_TEST

/* sshd: `Port ""`: "line 1: missing port number."; `Port`: `no argument
 * after keyword "Port"`. */
START_TEST(test_missing_port_number_messages) {
        SshdConfig *c;

        write_conf("sshd_config", "Port \"\"\n");
        c = load_conf("sshd_config");
        assert_single_error(c, "sshd_config", 1, "missing port number.");
        sshd_config_free(c);

        write_conf("sshd_config", "Port\n");
        c = load_conf("sshd_config");
        assert_single_error(c, "sshd_config", 1, "no argument after keyword \"Port\"");
        sshd_config_free(c);
}
END_TEST

/* sshd -T: port 22 for "Port ssh" (/etc/services) and for "Port 022". */
START_TEST(test_port_service_name_and_leading_zero) {
        SshdConfig *c;

        write_conf("sshd_config", "Port ssh\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_ports(c, "22");
        ck_assert_uint_eq(c->ports[0].origin.line, 1);
        sshd_config_free(c);

        write_conf("sshd_config", "Port 022\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_ports(c, "22");
        sshd_config_free(c);
}
END_TEST

/* --- Match ------------------------------------------------------------------------ */

/* The block lasts to EOF: sshd: "line 4: Directive 'Port' is not allowed
 * within a Match block". */
START_TEST(test_match_block_lasts_to_eof_port_not_allowed) {
        SshdConfig *c;

        write_conf("sshd_config", "PermitRootLogin no\nMatch User bob\n\tX11Forwarding yes\n\n# still in the block\nPort 2222\n");
        c = load_conf("sshd_config");
        assert_single_error(c, "sshd_config", 6, "Directive 'Port' is not allowed within a Match block");
        sshd_config_free(c);
}
END_TEST

START_TEST(test_match_block_lasts_until_next_match) {
        SshdConfig *c;
        char *s;

        write_conf("sshd_config",
                   "Match User bob\n"
                   "\tX11Forwarding yes\n"
                   "Match Address 10.0.0.0/8\n"
                   "\tPasswordAuthentication no\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_uint_eq(c->n_matches, 2);
        ck_assert_uint_eq(c->matches[1].origin.line, 3);
        ck_assert(!c->matches[0].all);
        s = directives_str(c, false, false);
        ck_assert_str_eq(s, "Match <User> <bob> [Match <User> <bob>]\n"
                            "X11Forwarding <yes> [Match <User> <bob>]\n"
                            "Match <Address> <10.0.0.0/8> [Match <Address> <10.0.0.0/8>]\n"
                            "PasswordAuthentication <no> [Match <Address> <10.0.0.0/8>]\n");
        free(s);
        /* sshd -T: passwordauthentication yes -- the block is not global. */
        ck_assert_int_eq(c->password_authentication, 1);
        ck_assert_ptr_null(c->password_authentication_origin.file);
        sshd_config_free(c);
}
END_TEST

/* sshd -T: port 2222, permitrootlogin yes: after "Match all" directives
 * apply to every connection, global-only keywords included. */
START_TEST(test_match_all_makes_following_directives_global) {
        SshdConfig *c;

        write_conf("sshd_config", "Match User bob\n\tX11Forwarding yes\nMatch all\nPort 2222\nPermitRootLogin yes\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_uint_eq(c->n_matches, 2);
        ck_assert(c->matches[1].all);
        ck_assert_int_eq(c->directives[3].keyword->id, SSHD_KW_PORT);
        ck_assert_int_eq(c->directives[3].match, 1);
        ck_assert(sshd_directive_applies_always(c, &c->directives[3]));
        ck_assert(!sshd_directive_applies_always(c, &c->directives[1]));
        ck_assert_ports(c, "2222");
        ck_assert_listen(c, "[::]:2222 0.0.0.0:2222");
        ck_assert_int_eq(c->permit_root_login, SSHD_PERMIT_ROOT_YES);
        ck_assert_uint_eq(c->permit_root_login_origin.line, 5);
        sshd_config_free(c);
}
END_TEST

/* sshd -T: permitrootlogin no -- the value inside "Match User bob" applies
 * to bob only; the first global one is after "Match all". */
START_TEST(test_value_inside_match_does_not_count_as_first) {
        SshdConfig *c;

        write_conf("sshd_config", "Match User bob\n\tPermitRootLogin yes\nMatch all\nPermitRootLogin no\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_int_eq(c->permit_root_login, SSHD_PERMIT_ROOT_NO);
        ck_assert_uint_eq(c->permit_root_login_origin.line, 4);
        sshd_config_free(c);
}
END_TEST

/* sshd -T (and sshd -T -C user=alice,host=h,addr=192.0.2.1): permitrootlogin
 * yes, passwordauthentication yes.  For every connection sshd re-reads the
 * file with only matching Match blocks active and copies what they set over
 * the global values (servconf.c parse_server_match_config() and
 * copy_set_server_options()); "Match all" always matches, so its values
 * override the earlier global ones: first value wins only within each
 * phase. */
START_TEST(test_match_all_value_overrides_earlier_global_value) {
        SshdConfig *c;

        write_conf("sshd_config",
                   "PermitRootLogin no\n"
                   "PasswordAuthentication no\n"
                   "Match all\n"
                   "PermitRootLogin yes\n"
                   "PasswordAuthentication yes\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_int_eq(c->permit_root_login, SSHD_PERMIT_ROOT_YES);
        ck_assert_uint_eq(c->permit_root_login_origin.line, 4);
        ck_assert_int_eq(c->password_authentication, 1);
        ck_assert_uint_eq(c->password_authentication_origin.line, 5);
        sshd_config_free(c);
}
END_TEST

/* sshd: "'all' cannot be combined with other Match attributes" (no file
 * or line), then "line 1: Bad Match condition".  The first error that
 * names FILE line N comes first, as sshd's first located error. */
START_TEST(test_match_all_combined_is_an_error) {
        SshdConfig *c;

        write_conf("sshd_config", "Match all User bob\n\tX11Forwarding yes\n");
        c = load_conf("sshd_config");
        ck_assert(!c->valid);
        ck_assert_uint_eq(c->n_errors, 2);
        ck_assert_str_eq(c->errors[0].message, "Bad Match condition");
        ck_assert_str_eq(c->errors[0].file, tpath("sshd_config"));
        ck_assert_uint_eq(c->errors[0].line, 1);
        ck_assert_str_eq(c->errors[1].message, "'all' cannot be combined with other Match attributes");
        sshd_config_free(c);
}
END_TEST

/* --- Include ---------------------------------------------------------------------- */

/* sshd -T: port 2001 2002 2003 2004 in that order, permitrootlogin yes. */
START_TEST(test_include_glob_reads_files_in_sorted_order) {
        SshdConfig *c;
        char *s, *expected;

        /* Written out of order: the order must come from the sort. */
        write_conf("d/30-c.conf", "Port 2003\nPermitRootLogin no\n");
        write_conf("d/10-a.conf", "Port 2001\n");
        write_conf("d/20-b.conf", "Port 2002\nPermitRootLogin yes\n");
        write_conf("sshd_config", "Include @D@/d/*.conf\nInclude @D@/nothing/*.conf\nPort 2004\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_uint_eq(c->n_files, 4);
        ck_assert_str_eq(c->files[0], tpath("sshd_config"));
        ck_assert_str_eq(c->files[1], tpath("d/10-a.conf"));
        ck_assert_str_eq(c->files[2], tpath("d/20-b.conf"));
        ck_assert_str_eq(c->files[3], tpath("d/30-c.conf"));
        s = directives_str(c, false, true);
        expected = expand("Include <@D@/d/*.conf> [global] @D@/sshd_config:1\n"
                          "Port <2001> [global] @D@/d/10-a.conf:1\n"
                          "Port <2002> [global] @D@/d/20-b.conf:1\n"
                          "PermitRootLogin <yes> [global] @D@/d/20-b.conf:2\n"
                          "Port <2003> [global] @D@/d/30-c.conf:1\n"
                          "PermitRootLogin <no> [global] @D@/d/30-c.conf:2\n"
                          "Include <@D@/nothing/*.conf> [global] @D@/sshd_config:2\n"
                          "Port <2004> [global] @D@/sshd_config:3\n");
        ck_assert_str_eq(s, expected);
        ck_assert_ports(c, "2001 2002 2003 2004");
        ck_assert_listen(c, "[::]:2001 0.0.0.0:2001 [::]:2002 0.0.0.0:2002 [::]:2003 0.0.0.0:2003 "
                            "[::]:2004 0.0.0.0:2004");
        ck_assert_int_eq(c->permit_root_login, SSHD_PERMIT_ROOT_YES);
        free(s);
        free(expected);
        sshd_config_free(c);
}
END_TEST

/* sshd -T: valid, port 22: a pattern that matches nothing is not an error. */
START_TEST(test_include_glob_matching_nothing_is_fine) {
        SshdConfig *c;

        write_conf("sshd_config", "Include @D@/none/*.conf\nInclude @D@/missing.conf\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_uint_eq(c->n_warnings, 0);
        ck_assert_uint_eq(c->n_files, 1);
        ck_assert_uint_eq(c->n_directives, 2);
        ck_assert_listen(c, "[::]:22 0.0.0.0:22");
        sshd_config_free(c);
}
END_TEST

/* sshd: "@D@/e/port.conf line 1: Directive 'Port' is not allowed within a
 * Match block". */
START_TEST(test_include_inside_match_rejects_global_keyword) {
        SshdConfig *c;

        write_conf("e/port.conf", "Port 2222\n");
        write_conf("sshd_config", "Match User bob\n\tInclude @D@/e/port.conf\n");
        c = load_conf("sshd_config");
        assert_single_error(c, "e/port.conf", 1, "Directive 'Port' is not allowed within a Match block");
        sshd_config_free(c);
}
END_TEST

/* sshd: "sshd_config line 4: Directive 'Port' is not allowed within a Match
 * block": after the Include the main file is still in its Match block. */
START_TEST(test_include_inside_match_returns_to_the_match_block) {
        SshdConfig *c;

        write_conf("e/x11.conf", "X11Forwarding yes\n");
        write_conf("sshd_config", "Match User bob\n\tInclude @D@/e/x11.conf\n\tPermitRootLogin yes\nPort 2300\n");
        c = load_conf("sshd_config");
        assert_single_error(c, "sshd_config", 4, "Directive 'Port' is not allowed within a Match block");
        sshd_config_free(c);
}
END_TEST

/* sshd -T: x11forwarding no, permitrootlogin without-password: what the
 * included file says applies inside the block only. */
START_TEST(test_include_inside_match_belongs_to_the_block) {
        SshdConfig *c;
        char *s, *expected;

        write_conf("e/x11.conf", "X11Forwarding yes\n");
        write_conf("sshd_config", "Match User bob\n\tInclude @D@/e/x11.conf\n\tPermitRootLogin yes\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        s = directives_str(c, false, true);
        expected = expand("Match <User> <bob> [Match <User> <bob>] @D@/sshd_config:1\n"
                          "Include <@D@/e/x11.conf> [Match <User> <bob>] @D@/sshd_config:2\n"
                          "X11Forwarding <yes> [Match <User> <bob>] @D@/e/x11.conf:1\n"
                          "PermitRootLogin <yes> [Match <User> <bob>] @D@/sshd_config:3\n");
        ck_assert_str_eq(s, expected);
        ck_assert_int_eq(c->permit_root_login, SSHD_PERMIT_ROOT_PROHIBIT_PASSWORD);
        ck_assert_ptr_null(sshd_config_get(c, SSHD_KW_X11_FORWARDING));
        free(s);
        free(expected);
        sshd_config_free(c);
}
END_TEST

/* sshd: "Too many recursive configuration includes" (no file, no line). */
START_TEST(test_include_recursion_is_an_error) {
        SshdConfig *c;

        write_conf("self.conf", "Include @D@/self.conf\n");
        c = load_conf("self.conf");
        assert_single_error(c, NULL, 0, "Too many recursive configuration includes");
        sshd_config_free(c);
}
END_TEST

/* sshd resolves a relative Include against /etc/ssh; the model against
 * include_base. */
START_TEST(test_include_relative_path_uses_include_base) {
        SshdConfig *c;

        write_conf("rel/port.conf", "Port 2222\n");
        write_conf("sshd_config", "Include rel/*.conf\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_uint_eq(c->n_files, 2);
        ck_assert_str_eq(c->files[1], tpath("rel/port.conf"));
        ck_assert_ports(c, "2222");
        ck_assert_str_eq(c->ports[0].origin.file, tpath("rel/port.conf"));
        sshd_config_free(c);
}
END_TEST

/* Without include_base it is /etc/ssh, as for sshd: nothing matches there. */
START_TEST(test_include_relative_path_defaults_to_etc_ssh) {
        SshdConfig *c;

        write_conf("rel/port.conf", "Port 2222\n");
        write_conf("sshd_config", "Include rel/*.conf\n");
        c = load_path(tpath("sshd_config"), NULL);
        assert_valid(c);
        ck_assert_uint_eq(c->n_files, 1);
        ck_assert_ports(c, "22");
        sshd_config_free(c);
}
END_TEST

/* sshd: "line 1: no argument after keyword "Include"". */
START_TEST(test_include_without_argument_is_an_error) {
        SshdConfig *c;

        write_conf("sshd_config", "Include\n");
        c = load_conf("sshd_config");
        assert_single_error(c, "sshd_config", 1, "no argument after keyword \"Include\"");
        sshd_config_free(c);
}
END_TEST

/* sshd blocks reading a FIFO; the model refuses it at once. */
START_TEST(test_include_of_fifo_does_not_block) {
        SshdConfig *c;
        char *msg;

        ck_assert_int_eq(mkdir(tpath("f"), 0755), 0);
        ck_assert_int_eq(mkfifo(tpath("f/pipe.conf"), 0644), 0);
        write_conf("sshd_config", "Include @D@/f/*.conf\n");
        c = load_conf("sshd_config");
        msg = expand("@D@/f/pipe.conf: not a regular file");
        ck_assert(!c->valid);
        ck_assert_uint_eq(c->n_errors, 1);
        ck_assert_str_eq(c->errors[0].message, msg);
        free(msg);
        sshd_config_free(c);
}
END_TEST

/* --- NUL bytes ---------------------------------------------------------------------- */

/* sshd -T: port 2222 and 2200: the joined blank line is harmless.  The
 * model warns about the NUL with its physical line. */
START_TEST(test_nul_byte_is_a_warning_when_harmless) {
        SshdConfig *c;

        WRITE_BYTES("sshd_config", "# comment\nPort 2222\0junk\n\nPort 2200\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_ports(c, "2222 2200");
        ck_assert_uint_eq(c->ports[1].origin.line, 3);
        ck_assert_uint_eq(c->n_warnings, 1);
        ck_assert_str_eq(c->warnings[0].file, tpath("sshd_config"));
        ck_assert_uint_eq(c->warnings[0].line, 2);
        ck_assert_str_eq(c->warnings[0].message,
                         "NUL byte: sshd ignores the rest of this line and joins the next line to it");
        sshd_config_free(c);
}
END_TEST

/* sshd: "line 1: Badly formatted port number." (it reads "Port 2222Port
 * 2200"). */
START_TEST(test_nul_byte_joins_next_line) {
        SshdConfig *c;

        WRITE_BYTES("sshd_config", "Port 2222\0junk\nPort 2200\n");
        c = load_conf("sshd_config");
        assert_single_error(c, "sshd_config", 1, "Badly formatted port number.");
        ck_assert_uint_eq(c->n_warnings, 1);
        ck_assert_uint_eq(c->warnings[0].line, 1);
        sshd_config_free(c);
}
END_TEST

/* sshd: "FILE: line 4: Bad configuration option: BogusKeyword" for the
 * file's fifth line. */
START_TEST(test_nul_byte_shifts_error_line_numbers) {
        SshdConfig *c;

        WRITE_BYTES("sshd_config", "Port 2222\0junk\n\nPort 2200\n\nBogusKeyword yes\n");
        c = load_conf("sshd_config");
        assert_single_error(c, "sshd_config", 4, "Bad configuration option: BogusKeyword");
        sshd_config_free(c);
}
END_TEST

/* --- errors: order and shape ---------------------------------------------------- */

/* sshd prints, in this order: "line 1: Bad configuration option: Bogus1",
 * "line 2: ... Bogus2", "line 3: keyword Port extra arguments at end of
 * line", "line 4: Badly formatted port number." and stops there. */
START_TEST(test_errors_are_recorded_in_sshd_order) {
        SshdConfig *c;
        const char *expected[] = {
                "Bad configuration option: Bogus1",
                "Bad configuration option: Bogus2",
                "keyword Port extra arguments at end of line",
                "Badly formatted port number.",
        };

        write_conf("sshd_config", "Bogus1 x\nBogus2 y\nPort 2222 2200\nPort 0\nBogus3\n");
        c = load_conf("sshd_config");
        ck_assert(!c->valid);
        ck_assert_uint_eq(c->n_errors, 4);
        for (unsigned i = 0; i < 4; i++) {
                ck_assert_str_eq(c->errors[i].message, expected[i]);
                ck_assert_str_eq(c->errors[i].file, tpath("sshd_config"));
                ck_assert_uint_eq(c->errors[i].line, i + 1);
        }
        ck_assert_uint_eq(c->n_listen, 0);
        sshd_config_free(c);
}
END_TEST

/* sshd: "line 1: Bad configuration option: Bogus" then "line 2: Badly
 * formatted port number.": the first one is what sshd shows first. */
START_TEST(test_first_error_is_the_first_sshd_prints) {
        SshdConfig *c;

        write_conf("sshd_config", "Bogus yes\nPort 0\n");
        c = load_conf("sshd_config");
        ck_assert(!c->valid);
        ck_assert_uint_eq(c->n_errors, 2);
        ck_assert_str_eq(c->errors[0].message, "Bad configuration option: Bogus");
        ck_assert_uint_eq(c->errors[0].line, 1);
        ck_assert_str_eq(c->errors[1].message, "Badly formatted port number.");
        ck_assert_uint_eq(c->errors[1].line, 2);
        sshd_config_free(c);
}
END_TEST

/* --- sshd_config_get ----------------------------------------------------------------- */

START_TEST(test_get_returns_first_global_directive) {
        SshdConfig *c;
        const SshdDirective *d;

        write_conf("sshd_config",
                   "Match User bob\n"
                   "\tPermitRootLogin yes\n"
                   "\tX11Forwarding yes\n"
                   "Match all\n"
                   "PermitRootLogin no\n"
                   "PermitRootLogin prohibit-password\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        d = sshd_config_get(c, SSHD_KW_PERMIT_ROOT_LOGIN);
        ck_assert_ptr_nonnull(d);
        ck_assert_uint_eq(d->n_args, 1);
        ck_assert_str_eq(d->args[0], "no");
        ck_assert_ptr_null(d->args[1]);
        ck_assert_uint_eq(d->origin.line, 5);
        /* in the "Match all" block, which applies to every connection */
        ck_assert_int_eq(d->match, 1);
        ck_assert(c->matches[1].all);
        ck_assert(sshd_directive_applies_always(c, d));
        ck_assert_ptr_null(sshd_config_get(c, SSHD_KW_X11_FORWARDING));
        ck_assert_ptr_null(sshd_config_get(c, SSHD_KW_PORT));
        sshd_config_free(c);
}
END_TEST

/* --- RekeyLimit: scan_scaled() ------------------------------------------------------- */

typedef struct RekeyCase {
        const char *arg;
        const char *error;      /* NULL: sshd -T accepts it */
} RekeyCase;

/* Each answer is what `sshd -T` (OpenSSH 9.2, Debian 12) says about
 * "RekeyLimit ARG".  The first three are the reproducers of an outside
 * fuzzing run (../shared/fuzz-findings/sshdconf-rekeylimit-float-cast-
 * overflow): the model cast a strtod() result to long long, undefined for
 * 1e300, NaN and infinity, and accepted exponents and hex that sshd's
 * scan_scaled() refuses. */
static const RekeyCase rekey_cases[] = {
        { "1e300", "Bad RekeyLimit number '1e300': Invalid argument" },
        { "nan", "Bad RekeyLimit number 'nan': Invalid argument" },
        { "inf", "Bad RekeyLimit number 'inf': Invalid argument" },
        { "1e3", "Bad RekeyLimit number '1e3': Invalid argument" },
        { "0x20", "Bad RekeyLimit number '0x20': Invalid argument" },
        { "1Kb", "Bad RekeyLimit number '1Kb': Invalid argument" },
        { "1.2.3", "Bad RekeyLimit number '1.2.3': Invalid argument" },
        { "--5", "Bad RekeyLimit number '--5': Invalid argument" },
        { "1%", "Bad RekeyLimit number '1%': Invalid argument" },
        { "000000000000000000001", "Bad RekeyLimit number '000000000000000000001': Numerical result out of range" },
        { "9223372036854775808", "Bad RekeyLimit number '9223372036854775808': Numerical result out of range" },
        { "8E", "Bad RekeyLimit number '8E': Numerical result out of range" },
        { "9007199254740992K", "Bad RekeyLimit number '9007199254740992K': Numerical result out of range" },
        { "1.9999999999999999999999E", "Bad RekeyLimit number '1.9999999999999999999999E': Numerical result out of range" },
        { "15", "RekeyLimit too small" },
        { "15.9", "RekeyLimit too small" },
        { "1B", "RekeyLimit too small" },
        { "-5", "RekeyLimit too small" },
        { "-8E", "RekeyLimit too small" },
        { "-0.999999999999999999K", "RekeyLimit too small" },
        { "00000000000000000001", "RekeyLimit too small" },
        { "16", NULL },
        { "1K", NULL },
        { "1k", NULL },
        { "1.5K", NULL },
        { ".1K", NULL },
        { "+5K", NULL },
        { " 5K", NULL },
        { "1K-", NULL },
        { "1e", NULL },                 /* 1 EiB */
        { "7.5E", NULL },
        { "9223372036854775807", NULL },
        { "9007199254740991.99999K", NULL },
        { "0", NULL },
        { "-0", NULL },
        { "+", NULL },
        { ".", NULL },
        { "default", NULL },
};

START_TEST(test_rekey_limit_number_is_read_as_scan_scaled_does) {
        const RekeyCase *rc = &rekey_cases[_i];
        char text[128];
        SshdConfig *c;

        snprintf(text, sizeof(text), "RekeyLimit \"%s\" 1h\n", rc->arg);
        write_conf("sshd_config", text);
        c = load_conf("sshd_config");
        if (rc->error)
                assert_single_error(c, "sshd_config", 1, rc->error);
        else
                assert_valid(c);
        sshd_config_free(c);
}
END_TEST

/* The reproducer's exact bytes. */
START_TEST(test_rekey_limit_float_cast_overflow_reproducer) {
        SshdConfig *c;

        write_raw("sshd_config", "RekeyLimit 1e300\n", 17);
        c = load_conf("sshd_config");
        assert_single_error(c, "sshd_config", 1, "Bad RekeyLimit number '1e300': Invalid argument");
        sshd_config_free(c);
}
END_TEST

/* --- algorithm lists: Debian's GSSAPI key exchange, assembly ------------------------ */

static const char *const gss_kex_names[] = {
        "gss-gex-sha1-", "gss-group1-sha1-", "gss-group14-sha1-", "gss-group14-sha256-",
        "gss-group16-sha512-", "gss-nistp256-sha256-", "gss-curve25519-sha256-",
};

/* sshd -T on Debian 12 accepts each of the seven GSSAPI method prefixes in
 * KexAlgorithms, with and without +, - and ^, and with an OID hash after
 * it; GSSAPIKexAlgorithms takes them plain. */
START_TEST(test_kex_algorithms_accept_every_gssapi_prefix) {
        static const char *const modifiers[] = { "", "+", "-", "^" };
        const char *name = gss_kex_names[_i];
        SshdConfig *c;

        for (size_t m = 0; m < ELEMENTSOF(modifiers); m++) {
                char text[256];

                snprintf(text, sizeof(text),
                         "KexAlgorithms %s%s,curve25519-sha256\n"
                         "KexAlgorithms %s%stoWM5Slw5Ew8Mqkay+al2g==\n"
                         "GSSAPIKexAlgorithms %s,%sx\n",
                         modifiers[m], name, modifiers[m], name, name, name);
                write_conf("sshd_config", text);
                c = load_conf("sshd_config");
                assert_valid(c);
                sshd_config_free(c);
        }
}
END_TEST

typedef struct AlgorithmCase {
        const char *text;
        const char *file_error;         /* "FILE line 1: ..." */
        const char *error;              /* an error sshd prints without a file */
} AlgorithmCase;

/* Each as sshd -T (Debian 12) answers it. */
static const AlgorithmCase algorithm_cases[] = {
        { "KexAlgorithms gss-foo-,curve25519-sha256\n",
          "Bad SSH2 KexAlgorithms 'gss-foo-,curve25519-sha256'.", NULL },
        { "KexAlgorithms curve25519-sha256,gss-curve25519-sha256\n",
          "Bad SSH2 KexAlgorithms 'curve25519-sha256,gss-curve25519-sha256'.", NULL },
        { "KexAlgorithms +GSS-group1-sha1-\n", "Bad SSH2 KexAlgorithms '+GSS-group1-sha1-'.", NULL },
        { "KexAlgorithms gss-*\n", "Bad SSH2 KexAlgorithms 'gss-*'.", NULL },
        { "KexAlgorithms -gss-foo-\n", NULL, NULL },
        { "GSSAPIKexAlgorithms +gss-gex-sha1-\n", "Bad GSSAPI KexAlgorithms '+gss-gex-sha1-'.", NULL },
        { "GSSAPIKexAlgorithms gss-gex-sha1-,curve25519-sha256\n",
          "Bad GSSAPI KexAlgorithms 'gss-gex-sha1-,curve25519-sha256'.", NULL },
        { "GSSAPIKexAlgorithms gss-gex-sha1-,,junk\n", NULL, NULL },
        { "GSSAPIKexAlgorithms #none\n", "Missing argument.", NULL },
        { "KexAlgorithms +\n", "Bad SSH2 KexAlgorithms '+'.", NULL },
        { "Ciphers ^\n", "Bad SSH2 cipher spec '^'.", NULL },
        { "HostKeyAlgorithms +\n", "Bad key types '+'.", NULL },
        /* what sshd assembles once the file is read */
        { "KexAlgorithms gss-curve25519-sha256-,gss-group16-sha512-\n", NULL,
          "assemble_algorithms: kex_algorithms: invalid argument" },
        { "KexAlgorithms +gss-curve25519-sha256-\n", NULL, NULL },
        { "Ciphers ,bogus\n", NULL, "assemble_algorithms: ciphers: invalid argument" },
        { "Ciphers ,aes*\n", NULL, NULL },
        { "KexAlgorithms ,x\nMACs ,y\n", NULL, "assemble_algorithms: macs: invalid argument" },
        { "HostKeyAlgorithms ssh-ed25519,!ssh-dss\n", NULL,
          "assemble_algorithms: hostkeyalgorithms: invalid argument" },
        { "HostKeyAlgorithms +!ssh-dss\n", NULL, "assemble_algorithms: hostkeyalgorithms: invalid argument" },
        { "HostKeyAlgorithms -!ssh-dss\n", NULL, NULL },
        { "CASignatureAlgorithms ssh-ed25519-cert-v01@openssh.com\n", NULL,
          "assemble_algorithms: ca_sign_algorithms: invalid argument" },
        { "PubkeyAcceptedAlgorithms ssh-ed25519\nMatch all\nPubkeyAcceptedAlgorithms ,x\n", NULL,
          "assemble_algorithms: pubkey_accepted_algos: invalid argument" },
        { "PubkeyAcceptedKeyTypes ,x\nMatch all\nPubkeyAcceptedAlgorithms ssh-ed25519\n", NULL,
          "assemble_algorithms: pubkey_accepted_algos: invalid argument" },
        { "Match User bob\n\tPubkeyAcceptedAlgorithms ,x\n", NULL, NULL },
};

START_TEST(test_algorithm_lists_are_checked_and_assembled_as_sshd_does) {
        const AlgorithmCase *ac = &algorithm_cases[_i];
        SshdConfig *c;

        write_conf("sshd_config", ac->text);
        c = load_conf("sshd_config");
        if (ac->file_error)
                assert_single_error(c, "sshd_config", 1, ac->file_error);
        else if (ac->error) {
                ck_assert(!c->valid);
                ck_assert_uint_eq(c->n_errors, 1);
                ck_assert_str_eq(c->errors[0].message, ac->error);
                ck_assert_uint_eq(c->n_listen, 0);
        } else
                assert_valid(c);
        sshd_config_free(c);
}
END_TEST

/* --- dump round trip ------------------------------------------------------------------ */

typedef struct TestFile {
        const char *name;
        const char *text;       /* "@D@" is the temporary directory */
        size_t len;             /* 0: strlen(text); else raw bytes */
} TestFile;

typedef struct RoundTripCase {
        const char *what;
        TestFile files[4];      /* the first is the top-level file */
} RoundTripCase;

#define RAW(lit) (lit), sizeof(lit) - 1

static const RoundTripCase round_trip_cases[] = {
        { "global settings", { { "sshd_config",
          "# plain global settings\n"
          "Port 2222\n"
          "Port 2200\n"
          "ListenAddress 127.0.0.1\n"
          "ListenAddress 10.0.0.1:2022\n"
          "PermitRootLogin no\n"
          "PasswordAuthentication no\n"
          "PubkeyAuthentication yes\n"
          "KbdInteractiveAuthentication no\n"
          "UsePAM yes\n"
          "MaxStartups 5:40:20\n"
          "PerSourceMaxStartups 3\n"
          "PerSourceNetBlockSize 24:56\n"
          "X11Forwarding yes\n"
          "Subsystem sftp /usr/lib/openssh/sftp-server -l INFO\n"
          "AcceptEnv LANG LC_*\n" } } },
        { "quoting and escapes", { { "sshd_config",
          "AllowUsers \"a b\" 'c d' e\\ f g\\\"h g\\\\j s#t u\"v w\"x\n"
          "DenyUsers \"=x\" \"#y\" 'it\"s' tab\"\t\"in\n"
          "AuthorizedKeysFile \"%h/.ssh/my keys\" .ssh/authorized_keys # comment\n"
          "Banner \"/etc/issue net\"\n"
          "SetEnv \"GREETING=hello world\" EMPTY=\n"
          "ChrootDirectory /srv/back\\\\slash\n" } } },
        { "match blocks", { { "sshd_config",
          "PermitRootLogin no\n"
          "Match User bob,alice\n"
          "\tX11Forwarding yes\n"
          "\tPasswordAuthentication no\n"
          "Match Address 10.0.0.0/8,!10.1.0.0/16\n"
          "\tPermitRootLogin yes\n"
          "\tAllowTcpForwarding no\n"
          "Match Group \"adm staff\" User carol\n"
          "\tForceCommand /usr/bin/echo \"hello world\"\n"
          "\tChrootDirectory /srv/%u\n" } } },
        { "match all", { { "sshd_config",
          "Match User bob\n"
          "\tX11Forwarding yes\n"
          "Match all\n"
          "Port 2222\n"
          "PermitRootLogin no\n"
          "Match Address 192.0.2.0/24\n"
          "\tPasswordAuthentication no\n"
          "Match All\n"
          "PasswordAuthentication yes\n"
          "ListenAddress 127.0.0.1\n" } } },
        { "includes, the last leaving a Match open", {
          { "sshd_config", "Include @D@/rt/*.conf\nPort 2004\nPermitRootLogin yes\n" },
          { "rt/10-a.conf", "Port 2001\nPermitRootLogin no\n" },
          { "rt/20-b.conf", "Port 2002\nMatch User bob\n\tX11Forwarding yes\n" } } },
        { "include inside a Match returning to it", {
          { "sshd_config",
            "PermitRootLogin no\n"
            "Match User bob\n"
            "\tInclude @D@/rt/inner.conf\n"
            "\tPasswordAuthentication no\n"
            "\tX11Forwarding yes\n" },
          { "rt/inner.conf", "AllowTcpForwarding no\nMatch User alice\n\tPermitTTY no\n" } } },
        { "include after Match all", {
          { "sshd_config",
            "Match User bob\n"
            "\tX11Forwarding yes\n"
            "Match all\n"
            "Include @D@/rt/*.conf\n"
            "PermitRootLogin no\n" },
          { "rt/a.conf", "Port 2222\nMatch Address 10.0.0.0/8\n\tPasswordAuthentication no\n" } } },
        { "equals forms and keyword case", { { "sshd_config",
          "port=2222\n"
          "PERMITROOTLOGIN = no\n"
          "\"Port\" 2200\n"
          "passwordauthentication=no\n"
          "x11forwarding yes\n"
          "MaxStartups=10:30:60\n"
          "=UsePAM yes\n" } } },
        { "NUL, CRLF, indentation and comments", { { "sshd_config",
          RAW("Port 2222\0junk\n\nPort 2200 # admin\r\n  \tPermitRootLogin no\r\n# comment\n\r\n") } } },
        { "IPv6 listen addresses", { { "sshd_config",
          "AddressFamily inet6\n"
          "Port 2222\n"
          "ListenAddress ::1\n"
          "ListenAddress [::2]:2300\n"
          "ListenAddress [fe80::1%lo]:2400\n" } } },
        { "subsystems and commands", { { "sshd_config",
          "Subsystem sftp internal-sftp -f AUTH -l VERBOSE\n"
          "Subsystem \"backup\" \"/usr/local/bin/backup server\" --quiet\n"
          "Match Group sftponly\n"
          "\tForceCommand internal-sftp -d \"/home/%u/my files\"\n"
          "\tChrootDirectory \"/srv/sftp/%u\"\n"
          "\tAllowTcpForwarding no\n" } } },
        { "miscellaneous value kinds", { { "sshd_config",
          "Protocol 2\n"
          "LogLevel VERBOSE\n"
          "SyslogFacility AUTH\n"
          "ClientAliveInterval 5m\n"
          "LoginGraceTime 1h30m\n"
          "IPQoS af21 cs1\n"
          "RekeyLimit 1G 1h\n"
          "PermitOpen localhost:8080 [::1]:9090\n"
          "HostKey /etc/ssh/ssh_host_ed25519_key\n"
          "Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com\n" } } },
        { "nested relative includes", {
          { "sshd_config", "Include rt/a.conf\nPermitRootLogin no\n" },
          { "rt/a.conf", "Port 2001\nInclude rt/b.conf\nPort 2003\n" },
          { "rt/b.conf", "Port 2002\nMatch User x\n\tInclude rt/c.conf\n\tAllowAgentForwarding no\n" },
          { "rt/c.conf", "X11Forwarding yes\n" } } },
};

#define N_ROUND_TRIP_CASES ((int) (sizeof(round_trip_cases) / sizeof(round_trip_cases[0])))

static void write_case_files(const TestFile *files, size_t n) {
        for (size_t i = 0; i < n && files[i].name; i++) {
                if (files[i].len > 0)
                        write_raw(files[i].name, files[i].text, files[i].len);
                else
                        write_conf(files[i].name, files[i].text);
        }
}

/* Everything the model says about sshd's behaviour, as one string. */
static char *semantics_str(const SshdConfig *c) {
        char *out = NULL, *l = listen_str(c), *p = ports_str(c), *d = directives_str(c, true, false);
        size_t outlen = 0;
        FILE *f = open_memstream(&out, &outlen);

        ck_assert_ptr_nonnull(f);
        fprintf(f, "valid=%d\nlisten=%s\nports=%s\naf=%d\nmaxstartups=%d:%d:%d\npersource=%d netblock=%d:%d\n"
                   "permitrootlogin=%d password=%d pubkey=%d kbdint=%d usepam=%d\n%s",
                c->valid, l, p, (int) c->address_family, c->max_startups.begin, c->max_startups.rate,
                c->max_startups.full, c->per_source_max_startups, c->per_source_netblock_v4,
                c->per_source_netblock_v6, (int) c->permit_root_login, c->password_authentication,
                c->pubkey_authentication, c->kbd_interactive_authentication, c->use_pam, d);
        ck_assert_int_eq(fclose(f), 0);
        free(l);
        free(p);
        free(d);
        return out;
}

/* Loads NAME, dumps it, reloads the dump; both models must say the same
 * and the dump must be a fixed point.  Returns the first dump. */
static char *assert_round_trip(const char *name, bool expect_valid) {
        SshdConfig *a, *b;
        char *dump1, *dump2, *sa, *sb;

        a = load_conf(name);
        if (expect_valid)
                assert_valid(a);
        dump1 = dump_of(a);
        write_raw("roundtrip.conf", dump1, strlen(dump1));
        b = load_conf("roundtrip.conf");
        ck_assert_msg(b->valid == a->valid, "dump validity differs: %s\n--- dump:\n%s",
                      b->n_errors > 0 ? b->errors[0].message : "(no error)", dump1);
        sa = semantics_str(a);
        sb = semantics_str(b);
        ck_assert_str_eq(sb, sa);
        dump2 = dump_of(b);
        ck_assert_str_eq(dump2, dump1);
        free(sa);
        free(sb);
        free(dump2);
        sshd_config_free(a);
        sshd_config_free(b);
        return dump1;
}

START_TEST(test_dump_round_trip_preserves_model) {
        const RoundTripCase *rc = &round_trip_cases[_i];
        char *dump;

        write_case_files(rc->files, 4);
        dump = assert_round_trip(rc->files[0].name, true);
        ck_assert_msg(dump[0] != '\0' || rc->files[0].text[0] == '\0', "%s: empty dump", rc->what);
        free(dump);
}
END_TEST

/* What the dump of a Match block returned to after an Include looks like. */
START_TEST(test_dump_reopens_match_block_after_include) {
        char *dump;

        write_conf("rt/inner.conf", "AllowTcpForwarding no\nMatch User alice\n\tPermitTTY no\n");
        write_conf("sshd_config",
                   "PermitRootLogin no\n"
                   "Match User bob\n"
                   "\tInclude @D@/rt/inner.conf\n"
                   "\tPasswordAuthentication no\n");
        dump = assert_round_trip("sshd_config", true);
        ck_assert_str_eq(dump,
                         "PermitRootLogin no\n"
                         "Match User bob\n"
                         "\tAllowTcpForwarding no\n"
                         /* sshd reads inner.conf's block only where bob's matched */
                         "Match User bob User alice\n"
                         "\tPermitTTY no\n"
                         "Match User bob\n"
                         "\tPasswordAuthentication no\n");
        free(dump);
}
END_TEST

/* Global directives after an Include that ended inside a Match block are
 * global again (sshd restores the including file's Match state); the dump
 * puts them before the Match blocks, not after a "Match all", which would
 * override earlier global values for every connection. */
START_TEST(test_dump_moves_global_directives_before_match_blocks) {
        char *dump;

        write_conf("rt/20-b.conf", "Port 2002\nMatch User bob\n\tX11Forwarding yes\n");
        write_conf("sshd_config", "Include @D@/rt/*.conf\nPort 2004\n");
        dump = assert_round_trip("sshd_config", true);
        ck_assert_str_eq(dump,
                         "Port 2002\n"
                         "Port 2004\n"
                         "Match User bob\n"
                         "\tX11Forwarding yes\n");
        free(dump);
}
END_TEST

START_TEST(test_dump_quotes_arguments_that_need_it) {
        char *dump;

        write_conf("sshd_config", "AllowUsers \"a b\" g\\\"h g\\\\j \"#y\" s#t #comment\n");
        dump = assert_round_trip("sshd_config", true);
        ck_assert_str_eq(dump, "AllowUsers \"a b\" \"g\\\"h\" \"g\\\\j\" \"#y\" s#t\n");
        free(dump);
}
END_TEST

/* sshd -T -C user=bob: x11forwarding yes for "Match User=bob": the Match
 * line is read with strdelim(), which splits on '='.  Its dump must stay
 * something sshd accepts (sshd rejects `Match "User=bob"` with "Missing
 * Match criteria for User=bob"). */
START_TEST(test_dump_round_trips_match_criterion_written_with_equals) {
        char *dump;

        write_conf("sshd_config", "Match User=bob\n\tX11Forwarding yes\n");
        dump = assert_round_trip("sshd_config", true);
        free(dump);
}
END_TEST

/* sshd -T: passwordauthentication yes.  An Include inside an (inactive)
 * Match block reads the included file in never-match mode: even its
 * "Match all" stays inactive, so the PasswordAuthentication after it never
 * applies.  A dump must not turn it into a global "Match all" block
 * (sshd -T of "Match User bob / Match all / PasswordAuthentication no"
 * says passwordauthentication no). */
START_TEST(test_dump_round_trips_match_all_inside_include_from_match) {
        char *dump;

        write_conf("inc/ma.conf", "Match all\nPasswordAuthentication no\n");
        write_conf("sshd_config", "Match User bob\n\tInclude @D@/inc/ma.conf\n");
        dump = assert_round_trip("sshd_config", true);
        free(dump);
}
END_TEST

/* The reproducer of ../shared/fuzz-findings/sshdconf-dump-roundtrip-empty-
 * args: sshd -T accepts "AllowUsers #nobody" (every argument a comment);
 * the dump wrote a bare "AllowUsers", which sshd refuses ("no argument
 * after keyword").  It keeps the line with only a comment after it. */
START_TEST(test_dump_round_trips_directive_whose_arguments_are_all_comment) {
        char *dump;

        write_raw("sshd_config", "AllowUsers #nobody\n", 19);
        dump = assert_round_trip("sshd_config", true);
        ck_assert_str_eq(dump, "AllowUsers #\n");
        free(dump);
}
END_TEST

/* sshd -T: pubkeyauthoptions none.  A PubkeyAuthOptions line whose
 * arguments are all a comment sets the option (to none), and the first
 * value wins: the dump must not drop it. */
START_TEST(test_dump_keeps_comment_only_pubkey_auth_options_first) {
        char *dump;

        write_conf("sshd_config", "PubkeyAuthOptions # none yet\nPubkeyAuthOptions verify-required\n");
        dump = assert_round_trip("sshd_config", true);
        ck_assert_str_eq(dump, "PubkeyAuthOptions #\nPubkeyAuthOptions verify-required\n");
        free(dump);
}
END_TEST

/* sshd -T: forcecommand echo 'x'  # y; versionaddendum a  b # c.  These
 * keywords keep the rest of the line as written; argv_split() words would
 * lose the quotes, the blanks and the '#'. */
START_TEST(test_rest_of_line_keywords_keep_their_text_verbatim) {
        SshdConfig *c;
        char *dump;

        write_conf("sshd_config",
                   "VersionAddendum   a  b # c\n"
                   "ForceCommand=  =x\n"
                   "Match User bob\n"
                   "\tForceCommand echo 'x'  # y\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_uint_eq(c->n_directives, 4);
        ck_assert_uint_eq(c->directives[0].n_args, 1);
        ck_assert_str_eq(c->directives[0].args[0], "a  b # c");
        ck_assert_str_eq(c->directives[1].args[0], "=x");
        ck_assert_str_eq(c->directives[3].args[0], "echo 'x'  # y");
        sshd_config_free(c);

        dump = assert_round_trip("sshd_config", true);
        ck_assert_str_eq(dump,
                         "VersionAddendum a  b # c\n"
                         "ForceCommand==x\n"
                         "Match User bob\n"
                         "\tForceCommand echo 'x'  # y\n");
        free(dump);
}
END_TEST

/* sshd -T -C user=bob,...: allowusers bob.  An AllowUsers in a "Match all"
 * block replaces the global list only when it has patterns. */
START_TEST(test_comment_only_access_list_in_match_all_replaces_nothing) {
        SshdConfig *c;
        char *json, *expected;
        size_t len;

        write_conf("sshd_config", "AllowUsers bob\nMatch all\nAllowUsers #alice\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        json = json_of(c, &len);
        ck_assert_int_ge(asprintf(&expected, "\"allow_users\":[{\"pattern\":\"bob\",\"file\":\"%s\",\"line\":1}]",
                                  tpath("sshd_config")), 0);
        ck_assert_msg(strstr(json, expected), "missing %s in %s", expected, json);
        free(expected);
        free(json);
        sshd_config_free(c);
}
END_TEST

/* --- JSON ------------------------------------------------------------------------------ */

static void assert_json_object(const char *json, size_t len) {
        ck_assert_uint_eq(strlen(json), len);
        ck_assert_msg(json_is_one_object(json, len), "not one JSON object: %s", json);
        ck_assert_msg(utf8_is_valid(json, len), "not valid UTF-8: %s", json);
        ck_assert_int_eq(json[len - 1], '\n');
}

START_TEST(test_json_valid_config_is_one_object_with_listen) {
        SshdConfig *c;
        char *json, *expected;
        size_t len;

        write_conf("sshd_config", "Port 2222\nListenAddress 127.0.0.1\nListenAddress ::1\nPermitRootLogin no\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        json = json_of(c, &len);
        assert_json_object(json, len);
        ck_assert_ptr_nonnull(strstr(json, "\"valid\":true"));
        expected = expand("\"listen\":[{\"address\":\"127.0.0.1\",\"port\":2222,\"family\":\"ipv4\","
                          "\"file\":\"@D@/sshd_config\",\"line\":2},"
                          "{\"address\":\"::1\",\"port\":2222,\"family\":\"ipv6\","
                          "\"file\":\"@D@/sshd_config\",\"line\":3}]");
        ck_assert_msg(strstr(json, expected), "missing %s in %s", expected, json);
        free(expected);
        ck_assert_ptr_nonnull(strstr(json, "\"errors\":[]"));
        expected = expand("\"permit_root_login\":{\"value\":\"no\",\"file\":\"@D@/sshd_config\",\"line\":4}");
        ck_assert_msg(strstr(json, expected), "missing %s in %s", expected, json);
        free(expected);
        ck_assert_ptr_nonnull(strstr(json, "\"password_authentication\":{\"value\":true,\"file\":null,\"line\":null}"));
        ck_assert_int_eq(json[0], '{');
        free(json);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_json_invalid_config_lists_errors) {
        SshdConfig *c;
        char *json, *expected;
        size_t len;

        write_conf("sshd_config", "Port 22\nBogus \"quoted\"\n");
        c = load_conf("sshd_config");
        json = json_of(c, &len);
        assert_json_object(json, len);
        ck_assert_ptr_nonnull(strstr(json, "\"valid\":false"));
        ck_assert_ptr_nonnull(strstr(json, "\"listen\":[]"));
        expected = expand("\"errors\":[{\"file\":\"@D@/sshd_config\",\"line\":2,"
                          "\"message\":\"Bad configuration option: Bogus\"}]");
        ck_assert_msg(strstr(json, expected), "missing %s in %s", expected, json);
        free(expected);
        free(json);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_json_error_without_file_has_null_file_and_line) {
        SshdConfig *c;
        char *json;
        size_t len;

        write_conf("self.conf", "Include @D@/self.conf\n");
        c = load_conf("self.conf");
        json = json_of(c, &len);
        assert_json_object(json, len);
        ck_assert_ptr_nonnull(strstr(json, "\"errors\":[{\"file\":null,\"line\":null,"
                                           "\"message\":\"Too many recursive configuration includes\"}]"));
        free(json);
        sshd_config_free(c);
}
END_TEST

/* --- bad input ------------------------------------------------------------------------- */

START_TEST(test_fifo_as_config_is_refused_without_blocking) {
        SshdConfig *c;
        char *msg;

        ck_assert_int_eq(mkfifo(tpath("pipe"), 0644), 0);
        c = load_conf("pipe");
        msg = expand("@D@/pipe: not a regular file");
        /* sshd would name no line (it would block in fopen()); the model
         * keeps the file as evidence */
        assert_single_error(c, "pipe", 0, msg);
        free(msg);
        sshd_config_free(c);
}
END_TEST

/* sshd -T -f DIR: valid, port 22 -- fopen() and getline() make a directory
 * read as an empty file. */
START_TEST(test_directory_as_config_reads_as_empty_with_warning) {
        SshdConfig *c;

        ck_assert_int_eq(mkdir(tpath("dir"), 0755), 0);
        c = load_conf("dir");
        assert_valid(c);
        ck_assert_uint_eq(c->n_directives, 0);
        ck_assert_listen(c, "[::]:22 0.0.0.0:22");
        ck_assert_uint_eq(c->n_warnings, 1);
        ck_assert_str_eq(c->warnings[0].file, tpath("dir"));
        ck_assert_str_eq(c->warnings[0].message, "is a directory: sshd reads it as an empty file");
        sshd_config_free(c);
}
END_TEST

START_TEST(test_dev_zero_is_refused_as_not_a_regular_file) {
        SshdConfig *c = load_path("/dev/zero", NULL);

        ck_assert(!c->valid);
        ck_assert_uint_eq(c->n_errors, 1);
        ck_assert_str_eq(c->errors[0].message, "/dev/zero: not a regular file");
        ck_assert_uint_eq(c->n_listen, 0);
        sshd_config_free(c);
}
END_TEST

/* sshd: "/nonexistent: No such file or directory", exit 1. */
START_TEST(test_missing_file_is_no_such_file) {
        SshdConfig *c;
        char *msg;

        c = load_conf("missing");
        msg = expand("@D@/missing: No such file or directory");
        ck_assert(!c->valid);
        ck_assert_uint_eq(c->n_errors, 1);
        ck_assert_str_eq(c->errors[0].message, msg);
        ck_assert_uint_eq(c->n_files, 0);
        free(msg);
        sshd_config_free(c);
}
END_TEST

/* sshd as an unprivileged user: "FILE: Permission denied".  Registered only
 * when not running as root (root reads anything). */
START_TEST(test_unreadable_file_is_permission_denied) {
        SshdConfig *c;
        char *msg;

        write_conf("secret", "Port 2222\n");
        ck_assert_int_eq(chmod(tpath("secret"), 0), 0);
        c = load_conf("secret");
        msg = expand("@D@/secret: Permission denied");
        ck_assert(!c->valid);
        ck_assert_uint_eq(c->n_errors, 1);
        ck_assert_str_eq(c->errors[0].message, msg);
        free(msg);
        sshd_config_free(c);
}
END_TEST

/* sshd: "loop1: Too many levels of symbolic links". */
START_TEST(test_symlink_loop_is_eloop) {
        SshdConfig *c;
        char *msg;

        ck_assert_int_eq(symlink(tpath("loop2"), tpath("loop1")), 0);
        ck_assert_int_eq(symlink(tpath("loop1"), tpath("loop2")), 0);
        c = load_conf("loop1");
        msg = expand("@D@/loop1: Too many levels of symbolic links");
        ck_assert(!c->valid);
        ck_assert_uint_eq(c->n_errors, 1);
        ck_assert_str_eq(c->errors[0].message, msg);
        free(msg);
        sshd_config_free(c);
}
END_TEST

/* 500,000 user names on one 5 MB line.  (sshd 9.2 itself does not survive
 * it: its argv_split() allocates the rest of the line for every word, and
 * it was OOM-killed here; the model must stay bounded.) */
START_TEST(test_five_megabyte_line_is_valid_and_finishes) {
        const size_t n = 500000;
        size_t len = 0;
        char *text = malloc(16 + n * 10 + 2), *p;
        SshdConfig *c;

        ck_assert_ptr_nonnull(text);
        p = stpcpy(text, "AllowUsers");
        for (size_t i = 0; i < n; i++)
                p += sprintf(p, " usr%06zu", i);
        *p++ = '\n';
        len = (size_t) (p - text);
        ck_assert_uint_eq(len, 5000011);
        write_raw("sshd_config", text, len);
        free(text);

        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_uint_eq(c->n_directives, 1);
        ck_assert_int_eq(c->directives[0].keyword->id, SSHD_KW_ALLOW_USERS);
        ck_assert_uint_eq(c->directives[0].n_args, n);
        ck_assert_str_eq(c->directives[0].args[0], "usr000000");
        ck_assert_str_eq(c->directives[0].args[n - 1], "usr499999");
        sshd_config_free(c);
}
END_TEST

/* sshd -T: valid, 20,000 allowusers lines.  That is past the default
 * budget of 10,000 files: the model then says it cannot tell; with a
 * budget of 20,001 files it reads them all. */
START_TEST(test_twenty_thousand_included_files_are_read) {
        const unsigned n = 20000;
        SshdConfigOptions o = { .include_base = tmpdir, .max_files = n + 1, .max_usec = 120 * 1000000u };
        SshdConfig *c;
        char *expected;

        ck_assert_int_eq(mkdir(tpath("many"), 0755), 0);
        for (unsigned i = 0; i < n; i++) {
                char name[64], text[64];
                snprintf(name, sizeof(name), "many/f%05u.conf", i);
                snprintf(text, sizeof(text), "AllowUsers u%u\n", i);
                write_raw(name, text, strlen(text));
        }
        write_conf("sshd_config", "Include @D@/many/*.conf\n");
        c = load_path(tpath("sshd_config"), &(SshdConfigOptions) {
                .include_base = tmpdir, .max_usec = 120 * 1000000u,     /* the default count, time enough */
        });
        ck_assert(c->budget_exceeded);
        ck_assert(!c->valid);
        ck_assert_uint_eq(c->n_errors, 0);
        ck_assert_int_ge(asprintf(&expected, "Include %s reads more than 10000 files", tpath("many/*.conf")), 0);
        ck_assert_str_eq(c->undecided, expected);
        free(expected);
        sshd_config_free(c);

        c = load_path(tpath("sshd_config"), &o);
        assert_valid(c);
        ck_assert(!c->budget_exceeded);
        ck_assert_uint_eq(c->n_files, n + 1);
        ck_assert_uint_eq(c->n_directives, n + 1);
        ck_assert_str_eq(c->files[1], tpath("many/f00000.conf"));
        ck_assert_str_eq(c->files[n], tpath("many/f19999.conf"));
        ck_assert_str_eq(c->directives[n].args[0], "u19999");
        sshd_config_free(c);
}
END_TEST

/* --- the budget ----------------------------------------------------------------------- */

/* The model stopped at its budget: it cannot tell, and says why.  Not
 * valid, and not sshd's "invalid" either: no error. */
static void assert_undecided(const SshdConfig *c, const char *expected) {
        char *want = expand(expected);

        ck_assert_msg(c->budget_exceeded, "expected the budget to be exceeded");
        ck_assert(!c->valid);
        ck_assert_msg(c->n_errors == 0, "unexpected error: %s", c->n_errors ? c->errors[0].message : "");
        ck_assert_uint_eq(c->n_listen, 0);
        ck_assert_ptr_nonnull(c->undecided);
        ck_assert_str_eq(c->undecided, want);
        free(want);
}

/* A tree of FANOUT^DEPTH directories under NAME. */
static void make_tree(const char *name, unsigned depth, unsigned fanout) {
        char path[PATH_MAX];

        ck_assert_int_eq(mkdir(tpath(name), 0755), 0);
        if (depth == 0)
                return;
        for (unsigned i = 0; i < fanout; i++) {
                snprintf(path, sizeof(path), "%s/d%u", name, i);
                make_tree(path, depth - 1, fanout);
        }
}

static uint64_t elapsed_usec(const struct timespec *since) {
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        return (uint64_t) (now.tv_sec - since->tv_sec) * 1000000u + (uint64_t) now.tv_nsec / 1000u -
               (uint64_t) since->tv_nsec / 1000u;
}

/* sshd (and the model before it had a budget) walks every directory of
 * such a pattern, for minutes over a real file system.  Here 1,554
 * directories, a budget of 500 entries: the reading stops on the count,
 * well within the default 2 s, and tells. */
START_TEST(test_include_glob_over_a_deep_tree_stops_at_the_directory_entry_budget) {
        SshdConfigOptions o = { .include_base = tmpdir, .max_dir_entries = 500, .max_usec = 60 * 1000000u };
        struct timespec start;
        SshdConfig *c;

        make_tree("t", 4, 6);
        write_conf("sshd_config", "Port 2222\nInclude @D@/t/*/*/*/*/*/*.nomatch\nPort 2200\n");
        clock_gettime(CLOCK_MONOTONIC, &start);
        c = load_path(tpath("sshd_config"), &o);
        ck_assert_uint_lt(elapsed_usec(&start), SSHD_DEFAULT_MAX_USEC);
        assert_undecided(c, "Include @D@/t/*/*/*/*/*/*.nomatch visits more than 500 directory entries");
        sshd_config_free(c);

        /* Within a budget that covers the tree (1,554 entries and every
         * directory's "." and ".."), nothing matches: as sshd. */
        o.max_dir_entries = 10000;
        c = load_path(tpath("sshd_config"), &o);
        assert_valid(c);
        ck_assert(!c->budget_exceeded);
        ck_assert_ptr_null(c->undecided);
        ck_assert_ports(c, "2222 2200");
        sshd_config_free(c);
}
END_TEST

/* sshd re-reads a cached pattern's files from memory; each reading counts. */
START_TEST(test_files_budget_counts_rereads_of_cached_includes) {
        SshdConfigOptions o = { .include_base = tmpdir, .max_files = 12 };
        SshdConfig *c;

        for (unsigned i = 0; i < 5; i++) {
                char name[32];
                snprintf(name, sizeof(name), "d/%u.conf", i);
                write_conf(name, "AllowUsers bob\n");
        }
        write_conf("sshd_config", "Include @D@/d/*.conf\nInclude @D@/d/*.conf\nInclude @D@/d/*.conf\n");
        c = load_path(tpath("sshd_config"), &o);
        assert_undecided(c, "Include @D@/d/*.conf reads more than 12 files");
        ck_assert_uint_eq(c->n_directives, 3 + 11);     /* the Include lines, 11 of the 15 AllowUsers */
        sshd_config_free(c);

        o.max_files = 16;
        c = load_path(tpath("sshd_config"), &o);
        assert_valid(c);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_bytes_budget_counts_every_file) {
        SshdConfigOptions o = { .include_base = tmpdir, .max_bytes = 100 };
        SshdConfig *c;

        write_conf("inc.conf", "# sixty bytes of comment, and one directive after it\nPort 22\n");
        write_conf("sshd_config", "# forty bytes of comment, then Include\nInclude @D@/inc.conf\n");
        c = load_path(tpath("sshd_config"), &o);
        assert_undecided(c, "@D@/inc.conf: more than 100 bytes of configuration in all");
        sshd_config_free(c);
}
END_TEST

/* sshd reads such a file; the model cannot tell what it finds in it.  The
 * file is sparse: its size is all that is looked at. */
START_TEST(test_file_over_64_mib_is_past_the_budget) {
        SshdConfig *c;

        write_conf("sshd_config", "Port 22\n");
        ck_assert_int_eq(truncate(tpath("sshd_config"), (off_t) SSHD_MAX_FILE_SIZE + 1), 0);
        c = load_conf("sshd_config");
        assert_undecided(c, "@D@/sshd_config is larger than 64 MiB");
        sshd_config_free(c);
}
END_TEST

START_TEST(test_time_budget_stops_the_reading) {
        SshdConfigOptions o = { .include_base = tmpdir, .max_usec = 1 };
        char *text = malloc(20000 * 16), *p = text;
        SshdConfig *c;

        ck_assert_ptr_nonnull(text);
        for (unsigned i = 0; i < 20000; i++)
                p += sprintf(p, "Port %u\n", 1000 + i % 1000);
        write_raw("sshd_config", text, (size_t) (p - text));
        free(text);
        c = load_path(tpath("sshd_config"), &o);
        ck_assert(c->budget_exceeded);
        ck_assert(!c->valid);
        ck_assert_uint_eq(c->n_errors, 0);
        ck_assert_msg(strncmp(c->undecided, "reading takes more than 1e-06 s (stopped at ", 44) == 0, "%s",
                      c->undecided);
        sshd_config_free(c);
}
END_TEST

/* sshd -T: "line 1: Bad configuration option: Bogus", then "terminating"
 * at the end of the file: whatever the Include would have brought, sshd
 * refuses the file.  The answer is certain; the budget is a warning. */
START_TEST(test_budget_exceeded_after_an_error_is_still_invalid) {
        SshdConfigOptions o = { .include_base = tmpdir, .max_files = 2 };
        SshdConfig *c;
        char *expected;

        write_conf("d/a.conf", "Port 2222\n");
        write_conf("d/b.conf", "Port 2200\n");
        write_conf("sshd_config", "Bogus yes\nInclude @D@/d/*.conf\n");
        c = load_path(tpath("sshd_config"), &o);
        ck_assert(!c->valid);
        ck_assert(!c->budget_exceeded);
        ck_assert_ptr_null(c->undecided);
        ck_assert_str_eq(c->errors[0].message, "Bad configuration option: Bogus");
        ck_assert_uint_eq(c->n_warnings, 1);
        ck_assert_int_ge(asprintf(&expected, "reading stopped early: Include %s reads more than 2 files",
                                  tpath("d/*.conf")), 0);
        ck_assert_str_eq(c->warnings[0].message, expected);
        free(expected);
        sshd_config_free(c);
}
END_TEST

START_TEST(test_json_says_undecided_and_why) {
        SshdConfigOptions o = { .include_base = tmpdir, .max_dir_entries = 10 };
        SshdConfig *c;
        char *json, *expected;
        size_t len;

        make_tree("t", 2, 4);
        write_conf("sshd_config", "Include @D@/t/*/*/*.conf\n");
        c = load_path(tpath("sshd_config"), &o);
        json = json_of(c, &len);
        assert_json_object(json, len);
        ck_assert_int_ge(asprintf(&expected, "\"valid\":false,\"undecided\":\"Include %s visits more than 10 "
                                  "directory entries\",\"listen\":[],\"errors\":[]", tpath("t/*/*/*.conf")), 0);
        ck_assert_msg(strstr(json, expected), "missing %s in %s", expected, json);
        free(expected);
        free(json);
        sshd_config_free(c);

        o.max_dir_entries = 0;  /* the default */
        c = load_path(tpath("sshd_config"), &o);
        json = json_of(c, &len);
        ck_assert_ptr_nonnull(strstr(json, "\"valid\":true,\"undecided\":null,"));
        free(json);
        sshd_config_free(c);
}
END_TEST

/* sshd -T accepts them all and prints the bytes as they are. */
START_TEST(test_invalid_utf8_and_control_bytes_are_valid_and_json_stays_utf8) {
        SshdConfig *c;
        char *json;
        size_t len;

        WRITE_BYTES("sshd_config",
                    "Banner /tmp/\xff\xfe\n"
                    "AllowUsers caf\xc3\xa9 bad\xc3\x28 \x01" "ctl del\x7f \xed\xa0\x80 \xc0\xaf \"q\\\"uote\"\n"
                    "ChrootDirectory /srv/\x1b[31m\n");
        c = load_conf("sshd_config");
        assert_valid(c);
        ck_assert_uint_eq(c->n_directives, 3);
        ck_assert_str_eq(c->directives[0].args[0], "/tmp/\xff\xfe");
        ck_assert_uint_eq(c->directives[1].n_args, 7);
        ck_assert_str_eq(c->directives[1].args[0], "caf\xc3\xa9");
        ck_assert_str_eq(c->directives[1].args[1], "bad\xc3\x28");
        ck_assert_str_eq(c->directives[1].args[2], "\x01" "ctl");
        ck_assert_str_eq(c->directives[1].args[6], "q\"uote");
        ck_assert_str_eq(c->directives[2].args[0], "/srv/\x1b[31m");

        json = json_of(c, &len);
        assert_json_object(json, len);
        ck_assert_ptr_nonnull(strstr(json, "\"pattern\":\"caf\xc3\xa9\""));
        ck_assert_ptr_nonnull(strstr(json, "\"pattern\":\"bad\\ufffd(\""));
        ck_assert_ptr_nonnull(strstr(json, "\"pattern\":\"\\u0001ctl\""));
        ck_assert_ptr_nonnull(strstr(json, "\"pattern\":\"del\\u007f\""));
        ck_assert_ptr_nonnull(strstr(json, "\"pattern\":\"\\ufffd\\ufffd\\ufffd\""));
        ck_assert_ptr_nonnull(strstr(json, "\"pattern\":\"\\ufffd\\ufffd\""));
        ck_assert_ptr_nonnull(strstr(json, "\"pattern\":\"q\\\"uote\""));
        ck_assert_ptr_nonnull(strstr(json, "\"/tmp/\\ufffd\\ufffd\""));
        ck_assert_ptr_nonnull(strstr(json, "\"/srv/\\u001b[31m\""));
        free(json);
        sshd_config_free(c);
}
END_TEST

/* An error message quoting invalid bytes: sshd's logger writes them as
 * octal escapes ("Bad configuration option: B\377d"), and JSON stays UTF-8. */
START_TEST(test_error_message_with_invalid_bytes_is_octal_escaped) {
        SshdConfig *c;
        char *json;
        size_t len;

        WRITE_BYTES("sshd_config", "B\xff" "d yes\n");
        c = load_conf("sshd_config");
        assert_single_error(c, "sshd_config", 1, "Bad configuration option: B\\377d");
        json = json_of(c, &len);
        assert_json_object(json, len);
        ck_assert_ptr_nonnull(strstr(json, "\"message\":\"Bad configuration option: B\\\\377d\""));
        free(json);
        sshd_config_free(c);
}
END_TEST

static Suite *sshdconf_suite(void) {
        Suite *s = suite_create("sshdconf");
        TCase *tc;

        tc = tcase_with_tmpdir("first-value");
        tcase_add_test(tc, test_first_value_wins_permit_root_login_with_origin);
        tcase_add_test(tc, test_first_value_wins_password_authentication_with_origin);
        tcase_add_test(tc, test_first_value_wins_across_included_file);
        tcase_add_test(tc, test_empty_file_has_sshd_defaults);
        tcase_add_test(tc, test_get_returns_first_global_directive);
        suite_add_tcase(s, tc);

        tc = tcase_with_tmpdir("listen");
        tcase_add_test(tc, test_ports_and_listen_addresses_add_up);
        tcase_add_test(tc, test_listen_address_without_port_applies_to_every_port);
        tcase_add_test(tc, test_listen_address_without_port_uses_default_port);
        tcase_add_test(tc, test_listen_address_with_port_ignores_port_directive);
        tcase_add_test(tc, test_listen_address_ipv6_bare_and_bracketed);
        tcase_add_test(tc, test_address_family_inet_restricts_wildcard_to_ipv4);
        tcase_add_test(tc, test_address_family_inet6_restricts_wildcard_to_ipv6);
        tcase_add_test(tc, test_address_family_inet_rejects_ipv6_listen_address);
        tcase_add_test(tc, test_bad_port_numbers_are_rejected);
        tcase_add_test(tc, test_missing_port_number_messages);
        tcase_add_test(tc, test_port_service_name_and_leading_zero);
        suite_add_tcase(s, tc);

        tc = tcase_with_tmpdir("startups");
        tcase_add_test(tc, test_max_startups_last_value_wins);
        tcase_add_test(tc, test_max_startups_single_number_keeps_previous_rate);
        tcase_add_test(tc, test_max_startups_begin_above_full_is_an_error);
        tcase_add_test(tc, test_per_source_max_startups_last_value_wins);
        suite_add_tcase(s, tc);

        tc = tcase_with_tmpdir("syntax");
        tcase_add_test(tc, test_keywords_and_flag_values_are_case_insensitive);
        tcase_add_test(tc, test_unknown_keyword_is_bad_configuration_option);
        tcase_add_test(tc, test_extra_arguments_are_an_error);
        tcase_add_test(tc, test_nul_byte_is_a_warning_when_harmless);
        tcase_add_test(tc, test_nul_byte_joins_next_line);
        tcase_add_test(tc, test_nul_byte_shifts_error_line_numbers);
        tcase_add_test(tc, test_errors_are_recorded_in_sshd_order);
        tcase_add_test(tc, test_first_error_is_the_first_sshd_prints);
        suite_add_tcase(s, tc);

        tc = tcase_with_tmpdir("match");
        tcase_add_test(tc, test_match_block_lasts_to_eof_port_not_allowed);
        tcase_add_test(tc, test_match_block_lasts_until_next_match);
        tcase_add_test(tc, test_match_all_makes_following_directives_global);
        tcase_add_test(tc, test_value_inside_match_does_not_count_as_first);
        tcase_add_test(tc, test_match_all_value_overrides_earlier_global_value);
        tcase_add_test(tc, test_match_all_combined_is_an_error);
        suite_add_tcase(s, tc);

        tc = tcase_with_tmpdir("include");
        tcase_add_test(tc, test_include_glob_reads_files_in_sorted_order);
        tcase_add_test(tc, test_include_glob_matching_nothing_is_fine);
        tcase_add_test(tc, test_include_inside_match_rejects_global_keyword);
        tcase_add_test(tc, test_include_inside_match_returns_to_the_match_block);
        tcase_add_test(tc, test_include_inside_match_belongs_to_the_block);
        tcase_add_test(tc, test_include_recursion_is_an_error);
        tcase_add_test(tc, test_include_relative_path_uses_include_base);
        tcase_add_test(tc, test_include_relative_path_defaults_to_etc_ssh);
        tcase_add_test(tc, test_include_without_argument_is_an_error);
        tcase_add_test(tc, test_include_of_fifo_does_not_block);
        suite_add_tcase(s, tc);

        tc = tcase_with_tmpdir("dump");
        tcase_add_loop_test(tc, test_dump_round_trip_preserves_model, 0, N_ROUND_TRIP_CASES);
        tcase_add_test(tc, test_dump_reopens_match_block_after_include);
        tcase_add_test(tc, test_dump_moves_global_directives_before_match_blocks);
        tcase_add_test(tc, test_dump_quotes_arguments_that_need_it);
        tcase_add_test(tc, test_dump_round_trips_match_criterion_written_with_equals);
        tcase_add_test(tc, test_dump_round_trips_match_all_inside_include_from_match);
        tcase_add_test(tc, test_dump_round_trips_directive_whose_arguments_are_all_comment);
        tcase_add_test(tc, test_dump_keeps_comment_only_pubkey_auth_options_first);
        tcase_add_test(tc, test_rest_of_line_keywords_keep_their_text_verbatim);
        tcase_add_test(tc, test_comment_only_access_list_in_match_all_replaces_nothing);
        suite_add_tcase(s, tc);

        tc = tcase_with_tmpdir("values");
        tcase_add_loop_test(tc, test_rekey_limit_number_is_read_as_scan_scaled_does, 0,
                            (int) (sizeof(rekey_cases) / sizeof(rekey_cases[0])));
        tcase_add_test(tc, test_rekey_limit_float_cast_overflow_reproducer);
        tcase_add_loop_test(tc, test_kex_algorithms_accept_every_gssapi_prefix, 0, (int) ELEMENTSOF(gss_kex_names));
        tcase_add_loop_test(tc, test_algorithm_lists_are_checked_and_assembled_as_sshd_does, 0,
                            (int) ELEMENTSOF(algorithm_cases));
        suite_add_tcase(s, tc);

        tc = tcase_with_tmpdir("json");
        tcase_add_test(tc, test_json_checker_rejects_malformed_documents);
        tcase_add_test(tc, test_json_valid_config_is_one_object_with_listen);
        tcase_add_test(tc, test_json_invalid_config_lists_errors);
        tcase_add_test(tc, test_json_error_without_file_has_null_file_and_line);
        suite_add_tcase(s, tc);

        tc = tcase_with_tmpdir("bad-input");
        tcase_add_test(tc, test_fifo_as_config_is_refused_without_blocking);
        tcase_add_test(tc, test_directory_as_config_reads_as_empty_with_warning);
        tcase_add_test(tc, test_dev_zero_is_refused_as_not_a_regular_file);
        tcase_add_test(tc, test_missing_file_is_no_such_file);
        if (geteuid() != 0)
                tcase_add_test(tc, test_unreadable_file_is_permission_denied);
        tcase_add_test(tc, test_symlink_loop_is_eloop);
        tcase_add_test(tc, test_invalid_utf8_and_control_bytes_are_valid_and_json_stays_utf8);
        tcase_add_test(tc, test_error_message_with_invalid_bytes_is_octal_escaped);
        suite_add_tcase(s, tc);

        /* Big inputs: they must finish, and a hang must still be caught.
         * The 20,000 files take ~5 s here, ~16 s under ASan (writing them
         * included), hence a bound of its own above the 30 s default. */
        tc = tcase_with_tmpdir("limits");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_five_megabyte_line_is_valid_and_finishes);
        tcase_add_test(tc, test_twenty_thousand_included_files_are_read);
        suite_add_tcase(s, tc);

        tc = tcase_with_tmpdir("budget");
        tcase_set_timeout(tc, 60);      /* it makes directory trees: slow under ASan on a busy machine */
        tcase_add_test(tc, test_include_glob_over_a_deep_tree_stops_at_the_directory_entry_budget);
        tcase_add_test(tc, test_files_budget_counts_rereads_of_cached_includes);
        tcase_add_test(tc, test_bytes_budget_counts_every_file);
        tcase_add_test(tc, test_file_over_64_mib_is_past_the_budget);
        tcase_add_test(tc, test_time_budget_stops_the_reading);
        tcase_add_test(tc, test_budget_exceeded_after_an_error_is_still_invalid);
        tcase_add_test(tc, test_json_says_undecided_and_why);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(sshdconf_suite());
        int failed;

        srunner_run_all(sr, CK_ENV);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed;
}

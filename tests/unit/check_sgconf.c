/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* asprintf(), open_memstream(), getdelim(), rand_r() */
#endif

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sgconf.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must name <source>/tests/data"
#endif

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define DEFAULT_INTERVAL_USEC UINT64_C(30000000)
#define DEFAULT_SSHD_CONFIG "/etc/ssh/sshd_config"

/* Every setting's file name and default, from the one table. */
#define TEST_SETTING(section, key, type, field, default_value) { #section, #key, default_value },
static const struct {
        const char *section, *key, *default_value;
} test_settings[] = {
        SG_CONFIG_SETTINGS(TEST_SETTING)
};

static const char *tmp_dir(void) {
        const char *d = getenv("TMPDIR");

        return d && *d ? d : "/tmp";
}

static char *write_file(const void *data, size_t len) {
        char *path;
        int fd;

        ck_assert_int_gt(asprintf(&path, "%s/check_sgconf-XXXXXX", tmp_dir()), 0);
        fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, data, len), (ssize_t) len);
        ck_assert_int_eq(close(fd), 0);
        return path;
}

static char *write_text(const char *text) {
        return write_file(text, strlen(text));
}

static char *read_text(const char *path) {
        FILE *f = fopen(path, "re");
        char *text = NULL;
        size_t size = 0;
        ssize_t n;

        ck_assert_msg(f != NULL, "cannot open %s", path);
        n = getdelim(&text, &size, '\0', f);
        ck_assert_int_ge(n, 0);
        fclose(f);
        return text;
}

/* A config loaded from text written to a temporary file. */
typedef struct Loaded {
        char *path;
        SgConfig c;
        SgConfigError *errors;
        size_t n_errors;
        int r;
} Loaded;

static void load_data(Loaded *l, const void *data, size_t len) {
        *l = (Loaded) {};
        l->path = write_file(data, len);
        ck_assert_int_eq(sg_config_init(&l->c), 0);
        l->r = sg_config_load(&l->c, l->path, &l->errors, &l->n_errors);
}

static void load_text(Loaded *l, const char *text) {
        load_data(l, text, strlen(text));
}

static void loaded_done(Loaded *l) {
        unlink(l->path);
        free(l->path);
        sg_config_done(&l->c);
        sg_config_errors_free(l->errors, l->n_errors);
}

typedef struct ExpectedError {
        unsigned line;
        const char *message;
} ExpectedError;

static void assert_errors(const Loaded *l, const ExpectedError *e, size_t n) {
        for (size_t i = 0; i < l->n_errors && i < n; i++) {
                ck_assert_msg(l->errors[i].line == e[i].line && strcmp(l->errors[i].message, e[i].message) == 0,
                              "error %zu: got %u: \"%s\", expected %u: \"%s\"",
                              i, l->errors[i].line, l->errors[i].message, e[i].line, e[i].message);
                ck_assert_str_eq(l->errors[i].file, l->path);
        }
        ck_assert_msg(l->n_errors == n, "%zu errors, expected %zu (first: %u: %s)", l->n_errors, n,
                      l->n_errors > 0 ? l->errors[0].line : 0, l->n_errors > 0 ? l->errors[0].message : "-");
}

#define ASSERT_ERRORS(l, ...)                                                   \
        do {                                                                    \
                const ExpectedError _e[] = { __VA_ARGS__ };                     \
                assert_errors((l), _e, ELEMENTSOF(_e));                         \
        } while (0)

static void assert_no_errors(const Loaded *l) {
        assert_errors(l, NULL, 0);
}

static void assert_defaults(const SgConfig *c) {
        ck_assert_ptr_nonnull(c->units);
        ck_assert_ptr_null(c->units[0]);
        ck_assert_uint_eq(c->n_units, 0);
        ck_assert_ptr_null(c->ports);
        ck_assert_uint_eq(c->n_ports, 0);
        ck_assert_str_eq(c->config_file, DEFAULT_SSHD_CONFIG);
        ck_assert_uint_eq(c->rate_limit_interval_usec, DEFAULT_INTERVAL_USEC);
        ck_assert_uint_eq(c->rate_limit_burst, 5);
        ck_assert(!c->ignore_source_bans);
}

static void assert_config_equal(const SgConfig *a, const SgConfig *b) {
        ck_assert_uint_eq(a->n_units, b->n_units);
        for (size_t i = 0; i < a->n_units; i++)
                ck_assert_str_eq(a->units[i], b->units[i]);
        ck_assert_ptr_null(a->units[a->n_units]);
        ck_assert_ptr_null(b->units[b->n_units]);
        ck_assert_uint_eq(a->n_ports, b->n_ports);
        for (size_t i = 0; i < a->n_ports; i++)
                ck_assert_uint_eq(a->ports[i], b->ports[i]);
        ck_assert_str_eq(a->config_file, b->config_file);
        ck_assert_uint_eq(a->rate_limit_interval_usec, b->rate_limit_interval_usec);
        ck_assert_uint_eq(a->rate_limit_burst, b->rate_limit_burst);
        ck_assert_int_eq(a->ignore_source_bans, b->ignore_source_bans);
}

static char *dump_text(const SgConfig *c, int *ret) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        ck_assert_ptr_nonnull(f);
        *ret = sg_config_dump(c, f);
        ck_assert_int_eq(fclose(f), 0);
        return text;
}

/* Loads TEXT (one setting in [SECTION]) and expects one error on line 2. */
static void assert_value_rejected(const char *section, const char *assignment, const char *message) {
        char *text;
        Loaded l;

        ck_assert_int_gt(asprintf(&text, "[%s]\n%s\n", section, assignment), 0);
        load_text(&l, text);
        ck_assert_int_eq(l.r, 0);
        ASSERT_ERRORS(&l, { 2, message });
        assert_defaults(&l.c);
        loaded_done(&l);
        free(text);
}

/* -- defaults and the file itself -- */

START_TEST(test_init_gives_the_documented_defaults)
{
        SgConfig c;

        ck_assert_int_eq(sg_config_init(&c), 0);
        assert_defaults(&c);
        sg_config_done(&c);
}
END_TEST

START_TEST(test_done_zeroes_and_accepts_null_and_repeats)
{
        SgConfig c;

        ck_assert_int_eq(sg_config_init(&c), 0);
        sg_config_done(&c);
        ck_assert_ptr_null(c.units);
        ck_assert_ptr_null(c.config_file);
        ck_assert_uint_eq(c.rate_limit_burst, 0);
        sg_config_done(&c);
        sg_config_done(NULL);
        sg_config_errors_free(NULL, 0);
}
END_TEST

START_TEST(test_missing_file_is_enoent_and_keeps_defaults)
{
        SgConfigError *errors = (SgConfigError *) 1;
        size_t n_errors = 7;
        char *path;
        SgConfig c;

        ck_assert_int_gt(asprintf(&path, "%s/check_sgconf-does-not-exist-%d", tmp_dir(), (int) getpid()), 0);
        ck_assert_int_eq(sg_config_init(&c), 0);
        ck_assert_int_eq(sg_config_load(&c, path, &errors, &n_errors), -ENOENT);
        assert_defaults(&c);
        /* untouched */
        ck_assert_ptr_eq(errors, (SgConfigError *) 1);
        ck_assert_uint_eq(n_errors, 7);
        sg_config_done(&c);
        free(path);
}
END_TEST

START_TEST(test_directory_is_eisdir)
{
        SgConfigError *errors = NULL;
        size_t n_errors = 0;
        SgConfig c;

        ck_assert_int_eq(sg_config_init(&c), 0);
        ck_assert_int_eq(sg_config_load(&c, tmp_dir(), &errors, &n_errors), -EISDIR);
        assert_defaults(&c);
        ck_assert_ptr_null(errors);
        sg_config_done(&c);
}
END_TEST

START_TEST(test_fifo_is_einval_without_blocking)
{
        char *dir, *fifo, *link;
        SgConfig c;

        ck_assert_int_gt(asprintf(&dir, "%s/check_sgconf-XXXXXX", tmp_dir()), 0);
        ck_assert_ptr_nonnull(mkdtemp(dir));
        ck_assert_int_gt(asprintf(&fifo, "%s/fifo", dir), 0);
        ck_assert_int_gt(asprintf(&link, "%s/link", dir), 0);
        ck_assert_int_eq(mkfifo(fifo, 0600), 0);
        ck_assert_int_eq(symlink(fifo, link), 0);

        /* No writer ever opens it: blocking would hit the test timeout. */
        alarm(10);
        ck_assert_int_eq(sg_config_init(&c), 0);
        ck_assert_int_eq(sg_config_load(&c, fifo, NULL, NULL), -EINVAL);
        ck_assert_int_eq(sg_config_load(&c, link, NULL, NULL), -EINVAL);
        alarm(0);
        assert_defaults(&c);
        sg_config_done(&c);

        unlink(link);
        unlink(fifo);
        rmdir(dir);
        free(link);
        free(fifo);
        free(dir);
}
END_TEST

START_TEST(test_device_is_einval)
{
        SgConfig c;

        ck_assert_int_eq(sg_config_init(&c), 0);
        ck_assert_int_eq(sg_config_load(&c, "/dev/null", NULL, NULL), -EINVAL);
        assert_defaults(&c);
        sg_config_done(&c);
}
END_TEST

START_TEST(test_symlink_to_regular_file_is_read)
{
        char *link;
        Loaded l;

        load_text(&l, "");
        ck_assert_int_gt(asprintf(&link, "%s.link", l.path), 0);
        {
                char *target = write_text("[sshd]\nPorts=2222\n");

                ck_assert_int_eq(symlink(target, link), 0);
                ck_assert_int_eq(sg_config_load(&l.c, link, NULL, NULL), 0);
                ck_assert_uint_eq(l.c.n_ports, 1);
                ck_assert_uint_eq(l.c.ports[0], 2222);
                unlink(target);
                free(target);
        }
        unlink(link);
        free(link);
        loaded_done(&l);
}
END_TEST

START_TEST(test_unreadable_file_is_eacces)
{
        char *path = write_text("[sshd]\nPorts=22\n");
        int status;
        pid_t pid;

        ck_assert_int_eq(chmod(path, 0), 0);
        /* In a child that is not root (root would read it anyway). */
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                SgConfig c;
                int r;

                if (geteuid() == 0 &&
                    (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                     setresuid(65534, 65534, 65534) < 0))
                        _exit(77);      /* cannot drop privileges here: nothing to test */
                if (sg_config_init(&c) < 0)
                        _exit(2);
                r = sg_config_load(&c, path, NULL, NULL);
                _exit(r == -EACCES && c.n_ports == 0 ? 0 : 1);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status));
        ck_assert_msg(WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 77,
                      "child exited %d", WEXITSTATUS(status));
        unlink(path);
        free(path);
}
END_TEST

START_TEST(test_file_of_1mib_is_read_and_one_byte_more_is_efbig)
{
        const size_t line_len = 64;
        size_t size = SG_CONFIG_FILE_MAX;
        char *data = malloc(size + 1);
        Loaded l;

        ck_assert_ptr_nonnull(data);
        for (size_t i = 0; i < size; i += line_len) {
                memset(data + i, 'x', line_len - 1);
                data[i] = '#';
                data[i + line_len - 1] = '\n';
        }
        load_data(&l, data, size);
        ck_assert_int_eq(l.r, 0);
        assert_no_errors(&l);
        loaded_done(&l);

        data[size] = '\n';
        load_data(&l, data, size + 1);
        ck_assert_int_eq(l.r, -EFBIG);
        ck_assert_ptr_null(l.errors);
        assert_defaults(&l.c);
        loaded_done(&l);
        free(data);
}
END_TEST

START_TEST(test_empty_file_keeps_defaults_without_errors)
{
        Loaded l;

        load_text(&l, "");
        ck_assert_int_eq(l.r, 0);
        assert_no_errors(&l);
        ck_assert_ptr_null(l.errors);
        assert_defaults(&l.c);
        loaded_done(&l);
}
END_TEST

START_TEST(test_errors_may_be_ignored_with_null)
{
        SgConfig c;
        char *path = write_text("[sshd]\nPorts=0\nPorts=22\n");

        ck_assert_int_eq(sg_config_init(&c), 0);
        ck_assert_int_eq(sg_config_load(&c, path, NULL, NULL), 0);
        ck_assert_uint_eq(c.n_ports, 1);
        ck_assert_uint_eq(c.ports[0], 22);
        sg_config_done(&c);
        unlink(path);
        free(path);
}
END_TEST

/* -- [sshd] Units= -- */

START_TEST(test_units_accepts_services_sockets_and_instances)
{
        Loaded l;

        load_text(&l, "[sshd]\nUnits=ssh.service sshd.service\tssh.socket sshd@eth0:22.service my_ssh-2.socket\n");
        ck_assert_int_eq(l.r, 0);
        assert_no_errors(&l);
        ck_assert_uint_eq(l.c.n_units, 5);
        ck_assert_str_eq(l.c.units[0], "ssh.service");
        ck_assert_str_eq(l.c.units[1], "sshd.service");
        ck_assert_str_eq(l.c.units[2], "ssh.socket");
        ck_assert_str_eq(l.c.units[3], "sshd@eth0:22.service");
        ck_assert_str_eq(l.c.units[4], "my_ssh-2.socket");
        ck_assert_ptr_null(l.c.units[5]);
        loaded_done(&l);
}
END_TEST

START_TEST(test_units_lines_and_continuations_add_up_without_duplicates)
{
        Loaded l;

        load_text(&l, "[sshd]\n"
                      "Units=ssh.service ssh.service\n"
                      "Units=sshd.service ssh.service\n"
                      "  ssh.socket\n"
                      "\tsshd.service\n");
        ck_assert_int_eq(l.r, 0);
        assert_no_errors(&l);
        ck_assert_uint_eq(l.c.n_units, 3);
        ck_assert_str_eq(l.c.units[0], "ssh.service");
        ck_assert_str_eq(l.c.units[1], "sshd.service");
        ck_assert_str_eq(l.c.units[2], "ssh.socket");
        ck_assert_ptr_null(l.c.units[3]);
        loaded_done(&l);
}
END_TEST

START_TEST(test_units_empty_value_resets_to_auto_detect)
{
        Loaded l;

        load_text(&l, "[sshd]\nUnits=ssh.service\nUnits=\n");
        ck_assert_int_eq(l.r, 0);
        assert_no_errors(&l);
        ck_assert_uint_eq(l.c.n_units, 0);
        ck_assert_ptr_nonnull(l.c.units);
        ck_assert_ptr_null(l.c.units[0]);
        loaded_done(&l);
}
END_TEST

START_TEST(test_units_rejects_what_is_not_a_service_or_socket_name)
{
        static const char * const bad[] = {
                "ssh", "ssh.target", "ssh.Service", ".service", "ssh/x.service", "ssh$.service",
                "sshd@.service", "@sshd.service", "a@b@c.service", "ssh.service;x", "ssh.servicex",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *assignment, *message;

                ck_assert_int_gt(asprintf(&assignment, "Units=ssh.service %s", bad[i]), 0);
                ck_assert_int_gt(asprintf(&message, "Invalid unit name '%s' for Units=", bad[i]), 0);
                /* the whole line is refused, ssh.service included */
                assert_value_rejected("sshd", assignment, message);
                free(assignment);
                free(message);
        }
        assert_value_rejected("sshd", "Units=ssh\\x01.service\x01",
                              "Invalid unit name 'ssh\\\\x01.service\\x01' for Units=");
}
END_TEST

START_TEST(test_units_at_most_256)
{
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        Loaded l;

        ck_assert_ptr_nonnull(f);
        fputs("[sshd]\n", f);
        /* 26 lines of 10 units: line 27 would be the 251st to 260th */
        for (unsigned i = 0; i < 26; i++) {
                fputs("Units=", f);
                for (unsigned j = 0; j < 10; j++)
                        fprintf(f, "%su%u.service", j ? " " : "", i * 10 + j);
                fputc('\n', f);
        }
        ck_assert_int_eq(fclose(f), 0);
        load_text(&l, text);
        ck_assert_int_eq(l.r, 0);
        ASSERT_ERRORS(&l, { 27, "Too many units for Units= (at most 256)" });
        ck_assert_uint_eq(l.c.n_units, 250);
        ck_assert_str_eq(l.c.units[249], "u249.service");
        ck_assert_ptr_null(l.c.units[250]);
        loaded_done(&l);
        free(text);
}
END_TEST

/* -- [sshd] Ports= -- */

START_TEST(test_ports_accepts_1_to_65535_and_collapses_duplicates)
{
        Loaded l;

        load_text(&l, "[sshd]\nPorts=22 2222 1 65535 022\nPorts=2222 443\n");
        ck_assert_int_eq(l.r, 0);
        assert_no_errors(&l);
        ck_assert_uint_eq(l.c.n_ports, 5);
        ck_assert_uint_eq(l.c.ports[0], 22);
        ck_assert_uint_eq(l.c.ports[1], 2222);
        ck_assert_uint_eq(l.c.ports[2], 1);
        ck_assert_uint_eq(l.c.ports[3], 65535);
        ck_assert_uint_eq(l.c.ports[4], 443);
        loaded_done(&l);
}
END_TEST

START_TEST(test_ports_rejects_0_65536_and_non_numbers)
{
        static const char * const bad[] = {
                "0", "65536", "99999999999999999999999", "ssh", "-1", "+22", "22x", "0x16", "2.2", "22,23",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *assignment, *message;

                ck_assert_int_gt(asprintf(&assignment, "Ports=22 %s", bad[i]), 0);
                ck_assert_int_gt(asprintf(&message, "Invalid port '%s' for Ports=", bad[i]), 0);
                assert_value_rejected("sshd", assignment, message);
                free(assignment);
                free(message);
        }
}
END_TEST

START_TEST(test_ports_at_most_256)
{
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        Loaded l;

        ck_assert_ptr_nonnull(f);
        fputs("[sshd]\n", f);
        /* 9 lines of 30 ports: the 9th (line 10) would make 270 */
        for (unsigned i = 0; i < 9; i++) {
                fputs("Ports=", f);
                for (unsigned j = 0; j < 30; j++)
                        fprintf(f, "%s%u", j ? " " : "", 1000 + i * 30 + j);
                fputc('\n', f);
        }
        ck_assert_int_eq(fclose(f), 0);
        load_text(&l, text);
        ck_assert_int_eq(l.r, 0);
        ASSERT_ERRORS(&l, { 10, "Too many ports for Ports= (at most 256)" });
        ck_assert_uint_eq(l.c.n_ports, 240);
        ck_assert_uint_eq(l.c.ports[239], 1239);
        loaded_done(&l);
        free(text);
}
END_TEST

/* -- [sshd] ConfigFile= -- */

START_TEST(test_config_file_takes_an_absolute_path)
{
        Loaded l;

        load_text(&l, "[sshd]\nConfigFile=/etc/ssh/sshd_config.d/../my config\n");
        ck_assert_int_eq(l.r, 0);
        assert_no_errors(&l);
        ck_assert_str_eq(l.c.config_file, "/etc/ssh/sshd_config.d/../my config");
        loaded_done(&l);
}
END_TEST

START_TEST(test_config_file_rejects_relative_and_directory_paths)
{
        assert_value_rejected("sshd", "ConfigFile=etc/ssh/sshd_config",
                              "Invalid path 'etc/ssh/sshd_config' for ConfigFile=: not absolute");
        assert_value_rejected("sshd", "ConfigFile=./sshd_config",
                              "Invalid path './sshd_config' for ConfigFile=: not absolute");
        assert_value_rejected("sshd", "ConfigFile=/etc/ssh/",
                              "Invalid path '/etc/ssh/' for ConfigFile=: names a directory");
        assert_value_rejected("sshd", "ConfigFile=/etc/ssh/\x1b[31m",
                              "Invalid path '/etc/ssh/\\x1b[31m' for ConfigFile=: contains control characters");
}
END_TEST

START_TEST(test_semicolon_after_space_starts_a_comment_hash_does_not)
{
        Loaded l;

        load_text(&l, "[sshd]\nConfigFile=/etc/ssh/a;b   ; the test file\nPorts=22 ;2222\n");
        ck_assert_int_eq(l.r, 0);
        assert_no_errors(&l);
        ck_assert_str_eq(l.c.config_file, "/etc/ssh/a;b");
        ck_assert_uint_eq(l.c.n_ports, 1);
        ck_assert_uint_eq(l.c.ports[0], 22);
        loaded_done(&l);

        load_text(&l, "[sshd]\nPorts=22 # ssh\n");
        ASSERT_ERRORS(&l, { 2, "Invalid port '#' for Ports=" });
        loaded_done(&l);
}
END_TEST

START_TEST(test_empty_value_resets_to_the_default)
{
        Loaded l;

        load_text(&l, "[sshd]\nConfigFile=/x\nConfigFile=\nPorts=22\nPorts=\n"
                      "[report]\nRateLimitIntervalSec=1h\nRateLimitIntervalSec=\nRateLimitBurst=9\nRateLimitBurst=\n"
                      "[firewall]\nIgnoreSourceBans=yes\nIgnoreSourceBans=\n");
        ck_assert_int_eq(l.r, 0);
        assert_no_errors(&l);
        assert_defaults(&l.c);
        loaded_done(&l);
}
END_TEST

/* -- [report] -- */

START_TEST(test_rate_limit_interval_units)
{
        static const struct {
                const char *text;
                uint64_t usec;
        } good[] = {
                { "30",                   UINT64_C(30000000) },
                { "30s",                  UINT64_C(30000000) },
                { "007s",                 UINT64_C(7000000) },
                { "500ms",                UINT64_C(500000) },
                { "2min",                 UINT64_C(120000000) },
                { "1h",                   UINT64_C(3600000000) },
                { "0",                    0 },
                { "0ms",                  0 },
                { "18446744073709551ms",  UINT64_C(18446744073709551000) },
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                char *text;
                Loaded l;

                ck_assert_int_gt(asprintf(&text, "[report]\nRateLimitIntervalSec=%s\n", good[i].text), 0);
                load_text(&l, text);
                assert_no_errors(&l);
                ck_assert_msg(l.c.rate_limit_interval_usec == good[i].usec, "%s: %" PRIu64,
                              good[i].text, l.c.rate_limit_interval_usec);
                loaded_done(&l);
                free(text);
        }
}
END_TEST

START_TEST(test_rate_limit_interval_rejects_bad_time_spans)
{
        static const char * const bad[] = {
                "30x", "-1", "+1", "1.5s", "s", "ms", "30 s", "30S", "30sec", "1m", "1d",
                "18446744073709551616", "18446744073709552s", "5124095577h",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *assignment, *message;

                ck_assert_int_gt(asprintf(&assignment, "RateLimitIntervalSec=%s", bad[i]), 0);
                ck_assert_int_gt(asprintf(&message, "Invalid time span '%s' for RateLimitIntervalSec=: "
                                          "expected seconds, or a number with ms, s, min or h", bad[i]), 0);
                assert_value_rejected("report", assignment, message);
                free(assignment);
                free(message);
        }
}
END_TEST

START_TEST(test_rate_limit_burst_is_1_to_1000)
{
        static const char * const bad[] = { "0", "1001", "4294967297", "-5", "five", "5s" };
        Loaded l;

        load_text(&l, "[report]\nRateLimitBurst=1\n");
        assert_no_errors(&l);
        ck_assert_uint_eq(l.c.rate_limit_burst, 1);
        loaded_done(&l);
        load_text(&l, "[report]\nRateLimitBurst=01000\n");
        assert_no_errors(&l);
        ck_assert_uint_eq(l.c.rate_limit_burst, 1000);
        loaded_done(&l);

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *assignment, *message;

                ck_assert_int_gt(asprintf(&assignment, "RateLimitBurst=%s", bad[i]), 0);
                ck_assert_int_gt(asprintf(&message, "Invalid number '%s' for RateLimitBurst=: must be 1..1000", bad[i]), 0);
                assert_value_rejected("report", assignment, message);
                free(assignment);
                free(message);
        }
}
END_TEST

/* -- [firewall] -- */

START_TEST(test_ignore_source_bans_booleans)
{
        static const struct {
                const char *text;
                bool value;
        } good[] = {
                { "yes", true }, { "true", true }, { "on", true }, { "1", true }, { "YES", true }, { "On", true },
                { "no", false }, { "false", false }, { "off", false }, { "0", false }, { "False", false },
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                char *text;
                Loaded l;

                /* start from the opposite value */
                ck_assert_int_gt(asprintf(&text, "[firewall]\nIgnoreSourceBans=%s\nIgnoreSourceBans=%s\n",
                                          good[i].value ? "no" : "yes", good[i].text), 0);
                load_text(&l, text);
                assert_no_errors(&l);
                ck_assert_msg(l.c.ignore_source_bans == good[i].value, "%s", good[i].text);
                loaded_done(&l);
                free(text);
        }
}
END_TEST

START_TEST(test_ignore_source_bans_rejects_other_words)
{
        static const char * const bad[] = { "maybe", "2", "y", "n", "yess", "enabled" };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *assignment, *message;

                ck_assert_int_gt(asprintf(&assignment, "IgnoreSourceBans=%s", bad[i]), 0);
                ck_assert_int_gt(asprintf(&message, "Invalid boolean '%s' for IgnoreSourceBans=: "
                                          "expected yes, no, true, false, on, off, 1 or 0", bad[i]), 0);
                assert_value_rejected("firewall", assignment, message);
                free(assignment);
                free(message);
        }
}
END_TEST

/* -- structure -- */

START_TEST(test_keys_and_sections_are_case_insensitive)
{
        Loaded l;

        load_text(&l, "[SSHD]\nports=22\nCONFIGFILE=/x\n[Report]\nratelimitburst=7\n");
        assert_no_errors(&l);
        ck_assert_uint_eq(l.c.n_ports, 1);
        ck_assert_str_eq(l.c.config_file, "/x");
        ck_assert_uint_eq(l.c.rate_limit_burst, 7);
        loaded_done(&l);
}
END_TEST

START_TEST(test_unknown_key_is_an_error_with_a_hint_when_misplaced)
{
        Loaded l;

        load_text(&l, "[sshd]\nFoo=bar\n[report]\nPorts=22\n\nIgnoreSourceBans=yes\n");
        ck_assert_int_eq(l.r, 0);
        ASSERT_ERRORS(&l,
                      { 2, "Unknown key 'Foo' in section [sshd]" },
                      { 4, "Unknown key 'Ports' in section [report] (it belongs in [sshd])" },
                      { 6, "Unknown key 'IgnoreSourceBans' in section [report] (it belongs in [firewall])" });
        assert_defaults(&l.c);
        loaded_done(&l);
}
END_TEST

START_TEST(test_key_before_any_section_is_an_error)
{
        Loaded l;

        load_text(&l, "# comment\nPorts=22\nBar=1\n[sshd]\nPorts=2222\n");
        ASSERT_ERRORS(&l,
                      { 2, "Key 'Ports' outside of any section (it belongs in [sshd])" },
                      { 3, "Key 'Bar' outside of any section" });
        ck_assert_uint_eq(l.c.n_ports, 1);
        ck_assert_uint_eq(l.c.ports[0], 2222);
        loaded_done(&l);
}
END_TEST

START_TEST(test_unknown_section_is_one_error_and_its_keys_are_skipped)
{
        Loaded l;

        load_text(&l, "[foo]\nPorts=22\nBar=1\n  more\n[sshd]\nPorts=2222\n[ sshd ]\nPorts=1\n");
        ASSERT_ERRORS(&l, { 1, "Unknown section [foo]" }, { 7, "Unknown section [ sshd ]" });
        ck_assert_uint_eq(l.c.n_ports, 1);
        ck_assert_uint_eq(l.c.ports[0], 2222);
        loaded_done(&l);
}
END_TEST

START_TEST(test_malformed_section_header_skips_the_keys_under_it)
{
        Loaded l;

        load_text(&l, "[sshd]\nPorts=22\n[report\nRateLimitBurst=9\nPorts=80\n[report ;]\nRateLimitBurst=8\n");
        ASSERT_ERRORS(&l, { 3, "Missing ']' in section header" }, { 6, "Missing ']' in section header" });
        ck_assert_uint_eq(l.c.n_ports, 1);
        ck_assert_uint_eq(l.c.ports[0], 22);
        ck_assert_uint_eq(l.c.rate_limit_burst, 5);
        loaded_done(&l);
}
END_TEST

START_TEST(test_text_after_section_header_is_an_error_comment_is_not)
{
        Loaded l;

        load_text(&l, "[sshd] Ports=22\n[report] ; reporting\nRateLimitBurst=3\n");
        ASSERT_ERRORS(&l, { 1, "Unexpected text 'Ports=22' after section header" });
        ck_assert_uint_eq(l.c.n_ports, 0);
        ck_assert_uint_eq(l.c.rate_limit_burst, 3);
        loaded_done(&l);
}
END_TEST

START_TEST(test_line_without_equals_is_a_syntax_error)
{
        Loaded l;

        load_text(&l, "[sshd]\nPorts 22\nPorts ;=22\nPorts:2222\n");
        ASSERT_ERRORS(&l,
                      { 2, "Expected 'Key=Value', '[Section]' or a comment" },
                      { 3, "Expected 'Key=Value', '[Section]' or a comment" });
        /* inih also takes "Key: Value" */
        ck_assert_uint_eq(l.c.n_ports, 1);
        ck_assert_uint_eq(l.c.ports[0], 2222);
        loaded_done(&l);
}
END_TEST

START_TEST(test_continuation_of_a_single_value_key_is_an_error)
{
        Loaded l;

        load_text(&l, "[sshd]\nConfigFile=/a\n  /b\n[report]\nRateLimitBurst=3\n 4\nFoo=1\n 2\n");
        ASSERT_ERRORS(&l,
                      { 3, "ConfigFile= takes a single value, not a continuation line" },
                      { 6, "RateLimitBurst= takes a single value, not a continuation line" },
                      { 7, "Unknown key 'Foo' in section [report]" });
        ck_assert_str_eq(l.c.config_file, "/a");
        ck_assert_uint_eq(l.c.rate_limit_burst, 3);
        loaded_done(&l);
}
END_TEST

START_TEST(test_indented_line_continues_the_previous_key)
{
        Loaded l;

        /* inih's multiline values: after a key, an indented line is more of
         * its value, even one that looks like a section header; right after
         * a section header there is nothing to continue. */
        load_text(&l, "[sshd]\n  Ports=22\n  [report]\n[report]\n  RateLimitBurst=4\n");
        ASSERT_ERRORS(&l, { 3, "Invalid port '[report]' for Ports=" });
        ck_assert_uint_eq(l.c.n_ports, 1);
        ck_assert_uint_eq(l.c.ports[0], 22);
        ck_assert_uint_eq(l.c.rate_limit_burst, 4);
        loaded_done(&l);
}
END_TEST

START_TEST(test_bom_crlf_and_missing_final_newline_are_fine)
{
        Loaded l;

        load_text(&l, "\xEF\xBB\xBF[sshd]\r\nPorts=22\r\n\r\n[report]\r\nRateLimitBurst=6");
        assert_no_errors(&l);
        ck_assert_uint_eq(l.c.n_ports, 1);
        ck_assert_uint_eq(l.c.ports[0], 22);
        ck_assert_uint_eq(l.c.rate_limit_burst, 6);
        loaded_done(&l);
}
END_TEST

/* -- what inih must never see -- */

START_TEST(test_line_of_197_bytes_is_read_198_is_too_long)
{
        char path[SG_CONFIG_LINE_MAX + 1], *text;
        size_t prefix = strlen("ConfigFile=");
        Loaded l;

        /* "ConfigFile=/aaa...": exactly 197 bytes, then with "\r\n" */
        memset(path, 'a', sizeof(path) - 1);
        path[0] = '/';
        path[SG_CONFIG_LINE_MAX - prefix] = '\0';
        ck_assert_int_gt(asprintf(&text, "[sshd]\nConfigFile=%s\r\nPorts=22\n", path), 0);
        load_text(&l, text);
        assert_no_errors(&l);
        ck_assert_uint_eq(strlen(l.c.config_file), SG_CONFIG_LINE_MAX - prefix);
        ck_assert_str_eq(l.c.config_file, path);
        loaded_done(&l);
        free(text);

        /* One more byte: reported, not cut, and the next lines still count. */
        path[SG_CONFIG_LINE_MAX - prefix] = 'b';
        path[SG_CONFIG_LINE_MAX - prefix + 1] = '\0';
        ck_assert_int_gt(asprintf(&text, "[sshd]\nConfigFile=%s\nPorts=22\n", path), 0);
        load_text(&l, text);
        ASSERT_ERRORS(&l, { 2, "Line too long (198 bytes, at most 197)" });
        ck_assert_str_eq(l.c.config_file, DEFAULT_SSHD_CONFIG);
        ck_assert_uint_eq(l.c.n_ports, 1);
        loaded_done(&l);
        free(text);
}
END_TEST

START_TEST(test_long_lines_of_every_kind_are_reported_not_cut)
{
        char long_text[301], *text;
        Loaded l;

        memset(long_text, 'x', sizeof(long_text) - 1);
        long_text[sizeof(long_text) - 1] = '\0';
        /* inih would read the rest of line 3 as a line of its own ("xxx]=...") */
        ck_assert_int_gt(asprintf(&text,
                                  "[sshd]\n"
                                  "# %s\n"                      /* 2: a comment */
                                  "Ports=22 %s=1\n"             /* 3: a value */
                                  "Units=ssh.service\n"
                                  "  %s\n"                      /* 5: a continuation: the rest of it is skipped */
                                  "  sshd.service\n"
                                  "[%s]\n"                      /* 7: a section: its keys are skipped */
                                  "Ports=80\n"
                                  "[sshd]\n"
                                  "Ports=2222\n",
                                  long_text, long_text, long_text, long_text), 0);
        load_text(&l, text);
        ck_assert_int_eq(l.r, 0);
        ASSERT_ERRORS(&l,
                      { 2, "Line too long (302 bytes, at most 197)" },
                      { 3, "Line too long (311 bytes, at most 197)" },
                      { 5, "Line too long (302 bytes, at most 197)" },
                      { 7, "Line too long (302 bytes, at most 197)" });
        ck_assert_uint_eq(l.c.n_units, 1);
        ck_assert_str_eq(l.c.units[0], "ssh.service");
        ck_assert_uint_eq(l.c.n_ports, 1);
        ck_assert_uint_eq(l.c.ports[0], 2222);
        loaded_done(&l);
        free(text);
}
END_TEST

START_TEST(test_nul_byte_is_reported_at_its_line_and_the_line_skipped)
{
        static const char data[] = "[sshd]\nPorts=22\0 2222\nPorts=80\n[rep\0ort]\nRateLimitBurst=9\n";
        Loaded l;

        load_data(&l, data, sizeof(data) - 1);
        ck_assert_int_eq(l.r, 0);
        ASSERT_ERRORS(&l, { 2, "NUL byte in line" }, { 4, "NUL byte in line" });
        ck_assert_uint_eq(l.c.n_ports, 1);
        ck_assert_uint_eq(l.c.ports[0], 80);
        ck_assert_uint_eq(l.c.rate_limit_burst, 5);
        loaded_done(&l);
}
END_TEST

START_TEST(test_too_many_errors_are_capped)
{
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        Loaded l;

        ck_assert_ptr_nonnull(f);
        fputs("[sshd]\n", f);
        for (unsigned i = 0; i < 150; i++)
                fputs("Ports=0\n", f);
        fputs("Ports=22\n", f);
        ck_assert_int_eq(fclose(f), 0);
        load_text(&l, text);
        ck_assert_int_eq(l.r, 0);
        ck_assert_uint_eq(l.n_errors, SG_CONFIG_ERRORS_MAX + 1);
        ck_assert_uint_eq(l.errors[0].line, 2);
        ck_assert_uint_eq(l.errors[SG_CONFIG_ERRORS_MAX - 1].line, SG_CONFIG_ERRORS_MAX + 1);
        ck_assert_uint_eq(l.errors[SG_CONFIG_ERRORS_MAX].line, SG_CONFIG_ERRORS_MAX + 2);
        ck_assert_str_eq(l.errors[SG_CONFIG_ERRORS_MAX].message, "Too many errors, not reporting any more");
        /* later lines still apply */
        ck_assert_uint_eq(l.c.n_ports, 1);
        loaded_done(&l);
        free(text);
}
END_TEST

/* -- line numbers, example files -- */

START_TEST(test_errors_carry_their_line)
{
        Loaded l = {};

        ck_assert_int_eq(sg_config_init(&l.c), 0);
        l.path = strdup(TEST_DATA_DIR "/sgconf/errors.conf");
        l.r = sg_config_load(&l.c, l.path, &l.errors, &l.n_errors);
        ck_assert_int_eq(l.r, 0);
        ASSERT_ERRORS(&l,
                      { 4,  "Invalid unit name 'ssh' for Units=" },
                      { 5,  "Invalid port '0' for Ports=" },
                      { 6,  "Invalid path 'etc/ssh/sshd_config' for ConfigFile=: not absolute" },
                      { 9,  "Unknown key 'Foo' in section [sshd]" },
                      { 11, "Invalid time span '30x' for RateLimitIntervalSec=: expected seconds, or a number with ms, s, min or h" },
                      { 12, "Invalid number '1001' for RateLimitBurst=: must be 1..1000" },
                      { 14, "Invalid boolean 'maybe' for IgnoreSourceBans=: expected yes, no, true, false, on, off, 1 or 0" },
                      { 15, "Unknown section [nosuch]" },
                      { 18, "Expected 'Key=Value', '[Section]' or a comment" });
        ck_assert_uint_eq(l.c.n_ports, 1);
        ck_assert_uint_eq(l.c.ports[0], 2222);
        ck_assert_uint_eq(l.c.n_units, 0);
        ck_assert_str_eq(l.c.config_file, DEFAULT_SSHD_CONFIG);
        sg_config_done(&l.c);
        sg_config_errors_free(l.errors, l.n_errors);
        free(l.path);
}
END_TEST

START_TEST(test_full_example)
{
        SgConfigError *errors = NULL;
        size_t n_errors = 0;
        SgConfig c;

        ck_assert_int_eq(sg_config_init(&c), 0);
        ck_assert_int_eq(sg_config_load(&c, TEST_DATA_DIR "/sgconf/full.conf", &errors, &n_errors), 0);
        ck_assert_uint_eq(n_errors, 0);
        ck_assert_uint_eq(c.n_units, 2);
        ck_assert_str_eq(c.units[0], "ssh.service");
        ck_assert_str_eq(c.units[1], "ssh.socket");
        ck_assert_uint_eq(c.n_ports, 2);
        ck_assert_uint_eq(c.ports[0], 22);
        ck_assert_uint_eq(c.ports[1], 2222);
        ck_assert_str_eq(c.config_file, "/etc/ssh/sshd_config.local");
        ck_assert_uint_eq(c.rate_limit_interval_usec, UINT64_C(120000000));
        ck_assert_uint_eq(c.rate_limit_burst, 10);
        ck_assert(c.ignore_source_bans);
        sg_config_done(&c);
}
END_TEST

START_TEST(test_loading_again_layers_over_what_is_loaded)
{
        Loaded l;

        load_text(&l, "[sshd]\nPorts=22\n[report]\nRateLimitBurst=7\n");
        assert_no_errors(&l);
        {
                char *second = write_text("[sshd]\nPorts=2222\n");

                ck_assert_int_eq(sg_config_load(&l.c, second, NULL, NULL), 0);
                unlink(second);
                free(second);
        }
        ck_assert_uint_eq(l.c.n_ports, 2);
        ck_assert_uint_eq(l.c.ports[0], 22);
        ck_assert_uint_eq(l.c.ports[1], 2222);
        ck_assert_uint_eq(l.c.rate_limit_burst, 7);
        loaded_done(&l);
}
END_TEST

/* -- dump -- */

START_TEST(test_dump_of_defaults)
{
        SgConfig c;
        char *text;
        int r;

        ck_assert_int_eq(sg_config_init(&c), 0);
        text = dump_text(&c, &r);
        ck_assert_int_eq(r, 0);
        ck_assert_str_eq(text,
                         "[sshd]\n"
                         "Units=\n"
                         "Ports=\n"
                         "ConfigFile=/etc/ssh/sshd_config\n"
                         "\n"
                         "[report]\n"
                         "RateLimitIntervalSec=30s\n"
                         "RateLimitBurst=5\n"
                         "PrometheusTextfile=\n"
                         "\n"
                         "[firewall]\n"
                         "IgnoreSourceBans=no\n"
                         "\n"
                         "[lockout]\n"
                         "AdminSources=32\n");
        free(text);
        sg_config_done(&c);
}
END_TEST

START_TEST(test_dump_marks_non_defaults)
{
        Loaded l;
        char *text;
        int r;

        load_text(&l, "[sshd]\nPorts=22 2222\n[report]\nRateLimitIntervalSec=1500ms\n[firewall]\nIgnoreSourceBans=on\n");
        assert_no_errors(&l);
        text = dump_text(&l.c, &r);
        ck_assert_int_eq(r, 0);
        ck_assert_str_eq(text,
                         "[sshd]\n"
                         "Units=\n"
                         "# default: Ports=\n"
                         "Ports=22 2222\n"
                         "ConfigFile=/etc/ssh/sshd_config\n"
                         "\n"
                         "[report]\n"
                         "# default: RateLimitIntervalSec=30s\n"
                         "RateLimitIntervalSec=1500ms\n"
                         "RateLimitBurst=5\n"
                         "PrometheusTextfile=\n"
                         "\n"
                         "[firewall]\n"
                         "# default: IgnoreSourceBans=no\n"
                         "IgnoreSourceBans=yes\n"
                         "\n"
                         "[lockout]\n"
                         "AdminSources=32\n");
        free(text);
        loaded_done(&l);
}
END_TEST

static void assert_round_trip(const SgConfig *c) {
        char *text, *again;
        Loaded l;
        int r;

        text = dump_text(c, &r);
        ck_assert_int_eq(r, 0);
        load_text(&l, text);
        ck_assert_int_eq(l.r, 0);
        assert_no_errors(&l);
        assert_config_equal(&l.c, c);
        again = dump_text(&l.c, &r);
        ck_assert_int_eq(r, 0);
        ck_assert_str_eq(again, text);
        free(again);
        free(text);
        loaded_done(&l);
}

START_TEST(test_dump_reloads_to_the_same_values)
{
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        Loaded l;

        /* Many units and all 256 ports: the dump has to split the lists
         * over several lines to stay within SG_CONFIG_LINE_MAX. */
        ck_assert_ptr_nonnull(f);
        fputs("[sshd]\n", f);
        for (unsigned i = 0; i < 40; i++)
                fprintf(f, "Units=sshd@instance-number-%u.service ssh-%u.socket\n", i, i);
        for (unsigned i = 0; i < 16; i++) {
                fputs("Ports=", f);
                for (unsigned j = 0; j < 16; j++)
                        fprintf(f, "%s%u", j ? " " : "", 65535 - (i * 16 + j) * 7);
                fputc('\n', f);
        }
        fputs("ConfigFile=/etc/ssh/sshd config;with odd bytes\\\n"
              "[report]\nRateLimitIntervalSec=90s\nRateLimitBurst=1000\n"
              "[firewall]\nIgnoreSourceBans=true\n", f);
        ck_assert_int_eq(fclose(f), 0);

        load_text(&l, text);
        assert_no_errors(&l);
        ck_assert_uint_eq(l.c.n_units, 80);
        ck_assert_uint_eq(l.c.n_ports, 256);
        ck_assert_uint_eq(l.c.rate_limit_interval_usec, UINT64_C(90000000));
        assert_round_trip(&l.c);
        loaded_done(&l);
        free(text);

        load_text(&l, "");
        assert_round_trip(&l.c);
        loaded_done(&l);
}
END_TEST

START_TEST(test_dump_refuses_values_it_cannot_write_back)
{
        uint16_t ports[] = { 22, 22 };
        char *units[] = { (char *) "ssh", NULL };
        char path[] = "relative";
        char *saved_path;
        SgConfig c;
        char *text;
        int r;

        ck_assert_int_eq(sg_config_init(&c), 0);
        saved_path = c.config_file;

        c.config_file = path;
        text = dump_text(&c, &r);
        ck_assert_int_eq(r, -EINVAL);
        ck_assert_str_eq(text, "");     /* nothing written */
        free(text);
        c.config_file = saved_path;

        c.rate_limit_interval_usec = 1500;      /* not whole milliseconds */
        text = dump_text(&c, &r);
        ck_assert_int_eq(r, -EINVAL);
        free(text);
        c.rate_limit_interval_usec = DEFAULT_INTERVAL_USEC;

        c.rate_limit_burst = 0;
        text = dump_text(&c, &r);
        ck_assert_int_eq(r, -EINVAL);
        free(text);
        c.rate_limit_burst = 5;

        c.ports = ports;
        c.n_ports = 2;                          /* a duplicate */
        text = dump_text(&c, &r);
        ck_assert_int_eq(r, -EINVAL);
        free(text);
        ports[1] = 0;
        text = dump_text(&c, &r);
        ck_assert_int_eq(r, -EINVAL);
        free(text);
        c.ports = NULL;
        c.n_ports = 0;

        {
                char **saved_units = c.units;
                char long_name[SG_CONFIG_UNIT_NAME_MAX + 1];

                c.units = units;
                c.n_units = 1;
                text = dump_text(&c, &r);
                ck_assert_int_eq(r, -EINVAL);
                free(text);

                /* a valid unit name, but "Units=<name>" would be too long a line */
                memset(long_name, 'u', SG_CONFIG_UNIT_NAME_MAX - strlen(".service"));
                strcpy(long_name + SG_CONFIG_UNIT_NAME_MAX - strlen(".service"), ".service");
                units[0] = long_name;
                text = dump_text(&c, &r);
                ck_assert_int_eq(r, -EINVAL);
                free(text);

                c.units = saved_units;
                c.n_units = 0;
        }

        text = dump_text(&c, &r);
        ck_assert_int_eq(r, 0);
        free(text);
        sg_config_done(&c);
}
END_TEST

/* -- never crash, and whatever loads dumps back -- */

START_TEST(test_random_input_loads_and_round_trips)
{
        static const char * const pieces[] = {
                "[sshd]", "[report]", "[firewall]", "[", "]", "[x]", "Units=", "Ports=", "ConfigFile=",
                "RateLimitIntervalSec=", "RateLimitBurst=", "IgnoreSourceBans=", "ssh.service", "a@b.socket",
                "22", "0", "65536", "/etc/x", "30s", "5", "yes", "=", ":", ";", "#", " ", " ", "\t", "\n", "\n",
                "\r\n", "\0", "\xEF\xBB\xBF", "\xff", "1000", "2min", " ;c", "x",
        };
        unsigned seed = 0x5eed;

        for (unsigned iter = 0; iter < 400; iter++) {
                char data[2048];
                size_t len = 0, n = (size_t) (rand_r(&seed) % 200);
                Loaded l;

                for (size_t i = 0; i < n; i++) {
                        unsigned k = (unsigned) rand_r(&seed) % (ELEMENTSOF(pieces) + 1);
                        size_t plen;

                        if (k == ELEMENTSOF(pieces)) {
                                /* a run that may make a line too long */
                                plen = (size_t) rand_r(&seed) % 250;
                                if (len + plen > sizeof(data))
                                        break;
                                memset(data + len, 'a', plen);
                        } else {
                                plen = pieces[k][0] ? strlen(pieces[k]) : 1;    /* "\0" is one NUL byte */
                                if (len + plen > sizeof(data))
                                        break;
                                memcpy(data + len, pieces[k], plen);
                        }
                        len += plen;
                }

                load_data(&l, data, len);
                ck_assert_int_eq(l.r, 0);
                for (size_t i = 0; i < l.n_errors; i++) {
                        ck_assert_uint_ge(l.errors[i].line, 1);
                        if (i > 0)
                                ck_assert_uint_ge(l.errors[i].line, l.errors[i - 1].line);
                }
                assert_round_trip(&l.c);
                loaded_done(&l);
        }
}
END_TEST

/* -- the shipped file and the man page follow the table -- */

START_TEST(test_shipped_conf_names_every_key_and_loads_to_the_defaults)
{
        const char *path = TEST_DATA_DIR "/../../conf/sshguardian.conf";
        SgConfigError *errors = NULL;
        size_t n_errors = 0;
        char *text = read_text(path);
        SgConfig c;

        for (size_t i = 0; i < ELEMENTSOF(test_settings); i++) {
                char *section, *line;

                ck_assert_int_gt(asprintf(&section, "[%s]\n", test_settings[i].section), 0);
                ck_assert_int_gt(asprintf(&line, "\n#%s=%s\n", test_settings[i].key, test_settings[i].default_value), 0);
                ck_assert_msg(strstr(text, section), "%s: no %s", path, section);
                ck_assert_msg(strstr(text, line), "%s: no line #%s=%s", path, test_settings[i].key,
                              test_settings[i].default_value);
                ck_assert_msg(strstr(text, section) < strstr(text, line), "%s: %s= outside [%s]", path,
                              test_settings[i].key, test_settings[i].section);
                free(section);
                free(line);
        }
        free(text);

        ck_assert_int_eq(sg_config_init(&c), 0);
        ck_assert_int_eq(sg_config_load(&c, path, &errors, &n_errors), 0);
        ck_assert_msg(n_errors == 0, "%s:%u: %s", path, n_errors ? errors[0].line : 0,
                      n_errors ? errors[0].message : "");
        assert_defaults(&c);
        sg_config_done(&c);
}
END_TEST

START_TEST(test_man_page_documents_every_key)
{
        const char *path = TEST_DATA_DIR "/../../systemd/man/sshguardian.conf.5";
        char *text = read_text(path);

        for (size_t i = 0; i < ELEMENTSOF(test_settings); i++) {
                char *entry;

                /* each key gets a tagged paragraph: .TP, then \fBKey=\fR */
                ck_assert_int_gt(asprintf(&entry, ".TP\n\\fB%s=\\fR", test_settings[i].key), 0);
                ck_assert_msg(strstr(text, entry), "%s: no entry for %s=", path, test_settings[i].key);
                free(entry);
        }
        free(text);
}
END_TEST

static Suite *sgconf_suite(void) {
        Suite *s = suite_create("sgconf");
        TCase *tc;

        tc = tcase_create("file");
        tcase_add_test(tc, test_init_gives_the_documented_defaults);
        tcase_add_test(tc, test_done_zeroes_and_accepts_null_and_repeats);
        tcase_add_test(tc, test_missing_file_is_enoent_and_keeps_defaults);
        tcase_add_test(tc, test_directory_is_eisdir);
        tcase_add_test(tc, test_fifo_is_einval_without_blocking);
        tcase_add_test(tc, test_device_is_einval);
        tcase_add_test(tc, test_symlink_to_regular_file_is_read);
        tcase_add_test(tc, test_unreadable_file_is_eacces);
        tcase_add_test(tc, test_file_of_1mib_is_read_and_one_byte_more_is_efbig);
        tcase_add_test(tc, test_empty_file_keeps_defaults_without_errors);
        tcase_add_test(tc, test_errors_may_be_ignored_with_null);
        suite_add_tcase(s, tc);

        tc = tcase_create("values");
        tcase_add_test(tc, test_units_accepts_services_sockets_and_instances);
        tcase_add_test(tc, test_units_lines_and_continuations_add_up_without_duplicates);
        tcase_add_test(tc, test_units_empty_value_resets_to_auto_detect);
        tcase_add_test(tc, test_units_rejects_what_is_not_a_service_or_socket_name);
        tcase_add_test(tc, test_units_at_most_256);
        tcase_add_test(tc, test_ports_accepts_1_to_65535_and_collapses_duplicates);
        tcase_add_test(tc, test_ports_rejects_0_65536_and_non_numbers);
        tcase_add_test(tc, test_ports_at_most_256);
        tcase_add_test(tc, test_config_file_takes_an_absolute_path);
        tcase_add_test(tc, test_config_file_rejects_relative_and_directory_paths);
        tcase_add_test(tc, test_semicolon_after_space_starts_a_comment_hash_does_not);
        tcase_add_test(tc, test_empty_value_resets_to_the_default);
        tcase_add_test(tc, test_rate_limit_interval_units);
        tcase_add_test(tc, test_rate_limit_interval_rejects_bad_time_spans);
        tcase_add_test(tc, test_rate_limit_burst_is_1_to_1000);
        tcase_add_test(tc, test_ignore_source_bans_booleans);
        tcase_add_test(tc, test_ignore_source_bans_rejects_other_words);
        suite_add_tcase(s, tc);

        tc = tcase_create("structure");
        tcase_add_test(tc, test_keys_and_sections_are_case_insensitive);
        tcase_add_test(tc, test_unknown_key_is_an_error_with_a_hint_when_misplaced);
        tcase_add_test(tc, test_key_before_any_section_is_an_error);
        tcase_add_test(tc, test_unknown_section_is_one_error_and_its_keys_are_skipped);
        tcase_add_test(tc, test_malformed_section_header_skips_the_keys_under_it);
        tcase_add_test(tc, test_text_after_section_header_is_an_error_comment_is_not);
        tcase_add_test(tc, test_line_without_equals_is_a_syntax_error);
        tcase_add_test(tc, test_continuation_of_a_single_value_key_is_an_error);
        tcase_add_test(tc, test_indented_line_continues_the_previous_key);
        tcase_add_test(tc, test_bom_crlf_and_missing_final_newline_are_fine);
        tcase_add_test(tc, test_line_of_197_bytes_is_read_198_is_too_long);
        tcase_add_test(tc, test_long_lines_of_every_kind_are_reported_not_cut);
        tcase_add_test(tc, test_nul_byte_is_reported_at_its_line_and_the_line_skipped);
        tcase_add_test(tc, test_too_many_errors_are_capped);
        tcase_add_test(tc, test_errors_carry_their_line);
        tcase_add_test(tc, test_full_example);
        tcase_add_test(tc, test_loading_again_layers_over_what_is_loaded);
        suite_add_tcase(s, tc);

        tc = tcase_create("dump");
        tcase_add_test(tc, test_dump_of_defaults);
        tcase_add_test(tc, test_dump_marks_non_defaults);
        tcase_add_test(tc, test_dump_reloads_to_the_same_values);
        tcase_add_test(tc, test_dump_refuses_values_it_cannot_write_back);
        tcase_add_test(tc, test_random_input_loads_and_round_trips);
        tcase_set_timeout(tc, 60);
        suite_add_tcase(s, tc);

        tc = tcase_create("docs");
        tcase_add_test(tc, test_shipped_conf_names_every_key_and_loads_to_the_defaults);
        tcase_add_test(tc, test_man_page_documents_every_key);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(sgconf_suite());
        int failed;

        srunner_run_all(sr, CK_ENV);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        /* exit status = failures (capped so that 256 failures are not 0) */
        return failed > 255 ? 255 : failed;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

void fuzz_fail(const char *fmt, ...) {
        va_list ap;

        fputs("fuzz: property violated: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        abort();
}

bool fuzz_strict(void) {
        static int strict = -1;

        if (strict < 0) {
                const char *e = getenv("SG_FUZZ_STRICT");
                strict = e && *e && strcmp(e, "0") != 0;
        }
        return strict;
}

void *fuzz_memdup(const void *data, size_t size) {
        void *p = malloc(size ? size : 1);

        if (!p)
                abort();
        if (size)
                memcpy(p, data, size);
        return p;
}

static char tmpdir[256];

static void rm_rf(const char *path) {
        DIR *d = opendir(path);

        if (d) {
                struct dirent *de;

                while ((de = readdir(d))) {
                        char sub[512];

                        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                                continue;
                        snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
                        rm_rf(sub);
                }
                closedir(d);
                rmdir(path);
        } else
                unlink(path);
}

static void tmpdir_remove(void) {
        if (tmpdir[0])
                rm_rf(tmpdir);
}

const char *fuzz_tmpdir(void) {
        if (!tmpdir[0]) {
                const char *base = getenv("TMPDIR");

                snprintf(tmpdir, sizeof(tmpdir), "%s/sg-fuzz-XXXXXX", base && *base ? base : "/tmp");
                if (!mkdtemp(tmpdir)) {
                        perror("mkdtemp");
                        abort();
                }
                atexit(tmpdir_remove);
        }
        return tmpdir;
}

char *fuzz_write_file(const char *dir, const char *name, const void *data, size_t len) {
        char *path;
        int fd;

        if (asprintf(&path, "%s/%s", dir, name) < 0)
                abort();
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
                perror(path);
                abort();
        }
        for (const uint8_t *p = data; len > 0;) {
                ssize_t n = write(fd, p, len);

                if (n <= 0) {
                        perror(path);
                        abort();
                }
                p += n;
                len -= (size_t) n;
        }
        close(fd);
        return path;
}

FILE *fuzz_null_stream(void) {
        static FILE *f;

        if (!f) {
                f = fopen("/dev/null", "we");
                if (!f)
                        abort();
        }
        return f;
}

/* sshd reads a line up to '\n' and stops at a NUL byte; its keyword is the
 * first word, which quotes (", ') and backslashes may split up
 * ("In""clude" is Include): they are dropped before looking. */
bool fuzz_sshd_config_includes_are_local(const uint8_t *data, size_t size) {
        size_t i = 0;

        while (i < size && data[i] != '\0') {
                char word[8];
                size_t n = 0, j = i;
                bool at_start = true, include = false;

                for (; j < size && data[j] != '\n' && data[j] != '\0'; j++) {
                        char ch = (char) data[j];

                        if (ch == '"' || ch == '\'' || ch == '\\')
                                continue;
                        if (at_start && (ch == ' ' || ch == '\t' || ch == '\r' || ch == '=' || ch == '\f' ||
                                         ch == '\v'))
                                continue;
                        at_start = false;
                        if (n < sizeof(word))
                                word[n++] = ch;
                }
                include = n >= 7 && strncasecmp(word, "include", 7) == 0;
                if (include && (memchr(data + i, '/', j - i) || memchr(data + i, '~', j - i)))
                        return false;
                i = j < size && data[j] == '\n' ? j + 1 : j;
                if (j < size && data[j] == '\0')
                        break;
        }
        return true;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading: files as sshd's loader reads them, and each line handed to inih
 * and back.
 *
 * inih does the line reading: sshd's syntax is tokenised by our reader
 * (sshdconf-token.c) into lines inih cannot misread -- `keyword=N`, never
 * longer than inih's 200-byte buffer, no NUL, no ';', no leading space --
 * and the handler finds the tokenised directive by N.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "sshdconf-internal.h"
#include "strv.h"

/* A regular file's bytes, up to the size fstat() gave. */
static int file_read_regular(ParseCtx *p, const char *path, int fd, const struct stat *st, char **ret,
                             size_t *ret_len, const char **why) {
        _cleanup_free_ char *data = NULL;
        size_t size = (size_t) st->st_size, len = 0;

        if (!S_ISREG(st->st_mode)) {
                *why = "not a regular file";
                return -EBADFD;
        }
        if ((uint64_t) st->st_size > SSHD_MAX_FILE_SIZE) {
                budget_stop(p, "%s is larger than %u MiB", path, SSHD_MAX_FILE_SIZE / (1024u * 1024u));
                return -E2BIG;
        }
        if (size > p->budget.max_bytes - p->budget.bytes) {
                budget_stop(p, "%s: more than %zu bytes of configuration in all", path, p->budget.max_bytes);
                return -E2BIG;
        }
        data = malloc(size + 1);
        if (!data)
                return -ENOMEM;
        /* One byte more than fstat() said, to notice a file that grows. */
        while (len < size + 1) {
                ssize_t n = read(fd, data + len, size + 1 - len);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        if (len > size)
                return -EFBIG;  /* grew while we read it: not a file to trust */
        p->budget.bytes += len;
        *ret = TAKE_PTR(data);
        *ret_len = len;
        return 0;
}

/* Reads a file as sshd's load_server_config() does.  Deviations, each to
 * stay bounded where sshd would hang or exhaust memory: anything but a
 * regular file or a directory is refused (sshd would block on a FIFO and
 * read /dev/zero forever); a directory reads as empty, as fopen()+getline()
 * make it in sshd; a file over SSHD_MAX_FILE_SIZE, or past the bytes of
 * the budget, stops the reading (-E2BIG, the budget says why). */
int file_read(ParseCtx *p, const char *path, char **ret, size_t *ret_len, const char **why) {
        _cleanup_(closep) int fd = -EBADF;
        _cleanup_free_ char *data = NULL;
        unsigned nul_line;
        struct stat st;
        size_t len = 0;
        int r;

        *why = NULL;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                *why = "is a directory: sshd reads it as an empty file";
        else {
                r = file_read_regular(p, path, fd, &st, &data, &len, why);
                if (r < 0)
                        return r;
        }
        r = sshd_text_load(data ? data : "", len, ret, ret_len, &nul_line);
        if (r < 0)
                return r;
        if (nul_line > 0)
                config_warn(p, path, nul_line,
                            "NUL byte: sshd ignores the rest of this line and joins the next line to it");
        return 0;
}

const char *file_error_message(int r) {
        switch (r) {
        case -EBADFD: return "not a regular file";
        case -EFBIG: return "file too large";
        default: return strerror(-r);
        }
}

static size_t string_hash(const char *s) {
        size_t h = 14695981039346656037ULL;     /* FNV-1a */

        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 1099511628211ULL;
        return h;
}

static int file_index_grow(ParseCtx *p) {
        size_t n = p->file_index_size ? p->file_index_size * 2 : 64;
        size_t *t = calloc(n, sizeof(size_t));

        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < p->c->n_files; i++) {
                size_t h = string_hash(p->c->files[i]) & (n - 1);
                while (t[h])
                        h = (h + 1) & (n - 1);
                t[h] = i + 1;
        }
        free(p->file_index);
        p->file_index = t;
        p->file_index_size = n;
        return 0;
}

/* Every file once in c->files, however often it is read (a cached Include
 * pattern re-reads its files); tens of thousands of included files must not
 * cost a quadratic search. */
static const char *intern_file(ParseCtx *p, const char *path) {
        size_t h;

        if ((p->c->n_files + 1) * 2 > p->file_index_size && file_index_grow(p) < 0) {
                parse_oom(p);
                return NULL;
        }
        h = string_hash(path) & (p->file_index_size - 1);
        for (; p->file_index[h]; h = (h + 1) & (p->file_index_size - 1))
                if (strcmp(p->c->files[p->file_index[h] - 1], path) == 0)
                        return p->c->files[p->file_index[h] - 1];
        if (strv_push_copy(&p->c->files, &p->c->n_files, path) < 0) {
                parse_oom(p);
                return NULL;
        }
        p->file_index[h] = p->c->n_files;
        return p->c->files[p->c->n_files - 1];
}

/* --- the inih bridge ------------------------------------------------------ */

/* Hands inih one directive at a time as "keyword=N": short, NUL-free,
 * comment-free, never indented, so nothing inih does to a line (its 200-byte
 * buffer, ';' comments, continuation lines, BOM) can change its meaning. */
static char *sshd_ini_reader(char *buf, int size, void *stream) {
        FileCtx *fc = stream;

        sshd_line_done(&fc->line);
        while (!fc->p->stop && !fc->done) {
                char *line = fc->text + fc->pos, *nl;
                int r;

                nl = memchr(line, '\n', fc->len - fc->pos);
                if (nl) {
                        *nl = '\0';
                        fc->pos = (size_t) (nl - fc->text) + 1;
                } else {
                        fc->pos = fc->len;
                        fc->done = true;        /* strsep() yields the last piece, even empty */
                }
                fc->lineno++;
                if (budget_time_spent(&fc->p->budget)) {
                        char t[32];

                        budget_stop(fc->p, "reading takes more than %s (stopped at %s line %u)",
                                    budget_time_text(&fc->p->budget, t), fc->file, fc->lineno);
                        return NULL;
                }

                r = sshd_line_tokenize(line, &fc->line);
                if (r < 0) {
                        fc->p->error = r;
                        fc->p->stop = true;
                        return NULL;
                }
                if (fc->line.kind == SSHD_LINE_EMPTY)
                        continue;

                {
                        char name[65];
                        size_t k = 0;
                        const char *s = fc->line.keyword;

                        /* inih lowercases nothing: we pass the keyword in
                         * lowercase if it is plain, else a name no keyword has. */
                        for (; *s && k < sizeof(name) - 1; s++) {
                                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
                                        break;
                                name[k++] = (char) (*s | 0x20);
                        }
                        if (*s || k == 0)
                                strcpy(name, "-");
                        else
                                name[k] = '\0';
                        fc->seq++;
                        if (snprintf(buf, (size_t) size, "%s=%u\n", name, fc->seq) >= size) {
                                fc->p->error = -EOVERFLOW;
                                fc->p->stop = true;
                                return NULL;
                        }
                }
                return buf;
        }
        return NULL;
}

static int sshd_ini_handler(void *user, const char *section, const char *name, const char *value) {
        FileCtx *fc = user;
        const SshdKeyword *kw;
        SshdLine *l = &fc->line;

        if (fc->p->stop || strtoul(value, NULL, 10) != fc->seq)
                return 1;

        if (l->kind == SSHD_LINE_NO_ARGUMENT) {
                line_error(fc, false, "no argument after keyword \"%s\"", l->keyword);
                return 1;
        }
        kw = sshd_keyword_lookup(name);
        if (!kw) {
                /* sshd's parse_token() prints "FILE: line N:" here */
                line_bad_option(fc, l->keyword);
                if (l->kind == SSHD_LINE_BAD_QUOTES)
                        line_error(fc, false, "invalid quotes");
                return 1;
        }
        if (l->kind == SSHD_LINE_BAD_QUOTES) {
                line_error(fc, false, "invalid quotes");
                return 1;
        }
        if (!fc->p->active && !(kw->flags & SSHD_KWF_MATCH)) {
                line_error(fc, true, "Directive '%s' is not allowed within a Match block", l->keyword);
                return 1;
        }
        directive_read(fc, kw);
        return 1;
}

int parse_text(ParseCtx *p, const char *file, char *text, size_t len, bool never_match,
                      int outer_match, int depth) {
        FileCtx fc = {
                .p = p,
                .text = text,
                .len = len,
                .never_match = never_match,
                .outer_match = outer_match,
                .depth = depth,
        };

        if (depth > SSHD_MAX_INCLUDE_DEPTH) {
                config_fatal(p, NULL, 0, "Too many recursive configuration includes");
                return 0;
        }
        fc.file = intern_file(p, file);
        if (!fc.file)
                return p->error;

        /* inih's own return value counts lines it could not parse; ours are
         * always well-formed, and errors are sshd's, recorded by the handler. */
        (void) ini_parse_stream(sshd_ini_reader, &fc, sshd_ini_handler, &fc);
        sshd_line_done(&fc.line);

        if (!p->stop && fc.bad_options > 0) {
                /* sshd: "FILE: terminating, N bad configuration options" */
                p->stop = true;
        }
        return p->error;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Errors and warnings of the model, worded as sshd words them and cut as
 * its logger cuts them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshdconf-internal.h"

/* sshd's logger formats a message into 1024 bytes, then passes it through
 * strnvis(VIS_SAFE|VIS_OCTAL|VIS_NOSLASH) into another 1024: bytes that are
 * not printable ASCII (or tab, newline, CR, BS, BEL) become "\\ooo", and
 * whatever does not fit is cut.  Messages quote file contents, so the model
 * does the same: its messages read exactly like sshd's, and hostile input
 * cannot make them large.  On stderr (what `sshd -t` and `sshd -T` show)
 * the line is cut once more, to 1021 characters.  PREFIX_LEN is the length
 * of the "FILE line N: " sshd puts in front, which counts against the same
 * budget. */
#define SSHD_LOG_LINE_MAX 1021

static char *sshd_log_text(const char *raw, size_t prefix_len) {
        size_t room = prefix_len < SSHD_LOG_LINE_MAX ? SSHD_LOG_LINE_MAX - prefix_len : 0;
        size_t in_len = strnlen(raw, room), used = 0;
        char *r = malloc(room + 1);

        if (!r)
                return NULL;
        for (size_t i = 0; i < in_len; i++) {
                unsigned char c = (unsigned char) raw[i];
                bool plain = (c >= 0x20 && c <= 0x7e) || (c && strchr("\t\n\r\b\a", c));
                size_t need = plain ? 1 : 4;

                if (used + need > room)
                        break;
                if (plain)
                        r[used++] = (char) c;
                else
                        used += (size_t) sprintf(r + used, "\\%03o", c);
        }
        r[used] = '\0';
        return r;
}

/* format(printf, 7, 0): FMT is a printf format checked at diag_add()'s
 * callers, AP its arguments (clang's -Wformat-nonliteral then accepts
 * vasprintf() of it) */
static int __attribute__((format(printf, 7, 0)))
diag_push(ParseCtx *p, SshdDiag **v, size_t *n, const char *file, unsigned line,
          size_t prefix_len, const char *fmt, va_list ap) {
        _cleanup_free_ char *raw = NULL, *msg = NULL, *f = NULL;
        SshdDiag *nv;

        if (vasprintf(&raw, fmt, ap) < 0) {
                raw = NULL;
                return parse_oom(p);
        }
        msg = sshd_log_text(raw, prefix_len);
        if (!msg)
                return parse_oom(p);
        if (file && !(f = strdup(file)))
                return parse_oom(p);
        nv = reallocarray(*v, *n + 1, sizeof(SshdDiag));
        if (!nv)
                return parse_oom(p);
        *v = nv;
        nv[(*n)++] = (SshdDiag) { .file = TAKE_PTR(f), .line = line, .message = TAKE_PTR(msg) };
        return 0;
}

static int __attribute__((format(printf, 7, 8)))
diag_add(ParseCtx *p, SshdDiag **v, size_t *n, const char *file, unsigned line, size_t prefix_len,
         const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = diag_push(p, v, n, file, line, prefix_len, fmt, ap);
        va_end(ap);
        return r;
}

/* The length of sshd's "FILE line N: " in front of a message. */
static size_t fc_prefix_len(const FileCtx *fc) {
        char num[16];

        return strlen(fc->file) + strlen(" line : ") + (size_t) snprintf(num, sizeof(num), "%u", fc->lineno);
}

ArgsVerdict line_error(FileCtx *fc, bool fatal, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        diag_push(fc->p, &fc->p->c->errors, &fc->p->c->n_errors, fc->file, fc->lineno,
                  fc_prefix_len(fc), fmt, ap);
        va_end(ap);
        if (fatal)
                fc->p->stop = true;
        else
                fc->bad_options++;
        return ARGS_REFUSED;
}

void line_bad_option(FileCtx *fc, const char *keyword) {
        fc->bad_options++;
        diag_add(fc->p, &fc->p->c->errors, &fc->p->c->n_errors, fc->file, fc->lineno,
                 fc_prefix_len(fc) + 1, "Bad configuration option: %s", keyword);
}

void config_fatal(ParseCtx *p, const char *file, unsigned line, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        diag_push(p, &p->c->errors, &p->c->n_errors, file, line, 0, fmt, ap);
        va_end(ap);
        p->stop = true;
}

void config_warn(ParseCtx *p, const char *file, unsigned line, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        diag_push(p, &p->c->warnings, &p->c->n_warnings, file, line, 0, fmt, ap);
        va_end(ap);
}

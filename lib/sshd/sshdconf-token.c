/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sshdconf-cleanup.h"
#include "sshdconf-token.h"
#include "strv.h"

#define WHITESPACE " \t\r\n"
#define QUOTE "\""

int sshd_text_load(const char *data, size_t len, char **ret, size_t *ret_len, unsigned *nul_line) {
        char *out, *o;
        unsigned physical = 0;

        *nul_line = 0;
        out = o = malloc(len + 1);
        if (!out)
                return -ENOMEM;

        for (size_t i = 0; i < len;) {
                const char *line = data + i, *nl, *nul;
                size_t linelen;

                nl = memchr(line, '\n', len - i);
                linelen = nl ? (size_t) (nl - line) + 1 : len - i;
                i += linelen;
                physical++;

                /* load_server_config(): strip leading whitespace, then keep
                 * strlen() bytes -- everything up to a NUL, newline included
                 * only if no NUL precedes it. */
                while (linelen > 0 && (*line == ' ' || *line == '\t' || *line == '\r'))
                        line++, linelen--;
                nul = memchr(line, '\0', linelen);
                if (nul) {
                        if (*nul_line == 0)
                                *nul_line = physical;
                        linelen = (size_t) (nul - line);
                }
                memcpy(o, line, linelen);
                o += linelen;
        }
        *o = '\0';
        *ret = out;
        *ret_len = (size_t) (o - out);
        return 0;
}

char *sshd_strdelim(char **s) {
        char *old;
        bool wspace = false;

        if (!*s)
                return NULL;
        old = *s;
        *s = strpbrk(*s, WHITESPACE QUOTE "=");
        if (!*s)
                return old;

        if (**s == '"') {
                memmove(*s, *s + 1, strlen(*s));        /* drops the quote, keeps the NUL */
                *s = strpbrk(*s, QUOTE);
                if (!*s)
                        return NULL;                    /* no matching quote */
                **s = '\0';
                *s += strspn(*s + 1, WHITESPACE) + 1;
                return old;
        }

        /* Only one '=' may be skipped. */
        if (**s == '=')
                wspace = true;
        **s = '\0';
        *s += strspn(*s + 1, WHITESPACE) + 1;
        if (**s == '=' && !wspace)
                *s += strspn(*s + 1, WHITESPACE) + 1;
        return old;
}

/* Reads the argument starting at s[*i] as argv_split() does: unquoting,
 * unescaping, ending at an unquoted space or tab.  Writes it to OUT when
 * given; returns its length, leaves *i on the byte that ended it and
 * reports an unterminated quote in *open_quote. */
static size_t argv_token(const char *s, size_t *i, char *out, bool *open_quote) {
        char quote = 0;
        size_t j = 0, k = *i;

        for (; s[k] != '\0'; k++) {
                if (s[k] == '\\') {
                        char next = s[k + 1];
                        if (next == '\'' || next == '"' || next == '\\' || (quote == 0 && next == ' '))
                                k++;
                        if (out)
                                out[j] = s[k];
                        j++;
                } else if (quote == 0 && (s[k] == ' ' || s[k] == '\t'))
                        break;
                else if (quote == 0 && (s[k] == '"' || s[k] == '\''))
                        quote = s[k];
                else if (quote != 0 && s[k] == quote)
                        quote = 0;
                else {
                        if (out)
                                out[j] = s[k];
                        j++;
                }
        }
        if (out)
                out[j] = '\0';
        *i = k;
        *open_quote = quote != 0;
        return j;
}

int sshd_argv_split(const char *s, char ***ret_argv, size_t *ret_argc) {
        _cleanup_(strv_freep) char **argv = NULL;
        size_t argc = 0, allocated = 1, i = 0;

        argv = calloc(allocated, sizeof(char *));
        if (!argv)
                return -ENOMEM;

        while (s[i] != '\0') {
                size_t start;
                bool open_quote;

                if (s[i] == ' ' || s[i] == '\t') {
                        i++;
                        continue;
                }
                if (s[i] == '#')
                        break;

                if (argc + 2 > allocated) {
                        size_t n = allocated * 2 < argc + 2 ? argc + 2 : allocated * 2;
                        char **nv = reallocarray(argv, n, sizeof(char *));

                        if (!nv)
                                return -ENOMEM;
                        argv = nv;
                        allocated = n;
                }
                /* sshd allocates the whole rest of the line for every
                 * argument; a line of many arguments would cost quadratic
                 * memory that way, so size each one exactly. */
                start = i;
                argv[argc] = malloc(argv_token(s, &start, NULL, &open_quote) + 1);
                if (!argv[argc])
                        return -ENOMEM;
                (void) argv_token(s, &i, argv[argc], &open_quote);
                argv[++argc] = NULL;
                if (s[i] == '\0') {
                        if (open_quote)
                                return -EINVAL;
                        break;
                }
                i++;    /* the separator that ended this argument */
        }
        *ret_argv = TAKE_PTR(argv);
        *ret_argc = argc;
        return 0;
}

int sshd_line_tokenize(char *line, SshdLine *ret) {
        size_t len;
        char *str, *keyword;
        int r;

        *ret = (SshdLine) { .kind = SSHD_LINE_EMPTY };

        /* Trailing whitespace; a form feed is allowed at the end only.  As in
         * sshd, the first byte is never examined. */
        len = strlen(line);
        if (len == 0)
                return 0;
        for (len--; len > 0; len--) {
                if (!strchr(WHITESPACE "\f", line[len]))
                        break;
                line[len] = '\0';
        }

        str = line;
        keyword = sshd_strdelim(&str);
        if (!keyword)
                return 0;
        if (*keyword == '\0')
                keyword = sshd_strdelim(&str);
        if (!keyword || *keyword == '\0' || *keyword == '#')
                return 0;

        ret->keyword = keyword;
        if (!str || *str == '\0') {
                ret->kind = SSHD_LINE_NO_ARGUMENT;
                return 0;
        }
        ret->rest = str;

        r = sshd_argv_split(str, &ret->argv, &ret->argc);
        if (r == -EINVAL) {
                ret->kind = SSHD_LINE_BAD_QUOTES;
                return 0;
        }
        if (r < 0)
                return r;
        ret->kind = SSHD_LINE_DIRECTIVE;
        return 0;
}

void sshd_line_done(SshdLine *l) {
        l->argv = strv_free(l->argv);
        l->argc = 0;
}

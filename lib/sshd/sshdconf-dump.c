/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model written back as an sshd_config that parses to the same model.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sshdconf.h"

/* Quotes an argument so that sshd's argv_split() gives it back unchanged. */
static void dump_arg(FILE *f, const char *s) {
        bool plain = *s != '\0' && *s != '#';

        for (const char *i = s; *i && plain; i++)
                if (strchr(" \t\"'\\=", *i))
                        plain = false;
        if (plain) {
                fputs(s, f);
                return;
        }
        fputc('"', f);
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        fputc('\\', f);
                fputc(*s, f);
        }
        fputc('"', f);
}

static void dump_directive(FILE *f, const SshdDirective *d) {
        if (d->match >= 0)
                fputc('\t', f);
        fputs(d->keyword->name, f);
        if (d->keyword->kind == SSHD_ARG_REST || d->keyword->kind == SSHD_ARG_COMMAND) {
                /* The text as sshd keeps it.  After "Keyword " sshd would
                 * skip one '=' the text starts with; after "Keyword=" it
                 * skips none. */
                fputc(d->args[0][0] == '=' ? '=' : ' ', f);
                fputs(d->args[0], f);
        } else if (d->n_args == 0)
                /* Every argument was a comment.  sshd accepts that for list
                 * keywords and it is not always a no-op (PubkeyAuthOptions
                 * then counts as set to none), so the line stays, as a
                 * keyword with only a comment after it; a bare keyword
                 * would be "no argument after keyword". */
                fputs(" #", f);
        else
                for (size_t j = 0; j < d->n_args; j++) {
                        fputc(' ', f);
                        dump_arg(f, d->args[j]);
                }
        fputc('\n', f);
}

/* Match criteria are read with strdelim(): double quotes only, no escapes
 * (a criterion cannot contain '"'). */
static void dump_match_arg(FILE *f, const char *s) {
        if (*s != '\0' && !strpbrk(s, " \t\r\n=\"#"))
                fputs(s, f);
        else
                fprintf(f, "\"%s\"", s);
}

/* The global directives first, then every Match block's, each in reading
 * order.  That keeps what sshd compares: the order of global values among
 * themselves (first value wins), and the order of Match blocks among
 * themselves (the first matching value wins per connection).  Include
 * lines are expanded; a block is reopened where the reading order comes
 * back to it.  The one order it cannot keep, and that no flat file can: a
 * global-only keyword set both in a "Match all" block and, later, at the
 * top level after an Include returned from a Match block. */
int sshd_config_dump(const SshdConfig *c, FILE *f) {
        int context = -1;

        for (size_t i = 0; i < c->n_directives; i++) {
                const SshdDirective *d = &c->directives[i];
                if (d->match < 0 && d->keyword->id != SSHD_KW_INCLUDE)
                        dump_directive(f, d);
        }
        for (size_t i = 0; i < c->n_directives; i++) {
                const SshdDirective *d = &c->directives[i];

                if (d->match < 0 || d->keyword->id == SSHD_KW_INCLUDE || d->keyword->id == SSHD_KW_MATCH)
                        continue;
                if (d->match != context) {
                        fputs("Match", f);
                        for (char **a = c->matches[d->match].criteria; *a; a++) {
                                fputc(' ', f);
                                dump_match_arg(f, *a);
                        }
                        fputc('\n', f);
                        context = d->match;
                }
                dump_directive(f, d);
        }
        return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * sshd_config's lexical rules, as OpenSSH 9.2 applies them (servconf.c
 * load_server_config() and process_server_config_line_depth(), misc.c
 * strdelim() and argv_split()).  They are quirky, and each quirk decides
 * what sshd does with a real file, so they are reproduced exactly:
 *
 *  - Leading " \t\r" of every line is dropped when the file is loaded.
 *  - A NUL byte ends the line it is on *and swallows that line's newline*:
 *    sshd keeps the bytes before the NUL and continues with the next line
 *    appended to them.  sshd's line numbers after it are one lower per
 *    such NUL than the file's.
 *  - Trailing " \t\r\n\f" is dropped.
 *  - The keyword ends at whitespace, '"' or '='; one '=' may separate it
 *    from the arguments; a quoted keyword is unquoted; an unterminated
 *    quote in the keyword makes sshd ignore the whole line silently.
 *  - Arguments are split on spaces and tabs, '"' and '\'' quote, '\\'
 *    escapes quotes, backslashes and (outside quotes) spaces, and '#' at
 *    the start of an argument ends the line.
 */

/* The file as sshd's loader leaves it: NUL-free text, one '\n' per line
 * sshd counts.  Returns 0 or -ENOMEM.  *nul_line receives the file's line
 * number of the first NUL byte (0: none). */
int sshd_text_load(const char *data, size_t len, char **ret, size_t *ret_len, unsigned *nul_line);

typedef enum SshdLineKind {
        SSHD_LINE_EMPTY,                /* blank, comment, or ignored by sshd */
        SSHD_LINE_NO_ARGUMENT,          /* keyword without arguments: an error */
        SSHD_LINE_BAD_QUOTES,           /* arguments with an unterminated quote */
        SSHD_LINE_DIRECTIVE,
} SshdLineKind;

typedef struct SshdLine {
        SshdLineKind kind;
        char *keyword;                  /* points into the line buffer */
        char *rest;                     /* the text after the keyword (for Match, ForceCommand...) */
        char **argv;                    /* owned, NULL-terminated */
        size_t argc;
} SshdLine;

/* Splits one line (modified in place, as sshd does) into keyword and
 * arguments.  Returns 0 or -ENOMEM. */
int sshd_line_tokenize(char *line, SshdLine *ret);
void sshd_line_done(SshdLine *l);

/* misc.c strdelim(): the next token of *s, splitting on whitespace and a
 * single '=', unquoting "...".  NULL at the end or on an unmatched quote. */
char *sshd_strdelim(char **s);

/* misc.c argv_split(s, ..., terminate_on_comment=1).  Returns 0, -EINVAL on
 * an unterminated quote, -ENOMEM. */
int sshd_argv_split(const char *s, char ***ret_argv, size_t *ret_argc);

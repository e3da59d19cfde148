/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What the files of the sshd_config model share, and nothing outside
 * lib/sshd/ sees.  The reading is split by concern:
 *
 *   sshdconf.c            load and free the model, the effective values
 *   sshdconf-read.c       files as sshd's loader reads them, the inih bridge
 *   sshdconf-directive.c  one directive: its arguments, read per argument kind
 *   sshdconf-value.c      numbers, times, sizes, ports, words, as sshd parses them
 *   sshdconf-algs.c       algorithm names, lists, and their assembly
 *   sshdconf-include.c    Include (globs, sshd's include cache) and Match
 *   sshdconf-listen.c     Port, ListenAddress and the endpoints they make
 *   sshdconf-diag.c       errors and warnings, worded and cut as sshd's log
 *   sshdconf-budget.c     the budget of a load: files, directory entries, bytes, time
 *   sshdconf-dump.c, sshdconf-json.c   the model written out
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sshdconf.h"
#include "sshdconf-cleanup.h"
#include "sshdconf-token.h"

/* --- the state of one load ------------------------------------------------ */

/* One pattern sshd's include cache remembers, with one file it matched. */
typedef struct IncludeItem {
        char *selector;         /* the pattern as sshd caches it */
        char *filename;         /* NULL: the pattern matched nothing */
        char *text;             /* the file as loaded */
        size_t len;
} IncludeItem;

/* The budget of one load (SshdConfigOptions) and what it has used. */
typedef struct Budget {
        size_t max_files, max_dir_entries, max_bytes;
        uint64_t max_usec;
        uint64_t deadline;      /* CLOCK_MONOTONIC, usec */
        size_t files, dir_entries, bytes;
} Budget;

typedef struct ParseCtx {
        SshdConfig *c;
        const SshdConfigOptions *opts;
        bool stop;              /* sshd exits at this point, or the budget is spent */
        int error;              /* a negative errno that aborts the load (ENOMEM) */
        bool active;            /* servconf.c's *activep */
        int match;              /* the Match block directives go to, or -1 */
        IncludeItem *includes;
        size_t n_includes;
        Budget budget;
        size_t directives_allocated;
        size_t *file_index;     /* open-addressing hash of c->files: index + 1, 0 free */
        size_t file_index_size;
} ParseCtx;

/* One file being read. */
typedef struct FileCtx {
        ParseCtx *p;
        const char *file;       /* interned in c->files */
        char *text;             /* NUL-free, as sshd's loader leaves it; consumed in place */
        size_t len, pos;
        bool done;
        unsigned lineno;
        unsigned bad_options;
        bool never_match;       /* SSHCFG_NEVERMATCH: included from an inactive Match */
        int outer_match;        /* the Match block the Include of this file was in, or -1 */
        int depth;
        SshdLine line;          /* the line inih is being handed */
        unsigned seq;
} FileCtx;

/* Out of memory: the load ends with -ENOMEM. */
static inline int parse_oom(ParseCtx *p) {
        p->error = -ENOMEM;
        p->stop = true;
        return -ENOMEM;
}

static inline SshdOrigin line_origin(const FileCtx *fc) {
        return (SshdOrigin) { .file = fc->file, .line = fc->lineno };
}

/* --- sshdconf-diag.c ------------------------------------------------------- */

/* What a reader of a directive's arguments concluded. */
typedef enum ArgsVerdict {
        ARGS_ACCEPTED,          /* extra arguments are checked next, then the directive is recorded */
        ARGS_REFUSED,           /* an error is reported, or the load stops: nothing is recorded */
        ARGS_RECORDED,          /* the reader recorded the directive itself (Include, Match) */
} ArgsVerdict;

/* An error sshd reports as "FILE line N: ".  FATAL: sshd exits there; else
 * it reads on to the end of the file and exits then.  Returns ARGS_REFUSED,
 * for a reader of arguments to return. */
ArgsVerdict line_error(FileCtx *fc, bool fatal, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* parse_token()'s complaint, the one error sshd prints as "FILE: line N: ". */
void line_bad_option(FileCtx *fc, const char *keyword);
/* An error sshd reports without a file and line, and exits (FILE may still
 * carry our evidence: sshd prints none, we know where it came from). */
void config_fatal(ParseCtx *p, const char *file, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
void config_warn(ParseCtx *p, const char *file, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* --- sshdconf-budget.c ----------------------------------------------------- */

void budget_init(Budget *b, const SshdConfigOptions *opts);
/* The wall-time budget is spent. */
bool budget_time_spent(const Budget *b);
/* "2 s": the wall-time budget, for messages. */
const char *budget_time_text(const Budget *b, char buf[static 32]);
/* Stops the reading: past its budget, what sshd makes of the file cannot
 * be told.  The first reason is kept (SshdConfig.undecided). */
void budget_stop(ParseCtx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --- sshdconf-read.c ------------------------------------------------------- */

/* Reads PATH as sshd's load_server_config() does (bounded: see there).
 * *why: a warning to record, or NULL.  Returns 0 or a negative errno. */
int file_read(ParseCtx *p, const char *path, char **ret, size_t *ret_len, const char **why);
const char *file_error_message(int r);
/* Reads the directives of TEXT (consumed in place), as from FILE. */
int parse_text(ParseCtx *p, const char *file, char *text, size_t len, bool never_match, int outer_match,
               int depth);

/* --- sshdconf-directive.c ------------------------------------------------------ */

/* A directive's arguments, as servconf.c's argv_next() hands them out. */
typedef struct Args {
        char **v;
        size_t n, i;
} Args;

static inline const char *args_next(Args *a) {
        return a->i < a->n ? a->v[a->i++] : NULL;
}

static inline void args_consume(Args *a) {
        a->i = a->n;
}

/* Out of memory while reading a directive's arguments. */
static inline ArgsVerdict args_oom(ParseCtx *p) {
        parse_oom(p);
        return ARGS_REFUSED;
}

/* Checks the arguments of the current line's directive as sshd does and
 * records it (process_server_config_line_depth()). */
void directive_read(FileCtx *fc, const SshdKeyword *kw);
/* Records the current line as a directive; it takes over the line's
 * arguments. */
int directive_add(FileCtx *fc, const SshdKeyword *kw);

/* --- sshdconf-value.c ------------------------------------------------------ */

/* OpenBSD strtonum()'s verdict as sshd prints it ("invalid", "too small",
 * "too large"), NULL when S is a number in [MIN, MAX]. */
const char *strtonum_err(const char *s, long long min, long long max, long long *ret);
/* atoi_err(): strtonum_err() for 0..INT_MAX, "missing" for none. */
const char *atoi_err(const char *s, int *ret);
int a2port(const char *s);
long convtime(const char *s);
int scaled_parse(const char *s, long long *ret);
bool strv_contains_case(const char *const *l, const char *s);
bool addr_list_valid(const char *list);
char *split_host_port(char *arg, char **port_str);
bool ipqos_valid(const char *s);
bool auth_method_list_valid(const char *list);
bool max_startups_parse(const char *arg, SshdMaxStartups *ms);
bool netblock_parse(const char *arg, int *v4, int *v6);
bool log_level_valid(const char *s);
bool log_facility_valid(const char *s);
bool fingerprint_hash_valid(const char *s);
bool tunnel_mode_valid(const char *s);
/* The words of a keyword of argument kind KIND (servconf.c's multistate_*
 * tables, in their order), NULL when KIND takes no such word. */
const char *const *multistate_words(SshdArgKind kind);
int multistate_index(const char *const *words, const char *arg);

/* --- sshdconf-algs.c ------------------------------------------------------- */

bool ciphers_spec_valid(const char *spec);
bool macs_spec_valid(const char *spec);
bool kex_spec_valid(const char *spec);
bool gss_kex_list_valid(const char *list);
bool key_types_spec_valid(const char *spec);
/* Once the whole file is read: assemble_algorithms(). */
void algorithms_assemble_check(ParseCtx *p);

/* --- sshdconf-include.c ---------------------------------------------------- */

ArgsVerdict read_include(FileCtx *fc, const SshdKeyword *kw, Args *a);
ArgsVerdict read_match(FileCtx *fc, const SshdKeyword *kw, Args *a);

/* --- sshdconf-listen.c ----------------------------------------------------- */

ArgsVerdict read_port(FileCtx *fc, const SshdKeyword *kw, Args *a);
ArgsVerdict read_listen_address(FileCtx *fc, const SshdKeyword *kw, Args *a);
/* process_queued_listen_addrs(): the endpoints, once the file is read. */
int listen_resolve(ParseCtx *p);

/* --- sshdconf.c ------------------------------------------------------------ */

/* The first value sshd takes when it starts: the first line, global or in a
 * "Match all" block, in reading order. */
const SshdDirective *config_get_at_start(const SshdConfig *c, SshdKeywordId id);

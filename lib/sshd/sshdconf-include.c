/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Include and Match: the directives that change what sshd reads next and
 * where it goes.  Include expands globs (sorted, relative to /etc/ssh) and
 * remembers what each pattern matched, as sshd's include cache does;
 * Match opens a block and decides whether it is active while reading.
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "macro.h"
#include "sshdconf-internal.h"
#include "strv.h"

#define SSHD_INCLUDE_BASE "/etc/ssh"

/* One more file to read for the Include of PATTERN: within the budget? */
static bool include_file_counted(ParseCtx *p, const char *pattern) {
        if (p->budget.files >= p->budget.max_files) {
                budget_stop(p, "Include %s reads more than %zu files", pattern, p->budget.max_files);
                return false;
        }
        p->budget.files++;
        return true;
}

static void include_parse_item(FileCtx *fc, const IncludeItem *item, bool was_active, int match) {
        ParseCtx *p = fc->p;
        _cleanup_free_ char *copy = NULL;

        if (!item->filename)
                return;
        /* The cached text is parsed in place: give each reading its own copy. */
        copy = malloc(item->len + 1);
        if (!copy) {
                parse_oom(p);
                return;
        }
        memcpy(copy, item->text, item->len + 1);
        parse_text(p, item->filename, copy, item->len, fc->never_match || !was_active, match, fc->depth + 1);
        /* "Don't let included files clobber the containing file's Match state." */
        p->active = was_active;
        p->match = match;
}

/* Remembers that SELECTOR matched FILENAME (NULL: nothing), whose TEXT it
 * takes over. */
static int include_cache_add(ParseCtx *p, const char *selector, const char *filename, char *text, size_t len) {
        _cleanup_free_ char *t = text, *s = strdup(selector), *f = filename ? strdup(filename) : NULL;
        IncludeItem *nv;

        if (!s || (filename && !f))
                return parse_oom(p);
        nv = reallocarray(p->includes, p->n_includes + 1, sizeof(IncludeItem));
        if (!nv)
                return parse_oom(p);
        p->includes = nv;
        nv[p->n_includes++] = (IncludeItem) {
                .selector = TAKE_PTR(s), .filename = TAKE_PTR(f), .text = TAKE_PTR(t), .len = len,
        };
        return 0;
}

/* glob(3) as sshd calls it, within the budget: GLOB_ALTDIRFUNC hands the
 * directory reading to the functions below, which count the entries and
 * the time and, once the budget is spent, make glob() give up (every
 * further opendir() fails, and glob_error() turns that into GLOB_ABORTED).
 * A directory that cannot be read for any other reason is skipped, as
 * sshd's glob(pattern, 0, NULL, ...) skips it. */
typedef struct GlobWalk {
        ParseCtx *p;
        const char *pattern;
        bool spent;
} GlobWalk;

/* glob() passes its directory functions no context; the walk of the one
 * glob() call running on this thread is here, set around that call only. */
static _Thread_local GlobWalk *glob_walk;

static void glob_walk_stop(GlobWalk *w, bool time) {
        char t[32];

        w->spent = true;
        if (time)
                budget_stop(w->p, "Include %s takes more than %s", w->pattern, budget_time_text(&w->p->budget, t));
        else
                budget_stop(w->p, "Include %s visits more than %zu directory entries", w->pattern,
                            w->p->budget.max_dir_entries);
}

static void *glob_opendir(const char *name) {
        if (glob_walk->spent) {
                errno = ECANCELED;
                return NULL;
        }
        return opendir(name);
}

static struct dirent *glob_readdir(void *d) {
        GlobWalk *w = glob_walk;
        struct dirent *de;

        if (w->spent)
                return NULL;
        if (budget_time_spent(&w->p->budget)) {
                glob_walk_stop(w, true);
                return NULL;
        }
        de = readdir(d);
        if (de && ++w->p->budget.dir_entries > w->p->budget.max_dir_entries) {
                glob_walk_stop(w, false);
                return NULL;
        }
        return de;
}

static void glob_closedir(void *d) {
        closedir(d);
}

static int glob_error(const char *path, int error) {
        return glob_walk->spent;
}

/* glob(PATTERN, 0, NULL, G); -ECANCELED when the budget stopped it. */
static int include_glob(ParseCtx *p, const char *pattern, glob_t *g) {
        GlobWalk w = { .p = p, .pattern = pattern };
        int r;

        *g = (glob_t) {
                .gl_opendir = glob_opendir,
                .gl_readdir = glob_readdir,
                .gl_closedir = glob_closedir,
                .gl_lstat = lstat,
                .gl_stat = stat,
        };
        glob_walk = &w;
        r = glob(pattern, GLOB_ALTDIRFUNC, glob_error, g);
        glob_walk = NULL;
        return w.spent ? -ECANCELED : r;
}

ArgsVerdict read_include(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        ParseCtx *p = fc->p;
        const char *base = p->opts && p->opts->include_base ? p->opts->include_base : SSHD_INCLUDE_BASE;
        const char *arg;
        unsigned n_args = 0;
        bool was_active = p->active;
        int match = p->match;

        /* The directive itself first, so that the model's reading order (and
         * its dump) has it before what it brings in. */
        directive_add(fc, sshd_keyword_by_id(SSHD_KW_INCLUDE));

        while (!p->stop && (arg = args_next(a))) {
                _cleanup_free_ char *pattern = NULL;
                _cleanup_(globfree) glob_t g = {};
                bool found = false;
                int r;

                if (*arg == '\0') {
                        line_error(fc, false, "keyword %s empty argument", fc->line.keyword);
                        return ARGS_RECORDED;
                }
                n_args++;
                if (arg[0] != '/' && arg[0] != '~') {
                        if (asprintf(&pattern, "%s/%s", base, arg) < 0) {
                                pattern = NULL;
                                parse_oom(p);
                                return ARGS_RECORDED;
                        }
                } else if (!(pattern = strdup(arg))) {
                        parse_oom(p);
                        return ARGS_RECORDED;
                }

                /* sshd remembers every pattern it expanded and re-reads the
                 * remembered files, not the file system, when the pattern
                 * comes again.  Entries are added only after their file was
                 * read, which is why a file that includes itself recurses
                 * until the depth limit. */
                for (size_t i = 0; i < p->n_includes && !p->stop; i++) {
                        if (strcmp(p->includes[i].selector, pattern) != 0)
                                continue;
                        found = true;
                        if (p->includes[i].filename && !include_file_counted(p, pattern))
                                break;
                        include_parse_item(fc, &p->includes[i], was_active, match);
                }
                if (found || p->stop)
                        continue;

                r = include_glob(p, pattern, &g);
                if (r == -ECANCELED)
                        return ARGS_RECORDED;
                if (r != 0) {
                        if (r != GLOB_NOMATCH) {
                                line_error(fc, true, "include \"%s\" glob failed", pattern);
                                return ARGS_RECORDED;
                        }
                        include_cache_add(p, pattern, NULL, NULL, 0);
                        continue;
                }
                for (size_t n = 0; n < g.gl_pathc && !p->stop; n++) {
                        const char *path = g.gl_pathv[n], *why;
                        char *text = NULL;
                        size_t len = 0;

                        if (!include_file_counted(p, pattern))
                                break;
                        r = file_read(p, path, &text, &len, &why);
                        if (r < 0) {
                                if (r == -ENOMEM) {
                                        parse_oom(p);
                                        break;
                                }
                                if (r == -E2BIG)
                                        break;  /* past the budget: said so */
                                /* sshd: perror(filename); exit(1) */
                                config_fatal(p, path, 0, "%s: %s", path, file_error_message(r));
                                break;
                        }
                        if (why)
                                config_warn(p, path, 0, "%s", why);
                        /* Parsed before it is cached, as sshd does: a file that
                         * includes itself recurses to the depth limit. */
                        {
                                IncludeItem item = { .filename = (char *) path, .text = text, .len = len };
                                include_parse_item(fc, &item, was_active, match);
                        }
                        if (include_cache_add(p, pattern, path, text, len) < 0)
                                break;
                }
        }
        if (!p->stop && n_args == 0)
                line_error(fc, true, "%s missing filename argument", fc->line.keyword);
        return ARGS_RECORDED;
}

/* --- Match --------------------------------------------------------------- */

/* The conditions under which a Match block applies, as a Match line that
 * says the same at the top level: a block opened in a file included from
 * inside another Match block applies only where that one does too (sshd
 * reads such a file "never-match" unless the outer block matched). */
static char **match_effective_criteria(const SshdConfig *c, int outer, char **own, bool own_all) {
        _cleanup_(strv_freep) char **r = NULL;
        size_t n = 0;

        if (outer < 0 || c->matches[outer].all)
                return strv_copy(own);
        if (own_all)
                return strv_copy(c->matches[outer].criteria);
        for (char **i = c->matches[outer].criteria; *i; i++)
                if (strv_push_copy(&r, &n, *i) < 0)
                        return NULL;
        for (char **i = own; *i; i++)
                if (strv_push_copy(&r, &n, *i) < 0)
                        return NULL;
        return TAKE_PTR(r);
}

ArgsVerdict read_match(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        ParseCtx *p = fc->p;
        SshdConfig *c = p->c;
        _cleanup_(strv_freep) char **own = NULL, **criteria = NULL;
        char *cp, *attrib, *arg;
        size_t n_own = 0;
        int attributes = 0, result = 1;
        bool own_all = false;
        SshdMatch *nv;

        /* match_cfg_line() re-reads the raw text with strdelim() -- '=' splits,
         * only double quotes quote -- so the criteria are kept as it reads
         * them, not as argv_split() would. */
        cp = fc->line.rest;
        while ((attrib = sshd_strdelim(&cp)) && *attrib != '\0') {
                if (*attrib == '#') {
                        cp = NULL;
                        break;
                }
                attributes++;
                if (strcasecmp(attrib, "all") == 0) {
                        if (attributes > 1 || ((arg = sshd_strdelim(&cp)) && *arg != '\0' && *arg != '#')) {
                                line_error(fc, true, "Bad Match condition");
                                config_fatal(p, fc->file, fc->lineno, "'all' cannot be combined with other Match attributes");
                                return ARGS_REFUSED;
                        }
                        cp = NULL;
                        own_all = true;
                        if (strv_push_copy(&own, &n_own, attrib) < 0)
                                return args_oom(p);
                        break;
                }
                if (!(arg = sshd_strdelim(&cp)) || *arg == '\0' || *arg == '#') {
                        line_error(fc, true, "Bad Match condition");
                        config_fatal(p, fc->file, fc->lineno, "Missing Match criteria for %s", attrib);
                        return ARGS_REFUSED;
                }
                if (strcasecmp(attrib, "user") == 0 || strcasecmp(attrib, "group") == 0 ||
                    strcasecmp(attrib, "host") == 0 || strcasecmp(attrib, "rdomain") == 0)
                        result = 0;
                else if (strcasecmp(attrib, "address") == 0 || strcasecmp(attrib, "localaddress") == 0) {
                        if (!addr_list_valid(arg)) {
                                config_fatal(p, fc->file, fc->lineno, "Invalid Match %s argument '%s' at line %u",
                                        strcasecmp(attrib, "address") == 0 ? "address" : "localaddress",
                                        arg, fc->lineno);
                                return ARGS_REFUSED;
                        }
                        result = 0;
                } else if (strcasecmp(attrib, "localport") == 0) {
                        if (a2port(arg) == -1) {
                                line_error(fc, true, "Bad Match condition");
                                config_fatal(p, fc->file, fc->lineno, "Invalid LocalPort '%s' on Match line", arg);
                                return ARGS_REFUSED;
                        }
                        result = 0;
                } else {
                        line_error(fc, true, "Bad Match condition");
                        config_fatal(p, fc->file, fc->lineno, "Unsupported Match attribute %s", attrib);
                        return ARGS_REFUSED;
                }
                if (strv_push_copy(&own, &n_own, attrib) < 0 || strv_push_copy(&own, &n_own, arg) < 0)
                        return args_oom(p);
        }
        if (attributes == 0) {
                line_error(fc, true, "Bad Match condition");
                config_fatal(p, fc->file, fc->lineno, "One or more attributes required for Match");
                return ARGS_REFUSED;
        }

        /* Without a connection (sshd -T, or sshd reading its file at start)
         * every criterion but "all" evaluates false: the block is inactive,
         * which is why global-only keywords inside it are fatal. */
        p->active = fc->never_match ? false : result;
        args_consume(a);
        if (cp && *cp != '\0') {
                line_error(fc, false, "keyword %s extra arguments at end of line", fc->line.keyword);
                return ARGS_REFUSED;
        }

        criteria = match_effective_criteria(c, fc->outer_match, own, own_all);
        if (!criteria)
                return args_oom(p);
        nv = reallocarray(c->matches, c->n_matches + 1, sizeof(SshdMatch));
        if (!nv)
                return args_oom(p);
        c->matches = nv;
        nv[c->n_matches] = (SshdMatch) {
                .criteria = TAKE_PTR(criteria),
                .all = own_all && (fc->outer_match < 0 || c->matches[fc->outer_match].all),
                .origin = line_origin(fc),
        };
        p->match = (int) c->n_matches++;
        /* the Match line belongs to the block it opens */
        directive_add(fc, sshd_keyword_by_id(SSHD_KW_MATCH));
        return ARGS_RECORDED;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One directive: its arguments checked as sshd checks them, with sshd's
 * words, then the directive recorded.  sshd does it in one switch
 * (process_server_config_line_depth()); here each argument kind of the
 * keyword table (sshdconf-keywords.h) has its reader, and readers[] maps
 * the one to the other.  The messages are sshd's, down to its spelling of
 * the keyword: KWNAME below is the keyword as the file writes it.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "macro.h"
#include "sshdconf-internal.h"
#include "strv.h"

typedef ArgsVerdict (*ArgsReader)(FileCtx *fc, const SshdKeyword *kw, Args *a);

#define KWNAME(fc) ((fc)->line.keyword)

int directive_add(FileCtx *fc, const SshdKeyword *kw) {
        SshdConfig *c = fc->p->c;

        if (c->n_directives >= SSHD_MAX_DIRECTIVES) {
                budget_stop(fc->p, "more than %u directives (stopped at %s line %u)", SSHD_MAX_DIRECTIVES,
                            fc->file, fc->lineno);
                return -E2BIG;
        }
        if (c->n_directives == fc->p->directives_allocated) {
                size_t n = c->n_directives ? c->n_directives * 2 : 64;
                SshdDirective *nv = reallocarray(c->directives, n, sizeof(SshdDirective));

                if (!nv)
                        return parse_oom(fc->p);
                c->directives = nv;
                fc->p->directives_allocated = n;
        }
        c->directives[c->n_directives++] = (SshdDirective) {
                .keyword = kw,
                .args = TAKE_PTR(fc->line.argv),
                .n_args = fc->line.argc,
                .origin = line_origin(fc),
                .match = fc->p->match,
        };
        return 0;
}

/* One word of multistate_words(): yes/no, inet/inet6/any, ... */
static ArgsVerdict read_multistate(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a);

        if (!arg || *arg == '\0')
                return line_error(fc, true, "missing argument.");
        if (multistate_index(multistate_words(kw->kind), arg) < 0)
                return line_error(fc, true, "unsupported option \"%s\".", arg);
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_int(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *e;
        int v;

        if ((e = atoi_err(args_next(a), &v)))
                return line_error(fc, true, "%s integer value %s.", KWNAME(fc), e);
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_time(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a);

        if (!arg || *arg == '\0')
                return line_error(fc, true, "missing time value.");
        if (convtime(arg) < 0)
                return line_error(fc, true, "invalid time value.");
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_time_or_none(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        if (a->i < a->n && strcasecmp(a->v[a->i], "none") == 0) {
                args_next(a);
                return ARGS_ACCEPTED;
        }
        return read_time(fc, kw, a);
}

/* One non-empty argument; the message when it is missing is all that
 * differs between these kinds. */
static ArgsVerdict read_one_argument(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a);

        if (arg && *arg != '\0')
                return ARGS_ACCEPTED;
        switch (kw->kind) {
        case SSHD_ARG_FILE:
                return line_error(fc, true, "missing file name.");
        case SSHD_ARG_SOCKET:
                return line_error(fc, true, "missing socket name.");
        case SSHD_ARG_LOCALUSER:
                return line_error(fc, true, "missing %s argument.", KWNAME(fc));
        default:
                return line_error(fc, true, "%s missing argument.", KWNAME(fc));
        }
}

static ArgsVerdict read_key_algorithms(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a);

        if (!arg || *arg == '\0')
                return line_error(fc, true, "Missing argument.");
        if (!key_types_spec_valid(arg))
                return line_error(fc, true, "Bad key types '%s'.", arg);
        return ARGS_ACCEPTED;
}

/* Ciphers, MACs, KexAlgorithms. */
static ArgsVerdict read_crypto(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a);

        if (!arg || *arg == '\0')
                return line_error(fc, true, "%s missing argument.", KWNAME(fc));
        if (kw->id == SSHD_KW_CIPHERS && !ciphers_spec_valid(arg))
                return line_error(fc, true, "Bad SSH2 cipher spec '%s'.", arg);
        if (kw->id == SSHD_KW_MACS && !macs_spec_valid(arg))
                return line_error(fc, true, "Bad SSH2 mac spec '%s'.", arg);
        if (kw->id == SSHD_KW_KEX_ALGORITHMS && !kex_spec_valid(arg))
                return line_error(fc, true, "Bad SSH2 KexAlgorithms '%s'.", arg);
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_gss_kex(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a);

        if (!arg || *arg == '\0')
                return line_error(fc, true, "Missing argument.");
        if (!gss_kex_list_valid(arg))
                return line_error(fc, true, "Bad GSSAPI KexAlgorithms '%s'.", arg);
        return ARGS_ACCEPTED;
}

/* AllowUsers, DenyUsers: USER@HOST patterns, HOST an address list. */
static ArgsVerdict read_users(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg;

        while ((arg = args_next(a))) {
                const char *at = strrchr(arg, '@');

                if (*arg == '\0' || (at && !addr_list_valid(at + 1)))
                        return line_error(fc, true, "invalid %s pattern: \"%s\"", KWNAME(fc), arg);
        }
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_groups(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg;

        while ((arg = args_next(a)))
                if (*arg == '\0')
                        return line_error(fc, true, "empty %s pattern", KWNAME(fc));
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_accept_env(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg;

        while ((arg = args_next(a)))
                if (*arg == '\0' || strchr(arg, '='))
                        return line_error(fc, true, "Invalid environment name.");
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_set_env(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg;

        while ((arg = args_next(a)))
                if (*arg == '\0' || !strchr(arg, '='))
                        return line_error(fc, true, "Invalid environment.");
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_list(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg;

        while ((arg = args_next(a)))
                if (*arg == '\0')
                        return line_error(fc, false, "keyword %s empty argument", KWNAME(fc));
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_log_verbose(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg;

        for (size_t i = 0; (arg = args_next(a)); i++) {
                if (*arg == '\0')
                        return line_error(fc, false, "keyword %s empty argument", KWNAME(fc));
                if (strcasecmp(arg, "none") == 0 && (i > 0 || a->i < a->n))
                        return line_error(fc, false, "keyword %s \"none\" argument must appear alone.", KWNAME(fc));
        }
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_pubkey_auth_options(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg;

        while ((arg = args_next(a)))
                if (strcasecmp(arg, "none") != 0 && strcasecmp(arg, "touch-required") != 0 &&
                    strcasecmp(arg, "verify-required") != 0)
                        return line_error(fc, false, "unsupported %s option %s", KWNAME(fc), arg);
        return ARGS_ACCEPTED;
}

/* ForceCommand, VersionAddendum, AuthorizedKeysCommand...: sshd keeps the
 * rest of the line as it is written (quotes, runs of blanks and '#'
 * included: `ForceCommand echo 'x'  # y` runs "echo 'x'  # y"), so the
 * directive's one argument is that text, not its argv_split() words. */
static ArgsVerdict line_keep_verbatim(FileCtx *fc, Args *a) {
        SshdLine *l = &fc->line;
        _cleanup_(strv_freep) char **v = calloc(2, sizeof(char *));

        if (!v || !(v[0] = strdup(l->rest + strspn(l->rest, " \t\r\n"))))
                return args_oom(fc->p);
        strv_free(l->argv);
        l->argv = TAKE_PTR(v);
        l->argc = 1;
        *a = (Args) { .v = l->argv, .n = l->argc, .i = l->argc };
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_rest_of_line(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *rest = fc->line.rest + strspn(fc->line.rest, " \t\r\n");

        if (kw->id == SSHD_KW_VERSION_ADDENDUM && strchr(rest, '\r'))
                return line_error(fc, true, "Invalid %s argument", KWNAME(fc));
        return line_keep_verbatim(fc, a);
}

static ArgsVerdict read_command(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *cmd = fc->line.rest + strspn(fc->line.rest, " \t\r\n");

        if (*cmd != '/' && strcasecmp(cmd, "none") != 0)
                return line_error(fc, true, "%s must be an absolute path", KWNAME(fc));
        return line_keep_verbatim(fc, a);
}

static ArgsVerdict read_max_startups(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a);
        SshdMaxStartups ms = { .rate = 30 };

        if (!arg || *arg == '\0')
                return line_error(fc, true, "MaxStartups missing argument.");
        if (!max_startups_parse(arg, &ms))
                return line_error(fc, true, "Invalid MaxStartups spec.");
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_per_source_max_startups(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a), *e;
        int v;

        if (!arg || *arg == '\0')
                return line_error(fc, true, "PerSourceMaxStartups missing argument.");
        if (strcmp(arg, "none") != 0 && (e = atoi_err(arg, &v)))
                return line_error(fc, true, "%s integer value %s.", KWNAME(fc), e);
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_per_source_netblock(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a);
        int v4, v6;

        if (!arg || *arg == '\0')
                return line_error(fc, true, "%s missing argument.", KWNAME(fc));
        if (!netblock_parse(arg, &v4, &v6))
                return line_error(fc, true, "Invalid %s spec.", KWNAME(fc));
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_subsystem(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const SshdConfig *c = fc->p->c;
        const char *arg = args_next(a);

        if (!arg || *arg == '\0')
                return line_error(fc, true, "%s missing argument.", KWNAME(fc));
        if (!fc->p->active) {
                args_next(a);   /* sshd skips the command only */
                return ARGS_ACCEPTED;
        }
        for (size_t i = 0; i < c->n_directives; i++) {
                const SshdDirective *d = &c->directives[i];

                if (d->keyword->id == SSHD_KW_SUBSYSTEM && sshd_directive_applies_always(c, d) &&
                    strcmp(d->args[0], arg) == 0)
                        return line_error(fc, true, "Subsystem '%s' already defined.", arg);
        }
        arg = args_next(a);
        if (!arg || *arg == '\0')
                return line_error(fc, true, "Missing subsystem command.");
        args_consume(a);
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_log_level(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a);

        if (!arg || !log_level_valid(arg))
                return line_error(fc, true, "unsupported log level '%s'", arg ? arg : "<NONE>");
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_log_facility(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a);

        if (!arg || !log_facility_valid(arg))
                return line_error(fc, true, "unsupported log facility '%s'", arg ? arg : "<NONE>");
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_permit_tunnel(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a);

        if (!arg || *arg == '\0')
                return line_error(fc, true, "%s missing argument.", KWNAME(fc));
        if (!tunnel_mode_valid(arg))
                return line_error(fc, true, "bad %s argument %s", KWNAME(fc), arg);
        return ARGS_ACCEPTED;
}

/* "RekeyLimit SIZE [TIME|none]", SIZE through scan_scaled(). */
static ArgsVerdict read_rekey_limit(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a);

        if (!arg || *arg == '\0')
                return line_error(fc, true, "%s missing argument.", KWNAME(fc));
        if (strcmp(arg, "default") != 0) {
                long long size;
                int r = scaled_parse(arg, &size);

                if (r < 0)
                        return line_error(fc, true, "Bad %s number '%s': %s", KWNAME(fc), arg, strerror(-r));
                if (size != 0 && size < 16)
                        return line_error(fc, true, "%s too small", KWNAME(fc));
        }
        if (a->i < a->n) {
                arg = args_next(a);
                if (strcmp(arg, "none") == 0)
                        return ARGS_ACCEPTED;
                if (*arg == '\0')
                        return line_error(fc, true, "missing time value.");
                if (convtime(arg) < 0)
                        return line_error(fc, true, "invalid time value.");
        }
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_ipqos(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a);

        if (!arg || *arg == '\0')
                return line_error(fc, true, "%s missing argument.", KWNAME(fc));
        if (!ipqos_valid(arg))
                return line_error(fc, true, "Bad %s value: %s", KWNAME(fc), arg);
        arg = args_next(a);
        if (arg && !ipqos_valid(arg))
                return line_error(fc, true, "Bad %s value: %s", KWNAME(fc), arg);
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_bind_mask(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a);
        char *end;
        long m;

        if (!arg || *arg == '\0')
                return line_error(fc, true, "%s missing argument.", KWNAME(fc));
        m = strtol(arg, &end, 8);
        if (end == arg || m < 0 || m > 0777)
                return line_error(fc, true, "Invalid %s.", KWNAME(fc));
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_fingerprint_hash(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a);

        if (!arg || *arg == '\0')
                return line_error(fc, true, "%s missing argument.", KWNAME(fc));
        if (!fingerprint_hash_valid(arg))
                return line_error(fc, true, "Invalid %s algorithm \"%s\".", KWNAME(fc), arg);
        return ARGS_ACCEPTED;
}

/* Debian's sshd is built without routing domain support on Linux. */
static ArgsVerdict read_rdomain(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        return line_error(fc, true, "setting RDomain not supported on this platform.");
}

static ArgsVerdict read_channel_timeout(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg;

        for (size_t i = 0; (arg = args_next(a)); i++) {
                const char *eq;

                if (strcasecmp(arg, "none") == 0) {
                        if (i > 0 || a->i < a->n)
                                return line_error(fc, false, "keyword %s \"none\" argument must appear alone.",
                                                  KWNAME(fc));
                        continue;
                }
                eq = strchr(arg, '=');
                if (!eq || eq == arg || convtime(eq + 1) < 0)
                        return line_error(fc, true, "invalid channel timeout %s", arg);
        }
        return ARGS_ACCEPTED;
}

static ArgsVerdict read_auth_methods(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        bool any = false, parsed = false;
        const char *arg;

        while ((arg = args_next(a))) {
                if (strcmp(arg, "any") == 0) {
                        if (parsed)
                                return line_error(fc, true, "\"any\" must appear alone in %s", KWNAME(fc));
                        any = true;
                } else if (any)
                        return line_error(fc, true, "\"any\" must appear alone in %s", KWNAME(fc));
                else if (!auth_method_list_valid(arg))
                        return line_error(fc, true, "invalid %s method list.", KWNAME(fc));
                parsed = true;
        }
        if (!parsed)
                return line_error(fc, true, "no %s specified", KWNAME(fc));
        return ARGS_ACCEPTED;
}

/* PermitOpen host:port..., PermitListen [host:]port...: "any", "none", or
 * a list read up to its first empty argument. */
static ArgsVerdict read_permit_open(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        const char *arg = args_next(a);

        if (!arg || *arg == '\0')
                return line_error(fc, true, "%s missing argument.", KWNAME(fc));
        if (strcmp(arg, "any") == 0 || strcmp(arg, "none") == 0)
                return ARGS_ACCEPTED;
        for (; arg && *arg; arg = args_next(a)) {
                _cleanup_free_ char *copy = strdup(arg);
                char *port_str = NULL;

                if (!copy)
                        return args_oom(fc->p);
                if (kw->kind == SSHD_ARG_PERMIT_LISTEN && !strchr(arg, ':'))
                        port_str = copy;
                else if (!split_host_port(copy, &port_str))
                        return line_error(fc, true, "%s missing host", KWNAME(fc));
                if (!port_str || (strcmp(port_str, "*") != 0 && a2port(port_str) <= 0))
                        return line_error(fc, true, "%s bad port number", KWNAME(fc));
        }
        return ARGS_ACCEPTED;
}

/* Keywords sshd accepts and ignores, some with a note in its log. */
static ArgsVerdict read_ignored(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        if (kw->kind != SSHD_ARG_IGNORED)
                config_warn(fc->p, fc->file, fc->lineno, "%s option %s",
                            kw->kind == SSHD_ARG_UNSUPPORTED ? "Unsupported" : "Deprecated", KWNAME(fc));
        args_consume(a);
        return ARGS_ACCEPTED;
}

static const ArgsReader readers[_SSHD_ARG_KIND_MAX] = {
        [SSHD_ARG_FLAG] = read_multistate,
        [SSHD_ARG_ADDRESS_FAMILY] = read_multistate,
        [SSHD_ARG_PERMIT_ROOT_LOGIN] = read_multistate,
        [SSHD_ARG_COMPRESSION] = read_multistate,
        [SSHD_ARG_GATEWAY_PORTS] = read_multistate,
        [SSHD_ARG_FORWARDING] = read_multistate,
        [SSHD_ARG_IGNORE_RHOSTS] = read_multistate,
        [SSHD_ARG_INT] = read_int,
        [SSHD_ARG_TIME] = read_time,
        [SSHD_ARG_TIME_OR_NONE] = read_time_or_none,
        [SSHD_ARG_FILE] = read_one_argument,
        [SSHD_ARG_SOCKET] = read_one_argument,
        [SSHD_ARG_STRING] = read_one_argument,
        [SSHD_ARG_LOCALUSER] = read_one_argument,
        [SSHD_ARG_ALGOS] = read_key_algorithms,
        [SSHD_ARG_CRYPTO] = read_crypto,
        [SSHD_ARG_GSS_KEX] = read_gss_kex,
        [SSHD_ARG_USERS] = read_users,
        [SSHD_ARG_GROUPS] = read_groups,
        [SSHD_ARG_ACCEPT_ENV] = read_accept_env,
        [SSHD_ARG_SET_ENV] = read_set_env,
        [SSHD_ARG_LIST] = read_list,
        [SSHD_ARG_LOG_VERBOSE] = read_log_verbose,
        [SSHD_ARG_PUBKEY_AUTH_OPTIONS] = read_pubkey_auth_options,
        [SSHD_ARG_REST] = read_rest_of_line,
        [SSHD_ARG_COMMAND] = read_command,
        [SSHD_ARG_PORT] = read_port,
        [SSHD_ARG_LISTEN_ADDRESS] = read_listen_address,
        [SSHD_ARG_MAX_STARTUPS] = read_max_startups,
        [SSHD_ARG_PER_SOURCE_MAX_STARTUPS] = read_per_source_max_startups,
        [SSHD_ARG_PER_SOURCE_NETBLOCK] = read_per_source_netblock,
        [SSHD_ARG_SUBSYSTEM] = read_subsystem,
        [SSHD_ARG_INCLUDE] = read_include,
        [SSHD_ARG_MATCH] = read_match,
        [SSHD_ARG_LOG_LEVEL] = read_log_level,
        [SSHD_ARG_LOG_FACILITY] = read_log_facility,
        [SSHD_ARG_PERMIT_TUNNEL] = read_permit_tunnel,
        [SSHD_ARG_REKEY_LIMIT] = read_rekey_limit,
        [SSHD_ARG_IPQOS] = read_ipqos,
        [SSHD_ARG_BIND_MASK] = read_bind_mask,
        [SSHD_ARG_FINGERPRINT_HASH] = read_fingerprint_hash,
        [SSHD_ARG_RDOMAIN] = read_rdomain,
        [SSHD_ARG_CHANNEL_TIMEOUT] = read_channel_timeout,
        [SSHD_ARG_AUTH_METHODS] = read_auth_methods,
        [SSHD_ARG_PERMIT_OPEN] = read_permit_open,
        [SSHD_ARG_PERMIT_LISTEN] = read_permit_open,
        [SSHD_ARG_IGNORED] = read_ignored,
        [SSHD_ARG_DEPRECATED] = read_ignored,
        [SSHD_ARG_UNSUPPORTED] = read_ignored,
};

void directive_read(FileCtx *fc, const SshdKeyword *kw) {
        Args a = { .v = fc->line.argv, .n = fc->line.argc };
        ArgsVerdict v;

        assert((unsigned) kw->kind < _SSHD_ARG_KIND_MAX && readers[kw->kind]);
        v = readers[kw->kind](fc, kw, &a);
        if (v != ARGS_ACCEPTED || fc->p->stop)
                return;
        if (a.i < a.n) {
                line_error(fc, false, "keyword %s extra arguments at end of line", KWNAME(fc));
                return;
        }
        directive_add(fc, kw);
}

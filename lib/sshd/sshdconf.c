/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sshd_config model.  The reading follows OpenSSH 9.2's servconf.c
 * step by step, because an administrator's question is "what will sshd do
 * with this file", not "what does the manual say": the order of the checks,
 * which errors stop sshd at once (fatal) and which let it go on to the end
 * of the file (error, then "terminating, N bad configuration options"),
 * which values the first occurrence decides and which the last.
 *
 * This file loads and frees the model and computes the effective values;
 * sshdconf-internal.h says which file does the rest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sshdconf-internal.h"
#include "strv.h"

bool sshd_directive_applies_always(const SshdConfig *c, const SshdDirective *d) {
        return d->match < 0 || c->matches[d->match].all;
}

static bool directive_sets(const SshdDirective *d, SshdKeywordId id) {
        return sshd_keyword_option(d->keyword->id) == sshd_keyword_option(id);
}

const SshdDirective *sshd_config_get(const SshdConfig *c, SshdKeywordId id) {
        const SshdKeyword *kw = sshd_keyword_by_id(id);

        if (!kw)
                return NULL;
        /* For each connection sshd reads the file again with only the
         * matching Match blocks active and lets what they set override the
         * global values (servconf.c parse_server_match_config(),
         * copy_set_server_options()).  "Match all" blocks match every
         * connection: their first value is the one that counts. */
        if (kw->flags & SSHD_KWF_MATCH)
                for (size_t i = 0; i < c->n_directives; i++) {
                        const SshdDirective *d = &c->directives[i];
                        if (d->match >= 0 && c->matches[d->match].all && directive_sets(d, id))
                                return d;
                }
        for (size_t i = 0; i < c->n_directives; i++)
                if (sshd_directive_applies_always(c, &c->directives[i]) && directive_sets(&c->directives[i], id))
                        return &c->directives[i];
        return NULL;
}

/* Keywords sshd stores every time it reads them: the last one counts. */
static const SshdDirective *config_get_last(const SshdConfig *c, SshdKeywordId id) {
        for (size_t i = c->n_directives; i > 0; i--)
                if (sshd_directive_applies_always(c, &c->directives[i - 1]) && directive_sets(&c->directives[i - 1], id))
                        return &c->directives[i - 1];
        return NULL;
}

static int flag_value(const SshdConfig *c, SshdKeywordId id, int def, SshdOrigin *origin) {
        const SshdDirective *d = sshd_config_get(c, id);

        if (!d)
                return def;
        *origin = d->origin;
        return strcasecmp(d->args[0], "yes") == 0;
}

/* The values sshd ends up with, each from the directive that decided it,
 * sshd's defaults (servconf.c fill_default_server_options()) for the rest. */
static void model_compute(SshdConfig *c) {
        const SshdDirective *d;
        int v4, v6, v;

        d = sshd_config_get(c, SSHD_KW_ADDRESS_FAMILY);
        if (d) {
                int idx = multistate_index(multistate_words(SSHD_ARG_ADDRESS_FAMILY), d->args[0]);
                c->address_family = idx == 0 ? SSHD_AF_INET : idx == 1 ? SSHD_AF_INET6 : SSHD_AF_ANY;
                c->address_family_origin = d->origin;
        }

        c->permit_root_login = SSHD_PERMIT_ROOT_PROHIBIT_PASSWORD;
        d = sshd_config_get(c, SSHD_KW_PERMIT_ROOT_LOGIN);
        if (d) {
                static const SshdPermitRootLogin map[] = {
                        SSHD_PERMIT_ROOT_PROHIBIT_PASSWORD, SSHD_PERMIT_ROOT_PROHIBIT_PASSWORD,
                        SSHD_PERMIT_ROOT_FORCED_COMMANDS_ONLY, SSHD_PERMIT_ROOT_YES, SSHD_PERMIT_ROOT_NO };
                c->permit_root_login = map[multistate_index(multistate_words(SSHD_ARG_PERMIT_ROOT_LOGIN), d->args[0])];
                c->permit_root_login_origin = d->origin;
        }
        c->password_authentication = flag_value(c, SSHD_KW_PASSWORD_AUTHENTICATION, 1,
                                                &c->password_authentication_origin);
        c->pubkey_authentication = flag_value(c, SSHD_KW_PUBKEY_AUTHENTICATION, 1,
                                              &c->pubkey_authentication_origin);
        c->kbd_interactive_authentication = flag_value(c, SSHD_KW_KBD_INTERACTIVE_AUTHENTICATION, 1,
                                                       &c->kbd_interactive_authentication_origin);
        c->use_pam = flag_value(c, SSHD_KW_USE_PAM, 0, &c->use_pam_origin);

        /* MaxStartups is stored unconditionally, and one number keeps the
         * rate of the previous line: replay them all. */
        c->max_startups = (SshdMaxStartups) { .begin = 10, .rate = 30, .full = 100 };
        for (size_t i = 0; i < c->n_directives; i++) {
                d = &c->directives[i];
                if (d->keyword->id == SSHD_KW_MAX_STARTUPS && max_startups_parse(d->args[0], &c->max_startups))
                        c->max_startups.origin = d->origin;
        }

        c->per_source_max_startups = -1;
        d = config_get_last(c, SSHD_KW_PER_SOURCE_MAX_STARTUPS);
        if (d) {
                c->per_source_max_startups = strcmp(d->args[0], "none") == 0 ? -1 :
                                             atoi_err(d->args[0], &v) ? -1 : v;
                c->per_source_max_startups_origin = d->origin;
        }
        c->per_source_netblock_v4 = 32;
        c->per_source_netblock_v6 = 128;
        d = config_get_last(c, SSHD_KW_PER_SOURCE_NET_BLOCK_SIZE);
        if (d && netblock_parse(d->args[0], &v4, &v6)) {
                c->per_source_netblock_v4 = v4;
                c->per_source_netblock_v6 = v6;
                c->per_source_netblock_origin = d->origin;
        }
}

const SshdDirective *config_get_at_start(const SshdConfig *c, SshdKeywordId id) {
        for (size_t i = 0; i < c->n_directives; i++)
                if (sshd_directive_applies_always(c, &c->directives[i]) && directive_sets(&c->directives[i], id))
                        return &c->directives[i];
        return NULL;
}

SshdConfig *sshd_config_free(SshdConfig *c) {
        if (!c)
                return NULL;
        free(c->path);
        free(c->undecided);
        strv_free(c->files);
        for (size_t i = 0; i < c->n_directives; i++)
                strv_free(c->directives[i].args);
        free(c->directives);
        for (size_t i = 0; i < c->n_matches; i++)
                strv_free(c->matches[i].criteria);
        free(c->matches);
        free(c->ports);
        for (size_t i = 0; i < c->n_listen_specs; i++) {
                free(c->listen_specs[i].host);
                free(c->listen_specs[i].rdomain);
        }
        free(c->listen_specs);
        for (size_t i = 0; i < c->n_listen; i++)
                free(c->listen[i].rdomain);
        free(c->listen);
        for (size_t i = 0; i < c->n_errors; i++) {
                free(c->errors[i].file);
                free(c->errors[i].message);
        }
        free(c->errors);
        for (size_t i = 0; i < c->n_warnings; i++) {
                free(c->warnings[i].file);
                free(c->warnings[i].message);
        }
        free(c->warnings);
        free(c);
        return NULL;
}

static void parse_ctx_done(ParseCtx *p) {
        for (size_t i = 0; i < p->n_includes; i++) {
                free(p->includes[i].selector);
                free(p->includes[i].filename);
                free(p->includes[i].text);
        }
        free(p->includes);
        free(p->file_index);
}

int sshd_config_load(const char *path, const SshdConfigOptions *opts, SshdConfig **ret) {
        _cleanup_(sshd_config_freep) SshdConfig *c = NULL;
        _cleanup_(parse_ctx_done) ParseCtx p = { .opts = opts, .active = true, .match = -1 };
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        const char *why;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->path = strdup(path);
        if (!c->path)
                return -ENOMEM;
        p.c = c;
        budget_init(&p.budget, opts);
        p.budget.files = 1;

        r = file_read(&p, path, &text, &len, &why);
        if (r == -ENOMEM)
                return r;
        if (r == -E2BIG)
                ;       /* past the budget: said so */
        else if (r < 0)
                /* sshd: perror(filename) */
                config_fatal(&p, path, 0, "%s: %s", path, file_error_message(r));
        else {
                if (why)
                        config_warn(&p, path, 0, "%s", why);
                r = parse_text(&p, path, text, len, false, -1, 0);
                if (r < 0)
                        return r;
        }
        model_compute(c);
        if (!p.stop) {
                r = listen_resolve(&p);
                if (r < 0)
                        return r;
        }
        if (!p.stop)
                algorithms_assemble_check(&p);
        if (p.error < 0)
                return p.error;

        if (c->undecided) {
                if (c->n_errors > 0) {
                        /* sshd's answer was already certain: it exits on
                         * the error at the end of that file at the latest. */
                        config_warn(&p, NULL, 0, "reading stopped early: %s", c->undecided);
                        free(c->undecided);
                        c->undecided = NULL;
                        if (p.error < 0)
                                return p.error;
                } else
                        c->budget_exceeded = true;
        }
        c->valid = c->n_errors == 0 && !c->budget_exceeded;
        if (!c->valid) {
                /* What sshd would not start with has no endpoints. */
                for (size_t i = 0; i < c->n_listen; i++)
                        free(c->listen[i].rdomain);
                free(c->listen);
                c->listen = NULL;
                c->n_listen = 0;
        }

        *ret = TAKE_PTR(c);
        return 0;
}

const char *sshd_address_family_to_string(SshdAddressFamily af) {
        switch (af) {
        case SSHD_AF_INET: return "inet";
        case SSHD_AF_INET6: return "inet6";
        default: return "any";
        }
}

const char *sshd_permit_root_login_to_string(SshdPermitRootLogin p) {
        switch (p) {
        case SSHD_PERMIT_ROOT_NO: return "no";
        case SSHD_PERMIT_ROOT_FORCED_COMMANDS_ONLY: return "forced-commands-only";
        case SSHD_PERMIT_ROOT_PROHIBIT_PASSWORD: return "prohibit-password";
        case SSHD_PERMIT_ROOT_YES: return "yes";
        default: return NULL;
        }
}

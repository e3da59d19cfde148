/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model as one JSON object: the `sshguardianctl config --json` contract
 * (README.md, "sshguardianctl config").
 */
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

#include "json.h"
#include "sshdconf.h"

static void json_origin(JsonWriter *w, SshdOrigin o) {
        json_key(w, "file");
        json_string(w, o.file);
        json_key(w, "line");
        if (o.file)
                json_uint(w, o.line);
        else
                json_null(w);
}

static void json_diags(JsonWriter *w, const char *key, const SshdDiag *d, size_t n) {
        json_key(w, key);
        json_array_begin(w);
        for (size_t i = 0; i < n; i++) {
                json_object_begin(w);
                json_key(w, "file");
                json_string(w, d[i].file);
                json_key(w, "line");
                if (d[i].file && d[i].line > 0)
                        json_uint(w, d[i].line);
                else
                        json_null(w);
                json_key(w, "message");
                json_string(w, d[i].message);
                json_object_end(w);
        }
        json_array_end(w);
}

static void json_setting_str(JsonWriter *w, const char *key, const char *value, SshdOrigin o) {
        json_key(w, key);
        json_object_begin(w);
        json_key(w, "value");
        json_string(w, value);
        json_origin(w, o);
        json_object_end(w);
}

static void json_setting_bool(JsonWriter *w, const char *key, int value, SshdOrigin o) {
        json_key(w, key);
        json_object_begin(w);
        json_key(w, "value");
        json_bool(w, value > 0);
        json_origin(w, o);
        json_object_end(w);
}

static void json_strv(JsonWriter *w, char **l) {
        json_array_begin(w);
        for (; l && *l; l++)
                json_string(w, *l);
        json_array_end(w);
}

/* The patterns of AllowUsers/DenyUsers/... that apply to a connection no
 * conditional Match block applies to: they add up over every line, and
 * lines in "Match all" blocks replace the global ones (as
 * copy_set_server_options() replaces the whole list). */
static void json_access_list(JsonWriter *w, const SshdConfig *c, const char *key, SshdKeywordId id) {
        bool from_match_all = false;

        /* A line whose arguments were all a comment adds nothing, and
         * replaces nothing either (M_CP_STRARRAYOPT copies only a list
         * that is not empty). */
        for (size_t i = 0; i < c->n_directives && !from_match_all; i++)
                from_match_all = c->directives[i].keyword->id == id && c->directives[i].match >= 0 &&
                                 c->matches[c->directives[i].match].all && c->directives[i].n_args > 0;
        json_key(w, key);
        json_array_begin(w);
        for (size_t i = 0; i < c->n_directives; i++) {
                const SshdDirective *d = &c->directives[i];
                if (d->keyword->id != id)
                        continue;
                if (from_match_all ? !(d->match >= 0 && c->matches[d->match].all) : d->match >= 0)
                        continue;
                for (size_t j = 0; j < d->n_args; j++) {
                        json_object_begin(w);
                        json_key(w, "pattern");
                        json_string(w, d->args[j]);
                        json_origin(w, d->origin);
                        json_object_end(w);
                }
        }
        json_array_end(w);
}

int sshd_config_write_json(const SshdConfig *c, FILE *f) {
        JsonWriter w;

        json_init(&w, f, false);
        json_object_begin(&w);
        json_key(&w, "path");
        json_string(&w, c->path);
        json_key(&w, "valid");
        json_bool(&w, c->valid);
        json_key(&w, "undecided");
        json_string(&w, c->budget_exceeded ? c->undecided : NULL);

        json_key(&w, "listen");
        json_array_begin(&w);
        for (size_t i = 0; i < c->n_listen; i++) {
                const SshdListen *l = &c->listen[i];
                json_object_begin(&w);
                json_key(&w, "address");
                json_string(&w, l->address);
                json_key(&w, "port");
                json_uint(&w, l->port);
                json_key(&w, "family");
                json_string(&w, l->family == AF_INET6 ? "ipv6" : "ipv4");
                json_origin(&w, l->origin);
                json_object_end(&w);
        }
        json_array_end(&w);

        json_diags(&w, "errors", c->errors, c->n_errors);
        json_diags(&w, "warnings", c->warnings, c->n_warnings);

        json_key(&w, "ports");
        json_array_begin(&w);
        for (size_t i = 0; i < c->n_ports; i++) {
                json_object_begin(&w);
                json_key(&w, "port");
                json_uint(&w, c->ports[i].port);
                json_origin(&w, c->ports[i].origin);
                json_object_end(&w);
        }
        json_array_end(&w);

        json_key(&w, "listen_addresses");
        json_array_begin(&w);
        for (size_t i = 0; i < c->n_listen_specs; i++) {
                const SshdListenSpec *s = &c->listen_specs[i];
                json_object_begin(&w);
                json_key(&w, "host");
                json_string(&w, s->host);
                json_key(&w, "port");
                if (s->port)
                        json_uint(&w, s->port);
                else
                        json_null(&w);
                json_origin(&w, s->origin);
                json_object_end(&w);
        }
        json_array_end(&w);

        json_setting_str(&w, "address_family", sshd_address_family_to_string(c->address_family),
                         c->address_family_origin);
        json_key(&w, "max_startups");
        json_object_begin(&w);
        json_key(&w, "begin");
        json_int(&w, c->max_startups.begin);
        json_key(&w, "rate");
        json_int(&w, c->max_startups.rate);
        json_key(&w, "full");
        json_int(&w, c->max_startups.full);
        json_origin(&w, c->max_startups.origin);
        json_object_end(&w);
        json_key(&w, "per_source_max_startups");
        json_object_begin(&w);
        json_key(&w, "value");
        if (c->per_source_max_startups < 0)
                json_null(&w);
        else
                json_int(&w, c->per_source_max_startups);
        json_origin(&w, c->per_source_max_startups_origin);
        json_object_end(&w);
        json_key(&w, "per_source_netblock_size");
        json_object_begin(&w);
        json_key(&w, "ipv4");
        json_int(&w, c->per_source_netblock_v4);
        json_key(&w, "ipv6");
        json_int(&w, c->per_source_netblock_v6);
        json_origin(&w, c->per_source_netblock_origin);
        json_object_end(&w);
        json_setting_str(&w, "permit_root_login", sshd_permit_root_login_to_string(c->permit_root_login),
                         c->permit_root_login_origin);
        json_setting_bool(&w, "password_authentication", c->password_authentication,
                          c->password_authentication_origin);
        json_setting_bool(&w, "pubkey_authentication", c->pubkey_authentication,
                          c->pubkey_authentication_origin);
        json_setting_bool(&w, "kbd_interactive_authentication", c->kbd_interactive_authentication,
                          c->kbd_interactive_authentication_origin);
        json_setting_bool(&w, "use_pam", c->use_pam, c->use_pam_origin);
        json_access_list(&w, c, "allow_users", SSHD_KW_ALLOW_USERS);
        json_access_list(&w, c, "deny_users", SSHD_KW_DENY_USERS);
        json_access_list(&w, c, "allow_groups", SSHD_KW_ALLOW_GROUPS);
        json_access_list(&w, c, "deny_groups", SSHD_KW_DENY_GROUPS);
        json_key(&w, "host_keys");
        json_array_begin(&w);
        for (size_t i = 0; i < c->n_directives; i++) {
                const SshdDirective *d = &c->directives[i];
                if (sshd_keyword_option(d->keyword->id) != SSHD_KW_HOST_KEY || !sshd_directive_applies_always(c, d))
                        continue;
                json_object_begin(&w);
                json_key(&w, "path");
                json_string(&w, d->args[0]);
                json_origin(&w, d->origin);
                json_object_end(&w);
        }
        json_array_end(&w);

        json_key(&w, "matches");
        json_array_begin(&w);
        for (size_t i = 0; i < c->n_matches; i++) {
                json_object_begin(&w);
                json_key(&w, "criteria");
                json_strv(&w, c->matches[i].criteria);
                json_key(&w, "all");
                json_bool(&w, c->matches[i].all);
                json_origin(&w, c->matches[i].origin);
                json_object_end(&w);
        }
        json_array_end(&w);

        json_key(&w, "directives");
        json_array_begin(&w);
        for (size_t i = 0; i < c->n_directives; i++) {
                const SshdDirective *d = &c->directives[i];
                json_object_begin(&w);
                json_key(&w, "keyword");
                json_string(&w, d->keyword->name);
                json_key(&w, "args");
                json_strv(&w, d->args);
                json_key(&w, "match");
                if (d->match < 0)
                        json_null(&w);
                else
                        json_int(&w, d->match);
                json_origin(&w, d->origin);
                json_object_end(&w);
        }
        json_array_end(&w);

        json_key(&w, "files");
        json_strv(&w, c->files);
        json_object_end(&w);
        return json_finish(&w);
}

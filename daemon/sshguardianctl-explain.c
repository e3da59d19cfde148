/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sshguardianctl explain: the firewall's verdict for a new TCP connection
 * to sshd's port, and the rule that decided it.  When sshguardiand runs
 * and neither --to nor --iif is given, the running daemon answers over
 * D-Bus (Explain(), from the model it keeps current from the kernel's
 * notifications: no dump of the ruleset per call); otherwise, or with
 * --local, the facts gathered as `audit` gathers them, judged by lib
 * (sg_explain(), the engine's own verdict), printed by print-explain.c.
 * Either way the output says which answered.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-bus.h>

#include "config.h"
#include "explain.h"
#include "gather.h"
#include "macro.h"
#include "print-explain.h"
#include "sgconf.h"
#include "sshguardianctl.h"


/* ---- a minimal JSON reader: enough for the daemon's Explain() answer ---- */

typedef enum { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT } JvType;

typedef struct Jv Jv;
struct Jv {
        JvType type;
        char *str;              /* string value, or the number's text */
        bool b;
        size_t n;
        char **keys;            /* objects */
        Jv **items;             /* arrays and objects */
};

static void jv_free(Jv *v) {
        if (!v)
                return;
        for (size_t i = 0; i < v->n; i++) {
                if (v->keys)
                        free(v->keys[i]);
                jv_free(v->items[i]);
        }
        free(v->keys);
        free(v->items);
        free(v->str);
        free(v);
}

static void jv_freep(Jv **v) {
        jv_free(*v);
}

static void skip_ws(const char **p) {
        while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
                (*p)++;
}

static void utf8_put(char *out, size_t *k, unsigned cp) {
        if (cp < 0x80)
                out[(*k)++] = (char) cp;
        else if (cp < 0x800) {
                out[(*k)++] = (char) (0xC0 | (cp >> 6));
                out[(*k)++] = (char) (0x80 | (cp & 0x3F));
        } else {
                out[(*k)++] = (char) (0xE0 | (cp >> 12));
                out[(*k)++] = (char) (0x80 | ((cp >> 6) & 0x3F));
                out[(*k)++] = (char) (0x80 | (cp & 0x3F));
        }
}

static char *parse_string(const char **p) {
        const char *q = *p + 1;
        size_t len = 0, k = 0;
        char *out;

        /* the decoded string is never longer than the escaped one */
        for (const char *e = q; *e && *e != '"'; e++, len++)
                if (*e == '\\' && e[1])
                        e++, len++;
        out = malloc(len + 1);
        if (!out)
                return NULL;
        while (*q && *q != '"') {
                if (*q != '\\') {
                        out[k++] = *q++;
                        continue;
                }
                q++;
                switch (*q) {
                case 'n': out[k++] = '\n'; q++; break;
                case 't': out[k++] = '\t'; q++; break;
                case 'r': out[k++] = '\r'; q++; break;
                case 'b': out[k++] = '\b'; q++; break;
                case 'f': out[k++] = '\f'; q++; break;
                case 'u': {
                        unsigned cp = 0;
                        for (int i = 1; i <= 4; i++) {
                                char c = q[i];
                                if (!c) {
                                        free(out);
                                        return NULL;
                                }
                                cp = cp * 16 + (unsigned) (c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
                        }
                        /* no surrogate pairs in the daemon's output; keep them replaced */
                        utf8_put(out, &k, cp >= 0xD800 && cp < 0xE000 ? '?' : cp);
                        q += 5;
                        break;
                }
                case '\0': free(out); return NULL;
                default: out[k++] = *q++;
                }
        }
        if (*q != '"') {
                free(out);
                return NULL;
        }
        out[k] = '\0';
        *p = q + 1;
        return out;
}

static Jv *parse_value(const char **p, unsigned depth);

static int jv_append(Jv *v, char *key, Jv *item) {
        Jv **items = realloc(v->items, (v->n + 1) * sizeof(*items));
        if (!items)
                return -ENOMEM;
        v->items = items;
        if (v->type == JV_OBJECT) {
                char **keys = realloc(v->keys, (v->n + 1) * sizeof(*keys));
                if (!keys)
                        return -ENOMEM;
                v->keys = keys;
                v->keys[v->n] = key;
        }
        v->items[v->n++] = item;
        return 0;
}

static Jv *parse_container(const char **p, unsigned depth, JvType type) {
        _cleanup_(jv_freep) Jv *v = calloc(1, sizeof(*v));
        char close = type == JV_OBJECT ? '}' : ']';

        if (!v)
                return NULL;
        v->type = type;
        (*p)++;
        skip_ws(p);
        if (**p == close) {
                (*p)++;
                return TAKE_PTR(v);
        }
        for (;;) {
                char *key = NULL;
                Jv *item;

                skip_ws(p);
                if (type == JV_OBJECT) {
                        if (**p != '"' || !(key = parse_string(p)))
                                return NULL;
                        skip_ws(p);
                        if (**p != ':') {
                                free(key);
                                return NULL;
                        }
                        (*p)++;
                }
                item = parse_value(p, depth + 1);
                if (!item || jv_append(v, key, item) < 0) {
                        free(key);
                        jv_free(item);
                        return NULL;
                }
                skip_ws(p);
                if (**p == ',') {
                        (*p)++;
                        continue;
                }
                if (**p != close)
                        return NULL;
                (*p)++;
                return TAKE_PTR(v);
        }
}

static Jv *parse_value(const char **p, unsigned depth) {
        Jv *v;

        if (depth > 32)
                return NULL;
        skip_ws(p);
        if (**p == '{')
                return parse_container(p, depth, JV_OBJECT);
        if (**p == '[')
                return parse_container(p, depth, JV_ARRAY);
        v = calloc(1, sizeof(*v));
        if (!v)
                return NULL;
        if (**p == '"') {
                v->type = JV_STRING;
                v->str = parse_string(p);
        } else if (strncmp(*p, "true", 4) == 0 || strncmp(*p, "false", 5) == 0) {
                v->type = JV_BOOL;
                v->b = **p == 't';
                *p += v->b ? 4 : 5;
                return v;
        } else if (strncmp(*p, "null", 4) == 0) {
                v->type = JV_NULL;
                *p += 4;
                return v;
        } else if (**p == '-' || (**p >= '0' && **p <= '9')) {
                size_t n = strspn(*p, "+-0123456789.eE");
                v->type = JV_NUMBER;
                v->str = strndup(*p, n);
                *p += n;
        }
        if (!v->str) {
                free(v);
                return NULL;
        }
        return v;
}

static const Jv *jv_get(const Jv *v, const char *key) {
        if (!v || v->type != JV_OBJECT)
                return NULL;
        for (size_t i = 0; i < v->n; i++)
                if (strcmp(v->keys[i], key) == 0)
                        return v->items[i];
        return NULL;
}

/* a string or a number's text; NULL for null, absent or anything else */
static const char *jv_str(const Jv *v, const char *key) {
        const Jv *x = jv_get(v, key);
        return x && (x->type == JV_STRING || x->type == JV_NUMBER) ? x->str : NULL;
}

static bool jv_true(const Jv *v, const char *key) {
        const Jv *x = jv_get(v, key);
        return x && x->type == JV_BOOL && x->b;
}

/* ---- the daemon's answer ---- */

/* Explain(from, port) on the running daemon.  0 and *ret_json set when it
 * answered; negative when it does not run or could not answer (the caller
 * reads for itself). */
static int daemon_explain(const char *from, uint16_t port, char **ret_json) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *verdict, *json;
        char *copy;
        int r;

        r = ctl_daemon_call("Explain", &bus, &reply, "sq", from ? from : "", port);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "ss", &verdict, &json);
        if (r < 0)
                return r;
        copy = strdup(json);
        if (!copy)
                return -ENOMEM;
        *ret_json = copy;
        return 0;
}

static int exit_code_of(const char *verdict) {
        if (verdict && strcmp(verdict, "accept") == 0)
                return SG_EXPLAIN_EXIT_ACCEPT;
        if (verdict && (strcmp(verdict, "drop") == 0 || strcmp(verdict, "reject") == 0))
                return SG_EXPLAIN_EXIT_BLOCKED;
        return SG_EXPLAIN_EXIT_UNKNOWN;
}

/* JSON: the object as produced, with "answered_by" first */
static int write_json_answered(const char *json, const char *by, FILE *f) {
        const char *brace = strchr(json, '{');

        if (!brace)
                return -EINVAL;
        fprintf(f, "%.*s{\"answered_by\":\"%s\",%s", (int) (brace - json), json, by, brace + 1);
        if (json[0] && json[strlen(json) - 1] != '\n')
                fputc('\n', f);
        return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

/* "  rule: ..." or "  policy of ...": RULE (its "legacy" in LEGACY), and
 * " (OWNER)" when OWNER is given */
static void text_rule_line(const Jv *rule, bool legacy, const char *owner, FILE *f) {
        const char *handle = jv_str(rule, "handle");

        if (handle)
                fprintf(f, "  rule: %s%s %s %s %s %s: %s", legacy ? "iptables-legacy " : "", jv_str(rule, "family") ?: "?",
                        jv_str(rule, "table") ?: "?", jv_str(rule, "chain") ?: "?", legacy ? "rule" : "handle", handle,
                        jv_str(rule, "text") ?: "");
        else
                fprintf(f, "  policy of %s %s %s: %s", jv_str(rule, "family") ?: "?", jv_str(rule, "table") ?: "?",
                        jv_str(rule, "chain") ?: "?", jv_str(rule, "text") ?: "");
        if (owner)
                fprintf(f, " (%s)", owner);
        fputc('\n', f);
}

/* what a block is for, who owns it, its fix */
static void text_block_tail(const Jv *e, bool two, FILE *f) {
        if (two && jv_str(e, "scope"))
                fprintf(f, "  for: %s\n", jv_str(e, "scope"));
        if (jv_str(e, "frontend"))
                fprintf(f, "  owner: %s\n", jv_str(e, "frontend"));
        if (jv_str(e, "remediation"))
                fprintf(f, "  fix: %s\n", jv_str(e, "remediation"));
}

static void text_family(const Jv *e, const char *port, bool two, FILE *f) {
        const char *from = jv_str(e, "from"), *iif = jv_str(e, "iif"), *verdict = jv_str(e, "verdict");
        const char *reason = jv_str(e, "reason"), *dport = jv_str(e, "dport");
        const Jv *rule = jv_get(e, "rule");

        fprintf(f, "%s from %s to port %s%s%s: %s%s\n", jv_str(e, "family") ?: "?", from ? from : "any source",
                port, iif ? " on " : "", iif ? iif : "", verdict ?: "?",
                jv_true(e, "rate_limited") ? " (within rate limits only)" : "");
        if (rule && rule->type == JV_OBJECT) {
                const Jv *recent = jv_get(e, "recent");
                text_rule_line(rule, jv_true(e, "legacy"), NULL, f);
                if (recent && recent->type == JV_OBJECT)
                        fprintf(f, "  because: %s or more new connections from it in the last %s s (recent list %s)\n",
                                jv_str(recent, "hit_count") ?: "?", jv_str(recent, "seconds") ?: "?",
                                jv_str(recent, "list") ?: "?");
                text_block_tail(e, two, f);
        } else if (jv_true(e, "rule_ambiguous")) {
                const Jv *rules = jv_get(e, "rules");
                fprintf(f, "  no single rule decides: different rules %s different connections, in the order a "
                        "packet meets them:\n", jv_true(e, "mixed_block")                  ? "drop or reject"
                                                 : verdict && strcmp(verdict, "reject") == 0 ? "reject"
                                                                                             : "drop");
                for (size_t i = 0; rules && rules->type == JV_ARRAY && i < rules->n; i++)
                        text_rule_line(rules->items[i], jv_true(rules->items[i], "legacy"),
                                       jv_str(rules->items[i], "frontend") ?: "?", f);
                if (jv_true(e, "rules_incomplete"))
                        fprintf(f, "  and more: cannot tell which rules, more block than were kept\n");
                text_block_tail(e, two, f);
        } else if (verdict && strcmp(verdict, "accept") != 0 && strcmp(verdict, "drop") != 0 &&
                   strcmp(verdict, "reject") != 0)
                fprintf(f, "  cannot tell: %s\n", reason ?: "unknown");
        else if (reason)
                fprintf(f, "  refused: %s\n", reason);
        if (dport && strcmp(dport, port) != 0)
                fprintf(f, "  the connection is redirected to port %s\n", dport);
        const Jv *sp = jv_get(e, "source_ports");
        if (sp && sp->type == JV_OBJECT) {
                const Jv *sr = jv_get(sp, "rule");
                fprintf(f, "  for a client's source port in %s (Linux's ephemeral range); source ports %s: %s",
                        jv_str(sp, "judged") ?: "?", jv_str(sp, "ports") ?: "?", jv_str(sp, "verdict") ?: "?");
                if (sr && sr->type == JV_OBJECT && jv_str(sr, "handle"))
                        fprintf(f, " by %s %s %s %s %s: %s", jv_str(sr, "family") ?: "?", jv_str(sr, "table") ?: "?",
                                jv_str(sr, "chain") ?: "?", jv_true(sp, "legacy") ? "rule" : "handle",
                                jv_str(sr, "handle"), jv_str(sr, "text") ?: "");
                else if (sr && sr->type == JV_OBJECT)
                        fprintf(f, " by the policy of %s %s %s", jv_str(sr, "family") ?: "?",
                                jv_str(sr, "table") ?: "?", jv_str(sr, "chain") ?: "?");
                fprintf(f, "\n");
        }
}

/* text: a rendering of the daemon's JSON as print-explain.c renders its own */
static int write_text_answered(const Jv *o, FILE *f) {
        const char *port = jv_str(o, "port") ?: "?", *from = jv_str(o, "from");
        const Jv *fams = jv_get(o, "families"), *admin = jv_get(o, "admin_source"), *ifs;
        bool two = fams && fams->type == JV_OBJECT && fams->n == 2;

        fprintf(f, "answered by sshguardiand (its model of the firewall, kept current from the kernel's notifications)\n");
        if (!from)
                fprintf(f, "port %s\n", port);
        if (admin && admin->type == JV_OBJECT) {
                const char *last = jv_str(admin, "last_login_usec");
                struct timespec now;
                unsigned long long ago = 0, then = last ? strtoull(last, NULL, 10) : 0;

                clock_gettime(CLOCK_REALTIME, &now);
                if ((unsigned long long) now.tv_sec * 1000000ULL > then)
                        ago = ((unsigned long long) now.tv_sec * 1000000ULL - then) / 1000000ULL;
                fprintf(f, "%s is where %s last logged in from (%llu min ago)\n", from,
                        jv_str(admin, "user") ?: "someone", ago / 60);
        }
        if (fams && fams->type == JV_OBJECT && fams->n > 0)
                for (size_t i = 0; i < fams->n; i++)
                        text_family(fams->items[i], port, two, f);
        else
                text_family(o, port, false, f);
        ifs = jv_get(o, "blocked_interfaces");
        if (two && jv_str(o, "scope")) {
                fprintf(f, "scope: %s", jv_str(o, "scope"));
                for (size_t i = 0; ifs && ifs->type == JV_ARRAY && i < ifs->n; i++)
                        fprintf(f, "%s%s", i ? ", " : " (", ifs->items[i]->str ?: "");
                fprintf(f, "%s\n", ifs && ifs->type == JV_ARRAY && ifs->n ? ")" : "");
        }
        return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

static void conf_donep(SgConfig *c) {
        sg_config_done(c);
}

static void facts_donep(HostFacts *f) {
        facts_done(f);
}

int verb_explain(int argc, char **argv) {
        static const struct option options[] = {
                { "port", required_argument, NULL, 'p' },
                { "from", required_argument, NULL, 'F' },
                { "to", required_argument, NULL, 'T' },
                { "iif", required_argument, NULL, 'i' },
                { "json", no_argument, NULL, 'j' },
                { "local", no_argument, NULL, 'L' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        SgExplainRequest req = { .route_iif = facts_route_iif };
        _cleanup_(sg_explain_result_freep) SgExplainResult *res = NULL;
        _cleanup_(conf_donep) SgConfig conf = {};
        _cleanup_(facts_donep) HostFacts facts = {};
        _cleanup_free_ char *error = NULL;
        const char *what = NULL;
        SgSnapshot snap;
        bool json = false, local = false;
        int opt, r, ret;

        /* known before getopt sees it: an invalid option before --json
         * still answers with a JSON object */
        for (int i = 1; i < argc; i++)
                json = json || strcmp(argv[i], "--json") == 0;
        while ((opt = getopt_long(argc, argv, "+p:F:T:i:jLh", options, NULL)) >= 0)
                switch (opt) {
                case 'p': {
                        char *end;
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (*optarg == '\0' || *end != '\0' || v == 0 || v > 65535)
                                return ctl_fail(json, SG_EXPLAIN_EXIT_USAGE, "explain: invalid port '%s'", optarg);
                        req.port = (uint16_t) v;
                        req.port_origin = "--port";
                        break;
                }
                case 'F': req.from = optarg; break;
                case 'T': req.to = optarg; break;
                case 'i': req.iif = optarg; break;
                case 'j': json = true; break;
                case 'L': local = true; break;
                case 'h': ctl_help(stdout); return 0;
                default: return ctl_fail(json, SG_EXPLAIN_EXIT_USAGE, "explain: invalid option (see --help)");
                }
        if (optind < argc)
                return ctl_fail(json, SG_EXPLAIN_EXIT_USAGE, "explain: unexpected argument '%s'", argv[optind]);

        /* the running daemon answers what it can: one source, any interface */
        if (!local && !req.to && !req.iif) {
                _cleanup_free_ char *answer = NULL;
                _cleanup_(jv_freep) Jv *o = NULL;
                const char *p;

                if (daemon_explain(req.from, req.port, &answer) >= 0) {
                        p = answer;
                        o = parse_value(&p, 0);
                }
                if (o && o->type == JV_OBJECT) {
                        ret = exit_code_of(jv_str(o, "verdict"));
                        r = json ? write_json_answered(answer, "sshguardiand", stdout) : write_text_answered(o, stdout);
                        if (r < 0)
                                ret = ctl_fail(false, SG_EXPLAIN_EXIT_CANNOT_READ, "explain: write failed");
                        return ret;
                }
                /* not running, not reachable, or refused: read for ourselves */
        }

        /* the daemon's settings decide the expected ports, as for audit */
        r = sg_config_init(&conf);
        if (r >= 0)
                r = sg_config_load(&conf, SSHGUARDIAN_CONF_PATH, NULL, NULL);
        if (r < 0 && r != -ENOENT)
                return ctl_fail(json, SG_EXPLAIN_EXIT_CANNOT_READ, "explain: cannot read %s: %s",
                                SSHGUARDIAN_CONF_PATH, strerror(-r));
        r = facts_gather(&facts, &conf, &what);
        if (r < 0)
                return ctl_fail(json, SG_EXPLAIN_EXIT_CANNOT_READ, "explain: %s: %s", what, strerror(-r));
        snap = facts_snapshot(&facts);
        r = sg_explain(&snap, &req, &res, &error);
        if (r < 0)
                return ctl_fail(json, r == -EINVAL ? SG_EXPLAIN_EXIT_USAGE : SG_EXPLAIN_EXIT_CANNOT_READ,
                                "explain: %s", error ? error : "out of memory");
        ret = sg_explain_exit_code(res);
        if (json) {
                _cleanup_free_ char *buf = NULL;
                size_t len = 0;
                FILE *m = open_memstream(&buf, &len);

                if (!m)
                        return ctl_fail(true, SG_EXPLAIN_EXIT_CANNOT_READ, "explain: out of memory");
                r = explain_write_json(res, m);
                if (fclose(m) != 0 && r >= 0)
                        r = -ENOMEM;
                if (r >= 0)
                        r = write_json_answered(buf, "sshguardianctl", stdout);
        } else {
                printf("answered by sshguardianctl (its own read of the kernel)\n");
                r = explain_write_text(res, stdout);
        }
        if (r < 0)
                ret = ctl_fail(false, SG_EXPLAIN_EXIT_CANNOT_READ, "explain: write failed");
        return ret;
}

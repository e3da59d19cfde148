/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <syslog.h>

#include "findings.h"

static const struct {
        const char *name;
        const char *message_id;
        int priority;
} causes[_SG_CAUSE_MAX] = {
        [SG_CAUSE_UNIT_MISSING]      = { "unit-missing",      "0ecc110999b84533989ecf9da0d7f56e", LOG_ERR },
        [SG_CAUSE_UNIT_STOPPED]      = { "unit-stopped",      "ca273274e5234d6e827cf9e8a6dc4f76", LOG_WARNING },
        [SG_CAUSE_UNIT_FAILED]       = { "unit-failed",       "1f4814b3b907446fb9581750bd4b88ec", LOG_ERR },
        [SG_CAUSE_CONFIG_INVALID]    = { "config-invalid",    "5c3e0df51f0744f1a6df9d2548b8dedb", LOG_ERR },
        [SG_CAUSE_HOSTKEYS_MISSING]  = { "hostkeys-missing",  "7564a51d193347609cb3db7b44dbc177", LOG_ERR },
        [SG_CAUSE_PRIVSEP_MISSING]   = { "privsep-missing",   "9b24a8c60abe445e8cb0b2565ef7dafe", LOG_ERR },
        [SG_CAUSE_PORT_IN_USE]       = { "port-in-use",       "01bcbb350a3f407497ba62c1c4030c4e", LOG_ERR },
        [SG_CAUSE_CRASHED]           = { "crashed",           "f62881f147b642fa82d98b04f749c9b4", LOG_ERR },
        [SG_CAUSE_START_LIMIT]       = { "start-limit",       "b9859a48b5204c7d88a65f4100549a84", LOG_ERR },
        [SG_CAUSE_PORT_CHANGED]      = { "port-changed",      "4152ad5a5a364af6943e5aa091eef350", LOG_ERR },
        [SG_CAUSE_LISTEN_RESTRICTED] = { "listen-restricted", "81b91e2580e6432fbd446b4c34f3f73c", LOG_WARNING },
        [SG_CAUSE_ADDRESS_MISSING]   = { "address-missing",   "88c5e311539e47319b8e3a6a3e13af77", LOG_ERR },
        [SG_CAUSE_INTERFACE_DOWN]    = { "interface-down",    "f521d9bfcaa54d9985a21df030201e59", LOG_ERR },
        [SG_CAUSE_SOCKET_STOPPED]    = { "socket-stopped",    "75cf10f4e87d469d9632a56960aa994f", LOG_WARNING },
        [SG_CAUSE_CONFIG_PENDING]    = { "config-pending",    "73eb1d66603d426f8650e24da344030b", LOG_WARNING },
        [SG_CAUSE_MAX_STARTUPS]      = { "max-startups",      "5cd4c1d2b89044f1a4dbfa29eaaac6fc", LOG_WARNING },
        [SG_CAUSE_FIREWALL_DROP]     = { "firewall-drop",     "d8a95b2af8614231b97ddc986eb48272", LOG_ERR },
        [SG_CAUSE_FIREWALL_REJECT]   = { "firewall-reject",   "1cb253e1f7a04c5f90ce3116ac2238fd", LOG_ERR },
        [SG_CAUSE_NOT_RUNNING]       = { "not-running",       "f5ce05dd428349c8ab3552e0a08d68c3", LOG_ERR },
        [SG_CAUSE_BINARY_MISSING]    = { "binary-missing",    "2dd57f621fe44a7db41e03dc8186e9c2", LOG_ERR },
        [SG_CAUSE_BIND_DENIED]       = { "bind-denied",       "60415b08d154491caaf10fc11bd2b39a", LOG_ERR },
        [SG_CAUSE_SOCKET_MISMATCH]   = { "socket-mismatch",   "73fe84ca827544c39a4142e79ad09a09", LOG_WARNING },
        [SG_CAUSE_ADMIN_LOCKED_OUT]  = { "admin-locked-out",  "4bcd96f19a274be69e6df6d5754cf808", LOG_ERR },
};

const char *sg_cause_to_string(SgCause c) {
        return (unsigned) c < _SG_CAUSE_MAX ? causes[c].name : NULL;
}

int sg_cause_from_string(const char *s) {
        for (int i = 0; s && i < _SG_CAUSE_MAX; i++)
                if (strcmp(causes[i].name, s) == 0)
                        return i;
        return -EINVAL;
}

const char *sg_cause_message_id(SgCause c) {
        return (unsigned) c < _SG_CAUSE_MAX ? causes[c].message_id : NULL;
}

int sg_cause_priority(SgCause c) {
        return (unsigned) c < _SG_CAUSE_MAX ? causes[c].priority : LOG_ERR;
}

const char *sg_finding_get(const SgFinding *f, const char *key) {
        for (size_t i = 0; i < f->n_evidence; i++)
                if (strcmp(f->evidence[i].key, key) == 0)
                        return f->evidence[i].value;
        return NULL;
}

void sg_finding_done(SgFinding *f) {
        free(f->message);
        free(f->statement);
        for (size_t j = 0; j < f->n_evidence; j++) {
                free(f->evidence[j].key);
                free(f->evidence[j].value);
        }
        free(f->evidence);
        *f = (SgFinding) {};
}

void sg_findings_free(SgFinding *f, size_t n) {
        for (size_t i = 0; i < n; i++)
                sg_finding_done(&f[i]);
        free(f);
}

static void write_escaped(FILE *f, const char *s) {
        for (; s && *s; s++)
                switch (*s) {
                case '\t': fputs("\\t", f); break;
                case '\n': fputs("\\n", f); break;
                case '\\': fputs("\\\\", f); break;
                default: fputc(*s, f);
                }
}

int sg_findings_write(FILE *f, const SgFinding *v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const char *cause = sg_cause_to_string(v[i].cause);
                if (!cause)
                        continue;
                fprintf(f, "F\t%s\t%d\t%d\nM\t", cause, v[i].priority, v[i].unreachable ? 1 : 0);
                write_escaped(f, v[i].message);
                fputs("\nS\t", f);
                write_escaped(f, v[i].statement ? v[i].statement : v[i].message);
                fputc('\n', f);
                for (size_t k = 0; k < v[i].n_evidence; k++) {
                        fputs("E\t", f);
                        write_escaped(f, v[i].evidence[k].key);
                        fputc('\t', f);
                        write_escaped(f, v[i].evidence[k].value);
                        fputc('\n', f);
                }
        }
        return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

/* The field [S, E) unescaped, or NULL (out of memory, a bad escape). */
static char *unescape(const char *s, const char *e) {
        char *r = malloc((size_t) (e - s) + 1), *o = r;

        if (!r)
                return NULL;
        for (; s < e; s++) {
                if (*s != '\\') {
                        *o++ = *s;
                        continue;
                }
                if (++s == e)
                        goto bad;
                switch (*s) {
                case 't': *o++ = '\t'; break;
                case 'n': *o++ = '\n'; break;
                case '\\': *o++ = '\\'; break;
                default: goto bad;
                }
        }
        *o = '\0';
        return r;
bad:
        free(r);
        return NULL;
}

typedef struct Parsed {
        SgFinding *v;
        size_t n;
        bool current_ok;                /* the last F line started a finding that may take M/S/E */
} Parsed;

/* Drops the last finding if it lacks what every finding has. */
static void parsed_check_last(Parsed *p) {
        if (p->n > 0 && (!p->v[p->n - 1].message || !p->v[p->n - 1].statement))
                sg_finding_done(&p->v[--p->n]);
        p->current_ok = false;
}

static int parse_line(Parsed *p, const char *l, const char *end) {
        const char *tab = memchr(l, '\t', (size_t) (end - l));

        if (!tab || tab - l != 1)
                return 0;
        if (*l == 'F') {
                char cause[64], extra;
                int prio, unreach, c;
                size_t len = (size_t) (end - tab - 1);
                char line[128];
                SgFinding *nv;

                parsed_check_last(p);
                if (len >= sizeof(line))
                        return 0;
                memcpy(line, tab + 1, len);
                line[len] = '\0';
                if (sscanf(line, "%63[a-z-]\t%d\t%d%c", cause, &prio, &unreach, &extra) != 3 ||
                    (c = sg_cause_from_string(cause)) < 0 || prio < 0 || prio > 7 || (unreach != 0 && unreach != 1))
                        return 0;
                nv = reallocarray(p->v, p->n + 1, sizeof(SgFinding));
                if (!nv)
                        return -ENOMEM;
                p->v = nv;
                nv[p->n++] = (SgFinding) { .cause = (SgCause) c, .priority = prio, .unreachable = unreach == 1 };
                p->current_ok = true;
                return 0;
        }
        if (!p->current_ok)
                return 0;
        SgFinding *f = &p->v[p->n - 1];
        if (*l == 'M' || *l == 'S') {
                char **dst = *l == 'M' ? &f->message : &f->statement;
                char *s = unescape(tab + 1, end);
                if (!s || *dst) {
                        free(s);
                        p->current_ok = false;  /* bad: dropped when the next F comes */
                        if (s || !*dst)
                                sg_finding_done(&p->v[--p->n]);
                        return 0;
                }
                *dst = s;
                return 0;
        }
        if (*l == 'E') {
                const char *tab2 = memchr(tab + 1, '\t', (size_t) (end - tab - 1));
                char *k, *v;
                SgEvidence *nv;
                if (!tab2)
                        return 0;
                k = unescape(tab + 1, tab2);
                v = unescape(tab2 + 1, end);
                nv = k && v ? reallocarray(f->evidence, f->n_evidence + 1, sizeof(SgEvidence)) : NULL;
                if (!nv) {
                        free(k);
                        free(v);
                        return k && v ? -ENOMEM : 0;
                }
                f->evidence = nv;
                nv[f->n_evidence++] = (SgEvidence) { .key = k, .value = v };
        }
        return 0;
}

int sg_findings_parse(const char *buf, size_t len, SgFinding **ret, size_t *n) {
        Parsed p = {};
        const char *end = buf + len;
        int r = 0;

        for (const char *l = buf; l < end && r >= 0;) {
                const char *nl = memchr(l, '\n', (size_t) (end - l));
                const char *e = nl ? nl : end;
                r = parse_line(&p, l, e);
                l = nl ? nl + 1 : end;
        }
        if (r >= 0)
                parsed_check_last(&p);
        if (r < 0) {
                sg_findings_free(p.v, p.n);
                return r;
        }
        if (p.n == 0 && len > 0) {
                free(p.v);
                return -EBADMSG;
        }
        *ret = p.v;
        *n = p.n;
        return 0;
}

int sg_entry_write(FILE *f, char *const *fields) {
        fputc('J', f);
        for (size_t i = 0; fields && fields[i]; i++) {
                fputc('\t', f);
                write_escaped(f, fields[i]);
        }
        fputc('\n', f);
        return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

/* journald takes FIELD names of capitals, digits and '_', not starting
 * with '_' (those are its own trusted fields) */
static bool entry_field_valid(const char *s) {
        const char *eq = strchr(s, '=');

        if (!eq || eq == s || *s == '_' || eq - s > 64)
                return false;
        for (const char *c = s; c < eq; c++)
                if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
                        return false;
        return true;
}

int sg_entry_parse(const char *line, size_t len, char ***ret) {
        const char *end = line + len, *s;
        char **v = NULL;
        size_t n = 0;

        if (len < 2 || line[0] != 'J' || line[1] != '\t')
                return -EBADMSG;
        for (s = line + 2;; ) {
                const char *tab = memchr(s, '\t', (size_t) (end - s));
                const char *e = tab ? tab : end;
                char *field = unescape(s, e);
                char **nv;

                if (!field || !entry_field_valid(field) || memchr(s, '\0', (size_t) (e - s))) {
                        free(field);
                        goto bad;
                }
                nv = reallocarray(v, n + 2, sizeof(char *));
                if (!nv) {
                        free(field);
                        for (size_t i = 0; i < n; i++)
                                free(v[i]);
                        free(v);
                        return -ENOMEM;
                }
                v = nv;
                v[n++] = field;
                v[n] = NULL;
                if (!tab)
                        break;
                s = tab + 1;
        }
        *ret = v;
        return 0;
bad:
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
        return -EBADMSG;
}

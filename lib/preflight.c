/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pre-flight (preflight.h): the snapshot with one fact replaced by the
 * candidate, judged by the engine.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "macro.h"
#include "preflight.h"
#include "strv.h"

const char *sg_preflight_verdict_to_string(SgPreflightVerdict v) {
        switch (v) {
        case SG_PREFLIGHT_SAFE: return "safe";
        case SG_PREFLIGHT_LOCKOUT: return "lockout";
        case SG_PREFLIGHT_INVALID: return "invalid";
        case SG_PREFLIGHT_UNDECIDED: return "undecided";
        }
        return NULL;
}

int sg_preflight_exit_code(SgPreflightVerdict v) {
        switch (v) {
        case SG_PREFLIGHT_SAFE: return 0;
        case SG_PREFLIGHT_LOCKOUT: return 1;
        case SG_PREFLIGHT_INVALID: return 2;
        case SG_PREFLIGHT_UNDECIDED: return 4;
        }
        return 4;
}

static bool str_eq(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

static bool ends_with(const char *s, const char *suffix) {
        size_t a = s ? strlen(s) : 0, b = strlen(suffix);
        return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* --- findings of our own ------------------------------------------------------ */

typedef struct Out {
        SgFinding *v;
        size_t n;
        int error;
} Out;

static SgFinding *finding_add(Out *o, SgCause cause, bool unreachable) {
        SgFinding *nv;

        if (o->error)
                return NULL;
        nv = reallocarray(o->v, o->n + 1, sizeof(SgFinding));
        if (!nv) {
                o->error = -ENOMEM;
                return NULL;
        }
        o->v = nv;
        nv[o->n] = (SgFinding) { .cause = cause, .unreachable = unreachable };
        return &nv[o->n++];
}

static void __attribute__((format(printf, 4, 5)))
evidence_add(Out *o, SgFinding *f, const char *key, const char *fmt, ...) {
        SgEvidence *nv;
        char *value = NULL, *k;
        va_list ap;

        if (!f || o->error)
                return;
        va_start(ap, fmt);
        if (vasprintf(&value, fmt, ap) < 0)
                value = NULL;
        va_end(ap);
        k = strdup(key);
        nv = value && k ? reallocarray(f->evidence, f->n_evidence + 1, sizeof(SgEvidence)) : NULL;
        if (!nv) {
                free(value);
                free(k);
                o->error = -ENOMEM;
                return;
        }
        f->evidence = nv;
        nv[f->n_evidence++] = (SgEvidence) { .key = k, .value = value };
}

/* MESSAGE is "statement; fix." as the engine's are; the statement is the
 * part before the last "; ". */
static void message_set(Out *o, SgFinding *f, char *message) {
        const char *cut = NULL;

        if (!f || o->error || !message) {
                free(message);
                if (!message)
                        o->error = -ENOMEM;
                return;
        }
        for (const char *p = strstr(message, "; "); p; p = strstr(p + 1, "; "))
                cut = p;
        f->message = message;
        if (cut) {
                if (asprintf(&f->statement, "%.*s.", (int) (cut - message), message) < 0)
                        f->statement = NULL;
        } else
                f->statement = strdup(message);
        if (!f->statement)
                o->error = -ENOMEM;
}

static char *__attribute__((format(printf, 1, 2))) fmt(const char *format, ...) {
        char *s = NULL;
        va_list ap;

        va_start(ap, format);
        if (vasprintf(&s, format, ap) < 0)
                s = NULL;
        va_end(ap);
        return s;
}

/* --- check-config -------------------------------------------------------------- */

static bool addr_is_any(int family, const uint8_t *a) {
        static const uint8_t zero[16];
        return memcmp(a, zero, family == AF_INET ? 4 : 16) == 0;
}

static bool addr_is_v4mapped(const uint8_t *a, const uint8_t *v4) {
        static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };
        return memcmp(a, prefix, 12) == 0 && (!v4 || memcmp(a + 12, v4, 4) == 0);
}

static bool unit_running(const SgUnitFacts *u) {
        return u && (str_eq(u->active_state, "active") || str_eq(u->active_state, "reloading"));
}

static const SgUnitFacts *find_unit(const SgSnapshot *s, const char *suffix) {
        for (size_t i = 0; i < s->n_units; i++)
                if (s->units[i].loaded && ends_with(s->units[i].name, suffix))
                        return &s->units[i];
        return NULL;
}

static bool host_has_address(const SgSnapshot *s, int family, const uint8_t *a) {
        for (size_t i = 0; i < s->n_interfaces; i++)
                for (size_t j = 0; j < s->interfaces[i].n_addrs; j++)
                        if (s->interfaces[i].addrs[j].family == family &&
                            memcmp(s->interfaces[i].addrs[j].addr, a, family == AF_INET ? 4 : 16) == 0)
                                return true;
        return false;
}

/* Would a listening socket O keep sshd from binding FAMILY ADDR:PORT?
 * sshd's IPv6 sockets are IPV6_V6ONLY (sshd.c sets it), so only an IPv4
 * bind can clash with an IPv6 socket: a dual-stack wildcard, or a
 * v4-mapped address of its own. */
static bool bind_conflicts(const SgListener *o, int family, const uint8_t *addr, uint16_t port) {
        if (o->port != port)
                return false;
        if (o->family == family)
                return addr_is_any(family, addr) || addr_is_any(family, o->addr) ||
                       memcmp(o->addr, addr, family == AF_INET ? 4 : 16) == 0;
        if (family == AF_INET && o->family == AF_INET6 && !o->v6only)
                return addr_is_any(AF_INET6, o->addr) ||
                       (addr_is_v4mapped(o->addr, NULL) && (addr_is_any(AF_INET, addr) || addr_is_v4mapped(o->addr, addr)));
        return false;
}

static bool port_labelled(const SgPreflightConfigOptions *o, uint16_t port) {
        if (!o || !o->selinux_known)
                return true;
        for (size_t i = 0; i < o->n_selinux_ssh_ports; i++)
                if (o->selinux_ssh_ports[i] == port)
                        return true;
        return false;
}

static bool ports_contain(const uint16_t *p, size_t n, uint16_t port) {
        for (size_t i = 0; i < n; i++)
                if (p[i] == port)
                        return true;
        return false;
}

SgConfigCandidate *sg_config_candidate_free(SgConfigCandidate *c) {
        if (!c)
                return NULL;
        free(c->units);
        free(c->listeners);
        free(c->ports);
        strv_free(c->sshd_log);
        sg_findings_free(c->findings, c->n_findings);
        strv_free(c->warnings);
        free(c);
        return NULL;
}

typedef struct BindFailure {
        const SshdListen *l;
        const char *why;                /* strerror()'s words, as sshd prints them */
        SgCause cause;
        const SgListener *holder;
} BindFailure;

static void holder_words(const SgListener *h, char *buf, size_t len) {
        if (h && h->comm && h->pid > 0)
                snprintf(buf, len, "%s (pid %d)", h->comm, (int) h->pid);
        else if (h && h->pid > 0)
                snprintf(buf, len, "pid %d", (int) h->pid);
        else if (h && h->unit)
                snprintf(buf, len, "a process of %s", h->unit);
        else
                snprintf(buf, len, "another program");
}

/* sshd would exit ("Cannot bind any address.") and no systemd reports it:
 * the first bind's failure is the cause. */
static void finding_no_bind(Out *o, const BindFailure *b, const char *path) {
        char holder[96];
        SgFinding *f = finding_add(o, b->cause, true);

        evidence_add(o, f, "port", "%u", b->l->port);
        evidence_add(o, f, "family", "%s", b->l->family == AF_INET6 ? "ipv6" : "ipv4");
        if (b->l->origin.file) {
                evidence_add(o, f, "config_file", "%s", b->l->origin.file);
                evidence_add(o, f, "config_line", "%u", b->l->origin.line);
        }
        holder_words(b->holder, holder, sizeof(holder));
        if (b->holder && b->holder->pid > 0)
                evidence_add(o, f, "holder_pid", "%d", (int) b->holder->pid);
        if (b->holder && b->holder->comm)
                evidence_add(o, f, "holder_comm", "%s", b->holder->comm);
        if (b->holder && b->holder->unit)
                evidence_add(o, f, "holder_unit", "%s", b->holder->unit);
        if (b->cause == SG_CAUSE_PORT_IN_USE && b->holder && b->holder->unit && ends_with(b->holder->unit, ".service"))
                evidence_add(o, f, "remediation", "systemctl stop %s", b->holder->unit);
        else if (b->cause == SG_CAUSE_PORT_IN_USE && b->holder && b->holder->pid > 1)
                evidence_add(o, f, "remediation", "kill %d", (int) b->holder->pid);
        else
                evidence_add(o, f, "remediation", "sshguardianctl check-config %s", path);
        message_set(o, f, fmt("sshd would not start with %s: Bind to port %u on %s failed: %s%s%s, and no other "
                              "address is left (\"Cannot bind any address.\"); %s.",
                              path, b->l->port, b->l->address, b->why,
                              b->cause == SG_CAUSE_PORT_IN_USE ? ", held by " : "",
                              b->cause == SG_CAUSE_PORT_IN_USE ? holder : "",
                              b->cause == SG_CAUSE_PORT_IN_USE ? "stop that program or choose another port"
                              : b->cause == SG_CAUSE_ADDRESS_MISSING ? "add the address to an interface or change "
                                                                       "that ListenAddress"
                              : "label the port ssh_port_t or choose another"));
}

/* SELinux refuses the bind of one port while sshd starts on others. */
static void finding_selinux(Out *o, const SshdConfig *c, uint16_t port, const char *restart) {
        SgFinding *f = finding_add(o, SG_CAUSE_BIND_DENIED, true);
        SshdOrigin origin = {};

        for (size_t i = 0; i < c->n_ports; i++)
                if (c->ports[i].port == port)
                        origin = c->ports[i].origin;
        evidence_add(o, f, "port", "%u", port);
        if (origin.file) {
                evidence_add(o, f, "config_file", "%s", origin.file);
                evidence_add(o, f, "config_line", "%u", origin.line);
        }
        evidence_add(o, f, "remediation", "{ semanage port -a -t ssh_port_t -p tcp %u || semanage port -m -t "
                     "ssh_port_t -p tcp %u; } && %s", port, port, restart);
        message_set(o, f, fmt("sshd may not bind port %u: SELinux allows sshd only the ports labelled ssh_port_t, "
                              "and %u is not; label it with `semanage port -a -t ssh_port_t -p tcp %u` before "
                              "restarting sshd.", port, port, port));
}

int sg_preflight_config(const SgSnapshot *live, const SshdConfig *c, const SgPreflightConfigOptions *o,
                        SgConfigCandidate **ret) {
        _cleanup_(sg_config_candidate_freep) SgConfigCandidate *cand = calloc(1, sizeof(SgConfigCandidate));
        const SgUnitFacts *svc = find_unit(live, ".service"), *sock = find_unit(live, ".socket");
        /* socket activation: sshd keeps taking its sockets from the socket
         * unit, whatever the candidate says (socket-mismatch) */
        bool socket_mode = sock && unit_running(sock);
        const char *path = o && o->path ? o->path : c->path;
        _cleanup_free_ BindFailure *failed = NULL;
        size_t n_failed = 0, n_bound = 0, k = 0, n_warn = 0;
        SgUnitFacts *svc_after = NULL;
        Out out = {};
        char restart[160];

        if (!cand)
                return -ENOMEM;
        cand->snapshot = *live;
        cand->snapshot.config = c;
        cand->snapshot.config_running = c;
        /* what was seen of today's sshd is not what a restart leaves */
        cand->snapshot.sshd_log = NULL;
        cand->snapshot.n_sshd_log = 0;
        cand->snapshot.max_startups_drops = 0;
        cand->snapshot.max_startups_line = NULL;
        cand->snapshot.firewall_history = NULL;
        cand->snapshot.firewall = NULL;
        cand->snapshot.n_firewall = 0;

        /* sshd's units after `systemctl restart` of the service: running,
         * nothing of the last run's outcome left */
        if (live->n_units > 0) {
                cand->units = calloc(live->n_units, sizeof(SgUnitFacts));
                if (!cand->units)
                        return -ENOMEM;
                memcpy(cand->units, live->units, live->n_units * sizeof(SgUnitFacts));
                for (size_t i = 0; i < live->n_units; i++)
                        if (svc == &live->units[i] && !svc->masked) {
                                svc_after = &cand->units[i];
                                *svc_after = (SgUnitFacts) {
                                        .name = svc->name, .loaded = true, .enabled = svc->enabled,
                                        .active_state = "active", .sub_state = "running", .result = "success",
                                        .main_pid = svc->main_pid, .exit_status = -1,
                                };
                        }
                cand->snapshot.units = cand->units;
        }
        if (!live->units_unknown)
                snprintf(restart, sizeof(restart), "systemctl restart %s", svc ? svc->name : "ssh.service");
        else
                snprintf(restart, sizeof(restart), "kill -HUP $(pgrep -o -x sshd)");

        /* the expected ports: the candidate's (the administrator moves sshd
         * on purpose), less those SELinux will not let it bind */
        cand->ports = calloc(c->n_listen + 1, sizeof(uint16_t));
        failed = calloc(c->n_listen + 1, sizeof(BindFailure));
        cand->listeners = calloc(live->n_listeners + c->n_listen + 1, sizeof(SgListener));
        if (!cand->ports || !failed || !cand->listeners)
                return -ENOMEM;

        cand->snapshot.n_expected_ports = 0;
        /* the sockets that stay: every other program's; under socket
         * activation, all of them */
        for (size_t i = 0; i < live->n_listeners; i++)
                if (socket_mode || !sg_listener_is_sshd(&live->listeners[i], svc, false))
                        cand->listeners[k++] = live->listeners[i];
        size_t n_others = k;

        for (size_t i = 0; i < c->n_listen; i++) {
                const SshdListen *l = &c->listen[i];
                uint8_t a[16] = {};
                const SgListener *holder = NULL;

                if (!ports_contain(cand->ports, cand->snapshot.n_expected_ports, l->port) && port_labelled(o, l->port))
                        cand->ports[cand->snapshot.n_expected_ports++] = l->port;
                if (socket_mode)
                        continue;
                if (inet_pton(l->family, l->address, a) != 1)
                        continue;
                for (size_t j = 0; j < n_others && !holder; j++)
                        if (bind_conflicts(&cand->listeners[j], l->family, a, l->port))
                                holder = &cand->listeners[j];
                if (!port_labelled(o, l->port))
                        failed[n_failed++] = (BindFailure) { l, "Permission denied", SG_CAUSE_BIND_DENIED, NULL };
                else if (!addr_is_any(l->family, a) && !host_has_address(live, l->family, a))
                        failed[n_failed++] = (BindFailure) { l, "Cannot assign requested address",
                                                             SG_CAUSE_ADDRESS_MISSING, NULL };
                else if (holder)
                        failed[n_failed++] = (BindFailure) { l, "Address already in use", SG_CAUSE_PORT_IN_USE, holder };
                else {
                        SgListener *n = &cand->listeners[k++];
                        *n = (SgListener) {
                                .family = l->family, .port = l->port, .v6only = l->family == AF_INET6,
                                .pid = svc_after ? svc_after->main_pid : 0, .comm = "sshd",
                                .unit = svc_after ? svc_after->name : NULL,
                        };
                        memcpy(n->addr, a, 16);
                        n_bound++;
                }
        }
        cand->snapshot.listeners = cand->listeners;
        cand->snapshot.n_listeners = k;
        cand->snapshot.expected_ports = cand->ports;
        cand->starts = socket_mode || n_bound > 0;

        if (!cand->starts) {
                /* sshd's own words (sshd.c server_listen()), which the
                 * engine reads as a failed start's cause */
                for (size_t i = 0; i < n_failed; i++) {
                        _cleanup_free_ char *line = fmt("Bind to port %u on %s failed: %s.", failed[i].l->port,
                                                        failed[i].l->address, failed[i].why);
                        if (!line || strv_push_copy(&cand->sshd_log, &(size_t) { i }, line) < 0)
                                return -ENOMEM;
                }
                if (strv_push_copy(&cand->sshd_log, &(size_t) { n_failed }, "Cannot bind any address.") < 0)
                        return -ENOMEM;
                cand->snapshot.sshd_log = (const char *const *) cand->sshd_log;
                cand->snapshot.n_sshd_log = n_failed + 1;
                if (svc_after) {
                        svc_after->active_state = "failed";
                        svc_after->sub_state = "failed";
                        svc_after->result = "exit-code";
                        svc_after->main_pid = 0;
                        svc_after->exit_status = 255;
                } else if (n_failed > 0) {
                        /* without systemd nothing reports the failed start:
                         * the first bind's failure, as sshd logs it */
                        BindFailure *first = &failed[0];
                        for (size_t i = 0; i < n_failed; i++)
                                if (failed[i].cause == SG_CAUSE_PORT_IN_USE && first->cause != SG_CAUSE_PORT_IN_USE)
                                        first = &failed[i];
                        finding_no_bind(&out, first, path);
                }
        } else
                for (size_t i = 0; i < n_failed; i++) {
                        bool seen = false;
                        if (failed[i].cause != SG_CAUSE_BIND_DENIED)
                                continue;       /* the engine sees those in the snapshot */
                        for (size_t j = 0; j < i; j++)
                                seen = seen || failed[j].l->port == failed[i].l->port;
                        if (!seen)
                                finding_selinux(&out, c, failed[i].l->port, restart);
                }

        /* today's expected ports the candidate leaves */
        for (size_t p = 0; p < live->n_expected_ports; p++) {
                uint16_t port = live->expected_ports[p];
                bool kept = false;
                for (size_t i = 0; i < c->n_listen; i++)
                        kept = kept || c->listen[i].port == port;
                if (kept)
                        continue;
                _cleanup_free_ char *w = fmt("port %u, where sshd is expected today, is not in %s: clients and "
                                             "scripts that connect to port %u will fail, and sshguardiand reports "
                                             "port-changed until it learns the new port (`systemctl reload "
                                             "sshguardian`, or Ports= of sshguardian.conf)", port, path, port);
                if (!w || strv_push_copy(&cand->warnings, &n_warn, w) < 0) {
                        sg_findings_free(out.v, out.n);
                        return -ENOMEM;
                }
        }
        cand->n_warnings = n_warn;
        if (out.error) {
                sg_findings_free(out.v, out.n);
                return out.error;
        }
        cand->findings = out.v;
        cand->n_findings = out.n;
        *ret = TAKE_PTR(cand);
        return 0;
}

int sg_preflight_config_merge(SgConfigCandidate *c, SgAssessment *a) {
        SgFinding *nv;
        size_t k = 0;

        if (c->n_findings == 0)
                return 0;
        /* without systemd the engine sees no sshd at all when none of its
         * binds succeeds ("not running"); our finding says why */
        for (size_t i = 0; i < a->n_findings; i++)
                if (!c->starts && a->findings[i].cause == SG_CAUSE_NOT_RUNNING)
                        sg_finding_done(&a->findings[i]);
                else
                        a->findings[k++] = a->findings[i];
        a->n_findings = k;
        nv = reallocarray(a->findings, a->n_findings + c->n_findings, sizeof(SgFinding));
        if (!nv)
                return -ENOMEM;
        memmove(nv + c->n_findings, nv, a->n_findings * sizeof(SgFinding));
        memcpy(nv, c->findings, c->n_findings * sizeof(SgFinding));
        a->findings = nv;
        a->n_findings += c->n_findings;
        a->healthy = true;
        for (size_t i = 0; i < a->n_findings; i++)
                a->healthy = a->healthy && !a->findings[i].unreachable;
        free(c->findings);
        c->findings = NULL;
        c->n_findings = 0;
        return 0;
}

/* --- both ------------------------------------------------------------------------ */

SgPreflightVerdict sg_preflight_verdict(const SgAssessment *a, long *reason) {
        long first = -1, mismatch = -1;

        for (size_t i = 0; i < a->n_findings; i++) {
                if (a->findings[i].unreachable && first < 0)
                        first = (long) i;
                if (a->findings[i].cause == SG_CAUSE_SOCKET_MISMATCH && mismatch < 0)
                        mismatch = (long) i;
        }
        if (reason)
                *reason = first >= 0 && mismatch >= 0 ? mismatch : first;
        if (first >= 0)
                return SG_PREFLIGHT_LOCKOUT;
        return a->uncertain ? SG_PREFLIGHT_UNDECIDED : SG_PREFLIGHT_SAFE;
}

void sg_preflight_keep_firewall(SgAssessment *a) {
        size_t k = 0;

        for (size_t i = 0; i < a->n_findings; i++)
                /* the firewall's, and the people it would lock out by name */
                if (a->findings[i].cause == SG_CAUSE_FIREWALL_DROP || a->findings[i].cause == SG_CAUSE_FIREWALL_REJECT ||
                    a->findings[i].cause == SG_CAUSE_ADMIN_LOCKED_OUT)
                        a->findings[k++] = a->findings[i];
                else
                        sg_finding_done(&a->findings[i]);
        a->n_findings = k;
        a->healthy = true;
        for (size_t i = 0; i < k; i++)
                a->healthy = a->healthy && !a->findings[i].unreachable;
}

bool sg_preflight_table_needs_xtables(const NftRuleset *rs, const NftTable *t) {
        for (size_t c = 0; c < t->n_chains; c++)
                for (size_t r = 0; r < t->chains[c].n_rules; r++) {
                        const NftRule *rule = &t->chains[c].rules[r];
                        for (uint32_t e = 0; e < rule->n_expr; e++) {
                                NftExprKind k = nft_rule_expr(rs, rule, e)->kind;
                                if (k == NFT_EXPR_XT_MATCH || k == NFT_EXPR_XT_TARGET)
                                        return true;
                        }
                }
        return false;
}

/* --- check-ruleset: handles ------------------------------------------------------------ */

static const NftTable *table_find(const NftRuleset *rs, const NftTable *like, bool same_handle) {
        for (size_t i = 0; i < rs->n_tables; i++) {
                const NftTable *t = &rs->tables[i];
                if (!t->legacy && t->family == like->family && str_eq(t->name, like->name) &&
                    (!same_handle || t->handle == like->handle))
                        return t;
        }
        return NULL;
}

/* The highest handle the kernel gave out in table T (index TI) that the
 * dump shows: chains, rules, sets (anonymous ones too). */
static uint64_t table_max_handle(const NftRuleset *rs, const NftTable *t) {
        uint32_t ti = (uint32_t) (t - rs->tables);
        uint64_t m = 0;

        for (size_t c = 0; c < t->n_chains; c++) {
                m = t->chains[c].handle > m ? t->chains[c].handle : m;
                for (size_t r = 0; r < t->chains[c].n_rules; r++)
                        m = t->chains[c].rules[r].handle > m ? t->chains[c].rules[r].handle : m;
        }
        for (size_t s = 0; s < rs->n_sets; s++)
                if (rs->sets[s].table == ti && rs->sets[s].handle > m)
                        m = rs->sets[s].handle;
        return m;
}

static bool rules_same(const NftRuleset *a, const NftTable *ta, const NftRule *ra, const NftRuleset *b,
                       const NftTable *tb, const NftRule *rb) {
        _cleanup_free_ char *x = nft_rule_render(a, ta, ra);
        _cleanup_free_ char *y = nft_rule_render(b, tb, rb);
        return x && y && strcmp(x, y) == 0;
}

size_t sg_preflight_map_handles(NftRuleset *after, const NftRuleset *copy, const NftRuleset *live) {
        size_t unknown = 0;

        for (size_t i = 0; i < after->n_tables; i++) {
                NftTable *ta = &after->tables[i];
                const NftTable *tc, *tl;
                uint64_t copy_max, live_max;

                if (ta->legacy)
                        continue;
                /* the same table object as the copy's (a table the file
                 * deleted and made again has a new handle: counts from 1) */
                tc = table_find(copy, ta, true);
                tl = tc ? table_find(live, ta, false) : NULL;
                if (!tc || !tl)
                        continue;
                copy_max = table_max_handle(copy, tc);
                live_max = table_max_handle(live, tl);
                for (size_t c = 0; c < ta->n_chains; c++) {
                        NftChain *ca = &ta->chains[c];
                        for (size_t r = 0; r < ca->n_rules; r++) {
                                NftRule *ra = &ca->rules[r];
                                bool found = false;

                                if (ra->handle > copy_max) {
                                        ra->handle = live_max + (ra->handle - copy_max);
                                        continue;
                                }
                                /* a rule of the copy: the live rule at the
                                 * same place in the same chain */
                                for (size_t cc = 0; cc < tc->n_chains && !found; cc++)
                                        for (size_t rr = 0; rr < tc->chains[cc].n_rules && !found; rr++) {
                                                const NftChain *chl;
                                                if (tc->chains[cc].rules[rr].handle != ra->handle)
                                                        continue;
                                                found = true;
                                                chl = nft_table_find_chain(tl, tc->chains[cc].name);
                                                if (chl && rr < chl->n_rules &&
                                                    rules_same(copy, tc, &tc->chains[cc].rules[rr], live, tl,
                                                               &chl->rules[rr]))
                                                        ra->handle = chl->rules[rr].handle;
                                                else
                                                        unknown++;
                                        }
                                if (!found)
                                        unknown++;
                        }
                }
        }
        return unknown;
}

unsigned sg_preflight_rule_position(const NftRuleset *rs, const char *family, const char *table, const char *chain,
                                    uint64_t handle) {
        for (size_t i = 0; i < rs->n_tables; i++) {
                const NftTable *t = &rs->tables[i];
                const NftChain *c;
                if (!str_eq(nft_family_name(t->family), family) || !str_eq(t->name, table))
                        continue;
                c = nft_table_find_chain(t, chain);
                if (!c)
                        continue;
                if (t->legacy)
                        return handle <= c->n_rules ? (unsigned) handle : 0;
                for (size_t r = 0; r < c->n_rules; r++)
                        if (c->rules[r].handle == handle)
                                return (unsigned) r + 1;
        }
        return 0;
}

/* --- check-ruleset: the line in FILE ---------------------------------------------------- */

/* One line with its comment cut (outside quotes), blanks collapsed, a
 * trailing ';' dropped.  Returns false when nothing is left. */
static bool line_normalize(const char *s, size_t len, char *out, size_t size) {
        size_t k = 0;
        bool quoted = false, blank = false;

        for (size_t i = 0; i < len && k + 1 < size; i++) {
                char ch = s[i];
                if (ch == '"')
                        quoted = !quoted;
                if (ch == '#' && !quoted)
                        break;
                if (isspace((unsigned char) ch)) {
                        blank = k > 0;
                        continue;
                }
                if (blank)
                        out[k++] = ' ';
                blank = false;
                if (k + 1 < size)
                        out[k++] = ch;
        }
        while (k > 0 && (out[k - 1] == ';' || out[k - 1] == ' '))
                k--;
        out[k] = '\0';
        return k > 0;
}

/* The rule's text without what changes as packets pass ("counter packets
 * 3 bytes 180" is "counter" in a file), into OUT. */
static void text_stateless(const char *s, char *out, size_t size) {
        size_t k = 0;

        while (*s && k + 1 < size) {
                unsigned long long a, b;
                int n = 0;
                if (strncmp(s, " packets ", 9) == 0 && sscanf(s, " packets %llu bytes %llu%n", &a, &b, &n) == 2 &&
                    n > 0) {
                        s += n;
                        continue;
                }
                out[k++] = *s++;
        }
        out[k] = '\0';
}

static const char *skip_words(const char *s, unsigned n) {
        for (unsigned i = 0; i < n && s; i++) {
                s = strchr(s, ' ');
                s = s ? s + 1 : NULL;
        }
        return s;
}

static bool word_eq(const char *s, const char *w) {
        size_t n = strlen(w);
        return strncmp(s, w, n) == 0 && (s[n] == ' ' || s[n] == '\0' || s[n] == '{');
}

/* "FAMILY TABLE CHAIN" (family optional: ip) at S; returns what follows. */
static const char *match_path(const char *s, const SgRuleRef *r, bool with_chain) {
        if (word_eq(s, r->family))
                s = skip_words(s, 1);
        else if (!str_eq(r->family, "ip"))
                return NULL;
        if (!s || !word_eq(s, r->table))
                return NULL;
        s = skip_words(s, 1);
        if (!with_chain)
                return s ? s : "";
        if (!s || !word_eq(s, r->chain))
                return NULL;
        s = skip_words(s, 1);
        return s ? s : "";
}

unsigned sg_preflight_nft_line(const char *file, size_t len, const SgRuleRef *r0) {
        char line[4096], text[4096];
        SgRuleRef ref = *r0, *r = &ref;
        bool in_table = false, in_chain = false;
        int depth = 0, table_depth = -1, chain_depth = -1;
        unsigned no = 0;

        if (r->text) {
                text_stateless(r->text, text, sizeof(text));
                r->text = text;
        }
        for (size_t pos = 0; pos < len; no++) {
                const char *end = memchr(file + pos, '\n', len - pos);
                size_t n = end ? (size_t) (end - (file + pos)) : len - pos;
                char raw[4096];
                const char *s = line;
                bool has = line_normalize(file + pos, n, raw, sizeof(raw));
                if (has)
                        text_stateless(raw, line, sizeof(line));
                pos += n + 1;
                if (!has)
                        continue;
                /* "add rule inet filter input tcp dport 22 drop", "insert
                 * rule ... position 3 ..." */
                if (r->text && (strncmp(s, "add rule ", 9) == 0 || strncmp(s, "insert rule ", 12) == 0 ||
                                strncmp(s, "rule ", 5) == 0)) {
                        const char *rest = match_path(skip_words(s, s[0] == 'r' ? 1 : 2), r, true);
                        while (rest && (strncmp(rest, "position ", 9) == 0 || strncmp(rest, "index ", 6) == 0 ||
                                        strncmp(rest, "handle ", 7) == 0))
                                rest = skip_words(rest, 2);
                        if (rest && strcmp(rest, r->text) == 0)
                                return no + 1;
                        continue;
                }
                /* "add chain inet filter input { type ...; policy drop; }" */
                if (!r->text && (strncmp(s, "add chain ", 10) == 0 || strncmp(s, "create chain ", 13) == 0 ||
                                 strncmp(s, "chain ", 6) == 0) && !in_table) {
                        const char *rest = match_path(skip_words(s, s[0] == 'c' && s[1] == 'h' ? 1 : 2), r, true);
                        if (rest && strstr(rest, "policy drop"))
                                return no + 1;
                }
                if (strncmp(s, "table ", 6) == 0 || strncmp(s, "add table ", 10) == 0 ||
                    strncmp(s, "create table ", 13) == 0) {
                        const char *rest = match_path(skip_words(s, s[0] == 't' ? 1 : 2), r, false);
                        if (strchr(s, '{')) {
                                in_table = rest != NULL;
                                table_depth = depth;
                        }
                } else if (in_table && strncmp(s, "chain ", 6) == 0 && strchr(s, '{')) {
                        in_chain = word_eq(s + 6, r->chain);
                        chain_depth = depth;
                } else if (in_chain && depth == chain_depth + 1) {
                        if (r->text && strcmp(s, r->text) == 0)
                                return no + 1;
                        if (!r->text && strstr(s, "policy drop"))
                                return no + 1;
                }
                for (const char *p = s; *p; p++)
                        if (*p == '{')
                                depth++;
                        else if (*p == '}' && depth > 0) {
                                depth--;
                                if (depth <= chain_depth)
                                        in_chain = false, chain_depth = -1;
                                if (depth <= table_depth)
                                        in_table = false, table_depth = -1;
                        }
        }
        return 0;
}

unsigned sg_preflight_iptables_line(const char *file, size_t len, const SgRuleRef *r) {
        char line[4096];
        unsigned *lines = NULL, no = 0, ret = 0;
        size_t n_lines = 0;
        bool in_table = false;

        for (size_t pos = 0; pos < len; no++) {
                const char *end = memchr(file + pos, '\n', len - pos);
                size_t n = end ? (size_t) (end - (file + pos)) : len - pos;
                bool has = line_normalize(file + pos, n, line, sizeof(line));
                pos += n + 1;
                if (!has)
                        continue;
                if (line[0] == '*') {
                        in_table = strcmp(line + 1, r->table) == 0;
                        continue;
                }
                if (!in_table)
                        continue;
                if (line[0] == ':' && !r->text) {
                        char chain[256], policy[32];
                        if (sscanf(line, ":%255s %31s", chain, policy) == 2 && strcmp(chain, r->chain) == 0 &&
                            strcmp(policy, "DROP") == 0) {
                                ret = no + 1;
                                goto done;
                        }
                        continue;
                }
                char op[4], chain[256];
                unsigned at = 1;
                if (sscanf(line, "%3s %255s", op, chain) != 2 || strcmp(chain, r->chain) != 0)
                        continue;
                if (strcmp(op, "-A") == 0 || strcmp(op, "-I") == 0) {
                        unsigned *nv = reallocarray(lines, n_lines + 1, sizeof(unsigned));
                        if (!nv)
                                goto done;
                        lines = nv;
                        if (op[1] == 'A')
                                at = (unsigned) n_lines + 1;
                        else if (sscanf(line + 3 + strlen(chain) + 1, "%u", &at) != 1)
                                at = 1;
                        if (at < 1 || at > n_lines + 1)
                                goto done;
                        memmove(lines + at, lines + at - 1, (n_lines - (at - 1)) * sizeof(unsigned));
                        lines[at - 1] = no + 1;
                        n_lines++;
                } else if (strcmp(op, "-D") == 0 || strcmp(op, "-R") == 0)
                        goto done;      /* positions no longer follow the file */
        }
        if (r->text && r->position >= 1 && r->position <= n_lines)
                ret = lines[r->position - 1];
done:
        free(lines);
        return ret;
}

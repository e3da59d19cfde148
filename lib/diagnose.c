/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include "diagnose.h"
#include "listeners.h"
#include "macro.h"

/* --- building findings ----------------------------------------------------- */

typedef struct Findings {
        SgFinding *v;
        size_t n;
        int error;
} Findings;

static SgFinding *finding_add(Findings *fs, SgCause cause, bool unreachable) {
        SgFinding *nv;

        if (fs->error)
                return NULL;
        nv = reallocarray(fs->v, fs->n + 1, sizeof(SgFinding));
        if (!nv) {
                fs->error = -ENOMEM;
                return NULL;
        }
        fs->v = nv;
        nv[fs->n] = (SgFinding) { .cause = cause, .unreachable = unreachable };
        return &nv[fs->n++];
}

static void __attribute__((format(printf, 4, 5)))
evidence_add(Findings *fs, SgFinding *f, const char *key, const char *fmt, ...) {
        SgEvidence *nv;
        char *value = NULL, *k;
        va_list ap;

        if (!f || fs->error)
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
                fs->error = -ENOMEM;
                return;
        }
        f->evidence = nv;
        nv[f->n_evidence++] = (SgEvidence) { .key = k, .value = value };
}

/* The message is "statement; fix." by convention: the statement alone is
 * the format up to its last "; ", given the same arguments (C ignores
 * the ones a format does not use). */
static void __attribute__((format(printf, 3, 4)))
message_set(Findings *fs, SgFinding *f, const char *fmt, ...) {
        const char *cut = NULL;
        char *sfmt = NULL;
        va_list ap;

        if (!f || fs->error)
                return;
        for (const char *p = strstr(fmt, "; "); p; p = strstr(p + 1, "; "))
                cut = p;
        va_start(ap, fmt);
        if (vasprintf(&f->message, fmt, ap) < 0) {
                f->message = NULL;
                fs->error = -ENOMEM;
        }
        va_end(ap);
        if (fs->error)
                return;
        if (!cut || asprintf(&sfmt, "%.*s.", (int) (cut - fmt), fmt) < 0) {
                f->statement = strdup(f->message);
                sfmt = NULL;
        } else {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
                va_start(ap, fmt);
                if (vasprintf(&f->statement, sfmt, ap) < 0)
                        f->statement = NULL;
                va_end(ap);
#pragma GCC diagnostic pop
        }
        free(sfmt);
        if (!f->statement)
                fs->error = -ENOMEM;
}

/* --- facts ------------------------------------------------------------------- */

static bool str_eq(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

static bool ends_with(const char *s, const char *suffix) {
        size_t a = s ? strlen(s) : 0, b = strlen(suffix);
        return a >= b && strcmp(s + a - b, suffix) == 0;
}

bool sg_unit_between_states(const SgUnitFacts *u) {
        const char *state = u->active_state ? u->active_state : "";
        bool auto_restart = str_eq(u->sub_state, "auto-restart");

        if ((auto_restart || strcmp(state, "failed") == 0) && str_eq(u->result, "success"))
                return true;
        if (auto_restart)
                return false;
        return u->job_pending || strcmp(state, "activating") == 0 || strcmp(state, "deactivating") == 0;
}

static bool unit_running(const SgUnitFacts *u) {
        return u && (str_eq(u->active_state, "active") || str_eq(u->active_state, "reloading"));
}

static bool any_masked(const SgSnapshot *s) {
        for (size_t i = 0; i < s->n_units; i++)
                if (s->units[i].masked)
                        return true;
        return false;
}

static const SgUnitFacts *find_unit(const SgSnapshot *s, const char *suffix) {
        for (size_t i = 0; i < s->n_units; i++)
                if (s->units[i].loaded && ends_with(s->units[i].name, suffix))
                        return &s->units[i];
        return NULL;
}

static const char *log_find(const SgSnapshot *s, const char *needle) {
        for (size_t i = 0; i < s->n_sshd_log; i++)
                if (s->sshd_log[i] && strstr(s->sshd_log[i], needle))
                        return s->sshd_log[i];
        return NULL;
}

static const char *log_last(const SgSnapshot *s) {
        for (size_t i = s->n_sshd_log; i > 0; i--)
                if (s->sshd_log[i - 1] && s->sshd_log[i - 1][0])
                        return s->sshd_log[i - 1];
        return NULL;
}

/* sshd's lines end with a period; inside a sentence of ours they should not. */
static int sentence_len(const char *l) {
        size_t n = l ? strlen(l) : 0;
        while (n > 0 && (l[n - 1] == '.' || l[n - 1] == ' '))
                n--;
        return (int) n;
}

static const char *addr_str(int family, const uint8_t *a, char buf[static 46]) {
        if (!inet_ntop(family, a, buf, 46))
                strcpy(buf, "?");
        return buf;
}

static bool addr_is_loopback(int family, const uint8_t *a) {
        static const uint8_t v6lo[16] = { [15] = 1 };
        return family == AF_INET ? a[0] == 127 : memcmp(a, v6lo, 16) == 0;
}

static bool addr_is_any(int family, const uint8_t *a) {
        static const uint8_t zero[16];
        return memcmp(a, zero, family == AF_INET ? 4 : 16) == 0;
}

bool sg_listener_is_sshd(const SgListener *l, const SgUnitFacts *svc, bool socket_mode) {
        if (svc && svc->main_pid > 0 && l->pid == svc->main_pid)
                return true;
        if (socket_mode && l->pid == 1)
                return true;            /* systemd holds ssh.socket's listening socket */
        /* the socket's cgroup is sshd's unit (its processes not told apart) */
        if (l->unit && svc && str_eq(l->unit, svc->name))
                return true;
        /* Whose socket it is could not be found out (no right to look
         * into other processes' fds): while sshd runs, it is taken for
         * sshd's -- never for "another process" without evidence. */
        if (l->pid == 0 && !l->comm)
                return !svc || unit_running(svc) || socket_mode;
        return str_eq(l->comm, "sshd");
}

/* Who else holds PORT (any address), or NULL. */
static const SgListener *port_holder(const SgSnapshot *s, uint16_t port, const SgUnitFacts *svc, bool socket_mode) {
        for (size_t i = 0; i < s->n_listeners; i++)
                if (s->listeners[i].port == port && !sg_listener_is_sshd(&s->listeners[i], svc, socket_mode))
                        return &s->listeners[i];
        return NULL;
}

static void evidence_unit(Findings *fs, SgFinding *f, const SgUnitFacts *u) {
        if (!u)
                return;
        evidence_add(fs, f, "unit", "%s", u->name);
        if (u->result)
                evidence_add(fs, f, "unit_result", "%s", u->result);
}

static void evidence_origin(Findings *fs, SgFinding *f, SshdOrigin o) {
        if (!o.file)
                return;
        evidence_add(fs, f, "config_file", "%s", o.file);
        evidence_add(fs, f, "config_line", "%u", o.line);
}

static void evidence_holder(Findings *fs, SgFinding *f, const SgListener *h) {
        if (!h)
                return;
        if (h->pid > 0)
                evidence_add(fs, f, "holder_pid", "%d", (int) h->pid);
        if (h->comm)
                evidence_add(fs, f, "holder_comm", "%s", h->comm);
        if (h->unit)
                evidence_add(fs, f, "holder_unit", "%s", h->unit);
}

static const char *holder_text(const SgListener *h, char *buf, size_t len) {
        if (h && h->comm && h->pid > 0)
                snprintf(buf, len, "%s (pid %d)", h->comm, (int) h->pid);
        else if (h && h->pid > 0)
                snprintf(buf, len, "pid %d", (int) h->pid);
        else if (h && h->comm && h->unit)
                snprintf(buf, len, "%s of %s", h->comm, h->unit);
        else if (h && h->unit)
                snprintf(buf, len, "a process of %s", h->unit);
        else
                snprintf(buf, len, "another process");
        return buf;
}

/* " (FILE line N)"-style words for a directive's origin; "" for a default. */
static const char *origin_phrase(SshdOrigin o, const char *before, const char *after, char *buf, size_t len) {
        if (!o.file)
                return "";
        snprintf(buf, len, "%s%s line %u%s", before, o.file, o.line, after);
        return buf;
}

/* The Port line that decides a port, or the first Port line, or the
 * default. */
static SshdOrigin port_origin(const SshdConfig *c, uint16_t port) {
        if (!c)
                return (SshdOrigin) {};
        for (size_t i = 0; i < c->n_ports; i++)
                if (c->ports[i].port == port)
                        return c->ports[i].origin;
        return c->n_ports > 0 ? c->ports[0].origin : (SshdOrigin) {};
}

static bool config_listens_on_port(const SshdConfig *c, uint16_t port) {
        for (size_t i = 0; c && i < c->n_listen; i++)
                if (c->listen[i].port == port)
                        return true;
        return false;
}

/* --- the causes behind a failed start ------------------------------------------ */

typedef struct StartFailure {
        SgCause cause;                  /* _SG_CAUSE_MAX: nothing specific */
        const char *line;               /* sshd's line that says so */
        uint16_t port;                  /* port-in-use, address-missing */
        char address[64];
        char config_file[512];          /* config-invalid, from sshd's own line */
        unsigned config_line;
} StartFailure;

/* "FILE line N: ..." and "FILE: line N: ...": sshd naming where its
 * configuration is wrong. */
static bool parse_config_error(const char *line, StartFailure *sf) {
        const char *p = strstr(line, " line ");
        size_t flen;
        unsigned n;
        char colon;

        if (!p || p == line)
                return false;
        flen = (size_t) (p - line);
        if (line[flen - 1] == ':')
                flen--;
        if (sscanf(p, " line %u%c", &n, &colon) != 2 || colon != ':' || flen == 0 || flen >= sizeof(sf->config_file))
                return false;
        /* the file name is the last word before " line" */
        {
                const char *start = line;
                for (const char *q = line; q < line + flen; q++)
                        if (*q == ' ')
                                start = q + 1;
                flen -= (size_t) (start - line);
                memcpy(sf->config_file, start, flen);
                sf->config_file[flen] = '\0';
        }
        sf->config_line = n;
        return sf->config_file[0] == '/';
}

/* The configuration a failed start read: as the daemon read it when the
 * unit failed, else the file now. */
static const SshdConfig *config_tried(const SgSnapshot *s) {
        return s->config_running ? s->config_running : s->config;
}

static StartFailure start_failure(const SgSnapshot *s) {
        StartFailure sf = { .cause = _SG_CAUSE_MAX };
        const SshdConfig *tried = config_tried(s);
        const char *l;

        if ((l = log_find(s, "no hostkeys available"))) {
                sf.cause = SG_CAUSE_HOSTKEYS_MISSING;
                sf.line = l;
                return sf;
        }
        if ((l = log_find(s, "Missing privilege separation directory"))) {
                sf.cause = SG_CAUSE_PRIVSEP_MISSING;
                sf.line = l;
                return sf;
        }
        for (size_t i = 0; i < s->n_sshd_log; i++) {
                const char *b = s->sshd_log[i] ? strstr(s->sshd_log[i], "Bind to port ") : NULL;
                unsigned port;
                char addr[64];

                if (!b || sscanf(b, "Bind to port %u on %63s failed", &port, addr) != 2 || port == 0 || port > 65535)
                        continue;
                sf.port = (uint16_t) port;
                snprintf(sf.address, sizeof(sf.address), "%s", addr);
                sf.line = s->sshd_log[i];
                if (strstr(b, "Address already in use")) {
                        sf.cause = SG_CAUSE_PORT_IN_USE;
                        return sf;
                }
                if (strstr(b, "Permission denied")) {
                        sf.cause = SG_CAUSE_BIND_DENIED;
                        return sf;
                }
                if (strstr(b, "Cannot assign requested address"))
                        sf.cause = SG_CAUSE_ADDRESS_MISSING;
        }
        if (sf.cause != _SG_CAUSE_MAX)
                return sf;
        for (size_t i = 0; i < s->n_sshd_log; i++)
                if (s->sshd_log[i] && parse_config_error(s->sshd_log[i], &sf)) {
                        sf.cause = SG_CAUSE_CONFIG_INVALID;
                        sf.line = s->sshd_log[i];
                        return sf;
                }
        /* the model's own word, unless reading went past its budget:
         * then it cannot tell, and says so (diagnose_pending()) */
        if (tried && !tried->valid && !tried->budget_exceeded) {
                sf.cause = SG_CAUSE_CONFIG_INVALID;
                return sf;
        }
        return sf;
}

static const char *short_name(const char *unit) {
        return unit ? unit : "ssh.service";
}

/* A process that may be named as the one to stop: never pid 1 (systemd
 * itself, holding a socket unit's socket) nor a process of sshd's own
 * units. */
static bool holder_killable(const SgListener *h, const SgUnitFacts *svc) {
        return h && h->pid > 1 && !str_eq(h->comm, "systemd") && !(svc && h->pid == svc->main_pid) &&
               !str_eq(h->comm, "sshd");
}

static bool holder_unit_stoppable(const SgListener *h, const SgSnapshot *s) {
        if (!h || !h->unit || !ends_with(h->unit, ".service"))
                return false;
        for (size_t i = 0; i < s->n_units; i++)
                if (str_eq(s->units[i].name, h->unit))
                        return false;
        return !str_eq(h->unit, "ssh.service") && !str_eq(h->unit, "sshd.service");
}

/* The command that (re)starts sshd here once the human step is done:
 * systemd's; without it, a SIGHUP to the running sshd (it re-executes
 * itself and reads its configuration again), else the SysV script, else
 * sshd itself (which needs its privilege separation directory). */
static const char *start_cmd(const SgSnapshot *s, const SgUnitFacts *svc, bool restart, char *buf, size_t len) {
        if (!s->units_unknown) {
                snprintf(buf, len, "systemctl %s %s", restart ? "restart" : "start", short_name(svc ? svc->name : NULL));
                return buf;
        }
        for (size_t i = 0; restart && i < s->n_listeners; i++)
                if (str_eq(s->listeners[i].comm, "sshd") && s->listeners[i].pid > 1) {
                        snprintf(buf, len, "kill -HUP %d", (int) s->listeners[i].pid);
                        return buf;
                }
        if (s->tools.sysv_ssh)
                snprintf(buf, len, "service ssh %s", restart ? "restart" : "start");
        else
                snprintf(buf, len, "install -d -m 0755 /run/sshd && %s",
                         s->tools.sshd_path ? s->tools.sshd_path : "/usr/sbin/sshd");
        return buf;
}

/* One finding for a start that failed for a known reason; RESULT tells
 * how systemd saw it end (exit-code, start-limit-hit, ...). */
static void report_start_failure(Findings *fs, const SgSnapshot *s, const StartFailure *sf, const SgUnitFacts *svc) {
        const char *unit = short_name(svc ? svc->name : NULL);
        bool gave_up = svc && str_eq(svc->result, "start-limit-hit");
        /* systemd 252 keeps Result=exit-code when Restart= runs into the
         * start limit ("Start request repeated too quickly"): a failed
         * unit may refuse a restart whatever Result says */
        bool reset = gave_up || (svc && str_eq(svc->active_state, "failed"));
        char tail[256], holder[96];
        SgFinding *f;

        snprintf(tail, sizeof(tail), "%s", gave_up ? "systemd gave up restarting it (start-limit-hit); " : "");
        switch (sf->cause) {
        case SG_CAUSE_CONFIG_INVALID: {
                const SshdConfig *c = config_tried(s);
                const SshdDiag *e = c && !c->valid && c->n_errors > 0 ? &c->errors[0] : NULL;
                const char *file = sf->config_file[0] ? sf->config_file : e ? e->file : NULL;
                unsigned line = sf->config_file[0] ? sf->config_line : e ? e->line : 0;
                const char *msg = sf->line ? sf->line : e ? e->message : "sshd rejects its configuration";
                char where[600];

                if (file)
                        snprintf(where, sizeof(where), "%s line %u", file, line);
                else
                        snprintf(where, sizeof(where), "the configuration");
                f = finding_add(fs, SG_CAUSE_CONFIG_INVALID, true);
                evidence_unit(fs, f, svc);
                if (file) {
                        evidence_add(fs, f, "config_file", "%s", file);
                        evidence_add(fs, f, "config_line", "%u", line);
                }
                /* sshd -t needs /run/sshd, which systemd removed with the
                 * unit's runtime directory when it stopped */
                if (reset)
                        evidence_add(fs, f, "remediation", "install -d -m 0755 /run/sshd && sshd -t && systemctl "
                                     "reset-failed %s && systemctl restart %s", unit, unit);
                else
                        evidence_add(fs, f, "remediation", "install -d -m 0755 /run/sshd && sshd -t && systemctl "
                                     "restart %s", unit);
                message_set(fs, f, "sshd (%s) refuses its configuration: %.*s; %sfix %s, check with `sshd -t`, then "
                            "restart %s.", unit, sentence_len(msg), msg, tail, where, unit);
                break;
        }
        case SG_CAUSE_HOSTKEYS_MISSING:
                f = finding_add(fs, SG_CAUSE_HOSTKEYS_MISSING, true);
                evidence_unit(fs, f, svc);
                evidence_add(fs, f, "remediation", "ssh-keygen -A && systemctl %s%s%srestart %s", reset ? "reset-failed " : "",
                             reset ? unit : "", reset ? " && systemctl " : "", unit);
                message_set(fs, f, "sshd (%s) cannot start without host keys (\"%s\"); %screate them with "
                            "`ssh-keygen -A`, then restart %s.", unit, sf->line, tail, unit);
                break;
        case SG_CAUSE_PRIVSEP_MISSING:
                f = finding_add(fs, SG_CAUSE_PRIVSEP_MISSING, true);
                evidence_unit(fs, f, svc);
                evidence_add(fs, f, "remediation", "install -d -m 0755 /run/sshd && systemctl %s%s%srestart %s",
                             reset ? "reset-failed " : "", reset ? unit : "", reset ? " && systemctl " : "", unit);
                message_set(fs, f, "sshd (%s) cannot start: \"%s\"; %screate it with `install -d -m 0755 /run/sshd` "
                            "(RuntimeDirectory=sshd in the unit normally does), then restart %s.",
                            unit, sf->line, tail, unit);
                break;
        case SG_CAUSE_PORT_IN_USE: {
                const SgListener *h = port_holder(s, sf->port, svc, false);

                f = finding_add(fs, SG_CAUSE_PORT_IN_USE, true);
                evidence_unit(fs, f, svc);
                evidence_add(fs, f, "port", "%u", sf->port);
                evidence_holder(fs, f, h);
                evidence_origin(fs, f, port_origin(config_tried(s), sf->port));
                if (holder_unit_stoppable(h, s))
                        evidence_add(fs, f, "remediation", "systemctl stop %s && systemctl %s%s%srestart %s", h->unit,
                                     reset ? "reset-failed " : "", reset ? unit : "", reset ? " && systemctl " : "",
                                     unit);
                else if (holder_killable(h, svc))
                        evidence_add(fs, f, "remediation", "kill %d && systemctl %s%s%srestart %s", (int) h->pid,
                                     reset ? "reset-failed " : "", reset ? unit : "", reset ? " && systemctl " : "",
                                     unit);
                else
                        evidence_add(fs, f, "remediation", "ss -ltnp 'sport = :%u'", sf->port);
                message_set(fs, f, "sshd (%s) cannot bind port %u on %s: it is held by %s; %sstop that or move it to "
                            "another port, then restart %s.", unit, sf->port, sf->address,
                            holder_text(h, holder, sizeof(holder)), tail, unit);
                break;
        }
        case SG_CAUSE_BIND_DENIED: {
                char restart[160];

                f = finding_add(fs, SG_CAUSE_BIND_DENIED, true);
                evidence_unit(fs, f, svc);
                evidence_add(fs, f, "port", "%u", sf->port);
                evidence_origin(fs, f, port_origin(config_tried(s), sf->port));
                snprintf(restart, sizeof(restart), "%s%s%ssystemctl restart %s", reset ? "systemctl reset-failed " : "",
                         reset ? unit : "", reset ? " && " : "", unit);
                if (s->tools.selinux) {
                        /* -a fails for a port already labelled (by another
                         * type): -m relabels it */
                        evidence_add(fs, f, "remediation", "{ semanage port -a -t ssh_port_t -p tcp %u || semanage port -m "
                                     "-t ssh_port_t -p tcp %u; } && %s", sf->port, sf->port, restart);
                        message_set(fs, f, "sshd (%s) may not bind port %u (\"%.*s\"): SELinux allows sshd only the ports "
                                    "labelled ssh_port_t; %slabel it with `semanage port -a -t ssh_port_t -p tcp %u`, "
                                    "then restart %s.", unit, sf->port, sentence_len(sf->line), sf->line, tail,
                                    sf->port, unit);
                } else {
                        evidence_add(fs, f, "remediation", "%s", restart);
                        message_set(fs, f, "sshd (%s) may not bind port %u (\"%.*s\"): a port below 1024 needs "
                                    "CAP_NET_BIND_SERVICE, which the unit or a security module withholds; %sgive sshd that "
                                    "privilege back or choose a port above 1023, then restart %s.", unit, sf->port,
                                    sentence_len(sf->line), sf->line, tail, unit);
                }
                break;
        }
        case SG_CAUSE_ADDRESS_MISSING: {
                SshdOrigin o = {};

                const SshdConfig *c = config_tried(s);
                for (size_t i = 0; c && i < c->n_listen_specs; i++)
                        if (str_eq(c->listen_specs[i].host, sf->address))
                                o = c->listen_specs[i].origin;
                f = finding_add(fs, SG_CAUSE_ADDRESS_MISSING, true);
                evidence_unit(fs, f, svc);
                evidence_add(fs, f, "port", "%u", sf->port);
                evidence_origin(fs, f, o);
                if (reset)
                        evidence_add(fs, f, "remediation", "systemctl reset-failed %s && systemctl restart %s", unit, unit);
                else
                        evidence_add(fs, f, "remediation", "systemctl restart %s", unit);
                message_set(fs, f, "sshd (%s) cannot listen on %s port %u: no interface has that address%s%s%s; %sadd "
                            "the address to an interface or change that ListenAddress, then restart %s.", unit,
                            sf->address, sf->port, o.file ? " (ListenAddress at " : "", o.file ? o.file : "",
                            o.file ? ")" : "", tail, unit);
                break;
        }
        default:
                return;
        }
}

/* --- the engine ----------------------------------------------------------------- */

static void diagnose_unit(Findings *fs, const SgSnapshot *s, const SgUnitFacts *svc, const SgUnitFacts *sock) {
        const char *unit = short_name(svc ? svc->name : NULL);
        StartFailure sf;
        SgFinding *f;

        /* Socket activation: systemd listens for sshd. */
        /* ... when socket activation is what is set up (the socket unit
         * enabled), unless the service itself was stopped on purpose after
         * the socket: then that stop is what the administrator did last */
        if (sock && sock->enabled && (!svc || !unit_running(svc)) && !unit_running(sock) &&
            (sock->stop_requested || str_eq(sock->active_state, "failed")) &&
            !(svc && svc->stop_requested && svc->inactive_enter_usec >= sock->inactive_enter_usec)) {
                f = finding_add(fs, SG_CAUSE_SOCKET_STOPPED, true);
                evidence_unit(fs, f, sock);
                evidence_add(fs, f, "remediation", "systemctl start %s", sock->name);
                message_set(fs, f, "%s %s: nothing accepts connections for sshd; start it with `systemctl start %s`.",
                            sock->name, sock->stop_requested ? "was stopped" : "failed", sock->name);
                return;
        }
        if (!svc || unit_running(svc) || (sock && unit_running(sock)))
                return;

        if (svc->crashed || str_eq(svc->result, "signal") || str_eq(svc->result, "core-dump")) {
                f = finding_add(fs, SG_CAUSE_CRASHED, true);
                evidence_unit(fs, f, svc);
                evidence_add(fs, f, "remediation", "systemctl restart %s", unit);
                message_set(fs, f, "sshd (%s) died by signal %s%s and is not running; see `coredumpctl info sshd` "
                            "and restart %s.", unit, svc->crash_signal > 0 ? sigabbrev_np(svc->crash_signal) ?
                            sigabbrev_np(svc->crash_signal) : "?" : "?",
                            str_eq(svc->result, "core-dump") ? " (core dumped)" : "", unit);
                return;
        }
        /* 203/EXEC: systemd could not execute sshd (EXIT_EXEC) */
        if (svc->exit_status == 203 && !svc->stop_requested &&
            (str_eq(svc->result, "exit-code") || str_eq(svc->result, "start-limit-hit"))) {
                bool gave_up = str_eq(svc->result, "start-limit-hit");
                bool reset = gave_up || str_eq(svc->active_state, "failed");
                const char *install = s->tools.reinstall_sshd ? s->tools.reinstall_sshd
                                                              : "apt-get install --reinstall openssh-server";
                f = finding_add(fs, SG_CAUSE_BINARY_MISSING, true);
                evidence_unit(fs, f, svc);
                evidence_add(fs, f, "remediation", "%s && systemctl %s%s%srestart %s", install,
                             reset ? "reset-failed " : "", reset ? unit : "", reset ? " && systemctl " : "", unit);
                message_set(fs, f, "sshd (%s) cannot be started: systemd could not execute it (status 203/EXEC: the "
                            "executable is missing or not executable, e.g. openssh-server removed)%s; reinstall it with "
                            "`%s` and restart %s.", unit,
                            gave_up ? ", and gave up (start-limit-hit)" : "", install, unit);
                return;
        }
        sf = start_failure(s);
        if (sf.cause != _SG_CAUSE_MAX && !svc->stop_requested) {
                report_start_failure(fs, s, &sf, svc);
                return;
        }
        if (str_eq(svc->result, "start-limit-hit")) {
                f = finding_add(fs, SG_CAUSE_START_LIMIT, true);
                evidence_unit(fs, f, svc);
                evidence_add(fs, f, "remediation", "systemctl reset-failed %s && systemctl start %s", unit, unit);
                message_set(fs, f, "systemd gave up restarting sshd (%s: start-limit-hit)%s%.*s; see `journalctl -u %s`, "
                            "then `systemctl reset-failed %s && systemctl start %s`.", unit,
                            log_last(s) ? ", its last words: " : "", sentence_len(log_last(s)),
                            log_last(s) ? log_last(s) : "", unit, unit, unit);
                return;
        }
        if (str_eq(svc->active_state, "failed") || (svc->result && !str_eq(svc->result, "success"))) {
                f = finding_add(fs, SG_CAUSE_UNIT_FAILED, true);
                evidence_unit(fs, f, svc);
                if (str_eq(svc->active_state, "failed"))
                        evidence_add(fs, f, "remediation", "systemctl reset-failed %s && systemctl restart %s", unit, unit);
                else
                        evidence_add(fs, f, "remediation", "systemctl restart %s", unit);
                message_set(fs, f, "sshd (%s) failed (%s)%s%.*s; see `journalctl -u %s`, fix it, then restart %s.", unit,
                            svc->result ? svc->result : "failed", log_last(s) ? ": " : "", sentence_len(log_last(s)),
                            log_last(s) ? log_last(s) : "", unit, unit);
                return;
        }
        f = finding_add(fs, SG_CAUSE_UNIT_STOPPED, true);
        evidence_unit(fs, f, svc);
        evidence_add(fs, f, "remediation", "systemctl start %s", unit);
        message_set(fs, f, "sshd (%s) %s and is not running; start it with `systemctl start %s`.", unit,
                    svc->stop_requested ? "was stopped on purpose" : "is not started", unit);
}

static const SgInterface *interface_with(const SgSnapshot *s, int family, const uint8_t *addr) {
        for (size_t i = 0; i < s->n_interfaces; i++)
                for (size_t j = 0; j < s->interfaces[i].n_addrs; j++)
                        if (s->interfaces[i].addrs[j].family == family &&
                            memcmp(s->interfaces[i].addrs[j].addr, addr, family == AF_INET ? 4 : 16) == 0)
                                return &s->interfaces[i];
        return NULL;
}

/* sshd runs: is it where it is expected? */
/* The socket that takes a connection from elsewhere to PORT of FAMILY
 * when it is not sshd's: another program bound the family (or an address)
 * first.  NULL: sshd's takes them all, or no address of that family. */
static const SgListener *family_taken_by_other(const SgSnapshot *s, int family, uint16_t port, const SgUnitFacts *svc,
                                               bool socket_mode) {
        for (size_t i = 0; i < s->n_interfaces; i++) {
                if (s->interfaces[i].loopback || !s->interfaces[i].up)
                        continue;
                for (size_t j = 0; j < s->interfaces[i].n_addrs; j++) {
                        const SgAddress *a = &s->interfaces[i].addrs[j];
                        const SgListener *t;
                        if (a->family != family)
                                continue;
                        t = sg_listener_taking(s->listeners, s->n_listeners, family, a->addr, port);
                        /* an owner that cannot be found out is never "another process" */
                        if (t && (t->pid > 0 || t->unit) && !sg_listener_is_sshd(t, svc, socket_mode))
                                return t;
                }
        }
        return NULL;
}

static bool addr_is_link_local(int family, const uint8_t *a) {
        return family == AF_INET6 && a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* sshd's sockets take connections to every address of the host a client
 * can reach (up, not loopback, not IPv6 link-local): ListenAddress lines
 * that name all of them confine nothing. */
static bool sshd_takes_every_address(const SgSnapshot *s, uint16_t port, const SgUnitFacts *svc, bool socket_mode) {
        bool any = false;

        for (size_t i = 0; i < s->n_interfaces; i++) {
                if (s->interfaces[i].loopback || !s->interfaces[i].up)
                        continue;
                for (size_t j = 0; j < s->interfaces[i].n_addrs; j++) {
                        const SgAddress *a = &s->interfaces[i].addrs[j];
                        const SgListener *t;
                        if (addr_is_link_local(a->family, a->addr))
                                continue;
                        any = true;
                        t = sg_listener_taking(s->listeners, s->n_listeners, a->family, a->addr, port);
                        if (!t || !sg_listener_is_sshd(t, svc, socket_mode))
                                return false;
                }
        }
        return any;
}

/* A wildcard socket of sshd takes FAMILY's connections to PORT. */
static bool sshd_wildcard_for(const SgSnapshot *s, int family, uint16_t port, const SgUnitFacts *svc, bool socket_mode) {
        for (size_t i = 0; i < s->n_listeners; i++) {
                const SgListener *l = &s->listeners[i];
                if (l->port != port || !addr_is_any(l->family, l->addr) || !sg_listener_is_sshd(l, svc, socket_mode))
                        continue;
                if (l->family == family || (family == AF_INET && !l->v6only))
                        return true;
        }
        return false;
}

static void diagnose_listening(Findings *fs, const SgSnapshot *s, const SgUnitFacts *svc, bool socket_mode) {
        const SshdConfig *running = s->config_running ? s->config_running : s->config;
        const char *unit = short_name(svc ? svc->name : NULL);
        char buf[46], holder[96], where[600], restart[160];
        SgFinding *f;

        start_cmd(s, svc, true, restart, sizeof(restart));

        /* address-missing / interface-down: a ListenAddress whose address
         * is nowhere, or on an interface that is down */
        for (size_t i = 0; running && s->n_interfaces > 0 && i < running->n_listen; i++) {
                const SshdListen *l = &running->listen[i];
                uint8_t a[16] = {};
                const SgInterface *ifc;
                bool seen = false;

                if (inet_pton(l->family, l->address, a) != 1 || addr_is_any(l->family, a))
                        continue;
                for (size_t k = 0; k < i; k++)
                        seen = seen || str_eq(running->listen[k].address, l->address);
                if (seen)
                        continue;
                ifc = interface_with(s, l->family, a);
                if (ifc && ifc->up)
                        continue;
                /* beside a wildcard of the family sshd still serves every
                 * client: the line is wrong, nobody is locked out */
                f = finding_add(fs, ifc ? SG_CAUSE_INTERFACE_DOWN : SG_CAUSE_ADDRESS_MISSING,
                                !sshd_wildcard_for(s, l->family, l->port, svc, socket_mode));
                evidence_add(fs, f, "port", "%u", l->port);
                evidence_add(fs, f, "family", "%s", l->family == AF_INET6 ? "ipv6" : "ipv4");
                evidence_origin(fs, f, l->origin);
                if (ifc) {
                        evidence_add(fs, f, "interface", "%s", ifc->name);
                        evidence_add(fs, f, "remediation", "ip link set %s up", ifc->name);
                        message_set(fs, f, "sshd listens on %s, whose interface %s is down; bring it up with "
                                    "`ip link set %s up`.", l->address, ifc->name, ifc->name);
                } else {
                        evidence_add(fs, f, "remediation", "%s", restart);
                        message_set(fs, f, "sshd is configured to listen on %s (%s line %u), which no interface has; add "
                                    "the address to an interface or change that ListenAddress, then run `%s`.",
                                    l->address, l->origin.file ? l->origin.file : "sshd_config", l->origin.line, restart);
                }
        }

        for (size_t p = 0; p < s->n_expected_ports; p++) {
                uint16_t port = s->expected_ports[p];
                bool any4 = false, any6 = false, v6only = false, some = false, only_loopback = true;
                const SgListener *first = NULL;

                for (size_t i = 0; i < s->n_listeners; i++) {
                        const SgListener *l = &s->listeners[i];
                        if (l->port != port || !sg_listener_is_sshd(l, svc, socket_mode))
                                continue;
                        some = true;
                        first = first ? first : l;
                        if (addr_is_any(l->family, l->addr)) {
                                if (l->family == AF_INET)
                                        any4 = true;
                                else {
                                        any6 = true;
                                        v6only = v6only || l->v6only;
                                }
                        }
                        if (!addr_is_loopback(l->family, l->addr))
                                only_loopback = false;
                }
                if (!some) {
                        const SgListener *h = port_holder(s, port, svc, socket_mode);
                        SshdOrigin o = port_origin(running, port);

                        if (!config_listens_on_port(running, port) || !h) {
                                f = finding_add(fs, SG_CAUSE_PORT_CHANGED, true);
                                evidence_add(fs, f, "port", "%u", port);
                                evidence_origin(fs, f, o);
                                evidence_holder(fs, f, h);
                                evidence_add(fs, f, "remediation", "%s", restart);
                                message_set(fs, f, "sshd no longer listens on port %u%s%s; restore `Port %u` in %s "
                                            "(or connect to the port it uses now), then run `%s`.", port,
                                            origin_phrase(o, " (", ")", where, sizeof(where)),
                                            h ? ", and another process holds it" : "", port,
                                            o.file ? o.file : "/etc/ssh/sshd_config", restart);
                        } else {
                                f = finding_add(fs, SG_CAUSE_PORT_IN_USE, true);
                                evidence_add(fs, f, "port", "%u", port);
                                evidence_holder(fs, f, h);
                                evidence_origin(fs, f, o);
                                if (holder_unit_stoppable(h, s))
                                        evidence_add(fs, f, "remediation", "systemctl stop %s && %s", h->unit, restart);
                                else if (holder_killable(h, svc))
                                        evidence_add(fs, f, "remediation", "kill %d && %s", (int) h->pid, restart);
                                else
                                        evidence_add(fs, f, "remediation", "ss -ltnp; %s", restart);
                                message_set(fs, f, "sshd does not hold port %u: %s does; stop that or move it, then "
                                            "restart %s.", port, holder_text(h, holder, sizeof(holder)), unit);
                        }
                        continue;
                }
                /* sshd listens, but another program took a family (or the
                 * host's address) first: connections of that family reach
                 * it, not sshd ("Bind to port 22 on 0.0.0.0 failed: Address
                 * already in use" when sshd started after it) */
                const SgListener *other4 = family_taken_by_other(s, AF_INET, port, svc, socket_mode);
                const SgListener *other6 = family_taken_by_other(s, AF_INET6, port, svc, socket_mode);
                if (other4 || other6) {
                        const SgListener *h = other4 ? other4 : other6;
                        f = finding_add(fs, SG_CAUSE_PORT_IN_USE, true);
                        evidence_add(fs, f, "port", "%u", port);
                        evidence_add(fs, f, "family", "%s", other4 && other6 ? "any" : other4 ? "ipv4" : "ipv6");
                        evidence_add(fs, f, "scope", "%s", other4 && other6 ? "all" : other4 ? "ipv4" : "ipv6");
                        evidence_holder(fs, f, h);
                        if (holder_unit_stoppable(h, s))
                                evidence_add(fs, f, "remediation", "systemctl stop %s && %s", h->unit, restart);
                        else if (holder_killable(h, svc))
                                evidence_add(fs, f, "remediation", "kill %d && %s", (int) h->pid, restart);
                        message_set(fs, f, "%s connections to port %u reach %s, not sshd: it holds %s port %u, so sshd "
                                    "listens for %s only; stop it, then run `%s` so that sshd binds it.",
                                    other4 && other6 ? "All" : other4 ? "IPv4" : "IPv6", port,
                                    holder_text(h, holder, sizeof(holder)), addr_str(h->family, h->addr, buf), port,
                                    other4 && other6 ? "loopback" : other4 ? "IPv6" : "IPv4", restart);
                        continue;
                }
                if (only_loopback ||
                    (!any4 && !any6 && !(s->n_interfaces > 0 && sshd_takes_every_address(s, port, svc, socket_mode)))) {
                        SshdOrigin o = {};
                        for (size_t i = 0; running && i < running->n_listen_specs; i++)
                                if (!o.file)
                                        o = running->listen_specs[i].origin;
                        f = finding_add(fs, SG_CAUSE_LISTEN_RESTRICTED, true);
                        evidence_add(fs, f, "port", "%u", port);
                        evidence_add(fs, f, "scope", "%s", only_loopback ? "all" : "some-interfaces");
                        evidence_origin(fs, f, o);
                        evidence_add(fs, f, "remediation", "%s", restart);
                        message_set(fs, f, "sshd listens on port %u only on %s%s (ListenAddress%s); remove or "
                                    "widen that ListenAddress, then run `%s`.", port,
                                    addr_str(first->family, first->addr, buf),
                                    only_loopback ? ", the loopback" : " and no wildcard address",
                                    origin_phrase(o, " at ", "", where, sizeof(where)), restart);
                } else if (any4 != any6 && !(any6 && !v6only) && running &&
                           (running->address_family_origin.file || running->n_listen_specs > 0)) {
                        /* one family only, because the configuration says so
                         * (a host without IPv6 binds IPv4 only by itself) */
                        /* one family only: AddressFamily, or ListenAddress of one family */
                        SshdOrigin o = running ? running->address_family_origin : (SshdOrigin) {};
                        f = finding_add(fs, SG_CAUSE_LISTEN_RESTRICTED, true);
                        evidence_add(fs, f, "port", "%u", port);
                        evidence_add(fs, f, "scope", "%s", any4 ? "ipv6" : "ipv4");
                        evidence_add(fs, f, "family", "%s", any4 ? "ipv6" : "ipv4");
                        evidence_origin(fs, f, o);
                        evidence_add(fs, f, "remediation", "%s", restart);
                        message_set(fs, f, "sshd listens on port %u for %s only, so %s clients are refused; set "
                                    "`AddressFamily any` in %s (and a ListenAddress of each family, if any), then run "
                                    "`%s`.", port, any4 ? "IPv4" : "IPv6", any4 ? "IPv6" : "IPv4",
                                    o.file ? o.file : "/etc/ssh/sshd_config", restart);
                }
        }
}

/* The port of a socket unit's Listen= address ("22", "0.0.0.0:22",
 * "[::]:2222"); 0 for anything else (a path, a name). */
static uint16_t socket_listen_port(const char *a) {
        const char *p = strrchr(a, ':');
        char *end;
        unsigned long v;

        p = p ? p + 1 : a;
        v = strtoul(p, &end, 10);
        return *p && *end == '\0' && v > 0 && v <= 65535 ? (uint16_t) v : 0;
}

static bool socket_listens_on(const SgUnitFacts *sock, uint16_t port) {
        for (size_t i = 0; i < sock->n_listen; i++)
                if (socket_listen_port(sock->listen[i]) == port)
                        return true;
        return false;
}

/* Socket activation: sshd listens where the socket unit does, whatever
 * Port and ListenAddress say.  A sshd_config that names other ports is
 * not applied by restarting ssh.service; where a generator makes the
 * socket from sshd_config (Ubuntu 22.10+), `systemctl daemon-reload` and a
 * restart of the socket apply it; elsewhere (Debian 12) the socket unit
 * itself must change, or sshd must run without it. */
static void diagnose_socket_mismatch(Findings *fs, const SgSnapshot *s, const SgUnitFacts *svc, const SgUnitFacts *sock) {
        const SshdConfig *c = s->config;
        char ports[128] = "", sports[128] = "";
        size_t len = 0, slen = 0;
        bool mismatch = false;
        SgFinding *f;

        if (!c || !c->valid || sock->n_listen == 0)
                return;
        for (size_t i = 0; i < c->n_ports; i++) {
                mismatch = mismatch || !socket_listens_on(sock, c->ports[i].port);
                if (len < sizeof(ports))
                        len += (size_t) snprintf(ports + len, sizeof(ports) - len, "%s%u", i ? ", " : "", c->ports[i].port);
        }
        for (size_t i = 0; i < sock->n_listen; i++) {
                uint16_t p = socket_listen_port(sock->listen[i]);
                bool named = false;
                for (size_t k = 0; k < c->n_ports; k++)
                        named = named || c->ports[k].port == p;
                mismatch = mismatch || (p && !named);
                if (slen < sizeof(sports))
                        slen += (size_t) snprintf(sports + slen, sizeof(sports) - slen, "%s%s", i ? ", " : "",
                                                  sock->listen[i]);
        }
        if (!mismatch)
                return;
        f = finding_add(fs, SG_CAUSE_SOCKET_MISMATCH, false);
        evidence_add(fs, f, "unit", "%s", sock->name);
        evidence_origin(fs, f, port_origin(c, c->n_ports > 0 ? c->ports[0].port : 0));
        if (s->tools.socket_generator) {
                evidence_add(fs, f, "remediation", "systemctl daemon-reload && systemctl restart %s", sock->name);
                message_set(fs, f, "%s listens on %s, but sshd_config says Port %s: under socket activation sshd takes "
                            "its sockets from %s; apply the file with `systemctl daemon-reload && systemctl restart %s`.",
                            sock->name, sports, ports, sock->name, sock->name);
        } else {
                const char *service = short_name(svc ? svc->name : NULL);
                evidence_add(fs, f, "remediation", "systemctl disable --now %s && systemctl enable %s && systemctl "
                             "restart %s", sock->name, service, service);
                message_set(fs, f, "%s listens on %s, but sshd_config says Port %s: under socket activation sshd takes "
                            "its sockets from %s, and restarting %s does not change them; run sshd without socket "
                            "activation with `systemctl disable --now %s && systemctl enable %s && systemctl restart %s` "
                            "(or change ListenStream= of %s in a drop-in).", sock->name, sports, ports, sock->name,
                            service, sock->name, service, service, sock->name);
        }
}

static bool listen_has(const SshdConfig *c, const SshdListen *l) {
        for (size_t i = 0; i < c->n_listen; i++)
                if (c->listen[i].family == l->family && c->listen[i].port == l->port &&
                    strcmp(c->listen[i].address, l->address) == 0)
                        return true;
        return false;
}

/* A and B bind the same endpoints. */
static bool same_listen(const SshdConfig *a, const SshdConfig *b) {
        if (!a->valid || !b->valid || a->n_listen != b->n_listen)
                return false;
        for (size_t i = 0; i < a->n_listen; i++)
                if (!listen_has(b, &a->listen[i]))
                        return false;
        return true;
}

/* SOCKET_MODE: sshd's ports are the socket unit's, which a restart of
 * sshd does not move (diagnose_socket_mismatch() speaks of them). */
/* sshd's first error with where it is: "FILE line N: MESSAGE", or the
 * message alone when it names no line (a file that cannot be opened:
 * sshd's message names it). */
static const char *config_error_text(const SshdDiag *e, char *buf, size_t len) {
        if (!e)
                return "it is invalid";
        if (e->file && e->line > 0)
                snprintf(buf, len, "%s line %u: %s", e->file, e->line, e->message);
        else
                snprintf(buf, len, "%s", e->message);
        return buf;
}

static void evidence_config_error(Findings *fs, SgFinding *f, const SshdDiag *e) {
        if (e && e->file) {
                evidence_add(fs, f, "config_file", "%s", e->file);
                if (e->line > 0)
                        evidence_add(fs, f, "config_line", "%u", e->line);
        }
}

static void diagnose_pending(Findings *fs, const SgSnapshot *s, const SgUnitFacts *svc, bool socket_mode) {
        const char *unit = short_name(svc ? svc->name : NULL);
        SgFinding *f;

        if (!s->config && s->config_error < 0) {
                /* deleted, replaced by a symlink loop, unreadable */
                f = finding_add(fs, SG_CAUSE_CONFIG_PENDING, false);
                if (s->config_path)
                        evidence_add(fs, f, "config_file", "%s", s->config_path);
                evidence_add(fs, f, "remediation", "sshd -t");
                message_set(fs, f, "The sshd configuration %s cannot be read (%s): sshd would refuse to start at its "
                            "next restart; put it back before restarting %s (`sshd -t` checks).",
                            s->config_path ? s->config_path : "file", strerror(-s->config_error), unit);
                return;
        }
        if (!s->config)
                return;
        if (s->config->budget_exceeded) {
                /* sshd has no such budget: it reads on, slowly */
                f = finding_add(fs, SG_CAUSE_CONFIG_PENDING, false);
                evidence_add(fs, f, "remediation", "sshd -t");
                message_set(fs, f, "sshguardian cannot tell what sshd makes of its configuration: %s; sshd itself will "
                            "be slow to start with this file, or fail; simplify it before restarting %s (`sshd -t` "
                            "checks).", s->config->undecided ? s->config->undecided : "it is too large to read",
                            unit);
                return;
        }
        if (!s->config->valid) {
                const SshdDiag *e = s->config->n_errors > 0 ? &s->config->errors[0] : NULL;
                char text[1200];
                f = finding_add(fs, SG_CAUSE_CONFIG_PENDING, false);
                evidence_config_error(fs, f, e);
                evidence_add(fs, f, "remediation", "sshd -t");
                message_set(fs, f, "The sshd configuration on disk would stop sshd at its next restart: %s; fix it "
                            "before restarting %s (`sshd -t` checks).", config_error_text(e, text, sizeof(text)), unit);
                return;
        }
        /* what sshd runs already binds what the file says: nothing is
         * pending (a move already applied is port-changed's) */
        if (s->config_running && same_listen(s->config_running, s->config))
                return;
        for (size_t p = 0; !socket_mode && p < s->n_expected_ports; p++) {
                uint16_t port = s->expected_ports[p];
                SshdOrigin o;

                if (config_listens_on_port(s->config, port))
                        continue;
                o = port_origin(s->config, 0);
                f = finding_add(fs, SG_CAUSE_CONFIG_PENDING, false);
                evidence_add(fs, f, "port", "%u", port);
                evidence_origin(fs, f, o);
                evidence_add(fs, f, "remediation", "sshd -t");
                message_set(fs, f, "The sshd configuration on disk would move sshd off port %u at its next restart%s%s%s; "
                            "restore `Port %u` in %s before restarting %s.", port, o.file ? " (" : "",
                            o.file ? o.file : "", o.file ? ")" : "", port, o.file ? o.file : "/etc/ssh/sshd_config", unit);
        }
}

static void diagnose_max_startups(Findings *fs, const SgSnapshot *s) {
        const SshdConfig *c = s->config_running ? s->config_running : s->config;
        SgFinding *f;

        if (s->max_startups_drops == 0)
                return;
        f = finding_add(fs, SG_CAUSE_MAX_STARTUPS, false);
        evidence_add(fs, f, "scope", "rate-limited");
        if (c)
                evidence_origin(fs, f, c->max_startups.origin);
        /* sshd reads its configuration again on SIGHUP */
        if (s->units_unknown)
                evidence_add(fs, f, "remediation", "pkill -HUP -x -o sshd");
        else
                evidence_add(fs, f, "remediation", "systemctl reload %s", short_name(find_unit(s, ".service") ?
                                                                            find_unit(s, ".service")->name : NULL));
        message_set(fs, f, "sshd is dropping new connections beyond MaxStartups %d:%d:%d (%u dropped%s%s); raise "
                    "MaxStartups or find who holds so many unauthenticated connections.",
                    c ? c->max_startups.begin : 10, c ? c->max_startups.rate : 30, c ? c->max_startups.full : 100,
                    s->max_startups_drops, s->max_startups_line ? ": " : "",
                    s->max_startups_line ? s->max_startups_line : "");
}

static void diagnose_firewall(Findings *fs, const SgSnapshot *s) {
        for (size_t i = 0; i < s->n_firewall; i++) {
                const SgFirewallFacts *fw = &s->firewall[i];
                bool drop = fw->verdict == SG_FW_DROP;
                bool unreachable;
                SgFinding *f;
                char who[96] = "", where[768];

                if (fw->verdict != SG_FW_DROP && fw->verdict != SG_FW_REJECT)
                        continue;
                if (fw->redirected_to) {
                        f = finding_add(fs, SG_CAUSE_FIREWALL_REJECT, true);
                        evidence_add(fs, f, "port", "%u", fw->port);
                        evidence_add(fs, f, "family", "%s",
                                     fw->family == AF_INET6 ? "ipv6" : fw->family == AF_INET ? "ipv4" : "any");
                        evidence_add(fs, f, "scope", "%s", fw->scope ? fw->scope : "all");
                        message_set(fs, f, "The firewall redirects new connections to port %u (%s) to port %u, where "
                                    "nothing listens, so the TCP stack refuses them; remove the redirect (`nft -a list "
                                    "ruleset` shows it with its handle) or make sshd listen on port %u.", fw->port,
                                    fw->family == AF_INET6 ? "IPv6" : fw->family == AF_INET ? "IPv4" : "IPv4 and IPv6",
                                    fw->redirected_to, fw->redirected_to);
                        continue;
                }
                unreachable = !str_eq(fw->scope, "some-sources") && !str_eq(fw->scope, "rate-limited");
                f = finding_add(fs, drop ? SG_CAUSE_FIREWALL_DROP : SG_CAUSE_FIREWALL_REJECT, unreachable);
                /* a ban of some sources leaves the host reachable: a notice */
                if (f && !unreachable)
                        f->priority = LOG_NOTICE;
                evidence_add(fs, f, "port", "%u", fw->port);
                evidence_add(fs, f, "family", "%s", fw->family == AF_INET6 ? "ipv6" : fw->family == AF_INET ? "ipv4" : "any");
                if (fw->scope)
                        evidence_add(fs, f, "scope", "%s", fw->scope);
                if (fw->rule_text)
                        evidence_add(fs, f, "rule", "%s", fw->rule_text);
                if (fw->rule_family)
                        evidence_add(fs, f, "rule_family", "%s", fw->rule_family);
                if (fw->rule_table)
                        evidence_add(fs, f, "rule_table", "%s", fw->rule_table);
                if (fw->rule_chain)
                        evidence_add(fs, f, "rule_chain", "%s", fw->rule_chain);
                /* an empty handle: the chain's policy decided; none: no
                 * one rule decides (rules) */
                if (fw->rules)
                        evidence_add(fs, f, "rules", "%s", fw->rules);
                else if (fw->rule_is_policy)
                        evidence_add(fs, f, "rule_handle", "%s", "");
                else
                        evidence_add(fs, f, "rule_handle", "%llu", (unsigned long long) fw->rule_handle);
                if (fw->frontend)
                        evidence_add(fs, f, "frontend", "%s", fw->frontend);
                if (fw->changed_by_pid > 0) {
                        evidence_add(fs, f, "changed_by_pid", "%d", (int) fw->changed_by_pid);
                        snprintf(who, sizeof(who), ", committed by %s (pid %d)",
                                 fw->changed_by_comm ? fw->changed_by_comm : "?", (int) fw->changed_by_pid);
                }
                if (fw->changed_by_comm)
                        evidence_add(fs, f, "changed_by_comm", "%s", fw->changed_by_comm);
                if (fw->remediation)
                        evidence_add(fs, f, "remediation", "%s", fw->remediation);
                if (fw->rules) {
                        /* every path is blocked, by different rules: name
                         * them all, and the fix for all of them */
                        message_set(fs, f, "The firewall %s new connections to port %u (%s, %s), but no single rule "
                                    "decides: different rules block different connections, in the order a packet "
                                    "meets them: %s%s; fix: %s.",
                                    fw->rules_mixed ? "drops or rejects" : drop ? "drops" : "rejects", fw->port,
                                    fw->family == AF_INET6 ? "IPv6" : fw->family == AF_INET ? "IPv4" : "IPv4 and IPv6",
                                    fw->scope ? fw->scope : "all", fw->rules_text ? fw->rules_text : fw->rules, who,
                                    fw->remediation ? fw->remediation
                                    : "cannot tell which rules: more block than were kept (`nft -a list ruleset` "
                                      "shows them all)");
                        continue;
                }
                if (fw->rule_is_policy)
                        snprintf(where, sizeof(where), "the policy of %s %s %s", fw->rule_family ? fw->rule_family : "?",
                                 fw->rule_table ? fw->rule_table : "?", fw->rule_chain ? fw->rule_chain : "?");
                else
                        snprintf(where, sizeof(where), "%s %s %s handle %llu \"%s\"",
                                 fw->rule_family ? fw->rule_family : "?", fw->rule_table ? fw->rule_table : "?",
                                 fw->rule_chain ? fw->rule_chain : "?", (unsigned long long) fw->rule_handle,
                                 fw->rule_text ? fw->rule_text : "");
                message_set(fs, f, "The firewall %s new connections to port %u (%s, %s): %s (%s%s); fix: %s.",
                            drop ? "drops" : "rejects", fw->port,
                            fw->family == AF_INET6 ? "IPv6" : fw->family == AF_INET ? "IPv4" : "IPv4 and IPv6",
                            fw->scope ? fw->scope : "all", where, fw->frontend ? fw->frontend : "nftables", who,
                            fw->remediation ? fw->remediation : "remove the rule");
        }
}

/* Without systemd: a process named sshd listens, or a socket on an
 * expected port whose owner cannot be told (then it may be sshd). */
static bool sshd_may_run(const SgSnapshot *s) {
        if (!s->listeners)
                return true;            /* not known */
        for (size_t i = 0; i < s->n_listeners; i++) {
                const SgListener *l = &s->listeners[i];
                bool expected = false;
                if (str_eq(l->comm, "sshd"))
                        return true;
                for (size_t p = 0; p < s->n_expected_ports; p++)
                        expected = expected || s->expected_ports[p] == l->port;
                if (expected && l->pid <= 0 && !l->comm && !l->unit)
                        return true;
        }
        return false;
}

/* No systemd manages sshd (a container, another init) and no sshd
 * listens: it is not running.  What starts it here, unless its
 * configuration would make it refuse to. */
static void diagnose_not_running(Findings *fs, const SgSnapshot *s) {
        char start[160];
        SgFinding *f;

        start_cmd(s, NULL, false, start, sizeof(start));
        if (s->config && !s->config->valid && !s->config->budget_exceeded) {
                const SshdDiag *e = s->config->n_errors > 0 ? &s->config->errors[0] : NULL;
                char text[1200];
                f = finding_add(fs, SG_CAUSE_CONFIG_INVALID, true);
                evidence_config_error(fs, f, e);
                evidence_add(fs, f, "remediation", "install -d -m 0755 /run/sshd && sshd -t && %s", start);
                message_set(fs, f, "sshd is not running and would refuse its configuration: %s; fix %s, then start it "
                            "with `%s`.", config_error_text(e, text, sizeof(text)),
                            e && e->file && e->line > 0 ? "that line" : "it", start);
                return;
        }
        f = finding_add(fs, SG_CAUSE_NOT_RUNNING, true);
        if (s->n_expected_ports > 0)
                evidence_add(fs, f, "port", "%u", s->expected_ports[0]);
        evidence_add(fs, f, "remediation", "%s", start);
        message_set(fs, f, "sshd is not running, and no systemd manages it here (a container or another init); start "
                    "it with `%s`.", start);
}

int sg_diagnose(const SgSnapshot *s, SgFinding **ret, size_t *n) {
        Findings fs = {};
        const SgUnitFacts *svc = find_unit(s, ".service"), *sock = find_unit(s, ".socket");
        /* ssh.socket listening: systemd holds (and shares with the sshd it
         * started) the listening socket */
        bool socket_mode = sock && unit_running(sock);
        SgFinding *f;

        if (s->units_unknown && !sshd_may_run(s))
                diagnose_not_running(&fs, s);
        else if (s->units_unknown) {
                /* no systemd to ask: sshd is judged by its sockets, and
                 * the configuration on disk still warns before a restart */
                diagnose_listening(&fs, s, NULL, false);
                diagnose_pending(&fs, s, NULL, false);
                diagnose_max_startups(&fs, s);
        }
        else if (!svc && (!sock || !unit_running(sock) || any_masked(s))) {
                const SgUnitFacts *masked = NULL;
                for (size_t i = 0; i < s->n_units && !masked; i++)
                        if (s->units[i].masked)
                                masked = &s->units[i];
                f = finding_add(&fs, SG_CAUSE_UNIT_MISSING, true);
                if (masked) {
                        /* installed, but masked: as good as missing to systemd */
                        evidence_add(&fs, f, "unit", "%s", masked->name);
                        evidence_add(&fs, f, "remediation", "systemctl unmask %s && systemctl start %s", masked->name,
                                     masked->name);
                        message_set(&fs, f, "%s is masked, so systemd will not start sshd; unmask it with `systemctl "
                                    "unmask %s` and start it.", masked->name, masked->name);
                        goto firewall;
                }
                for (size_t i = 0; i < s->n_units; i++)
                        evidence_add(&fs, f, "unit", "%s", s->units[i].name);
                evidence_add(&fs, f, "remediation", "apt-get install openssh-server");
                message_set(&fs, f, "No sshd unit exists (%s): openssh-server is not installed; install it with "
                            "`apt-get install openssh-server` (or `dnf install openssh-server`).",
                            s->n_units > 0 ? s->units[0].name : "ssh.service");
        } else if (unit_running(svc) || socket_mode) {
                if (svc && svc->crashed) {
                        f = finding_add(&fs, SG_CAUSE_CRASHED, false);
                        evidence_unit(&fs, f, svc);
                        evidence_add(&fs, f, "remediation", "coredumpctl info sshd");
                        message_set(&fs, f, "sshd (%s) died by signal %s and systemd restarted it; see `coredumpctl "
                                    "info sshd` for why.", svc->name,
                                    svc->crash_signal > 0 && sigabbrev_np(svc->crash_signal) ?
                                    sigabbrev_np(svc->crash_signal) : "?");
                }
                diagnose_listening(&fs, s, svc, socket_mode);
                if (socket_mode)
                        diagnose_socket_mismatch(&fs, s, svc, sock);
                diagnose_pending(&fs, s, svc, socket_mode);
                diagnose_max_startups(&fs, s);
        } else
                diagnose_unit(&fs, s, svc, sock);

firewall:
        diagnose_firewall(&fs, s);

        if (fs.error) {
                sg_findings_free(fs.v, fs.n);
                return fs.error;
        }
        *ret = fs.v;
        *n = fs.n;
        return 0;
}

/* IgnoreSourceBans=yes: the firewall findings of scope some-sources
 * (fail2ban, sshguard bans) are dropped; returns the new count. */
static size_t findings_drop_source_bans(SgFinding *f, size_t n) {
        size_t k = 0;

        for (size_t i = 0; i < n; i++) {
                const char *scope = sg_finding_get(&f[i], "scope");
                if ((f[i].cause == SG_CAUSE_FIREWALL_DROP || f[i].cause == SG_CAUSE_FIREWALL_REJECT) &&
                    str_eq(scope, "some-sources"))
                        sg_finding_done(&f[i]);
                else
                        f[k++] = f[i];
        }
        return k;
}

static void ago_text(uint64_t now, uint64_t then, char *buf, size_t len) {
        uint64_t sec = now > then ? (now - then) / 1000000ULL : 0;

        if (!now || !then)
                snprintf(buf, len, "recently");
        else if (sec < 120)
                snprintf(buf, len, "%llu s ago", (unsigned long long) sec);
        else if (sec < 2 * 3600)
                snprintf(buf, len, "%llu min ago", (unsigned long long) (sec / 60));
        else if (sec < 2 * 86400)
                snprintf(buf, len, "%llu h ago", (unsigned long long) (sec / 3600));
        else
                snprintf(buf, len, "%llu days ago", (unsigned long long) (sec / 86400));
}

/* The people who log in: a source of a recent successful login that a
 * rule, a ban or the stack would now stop from opening a new connection
 * to an expected port.  One finding per source, at its first such port. */
static int diagnose_admin_sources(Findings *fs, const SgSnapshot *s, const FwFacts *f) {
        for (size_t i = 0; i < s->n_admin_sources; i++) {
                const SgAdminSource *a = &s->admin_sources[i];
                char addr[INET6_ADDRSTRLEN], ago[32], where[768];

                if (!inet_ntop(a->family, a->addr, addr, sizeof(addr)))
                        continue;
                for (size_t p = 0; p < s->n_expected_ports; p++) {
                        const NftEvalResult *res;
                        FwExplanation x;
                        SgFinding *fi;
                        int r = fw_source_verdict(f, s->expected_ports[p], a->family, a->addr, NULL, a->iif,
                                                  a->iif != NULL, &x);
                        if (r < 0)
                                return r;
                        res = &x.result;
                        if ((res->verdict != NFT_VERDICT_DROP && res->verdict != NFT_VERDICT_REJECT) ||
                            x.refused_by_stack) {
                                /* refused by the stack: sshd's own causes say why */
                                fw_explanation_done(&x);
                                continue;
                        }
                        fi = finding_add(fs, SG_CAUSE_ADMIN_LOCKED_OUT, true);
                        evidence_add(fs, fi, "source", "%s", addr);
                        if (a->user)
                                evidence_add(fs, fi, "user", "%s", a->user);
                        evidence_add(fs, fi, "port", "%u", s->expected_ports[p]);
                        evidence_add(fs, fi, "family", "%s", a->family == AF_INET6 ? "ipv6" : "ipv4");
                        if (fw_explanation_several_rules(&x)) {
                                _cleanup_free_ char *keys = fw_explanation_rules_key(&x);
                                _cleanup_free_ char *texts = fw_explanation_rules_text(&x);
                                if (!keys || !texts) {
                                        fw_explanation_done(&x);
                                        return -ENOMEM;
                                }
                                evidence_add(fs, fi, "rules", "%s", keys);
                                snprintf(where, sizeof(where), "different rules on different paths, in the order a "
                                         "packet meets them: %s", texts);
                        } else if (res->table && res->chain) {
                                evidence_add(fs, fi, "rule", "%s", x.text ? x.text : "");
                                evidence_add(fs, fi, "rule_family", "%s", nft_family_name(res->table->family));
                                evidence_add(fs, fi, "rule_table", "%s", res->table->name);
                                evidence_add(fs, fi, "rule_chain", "%s", res->chain->name);
                                if (res->rule)
                                        evidence_add(fs, fi, "rule_handle", "%llu",
                                                     (unsigned long long) res->rule->handle);
                                else
                                        evidence_add(fs, fi, "rule_handle", "%s", "");
                                if (res->rule)
                                        snprintf(where, sizeof(where), "%s %s %s handle %llu \"%s\"",
                                                 nft_family_name(res->table->family), res->table->name,
                                                 res->chain->name, (unsigned long long) res->rule->handle,
                                                 x.text ? x.text : "");
                                else
                                        snprintf(where, sizeof(where), "the policy of %s %s %s",
                                                 nft_family_name(res->table->family), res->table->name,
                                                 res->chain->name);
                        } else
                                snprintf(where, sizeof(where), "the firewall");
                        if (x.have_frontend)
                                evidence_add(fs, fi, "frontend", "%s", fw_frontend_to_string(x.frontend));
                        if (x.remediation)
                                evidence_add(fs, fi, "remediation", "%s", x.remediation);
                        char limit[320] = "";
                        if (res->recent_list) {
                                /* ufw's limit, `-m recent`: its own attempts */
                                evidence_add(fs, fi, "recent_list", "%s", res->recent_list);
                                if (res->recent_hit_count > 0 && res->recent_seconds > 0)
                                        snprintf(limit, sizeof(limit), ", because it opened %u or more connections in "
                                                 "the last %u s (recent list %s); each refused attempt counts too, so "
                                                 "it lasts while something there keeps trying", res->recent_hit_count,
                                                 res->recent_seconds, res->recent_list);
                                else
                                        snprintf(limit, sizeof(limit), ", because it is in recent list %s",
                                                 res->recent_list);
                        }
                        ago_text(s->now_usec, a->last_login_usec, ago, sizeof(ago));
                        message_set(fs, fi, "%s last logged in from %s (%s), and a new connection from there to "
                                    "port %u is now %s by %s (%s)%s; fix: %s.", a->user ? a->user : "someone", addr, ago,
                                    s->expected_ports[p],
                                    res->verdict == NFT_VERDICT_DROP ? "dropped" : "rejected", where,
                                    x.have_frontend ? fw_frontend_to_string(x.frontend)
                                    : fw_explanation_several_rules(&x) ? "each rule's owner as named" : "nftables",
                                    limit, x.remediation ? x.remediation : "remove the rule");
                        fw_explanation_done(&x);
                        break;
                }
        }
        return fs->error;
}

static bool findings_have(const SgFinding *f, size_t n, SgCause c) {
        for (size_t i = 0; i < n; i++)
                if (f[i].cause == c)
                        return true;
        return false;
}

bool sg_advised_move_applied(const SgFinding *before, size_t n_before, const SgFinding *now, size_t n_now) {
        return findings_have(before, n_before, SG_CAUSE_SOCKET_MISMATCH) &&
               !findings_have(now, n_now, SG_CAUSE_SOCKET_MISMATCH) && findings_have(now, n_now, SG_CAUSE_PORT_CHANGED);
}

int sg_assess(const SgSnapshot *s, const SgAssessOptions *o, SgAssessment *ret) {
        SgAssessment a = {};
        SgSnapshot judged = *s;
        int r = 0;

        if (!s->firewall && s->firewall_input) {
                const SgFirewallInput *in = s->firewall_input;
                if (!in->ruleset)
                        a.firewall_error = in->read_error < 0 ? in->read_error : -EIO;
                else {
                        FwFacts f = fw_facts_from_snapshot(s);
                        for (size_t p = 0; p < s->n_expected_ports && r >= 0; p++) {
                                FwPortVerdict v;
                                r = fw_port_verdict(&f, s->expected_ports[p], false, &v);
                                if (r < 0)
                                        break;
                                r = fw_judgements_add(&a.firewall, &v, s->firewall_history);
                                fw_port_verdict_done(&v);
                        }
                }
                judged.firewall = a.firewall.v;
                judged.n_firewall = a.firewall.n;
        }
        if (r >= 0)
                r = sg_diagnose(&judged, &a.findings, &a.n_findings);
        if (r >= 0 && s->firewall_input && s->firewall_input->ruleset && s->n_admin_sources > 0) {
                FwFacts f = fw_facts_from_snapshot(s);
                Findings fs = { .v = a.findings, .n = a.n_findings };
                r = diagnose_admin_sources(&fs, s, &f);
                a.findings = fs.v;
                a.n_findings = fs.n;
        }
        if (r < 0) {
                sg_assessment_done(&a);
                return r;
        }
        if (o && o->ignore_source_bans)
                a.n_findings = findings_drop_source_bans(a.findings, a.n_findings);
        a.healthy = true;
        for (size_t i = 0; i < a.n_findings; i++)
                a.healthy = a.healthy && !a.findings[i].unreachable;
        a.uncertain = a.firewall_error < 0 || a.firewall.n_undecided > 0;
        *ret = a;
        return 0;
}

void sg_assessment_done(SgAssessment *a) {
        sg_findings_free(a->findings, a->n_findings);
        fw_judgements_done(&a->firewall);
        *a = (SgAssessment) {};
}

int sg_expected_ports(const uint16_t *configured, size_t n_configured, const SgListener *l, size_t n_l,
                      const SgUnitFacts *svc, const SshdConfig *c, uint16_t **ret, size_t *n) {
        uint16_t *p = calloc(SSHD_MAX_PORTS + 1, sizeof(uint16_t));
        size_t k = 0;

        if (!p)
                return -ENOMEM;
        for (size_t i = 0; i < n_configured && k < SSHD_MAX_PORTS; i++)
                p[k++] = configured[i];
        for (size_t i = 0; n_configured == 0 && i < n_l && k < SSHD_MAX_PORTS; i++) {
                bool seen = false;
                if (!((svc && svc->main_pid > 0 && l[i].pid == svc->main_pid) || str_eq(l[i].comm, "sshd")))
                        continue;
                for (size_t j = 0; j < k; j++)
                        seen = seen || p[j] == l[i].port;
                if (!seen)
                        p[k++] = l[i].port;
        }
        for (size_t i = 0; k == 0 && c && i < c->n_ports && i < SSHD_MAX_PORTS; i++)
                p[k++] = c->ports[i].port;
        if (k == 0)
                p[k++] = 22;
        *ret = p;
        *n = k;
        return 0;
}

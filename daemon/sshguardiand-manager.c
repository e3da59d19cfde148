/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Manager: the facts, the audit that judges them, and the report of
 * what changed (journal entries, the D-Bus properties, sd_notify STATUS).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include "print-findings.h"
#include "print-prometheus.h"
#include "json.h"
#include "macro.h"
#include "sshguardiand.h"
#include "strv.h"

#define SSHD_LOG_LINES 20
/* How long sshd's last words may lag behind systemd's report of the
 * failure they explain. */
#define LOG_WAIT_USEC (250ULL * 1000ULL)
/* How long a start or stop in progress may last before it is judged as it is. */
#define UNIT_SETTLE_USEC (10ULL * 1000000ULL)
/* sshd may bind its sockets a moment after systemd calls it active
 * (Type=simple/exec units): a second look at the sockets then. */
#define RECHECK_USEC (300ULL * 1000ULL)
/* xt_recent's lists, read while they matter (see Manager.recent_timer) */
#define RECENT_POLL_USEC (1000ULL * 1000ULL)

/* --- the facts ------------------------------------------------------------ */

static const SgUnitFacts *service_unit(const Manager *m) {
        return facts_service(&m->facts);
}

static int refresh_config(Manager *m) {
        int r = facts_read_config(&m->facts, m->conf.config_file);

        if (r < 0)
                return log_errno(LOG_ERR, r, "Cannot read %s", m->conf.config_file);
        /* the files to watch may have changed with it */
        (void) manager_watch_config_files(m);
        return 0;
}

/* sshd (re)started or reloaded: what it runs is what is on disk now */
static void config_running_take(Manager *m) {
        SshdConfig *c = NULL;

        if (sshd_config_load(m->conf.config_file, &(SshdConfigOptions) { .resolve_names = true }, &c) < 0)
                c = NULL;
        sshd_config_free(m->facts.config_running);
        m->facts.config_running = c;
}

/* Between two settled states (a start in progress, a stop in progress)
 * sshd's unit says nothing yet: starting again after a failure resets
 * Result= to success and opens a new invocation with no log lines.  Such
 * a state, or one with a job of systemd under way, is not judged -- the
 * last settled one stands -- unless it lasts longer than UNIT_SETTLE_USEC
 * (a start that hangs).  Waiting to restart
 * after a failure (SubState=auto-restart) is settled: it failed. */
/* Whether PID is a process that has not exited: false for a zombie or a
 * pid that is gone; true when it cannot be told (hidden /proc). */
static bool pid_alive(pid_t pid) {
        char path[64], buf[512];
        const char *paren;
        ssize_t n;
        int fd;

        /* gone altogether; EPERM: another user's, and there */
        if (kill(pid, 0) < 0 && errno == ESRCH)
                return false;
        /* a zombie (systemd has not reaped it yet) is gone too; a /proc
         * that hides it (ProtectProc=) cannot tell */
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return true;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return true;
        buf[n] = '\0';
        paren = strrchr(buf, ')');
        return !(paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X'));
}

static bool unit_transitional(const SgUnitFacts *u) {
        if (sg_unit_between_states(u))
                return true;
        /* sshd's sockets closed because its main process is exiting: the
         * kernel told before systemd could */
        return u->active_state && strcmp(u->active_state, "active") == 0 && u->main_pid > 0 && !pid_alive(u->main_pid);
}

/* A socket unit of sshd's is listening. */
static bool socket_active(const SshdUnitsFacts *f) {
        for (size_t i = 0; i < f->n_units; i++)
                if (f->units[i].loaded && strstr(f->units[i].name, ".socket") && f->units[i].active_state &&
                    (strcmp(f->units[i].active_state, "active") == 0 || strcmp(f->units[i].active_state, "reloading") == 0))
                        return true;
        return false;
}

static bool unit_was_masked(const SshdUnitsFacts *f, const char *name) {
        for (size_t i = 0; i < f->n_units; i++)
                if (f->units[i].masked && strcmp(f->units[i].name, name) == 0)
                        return true;
        return false;
}

/* ... is enabled: socket activation is what is set up (a stop of an
 * enabled socket is socket-stopped, at once) */
static bool socket_enabled(const SshdUnitsFacts *f) {
        for (size_t i = 0; i < f->n_units; i++)
                if (f->units[i].loaded && strstr(f->units[i].name, ".socket") && f->units[i].enabled)
                        return true;
        return false;
}

/* Returns true when the service is between two settled states and its
 * last settled facts were kept. */
static bool refresh_units(Manager *m, unsigned *dirty) {
        SshdUnitsFacts fresh = {};
        const SgUnitFacts *svc;
        const char *state;
        bool started;
        int r;

        /* no bus (it restarts), or systemd did not answer: the last facts
         * stand until it does -- and sshd's sockets are not judged against
         * them (they would be newer than what the facts say) */
        r = m->bus ? sshd_units_read(m->bus, m->conf.n_units > 0 ? (const char *const *) m->conf.units : NULL, &fresh)
                   : -ENOTCONN;
        if (r < 0) {
                sshd_units_done(&fresh);
                if (!m->audited) {
                        m->facts.have_units = false;
                        return false;
                }
                if (m->debug)
                        log_errno(LOG_DEBUG, r, "sshd's units could not be read; the last facts stand");
                if (m->bus) {
                        (void) sd_event_source_set_time_relative(m->recheck_timer, RECHECK_USEC);
                        (void) sd_event_source_set_enabled(m->recheck_timer, SD_EVENT_ONESHOT);
                }
                return m->facts.have_units;
        }
        for (size_t i = 0; i < fresh.n_units; i++)
                if (fresh.units[i].loaded && strstr(fresh.units[i].name, ".service")) {
                        SgUnitFacts *u = &fresh.units[i];
                        uint64_t now = now_usec();
                        /* `systemctl reset-failed` of a failed unit leaves it
                         * inactive with Result=success: the first half of a
                         * fix (a restart follows), not a stop */
                        bool reset = m->service_active_state && strcmp(m->service_active_state, "failed") == 0 &&
                                     u->active_state && strcmp(u->active_state, "inactive") == 0 && u->result &&
                                     strcmp(u->result, "success") == 0;
                        /* the socket that served sshd just stopped and the
                         * service is idle: activation is being switched
                         * (socket-mismatch's fix stops the socket, then
                         * starts the service), not sshd stopped */
                        bool switching = m->socket_was_active && !socket_active(&fresh) && !socket_enabled(&fresh) &&
                                         u->active_state &&
                                         strcmp(u->active_state, "inactive") == 0 && u->result &&
                                         strcmp(u->result, "success") == 0;
                        /* unmasked, not yet started: `systemctl unmask X &&
                         * systemctl start X` (unit-missing's fix) half done */
                        bool unmasked = unit_was_masked(&m->facts.units, u->name) && u->active_state &&
                                        strcmp(u->active_state, "inactive") == 0 && u->result &&
                                        strcmp(u->result, "success") == 0;
                        if (m->audited && m->facts.have_units &&
                            (unit_transitional(u) || reset || switching || unmasked)) {
                                if (m->unit_transition_since == 0)
                                        m->unit_transition_since = now;
                                if (now - m->unit_transition_since < UNIT_SETTLE_USEC) {
                                        /* the next PropertiesChanged, or this, looks again */
                                        (void) sd_event_source_set_time_relative(
                                                m->recheck_timer, UNIT_SETTLE_USEC - (now - m->unit_transition_since));
                                        (void) sd_event_source_set_enabled(m->recheck_timer, SD_EVENT_ONESHOT);
                                        sshd_units_done(&fresh);
                                        return true;
                                }
                        } else
                                m->unit_transition_since = 0;
                        /* waiting to restart after a failure: it failed */
                        if (u->sub_state && strcmp(u->sub_state, "auto-restart") == 0)
                                u->active_state = "failed";
                        break;
                }

        sshd_units_done(&m->facts.units);
        m->facts.units = fresh;
        m->facts.have_units = true;
        m->socket_was_active = socket_active(&m->facts.units);
        /* sshd's last lines when it is not running, and which stop was on purpose */
        facts_read_unit_logs(&m->facts, SSHD_LOG_LINES);
        svc = service_unit(m);
        state = svc && svc->active_state ? svc->active_state : "";

        /* sshd (re)started or reloaded since the last look: it read its
         * configuration then, and its sockets are new.  A restart may have
         * come and gone between two looks: the invocation id or systemd's
         * word (activating, reloading) tells. */
        started = strcmp(state, "active") == 0 &&
                  (!m->service_active_state || strcmp(m->service_active_state, "active") != 0 ||
                   m->service_restarting || strcmp(m->service_invocation, m->facts.units.invocation_id) != 0);
        /* ... or it failed or stopped since: the configuration it tried
         * is the evidence of that failure, whatever the file says later
         * (an edit that fixes it does not change why it failed) */
        bool ended = svc && strcmp(state, "active") != 0 &&
                     (!m->service_active_state || strcmp(m->service_active_state, state) != 0 ||
                      strcmp(m->service_invocation, m->facts.units.invocation_id) != 0);
        m->service_restarting = false;
        memcpy(m->service_invocation, m->facts.units.invocation_id, sizeof(m->service_invocation));
        if (ended)
                config_running_take(m);
        if (started) {
                config_running_take(m);
                /* the drops were the old sshd's: a restarted one (with a
                 * new MaxStartups, maybe) is judged by its own lines */
                m->max_startups_drops = 0;
                free(m->max_startups_line);
                m->max_startups_line = NULL;
                *dirty |= DIRTY_LISTENERS;
                (void) sd_event_source_set_time_relative(m->recheck_timer, RECHECK_USEC);
                (void) sd_event_source_set_enabled(m->recheck_timer, SD_EVENT_ONESHOT);
        }
        /* sshd started or failed to: it read its configuration just now,
         * maybe before the edit's inotify settled; read it too, so that the
         * evidence (file:line) is of the file sshd read */
        if (!m->service_active_state || strcmp(m->service_active_state, state) != 0 || started)
                *dirty |= DIRTY_CONFIG;
        free(m->service_active_state);
        m->service_active_state = svc ? strdup(state) : NULL;
        if (svc && !m->last_result_known) {
                /* what Result= was when first seen: only a change to a
                 * crash afterwards is a crash */
                snprintf(m->last_result, sizeof(m->last_result), "%s", svc->result ? svc->result : "");
                m->last_result_known = true;
        }
        return false;
}

static int refresh_listeners(Manager *m) {
        int r = facts_read_listeners(&m->facts);

        if (r < 0)
                return log_errno(LOG_ERR, r, "Cannot list the listening sockets");
        return 0;
}

static int refresh_interfaces(Manager *m) {
        int r = facts_read_interfaces(&m->facts);

        if (r < 0)
                return log_errno(LOG_ERR, r, "Cannot list the interfaces");
        return 0;
}

/* The nftables ruleset as it is now, the manager's: kept up to date from
 * the store the notifications keep current (with work in proportion to
 * what changed), or read afresh (loading the store again) when the store
 * cannot be trusted.  NULL: facts_read_firewall() reads it itself. */
NftRuleset *manager_ruleset_current(Manager *m) {
        int r;

        if (!m->nft_sock)
                return NULL;
        if (m->nft_store && !m->nft_store_stale) {
                uint32_t had = m->nft_rs ? m->nft_rs->genid : 0;
                r = nft_store_ruleset_follow(m->nft_store, &m->nft_rs);
                if (r >= 0) {
                        if (r == 1)
                                m->nft_rs_whole++;
                        else if (m->nft_rs->genid != had)
                                m->nft_rs_patched++;
                        return m->nft_rs;
                }
                /* -EBUSY: between a batch's changes and its NEWGEN */
                if (r != -EBUSY)
                        m->nft_store_stale = true;
                return NULL;
        }
        m->nft_store = nft_store_free(m->nft_store);
        m->nft_rs = nft_ruleset_free(m->nft_rs);
        r = nft_store_load(&m->nft_store, &m->nft_rs);
        if (r < 0) {
                log_errno(LOG_WARNING, r, "Cannot load the nftables ruleset to follow it");
                m->nft_store = NULL;
                m->nft_rs = NULL;
                return NULL;
        }
        m->nft_store_stale = false;
        m->nft_rs_whole++;
        return m->nft_rs;
}

static int refresh_firewall(Manager *m) {
        int old_error = m->facts.firewall.read_error;
        int r;

        /* what is queued now is seen by the dump below */
        (void) manager_nft_drain(m);
        m->nft_changed = false;
        NftRuleset *rs = manager_ruleset_current(m);
        r = rs ? facts_read_firewall_lent(&m->facts, rs) : facts_read_firewall(&m->facts, NULL);
        /* A commit that the dump already saw may not have been announced
         * to us yet (its NEWGEN still queued): read them now, so that the
         * latest committer is the one named, and judge once more after. */
        if (manager_nft_drain(m) && m->nft_changed)
                manager_schedule(m, DIRTY_FIREWALL);
        m->fw_attributable = m->nft_committed;
        m->nft_committed = false;
        if (r < 0 && r != old_error)
                log_errno(LOG_ERR, r, "Cannot read the firewall%s", r == -EPERM ? " (CAP_NET_ADMIN is needed)" : "");
        return r;
}

/* --- reporting ------------------------------------------------------------ */

static char *summary_make(const Manager *m) {
        char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);

        if (!f)
                return NULL;
        if (m->n_findings == 0) {
                /* the words of `sshguardianctl audit` */
                char *line = NULL;
                if (findings_healthy_line(m->facts.ports, m->facts.n_ports, &line) < 0) {
                        fclose(f);
                        free(s);
                        return NULL;
                }
                fputs(line, f);
                free(line);
        } else {
                fprintf(f, "%s: %zu problem%s: ", m->healthy ? "healthy" : "unreachable", m->n_findings,
                        m->n_findings > 1 ? "s" : "");
                for (size_t i = 0; i < m->n_findings; i++) {
                        const char *port = sg_finding_get(&m->findings[i], "port");
                        fprintf(f, "%s%s", i ? ", " : "", sg_cause_to_string(m->findings[i].cause));
                        if (port)
                                fprintf(f, " (port %s)", port);
                }
        }
        /* not a finding (no cause code says it), but never a silent
         * "healthy": what could not be judged is said */
        if (m->facts.firewall.read_error < 0)
                fprintf(f, "; the firewall cannot be read (%s), its verdict is unknown",
                        strerror(-m->facts.firewall.read_error));
        for (size_t i = 0; i < m->fw.n_undecided; i++)
                fprintf(f, "; cannot tell whether the firewall lets new connections through: %s", m->fw.undecided[i]);
        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

static void summary_timer_arm(Manager *m) {
        uint64_t due = sg_tracker_next_due(m->tracker);

        if (due == 0) {
                (void) sd_event_source_set_enabled(m->summary_timer, SD_EVENT_OFF);
                return;
        }
        (void) sd_event_source_set_time(m->summary_timer, due);
        (void) sd_event_source_set_enabled(m->summary_timer, SD_EVENT_ONESHOT);
}

static bool firewall_cause(SgCause c) {
        return c == SG_CAUSE_FIREWALL_DROP || c == SG_CAUSE_FIREWALL_REJECT || c == SG_CAUSE_ADMIN_LOCKED_OUT;
}

/* A judgement of the firewall alone (sshd's unit and sockets were read
 * while it moved): the firewall's findings of *F, and every other one as
 * the last audit had it. */
static int findings_keep_sshds(Manager *m, SgFinding **f, size_t *n) {
        size_t k = 0, extra = 0;

        for (size_t i = 0; i < m->n_findings; i++)
                extra += !firewall_cause(m->findings[i].cause);
        SgFinding *v = calloc(*n + extra + 1, sizeof(SgFinding));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_findings; i++) {
                const SgFinding *x = &m->findings[i];
                SgFinding *y = &v[k];
                if (firewall_cause(x->cause))
                        continue;
                k++;
                *y = (SgFinding) { .cause = x->cause, .priority = x->priority, .unreachable = x->unreachable };
                if (!(y->message = strdup(x->message)) || (x->statement && !(y->statement = strdup(x->statement))) ||
                    (x->n_evidence > 0 && !(y->evidence = calloc(x->n_evidence, sizeof(SgEvidence))))) {
                        sg_findings_free(v, k);
                        return -ENOMEM;
                }
                for (size_t e = 0; e < x->n_evidence; e++, y->n_evidence++)
                        if (!(y->evidence[e].key = strdup(x->evidence[e].key)) ||
                            !(y->evidence[e].value = strdup(x->evidence[e].value))) {
                                y->n_evidence++;
                                sg_findings_free(v, k);
                                return -ENOMEM;
                        }
        }
        for (size_t i = 0; i < *n; i++) {
                if (firewall_cause((*f)[i].cause))
                        v[k++] = (*f)[i];
                else
                        sg_finding_done(&(*f)[i]);
        }
        free(*f);
        *f = v;
        *n = k;
        return 0;
}

static void findings_replace(Manager *m, SgFinding *f, size_t n) {
        bool healthy = true, changed;
        char *summary;

        for (size_t i = 0; i < n; i++)
                healthy = healthy && !f[i].unreachable;
        changed = !m->audited || healthy != m->healthy || n != m->n_findings ||
                  m->facts.firewall.read_error != m->fw_error_said || m->fw.n_undecided != m->fw_undecided_said;
        m->fw_error_said = m->facts.firewall.read_error;
        m->fw_undecided_said = m->fw.n_undecided;
        for (size_t i = 0; !changed && i < n; i++)
                changed = f[i].cause != m->findings[i].cause || strcmp(f[i].message, m->findings[i].message) != 0 ||
                          f[i].n_evidence != m->findings[i].n_evidence;
        sg_findings_free(m->findings, m->n_findings);
        m->findings = f;
        m->n_findings = n;
        m->healthy = healthy;
        if (!changed)
                return;
        summary = summary_make(m);
        if (summary) {
                free(m->summary);
                m->summary = summary;
        }
        (void) sd_notifyf(false, "STATUS=%s", m->summary ? m->summary : "");
        manager_bus_emit_changes(m);
}

/* PrometheusTextfile=: the state after each audit, for node_exporter */
static void metrics_write(Manager *m, bool uncertain) {
        PromMetrics pm = {
                .healthy = m->healthy,
                .uncertain = uncertain,
                .findings = m->findings,
                .n_findings = m->n_findings,
                .last_change = m->last_change,
                .audit_duration = m->audit_duration,
                .audits = m->audits,
                .events = m->events,
                .nft_generations_judged = m->nft_generations_judged,
                .nft_generations_unseen = m->nft_generations_unseen,
                .nft_ruleset_patched = m->nft_rs_patched,
                .nft_ruleset_whole = m->nft_rs_whole,
        };
        int r;

        if (!m->conf.prometheus_textfile)
                return;
        r = prometheus_write_file(m->conf.prometheus_textfile, &pm);
        if (r < 0 && r != m->prometheus_error_said)
                log_errno(LOG_WARNING, r, "Cannot write %s", m->conf.prometheus_textfile);
        m->prometheus_error_said = r < 0 ? r : 0;
}

/* --- the audit ------------------------------------------------------------ */

/* sshd failed to start and none of its lines of that invocation are in
 * the journal yet: they decide the cause (config-invalid, port-in-use,
 * hostkeys-missing...), so wait for them, once per invocation. */
static bool log_wait_needed(Manager *m, const SgUnitFacts *svc) {
        const char *state = svc->active_state ? svc->active_state : "";

        if (!m->audited || (strcmp(state, "failed") != 0 && strcmp(state, "activating") != 0 &&
                            strcmp(state, "inactive") != 0))
                return false;
        if (!svc->result || strcmp(svc->result, "exit-code") != 0 || svc->stop_requested || m->facts.n_sshd_log > 0 ||
            !m->facts.units.invocation_id[0] || strcmp(m->log_waited_invocation, m->facts.units.invocation_id) == 0)
                return false;
        memcpy(m->log_waited_invocation, m->facts.units.invocation_id, sizeof(m->log_waited_invocation));
        return true;
}

/* sshd's service is active and running by its facts, and not one socket
 * read is sshd's: the only reading a moment-to-moment race can give
 * (Type=notify: sshd is active once it listens). */
static bool sshd_running_without_sockets(Manager *m) {
        const SgUnitFacts *svc = service_unit(m);

        if (!svc || !svc->active_state || strcmp(svc->active_state, "active") != 0 || svc->main_pid <= 0)
                return false;
        for (size_t i = 0; i < m->facts.n_listeners; i++)
                if (sg_listener_is_sshd(&m->facts.listeners[i], svc, false))
                        return false;
        return true;
}

/* Whether sshd's service moved (state, job, main process) since its facts
 * were read in this audit: its sockets, read after them, may then belong
 * to the next state (the next restart's stop closed them, or a start has
 * not opened them yet) -- a snapshot no single moment had. */
static bool service_moved(Manager *m) {
        SshdUnitsFacts again = {};
        const SgUnitFacts *before = service_unit(m), *now = NULL;
        bool moved = false;

        if (!before || !m->bus ||
            sshd_units_read(m->bus, m->conf.n_units > 0 ? (const char *const *) m->conf.units : NULL, &again) < 0)
                return false;
        for (size_t i = 0; i < again.n_units && !now; i++)
                if (strcmp(again.units[i].name, before->name) == 0)
                        now = &again.units[i];
        moved = !now || now->main_pid != before->main_pid || now->job_pending != before->job_pending ||
                strcmp(now->active_state ?: "", before->active_state ?: "") != 0 ||
                strcmp(now->sub_state ?: "", before->sub_state ?: "") != 0;
        sshd_units_done(&again);
        return moved;
}

int manager_audit(Manager *m) {
        unsigned dirty = m->dirty;
        SgAssessment a = {};
        SgFinding *findings = NULL;
        SgTransition *t = NULL;
        size_t n_findings = 0, n_t = 0;
        SgUnitFacts *svc;
        uint64_t now = now_usec();
        bool crash_reported = false, firewall_only = false;
        SgSnapshot snap;
        int r;

        m->dirty = 0;
        (void) sd_event_source_set_enabled(m->audit_source, SD_EVENT_OFF);

        bool held = (dirty & DIRTY_UNITS) && refresh_units(m, &dirty);
        if (held) {
                /* sshd is starting or stopping: its sockets come and go
                 * with it, and are read together with the settled unit */
                m->dirty |= dirty & (DIRTY_UNITS | DIRTY_LISTENERS);
                dirty &= ~(unsigned) DIRTY_LISTENERS;
        }
        if (dirty & DIRTY_CONFIG) {
                (void) refresh_config(m);
                /* sshd's executable may have gone with a package */
                facts_read_tools(&m->facts);
        }
        if (dirty & DIRTY_LISTENERS) {
                (void) refresh_listeners(m);
                m->listeners_unsettled = m->audited && m->facts.have_units && sshd_running_without_sockets(m) &&
                                         service_moved(m);
        }
        /* Judged only as one moment: sockets read while sshd moved (a
         * restart after a restart) are not judged, not even beside the
         * unit's last settled facts; looked at again when systemd says it
         * moved (PropertiesChanged) or shortly, for at most
         * UNIT_SETTLE_USEC. */
        if (m->listeners_unsettled) {
                if (m->unit_transition_since == 0)
                        m->unit_transition_since = now;
                if (now - m->unit_transition_since < UNIT_SETTLE_USEC) {
                        if (m->debug)
                                log_errno(LOG_DEBUG, 0, "audit: sshd moved while its sockets were read: later");
                        m->dirty |= dirty | DIRTY_UNITS | DIRTY_LISTENERS;
                        (void) sd_event_source_set_time_relative(m->recheck_timer, RECHECK_USEC);
                        (void) sd_event_source_set_enabled(m->recheck_timer, SD_EVENT_ONESHOT);
                        /* a firewall change is not kept waiting by sshd's
                         * restarts (issue 11: no source starves another):
                         * judged now, sshd's own findings left as the last
                         * settled moment had them */
                        if (!(dirty & (DIRTY_FIREWALL | DIRTY_RECENT)) || !m->audited)
                                return 0;
                        firewall_only = true;
                } else
                        m->listeners_unsettled = false;
        }
        if (dirty & DIRTY_INTERFACES)
                (void) refresh_interfaces(m);
        if (dirty & DIRTY_PORTS) {
                r = facts_learn_ports(&m->facts, &m->conf);
                if (r < 0)
                        return log_errno(LOG_ERR, r, "Cannot learn the expected ports");
                dirty |= DIRTY_FIREWALL;
        }
        if (dirty & DIRTY_FIREWALL)
                (void) refresh_firewall(m);

        svc = (SgUnitFacts *) service_unit(m);
        if (m->debug)
                log_errno(LOG_DEBUG, 0, "audit: stale %#x%s, %s %s/%s result %s job %d pid %d, %zu listening sockets",
                          dirty, held ? " (unit between states: held)" : "", svc ? svc->name : "-",
                          svc && svc->active_state ? svc->active_state : "-", svc && svc->sub_state ? svc->sub_state : "-",
                          svc && svc->result ? svc->result : "-", svc ? svc->job_pending : 0, svc ? (int) svc->main_pid : 0,
                          m->facts.n_listeners);
        if (svc && !firewall_only && log_wait_needed(m, svc)) {
                /* judged when sshd's lines arrive (the journal watcher
                 * schedules it) or when the wait is over */
                (void) sd_event_source_set_time_relative(m->recheck_timer, LOG_WAIT_USEC);
                (void) sd_event_source_set_enabled(m->recheck_timer, SD_EVENT_ONESHOT);
                return 0;
        }
        if (svc && m->crash_pending && !firewall_only) {
                svc->crashed = true;
                if (m->crash_signal > 0)
                        svc->crash_signal = m->crash_signal;
                crash_reported = true;
        }
        if (m->max_startups_drops > 0 && now - m->max_startups_last >= MAX_STARTUPS_WINDOW_USEC) {
                m->max_startups_drops = 0;
                free(m->max_startups_line);
                m->max_startups_line = NULL;
        }

        /* where connections from the people who log in arrive (routes change) */
        facts_admin_routes(&m->facts);
        snap = facts_snapshot(&m->facts);
        snap.max_startups_drops = m->max_startups_drops;
        snap.max_startups_line = m->max_startups_line;
        SgFirewallHistory history = {
                .previous = m->fw.v,
                .n_previous = m->fw.n,
                .committed = m->fw_attributable,
                .committer_pid = m->nft_pid,
                .committer_comm = m->nft_comm,
        };
        snap.firewall_history = &history;
        r = sg_assess(&snap, &(SgAssessOptions) { .ignore_source_bans = m->conf.ignore_source_bans }, &a);
        /* The move the daemon itself advised (socket-mismatch's fix: sshd
         * without its socket, on the ports sshd_config names) is the new
         * expectation, not a port-changed: the ports are learned again,
         * as a Reload() would, before anything is written. */
        if (r >= 0 && m->conf.n_ports == 0 &&
            sg_advised_move_applied(m->findings, m->n_findings, a.findings, a.n_findings)) {
                sg_assessment_done(&a);
                r = facts_learn_ports(&m->facts, &m->conf);
                if (r >= 0) {
                        snap = facts_snapshot(&m->facts);
                        snap.max_startups_drops = m->max_startups_drops;
                        snap.max_startups_line = m->max_startups_line;
                        snap.firewall_history = &history;
                        r = sg_assess(&snap, &(SgAssessOptions) { .ignore_source_bans = m->conf.ignore_source_bans },
                                      &a);
                }
        }
        if (svc)
                svc->crashed = false;
        if (r < 0)
                return log_errno(LOG_ERR, r, "Cannot audit");
        m->fw_attributable = false;
        fw_judgements_done(&m->fw);
        m->fw = a.firewall;
        a.firewall = (FwJudgements) {};
        findings = TAKE_PTR(a.findings);
        n_findings = a.n_findings;
        if (firewall_only) {
                r = findings_keep_sshds(m, &findings, &n_findings);
                if (r < 0) {
                        sg_findings_free(findings, n_findings);
                        return log_errno(LOG_ERR, r, "Cannot audit");
                }
        }

        r = sg_tracker_update(m->tracker, findings, n_findings, now, &t, &n_t);
        if (r < 0) {
                sg_findings_free(findings, n_findings);
                return log_errno(LOG_ERR, r, "Cannot audit");
        }
        for (size_t i = 0; i < n_t; i++)
                manager_report_transition(m, &t[i]);
        sg_transitions_free(t, n_t);
        if (n_t > 0 || !m->audited)
                (void) manager_state_save(m);
        if (n_t > 0) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                m->last_change = (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
        }
        summary_timer_arm(m);
        findings_replace(m, findings, n_findings);
        if (!m->recent_timer || sd_event_source_get_enabled(m->recent_timer, NULL) == 0)
                recent_poll_arm(m);
        m->audited = true;
        m->audits++;
        m->audit_duration = (double) (now_usec() - now) / 1e6;
        metrics_write(m, a.uncertain);

        if (crash_reported) {
                /* the crash was reported once; the next look says whether
                 * systemd brought sshd back */
                m->crash_pending = false;
                m->crash_signal = 0;
                manager_schedule(m, DIRTY_UNITS | DIRTY_LISTENERS);
        }
        return 0;
}

/* A lockout of an admin source that xt_recent's history decides is open. */
static bool recent_lockout_open(const Manager *m) {
        for (size_t i = 0; i < m->n_findings; i++)
                if (m->findings[i].cause == SG_CAUSE_ADMIN_LOCKED_OUT && sg_finding_get(&m->findings[i], "recent_list"))
                        return true;
        return false;
}

static int on_recent_poll(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        uint64_t fp;

        (void) s;
        (void) usec;
        if (facts_read_recent(&m->facts) < 0 || m->facts.recent.n_lists == 0 || m->facts.n_admin == 0) {
                m->recent_fp_known = false;
                recent_poll_arm(m);
                return 0;
        }
        fp = facts_recent_fingerprint(&m->facts);
        if (!m->recent_fp_known || fp != m->recent_fp || recent_lockout_open(m))
                manager_schedule(m, DIRTY_RECENT);
        m->recent_fp = fp;
        m->recent_fp_known = true;
        recent_poll_arm(m);
        return 0;
}

void recent_poll_arm(Manager *m) {
        bool wanted = m->facts.recent.n_lists > 0 && m->facts.n_admin > 0;

        if (!m->recent_timer && wanted &&
            sd_event_add_time_relative(m->event, &m->recent_timer, CLOCK_MONOTONIC, RECENT_POLL_USEC,
                                       RECENT_POLL_USEC / 10, on_recent_poll, m) < 0)
                return;
        if (!m->recent_timer)
                return;
        if (wanted) {
                (void) sd_event_source_set_time_relative(m->recent_timer, RECENT_POLL_USEC);
                (void) sd_event_source_set_enabled(m->recent_timer, SD_EVENT_ONESHOT);
        } else
                (void) sd_event_source_set_enabled(m->recent_timer, SD_EVENT_OFF);
}

static int on_audit(sd_event_source *s, void *userdata) {
        (void) s;
        (void) manager_audit(userdata);
        return 0;
}

void manager_schedule(Manager *m, unsigned flags) {
        m->events++;
        m->dirty |= flags;
        (void) sd_event_source_set_enabled(m->audit_source, SD_EVENT_ONESHOT);
}

static int on_recheck(sd_event_source *s, uint64_t usec, void *userdata) {
        if (((Manager *) userdata)->debug)
                log_errno(LOG_DEBUG, 0, "event: recheck");
        (void) s;
        (void) usec;
        manager_schedule(userdata, DIRTY_UNITS | DIRTY_LISTENERS);
        return 0;
}

static int on_summary_due(sd_event_source *s, uint64_t usec, void *userdata) {
        if (((Manager *) userdata)->debug)
                log_errno(LOG_DEBUG, 0, "event: summary_due");
        (void) s;
        (void) usec;
        /* nothing is stale: the same findings, a later time */
        manager_schedule(userdata, 0);
        return 0;
}

/* --- life cycle ----------------------------------------------------------- */

int manager_load_config(Manager *m) {
        SgConfig c;
        SgConfigError *errors = NULL;
        size_t n_errors = 0;
        int r = sg_config_init(&c);

        if (r < 0)
                return r;
        r = sg_config_load(&c, m->conf_path, &errors, &n_errors);
        for (size_t i = 0; i < n_errors; i++)
                log_errno(LOG_WARNING, 0, "%s:%u: %s", errors[i].file, errors[i].line, errors[i].message);
        sg_config_errors_free(errors, n_errors);
        if (r < 0 && r != -ENOENT) {
                sg_config_done(&c);
                return log_errno(LOG_ERR, r, "Cannot read %s", m->conf_path);
        }
        sg_config_done(&m->conf);
        m->conf = c;
        return 0;
}

static inline void manager_freep(Manager **m) {
        manager_free(*m);
}

int manager_new(Manager **ret, const char *conf_path, LogTarget log_target) {
        _cleanup_(manager_freep) Manager *m = calloc(1, sizeof(Manager));
        sigset_t ss;
        int r;

        if (!m)
                return -ENOMEM;
        m->rtnl_fd = m->destroy_fd = m->inotify_fd = -1;
        m->log_target = log_target;
        m->debug = getenv("SSHGUARDIAN_DEBUG") && strcmp(getenv("SSHGUARDIAN_DEBUG"), "1") == 0;
        m->healthy = true;
        m->conf_path = strdup(conf_path);
        if (!m->conf_path)
                return -ENOMEM;
        r = sg_config_init(&m->conf);
        if (r < 0)
                return r;
        r = manager_load_config(m);
        if (r < 0)
                return r;
        r = sg_tracker_new(m->conf.rate_limit_interval_usec, m->conf.rate_limit_burst, &m->tracker);
        if (r < 0)
                return r;

        r = sd_event_default(&m->event);
        if (r < 0)
                return r;
        sigemptyset(&ss);
        sigaddset(&ss, SIGTERM);
        sigaddset(&ss, SIGINT);
        if (sigprocmask(SIG_BLOCK, &ss, NULL) < 0)
                return -errno;
        /* a NULL handler ends the loop */
        r = sd_event_add_signal(m->event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_defer(m->event, &m->audit_source, on_audit, m);
        if (r >= 0)
                r = sd_event_source_set_priority(m->audit_source, SD_EVENT_PRIORITY_IDLE);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->audit_source, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_time(m->event, &m->recheck_timer, CLOCK_MONOTONIC, UINT64_MAX, 10 * 1000, on_recheck, m);
        if (r >= 0)
                r = sd_event_add_time(m->event, &m->summary_timer, CLOCK_MONOTONIC, UINT64_MAX, 100 * 1000,
                                      on_summary_due, m);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

int manager_start(Manager *m) {
        int r;

        /* the watchers first, so that nothing that happens while the
         * first audit runs goes unnoticed */
        r = manager_watch_nftables(m);
        if (r < 0)
                log_errno(LOG_WARNING, r, "Not watching nftables (changes are noticed on the next audit only)");
        r = manager_watch_rtnl(m);
        if (r < 0)
                log_errno(LOG_WARNING, r, "Not watching interfaces and addresses");
        r = manager_watch_destroy(m);
        if (r < 0)
                log_errno(LOG_NOTICE, r, "Not watching socket destruction; sockets are re-read after unit changes");
        r = manager_watch_journal(m);
        if (r < 0)
                log_errno(LOG_WARNING, r, "Not watching sshd's journal (no max-startups reports)");
        r = manager_connect_bus(m);
        if (r < 0)
                log_errno(LOG_WARNING, r, "Not on the system bus: no D-Bus API, sshd's units are not watched");
        r = manager_start_tick(m);
        if (r < 0)
                return log_errno(LOG_ERR, r, "Cannot start the watchdog timer");

        /* What was reported before a kill or a restart: not new */
        (void) manager_state_load(m);
        /* ... and who logs in from where */
        r = facts_admin_load(&m->facts, NULL, m->conf.admin_sources_max);
        if (r < 0)
                log_errno(LOG_WARNING, r, "Cannot read the sources of recent logins");
        /* The initial audit: reports what is already broken. */
        manager_schedule(m, DIRTY_ALL);
        r = manager_audit(m);
        if (r < 0)
                return r;
        /* entries the previous instance kept, if the audit wrote none */
        if ((m->n_journal_queue > 0 || m->journal_dropped > 0) && manager_journal_flush(m))
                (void) manager_state_save(m);
        (void) sd_notifyf(false, "READY=1\nSTATUS=%s", m->summary ? m->summary : "");
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        manager_watchers_close(m);
        manager_disconnect_bus(m);
        sd_event_source_unref(m->bus_retry);
        sd_event_source_unref(m->audit_source);
        sd_event_source_unref(m->recheck_timer);
        sd_event_source_unref(m->recent_timer);
        sd_event_source_unref(m->summary_timer);
        sd_event_source_unref(m->max_startups_timer);
        sd_event_source_unref(m->tick);
        sd_event_unref(m->event);
        manager_journal_queue_free(m);
        sg_findings_free(m->findings, m->n_findings);
        sg_tracker_free(m->tracker);
        free(m->summary);
        fw_judgements_done(&m->fw);
        facts_done(&m->facts);
        free(m->service_active_state);
        free(m->max_startups_line);
        sg_config_done(&m->conf);
        free(m->conf_path);
        free(m);
        return NULL;
}

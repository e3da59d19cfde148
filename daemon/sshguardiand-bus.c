/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The system bus: sshd's units as systemd reports their changes, and the
 * org.sshguardian1 object.  The connection survives systemd's
 * daemon-reload and daemon-reexec (the units are loaded and watched again)
 * and a restart of the bus itself (reconnect with back-off, then
 * everything is re-read).
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>

#include <systemd/sd-bus.h>

#include "explain.h"
#include "macro.h"
#include "print-explain.h"
#include "print-findings.h"
#include "sshguardiand.h"
#include "strv.h"


#define BUS_RETRY_MIN_USEC (500ULL * 1000ULL)
#define BUS_RETRY_MAX_USEC (30ULL * 1000000ULL)

/* --- the object ----------------------------------------------------------- */

static int property_get_healthy(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        (void) bus, (void) path, (void) interface, (void) property, (void) error;
        return sd_bus_message_append(reply, "b", (int) m->healthy);
}

static int property_get_summary(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        (void) bus, (void) path, (void) interface, (void) property, (void) error;
        return sd_bus_message_append(reply, "s", m->summary ? m->summary : "");
}

static int property_get_findings(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;
        (void) bus, (void) path, (void) interface, (void) property, (void) error;

        r = sd_bus_message_open_container(reply, 'a', "(ssa{ss})");
        for (size_t i = 0; r >= 0 && i < m->n_findings; i++) {
                const SgFinding *f = &m->findings[i];
                r = sd_bus_message_open_container(reply, 'r', "ssa{ss}");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "ss", sg_cause_to_string(f->cause), f->message);
                if (r >= 0)
                        r = sd_bus_message_open_container(reply, 'a', "{ss}");
                for (size_t k = 0; r >= 0 && k < f->n_evidence; k++)
                        r = sd_bus_message_append(reply, "{ss}", f->evidence[k].key, f->evidence[k].value);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

/* A caller that is not root may ask, but not make the daemon spin: a
 * token bucket per method for all of them together (root is never
 * refused). */
static bool caller_is_root(sd_bus_message *msg) {
        sd_bus_creds *creds = NULL;
        uid_t uid = (uid_t) -1;
        int r = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_EUID, &creds);

        if (r >= 0)
                r = sd_bus_creds_get_euid(creds, &uid);
        sd_bus_creds_unref(creds);
        return r >= 0 && uid == 0;
}

/* Returns 0, or a LimitsExceeded error when an unprivileged caller asks
 * more than RATE per second beyond a burst of BURST. */
static int call_budget_take(CallBudget *b, sd_bus_message *msg, double rate, double burst, sd_bus_error *error) {
        uint64_t now = now_usec();

        if (caller_is_root(msg))
                return 0;
        if (b->last_usec == 0)
                b->tokens = burst;
        else
                b->tokens += (double) (now - b->last_usec) / 1e6 * rate;
        if (b->tokens > burst)
                b->tokens = burst;
        b->last_usec = now;
        if (b->tokens < 1.0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                         "Too many calls from unprivileged users (%.0f per second); try again later.",
                                         rate);
        b->tokens -= 1.0;
        return 0;
}

/* unprivileged callers: Explain() 20 at once, then 10 per second; Audit()
 * 3 at once, then one per second */
#define EXPLAIN_RATE 10.0
#define EXPLAIN_BURST 20.0
#define AUDIT_RATE 1.0
#define AUDIT_BURST 3.0

static int method_explain(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_(sg_explain_result_freep) SgExplainResult *res = NULL;
        _cleanup_free_ char *json = NULL, *why = NULL;
        size_t len = 0;
        const char *from;
        uint16_t port;
        SgSnapshot snap;
        FILE *f;
        int r;

        r = sd_bus_message_read(msg, "sq", &from, &port);
        if (r < 0)
                return r;
        r = call_budget_take(&m->explain_budget, msg, EXPLAIN_RATE, EXPLAIN_BURST, error);
        if (r < 0)
                return r;
        /* any user may ask: the facts the daemon judged last (the ruleset
         * kept from the notifications), never a dump of the kernel's per
         * call -- and so the same answer its findings give.  xt_recent's
         * lists are the exception: a client's own connections change them
         * without an event, and their judgement depends on the time, so
         * they are read again for a client (a few KB; the admin sources'
         * findings are judged from a read at most a second old) */
        if (from[0] && m->facts.recent.n_lists > 0)
                (void) facts_read_recent(&m->facts);
        snap = facts_snapshot(&m->facts);
        r = sg_explain(&snap, &(SgExplainRequest) {
                                .port = port,
                                .from = from[0] ? from : NULL,
                                .route_iif = facts_route_iif,
                        }, &res, &why);
        if (r == -EINVAL) {
                /* the CLI's words name its options: "--from: ..." is "from: ..." here */
                const char *w = why ? why : "invalid arguments";
                if (strncmp(w, "--", 2) == 0)
                        w += 2;
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s", w);
        }
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot read the firewall: %s", strerror(-r));
        f = open_memstream(&json, &len);
        if (!f)
                return -ENOMEM;
        r = explain_write_json(res, f);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        /* one object, without the trailing newline of the CLI */
        while (len > 0 && json[len - 1] == '\n')
                json[--len] = '\0';
        return sd_bus_reply_method_return(msg, "ss", sg_explain_verdict(res), json);
}

/* Report(json): `sshguardianctl audit`'s answer from the daemon's own
 * judgement -- the findings its journal entries and Findings say, the
 * firewall verdicts it could not tell -- with the same printer, and its
 * exit status.  Read-only and cheap: any user, at Explain()'s rate (a
 * budget of its own). */
static int method_report(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        int json, r, status;
        FILE *f;

        r = sd_bus_message_read(msg, "b", &json);
        if (r < 0)
                return r;
        r = call_budget_take(&m->report_budget, msg, EXPLAIN_RATE, EXPLAIN_BURST, error);
        if (r < 0)
                return r;
        if (!m->audited)
                return sd_bus_error_set(error, SD_BUS_ERROR_FAILED, "sshguardiand has not judged this host yet.");
        const SgAssessment view = {
                .findings = m->findings,
                .n_findings = m->n_findings,
                .firewall = m->fw,
                .firewall_error = m->facts.firewall.read_error,
                .healthy = m->healthy,
                .uncertain = m->facts.firewall.read_error < 0 || m->fw.n_undecided > 0,
        };
        f = open_memstream(&out, &len);
        if (!f)
                return -ENOMEM;
        status = audit_report_write(f, &view, m->facts.ports, m->facts.n_ports, m->facts.have_units, json,
                                    "sshguardiand");
        if (fclose(f) != 0 && status >= 0)
                status = -ENOMEM;
        if (status < 0)
                return sd_bus_error_set_errnof(error, -status, "Cannot write the report: %s", strerror(-status));
        return sd_bus_reply_method_return(msg, "us", (uint32_t) status, out);
}

static int method_audit(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;

        r = call_budget_take(&m->audit_budget, msg, AUDIT_RATE, AUDIT_BURST, error);
        if (r < 0)
                return r;
        manager_schedule(m, DIRTY_ALL & ~DIRTY_PORTS);
        r = manager_audit(m);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "The audit failed: %s", strerror(-r));
        return sd_bus_reply_method_return(msg, NULL);
}


static int method_reload(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;

        /* the policy file refuses others already; the daemon checks too */
        if (!caller_is_root(msg))
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "Only root may reload sshguardiand.");
        r = manager_load_config(m);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot read %s: %s", m->conf_path, strerror(-r));
        /* every setting applies: the units (and their journal), the
         * ports, the configuration file, the rate limits */
        sg_tracker_set_limits(m->tracker, m->conf.rate_limit_interval_usec, m->conf.rate_limit_burst);
        (void) manager_watch_units(m);
        (void) manager_watch_journal(m);
        /* Reload() learns the expected ports again (DESIGN.md) */
        manager_schedule(m, DIRTY_ALL);
        r = manager_audit(m);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "The audit failed: %s", strerror(-r));
        log_errno(LOG_INFO, 0, "Reloaded %s", m->conf_path);
        return sd_bus_reply_method_return(msg, NULL);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Healthy", "b", property_get_healthy, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Summary", "s", property_get_summary, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Findings", "a(ssa{ss})", property_get_findings, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("Explain", SD_BUS_ARGS("s", from, "q", port), SD_BUS_RESULT("s", verdict, "s", json),
                                method_explain, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Audit", NULL, NULL, method_audit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Report", SD_BUS_ARGS("b", json), SD_BUS_RESULT("u", status, "s", output),
                                method_report, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Reload", NULL, NULL, method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

void manager_bus_emit_changes(Manager *m) {
        if (!m->bus || !m->bus_name_owned)
                return;
        (void) sd_bus_emit_properties_changed(m->bus, SSHGUARDIAN_BUS_PATH, SSHGUARDIAN_BUS_INTERFACE, "Healthy",
                                              "Summary", "Findings", NULL);
}

/* --- connection ----------------------------------------------------------- */

static int on_bus_retry(sd_event_source *s, uint64_t usec, void *userdata);

static void bus_retry_arm(Manager *m) {
        uint64_t delay = BUS_RETRY_MIN_USEC << (m->bus_retries < 6 ? m->bus_retries : 6);

        if (delay > BUS_RETRY_MAX_USEC)
                delay = BUS_RETRY_MAX_USEC;
        m->bus_retries++;
        if (!m->bus_retry) {
                if (sd_event_add_time_relative(m->event, &m->bus_retry, CLOCK_MONOTONIC, delay, 100 * 1000, on_bus_retry,
                                               m) < 0)
                        return;
        } else
                (void) sd_event_source_set_time_relative(m->bus_retry, delay);
        (void) sd_event_source_set_enabled(m->bus_retry, SD_EVENT_ONESHOT);
}

static int on_bus_disconnected(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        (void) msg, (void) error;

        /* the connection is closed from the retry timer, not from inside
         * its own dispatch */
        log_errno(LOG_WARNING, 0, "The system bus went away; reconnecting");
        m->bus_retries = 0;
        bus_retry_arm(m);
        return 0;
}

static int on_bus_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        (void) s, (void) usec;

        manager_disconnect_bus(m);
        if (manager_connect_bus(m) < 0) {
                bus_retry_arm(m);
                return 0;
        }
        log_errno(LOG_NOTICE, 0, "Back on the system bus");
        m->bus_retries = 0;
        manager_schedule(m, DIRTY_UNITS | DIRTY_LISTENERS);
        return 0;
}

int manager_connect_bus(Manager *m) {
        sd_bus *bus = NULL;
        int r;

        assert(!m->bus);
        r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        m->bus = bus;
        r = sd_bus_attach_event(bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, NULL, "/org/freedesktop/DBus/Local", "org.freedesktop.DBus.Local",
                                        "Disconnected", on_bus_disconnected, m);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, SSHGUARDIAN_BUS_PATH, SSHGUARDIAN_BUS_INTERFACE, manager_vtable, m);
        if (r < 0) {
                manager_disconnect_bus(m);
                return r;
        }
        /* systemd may be absent (a container without it): the object is
         * served all the same */
        r = manager_watch_systemd(m);
        if (r < 0)
                log_errno(LOG_NOTICE, r, "Cannot subscribe to systemd");
        r = sd_bus_request_name(bus, SSHGUARDIAN_BUS_NAME, 0);
        if (r < 0) {
                log_errno(LOG_ERR, r, "Cannot own %s on the system bus%s", SSHGUARDIAN_BUS_NAME,
                          r == -EEXIST ? " (another sshguardiand runs)" : r == -EACCES ? " (the D-Bus policy refuses it)" : "");
                manager_disconnect_bus(m);
                return r;
        }
        m->bus_name_owned = true;
        return 0;
}

void manager_disconnect_bus(Manager *m) {
        manager_unit_slots_drop(m);
        m->bus_name_owned = false;
        if (m->bus) {
                sd_bus_flush_close_unref(m->bus);
                m->bus = NULL;
        }
}

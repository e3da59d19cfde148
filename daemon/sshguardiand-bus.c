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

#include "macro.h"
#include "sshguardiand.h"
#include "strv.h"

#define SYSTEMD_DEST "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"

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

static int method_explain(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        FwExplainResult *res = NULL;
        char *json = NULL, *why = NULL;
        size_t len = 0;
        const char *from;
        uint16_t port;
        FILE *f;
        int r;

        r = sd_bus_message_read(msg, "sq", &from, &port);
        if (r < 0)
                return r;
        FwExplainRequest req = {
                .port = port > 0 ? port : m->n_ports > 0 ? m->ports[0] : 0,
                .from = from[0] ? from : NULL,
        };
        /* any user may ask: from the model kept current, not a fresh dump
         * of the kernel's ruleset per call */
        req.ruleset = manager_ruleset_current(m);
        r = fw_explain(&req, &res, &why);
        if (r == -EINVAL) {
                /* the CLI's words name its options: "--from: ..." is "from: ..." here */
                const char *w = why ? why : "invalid arguments";
                if (strncmp(w, "--", 2) == 0)
                        w += 2;
                r = sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s", w);
                free(why);
                return r;
        }
        free(why);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot read the firewall: %s", strerror(-r));
        f = open_memstream(&json, &len);
        if (!f) {
                fw_explain_result_free(res);
                return -ENOMEM;
        }
        r = fw_explain_write_json(res, f);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r >= 0) {
                /* one object, without the trailing newline of the CLI */
                while (len > 0 && json[len - 1] == '\n')
                        json[--len] = '\0';
                r = sd_bus_reply_method_return(msg, "ss", fw_explain_verdict(res), json);
        }
        free(json);
        fw_explain_result_free(res);
        return r;
}

static int method_audit(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;
        (void) error;

        manager_schedule(m, DIRTY_ALL & ~DIRTY_PORTS);
        r = manager_audit(m);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "The audit failed: %s", strerror(-r));
        return sd_bus_reply_method_return(msg, NULL);
}

static int bus_watch_units(Manager *m);

static int method_reload(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        sd_bus_creds *creds = NULL;
        Manager *m = userdata;
        uid_t uid = (uid_t) -1;
        int r;

        /* the policy file refuses others already; the daemon checks too */
        r = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_EUID, &creds);
        if (r >= 0)
                r = sd_bus_creds_get_euid(creds, &uid);
        sd_bus_creds_unref(creds);
        if (r < 0 || uid != 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "Only root may reload sshguardiand.");
        r = manager_load_config(m);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot read %s: %s", m->conf_path, strerror(-r));
        /* every setting applies: the units (and their journal), the
         * ports, the configuration file, the rate limits */
        sg_tracker_set_limits(m->tracker, m->conf.rate_limit_interval_usec, m->conf.rate_limit_burst);
        (void) bus_watch_units(m);
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
        SD_BUS_METHOD("Reload", NULL, NULL, method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

void manager_bus_emit_changes(Manager *m) {
        if (!m->bus || !m->bus_name_owned)
                return;
        (void) sd_bus_emit_properties_changed(m->bus, SSHGUARDIAN_BUS_PATH, SSHGUARDIAN_BUS_INTERFACE, "Healthy",
                                              "Summary", "Findings", NULL);
}

/* --- systemd's units ------------------------------------------------------ */

static bool result_is_crash(const char *r) {
        return r && (strcmp(r, "signal") == 0 || strcmp(r, "core-dump") == 0);
}

/* A crash that systemd restarts at once is gone before an audit could see
 * it: the Result= change in the signal is what tells. */
/* Whether PATH's KEY now has VALUE for the first time since the last
 * signal: systemd sends every property of an interface whenever anything
 * of the unit changes (including things no audit cares about, and things
 * an audit's own reads make it recompute), so only a change of what the
 * audit reads is worth one. */
static bool unit_prop_changed(Manager *m, const char *path, const char *key, const char *value) {
        UnitProp *free_slot = NULL;

        for (size_t i = 0; i < ELEMENTSOF(m->unit_props); i++) {
                UnitProp *p = &m->unit_props[i];
                if (!p->path[0]) {
                        free_slot = free_slot ? free_slot : p;
                        continue;
                }
                if (strcmp(p->path, path) == 0 && strcmp(p->key, key) == 0) {
                        if (strcmp(p->value, value) == 0)
                                return false;
                        snprintf(p->value, sizeof(p->value), "%s", value);
                        return true;
                }
        }
        if (free_slot) {
                snprintf(free_slot->path, sizeof(free_slot->path), "%s", path);
                snprintf(free_slot->key, sizeof(free_slot->key), "%s", key);
                snprintf(free_slot->value, sizeof(free_slot->value), "%s", value);
        }
        return true;            /* not seen before (or no room to remember): judge */
}

static int on_properties_changed(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *iface, *path = sd_bus_message_get_path(msg);
        bool relevant = false;
        int r;
        (void) error;

        if (!path)
                return 0;
        r = sd_bus_message_read(msg, "s", &iface);
        if (r >= 0)
                r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        while (r > 0 && (r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *key, *s;
                char num[32];
                uint32_t u;
                int32_t i;

                r = sd_bus_message_read(msg, "s", &key);
                if (r < 0)
                        break;
                if (strcmp(key, "Result") == 0 && strcmp(iface, "org.freedesktop.systemd1.Service") == 0 &&
                    sd_bus_message_read(msg, "v", "s", &s) >= 0) {
                        /* systemd sends every property of the interface
                         * on each change: only a change TO a crash counts */
                        if (result_is_crash(s) && (!m->last_result_known || !result_is_crash(m->last_result)))
                                m->crash_pending = true;
                        snprintf(m->last_result, sizeof(m->last_result), "%s", s);
                        m->last_result_known = true;
                        relevant = unit_prop_changed(m, path, key, s) || relevant;
                } else if (strcmp(key, "ExecMainStatus") == 0 && sd_bus_message_read(msg, "v", "i", &i) >= 0)
                        m->crash_signal = i;
                else if ((strcmp(key, "ActiveState") == 0 || strcmp(key, "SubState") == 0 ||
                          strcmp(key, "LoadState") == 0) && sd_bus_message_read(msg, "v", "s", &s) >= 0) {
                        /* sshd reads its configuration again */
                        if (strcmp(key, "ActiveState") == 0 && (strcmp(s, "activating") == 0 || strcmp(s, "reloading") == 0))
                                m->service_restarting = true;
                        relevant = unit_prop_changed(m, path, key, s) || relevant;
                } else if (strcmp(key, "MainPID") == 0 && sd_bus_message_read(msg, "v", "u", &u) >= 0) {
                        snprintf(num, sizeof(num), "%u", u);
                        relevant = unit_prop_changed(m, path, key, num) || relevant;
                } else if (strcmp(key, "Job") == 0 && sd_bus_message_enter_container(msg, 'v', "(uo)") > 0) {
                        r = sd_bus_message_read(msg, "(uo)", &u, NULL);
                        if (r >= 0) {
                                snprintf(num, sizeof(num), "%u", u);
                                relevant = unit_prop_changed(m, path, key, num) || relevant;
                                r = sd_bus_message_exit_container(msg);
                        }
                } else
                        r = sd_bus_message_skip(msg, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(msg);
        }
        /* a signal that cannot be read is judged, to be safe */
        if (relevant || r < 0) {
                if (m->debug)
                        log_errno(LOG_DEBUG, 0, "event: properties_changed %s %s", path, iface);
                manager_schedule(m, DIRTY_UNITS | DIRTY_LISTENERS);
        }
        return 0;
}

static int on_job_removed(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        if (((Manager *) userdata)->debug)
                log_errno(LOG_DEBUG, 0, "event: job_removed");
        Manager *m = userdata;
        const char *unit = NULL;
        char *path = NULL;
        uint32_t id;
        (void) error;

        /* JobRemoved names the unit by its own name, not the alias asked
         * for: compare object paths */
        if (sd_bus_message_read(msg, "uoss", &id, NULL, &unit, NULL) < 0 || !unit ||
            sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path) < 0)
                return 0;
        if (strv_contains(m->unit_paths, path))
                manager_schedule(m, DIRTY_UNITS | DIRTY_LISTENERS);
        free(path);
        return 0;
}

static int on_reloading(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        if (((Manager *) userdata)->debug)
                log_errno(LOG_DEBUG, 0, "event: reloading");
        Manager *m = userdata;
        int active = 0;
        (void) error;

        if (sd_bus_message_read(msg, "b", &active) >= 0 && !active) {
                /* unit files may have come or gone */
                (void) bus_watch_units(m);
                manager_schedule(m, DIRTY_UNITS | DIRTY_LISTENERS);
        }
        return 0;
}

static int on_systemd_owner(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        if (((Manager *) userdata)->debug)
                log_errno(LOG_DEBUG, 0, "event: systemd_owner");
        Manager *m = userdata;
        const char *name, *old, *new;
        (void) error;

        if (sd_bus_message_read(msg, "sss", &name, &old, &new) < 0)
                return 0;
        if (new && new[0]) {
                /* systemd came back (daemon-reexec): subscribe again */
                (void) bus_watch_units(m);
                manager_schedule(m, DIRTY_UNITS | DIRTY_LISTENERS);
        }
        return 0;
}

static void unit_slots_drop(Manager *m) {
        for (size_t i = 0; i < m->n_unit_slots; i++)
                sd_bus_slot_unref(m->unit_slots[i]);
        free(m->unit_slots);
        m->unit_slots = NULL;
        m->n_unit_slots = 0;
        strv_free(m->unit_paths);
        m->unit_paths = NULL;
}

/* LoadUnit for every unit sshd may run as, a PropertiesChanged match on
 * each object path, and Subscribe so that systemd sends them at all. */
static int bus_watch_units(Manager *m) {
        const char *const *names = m->conf.n_units > 0 ? (const char *const *) m->conf.units : sshd_default_units;
        size_t n = strv_length((char **) names);
        int r;

        if (!m->bus)
                return -ENOTCONN;
        unit_slots_drop(m);
        m->unit_slots = calloc(n + 1, sizeof(sd_bus_slot *));
        m->unit_paths = calloc(n + 1, sizeof(char *));
        if (!m->unit_slots || !m->unit_paths) {
                unit_slots_drop(m);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                sd_bus_message *reply = NULL;
                const char *path;

                r = sd_bus_call_method(m->bus, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER, "LoadUnit", &error, &reply,
                                       "s", names[i]);
                if (r >= 0)
                        r = sd_bus_message_read(reply, "o", &path);
                /* an alias (sshd.service) has the path of its unit: one match */
                if (r >= 0 && !strv_contains(m->unit_paths, path)) {
                        size_t k = m->n_unit_slots;
                        r = sd_bus_match_signal(m->bus, &m->unit_slots[k], SYSTEMD_DEST, path,
                                                "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                                on_properties_changed, m);
                        if (r >= 0 && !(m->unit_paths[k] = strdup(path))) {
                                m->unit_slots[k] = sd_bus_slot_unref(m->unit_slots[k]);
                                r = -ENOMEM;
                        }
                        if (r >= 0)
                                m->n_unit_slots++;
                }
                if (r < 0)
                        log_errno(LOG_WARNING, r, "Cannot watch %s: %s", names[i],
                                  error.message ? error.message : "bus error");
                sd_bus_error_free(&error);
                sd_bus_message_unref(reply);
        }
        r = sd_bus_call_method_async(m->bus, NULL, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER, "Subscribe", NULL, NULL,
                                     NULL);
        return r < 0 ? r : 0;
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
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER, "JobRemoved",
                                        on_job_removed, m);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER, "Reloading", on_reloading,
                                        m);
        if (r >= 0)
                r = sd_bus_add_match(bus, NULL,
                                     "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                                     "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                                     "arg0='" SYSTEMD_DEST "'", on_systemd_owner, m);
        if (r < 0)
                goto fail;
        /* systemd may be absent (a container without it): the object is
         * served all the same */
        r = bus_watch_units(m);
        if (r < 0)
                log_errno(LOG_NOTICE, r, "Cannot subscribe to systemd");
        r = sd_bus_request_name(bus, SSHGUARDIAN_BUS_NAME, 0);
        if (r < 0) {
                log_errno(LOG_ERR, r, "Cannot own %s on the system bus%s", SSHGUARDIAN_BUS_NAME,
                          r == -EEXIST ? " (another sshguardiand runs)" : r == -EACCES ? " (the D-Bus policy refuses it)" : "");
                goto fail;
        }
        m->bus_name_owned = true;
        return 0;
fail:
        manager_disconnect_bus(m);
        return r;
}

void manager_disconnect_bus(Manager *m) {
        unit_slots_drop(m);
        m->bus_name_owned = false;
        if (m->bus) {
                sd_bus_flush_close_unref(m->bus);
                m->bus = NULL;
        }
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <systemd/sd-bus.h>

#include "macro.h"
#include "sshguardiand.h"
#include "strv.h"

/*
 * systemd's view of sshd's units, watched over the system bus: LoadUnit,
 * Subscribe, PropertiesChanged on each unit's object, JobRemoved,
 * Reloading, and systemd's re-exec (NameOwnerChanged).  Watchers only
 * mark facts stale; the audit reads and judges them.
 */
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
                (void) manager_watch_units(m);
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
                (void) manager_watch_units(m);
                manager_schedule(m, DIRTY_UNITS | DIRTY_LISTENERS);
        }
        return 0;
}

void manager_unit_slots_drop(Manager *m) {
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
int manager_watch_units(Manager *m) {
        const char *const *names = m->conf.n_units > 0 ? (const char *const *) m->conf.units : sshd_default_units;
        size_t n = strv_length((char **) names);
        int r;

        if (!m->bus)
                return -ENOTCONN;
        manager_unit_slots_drop(m);
        m->unit_slots = calloc(n + 1, sizeof(sd_bus_slot *));
        m->unit_paths = calloc(n + 1, sizeof(char *));
        if (!m->unit_slots || !m->unit_paths) {
                manager_unit_slots_drop(m);
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


int manager_watch_systemd(Manager *m) {
        int r;

        r = sd_bus_match_signal(m->bus, NULL, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER, "JobRemoved", on_job_removed, m);
        if (r >= 0)
                r = sd_bus_match_signal(m->bus, NULL, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER, "Reloading",
                                        on_reloading, m);
        if (r >= 0)
                r = sd_bus_add_match(m->bus, NULL,
                                     "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                                     "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                                     "arg0='" SYSTEMD_DEST "'", on_systemd_owner, m);
        if (r < 0)
                return r;
        return manager_watch_units(m);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sshguardianctl status: what the running daemon knows, asked over the
 * system bus: its Healthy, Summary and Findings properties, printed as
 * `audit` prints its own findings.  Needs no privilege: the bus policy
 * lets every local user read the properties.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "print-findings.h"
#include "json.h"
#include "sshguardian-bus.h"
#include "sshguardianctl.h"

enum {
        STATUS_HEALTHY = 0,
        STATUS_PROBLEM = 1,     /* a finding is open, or the daemon says unhealthy */
        STATUS_USAGE = 2,
        STATUS_UNREACHABLE = 3, /* the daemon cannot be asked */
};


/* One element of Findings, copied out of the reply. */
typedef struct BusFinding {
        char *cause;
        char *message;
        SgEvidence *evidence;
        size_t n_evidence;
} BusFinding;

typedef struct DaemonStatus {
        bool healthy;
        char *summary;
        BusFinding *findings;
        size_t n_findings;
} DaemonStatus;

static void bus_finding_done(BusFinding *f) {
        free(f->cause);
        free(f->message);
        for (size_t i = 0; i < f->n_evidence; i++) {
                free(f->evidence[i].key);
                free(f->evidence[i].value);
        }
        free(f->evidence);
}

static void daemon_status_done(DaemonStatus *s) {
        for (size_t i = 0; i < s->n_findings; i++)
                bus_finding_done(&s->findings[i]);
        free(s->findings);
        free(s->summary);
        *s = (DaemonStatus) {};
}

/* One (ssa{ss}): cause, message, evidence. */
static int bus_finding_read(sd_bus_message *m, BusFinding *f) {
        const char *cause, *message, *key, *value;
        int r;

        r = sd_bus_message_read(m, "ss", &cause, &message);
        if (r < 0)
                return r;
        f->cause = strdup(cause);
        f->message = strdup(message);
        if (!f->cause || !f->message)
                return -ENOMEM;
        r = sd_bus_message_enter_container(m, 'a', "{ss}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "{ss}", &key, &value)) > 0) {
                SgEvidence *n = reallocarray(f->evidence, f->n_evidence + 1, sizeof(SgEvidence));
                if (!n)
                        return -ENOMEM;
                f->evidence = n;
                n[f->n_evidence++] = (SgEvidence) { .key = strdup(key), .value = strdup(value) };
                if (!n[f->n_evidence - 1].key || !n[f->n_evidence - 1].value)
                        return -ENOMEM;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int findings_read(sd_bus_message *m, DaemonStatus *s) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "(ssa{ss})");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'r', "ssa{ss}")) > 0) {
                BusFinding *n = reallocarray(s->findings, s->n_findings + 1, sizeof(BusFinding));
                if (!n)
                        return -ENOMEM;
                s->findings = n;
                /* counted before it is read: a half-read one is freed too */
                n[s->n_findings] = (BusFinding) {};
                r = bus_finding_read(m, &n[s->n_findings++]);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

/* The printers' views of the daemon's findings: what the daemon's
 * a(ssa{ss}) does not say (unreachable) stays unknown. */
static int daemon_status_views(const DaemonStatus *s, FindingView **ret) {
        FindingView *v = calloc(s->n_findings ? s->n_findings : 1, sizeof(FindingView));

        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_findings; i++)
                v[i] = (FindingView) {
                        .cause = s->findings[i].cause,
                        .message = s->findings[i].message,
                        .evidence = s->findings[i].evidence,
                        .n_evidence = s->findings[i].n_evidence,
                };
        *ret = v;
        return 0;
}

/* GetAll's a{sv}.  Properties this client does not know are skipped (a
 * newer daemon may have more); the three it prints must be there. */
static int daemon_status_read(sd_bus_message *m, DaemonStatus *s) {
        bool have_healthy = false, have_summary = false, have_findings = false;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *name, *summary;
                int healthy;

                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return r;
                if (strcmp(name, "Healthy") == 0) {
                        r = sd_bus_message_read(m, "v", "b", &healthy);
                        s->healthy = healthy;
                        have_healthy = true;
                } else if (strcmp(name, "Summary") == 0) {
                        r = sd_bus_message_read(m, "v", "s", &summary);
                        if (r >= 0) {
                                free(s->summary);
                                s->summary = strdup(summary);
                                r = s->summary ? r : -ENOMEM;
                        }
                        have_summary = true;
                } else if (strcmp(name, "Findings") == 0) {
                        r = sd_bus_message_enter_container(m, 'v', "a(ssa{ss})");
                        if (r >= 0)
                                r = findings_read(m, s);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(m);
                        have_findings = true;
                } else
                        r = sd_bus_message_skip(m, "v");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        return have_healthy && have_summary && have_findings ? 0 : -EBADMSG;
}

/* Properties.GetAll of the daemon's Manager.  Without auto-start: status
 * asks the running daemon, it never starts one (D-Bus activation would
 * revive a daemon an administrator stopped, and report on that one). */
static int daemon_status_get(sd_bus *bus, sd_bus_message **reply, sd_bus_error *error) {
        sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, SSHGUARDIAN_BUS_NAME, SSHGUARDIAN_BUS_PATH,
                                           "org.freedesktop.DBus.Properties", "GetAll");
        if (r >= 0)
                r = sd_bus_message_set_auto_start(m, false);
        if (r >= 0)
                r = sd_bus_message_append(m, "s", SSHGUARDIAN_BUS_INTERFACE);
        if (r >= 0)
                r = sd_bus_call(bus, m, 0, error, reply);
        sd_bus_message_unref(m);
        return r;
}

int verb_status(int argc, char **argv) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        DaemonStatus s = {};
        FindingView *views = NULL;
        sd_bus *bus = NULL;
        bool json = false;
        int r, opt, ret;

        for (int i = 1; i < argc; i++)
                json = json || strcmp(argv[i], "--json") == 0;
        while ((opt = getopt_long(argc, argv, "+jh", options, NULL)) >= 0)
                switch (opt) {
                case 'j': json = true; break;
                case 'h': ctl_help(stdout); return STATUS_HEALTHY;
                default: return ctl_fail(json, STATUS_USAGE, "status: invalid option (see --help)");
                }
        if (optind < argc)
                return ctl_fail(json, STATUS_USAGE, "status: unexpected argument '%s'", argv[optind]);

        r = sd_bus_open_system(&bus);
        if (r < 0) {
                ret = ctl_fail(json, STATUS_UNREACHABLE, "status: sshguardiand cannot be asked: no system bus: %s",
                               strerror(-r));
                goto out;
        }
        r = daemon_status_get(bus, &reply, &error);
        if (r < 0) {
                if (sd_bus_error_has_names(&error, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                        ret = ctl_fail(json, STATUS_UNREACHABLE,
                                       "status: sshguardiand is not running (%s not on the system bus): %s",
                                       SSHGUARDIAN_BUS_NAME, error.message ? error.message : strerror(-r));
                else
                        ret = ctl_fail(json, STATUS_UNREACHABLE, "status: sshguardiand did not answer: %s",
                                       sd_bus_error_is_set(&error) && error.message ? error.message : strerror(-r));
                goto out;
        }
        r = daemon_status_read(reply, &s);
        if (r >= 0)
                r = daemon_status_views(&s, &views);
        if (r == -ENOMEM) {
                ret = ctl_fail(json, STATUS_UNREACHABLE, "status: out of memory");
                goto out;
        }
        if (r < 0) {
                /* a daemon of another version, or not sshguardiand */
                ret = ctl_fail(json, STATUS_UNREACHABLE,
                               "status: %s answered without Healthy (b), Summary (s) and Findings (a(ssa{ss}))",
                               SSHGUARDIAN_BUS_NAME);
                goto out;
        }

        /* DESIGN.md: 1 while a problem is open.  A source-scoped ban is a
         * finding that leaves the host healthy: still 1. */
        ret = s.healthy && s.n_findings == 0 ? STATUS_HEALTHY : STATUS_PROBLEM;
        if (json) {
                JsonWriter w;
                json_init(&w, stdout, false);
                json_object_begin(&w);
                json_key(&w, "healthy");
                json_bool(&w, s.healthy);
                json_key(&w, "summary");
                json_string(&w, s.summary);
                findings_json(&w, views, s.n_findings);
                json_object_end(&w);
                if (json_finish(&w) < 0)
                        ret = ctl_fail(false, STATUS_UNREACHABLE, "status: write failed");
        } else {
                /* as audit: the findings, or the one line that says none */
                if (s.n_findings == 0 && s.summary[0])
                        printf("%s\n", s.summary);
                findings_print_text(stdout, views, s.n_findings);
                if (fflush(stdout) != 0)
                        ret = ctl_fail(false, STATUS_UNREACHABLE, "status: write failed");
        }
out:
        free(views);
        daemon_status_done(&s);
        sd_bus_message_unref(reply);
        sd_bus_error_free(&error);
        sd_bus_flush_close_unref(bus);
        return ret;
}

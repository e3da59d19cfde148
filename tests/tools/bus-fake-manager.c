/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A stand-in for sshguardiand's D-Bus object, for testing `sshguardianctl
 * status` on a private bus: owns org.sshguardian1 on the bus that
 * sd_bus_open_system() finds (DBUS_SYSTEM_BUS_ADDRESS) and exports the
 * Manager's Healthy, Summary and Findings properties as given:
 *
 *   bus-fake-manager true|false|wrong-type SUMMARY [-f CAUSE MESSAGE [KEY=VALUE]...]...
 *
 * "wrong-type" exports Healthy as a string, as a broken daemon might.
 * Prints "ready" once the name is owned; runs until SIGTERM or SIGINT.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

typedef struct FakeFinding {
        const char *cause, *message;
        char **evidence;                /* "key=value", argv's */
        size_t n_evidence;
} FakeFinding;

typedef struct FakeManager {
        int healthy;
        const char *summary;
        FakeFinding *findings;
        size_t n_findings;
} FakeManager;

static int property_healthy(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const FakeManager *m = userdata;
        return sd_bus_message_append(reply, "b", m->healthy);
}

static int property_healthy_wrong(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", "yes");
}

static int property_summary(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const FakeManager *m = userdata;
        return sd_bus_message_append(reply, "s", m->summary);
}

static int property_findings(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const FakeManager *m = userdata;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(ssa{ss})");
        for (size_t i = 0; r >= 0 && i < m->n_findings; i++) {
                const FakeFinding *f = &m->findings[i];
                r = sd_bus_message_open_container(reply, 'r', "ssa{ss}");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "ss", f->cause, f->message);
                if (r >= 0)
                        r = sd_bus_message_open_container(reply, 'a', "{ss}");
                for (size_t j = 0; r >= 0 && j < f->n_evidence; j++) {
                        const char *eq = strchr(f->evidence[j], '=');
                        char *key = strndup(f->evidence[j], eq - f->evidence[j]);
                        r = key ? sd_bus_message_append(reply, "{ss}", key, eq + 1) : -ENOMEM;
                        free(key);
                }
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Healthy", "b", property_healthy, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Summary", "s", property_summary, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Findings", "a(ssa{ss})", property_findings, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_VTABLE_END
};

static const sd_bus_vtable manager_vtable_wrong[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Healthy", "s", property_healthy_wrong, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Summary", "s", property_summary, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Findings", "a(ssa{ss})", property_findings, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_VTABLE_END
};

static int usage(void) {
        fprintf(stderr, "usage: bus-fake-manager true|false|wrong-type SUMMARY [-f CAUSE MESSAGE [KEY=VALUE]...]...\n");
        return 2;
}

int main(int argc, char **argv) {
        FakeManager m = {};
        bool wrong_type = false;
        sd_event *event = NULL;
        sd_bus *bus = NULL;
        sigset_t mask;
        int r;

        if (argc < 3)
                return usage();
        if (strcmp(argv[1], "true") == 0)
                m.healthy = 1;
        else if (strcmp(argv[1], "wrong-type") == 0)
                wrong_type = true;
        else if (strcmp(argv[1], "false") != 0)
                return usage();
        m.summary = argv[2];
        m.findings = calloc(argc, sizeof(FakeFinding));
        if (!m.findings)
                return 1;
        for (int i = 3; i < argc;) {
                FakeFinding *f = &m.findings[m.n_findings++];
                if (strcmp(argv[i], "-f") != 0 || i + 2 >= argc)
                        return usage();
                f->cause = argv[i + 1];
                f->message = argv[i + 2];
                f->evidence = argv + i + 3;
                for (i += 3; i < argc && strcmp(argv[i], "-f") != 0; i++) {
                        if (!strchr(argv[i], '='))
                                return usage();
                        f->n_evidence++;
                }
        }

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        r = sd_event_default(&event);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGINT, NULL, NULL);
        if (r >= 0)
                r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, "/org/sshguardian1", "org.sshguardian1.Manager",
                                             wrong_type ? manager_vtable_wrong : manager_vtable, &m);
        if (r >= 0)
                r = sd_bus_request_name(bus, "org.sshguardian1", 0);
        if (r >= 0)
                r = sd_bus_attach_event(bus, event, 0);
        if (r < 0) {
                fprintf(stderr, "bus-fake-manager: %s\n", strerror(-r));
                return 1;
        }
        printf("ready\n");
        fflush(stdout);
        r = sd_event_loop(event);
        sd_bus_flush_close_unref(bus);
        sd_event_unref(event);
        free(m.findings);
        return r < 0 ? 1 : 0;
}

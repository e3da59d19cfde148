/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sshguardianctl audit: the daemon's analysis, once, without the daemon.
 * Gathers the facts (units, sshd's journal, sshd_config, listening sockets,
 * interfaces, the firewall's verdict for every expected port) and prints
 * what the root-cause engine finds.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <systemd/sd-bus.h>

#include "config.h"
#include "diagnose.h"
#include "findings-print.h"
#include "fw-judge.h"
#include "json.h"
#include "listen.h"
#include "sgconf.h"
#include "sshd-facts.h"
#include "sshdconf.h"
#include "sshguardianctl.h"
#include "strv.h"

enum {
        AUDIT_HEALTHY = 0,
        AUDIT_PROBLEM = 1,
        AUDIT_USAGE = 2,
};

#define AUDIT_LOG_LINES 20

int verb_audit(int argc, char **argv) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "config", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *conf_path = SSHGUARDIAN_CONF_PATH;
        bool json = false;
        SgConfig conf;
        SgConfigError *conf_errors = NULL;
        size_t n_conf_errors = 0;
        sd_bus *bus = NULL;
        SshdUnitsFacts units = {};
        bool have_units = false;
        char **log = NULL;
        size_t n_log = 0;
        SshdConfig *config = NULL;
        ListenTable *lt = NULL;
        SgListener *listeners = NULL;
        size_t n_listeners = 0;
        InterfacesFacts ifs = {};
        uint16_t *ports = NULL;
        size_t n_ports = 0;
        FwJudgement *fw = NULL;
        size_t n_fw = 0;
        SgFirewallFacts *fw_facts = NULL;
        SgFinding *findings = NULL;
        size_t n_findings = 0;
        FindingView *views = NULL;
        SgSnapshot snap;
        int r, opt, ret = AUDIT_HEALTHY;
        const SgUnitFacts *svc = NULL;

        for (int i = 1; i < argc; i++)
                json = json || strcmp(argv[i], "--json") == 0;
        while ((opt = getopt_long(argc, argv, "+jc:h", options, NULL)) >= 0)
                switch (opt) {
                case 'j': json = true; break;
                case 'c': conf_path = optarg; break;
                case 'h': ctl_help(stdout); return 0;
                default: return ctl_fail(json, AUDIT_USAGE, "audit: invalid option (see --help)");
                }
        if (optind < argc)
                return ctl_fail(json, AUDIT_USAGE, "audit: unexpected argument '%s'", argv[optind]);

        r = sg_config_init(&conf);
        if (r < 0)
                return ctl_fail(json, AUDIT_USAGE, "audit: %s", strerror(-r));
        r = sg_config_load(&conf, conf_path, &conf_errors, &n_conf_errors);
        if (r < 0 && r != -ENOENT) {
                ret = ctl_fail(json, AUDIT_USAGE, "audit: cannot read %s: %s", conf_path, strerror(-r));
                goto out;
        }
        for (size_t i = 0; i < n_conf_errors; i++)
                fprintf(stderr, "sshguardianctl: %s:%u: %s\n", conf_errors[i].file, conf_errors[i].line,
                        conf_errors[i].message);

        /* systemd: absent on machines without it (containers, chroots):
         * then nothing is said about units, never "missing" */
        if (sd_bus_open_system(&bus) >= 0 &&
            sshd_units_read(bus, conf.n_units > 0 ? (const char *const *) conf.units : NULL, &units) >= 0) {
                have_units = true;
                for (size_t i = 0; i < units.n_units && !svc; i++)
                        if (units.units[i].loaded && strstr(units.units[i].name, ".service"))
                                svc = &units.units[i];
                sshd_units_judge_stops(&units);
                if (svc && strcmp(svc->active_state ? svc->active_state : "", "active") != 0) {
                        (void) sshd_journal_lines(units.journal_unit ? units.journal_unit : svc->name,
                                                  units.invocation_id, AUDIT_LOG_LINES, &log, &n_log);
                }
        }

        r = sshd_config_load(conf.config_file, &(SshdConfigOptions) { .resolve_names = true }, &config);
        if (r < 0)
                config = NULL;
        r = listen_dump(&lt);
        if (r >= 0) {
                (void) listen_resolve_owners(lt, "/proc");
                r = listeners_from_table(lt, &listeners, &n_listeners);
        }
        if (r < 0) {
                ret = ctl_fail(json, AUDIT_PROBLEM, "audit: cannot list listening sockets: %s", strerror(-r));
                goto out;
        }
        r = interfaces_read(&ifs);
        if (r < 0) {
                ret = ctl_fail(json, AUDIT_PROBLEM, "audit: cannot list interfaces: %s", strerror(-r));
                goto out;
        }
        r = sshd_expected_ports(&conf, listeners, n_listeners, svc, config, &ports, &n_ports);
        if (r < 0)
                goto oom;

        r = fw_judge_ports(ports, n_ports, &fw, &n_fw);
        if (r < 0) {
                ret = ctl_fail(json, AUDIT_PROBLEM, "audit: cannot judge the firewall: %s%s", strerror(-r),
                               r == -EPERM ? " (reading it needs root)" : "");
                goto out;
        }
        fw_facts = calloc(n_fw ? n_fw : 1, sizeof(SgFirewallFacts));
        if (!fw_facts)
                goto oom;
        for (size_t i = 0; i < n_fw; i++)
                fw_facts[i] = fw[i].facts;

        snap = (SgSnapshot) {
                .units = have_units ? units.units : NULL,
                .n_units = have_units ? units.n_units : 0,
                .sshd_log = (const char *const *) log,
                .n_sshd_log = n_log,
                .config = config,
                .listeners = listeners,
                .n_listeners = n_listeners,
                .expected_ports = ports,
                .n_expected_ports = n_ports,
                .interfaces = ifs.interfaces,
                .n_interfaces = ifs.n_interfaces,
                .firewall = fw_facts,
                .n_firewall = n_fw,
        };
        snap.units_unknown = !have_units;
        r = sg_diagnose(&snap, &findings, &n_findings);
        if (r < 0)
                goto oom;
        if (conf.ignore_source_bans)    /* fail2ban/sshguard bans are not reported */
                n_findings = findings_drop_source_bans(findings, n_findings);

        r = finding_views_from_findings(findings, n_findings, &views);
        if (r < 0)
                goto oom;
        {
                bool healthy = true;
                for (size_t i = 0; i < n_findings; i++)
                        healthy = healthy && !findings[i].unreachable;
                ret = n_findings > 0 ? AUDIT_PROBLEM : AUDIT_HEALTHY;
                if (json) {
                        JsonWriter w;
                        json_init(&w, stdout, false);
                        json_object_begin(&w);
                        json_key(&w, "healthy");
                        json_bool(&w, healthy);
                        json_key(&w, "expected_ports");
                        json_array_begin(&w);
                        for (size_t i = 0; i < n_ports; i++)
                                json_uint(&w, ports[i]);
                        json_array_end(&w);
                        json_key(&w, "systemd");
                        json_bool(&w, have_units);
                        findings_json(&w, views, n_findings);
                        json_object_end(&w);
                        if (json_finish(&w) < 0)
                                ret = ctl_fail(false, AUDIT_PROBLEM, "audit: write failed");
                } else {
                        if (!have_units)
                                printf("(no systemd on this system bus: sshd's units are not judged)\n");
                        if (n_findings == 0) {
                                char *line = NULL;
                                if (findings_healthy_line(ports, n_ports, &line) < 0)
                                        goto oom;
                                printf("%s\n", line);
                                free(line);
                        }
                        findings_print_text(stdout, views, n_findings);
                }
        }
        goto out;
oom:
        ret = ctl_fail(json, AUDIT_PROBLEM, "audit: out of memory");
out:
        free(views);
        sg_findings_free(findings, n_findings);
        free(fw_facts);
        fw_judgements_free(fw, n_fw);
        free(ports);
        interfaces_done(&ifs);
        free(listeners);
        listen_table_free(lt);
        sshd_config_free(config);
        strv_free(log);
        sshd_units_done(&units);
        sd_bus_unref(bus);
        sg_config_errors_free(conf_errors, n_conf_errors);
        sg_config_done(&conf);
        return ret;
}

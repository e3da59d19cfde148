/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sshguardianctl audit: the daemon's analysis, once, without the daemon.
 * The facts are gathered afresh (gather.c, the daemon's own builder),
 * judged by lib (sg_assess()) and printed as `status` prints the daemon's.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "diagnose.h"
#include "gather.h"
#include "json.h"
#include "macro.h"
#include "print-findings.h"
#include "sgconf.h"
#include "sshguardianctl.h"

enum {
        AUDIT_HEALTHY = 0,
        AUDIT_PROBLEM = 1,
        AUDIT_USAGE = 2,
        AUDIT_UNCERTAIN = 4,            /* nothing found, but a verdict it needed is unknown */
};

static void conf_donep(SgConfig *c) {
        sg_config_done(c);
}

static void facts_donep(HostFacts *f) {
        facts_done(f);
}

static void assessment_donep(SgAssessment *a) {
        sg_assessment_done(a);
}

static int audit_print(const SgAssessment *a, const HostFacts *f, bool json) {
        _cleanup_free_ FindingView *views = NULL;
        int ret = a->n_findings > 0 ? AUDIT_PROBLEM : a->uncertain ? AUDIT_UNCERTAIN : AUDIT_HEALTHY;

        if (finding_views_from_findings(a->findings, a->n_findings, &views) < 0)
                return ctl_fail(json, AUDIT_PROBLEM, "audit: out of memory");
        if (json) {
                JsonWriter w;
                json_init(&w, stdout, false);
                json_object_begin(&w);
                json_key(&w, "healthy");
                /* never "healthy" while a verdict it needed is unknown */
                if (a->healthy && a->uncertain)
                        json_null(&w);
                else
                        json_bool(&w, a->healthy);
                json_key(&w, "expected_ports");
                json_array_begin(&w);
                for (size_t i = 0; i < f->n_ports; i++)
                        json_uint(&w, f->ports[i]);
                json_array_end(&w);
                json_key(&w, "systemd");
                json_bool(&w, f->have_units);
                findings_json(&w, views, a->n_findings);
                undecided_json(&w, a);
                json_object_end(&w);
                if (json_finish(&w) < 0)
                        return ctl_fail(false, AUDIT_PROBLEM, "audit: write failed");
                return ret;
        }
        if (!f->have_units)
                printf("(no systemd on this system bus: sshd's units are not judged)\n");
        if (a->n_findings == 0 && !a->uncertain) {
                _cleanup_free_ char *line = NULL;
                if (findings_healthy_line(f->ports, f->n_ports, &line) < 0)
                        return ctl_fail(json, AUDIT_PROBLEM, "audit: out of memory");
                printf("%s\n", line);
        }
        findings_print_text(stdout, views, a->n_findings);
        undecided_print_text(stdout, a);
        return ret;
}

int verb_audit(int argc, char **argv) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "config", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *conf_path = SSHGUARDIAN_CONF_PATH, *what = NULL;
        bool json = false;
        _cleanup_(conf_donep) SgConfig conf = {};
        _cleanup_(facts_donep) HostFacts facts = {};
        _cleanup_(assessment_donep) SgAssessment a = {};
        SgConfigError *conf_errors = NULL;
        size_t n_conf_errors = 0;
        SgSnapshot snap;
        int r, opt;

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
        for (size_t i = 0; i < n_conf_errors; i++)
                fprintf(stderr, "sshguardianctl: %s:%u: %s\n", conf_errors[i].file, conf_errors[i].line,
                        conf_errors[i].message);
        sg_config_errors_free(conf_errors, n_conf_errors);
        if (r < 0 && r != -ENOENT)
                return ctl_fail(json, AUDIT_USAGE, "audit: cannot read %s: %s", conf_path, strerror(-r));

        r = facts_gather(&facts, &conf, &what);
        if (r < 0)
                return ctl_fail(json, AUDIT_PROBLEM, "audit: %s: %s", what, strerror(-r));
        if (facts.firewall.read_error < 0)
                return ctl_fail(json, AUDIT_PROBLEM, "audit: cannot judge the firewall: %s%s",
                                strerror(-facts.firewall.read_error),
                                facts.firewall.read_error == -EPERM ? " (reading it needs root)" : "");

        snap = facts_snapshot(&facts);
        r = sg_assess(&snap, &(SgAssessOptions) { .ignore_source_bans = conf.ignore_source_bans }, &a);
        if (r < 0)
                return ctl_fail(json, AUDIT_PROBLEM, "audit: out of memory");
        return audit_print(&a, &facts, json);
}

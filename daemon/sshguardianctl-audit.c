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

#include <systemd/sd-bus.h>

#include "config.h"
#include "diagnose.h"
#include "gather.h"
#include "json.h"
#include "macro.h"
#include "print-findings.h"
#include "sgconf.h"
#include "sshguardianctl.h"


static void conf_donep(SgConfig *c) {
        sg_config_done(c);
}

static void facts_donep(HostFacts *f) {
        facts_done(f);
}

static void assessment_donep(SgAssessment *a) {
        sg_assessment_done(a);
}

/* Report(json) on the running daemon: its exit status and output.  0 when
 * it answered; negative when it does not run or could not answer (the
 * caller judges for itself). */
static int daemon_report(bool json, int *ret_status, char **ret_output) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *output;
        uint32_t status;
        int r;

        r = ctl_daemon_call("Report", &bus, &reply, "b", json);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "us", &status, &output);
        if (r < 0)
                return r;
        if (status > 255)
                return -EBADMSG;
        *ret_output = strdup(output);
        if (!*ret_output)
                return -ENOMEM;
        *ret_status = (int) status;
        return 0;
}

int verb_audit(int argc, char **argv) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "local", no_argument, NULL, 'L' },
                { "config", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *conf_path = SSHGUARDIAN_CONF_PATH, *what = NULL;
        bool json = false, local = false, conf_given = false;
        _cleanup_(conf_donep) SgConfig conf = {};
        _cleanup_(facts_donep) HostFacts facts = {};
        _cleanup_(assessment_donep) SgAssessment a = {};
        SgConfigError *conf_errors = NULL;
        size_t n_conf_errors = 0;
        SgSnapshot snap;
        int r, opt;

        for (int i = 1; i < argc; i++)
                json = json || strcmp(argv[i], "--json") == 0;
        while ((opt = getopt_long(argc, argv, "+jLc:h", options, NULL)) >= 0)
                switch (opt) {
                case 'j': json = true; break;
                case 'L': local = true; break;
                case 'c': conf_path = optarg; conf_given = true; break;
                case 'h': ctl_help(stdout); return 0;
                default: return ctl_fail(json, AUDIT_USAGE, "audit: invalid option (see --help)");
                }
        if (optind < argc)
                return ctl_fail(json, AUDIT_USAGE, "audit: unexpected argument '%s'", argv[optind]);

        /* The running daemon answers with its own judgement (any user may
         * ask it), unless another configuration is named or --local. */
        if (!local && !conf_given) {
                _cleanup_free_ char *output = NULL;
                int status;

                if (daemon_report(json, &status, &output) >= 0) {
                        if (fputs(output, stdout) < 0 || fflush(stdout) != 0)
                                return ctl_fail(false, AUDIT_PROBLEM, "audit: write failed");
                        return status;
                }
                /* not running, not reachable, or refused: judge for ourselves */
        }

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
        r = audit_report_write(stdout, &a, facts.ports, facts.n_ports, facts.have_units, json, "sshguardianctl");
        if (r == -ENOMEM)
                return ctl_fail(json, AUDIT_PROBLEM, "audit: out of memory");
        if (r < 0)
                return ctl_fail(false, AUDIT_PROBLEM, "audit: write failed");
        return r;
}

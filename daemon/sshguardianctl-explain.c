/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sshguardianctl explain: the firewall's verdict for a new TCP connection
 * to sshd's port, and the rule that decided it: the facts gathered as
 * `audit` gathers them, judged by lib (sg_explain(), the engine's own
 * verdict), printed by print-explain.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "explain.h"
#include "gather.h"
#include "macro.h"
#include "print-explain.h"
#include "sgconf.h"
#include "sshguardianctl.h"

static void conf_donep(SgConfig *c) {
        sg_config_done(c);
}

static void facts_donep(HostFacts *f) {
        facts_done(f);
}

int verb_explain(int argc, char **argv) {
        static const struct option options[] = {
                { "port", required_argument, NULL, 'p' },
                { "from", required_argument, NULL, 'F' },
                { "to", required_argument, NULL, 'T' },
                { "iif", required_argument, NULL, 'i' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        SgExplainRequest req = { .route_iif = facts_route_iif };
        _cleanup_(sg_explain_result_freep) SgExplainResult *res = NULL;
        _cleanup_(conf_donep) SgConfig conf = {};
        _cleanup_(facts_donep) HostFacts facts = {};
        _cleanup_free_ char *error = NULL;
        const char *what = NULL;
        SgSnapshot snap;
        bool json = false;
        int opt, r, ret;

        /* known before getopt sees it: an invalid option before --json
         * still answers with a JSON object */
        for (int i = 1; i < argc; i++)
                json = json || strcmp(argv[i], "--json") == 0;
        while ((opt = getopt_long(argc, argv, "+p:F:T:i:jh", options, NULL)) >= 0)
                switch (opt) {
                case 'p': {
                        char *end;
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (*optarg == '\0' || *end != '\0' || v == 0 || v > 65535)
                                return ctl_fail(json, SG_EXPLAIN_EXIT_USAGE, "explain: invalid port '%s'", optarg);
                        req.port = (uint16_t) v;
                        req.port_origin = "--port";
                        break;
                }
                case 'F': req.from = optarg; break;
                case 'T': req.to = optarg; break;
                case 'i': req.iif = optarg; break;
                case 'j': json = true; break;
                case 'h': ctl_help(stdout); return 0;
                default: return ctl_fail(json, SG_EXPLAIN_EXIT_USAGE, "explain: invalid option (see --help)");
                }
        if (optind < argc)
                return ctl_fail(json, SG_EXPLAIN_EXIT_USAGE, "explain: unexpected argument '%s'", argv[optind]);

        /* the daemon's settings decide the expected ports, as for audit */
        r = sg_config_init(&conf);
        if (r >= 0)
                r = sg_config_load(&conf, SSHGUARDIAN_CONF_PATH, NULL, NULL);
        if (r < 0 && r != -ENOENT)
                return ctl_fail(json, SG_EXPLAIN_EXIT_CANNOT_READ, "explain: cannot read %s: %s",
                                SSHGUARDIAN_CONF_PATH, strerror(-r));
        r = facts_gather(&facts, &conf, &what);
        if (r < 0)
                return ctl_fail(json, SG_EXPLAIN_EXIT_CANNOT_READ, "explain: %s: %s", what, strerror(-r));
        snap = facts_snapshot(&facts);
        r = sg_explain(&snap, &req, &res, &error);
        if (r < 0)
                return ctl_fail(json, r == -EINVAL ? SG_EXPLAIN_EXIT_USAGE : SG_EXPLAIN_EXIT_CANNOT_READ,
                                "explain: %s", error ? error : "out of memory");
        ret = sg_explain_exit_code(res);
        r = json ? explain_write_json(res, stdout) : explain_write_text(res, stdout);
        if (r < 0)
                ret = ctl_fail(false, SG_EXPLAIN_EXIT_CANNOT_READ, "explain: write failed");
        return ret;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sshguardianctl explain: the firewall's verdict for a new TCP connection
 * to sshd's port, and the rule that decided it (judged by fw-judge.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw-judge.h"
#include "sshguardianctl.h"

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
        FwExplainRequest req = {};
        FwExplainResult *res = NULL;
        char *error = NULL;
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
                                return ctl_fail(json, FW_EXPLAIN_EXIT_USAGE, "explain: invalid port '%s'", optarg);
                        req.port = (uint16_t) v;
                        req.port_origin = "--port";
                        break;
                }
                case 'F': req.from = optarg; break;
                case 'T': req.to = optarg; break;
                case 'i': req.iif = optarg; break;
                case 'j': json = true; break;
                case 'h': ctl_help(stdout); return 0;
                default: return ctl_fail(json, FW_EXPLAIN_EXIT_USAGE, "explain: invalid option (see --help)");
                }
        if (optind < argc)
                return ctl_fail(json, FW_EXPLAIN_EXIT_USAGE, "explain: unexpected argument '%s'", argv[optind]);

        r = fw_explain(&req, &res, &error);
        if (r < 0) {
                ret = ctl_fail(json, r == -EINVAL ? FW_EXPLAIN_EXIT_USAGE : FW_EXPLAIN_EXIT_CANNOT_READ,
                               "explain: %s", error ? error : "out of memory");
                free(error);
                return ret;
        }
        ret = fw_explain_exit_code(res);
        r = json ? fw_explain_write_json(res, stdout) : fw_explain_write_text(res, stdout);
        if (r < 0)
                ret = ctl_fail(false, FW_EXPLAIN_EXIT_CANNOT_READ, "explain: write failed");
        fw_explain_result_free(res);
        return ret;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sshguardianctl: the command-line face of sshguardian.
 *
 *   config [--json] [--dump] [-f FILE]   the sshd_config model
 *   dump-config [-c FILE]                sshguardian.conf as the daemon reads it
 *   explain [...]                        the firewall's verdict (sshguardianctl-explain.c)
 *   audit [...]                          the analysis, once (sshguardianctl-audit.c)
 *   status [--json]                      the running daemon's (sshguardianctl-status.c)
 *   check-config, check-ruleset          pre-flight (sshguardianctl-check.c)
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "json.h"
#include "macro.h"
#include "sgconf.h"
#include "sshdconf.h"
#include "sshguardian-bus.h"
#include "sshguardianctl.h"

enum {
        EXIT_OK = 0,
        EXIT_PROBLEM = 1,       /* the answer is "no": invalid file, problem found */
        EXIT_USAGE = 2,
        EXIT_CANNOT_TELL = 4,   /* as explain's: the answer is not known */
};

void ctl_help(FILE *f) {
        fprintf(f,
                "Usage: sshguardianctl COMMAND [OPTIONS]\n"
                "\n"
                "Why can't I ssh to this host?\n"
                "\n"
                "Commands:\n"
                "  status [--json]\n"
                "        What the running daemon (sshguardiand) has found, asked over the\n"
                "        system bus; any user. Exit 0 healthy, 1 a problem is open (a\n"
                "        source ban too), 3 the daemon cannot be asked.\n"
                "  config [--json] [--dump] [-f FILE]\n"
                "        What sshd makes of its configuration: where it will listen, and\n"
                "        why, or where it will refuse the file. FILE defaults to\n"
                "        %s. Exit 0 valid, 1 sshd would refuse it, 4 cannot\n"
                "        tell (reading it takes more than its budget).\n"
                "  audit [--json] [-c FILE]\n"
                "        Why sshd is unreachable, if it is: sshd's units, its journal, its\n"
                "        configuration, the listening sockets, the interfaces and the\n"
                "        firewall, judged once without the daemon. Root. Exit 0 healthy,\n"
                "        1 a problem is open.\n"
                "  explain [--port N] [--from ADDR] [--to ADDR] [--iif IFNAME] [--json]\n"
                "        The firewall's verdict for a new TCP connection to sshd's port\n"
                "        (default: the first Port of sshd_config) and the rule that\n"
                "        decides it. Without --from: for any source, with the scope of a\n"
                "        block. Root. Exit 0 accepted, 1 dropped or rejected, 4 cannot\n"
                "        tell, 5 cannot read the ruleset.\n"
                "  check-config FILE [--json] [-c FILE]\n"
                "        Pre-flight for a candidate sshd_config: would restarting sshd with\n"
                "        it keep sshd reachable (its listen addresses, ports held by other\n"
                "        programs, the live firewall, the socket unit, SELinux)? Root.\n"
                "        Exit 0 yes, 1 it would cut sshd off, 2 sshd would refuse the file,\n"
                "        4 cannot tell.\n"
                "  check-ruleset FILE [--format nft|iptables|ip6tables] [--json] [-c FILE]\n"
                "        Pre-flight for a firewall file: loaded on top of the live state as\n"
                "        `nft -f FILE` (or iptables-restore) would, in a private network\n"
                "        namespace, would it block new connections to sshd for a family,\n"
                "        an interface or every source? Never touches the live firewall.\n"
                "        Root. Exit 0 no, 1 yes (naming the rule), 2 the file is invalid,\n"
                "        4 cannot tell.\n"
                "  dump-config [-c FILE]   (also: --dump-config)\n"
                "        The daemon's own settings (default %s), every key\n"
                "        with its effective value.\n"
                "\n"
                "Options:\n"
                "  -h --help     show this help\n"
                "     --version  show the version\n",
                SSHD_CONFIG_DEFAULT, SSHGUARDIAN_CONF_PATH);
}

int ctl_daemon_call(const char *method, sd_bus **ret_bus, sd_bus_message **ret_reply, const char *types, ...) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        va_list ap;
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(bus, &call, SSHGUARDIAN_BUS_NAME, SSHGUARDIAN_BUS_PATH,
                                           SSHGUARDIAN_BUS_INTERFACE, method);
        if (r < 0)
                return r;
        /* ask the daemon that runs; never start one */
        r = sd_bus_message_set_auto_start(call, false);
        if (r < 0)
                return r;
        va_start(ap, types);
        r = sd_bus_message_appendv(call, types, ap);
        va_end(ap);
        if (r < 0)
                return r;
        r = sd_bus_call(bus, call, CTL_DAEMON_TIMEOUT_USEC, &error, ret_reply);
        if (r < 0)
                return r;
        *ret_bus = TAKE_PTR(bus);
        return 0;
}

int ctl_fail(bool json, int code, const char *fmt, ...) {
        char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        fprintf(stderr, "sshguardianctl: %s\n", msg ? msg : "out of memory");
        if (json) {
                JsonWriter w;
                json_init(&w, stdout, false);
                json_object_begin(&w);
                json_key(&w, "error");
                json_string(&w, msg ? msg : "out of memory");
                json_object_end(&w);
                (void) json_finish(&w);
        }
        free(msg);
        return code;
}

static void origin_print(FILE *f, SshdOrigin o) {
        if (o.file)
                fprintf(f, "%s:%u", o.file, o.line);
        else
                fputs("default", f);
}

static void config_print_text(const SshdConfig *c) {
        if (c->budget_exceeded)
                printf("%s: cannot tell what sshd makes of this configuration: %s.\n", c->path, c->undecided);
        else if (!c->valid) {
                printf("%s: sshd would refuse this configuration.\n", c->path);
                for (size_t i = 0; i < c->n_errors; i++) {
                        const SshdDiag *e = &c->errors[i];
                        if (e->file && e->line > 0)
                                printf("  %s:%u: %s\n", e->file, e->line, e->message);
                        else
                                printf("  %s\n", e->message);
                }
        } else {
                printf("%s: valid. sshd listens on:\n", c->path);
                for (size_t i = 0; i < c->n_listen; i++) {
                        const SshdListen *l = &c->listen[i];
                        printf("  %s%s%s:%u", l->family == AF_INET6 ? "[" : "", l->address,
                               l->family == AF_INET6 ? "]" : "", l->port);
                        fputs("\t(", stdout);
                        origin_print(stdout, l->origin);
                        fputs(")\n", stdout);
                }
                printf("AddressFamily %s (", sshd_address_family_to_string(c->address_family));
                origin_print(stdout, c->address_family_origin);
                printf(")\nMaxStartups %d:%d:%d (", c->max_startups.begin, c->max_startups.rate,
                       c->max_startups.full);
                origin_print(stdout, c->max_startups.origin);
                printf(")\nPermitRootLogin %s (", sshd_permit_root_login_to_string(c->permit_root_login));
                origin_print(stdout, c->permit_root_login_origin);
                printf(")\nPasswordAuthentication %s (", c->password_authentication ? "yes" : "no");
                origin_print(stdout, c->password_authentication_origin);
                printf(")\nPubkeyAuthentication %s (", c->pubkey_authentication ? "yes" : "no");
                origin_print(stdout, c->pubkey_authentication_origin);
                printf(")\n");
                if (c->n_matches > 0)
                        printf("%zu Match block(s)\n", c->n_matches);
        }
        for (size_t i = 0; i < c->n_warnings; i++) {
                const SshdDiag *w = &c->warnings[i];
                if (w->file && w->line > 0)
                        printf("warning: %s:%u: %s\n", w->file, w->line, w->message);
                else if (w->file)
                        printf("warning: %s: %s\n", w->file, w->message);
                else
                        printf("warning: %s\n", w->message);
        }
}

static int verb_config(int argc, char **argv) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "dump", no_argument, NULL, 'd' },
                { "file", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *path = SSHD_CONFIG_DEFAULT;
        bool json = false, dump = false;
        SshdConfigOptions opts = { .resolve_names = true };
        SshdConfig *c = NULL;
        int r, opt;

        while ((opt = getopt_long(argc, argv, "+jdf:h", options, NULL)) >= 0)
                switch (opt) {
                case 'j': json = true; break;
                case 'd': dump = true; break;
                case 'f': path = optarg; break;
                case 'h': ctl_help(stdout); return EXIT_OK;
                default: return ctl_fail(json, EXIT_USAGE, "config: invalid option (see --help)");
                }
        if (optind < argc)
                return ctl_fail(json, EXIT_USAGE, "config: unexpected argument '%s'", argv[optind]);
        if (json && dump)
                return ctl_fail(json, EXIT_USAGE, "config: --json and --dump exclude each other");

        r = sshd_config_load(path, &opts, &c);
        if (r < 0)
                return ctl_fail(json, EXIT_PROBLEM, "config: cannot read %s: %s", path, strerror(-r));

        if (json)
                r = sshd_config_write_json(c, stdout);
        else if (dump)
                r = sshd_config_dump(c, stdout);
        else {
                config_print_text(c);
                r = fflush(stdout) == 0 ? 0 : -EIO;
        }
        if (c->budget_exceeded && !json)
                fprintf(stderr, "sshguardianctl: cannot tell: %s\n", c->undecided);
        else if (!c->valid && !json) {
                const SshdDiag *e = &c->errors[0];
                if (e->file && e->line > 0)
                        fprintf(stderr, "sshguardianctl: %s line %u: %s\n", e->file, e->line, e->message);
                else
                        fprintf(stderr, "sshguardianctl: %s\n", e->message);
        }
        opt = c->budget_exceeded ? EXIT_CANNOT_TELL : c->valid ? EXIT_OK : EXIT_PROBLEM;
        sshd_config_free(c);
        if (r < 0)
                return ctl_fail(false, EXIT_PROBLEM, "config: write failed: %s", strerror(-r));
        return opt;
}

static int verb_dump_config(int argc, char **argv) {
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *path = SSHGUARDIAN_CONF_PATH;
        SgConfigError *errors = NULL;
        size_t n_errors = 0;
        SgConfig cfg;
        int r, opt;

        while ((opt = getopt_long(argc, argv, "+c:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c': path = optarg; break;
                case 'h': ctl_help(stdout); return EXIT_OK;
                default: return ctl_fail(false, EXIT_USAGE, "dump-config: invalid option (see --help)");
                }
        if (optind < argc)
                return ctl_fail(false, EXIT_USAGE, "dump-config: unexpected argument '%s'", argv[optind]);

        r = sg_config_init(&cfg);
        if (r < 0)
                return ctl_fail(false, EXIT_PROBLEM, "dump-config: %s", strerror(-r));
        r = sg_config_load(&cfg, path, &errors, &n_errors);
        if (r < 0 && r != -ENOENT) {
                sg_config_done(&cfg);
                return ctl_fail(false, EXIT_PROBLEM, "dump-config: cannot read %s: %s", path, strerror(-r));
        }
        for (size_t i = 0; i < n_errors; i++)
                fprintf(stderr, "sshguardianctl: %s:%u: %s\n", errors[i].file, errors[i].line, errors[i].message);
        if (r == -ENOENT)
                printf("# %s does not exist: built-in defaults\n", path);
        r = sg_config_dump(&cfg, stdout);
        sg_config_errors_free(errors, n_errors);
        sg_config_done(&cfg);
        if (r < 0)
                return ctl_fail(false, EXIT_PROBLEM, "dump-config: write failed: %s", strerror(-r));
        return n_errors > 0 ? EXIT_PROBLEM : EXIT_OK;
}

int main(int argc, char **argv) {
        static const struct {
                const char *name;
                int (*run)(int argc, char **argv);
        } verbs[] = {
                { "check-config", verb_check_config },
                { "check-ruleset", verb_check_ruleset },
                { "config", verb_config },
                { "dump-config", verb_dump_config },
                { "explain", verb_explain },
                { "audit", verb_audit },
                { "status", verb_status },
        };

        if (argc < 2) {
                ctl_help(stderr);
                return EXIT_USAGE;
        }
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
                ctl_help(stdout);
                return EXIT_OK;
        }
        /* the daemon's conventional spelling, accepted here too */
        if (strcmp(argv[1], "--dump-config") == 0)
                return verb_dump_config(argc - 1, argv + 1);
        if (strcmp(argv[1], "--version") == 0) {
                printf("sshguardianctl %s\n", PACKAGE_VERSION);
                return EXIT_OK;
        }
        for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
                if (strcmp(argv[1], verbs[i].name) == 0)
                        return verbs[i].run(argc - 1, argv + 1);
        bool json = false;
        for (int i = 2; i < argc; i++)
                json = json || strcmp(argv[i], "--json") == 0;
        return ctl_fail(json, EXIT_USAGE, "unknown command '%s' (see --help)", argv[1]);
}

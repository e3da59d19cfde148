/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sshguardianctl check-config / check-ruleset: pre-flight.  The live facts
 * are gathered as `audit` gathers them (gather.c), one fact is replaced by
 * the candidate, and lib judges it (preflight.h, sg_assess()).  This file
 * only does the I/O: reading the candidate sshd_config; for a ruleset, a
 * private network namespace of the check's own in which the live firewall
 * is copied, the file loaded on top as `nft -f` (or iptables-restore) would,
 * and the result read back with the project's reader.  The live firewall
 * is only read.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/netfilter.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "diagnose.h"
#include "gather.h"
#include "json.h"
#include "macro.h"
#include "preflight.h"
#include "print-findings.h"
#include "sgconf.h"
#include "sshguardianctl.h"
#include "strv.h"

static void conf_donep(SgConfig *c) {
        sg_config_done(c);
}

static void facts_donep(HostFacts *f) {
        facts_done(f);
}

static void assessment_donep(SgAssessment *a) {
        sg_assessment_done(a);
}

/* --- running the real tools ---------------------------------------------------- */

typedef struct CmdResult {
        int status;             /* exit status; 127: could not be run; 128+N: killed by N */
        char *out, *err;
} CmdResult;

static void cmd_result_done(CmdResult *r) {
        free(r->out);
        free(r->err);
        *r = (CmdResult) {};
}

static char *memfd_slurp(int fd) {
        struct stat st;
        char *buf;

        if (fstat(fd, &st) < 0 || !(buf = malloc((size_t) st.st_size + 1)))
                return NULL;
        if (pread(fd, buf, (size_t) st.st_size, 0) != st.st_size) {
                free(buf);
                return NULL;
        }
        buf[st.st_size] = '\0';
        return buf;
}

/* Runs ARGV (PATH searched) with INPUT on its stdin, in the caller's
 * network namespace and working directory.  Output goes to memory files,
 * so that no pipe can fill up.  Returns 0 (RET filled) or a negative
 * errno when it could not be started at all. */
static int cmd_run(char *const *argv, const char *input, size_t input_len, CmdResult *ret) {
        _cleanup_close_ int in = memfd_create("sg-in", MFD_CLOEXEC);
        _cleanup_close_ int out = memfd_create("sg-out", MFD_CLOEXEC);
        _cleanup_close_ int err = memfd_create("sg-err", MFD_CLOEXEC);
        int status;
        pid_t pid;

        *ret = (CmdResult) {};
        if (in < 0 || out < 0 || err < 0)
                return -errno;
        if (input_len > 0 && write(in, input, input_len) != (ssize_t) input_len)
                return -EIO;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if (lseek(in, 0, SEEK_SET) < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
                        _exit(127);
                execvp(argv[0], argv);
                fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        ret->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        ret->out = memfd_slurp(out);
        ret->err = memfd_slurp(err);
        if (!ret->out || !ret->err) {
                cmd_result_done(ret);
                return -ENOMEM;
        }
        return 0;
}

/* The tool's own words, on one line: its stderr (else stdout), trimmed. */
static const char *cmd_words(const CmdResult *r) {
        char *s = r->err && r->err[0] ? r->err : r->out ? r->out : (char *) "";
        size_t n = strlen(s);

        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
                s[--n] = '\0';
        return s;
}

static int read_file(const char *path, char **ret, size_t *len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        struct stat st;
        char *buf;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
        if (st.st_size > 256 * 1024 * 1024)
                return -EFBIG;
        buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        if (read(fd, buf, (size_t) st.st_size) != st.st_size) {
                free(buf);
                return -EIO;
        }
        buf[st.st_size] = '\0';
        *ret = buf;
        *len = (size_t) st.st_size;
        return 0;
}

/* --- common ---------------------------------------------------------------------- */

typedef struct CheckArgs {
        bool json;
        const char *conf_path;
        const char *file;
        const char *format;             /* check-ruleset: "nft", "iptables", "ip6tables" */
        bool ruleset;
} CheckArgs;

/* The command the candidate ruleset is loaded with, as the administrator
 * would run it. */
static void check_loader(const CheckArgs *a, char *argv[4]) {
        argv[0] = (char *) (strcmp(a->format, "nft") == 0 ? "nft" : strcmp(a->format, "ip6tables") == 0
                                                                  ? "ip6tables-restore" : "iptables-restore");
        argv[1] = (char *) (strcmp(a->format, "nft") == 0 ? "-f" : a->file);
        argv[2] = (char *) (strcmp(a->format, "nft") == 0 ? a->file : NULL);
        argv[3] = NULL;
}

static void loader_json(JsonWriter *w, const CheckArgs *a) {
        char *argv[4];

        if (!a->ruleset)
                return;
        check_loader(a, argv);
        json_key(w, "loader");
        json_array_begin(w);
        for (size_t i = 0; argv[i]; i++)
                json_string(w, argv[i]);
        json_array_end(w);
}

static int check_parse(const char *verb, bool ruleset, int argc, char **argv, CheckArgs *a) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "config", required_argument, NULL, 'c' },
                { "format", required_argument, NULL, 'F' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        int opt;

        *a = (CheckArgs) { .conf_path = SSHGUARDIAN_CONF_PATH, .format = "nft", .ruleset = ruleset };
        for (int i = 1; i < argc; i++)
                a->json = a->json || strcmp(argv[i], "--json") == 0;
        /* FILE may come before the options, as in the usage line */
        while ((opt = getopt_long(argc, argv, "jc:h", options, NULL)) >= 0)
                switch (opt) {
                case 'j': a->json = true; break;
                case 'c': a->conf_path = optarg; break;
                case 'F':
                        if (!ruleset)
                                return ctl_fail(a->json, 2, "%s: --format is check-ruleset's", verb);
                        if (strcmp(optarg, "nft") != 0 && strcmp(optarg, "iptables") != 0 &&
                            strcmp(optarg, "ip6tables") != 0)
                                return ctl_fail(a->json, 2, "%s: --format: '%s' is not nft, iptables or ip6tables",
                                                verb, optarg);
                        a->format = optarg;
                        break;
                case 'h': ctl_help(stdout); return 0;
                default: return ctl_fail(a->json, 2, "%s: invalid option (see --help)", verb);
                }
        if (optind >= argc)
                return ctl_fail(a->json, 2, "%s: which file? (%s FILE)", verb, verb);
        if (optind + 1 < argc)
                return ctl_fail(a->json, 2, "%s: unexpected argument '%s'", verb, argv[optind + 1]);
        a->file = argv[optind];
        return -1;
}

static int check_gather(const char *verb, const CheckArgs *a, SgConfig *conf, HostFacts *facts) {
        SgConfigError *errors = NULL;
        size_t n_errors = 0;
        const char *what = NULL;
        int r = sg_config_init(conf);

        if (r < 0)
                return ctl_fail(a->json, 4, "%s: %s", verb, strerror(-r));
        r = sg_config_load(conf, a->conf_path, &errors, &n_errors);
        for (size_t i = 0; i < n_errors; i++)
                fprintf(stderr, "sshguardianctl: %s:%u: %s\n", errors[i].file, errors[i].line, errors[i].message);
        sg_config_errors_free(errors, n_errors);
        if (r < 0 && r != -ENOENT)
                return ctl_fail(a->json, 2, "%s: cannot read %s: %s", verb, a->conf_path, strerror(-r));
        r = facts_gather(facts, conf, &what);
        if (r < 0)
                return ctl_fail(a->json, 4, "%s: %s: %s", verb, what, strerror(-r));
        if (facts->firewall.read_error < 0)
                return ctl_fail(a->json, 4, "%s: cannot read the live firewall: %s%s", verb,
                                strerror(-facts->firewall.read_error),
                                facts->firewall.read_error == -EPERM ? " (reading it needs root)" : "");
        return -1;
}

/* The verdict, the findings, warnings; text or JSON. */
static int check_print(const CheckArgs *a, const SgAssessment *as, SgPreflightVerdict v, long reason,
                       const uint16_t *ports, size_t n_ports, char *const *warnings, size_t n_warnings) {
        _cleanup_free_ FindingView *views = NULL;

        if (finding_views_from_findings(as->findings, as->n_findings, &views) < 0)
                return ctl_fail(a->json, 4, "out of memory");
        if (a->json) {
                JsonWriter w;
                json_init(&w, stdout, false);
                json_object_begin(&w);
                json_key(&w, "verdict");
                json_string(&w, sg_preflight_verdict_to_string(v));
                json_key(&w, "file");
                json_string(&w, a->file);
                loader_json(&w, a);
                json_key(&w, "expected_ports");
                json_array_begin(&w);
                for (size_t i = 0; i < n_ports; i++)
                        json_uint(&w, ports[i]);
                json_array_end(&w);
                json_key(&w, "reason");
                if (reason >= 0)
                        json_string(&w, as->findings[reason].message);
                else
                        json_null(&w);
                findings_json(&w, views, as->n_findings);
                undecided_json(&w, as);
                json_key(&w, "warnings");
                json_array_begin(&w);
                for (size_t i = 0; i < n_warnings; i++)
                        json_string(&w, warnings[i]);
                json_array_end(&w);
                json_key(&w, "error");
                json_null(&w);
                json_object_end(&w);
                if (json_finish(&w) < 0)
                        return ctl_fail(false, 4, "write failed");
                return sg_preflight_exit_code(v);
        }
        if (v == SG_PREFLIGHT_LOCKOUT) {
                const char *at = sg_finding_get(&as->findings[reason], "file_line");
                printf("%s: lockout: %s%s%s%s\n", a->file, as->findings[reason].message, at ? " (" : "",
                       at ? at : "", at ? ")" : "");
        }
        else if (v == SG_PREFLIGHT_UNDECIDED)
                printf("%s: cannot tell whether sshd stays reachable\n", a->file);
        else {
                printf("%s: safe: new connections still reach sshd on port%s", a->file, n_ports > 1 ? "s" : "");
                for (size_t i = 0; i < n_ports; i++)
                        printf(" %u", ports[i]);
                printf("\n");
        }
        if (a->ruleset) {
                char *argv[4];
                check_loader(a, argv);
                printf("(judged as loaded on top of the live firewall by `%s %s%s%s`)\n", argv[0], argv[1],
                       argv[2] ? " " : "", argv[2] ? argv[2] : "");
        }
        findings_print_text(stdout, views, as->n_findings);
        undecided_print_text(stdout, as);
        for (size_t i = 0; i < n_warnings; i++)
                printf("warning: %s\n", warnings[i]);
        if (v == SG_PREFLIGHT_LOCKOUT)
                fprintf(stderr, "sshguardianctl: %s would cut sshd off: %s\n", a->file, as->findings[reason].statement);
        return sg_preflight_exit_code(v);
}

/* --- check-config ------------------------------------------------------------------ */

static int config_invalid(const CheckArgs *a, const SshdConfig *c) {
        if (a->json) {
                JsonWriter w;
                json_init(&w, stdout, false);
                json_object_begin(&w);
                json_key(&w, "verdict");
                json_string(&w, "invalid");
                json_key(&w, "file");
                json_string(&w, a->file);
                json_key(&w, "errors");
                json_array_begin(&w);
                for (size_t i = 0; i < c->n_errors; i++) {
                        json_object_begin(&w);
                        json_key(&w, "file");
                        if (c->errors[i].file)
                                json_string(&w, c->errors[i].file);
                        else
                                json_null(&w);
                        json_key(&w, "line");
                        if (c->errors[i].file && c->errors[i].line > 0)
                                json_uint(&w, c->errors[i].line);
                        else
                                json_null(&w);
                        json_key(&w, "message");
                        json_string(&w, c->errors[i].message);
                        json_object_end(&w);
                }
                json_array_end(&w);
                json_key(&w, "findings");
                json_array_begin(&w);
                json_array_end(&w);
                json_key(&w, "error");
                json_string(&w, c->n_errors > 0 ? c->errors[0].message : "sshd would refuse the file");
                json_object_end(&w);
                (void) json_finish(&w);
        } else
                printf("%s: invalid: sshd would refuse it\n", a->file);
        for (size_t i = 0; i < c->n_errors; i++) {
                const SshdDiag *e = &c->errors[i];
                FILE *f = a->json ? stderr : stdout;
                if (i > 0 && a->json)
                        break;
                if (e->file && e->line > 0)
                        fprintf(f, "%s%s line %u: %s\n", a->json ? "sshguardianctl: " : "  ", e->file, e->line,
                                e->message);
                else
                        fprintf(f, "%s%s\n", a->json ? "sshguardianctl: " : "  ", e->message);
        }
        return sg_preflight_exit_code(SG_PREFLIGHT_INVALID);
}

/* SELinux's ssh_port_t ports, from `semanage port -l` ("ssh_port_t  tcp
 * 22, 2222"); false when they cannot be read. */
static bool selinux_ssh_ports(uint16_t **ret, size_t *n) {
        CmdResult r;
        uint16_t *p = NULL;
        size_t k = 0;

        if (cmd_run((char *const[]) { (char *) "semanage", (char *) "port", (char *) "-l", NULL }, NULL, 0, &r) < 0)
                return false;
        if (r.status != 0) {
                cmd_result_done(&r);
                return false;
        }
        for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
                char *s;
                if (strncmp(line, "ssh_port_t ", 11) != 0 || !(s = strstr(line, " tcp ")))
                        continue;
                for (s += 5; *s;) {
                        char *end;
                        unsigned long v = strtoul(s, &end, 10);
                        uint16_t *nv;
                        if (end == s) {
                                s++;
                                continue;
                        }
                        s = end;
                        if (v == 0 || v > 65535 || !(nv = reallocarray(p, k + 1, sizeof(uint16_t))))
                                continue;
                        p = nv;
                        p[k++] = (uint16_t) v;
                }
        }
        cmd_result_done(&r);
        *ret = p;
        *n = k;
        return true;
}

int verb_check_config(int argc, char **argv) {
        _cleanup_(conf_donep) SgConfig conf = {};
        _cleanup_(facts_donep) HostFacts facts = {};
        _cleanup_(assessment_donep) SgAssessment as = {};
        _cleanup_(sshd_config_freep) SshdConfig *c = NULL;
        _cleanup_(sg_config_candidate_freep) SgConfigCandidate *cand = NULL;
        _cleanup_free_ uint16_t *selinux_ports = NULL;
        size_t n_selinux_ports = 0;
        bool selinux_known = false;
        SgSnapshot live;
        SgPreflightVerdict v;
        CheckArgs a;
        long reason;
        int r;

        r = check_parse("check-config", false, argc, argv, &a);
        if (r >= 0)
                return r;
        /* the file first: a typo is answered without reading the host */
        if (access(a.file, R_OK) < 0)
                return ctl_fail(a.json, 2, "check-config: cannot read %s: %s", a.file, strerror(errno));
        r = sshd_config_load(a.file, &(SshdConfigOptions) { .resolve_names = true }, &c);
        if (r < 0)
                return ctl_fail(a.json, 4, "check-config: cannot read %s: %s", a.file, strerror(-r));
        if (c->budget_exceeded)
                return ctl_fail(a.json, 4, "check-config: cannot tell what sshd makes of %s: %s", a.file,
                                c->undecided);
        if (!c->valid)
                return config_invalid(&a, c);

        r = check_gather("check-config", &a, &conf, &facts);
        if (r >= 0)
                return r;
        if (facts.tools.selinux)
                selinux_known = selinux_ssh_ports(&selinux_ports, &n_selinux_ports);
        live = facts_snapshot(&facts);
        r = sg_preflight_config(&live, c, &(SgPreflightConfigOptions) {
                        .selinux_ssh_ports = selinux_ports, .n_selinux_ssh_ports = n_selinux_ports,
                        .selinux_known = selinux_known, .path = a.file }, &cand);
        if (r >= 0)
                r = sg_assess(&cand->snapshot, &(SgAssessOptions) { .ignore_source_bans = conf.ignore_source_bans },
                              &as);
        if (r >= 0)
                r = sg_preflight_config_merge(cand, &as);
        if (r < 0)
                return ctl_fail(a.json, 4, "check-config: out of memory");
        v = sg_preflight_verdict(&as, &reason);
        if (facts.tools.selinux && !selinux_known &&
            strv_push_copy(&cand->warnings, &cand->n_warnings, "SELinux is enabled, but its ssh_port_t ports could "
                           "not be read (`semanage port -l`): a port it does not allow sshd is not judged") < 0)
                return ctl_fail(a.json, 4, "check-config: out of memory");
        return check_print(&a, &as, v, reason, cand->snapshot.expected_ports, cand->snapshot.n_expected_ports,
                           cand->warnings, cand->n_warnings);
}

/* --- check-ruleset: the private namespace ------------------------------------------------- */

/* Text of `nft list ruleset` split into its top-level `table` blocks. */
static const char *table_block(const char *text, const char *family, const char *name, size_t *len) {
        char head[512];
        const char *p = text;
        size_t n = (size_t) snprintf(head, sizeof(head), "table %s %s {", family, name);

        for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (strncmp(p, head, n) == 0) {
                        const char *end = strstr(p, "\n}");
                        *len = end ? (size_t) (end - p) + 2 : strlen(p);
                        return p;
                }
        return NULL;
}

static int ns_step(const char *what, char *const *argv, const char *input, size_t len, char **error) {
        CmdResult r;
        int k = cmd_run(argv, input, len, &r);

        if (k < 0)
                return asprintf(error, "%s: %s", what, strerror(-k)) < 0 ? -ENOMEM : k;
        if (r.status != 0) {
                k = asprintf(error, "%s: %s", what, cmd_words(&r)) < 0 ? -ENOMEM : -EPROTO;
                cmd_result_done(&r);
                return k;
        }
        cmd_result_done(&r);
        return 0;
}

/* Appends TEXT to BUF. */
static int buf_add(char **buf, size_t *len, const char *text, size_t n) {
        char *nb = realloc(*buf, *len + n + 2);

        if (!nb)
                return -ENOMEM;
        memcpy(nb + *len, text, n);
        *len += n;
        nb[(*len)++] = '\n';
        nb[*len] = '\0';
        *buf = nb;
        return 0;
}

/* The live firewall as text the tools re-read, captured in the host's
 * namespace: runs of nftables tables (nft), iptables-nft tables
 * (iptables-nft-save, per table), iptables-legacy (both families), ipset. */
typedef struct CopyStep {
        char *argv[5];
        char *input;
        size_t len;
        const char *what;
} CopyStep;

typedef struct LiveCopy {
        CopyStep *steps;
        size_t n;
} LiveCopy;

static void live_copy_done(LiveCopy *c) {
        for (size_t i = 0; i < c->n; i++) {
                free(c->steps[i].input);
                for (size_t k = 0; c->steps[i].argv[k]; k++)
                        free(c->steps[i].argv[k]);
        }
        free(c->steps);
        *c = (LiveCopy) {};
}

static CopyStep *live_copy_step(LiveCopy *c, const char *what, const char *a0, const char *a1, const char *a2) {
        CopyStep *nv = reallocarray(c->steps, c->n + 1, sizeof(CopyStep));
        CopyStep *s;

        if (!nv)
                return NULL;
        c->steps = nv;
        s = &nv[c->n++];
        *s = (CopyStep) { .what = what };
        s->argv[0] = strdup(a0);
        s->argv[1] = a1 ? strdup(a1) : NULL;
        s->argv[2] = a1 && a2 ? strdup(a2) : NULL;
        if (!s->argv[0] || (a1 && !s->argv[1]) || (a1 && a2 && !s->argv[2]))
                return NULL;
        return s;
}

/* Captures what LIVE_RS (the host's, legacy tables joined) holds. */
static int live_copy_capture(const NftRuleset *rs, LiveCopy *copy, char **error) {
        CmdResult list = {}, r = {};
        bool legacy[2] = {};
        int k;

        k = cmd_run((char *const[]) { (char *) "nft", (char *) "list", (char *) "ruleset", NULL }, NULL, 0, &list);
        if (k < 0 || list.status != 0) {
                k = asprintf(error, "nft list ruleset: %s", k < 0 ? strerror(-k) : cmd_words(&list)) < 0 ? -ENOMEM
                                                                                                       : -EPROTO;
                cmd_result_done(&list);
                return k;
        }
        /* ipset first: iptables rules name its sets */
        if (cmd_run((char *const[]) { (char *) "ipset", (char *) "save", NULL }, NULL, 0, &r) >= 0 && r.status == 0 &&
            r.out[0]) {
                CopyStep *s = live_copy_step(copy, "ipset restore", "ipset", "restore", NULL);
                if (!s)
                        goto oom;
                s->input = TAKE_PTR(r.out);
                s->len = strlen(s->input);
        }
        cmd_result_done(&r);
        /* in the order the tables were made (their hooks run in that order
         * at equal priority) */
        for (size_t i = 0; i < rs->n_tables; i++) {
                const NftTable *t = &rs->tables[i];
                const char *fam = nft_family_name(t->family);
                CopyStep *s = copy->n > 0 ? &copy->steps[copy->n - 1] : NULL;
                const char *block;
                size_t len = 0;

                if (t->legacy) {
                        legacy[t->family == NFPROTO_IPV6] = true;
                        continue;
                }
                if (sg_preflight_table_needs_xtables(rs, t) &&
                    (t->family == NFPROTO_IPV4 || t->family == NFPROTO_IPV6)) {
                        const char *save = t->family == NFPROTO_IPV6 ? "ip6tables-nft-save" : "iptables-nft-save";
                        k = cmd_run((char *const[]) { (char *) save, (char *) "-t", t->name, NULL }, NULL, 0, &r);
                        if (k >= 0 && r.status == 0 && !strstr(r.out, "incompatible")) {
                                s = live_copy_step(copy, "copying an iptables-nft table",
                                                   t->family == NFPROTO_IPV6 ? "ip6tables-nft-restore"
                                                                             : "iptables-nft-restore", NULL, NULL);
                                if (!s)
                                        goto oom;
                                s->input = TAKE_PTR(r.out);
                                s->len = strlen(s->input);
                                cmd_result_done(&r);
                                continue;
                        }
                        cmd_result_done(&r);
                        /* not iptables' to print: nft's text it is */
                }
                block = table_block(list.out, fam, t->name, &len);
                if (!block) {
                        k = asprintf(error, "nft list ruleset does not show table %s %s", fam, t->name) < 0 ? -ENOMEM
                                                                                                         : -EPROTO;
                        cmd_result_done(&list);
                        return k;
                }
                if (!s || strcmp(s->argv[0], "nft") != 0) {
                        s = live_copy_step(copy, "copying the live nftables ruleset", "nft", "-f", "-");
                        if (!s)
                                goto oom;
                }
                if (buf_add(&s->input, &s->len, block, len) < 0)
                        goto oom;
        }
        cmd_result_done(&list);
        for (int f = 0; f < 2; f++) {
                CopyStep *s;
                if (!legacy[f])
                        continue;
                k = cmd_run((char *const[]) { (char *) (f ? "ip6tables-legacy-save" : "iptables-legacy-save"), NULL },
                            NULL, 0, &r);
                if (k < 0 || r.status != 0) {
                        k = asprintf(error, "%s: %s", f ? "ip6tables-legacy-save" : "iptables-legacy-save",
                                     k < 0 ? strerror(-k) : cmd_words(&r)) < 0 ? -ENOMEM : -EPROTO;
                        cmd_result_done(&r);
                        return k;
                }
                s = live_copy_step(copy, "copying iptables-legacy",
                                   f ? "ip6tables-legacy-restore" : "iptables-legacy-restore", NULL, NULL);
                if (!s)
                        goto oom;
                s->input = TAKE_PTR(r.out);
                s->len = strlen(s->input);
                cmd_result_done(&r);
        }
        return 0;
oom:
        cmd_result_done(&list);
        cmd_result_done(&r);
        return -ENOMEM;
}

/* The host's interfaces, by name and index, in the private namespace:
 * a netdev chain or flowtable needs its device to exist, and `iif eth0`
 * is loaded as eth0's index.  veth pairs (the dummy type is not built on
 * every kernel); the peer gets an index far from any of the host's. */
static int ns_interfaces(const HostFacts *f, char **error) {
        _cleanup_free_ char *batch = NULL;
        size_t len = 0;
        int k;

        for (size_t i = 0; i < f->n_interfaces; i++) {
                const SgInterface *ifc = &f->interfaces[i];
                char line[128];
                int n;
                if (ifc->loopback || ifc->ifindex == 0)
                        continue;
                n = snprintf(line, sizeof(line), "link add name %s index %u type veth peer name sgpf%zu index %zu",
                             ifc->name, ifc->ifindex, i, (size_t) 0x7ff00000 + i);
                if (n < 0 || (size_t) n >= sizeof(line) || buf_add(&batch, &len, line, (size_t) n) < 0)
                        return -ENOMEM;
        }
        k = ns_step("the host's interfaces", (char *const[]) { (char *) "ip", (char *) "link", (char *) "set",
                                                               (char *) "lo", (char *) "up", NULL }, NULL, 0, error);
        if (k < 0 || !batch)
                return k;
        return ns_step("the host's interfaces", (char *const[]) { (char *) "ip", (char *) "-batch", (char *) "-", NULL },
                       batch, len, error);
}

/* Where the check-ruleset's answer comes from.  INVALID: the file is
 * refused by its tool (ERROR holds the tool's words). */
typedef enum LoadOutcome {
        LOAD_OK,
        LOAD_INVALID,
} LoadOutcome;

/* In a private network namespace (this process enters it; nothing else
 * holds it, so it is gone when the process is): the live copy, then the
 * file; *COPY and *AFTER read back there.  Stays in that namespace: the
 * judgement's set look-ups must be asked there too. */
static int ns_load(const HostFacts *f, const LiveCopy *live, const CheckArgs *a, NftRuleset **copy,
                   NftRuleset **after, LoadOutcome *outcome, char **error) {
        char *apply[4] = {};
        CmdResult r;
        int k;

        if (unshare(CLONE_NEWNET) < 0)
                return asprintf(error, "cannot create a private network namespace: %s", strerror(errno)) < 0 ? -ENOMEM
                                                                                                          : -errno;
        k = ns_interfaces(f, error);
        if (k < 0)
                return k;
        for (size_t i = 0; i < live->n; i++) {
                k = ns_step(live->steps[i].what, live->steps[i].argv, live->steps[i].input, live->steps[i].len, error);
                if (k < 0)
                        return k;
        }
        k = nft_ruleset_read(copy);
        if (k < 0)
                return asprintf(error, "cannot read the copy of the live ruleset: %s", strerror(-k)) < 0 ? -ENOMEM : k;

        check_loader(a, apply);
        k = cmd_run(apply, NULL, 0, &r);
        if (k < 0)
                return asprintf(error, "%s: %s", apply[0], strerror(-k)) < 0 ? -ENOMEM : k;
        if (r.status != 0) {
                *outcome = LOAD_INVALID;
                k = asprintf(error, "%s", cmd_words(&r)) < 0 ? -ENOMEM : 0;
                if (k == 0 && !(*error)[0]) {
                        free(*error);
                        k = asprintf(error, "%s exited with status %d", apply[0], r.status) < 0 ? -ENOMEM : 0;
                }
                cmd_result_done(&r);
                return k;
        }
        cmd_result_done(&r);
        k = nft_ruleset_read(after);
        if (k < 0)
                return asprintf(error, "cannot read the ruleset back: %s", strerror(-k)) < 0 ? -ENOMEM : k;
        *outcome = LOAD_OK;
        return 0;
}

/* An iptables-save file of IPv6: "# Generated by ip6tables-save", ICMPv6,
 * or an IPv6 address after -s or -d. */
static bool iptables_file_is_ipv6(const char *text) {
        static const char *const opts[] = { " -s ", " -d ", " --source ", " --destination " };

        if (strstr(text, "ip6tables-save") || strstr(text, "icmpv6") || strstr(text, "ipv6-icmp"))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(opts); i++)
                for (const char *p = strstr(text, opts[i]); p; p = strstr(p + 1, opts[i])) {
                        const char *v = p + strlen(opts[i]);
                        if (strcspn(v, ":") < strcspn(v, " \n"))
                                return true;
                }
        return false;
}

/* Adds where in FILE each finding's rule comes from: evidence
 * "file_line" (an extension of the journal fields). */
static int findings_add_lines(SgAssessment *as, const NftRuleset *rs, const CheckArgs *a, const char *text,
                              size_t len) {
        for (size_t i = 0; i < as->n_findings; i++) {
                SgFinding *f = &as->findings[i];
                const char *handle = sg_finding_get(f, "rule_handle");
                SgRuleRef ref = {
                        .family = sg_finding_get(f, "rule_family"),
                        .table = sg_finding_get(f, "rule_table"),
                        .chain = sg_finding_get(f, "rule_chain"),
                        .text = handle && handle[0] ? sg_finding_get(f, "rule") : NULL,
                };
                unsigned line;
                SgEvidence *nv;
                char *k, *v;

                if (!ref.family || !ref.table || !ref.chain || !handle)
                        continue;
                if (strcmp(a->format, "nft") == 0)
                        line = sg_preflight_nft_line(text, len, &ref);
                else {
                        if (ref.text)
                                ref.position = sg_preflight_rule_position(rs, ref.family, ref.table, ref.chain,
                                                                          strtoull(handle, NULL, 10));
                        line = sg_preflight_iptables_line(text, len, &ref);
                }
                if (line == 0)
                        continue;
                nv = reallocarray(f->evidence, f->n_evidence + 1, sizeof(SgEvidence));
                if (!nv)
                        return -ENOMEM;
                f->evidence = nv;
                k = strdup("file_line");
                if (!k || asprintf(&v, "%s:%u", a->file, line) < 0) {
                        free(k);
                        return -ENOMEM;
                }
                nv[f->n_evidence++] = (SgEvidence) { .key = k, .value = v };
        }
        return 0;
}

int verb_check_ruleset(int argc, char **argv) {
        _cleanup_(conf_donep) SgConfig conf = {};
        _cleanup_(facts_donep) HostFacts facts = {};
        _cleanup_(facts_donep) HostFacts cand = {};
        _cleanup_(assessment_donep) SgAssessment as = {};
        _cleanup_(nft_ruleset_freep) NftRuleset *copy = NULL;
        _cleanup_(nft_ruleset_freep) NftRuleset *after = NULL;
        _cleanup_free_ char *text = NULL, *error = NULL;
        _cleanup_close_ int host_ns = -1;
        LiveCopy live = {};
        LoadOutcome outcome = LOAD_OK;
        SgPreflightVerdict v;
        SgSnapshot snap;
        CheckArgs a;
        size_t len = 0;
        long reason;
        int r;

        r = check_parse("check-ruleset", true, argc, argv, &a);
        if (r >= 0)
                return r;
        r = read_file(a.file, &text, &len);
        if (r < 0)
                return ctl_fail(a.json, 2, "check-ruleset: cannot read %s: %s", a.file, strerror(-r));
        if (strcmp(a.format, "iptables") == 0 && iptables_file_is_ipv6(text))
                a.format = "ip6tables";
        r = check_gather("check-ruleset", &a, &conf, &facts);
        if (r >= 0)
                return r;
        r = live_copy_capture(facts.ruleset, &live, &error);
        if (r < 0) {
                live_copy_done(&live);
                return ctl_fail(a.json, 4, "check-ruleset: cannot copy the live firewall: %s",
                                error ? error : strerror(-r));
        }
        host_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (host_ns < 0) {
                live_copy_done(&live);
                return ctl_fail(a.json, 4, "check-ruleset: cannot open this network namespace: %s", strerror(errno));
        }
        r = ns_load(&facts, &live, &a, &copy, &after, &outcome, &error);
        live_copy_done(&live);
        if (r < 0) {
                (void) setns(host_ns, CLONE_NEWNET);
                return ctl_fail(a.json, 4, "check-ruleset: %s", error ? error : strerror(-r));
        }
        if (outcome == LOAD_INVALID) {
                (void) setns(host_ns, CLONE_NEWNET);
                if (a.json) {
                        JsonWriter w;
                        json_init(&w, stdout, false);
                        json_object_begin(&w);
                        json_key(&w, "verdict");
                        json_string(&w, "invalid");
                        json_key(&w, "file");
                        json_string(&w, a.file);
                        loader_json(&w, &a);
                        json_key(&w, "findings");
                        json_array_begin(&w);
                        json_array_end(&w);
                        json_key(&w, "error");
                        json_string(&w, error);
                        json_object_end(&w);
                        (void) json_finish(&w);
                } else
                {
                        char *loader[4];
                        check_loader(&a, loader);
                        printf("%s: invalid: %s refuses it:\n%s\n", a.file, loader[0], error);
                }
                fprintf(stderr, "sshguardianctl: %s is invalid\n", a.file);
                return sg_preflight_exit_code(SG_PREFLIGHT_INVALID);
        }
        (void) sg_preflight_map_handles(after, copy, facts.ruleset);
        /* iptables-legacy's tables, as the file left them, joined in; set
         * and ipset look-ups asked of this namespace */
        (void) facts_read_firewall(&cand, TAKE_PTR(after));
        snap = facts_snapshot(&facts);
        snap.firewall_input = &cand.firewall;
        r = sg_assess(&snap, &(SgAssessOptions) { .ignore_source_bans = conf.ignore_source_bans }, &as);
        if (r >= 0) {
                sg_preflight_keep_firewall(&as);
                r = findings_add_lines(&as, cand.ruleset, &a, text, len);
        }
        (void) setns(host_ns, CLONE_NEWNET);
        if (r < 0)
                return ctl_fail(a.json, 4, "check-ruleset: out of memory");
        v = sg_preflight_verdict(&as, &reason);
        return check_print(&a, &as, v, reason, facts.ports, facts.n_ports, NULL, 0);
}

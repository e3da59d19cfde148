/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

#include "print-findings.h"

int finding_views_from_findings(const SgFinding *f, size_t n, FindingView **ret) {
        /* one element at least: calloc(0) may return NULL */
        FindingView *v = calloc(n ? n : 1, sizeof(FindingView));

        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                v[i] = (FindingView) {
                        .cause = sg_cause_to_string(f[i].cause),
                        .message = f[i].message,
                        .evidence = f[i].evidence,
                        .n_evidence = f[i].n_evidence,
                        .unreachable_known = true,
                        .unreachable = f[i].unreachable,
                };
        *ret = v;
        return 0;
}

void findings_print_text(FILE *out, const FindingView *v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                fprintf(out, "%s: %s\n", v[i].cause, v[i].message);
                for (size_t j = 0; j < v[i].n_evidence; j++)
                        fprintf(out, "  %s=%s\n", v[i].evidence[j].key, v[i].evidence[j].value);
        }
}

void findings_json(JsonWriter *w, const FindingView *v, size_t n) {
        json_key(w, "findings");
        json_array_begin(w);
        for (size_t i = 0; i < n; i++) {
                json_object_begin(w);
                json_key(w, "cause");
                json_string(w, v[i].cause);
                json_key(w, "state");
                json_string(w, "problem");
                json_key(w, "message");
                json_string(w, v[i].message);
                if (v[i].unreachable_known) {
                        json_key(w, "unreachable");
                        json_bool(w, v[i].unreachable);
                }
                json_key(w, "evidence");
                json_object_begin(w);
                for (size_t j = 0; j < v[i].n_evidence; j++) {
                        json_key(w, v[i].evidence[j].key);
                        json_string(w, v[i].evidence[j].value);
                }
                json_object_end(w);
                json_object_end(w);
        }
        json_array_end(w);
}

int findings_healthy_line(const uint16_t *ports, size_t n_ports, char **ret) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return -ENOMEM;
        fprintf(f, "healthy: nothing keeps new connections from sshd on port%s", n_ports > 1 ? "s" : "");
        for (size_t i = 0; i < n_ports; i++)
                fprintf(f, " %u", ports[i]);
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

void undecided_print_text(FILE *out, const SgAssessment *a) {
        for (size_t i = 0; i < a->firewall.n_undecided; i++)
                fprintf(out, "cannot tell whether the firewall lets new connections through: %s\n",
                        a->firewall.undecided[i]);
}

void undecided_json(JsonWriter *w, const SgAssessment *a) {
        json_key(w, "undecided");
        json_array_begin(w);
        for (size_t i = 0; i < a->firewall.n_undecided; i++)
                json_string(w, a->firewall.undecided[i]);
        json_array_end(w);
}

static const char *answered_text(const char *by) {
        if (strcmp(by, "sshguardiand") == 0)
                return "answered by sshguardiand (its judgement, kept current from the kernel's and systemd's "
                       "notifications)";
        return "answered by sshguardianctl (its own read of this host)";
}

int audit_report_write(FILE *out, const SgAssessment *a, const uint16_t *ports, size_t n_ports, bool have_units,
                       bool json, const char *answered_by) {
        _cleanup_free_ FindingView *views = NULL;
        int ret = a->n_findings > 0 ? AUDIT_PROBLEM : a->uncertain ? AUDIT_UNCERTAIN : AUDIT_HEALTHY;

        if (finding_views_from_findings(a->findings, a->n_findings, &views) < 0)
                return -ENOMEM;
        if (json) {
                JsonWriter w;
                json_init(&w, out, false);
                json_object_begin(&w);
                json_key(&w, "answered_by");
                json_string(&w, answered_by);
                json_key(&w, "healthy");
                /* never "healthy" while a verdict it needed is unknown */
                if (a->healthy && a->uncertain)
                        json_null(&w);
                else
                        json_bool(&w, a->healthy);
                json_key(&w, "expected_ports");
                json_array_begin(&w);
                for (size_t i = 0; i < n_ports; i++)
                        json_uint(&w, ports[i]);
                json_array_end(&w);
                json_key(&w, "systemd");
                json_bool(&w, have_units);
                findings_json(&w, views, a->n_findings);
                undecided_json(&w, a);
                json_object_end(&w);
                return json_finish(&w) < 0 ? -EIO : ret;
        }
        if (!have_units)
                fprintf(out, "(no systemd on this system bus: sshd's units are not judged)\n");
        if (a->n_findings == 0 && !a->uncertain) {
                _cleanup_free_ char *line = NULL;
                if (findings_healthy_line(ports, n_ports, &line) < 0)
                        return -ENOMEM;
                fprintf(out, "%s\n", line);
        }
        findings_print_text(out, views, a->n_findings);
        undecided_print_text(out, a);
        fprintf(out, "%s\n", answered_text(answered_by));
        return fflush(out) == 0 && !ferror(out) ? ret : -EIO;
}

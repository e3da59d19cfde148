/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>

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

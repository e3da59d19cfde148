/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "findings.h"

const char *sg_finding_get(const SgFinding *f, const char *key) {
        for (size_t i = 0; i < f->n_evidence; i++)
                if (strcmp(f->evidence[i].key, key) == 0)
                        return f->evidence[i].value;
        return NULL;
}

void sg_finding_done(SgFinding *f) {
        free(f->message);
        free(f->statement);
        for (size_t j = 0; j < f->n_evidence; j++) {
                free(f->evidence[j].key);
                free(f->evidence[j].value);
        }
        free(f->evidence);
        *f = (SgFinding) {};
}

void sg_findings_free(SgFinding *f, size_t n) {
        for (size_t i = 0; i < n; i++)
                sg_finding_done(&f[i]);
        free(f);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Open problems as sshguardianctl prints them.  `audit` (the engine's
 * findings, judged here) and `status` (the daemon's Findings property)
 * print the same lines and the same JSON for the same findings; both go
 * through these printers so that they cannot drift apart.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diagnose.h"
#include "json.h"

/* One finding, wherever it was read; points into its owner's storage. */
typedef struct FindingView {
        const char *cause;              /* DESIGN.md's code, printed as it comes (even one this client does not know) */
        const char *message;
        const SgEvidence *evidence;
        size_t n_evidence;
        /* the engine says; the daemon's Findings (a(ssa{ss})) do not
         * carry it, and then the JSON leaves the key out */
        bool unreachable_known;
        bool unreachable;
} FindingView;

/* Views of the engine's findings F, for the printers.  *ret is freed by
 * the caller (free()), the views point into F. */
int finding_views_from_findings(const SgFinding *f, size_t n, FindingView **ret);

/* "cause: message", then "  key=value" for each piece of evidence. */
void findings_print_text(FILE *out, const FindingView *v, size_t n);
/* The member "findings": [{"cause", "state": "problem", "message",
 * ["unreachable",] "evidence": {key: value}}] of the object being written. */
void findings_json(JsonWriter *w, const FindingView *v, size_t n);

/* "healthy: nothing keeps new connections from sshd on port 22" (ports
 * listed after "ports" when more than one): the line that stands for no
 * findings, without a newline.  Returns 0 or -ENOMEM. */
int findings_healthy_line(const uint16_t *ports, size_t n_ports, char **ret);

/* What the assessment could not tell (a firewall verdict that stays
 * unknown): "cannot tell whether ...: port 22, IPv4: <why> (at ...)"
 * lines, and the member "undecided": ["port 22, IPv4: ..."]. */
void undecided_print_text(FILE *out, const SgAssessment *a);
void undecided_json(JsonWriter *w, const SgAssessment *a);

/* `sshguardianctl audit`'s exit statuses (sshguardianctl(1)). */
enum {
        AUDIT_HEALTHY = 0,
        AUDIT_PROBLEM = 1,
        AUDIT_USAGE = 2,
        AUDIT_UNCERTAIN = 4,            /* nothing found, but a verdict it needed is unknown */
};

/* The whole answer of `audit` for assessment A (the engine's, or the
 * daemon's kept state) to OUT, as text or as one JSON object; ANSWERED_BY
 * names who judged ("sshguardiand", "sshguardianctl"): the JSON member
 * "answered_by", the text's last line.  Returns the exit status, or
 * -ENOMEM / -EIO. */
int audit_report_write(FILE *out, const SgAssessment *a, const uint16_t *ports, size_t n_ports, bool have_units,
                       bool json, const char *answered_by);

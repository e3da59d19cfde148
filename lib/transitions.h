/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * From one audit to the next: which problems opened and which were
 * resolved, so that the journal gets ONE entry per transition, and so that
 * a problem that flaps (a crash loop, a rule added and removed by a script)
 * does not flood it: past a burst of transitions within an interval, the
 * transitions of that problem are held back and summarised once the
 * interval has passed.  An open problem whose unit outcome changes (its
 * "unit_result": exit-code, then start-limit-hit) gets a PROBLEM entry
 * again.  Pure: time comes in as an argument.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diagnose.h"

typedef enum SgTransitionKind {
        SG_TRANSITION_PROBLEM,          /* opened */
        SG_TRANSITION_RESOLVED,         /* gone */
        SG_TRANSITION_FLAPPING,         /* from now on held back: it changed too often */
        SG_TRANSITION_SUMMARY,          /* the held-back transitions, counted, and the state now */
} SgTransitionKind;

typedef struct SgTransition {
        SgTransitionKind kind;
        SgFinding finding;              /* owned copy: the new one, or the resolved one as it was */
        bool open;                      /* SUMMARY: whether the problem is open now */
        unsigned held_back;             /* SUMMARY: transitions not written */
} SgTransition;

typedef struct SgTracker SgTracker;

/* INTERVAL_USEC and BURST as sshguardian.conf's RateLimitIntervalSec= and
 * RateLimitBurst=; an interval of 0 turns coalescing off. */
int sg_tracker_new(uint64_t interval_usec, unsigned burst, SgTracker **ret);
SgTracker *sg_tracker_free(SgTracker *t);
/* New limits (a reload of sshguardian.conf); the open problems stay open,
 * and a spell of flapping under way is judged by them from now on. */
void sg_tracker_set_limits(SgTracker *t, uint64_t interval_usec, unsigned burst);

/* The transitions from the open problems to FINDINGS, at NOW_USEC
 * (monotonic).  Call with the same findings and a later time to collect
 * summaries that are due.  *ret is an array of *n to free with
 * sg_transitions_free(). */
int sg_tracker_update(SgTracker *t, const SgFinding *findings, size_t n, uint64_t now_usec, SgTransition **ret,
                      size_t *n_ret);
void sg_transitions_free(SgTransition *v, size_t n);

/* When the earliest summary of a flapping problem is due (monotonic
 * usec), for a timer to call sg_tracker_update() then; 0: none is. */
uint64_t sg_tracker_next_due(const SgTracker *t);

/* Problems reported open before (by this daemon before it was killed or
 * restarted): taken as open, with no transition of their own, so that the
 * next update writes nothing for those still open and RESOLVED for those
 * gone.  Returns 0 or -ENOMEM. */
int sg_tracker_restore(SgTracker *t, const SgFinding *open, size_t n, uint64_t now_usec);

/* The open problems, as of the last update. */
size_t sg_tracker_open(SgTracker *t, const SgFinding **ret);

/* What makes two findings the same problem: the cause and the evidence
 * that locates it (unit, port, family, rule, interface, configuration
 * line) -- not its wording, not counters.  A malloc()ed string. */
char *sg_finding_identity(const SgFinding *f);

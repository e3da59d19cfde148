/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The root-cause engine: a pure function from a snapshot of facts (sshd's
 * units, its last log lines, its configuration on disk and as it runs, the
 * listening sockets, the interfaces, the firewall's verdicts) to the open
 * problems, one finding each, with the cause code, the evidence and the fix
 * DESIGN.md lists.  No I/O: the daemon and `sshguardianctl audit` gather
 * the facts.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "facts.h"
#include "findings.h"
#include "verdict.h"



/* The unit is between two settled states and says nothing yet: a job of
 * systemd under way (a restart stops, then starts: inactive in between),
 * activating or deactivating, or failed/auto-restart with Result=success
 * (read while a new start began).  Waiting to restart after a failure
 * (auto-restart) is settled: it failed.  The daemon and `audit` wait for
 * the next settled state before judging. */
bool sg_unit_between_states(const SgUnitFacts *u);

/* L is sshd's socket: the service's main process or its cgroup, systemd's
 * socket unit (SOCKET_MODE), a process named sshd, or one whose owner
 * could not be found out while sshd runs (never "another process" without
 * evidence). */
bool sg_listener_is_sshd(const SgListener *l, const SgUnitFacts *svc, bool socket_mode);

/* socket-mismatch was open in BEFORE, and NOW sshd runs without its
 * socket on other ports than those expected: the fix it printed was
 * applied, and the expected ports are to be learned again (as Reload()
 * would) rather than a port-changed reported for the move it advised. */
bool sg_advised_move_applied(const SgFinding *before, size_t n_before, const SgFinding *now, size_t n_now);

/* The open problems, root causes first.  Returns 0 or -ENOMEM. */
int sg_diagnose(const SgSnapshot *s, SgFinding **ret, size_t *n);

/* The whole judgement of a snapshot, for every view (the daemon's
 * entries and D-Bus properties, `audit`, `status`): the firewall judged
 * from s->firewall_input (firewall/verdict.h) unless s->firewall is
 * given, then sg_diagnose(). */
typedef struct SgAssessment {
        SgFinding *findings;
        size_t n_findings;
        /* the firewall's judgements the findings were made from (the
         * daemon keeps them: SgFirewallHistory), and what it could not
         * tell */
        FwJudgements firewall;
        /* the firewall could not be read (negative errno), 0 it was */
        int firewall_error;
        /* no finding leaves sshd unreachable for a family, an interface or
         * all sources (source bans and rate limits do not) */
        bool healthy;
        /* healthy, but a verdict it needed is unknown: firewall.undecided
         * or firewall_error says which and why */
        bool uncertain;
} SgAssessment;

typedef struct SgAssessOptions {
        bool ignore_source_bans;        /* IgnoreSourceBans=yes: bans of some sources are not findings */
} SgAssessOptions;

int sg_assess(const SgSnapshot *s, const SgAssessOptions *o, SgAssessment *ret);
void sg_assessment_done(SgAssessment *a);

/* The ports that must stay reachable (DESIGN.md): CONFIGURED (Ports= of
 * sshguardian.conf) when there are any; else the ports sshd listens on
 * (sockets of SVC's main pid, or of a process named sshd); else those its
 * configuration C names; else 22.  *ret is malloc()ed. */
int sg_expected_ports(const uint16_t *configured, size_t n_configured, const SgListener *l, size_t n_l,
                      const SgUnitFacts *svc, const SshdConfig *c, uint16_t **ret, size_t *n);

/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Pre-flight: would a change the administrator is about to make cut sshd
 * off?  Each question is the engine's own (diagnose.h) asked of a
 * snapshot in which one fact is replaced by the candidate:
 *
 *   check-config   the snapshot sshd would leave after a restart with a
 *                  candidate sshd_config: its listening sockets those of
 *                  the candidate it could bind, the configuration it runs
 *                  the candidate, the expected ports the candidate's;
 *   check-ruleset  the snapshot with the firewall as it would be after
 *                  loading the file (read back by the caller from a private
 *                  network namespace; handles translated to the live
 *                  ruleset's by sg_preflight_map_handles()).
 *
 * Pure, like the engine: the caller gathers the live facts and loads the
 * candidate.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diagnose.h"
#include "facts.h"
#include "findings.h"
#include "nft-ruleset.h"
#include "sshdconf.h"

typedef enum SgPreflightVerdict {
        SG_PREFLIGHT_SAFE,              /* exit 0 */
        SG_PREFLIGHT_LOCKOUT,           /* exit 1 */
        SG_PREFLIGHT_INVALID,           /* exit 2: the file itself is refused */
        SG_PREFLIGHT_UNDECIDED,         /* exit 4: a verdict it needed cannot be told */
} SgPreflightVerdict;

/* "safe", "lockout", "invalid", "undecided" */
const char *sg_preflight_verdict_to_string(SgPreflightVerdict v);
/* 0, 1, 2, 4 */
int sg_preflight_exit_code(SgPreflightVerdict v);

/* --- check-config ------------------------------------------------------------ */

typedef struct SgPreflightConfigOptions {
        /* SELinux is enforcing its port labels (SgHostTools.selinux): the
         * ports labelled ssh_port_t, the only ones sshd may bind; NULL with
         * selinux_known false: not known, not judged */
        const uint16_t *selinux_ssh_ports;
        size_t n_selinux_ssh_ports;
        bool selinux_known;
        /* the candidate's path as the administrator named it (messages) */
        const char *path;
} SgPreflightConfigOptions;

/* The host after `systemctl restart` of sshd with the candidate. */
typedef struct SgConfigCandidate {
        SgSnapshot snapshot;            /* what the engine judges; points into this and the live snapshot */
        SgUnitFacts *units;             /* sshd's service as restarted (copies of the live units) */
        SgListener *listeners;
        uint16_t *ports;                /* the expected ports: the candidate's */
        char **sshd_log;                /* sshd's words when no bind succeeds */
        /* sshd would not start at all: it binds none of its addresses
         * ("Cannot bind any address.") */
        bool starts;
        /* findings the engine cannot see in the snapshot: a bind SELinux
         * refuses while others succeed; no bind at all where no systemd
         * reports the failure */
        SgFinding *findings;
        size_t n_findings;
        /* what the administrator should know but does not cut sshd off:
         * "port 22, expected today, is not in the candidate: ..." */
        char **warnings;
        size_t n_warnings;
} SgConfigCandidate;

/* The snapshot sshd would leave after a restart with CANDIDATE (valid),
 * from LIVE: today's sockets of sshd go, the candidate's listen endpoints
 * are bound as the kernel would let them be (not one already held by
 * another program for that family and address, not an address no
 * interface has, not a port SELinux does not label ssh_port_t); under
 * socket activation the socket unit's sockets stay what they are.  The
 * unit is active unless no bind succeeds (then failed, sshd's own words in
 * the log: the engine's start-failure causes).  Returns 0 or -ENOMEM. */
int sg_preflight_config(const SgSnapshot *live, const SshdConfig *candidate, const SgPreflightConfigOptions *o,
                        SgConfigCandidate **ret);
SgConfigCandidate *sg_config_candidate_free(SgConfigCandidate *c);
static inline void sg_config_candidate_freep(SgConfigCandidate **c) {
        sg_config_candidate_free(*c);
}

/* Appends the candidate's own findings to the assessment of its
 * snapshot, root causes (its own) first.  Returns 0 or -ENOMEM. */
int sg_preflight_config_merge(SgConfigCandidate *c, SgAssessment *a);

/* --- check-ruleset ------------------------------------------------------------ */

/* Keeps the firewall's findings (firewall-drop, firewall-reject) of A,
 * freeing the others: what the ruleset decides. */
void sg_preflight_keep_firewall(SgAssessment *a);

/* A table iptables-nft made with x_tables extensions in it (opaque xt
 * match/target expressions): `nft list` prints a translation that nft
 * would load as different expressions, or not at all; such a table is
 * copied with iptables-nft-save and -restore instead. */
bool sg_preflight_table_needs_xtables(const NftRuleset *rs, const NftTable *t);

/* AFTER is the candidate ruleset read in the private namespace, COPY the
 * live ruleset as it was loaded there before the file (same namespace),
 * LIVE the host's own.  Handles are the kernel's per table and differ in
 * the copy: each rule of AFTER that the copy had gets the handle of the
 * same rule (table, chain, position, text) in LIVE; a rule the file added
 * to a table LIVE has gets the handle the kernel would give it there (the
 * next ones after LIVE's highest, in the order they were added); rules of
 * tables the file creates keep theirs (a new table counts from 1 in both).
 * Legacy (x_tables) tables are left alone (their "handles" are positions).
 * Returns how many rules could not be told (left as they are). */
size_t sg_preflight_map_handles(NftRuleset *after, const NftRuleset *copy, const NftRuleset *live);

/* The line of FILE (its text, LEN bytes) that makes the rule or policy a
 * finding names, or 0 when it cannot be told.
 *   nft:      a line whose statement, as written in a `chain` block of
 *             that table or after `add|insert rule FAMILY TABLE CHAIN`, is
 *             the rule's text as nft prints it; for a policy, the chain's
 *             `policy drop`.
 *   iptables: the rule at POSITION (1-based) of CHAIN in the `*TABLE`
 *             section (-A appends, -I inserts; -D/-R make it unknown), or
 *             the `:CHAIN DROP` line of a policy. */
typedef struct SgRuleRef {
        const char *family;             /* "inet", "ip", ... as nft prints it */
        const char *table;
        const char *chain;
        const char *text;               /* NULL: the chain's policy */
        unsigned position;              /* 1-based position in the chain; 0 unknown */
} SgRuleRef;
unsigned sg_preflight_nft_line(const char *file, size_t len, const SgRuleRef *r);
unsigned sg_preflight_iptables_line(const char *file, size_t len, const SgRuleRef *r);

/* The 1-based position of the rule with HANDLE in FAMILY TABLE CHAIN of
 * RS (for a legacy table, HANDLE is already that), or 0. */
unsigned sg_preflight_rule_position(const NftRuleset *rs, const char *family, const char *table, const char *chain,
                                    uint64_t handle);

/* --- both ---------------------------------------------------------------------- */

/* The verdict over an assessment's findings: lockout when one leaves sshd
 * unreachable (for a family, an interface or every source), undecided
 * when nothing does but the assessment is uncertain, else safe.  *REASON:
 * the finding to name first (a socket-mismatch when the socket unit is
 * why; else the first that cuts sshd off), or -1. */
SgPreflightVerdict sg_preflight_verdict(const SgAssessment *a, long *reason);

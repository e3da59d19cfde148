/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Findings: one open problem each, with DESIGN.md's cause code, one
 * sentence naming the evidence and the fix, and the evidence itself
 * keyed as the journal fields are.  What the engine (diagnose.h) makes,
 * what transitions.h tracks, what every view prints.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum SgCause {
        SG_CAUSE_UNIT_MISSING,
        SG_CAUSE_UNIT_STOPPED,
        SG_CAUSE_UNIT_FAILED,
        SG_CAUSE_CONFIG_INVALID,
        SG_CAUSE_HOSTKEYS_MISSING,
        SG_CAUSE_PRIVSEP_MISSING,
        SG_CAUSE_PORT_IN_USE,
        SG_CAUSE_CRASHED,
        SG_CAUSE_START_LIMIT,
        SG_CAUSE_PORT_CHANGED,
        SG_CAUSE_LISTEN_RESTRICTED,
        SG_CAUSE_ADDRESS_MISSING,
        SG_CAUSE_INTERFACE_DOWN,
        SG_CAUSE_SOCKET_STOPPED,
        SG_CAUSE_CONFIG_PENDING,
        SG_CAUSE_MAX_STARTUPS,
        SG_CAUSE_FIREWALL_DROP,
        SG_CAUSE_FIREWALL_REJECT,
        SG_CAUSE_NOT_RUNNING,
        SG_CAUSE_BINARY_MISSING,
        SG_CAUSE_BIND_DENIED,
        SG_CAUSE_SOCKET_MISMATCH,
        SG_CAUSE_ADMIN_LOCKED_OUT,
        _SG_CAUSE_MAX,
} SgCause;

/* "unit-missing", ... as DESIGN.md spells them; NULL out of range. */
const char *sg_cause_to_string(SgCause c);
int sg_cause_from_string(const char *s);       /* SgCause or -EINVAL */
/* The MESSAGE_ID of the cause's journal entries (32 hex digits), fixed. */
const char *sg_cause_message_id(SgCause c);
/* syslog priority of a "problem" entry: LOG_ERR, LOG_WARNING, LOG_NOTICE. */
int sg_cause_priority(SgCause c);

typedef struct SgEvidence {
        char *key;                      /* the journal field suffix in lower case: "unit", "config_line", ... */
        char *value;
} SgEvidence;

typedef struct SgFinding {
        SgCause cause;
        char *message;                  /* one sentence: cause, evidence, fix */
        /* the same without the fix ("sshd (ssh.service) is not running"):
         * what a "resolved" entry says is over */
        char *statement;
        /* syslog priority of its problem entry; 0: the cause's */
        int priority;
        SgEvidence *evidence;
        size_t n_evidence;
        /* leaves sshd unreachable for some family, interface or all
         * sources: what makes the host unhealthy (source bans and rate
         * limits do not) */
        bool unreachable;
} SgFinding;

void sg_findings_free(SgFinding *f, size_t n);
void sg_finding_done(SgFinding *f);    /* frees what one finding holds */
/* The value of an evidence key, or NULL. */
const char *sg_finding_get(const SgFinding *f, const char *key);

/* The open problems as a file, so that a daemon killed and started again
 * (SIGKILL, a crash, a restart by systemd) knows what it already reported:
 * one line per field, tab-separated, with \t, \n and \\ escaped --
 *   F <cause> <priority> <unreachable 0|1>
 *   M <message>      S <statement>      E <key> <value>
 * sg_findings_write() returns 0 or -EIO; sg_findings_parse() takes what
 * it can be sure of: an unknown cause, a bad line or a finding without a
 * message is dropped (-EBADMSG only when nothing is left of a non-empty
 * input), never guessed. */
int sg_findings_write(FILE *f, const SgFinding *v, size_t n);
int sg_findings_parse(const char *buf, size_t len, SgFinding **ret, size_t *n);

/* A journal entry not yet written (journald was unavailable), kept in the
 * same file: one line, "J", then each FIELD=VALUE string of the entry, all
 * tab-separated and escaped as above.  sg_entry_write() returns 0 or -EIO;
 * sg_entry_parse() takes one such line (without its newline) and returns
 * the NULL-terminated fields, or -EBADMSG for anything else: a bad escape,
 * no field, a field name that is not A-Z, 0-9 and '_' not starting with
 * '_' (journald's own rule for what a client may write). */
int sg_entry_write(FILE *f, char *const *fields);
int sg_entry_parse(const char *line, size_t len, char ***ret);

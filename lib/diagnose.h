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

#include "sshdconf.h"

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
        _SG_CAUSE_MAX,
} SgCause;

/* "unit-missing", ... as DESIGN.md spells them; NULL out of range. */
const char *sg_cause_to_string(SgCause c);
int sg_cause_from_string(const char *s);       /* SgCause or -EINVAL */
/* The MESSAGE_ID of the cause's journal entries (32 hex digits), fixed. */
const char *sg_cause_message_id(SgCause c);
/* syslog priority of a "problem" entry: LOG_ERR, LOG_WARNING, LOG_NOTICE. */
int sg_cause_priority(SgCause c);

typedef struct SgUnitFacts {
        const char *name;               /* "ssh.service", "sshd.service", "ssh.socket" */
        bool loaded;                    /* LoadState=loaded */
        bool masked;                    /* LoadState=masked: systemd refuses to start it */
        bool enabled;                   /* UnitFileState=enabled*: meant to run (a socket: activation in use) */
        const char *active_state;       /* "active", "inactive", "failed", "activating", ... */
        const char *sub_state;          /* "running", "dead", "auto-restart", ...; NULL unknown */
        uint64_t inactive_enter_usec;   /* InactiveEnterTimestamp (realtime): when it last stopped; 0 unknown */
        bool job_pending;               /* a start/stop/restart job of systemd is under way */
        char invocation[33];            /* InvocationID, hex; "" unknown */
        const char *result;             /* Result=: "success", "exit-code", "signal", "core-dump", "start-limit-hit", ... */
        bool stop_requested;            /* the job that ended it was a stop job: on purpose */
        bool crashed;                   /* died by a signal or dumped core since the last snapshot, even if restarted */
        int crash_signal;
        pid_t main_pid;                 /* 0: none */
} SgUnitFacts;

typedef struct SgListener {
        int family;                     /* AF_INET / AF_INET6 */
        uint8_t addr[16];
        uint16_t port;
        bool v6only;
        pid_t pid;                      /* 0: unknown */
        const char *comm;               /* NULL: unknown */
        const char *unit;               /* the systemd unit (service/scope) of its cgroup; NULL: unknown */
} SgListener;

typedef struct SgAddress {
        int family;
        uint8_t addr[16];
} SgAddress;

typedef struct SgInterface {
        const char *name;
        bool up;
        const SgAddress *addrs;
        size_t n_addrs;
} SgInterface;

typedef enum SgFwVerdict {
        SG_FW_ACCEPT,
        SG_FW_DROP,
        SG_FW_REJECT,
        SG_FW_UNKNOWN,
} SgFwVerdict;

/* What the firewall does with a new connection to an expected port, for
 * one family, as the evaluator judged it (any source, or per scope). */
typedef struct SgFirewallFacts {
        int family;                     /* AF_INET / AF_INET6; AF_UNSPEC: both, by the same rule */
        uint16_t port;
        SgFwVerdict verdict;
        const char *scope;              /* "all", "ipv4", "ipv6", "some-sources", "some-interfaces", "rate-limited" */
        const char *rule_text;          /* as nft prints it; "policy drop" for a policy */
        const char *rule_family, *rule_table, *rule_chain;
        bool rule_is_policy;
        uint64_t rule_handle;
        const char *frontend;
        const char *remediation;
        pid_t changed_by_pid;           /* who committed the ruleset change (NFT_MSG_NEWGEN), 0: unknown */
        const char *changed_by_comm;
} SgFirewallFacts;

typedef struct SgSnapshot {
        /* sshd's units that exist or were looked for; the service first */
        const SgUnitFacts *units;
        size_t n_units;
        /* no systemd to ask (a container without it, no system bus): the
         * units are not judged, sshd is judged by its sockets */
        bool units_unknown;
        /* sshd's own last error lines, of its failing invocation (journal) */
        const char *const *sshd_log;
        size_t n_sshd_log;
        const SshdConfig *config;               /* on disk now; NULL: unreadable */
        const SshdConfig *config_running;       /* as sshd read it when it started; NULL: unknown */
        const SgListener *listeners;
        size_t n_listeners;
        const uint16_t *expected_ports;
        size_t n_expected_ports;
        const SgInterface *interfaces;
        size_t n_interfaces;
        const SgFirewallFacts *firewall;
        size_t n_firewall;
        unsigned max_startups_drops;            /* "past MaxStartups" since the last snapshot */
        const char *max_startups_line;
} SgSnapshot;

typedef struct SgEvidence {
        char *key;                      /* the journal field suffix in lower case: "unit", "config_line", ... */
        char *value;
} SgEvidence;

typedef struct SgFinding {
        SgCause cause;
        char *message;                  /* one sentence: cause, evidence, fix */
        SgEvidence *evidence;
        size_t n_evidence;
        /* leaves sshd unreachable for some family, interface or all
         * sources: what makes the host unhealthy (source bans and rate
         * limits do not) */
        bool unreachable;
} SgFinding;

/* The open problems, root causes first.  Returns 0 or -ENOMEM. */
int sg_diagnose(const SgSnapshot *s, SgFinding **ret, size_t *n);
void sg_findings_free(SgFinding *f, size_t n);
void sg_finding_done(SgFinding *f);    /* frees what one finding holds */
/* The value of an evidence key, or NULL. */
const char *sg_finding_get(const SgFinding *f, const char *key);

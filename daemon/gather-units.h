/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Gathering the facts the root-cause engine judges: sshd's systemd units
 * (over the system bus), sshd's last log lines (the journal), the
 * interfaces and their addresses, the listening sockets.  Shared by
 * `sshguardianctl audit` and the daemon.
 */

#include <stdbool.h>
#include <stddef.h>

#include <sys/types.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-journal.h>

#include "diagnose.h"
#include "sshdconf.h"

/* The units sshd may run as when sshguardian.conf names none: Debian's
 * ssh.service (alias sshd.service) and ssh.socket, RHEL's sshd.service. */
extern const char *const sshd_default_units[];

typedef struct SshdUnitsFacts {
        SgUnitFacts *units;
        size_t n_units;
        char **strings;                 /* what the units' string fields point to */
        size_t n_strings;
        char invocation_id[33];         /* the service's last invocation, "" unknown */
        char *journal_unit;             /* the service unit whose journal holds sshd's lines */
        uint64_t main_start_usec;       /* that invocation's ExecMainStartTimestamp (realtime), 0 unknown */
        pid_t main_pid_last;            /* ... and its ExecMainPID (kept after it exited), 0 unknown */
        int32_t exec_main_code, exec_main_status;       /* while reading */
        uint64_t exec_main_start_usec;                  /* while reading */
        pid_t exec_main_pid;                            /* while reading */
        uint64_t exec_pre_203_usec;                     /* while reading: an ExecStartPre= that got 203/EXEC, when */
} SshdUnitsFacts;

/* Loads NAMES (NULL: the defaults) with LoadUnit and reads their state.
 * A unit that does not exist is reported with loaded=false.  Returns 0,
 * or a negative errno when the bus cannot be asked at all. */
int sshd_units_read(sd_bus *bus, const char *const *names, SshdUnitsFacts *ret);
void sshd_units_done(SshdUnitsFacts *f);

/* sshd's messages of the unit's invocation INVOCATION_ID ("": every
 * invocation), oldest first, at most MAX; lines without an invocation (they
 * reached journald after the unit failed) count when newer than SINCE_USEC
 * (realtime, 0: any) and than any other invocation's line.  Lines without
 * a unit (journald read them after their writer was gone, and could not
 * tell its cgroup) count when their _PID is MAIN_PID, the invocation's
 * main process, they say SYSLOG_IDENTIFIER=sshd and are newer than
 * SINCE_USEC (sshd_journal_entry_unattributed()).  *ret is a NULL-terminated vector. */
int sshd_journal_lines(const char *unit, const char *invocation_id, uint64_t since_usec, pid_t main_pid, size_t max,
                       char ***ret, size_t *n);
/* Whether the journal entry at J's cursor is a line of sshd's main
 * process MAIN_PID (SYSLOG_IDENTIFIER=sshd, that _PID, _COMM sshd or
 * unknown) that journald could not attribute to the process's unit: no
 * _SYSTEMD_UNIT, or UNIT (not NULL) known only from the stream sshd was
 * started with, the process's _COMM unknown. */
bool sshd_journal_entry_unattributed(sd_journal *j, const char *unit, pid_t main_pid);

/* The last "stop" job of UNIT in the journal came after its last start:
 * stopped on purpose (systemd's "Stopping ..." entry). */
bool sshd_journal_stop_requested(const char *unit);
/* exit_status 203 (EXIT_EXEC) for a service whose failed invocation
 * systemd could not execute, as its journal says. */
void sshd_units_judge_exec(SshdUnitsFacts *f);
/* stop_requested of every loaded unit of F that is not active. */
void sshd_units_judge_stops(SshdUnitsFacts *f);

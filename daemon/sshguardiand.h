/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * sshguardiand: the facts the root-cause engine judges, kept current by
 * watchers on one sd-event loop, and the findings reported once per
 * transition.
 *
 *   sshguardiand-manager.c   the Manager: facts, the audit, reporting
 *   sshguardiand-bus.c       the system bus: systemd's units, the D-Bus object
 *   sshguardiand-watch.c     nftables, x_tables, rtnetlink, sock_diag, inotify,
 *                            sshd's journal
 *
 * A watcher only marks which facts went stale (Dirty) and schedules an
 * audit; the audit re-reads those facts, runs lib/diagnose and reports what
 * changed.  The audit runs from an idle-priority defer source, so a burst
 * of events (an nft batch, a unit's state changes) is judged once.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <systemd/sd-journal.h>

#include "diagnose.h"
#include "gather.h"
#include "log.h"
#include "listen.h"
#include "nft-relevance.h"
#include "nft-store.h"
#include "sgconf.h"
#include "sshguardian-bus.h"
#include "sshdconf.h"
#include "transitions.h"


/* A MaxStartups problem stays open this long after sshd's last "past
 * MaxStartups" line. */
#define MAX_STARTUPS_WINDOW_USEC (60ULL * 1000000ULL)


typedef enum Dirty {
        DIRTY_UNITS      = 1u << 0,     /* sshd's units (and sshd's log when it is down) */
        DIRTY_CONFIG     = 1u << 1,     /* sshd_config on disk */
        DIRTY_LISTENERS  = 1u << 2,
        DIRTY_INTERFACES = 1u << 3,
        DIRTY_FIREWALL   = 1u << 4,
        DIRTY_PORTS      = 1u << 5,     /* learn the expected ports again */
        /* xt_recent's lists changed (the poll read them already): judge
         * again, without reading the firewall */
        DIRTY_RECENT     = 1u << 6,
        DIRTY_ALL        = (1u << 7) - 1,
} Dirty;

typedef enum LogTarget {
        LOG_TARGET_JOURNAL,
        LOG_TARGET_CONSOLE,             /* one JSON object per entry on stdout */
} LogTarget;

/* The last value of a unit property the audit reads, as PropertiesChanged
 * told it (see on_properties_changed()). */
typedef struct UnitProp {
        char path[96];
        char key[16];
        char value[40];
} UnitProp;

/* Calls of a D-Bus method by unprivileged users: a token bucket. */
typedef struct CallBudget {
        double tokens;
        uint64_t last_usec;
} CallBudget;

#define JOURNAL_QUEUE_MAX 64

typedef struct Manager {
        sd_event *event;
        LogTarget log_target;
        bool debug;                     /* SSHGUARDIAN_DEBUG=1: each audit's facts on stderr */
        char *conf_path;
        SgConfig conf;

        /* the system bus: the D-Bus object and systemd's units */
        sd_bus *bus;
        sd_event_source *bus_retry;     /* reconnecting after the bus went away */
        unsigned bus_retries;
        char **unit_paths;              /* the watched units' object paths */
        sd_bus_slot **unit_slots;       /* their PropertiesChanged matches */
        size_t n_unit_slots;
        UnitProp unit_props[32];
        bool bus_name_owned;
        CallBudget explain_budget, report_budget, audit_budget;        /* unprivileged callers */

        /* the facts, kept current part by part (gather.c) */
        HostFacts facts;
        /* the firewall's judgements of the last audit: a rule that still
         * blocks keeps who committed it */
        FwJudgements fw;
        bool fw_attributable;           /* a NEWGEN was read with the ruleset last judged */
        int fw_error_said;              /* the firewall error the Summary says */
        size_t fw_undecided_said;       /* ... and how many undecided verdicts */

        /* who committed the last nftables generation (NFT_MSG_NEWGEN) */
        uint32_t nft_genid;
        pid_t nft_pid;
        char nft_comm[17];
        bool nft_changed;               /* a change since the firewall was last judged */
        /* sshd's sockets were read while its service moved: not judged */
        bool listeners_unsettled;
        bool nft_committed;             /* a NEWGEN (with its committer) since then */
        /* what the batch being received touched, and how many committed
         * batches could change the judgement and how many could not
         * (nft-relevance.h: those are not judged again) */
        NftBatchScope nft_batch;
        uint64_t nft_generations_judged, nft_generations_unseen;
        /* x_tables: no notifications; a fingerprint checked on each tick */
        uint64_t legacy_fp[2];
        bool legacy_fp_known;

        /* a crash systemd reported (Result=signal|core-dump), not yet audited */
        bool crash_pending;
        int crash_signal;
        char *service_active_state;     /* to notice (re)starts */
        bool socket_was_active;         /* a socket unit of sshd's listened at the last settled look */
        char service_invocation[33];
        bool service_restarting;        /* systemd said activating/reloading since the last look */
        uint64_t unit_transition_since; /* the service is starting or stopping since (monotonic usec) */
        /* the service's Result= as last seen in a PropertiesChanged signal:
         * a crash is a change to signal/core-dump */
        char last_result[32];
        bool last_result_known;
        /* sshd's last words reach the journal through journald's stream,
         * possibly after systemd reports the failure: the invocation whose
         * lines were waited for (once) */
        char log_waited_invocation[33];

        /* sshd's "past MaxStartups" lines: open while the last is recent */
        unsigned max_startups_drops;
        char *max_startups_line;
        uint64_t max_startups_last;     /* CLOCK_MONOTONIC usec */
        sd_event_source *max_startups_timer;

        /* what is open */
        SgTracker *tracker;
        SgFinding *findings;
        size_t n_findings;
        bool healthy;
        char *summary;
        bool audited;                   /* the first audit is done */

        /* for the metrics (PrometheusTextfile=) */
        uint64_t audits, events;
        double last_change;             /* CLOCK_REALTIME seconds of the last transition */
        double audit_duration;          /* seconds */
        int prometheus_error_said;      /* the last error writing the textfile, logged once */

        unsigned dirty;
        sd_event_source *audit_source;  /* idle-priority defer, oneshot */
        sd_event_source *recheck_timer; /* a second look shortly after a unit (re)starts */
        sd_event_source *summary_timer; /* flapping summaries that come due */
        sd_event_source *tick;          /* watchdog ping + x_tables check */
        uint64_t tick_usec;
        /* xt_recent's lists change with every connection and say nothing:
         * while a list exists and someone has logged in, they are read
         * every RECENT_POLL_USEC, and judged again when the admin sources'
         * entries changed, or while a lockout they decided is open (it
         * ends as its stamps age) */
        sd_event_source *recent_timer;
        uint64_t recent_fp;
        bool recent_fp_known;

        /* watchers */
        sd_event_source *nft_source;
        struct mnl_socket *nft_sock;
        /* the nftables ruleset, kept current from the notifications
         * (lib/nft-store); loaded again when it cannot be trusted */
        NftStore *nft_store;
        bool nft_store_stale;
        /* the ruleset it gives, kept up to date (what facts.ruleset lends),
         * and how often it was built whole rather than patched */
        NftRuleset *nft_rs;
        uint64_t nft_rs_patched, nft_rs_whole;
        sd_event_source *rtnl_source;
        int rtnl_fd;
        sd_event_source *destroy_source;
        int destroy_fd;
        sd_event_source *inotify_source;
        int inotify_fd;
        sd_event_source *config_settle; /* editors write in steps: read once they are done */
        sd_journal *journal;
        sd_event_source *journal_source;

        /* entries the journal refused (journald stopped): written again,
         * in order, before the next entry and on each tick; past
         * JOURNAL_QUEUE_MAX they are counted and the count is written */
        char **journal_queue[JOURNAL_QUEUE_MAX];
        size_t n_journal_queue;
        unsigned journal_dropped;
        /* the first ones were kept by the instance before this one (the
         * state file): it may have written them and been killed before it
         * could say so, and the journal is asked before each is written */
        size_t n_journal_inherited;
} Manager;

int manager_new(Manager **ret, const char *conf_path, LogTarget log_target);
Manager *manager_free(Manager *m);
int manager_load_config(Manager *m);
int manager_start(Manager *m);
/* Marks FLAGS stale and schedules an audit. */
void manager_schedule(Manager *m, unsigned flags);
/* (Re)arms or stops the poll of xt_recent's lists (Manager.recent_timer). */
void recent_poll_arm(Manager *m);
/* Re-reads what is stale and reports what changed, now. */
int manager_audit(Manager *m);
/* The nftables ruleset as it is now (the manager's, lent): built from the
 * store kept current by the notifications, or NULL (read it live). */
NftRuleset *manager_ruleset_current(Manager *m);

/* sshguardiand-state.c: the open problems and the journal entries not
 * yet written, in $STATE_DIRECTORY, read before the first audit, written
 * after each audit that changed them and after waiting entries are written */
int manager_state_load(Manager *m);
int manager_state_save(Manager *m);

/* sshguardiand-journal.c: writes T's entry (kept for later if the
 * journal refuses it) */
void manager_report_transition(Manager *m, const SgTransition *t);
/* Writes the entries kept while the journal was unavailable; true if
 * any left the queue (the state file is then saved by the caller). */
bool manager_journal_flush(Manager *m);
void manager_journal_queue_free(Manager *m);

/* sshguardiand-bus.c */
int manager_connect_bus(Manager *m);
void manager_bus_emit_changes(Manager *m);
void manager_disconnect_bus(Manager *m);

/* sshguardiand-watch-units.c: sshd's units over the bus (connected):
 * systemd's signals, then the units (again after a Reload()) */
int manager_watch_systemd(Manager *m);
int manager_watch_units(Manager *m);
void manager_unit_slots_drop(Manager *m);

/* sshguardiand-watch.c */
int manager_watch_nftables(Manager *m);
/* Reads the nftables notifications waiting; true if there were any. */
bool manager_nft_drain(Manager *m);
int manager_watch_rtnl(Manager *m);
int manager_watch_destroy(Manager *m);
int manager_watch_config_files(Manager *m);
int manager_watch_journal(Manager *m);
int manager_start_tick(Manager *m);
void manager_watchers_close(Manager *m);

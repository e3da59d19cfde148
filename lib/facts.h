/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The snapshot: everything gathered about sshd and the host, nothing
 * decided.  The daemon fills it from the models it keeps current, the
 * one-shot commands (`audit`, `explain`, `check-*`) from fresh reads
 * (daemon/gather.c); lib/ judges it (diagnose.h, firewall/verdict.h).
 * Strings and arrays point into whoever gathered them.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nft-eval.h"
#include "sshdconf.h"

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
        /* ExecMainStatus of a main process that exited (203: systemd could
         * not execute it, EXIT_EXEC); -1 unknown or not exited */
        int exit_status;
        /* a socket unit's stream Listen= addresses as systemd shows them:
         * "22", "0.0.0.0:22", "[::]:2222" */
        const char *const *listen;
        size_t n_listen;
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
        unsigned ifindex;               /* 0: unknown */
        bool up;
        bool loopback;                  /* IFF_LOOPBACK: no client from elsewhere arrives there */
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
        /* a redirect/dnat moved it to this port, where no socket takes it
         * (the stack refuses; no rule named); 0: not that */
        uint16_t redirected_to;
        /* different rules block on different paths (a reverse-path check
         * drops some sources, a later rule the rest): no one rule decides,
         * the rule_* fields are NULL, and these name them all, in the
         * order a packet meets them: "ip6 raw PREROUTING 2, ip6 filter
         * INPUT 3" (the `rules` evidence) and with their texts and owners
         * (for the message); rules_incomplete: more than could be kept */
        const char *rules;
        const char *rules_text;
        bool rules_incomplete;
        /* some of them drop, the others reject (verdict: SG_FW_DROP) */
        bool rules_mixed;
} SgFirewallFacts;

/* The firewall as read: nftables with iptables-legacy's tables joined in
 * (nft_ruleset_add_legacy()), and the kernel's answers for what was not
 * read whole.  Judged by firewall/verdict.h. */
typedef struct SgFirewallInput {
        const NftRuleset *ruleset;      /* NULL: it could not be read (read_error) */
        int read_error;                 /* negative errno */
        /* why iptables-legacy's tables of IPv4 [0] / IPv6 [1] could not
         * (all) be read, or NULL: an accept there is not certain */
        const char *legacy_error[2];
        /* the kernel asked for one element of a set not read whole, and
         * ipset for `-m set`; NULL: such matches are undecided */
        NftSetLookupFn set_lookup;
        void *set_lookup_data;
        int (*ipset_test)(uint16_t index, int family, const uint8_t *addr, void *userdata);
        void *ipset_data;
        /* xt_recent's lists now (ufw's limit); NULL: not read (a source's
         * history is then assumed empty) */
        const struct XtRecentState *recent;
} SgFirewallInput;

/* Who committed the ruleset changes the daemon saw (NFT_MSG_NEWGEN), and
 * the judgements of its previous audit: a rule that still blocks keeps
 * the committer of the generation in which it first blocked. */
typedef struct SgFirewallHistory {
        const SgFirewallFacts *previous;
        size_t n_previous;
        bool committed;                 /* a commit was seen since the previous audit */
        pid_t committer_pid;            /* 0: unknown */
        const char *committer_comm;
} SgFirewallHistory;

/* A source address from which someone logged in successfully (sshd's
 * "Accepted ... for USER from ADDR port N"): the people a lockout hurts. */
typedef struct SgAdminSource {
        int family;
        uint8_t addr[16];
        const char *user;               /* who last logged in from it */
        uint64_t last_login_usec;       /* CLOCK_REALTIME */
        /* where a connection from it arrives (the route back to it), NULL:
         * not known */
        const char *iif;
} SgAdminSource;

/* What the host offers for a fix (so that a printed command works there). */
typedef struct SgHostTools {
        const char *sshd_path;          /* sshd's executable when it exists and is executable; NULL: none */
        bool sysv_ssh;                  /* /etc/init.d/ssh and service(8): `service ssh start` works */
        bool selinux;                   /* SELinux enabled: port labels (ssh_port_t) decide sshd's binds */
        /* systemd makes ssh.socket's Listen= from sshd_config
         * (sshd-socket-generator, Ubuntu 22.10+) */
        bool socket_generator;
        /* the package manager's command that (re)installs sshd, e.g.
         * "apt-get install --reinstall openssh-server"; NULL: none known */
        const char *reinstall_sshd;
} SgHostTools;

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
        int config_error;                       /* why it could not be read (negative errno), 0: not known */
        const char *config_path;                /* the file read */
        const SshdConfig *config_running;       /* as sshd read it when it started; NULL: unknown */
        const SgListener *listeners;
        size_t n_listeners;
        const uint16_t *expected_ports;
        size_t n_expected_ports;
        const SgInterface *interfaces;
        size_t n_interfaces;
        /* the firewall: read (judged by sg_assess()), or already judged
         * (what sg_diagnose() takes; unit tests give it directly) */
        const SgFirewallInput *firewall_input;
        const SgFirewallHistory *firewall_history;      /* NULL: none (one-shot) */
        const SgFirewallFacts *firewall;
        size_t n_firewall;
        SgHostTools tools;
        const SgAdminSource *admin_sources;
        size_t n_admin_sources;
        uint64_t now_usec;                      /* CLOCK_REALTIME, for "2 h ago"; 0: not said */
        unsigned max_startups_drops;            /* "past MaxStartups" since the last snapshot */
        const char *max_startups_line;
} SgSnapshot;

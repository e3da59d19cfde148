/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The one snapshot builder: what the root-cause engine, `explain` and
 * D-Bus Explain() judge is gathered here and nowhere else.  Gathering
 * only: every decision is lib/'s (diagnose.h, firewall/verdict.h).  The
 * daemon keeps a HostFacts current, re-reading the parts its watchers
 * mark stale and handing in the ruleset its store keeps; the one-shot
 * commands read everything afresh (facts_gather()).  The only difference
 * between the views is where the facts come from.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

#include "diagnose.h"
#include "gather-units.h"
#include "listen.h"
#include "nft-eval.h"
#include "nft-ruleset.h"
#include "sgconf.h"
#include "sshdconf.h"
#include "xt-legacy.h"
#include "xt-recent.h"

typedef struct HostFacts {
        /* systemd: sshd's units; false when there is none to ask */
        SshdUnitsFacts units;
        bool have_units;
        /* sshd's own last lines of its failing invocation */
        char **sshd_log;
        size_t n_sshd_log;
        SshdConfig *config;             /* on disk; NULL: unreadable */
        int config_error;               /* why it could not be read, 0 */
        char *config_path;
        SshdConfig *config_running;     /* as sshd read it when it last (re)started; NULL: the one on disk */
        ListenTable *listen;
        SgListener *listeners;          /* point into listen */
        size_t n_listeners;
        bool have_listeners;
        SgInterface *interfaces;
        size_t n_interfaces;
        uint16_t *ports;                /* the expected ports */
        size_t n_ports;
        /* the firewall: nftables with iptables-legacy joined in */
        NftRuleset *ruleset;
        bool ruleset_lent;              /* the daemon's (its store keeps it), not freed here */
        NftLiveLookup *live;
        SgFirewallInput firewall;       /* points into the above */
        SgHostTools tools;
        /* sources of recent successful logins, the most recent first */
        SgAdminSource *admin;
        size_t n_admin;
        char (*admin_user)[64];
        char (*admin_iif)[16];
        unsigned max_startups_drops;
        const char *max_startups_line;  /* the caller's */
        /* xt_recent's lists and the time they are judged at (hz 0: not
         * read; firewall.recent points here when they were) */
        XtRecentState recent;
} HostFacts;

void facts_done(HostFacts *f);

/* Each part, read afresh (replacing what F had). */
int facts_read_units(HostFacts *f, sd_bus *bus, const SgConfig *conf);
/* F's units read before: sshd's last lines when its service is not
 * active (MAX at most), and which inactive units were stopped on purpose. */
void facts_read_unit_logs(HostFacts *f, size_t max);
int facts_read_config(HostFacts *f, const char *path);
int facts_read_listeners(HostFacts *f);
int facts_read_interfaces(HostFacts *f);
int facts_learn_ports(HostFacts *f, const SgConfig *conf);
/* What the host offers for a fix: sshd's executable, the SysV script,
 * SELinux, the socket generator, the package manager. */
void facts_read_tools(HostFacts *f);
/* RS: the ruleset to judge, taken over; NULL: dumped from the kernel.
 * A ruleset that cannot be read is a fact too (firewall.read_error); the
 * return value says it. */
int facts_read_firewall(HostFacts *f, NftRuleset *rs);
/* The same with the daemon's ruleset, kept from the notifications
 * (nft_store_ruleset_follow()): lent, legacy tables added to it, never
 * freed here; valid until the daemon brings it up to date again. */
int facts_read_firewall_lent(HostFacts *f, NftRuleset *rs);

/* The loaded service unit, or NULL. */
const SgUnitFacts *facts_service(const HostFacts *f);

/* sshd's "Accepted METHOD for USER from ADDR port N ssh2": the source
 * is put first (the oldest dropped past MAX).  Returns 1 when LINE is
 * such a line, 0 when not. */
int facts_admin_learn(HostFacts *f, const char *line, size_t len, uint64_t realtime_usec, size_t max);
/* ... kept in DIR/admin-sources ("ADDR USER USEC" lines); DIR NULL: the
 * daemon's state directory ($STATE_DIRECTORY, else /var/lib/sshguardian).
 * Load returns 0 also when there is no file. */
int facts_admin_load(HostFacts *f, const char *dir, size_t max);
int facts_admin_save(const HostFacts *f, const char *dir);
/* Where connections from each source arrive (routes change). */
void facts_admin_routes(HostFacts *f);

/* The snapshot of F for the engine (points into F). */
SgSnapshot facts_snapshot(const HostFacts *f);

/* Everything, fresh, in the order the engine needs it (the one-shot
 * commands).  Fails only when the host cannot be read at all (listening
 * sockets, interfaces): *error names what (static). */
int facts_gather(HostFacts *f, const SgConfig *conf, const char **error);

/* Where a connection from ADDR (of FAMILY) arrives when routing is
 * symmetric: the interface the route back to it leaves through.  0, or a
 * negative errno with IFNAME "" (no route). */
int facts_route_iif(int family, const uint8_t *addr, char ifname[16]);

/* iptables-legacy: what sshguardiand was handed to read it through
 * (sshguardiand-fdstore.h); without it each read opens its own socket and
 * names file, as `sshguardianctl` run by root does.  The fingerprint the
 * daemon compares on its tick, read the same way. */
void facts_set_legacy_sources(const XtLegacySource src[2]);
int facts_legacy_fingerprint(int family, uint64_t *ret);

/* xt_recent (ufw's limit): what sshguardiand was handed (a descriptor of
 * /proc/net/xt_recent and one of /proc/timer_list, which its sandbox
 * hides), else -1: opened by path, as root's `sshguardianctl` does.
 * facts_read_recent() reads every list and the clock into F->recent (the
 * firewall's input points at it when both could be read); the daemon's
 * poll compares facts_recent_fingerprint(): the entries of the admin
 * sources only (any other source's connections change the lists too, and
 * decide nothing the daemon reports). */
void facts_set_recent_sources(int dir_fd, int timer_list_fd);
int facts_read_recent(HostFacts *f);
uint64_t facts_recent_fingerprint(const HostFacts *f);

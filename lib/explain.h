/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * `explain` and D-Bus Explain(): the firewall's verdict for one new TCP
 * connection to sshd, as a view of the judgement the engine makes.
 * Without a source it IS the engine's port verdict (fw_port_verdict()),
 * so its verdict, rule and scope are by construction the daemon's; with
 * one it is the same evaluator on that client's packet.  Pure but for
 * the route lookup the request may carry.
 */

#include <stdbool.h>
#include <stdint.h>

#include "facts.h"
#include "verdict.h"

/* `sshguardianctl explain`'s exit status (its man page's table). */
enum {
        SG_EXPLAIN_EXIT_ACCEPT = 0,
        SG_EXPLAIN_EXIT_BLOCKED = 1,    /* dropped or rejected */
        SG_EXPLAIN_EXIT_USAGE = 2,
        SG_EXPLAIN_EXIT_UNKNOWN = 4,    /* the firewall's answer cannot be told */
        SG_EXPLAIN_EXIT_CANNOT_READ = 5,
};

typedef struct SgExplainRequest {
        uint16_t port;                  /* 0: the first expected port of the snapshot */
        const char *port_origin;        /* where PORT came from, for the text output; NULL: "given" */
        const char *from;               /* the client's address; NULL: any source, both families */
        const char *to;                 /* the local address connected to; NULL: the host's own */
        const char *iif;                /* the interface it arrives on; NULL: the route's to FROM, or any */
        /* where the route back to FROM leaves (I/O: the caller's), NULL:
         * not known */
        int (*route_iif)(int family, const uint8_t *addr, char ifname[16]);
} SgExplainRequest;

typedef struct SgExplainResult {
        uint16_t port;
        char *port_origin;
        char *from;
        char *iif;                      /* the request's, or the route's to FROM */
        FwPortVerdict v;                /* without FROM: both families; with it, e[0] */
        int n;                          /* 1 with FROM, else 2 (IPv4, IPv6) */
        int worst;                      /* the family a client fails on first */
        /* FROM is the source of a recent successful login (points into
         * the snapshot): whose, and when */
        const SgAdminSource *admin;
        uint64_t now_usec;
} SgExplainResult;

/* Judges REQ on S.  Returns 0, or a negative errno with *error set to one
 * line (malloc'd; NULL only when that allocation failed too):
 *   -EINVAL   the request is invalid, worded with the CLI's option names:
 *             "--from: 'X' is not an IPv4 or IPv6 address" (also --to),
 *             "--from and --to are of different families",
 *             "--iif: no interface 'X' here"
 *   -EPERM... "cannot read the nftables ruleset: <strerror>[ (reading it
 *             needs root: CAP_NET_ADMIN)]"
 *   -ENOMEM   "out of memory" */
int sg_explain(const SgSnapshot *s, const SgExplainRequest *req, SgExplainResult **ret, char **error);
SgExplainResult *sg_explain_result_free(SgExplainResult *r);
static inline void sg_explain_result_freep(SgExplainResult **r) {
        sg_explain_result_free(*r);
}

/* "accept", "drop", "reject" or "unknown": the worst family's verdict. */
const char *sg_explain_verdict(const SgExplainResult *r);
/* SG_EXPLAIN_EXIT_ACCEPT, _BLOCKED or _UNKNOWN, after the worst family. */
int sg_explain_exit_code(const SgExplainResult *r);

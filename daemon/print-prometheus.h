/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The daemon's state for Prometheus, as node_exporter's textfile collector
 * reads it (the text exposition format 0.0.4): a printer of what the
 * daemon already decided, nothing more.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "findings.h"

typedef struct PromMetrics {
        bool healthy;
        bool uncertain;                 /* a verdict it needed is unknown */
        const SgFinding *findings;      /* the open problems */
        size_t n_findings;
        double last_change;             /* CLOCK_REALTIME seconds of the last transition, 0: none yet */
        double audit_duration;          /* seconds, the last audit */
        uint64_t audits;
        uint64_t events;                /* events of the watchers that asked for an audit */
        /* nftables generations committed: those judged again, and those
         * that could not change the judgement (nft-relevance.h) */
        uint64_t nft_generations_judged, nft_generations_unseen;
        /* the daemon's model of the ruleset brought up to date with the
         * change alone, or built whole (a load, a change it cannot patch) */
        uint64_t nft_ruleset_patched, nft_ruleset_whole;
} PromMetrics;

/* Returns 0 or -EIO. */
int prometheus_write(FILE *f, const PromMetrics *m);
/* PATH written atomically: a temporary file beside it, then rename(). */
int prometheus_write_file(const char *path, const PromMetrics *m);

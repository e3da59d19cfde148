/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The firewall's verdict on new TCP connections to sshd, judged on the live
 * ruleset: nftables with iptables-legacy's tables joined in, the host's own
 * addresses, the kernel asked about large sets one element at a time.
 * Shared by `sshguardianctl explain`, `sshguardianctl audit` and the
 * daemon (its Explain() method and its firewall watcher); every call reads
 * the state afresh and keeps none of it.  Reading nftables needs
 * CAP_NET_ADMIN.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diagnose.h"
#include "nft-ruleset.h"
#include "xt-legacy.h"

/* The firewall's verdict on new connections to each of PORTS from any
 * source, per family, as the root-cause engine takes it: one judgement
 * for every family a rule or a policy drops or rejects, with its scope,
 * the rule, the tool that owns it and the fix. */
typedef struct FwJudgement {
        /* its strings point into the fields below, some of them inside
         * this struct: judgements are not to be copied or moved */
        SgFirewallFacts facts;
        char *rule_text;
        char *remediation;
        char *rule_table, *rule_chain;
        char rule_family[8];
        char frontend[24];
        char scope[24];
        char changed_by_comm[17];       /* the daemon's: who committed the change (NFT_MSG_NEWGEN) */
} FwJudgement;

int fw_judge_ports(const uint16_t *ports, size_t n_ports, FwJudgement **ret, size_t *n);
/* The same on RS, a ruleset already read (taken over, also on failure):
 * the daemon's, kept current from the change notifications. */
int fw_judge_ports_in(NftRuleset *rs, const uint16_t *ports, size_t n_ports, FwJudgement **ret, size_t *n);

/* iptables-legacy: what sshguardiand was handed to read it through
 * (sshguardiand-fdstore.h); without it each read opens its own socket and
 * names file, as `sshguardianctl` run by root does.  The fingerprint the
 * daemon compares on its tick, read the same way. */
void fw_judge_set_legacy_sources(const XtLegacySource src[2]);
int fw_legacy_fingerprint(int family, uint64_t *ret);
void fw_judgements_free(FwJudgement *j, size_t n);
/* The same rule (or policy) decides both, whatever port or family each was
 * judged for. */
bool fw_judgement_same_rule(const FwJudgement *a, const FwJudgement *b);

/* `sshguardianctl explain`'s exit status (its man page's table). */
enum {
        FW_EXPLAIN_EXIT_ACCEPT = 0,
        FW_EXPLAIN_EXIT_BLOCKED = 1,    /* dropped or rejected */
        FW_EXPLAIN_EXIT_USAGE = 2,
        FW_EXPLAIN_EXIT_UNKNOWN = 4,    /* the firewall's answer cannot be told */
        FW_EXPLAIN_EXIT_CANNOT_READ = 5,
};

/* One new TCP connection to judge. */
typedef struct FwExplainRequest {
        uint16_t port;                  /* 0: sshd's first Port in /etc/ssh/sshd_config, 22 if unreadable */
        const char *port_origin;        /* where PORT came from, for the text output; NULL: "given" */
        const char *from;               /* the client's address; NULL: any source, both families */
        const char *to;                 /* the local address connected to; NULL: not known */
        const char *iif;                /* the interface it arrives on; NULL: the route's to FROM, or any */
        /* the nftables ruleset, already read (taken over, also on failure;
         * the daemon's, kept from the notifications); NULL: read it */
        NftRuleset *ruleset;
} FwExplainRequest;

/* Both families' answers (one with FROM), the scope of a block without
 * FROM, and which family a client fails on first ("the worst"). */
typedef struct FwExplainResult FwExplainResult;

/* Judges REQ against the live state.  The request's strings are copied.
 * Returns 0, or a negative errno with *error set to one line (malloc'd,
 * the caller frees it; NULL only when that allocation failed too):
 *   -EINVAL   the request is invalid, worded with the CLI's option names:
 *             "--from: 'X' is not an IPv4 or IPv6 address" (also --to),
 *             "--from and --to are of different families",
 *             "--iif: no interface 'X' here"
 *   -EPERM... "cannot read the nftables ruleset: <strerror>[ (reading it
 *             needs root: CAP_NET_ADMIN)]"
 *   -ENOMEM   "out of memory" */
int fw_explain(const FwExplainRequest *req, FwExplainResult **ret, char **error);
FwExplainResult *fw_explain_result_free(FwExplainResult *r);

/* "accept", "drop", "reject" or "unknown": the worst family's verdict, the
 * "verdict" of the JSON output. */
const char *fw_explain_verdict(const FwExplainResult *r);
/* FW_EXPLAIN_EXIT_ACCEPT, _BLOCKED or _UNKNOWN, after the worst family. */
int fw_explain_exit_code(const FwExplainResult *r);
/* `sshguardianctl explain --json`'s object, and its text output (README.md
 * documents both).  Return 0, or -EIO/-ENOMEM when writing failed. */
int fw_explain_write_json(const FwExplainResult *r, FILE *f);
int fw_explain_write_text(const FwExplainResult *r, FILE *f);

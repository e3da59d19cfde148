/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "diagnose.h"

/* The firewall's verdict on new connections to each of PORTS from any
 * source, per family, as the root-cause engine takes it: one judgement
 * for every family a rule or a policy drops or rejects, with its scope,
 * the rule, the tool that owns it and the fix (sshguardianctl-explain.c
 * does the judging).  Reading nftables needs CAP_NET_ADMIN. */
typedef struct FwJudgement {
        SgFirewallFacts facts;          /* its strings point into the fields below */
        char *rule_text;
        char *remediation;
        char *rule_table, *rule_chain;
        char rule_family[8];
        char frontend[24];
        char scope[24];
} FwJudgement;

int fw_judge_ports(const uint16_t *ports, size_t n_ports, FwJudgement **ret, size_t *n);
void fw_judgements_free(FwJudgement *j, size_t n);

/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Which tool owns a firewall rule, recognised by the tables, chains and sets
 * that tool creates, and the fix for a blocking rule in that tool's own
 * words.  Pure: it looks at names only.
 */

#include <stdbool.h>
#include <stdint.h>

typedef enum FwFrontend {
        FW_FRONTEND_NFTABLES,           /* plain nft rules */
        FW_FRONTEND_IPTABLES_NFT,       /* iptables-nft's tables in nftables */
        FW_FRONTEND_IPTABLES_LEGACY,    /* x_tables, read with getsockopt */
        FW_FRONTEND_UFW,
        FW_FRONTEND_FIREWALLD,
        FW_FRONTEND_FAIL2BAN,
        FW_FRONTEND_SSHGUARD,
        FW_FRONTEND_DOCKER,
        _FW_FRONTEND_MAX,
} FwFrontend;

/* Where a deciding rule sits.  Strings are borrowed. */
typedef struct FwRuleRef {
        int family;             /* NFPROTO_INET, NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_NETDEV, ... */
        const char *table;
        const char *chain;
        bool legacy;            /* an x_tables (iptables-legacy) rule */
        bool is_policy;         /* the chain's policy decided, not a rule */
        uint64_t handle;        /* nftables rule handle (not for legacy or policy) */
        unsigned position;      /* 1-based position in its chain (iptables -D CHAIN N) */
        const char *set;        /* a named set the rule looked the source up in, or NULL */
        const char *comment;    /* the rule's comment, or NULL */
        const char *const *sibling_chains;      /* every chain of the table, NULL-terminated, or NULL */
} FwRuleRef;

/* The names DESIGN.md gives: "nftables", "iptables-nft", "iptables-legacy",
 * "ufw", "firewalld", "fail2ban", "sshguard", "docker". */
const char *fw_frontend_to_string(FwFrontend f);

FwFrontend fw_frontend_classify(const FwRuleRef *r);

/* fail2ban's jail behind a rule of its (from the set "addr-set-JAIL" of
 * its nftables actions or the chain "f2b-JAIL" of its iptables ones), or
 * NULL.  Points into the rule's strings. */
const char *fw_fail2ban_jail(const FwRuleRef *r);

/* A command that lets new connections to PORT through again, in the words
 * of the frontend that owns the rule; SOURCE is the banned client where the
 * rule concerns one source (NULL: any).  Returns 0 and a malloc()ed string,
 * or -ENOMEM. */
int fw_remediation(const FwRuleRef *r, FwFrontend f, uint16_t port, const char *source, char **ret);

/* A source refused because of its own earlier connections (xt_recent,
 * ufw's limit): the rule stays, the source's entry in LIST goes (the
 * kernel's "-ADDR" write), and its next connection is a first again.
 * ADDR of FAMILY (AF_*) as the list keys it.  *RET NULL (and 0) when LIST
 * is a name a shell would take apart. */
int fw_recent_remediation(int family, const uint8_t *addr, const char *list, char **ret);

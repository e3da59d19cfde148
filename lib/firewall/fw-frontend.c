/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw-frontend.h"
#include "macro.h"

static const char *const frontend_names[_FW_FRONTEND_MAX] = {
        [FW_FRONTEND_NFTABLES] = "nftables",
        [FW_FRONTEND_IPTABLES_NFT] = "iptables-nft",
        [FW_FRONTEND_IPTABLES_LEGACY] = "iptables-legacy",
        [FW_FRONTEND_UFW] = "ufw",
        [FW_FRONTEND_FIREWALLD] = "firewalld",
        [FW_FRONTEND_FAIL2BAN] = "fail2ban",
        [FW_FRONTEND_SSHGUARD] = "sshguard",
        [FW_FRONTEND_DOCKER] = "docker",
};

const char *fw_frontend_to_string(FwFrontend f) {
        if ((unsigned) f >= _FW_FRONTEND_MAX)
                return NULL;
        return frontend_names[f];
}

static bool str_eq(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

static bool str_prefix(const char *s, const char *prefix) {
        return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool iptables_builtin_chain(const char *chain) {
        static const char *const builtins[] = {
                "INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING", NULL };

        for (size_t i = 0; builtins[i]; i++)
                if (str_eq(chain, builtins[i]))
                        return true;
        return false;
}

static bool iptables_table(const FwRuleRef *r) {
        static const char *const tables[] = { "filter", "nat", "mangle", "raw", "security", NULL };

        if (r->family != NFPROTO_IPV4 && r->family != NFPROTO_IPV6)
                return false;
        for (size_t i = 0; tables[i]; i++)
                if (str_eq(r->table, tables[i]))
                        return true;
        return false;
}

const char *fw_fail2ban_jail(const FwRuleRef *r) {
        /* nftables-*.conf actions: set "addr-set-<name>" (IPv4) or
         * "addr6-set-<name>" (IPv6, its [Init?family=inet6]) in table
         * "f2b-table"; iptables-*.conf actions: chain "f2b-<name>". */
        if (str_prefix(r->set, "addr-set-") && r->set[strlen("addr-set-")])
                return r->set + strlen("addr-set-");
        if (str_prefix(r->set, "addr6-set-") && r->set[strlen("addr6-set-")])
                return r->set + strlen("addr6-set-");
        if (str_prefix(r->chain, "f2b-") && !str_eq(r->chain, "f2b-chain") && r->chain[strlen("f2b-")])
                return r->chain + strlen("f2b-");
        return NULL;
}

FwFrontend fw_frontend_classify(const FwRuleRef *r) {
        /* The ban tools first: their rules live in tables other tools own
         * too (fail2ban's iptables actions add chains to iptables' filter). */
        if (str_eq(r->table, "f2b-table") || fw_fail2ban_jail(r))
                return FW_FRONTEND_FAIL2BAN;
        /* sshguard: nft backend "table ip sshguard" / "ip6 sshguard" (set
         * "attackers"), iptables backend chain "sshguard". */
        if (str_eq(r->table, "sshguard") || str_eq(r->chain, "sshguard"))
                return FW_FRONTEND_SSHGUARD;
        /* ufw: its chains are "ufw-*" / "ufw6-*"; the policy of INPUT in the
         * same table is what `ufw default` sets. */
        if (str_prefix(r->chain, "ufw-") || str_prefix(r->chain, "ufw6-"))
                return FW_FRONTEND_UFW;
        if (r->is_policy && iptables_builtin_chain(r->chain))
                for (const char *const *c = r->sibling_chains; c && *c; c++)
                        if (str_prefix(*c, "ufw-") || str_prefix(*c, "ufw6-"))
                                return FW_FRONTEND_UFW;
        /* firewalld: nftables backend "table inet firewalld"; iptables
         * backend chains INPUT_direct, IN_<zone>*, INPUT_ZONES. */
        if (str_eq(r->table, "firewalld") || str_eq(r->table, "firewalld_policy_drop") || str_prefix(r->chain, "IN_") ||
            str_eq(r->chain, "INPUT_direct") || str_eq(r->chain, "INPUT_ZONES"))
                return FW_FRONTEND_FIREWALLD;
        if (str_eq(r->chain, "DOCKER") || str_prefix(r->chain, "DOCKER-"))
                return FW_FRONTEND_DOCKER;
        if (r->legacy)
                return FW_FRONTEND_IPTABLES_LEGACY;
        if (iptables_table(r)) {
                if (iptables_builtin_chain(r->chain))
                        return FW_FRONTEND_IPTABLES_NFT;
                for (const char *const *c = r->sibling_chains; c && *c; c++)
                        if (iptables_builtin_chain(*c))
                                return FW_FRONTEND_IPTABLES_NFT;
        }
        return FW_FRONTEND_NFTABLES;
}

static const char *nft_family_name(int family) {
        switch (family) {
        case NFPROTO_INET: return "inet";
        case NFPROTO_IPV4: return "ip";
        case NFPROTO_IPV6: return "ip6";
        case NFPROTO_ARP: return "arp";
        case NFPROTO_BRIDGE: return "bridge";
        case NFPROTO_NETDEV: return "netdev";
        default: return NULL;
        }
}

/* The N bytes at S are letters, digits and characters of PUNCT only: a
 * word no shell takes apart (PUNCT without shell syntax). */
static bool plain_word(const char *s, size_t n, const char *punct) {
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
                      (s[i] && strchr(punct, s[i]))))
                        return false;
        return true;
}

/* A table, chain or set name as an nft command line takes it: plain when
 * nft's scanner reads it as an identifier, else quoted for nft and, in
 * single quotes, for the shell. */
static int nft_name(const char *name, char **ret) {
        bool plain = (name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') || name[0] == '_';

        if (plain && plain_word(name, strlen(name), "_-./"))
                return (*ret = strdup(name)) ? 0 : -ENOMEM;
        if (strpbrk(name, "'\"\\"))
                return -EINVAL;         /* no quoting makes nft read it back */
        return asprintf(ret, "'\"%s\"'", name) < 0 ? -ENOMEM : 0;
}

static int nft_remediation(const FwRuleRef *r, uint16_t port, char **ret) {
        const char *fam = nft_family_name(r->family);
        char *table = NULL, *chain = NULL;
        int k;

        if (!fam || nft_name(r->table, &table) < 0 || nft_name(r->chain, &chain) < 0) {
                free(table);
                return asprintf(ret, "nft -a list ruleset   # find and remove the rule that blocks tcp port %u", port) < 0 ?
                       -ENOMEM : 0;
        }
        if (r->is_policy)
                /* an accept before everything else in the chain whose policy drops */
                k = asprintf(ret, "nft insert rule %s %s %s tcp dport %u accept", fam, table, chain, port);
        else
                k = asprintf(ret, "nft delete rule %s %s %s handle %llu", fam, table, chain,
                             (unsigned long long) r->handle);
        free(table);
        free(chain);
        return k < 0 ? -ENOMEM : 0;
}

static int iptables_remediation(const FwRuleRef *r, const char *tool4, const char *tool6, uint16_t port,
                                char **ret) {
        const char *tool = r->family == NFPROTO_IPV6 ? tool6 : tool4;
        const char *table = r->table && strcmp(r->table, "filter") != 0 ? r->table : NULL;
        int k;

        if (r->is_policy)
                k = asprintf(ret, "%s%s%s -I %s -p tcp --dport %u -j ACCEPT", tool, table ? " -t " : "",
                             table ? table : "", r->chain, port);
        else
                k = asprintf(ret, "%s%s%s -D %s %u", tool, table ? " -t " : "", table ? table : "", r->chain,
                             r->position);
        return k < 0 ? -ENOMEM : 0;
}

/* firewalld's zone of CHAIN: filter_IN_<zone> (nftables backend) or
 * IN_<zone> (iptables backend), with the sub-chains _pre, _log, _deny,
 * _allow, _post (*RET_DENY for _deny: its rich rules that reject or drop).
 * NULL when it is no zone's chain, or the name is one a shell would take
 * apart. */
static char *firewalld_zone(const char *chain, bool *ret_deny) {
        static const char *const subs[] = { "_pre", "_log", "_deny", "_allow", "_post" };
        const char *z = str_prefix(chain, "filter_IN_") ? chain + 10 : str_prefix(chain, "IN_") ? chain + 3 : NULL;
        size_t n;

        *ret_deny = false;
        if (!z || str_prefix(z, "policy_"))
                return NULL;
        n = strlen(z);
        for (size_t i = 0; i < ELEMENTSOF(subs); i++) {
                size_t k = strlen(subs[i]);
                if (n > k && strcmp(z + n - k, subs[i]) == 0) {
                        n -= k;
                        *ret_deny = i == 2;
                        break;
                }
        }
        return n > 0 && plain_word(z, n, "_-") ? strndup(z, n) : NULL;
}

/* The fix in the running firewall and in its permanent configuration,
 * each on its own (`--runtime-to-permanent` would also save every other
 * unsaved runtime change, and in firewalld 1.3 does not save a list that
 * became empty: a zone's last rich rule removed comes back at the next
 * reload). */
static int firewalld_remediation(const FwRuleRef *r, uint16_t port, const char *source, char **ret) {
        _cleanup_free_ char *zone = NULL, *z = NULL, *what = NULL;
        bool deny;
        int k;

        /* panic mode: its own table drops everything (never permanent) */
        if (str_eq(r->table, "firewalld_policy_drop"))
                return asprintf(ret, "firewall-cmd --panic-off") < 0 ? -ENOMEM : 0;
        zone = firewalld_zone(r->chain, &deny);
        if (zone && asprintf(&z, " --zone=%s", zone) < 0)
                return -ENOMEM;
        if (zone && deny) {
                /* A rich rule rejects or drops it, before the zone's
                 * services are allowed: the zone's rich rules for the port
                 * that reject or drop (for any source: those naming none)
                 * go.  Their text is firewalld's, not in the ruleset. */
                k = port == 22 ? asprintf(&what, "-e 'service name=\"ssh\"' -e 'port port=\"22\" protocol=\"tcp\"'")
                               : asprintf(&what, "-e 'port port=\"%u\" protocol=\"tcp\"'", port);
                if (k < 0)
                        return -ENOMEM;
                k = asprintf(ret,
                             "firewall-cmd%s --list-rich-rules | grep %s | grep -E ' (reject|drop)( |$)'%s | "
                             "while IFS= read -r rule; do firewall-cmd%s --remove-rich-rule=\"$rule\" && "
                             "{ ! firewall-cmd --permanent%s --query-rich-rule=\"$rule\" >/dev/null || "
                             "firewall-cmd --permanent%s --remove-rich-rule=\"$rule\"; } || exit 1; done",
                             z, what, source ? "" : " | grep -v ' source '", z, z, z);
        } else if (port == 22)
                k = asprintf(ret, "firewall-cmd%s --add-service=ssh && firewall-cmd --permanent%s --add-service=ssh",
                             z ? z : "", z ? z : "");
        else
                k = asprintf(ret, "firewall-cmd%s --add-port=%u/tcp && firewall-cmd --permanent%s --add-port=%u/tcp",
                             z ? z : "", port, z ? z : "", port);
        return k < 0 ? -ENOMEM : 0;
}

int fw_recent_remediation(int family, const uint8_t *addr, const char *list, char **ret) {
        char a[INET6_ADDRSTRLEN];

        *ret = NULL;
        if (!list[0] || list[0] == '.' || !plain_word(list, strlen(list), "_-.") ||
            !inet_ntop(family, addr, a, sizeof(a)))
                return 0;
        return asprintf(ret, "echo -%s > /proc/net/xt_recent/%s", a, list) < 0 ? -ENOMEM : 0;
}

int fw_remediation(const FwRuleRef *r, FwFrontend f, uint16_t port, const char *source, char **ret) {
        const char *jail;
        int k;

        switch (f) {
        case FW_FRONTEND_UFW:
                /* `ufw allow` appends after the user's rules, so it cannot
                 * undo a deny; insert at the top instead.  The default policy
                 * is what `ufw allow` is for. */
                if (r->is_policy)
                        k = port == 22 ? asprintf(ret, "ufw allow ssh") : asprintf(ret, "ufw allow %u/tcp", port);
                else if (source)
                        k = asprintf(ret, "ufw insert 1 allow from %s to any port %u proto tcp", source, port);
                else
                        k = asprintf(ret, "ufw insert 1 allow %u/tcp", port);
                break;
        case FW_FRONTEND_FIREWALLD:
                return firewalld_remediation(r, port, source, ret);
        case FW_FRONTEND_FAIL2BAN:
                jail = fw_fail2ban_jail(r);
                if (source && jail)
                        k = asprintf(ret, "fail2ban-client set %s unbanip %s", jail, source);
                else if (source)
                        k = asprintf(ret, "fail2ban-client unban %s", source);
                else
                        k = asprintf(ret, "fail2ban-client unban --all");
                break;
        case FW_FRONTEND_NFTABLES:
                /* one address out of a ban set, not the whole rule */
                if (!(source && r->set && !r->legacy))
                        return nft_remediation(r, port, ret);
                _fallthrough_;
        case FW_FRONTEND_SSHGUARD:
                if (source && r->set && !r->legacy) {
                        char *table = NULL, *set = NULL;
                        const char *fam = nft_family_name(r->family);
                        if (!fam || nft_name(r->table, &table) < 0 || nft_name(r->set, &set) < 0) {
                                free(table);
                                return nft_remediation(r, port, ret);
                        }
                        k = asprintf(ret, "nft delete element %s %s %s '{ %s }'", fam, table, set, source);
                        free(table);
                        free(set);
                } else if (source)
                        k = asprintf(ret, "%s -D sshguard -s %s -j DROP",
                                     r->family == NFPROTO_IPV6 ? "ip6tables" : "iptables", source);
                else
                        return nft_remediation(r, port, ret);
                break;
        case FW_FRONTEND_DOCKER:
        case FW_FRONTEND_IPTABLES_NFT:
                return iptables_remediation(r, "iptables", "ip6tables", port, ret);
        case FW_FRONTEND_IPTABLES_LEGACY:
                return iptables_remediation(r, "iptables-legacy", "ip6tables-legacy", port, ret);
        default:
                return nft_remediation(r, port, ret);
        }
        return k < 0 ? -ENOMEM : 0;
}

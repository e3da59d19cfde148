/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which committed nftables changes can change the judgement (nft-relevance.h). */

#include <errno.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "nft-relevance.h"

bool nft_hook_sees_input(int family, int hook) {
        switch (family) {
        case NFPROTO_NETDEV:
                return hook == NF_NETDEV_INGRESS;
        case NFPROTO_INET:
                if (hook == NF_INET_INGRESS)
                        return true;
                _fallthrough_;
        case NFPROTO_IPV4:
        case NFPROTO_IPV6:
                return hook == NF_INET_PRE_ROUTING || hook == NF_INET_LOCAL_IN;
        default:
                return false;
        }
}

static const NftTable *nft_table_of(const NftRuleset *rs, int family, const char *name) {
        for (size_t i = 0; i < rs->n_tables; i++) {
                const NftTable *t = &rs->tables[i];
                if (!t->legacy && t->family == family && strcmp(t->name, name) == 0)
                        return t;
        }
        return NULL;
}

bool nft_ruleset_table_sees_input(const NftRuleset *rs, int family, const char *name) {
        const NftTable *t = nft_table_of(rs, family, name);

        for (size_t i = 0; t && i < t->n_chains; i++)
                if (t->chains[i].hook >= 0 && nft_hook_sees_input(family, t->chains[i].hook))
                        return true;
        return false;
}

int nft_ruleset_chain_hook(const NftRuleset *rs, int family, const char *table, const char *chain) {
        const NftTable *t = nft_table_of(rs, family, table);

        for (size_t i = 0; t && i < t->n_chains; i++)
                if (strcmp(t->chains[i].name, chain) == 0)
                        return t->chains[i].hook < 0 ? -1 : t->chains[i].hook;
        return -ENOENT;
}

void nft_batch_scope_add(NftBatchScope *b, const NftMonitorEvent *ev) {
        bool chain_level = ev->msg_type == NFT_MSG_NEWRULE || ev->msg_type == NFT_MSG_DELRULE ||
                           ev->msg_type == NFT_MSG_NEWCHAIN || ev->msg_type == NFT_MSG_DELCHAIN;
        NftTouched *t;

        if (b->all)
                return;
        if (!nft_monitor_msg_changes_ruleset(ev->msg_type))
                return;
        if (!ev->table[0]) {
                /* a change of a table this cannot name */
                b->all = true;
                return;
        }
        chain_level = chain_level && ev->chain[0];
        for (size_t i = 0; i < b->n; i++) {
                t = &b->touched[i];
                if (t->family == ev->family && t->chain_level == chain_level && strcmp(t->table, ev->table) == 0 &&
                    (!chain_level || strcmp(t->chain, ev->chain) == 0))
                        return;
        }
        if (b->n == NFT_BATCH_SCOPE_MAX) {
                b->all = true;
                return;
        }
        t = &b->touched[b->n++];
        t->family = ev->family;
        t->chain_level = chain_level;
        snprintf(t->table, sizeof(t->table), "%s", ev->table);
        snprintf(t->chain, sizeof(t->chain), "%s", chain_level ? ev->chain : "");
}

/* A base chain the evaluator does not run, in the ruleset judged and in the
 * store alike (where it is at all): nothing of it is read. */
static bool chain_unseen(const NftTouched *t, const NftRuleset *judged, const NftStore *now) {
        int before = nft_ruleset_chain_hook(judged, t->family, t->table, t->chain);
        int after = nft_store_chain_hook(now, t->family, t->table, t->chain);

        if (before == -ENOENT && after == -ENOENT)
                return false;   /* made and removed in the batch: the table decides */
        if (before != -ENOENT && (before < 0 || nft_hook_sees_input(t->family, before)))
                return false;
        if (after != -ENOENT && (after < 0 || nft_hook_sees_input(t->family, after)))
                return false;
        return true;
}

bool nft_batch_scope_matters(const NftBatchScope *b, const NftRuleset *judged, const NftStore *now) {
        if (b->all || !judged || !now)
                return true;
        for (size_t i = 0; i < b->n; i++) {
                const NftTouched *t = &b->touched[i];
                int seen_now;

                if (t->chain_level && chain_unseen(t, judged, now))
                        continue;
                if (nft_ruleset_table_sees_input(judged, t->family, t->table))
                        return true;
                seen_now = nft_store_table_sees_input(now, t->family, t->table);
                if (seen_now != 0 && seen_now != -ENOENT)
                        return true;    /* it does, or the store cannot say */
        }
        return false;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * The NftStore following notifications, driven as the daemon drives it.
 * The input is a sequence of records, each a 32-bit kind, a 32-bit length
 * and that many bytes padded to 4 (the records of tests/data/nft-store
 * captures, without their "SGNS" magic):
 *   'L', 'D'  a dump: (re)loads the store when there is none or it went
 *             stale (nft_store_load_msgs());
 *   'N'       one datagram of notifications: nft_store_apply();
 *   'E'       a lost datagram (ENOBUFS): the store is stale;
 *   others    ignored (a capture's 'C', the command run).
 * Properties: a store loaded from a dump holds the ruleset that dump
 * decodes to (tests/tools/nft-ruleset-compare.c, as check_nft_store.c
 * holds it to fresh dumps); apply returns only what nft-store.h lists; a
 * completed generation gives a ruleset (then rendered and evaluated,
 * nft-exercise.h) and names its commit.
 */

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "nft-exercise.h"
#include "nft-ruleset-compare.h"
#include "nft-store.h"

#define FUZZ_MAX_RECORDS 256

/* Differences between the store and the decoder on dumps that
 * nft_dump_raw() never produces, each with a reproducer under
 * regressions/nft-store (strict mode does not tolerate them):
 *  - no-newgen: no NEWGEN in the dump: the decoder has no generation, the
 *    store's ruleset says generation 0;
 *  - setelem-without-request, setelem-of-another-set: NEWSETELEM replies
 *    that are not of the set the GETSETELEM request before them named: the
 *    decoder adds them to the set they name, the store drops them;
 *  - setelem-request-without-done: a GETSETELEM request whose replies end
 *    without NLMSG_DONE (the next request or the end of the dump comes
 *    first): the store calls the set's elements complete, the decoder
 *    does not;
 *  - object-flagged-request: a NEWRULE, NEWSET, ... with NLM_F_REQUEST set:
 *    the store skips it as one of its own requests, the decoder decodes it;
 *  - elements-of-an-unfollowed-set: the elements of a set with timeouts,
 *    updated from the packet path or named by a dynset (which
 *    nft_dump_raw() does not ask for): the decoder keeps them and calls
 *    the set complete, the store drops them (it does not follow such sets);
 *  - immediate-verdict-register-with-value: an immediate to the verdict
 *    register carrying NFTA_DATA_VALUE: the decoder keeps the value's pool
 *    offset as the verdict code, which differs from store to decoder. */
static bool names_equal(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

/* NFTA_SET_ELEM_LIST_TABLE and _SET of one message, NULL when absent or
 * not terminated within their attribute. */
static void setelem_names(const struct nlmsghdr *nlh, const char **table, const char **set) {
        const uint8_t *p = (const uint8_t *) nlh + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg)),
                      *end = (const uint8_t *) nlh + nlh->nlmsg_len;

        *table = *set = NULL;
        while (p < end && (size_t) (end - p) >= sizeof(struct nlattr)) {
                const struct nlattr *a = (const struct nlattr *) p;
                size_t n = a->nla_len;

                if (n < sizeof(*a) || n > (size_t) (end - p))
                        break;
                if ((a->nla_type & NLA_TYPE_MASK) <= NFTA_SET_ELEM_LIST_SET &&
                    memchr(p + sizeof(*a), '\0', n - sizeof(*a))) {
                        if ((a->nla_type & NLA_TYPE_MASK) == NFTA_SET_ELEM_LIST_TABLE)
                                *table = (const char *) (p + sizeof(*a));
                        else if ((a->nla_type & NLA_TYPE_MASK) == NFTA_SET_ELEM_LIST_SET)
                                *set = (const char *) (p + sizeof(*a));
                }
                p += NLA_ALIGN(n);
        }
}

static bool dump_has_known_divergence(const uint8_t *buf, size_t len) {
        const char *req_table = NULL, *req_set = NULL;
        int req_family = -1;
        bool pending = false;

        while (len >= sizeof(struct nlmsghdr)) {
                const struct nlmsghdr *nlh = (const struct nlmsghdr *) buf;

                /* the decoders' own business (and the overread of
                 * regressions/nft-monitor): not judged here */
                if (nlh->nlmsg_len < NLMSG_HDRLEN || NLMSG_ALIGN(nlh->nlmsg_len) > len)
                        return true;
                if (nlh->nlmsg_type == NLMSG_DONE) {
                        req_table = req_set = NULL;
                        pending = false;
                }
                else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE &&
                         NFNL_SUBSYS_ID(nlh->nlmsg_type) == NFNL_SUBSYS_NFTABLES &&
                         nlh->nlmsg_len >= NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg))) {
                        uint16_t type = NFNL_MSG_TYPE(nlh->nlmsg_type);
                        int family = ((const struct nfgenmsg *) NLMSG_DATA(nlh))->nfgen_family;
                        const char *table, *set;

                        if (type == NFT_MSG_GETSETELEM && (nlh->nlmsg_flags & NLM_F_REQUEST)) {
                                if (pending)
                                        return true;    /* setelem-request-without-done */
                                setelem_names(nlh, &req_table, &req_set);
                                req_family = family;
                                pending = true;
                        } else if (nlh->nlmsg_flags & NLM_F_REQUEST) {
                                /* what the decoder decodes, the store skips */
                                if (type == NFT_MSG_NEWTABLE || type == NFT_MSG_NEWCHAIN ||
                                    type == NFT_MSG_NEWRULE || type == NFT_MSG_NEWSET ||
                                    type == NFT_MSG_NEWSETELEM || type == NFT_MSG_NEWGEN)
                                        return true;    /* object-flagged-request */
                        } else if (type == NFT_MSG_NEWSETELEM) {
                                setelem_names(nlh, &table, &set);
                                if (family != req_family || !names_equal(table, req_table) ||
                                    !names_equal(set, req_set))
                                        return true;    /* setelem-without-request / -of-another-set */
                        }
                }
                len -= NLMSG_ALIGN(nlh->nlmsg_len);
                buf += NLMSG_ALIGN(nlh->nlmsg_len);
        }
        return pending;         /* setelem-request-without-done */
}

static bool ruleset_has_known_divergence(const NftRuleset *rs) {
        for (size_t i = 0; i < rs->n_sets; i++)
                if (rs->sets[i].elems_complete && (rs->sets[i].flags & (NFT_SET_TIMEOUT | NFT_SET_EVAL)))
                        return true;    /* elements-of-an-unfollowed-set */
        for (size_t i = 0; i < rs->n_exprs; i++)
                if (rs->exprs[i].kind == NFT_EXPR_DYNSET && rs->exprs[i].dynset.set < rs->n_sets &&
                    rs->sets[rs->exprs[i].dynset.set].elems_complete)
                        return true;    /* elements-of-an-unfollowed-set */
        for (size_t i = 0; i < rs->n_exprs; i++) {
                const NftExpr *x = &rs->exprs[i];
                int32_t code = (int32_t) x->immediate.data_off;

                /* what nft_verdict_init() accepts */
                if (x->kind == NFT_EXPR_IMMEDIATE && x->immediate.dreg == NFT_REG_WORD_VERDICT &&
                    !(code >= NFT_RETURN && code <= NFT_CONTINUE) && (code & NF_VERDICT_MASK) != NF_ACCEPT &&
                    (code & NF_VERDICT_MASK) != NF_DROP && (code & NF_VERDICT_MASK) != NF_QUEUE)
                        return true;    /* immediate-verdict-register-with-value */
        }
        return false;
}

static void tolerate_no_newgen(const NftRuleset *fresh, NftRuleset *mine) {
        if (!fresh->have_genid) {
                mine->have_genid = false;
                mine->genid = 0;
        }
}

static NftStore *load(const void *buf, size_t len) {
        NftStore *s = NULL;
        NftRuleset *fresh = NULL, *mine = NULL;
        int r = nft_store_load_msgs(&s, &fresh, buf, len);

        if (r == -EBADMSG || r == -ESTALE || r == -ENOMEM || (r < 0 && r >= -4095))
                return NULL;    /* a refused dump (or the NLMSG_ERROR it holds) */
        if (r != 0 || !s || !fresh)
                fuzz_fail("nft_store_load_msgs: %d", r);
        r = nft_store_ruleset(s, &mine);
        if (r == -ENOMEM)
                goto out;
        if (r != 0)
                fuzz_fail("a store just loaded gives no ruleset: %d", r);
        if (!fuzz_strict()) {
                if (dump_has_known_divergence(buf, len) || ruleset_has_known_divergence(fresh))
                        goto out;
                tolerate_no_newgen(fresh, mine);
        }
        if (nft_ruleset_compare(fresh, mine, stderr) != 0)
                fuzz_fail("the store loaded from a dump differs from the dump decoded");
out:
        nft_ruleset_free(mine);
        nft_ruleset_free(fresh);
        return s;
}

static void committed(NftStore *s) {
        NftRuleset *rs = NULL;
        const NftMonitorEvent *e = nft_store_last_commit(s);
        int r;

        if (!e || e->genid != nft_store_genid(s))
                fuzz_fail("a completed generation without its commit");
        if (nft_store_in_batch(s))
                fuzz_fail("in a batch right after its NEWGEN");
        r = nft_store_ruleset(s, &rs);
        if (r == -ENOMEM)
                return;
        if (r != 0)
                fuzz_fail("nft_store_ruleset after a commit: %d", r);
        fuzz_nft_exercise(rs);
        nft_ruleset_free(rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        NftStore *s = NULL;
        bool stale = false;
        size_t at = 0;

        for (unsigned n = 0; n < FUZZ_MAX_RECORDS && size - at >= 8; n++) {
                uint32_t kind, len;
                size_t pad;
                void *buf;

                memcpy(&kind, data + at, 4);
                memcpy(&len, data + at + 4, 4);
                at += 8;
                if (len > size - at)
                        break;
                buf = fuzz_memdup(data + at, len);
                at += len;
                pad = (4 - len % 4) % 4;
                at += pad < size - at ? pad : size - at;

                switch (kind) {
                case 'L':
                case 'D':
                        if (!s || stale) {
                                nft_store_free(s);
                                s = load(buf, len);
                                stale = false;
                        }
                        break;
                case 'E':
                        stale = true;
                        break;
                case 'N':
                        if (s && !stale) {
                                int k = nft_store_apply(s, buf, len);
                                NftStoreStats st;

                                if (k == 1)
                                        committed(s);
                                else if (k == -ESTALE || k == -ENOMEM)
                                        stale = true;
                                else if (k != 0)
                                        fuzz_fail("nft_store_apply returned %d", k);
                                nft_store_stats(s, &st);
                        }
                        break;
                default:
                        break;
                }
                free(buf);
        }
        nft_store_free(s);
        return 0;
}

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
 * nft-exercise.h) and names its commit; the ruleset
 * nft_store_ruleset_follow() keeps up to date equals it.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "nft-exercise.h"
#include "nft-ruleset-compare.h"
#include "nft-store.h"

#define FUZZ_MAX_RECORDS 256

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
        if (nft_ruleset_compare(fresh, mine, stderr) != 0)
                fuzz_fail("the store loaded from a dump differs from the dump decoded");
out:
        nft_ruleset_free(mine);
        nft_ruleset_free(fresh);
        return s;
}

static void committed(NftStore *s, NftRuleset **followed) {
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
        r = nft_store_ruleset_follow(s, followed);
        if (r == -ENOMEM)
                goto out;
        if (r != 0 && r != 1)
                fuzz_fail("nft_store_ruleset_follow after a commit: %d", r);
        if (nft_ruleset_compare(rs, *followed, stderr) != 0)
                fuzz_fail("the ruleset followed differs from the store's");
        fuzz_nft_exercise(rs);
out:
        nft_ruleset_free(rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        NftStore *s = NULL;
        NftRuleset *followed = NULL;
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
                                followed = nft_ruleset_free(followed);
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
                                        committed(s, &followed);
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
        nft_ruleset_free(followed);
        nft_store_free(s);
        return 0;
}

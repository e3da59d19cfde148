/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * xt_legacy_table_parse() on one iptables-legacy table, as
 * tests/data/xt-legacy/NAME.bin hold it without their "SGXT" magic: a 32-bit
 * family (NFPROTO_IPV6 for IPv6, anything else IPv4), the XtLegacyInfo
 * IPT_SO_GET_INFO gave, then the entries (their size is what is left).
 * Then the table's fingerprint, and what the daemon does with a table that
 * decodes: nft_ruleset_add_legacy() into a ruleset, rendered and evaluated
 * (nft-exercise.h).
 */

#include <errno.h>
#include <linux/netfilter.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "nft-exercise.h"
#include "nft-ruleset.h"
#include "xt-legacy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        XtLegacyInfo info;
        XtLegacyTable *t = NULL;
        NftRuleset *rs = NULL;
        uint32_t family;
        uint64_t fp;
        void *entries;
        size_t len;
        int r;

        if (size < sizeof(family) + sizeof(info))
                return 0;
        memcpy(&family, data, sizeof(family));
        memcpy(&info, data + sizeof(family), sizeof(info));
        family = family == NFPROTO_IPV6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
        len = size - sizeof(family) - sizeof(info);
        entries = fuzz_memdup(data + sizeof(family) + sizeof(info), len);

        (void) xt_legacy_table_fingerprint((int) family, &info, entries, len, &fp);
        r = xt_legacy_table_parse((int) family, &info, entries, len, &t);
        if (r == 0 && !t)
                fuzz_fail("xt_legacy_table_parse succeeded without a table");
        if (r == 0) {
                rs = nft_ruleset_new();
                if (!rs)
                        abort();
                r = nft_ruleset_add_legacy(rs, t);
                if (r == 0)
                        fuzz_nft_exercise(rs);
                else if (r != -EBADMSG && r != -ENOMEM && r != -EOPNOTSUPP && r != -EAFNOSUPPORT)
                        /* what nft-ruleset.h lists */
                        fuzz_fail("nft_ruleset_add_legacy returned %d", r);
                else if (rs->n_tables != 0)
                        fuzz_fail("nft_ruleset_add_legacy failed (%d) and left a table", r);
        }
        nft_ruleset_free(rs);
        xt_legacy_table_free(t);
        free(entries);
        return 0;
}

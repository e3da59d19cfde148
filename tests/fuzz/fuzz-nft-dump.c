/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * nft_ruleset_parse_msgs() on the input as the bytes of an nftables dump
 * (what nft_dump_raw() receives and tests/data/nft/NAME.bin hold); when it
 * decodes, the renderer and the evaluator on the result (nft-exercise.h).
 */

#include <errno.h>
#include <stdlib.h>

#include "fuzz.h"
#include "nft-exercise.h"
#include "nft-ruleset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        void *buf = fuzz_memdup(data, size);
        NftRuleset *rs = nft_ruleset_new();
        int r;

        if (!rs)
                abort();
        r = nft_ruleset_parse_msgs(rs, buf, size);
        if (r > 0)
                fuzz_fail("nft_ruleset_parse_msgs returned %d", r);
        if (r == 0)
                fuzz_nft_exercise(rs);
        nft_ruleset_free(rs);
        free(buf);
        return 0;
}

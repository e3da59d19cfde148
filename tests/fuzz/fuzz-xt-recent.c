/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * xt_recent_list_parse() on a /proc/net/xt_recent/NAME file, and
 * xt_recent_clock_parse() on the same bytes as /proc/timer_list.
 * Properties (xt-recent.h): a list parses whole or not at all (-EINVAL,
 * -ENOMEM); every entry has 1..255 stamps inside the list's stamp array
 * and a next slot within them; a clock has one of the HZ values.  Then
 * every entry is asked about, as the evaluator does, at the first stamp's
 * time and with 0..3 stamps of the packet's own: the answer is -1, 0 or
 * 1, the entry found unless -1, and never 0 when no hit count is asked
 * and the packet stamped it itself.
 */

#include <errno.h>
#include <linux/netfilter.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "xt-recent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_memdup(data, size);
        XtRecentList l;
        XtRecentClock c;
        int r = xt_recent_list_parse("DEFAULT", text, size, &l);

        if (r < 0 && r != -EINVAL && r != -ENOMEM)
                fuzz_fail("xt_recent_list_parse returned %d", r);
        if (r == 0) {
                size_t total = 0;
                for (size_t i = 0; i < l.n_entries; i++) {
                        const XtRecentEntry *e = &l.entries[i];
                        if (e->n == 0 || e->n > 255 || e->index == 0 || e->index > e->n ||
                            e->first + (size_t) e->n > l.n_stamps)
                                fuzz_fail("entry %zu: %u stamps from %u, next slot %u, %zu in the list", i, e->n,
                                          e->first, e->index, l.n_stamps);
                        if (e->family != NFPROTO_IPV4 && e->family != NFPROTO_IPV6)
                                fuzz_fail("entry %zu: family %u", i, e->family);
                        total += e->n;
                }
                if (total != l.n_stamps)
                        fuzz_fail("%zu stamps in entries, %zu in the list", total, l.n_stamps);
                XtRecentState s = { .lists = &l, .n_lists = 1, .hz = 250,
                                    .now = l.n_stamps ? l.stamps[0] : 0 };
                for (size_t i = 0; i < l.n_entries && i < 64; i++)
                        for (unsigned added = 0; added < 4; added++) {
                                bool exists;
                                int m = xt_recent_match(&s, "DEFAULT", l.entries[i].family, l.entries[i].addr, 30,
                                                        (uint32_t) (i % 8), added, &exists);
                                /* -1: two entries of one address (one per TTL), which
                                 * one answers is not known */
                                if (m < -1 || m > 1 || (m >= 0 && !exists))
                                        fuzz_fail("entry %zu: match %d, exists %d", i, m, exists);
                                if (i % 8 == 0 && added > 0 && m == 0)
                                        fuzz_fail("entry %zu: no hit count asked, its own stamp now, match %d", i,
                                                  m);
                        }
                xt_recent_list_done(&l);
        }
        r = xt_recent_clock_parse(text, size, &c);
        if (r == 0 && (c.hz < 24 || c.hz > 1200))
                fuzz_fail("clock with HZ %u", c.hz);
        if (r < 0 && r != -ENODATA)
                fuzz_fail("xt_recent_clock_parse returned %d", r);
        free(text);
        return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * nft_monitor_parse() on the input as one datagram received on the
 * NFNLGRP_NFTABLES socket (what tests/data/nft-monitor/NAME.bin record, one
 * datagram each), holding each event to nft-monitor.h: strings
 * NUL-terminated within their arrays, names of the message types it
 * passes on; the count returned is the count delivered.
 */

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "nft-monitor.h"

static int count_event(const NftMonitorEvent *ev, void *userdata) {
        unsigned *n = userdata;

        if (!memchr(ev->comm, '\0', sizeof(ev->comm)) || !memchr(ev->table, '\0', sizeof(ev->table)) ||
            !memchr(ev->chain, '\0', sizeof(ev->chain)) || !memchr(ev->name, '\0', sizeof(ev->name)))
                fuzz_fail("an event's string is not terminated");
        (void) nft_monitor_msg_name(ev->msg_type);
        (void) nft_monitor_msg_changes_ruleset(ev->msg_type);
        (*n)++;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        void *buf = fuzz_memdup(data, size);
        unsigned n = 0;
        int r = nft_monitor_parse(buf, size, count_event, &n);

        if (r >= 0 && (unsigned) r != n)
                fuzz_fail("nft_monitor_parse returned %d after delivering %u events", r, n);
        free(buf);
        return 0;
}

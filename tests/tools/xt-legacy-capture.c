/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Captures one iptables-legacy table for the unit tests:
 *   xt-legacy-capture 4|6 TABLE > FILE
 * writes "SGXT", the family (u32), the XtLegacyInfo and the entries, as the
 * kernel returned them.  Run it inside a network namespace of your own.
 *
 *   xt-legacy-capture fingerprint 4|6 [CALLS]
 * prints xt_legacy_fingerprint() of the family's tables and the mean time
 * of CALLS calls (default 1000), for the figures in xt-legacy.h.
 */
#include <errno.h>
#include <linux/netfilter.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xt-legacy.h"

static int fingerprint(uint32_t family, long calls) {
        struct timespec a, b;
        uint64_t fp = 0, first = 0;
        double us;
        int r;

        clock_gettime(CLOCK_MONOTONIC, &a);
        for (long i = 0; i < calls; i++) {
                r = xt_legacy_fingerprint((int) family, &fp);
                if (r < 0) {
                        fprintf(stderr, "fingerprint: %s\n", strerror(-r));
                        return 1;
                }
                if (i == 0)
                        first = fp;
                else if (fp != first)
                        fprintf(stderr, "warning: the fingerprint changed during the run\n");
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        us = ((double) (b.tv_sec - a.tv_sec) * 1e9 + (double) (b.tv_nsec - a.tv_nsec)) / 1e3 / (double) calls;
        printf("%016llx %.1f us/call (%ld calls)\n", (unsigned long long) fp, us, calls);
        return 0;
}

int main(int argc, char **argv) {
        XtLegacyInfo info;
        void *entries = NULL;
        size_t size = 0;
        uint32_t family;
        int r;

        if (argc >= 3 && strcmp(argv[1], "fingerprint") == 0 && (strcmp(argv[2], "4") == 0 || strcmp(argv[2], "6") == 0))
                return fingerprint(strcmp(argv[2], "6") == 0 ? NFPROTO_IPV6 : NFPROTO_IPV4,
                                   argc >= 4 && atol(argv[3]) > 0 ? atol(argv[3]) : 1000);
        if (argc != 3 || (strcmp(argv[1], "4") != 0 && strcmp(argv[1], "6") != 0)) {
                fprintf(stderr, "usage: %s 4|6 TABLE > FILE\n"
                                "       %s fingerprint 4|6 [CALLS]\n", argv[0], argv[0]);
                return 2;
        }
        family = strcmp(argv[1], "6") == 0 ? NFPROTO_IPV6 : NFPROTO_IPV4;
        r = xt_legacy_read_raw((int) family, argv[2], &info, &entries, &size);
        if (r < 0) {
                fprintf(stderr, "reading %s: %s\n", argv[2], strerror(-r));
                return 1;
        }
        if (fwrite("SGXT", 1, 4, stdout) != 4 || fwrite(&family, sizeof(family), 1, stdout) != 1 ||
            fwrite(&info, sizeof(info), 1, stdout) != 1 || fwrite(entries, 1, size, stdout) != size ||
            fflush(stdout) != 0) {
                fprintf(stderr, "write failed\n");
                free(entries);
                return 1;
        }
        free(entries);
        return 0;
}

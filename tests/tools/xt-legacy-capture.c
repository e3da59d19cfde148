/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Captures one iptables-legacy table for the unit tests:
 *   xt-legacy-capture 4|6 TABLE > FILE
 * writes "SGXT", the family (u32), the XtLegacyInfo and the entries, as the
 * kernel returned them.  Run it inside a network namespace of your own.
 */
#include <errno.h>
#include <linux/netfilter.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xt-legacy.h"

int main(int argc, char **argv) {
        XtLegacyInfo info;
        void *entries = NULL;
        size_t size = 0;
        uint32_t family;
        int r;

        if (argc != 3 || (strcmp(argv[1], "4") != 0 && strcmp(argv[1], "6") != 0)) {
                fprintf(stderr, "usage: %s 4|6 TABLE > FILE\n", argv[0]);
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

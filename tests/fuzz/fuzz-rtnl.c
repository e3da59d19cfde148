/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * route_parse_answer() on the input as the kernel's answer to
 * route_lookup()'s RTM_GETROUTE, for IPv4 and for IPv6 (the family only
 * changes the RTA_PREFSRC length expected).  Property (route.h): 0 means
 * an output interface was found; failures are negative.
 *
 * Links and addresses: nothing in lib/ or daemon/ decodes RTM_NEWLINK or
 * RTM_NEWADDR (the daemon's rtnetlink socket only wakes it up, interfaces
 * and addresses are read with getifaddrs() and if_nameindex()), so there
 * is no such decoder to fuzz.
 */

#include <stdlib.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        void *buf = fuzz_memdup(data, size);
        static const int families[] = { AF_INET, AF_INET6 };

        for (size_t i = 0; i < 2; i++) {
                RouteInfo info;
                int r = route_parse_answer(families[i], buf, size, 0, 0, &info);

                if (r > 0)
                        fuzz_fail("route_parse_answer returned %d", r);
                if (r == 0 && (info.ifname[0] != '\0' || info.has_prefsrc > 1))
                        fuzz_fail("route_parse_answer filled what it should not");
                /* with a sequence number and a port id to hold messages to */
                (void) route_parse_answer(families[i], buf, size, 1, 1, &info);
        }
        free(buf);
        return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "listeners.h"

static bool is_any(int family, const uint8_t *a) {
        static const uint8_t zero[16];
        return memcmp(a, zero, family == AF_INET ? 4 : 16) == 0;
}

static bool is_v4mapped(const uint8_t *a) {
        static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };
        return memcmp(a, prefix, 12) == 0;
}

/* How well S matches; -1 not at all.  Exact beats wildcard, and an IPv4
 * socket beats an IPv6 one for IPv4 (the kernel scores family too). */
static int score(const SgListener *s, int family, const uint8_t *addr) {
        if (family == AF_INET6) {
                if (s->family != AF_INET6 || is_v4mapped(s->addr))
                        return -1;
                if (is_any(AF_INET6, s->addr))
                        return 1;
                return memcmp(s->addr, addr, 16) == 0 ? 5 : -1;
        }
        if (s->family == AF_INET) {
                if (is_any(AF_INET, s->addr))
                        return 2;
                return memcmp(s->addr, addr, 4) == 0 ? 6 : -1;
        }
        if (s->v6only)
                return -1;
        if (is_any(AF_INET6, s->addr))
                return 1;
        if (!is_v4mapped(s->addr))
                return -1;
        return memcmp(s->addr + 12, addr, 4) == 0 ? 5 : -1;
}

const SgListener *sg_listener_taking(const SgListener *l, size_t n, int family, const uint8_t *addr, uint16_t port) {
        const SgListener *best = NULL;
        int best_score = -1;

        if (family != AF_INET && family != AF_INET6)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                int sc;
                if (l[i].port != port)
                        continue;
                sc = score(&l[i], family, addr);
                if (sc > best_score) {
                        best = &l[i];
                        best_score = sc;
                }
        }
        return best;
}

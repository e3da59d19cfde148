/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * listen_parse_msgs() on the input as the answer to SOCK_DIAG_BY_FAMILY
 * dumps (tests/data/listen/basic.bin), then the questions the daemon asks
 * of the table: who listens on a port, for which address.  Properties
 * (listen.h): every socket kept is AF_INET or AF_INET6; a listener
 * listen_covers() names is one of the table's, on the port asked.
 */

#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "listen.h"

static void ask(const ListenTable *t, int family, const char *addr, uint16_t port) {
        uint8_t a[16] = {};
        const ListenSocket *who = NULL;

        if (addr && inet_pton(family, addr, a) != 1)
                abort();
        if (listen_covers(t, family, addr ? a : NULL, port, &who) &&
            (!who || who < t->sockets || who >= t->sockets + t->n_sockets || who->port != port))
                fuzz_fail("listen_covers() named no listener of the table on port %u", port);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        void *buf = fuzz_memdup(data, size);
        ListenTable *t = listen_table_new();

        if (!t)
                abort();
        (void) listen_parse_msgs(t, buf, size);
        for (size_t i = 0; i < t->n_sockets; i++) {
                const ListenSocket *s = &t->sockets[i];

                if (s->family != AF_INET && s->family != AF_INET6)
                        fuzz_fail("a socket of family %d", s->family);
                ask(t, s->family, NULL, s->port);
        }
        ask(t, AF_INET, "192.0.2.1", 22);
        ask(t, AF_INET, "127.0.0.1", 22);
        ask(t, AF_INET6, "2001:db8::1", 22);
        ask(t, AF_INET6, "::ffff:192.0.2.1", 22);
        for (const ListenSocket *s = NULL; (s = listen_find_port(t, AF_UNSPEC, 22, s));)
                if (s->port != 22)
                        fuzz_fail("listen_find_port(22) found port %u", s->port);
        listen_table_free(t);
        free(buf);
        return 0;
}

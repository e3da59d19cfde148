/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * The x_tables extension decoders (xt_match_decode(), xt_target_decode())
 * on one blob, then what the daemon does with the decoded value: its name,
 * its nft text, its verdict for a probe.  Input:
 *   byte 0   bit 0: a target (else a match); bit 1: IPv6 (else IPv4)
 *   byte 1   the revision
 *   then     the extension's name, NUL-terminated (at most 28 bytes; "" is
 *            the standard target)
 *   then     the blob (NFTA_MATCH_INFO / ipt_entry_match data)
 * Properties (xt.h): decoding the same blob twice gives byte-equal values
 * (padding zeroed); a render returns the length it wanted, snprintf-style,
 * and writes a terminated, correctly cut text.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "xt.h"

#define FUZZ_XT_NAME_MAX 29     /* XT_EXTENSION_MAXNAMELEN, with the NUL */

static XtProbe probe(int family) {
        XtProbe p = {
                .family = family, .l4proto = IPPROTO_TCP, .sport = 40000, .dport = 22, .tcp_flags = 0x02,
                .ct_state = XT_CT_NEW, .iifname = "eth0",
        };

        if (family == NFPROTO_IPV6) {
                inet_pton(AF_INET6, "2001:db8::5", p.saddr);
                inet_pton(AF_INET6, "2001:db8::1", p.daddr);
        } else {
                inet_pton(AF_INET, "192.0.2.5", p.saddr);
                inet_pton(AF_INET, "192.0.2.1", p.daddr);
        }
        memcpy(p.orig_daddr, p.daddr, sizeof(p.daddr));
        p.orig_dport = p.dport;
        return p;
}

static void check_render(int r, const char *buf, size_t len) {
        const char *nul;

        if (r == -EOPNOTSUPP)
                return;
        if (r < 0)
                fuzz_fail("render returned %d", r);
        nul = memchr(buf, '\0', len);
        if (!nul)
                fuzz_fail("rendered text not terminated");
        if ((size_t) (nul - buf) != ((size_t) r < len ? (size_t) r : len - 1))
                fuzz_fail("rendered %zu bytes, returned %d (buffer %zu)", (size_t) (nul - buf), r, len);
}

static void match(int family, const char *name, uint32_t rev, const void *blob, size_t len) {
        XtPool pool = {}, pool2 = {};
        XtMatch m, m2;
        XtProbe p = probe(family);
        XtResult fresh;
        char text[1024], small[8];
        static const uint8_t protos[] = { 0, IPPROTO_TCP, IPPROTO_UDP };

        if (xt_match_decode(&m, &pool, family, name, rev, blob, len) < 0 ||
            xt_match_decode(&m2, &pool2, family, name, rev, blob, len) < 0)
                goto out;
        if (memcmp(&m, &m2, sizeof(m)) != 0)
                fuzz_fail("xt_match_decode gave two different values for one blob");
        if (!xt_match_name(&m, &pool))
                fuzz_fail("a decoded match without a name");
        for (size_t i = 0; i < sizeof(protos); i++) {
                check_render(xt_match_render(&m, &pool, protos[i], text, sizeof(text)), text, sizeof(text));
                check_render(xt_match_render(&m, &pool, protos[i], small, sizeof(small)), small, sizeof(small));
        }
        (void) xt_match_eval(&m, &pool, &p, &fresh);
        p.ct_state = XT_CT_ESTABLISHED;
        p.dnat = true;
        (void) xt_match_eval(&m, &pool, &p, NULL);
        if (m.kind == XTM_SET)
                for (XtSetMember k = XT_SET_ABSENT; k <= XT_SET_MEMBER_NOMATCH; k++) {
                        (void) xt_set_match_result(&m, k, false);
                        (void) xt_set_match_result(&m, k, true);
                }
out:
        xt_pool_done(&pool);
        xt_pool_done(&pool2);
}

static void target(int family, const char *name, uint32_t rev, const void *blob, size_t len) {
        XtPool pool = {}, pool2 = {};
        XtTarget t, t2;
        XtProbe p = probe(family);
        char text[1024], small[8];

        if (xt_target_decode(&t, &pool, family, name, rev, blob, len) < 0 ||
            xt_target_decode(&t2, &pool2, family, name, rev, blob, len) < 0)
                goto out;
        if (memcmp(&t, &t2, sizeof(t)) != 0)
                fuzz_fail("xt_target_decode gave two different values for one blob");
        if (!xt_target_name(&t, &pool))
                fuzz_fail("a decoded target without a name");
        check_render(xt_target_render(&t, &pool, text, sizeof(text)), text, sizeof(text));
        check_render(xt_target_render(&t, &pool, small, sizeof(small)), small, sizeof(small));
        (void) xt_target_eval(&t, &pool, &p);
out:
        xt_pool_done(&pool);
        xt_pool_done(&pool2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const uint8_t *nul;
        char name[FUZZ_XT_NAME_MAX];
        int family;
        void *blob;
        size_t len;

        if (size < 3)
                return 0;
        nul = memchr(data + 2, '\0', size - 2 < FUZZ_XT_NAME_MAX ? size - 2 : FUZZ_XT_NAME_MAX);
        if (!nul)
                return 0;
        memcpy(name, data + 2, (size_t) (nul - data - 2) + 1);
        family = data[0] & 2 ? NFPROTO_IPV6 : NFPROTO_IPV4;
        len = size - (size_t) (nul + 1 - data);
        blob = fuzz_memdup(nul + 1, len);
        if (data[0] & 1)
                target(family, name, data[1], blob, len);
        else
                match(family, name, data[1], blob, len);
        free(blob);
        return 0;
}

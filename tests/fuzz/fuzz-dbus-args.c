/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * The arguments of D-Bus Explain(s from, q port) -- and of `sshguardianctl
 * explain --from --to --iif --port` -- as sg_explain() (lib/explain.h)
 * judges them on a snapshot: a constructed host (lo 127.0.0.1 ::1, eth0
 * 192.0.2.10 2001:db8::10, eth1 198.51.100.10 2001:db8:1::10; sshd on
 * 0.0.0.0:22 and [::]:22, port 22 expected; one admin source, 192.0.2.5)
 * with a ruleset decoded from a committed capture, tests/data/nft/NAME.bin.
 * The daemon's JSON printer is daemon/'s, not linked here: the deciding
 * rule is rendered as it would print it.
 *
 * Input: a 16-bit port (host order; 0: the expected one), a byte choosing
 * the capture (basic, families, stateful, largeset: its large set answered
 * by a fake per-element lookup) and what the route back to FROM says
 * (none, eth0, eth1, lo, an unknown name), a byte of flags (bit 0: FROM
 * given -- an empty FROM is "any source" as D-Bus passes it; bit 1: TO;
 * bit 2: IIF), then the strings in that order, each ended by '\n' (the
 * last by the input's end).
 *
 * Property (explain.h): a request is refused with -EINVAL and one line
 * naming the option exactly when FROM or TO is not an IPv4 or IPv6
 * address, they are of different families, or IIF is no interface of the
 * host; any other request is answered (0, a result and no error), with a
 * verdict the CLI's exit codes know, the port asked (or the expected
 * one), the source asked, one family with a source and two without.
 * Nothing else (-ENOMEM aside).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "explain.h"
#include "fuzz.h"
#include "nft-ruleset.h"

#ifndef FUZZ_DATA_DIR
#error "FUZZ_DATA_DIR must be defined"
#endif

static const char *const captures[] = { "basic", "families", "stateful", "largeset" };
#define N_CAPTURES (sizeof(captures) / sizeof(captures[0]))

static NftRuleset *capture_rulesets[N_CAPTURES];

static const NftRuleset *capture_ruleset(size_t i) {
        char path[1024];
        FILE *f;
        long len;
        void *buf;

        if (capture_rulesets[i])
                return capture_rulesets[i];
        snprintf(path, sizeof(path), "%s/nft/%s.bin", FUZZ_DATA_DIR, captures[i]);
        f = fopen(path, "re");
        if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0)
                fuzz_fail("cannot read %s", path);
        buf = malloc((size_t) len);
        if (!buf || fread(buf, 1, (size_t) len, f) != (size_t) len)
                fuzz_fail("cannot read %s", path);
        fclose(f);
        capture_rulesets[i] = nft_ruleset_new();
        if (!capture_rulesets[i] || nft_ruleset_parse_msgs(capture_rulesets[i], buf, (size_t) len) != 0)
                fuzz_fail("%s does not decode", path);
        free(buf);
        return capture_rulesets[i];
}

/* A set not read whole (largeset's): the key's last byte decides. */
static NftLookupResult fake_lookup(const NftRuleset *rs, const NftSet *set, const uint8_t *key, size_t key_len,
                                   NftSetElemData *ret_data, void *userdata) {
        (void) rs;
        (void) userdata;
        if (ret_data) {
                memset(ret_data, 0, sizeof(*ret_data));
                ret_data->verdict = NF_DROP;
                ret_data->len = (uint8_t) (set->data_len < NFT_DATA_MAXLEN ? set->data_len : NFT_DATA_MAXLEN);
        }
        switch (key_len > 0 ? key[key_len - 1] % 3 : 0) {
        case 0:
                return NFT_LOOKUP_ABSENT;
        case 1:
                return NFT_LOOKUP_PRESENT;
        default:
                return NFT_LOOKUP_UNKNOWN;
        }
}

static const char *const routes[] = { NULL, "eth0", "eth1", "lo", "wlan9" };
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))
static const char *route_answer;

static int fake_route_iif(int family, const uint8_t *addr, char ifname[16]) {
        (void) family;
        (void) addr;
        if (!route_answer)
                return -ENETUNREACH;
        snprintf(ifname, 16, "%s", route_answer);
        return 0;
}

static SgAddress address(int family, const char *a) {
        SgAddress x = { .family = family };
        if (inet_pton(family, a, x.addr) != 1)
                abort();
        return x;
}

static SgListener listener(int family, const char *a, uint16_t port) {
        SgListener l = { .family = family, .port = port, .v6only = family == AF_INET6, .pid = 500, .comm = "sshd" };
        if (inet_pton(family, a, l.addr) != 1)
                abort();
        return l;
}

static bool is_address(const char *s, int *family) {
        uint8_t a[16];
        if (inet_pton(AF_INET, s, a) == 1)
                *family = AF_INET;
        else if (inet_pton(AF_INET6, s, a) == 1)
                *family = AF_INET6;
        else
                return false;
        return true;
}

static bool starts_with(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The next string of the input: up to '\n' or the end, malloc()ed (a NUL
 * in it ends it, as it would a D-Bus string's C form). */
static char *next_string(const uint8_t **p, const uint8_t *end) {
        const uint8_t *nl = memchr(*p, '\n', (size_t) (end - *p));
        size_t len = (size_t) ((nl ? nl : end) - *p);
        char *s = malloc(len + 1);
        if (!s)
                abort();
        memcpy(s, *p, len);
        s[len] = '\0';
        *p = nl ? nl + 1 : end;
        return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const uint8_t *p = data + 4, *end = data + size;
        char *from = NULL, *to = NULL, *iif = NULL, *error = NULL;
        SgExplainResult *res = NULL;
        uint16_t port;
        int r, from_family = 0, to_family = 0;

        if (size < 4)
                return 0;
        memcpy(&port, data, sizeof(port));
        size_t capture = data[2] % N_CAPTURES;
        route_answer = routes[(data[2] / N_CAPTURES) % N_ROUTES];
        if (data[3] & 1)
                from = next_string(&p, end);
        if (data[3] & 2)
                to = next_string(&p, end);
        if (data[3] & 4)
                iif = next_string(&p, end);

        SgAddress lo[2] = { address(AF_INET, "127.0.0.1"), address(AF_INET6, "::1") };
        SgAddress eth0[2] = { address(AF_INET, "192.0.2.10"), address(AF_INET6, "2001:db8::10") };
        SgAddress eth1[2] = { address(AF_INET, "198.51.100.10"), address(AF_INET6, "2001:db8:1::10") };
        SgInterface interfaces[] = {
                { .name = "lo", .ifindex = 1, .up = true, .loopback = true, .addrs = lo, .n_addrs = 2 },
                { .name = "eth0", .ifindex = 2, .up = true, .addrs = eth0, .n_addrs = 2 },
                { .name = "eth1", .ifindex = 3, .up = true, .addrs = eth1, .n_addrs = 2 },
        };
        SgListener listeners[] = { listener(AF_INET, "0.0.0.0", 22), listener(AF_INET6, "::", 22) };
        SgAdminSource admin = { .family = AF_INET, .user = "admin", .last_login_usec = 1700000000000000ull };
        uint16_t ports[] = { 22 };
        SgFirewallInput input = {
                .ruleset = capture_ruleset(capture),
                .set_lookup = fake_lookup,
        };
        if (inet_pton(AF_INET, "192.0.2.5", admin.addr) != 1)
                abort();
        SgSnapshot s = {
                .units_unknown = true,
                .listeners = listeners,
                .n_listeners = 2,
                .expected_ports = ports,
                .n_expected_ports = 1,
                .interfaces = interfaces,
                .n_interfaces = 3,
                .firewall_input = &input,
                .admin_sources = &admin,
                .n_admin_sources = 1,
                .now_usec = 1700000600000000ull,
        };
        /* D-Bus Explain() passes an empty FROM as "any source" */
        SgExplainRequest req = {
                .port = port,
                .from = from && from[0] ? from : NULL,
                .to = to,
                .iif = iif,
                .route_iif = fake_route_iif,
        };

        bool bad_from = req.from && !is_address(req.from, &from_family);
        bool bad_to = !bad_from && to && !is_address(to, &to_family);
        bool mixed = !bad_from && !bad_to && req.from && to && from_family != to_family;
        bool bad_iif = !bad_from && !bad_to && !mixed && iif &&
                       strcmp(iif, "lo") != 0 && strcmp(iif, "eth0") != 0 && strcmp(iif, "eth1") != 0;

        r = sg_explain(&s, &req, &res, &error);
        if (r == -ENOMEM)
                goto out;
        if (bad_from || bad_to || mixed || bad_iif) {
                const char *want = bad_from ? "--from: '" : bad_to ? "--to: '" :
                                   mixed ? "--from and --to are of different families" : "--iif: no interface '";
                if (r != -EINVAL || res || !error || !starts_with(error, want) || strchr(error, '\n') != NULL)
                        fuzz_fail("bad request answered %d, \"%s\" (expected -EINVAL, \"%s...\")", r,
                                  error ? error : "(null)", want);
                goto out;
        }
        if (r != 0 || !res || error)
                fuzz_fail("request refused: %d, \"%s\"", r, error ? error : "(null)");

        const char *verdict = sg_explain_verdict(res);
        int code = sg_explain_exit_code(res);
        if (strcmp(verdict, "accept") == 0 ? code != SG_EXPLAIN_EXIT_ACCEPT :
            strcmp(verdict, "drop") == 0 || strcmp(verdict, "reject") == 0 ? code != SG_EXPLAIN_EXIT_BLOCKED :
            strcmp(verdict, "unknown") == 0 ? code != SG_EXPLAIN_EXIT_UNKNOWN : true)
                fuzz_fail("verdict %s with exit code %d", verdict, code);
        if (res->port != (port ? port : 22) || res->v.port != res->port)
                fuzz_fail("port %u answered for %u", res->port, port);
        if (res->n != (req.from ? 1 : 2) || res->worst < 0 || res->worst >= res->n)
                fuzz_fail("%d families, worst %d", res->n, res->worst);
        if (req.from ? !res->from || strcmp(res->from, req.from) != 0 : res->from != NULL)
                fuzz_fail("source %s answered for %s", res->from ? res->from : "(any)", req.from ? req.from : "(any)");
        if (req.iif && (!res->iif || strcmp(res->iif, req.iif) != 0))
                fuzz_fail("interface %s answered for %s", res->iif ? res->iif : "(any)", req.iif);
        if (res->admin && (res->admin != &admin || !req.from || from_family != AF_INET))
                fuzz_fail("an admin source named for %s", req.from ? req.from : "(any)");
        for (int k = 0; k < res->n; k++) {
                const NftEvalResult *e = &res->v.e[k].result;
                /* (no socket on the port: the TCP stack's reset, no chain) */
                if ((e->verdict == NFT_VERDICT_DROP || e->verdict == NFT_VERDICT_REJECT) && !e->chain &&
                    !(e->verdict == NFT_VERDICT_REJECT && res->v.e[k].refused_by_stack))
                        fuzz_fail("a %s without its chain", nft_verdict_name(e->verdict));
                if (e->verdict == NFT_VERDICT_UNKNOWN && !e->unknown_reason)
                        fuzz_fail("unknown without a reason");
                if (e->rule && e->table)
                        free(nft_rule_render(input.ruleset, e->table, e->rule));
        }
out:
        sg_explain_result_free(res);
        free(error);
        free(from);
        free(to);
        free(iif);
        return 0;
}

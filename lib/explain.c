/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "explain.h"
#include "macro.h"

static int parse_address(const char *s, int *family, uint8_t addr[16]) {
        memset(addr, 0, 16);
        if (inet_pton(AF_INET, s, addr) == 1)
                *family = AF_INET;
        else if (inet_pton(AF_INET6, s, addr) == 1)
                *family = AF_INET6;
        else
                return -EINVAL;
        return 0;
}

/* Sets *error to the formatted message (NULL if even that fails) and
 * returns R. */
static int explain_error(int r, char **error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int explain_error(int r, char **error, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(error, fmt, ap) < 0)
                *error = NULL;
        va_end(ap);
        return r;
}

static bool strdup_opt(const char *s, char **ret) {
        *ret = s ? strdup(s) : NULL;
        return !s || *ret;
}

static bool verdict_blocks(NftVerdict v) {
        return v == NFT_VERDICT_DROP || v == NFT_VERDICT_REJECT;
}

SgExplainResult *sg_explain_result_free(SgExplainResult *r) {
        if (!r)
                return NULL;
        fw_port_verdict_done(&r->v);
        free(r->port_origin);
        free(r->from);
        free(r->iif);
        free(r);
        return NULL;
}

static bool interface_known(const SgSnapshot *s, const char *name) {
        for (size_t i = 0; i < s->n_interfaces; i++)
                if (strcmp(s->interfaces[i].name, name) == 0)
                        return true;
        return false;
}

int sg_explain(const SgSnapshot *s, const SgExplainRequest *req, SgExplainResult **ret, char **error) {
        _cleanup_(sg_explain_result_freep) SgExplainResult *res = NULL;
        const SgFirewallInput *in = s->firewall_input;
        uint8_t saddr[16], daddr[16];
        int family = 0, to_family = 0, r;
        const char *port_origin = req->port_origin ? req->port_origin : "given";
        uint16_t port = req->port;

        *error = NULL;
        if (req->from && parse_address(req->from, &family, saddr) < 0)
                return explain_error(-EINVAL, error, "--from: '%s' is not an IPv4 or IPv6 address", req->from);
        if (req->to && parse_address(req->to, &to_family, daddr) < 0)
                return explain_error(-EINVAL, error, "--to: '%s' is not an IPv4 or IPv6 address", req->to);
        if (req->to && req->from && to_family != family)
                return explain_error(-EINVAL, error, "--from and --to are of different families");
        if (req->iif && (strlen(req->iif) >= IFNAMSIZ || !interface_known(s, req->iif)))
                return explain_error(-EINVAL, error, "--iif: no interface '%s' here", req->iif);
        if (!in || !in->ruleset) {
                r = in && in->read_error < 0 ? in->read_error : -EIO;
                return explain_error(r, error, "cannot read the nftables ruleset: %s%s", strerror(-r),
                                     r == -EPERM ? " (reading it needs root: CAP_NET_ADMIN)" : "");
        }
        if (!port) {
                port = s->n_expected_ports > 0 ? s->expected_ports[0] : 22;
                port_origin = s->n_expected_ports > 0 ? "expected" : "default";
        }

        res = calloc(1, sizeof(*res));
        if (!res || !strdup_opt(port_origin, &res->port_origin) || !strdup_opt(req->from, &res->from) ||
            !strdup_opt(req->iif, &res->iif))
                return explain_error(-ENOMEM, error, "out of memory");
        res->port = port;

        FwFacts f = fw_facts_from_snapshot(s);
        if (res->from) {
                bool rpfilter_ok = false;
                char ifname[16];

                /* Without --iif the connection arrives where the route
                 * back to the client leaves: reverse-path filters pass. */
                if (!res->iif && req->route_iif && req->route_iif(family, saddr, ifname) >= 0 && ifname[0]) {
                        res->iif = strdup(ifname);
                        if (!res->iif)
                                return explain_error(-ENOMEM, error, "out of memory");
                        rpfilter_ok = true;
                }
                r = fw_source_verdict(&f, port, family, saddr, req->to ? daddr : NULL, res->iif, rpfilter_ok,
                                      &res->v.e[0]);
                for (size_t i = 0; i < s->n_admin_sources && !res->admin; i++)
                        if (s->admin_sources[i].family == family &&
                            memcmp(s->admin_sources[i].addr, saddr, family == AF_INET ? 4 : 16) == 0)
                                res->admin = &s->admin_sources[i];
                res->now_usec = s->now_usec;
                res->v.port = port;
                res->n = 1;
        } else if (req->to || req->iif) {
                /* any source, but on that interface or to that address:
                 * each family as a client would be judged (one the host
                 * routes back where it arrives, as fw_port_verdict()) */
                r = 0;
                res->v.port = port;
                res->n = 2;
                for (int k = 0; k < 2 && r >= 0; k++)
                        r = fw_source_verdict(&f, port, k ? AF_INET6 : AF_INET, NULL,
                                              to_family == (k ? AF_INET6 : AF_INET) ? daddr : NULL, res->iif, true,
                                              &res->v.e[k]);
        } else {
                /* any external source: the engine's own verdict */
                r = fw_port_verdict(&f, port, true, &res->v);
                res->n = 2;
        }
        if (r < 0)
                return explain_error(-ENOMEM, error, "out of memory");

        /* The answer: the family a client fails on first. */
        const NftEvalResult *v4 = &res->v.e[0].result, *v6 = &res->v.e[1].result;
        if (res->n == 2 &&
            (verdict_blocks(v6->verdict) || (v6->verdict == NFT_VERDICT_UNKNOWN && v4->verdict == NFT_VERDICT_ACCEPT)) &&
            !verdict_blocks(v4->verdict))
                res->worst = 1;

        *ret = TAKE_PTR(res);
        return 0;
}

const char *sg_explain_verdict(const SgExplainResult *r) {
        return nft_verdict_name(r->v.e[r->worst].result.verdict);
}

int sg_explain_exit_code(const SgExplainResult *r) {
        switch (r->v.e[r->worst].result.verdict) {
        case NFT_VERDICT_ACCEPT: return SG_EXPLAIN_EXIT_ACCEPT;
        case NFT_VERDICT_DROP:
        case NFT_VERDICT_REJECT: return SG_EXPLAIN_EXIT_BLOCKED;
        default: return SG_EXPLAIN_EXIT_UNKNOWN;
        }
}

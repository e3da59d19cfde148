/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Test helper for the nftables model (needs CAP_NET_ADMIN for "live"):
 *
 *   nft-capture capture FILE        dump the live ruleset's netlink bytes to FILE
 *   nft-capture show FILE|live      print the model as `nft -a list ruleset` would
 *   nft-capture eval FILE|live ADDR PORT [IIFNAME]
 *                                   judge a new TCP SYN from ADDR to PORT; prints
 *                                   "VERDICT FAMILY TABLE CHAIN HANDLE|policy"
 *
 * Captured files are replayed by tests/unit/check_nft_ruleset.c without root.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft-eval.h"
#include "nft-ruleset.h"

typedef struct CaptureFile {
        const char *path;
        FILE *f;
} CaptureFile;

static int capture_reset(void *userdata) {
        CaptureFile *c = userdata;
        if (c->f)
                fclose(c->f);
        c->f = fopen(c->path, "we");
        return c->f ? 0 : -errno;
}

static int capture_msgs(const void *buf, size_t len, void *userdata) {
        CaptureFile *c = userdata;
        return fwrite(buf, 1, len, c->f) == len ? 0 : -EIO;
}

static int load(const char *src, NftRuleset **ret) {
        if (strcmp(src, "live") == 0)
                return nft_ruleset_read(ret);
        FILE *f = fopen(src, "re");
        if (!f)
                return -errno;
        uint8_t *buf = NULL;
        size_t len = 0, cap = 0;
        for (;;) {
                if (len == cap) {
                        cap = cap ? cap * 2 : 65536;
                        uint8_t *n = realloc(buf, cap);
                        if (!n) {
                                free(buf);
                                fclose(f);
                                return -ENOMEM;
                        }
                        buf = n;
                }
                size_t n = fread(buf + len, 1, cap - len, f);
                if (n == 0)
                        break;
                len += n;
        }
        fclose(f);
        NftRuleset *rs = nft_ruleset_new();
        int r = rs ? nft_ruleset_parse_msgs(rs, buf, len) : -ENOMEM;
        free(buf);
        if (r < 0) {
                nft_ruleset_free(rs);
                return r;
        }
        *ret = rs;
        return 0;
}

int main(int argc, char **argv) {
        int r;
        if (argc >= 3 && strcmp(argv[1], "capture") == 0) {
                CaptureFile c = { .path = argv[2] };
                if ((r = capture_reset(&c)) < 0) {
                        fprintf(stderr, "%s: %s\n", argv[2], strerror(-r));
                        return 1;
                }
                NftDumpSink sink = { .reset = capture_reset, .msgs = capture_msgs, .userdata = &c };
                r = nft_dump_raw(&sink);
                if (c.f && fclose(c.f) != 0 && r >= 0)
                        r = -errno;
                if (r < 0) {
                        fprintf(stderr, "dump failed: %s\n", strerror(-r));
                        return 1;
                }
                return 0;
        }
        if (argc >= 3 && strcmp(argv[1], "show") == 0) {
                NftRuleset *rs = NULL;
                if ((r = load(argv[2], &rs)) < 0) {
                        fprintf(stderr, "%s: %s\n", argv[2], strerror(-r));
                        return 1;
                }
                r = nft_ruleset_render(rs, stdout);
                nft_ruleset_free(rs);
                return r < 0;
        }
        if (argc >= 5 && strcmp(argv[1], "eval") == 0) {
                NftRuleset *rs = NULL;
                NftProbe p = { .dport = (uint16_t) atoi(argv[4]), .saddr_known = true, .daddr_known = false };
                if (inet_pton(AF_INET, argv[3], p.saddr) == 1)
                        p.family = AF_INET;
                else if (inet_pton(AF_INET6, argv[3], p.saddr) == 1)
                        p.family = AF_INET6;
                else {
                        fprintf(stderr, "%s: not an address\n", argv[3]);
                        return 1;
                }
                if (argc >= 6) {
                        snprintf(p.iifname, sizeof(p.iifname), "%s", argv[5]);
                        p.iif = if_nametoindex(argv[5]);
                        /* IIFNAME is the device the route back to ADDR
                         * uses (as in the test topology), so a strict
                         * reverse-path check passes */
                        p.rpfilter_ok = true;
                }
                if (argc >= 7) {
                        if (inet_pton(p.family, argv[6], p.daddr) != 1) {
                                fprintf(stderr, "%s: not an address\n", argv[6]);
                                return 1;
                        }
                        p.daddr_known = true;
                }
                if ((r = load(argv[2], &rs)) < 0) {
                        fprintf(stderr, "%s: %s\n", argv[2], strerror(-r));
                        return 1;
                }
                NftLiveLookup *live = NULL;
                if (strcmp(argv[2], "live") == 0 && (r = nft_live_lookup_new(&live)) < 0) {
                        fprintf(stderr, "netlink: %s\n", strerror(-r));
                        nft_ruleset_free(rs);
                        return 1;
                }
                NftEvalResult res;
                nft_eval_probe(rs, &p, live ? nft_set_lookup_live : NULL, live, &res);
                printf("%s", nft_verdict_name(res.verdict));
                if (res.verdict == NFT_VERDICT_UNKNOWN) {
                        printf(" (%s)", res.unknown_reason ? res.unknown_reason : "?");
                        if (res.unknown_rule)
                                printf(" at %s %s %s handle %" PRIu64, nft_family_name(res.unknown_table->family),
                                       res.unknown_table->name, res.unknown_chain->name, res.unknown_rule->handle);
                } else if (res.chain) {
                        printf(" %s %s %s", nft_family_name(res.table->family), res.table->name, res.chain->name);
                        if (res.rule) {
                                char *text = nft_rule_render(rs, res.table, res.rule);
                                printf(" %" PRIu64 " \"%s\"", res.rule->handle, text ? text : "");
                                free(text);
                        } else
                                printf(" policy");
                }
                if (res.rate_limited)
                        printf(" rate-limited");
                if (res.rule_ambiguous)
                        printf(" rule-ambiguous");
                printf(" dport=%u\n", res.dport);
                nft_live_lookup_free(live);
                nft_ruleset_free(rs);
                return 0;
        }
        fprintf(stderr, "usage: %s capture FILE | show FILE|live | eval FILE|live ADDR PORT [IIFNAME [DADDR]]\n",
                argv[0]);
        return 2;
}

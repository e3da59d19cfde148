/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * x_tables extension blobs: decoding, judging and rendering, from blobs the
 * kernel really returned (tests/data/xt, recorded by capture.sh inside a
 * network namespace with iptables-nft and iptables-legacy), plus hostile
 * input.
 */

#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_CONNMARK.h>
#include <linux/netfilter/xt_CT.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_hashlimit.h>
#include <linux/netfilter/xt_iprange.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_recent.h>
#include <linux/netfilter/xt_set.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "xt.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must be defined"
#endif
#define XT_DIR TEST_DATA_DIR "/xt"

/* ---- captured data ---- */

typedef struct Blob {
        char kind[8];           /* "match" / "target" */
        char name[32];          /* "standard" for the legacy "" target */
        unsigned rev;
        int family;
        uint8_t data[1024];
        size_t len;
        char nft[1024];         /* the rule as nft printed it ("" for legacy) */
} Blob;

/* The n-th blob (0-based, in capture order) of a case named in cases.sh. */
static void load_blob(const char *case_name, unsigned nth, Blob *ret) {
        char path[512], line[1024];
        unsigned seen = 0;
        bool found = false;

        *ret = (Blob) {};
        snprintf(path, sizeof(path), "%s/%s.txt", XT_DIR, case_name);
        FILE *f = fopen(path, "re");
        ck_assert_msg(f, "cannot open %s", path);
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = 0;
                if (strncmp(line, "nft: ", 5) == 0)
                        snprintf(ret->nft, sizeof(ret->nft), "%s", line + 5);
                unsigned n, rule, proto;
                char fam[8];
                size_t len;
                if (strncmp(line, "blob: ", 6) != 0 || seen++ != nth)
                        continue;
                ck_assert_int_eq(sscanf(line + 6, "%u %u %7s %31s %u %7s %u %zu", &n, &rule, ret->kind, ret->name,
                                        &ret->rev, fam, &proto, &len), 8);
                ret->family = strcmp(fam, "ipv6") == 0 ? NFPROTO_IPV6 : NFPROTO_IPV4;
                snprintf(path, sizeof(path), "%s/%s-%u-%s-%s.bin", XT_DIR, case_name, n, ret->kind, ret->name);
                FILE *b = fopen(path, "re");
                ck_assert_msg(b, "cannot open %s", path);
                ret->len = fread(ret->data, 1, sizeof(ret->data), b);
                fclose(b);
                ck_assert_uint_eq(ret->len, len);
                found = true;
        }
        fclose(f);
        ck_assert_msg(found, "%s has no blob %u", case_name, nth);
}

static const char *xt_name(const Blob *b) {
        return strcmp(b->name, "standard") == 0 ? "" : b->name;
}

static XtPool pool;

static void pool_setup(void) {
        pool = (XtPool) {};
}

static void pool_teardown(void) {
        xt_pool_done(&pool);
}

static XtMatch decode_match_case(const char *case_name, unsigned nth) {
        Blob b;
        XtMatch m;
        load_blob(case_name, nth, &b);
        ck_assert_str_eq(b.kind, "match");
        ck_assert_int_eq(xt_match_decode(&m, &pool, b.family, xt_name(&b), b.rev, b.data, b.len), 0);
        ck_assert_msg(m.kind != XTM_UNKNOWN, "%s: %s rev %u did not decode", case_name, b.name, b.rev);
        return m;
}

static XtTarget decode_target_case(const char *case_name, unsigned nth) {
        Blob b;
        XtTarget t;
        load_blob(case_name, nth, &b);
        ck_assert_str_eq(b.kind, "target");
        ck_assert_int_eq(xt_target_decode(&t, &pool, b.family, xt_name(&b), b.rev, b.data, b.len), 0);
        ck_assert_msg(t.kind != XTT_UNKNOWN, "%s: %s rev %u did not decode", case_name, b.name, b.rev);
        return t;
}

/* A new TCP SYN from src:40000 to dst:dport. */
static XtProbe probe(const char *src, const char *dst, uint16_t dport) {
        XtProbe p = {
                .l4proto = IPPROTO_TCP, .sport = 40000, .dport = dport,
                .tcp_flags = 0x02, .ct_state = XT_CT_NEW,
        };
        p.family = strchr(src, ':') ? NFPROTO_IPV6 : NFPROTO_IPV4;
        int af = p.family == NFPROTO_IPV6 ? AF_INET6 : AF_INET;
        ck_assert_int_eq(inet_pton(af, src, p.saddr), 1);
        ck_assert_int_eq(inet_pton(af, dst, p.daddr), 1);
        snprintf(p.iifname, sizeof(p.iifname), "eth0");
        return p;
}

static XtResult eval(const XtMatch *m, const XtProbe *p) {
        return xt_match_eval(m, &pool, p, NULL);
}

/* ---- rendering: every captured iptables-nft blob prints as nft did ---- */

typedef struct RenderCase {
        const char *case_name;
        unsigned nth;
        uint8_t l4proto;        /* the rule's -p */
        const char *expect;     /* NULL: -EOPNOTSUPP */
} RenderCase;

static const RenderCase render_cases[] = {
        { "multiport-dports", 0, IPPROTO_TCP, "tcp dport { 22, 80 }" },
        { "multiport-dports", 1, 0, "reject" },
        { "multiport-range", 0, IPPROTO_TCP, "tcp dport { 22-25, 80 }" },
        { "multiport-inv", 0, IPPROTO_TCP, "tcp dport != { 22, 80 }" },
        { "multiport-sports-udp", 0, IPPROTO_UDP, "udp sport { 53, 123 }" },
        { "multiport-ports", 0, IPPROTO_TCP, "tcp sport . tcp dport { 0-65535 . 22, 22 . 0-65535 }" },
        { "multiport6", 0, IPPROTO_TCP, "tcp dport { 22, 80 }" },
        { "multiport-single", 0, IPPROTO_TCP, "tcp dport 22" },
        { "multiport-sport-range", 0, IPPROTO_TCP, "tcp sport 1000-2000" },
        { "multiport-ports-range", 0, IPPROTO_TCP,
          "tcp sport . tcp dport { 0-65535 . 22, 22 . 0-65535, 0-65535 . 80, 80 . 0-65535, 0-65535 . 90, 90 . 0-65535 }" },
        { "multiport-ports-inv", 0, IPPROTO_TCP, "tcp sport . tcp dport { 0-65535 . 22, 22 . 0-65535 }" },
        { "multiport-inv-range-udp", 0, IPPROTO_UDP, "udp sport != 53-60" },
        { "multiport-sctp", 0, IPPROTO_SCTP, "sctp dport { 22, 80 }" },
        { "multiport-mixed", 0, IPPROTO_TCP, "tcp dport { 22, 80-90, 443 }" },
        { "multiport-inv-single", 0, IPPROTO_TCP, "tcp dport != 22" },
        { "multiport-dports", 0, 0, NULL },     /* no protocol: not a form nft shows */
        { "tcp-option", 0, IPPROTO_TCP, "tcp dport 22 tcp option 2 exists" },
        { "tcp-option-inv", 0, IPPROTO_TCP, "tcp option 2 missing" },
        { "tcp-option-syn", 0, IPPROTO_TCP, "tcp option 2 exists tcp flags syn / fin,syn,rst,ack" },
        { "tcp-option-inv-all", 0, IPPROTO_TCP,
          "tcp sport != 1-2 tcp dport != 22 tcp option 2 exists tcp flags != syn / syn,ack" },
        { "tcp-option-flags-none", 0, IPPROTO_TCP, "tcp option 2 exists tcp flags 0x0 / fin,syn,rst,psh,ack,urg" },
        { "tcp-option-full-inv", 0, IPPROTO_TCP, "tcp option 2 exists" },
        { "conntrack-new", 0, 0, "ct state new" },
        { "conntrack-inv", 0, 0, "ct state ! related,established" },
        { "conntrack-invalid", 0, 0, "ct state invalid" },
        { "conntrack-proto-port", 0, 0, "ct original protocol 6 ct original proto-dst 22" },
        { "conntrack-origsrc", 0, 0, "ct original saddr 192.0.2.0/24" },
        { "conntrack-dnat", 0, 0, "ct status dnat" },
        { "conntrack-status", 0, 0, "ct status assured" },
        { "conntrack6-new", 0, 0, "ct state new" },
        { "state", 0, 0, "ct state new,established" },
        { "conntrack-new-dnat", 0, 0, "ct status dnat" },
        { "conntrack-snat", 0, 0, "ct status snat" },
        { "conntrack-inv-dnat", 0, 0, "ct status dnat" },
        { "conntrack-untracked", 0, 0, "ct state untracked" },
        { "conntrack-all-states", 0, 0, "ct state invalid,new,related,established,untracked" },
        { "conntrack-inv-origsrc", 0, 0, "ct original saddr != 192.0.2.0/24" },
        { "conntrack-origdst-new", 0, 0, "ct state new ct original daddr 198.51.100.7" },
        { "conntrack-repl", 0, 0, "ct reply saddr 10.0.0.0/8 ct reply daddr 10.1.0.0/16" },
        { "conntrack-inv-proto", 0, 0, "ct original protocol != 17" },
        { "conntrack-dstport-range", 0, 0, "ct original proto-dst 20-30" },
        { "conntrack-ports", 0, 0, "ct original proto-src != 22 ct reply proto-src 23 ct reply proto-dst 24-25" },
        { "conntrack-dir-orig", 0, 0, "ct direction original" },
        { "conntrack-dir-reply-proto", 0, 0, "ct direction reply ct reply protocol 6" },
        { "conntrack-inv-status", 0, 0, "ct status ! seen-reply,assured" },
        { "conntrack-status-none", 0, 0, "ct status" },
        { "conntrack-status-all", 0, 0, "ct status expected,seen-reply,assured,confirmed" },
        { "conntrack-expire", 0, 0, "ct expiration 10-20" },
        { "conntrack-inv-expire", 0, 0, "ct expiration != 10" },
        { "conntrack6-origsrc", 0, 0, "ct original saddr 2001:db8::/32" },
        { "conntrack-combo", 0, 0,
          "ct direction original ct original protocol 6 ct state new ct status assured ct expiration 5 "
          "ct original saddr 1.2.3.4 ct original proto-src 5" },
        { "conntrack-dnat-status", 0, 0, "ct status dnat ct status assured" },
        { "conntrack-nonprefix-mask", 0, 0, "ct original saddr 10.0.0.0" },
        { "conntrack-zero-prefix", 0, 0, "ct original saddr 0.0.0.0/0" },
        { "conntrack-inv-new", 0, 0, "ct state ! new" },
        { "comment", 0, 0, "" },
        { "iprange-src", 0, 0, "ip saddr 192.0.2.1-192.0.2.9" },
        { "iprange-dst-inv", 0, 0, "ip daddr != 192.0.2.1-192.0.2.9" },
        { "iprange6", 0, 0, "ip6 saddr 2001:db8::1-2001:db8::9" },
        { "iprange-both", 0, 0, "ip saddr 10.0.0.1-10.0.0.5 ip daddr != 10.0.1.1-10.0.1.2" },
        { "recent-rcheck", 0, IPPROTO_TCP, "xt match recent" },
        { "recent-set", 0, IPPROTO_TCP, "xt match recent" },
        { "set-src", 0, 0, "xt match set" },
        { "set-inv-srcdst", 0, 0, "xt match set" },
        { "set-nomatch", 0, 0, "xt match set" },
        { "hashlimit-above", 0, IPPROTO_TCP, "meter ssh { ip saddr timeout 60s limit rate over 5/minute }" },
        { "hashlimit-upto", 0, IPPROTO_TCP, "meter s2 { tcp dport . ip saddr limit rate 5/second burst 8 packets }" },
        { "hashlimit-nomode", 0, 0, "xt match hashlimit" },
        { "hashlimit-expire", 0, 0, "meter a { ip saddr timeout 30s limit rate over 5/minute }" },
        { "hashlimit-allkeys", 0, 0,
          "meter a { ip daddr . tcp dport . ip saddr . tcp sport timeout 60s limit rate over 5/minute }" },
        { "hashlimit-dstip", 0, 0, "meter a { ip daddr timeout 60s limit rate over 5/minute }" },
        { "hashlimit-srcmask", 0, 0, "meter a { ip saddr and 255.255.255.0 timeout 60s limit rate over 5/minute }" },
        { "hashlimit-dstmask", 0, 0, "meter a { ip daddr and 255.255.0.0 timeout 60s limit rate over 5/minute }" },
        { "hashlimit-bytes", 0, 0, NULL },      /* byte rates are not reproduced */
        { "hashlimit-burst1", 0, 0, "meter a { ip saddr timeout 60s limit rate over 5/minute burst 1 packets }" },
        { "hashlimit-burst5", 0, 0, "meter a { ip saddr timeout 60s limit rate over 5/minute }" },
        { "hashlimit-100sec", 0, 0, "meter a { ip saddr limit rate 100/second }" },
        { "hashlimit-1sec", 0, 0, "meter a { ip saddr limit rate 1/second }" },
        { "hashlimit-7min", 0, 0, "meter a { ip saddr timeout 60s limit rate 7/minute }" },
        { "hashlimit-hour", 0, 0, "meter a { ip saddr timeout 3600s limit rate over 5/hour }" },
        { "hashlimit-day", 0, 0, "meter a { ip saddr timeout 86400s limit rate over 2/day }" },
        { "hashlimit-1000sec", 0, 0, "meter a { ip saddr limit rate 1000/second }" },
        { "hashlimit-expire10", 0, 0, "meter a { ip saddr timeout 10s limit rate 5/minute }" },
        { "hashlimit-ssh", 0, 0, "meter ssh { ip saddr timeout 60s limit rate 3/minute burst 3 packets }" },
        { "hashlimit6", 0, 0, "meter a { ip6 saddr timeout 60s limit rate over 5/minute }" },
        { "hashlimit6-mask", 0, 0,
          "meter a { ip6 saddr and ffff:ffff:ffff:ffff:0000:0000:0000:0000 timeout 60s limit rate over 5/minute }" },
        { "hashlimit-ratematch", 0, 0, NULL },  /* nft prints "(null)" there */
        { "hashlimit-udp-srcport", 0, IPPROTO_UDP, "meter a { tcp sport timeout 60s limit rate over 5/minute }" },
        { "addrtype-dst-local", 0, 0, "fib daddr type local" },
        { "addrtype-src-bcast", 0, 0, "fib saddr type broadcast" },
        { "addrtype-inv-iface", 0, 0, "fib daddr . iif type != local" },
        { "addrtype-src-dst", 0, 0, "fib saddr type { unicast, local }" },
        { "addrtype-inv-src", 0, 0, "fib saddr type != blackhole" },
        { "addrtype-all", 0, 0,
          "fib saddr type { unspec, unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit }" },
        { "addrtype-throw", 0, 0, "fib daddr type" },
        { "addrtype-oif", 0, 0, "fib saddr . oif type local" },
        { "mac", 0, 0, "ether saddr 00:11:22:33:44:55" },
        { "mac-inv", 0, 0, "ether saddr != 00:11:22:33:44:55" },
        { "reject-default", 0, 0, "reject" },
        { "reject-tcp-reset", 0, 0, "reject with tcp reset" },
        { "reject-host-prohib", 0, 0, "reject with icmp type host-prohibited" },
        { "reject-admin-prohib", 0, 0, "reject with icmp type admin-prohibited" },
        { "reject-net-unreach", 0, 0, "reject with icmp type net-unreachable" },
        { "reject-proto-unreach", 0, 0, "reject with icmp type prot-unreachable" },
        { "reject6-default", 0, 0, "reject" },
        { "reject6-tcp-reset", 0, 0, "reject with tcp reset" },
        { "reject6-adm-prohib", 0, 0, "reject with icmpv6 type admin-prohibited" },
        { "reject6-no-route", 0, 0, "reject with icmpv6 type no-route" },
        { "reject6-port-unreach", 0, 0, "reject" },
        { "reject6-policy-fail", 0, 0, "reject with icmpv6 type policy-fail" },
        { "log-prefix", 0, 0, "log prefix \"x \"" },
        { "log-level", 0, 0, "log prefix \"ssh \"" },
        { "log-plain", 0, 0, "log" },
        { "log-debug", 0, 0, "log level debug" },
        { "log-emerg-prefix", 0, 0, "log prefix \"a b\" level emerg" },
        { "log-flags", 0, 0, "log flags tcp sequence,options flags ip options flags skuid" },
        { "log-flags-all", 0, 0, "log prefix \"p\" level alert flags all" },
        { "log-tcpopt", 0, 0, "log flags tcp options" },
        { "log-macdecode", 0, 0, "log flags ether" },
        { "mark-set", 0, 0, "meta mark set 0x5" },
        { "mark-xset", 0, 0, "meta mark set mark and 0xffffff00 xor 0x5" },
        { "mark-and", 0, 0, "meta mark set mark and 0xf0" },
        { "mark-or", 0, 0, "meta mark set mark or 0x1" },
        { "mark-xor", 0, 0, "meta mark set mark xor 0x1" },
        { "mark-zero", 0, 0, "meta mark set mark and 0xffffffff" },
        { "connmark-set", 0, 0, "ct mark set 0x7" },
        { "connmark-restore", 0, 0, "meta mark set ct mark" },
        { "connmark-set-mask", 0, 0, "ct mark set ct mark xor 0x7 and 0xfffffff0" },
        { "connmark-xset", 0, 0, "ct mark set ct mark xor 0x5 and 0xffffff00" },
        { "connmark-and", 0, 0, "ct mark set ct mark and 0xf0" },
        { "connmark-or", 0, 0, "ct mark set ct mark or 0x1" },
        { "connmark-xor", 0, 0, "ct mark set ct mark xor 0x1" },
        { "connmark-save", 0, 0, "ct mark set mark" },
        { "connmark-save-mask", 0, 0, "ct mark set mark and 0xff" },
        { "connmark-save-masks", 0, 0, "xt target CONNMARK" },
        { "connmark-restore-masks", 0, 0, "xt target CONNMARK" },
        { "connmark-restore-mask", 0, 0, "meta mark set ct mark and 0xff" },
        { "connmark-save-shift", 0, 0, "ct mark set ( mark ) << 2" },
        { "dnat-addr-port", 0, 0, "dnat to 10.0.0.1:2222" },
        { "dnat-port", 0, 0, "dnat to :2222" },
        { "dnat-ranges", 0, 0, "dnat to 10.0.0.1-10.0.0.5:2222-2230" },
        { "dnat-addr", 0, 0, "dnat to 10.0.0.1" },
        { "dnat-flags", 0, 0, "dnat to 10.0.0.1:2222 random,persistent" },
        { "dnat-offset", 0, 0, "xt target DNAT" },
        { "redirect", 0, 0, "redirect to :2222" },
        { "redirect-plain", 0, 0, "redirect" },
        { "redirect-range", 0, 0, "redirect to :2222-2230" },
        { "redirect-random", 0, 0, "redirect to :2222 random" },
        { "masquerade", 0, 0, "masquerade" },
        { "masquerade-ports", 0, 0, "masquerade to :1024-2000" },
        { "masquerade-fully-random", 0, 0, "masquerade fully-random" },
        { "snat", 0, 0, "snat to 10.0.0.1" },
        { "snat-range", 0, 0, "snat to 10.0.0.1-10.0.0.2:1000" },
        { "redirect6", 0, 0, "redirect to :2222" },
        { "dnat6", 0, 0, "dnat to [2001:db8::1]:2222" },
        { "dnat6-addr", 0, 0, "dnat to 2001:db8::1" },
        { "dnat6-port", 0, 0, "dnat to :22" },
        { "dnat6-range", 0, 0, "dnat to 2001:db8::1-2001:db8::5" },
        { "snat6", 0, 0, "snat to [2001:db8::1]:1000" },
        { "masquerade6", 0, 0, "masquerade" },
        { "ct-notrack", 0, 0, "notrack" },
        { "notrack", 0, 0, "notrack" },
        { "ct-zone", 0, 0, "xt target CT" },
        { "tcpmss", 0, 0, "tcp option maxseg size set rt mtu" },
        { "tcpmss-set", 0, 0, "tcp option maxseg size set 1400" },
};

/* The nft line holds the expected text as a whole statement: at the start
 * or after a space, and followed by a space or the end. */
static bool nft_line_has(const char *line, const char *part) {
        size_t n = strlen(part);
        for (const char *p = line; (p = strstr(p, part)); p++)
                if ((p == line || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
                        return true;
        return false;
}

START_TEST(test_render_matches_nft_output) {
        const RenderCase *rc = &render_cases[_i];
        Blob b;
        char buf[512];
        int r;

        load_blob(rc->case_name, rc->nth, &b);
        if (strcmp(b.kind, "match") == 0) {
                XtMatch m;
                ck_assert_int_eq(xt_match_decode(&m, &pool, b.family, xt_name(&b), b.rev, b.data, b.len), 0);
                ck_assert_int_ne(m.kind, XTM_UNKNOWN);
                r = xt_match_render(&m, &pool, rc->l4proto, buf, sizeof(buf));
        } else {
                XtTarget t;
                ck_assert_int_eq(xt_target_decode(&t, &pool, b.family, xt_name(&b), b.rev, b.data, b.len), 0);
                ck_assert_int_ne(t.kind, XTT_UNKNOWN);
                r = xt_target_render(&t, &pool, buf, sizeof(buf));
        }
        if (!rc->expect) {
                ck_assert_int_eq(r, -EOPNOTSUPP);
                return;
        }
        ck_assert_msg(r >= 0, "%s: render failed: %d", rc->case_name, r);
        ck_assert_str_eq(buf, rc->expect);
        ck_assert_int_eq(r, (int) strlen(rc->expect));
        /* and the expectation is what nft really printed for that rule */
        ck_assert_msg(nft_line_has(b.nft, rc->expect), "%s: \"%s\" not in nft's \"%s\"", rc->case_name,
                      rc->expect, b.nft);
}
END_TEST

START_TEST(test_render_truncates_like_snprintf) {
        XtMatch m = decode_match_case("multiport-dports", 0);
        char buf[8];
        int r = xt_match_render(&m, &pool, IPPROTO_TCP, buf, sizeof(buf));
        ck_assert_int_eq(r, (int) strlen("tcp dport { 22, 80 }"));
        ck_assert_str_eq(buf, "tcp dpo");
        ck_assert_int_eq(xt_match_render(&m, &pool, IPPROTO_TCP, NULL, 0), r);
}
END_TEST

/* ---- every captured blob decodes ---- */

START_TEST(test_every_captured_blob_decodes) {
        DIR *d = opendir(XT_DIR);
        struct dirent *de;
        unsigned n_cases = 0, n_blobs = 0;

        ck_assert_ptr_nonnull(d);
        while ((de = readdir(d))) {
                size_t l = strlen(de->d_name);
                if (l < 5 || strcmp(de->d_name + l - 4, ".txt") != 0 || strcmp(de->d_name, "translations.txt") == 0)
                        continue;
                char name[256];
                snprintf(name, sizeof(name), "%.*s", (int) (l - 4), de->d_name);
                n_cases++;
                for (unsigned i = 0;; i++) {
                        char path[512], line[512];
                        unsigned count = 0;
                        snprintf(path, sizeof(path), "%s/%s", XT_DIR, de->d_name);
                        FILE *f = fopen(path, "re");
                        ck_assert_ptr_nonnull(f);
                        while (fgets(line, sizeof(line), f))
                                count += strncmp(line, "blob: ", 6) == 0;
                        fclose(f);
                        if (i >= count)
                                break;
                        Blob b;
                        load_blob(name, i, &b);
                        n_blobs++;
                        if (strcmp(b.kind, "match") == 0) {
                                XtMatch m;
                                ck_assert_int_eq(xt_match_decode(&m, &pool, b.family, xt_name(&b), b.rev, b.data, b.len), 0);
                                ck_assert_msg(m.kind != XTM_UNKNOWN, "%s: match %s rev %u", name, b.name, b.rev);
                                ck_assert_str_eq(xt_match_name(&m, &pool), xt_name(&b));
                        } else {
                                XtTarget t;
                                ck_assert_int_eq(xt_target_decode(&t, &pool, b.family, xt_name(&b), b.rev, b.data, b.len), 0);
                                ck_assert_msg(t.kind != XTT_UNKNOWN, "%s: target %s rev %u", name, b.name, b.rev);
                                /* NOTRACK is the CT target now */
                                if (strcmp(b.name, "NOTRACK") != 0)
                                        ck_assert_str_eq(xt_target_name(&t, &pool), xt_name(&b));
                        }
                }
        }
        closedir(d);
        ck_assert_uint_ge(n_cases, 150);
        ck_assert_uint_ge(n_blobs, 170);
}
END_TEST

/* ---- matches: fields and verdicts ---- */

START_TEST(test_multiport_dports_fields_and_eval) {
        XtMatch m = decode_match_case("multiport-dports", 0);
        ck_assert_int_eq(m.kind, XTM_MULTIPORT);
        ck_assert_int_eq(m.rev, 1);
        ck_assert_int_eq(m.u.multiport.flags, XT_MULTIPORT_DESTINATION);
        ck_assert_int_eq(m.u.multiport.count, 2);
        ck_assert_int_eq(m.u.multiport.ports[0], 22);
        ck_assert_int_eq(m.u.multiport.ports[1], 80);
        ck_assert_int_eq(m.u.multiport.pflags, 0);
        ck_assert_int_eq(m.u.multiport.invert, 0);

        XtProbe p = probe("198.51.100.1", "192.0.2.10", 22);
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_MATCH);
        p.dport = 80;
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_MATCH);
        p.dport = 23;
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_NO_MATCH);
        /* a source port of 22 is not a destination port */
        p.sport = 22;
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_NO_MATCH);
}
END_TEST

START_TEST(test_multiport_inverted_and_ranges) {
        XtMatch inv = decode_match_case("multiport-inv", 0);
        ck_assert_int_eq(inv.u.multiport.invert, 1);
        XtProbe p = probe("198.51.100.1", "192.0.2.10", 22);
        ck_assert_int_eq(eval(&inv, &p), XT_RESULT_NO_MATCH);
        p.dport = 2222;
        ck_assert_int_eq(eval(&inv, &p), XT_RESULT_MATCH);

        XtMatch range = decode_match_case("multiport-range", 0);
        ck_assert_int_eq(range.u.multiport.count, 3);
        ck_assert_int_eq(range.u.multiport.pflags, 0x1);
        for (uint16_t port = 20; port <= 27; port++) {
                p.dport = port;
                ck_assert_int_eq(eval(&range, &p), port >= 22 && port <= 25 ? XT_RESULT_MATCH : XT_RESULT_NO_MATCH);
        }
        p.dport = 80;
        ck_assert_int_eq(eval(&range, &p), XT_RESULT_MATCH);

        XtMatch inv_range = decode_match_case("multiport-inv-range-udp", 0);
        p = probe("198.51.100.1", "192.0.2.10", 22);
        p.l4proto = IPPROTO_UDP;
        p.sport = 55;
        ck_assert_int_eq(eval(&inv_range, &p), XT_RESULT_NO_MATCH);
        p.sport = 61;
        ck_assert_int_eq(eval(&inv_range, &p), XT_RESULT_MATCH);

        /* --ports: either side */
        XtMatch either = decode_match_case("multiport-ports", 0);
        ck_assert_int_eq(either.u.multiport.flags, XT_MULTIPORT_EITHER);
        p = probe("198.51.100.1", "192.0.2.10", 80);
        ck_assert_int_eq(eval(&either, &p), XT_RESULT_NO_MATCH);
        p.sport = 22;
        ck_assert_int_eq(eval(&either, &p), XT_RESULT_MATCH);
        /* ICMP has no ports: the rule's -p tcp never lets it through */
        p.l4proto = IPPROTO_ICMP;
        ck_assert_int_eq(eval(&either, &p), XT_RESULT_NO_MATCH);
}
END_TEST

START_TEST(test_legacy_multiport_range) {
        XtMatch m = decode_match_case("legacy-multiport-rev1", 0);
        XtProbe p = probe("198.51.100.1", "192.0.2.10", 2250);
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_MATCH);
        p.dport = 2300;
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_NO_MATCH);
}
END_TEST

START_TEST(test_conntrack_state) {
        XtMatch m = decode_match_case("conntrack-new", 0);
        ck_assert_int_eq(m.kind, XTM_CONNTRACK);
        ck_assert_int_eq(m.rev, 3);
        ck_assert_int_eq(m.u.conntrack.match_flags, XT_CONNTRACK_STATE);
        ck_assert_int_eq(m.u.conntrack.state_mask, XT_CONNTRACK_STATE_BIT(IP_CT_NEW));
        ck_assert_uint_eq(m.u.conntrack.addr_off, 0);

        XtProbe p = probe("198.51.100.1", "192.0.2.10", 22);
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_MATCH);
        p.ct_state = XT_CT_ESTABLISHED;
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_NO_MATCH);
        p.ct_state = XT_CT_INVALID;
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_NO_MATCH);
        p.ct_state = XT_CT_UNTRACKED;
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_NO_MATCH);

        XtMatch inv = decode_match_case("conntrack-inv", 0);
        ck_assert_int_eq(inv.u.conntrack.invert_flags, XT_CONNTRACK_STATE);
        p.ct_state = XT_CT_NEW;
        ck_assert_int_eq(eval(&inv, &p), XT_RESULT_MATCH);
        p.ct_state = XT_CT_RELATED;
        ck_assert_int_eq(eval(&inv, &p), XT_RESULT_NO_MATCH);
        /* no conntrack entry, inverted state: the match holds */
        p.ct_state = XT_CT_INVALID;
        ck_assert_int_eq(eval(&inv, &p), XT_RESULT_MATCH);

        XtMatch invalid = decode_match_case("conntrack-invalid", 0);
        ck_assert_int_eq(eval(&invalid, &p), XT_RESULT_MATCH);
        p.ct_state = XT_CT_NEW;
        ck_assert_int_eq(eval(&invalid, &p), XT_RESULT_NO_MATCH);

        /* -m state is the conntrack match with the state alias flag */
        XtMatch state = decode_match_case("state", 0);
        ck_assert_int_eq(state.u.conntrack.match_flags, XT_CONNTRACK_STATE | XT_CONNTRACK_STATE_ALIAS);
        ck_assert_int_eq(eval(&state, &p), XT_RESULT_MATCH);

        XtMatch untracked = decode_match_case("conntrack-untracked", 0);
        ck_assert_int_eq(eval(&untracked, &p), XT_RESULT_NO_MATCH);
        p.ct_state = XT_CT_UNTRACKED;
        ck_assert_int_eq(eval(&untracked, &p), XT_RESULT_MATCH);
}
END_TEST

START_TEST(test_conntrack_tuple_and_dnat) {
        XtMatch pp = decode_match_case("conntrack-proto-port", 0);
        ck_assert_int_eq(pp.u.conntrack.l4proto, IPPROTO_TCP);
        ck_assert_int_eq(pp.u.conntrack.origdst_port[0], 22);
        ck_assert_int_eq(pp.u.conntrack.origdst_port[1], 22);
        XtProbe p = probe("198.51.100.1", "192.0.2.10", 22);
        ck_assert_int_eq(eval(&pp, &p), XT_RESULT_MATCH);
        p.dport = 2222;
        ck_assert_int_eq(eval(&pp, &p), XT_RESULT_NO_MATCH);
        /* after DNAT 22 -> 2222 the original tuple still says 22 */
        p.dnat = true;
        memcpy(p.orig_daddr, p.daddr, 16);
        p.orig_dport = 22;
        ck_assert_int_eq(eval(&pp, &p), XT_RESULT_MATCH);

        XtMatch dnat = decode_match_case("conntrack-dnat", 0);
        ck_assert_int_eq(eval(&dnat, &p), XT_RESULT_MATCH);
        p.dnat = false;
        ck_assert_int_eq(eval(&dnat, &p), XT_RESULT_NO_MATCH);

        XtMatch src = decode_match_case("conntrack-origsrc", 0);
        ck_assert_uint_ne(src.u.conntrack.addr_off, 0);
        p = probe("192.0.2.77", "192.0.2.10", 22);
        ck_assert_int_eq(eval(&src, &p), XT_RESULT_MATCH);
        p = probe("192.0.3.77", "192.0.2.10", 22);
        ck_assert_int_eq(eval(&src, &p), XT_RESULT_NO_MATCH);

        XtMatch isrc = decode_match_case("conntrack-inv-origsrc", 0);
        ck_assert_int_eq(eval(&isrc, &p), XT_RESULT_MATCH);

        /* reply tuple: source is where the connection goes, destination the client */
        XtMatch repl = decode_match_case("conntrack-repl", 0);
        p = probe("10.1.2.3", "10.9.9.9", 22);
        ck_assert_int_eq(eval(&repl, &p), XT_RESULT_MATCH);
        p = probe("10.2.2.3", "10.9.9.9", 22);
        ck_assert_int_eq(eval(&repl, &p), XT_RESULT_NO_MATCH);

        XtMatch legacy = decode_match_case("legacy-conntrack-origdst", 0);
        p = probe("203.0.113.5", "198.51.100.7", 22);
        ck_assert_int_eq(eval(&legacy, &p), XT_RESULT_MATCH);
        p.dport = 23;
        ck_assert_int_eq(eval(&legacy, &p), XT_RESULT_NO_MATCH);

        XtMatch v6 = decode_match_case("conntrack6-origsrc", 0);
        p = probe("2001:db8:1::1", "2001:db8::10", 22);
        ck_assert_int_eq(eval(&v6, &p), XT_RESULT_MATCH);
        p = probe("2001:db9::1", "2001:db8::10", 22);
        ck_assert_int_eq(eval(&v6, &p), XT_RESULT_NO_MATCH);
}
END_TEST

START_TEST(test_conntrack_unknowable_parts) {
        XtProbe p = probe("198.51.100.1", "192.0.2.10", 22);

        /* a new connection is not assured */
        XtMatch st = decode_match_case("conntrack-status", 0);
        ck_assert_int_eq(eval(&st, &p), XT_RESULT_NO_MATCH);
        XtMatch ist = decode_match_case("conntrack-inv-status", 0);
        ck_assert_int_eq(eval(&ist, &p), XT_RESULT_MATCH);
        /* ...but an established one may be */
        p.ct_state = XT_CT_ESTABLISHED;
        ck_assert_int_eq(eval(&st, &p), XT_RESULT_UNKNOWN);
        p.ct_state = XT_CT_NEW;

        XtMatch exp = decode_match_case("conntrack-expire", 0);
        ck_assert_int_eq(exp.u.conntrack.expires_min, 10);
        ck_assert_int_eq(exp.u.conntrack.expires_max, 20);
        ck_assert_int_eq(eval(&exp, &p), XT_RESULT_UNKNOWN);

        /* one certain failure decides despite an unknown part: the combo
         * wants source 1.2.3.4 and an expiry */
        XtMatch combo = decode_match_case("conntrack-combo", 0);
        ck_assert_int_eq(eval(&combo, &p), XT_RESULT_NO_MATCH);

        XtMatch reply = decode_match_case("conntrack-dir-reply-proto", 0);
        ck_assert_int_eq(eval(&reply, &p), XT_RESULT_NO_MATCH);
        XtMatch orig = decode_match_case("conntrack-dir-orig", 0);
        ck_assert_int_eq(eval(&orig, &p), XT_RESULT_MATCH);
}
END_TEST

START_TEST(test_iprange) {
        XtMatch src = decode_match_case("iprange-src", 0);
        ck_assert_int_eq(src.u.iprange.flags, IPRANGE_SRC);
        for (unsigned last = 0; last <= 10; last++) {
                char a[32];
                snprintf(a, sizeof(a), "192.0.2.%u", last);
                XtProbe p = probe(a, "192.0.2.100", 22);
                ck_assert_int_eq(eval(&src, &p), last >= 1 && last <= 9 ? XT_RESULT_MATCH : XT_RESULT_NO_MATCH);
        }
        XtMatch dst = decode_match_case("iprange-dst-inv", 0);
        XtProbe p = probe("203.0.113.1", "192.0.2.5", 22);
        ck_assert_int_eq(eval(&dst, &p), XT_RESULT_NO_MATCH);
        p = probe("203.0.113.1", "192.0.3.5", 22);
        ck_assert_int_eq(eval(&dst, &p), XT_RESULT_MATCH);

        XtMatch v6 = decode_match_case("iprange6", 0);
        p = probe("2001:db8::5", "2001:db8::100", 22);
        ck_assert_int_eq(eval(&v6, &p), XT_RESULT_MATCH);
        p = probe("2001:db8::a", "2001:db8::100", 22);
        ck_assert_int_eq(eval(&v6, &p), XT_RESULT_NO_MATCH);
        p = probe("2001:db8::", "2001:db8::100", 22);
        ck_assert_int_eq(eval(&v6, &p), XT_RESULT_NO_MATCH);
}
END_TEST

START_TEST(test_comment_mark_mac_addrtype) {
        XtProbe p = probe("198.51.100.1", "192.0.2.10", 22);

        XtMatch c = decode_match_case("legacy-comment", 0);
        ck_assert_str_eq(xt_pool_get(&pool, c.u.comment.text_off), "allow ssh");
        ck_assert_int_eq(eval(&c, &p), XT_RESULT_MATCH);

        XtMatch mk = decode_match_case("legacy-mark", 0);
        ck_assert_uint_eq(mk.u.mark.mark, 1);
        ck_assert_uint_eq(mk.u.mark.mask, 0xff);
        p.mark = 0x301;
        ck_assert_int_eq(eval(&mk, &p), XT_RESULT_MATCH);
        p.mark = 0x2;
        ck_assert_int_eq(eval(&mk, &p), XT_RESULT_NO_MATCH);
        XtMatch mki = decode_match_case("legacy-mark-inv", 0);
        ck_assert_int_eq(eval(&mki, &p), XT_RESULT_NO_MATCH);
        p.mark = 0x3;
        ck_assert_int_eq(eval(&mki, &p), XT_RESULT_MATCH);

        XtMatch mac = decode_match_case("mac", 0);
        ck_assert_int_eq(eval(&mac, &p), XT_RESULT_UNKNOWN);
        static const uint8_t hw[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
        p.have_src_mac = true;
        memcpy(p.src_mac, hw, 6);
        ck_assert_int_eq(eval(&mac, &p), XT_RESULT_MATCH);
        XtMatch maci = decode_match_case("mac-inv", 0);
        ck_assert_int_eq(eval(&maci, &p), XT_RESULT_NO_MATCH);

        XtMatch local = decode_match_case("addrtype-dst-local", 0);
        ck_assert_int_eq(local.u.addrtype.dest, XT_ADDRTYPE_LOCAL);
        ck_assert_int_eq(eval(&local, &p), XT_RESULT_UNKNOWN);
        p.daddr_types = XT_ADDRTYPE_LOCAL;
        ck_assert_int_eq(eval(&local, &p), XT_RESULT_MATCH);
        p.daddr_types = XT_ADDRTYPE_UNICAST;
        ck_assert_int_eq(eval(&local, &p), XT_RESULT_NO_MATCH);

        XtMatch iif = decode_match_case("addrtype-inv-iface", 0);
        ck_assert_int_eq(iif.u.addrtype.flags, XT_ADDRTYPE_INVERT_DEST | XT_ADDRTYPE_LIMIT_IFACE_IN);
        ck_assert_int_eq(eval(&iif, &p), XT_RESULT_UNKNOWN);
        p.daddr_types_iif = XT_ADDRTYPE_LOCAL;
        ck_assert_int_eq(eval(&iif, &p), XT_RESULT_NO_MATCH);
        p.daddr_types_iif = XT_ADDRTYPE_UNICAST;
        ck_assert_int_eq(eval(&iif, &p), XT_RESULT_MATCH);

        XtMatch bc = decode_match_case("addrtype-src-bcast", 0);
        p.saddr_types = XT_ADDRTYPE_BROADCAST;
        ck_assert_int_eq(eval(&bc, &p), XT_RESULT_MATCH);
}
END_TEST

START_TEST(test_legacy_tcp_udp_icmp) {
        XtProbe p = probe("198.51.100.1", "192.0.2.10", 22);

        XtMatch t = decode_match_case("legacy-tcp-dport", 0);
        ck_assert_int_eq(t.kind, XTM_TCP);
        ck_assert_int_eq(t.u.tcp.spts[0], 0);
        ck_assert_int_eq(t.u.tcp.spts[1], 0xffff);
        ck_assert_int_eq(t.u.tcp.dpts[0], 22);
        ck_assert_int_eq(t.u.tcp.dpts[1], 22);
        ck_assert_int_eq(eval(&t, &p), XT_RESULT_MATCH);
        p.dport = 23;
        ck_assert_int_eq(eval(&t, &p), XT_RESULT_NO_MATCH);

        XtMatch inv = decode_match_case("legacy-tcp-inv-sport", 0);
        ck_assert_int_eq(inv.u.tcp.invflags, XT_TCP_INV_SRCPT);
        ck_assert_int_eq(eval(&inv, &p), XT_RESULT_NO_MATCH);
        p.sport = 1023;
        ck_assert_int_eq(eval(&inv, &p), XT_RESULT_MATCH);

        XtMatch syn = decode_match_case("legacy-tcp-syn", 0);
        ck_assert_int_eq(syn.u.tcp.flg_mask, 0x17);
        ck_assert_int_eq(syn.u.tcp.flg_cmp, 0x02);
        ck_assert_int_eq(eval(&syn, &p), XT_RESULT_MATCH);
        p.tcp_flags = 0x12;     /* SYN+ACK */
        ck_assert_int_eq(eval(&syn, &p), XT_RESULT_NO_MATCH);
        p.tcp_flags = 0x02;

        /* options are not in the probe, but a wrong port still decides */
        XtMatch opt = decode_match_case("tcp-option", 0);
        ck_assert_int_eq(opt.u.tcp.option, 2);
        p.dport = 22;
        ck_assert_int_eq(eval(&opt, &p), XT_RESULT_UNKNOWN);
        p.dport = 80;
        ck_assert_int_eq(eval(&opt, &p), XT_RESULT_NO_MATCH);

        XtMatch u = decode_match_case("legacy-udp-dport", 0);
        ck_assert_int_eq(u.kind, XTM_UDP);
        p.dport = 53;
        ck_assert_int_eq(eval(&u, &p), XT_RESULT_NO_MATCH);  /* a TCP probe */
        p.l4proto = IPPROTO_UDP;
        ck_assert_int_eq(eval(&u, &p), XT_RESULT_MATCH);

        XtMatch icmp = decode_match_case("legacy-icmp", 0);
        ck_assert_int_eq(icmp.kind, XTM_ICMP);
        ck_assert_int_eq(icmp.u.icmp.type, 8);
        ck_assert_int_eq(icmp.u.icmp.code[0], 0);
        ck_assert_int_eq(icmp.u.icmp.code[1], 0xff);
        ck_assert_int_eq(eval(&icmp, &p), XT_RESULT_NO_MATCH);
        p.l4proto = IPPROTO_ICMP;
        p.icmp_type = 8;
        ck_assert_int_eq(eval(&icmp, &p), XT_RESULT_MATCH);
        p.icmp_type = 0;
        ck_assert_int_eq(eval(&icmp, &p), XT_RESULT_NO_MATCH);

        XtMatch icmp6 = decode_match_case("legacy6-icmp6", 0);
        ck_assert_int_eq(icmp6.kind, XTM_ICMP6);
        p = probe("2001:db8::1", "2001:db8::2", 0);
        p.l4proto = IPPROTO_ICMPV6;
        p.icmp_type = 128;
        ck_assert_int_eq(eval(&icmp6, &p), XT_RESULT_MATCH);
}
END_TEST

START_TEST(test_history_matches) {
        XtProbe p = probe("198.51.100.1", "192.0.2.10", 22);
        XtResult fresh;

        XtMatch lim = decode_match_case("legacy-limit", 0);
        ck_assert_int_eq(lim.kind, XTM_LIMIT);
        ck_assert_uint_eq(lim.u.limit.avg, 10000u * 60 / 3);   /* 3/min in XT_LIMIT_SCALE units */
        ck_assert_uint_eq(lim.u.limit.burst, 10);
        ck_assert_int_eq(xt_match_eval(&lim, &pool, &p, &fresh), XT_RESULT_HISTORY);
        ck_assert_int_eq(fresh, XT_RESULT_MATCH);

        XtMatch rc = decode_match_case("recent-rcheck", 0);
        ck_assert_int_eq(rc.rev, 1);
        ck_assert_uint_eq(rc.u.recent.seconds, 60);
        ck_assert_uint_eq(rc.u.recent.hit_count, 4);
        ck_assert_int_eq(rc.u.recent.check_set, XT_RECENT_CHECK);
        ck_assert_int_eq(rc.u.recent.side, XT_RECENT_SOURCE);
        ck_assert_str_eq(xt_pool_get(&pool, rc.u.recent.name_off), "ssh");
        ck_assert_int_eq(rc.u.recent.mask[0], 0xff);
        ck_assert_int_eq(xt_match_eval(&rc, &pool, &p, &fresh), XT_RESULT_HISTORY);
        ck_assert_int_eq(fresh, XT_RESULT_NO_MATCH);

        XtMatch set = decode_match_case("recent-set", 0);
        ck_assert_int_eq(set.u.recent.check_set, XT_RECENT_SET);
        ck_assert_int_eq(xt_match_eval(&set, &pool, &p, &fresh), XT_RESULT_MATCH);
        ck_assert_int_eq(fresh, XT_RESULT_MATCH);

        XtMatch upd = decode_match_case("legacy-recent-update", 0);
        ck_assert_int_eq(upd.u.recent.check_set, XT_RECENT_UPDATE);
        ck_assert_int_eq(xt_match_eval(&upd, &pool, &p, &fresh), XT_RESULT_HISTORY);
        ck_assert_int_eq(fresh, XT_RESULT_NO_MATCH);

        XtMatch above = decode_match_case("hashlimit-above", 0);
        ck_assert_int_eq(above.rev, 3);
        ck_assert_str_eq(xt_pool_get(&pool, above.u.hashlimit.name_off), "ssh");
        ck_assert_uint_eq(above.u.hashlimit.mode, XT_HASHLIMIT_HASH_SIP | XT_HASHLIMIT_INVERT);
        ck_assert_uint_eq(above.u.hashlimit.avg, XT_HASHLIMIT_SCALE_v2 * 60 / 5);
        ck_assert_uint_eq(above.u.hashlimit.burst, 5);
        ck_assert_uint_eq(above.u.hashlimit.expire, 60000);
        ck_assert_uint_eq(above.u.hashlimit.srcmask, 32);
        ck_assert_int_eq(xt_match_eval(&above, &pool, &p, &fresh), XT_RESULT_HISTORY);
        ck_assert_int_eq(fresh, XT_RESULT_NO_MATCH);

        XtMatch upto = decode_match_case("hashlimit-upto", 0);
        ck_assert_uint_eq(upto.u.hashlimit.mode, XT_HASHLIMIT_HASH_SIP | XT_HASHLIMIT_HASH_DPT);
        ck_assert_uint_eq(upto.u.hashlimit.burst, 8);
        ck_assert_int_eq(xt_match_eval(&upto, &pool, &p, &fresh), XT_RESULT_HISTORY);
        ck_assert_int_eq(fresh, XT_RESULT_MATCH);
}
END_TEST

START_TEST(test_set_match_depends_on_membership) {
        XtProbe p = probe("198.51.100.1", "192.0.2.10", 22);
        XtResult fresh;

        XtMatch s = decode_match_case("set-src", 0);
        ck_assert_int_eq(s.kind, XTM_SET);
        ck_assert_int_eq(s.rev, 4);
        ck_assert_int_eq(s.u.set.index, 0);
        ck_assert_int_eq(s.u.set.dim, 1);
        ck_assert_int_eq(s.u.set.flags, IPSET_DIM_ONE_SRC);
        ck_assert_int_eq(xt_match_eval(&s, &pool, &p, &fresh), XT_RESULT_UNKNOWN);
        ck_assert_int_eq(fresh, XT_RESULT_UNKNOWN);
        ck_assert_int_eq(xt_set_match_result(&s, XT_SET_MEMBER, false), XT_RESULT_MATCH);
        ck_assert_int_eq(xt_set_match_result(&s, XT_SET_ABSENT, false), XT_RESULT_NO_MATCH);
        ck_assert_int_eq(xt_set_match_result(&s, XT_SET_MEMBER_NOMATCH, true), XT_RESULT_NO_MATCH);

        XtMatch inv = decode_match_case("set-inv-srcdst", 0);
        ck_assert_int_eq(inv.u.set.dim, 2);
        ck_assert_int_eq(inv.u.set.flags, IPSET_INV_MATCH | IPSET_DIM_ONE_SRC);
        ck_assert_int_eq(xt_set_match_result(&inv, XT_SET_MEMBER, false), XT_RESULT_NO_MATCH);
        ck_assert_int_eq(xt_set_match_result(&inv, XT_SET_ABSENT, false), XT_RESULT_MATCH);

        /* --return-nomatch: nomatch elements match, plain ones do not... */
        XtMatch nm = decode_match_case("set-nomatch", 0);
        ck_assert_int_eq(nm.u.set.flags, IPSET_DIM_ONE_SRC);
        ck_assert_uint_eq(nm.u.set.match_flags, IPSET_FLAG_RETURN_NOMATCH);
        ck_assert_int_eq(xt_set_match_result(&nm, XT_SET_MEMBER_NOMATCH, true), XT_RESULT_MATCH);
        ck_assert_int_eq(xt_set_match_result(&nm, XT_SET_MEMBER, true), XT_RESULT_NO_MATCH);
        ck_assert_int_eq(xt_set_match_result(&nm, XT_SET_ABSENT, true), XT_RESULT_NO_MATCH);
        /* ...in set types that know nomatch; in hash:ip nothing changes */
        ck_assert_int_eq(xt_set_match_result(&nm, XT_SET_MEMBER, false), XT_RESULT_MATCH);

        /* packet counter conditions: depends on the element's history */
        struct xt_set_info_match_v4 v4 = {
                .match_set = { .index = 3, .dim = 1, .flags = IPSET_DIM_ONE_SRC },
                .packets = { .value = 10, .op = IPSET_COUNTER_GT },
        };
        XtMatch cnt;
        ck_assert_int_eq(xt_match_decode(&cnt, &pool, NFPROTO_IPV4, "set", 4, &v4, sizeof(v4)), 0);
        ck_assert_int_eq(cnt.kind, XTM_SET);
        ck_assert_int_eq(cnt.u.set.index, 3);
        ck_assert_int_eq(cnt.u.set.packets_op, IPSET_COUNTER_GT);
        ck_assert_uint_eq(cnt.u.set.packets, 10);
        ck_assert_int_eq(xt_set_match_result(&cnt, XT_SET_MEMBER, false), XT_RESULT_HISTORY);
        ck_assert_int_eq(xt_set_match_result(&cnt, XT_SET_ABSENT, false), XT_RESULT_NO_MATCH);

        XtMatch legacy = decode_match_case("legacy-set", 0);
        ck_assert_int_eq(legacy.u.set.flags, IPSET_DIM_ONE_SRC);
}
END_TEST

/* ---- targets ---- */

START_TEST(test_standard_verdicts_and_chains) {
        XtProbe p = probe("198.51.100.1", "192.0.2.10", 22);

        XtTarget drop = decode_target_case("legacy-drop", 0);
        ck_assert_int_eq(drop.kind, XTT_STANDARD);
        ck_assert_int_eq(drop.u.standard.verdict, -NF_DROP - 1);
        ck_assert_int_eq(xt_target_eval(&drop, &pool, &p).kind, XT_VERDICT_DROP);

        XtTarget acc = decode_target_case("legacy-tcp-dport", 1);
        ck_assert_int_eq(xt_target_eval(&acc, &pool, &p).kind, XT_VERDICT_ACCEPT);

        XtTarget jump = decode_target_case("legacy-userchain", 0);
        XtVerdict v = xt_target_eval(&jump, &pool, &p);
        ck_assert_int_eq(v.kind, XT_VERDICT_JUMP);
        ck_assert_int_gt(v.jump, 0);

        XtTarget head = decode_target_case("legacy-userchain", 1);
        ck_assert_int_eq(head.kind, XTT_ERROR);
        ck_assert_str_eq(xt_pool_get(&pool, head.u.error.name_off), "ch");
        ck_assert_int_eq(xt_target_eval(&head, &pool, &p).kind, XT_VERDICT_ERROR);

        XtTarget ret = decode_target_case("legacy-userchain", 2);
        ck_assert_int_eq(ret.u.standard.verdict, XT_RETURN);
        ck_assert_int_eq(xt_target_eval(&ret, &pool, &p).kind, XT_VERDICT_RETURN);

        XtTarget end = decode_target_case("legacy-userchain", 3);
        ck_assert_str_eq(xt_pool_get(&pool, end.u.error.name_off), "ERROR");
}
END_TEST

START_TEST(test_reject) {
        XtProbe p = probe("198.51.100.1", "192.0.2.10", 22);

        XtTarget def = decode_target_case("reject-default", 0);
        ck_assert_uint_eq(def.u.reject.with, IPT_ICMP_PORT_UNREACHABLE);
        XtVerdict v = xt_target_eval(&def, &pool, &p);
        ck_assert_int_eq(v.kind, XT_VERDICT_REJECT);
        ck_assert(!v.tcp_reset);

        XtTarget rst = decode_target_case("reject-tcp-reset", 0);
        ck_assert_uint_eq(rst.u.reject.with, IPT_TCP_RESET);
        v = xt_target_eval(&rst, &pool, &p);
        ck_assert_int_eq(v.kind, XT_VERDICT_REJECT);
        ck_assert(v.tcp_reset);
        /* no reset for what is not TCP: only dropped */
        p.l4proto = IPPROTO_UDP;
        ck_assert_int_eq(xt_target_eval(&rst, &pool, &p).kind, XT_VERDICT_DROP);

        XtTarget rst6 = decode_target_case("reject6-tcp-reset", 0);
        ck_assert_int_eq(rst6.family, NFPROTO_IPV6);
        ck_assert_uint_eq(rst6.u.reject.with, IP6T_TCP_RESET);
        p = probe("2001:db8::1", "2001:db8::2", 22);
        v = xt_target_eval(&rst6, &pool, &p);
        ck_assert_int_eq(v.kind, XT_VERDICT_REJECT);
        ck_assert(v.tcp_reset);

        XtTarget adm6 = decode_target_case("reject6-adm-prohib", 0);
        ck_assert_uint_eq(adm6.u.reject.with, IP6T_ICMP6_ADM_PROHIBITED);
}
END_TEST

START_TEST(test_log_mark_connmark) {
        XtProbe p = probe("198.51.100.1", "192.0.2.10", 22);

        XtTarget log = decode_target_case("log-level", 0);
        ck_assert_int_eq(log.u.log.level, 4);
        ck_assert_str_eq(xt_pool_get(&pool, log.u.log.prefix_off), "ssh ");
        ck_assert_int_eq(xt_target_eval(&log, &pool, &p).kind, XT_VERDICT_CONTINUE);

        XtTarget nflog = decode_target_case("legacy-nflog", 0);
        ck_assert_int_eq(nflog.u.nflog.group, 2);
        ck_assert_str_eq(xt_pool_get(&pool, nflog.u.nflog.prefix_off), "y");

        XtTarget set = decode_target_case("mark-set", 0);
        ck_assert_uint_eq(set.u.mark.mark, 5);
        ck_assert_uint_eq(set.u.mark.mask, UINT32_MAX);
        p.mark = 0x30;
        XtVerdict v = xt_target_eval(&set, &pool, &p);
        ck_assert_int_eq(v.kind, XT_VERDICT_CONTINUE);
        ck_assert_int_eq(v.changed, XT_CHANGED_MARK);
        ck_assert_uint_eq(p.mark, 5);

        XtTarget xset = decode_target_case("mark-xset", 0);
        p.mark = 0x1234;
        xt_target_eval(&xset, &pool, &p);
        ck_assert_uint_eq(p.mark, 0x1205);

        XtTarget cset = decode_target_case("connmark-set", 0);
        ck_assert_int_eq(cset.u.connmark.mode, XT_CONNMARK_SET);
        xt_target_eval(&cset, &pool, &p);
        ck_assert_uint_eq(p.ct_mark, 7);

        XtTarget restore = decode_target_case("connmark-restore", 0);
        ck_assert_int_eq(restore.u.connmark.mode, XT_CONNMARK_RESTORE);
        v = xt_target_eval(&restore, &pool, &p);
        ck_assert_int_eq(v.changed, XT_CHANGED_MARK);
        ck_assert_uint_eq(p.mark, 7);

        XtTarget shift = decode_target_case("connmark-save-shift", 0);
        ck_assert_int_eq(shift.u.connmark.shift_bits, 2);
        p.mark = 3;
        xt_target_eval(&shift, &pool, &p);
        ck_assert_uint_eq(p.ct_mark, 12);

        /* without a connection there is no connmark to set */
        p.ct_state = XT_CT_UNTRACKED;
        ck_assert_int_eq(xt_target_eval(&cset, &pool, &p).changed, 0);
}
END_TEST

START_TEST(test_nat_changes_the_port) {
        XtProbe p = probe("198.51.100.1", "192.0.2.10", 22);

        XtTarget dnat = decode_target_case("dnat-addr-port", 0);
        ck_assert_int_eq(dnat.kind, XTT_NAT);
        ck_assert_int_eq(dnat.u.nat.type, XT_NAT_DNAT);
        ck_assert_int_eq(dnat.rev, 2);
        ck_assert_uint_eq(dnat.u.nat.flags, NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED);
        ck_assert_int_eq(dnat.u.nat.min_port, 2222);
        ck_assert_int_eq(dnat.u.nat.max_port, 2222);
        XtVerdict v = xt_target_eval(&dnat, &pool, &p);
        ck_assert_int_eq(v.kind, XT_VERDICT_NAT);
        ck_assert_int_eq(v.changed, XT_CHANGED_DADDR | XT_CHANGED_DPORT);
        ck_assert_int_eq(v.uncertain, 0);
        ck_assert_int_eq(p.dport, 2222);
        char a[INET_ADDRSTRLEN];
        ck_assert_str_eq(inet_ntop(AF_INET, p.daddr, a, sizeof(a)), "10.0.0.1");
        ck_assert(p.dnat);
        ck_assert_int_eq(p.orig_dport, 22);
        ck_assert_str_eq(inet_ntop(AF_INET, p.orig_daddr, a, sizeof(a)), "192.0.2.10");

        /* and conntrack sees it afterwards */
        XtMatch ctdnat = decode_match_case("conntrack-dnat", 0);
        ck_assert_int_eq(eval(&ctdnat, &p), XT_RESULT_MATCH);

        p = probe("198.51.100.1", "192.0.2.10", 22);
        XtTarget redir = decode_target_case("redirect", 0);
        ck_assert_int_eq(redir.u.nat.type, XT_NAT_REDIRECT);
        v = xt_target_eval(&redir, &pool, &p);
        ck_assert_int_eq(p.dport, 2222);
        ck_assert_int_eq(v.uncertain, XT_CHANGED_DADDR);

        p = probe("198.51.100.1", "192.0.2.10", 22);
        XtTarget legacy = decode_target_case("legacy-redirect", 1);
        xt_target_eval(&legacy, &pool, &p);
        ck_assert_int_eq(p.dport, 2222);

        p = probe("2001:db8::1", "2001:db8::2", 22);
        XtTarget redir6 = decode_target_case("redirect6", 0);
        ck_assert_int_eq(redir6.family, NFPROTO_IPV6);
        xt_target_eval(&redir6, &pool, &p);
        ck_assert_int_eq(p.dport, 2222);

        p = probe("198.51.100.1", "192.0.2.10", 22);
        XtTarget ranges = decode_target_case("dnat-ranges", 0);
        v = xt_target_eval(&ranges, &pool, &p);
        ck_assert_int_eq(v.uncertain, XT_CHANGED_DADDR | XT_CHANGED_DPORT);

        XtTarget masq = decode_target_case("masquerade", 0);
        v = xt_target_eval(&masq, &pool, &p);
        ck_assert_int_eq(v.kind, XT_VERDICT_NAT);
        ck_assert_int_eq(v.uncertain, XT_CHANGED_SADDR);
}
END_TEST

START_TEST(test_notrack_makes_the_probe_untracked) {
        XtProbe p = probe("198.51.100.1", "192.0.2.10", 22);
        XtTarget ct = decode_target_case("ct-notrack", 0);
        ck_assert_int_eq(ct.kind, XTT_CT);
        ck_assert_int_eq(ct.rev, 2);
        ck_assert_int_eq(ct.u.ct.flags & XT_CT_NOTRACK, XT_CT_NOTRACK);
        XtVerdict v = xt_target_eval(&ct, &pool, &p);
        ck_assert_int_eq(v.kind, XT_VERDICT_CONTINUE);
        ck_assert_int_eq(p.ct_state, XT_CT_UNTRACKED);
        XtMatch isnew = decode_match_case("conntrack-new", 0);
        ck_assert_int_eq(eval(&isnew, &p), XT_RESULT_NO_MATCH);

        XtTarget zone = decode_target_case("ct-zone", 0);
        ck_assert_int_eq(zone.u.ct.zone, 1);
        XtTarget mss = decode_target_case("tcpmss", 0);
        ck_assert_int_eq(mss.u.tcpmss.mss, 0xffff);
        ck_assert_int_eq(xt_target_eval(&mss, &pool, &p).kind, XT_VERDICT_CONTINUE);
}
END_TEST

/* ---- revisions today's iptables no longer writes (no capture possible):
 * built from the kernel's uapi structs ---- */

START_TEST(test_older_revisions_decode) {
        XtProbe p = probe("198.51.100.1", "192.0.2.10", 22);
        XtMatch m;
        XtTarget t;
        XtResult fresh;

        struct xt_state_info st = { .statemask = XT_STATE_BIT(IP_CT_ESTABLISHED) | XT_STATE_BIT(IP_CT_RELATED) };
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "state", 0, &st, XT_ALIGN(sizeof(st))), 0);
        ck_assert_int_eq(m.kind, XTM_STATE);
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_NO_MATCH);
        p.ct_state = XT_CT_RELATED;
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_MATCH);
        p.ct_state = XT_CT_NEW;

        struct xt_multiport mp0 = { .flags = XT_MULTIPORT_DESTINATION, .count = 2, .ports = { 2222, 22 } };
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "multiport", 0, &mp0, sizeof(mp0)), 0);
        ck_assert_int_eq(m.kind, XTM_MULTIPORT);
        ck_assert_int_eq(m.rev, 0);
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_MATCH);
        char buf[64];
        ck_assert_int_eq(xt_match_render(&m, &pool, IPPROTO_TCP, buf, sizeof(buf)), -EOPNOTSUPP);

        /* conntrack rev 1 and 2: single ports in network order */
        struct xt_conntrack_mtinfo1 c1 = {
                .match_flags = XT_CONNTRACK_STATE | XT_CONNTRACK_ORIGDST_PORT,
                .state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_NEW),
                .origdst_port = htons(22),
        };
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "conntrack", 1, &c1, XT_ALIGN(sizeof(c1))), 0);
        ck_assert_int_eq(m.kind, XTM_CONNTRACK);
        ck_assert_int_eq(m.u.conntrack.origdst_port[0], 22);
        ck_assert_int_eq(m.u.conntrack.origdst_port[1], 22);
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_MATCH);
        struct xt_conntrack_mtinfo2 c2 = {
                .match_flags = XT_CONNTRACK_ORIGSRC, .invert_flags = XT_CONNTRACK_ORIGSRC,
        };
        ck_assert_int_eq(inet_pton(AF_INET, "198.51.100.0", &c2.origsrc_addr), 1);
        ck_assert_int_eq(inet_pton(AF_INET, "255.255.255.0", &c2.origsrc_mask), 1);
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "conntrack", 2, &c2, XT_ALIGN(sizeof(c2))), 0);
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_NO_MATCH);

        struct xt_recent_mtinfo r0 = { .seconds = 60, .hit_count = 4, .check_set = XT_RECENT_UPDATE, .invert = 1 };
        snprintf(r0.name, sizeof(r0.name), "SSH");
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "recent", 0, &r0, XT_ALIGN(sizeof(r0))), 0);
        ck_assert_int_eq(m.kind, XTM_RECENT);
        ck_assert_str_eq(xt_pool_get(&pool, m.u.recent.name_off), "SSH");
        ck_assert_int_eq(xt_match_eval(&m, &pool, &p, &fresh), XT_RESULT_HISTORY);
        ck_assert_int_eq(fresh, XT_RESULT_MATCH);     /* inverted: an empty list matches */

        struct xt_hashlimit_mtinfo1 h1 = { .cfg = { .mode = XT_HASHLIMIT_HASH_SIP, .avg = 10000 / 3, .burst = 5 } };
        snprintf(h1.name, sizeof(h1.name), "h1");
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "hashlimit", 1, &h1, sizeof(h1)), 0);
        ck_assert_int_eq(m.kind, XTM_HASHLIMIT);
        ck_assert_uint_eq(m.u.hashlimit.avg, 10000 / 3);
        ck_assert_int_eq(xt_match_eval(&m, &pool, &p, &fresh), XT_RESULT_HISTORY);
        ck_assert_int_eq(fresh, XT_RESULT_MATCH);
        struct xt_hashlimit_mtinfo2 h2 = { .cfg = { .mode = XT_HASHLIMIT_HASH_SIP | XT_HASHLIMIT_INVERT, .avg = 1, .burst = 1 } };
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "hashlimit", 2, &h2, sizeof(h2)), 0);
        ck_assert_int_eq(xt_match_eval(&m, &pool, &p, &fresh), XT_RESULT_HISTORY);
        ck_assert_int_eq(fresh, XT_RESULT_NO_MATCH);

        /* set rev 1: --return-nomatch lives in the set info flags */
        struct xt_set_info_match_v1 s1 = { .match_set = { .index = 7, .dim = 1,
                                                          .flags = IPSET_DIM_ONE_SRC | IPSET_RETURN_NOMATCH } };
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "set", 1, &s1, XT_ALIGN(sizeof(s1))), 0);
        ck_assert_int_eq(m.u.set.index, 7);
        ck_assert_int_eq(xt_set_match_result(&m, XT_SET_MEMBER_NOMATCH, true), XT_RESULT_MATCH);

        struct xt_connmark_tginfo1 cm1 = { .ctmark = 0, .ctmask = 0xff, .nfmask = 0xff, .mode = XT_CONNMARK_SAVE };
        ck_assert_int_eq(xt_target_decode(&t, &pool, NFPROTO_IPV4, "CONNMARK", 1, &cm1, sizeof(cm1)), 0);
        ck_assert_int_eq(t.kind, XTT_CONNMARK);
        p.mark = 0x1234;
        p.ct_mark = 0xab00;
        xt_target_eval(&t, &pool, &p);
        ck_assert_uint_eq(p.ct_mark, 0xab34);

        struct nf_nat_range nr = { .flags = NF_NAT_RANGE_PROTO_SPECIFIED,
                                   .min_proto.all = htons(2222), .max_proto.all = htons(2222) };
        ck_assert_int_eq(xt_target_decode(&t, &pool, NFPROTO_IPV6, "DNAT", 1, &nr, sizeof(nr)), 0);
        ck_assert_int_eq(t.kind, XTT_NAT);
        XtProbe p6 = probe("2001:db8::1", "2001:db8::2", 22);
        XtVerdict v = xt_target_eval(&t, &pool, &p6);
        ck_assert_int_eq(v.changed, XT_CHANGED_DPORT);
        ck_assert_int_eq(p6.dport, 2222);

        struct nf_nat_ipv4_multi_range_compat mr = { .rangesize = 1 };
        mr.range[0].flags = NF_NAT_RANGE_PROTO_SPECIFIED;
        mr.range[0].min.all = mr.range[0].max.all = htons(2200);
        ck_assert_int_eq(xt_target_decode(&t, &pool, NFPROTO_IPV4, "DNAT", 0, &mr, XT_ALIGN(sizeof(mr))), 0);
        ck_assert_int_eq(t.kind, XTT_NAT);
        ck_assert_int_eq(t.u.nat.min_port, 2200);
        mr.rangesize = 2;       /* the kernel wants exactly one range */
        ck_assert_int_eq(xt_target_decode(&t, &pool, NFPROTO_IPV4, "DNAT", 0, &mr, XT_ALIGN(sizeof(mr))), 0);
        ck_assert_int_eq(t.kind, XTT_UNKNOWN);

        struct xt_ct_target_info ct0 = { .flags = XT_CT_NOTRACK };
        ck_assert_int_eq(xt_target_decode(&t, &pool, NFPROTO_IPV4, "CT", 0, &ct0, sizeof(ct0)), 0);
        ck_assert_int_eq(t.kind, XTT_CT);
        struct xt_ct_target_info_v1 ct1 = { .zone = 3 };
        snprintf(ct1.helper, sizeof(ct1.helper), "ftp");
        snprintf(ct1.timeout, sizeof(ct1.timeout), "t1");
        ck_assert_int_eq(xt_target_decode(&t, &pool, NFPROTO_IPV4, "CT", 1, &ct1, sizeof(ct1)), 0);
        ck_assert_str_eq(xt_pool_get(&pool, t.u.ct.helper_off), "ftp");
        ck_assert_str_eq(xt_pool_get(&pool, t.u.ct.timeout_off), "t1");

        /* the legacy NOTRACK target has no data */
        ck_assert_int_eq(xt_target_decode(&t, &pool, NFPROTO_IPV4, "NOTRACK", 0, NULL, 0), 0);
        ck_assert_int_eq(t.kind, XTT_CT);
        p = probe("198.51.100.1", "192.0.2.10", 22);
        xt_target_eval(&t, &pool, &p);
        ck_assert_int_eq(p.ct_state, XT_CT_UNTRACKED);
}
END_TEST

/* ---- hostile input ---- */

START_TEST(test_wrong_length_is_unknown_not_a_guess) {
        Blob b;
        XtMatch m;
        load_blob("multiport-dports", 0, &b);
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "multiport", 1, b.data, 40), 0);
        ck_assert_int_eq(m.kind, XTM_UNKNOWN);
        ck_assert_str_eq(xt_match_name(&m, &pool), "multiport");
        ck_assert_uint_eq(m.u.unknown.rev, 1);
        ck_assert_uint_eq(m.u.unknown.len, 40);
        ck_assert_int_eq(xt_match_eval(&m, &pool, &(XtProbe) {}, NULL), XT_RESULT_UNKNOWN);
        char buf[64];
        ck_assert_int_eq(xt_match_render(&m, &pool, IPPROTO_TCP, buf, sizeof(buf)), -EOPNOTSUPP);

        /* the revision decides the layout */
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "multiport", 0, b.data, b.len), 0);
        ck_assert_int_eq(m.kind, XTM_UNKNOWN);

        /* the kernel aligns the attribute's length: a blob just short of
         * the aligned size but not of the struct is accepted... */
        load_blob("conntrack-new", 0, &b);
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "conntrack", 3, b.data,
                                         sizeof(struct xt_conntrack_mtinfo3)), 0);
        ck_assert_int_eq(m.kind, XTM_CONNTRACK);
        /* ...shorter than the struct is not */
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "conntrack", 3, b.data,
                                         sizeof(struct xt_conntrack_mtinfo3) - 1), 0);
        ck_assert_int_eq(m.kind, XTM_UNKNOWN);
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "conntrack", 3, b.data, b.len + 8), 0);
        ck_assert_int_eq(m.kind, XTM_UNKNOWN);
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "conntrack", 9, b.data, b.len), 0);
        ck_assert_int_eq(m.kind, XTM_UNKNOWN);
        ck_assert_uint_eq(m.u.unknown.rev, 9);

        /* no data at all */
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "tcp", 0, NULL, 0), 0);
        ck_assert_int_eq(m.kind, XTM_UNKNOWN);
}
END_TEST

START_TEST(test_family_specific_layouts) {
        Blob b;
        XtMatch m;
        XtTarget t;

        load_blob("legacy-icmp", 0, &b);
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV6, "icmp", 0, b.data, b.len), 0);
        ck_assert_int_eq(m.kind, XTM_UNKNOWN);
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_ARP, "icmp", 0, b.data, b.len), 0);
        ck_assert_int_eq(m.kind, XTM_UNKNOWN);

        /* REDIRECT: nf_nat_ipv4_multi_range_compat for IPv4, nf_nat_range for IPv6 */
        load_blob("redirect6", 0, &b);
        ck_assert_int_eq(xt_target_decode(&t, &pool, NFPROTO_IPV4, "REDIRECT", 0, b.data, b.len), 0);
        ck_assert_int_eq(t.kind, XTT_UNKNOWN);
        load_blob("redirect", 0, &b);
        ck_assert_int_eq(xt_target_decode(&t, &pool, NFPROTO_IPV6, "REDIRECT", 0, b.data, b.len), 0);
        ck_assert_int_eq(t.kind, XTT_UNKNOWN);
}
END_TEST

START_TEST(test_values_the_kernel_refuses_are_unknown) {
        XtTarget t;
        XtMatch m;
        uint8_t buf[512] = {};

        /* REJECT --reject-with echo-reply is refused by reject_tg_check() */
        struct ipt_reject_info r = { .with = IPT_ICMP_ECHOREPLY };
        memcpy(buf, &r, sizeof(r));
        ck_assert_int_eq(xt_target_decode(&t, &pool, NFPROTO_IPV4, "REJECT", 0, buf, 8), 0);
        ck_assert_int_eq(t.kind, XTT_UNKNOWN);

        /* multiport with 16 ports or an unknown comparison */
        struct xt_multiport_v1 mp = { .flags = XT_MULTIPORT_DESTINATION, .count = 16 };
        memcpy(buf, &mp, sizeof(mp));
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "multiport", 1, buf, sizeof(mp)), 0);
        ck_assert_int_eq(m.kind, XTM_UNKNOWN);

        /* a range whose end would lie past the ports array */
        mp = (struct xt_multiport_v1) { .flags = XT_MULTIPORT_DESTINATION, .count = 15 };
        mp.pflags[14] = 1;
        memcpy(buf, &mp, sizeof(mp));
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "multiport", 1, buf, sizeof(mp)), 0);
        ck_assert_int_eq(m.kind, XTM_MULTIPORT);
        XtProbe p = probe("198.51.100.1", "192.0.2.10", 22);
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_UNKNOWN);

        /* a standard verdict below -NF_MAX_VERDICT-1 */
        int v = -100;
        memset(buf, 0, sizeof(buf));
        memcpy(buf, &v, sizeof(v));
        ck_assert_int_eq(xt_target_decode(&t, &pool, NFPROTO_IPV4, "", 0, buf, 8), 0);
        ck_assert_int_eq(t.kind, XTT_UNKNOWN);

        /* recent with both --set and --rcheck */
        struct xt_recent_mtinfo_v1 rc = { .check_set = XT_RECENT_SET | XT_RECENT_CHECK };
        memcpy(buf, &rc, sizeof(rc));
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "recent", 1, buf, XT_ALIGN(sizeof(rc))), 0);
        ck_assert_int_eq(m.kind, XTM_UNKNOWN);
}
END_TEST

START_TEST(test_names_are_bounded_and_unaligned_blobs_work) {
        XtMatch m;
        char longname[100];
        memset(longname, 'x', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = 0;
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, longname, 0, "", 0), 0);
        ck_assert_int_eq(m.kind, XTM_UNKNOWN);
        ck_assert_uint_eq(strlen(xt_match_name(&m, &pool)), XT_EXTENSION_MAXNAMELEN);

        /* a comment without its NUL */
        char comment[256];
        memset(comment, 'c', sizeof(comment));
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "comment", 0, comment, sizeof(comment)), 0);
        ck_assert_int_eq(m.kind, XTM_COMMENT);
        ck_assert_uint_eq(strlen(xt_pool_get(&pool, m.u.comment.text_off)), 256);

        /* blobs at odd addresses (inside a netlink message) */
        Blob b;
        static uint8_t odd[2048];
        load_blob("conntrack-origsrc", 0, &b);
        memcpy(odd + 1, b.data, b.len);
        ck_assert_int_eq(xt_match_decode(&m, &pool, NFPROTO_IPV4, "conntrack", 3, odd + 1, b.len), 0);
        ck_assert_int_eq(m.kind, XTM_CONNTRACK);
        XtProbe p = probe("192.0.2.1", "192.0.2.10", 22);
        ck_assert_int_eq(eval(&m, &p), XT_RESULT_MATCH);

        ck_assert_uint_le(sizeof(XtMatch), 48);
        ck_assert_uint_le(sizeof(XtTarget), 48);

        /* equal blobs decode to bytewise-equal values (for deduplication),
         * even over a value that held something else */
        XtMatch a, c;
        XtTarget ta, tc;
        memset(&c, 0xa5, sizeof(c));
        memset(&tc, 0xa5, sizeof(tc));
        load_blob("multiport-dports", 0, &b);
        ck_assert_int_eq(xt_match_decode(&a, &pool, b.family, "multiport", 1, b.data, b.len), 0);
        ck_assert_int_eq(xt_match_decode(&c, &pool, b.family, "multiport", 1, b.data, b.len), 0);
        ck_assert_int_eq(memcmp(&a, &c, sizeof(a)), 0);
        load_blob("multiport-dports", 1, &b);
        ck_assert_int_eq(xt_target_decode(&ta, &pool, b.family, "REJECT", 0, b.data, b.len), 0);
        ck_assert_int_eq(xt_target_decode(&tc, &pool, b.family, "REJECT", 0, b.data, b.len), 0);
        ck_assert_int_eq(memcmp(&ta, &tc, sizeof(ta)), 0);
}
END_TEST

/* ---- fuzzing: random blobs for every known name and revision ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        return rng_state;
}

START_TEST(test_fuzz_decoders_never_crash) {
        static const struct {
                const char *name;
                unsigned rev;
                bool target;
                size_t size;
        } exts[] = {
                { "tcp", 0, false, 16 }, { "udp", 0, false, 16 }, { "multiport", 0, false, 32 },
                { "multiport", 1, false, 48 }, { "conntrack", 1, false, 168 }, { "conntrack", 2, false, 168 },
                { "conntrack", 3, false, 168 }, { "state", 0, false, 8 }, { "iprange", 1, false, 72 },
                { "comment", 0, false, 256 }, { "mark", 1, false, 16 }, { "limit", 0, false, 40 },
                { "recent", 0, false, 216 }, { "recent", 1, false, 232 }, { "hashlimit", 1, false, 56 },
                { "hashlimit", 2, false, 304 }, { "hashlimit", 3, false, 312 }, { "set", 1, false, 8 },
                { "set", 2, false, 8 }, { "set", 3, false, 48 }, { "set", 4, false, 48 },
                { "addrtype", 1, false, 8 }, { "icmp", 0, false, 8 }, { "icmp6", 0, false, 8 },
                { "mac", 0, false, 16 }, { "nosuch", 0, false, 8 },
                { "", 0, true, 8 }, { "ERROR", 0, true, 32 }, { "REJECT", 0, true, 8 },
                { "LOG", 0, true, 32 }, { "NFLOG", 0, true, 80 }, { "MARK", 2, true, 8 },
                { "CONNMARK", 1, true, 16 }, { "CONNMARK", 2, true, 16 }, { "DNAT", 0, true, 24 },
                { "DNAT", 1, true, 40 }, { "DNAT", 2, true, 48 }, { "SNAT", 0, true, 24 },
                { "SNAT", 2, true, 48 }, { "REDIRECT", 0, true, 24 }, { "REDIRECT", 0, true, 40 },
                { "MASQUERADE", 0, true, 24 }, { "MASQUERADE", 0, true, 40 }, { "TCPMSS", 0, true, 8 },
                { "CT", 0, true, 40 }, { "CT", 1, true, 72 }, { "CT", 2, true, 72 }, { "NOTRACK", 0, true, 0 },
        };
        static uint8_t blob[512];
        unsigned decoded = 0;

        for (unsigned iter = 0; iter < 300000; iter++) {
                unsigned e = (unsigned) (rng() % (sizeof(exts) / sizeof(exts[0])));
                /* mostly the right size (to reach the decoders), sometimes not */
                size_t len = rng() % 4 ? exts[e].size : (size_t) (rng() % 400);
                int family = rng() % 2 ? NFPROTO_IPV4 : NFPROTO_IPV6;
                for (size_t i = 0; i < len; i += 8) {
                        uint64_t r = rng();
                        /* bias towards small values: counts, flags, modes */
                        if (rng() % 2)
                                r &= 0x0303030303030303ull;
                        memcpy(blob + i, &r, len - i < 8 ? len - i : 8);
                }
                /* the tail of a heap copy, so ASan sees any read past len */
                uint8_t *copy = malloc(len ? len : 1);
                ck_assert_ptr_nonnull(copy);
                memcpy(copy, blob, len);

                XtProbe p = {
                        .family = family, .l4proto = (uint8_t) (rng() % 3 ? IPPROTO_TCP : rng()),
                        .sport = (uint16_t) rng(), .dport = (uint16_t) rng(), .tcp_flags = (uint8_t) rng(),
                        .mark = (uint32_t) rng(), .ct_mark = (uint32_t) rng(),
                        .ct_state = (XtCtState) (rng() % 5), .dnat = rng() % 2,
                        .saddr_types = (uint16_t) rng(), .daddr_types = (uint16_t) rng(),
                        .have_src_mac = rng() % 2,
                };
                for (unsigned i = 0; i < 16; i++) {
                        p.saddr[i] = (uint8_t) rng();
                        p.daddr[i] = (uint8_t) rng();
                }
                char out[64];
                size_t outlen = (size_t) (rng() % sizeof(out));
                if (exts[e].target) {
                        XtTarget t;
                        ck_assert_int_eq(xt_target_decode(&t, &pool, family, exts[e].name, exts[e].rev, copy, len), 0);
                        decoded += t.kind != XTT_UNKNOWN;
                        XtVerdict v = xt_target_eval(&t, &pool, &p);
                        ck_assert_int_le(v.kind, XT_VERDICT_ERROR);
                        int r = xt_target_render(&t, &pool, out, outlen);
                        ck_assert(r == -EOPNOTSUPP || r >= 0);
                        if (outlen > 0)
                                ck_assert_uint_lt(strlen(out), outlen);
                } else {
                        XtMatch m;
                        XtResult fresh;
                        ck_assert_int_eq(xt_match_decode(&m, &pool, family, exts[e].name, exts[e].rev, copy, len), 0);
                        decoded += m.kind != XTM_UNKNOWN;
                        XtResult r = xt_match_eval(&m, &pool, &p, &fresh);
                        ck_assert_int_le(r, XT_RESULT_HISTORY);
                        ck_assert_int_le(fresh, XT_RESULT_HISTORY);
                        ck_assert_int_le(xt_set_match_result(&m, (XtSetMember) (rng() % 3), rng() % 2), XT_RESULT_HISTORY);
                        int n = xt_match_render(&m, &pool, (uint8_t) rng(), out, outlen);
                        ck_assert(n == -EOPNOTSUPP || n >= 0);
                        if (outlen > 0)
                                ck_assert_uint_lt(strlen(out), outlen);
                }
                free(copy);
                /* keep the pool from growing without bound */
                if (pool.len > (1u << 20))
                        xt_pool_done(&pool);
        }
        /* the fuzzer did reach the decoders */
        ck_assert_uint_gt(decoded, 100000);
}
END_TEST

static Suite *xt_suite(void) {
        Suite *s = suite_create("xt");
        TCase *tc;

        tc = tcase_create("render");
        tcase_add_checked_fixture(tc, pool_setup, pool_teardown);
        tcase_add_loop_test(tc, test_render_matches_nft_output, 0, sizeof(render_cases) / sizeof(render_cases[0]));
        tcase_add_test(tc, test_render_truncates_like_snprintf);
        suite_add_tcase(s, tc);

        tc = tcase_create("decode");
        tcase_add_checked_fixture(tc, pool_setup, pool_teardown);
        tcase_add_test(tc, test_every_captured_blob_decodes);
        tcase_add_test(tc, test_wrong_length_is_unknown_not_a_guess);
        tcase_add_test(tc, test_family_specific_layouts);
        tcase_add_test(tc, test_values_the_kernel_refuses_are_unknown);
        tcase_add_test(tc, test_names_are_bounded_and_unaligned_blobs_work);
        tcase_add_test(tc, test_older_revisions_decode);
        suite_add_tcase(s, tc);

        tc = tcase_create("match");
        tcase_add_checked_fixture(tc, pool_setup, pool_teardown);
        tcase_add_test(tc, test_multiport_dports_fields_and_eval);
        tcase_add_test(tc, test_multiport_inverted_and_ranges);
        tcase_add_test(tc, test_legacy_multiport_range);
        tcase_add_test(tc, test_conntrack_state);
        tcase_add_test(tc, test_conntrack_tuple_and_dnat);
        tcase_add_test(tc, test_conntrack_unknowable_parts);
        tcase_add_test(tc, test_iprange);
        tcase_add_test(tc, test_comment_mark_mac_addrtype);
        tcase_add_test(tc, test_legacy_tcp_udp_icmp);
        tcase_add_test(tc, test_history_matches);
        tcase_add_test(tc, test_set_match_depends_on_membership);
        suite_add_tcase(s, tc);

        tc = tcase_create("target");
        tcase_add_checked_fixture(tc, pool_setup, pool_teardown);
        tcase_add_test(tc, test_standard_verdicts_and_chains);
        tcase_add_test(tc, test_reject);
        tcase_add_test(tc, test_log_mark_connmark);
        tcase_add_test(tc, test_nat_changes_the_port);
        tcase_add_test(tc, test_notrack_makes_the_probe_untracked);
        suite_add_tcase(s, tc);

        tc = tcase_create("fuzz");
        tcase_add_checked_fixture(tc, pool_setup, pool_teardown);
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_fuzz_decoders_never_crash);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(xt_suite());
        int failed;

        srunner_run_all(sr, CK_ENV);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed;
}

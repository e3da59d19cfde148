/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nft-monitor.h"

/* tests/data/nft-monitor/NAME.bin hold the datagrams a NFNLGRP_NFTABLES
 * socket received while capture.sh ran nft and iptables-nft in a fresh
 * network namespace (recorded with tests/tools/nft-monitor-capture; NAME.txt
 * shows them decoded); NAME.pids has the pid of each committing command. */

typedef struct Datagram {
        int32_t err;            /* the recv() failure (-ENOBUFS), or 0 */
        uint32_t *bytes;        /* malloc()ed to exactly len: ASan sees over-reads */
        size_t len;
} Datagram;

typedef struct Capture {
        Datagram d[64];
        size_t n;
        pid_t pids[16];
        size_t n_pids;
} Capture;

static void capture_load(const char *name, Capture *c) {
        char path[512], magic[4];
        int32_t rec;
        FILE *f;
        long pid;

        memset(c, 0, sizeof(*c));
        snprintf(path, sizeof(path), "%s/nft-monitor/%s.bin", TEST_DATA_DIR, name);
        f = fopen(path, "re");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fread(magic, 1, 4, f), 4);
        ck_assert_int_eq(memcmp(magic, "SGNM", 4), 0);
        while (fread(&rec, sizeof(rec), 1, f) == 1) {
                Datagram *d = &c->d[c->n++];

                ck_assert_uint_le(c->n, sizeof(c->d) / sizeof(c->d[0]));
                if (rec < 0) {
                        d->err = rec;
                        continue;
                }
                d->len = (size_t) rec;
                d->bytes = malloc(d->len ? d->len : 1);
                ck_assert_ptr_nonnull(d->bytes);
                ck_assert_uint_eq(fread(d->bytes, 1, d->len, f), d->len);
        }
        fclose(f);

        snprintf(path, sizeof(path), "%s/nft-monitor/%s.pids", TEST_DATA_DIR, name);
        f = fopen(path, "re");
        ck_assert_ptr_nonnull(f);
        while (fscanf(f, "%ld", &pid) == 1) {
                ck_assert_uint_lt(c->n_pids, sizeof(c->pids) / sizeof(c->pids[0]));
                c->pids[c->n_pids++] = (pid_t) pid;
        }
        fclose(f);
}

static void capture_free(Capture *c) {
        for (size_t i = 0; i < c->n; i++)
                free(c->d[i].bytes);
}

/* Every event of a run, in order. */
typedef struct Events {
        NftMonitorEvent ev[256];
        size_t n;
        int stop_after;         /* > 0: the callback fails after that many */
} Events;

static int collect(const NftMonitorEvent *ev, void *userdata) {
        Events *e = userdata;

        ck_assert_uint_lt(e->n, sizeof(e->ev) / sizeof(e->ev[0]));
        /* whatever arrived, the strings are terminated within their arrays */
        ck_assert_uint_lt(strnlen(ev->comm, sizeof(ev->comm)), sizeof(ev->comm));
        ck_assert_uint_lt(strnlen(ev->table, sizeof(ev->table)), sizeof(ev->table));
        ck_assert_uint_lt(strnlen(ev->chain, sizeof(ev->chain)), sizeof(ev->chain));
        ck_assert_uint_lt(strnlen(ev->name, sizeof(ev->name)), sizeof(ev->name));
        e->ev[e->n++] = *ev;
        if (e->stop_after > 0 && e->n == (size_t) e->stop_after)
                return -ECANCELED;
        return 0;
}

/* Decodes every datagram of C into E; returns how many recv()s failed. */
static unsigned capture_parse(const Capture *c, Events *e) {
        unsigned failed = 0;

        e->n = 0;
        for (size_t i = 0; i < c->n; i++) {
                size_t before = e->n;

                if (c->d[i].err < 0) {
                        failed++;
                        continue;
                }
                ck_assert_int_eq(nft_monitor_parse(c->d[i].bytes, c->d[i].len, collect, e), (int) (e->n - before));
                ck_assert_uint_gt(e->n, before);        /* no datagram is empty */
        }
        return failed;
}

typedef struct Expect {
        uint16_t type;
        int family;
        const char *table, *chain, *name;
        int64_t handle;         /* -1: none */
        uint32_t genid;         /* NEWGEN */
        const char *comm;       /* NEWGEN */
} Expect;

#define CHANGE(t, f, tb, ch, nm, h) { .type = (t), .family = (f), .table = (tb), .chain = (ch), .name = (nm), .handle = (h) }
#define GEN(g, c) { .type = NFT_MSG_NEWGEN, .family = NFPROTO_UNSPEC, .table = "", .chain = "", .name = "", \
                    .handle = -1, .genid = (g), .comm = (c) }

static void assert_events(const Events *e, const Expect *x, size_t n, const Capture *c) {
        size_t gen = 0;

        ck_assert_uint_eq(e->n, n);
        for (size_t i = 0; i < n; i++) {
                const NftMonitorEvent *ev = &e->ev[i];

                ck_assert_msg(ev->msg_type == x[i].type, "event %zu: type %u, expected %u", i, ev->msg_type,
                              x[i].type);
                ck_assert_int_eq(ev->family, x[i].family);
                ck_assert_str_eq(ev->table, x[i].table);
                ck_assert_str_eq(ev->chain, x[i].chain);
                ck_assert_str_eq(ev->name, x[i].name);
                ck_assert_int_eq(ev->has_handle, x[i].handle >= 0);
                if (x[i].handle >= 0)
                        ck_assert_uint_eq(ev->handle, (uint64_t) x[i].handle);
                if (x[i].type == NFT_MSG_NEWGEN) {
                        ck_assert_uint_eq(ev->genid, x[i].genid);
                        ck_assert_str_eq(ev->comm, x[i].comm);
                        /* the committing command's pid, as capture.sh noted it */
                        ck_assert_uint_lt(gen, c->n_pids);
                        ck_assert_int_eq(ev->pid, c->pids[gen]);
                        gen++;
                        ck_assert(!nft_monitor_msg_changes_ruleset(ev->msg_type));
                } else {
                        ck_assert_uint_eq(ev->genid, 0);
                        ck_assert_int_eq(ev->pid, 0);
                        ck_assert_str_eq(ev->comm, "");
                        ck_assert(nft_monitor_msg_changes_ruleset(ev->msg_type));
                }
        }
        ck_assert_uint_eq(gen, c->n_pids);
}

START_TEST(test_nft_batches_end_with_newgen_naming_nft_and_its_pid) {
        static const Expect x[] = {
                /* nft -f ruleset.nft: one batch, in the file's order */
                CHANGE(NFT_MSG_NEWTABLE, NFPROTO_INET, "filter", "", "", 1),
                CHANGE(NFT_MSG_NEWCHAIN, NFPROTO_INET, "filter", "input", "", 1),
                CHANGE(NFT_MSG_NEWSET, NFPROTO_INET, "filter", "", "allowed", 2),
                CHANGE(NFT_MSG_NEWSETELEM, NFPROTO_INET, "filter", "", "allowed", -1),
                CHANGE(NFT_MSG_NEWRULE, NFPROTO_INET, "filter", "input", "", 3),
                CHANGE(NFT_MSG_NEWRULE, NFPROTO_INET, "filter", "input", "", 4),
                GEN(2, "nft"),
                /* nft add rule */
                CHANGE(NFT_MSG_NEWRULE, NFPROTO_INET, "filter", "input", "", 5),
                GEN(3, "nft"),
                /* nft delete rule ... handle 4 */
                CHANGE(NFT_MSG_DELRULE, NFPROTO_INET, "filter", "input", "", 4),
                GEN(4, "nft"),
                /* nft add element: one message per element; then the no-op
                 * `add table` and the listing send nothing */
                CHANGE(NFT_MSG_NEWSETELEM, NFPROTO_INET, "filter", "", "allowed", -1),
                CHANGE(NFT_MSG_NEWSETELEM, NFPROTO_INET, "filter", "", "allowed", -1),
                GEN(5, "nft"),
                /* nft delete table: everything in it, then the table */
                CHANGE(NFT_MSG_DELRULE, NFPROTO_INET, "filter", "input", "", 3),
                CHANGE(NFT_MSG_DELRULE, NFPROTO_INET, "filter", "input", "", 5),
                CHANGE(NFT_MSG_DELSET, NFPROTO_INET, "filter", "", "allowed", 2),
                CHANGE(NFT_MSG_DELCHAIN, NFPROTO_INET, "filter", "input", "", 1),
                CHANGE(NFT_MSG_DELTABLE, NFPROTO_INET, "filter", "", "", 1),
                GEN(6, "nft"),
        };
        Capture c;
        static Events e;

        capture_load("nft", &c);
        ck_assert_uint_eq(capture_parse(&c, &e), 0);
        assert_events(&e, x, sizeof(x) / sizeof(x[0]), &c);
        capture_free(&c);
}
END_TEST

START_TEST(test_newgen_comes_in_a_datagram_of_its_own_after_the_batch) {
        Capture c;
        static Events e;

        capture_load("nft", &c);
        ck_assert_uint_eq(c.n, 10);
        for (size_t i = 0; i < c.n; i++) {
                e.n = 0;
                ck_assert_int_ge(nft_monitor_parse(c.d[i].bytes, c.d[i].len, collect, &e), 1);
                if (i % 2 == 1) {
                        ck_assert_uint_eq(e.n, 1);
                        ck_assert_uint_eq(e.ev[0].msg_type, NFT_MSG_NEWGEN);
                } else
                        for (size_t k = 0; k < e.n; k++)
                                ck_assert_uint_ne(e.ev[k].msg_type, NFT_MSG_NEWGEN);
        }
        capture_free(&c);
}
END_TEST

START_TEST(test_iptables_nft_commits_name_iptables_nft_and_the_truncated_restore) {
        static const Expect x[] = {
                /* iptables-nft -A INPUT ...: creates table and chain on the way */
                CHANGE(NFT_MSG_NEWTABLE, NFPROTO_IPV4, "filter", "", "", 1),
                CHANGE(NFT_MSG_NEWCHAIN, NFPROTO_IPV4, "filter", "INPUT", "", 1),
                CHANGE(NFT_MSG_NEWRULE, NFPROTO_IPV4, "filter", "INPUT", "", 2),
                GEN(2, "iptables-nft"),
                /* iptables-nft -L commits nothing; iptables-nft-restore's
                 * comm is cut to TASK_COMM_LEN - 1 characters */
                CHANGE(NFT_MSG_NEWRULE, NFPROTO_IPV4, "filter", "INPUT", "", 3),
                GEN(3, "iptables-nft-re"),
                CHANGE(NFT_MSG_DELRULE, NFPROTO_IPV4, "filter", "INPUT", "", 2),
                GEN(4, "iptables-nft"),
        };
        Capture c;
        static Events e;

        capture_load("iptables-nft", &c);
        ck_assert_uint_eq(capture_parse(&c, &e), 0);
        assert_events(&e, x, sizeof(x) / sizeof(x[0]), &c);
        capture_free(&c);
}
END_TEST

START_TEST(test_overrun_shows_as_enobufs_then_a_batch_without_its_newgen) {
        Capture c;
        static Events e;

        capture_load("enobufs", &c);
        ck_assert_uint_eq(c.n, 2);
        ck_assert_int_eq(c.d[0].err, -ENOBUFS);     /* before the queued datagram */
        ck_assert_uint_eq(capture_parse(&c, &e), 1);
        ck_assert_uint_eq(e.n, 14);
        ck_assert_uint_eq(e.ev[0].msg_type, NFT_MSG_NEWTABLE);
        ck_assert_str_eq(e.ev[0].table, "t");
        ck_assert_int_eq(e.ev[0].family, NFPROTO_IPV4);
        ck_assert_uint_eq(e.ev[1].msg_type, NFT_MSG_NEWCHAIN);
        for (size_t i = 2; i < e.n; i++) {
                ck_assert_uint_eq(e.ev[i].msg_type, NFT_MSG_NEWRULE);
                ck_assert_str_eq(e.ev[i].chain, "c");
                ck_assert_uint_eq(e.ev[i].handle, i);
        }
        /* 2,000 rules were committed: the rest and the NEWGEN were dropped */
        ck_assert_uint_eq(c.n_pids, 1);
        capture_free(&c);
}
END_TEST

START_TEST(test_message_types_are_classified_and_named) {
        ck_assert(nft_monitor_msg_changes_ruleset(NFT_MSG_NEWTABLE));
        ck_assert(nft_monitor_msg_changes_ruleset(NFT_MSG_DELRULE));
        ck_assert(nft_monitor_msg_changes_ruleset(NFT_MSG_NEWSETELEM));
        ck_assert(nft_monitor_msg_changes_ruleset(NFT_MSG_DELOBJ));
        ck_assert(nft_monitor_msg_changes_ruleset(NFT_MSG_NEWFLOWTABLE));
        ck_assert(nft_monitor_msg_changes_ruleset(NFT_MONITOR_MSG_DESTROYTABLE));
        ck_assert(nft_monitor_msg_changes_ruleset(NFT_MONITOR_MSG_DESTROYFLOWTABLE));
        ck_assert(!nft_monitor_msg_changes_ruleset(NFT_MSG_NEWGEN));
        ck_assert(!nft_monitor_msg_changes_ruleset(NFT_MSG_GETRULE));
        ck_assert(!nft_monitor_msg_changes_ruleset(NFT_MSG_TRACE));
        ck_assert(!nft_monitor_msg_changes_ruleset(NFT_MONITOR_MSG_GETSETELEM_RESET));
        /* a type from a newer kernel: assume the worst */
        ck_assert(nft_monitor_msg_changes_ruleset(36));
        ck_assert(nft_monitor_msg_changes_ruleset(255));
        ck_assert_str_eq(nft_monitor_msg_name(NFT_MSG_NEWGEN), "NEWGEN");
        ck_assert_str_eq(nft_monitor_msg_name(NFT_MSG_DELSETELEM), "DELSETELEM");
        ck_assert_str_eq(nft_monitor_msg_name(NFT_MONITOR_MSG_DESTROYTABLE + 2), "DESTROYRULE");
        ck_assert_ptr_null(nft_monitor_msg_name(36));
        ck_assert_ptr_null(nft_monitor_msg_name(UINT16_MAX));
}
END_TEST

/* ---- hostile input ---- */

static const char *const captures[] = { "nft", "iptables-nft", "enobufs" };

/* Each datagram cut at every length: a clean count or -EBADMSG, and the
 * events delivered are the first ones of the whole datagram, unchanged. */
START_TEST(test_truncated_datagrams_deliver_a_prefix_and_fail_cleanly) {
        Capture c;
        static Events whole, part;

        capture_load(captures[_i], &c);
        for (size_t i = 0; i < c.n; i++) {
                if (c.d[i].err < 0)
                        continue;
                whole.n = 0;
                ck_assert_int_gt(nft_monitor_parse(c.d[i].bytes, c.d[i].len, collect, &whole), 0);
                for (size_t len = 0; len < c.d[i].len; len++) {
                        uint32_t *cut = malloc(len ? len : 1);
                        int r;

                        ck_assert_ptr_nonnull(cut);
                        memcpy(cut, c.d[i].bytes, len);
                        part.n = 0;
                        r = nft_monitor_parse(cut, len, collect, &part);
                        ck_assert_msg(r == -EBADMSG || (r >= 0 && (size_t) r == part.n),
                                      "datagram %zu cut at %zu: %d", i, len, r);
                        ck_assert_uint_le(part.n, whole.n);
                        for (size_t k = 0; k < part.n; k++)
                                ck_assert_int_eq(memcmp(&part.ev[k], &whole.ev[k], sizeof(NftMonitorEvent)), 0);
                        if (len == 0)
                                ck_assert_int_eq(r, 0);
                        free(cut);
                }
        }
        capture_free(&c);
}
END_TEST

/* Every byte of every datagram replaced by a few values: whatever comes
 * out, nothing is read out of bounds (ASan) and strings stay terminated. */
START_TEST(test_corrupted_datagrams_never_crash) {
        static const uint8_t values[] = { 0x00, 0x01, 0x03, 0x04, 0x7f, 0x80, 0xfe, 0xff };
        Capture c;
        static Events e;

        capture_load(captures[_i], &c);
        for (size_t i = 0; i < c.n; i++) {
                uint8_t *copy;

                if (c.d[i].err < 0)
                        continue;
                copy = malloc(c.d[i].len);
                ck_assert_ptr_nonnull(copy);
                for (size_t off = 0; off < c.d[i].len; off++)
                        for (size_t v = 0; v < sizeof(values); v++) {
                                int r;

                                memcpy(copy, c.d[i].bytes, c.d[i].len);
                                copy[off] = values[v];
                                e.n = 0;
                                r = nft_monitor_parse(copy, c.d[i].len, collect, &e);
                                ck_assert(r == -EBADMSG || (r >= 0 && (size_t) r == e.n));
                        }
                free(copy);
        }
        capture_free(&c);
}
END_TEST

/* A crafted datagram, built with libmnl as the kernel builds them. */
typedef struct Crafted {
        uint32_t buf[1024];
        size_t len;
} Crafted;

static struct nlmsghdr *crafted_msg(Crafted *c, uint16_t type, int family) {
        struct nlmsghdr *nlh = mnl_nlmsg_put_header((uint8_t *) c->buf + c->len);
        struct nfgenmsg *g;

        nlh->nlmsg_type = type;
        g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->nfgen_family = (uint8_t) family;
        g->version = NFNETLINK_V0;
        return nlh;
}

static void crafted_end(Crafted *c, struct nlmsghdr *nlh) {
        c->len += NLMSG_ALIGN(nlh->nlmsg_len);
        ck_assert_uint_le(c->len, sizeof(c->buf) - 1024);
}

#define NFT_TYPE(m) ((uint16_t) ((NFNL_SUBSYS_NFTABLES << 8) | (m)))

static void crafted_newgen(Crafted *c, uint32_t genid, uint32_t pid, const char *comm) {
        struct nlmsghdr *nlh = crafted_msg(c, NFT_TYPE(NFT_MSG_NEWGEN), NFPROTO_UNSPEC);

        mnl_attr_put_u32(nlh, NFTA_GEN_ID, htonl(genid));
        mnl_attr_put_u32(nlh, NFTA_GEN_PROC_PID, htonl(pid));
        mnl_attr_put_strz(nlh, NFTA_GEN_PROC_NAME, comm);
        crafted_end(c, nlh);
}

/* Parses C (copied to a buffer of exactly its size) into E. */
static int crafted_parse(const Crafted *c, Events *e) {
        uint32_t *copy = malloc(c->len ? c->len : 1);
        int r;

        ck_assert_ptr_nonnull(copy);
        memcpy(copy, c->buf, c->len);
        e->n = 0;
        r = nft_monitor_parse(copy, c->len, collect, e);
        free(copy);
        return r;
}

START_TEST(test_crafted_newgen_and_rule_decode_exactly) {
        static Crafted c;
        static Events e;
        struct nlmsghdr *nlh;

        c.len = 0;
        nlh = crafted_msg(&c, NFT_TYPE(NFT_MSG_NEWRULE), NFPROTO_IPV6);
        mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, "t6");
        mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "in");
        mnl_attr_put_u64(nlh, NFTA_RULE_HANDLE, htobe64(0x0102030405060708ull));
        crafted_end(&c, nlh);
        crafted_newgen(&c, 0xfffffffeu, 4194304, "sshd-keygen-wra");
        ck_assert_int_eq(crafted_parse(&c, &e), 2);
        ck_assert_uint_eq(e.ev[0].msg_type, NFT_MSG_NEWRULE);
        ck_assert_int_eq(e.ev[0].family, NFPROTO_IPV6);
        ck_assert_str_eq(e.ev[0].table, "t6");
        ck_assert_str_eq(e.ev[0].chain, "in");
        ck_assert(e.ev[0].has_handle);
        ck_assert_uint_eq(e.ev[0].handle, 0x0102030405060708ull);
        ck_assert_uint_eq(e.ev[1].genid, 0xfffffffeu);
        ck_assert_int_eq(e.ev[1].pid, 4194304);
        ck_assert_str_eq(e.ev[1].comm, "sshd-keygen-wra");
}
END_TEST

START_TEST(test_comm_without_nul_overlong_or_empty_is_bounded) {
        static Crafted c;
        static Events e;
        struct nlmsghdr *nlh;
        char longname[64];

        memset(longname, 'A', sizeof(longname));
        c.len = 0;
        /* no NUL at all */
        nlh = crafted_msg(&c, NFT_TYPE(NFT_MSG_NEWGEN), NFPROTO_UNSPEC);
        mnl_attr_put(nlh, NFTA_GEN_PROC_NAME, 12, "iptables-nft");
        crafted_end(&c, nlh);
        /* 64 characters, no NUL */
        nlh = crafted_msg(&c, NFT_TYPE(NFT_MSG_NEWGEN), NFPROTO_UNSPEC);
        mnl_attr_put(nlh, NFTA_GEN_PROC_NAME, sizeof(longname), longname);
        crafted_end(&c, nlh);
        /* a NUL inside */
        nlh = crafted_msg(&c, NFT_TYPE(NFT_MSG_NEWGEN), NFPROTO_UNSPEC);
        mnl_attr_put(nlh, NFTA_GEN_PROC_NAME, 6, "ab\0cd");
        crafted_end(&c, nlh);
        /* zero-length attributes: no id, no pid, no name */
        nlh = crafted_msg(&c, NFT_TYPE(NFT_MSG_NEWGEN), NFPROTO_UNSPEC);
        mnl_attr_put(nlh, NFTA_GEN_ID, 0, NULL);
        mnl_attr_put(nlh, NFTA_GEN_PROC_PID, 0, NULL);
        mnl_attr_put(nlh, NFTA_GEN_PROC_NAME, 0, NULL);
        crafted_end(&c, nlh);
        /* the id 2 bytes long, the pid 8 */
        nlh = crafted_msg(&c, NFT_TYPE(NFT_MSG_NEWGEN), NFPROTO_UNSPEC);
        mnl_attr_put_u16(nlh, NFTA_GEN_ID, 7);
        mnl_attr_put_u64(nlh, NFTA_GEN_PROC_PID, 7);
        crafted_end(&c, nlh);

        ck_assert_int_eq(crafted_parse(&c, &e), 5);
        ck_assert_str_eq(e.ev[0].comm, "iptables-nft");
        ck_assert_str_eq(e.ev[1].comm, "AAAAAAAAAAAAAAAA");     /* NFT_MONITOR_COMM_MAX */
        ck_assert_str_eq(e.ev[2].comm, "ab");
        for (size_t i = 3; i < 5; i++) {
                ck_assert_uint_eq(e.ev[i].msg_type, NFT_MSG_NEWGEN);
                ck_assert_uint_eq(e.ev[i].genid, 0);
                ck_assert_int_eq(e.ev[i].pid, 0);
                ck_assert_str_eq(e.ev[i].comm, "");
        }
}
END_TEST

START_TEST(test_names_must_be_terminated_and_fit) {
        static Crafted c;
        static Events e;
        static char name[NFT_MONITOR_NAME_MAX + 1];
        struct nlmsghdr *nlh;

        c.len = 0;
        /* NFT_NAME_MAXLEN with its NUL: kept */
        memset(name, 'x', sizeof(name));
        name[NFT_MONITOR_NAME_MAX - 1] = '\0';
        nlh = crafted_msg(&c, NFT_TYPE(NFT_MSG_NEWCHAIN), NFPROTO_IPV4);
        mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, name);
        /* one more: dropped */
        name[NFT_MONITOR_NAME_MAX - 1] = 'x';
        name[NFT_MONITOR_NAME_MAX] = '\0';
        mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, name);
        /* a handle of the wrong size: dropped */
        mnl_attr_put_u32(nlh, NFTA_CHAIN_HANDLE, 1);
        crafted_end(&c, nlh);
        /* without its NUL: dropped; an empty payload too */
        nlh = crafted_msg(&c, NFT_TYPE(NFT_MSG_NEWSET), NFPROTO_IPV4);
        mnl_attr_put(nlh, NFTA_SET_TABLE, 6, "filter");
        mnl_attr_put(nlh, NFTA_SET_NAME, 0, NULL);
        mnl_attr_put_u64(nlh, NFTA_SET_HANDLE, htobe64(9));
        crafted_end(&c, nlh);

        ck_assert_int_eq(crafted_parse(&c, &e), 2);
        ck_assert_uint_eq(strlen(e.ev[0].table), NFT_MONITOR_NAME_MAX - 1);
        ck_assert_str_eq(e.ev[0].chain, "");
        ck_assert(!e.ev[0].has_handle);
        ck_assert_uint_eq(e.ev[1].msg_type, NFT_MSG_NEWSET);
        ck_assert_str_eq(e.ev[1].table, "");
        ck_assert_str_eq(e.ev[1].name, "");
        ck_assert(e.ev[1].has_handle);
        ck_assert_uint_eq(e.ev[1].handle, 9);
}
END_TEST

START_TEST(test_attribute_running_past_its_message_ends_the_attributes_not_the_message) {
        static Crafted c;
        static Events e;
        struct nlmsghdr *nlh;
        struct nlattr *a;

        c.len = 0;
        nlh = crafted_msg(&c, NFT_TYPE(NFT_MSG_DELRULE), NFPROTO_INET);
        mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, "filter");
        a = (struct nlattr *) ((uint8_t *) nlh + nlh->nlmsg_len);
        mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "input");
        a->nla_len = 200;       /* past the end of the message */
        crafted_end(&c, nlh);
        /* an attribute with nla_len 0 */
        nlh = crafted_msg(&c, NFT_TYPE(NFT_MSG_DELRULE), NFPROTO_INET);
        mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, "t2");
        a = (struct nlattr *) ((uint8_t *) nlh + nlh->nlmsg_len);
        mnl_attr_put_u64(nlh, NFTA_RULE_HANDLE, htobe64(3));
        a->nla_len = 0;
        crafted_end(&c, nlh);
        crafted_newgen(&c, 5, 77, "nft");

        ck_assert_int_eq(crafted_parse(&c, &e), 3);
        ck_assert_uint_eq(e.ev[0].msg_type, NFT_MSG_DELRULE);
        ck_assert_str_eq(e.ev[0].table, "filter");
        ck_assert_str_eq(e.ev[0].chain, "");
        ck_assert_str_eq(e.ev[1].table, "t2");
        ck_assert(!e.ev[1].has_handle);
        ck_assert_uint_eq(e.ev[2].genid, 5);
        ck_assert_str_eq(e.ev[2].comm, "nft");
}
END_TEST

START_TEST(test_bad_framing_is_ebadmsg_after_the_good_messages) {
        static Crafted c;
        static Events e;
        struct nlmsghdr *nlh;

        /* nlmsg_len beyond the datagram */
        c.len = 0;
        crafted_newgen(&c, 2, 10, "nft");
        nlh = crafted_msg(&c, NFT_TYPE(NFT_MSG_NEWGEN), NFPROTO_UNSPEC);
        crafted_end(&c, nlh);
        nlh->nlmsg_len = 4096;
        ck_assert_int_eq(crafted_parse(&c, &e), -EBADMSG);
        ck_assert_uint_eq(e.n, 1);
        ck_assert_uint_eq(e.ev[0].genid, 2);

        /* nlmsg_len 0 (an endless loop for a careless walker) and 15 */
        nlh->nlmsg_len = 0;
        ck_assert_int_eq(crafted_parse(&c, &e), -EBADMSG);
        ck_assert_uint_eq(e.n, 1);
        nlh->nlmsg_len = NLMSG_HDRLEN - 1;
        ck_assert_int_eq(crafted_parse(&c, &e), -EBADMSG);

        /* an nftables message too short for its nfgenmsg */
        nlh->nlmsg_len = NLMSG_HDRLEN + 2;
        ck_assert_int_eq(crafted_parse(&c, &e), -EBADMSG);
        ck_assert_uint_eq(e.n, 1);

        /* bytes after the last message, fewer than a header */
        c.len = 0;
        crafted_newgen(&c, 2, 10, "nft");
        c.len += 8;
        ck_assert_int_eq(crafted_parse(&c, &e), -EBADMSG);
        ck_assert_uint_eq(e.n, 1);

        /* the last message without its padding is fine */
        c.len = 0;
        nlh = crafted_msg(&c, NFT_TYPE(NFT_MSG_NEWTABLE), NFPROTO_IPV4);
        mnl_attr_put(nlh, NFTA_TABLE_NAME, 2, "t");
        nlh->nlmsg_len -= 2;    /* mnl_attr_put() padded it */
        c.len += nlh->nlmsg_len;
        ck_assert_uint_eq(c.len % 4, 2);
        ck_assert_int_eq(crafted_parse(&c, &e), 1);
        ck_assert_str_eq(e.ev[0].table, "t");
}
END_TEST

START_TEST(test_other_subsystems_and_control_messages_are_skipped_unknown_types_passed) {
        static Crafted c;
        static Events e;
        struct nlmsghdr *nlh;

        c.len = 0;
        nlh = crafted_msg(&c, (uint16_t) ((NFNL_SUBSYS_CTNETLINK << 8) | 0), NFPROTO_IPV4);
        mnl_attr_put_strz(nlh, 1, "conntrack");
        crafted_end(&c, nlh);
        nlh = mnl_nlmsg_put_header((uint8_t *) c.buf + c.len);
        nlh->nlmsg_type = NLMSG_NOOP;
        crafted_end(&c, nlh);
        nlh = crafted_msg(&c, NFT_TYPE(0x7f), NFPROTO_INET);
        mnl_attr_put_strz(nlh, 1, "future");
        crafted_end(&c, nlh);
        nlh = crafted_msg(&c, NFT_TYPE(NFT_MSG_TRACE), NFPROTO_INET);
        crafted_end(&c, nlh);
        crafted_newgen(&c, 9, 1, "nft");

        ck_assert_int_eq(crafted_parse(&c, &e), 3);
        ck_assert_uint_eq(e.ev[0].msg_type, 0x7f);
        ck_assert_int_eq(e.ev[0].family, NFPROTO_INET);
        ck_assert_str_eq(e.ev[0].table, "");    /* its attributes mean nothing known */
        ck_assert(nft_monitor_msg_changes_ruleset(e.ev[0].msg_type));
        ck_assert_uint_eq(e.ev[1].msg_type, NFT_MSG_TRACE);
        ck_assert_uint_eq(e.ev[2].msg_type, NFT_MSG_NEWGEN);
}
END_TEST

START_TEST(test_callback_error_stops_the_walk_and_misalignment_is_refused) {
        static Crafted c;
        static Events e;
        uint8_t *raw;

        c.len = 0;
        crafted_newgen(&c, 2, 1, "a");
        crafted_newgen(&c, 3, 1, "b");
        crafted_newgen(&c, 4, 1, "c");
        e.n = 0;
        e.stop_after = 2;
        ck_assert_int_eq(nft_monitor_parse(c.buf, c.len, collect, &e), -ECANCELED);
        ck_assert_uint_eq(e.n, 2);
        e.stop_after = 0;

        raw = malloc(c.len + 1);
        ck_assert_ptr_nonnull(raw);
        memcpy(raw + 1, c.buf, c.len);
        ck_assert_int_eq(nft_monitor_parse(raw + 1, c.len, collect, &e), -EINVAL);
        free(raw);
        ck_assert_int_eq(nft_monitor_parse(c.buf, 0, collect, &e), 0);
}
END_TEST

/* ---- fuzz findings ---- */

/* ../shared/fuzz-findings/nft_monitor-unpadded-last-msg-overread, found by
 * an outside libFuzzer run (ASan): one NEWGEN of nlmsg_len 25 whose
 * NFTA_GEN_PROC_NAME claims 8 bytes where 5 are left.  libmnl's attribute
 * walk bounded it by the aligned length (28), so the comm copy read the 3
 * bytes after the datagram. */
static const uint8_t fuzz_unpadded_newgen[25] = {
        0x19, 0x00, 0x00, 0x00, 0x0f, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x03, 0x00, 0x78,
};

/* One nftables message of TYPE with one attribute ATTR whose header says
 * NLA_LEN and whose payload is PLEN bytes of PAYLOAD; its nlmsg_len ends
 * right after the payload, unpadded.  OUT is zeroed up to the aligned end;
 * returns nlmsg_len. */
static size_t unpadded_msg(uint8_t *out, uint16_t type, int family, uint16_t attr, uint16_t nla_len,
                           const void *payload, size_t plen) {
        struct nlmsghdr *nlh = (struct nlmsghdr *) out;
        struct nfgenmsg *g = (struct nfgenmsg *) (out + NLMSG_HDRLEN);
        struct nlattr *a = (struct nlattr *) (out + NLMSG_HDRLEN + sizeof(*g));

        memset(out, 0, NLMSG_ALIGN(NLMSG_HDRLEN + sizeof(*g) + NLA_HDRLEN + plen));
        nlh->nlmsg_type = NFT_TYPE(type);
        g->nfgen_family = (uint8_t) family;
        a->nla_type = attr;
        a->nla_len = nla_len;
        memcpy(a + 1, payload, plen);
        nlh->nlmsg_len = (uint32_t) (NLMSG_HDRLEN + sizeof(*g) + NLA_HDRLEN + plen);
        return nlh->nlmsg_len;
}

START_TEST(test_fuzz_unpadded_last_message_attribute_past_its_end_is_absent) {
        static Events e;
        static Crafted c;
        uint8_t *exact = malloc(sizeof(fuzz_unpadded_newgen));
        size_t len;

        /* the reproducer in a buffer of exactly its size: ASan sees any
         * read past it; the message is delivered, without the attribute */
        ck_assert_ptr_nonnull(exact);
        memcpy(exact, fuzz_unpadded_newgen, sizeof(fuzz_unpadded_newgen));
        e.n = 0;
        ck_assert_int_eq(nft_monitor_parse(exact, sizeof(fuzz_unpadded_newgen), collect, &e), 1);
        ck_assert_uint_eq(e.ev[0].msg_type, NFT_MSG_NEWGEN);
        ck_assert_uint_eq(e.ev[0].genid, 0);
        ck_assert_int_eq(e.ev[0].pid, 0);
        ck_assert_str_eq(e.ev[0].comm, "");
        free(exact);

        /* followed by another message: whatever its padding holds, the
         * attribute stays absent (it decoded as "xyz" before) */
        c.len = 0;
        len = unpadded_msg((uint8_t *) c.buf, NFT_MSG_NEWGEN, NFPROTO_UNSPEC, NFTA_GEN_PROC_NAME, 8, "xyz", 4);
        ((struct nlmsghdr *) c.buf)->nlmsg_len = (uint32_t) len - 3;
        c.len = NLMSG_ALIGN(len);
        crafted_newgen(&c, 3, 30, "nft");
        ck_assert_int_eq(crafted_parse(&c, &e), 2);
        ck_assert_str_eq(e.ev[0].comm, "");
        ck_assert_str_eq(e.ev[1].comm, "nft");

        /* the same attribute with its true length fits: kept */
        c.len = 0;
        len = unpadded_msg((uint8_t *) c.buf, NFT_MSG_NEWGEN, NFPROTO_UNSPEC, NFTA_GEN_PROC_NAME, NLA_HDRLEN + 1,
                           "x", 1);
        ck_assert_uint_eq(len, sizeof(fuzz_unpadded_newgen));
        ck_assert_int_eq(memcmp(c.buf, fuzz_unpadded_newgen, 20), 0);
        c.len = len;
        ck_assert_int_eq(crafted_parse(&c, &e), 1);
        ck_assert_str_eq(e.ev[0].comm, "x");
}
END_TEST

/* ---- the socket ---- */

START_TEST(test_live_socket_is_nonblocking_with_a_big_buffer_and_hears_a_commit) {
        struct mnl_socket *nl = NULL;
        static uint32_t buf[65536];
        static Events e;
        int size = 0, status;
        socklen_t sl = sizeof(size);
        ssize_t n;
        pid_t pid;

        /* CK_FORK runs each test in a child, so the namespace dies with it */
        if (unshare(CLONE_NEWNET) < 0) {
                fprintf(stderr, "check_nft_monitor: live test skipped: unshare(CLONE_NEWNET): %s\n",
                        strerror(errno));
                return;
        }
        ck_assert_int_eq(nft_monitor_open(&nl), 0);
        ck_assert_int_ne(fcntl(mnl_socket_get_fd(nl), F_GETFL) & O_NONBLOCK, 0);
        ck_assert_int_ne(fcntl(mnl_socket_get_fd(nl), F_GETFD) & FD_CLOEXEC, 0);
        ck_assert_int_eq(getsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &size, &sl), 0);
        ck_assert_int_eq(size, 2 * (int) NFT_MONITOR_RCVBUF);       /* the kernel doubles it */
        ck_assert_int_lt(recv(mnl_socket_get_fd(nl), buf, sizeof(buf), 0), 0);
        ck_assert_int_eq(errno, EAGAIN);

        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
                dup2(devnull, STDERR_FILENO);
                execlp("nft", "nft", "add", "table", "ip", "sgtest", (char *) NULL);
                _exit(127);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "check_nft_monitor: commit part skipped: nft not runnable\n");
                mnl_socket_close(nl);
                return;
        }
        e.n = 0;
        while ((n = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), 0)) > 0)
                ck_assert_int_ge(nft_monitor_parse(buf, (size_t) n, collect, &e), 1);
        ck_assert_int_eq(errno, EAGAIN);
        ck_assert_uint_eq(e.n, 2);
        ck_assert_uint_eq(e.ev[0].msg_type, NFT_MSG_NEWTABLE);
        ck_assert_str_eq(e.ev[0].table, "sgtest");
        ck_assert_uint_eq(e.ev[1].msg_type, NFT_MSG_NEWGEN);
        ck_assert_uint_eq(e.ev[1].genid, 2);    /* a new namespace starts at 1 */
        ck_assert_str_eq(e.ev[1].comm, "nft");
        /* (the pid is the initial pid namespace's: equal to PID only there) */
        mnl_socket_close(nl);
}
END_TEST

static Suite *nft_monitor_suite(void) {
        Suite *s = suite_create("nft_monitor");
        TCase *tc;

        tc = tcase_create("captures");
        tcase_add_test(tc, test_nft_batches_end_with_newgen_naming_nft_and_its_pid);
        tcase_add_test(tc, test_newgen_comes_in_a_datagram_of_its_own_after_the_batch);
        tcase_add_test(tc, test_iptables_nft_commits_name_iptables_nft_and_the_truncated_restore);
        tcase_add_test(tc, test_overrun_shows_as_enobufs_then_a_batch_without_its_newgen);
        tcase_add_test(tc, test_message_types_are_classified_and_named);
        suite_add_tcase(s, tc);

        tc = tcase_create("hostile");
        tcase_set_timeout(tc, 120);
        tcase_add_loop_test(tc, test_truncated_datagrams_deliver_a_prefix_and_fail_cleanly, 0,
                            sizeof(captures) / sizeof(captures[0]));
        tcase_add_loop_test(tc, test_corrupted_datagrams_never_crash, 0, sizeof(captures) / sizeof(captures[0]));
        tcase_add_test(tc, test_crafted_newgen_and_rule_decode_exactly);
        tcase_add_test(tc, test_comm_without_nul_overlong_or_empty_is_bounded);
        tcase_add_test(tc, test_names_must_be_terminated_and_fit);
        tcase_add_test(tc, test_attribute_running_past_its_message_ends_the_attributes_not_the_message);
        tcase_add_test(tc, test_bad_framing_is_ebadmsg_after_the_good_messages);
        tcase_add_test(tc, test_other_subsystems_and_control_messages_are_skipped_unknown_types_passed);
        tcase_add_test(tc, test_callback_error_stops_the_walk_and_misalignment_is_refused);
        tcase_add_test(tc, test_fuzz_unpadded_last_message_attribute_past_its_end_is_absent);
        suite_add_tcase(s, tc);

        tc = tcase_create("live");
        tcase_add_test(tc, test_live_socket_is_nonblocking_with_a_big_buffer_and_hears_a_commit);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(nft_monitor_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

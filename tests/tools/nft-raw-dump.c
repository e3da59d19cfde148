/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * The reference of tests/bench/fw-bench.sh: what the kernel must send for a
 * one-shot read of the ruleset, received and thrown away (root):
 *
 *   nft-raw-dump            the dumps nft_dump_raw() issues: the generation,
 *                           then tables, chains, sets, objects, flowtables
 *                           and rules of every family, the generation again
 *   nft-raw-dump rules      the rule dump alone
 *
 * Nothing is parsed beyond the netlink headers: each message is counted
 * (NEWRULE ones apart, so that the benchmark can check every rule came)
 * and dropped.  One line per dump on stdout:
 *   "<what> messages M bytes B datagrams D", and "rules N" at the end.
 * Per-set element dumps are not issued (the benchmark's rulesets have no
 * sets).
 *
 * The receive buffer: netlink_recvmsg() records the largest read so far and
 * netlink_dump() sizes each later batch to it, capped at
 * SKB_WITH_OVERHEAD(32768); one recvmsg() takes one batch, and each batch
 * is one more call of the dump callback (for rules, a walk of the chain up
 * to where the previous batch stopped).  A 32 KB buffer is therefore the
 * most the kernel will fill; a larger one would change nothing.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#define RECV_BUFSIZE 32768

typedef struct DumpCount {
        unsigned long messages, bytes, datagrams, rules;
} DumpCount;

static uint8_t buf[RECV_BUFSIZE];

/* Sends one nftables request of TYPE (a dump when DUMP) and receives its
 * answer to the end, counting into *c.  -EINTR when the kernel flagged the
 * dump interrupted by a commit. */
static int nft_request(struct mnl_socket *nl, uint16_t type, bool dump, uint32_t seq, DumpCount *c) {
        uint8_t req[256];
        uint32_t portid = mnl_socket_get_portid(nl);
        bool intr = false;

        memset(req, 0, sizeof(req));
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
        nlh->nlmsg_type = (uint16_t) ((NFNL_SUBSYS_NFTABLES << 8) | type);
        nlh->nlmsg_flags = (uint16_t) (NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0));
        nlh->nlmsg_seq = seq;
        struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->nfgen_family = NFPROTO_UNSPEC;
        g->version = NFNETLINK_V0;
        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
                return -errno;

        for (;;) {
                /* -ENOSPC: a datagram larger than the buffer (MSG_TRUNC) */
                ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
                if (n < 0)
                        return -errno;
                c->datagrams++;
                c->bytes += (unsigned long) n;
                const struct nlmsghdr *m = (const struct nlmsghdr *) buf;
                int len = (int) n;
                for (; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
                        if (m->nlmsg_seq != seq || m->nlmsg_pid != portid)
                                return -EPROTO;
                        if (m->nlmsg_flags & NLM_F_DUMP_INTR)
                                intr = true;
                        if (m->nlmsg_type == NLMSG_ERROR) {
                                const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);
                                return e->error < 0 ? e->error : -EPROTO;
                        }
                        if (m->nlmsg_type == NLMSG_DONE || !dump)
                                return intr ? -EINTR : 0;
                        c->messages++;
                        if (m->nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE))
                                c->rules++;
                }
                if (len != 0)
                        return -EBADMSG;
        }
}

static const struct {
        const char *what;
        uint16_t type;
        bool dump;
} requests[] = {
        { "generation", NFT_MSG_GETGEN, false },
        { "tables", NFT_MSG_GETTABLE, true },
        { "chains", NFT_MSG_GETCHAIN, true },
        { "sets", NFT_MSG_GETSET, true },
        { "objects", NFT_MSG_GETOBJ, true },
        { "flowtables", NFT_MSG_GETFLOWTABLE, true },
        { "rules", NFT_MSG_GETRULE, true },
        { "generation", NFT_MSG_GETGEN, false },
};

int main(int argc, char **argv) {
        bool rules_only = argc == 2 && strcmp(argv[1], "rules") == 0;
        if (argc > 2 || (argc == 2 && !rules_only)) {
                fprintf(stderr, "usage: nft-raw-dump [rules]\n");
                return 2;
        }
        struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
        if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                fprintf(stderr, "netlink socket: %s\n", strerror(errno));
                return 1;
        }
        uint32_t seq = (uint32_t) time(NULL);
        DumpCount counts[sizeof(requests) / sizeof(requests[0])] = {};
        unsigned long rules = 0;
        for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
                if (rules_only && requests[i].type != NFT_MSG_GETRULE)
                        continue;
                int r = nft_request(nl, requests[i].type, requests[i].dump, ++seq, &counts[i]);
                if (r < 0) {
                        fprintf(stderr, "%s: %s\n", requests[i].what, strerror(-r));
                        mnl_socket_close(nl);
                        return 1;
                }
                printf("%s messages %lu bytes %lu datagrams %lu\n", requests[i].what, counts[i].messages,
                       counts[i].bytes, counts[i].datagrams);
                rules += counts[i].rules;
        }
        printf("rules %lu\n", rules);
        mnl_socket_close(nl);
        return 0;
}

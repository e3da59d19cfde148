/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Records the raw x_tables extension blobs of the live rules (root, run it
 * inside a throwaway network namespace) for tests/unit/check_xt.c:
 *
 *   xt-capture nft PREFIX              every xt "match"/"target" expression of
 *                                      every nftables rule (iptables-nft)
 *   xt-capture legacy4|legacy6 TABLE PREFIX
 *                                      every match/target of the iptables-legacy
 *                                      table (IPT_SO_GET_ENTRIES)
 *
 * Each blob goes to PREFIX-<n>-<match|target>-<name>.bin (the standard
 * target of legacy tables is named "standard"); one line per blob on stdout:
 * "<n> <rule> match|target NAME REV FAMILY PROTO LEN", rule counting the
 * rules (legacy: entries, policies and chain markers included) from 0.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static unsigned blob_counter, current_rule;

static int write_blob(const char *prefix, const char *kind, const char *name, unsigned rev,
                      int family, unsigned proto, const void *data, size_t len) {
        char path[4096];
        unsigned n = blob_counter++;
        snprintf(path, sizeof(path), "%s-%u-%s-%s.bin", prefix, n, kind, name[0] ? name : "standard");
        FILE *f = fopen(path, "we");
        if (!f)
                return -errno;
        if (len > 0 && fwrite(data, 1, len, f) != len) {
                fclose(f);
                return -EIO;
        }
        if (fclose(f) != 0)
                return -errno;
        printf("%u %u %s %s %u %s %u %zu\n", n, current_rule, kind, name[0] ? name : "standard", rev,
               family == NFPROTO_IPV6 ? "ipv6" : family == NFPROTO_IPV4 ? "ipv4" : "other", proto, len);
        return 0;
}

typedef struct RuleCtx {
        const char *prefix;
        int family;
        unsigned proto;
} RuleCtx;

static int expr_cb(const struct nlattr *elem, void *userdata) {
        RuleCtx *r = userdata;
        const struct nlattr *a, *name = NULL, *data = NULL;

        mnl_attr_for_each_nested(a, elem) {
                if (mnl_attr_get_type(a) == NFTA_EXPR_NAME)
                        name = a;
                else if (mnl_attr_get_type(a) == NFTA_EXPR_DATA)
                        data = a;
        }
        if (!name || !data)
                return MNL_CB_OK;
        const char *n = mnl_attr_get_str(name);
        bool match = strcmp(n, "match") == 0;
        if (!match && strcmp(n, "target") != 0)
                return MNL_CB_OK;

        const char *xname = NULL;
        uint32_t rev = 0;
        const void *info = NULL;
        size_t info_len = 0;
        /* NFTA_MATCH_* and NFTA_TARGET_* share their numbers */
        mnl_attr_for_each_nested(a, data) {
                switch (mnl_attr_get_type(a)) {
                case NFTA_MATCH_NAME:
                        xname = mnl_attr_get_str(a);
                        break;
                case NFTA_MATCH_REV:
                        if (mnl_attr_get_payload_len(a) == 4)
                                rev = ntohl(mnl_attr_get_u32(a));
                        break;
                case NFTA_MATCH_INFO:
                        info = mnl_attr_get_payload(a);
                        info_len = mnl_attr_get_payload_len(a);
                        break;
                }
        }
        if (!xname)
                return MNL_CB_OK;
        return write_blob(r->prefix, match ? "match" : "target", xname, rev, r->family, r->proto,
                          info, info_len) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *userdata) {
        const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
        RuleCtx r = { .prefix = userdata, .family = g->nfgen_family };

        if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*g))
                return MNL_CB_ERROR;
        const struct nlattr *a, *exprs = NULL;

        mnl_attr_for_each(a, nlh, sizeof(*g)) {
                if (mnl_attr_get_type(a) == NFTA_RULE_EXPRESSIONS)
                        exprs = a;
                else if (mnl_attr_get_type(a) == NFTA_RULE_COMPAT) {
                        const struct nlattr *c;
                        mnl_attr_for_each_nested(c, a)
                                if (mnl_attr_get_type(c) == NFTA_RULE_COMPAT_PROTO)
                                        r.proto = ntohl(mnl_attr_get_u32(c));
                }
        }
        if (!exprs)
                return MNL_CB_OK;
        mnl_attr_for_each_nested(a, exprs)
                if (expr_cb(a, &r) != MNL_CB_OK)
                        return MNL_CB_ERROR;
        current_rule++;
        return MNL_CB_OK;
}

static int capture_nft(const char *prefix) {
        static char buf[65536];     /* MNL_SOCKET_BUFFER_SIZE is not a constant */
        struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
        if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
                return -errno;

        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        nlh->nlmsg_seq = (uint32_t) time(NULL);
        struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->nfgen_family = NFPROTO_UNSPEC;
        g->version = NFNETLINK_V0;

        int r = -EIO;
        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
                goto out;
        unsigned portid = mnl_socket_get_portid(nl), seq = nlh->nlmsg_seq;
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
                if (n < 0)
                        goto out;
                int cb = mnl_cb_run(buf, (size_t) n, seq, portid, rule_cb, (void *) prefix);
                if (cb == MNL_CB_STOP) {
                        r = 0;
                        break;
                }
                if (cb < 0)
                        goto out;
        }
out:
        mnl_socket_close(nl);
        return r;
}

/* ipt_entry and ip6t_entry differ only in the header before the offsets;
 * the matches and the target follow in the same xt_entry_* layout. */
static int capture_legacy(int family, const char *table, const char *prefix) {
        bool v6 = family == NFPROTO_IPV6;
        int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
        if (fd < 0)
                return -errno;
        int level = v6 ? SOL_IPV6 : SOL_IP;

        struct ipt_getinfo info = {};
        socklen_t sl = sizeof(info);
        _Static_assert(sizeof(struct ipt_getinfo) == sizeof(struct ip6t_getinfo), "getinfo layouts");
        snprintf(info.name, sizeof(info.name), "%s", table);
        if (getsockopt(fd, level, v6 ? IP6T_SO_GET_INFO : IPT_SO_GET_INFO, &info, &sl) < 0) {
                close(fd);
                return -errno;
        }
        sl = sizeof(struct ipt_get_entries) + info.size;
        struct ipt_get_entries *e = calloc(1, sl);
        if (!e) {
                close(fd);
                return -ENOMEM;
        }
        snprintf(e->name, sizeof(e->name), "%s", table);
        e->size = info.size;
        if (getsockopt(fd, level, v6 ? IP6T_SO_GET_ENTRIES : IPT_SO_GET_ENTRIES, e, &sl) < 0) {
                int r = -errno;
                free(e);
                close(fd);
                return r;
        }
        close(fd);

        const uint8_t *base = (const uint8_t *) e->entrytable;
        size_t off = 0, hdr = v6 ? sizeof(struct ip6t_entry) : sizeof(struct ipt_entry);
        int r = 0;
        while (r == 0 && off + hdr <= e->size) {
                uint16_t target_offset, next_offset;
                unsigned proto;
                if (v6) {
                        const struct ip6t_entry *ent = (const void *) (base + off);
                        target_offset = ent->target_offset;
                        next_offset = ent->next_offset;
                        proto = ent->ipv6.proto;
                } else {
                        const struct ipt_entry *ent = (const void *) (base + off);
                        target_offset = ent->target_offset;
                        next_offset = ent->next_offset;
                        proto = ent->ip.proto;
                }
                if (next_offset < hdr || off + next_offset > e->size || target_offset > next_offset) {
                        r = -EBADMSG;
                        break;
                }
                for (size_t m = hdr; r == 0 && m + sizeof(struct xt_entry_match) <= target_offset;) {
                        const struct xt_entry_match *em = (const void *) (base + off + m);
                        if (em->u.match_size < sizeof(*em) || m + em->u.match_size > target_offset) {
                                r = -EBADMSG;
                                break;
                        }
                        r = write_blob(prefix, "match", em->u.user.name, em->u.user.revision, family, proto,
                                       em->data, em->u.match_size - sizeof(*em));
                        m += em->u.match_size;
                }
                if (r == 0 && target_offset + sizeof(struct xt_entry_target) <= next_offset) {
                        const struct xt_entry_target *et = (const void *) (base + off + target_offset);
                        if (et->u.target_size < sizeof(*et) || target_offset + et->u.target_size > next_offset)
                                r = -EBADMSG;
                        else
                                r = write_blob(prefix, "target", et->u.user.name, et->u.user.revision, family,
                                               proto, et->data, et->u.target_size - sizeof(*et));
                }
                off += next_offset;
                current_rule++;
        }
        free(e);
        return r;
}

int main(int argc, char **argv) {
        int r;
        if (argc == 3 && strcmp(argv[1], "nft") == 0)
                r = capture_nft(argv[2]);
        else if (argc == 4 && (strcmp(argv[1], "legacy4") == 0 || strcmp(argv[1], "legacy6") == 0))
                r = capture_legacy(argv[1][6] == '6' ? NFPROTO_IPV6 : NFPROTO_IPV4, argv[2], argv[3]);
        else {
                fprintf(stderr, "usage: xt-capture nft PREFIX | xt-capture legacy4|legacy6 TABLE PREFIX\n");
                return 2;
        }
        if (r < 0) {
                fprintf(stderr, "xt-capture: %s\n", strerror(-r));
                return 1;
        }
        return 0;
}

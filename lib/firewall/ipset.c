/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* glibc first: its headers tell the uapi ones not to redefine in_addr */
#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/ipset/ip_set.h>
#include <linux/netfilter/nfnetlink.h>

#include "ipset.h"
#include "nl-attr.h"

/* The getsockopt() interface iptables' libxt_set uses (SO_IP_SET
 * IP_SET_OP_GET_BYINDEX), through an IPv4 socket of any type: a UDP one
 * needs no CAP_NET_RAW. */
static int ipset_name_by_index_sockopt(uint16_t index, char name[IPSET_NAME_MAX]) {
        struct ip_set_req_version ver = { .op = IP_SET_OP_VERSION };
        struct ip_set_req_get_set req = { .op = IP_SET_OP_GET_BYINDEX };
        socklen_t len = sizeof(ver);
        int fd, r = 0;

        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* the request carries the protocol version the kernel speaks */
        if (getsockopt(fd, SOL_IP, SO_IP_SET, &ver, &len) < 0) {
                r = -errno;
                goto out;
        }
        req.version = ver.version;
        req.set.index = index;
        len = sizeof(req);
        if (getsockopt(fd, SOL_IP, SO_IP_SET, &req, &len) < 0) {
                r = -errno;
                goto out;
        }
        if (req.set.name[0] == '\0') {
                r = -ENOENT;
                goto out;
        }
        memcpy(name, req.set.name, IPSET_NAME_MAX);
        name[IPSET_NAME_MAX - 1] = '\0';
out:
        close(fd);
        return r;
}

int ipset_answer_parse(const void *buf, size_t len, uint32_t seq, uint32_t portid, char name[IPSET_NAME_MAX],
                       int *ret_errno) {
        const struct nlmsghdr *nlh = buf;
        size_t rem = len;

        for (; nl_msg_ok(nlh, rem); nlh = nl_msg_next(nlh, &rem)) {
                /* what mnl_cb_run() checks */
                if (portid && nlh->nlmsg_pid && nlh->nlmsg_pid != portid)
                        return -ESRCH;
                if (seq && nlh->nlmsg_seq && nlh->nlmsg_seq != seq)
                        return -EPROTO;
                if (nlh->nlmsg_type == NLMSG_ERROR) {
                        int32_t e;
                        if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nlmsgerr))
                                return -EBADMSG;
                        memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
                        /* ipset's own errors (IPSET_ERR_*) count from 4096 */
                        if (e > 0 || e < -UINT16_MAX)
                                return -EBADMSG;
                        *ret_errno = -e;
                        return 1;
                }
                if (nlh->nlmsg_type == NLMSG_DONE) {
                        *ret_errno = 0;
                        return 1;
                }
                if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
                        continue;
                NlAttrs t;
                if (nl_attr_parse_nfgen(&t, nlh) < 0)
                        return -EBADMSG;
                const char *s = nl_attr_strz(t.tb[IPSET_ATTR_SETNAME]);
                if (name && s && nl_attr_len(t.tb[IPSET_ATTR_SETNAME]) <= IPSET_NAME_MAX)
                        memcpy(name, s, nl_attr_len(t.tb[IPSET_ATTR_SETNAME]));
        }
        return rem == 0 ? 0 : -EBADMSG;
}

/* Sends the request in BUF (SIZE bytes, reused for the answers) on a
 * NETLINK_NETFILTER socket of its own and reads the answers up to the ack
 * (a set name they carry into NAME when not NULL).  0; -EIO when the
 * kernel answered with an error, its errno in *ERR; another negative errno
 * when the socket failed or an answer is malformed. */
static int ipset_transact(char *buf, size_t size, uint32_t seq, char name[IPSET_NAME_MAX], int *err) {
        const struct nlmsghdr *nlh = (const struct nlmsghdr *) buf;
        struct mnl_socket *nl;
        uint32_t portid;
        int r;

        *err = 0;
        nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
        if (!nl)
                return -errno;
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 || mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
                r = -errno;
                goto out;
        }
        portid = mnl_socket_get_portid(nl);
        do {
                ssize_t n = mnl_socket_recvfrom(nl, buf, size);
                if (n < 0) {
                        r = -errno;
                        goto out;
                }
                r = ipset_answer_parse(buf, (size_t) n, seq, portid, name, err);
        } while (r == 0);
        if (r > 0)
                r = *err ? -EIO : 0;
out:
        mnl_socket_close(nl);
        return r;
}

/* IPSET_CMD_GET_BYINDEX over nfnetlink: no IPv4 socket needed, so it works
 * where AF_INET is forbidden (sshguardiand's RestrictAddressFamilies=).
 * Kernels that do not know the command refuse it; then -EOPNOTSUPP. */
static int ipset_name_by_index_netlink(uint16_t index, char name[IPSET_NAME_MAX]) {
        char buf[8192], found[IPSET_NAME_MAX] = "";
        struct nlmsghdr *nlh;
        struct nfgenmsg *g;
        uint32_t seq = (uint32_t) time(NULL);
        int r, err;

        nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = (NFNL_SUBSYS_IPSET << 8) | IPSET_CMD_GET_BYINDEX;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        nlh->nlmsg_seq = seq;
        g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->nfgen_family = NFPROTO_IPV4;
        g->version = NFNETLINK_V0;
        mnl_attr_put_u8(nlh, IPSET_ATTR_PROTOCOL, IPSET_PROTOCOL);
        mnl_attr_put_u16(nlh, IPSET_ATTR_INDEX | NLA_F_NET_BYTEORDER, htons(index));

        r = ipset_transact(buf, sizeof(buf), seq, found, &err);
        if (r == -EIO)
                /* ip_set_core answers an index past its sets with ENOENT; a
                 * kernel without the command with EINVAL (nfnetlink) or
                 * IPSET_ERR_PROTOCOL */
                return err == ENOENT ? -ENOENT : -EOPNOTSUPP;
        if (r < 0)
                return r;
        found[IPSET_NAME_MAX - 1] = '\0';
        if (!found[0])
                return -EOPNOTSUPP;
        memcpy(name, found, IPSET_NAME_MAX);
        return 0;
}

int ipset_name_by_index(uint16_t index, char name[IPSET_NAME_MAX]) {
        int r = ipset_name_by_index_netlink(index, name);

        if (r == -EOPNOTSUPP)
                r = ipset_name_by_index_sockopt(index, name);
        return r;
}

int ipset_test_addr(const char *name, int family, const uint8_t *addr) {
        char buf[8192];
        struct nlmsghdr *nlh;
        struct nfgenmsg *g;
        struct nlattr *data, *ip;
        uint32_t seq = (uint32_t) time(NULL);
        int r, err;

        if (strlen(name) >= IPSET_NAME_MAX || (family != AF_INET && family != AF_INET6))
                return -EINVAL;
        nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = (NFNL_SUBSYS_IPSET << 8) | IPSET_CMD_TEST;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        nlh->nlmsg_seq = seq;
        g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->nfgen_family = family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
        g->version = NFNETLINK_V0;
        g->res_id = 0;
        mnl_attr_put_u8(nlh, IPSET_ATTR_PROTOCOL, IPSET_PROTOCOL);
        mnl_attr_put_strz(nlh, IPSET_ATTR_SETNAME, name);
        data = mnl_attr_nest_start(nlh, IPSET_ATTR_DATA);
        ip = mnl_attr_nest_start(nlh, IPSET_ATTR_IP);
        mnl_attr_put(nlh, (family == AF_INET ? IPSET_ATTR_IPADDR_IPV4 : IPSET_ATTR_IPADDR_IPV6) | NLA_F_NET_BYTEORDER,
                     family == AF_INET ? 4 : 16, addr);
        mnl_attr_nest_end(nlh, ip);
        mnl_attr_nest_end(nlh, data);

        r = ipset_transact(buf, sizeof(buf), seq, NULL, &err);
        /* the kernel acks a member with 0 and answers IPSET_ERR_EXIST for
         * what is not in the set (ip_set_utest()) */
        if (r == 0)
                return 1;
        if (r == -EIO)
                return err == IPSET_ERR_EXIST ? 0 : -(err ? err : EIO);
        return r;
}

int ipset_probe_test(uint16_t index, int family, const uint8_t *addr, void *userdata) {
        char name[IPSET_NAME_MAX];
        int r = ipset_name_by_index(index, name);
        if (r < 0)
                return r;
        return ipset_test_addr(name, family, addr);
}

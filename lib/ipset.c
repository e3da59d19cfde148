/* SPDX-License-Identifier: GPL-2.0-or-later */

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

int ipset_name_by_index(uint16_t index, char name[IPSET_NAME_MAX]) {
        struct ip_set_req_version ver = { .op = IP_SET_OP_VERSION };
        struct ip_set_req_get_set req = { .op = IP_SET_OP_GET_BYINDEX };
        socklen_t len = sizeof(ver);
        int fd, r = 0;

        fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
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

int ipset_test_addr(const char *name, int family, const uint8_t *addr) {
        char buf[8192];
        struct mnl_socket *nl;
        struct nlmsghdr *nlh;
        struct nfgenmsg *g;
        struct nlattr *data, *ip;
        uint32_t seq = (uint32_t) time(NULL), portid;
        int r;

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

        nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
        if (!nl)
                return -errno;
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                r = -errno;
                goto out;
        }
        portid = mnl_socket_get_portid(nl);
        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
                r = -errno;
                goto out;
        }
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
                if (n < 0) {
                        r = -errno;
                        goto out;
                }
                r = mnl_cb_run(buf, (size_t) n, seq, portid, NULL, NULL);
                if (r <= MNL_CB_STOP)
                        break;
        }
        /* the kernel acks a member with 0 and answers IPSET_ERR_EXIST for
         * what is not in the set (ip_set_utest()) */
        if (r == MNL_CB_STOP || r == MNL_CB_OK)
                r = 1;
        else if (errno == IPSET_ERR_EXIST)
                r = 0;
        else
                r = -(errno ? errno : EIO);
out:
        mnl_socket_close(nl);
        return r;
}

int ipset_probe_test(uint16_t index, int family, const uint8_t *addr, void *userdata) {
        char name[IPSET_NAME_MAX];
        int r = ipset_name_by_index(index, name);
        if (r < 0)
                return r;
        return ipset_test_addr(name, family, addr);
}

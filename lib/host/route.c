/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "route.h"

typedef struct RouteParse {
        int family;
        RouteInfo *info;
        int found_oif;
} RouteParse;

static int route_attr(const struct nlattr *a, void *data) {
        RouteParse *p = data;
        size_t alen = p->family == AF_INET ? 4 : 16;

        switch (mnl_attr_get_type(a)) {
        case RTA_OIF:
                if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
                        return MNL_CB_ERROR;
                p->info->ifindex = mnl_attr_get_u32(a);
                p->found_oif = 1;
                break;
        case RTA_PREFSRC:
                if (mnl_attr_get_payload_len(a) != alen)
                        return MNL_CB_ERROR;
                memcpy(p->info->prefsrc, mnl_attr_get_payload(a), alen);
                p->info->has_prefsrc = 1;
                break;
        default:
                break;
        }
        return MNL_CB_OK;
}

static int route_msg(const struct nlmsghdr *nlh, void *data) {
        if (nlh->nlmsg_type != RTM_NEWROUTE)
                return MNL_CB_OK;
        return mnl_attr_parse(nlh, sizeof(struct rtmsg), route_attr, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int route_lookup(int family, const uint8_t *addr, RouteInfo *ret) {
        char buf[8192];         /* one route reply; MNL_SOCKET_BUFFER_SIZE is not a constant */
        struct mnl_socket *nl;
        struct nlmsghdr *nlh;
        struct rtmsg *rtm;
        RouteParse p = { .family = family, .info = ret };
        unsigned seq = (unsigned) time(NULL), portid;
        ssize_t n;
        int r;

        if (family != AF_INET && family != AF_INET6)
                return -EAFNOSUPPORT;
        memset(ret, 0, sizeof(*ret));
        nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        if (!nl)
                return -errno;
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                r = -errno;
                goto out;
        }
        portid = mnl_socket_get_portid(nl);

        nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = RTM_GETROUTE;
        nlh->nlmsg_flags = NLM_F_REQUEST;
        nlh->nlmsg_seq = seq;
        rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
        rtm->rtm_family = (unsigned char) family;
        rtm->rtm_dst_len = family == AF_INET ? 32 : 128;
        mnl_attr_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, addr);
        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
                r = -errno;
                goto out;
        }
        n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
        if (n < 0) {
                r = -errno;
                goto out;
        }
        /* mnl_cb_run() turns an NLMSG_ERROR reply into errno */
        if (mnl_cb_run(buf, (size_t) n, seq, portid, route_msg, &p) < 0) {
                r = errno ? -errno : -EBADMSG;
                goto out;
        }
        if (!p.found_oif) {
                r = -ENETUNREACH;
                goto out;
        }
        if (!if_indextoname(ret->ifindex, ret->ifname))
                ret->ifname[0] = '\0';
        r = 0;
out:
        mnl_socket_close(nl);
        return r;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "nl-attr.h"
#include "route.h"

/* One RTM_NEWROUTE: its attributes bounded by nlmsg_len itself, not by its
 * aligned end as libmnl's mnl_attr_parse() does (nl-attr.h), so a last
 * message whose length is not a multiple of 4 is read no further than it
 * goes. */
static int route_msg_parse(int family, const struct nlmsghdr *nlh, RouteInfo *info, bool *found_oif) {
        size_t alen = family == AF_INET ? 4 : 16;
        const struct rtmsg *rtm;
        NlAttrs t;

        if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
                return -EBADMSG;
        rtm = NLMSG_DATA(nlh);
        if (rtm->rtm_family != family)
                return -EBADMSG;
        if (nl_attr_parse_msg(&t, nlh, sizeof(*rtm)) < 0)
                return -EBADMSG;
        if (t.tb[RTA_OIF]) {
                uint32_t oif;
                if (nl_attr_u32(t.tb[RTA_OIF], &oif) < 0)
                        return -EBADMSG;
                info->ifindex = oif;
                *found_oif = true;
        }
        if (t.tb[RTA_PREFSRC]) {
                if (nl_attr_len(t.tb[RTA_PREFSRC]) != alen)
                        return -EBADMSG;
                memcpy(info->prefsrc, nl_attr_data(t.tb[RTA_PREFSRC]), alen);
                info->has_prefsrc = 1;
        }
        return 0;
}

int route_parse_answer(int family, const void *buf, size_t len, uint32_t seq, uint32_t portid, RouteInfo *ret) {
        const uint8_t *p = buf;
        bool found_oif = false;
        int r;

        if (family != AF_INET && family != AF_INET6)
                return -EAFNOSUPPORT;
        memset(ret, 0, sizeof(*ret));

        while (len > 0) {
                const struct nlmsghdr *nlh = (const struct nlmsghdr *) p;

                if (len < sizeof(*nlh) || nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len)
                        return -EBADMSG;
                if ((seq && nlh->nlmsg_seq && nlh->nlmsg_seq != seq) ||
                    (portid && nlh->nlmsg_pid && nlh->nlmsg_pid != portid))
                        return -EPROTO;

                switch (nlh->nlmsg_type) {
                case NLMSG_ERROR: {
                        const struct nlmsgerr *e = NLMSG_DATA(nlh);

                        if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
                                return -EBADMSG;
                        if (e->error < 0)
                                return e->error >= -4095 ? e->error : -EBADMSG;
                        if (e->error > 0)
                                return -EBADMSG;
                        break;          /* an acknowledgement */
                }
                case NLMSG_DONE:
                        len = 0;
                        continue;
                case RTM_NEWROUTE:
                        r = route_msg_parse(family, nlh, ret, &found_oif);
                        if (r < 0)
                                return r;
                        break;
                default:
                        break;
                }

                if (NLMSG_ALIGN(nlh->nlmsg_len) >= len)
                        break;
                p += NLMSG_ALIGN(nlh->nlmsg_len);
                len -= NLMSG_ALIGN(nlh->nlmsg_len);
        }
        return found_oif ? 0 : -ENETUNREACH;
}

int route_lookup(int family, const uint8_t *addr, RouteInfo *ret) {
        char buf[8192];         /* one route reply; MNL_SOCKET_BUFFER_SIZE is not a constant */
        struct mnl_socket *nl;
        struct nlmsghdr *nlh;
        struct rtmsg *rtm;
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
        r = route_parse_answer(family, buf, (size_t) n, seq, portid, ret);
        if (r < 0)
                goto out;
        if (!if_indextoname(ret->ifindex, ret->ifname))
                ret->ifname[0] = '\0';
out:
        mnl_socket_close(nl);
        return r;
}

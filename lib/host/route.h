/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define ROUTE_IFNAMSIZ 16

/* Where this host's answer to ADDR goes: the interface the route to ADDR
 * leaves through (the one a connection from ADDR arrives on, when routing
 * is symmetric) and the source address that route prefers.  Asks the
 * kernel (RTM_GETROUTE) of the caller's network namespace.  FAMILY is
 * AF_INET or AF_INET6; ADDR 4 or 16 bytes in network order.  Returns 0,
 * -ENETUNREACH/-EHOSTUNREACH when there is no route, another negative
 * errno on failure. */
typedef struct RouteInfo {
        char ifname[ROUTE_IFNAMSIZ];
        unsigned ifindex;
        uint8_t prefsrc[16];
        int has_prefsrc;
} RouteInfo;

int route_lookup(int family, const uint8_t *addr, RouteInfo *ret);

/* Decodes the kernel's answer to route_lookup()'s RTM_GETROUTE: BUF holds
 * the netlink messages received (LEN bytes).  Messages whose sequence
 * number or port id is set and differs from SEQ / PORTID (each 0: not
 * checked) are refused; the last RTM_NEWROUTE of FAMILY gives the route.
 * Fills ifindex and prefsrc (ifname is left empty: route_lookup() names
 * the interface).  Returns 0, -ENETUNREACH when the answer holds no route
 * with an output interface, the error an NLMSG_ERROR carries, -EPROTO for
 * another request's message, or -EBADMSG on a malformed message. */
int route_parse_answer(int family, const void *buf, size_t len, uint32_t seq, uint32_t portid, RouteInfo *ret);

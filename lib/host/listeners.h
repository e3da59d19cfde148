/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Which listening socket takes a new TCP connection, as the kernel picks
 * it (inet_lhash2_lookup(): a socket bound to the exact address beats a
 * wildcard one; an IPv4 connection reaches an IPv6 wildcard socket only
 * without IPV6_V6ONLY, and a v4-mapped one only for its address).  Pure,
 * over the listeners of the snapshot (facts.h).
 */

#include <stddef.h>
#include <stdint.h>

#include "facts.h"

/* The socket that takes a connection of FAMILY to ADDR (4 or 16 bytes,
 * network order) and PORT, or NULL: the stack refuses it. */
const SgListener *sg_listener_taking(const SgListener *l, size_t n, int family, const uint8_t *addr, uint16_t port);

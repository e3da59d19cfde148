/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Asking ipset about one element, for iptables' `-m set` matches: the set's
 * name from the kernel index the match carries, then IPSET_CMD_TEST for one
 * address.  Never lists a set.  Needs CAP_NET_ADMIN, and no IPv4 socket
 * where the kernel answers IPSET_CMD_GET_BYINDEX over nfnetlink (6.18 does).
 */

#include <stddef.h>
#include <stdint.h>

#define IPSET_NAME_MAX 32       /* IPSET_MAXNAMELEN */

/* The name of the set with kernel index INDEX: IPSET_CMD_GET_BYINDEX over
 * nfnetlink, or where the kernel does not know that command getsockopt
 * SO_IP_SET IP_SET_OP_GET_BYINDEX as iptables' libxt_set does it (through a
 * UDP socket: no CAP_NET_RAW).  Returns 0, -ENOENT when there is no such
 * set, or a negative errno. */
int ipset_name_by_index(uint16_t index, char name[IPSET_NAME_MAX]);

/* Is ADDR (FAMILY AF_INET or AF_INET6, network order) in set NAME, as
 * `ipset test NAME ADDR` asks it (IPSET_CMD_TEST over nfnetlink)?  Returns
 * 1 yes, 0 no, or a negative errno (e.g. a set whose elements are not
 * single addresses). */
int ipset_test_addr(const char *name, int family, const uint8_t *addr);

/* One datagram (LEN bytes at BUF) of the kernel's answer to an ipset
 * request of sequence number SEQ sent from PORTID (0: either not checked):
 * a set name a message carries (IPSET_ATTR_SETNAME, terminated, at most
 * IPSET_NAME_MAX bytes) is copied into NAME when NAME is not NULL.
 * Returns 1 when the answer ended, with its ack (*ret_errno 0) or error
 * (*ret_errno the errno or IPSET_ERR_* it carries), 0 when more is to
 * come, -EBADMSG when a message or an attribute does not fit in the
 * datagram (each is bounded by its real length: the last one may lack
 * its padding, never run past the data), -ESRCH or -EPROTO for a message
 * of another socket or request. */
int ipset_answer_parse(const void *buf, size_t len, uint32_t seq, uint32_t portid, char name[IPSET_NAME_MAX],
                       int *ret_errno);

/* NftProbe.ipset_test: both of the above; userdata unused. */
int ipset_probe_test(uint16_t index, int family, const uint8_t *addr, void *userdata);

/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The hosts and firewalls of issue 9's cases, constructed for the suites
 * of the verdict (check_verdict.c), explain (check_explain.c) and the
 * engine (check_diagnose.c): `lo` (127.0.0.1, ::1), `eth0` (192.0.2.10,
 * 2001:db8::10), sometimes `eth1` (198.51.100.10, 2001:db8:1::10); sshd
 * listening on 0.0.0.0:22 and [::]:22; port 22 expected.
 */

#include <stdbool.h>
#include <stdint.h>

#include "facts.h"
#include "nft-ruleset.h"

typedef enum TestHostShape {
        HOST_ETH0,              /* lo, eth0 */
        HOST_ETH0_ETH1,         /* lo, eth0, eth1 */
        HOST_LO_ONLY,           /* lo: no client from elsewhere arrives anywhere */
} TestHostShape;

enum { IFINDEX_LO = 1, IFINDEX_ETH0 = 2, IFINDEX_ETH1 = 3 };

/* Holds pointers into itself: initialise in place, never copy. */
typedef struct TestHost {
        SgAddress lo_addrs[2], eth0_addrs[2], eth1_addrs[2];
        SgInterface interfaces[3];
        SgListener listeners[4];
        uint16_t ports[1];
        NftRuleset *rs;
        SgFirewallInput input;
        SgSnapshot s;
} TestHost;

/* Takes RS (NULL: the ruleset could not be read, input.read_error -EPERM). */
void test_host_init(TestHost *h, TestHostShape shape, NftRuleset *rs);
void test_host_done(TestHost *h);
/* The listening sockets: replaced by L (copied; N <= 4). */
void test_host_set_listeners(TestHost *h, const SgListener *l, size_t n);
SgListener test_listener(int family, const char *addr, uint16_t port, bool v6only, pid_t pid, const char *comm);

/* The firewalls.  Each starts a new dump; *HANDLE is the deciding rule's
 * handle (0: a chain's policy decides). */
NftRuleset *fw_inet_dport22_drop(uint64_t *handle);             /* inet filter input: tcp dport 22 drop */
NftRuleset *fw_ip_dport22_drop(uint64_t *handle);               /* ip filter input: tcp dport 22 drop */
NftRuleset *fw_ip6_dport22_reject(uint64_t *handle);            /* ip6 filter input: tcp dport 22 reject with tcp reset */
/* inet filter input policy drop: ct state established,related accept; iif lo accept */
NftRuleset *fw_policy_drop_lo_accept(uint64_t *handle);
NftRuleset *fw_iifname_eth1_drop(uint64_t *handle);             /* inet filter input: iifname "eth1" tcp dport 22 drop */
/* inet filter input: meta nfproto ipv4 iifname "eth0" tcp dport 22 drop;
 * ip saddr @banned drop (holding 198.51.100.7): IPv4 blocked on eth0 for
 * every source, on eth1 for banned ones */
NftRuleset *fw_iifname_eth0_ipv4_drop_and_ban(uint64_t *handle);
/* inet filter input: ip saddr @banned tcp dport 22 drop, the set holding
 * BANNED alone, read whole */
NftRuleset *fw_ban_set(const char *banned, uint64_t *handle);
/* fail2ban's nftables action: inet f2b-table f2b-chain, tcp dport 22 ip
 * saddr @addr-set-sshd drop, the set holding BANNED */
NftRuleset *fw_fail2ban(const char *banned, uint64_t *handle);
/* ip sshguard blacklist: ip saddr @attackers drop, holding BANNED */
NftRuleset *fw_sshguard(const char *banned, uint64_t *handle);
/* inet filter input policy drop: tcp dport 22 limit rate 3/minute accept */
NftRuleset *fw_rate_limited(uint64_t *handle);
/* inet filter input, policy accept: tcp sport 1-1023 drop (x_range of nft's `tcp sport 1-1023`) */
NftRuleset *fw_privileged_sport_drop(uint64_t *handle);
/* kube-proxy's KUBE-FIREWALL as nft writes it in ip filter input:
 * ip saddr != 127.0.0.0/8 ip daddr 127.0.0.0/8 drop */
NftRuleset *fw_loopback_destination_drop(uint64_t *handle);
/* ip6 raw prerouting (-300): fib saddr . iif oif missing drop (handle
 * *RPFILTER); ip6 filter input: tcp dport 22 VERDICT (drop, or reject
 * with tcp reset; handle *HANDLE), or nothing when VERDICT is accept */
NftRuleset *fw_ip6_rpfilter_then_input(int verdict, uint64_t *rpfilter, uint64_t *handle);
/* ip6 filter input: `tcp dport 22 ip6 saddr 2001:db8:1::/48 counter` then
 * `tcp dport 22 drop` (handle *HANDLE): a fork on the source whose both
 * sides the same rule drops */
NftRuleset *fw_ip6_fork_same_drop(uint64_t *handle);
/* ip6 filter input: `tcp dport 22 ip6 saddr 2001:db8:1::/48 drop` (handle
 * *BAN) then `tcp dport 22 drop` (handle *HANDLE): a fork on the source
 * whose sides different rules drop */
NftRuleset *fw_ip6_ban_then_input_drop(uint64_t *ban, uint64_t *handle);
/* the same ban (drop, handle *BAN), then `tcp dport 22 reject with tcp
 * reset` (handle *HANDLE): one side dropped, the other rejected */
NftRuleset *fw_ip6_ban_then_input_reject(uint64_t *ban, uint64_t *handle);

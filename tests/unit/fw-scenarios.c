/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "fw-scenarios.h"
#include "nft-build.h"

static SgAddress address(int family, const char *a) {
        SgAddress x = { .family = family };
        ck_assert_int_eq(inet_pton(family, a, x.addr), 1);
        return x;
}

SgListener test_listener(int family, const char *addr, uint16_t port, bool v6only, pid_t pid, const char *comm) {
        SgListener l = { .family = family, .port = port, .v6only = v6only, .pid = pid, .comm = comm };
        ck_assert_int_eq(inet_pton(family, addr, l.addr), 1);
        return l;
}

void test_host_init(TestHost *h, TestHostShape shape, NftRuleset *rs) {
        size_t n = 0;

        *h = (TestHost) { .rs = rs };
        h->lo_addrs[0] = address(AF_INET, "127.0.0.1");
        h->lo_addrs[1] = address(AF_INET6, "::1");
        h->eth0_addrs[0] = address(AF_INET, "192.0.2.10");
        h->eth0_addrs[1] = address(AF_INET6, "2001:db8::10");
        h->eth1_addrs[0] = address(AF_INET, "198.51.100.10");
        h->eth1_addrs[1] = address(AF_INET6, "2001:db8:1::10");
        h->interfaces[n++] = (SgInterface) { .name = "lo", .ifindex = IFINDEX_LO, .up = true, .loopback = true,
                                             .addrs = h->lo_addrs, .n_addrs = 2 };
        if (shape != HOST_LO_ONLY)
                h->interfaces[n++] = (SgInterface) { .name = "eth0", .ifindex = IFINDEX_ETH0, .up = true,
                                                     .addrs = h->eth0_addrs, .n_addrs = 2 };
        if (shape == HOST_ETH0_ETH1)
                h->interfaces[n++] = (SgInterface) { .name = "eth1", .ifindex = IFINDEX_ETH1, .up = true,
                                                     .addrs = h->eth1_addrs, .n_addrs = 2 };
        h->listeners[0] = test_listener(AF_INET, "0.0.0.0", 22, false, 500, "sshd");
        h->listeners[1] = test_listener(AF_INET6, "::", 22, true, 500, "sshd");
        h->ports[0] = 22;
        h->input = (SgFirewallInput) { .ruleset = rs, .read_error = rs ? 0 : -EPERM };
        h->s = (SgSnapshot) {
                /* no systemd: sshd is judged by its sockets alone */
                .units_unknown = true,
                .listeners = h->listeners,
                .n_listeners = 2,
                .expected_ports = h->ports,
                .n_expected_ports = 1,
                .interfaces = h->interfaces,
                .n_interfaces = n,
                .firewall_input = &h->input,
        };
}

void test_host_set_listeners(TestHost *h, const SgListener *l, size_t n) {
        ck_assert_uint_le(n, 4);
        memcpy(h->listeners, l, n * sizeof(*l));
        h->s.n_listeners = n;
}

void test_host_done(TestHost *h) {
        nft_ruleset_free(h->rs);
        *h = (TestHost) {};
}

static void input_chain(int family, const char *table, const char *chain, int policy) {
        nb_table(family, table);
        nb_chain(family, table, chain, NF_INET_LOCAL_IN, 0, policy);
}

NftRuleset *fw_inet_dport22_drop(uint64_t *handle) {
        nb_reset();
        input_chain(NFPROTO_INET, "filter", "input", NF_ACCEPT);
        nb_rule_begin(NFPROTO_INET, "filter", "input");
        x_tcp_dport(22);
        x_verdict(NF_DROP, NULL);
        *handle = nb_rule_end();
        return nb_parse();
}

NftRuleset *fw_ip_dport22_drop(uint64_t *handle) {
        nb_reset();
        input_chain(NFPROTO_IPV4, "filter", "input", NF_ACCEPT);
        nb_rule_begin(NFPROTO_IPV4, "filter", "input");
        x_tcp_dport(22);
        x_verdict(NF_DROP, NULL);
        *handle = nb_rule_end();
        return nb_parse();
}

NftRuleset *fw_ip6_dport22_reject(uint64_t *handle) {
        nb_reset();
        input_chain(NFPROTO_IPV6, "filter", "input", NF_ACCEPT);
        nb_rule_begin(NFPROTO_IPV6, "filter", "input");
        x_tcp_dport(22);
        x_reject(NFT_REJECT_TCP_RST, 0);
        *handle = nb_rule_end();
        return nb_parse();
}

NftRuleset *fw_policy_drop_lo_accept(uint64_t *handle) {
        nb_reset();
        input_chain(NFPROTO_INET, "filter", "input", NF_DROP);
        nb_rule_begin(NFPROTO_INET, "filter", "input");
        x_ct_state((1u << 1) | (1u << 2));      /* established,related */
        x_verdict(NF_ACCEPT, NULL);
        nb_rule_end();
        nb_rule_begin(NFPROTO_INET, "filter", "input");
        x_iif(IFINDEX_LO);
        x_verdict(NF_ACCEPT, NULL);
        nb_rule_end();
        *handle = 0;
        return nb_parse();
}

NftRuleset *fw_iifname_eth1_drop(uint64_t *handle) {
        nb_reset();
        input_chain(NFPROTO_INET, "filter", "input", NF_ACCEPT);
        nb_rule_begin(NFPROTO_INET, "filter", "input");
        x_iifname("eth1");
        x_tcp_dport(22);
        x_verdict(NF_DROP, NULL);
        *handle = nb_rule_end();
        return nb_parse();
}

static void set_of_one(int family, const char *table, const char *name, const char *banned) {
        struct nftnl_set *s = nb_set(family, table, name, 0, 4);
        uint8_t a[4];
        ck_assert_int_eq(inet_pton(AF_INET, banned, a), 1);
        nb_set_elem(s, a, 4);
        nb_set_end(s, family, true);
}

NftRuleset *fw_ban_set(const char *banned, uint64_t *handle) {
        nb_reset();
        input_chain(NFPROTO_INET, "filter", "input", NF_ACCEPT);
        set_of_one(NFPROTO_INET, "filter", "banned", banned);
        nb_rule_begin(NFPROTO_INET, "filter", "input");
        x_nfproto(NFPROTO_IPV4);
        x_payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1);
        x_lookup(NFT_REG_1, "banned", 0);
        x_tcp_dport(22);
        x_verdict(NF_DROP, NULL);
        *handle = nb_rule_end();
        return nb_parse();
}

NftRuleset *fw_fail2ban(const char *banned, uint64_t *handle) {
        nb_reset();
        input_chain(NFPROTO_INET, "f2b-table", "f2b-chain", NF_ACCEPT);
        set_of_one(NFPROTO_INET, "f2b-table", "addr-set-sshd", banned);
        nb_rule_begin(NFPROTO_INET, "f2b-table", "f2b-chain");
        x_nfproto(NFPROTO_IPV4);
        x_tcp_dport(22);
        x_payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1);
        x_lookup(NFT_REG_1, "addr-set-sshd", 0);
        x_verdict(NF_DROP, NULL);
        *handle = nb_rule_end();
        return nb_parse();
}

NftRuleset *fw_iifname_eth0_ipv4_drop_and_ban(uint64_t *handle) {
        nb_reset();
        input_chain(NFPROTO_INET, "filter", "input", NF_ACCEPT);
        set_of_one(NFPROTO_INET, "filter", "banned", "198.51.100.7");
        nb_rule_begin(NFPROTO_INET, "filter", "input");
        x_nfproto(NFPROTO_IPV4);
        x_iifname("eth0");
        x_tcp_dport(22);
        x_verdict(NF_DROP, NULL);
        *handle = nb_rule_end();
        nb_rule_begin(NFPROTO_INET, "filter", "input");
        x_nfproto(NFPROTO_IPV4);
        x_payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1);
        x_lookup(NFT_REG_1, "banned", 0);
        x_verdict(NF_DROP, NULL);
        nb_rule_end();
        return nb_parse();
}

NftRuleset *fw_sshguard(const char *banned, uint64_t *handle) {
        nb_reset();
        nb_table(NFPROTO_IPV4, "sshguard");
        nb_chain(NFPROTO_IPV4, "sshguard", "blacklist", NF_INET_LOCAL_IN, -10, NF_ACCEPT);
        set_of_one(NFPROTO_IPV4, "sshguard", "attackers", banned);
        nb_rule_begin(NFPROTO_IPV4, "sshguard", "blacklist");
        x_payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1);
        x_lookup(NFT_REG_1, "attackers", 0);
        x_verdict(NF_DROP, NULL);
        *handle = nb_rule_end();
        return nb_parse();
}

NftRuleset *fw_rate_limited(uint64_t *handle) {
        nb_reset();
        input_chain(NFPROTO_INET, "filter", "input", NF_DROP);
        nb_rule_begin(NFPROTO_INET, "filter", "input");
        x_tcp_dport(22);
        x_limit(3, 60);
        x_verdict(NF_ACCEPT, NULL);
        *handle = nb_rule_end();
        return nb_parse();
}

NftRuleset *fw_privileged_sport_drop(uint64_t *handle) {
        uint8_t lo[2] = { 0, 1 }, hi[2] = { 0x03, 0xff };
        nb_reset();
        input_chain(NFPROTO_INET, "filter", "input", NF_ACCEPT);
        nb_rule_begin(NFPROTO_INET, "filter", "input");
        x_meta(NFT_META_L4PROTO, NFT_REG_1);
        x_cmp_u8(NFT_REG_1, NFT_CMP_EQ, IPPROTO_TCP);
        x_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG_1);
        x_cmp(NFT_REG_1, NFT_CMP_GTE, lo, 2);
        x_cmp(NFT_REG_1, NFT_CMP_LTE, hi, 2);
        x_verdict(NF_DROP, NULL);
        *handle = nb_rule_end();
        return nb_parse();
}

NftRuleset *fw_loopback_destination_drop(uint64_t *handle) {
        nb_reset();
        input_chain(NFPROTO_IPV4, "filter", "input", NF_ACCEPT);
        nb_rule_begin(NFPROTO_IPV4, "filter", "input");
        x_ip_addr(false, NFT_CMP_NEQ, "127.0.0.0", 8);
        x_ip_addr(true, NFT_CMP_EQ, "127.0.0.0", 8);
        x_verdict(NF_DROP, NULL);
        *handle = nb_rule_end();
        return nb_parse();
}

NftRuleset *fw_ip6_rpfilter_then_input(int verdict, uint64_t *rpfilter, uint64_t *handle) {
        nb_reset();
        nb_table(NFPROTO_IPV6, "raw");
        nb_chain(NFPROTO_IPV6, "raw", "prerouting", NF_INET_PRE_ROUTING, -300, NF_ACCEPT);
        nb_rule_begin(NFPROTO_IPV6, "raw", "prerouting");
        x_fib_rpfilter();
        x_verdict(NF_DROP, NULL);
        *rpfilter = nb_rule_end();
        input_chain(NFPROTO_IPV6, "filter", "input", NF_ACCEPT);
        *handle = 0;
        if (verdict != NF_ACCEPT) {
                nb_rule_begin(NFPROTO_IPV6, "filter", "input");
                x_tcp_dport(22);
                if (verdict == NF_DROP)
                        x_verdict(NF_DROP, NULL);
                else
                        x_reject(NFT_REJECT_TCP_RST, 0);
                *handle = nb_rule_end();
        }
        return nb_parse();
}

/* ip6 filter input: `tcp dport 22 ip6 saddr 2001:db8:1::/48`, ending in
 * VERDICT (NF_ACCEPT: none, a counter's place) */
static uint64_t ip6_net_rule(int verdict) {
        static const uint8_t net[6] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01 };
        nb_rule_begin(NFPROTO_IPV6, "filter", "input");
        x_tcp_dport(22);
        x_payload(NFT_PAYLOAD_NETWORK_HEADER, 8, sizeof(net), NFT_REG_1);
        x_cmp(NFT_REG_1, NFT_CMP_EQ, net, sizeof(net));
        if (verdict != NF_ACCEPT)
                x_verdict(verdict, NULL);
        return nb_rule_end();
}

static uint64_t ip6_dport22_drop(void) {
        nb_rule_begin(NFPROTO_IPV6, "filter", "input");
        x_tcp_dport(22);
        x_verdict(NF_DROP, NULL);
        return nb_rule_end();
}

static uint64_t ip6_dport22_reject(void) {
        nb_rule_begin(NFPROTO_IPV6, "filter", "input");
        x_tcp_dport(22);
        x_reject(NFT_REJECT_TCP_RST, 0);
        return nb_rule_end();
}

NftRuleset *fw_ip6_fork_same_drop(uint64_t *handle) {
        nb_reset();
        input_chain(NFPROTO_IPV6, "filter", "input", NF_ACCEPT);
        (void) ip6_net_rule(NF_ACCEPT);
        *handle = ip6_dport22_drop();
        return nb_parse();
}

NftRuleset *fw_ip6_ban_then_input_drop(uint64_t *ban, uint64_t *handle) {
        nb_reset();
        input_chain(NFPROTO_IPV6, "filter", "input", NF_ACCEPT);
        *ban = ip6_net_rule(NF_DROP);
        *handle = ip6_dport22_drop();
        return nb_parse();
}

NftRuleset *fw_ip6_ban_then_input_reject(uint64_t *ban, uint64_t *handle) {
        nb_reset();
        input_chain(NFPROTO_IPV6, "filter", "input", NF_ACCEPT);
        *ban = ip6_net_rule(NF_DROP);
        *handle = ip6_dport22_reject();
        return nb_parse();
}

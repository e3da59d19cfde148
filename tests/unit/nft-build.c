/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/if.h>

#include "nft-build.h"

static uint8_t dump[1 << 18];
static size_t dump_len;
static struct nftnl_rule *cur;
static uint64_t next_handle;
/* tables and chains with handles of their own, as a dump has them (the
 * store needs them; the decoder does not) */
static bool object_handles;
static uint64_t next_object_handle;

void nb_reset(void) {
        dump_len = 0;
        next_handle = 0;
        object_handles = false;
}

void nb_object_handles(void) {
        object_handles = true;
        next_object_handle = 1u << 20;
}

static struct nlmsghdr *msg_begin(uint16_t type, int family) {
        ck_assert_uint_lt(dump_len + 65536, sizeof(dump));
        return nftnl_nlmsg_build_hdr((char *) dump + dump_len, type, (uint16_t) family, NLM_F_MULTI, 1);
}

static void msg_end(struct nlmsghdr *nlh) {
        dump_len += NLMSG_ALIGN(nlh->nlmsg_len);
}

void nb_table(int family, const char *name) {
        struct nftnl_table *t = nftnl_table_alloc();
        nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
        nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, (uint32_t) family);
        nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, 0);
        if (object_handles)
                nftnl_table_set_u64(t, NFTNL_TABLE_HANDLE, next_object_handle++);
        struct nlmsghdr *nlh = msg_begin(NFT_MSG_NEWTABLE, family);
        nftnl_table_nlmsg_build_payload(nlh, t);
        msg_end(nlh);
        nftnl_table_free(t);
}

void nb_chain(int family, const char *table, const char *name, int hook, int prio, int policy) {
        struct nftnl_chain *c = nftnl_chain_alloc();
        nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
        nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
        nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, (uint32_t) family);
        if (object_handles)
                nftnl_chain_set_u64(c, NFTNL_CHAIN_HANDLE, next_object_handle++);
        if (hook >= 0) {
                nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t) hook);
                nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
                nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, (uint32_t) policy);
                nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
        }
        struct nlmsghdr *nlh = msg_begin(NFT_MSG_NEWCHAIN, family);
        nftnl_chain_nlmsg_build_payload(nlh, c);
        msg_end(nlh);
        nftnl_chain_free(c);
}

struct nftnl_set *nb_set(int family, const char *table, const char *name, uint32_t flags, uint32_t key_len) {
        struct nftnl_set *s = nftnl_set_alloc();
        nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
        nftnl_set_set_str(s, NFTNL_SET_NAME, name);
        nftnl_set_set_u32(s, NFTNL_SET_FAMILY, (uint32_t) family);
        nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
        nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, 0);
        nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, key_len);
        nftnl_set_set_u32(s, NFTNL_SET_ID, 1);
        struct nlmsghdr *nlh = msg_begin(NFT_MSG_NEWSET, family);
        nftnl_set_nlmsg_build_payload(nlh, s);
        msg_end(nlh);
        return s;
}

void nb_set_elem(struct nftnl_set *s, const void *key, size_t len) {
        struct nftnl_set_elem *e = nftnl_set_elem_alloc();
        nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, (uint32_t) len);
        nftnl_set_elem_add(s, e);
}

/* The elements as one dump: request echo, NEWSETELEM, DONE (so the set is
 * known complete); without COMPLETE only the NEWSETELEM message. */
void nb_set_end(struct nftnl_set *s, int family, bool complete) {
        if (complete) {
                struct nlmsghdr *req = nftnl_nlmsg_build_hdr((char *) dump + dump_len, NFT_MSG_GETSETELEM,
                                                             (uint16_t) family, NLM_F_DUMP, 1);
                mnl_attr_put_strz(req, NFTA_SET_ELEM_LIST_TABLE, nftnl_set_get_str(s, NFTNL_SET_TABLE));
                mnl_attr_put_strz(req, NFTA_SET_ELEM_LIST_SET, nftnl_set_get_str(s, NFTNL_SET_NAME));
                msg_end(req);
        }
        struct nlmsghdr *nlh = msg_begin(NFT_MSG_NEWSETELEM, family);
        nftnl_set_elems_nlmsg_build_payload(nlh, s);
        msg_end(nlh);
        if (complete) {
                struct nlmsghdr *done = mnl_nlmsg_put_header(dump + dump_len);
                done->nlmsg_type = NLMSG_DONE;
                done->nlmsg_flags = NLM_F_MULTI;
                *(int *) mnl_nlmsg_put_extra_header(done, sizeof(int)) = 0;
                msg_end(done);
        }
        nftnl_set_free(s);
}

void nb_rule_begin(int family, const char *table, const char *chain) {
        cur = nftnl_rule_alloc();
        nftnl_rule_set_str(cur, NFTNL_RULE_TABLE, table);
        nftnl_rule_set_str(cur, NFTNL_RULE_CHAIN, chain);
        nftnl_rule_set_u32(cur, NFTNL_RULE_FAMILY, (uint32_t) family);
        nftnl_rule_set_u64(cur, NFTNL_RULE_HANDLE, ++next_handle);
}

uint64_t nb_rule_end(void) {
        struct nlmsghdr *nlh = msg_begin(NFT_MSG_NEWRULE, (int) nftnl_rule_get_u32(cur, NFTNL_RULE_FAMILY));
        nftnl_rule_nlmsg_build_payload(nlh, cur);
        msg_end(nlh);
        nftnl_rule_free(cur);
        cur = NULL;
        return next_handle;
}

void x_meta(uint32_t key, uint32_t dreg) {
        struct nftnl_expr *e = nftnl_expr_alloc("meta");
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
        nftnl_rule_add_expr(cur, e);
}

void x_ct(uint32_t key, uint32_t dreg) {
        struct nftnl_expr *e = nftnl_expr_alloc("ct");
        nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, dreg);
        nftnl_rule_add_expr(cur, e);
}

void x_payload(uint32_t base, uint32_t off, uint32_t len, uint32_t dreg) {
        struct nftnl_expr *e = nftnl_expr_alloc("payload");
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
        nftnl_rule_add_expr(cur, e);
}

void x_cmp(uint32_t sreg, uint32_t op, const void *data, uint32_t len) {
        struct nftnl_expr *e = nftnl_expr_alloc("cmp");
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
        nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
        nftnl_rule_add_expr(cur, e);
}

void x_cmp_u8(uint32_t sreg, uint32_t op, uint8_t v) {
        x_cmp(sreg, op, &v, 1);
}

void x_cmp_u32(uint32_t sreg, uint32_t op, uint32_t v) {
        x_cmp(sreg, op, &v, 4);
}

void x_bitwise(uint32_t sreg, uint32_t dreg, const void *mask, const void *xor, uint32_t len) {
        struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, sreg);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, dreg);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, xor, len);
        nftnl_rule_add_expr(cur, e);
}

void x_verdict(int verdict, const char *chain) {
        struct nftnl_expr *e = nftnl_expr_alloc("immediate");
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t) verdict);
        if (chain)
                nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
        nftnl_rule_add_expr(cur, e);
}

void x_lookup(uint32_t sreg, const char *set, uint32_t flags) {
        struct nftnl_expr *e = nftnl_expr_alloc("lookup");
        nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
        nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
        nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, flags);
        nftnl_rule_add_expr(cur, e);
}

void x_reject(uint32_t type, uint8_t code) {
        struct nftnl_expr *e = nftnl_expr_alloc("reject");
        nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, type);
        nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, code);
        nftnl_rule_add_expr(cur, e);
}

void x_fib_rpfilter(void) {
        struct nftnl_expr *e = nftnl_expr_alloc("fib");
        nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_SADDR | NFTA_FIB_F_IIF | NFTA_FIB_F_PRESENT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_OIF);
        nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
        nftnl_rule_add_expr(cur, e);
        x_cmp_u8(NFT_REG_1, NFT_CMP_EQ, 0);
}

void x_limit(uint64_t rate, uint64_t unit) {
        struct nftnl_expr *e = nftnl_expr_alloc("limit");
        nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, rate);
        nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, unit);
        nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, 5);
        nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
        nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
        nftnl_rule_add_expr(cur, e);
}

void x_nfproto(uint8_t nfproto) {
        x_meta(NFT_META_NFPROTO, NFT_REG_1);
        x_cmp_u8(NFT_REG_1, NFT_CMP_EQ, nfproto);
}

void x_tcp_dport(uint16_t port) {
        uint16_t be = htons(port);
        x_meta(NFT_META_L4PROTO, NFT_REG_1);
        x_cmp_u8(NFT_REG_1, NFT_CMP_EQ, IPPROTO_TCP);
        x_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1);
        x_cmp(NFT_REG_1, NFT_CMP_EQ, &be, 2);
}

void x_ct_state(uint32_t mask) {
        uint32_t zero = 0;
        x_ct(NFT_CT_STATE, NFT_REG_1);
        x_bitwise(NFT_REG_1, NFT_REG_1, &mask, &zero, 4);
        x_cmp(NFT_REG_1, NFT_CMP_NEQ, &zero, 4);
}

void x_iif(uint32_t ifindex) {
        x_meta(NFT_META_IIF, NFT_REG_1);
        x_cmp_u32(NFT_REG_1, NFT_CMP_EQ, ifindex);
}

void x_iifname(const char *name) {
        char padded[IFNAMSIZ] = "";
        strncpy(padded, name, IFNAMSIZ - 1);
        x_meta(NFT_META_IIFNAME, NFT_REG_1);
        x_cmp(NFT_REG_1, NFT_CMP_EQ, padded, IFNAMSIZ);
}

/* byte-aligned prefixes are shortened loads, as nft writes them */
void x_ip_addr(bool daddr, uint32_t op, const char *net, unsigned prefix) {
        uint8_t addr[4];
        ck_assert_int_eq(inet_pton(AF_INET, net, addr), 1);
        ck_assert_uint_eq(prefix % 8, 0);
        x_payload(NFT_PAYLOAD_NETWORK_HEADER, daddr ? 16 : 12, prefix / 8, NFT_REG_1);
        x_cmp(NFT_REG_1, op, addr, prefix / 8);
}

NftRuleset *nb_parse(void) {
        NftRuleset *rs = nft_ruleset_new();
        ck_assert_ptr_nonnull(rs);
        ck_assert_int_eq(nft_ruleset_parse_msgs(rs, dump, dump_len), 0);
        return rs;
}

void nb_gen(uint32_t genid) {
        struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr((char *) dump + dump_len, NFT_MSG_NEWGEN, AF_UNSPEC, 0, 1);
        mnl_attr_put_u32(nlh, NFTA_GEN_ID, htonl(genid));
        msg_end(nlh);
}

const void *nb_dump(size_t *len) {
        *len = dump_len;
        return dump;
}

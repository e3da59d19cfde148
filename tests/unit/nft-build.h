/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Constructed nftables rulesets for unit tests, built the way the kernel
 * dumps them: libnftnl encodes tables, chains, sets and rules to netlink
 * messages into one buffer, nb_parse() decodes it with
 * nft_ruleset_parse_msgs().  No root needed.  The builders are those of
 * check_nft_eval.c, shared by the suites of the verdict and the engine.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libnftnl/set.h>

#include "nft-ruleset.h"

/* Starts an empty dump; rule handles count from 1 again. */
void nb_reset(void);
/* From here to the next nb_reset(), tables and chains get handles, as in a
 * kernel's dump (nft_store_load_msgs() wants them). */
void nb_object_handles(void);
void nb_table(int family, const char *name);
/* hook < 0: a regular chain */
void nb_chain(int family, const char *table, const char *name, int hook, int prio, int policy);
/* A set of KEY_LEN-byte keys; add elements with nb_set_elem(), then
 * nb_set_end() writes them (COMPLETE: as a whole dump, so the evaluator
 * knows no other element exists). */
struct nftnl_set *nb_set(int family, const char *table, const char *name, uint32_t flags, uint32_t key_len);
void nb_set_elem(struct nftnl_set *s, const void *key, size_t len);
void nb_set_end(struct nftnl_set *s, int family, bool complete);

void nb_rule_begin(int family, const char *table, const char *chain);
uint64_t nb_rule_end(void);     /* the rule's handle */

void x_meta(uint32_t key, uint32_t dreg);
void x_ct(uint32_t key, uint32_t dreg);
void x_payload(uint32_t base, uint32_t off, uint32_t len, uint32_t dreg);
void x_cmp(uint32_t sreg, uint32_t op, const void *data, uint32_t len);
void x_cmp_u8(uint32_t sreg, uint32_t op, uint8_t v);
void x_cmp_u32(uint32_t sreg, uint32_t op, uint32_t v);
void x_bitwise(uint32_t sreg, uint32_t dreg, const void *mask, const void *xor, uint32_t len);
void x_verdict(int verdict, const char *chain);
void x_lookup(uint32_t sreg, const char *set, uint32_t flags);
void x_reject(uint32_t type, uint8_t code);
void x_limit(uint64_t rate, uint64_t unit);

/* The matches as nft 1.0.6 writes them. */
void x_nfproto(uint8_t nfproto);                        /* `meta nfproto ipv4` (inet tables' ip/ip6 matches) */
void x_tcp_dport(uint16_t port);                        /* `tcp dport P` */
void x_ct_state(uint32_t mask);                         /* `ct state S` (bits of NF_CT_STATE_BIT) */
void x_iif(uint32_t ifindex);                           /* `iif N` */
void x_iifname(const char *name);                       /* `iifname "X"` */
void x_ip_addr(bool daddr, uint32_t op, const char *net, unsigned prefix);      /* `ip saddr|daddr [!=] A/len` */
void x_fib_rpfilter(void);                              /* `fib saddr . iif oif missing` */

NftRuleset *nb_parse(void);
/* Ends the dump as a consistent dump ends (NEWGEN of GENID: what
 * nft_store_load_msgs() follows notifications from). */
void nb_gen(uint32_t genid);
const void *nb_dump(size_t *len);

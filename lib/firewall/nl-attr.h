/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Netlink messages and attributes as every decoder here reads them.
 *
 * Attributes: those of a message (after its fixed headers) or of a nest,
 * parsed into a table indexed by type.  Types at or above NL_ATTR_MAX are skipped (newer
 * kernels add attributes), the last of a repeated type wins.
 *
 * Bounds.  The kernel pads every attribute to 4 bytes and counts the
 * padding of the last one in nlmsg_len (nla_put() reserves NLA_ALIGN(len),
 * nlmsg_end() takes the tail), so a message from the kernel always ends at
 * an aligned length.  Input replayed from a file, a fuzzer or a peer need
 * not: here an attribute must fit in the real length of its message or
 * nest, never in its aligned length.  (libmnl's mnl_attr_parse() walks up
 * to MNL_ALIGN(nlmsg_len): in a message whose nlmsg_len is not a multiple
 * of 4 it hands out an attribute that ends up to 3 bytes past the message,
 * past the buffer when the message is the last one.)  The last attribute
 * may lack its padding.
 *
 * Each accessor checks the attribute's length before it reads it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>

/* Whether a whole message starts the REM bytes at NLH: its header, and an
 * nlmsg_len that covers it and fits.  (mnl_nlmsg_ok() compares nlmsg_len
 * as an int: a length above INT_MAX passes it.) */
static inline bool nl_msg_ok(const struct nlmsghdr *nlh, size_t rem) {
        return rem >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= rem;
}

/* The message after NLH (at its aligned end; the last one may lack its
 * padding), REM reduced by the step. */
static inline const struct nlmsghdr *nl_msg_next(const struct nlmsghdr *nlh, size_t *rem) {
        size_t step = NLMSG_ALIGN(nlh->nlmsg_len);
        if (step > *rem)
                step = *rem;
        *rem -= step;
        return (const struct nlmsghdr *) ((const uint8_t *) nlh + step);
}

/* above every attribute type of nf_tables.h (NFTA_SET_*, the most, end
 * below 21; nft-decode.c asserts it) */
#define NL_ATTR_MAX 32

typedef struct NlAttrs {
        const struct nlattr *tb[NL_ATTR_MAX];
} NlAttrs;

/* The attributes in [P, P + LEN): each has its header and fits in what is
 * left, the next starts at its aligned end, and together they use the
 * range up.  Returns 0, or -EBADMSG at the first that does not fit (or at
 * 1 to 3 stray bytes after the last one); the table then holds the
 * attributes before it. */
int nl_attr_parse(NlAttrs *t, const void *p, size_t len);

/* The attributes of NEST's payload (NEST NULL: -EBADMSG, table empty). */
int nl_attr_parse_nested(NlAttrs *t, const struct nlattr *nest);

/* The same into a table of N entries (types at or above N skipped), for
 * the small nests read for every expression of every rule (an expression,
 * an nft_data, a verdict): sized by their own NFTA_*_MAX + 1, there is
 * less to clear than an NlAttrs' 256 bytes, which showed in the one-shot
 * read's profile. */
int nl_attr_parse_nested_n(const struct nlattr **tb, size_t n, const struct nlattr *nest);

/* The attributes of a message after its netlink header and HDRLEN bytes of
 * fixed header (sizeof(struct nfgenmsg) for nfnetlink), within nlmsg_len;
 * -EBADMSG for a message shorter than its headers.  NLH must be readable
 * for nlmsg_len bytes. */
int nl_attr_parse_msg(NlAttrs *t, const struct nlmsghdr *nlh, size_t hdrlen);

/* The attributes of an nfnetlink message (after its struct nfgenmsg). */
static inline int nl_attr_parse_nfgen(NlAttrs *t, const struct nlmsghdr *nlh) {
        return nl_attr_parse_msg(t, nlh, sizeof(struct nfgenmsg));
}

static inline const void *nl_attr_data(const struct nlattr *a) {
        return (const uint8_t *) a + NLA_HDRLEN;
}

static inline size_t nl_attr_len(const struct nlattr *a) {
        return a->nla_len - NLA_HDRLEN;
}

/* Whether a whole attribute starts at A, before END: its header, and an
 * nla_len that covers it and fits. */
static inline bool nl_attr_ok(const struct nlattr *a, const void *end) {
        size_t rem = (size_t) ((const uint8_t *) end - (const uint8_t *) a);
        return rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem;
}

/* The attribute after A (at its aligned end, END at the latest). */
static inline const struct nlattr *nl_attr_next(const struct nlattr *a, const void *end) {
        size_t rem = (size_t) ((const uint8_t *) end - (const uint8_t *) a), step = NLA_ALIGN(a->nla_len);
        return (const struct nlattr *) ((const uint8_t *) a + (step < rem ? step : rem));
}

/* Each attribute of NEST's payload in order (A: const struct nlattr *),
 * up to the first that does not fit in NEST's real length;
 * nl_attr_parse_nested() tells whether they all do. */
#define nl_attr_for_each_nested(a, nest)                                                          \
        for ((a) = nl_attr_data(nest); nl_attr_ok((a), (const uint8_t *) (nest) + (nest)->nla_len); \
             (a) = nl_attr_next((a), (const uint8_t *) (nest) + (nest)->nla_len))

/* A NUL-terminated string: a non-empty payload whose last byte is NUL (as
 * libmnl's MNL_TYPE_NUL_STRING); NULL when A is NULL or is not one. */
const char *nl_attr_strz(const struct nlattr *a);

/* Numbers in network byte order, exactly their size: 0, or -EBADMSG when
 * A is NULL or of another length. */
int nl_attr_u8(const struct nlattr *a, uint8_t *ret);
/* (generic netlink's and sock_diag's numbers are in host order) */
int nl_attr_u16(const struct nlattr *a, uint16_t *ret);
int nl_attr_u32(const struct nlattr *a, uint32_t *ret);
int nl_attr_be16(const struct nlattr *a, uint16_t *ret);
int nl_attr_be32(const struct nlattr *a, uint32_t *ret);
int nl_attr_be64(const struct nlattr *a, uint64_t *ret);

/* The same, DEF when absent or malformed. */
static inline uint32_t nl_attr_be32_or(const struct nlattr *a, uint32_t def) {
        uint32_t v;
        return nl_attr_be32(a, &v) < 0 ? def : v;
}

static inline uint64_t nl_attr_be64_or(const struct nlattr *a, uint64_t def) {
        uint64_t v;
        return nl_attr_be64(a, &v) < 0 ? def : v;
}

static inline uint8_t nl_attr_u8_or(const struct nlattr *a, uint8_t def) {
        uint8_t v;
        return nl_attr_u8(a, &v) < 0 ? def : v;
}

static inline uint16_t nl_attr_be16_or(const struct nlattr *a, uint16_t def) {
        uint16_t v;
        return nl_attr_be16(a, &v) < 0 ? def : v;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "nl-attr.h"

/* Into TB (N entries, cleared first; types at or above N skipped). */
static int attr_parse_n(const struct nlattr **tb, size_t n, const void *p, size_t len) {
        const uint8_t *b = p;
        size_t off = 0;

        memset(tb, 0, n * sizeof(*tb));
        while (off < len) {
                const struct nlattr *a = (const struct nlattr *) (b + off);
                size_t step;

                if (len - off < NLA_HDRLEN || a->nla_len < NLA_HDRLEN || a->nla_len > len - off)
                        return -EBADMSG;
                if ((a->nla_type & NLA_TYPE_MASK) < n)
                        tb[a->nla_type & NLA_TYPE_MASK] = a;
                step = NLA_ALIGN(a->nla_len);
                off += step < len - off ? step : len - off;
        }
        return 0;
}

int nl_attr_parse(NlAttrs *t, const void *p, size_t len) {
        return attr_parse_n(t->tb, NL_ATTR_MAX, p, len);
}

int nl_attr_parse_nested_n(const struct nlattr **tb, size_t n, const struct nlattr *nest) {
        if (!nest) {
                memset(tb, 0, n * sizeof(*tb));
                return -EBADMSG;
        }
        return attr_parse_n(tb, n, nl_attr_data(nest), nl_attr_len(nest));
}

int nl_attr_parse_nested(NlAttrs *t, const struct nlattr *nest) {
        return nl_attr_parse_nested_n(t->tb, NL_ATTR_MAX, nest);
}

int nl_attr_parse_msg(NlAttrs *t, const struct nlmsghdr *nlh, size_t hdrlen) {
        size_t head = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);

        if (nlh->nlmsg_len < head) {
                memset(t, 0, sizeof(*t));
                return -EBADMSG;
        }
        return nl_attr_parse(t, (const uint8_t *) nlh + head, nlh->nlmsg_len - head);
}

const char *nl_attr_strz(const struct nlattr *a) {
        if (!a || nl_attr_len(a) == 0 || ((const char *) nl_attr_data(a))[nl_attr_len(a) - 1] != '\0')
                return NULL;
        return nl_attr_data(a);
}

/* A's payload when it is exactly LEN bytes. */
static const void *attr_fixed(const struct nlattr *a, size_t len) {
        return a && nl_attr_len(a) == len ? nl_attr_data(a) : NULL;
}

int nl_attr_u8(const struct nlattr *a, uint8_t *ret) {
        const void *p = attr_fixed(a, sizeof(*ret));
        if (!p)
                return -EBADMSG;
        memcpy(ret, p, sizeof(*ret));
        return 0;
}

int nl_attr_u16(const struct nlattr *a, uint16_t *ret) {
        const void *p = attr_fixed(a, sizeof(*ret));
        if (!p)
                return -EBADMSG;
        memcpy(ret, p, sizeof(*ret));
        return 0;
}

int nl_attr_u32(const struct nlattr *a, uint32_t *ret) {
        const void *p = attr_fixed(a, sizeof(*ret));
        if (!p)
                return -EBADMSG;
        memcpy(ret, p, sizeof(*ret));
        return 0;
}

int nl_attr_be16(const struct nlattr *a, uint16_t *ret) {
        const void *p = attr_fixed(a, sizeof(*ret));
        uint16_t v;
        if (!p)
                return -EBADMSG;
        memcpy(&v, p, sizeof(v));
        *ret = ntohs(v);
        return 0;
}

int nl_attr_be32(const struct nlattr *a, uint32_t *ret) {
        const void *p = attr_fixed(a, sizeof(*ret));
        uint32_t v;
        if (!p)
                return -EBADMSG;
        memcpy(&v, p, sizeof(v));
        *ret = ntohl(v);
        return 0;
}

int nl_attr_be64(const struct nlattr *a, uint64_t *ret) {
        const void *p = attr_fixed(a, sizeof(*ret));
        uint64_t v;
        if (!p)
                return -EBADMSG;
        memcpy(&v, p, sizeof(v));
        *ret = be64toh(v);
        return 0;
}

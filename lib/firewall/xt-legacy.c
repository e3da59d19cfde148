/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>         /* before the kernel headers: glibc's in.h defines what they share */
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "strv.h"
#include "xt-legacy.h"

/* Tables are a few MB at most even with tens of thousands of rules; more is
 * not something to allocate on a kernel's say-so. */
#define XT_LEGACY_MAX_SIZE (256u * 1024u * 1024u)
#define XT_LEGACY_READ_RETRIES 8
/* The names file lists at most a handful of tables (filter, nat, mangle,
 * raw, security) */
#define XT_LEGACY_NAMES_MAX (64u * 1024u)

_Static_assert(XT_LEGACY_HOOKS == NF_INET_NUMHOOKS, "hook count");
_Static_assert(XT_LEGACY_IFNAMSIZ == IFNAMSIZ, "interface name length");
_Static_assert(XT_LEGACY_NAME_MAX == XT_TABLE_MAXNAMELEN, "table name length");
_Static_assert(XT_LEGACY_EXT_NAME_MAX == XT_EXTENSION_MAXNAMELEN, "extension name length");

XtLegacyTable *xt_legacy_table_free(XtLegacyTable *t) {
        if (!t)
                return NULL;
        free(t->blob);
        free(t->chains);
        free(t->rules);
        free(t->matches);
        free(t);
        return NULL;
}

XtLegacyTable **xt_legacy_tables_free(XtLegacyTable **tables) {
        if (!tables)
                return NULL;
        for (XtLegacyTable **t = tables; *t; t++)
                xt_legacy_table_free(*t);
        free(tables);
        return NULL;
}

/* (strv.h has no strv_freep) */
static void names_freep(char ***names) {
        strv_free(*names);
}

static void fd_closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}

/* The fixed part of an entry, whatever the family. */
typedef struct EntryHead {
        uint16_t target_offset, next_offset;
        size_t head_size;
} EntryHead;

/* ipt_entry and ip6t_entry differ in their header match (ipt_ip, ip6t_ip6)
 * and nothing else this needs: one body for both. */
#define ENTRY_HEAD_READ(type, ipfield, alen)                                            \
        do {                                                                            \
                type ent;                                                               \
                if (avail < sizeof(ent))                                                \
                        return -EBADMSG;                                                \
                memcpy(&ent, e, sizeof(ent));                                           \
                h->target_offset = ent.target_offset;                                   \
                h->next_offset = ent.next_offset;                                       \
                h->head_size = sizeof(ent);                                             \
                if (r) {                                                                \
                        memcpy(r->src, &ent.ipfield.src, alen);                         \
                        memcpy(r->smsk, &ent.ipfield.smsk, alen);                       \
                        memcpy(r->dst, &ent.ipfield.dst, alen);                         \
                        memcpy(r->dmsk, &ent.ipfield.dmsk, alen);                       \
                        memcpy(r->iniface, ent.ipfield.iniface, IFNAMSIZ);              \
                        memcpy(r->outiface, ent.ipfield.outiface, IFNAMSIZ);            \
                        memcpy(r->iniface_mask, ent.ipfield.iniface_mask, IFNAMSIZ);    \
                        memcpy(r->outiface_mask, ent.ipfield.outiface_mask, IFNAMSIZ);  \
                        r->iniface[XT_LEGACY_IFNAMSIZ - 1] = '\0';                      \
                        r->outiface[XT_LEGACY_IFNAMSIZ - 1] = '\0';                     \
                        r->proto = ent.ipfield.proto;                                   \
                        r->flags = ent.ipfield.flags;                                   \
                        r->invflags = ent.ipfield.invflags;                             \
                        r->packets = ent.counters.pcnt;                                 \
                        r->bytes = ent.counters.bcnt;                                   \
                }                                                                       \
        } while (0)

static int entry_head(int family, const uint8_t *e, size_t avail, EntryHead *h, XtLegacyRule *r) {
        if (family == NFPROTO_IPV4)
                ENTRY_HEAD_READ(struct ipt_entry, ip, 4);
        else
                ENTRY_HEAD_READ(struct ip6t_entry, ipv6, 16);
        if (h->next_offset < h->head_size + sizeof(struct xt_entry_target) || h->next_offset > avail ||
            h->target_offset < h->head_size || h->target_offset > h->next_offset - sizeof(struct xt_entry_target) ||
            h->next_offset % __alignof__(struct xt_entry_target) != 0)
                return -EBADMSG;
        return 0;
}

/* An extension header (match or target) at OFF, LIMIT bytes available. */
static int ext_at(const uint8_t *blob, size_t off, size_t limit, XtLegacyExt *x, size_t *size) {
        struct xt_entry_match m;        /* same layout as xt_entry_target's header */

        _Static_assert(sizeof(struct xt_entry_match) == sizeof(struct xt_entry_target), "ext header");
        if (limit < sizeof(m))
                return -EBADMSG;
        memcpy(&m, blob + off, sizeof(m));
        if (m.u.user.match_size < sizeof(m) || m.u.user.match_size > limit)
                return -EBADMSG;
        memcpy(x->name, m.u.user.name, sizeof(x->name) - 1);
        x->name[sizeof(x->name) - 1] = '\0';
        x->revision = m.u.user.revision;
        x->data_off = (uint32_t) (off + sizeof(m));
        x->data_len = (uint32_t) (m.u.user.match_size - sizeof(m));
        *size = m.u.user.match_size;
        return 0;
}

typedef struct Scan {
        size_t off;             /* entry offset */
        EntryHead head;
        XtLegacyExt target;
} Scan;

static bool is_error_target(const XtLegacyExt *t) {
        return strcmp(t->name, XT_ERROR_TARGET) == 0;
}

static bool is_standard_target(const XtLegacyExt *t) {
        return t->name[0] == '\0' || strcmp(t->name, XT_STANDARD_TARGET) == 0;
}

static int standard_verdict(const uint8_t *blob, const XtLegacyExt *t, int *verdict) {
        if (t->data_len < sizeof(int))
                return -EBADMSG;
        memcpy(verdict, blob + t->data_off, sizeof(int));
        return 0;
}

static int grow(void **v, size_t *allocated, size_t need, size_t size) {
        void *n;
        size_t a;

        if (need <= *allocated)
                return 0;
        a = *allocated ? *allocated * 2 : 16;
        while (a < need)
                a *= 2;
        n = reallocarray(*v, a, size);
        if (!n)
                return -ENOMEM;
        *v = n;
        *allocated = a;
        return 0;
}

int xt_legacy_table_parse(int family, const XtLegacyInfo *info, const void *entries, size_t size,
                          XtLegacyTable **ret) {
        _cleanup_(xt_legacy_table_freep) XtLegacyTable *t = NULL;
        _cleanup_free_ Scan *scan = NULL;
        size_t n_scan = 0, a_scan = 0, a_chains = 0, a_rules = 0, a_matches = 0;
        int r;

        if (family != NFPROTO_IPV4 && family != NFPROTO_IPV6)
                return -EAFNOSUPPORT;
        if (size > XT_LEGACY_MAX_SIZE)
                return -EFBIG;
        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->family = family;
        memcpy(t->name, info->name, sizeof(t->name) - 1);
        t->blob = malloc(size ? size : 1);
        if (!t->blob)
                return -ENOMEM;
        memcpy(t->blob, entries, size);
        t->blob_len = size;

        /* Pass 1: the entries and their targets, bounds-checked. */
        for (size_t off = 0; off < size;) {
                Scan s = { .off = off };
                size_t tsize;

                r = entry_head(family, t->blob + off, size - off, &s.head, NULL);
                if (r < 0)
                        return r;
                r = ext_at(t->blob, off + s.head.target_offset, s.head.next_offset - s.head.target_offset,
                           &s.target, &tsize);
                if (r < 0)
                        return r;
                r = grow((void **) &scan, &a_scan, n_scan + 1, sizeof(Scan));
                if (r < 0)
                        return r;
                scan[n_scan++] = s;
                off += s.head.next_offset;
        }
        if (n_scan == 0 || !is_error_target(&scan[n_scan - 1].target))
                return -EBADMSG;   /* a table ends with the ERROR entry */

        /* Pass 2: chains.  A built-in chain starts at its hook_entry and ends
         * with its underflow (the policy); a user chain starts with an ERROR
         * entry naming it and ends with a RETURN. */
        for (size_t i = 0; i + 1 < n_scan; i++) {
                XtLegacyChain c = { .hook = -1, .policy = XT_LEGACY_RETURN };
                bool starts = false;

                for (int h = 0; h < XT_LEGACY_HOOKS; h++)
                        if ((info->valid_hooks & (1u << h)) && info->hook_entry[h] == scan[i].off) {
                                static const char *const hook_names[XT_LEGACY_HOOKS] = {
                                        "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" };
                                c.hook = h;
                                strcpy(c.name, hook_names[h]);
                                starts = true;
                                break;
                        }
                if (!starts && is_error_target(&scan[i].target)) {
                        size_t len = scan[i].target.data_len;
                        if (len > sizeof(c.name) - 1)
                                len = sizeof(c.name) - 1;
                        memcpy(c.name, t->blob + scan[i].target.data_off, len);
                        c.name[len] = '\0';
                        c.name[strnlen(c.name, sizeof(c.name))] = '\0';
                        i++;    /* the chain's rules follow its head */
                        starts = true;
                }
                if (!starts)
                        continue;
                r = grow((void **) &t->chains, &a_chains, t->n_chains + 1, sizeof(XtLegacyChain));
                if (r < 0)
                        return r;
                c.first_rule = (uint32_t) i;    /* a scan index for now */
                t->chains[t->n_chains++] = c;
        }

        /* Pass 3: rules, chain by chain, up to and excluding the policy or
         * RETURN entry that ends each chain. */
        for (size_t ci = 0; ci < t->n_chains; ci++) {
                XtLegacyChain *c = &t->chains[ci];
                size_t i = c->first_rule;
                unsigned position = 0;

                c->first_rule = (uint32_t) t->n_rules;
                for (;; i++) {
                        XtLegacyRule rule = { .jump_chain = -1 };
                        bool last;
                        int verdict = 0;

                        if (i + 1 >= n_scan)
                                return -EBADMSG;   /* ran into the end marker */
                        if (c->hook >= 0)
                                last = info->underflow[c->hook] == scan[i].off;
                        else    /* the unconditional RETURN before the next ERROR head */
                                last = is_standard_target(&scan[i].target) && is_error_target(&scan[i + 1].target);
                        (void) entry_head(family, t->blob + scan[i].off, size - scan[i].off, &scan[i].head, &rule);
                        rule.target = scan[i].target;
                        if (is_standard_target(&rule.target)) {
                                r = standard_verdict(t->blob, &rule.target, &verdict);
                                if (r < 0)
                                        return r;
                                if (verdict < 0) {
                                        switch (-(verdict + 1)) {     /* -verdict - 1 would overflow for INT_MIN */
                                        case NF_ACCEPT: rule.verdict = XT_LEGACY_ACCEPT; break;
                                        case NF_DROP: rule.verdict = XT_LEGACY_DROP; break;
                                        case NF_QUEUE: rule.verdict = XT_LEGACY_QUEUE; break;
                                        case NF_REPEAT: rule.verdict = XT_LEGACY_RETURN; break;
                                        default: return -EBADMSG;
                                        }
                                } else if ((size_t) verdict == scan[i].off + scan[i].head.next_offset)
                                        rule.verdict = XT_LEGACY_CONTINUE;
                                else {
                                        /* resolved below, once every chain is known */
                                        rule.verdict = XT_LEGACY_JUMP;
                                        rule.jump_offset = (uint32_t) verdict;
                                        rule.goto_chain = rule.flags & (family == NFPROTO_IPV4 ? IPT_F_GOTO : IP6T_F_GOTO);
                                }
                        } else
                                rule.verdict = XT_LEGACY_TARGET;

                        if (last) {
                                if (c->hook >= 0) {
                                        if (rule.verdict != XT_LEGACY_ACCEPT && rule.verdict != XT_LEGACY_DROP)
                                                return -EBADMSG;
                                        c->policy = rule.verdict;
                                }
                                break;
                        }

                        /* the matches between the header and the target */
                        rule.first_match = (uint32_t) t->n_matches;
                        for (size_t off = scan[i].off + scan[i].head.head_size,
                             end = scan[i].off + scan[i].head.target_offset; off < end;) {
                                XtLegacyExt m;
                                size_t msize;

                                r = ext_at(t->blob, off, end - off, &m, &msize);
                                if (r < 0)
                                        return r;
                                r = grow((void **) &t->matches, &a_matches, t->n_matches + 1, sizeof(XtLegacyExt));
                                if (r < 0)
                                        return r;
                                t->matches[t->n_matches++] = m;
                                rule.n_matches++;
                                off += msize;
                        }
                        rule.position = ++position;
                        r = grow((void **) &t->rules, &a_rules, t->n_rules + 1, sizeof(XtLegacyRule));
                        if (r < 0)
                                return r;
                        t->rules[t->n_rules++] = rule;
                }
                c->n_rules = (uint32_t) t->n_rules - c->first_rule;
        }

        /* Jumps name the offset of the target chain's first entry (the one
         * after its ERROR head). */
        for (size_t i = 0; i < t->n_rules; i++) {
                XtLegacyRule *rule = &t->rules[i];
                size_t target;

                if (rule->verdict != XT_LEGACY_JUMP)
                        continue;
                target = rule->jump_offset;
                for (size_t k = 0; k + 1 < n_scan && rule->jump_chain < 0; k++) {
                        if (!is_error_target(&scan[k].target) || scan[k + 1].off != target)
                                continue;
                        for (size_t ci = 0; ci < t->n_chains; ci++) {
                                size_t len = scan[k].target.data_len < XT_LEGACY_NAME_MAX - 1 ?
                                             scan[k].target.data_len : XT_LEGACY_NAME_MAX - 1;
                                if (t->chains[ci].hook < 0 &&
                                    strncmp(t->chains[ci].name, (const char *) t->blob + scan[k].target.data_off,
                                            len) == 0) {
                                        rule->jump_chain = (int) ci;
                                        break;
                                }
                        }
                }
                if (rule->jump_chain < 0)
                        return -EBADMSG;   /* a jump into the middle of nowhere */
        }

        *ret = TAKE_PTR(t);
        return 0;
}

/* NAMES_FD's whole text, read from its start (read_fd_whole()): each call
 * sees the tables as they are now.  (The limit is what the growing buffer
 * this replaced accepted for certain.) */
static int names_read_fd(int names_fd, char **ret) {
        return read_fd_whole(names_fd, XT_LEGACY_NAMES_MAX - 512, ret, NULL);
}

static int names_read_path(const char *path, char **ret) {
        int fd, r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        r = names_read_fd(fd, ret);
        close(fd);
        return r;
}

int xt_legacy_table_names_from(int family, int names_fd, char ***ret) {
        /* /proc/self/net, not /proc/net (its symlink): under ProcSubset=pid
         * /proc/net is not there at all, and ENOENT would pass for "x_tables
         * not loaded" */
        const char *path = family == NFPROTO_IPV6 ? "/proc/self/net/ip6_tables_names" :
                                                    "/proc/self/net/ip_tables_names";
        _cleanup_free_ char *text = NULL;
        _cleanup_(names_freep) char **names = NULL;
        size_t n = 0;
        int r;

        if (family != NFPROTO_IPV4 && family != NFPROTO_IPV6)
                return -EAFNOSUPPORT;
        r = names_fd >= 0 ? names_read_fd(names_fd, &text) : names_read_path(path, &text);
        if (r == -ENOENT && names_fd < 0) {     /* x_tables not loaded: no legacy tables */
                *ret = calloc(1, sizeof(char *));
                return *ret ? 0 : -ENOMEM;
        }
        if (r < 0)
                return r;
        for (char *line = text, *next; *line; line = next) {
                size_t len = strcspn(line, "\n");

                next = line[len] ? line + len + 1 : line + len;
                line[len] = '\0';
                if (len == 0)
                        continue;
                if (len >= XT_LEGACY_NAME_MAX)          /* not a table name: not this file */
                        return -EBADMSG;
                if (strv_push_copy(&names, &n, line) < 0)
                        return -ENOMEM;
        }
        if (!names && !(names = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(names);
        return (int) n;
}

int xt_legacy_table_names(int family, char ***ret) {
        return xt_legacy_table_names_from(family, -1, ret);
}

int xt_legacy_read_raw_with(int family, int sock, const char *name, XtLegacyInfo *info, void **entries,
                            size_t *size) {
        _cleanup_(fd_closep) int own_fd = -1;
        int fd = sock, level = family == NFPROTO_IPV6 ? SOL_IPV6 : SOL_IP;

        _Static_assert(IPT_SO_GET_INFO == IP6T_SO_GET_INFO && IPT_SO_GET_ENTRIES == IP6T_SO_GET_ENTRIES,
                       "same option numbers");
        _Static_assert(sizeof(struct ipt_getinfo) == sizeof(XtLegacyInfo), "info layout");
        if (family != NFPROTO_IPV4 && family != NFPROTO_IPV6)
                return -EAFNOSUPPORT;
        if (strlen(name) >= XT_LEGACY_NAME_MAX)
                return -EINVAL;
        /* Any socket of the family reaches x_tables' getsockopt(): UDP needs
         * no CAP_NET_RAW, unlike the raw socket iptables itself opens. */
        if (fd < 0) {
                fd = own_fd = socket(family == NFPROTO_IPV6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (fd < 0)
                        return -errno;
        }
        for (int attempt = 0; attempt < XT_LEGACY_READ_RETRIES; attempt++) {
                struct ipt_getinfo gi = {};
                _cleanup_free_ struct ipt_get_entries *ge = NULL;
                socklen_t len = sizeof(gi);

                strcpy(gi.name, name);
                if (getsockopt(fd, level, IPT_SO_GET_INFO, &gi, &len) < 0)
                        return -errno;
                if (gi.size > XT_LEGACY_MAX_SIZE)
                        return -EFBIG;
                len = (socklen_t) (sizeof(*ge) + gi.size);
                ge = calloc(1, len);
                if (!ge)
                        return -ENOMEM;
                strcpy(ge->name, name);
                ge->size = gi.size;
                if (getsockopt(fd, level, IPT_SO_GET_ENTRIES, ge, &len) < 0) {
                        if (errno == EAGAIN)    /* the table changed size in between */
                                continue;
                        return -errno;
                }
                memcpy(info, &gi, sizeof(*info));
                *size = gi.size;
                *entries = malloc(gi.size ? gi.size : 1);
                if (!*entries)
                        return -ENOMEM;
                memcpy(*entries, ge->entrytable, gi.size);
                return 0;
        }
        return -EAGAIN;
}

int xt_legacy_read_raw(int family, const char *name, XtLegacyInfo *info, void **entries, size_t *size) {
        return xt_legacy_read_raw_with(family, -1, name, info, entries, size);
}

int xt_legacy_read_with(const XtLegacySource *src, int family, XtLegacyTable ***ret, size_t *n) {
        _cleanup_(xt_legacy_tables_freep) XtLegacyTable **tables = NULL;
        _cleanup_(names_freep) char **names = NULL;
        size_t k = 0;
        int r, count;

        count = xt_legacy_table_names_from(family, src ? src->names : -1, &names);
        if (count < 0)
                return count;
        tables = calloc((size_t) count + 1, sizeof(XtLegacyTable *));
        if (!tables)
                return -ENOMEM;
        for (int i = 0; i < count; i++) {
                XtLegacyInfo info;
                _cleanup_free_ void *entries = NULL;
                size_t size = 0;

                r = xt_legacy_read_raw_with(family, src ? src->sock : -1, names[i], &info, &entries, &size);
                if (r == -ENOENT)
                        continue;       /* gone since it was listed */
                if (r < 0)
                        return r;
                r = xt_legacy_table_parse(family, &info, entries, size, &tables[k]);
                if (r < 0)
                        return r;
                k++;
        }
        *ret = TAKE_PTR(tables);
        *n = k;
        return 0;
}

int xt_legacy_read(int family, XtLegacyTable ***ret, size_t *n) {
        return xt_legacy_read_with(NULL, family, ret, n);
}

/* ---- fingerprints ---- */

#define FNV1A_PRIME UINT64_C(0x100000001b3)

static uint64_t fnv1a(uint64_t h, const void *data, size_t len) {
        const uint8_t *p = data;

        for (size_t i = 0; i < len; i++) {
                h ^= p[i];
                h *= FNV1A_PRIME;
        }
        return h;
}

static uint64_t fnv1a_u32(uint64_t h, uint32_t v) {
        return fnv1a(h, &v, sizeof(v));
}

/* comefrom and the counters are neighbours in both families' entries
 * (with 4 bytes of padding between them in ip6t_entry): one span to leave
 * out. */
int xt_legacy_table_fingerprint(int family, const XtLegacyInfo *info, const void *entries, size_t size,
                                uint64_t *ret) {
        _Static_assert(offsetof(struct ipt_entry, comefrom) + sizeof(uint32_t) == offsetof(struct ipt_entry, counters),
                       "ipt layout");
        _Static_assert(offsetof(struct ip6t_entry, comefrom) + sizeof(uint32_t) <= offsetof(struct ip6t_entry, counters),
                       "ip6t layout");
        size_t head, skip_from, skip_to, next_at;
        const uint8_t *blob = entries;
        uint64_t h = XT_LEGACY_FINGERPRINT_NONE;

        if (family == NFPROTO_IPV4) {
                head = sizeof(struct ipt_entry);
                skip_from = offsetof(struct ipt_entry, comefrom);
                skip_to = offsetof(struct ipt_entry, counters) + sizeof(struct xt_counters);
                next_at = offsetof(struct ipt_entry, next_offset);
        } else if (family == NFPROTO_IPV6) {
                head = sizeof(struct ip6t_entry);
                skip_from = offsetof(struct ip6t_entry, comefrom);
                skip_to = offsetof(struct ip6t_entry, counters) + sizeof(struct xt_counters);
                next_at = offsetof(struct ip6t_entry, next_offset);
        } else
                return -EAFNOSUPPORT;

        h = fnv1a_u32(h, (uint32_t) family);
        h = fnv1a(h, info->name, strnlen(info->name, sizeof(info->name)));
        h = fnv1a_u32(h, info->valid_hooks);
        for (int i = 0; i < XT_LEGACY_HOOKS; i++) {
                h = fnv1a_u32(h, info->hook_entry[i]);
                h = fnv1a_u32(h, info->underflow[i]);
        }
        h = fnv1a_u32(h, info->num_entries);
        h = fnv1a_u32(h, (uint32_t) size);

        for (size_t off = 0; off < size;) {
                uint16_t next;

                if (size - off < head)
                        return -EBADMSG;
                memcpy(&next, blob + off + next_at, sizeof(next));
                if (next < head || next > size - off)
                        return -EBADMSG;
                h = fnv1a(h, blob + off, skip_from);
                h = fnv1a(h, blob + off + skip_to, next - skip_to);
                off += next;
        }
        *ret = h;
        return 0;
}

int xt_legacy_fingerprint_with(const XtLegacySource *src, int family, uint64_t *ret) {
        uint64_t h = XT_LEGACY_FINGERPRINT_NONE;
        _cleanup_(names_freep) char **names = NULL;
        int r, count;

        if (family != NFPROTO_IPV4 && family != NFPROTO_IPV6)
                return -EAFNOSUPPORT;
        count = xt_legacy_table_names_from(family, src ? src->names : -1, &names);
        if (count < 0)
                return count;
        for (int i = 0; i < count; i++) {
                XtLegacyInfo info;
                _cleanup_free_ void *entries = NULL;
                size_t size = 0;
                uint64_t t;

                r = xt_legacy_read_raw_with(family, src ? src->sock : -1, names[i], &info, &entries, &size);
                if (r == -ENOENT)       /* gone since it was listed */
                        continue;
                if (r < 0)
                        return r;
                r = xt_legacy_table_fingerprint(family, &info, entries, size, &t);
                if (r < 0)
                        return r;
                h = fnv1a(h, &t, sizeof(t));
        }
        *ret = h;
        return 0;
}

int xt_legacy_fingerprint(int family, uint64_t *ret) {
        return xt_legacy_fingerprint_with(NULL, family, ret);
}

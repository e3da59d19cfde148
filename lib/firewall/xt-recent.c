/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "xt-recent.h"

/* ip_pkt_list_tot is at most 255 (recent_mt_init()); ip_list_tot has no
 * bound but memory: more entries than this are not taken on trust */
#define XT_RECENT_MAX_STAMPS 255u
#define XT_RECENT_MAX_ENTRIES (1u << 20)

void xt_recent_list_done(XtRecentList *l) {
        free(l->name);
        free(l->entries);
        free(l->stamps);
        *l = (XtRecentList) {};
}

void xt_recent_state_done(XtRecentState *s) {
        for (size_t i = 0; i < s->n_lists; i++)
                xt_recent_list_done(&s->lists[i]);
        free(s->lists);
        *s = (XtRecentState) {};
}

/* An unsigned decimal at *P (no sign, no spaces), at most MAX. */
static int number(const char **p, const char *end, uint64_t max, uint64_t *ret) {
        uint64_t v = 0;
        const char *s = *p;

        if (s >= end || *s < '0' || *s > '9')
                return -EINVAL;
        for (; s < end && *s >= '0' && *s <= '9'; s++) {
                if (v > (max - (uint64_t) (*s - '0')) / 10)
                        return -EINVAL;
                v = v * 10 + (uint64_t) (*s - '0');
        }
        *p = s;
        *ret = v;
        return 0;
}

static int literal(const char **p, const char *end, const char *lit) {
        size_t n = strlen(lit);
        if ((size_t) (end - *p) < n || memcmp(*p, lit, n) != 0)
                return -EINVAL;
        *p += n;
        return 0;
}

static int grow(void **v, size_t *cap, size_t need, size_t size) {
        if (need <= *cap)
                return 0;
        size_t n = *cap ? *cap * 2 : 16;
        while (n < need)
                n *= 2;
        void *x = reallocarray(*v, n, size);
        if (!x)
                return -ENOMEM;
        *v = x;
        *cap = n;
        return 0;
}

/* "src=%pI4 ttl: %u last_seen: %lu oldest_pkt: %u" then " %lu" stamps
 * joined by ",", as recent_seq_show() prints them */
static int parse_line(const char *s, const char *end, XtRecentList *l, size_t *cap_e, size_t *cap_s) {
        char addr[INET6_ADDRSTRLEN + 8];
        XtRecentEntry e = {};
        const char *a;
        uint64_t v;
        int r;

        if (literal(&s, end, "src=") < 0)
                return -EINVAL;
        for (a = s; s < end && *s != ' '; s++)
                ;
        if ((size_t) (s - a) >= sizeof(addr))
                return -EINVAL;
        memcpy(addr, a, (size_t) (s - a));
        addr[s - a] = '\0';
        if (inet_pton(AF_INET, addr, e.addr) == 1)
                e.family = NFPROTO_IPV4;
        else if (inet_pton(AF_INET6, addr, e.addr) == 1)
                e.family = NFPROTO_IPV6;
        else
                return -EINVAL;
        if (literal(&s, end, " ttl: ") < 0 || number(&s, end, UINT8_MAX, &v) < 0)
                return -EINVAL;
        e.ttl = (uint8_t) v;
        if (literal(&s, end, " last_seen: ") < 0 || number(&s, end, UINT64_MAX, &v) < 0)
                return -EINVAL;
        if (literal(&s, end, " oldest_pkt: ") < 0 || number(&s, end, XT_RECENT_MAX_STAMPS, &v) < 0)
                return -EINVAL;
        e.index = (uint32_t) v;
        e.first = (uint32_t) l->n_stamps;
        for (;;) {
                if (s == end)
                        break;
                if (e.n > 0 && literal(&s, end, ",") < 0)
                        return -EINVAL;
                if (literal(&s, end, " ") < 0 || number(&s, end, UINT64_MAX, &v) < 0)
                        return -EINVAL;
                if (e.n == XT_RECENT_MAX_STAMPS)
                        return -EINVAL;
                r = grow((void **) &l->stamps, cap_s, l->n_stamps + 1, sizeof(uint64_t));
                if (r < 0)
                        return r;
                l->stamps[l->n_stamps++] = v;
                e.n++;
        }
        /* an entry has one stamp at least, and its next slot is within them */
        if (e.n == 0 || e.index == 0 || e.index > e.n)
                return -EINVAL;
        if (l->n_entries == XT_RECENT_MAX_ENTRIES)
                return -EINVAL;
        r = grow((void **) &l->entries, cap_e, l->n_entries + 1, sizeof(XtRecentEntry));
        if (r < 0)
                return r;
        l->entries[l->n_entries++] = e;
        return 0;
}

int xt_recent_list_parse(const char *name, const char *text, size_t len, XtRecentList *ret) {
        XtRecentList l = {};
        size_t cap_e = 0, cap_s = 0;
        const char *p = text, *end = text + len;
        int r = 0;

        l.name = strdup(name);
        if (!l.name)
                return -ENOMEM;
        while (p < end && r >= 0) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                if (!nl) {
                        r = -EINVAL;    /* every line ends in a newline */
                        break;
                }
                r = parse_line(p, nl, &l, &cap_e, &cap_s);
                p = nl + 1;
        }
        if (r < 0) {
                xt_recent_list_done(&l);
                return r;
        }
        *ret = l;
        return 0;
}

/* ---- the clock ---- */

static const char *find(const char *text, size_t len, const char *what) {
        size_t n = strlen(what);
        for (size_t i = 0; i + n <= len; i++)
                if (memcmp(text + i, what, n) == 0 && (i == 0 || text[i - 1] == '\n'))
                        return text + i + n;
        return NULL;
}

int xt_recent_clock_parse(const char *text, size_t len, XtRecentClock *ret) {
        /* the values CONFIG_HZ takes (kernel/Kconfig.hz and the
         * architectures' own) */
        static const unsigned hzs[] = { 24, 32, 48, 64, 100, 128, 200, 250, 256, 300, 500, 512, 1000, 1024, 1200 };
        const char *end = text + len, *p;
        uint64_t ns, j;
        unsigned best = 0;
        int close = 0;

        p = find(text, len, "now at ");
        if (!p || number(&p, end, UINT64_MAX, &ns) < 0 || literal(&p, end, " nsecs") < 0)
                return -ENODATA;
        p = find(text, len, "jiffies: ");
        if (!p || number(&p, end, UINT64_MAX, &j) < 0)
                return -ENODATA;
        for (size_t i = 0; i < ELEMENTSOF(hzs); i++) {
                unsigned hz = hzs[i];
                /* jiffies = 2^32 - 300 hz + hz t, t = ns / 1e9; 32-bit
                 * kernels wrap at 2^32: compare modulo that then */
                uint64_t predicted = (UINT64_C(1) << 32) - 300u * (uint64_t) hz +
                                     (uint64_t) ((unsigned __int128) ns * hz / 1000000000u);
                uint64_t d = j > predicted ? j - predicted : predicted - j;
                if (j < (UINT64_C(1) << 32) && predicted >= (UINT64_C(1) << 32)) {
                        uint32_t d32 = (uint32_t) j - (uint32_t) predicted;
                        d = d32 < UINT32_C(0x80000000) ? d32 : (uint32_t) -d32;
                }
                if (d < hz) {
                        close++;
                        best = hz;
                }
        }
        if (close != 1)
                return -ENODATA;
        *ret = (XtRecentClock) { .hz = best, .jiffies = j, .mono_ns = ns };
        return 0;
}

uint64_t xt_recent_clock_at(const XtRecentClock *c, uint64_t mono_ns) {
        if (mono_ns >= c->mono_ns)
                return c->jiffies + (uint64_t) ((unsigned __int128) (mono_ns - c->mono_ns) * c->hz / 1000000000u);
        return c->jiffies - (uint64_t) ((unsigned __int128) (c->mono_ns - mono_ns) * c->hz / 1000000000u);
}

/* ---- judging ---- */

const XtRecentList *xt_recent_state_find(const XtRecentState *s, const char *name) {
        for (size_t i = 0; s && i < s->n_lists; i++)
                if (strcmp(s->lists[i].name, name) == 0)
                        return &s->lists[i];
        return NULL;
}

/* B is not before A, as the kernel's !time_after(a, b): jiffies compared
 * as the signed difference of the kernel's unsigned long (64 bits once
 * past 2^32, 32 bits on a kernel whose jiffies never get there) */
static bool not_before(uint64_t b, uint64_t a, bool wide) {
        return wide ? (int64_t) (b - a) >= 0 : (int32_t) (uint32_t) (b - a) >= 0;
}

int xt_recent_match(const XtRecentState *s, const char *name, uint8_t family, const uint8_t *addr,
                    uint32_t seconds, uint32_t hit_count, unsigned added, bool *ret_exists) {
        const XtRecentList *l = xt_recent_state_find(s, name);
        const XtRecentEntry *e = NULL;
        size_t alen = family == NFPROTO_IPV6 ? 16 : 4;
        bool wide = s && s->now >= (UINT64_C(1) << 32);
        uint64_t time;
        unsigned hits = 0, lost = 0;

        *ret_exists = false;
        if (!l || !s->hz)
                return -1;
        for (size_t i = 0; i < l->n_entries; i++)
                if (l->entries[i].family == family && memcmp(l->entries[i].addr, addr, alen) == 0) {
                        if (e)
                                return -1;      /* one per TTL: which one answers is not known */
                        e = &l->entries[i];
                }
        if (!e && added == 0)
                return 0;
        *ret_exists = true;
        time = s->now - (uint64_t) seconds * s->hz;
        if (e) {
                const uint64_t *st = l->stamps + e->first;
                /* The ring's size (ip_pkt_list_tot): an entry that has
                 * wrapped around shows it; else it is at least the most
                 * stamps any entry has, and the hit count (the kernel
                 * refuses a rule asking for more).  The packet's own
                 * stamps past it take the oldest slots. */
                uint32_t ring = hit_count, overwritten;
                bool known = false;
                for (size_t i = 0; i < l->n_entries; i++) {
                        if (l->entries[i].index < l->entries[i].n) {
                                ring = l->entries[i].n;
                                known = true;
                                break;
                        }
                        if (l->entries[i].n > ring)
                                ring = l->entries[i].n;
                }
                overwritten = e->n + added > ring ? e->n + added - ring : 0;
                /* in the order they were written: from the next slot on
                 * when the ring has wrapped, else from the first */
                uint32_t start = e->index < e->n ? e->index : 0;
                for (uint32_t k = 0; k < e->n; k++) {
                        bool counts = !seconds || not_before(st[(start + k) % e->n], time, wide);
                        hits += counts;
                        if (k < overwritten && counts)
                                lost++;
                }
                /* the ring's size known: those are gone for certain */
                if (known) {
                        hits -= lost;
                        lost = 0;
                }
        }
        hits += added;
        if (hit_count == 0)
                return hits > 0 ? 1 : 0;
        if (hits - lost >= hit_count)
                return 1;
        if (hits < hit_count)
                return 0;
        return -1;
}

bool xt_recent_entry_covers(const XtRecentEntry *e, uint8_t family, const uint8_t *addr) {
        size_t alen = family == NFPROTO_IPV6 ? 16 : 4, last = 0;

        if (e->family != family)
                return false;
        for (size_t i = 0; i < alen; i++)
                if (e->addr[i])
                        last = i + 1;
        for (size_t i = 0; i < last; i++) {
                uint8_t m = i + 1 < last ? 0xff : (uint8_t) (0xff << __builtin_ctz(e->addr[i]));
                if ((addr[i] & m) != e->addr[i])
                        return false;
        }
        return true;
}

uint64_t xt_recent_fingerprint(const XtRecentState *s, bool (*keep)(const XtRecentEntry *e, void *userdata),
                               void *userdata) {
        uint64_t h = UINT64_C(0xcbf29ce484222325);
#define MIX(p, n)                                                            \
        for (size_t _i = 0; _i < (n); _i++)                                  \
                h = (h ^ ((const uint8_t *) (p))[_i]) * UINT64_C(0x100000001b3)
        for (size_t i = 0; i < s->n_lists; i++) {
                const XtRecentList *l = &s->lists[i];
                for (size_t k = 0; k < l->n_entries; k++) {
                        const XtRecentEntry *e = &l->entries[k];
                        if (keep && !keep(e, userdata))
                                continue;
                        MIX(l->name, strlen(l->name) + 1);
                        MIX(&e->family, 1);
                        MIX(e->addr, 16);
                        MIX(&e->index, sizeof(e->index));
                        MIX(l->stamps + e->first, e->n * sizeof(uint64_t));
                }
        }
#undef MIX
        return h;
}

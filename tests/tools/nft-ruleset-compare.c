/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "nft-ruleset-compare.h"

#define REPORT_MAX 50u

typedef struct Diff {
        FILE *out;
        unsigned n;
} Diff;

__attribute__((format(printf, 2, 3))) static void diff(Diff *d, const char *fmt, ...) {
        va_list ap;
        if (d->n++ >= REPORT_MAX || !d->out)
                return;
        va_start(ap, fmt);
        vfprintf(d->out, fmt, ap);
        va_end(ap);
        fputc('\n', d->out);
}

static bool str_eq(const char *a, const char *b) {
        return a == b || (a && b && strcmp(a, b) == 0);
}

static const char *str_or(const char *s) {
        return s ? s : "(none)";
}

static void compare_devices(Diff *d, const char *where, char **a, char **b) {
        size_t i = 0;
        for (; a && b && a[i] && b[i]; i++)
                if (strcmp(a[i], b[i]) != 0)
                        diff(d, "%s: device %zu %s, not %s", where, i, b[i], a[i]);
        if ((a && a[i]) || (b && b[i]))
                diff(d, "%s: device lists differ in length", where);
}

static void compare_rules(Diff *d, const char *where, const NftRuleset *ra, const NftTable *ta, const NftChain *a,
                          const NftRuleset *rb, const NftTable *tb, const NftChain *b) {
        if (a->n_rules != b->n_rules)
                diff(d, "%s: %zu rules, not %zu", where, b->n_rules, a->n_rules);
        for (size_t k = 0; k < a->n_rules && k < b->n_rules; k++) {
                const NftRule *x = &a->rules[k], *y = &b->rules[k];
                if (x->handle != y->handle) {
                        diff(d, "%s rule %zu: handle %" PRIu64 ", not %" PRIu64, where, k, y->handle, x->handle);
                        continue;
                }
                if (!str_eq(nft_pool(ra, x->comment_off), nft_pool(rb, y->comment_off)))
                        diff(d, "%s handle %" PRIu64 ": comment differs", where, x->handle);
                /* what lets the evaluator pass rules of the other family */
                if (x->nfproto != y->nfproto || x->nfproto_reg != y->nfproto_reg || x->run != y->run)
                        diff(d, "%s handle %" PRIu64 ": family %u reg %u run %u, not %u %u %u", where, x->handle,
                             y->nfproto, y->nfproto_reg, y->run, x->nfproto, x->nfproto_reg, x->run);
                bool kinds = x->n_expr == y->n_expr;
                for (uint32_t e = 0; kinds && e < x->n_expr; e++)
                        kinds = nft_rule_expr(ra, x, e)->kind == nft_rule_expr(rb, y, e)->kind;
                if (!kinds)
                        diff(d, "%s handle %" PRIu64 ": expressions differ", where, x->handle);
                char *tx = nft_rule_render(ra, ta, x), *ty = nft_rule_render(rb, tb, y);
                if (!tx || !ty || strcmp(tx, ty) != 0)
                        diff(d, "%s handle %" PRIu64 ": \"%s\", not \"%s\"", where, x->handle, str_or(ty), str_or(tx));
                free(tx);
                free(ty);
        }
}

static void compare_chain(Diff *d, const char *table, const NftRuleset *ra, const NftTable *ta, const NftChain *a,
                          const NftRuleset *rb, const NftTable *tb, const NftChain *b) {
        char where[600];
        snprintf(where, sizeof(where), "%s chain %s", table, a->name);
        if (!str_eq(a->name, b->name)) {
                diff(d, "%s: named %s", where, b->name);
                return;
        }
        if (a->handle != b->handle || a->hook != b->hook || a->priority != b->priority || a->policy != b->policy ||
            a->flags != b->flags || !str_eq(a->type, b->type))
                diff(d, "%s: handle %" PRIu64 " hook %d priority %d policy %d flags %u type %s, not %" PRIu64
                        " %d %d %d %u %s", where, b->handle, b->hook, b->priority, b->policy, b->flags,
                     str_or(b->type), a->handle, a->hook, a->priority, a->policy, a->flags, str_or(a->type));
        compare_devices(d, where, a->devices, b->devices);
        compare_rules(d, where, ra, ta, a, rb, tb, b);
}

static bool bytes_eq(const NftRuleset *ra, uint32_t a, const NftRuleset *rb, uint32_t b, size_t len) {
        if (!a || !b)
                return !a == !b;
        return memcmp(nft_pool(ra, a), nft_pool(rb, b), len) == 0;
}

static void compare_set(Diff *d, const NftRuleset *ra, const NftSet *a, const NftRuleset *rb, const NftSet *b) {
        char where[600];
        snprintf(where, sizeof(where), "%s %s set %s", nft_family_name(ra->tables[a->table].family),
                 ra->tables[a->table].name, a->name);
        if (a->table != b->table || !str_eq(a->name, b->name)) {
                diff(d, "%s: is %s in table %u", where, b->name, b->table);
                return;
        }
        if (a->handle != b->handle || a->id != b->id || a->flags != b->flags || a->key_type != b->key_type ||
            a->key_len != b->key_len || a->data_type != b->data_type || a->data_len != b->data_len ||
            a->n_concat != b->n_concat || memcmp(a->concat_len, b->concat_len, sizeof(a->concat_len)) != 0)
                diff(d, "%s: attributes differ (handle %" PRIu64 "/%" PRIu64 ", flags %#x/%#x)", where, a->handle,
                     b->handle, a->flags, b->flags);
        if (a->elems_complete != b->elems_complete || a->n_elems != b->n_elems) {
                diff(d, "%s: %s%zu elements, not %s%zu", where, b->elems_complete ? "" : "incomplete, ", b->n_elems,
                     a->elems_complete ? "" : "incomplete, ", a->n_elems);
                return;
        }
        for (size_t i = 0; i < a->n_elems; i++) {
                const NftSetElem *x = &a->elems[i], *y = &b->elems[i];
                if (!bytes_eq(ra, x->key_off, rb, y->key_off, a->key_len) ||
                    !bytes_eq(ra, x->key_end_off, rb, y->key_end_off, a->key_len) ||
                    !bytes_eq(ra, x->data_off, rb, y->data_off, a->data_len) ||
                    !str_eq(nft_pool(ra, x->chain_off), nft_pool(rb, y->chain_off)) || x->verdict != y->verdict ||
                    x->flags != y->flags)
                        diff(d, "%s: element %zu differs", where, i);
        }
}

unsigned nft_ruleset_compare(const NftRuleset *a, const NftRuleset *b, FILE *out) {
        Diff d = { .out = out };

        if (a->have_genid != b->have_genid || a->genid != b->genid)
                diff(&d, "generation %u, not %u", b->genid, a->genid);
        if (a->n_tables != b->n_tables)
                diff(&d, "%zu tables, not %zu", b->n_tables, a->n_tables);
        for (size_t i = 0; i < a->n_tables && i < b->n_tables; i++) {
                const NftTable *ta = &a->tables[i], *tb = &b->tables[i];
                char where[300];
                snprintf(where, sizeof(where), "table %s %s", nft_family_name(ta->family), ta->name);
                if (ta->family != tb->family || !str_eq(ta->name, tb->name)) {
                        diff(&d, "%s: is %s %s", where, nft_family_name(tb->family), tb->name);
                        continue;
                }
                if (ta->handle != tb->handle || ta->flags != tb->flags || ta->legacy != tb->legacy)
                        diff(&d, "%s: handle %" PRIu64 " flags %u, not %" PRIu64 " %u", where, tb->handle, tb->flags,
                             ta->handle, ta->flags);
                if (ta->n_chains != tb->n_chains)
                        diff(&d, "%s: %zu chains, not %zu", where, tb->n_chains, ta->n_chains);
                for (size_t j = 0; j < ta->n_chains && j < tb->n_chains; j++)
                        compare_chain(&d, where, a, ta, &ta->chains[j], b, tb, &tb->chains[j]);
        }
        if (a->n_sets != b->n_sets)
                diff(&d, "%zu sets, not %zu", b->n_sets, a->n_sets);
        for (size_t i = 0; i < a->n_sets && i < b->n_sets; i++)
                compare_set(&d, a, &a->sets[i], b, &b->sets[i]);
        if (d.n > REPORT_MAX && out)
                fprintf(out, "(%u more differences)\n", d.n - REPORT_MAX);
        return d.n;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transitions.h"

typedef struct Entry {
        char *id;
        SgFinding finding;              /* the last one seen */
        bool open;
        /* the limiter: transitions within the current window */
        uint64_t window_start;
        unsigned changes;
        bool flapping;
        unsigned held_back;
} Entry;

struct SgTracker {
        uint64_t interval;
        unsigned burst;
        Entry *entries;
        size_t n_entries;
        SgFinding *open_view;           /* for sg_tracker_open() */
};

/* The evidence keys that say where a problem is, in a fixed order. */
static const char *const identity_keys[] = {
        "unit", "port", "family", "interface", "config_file", "config_line",
        "rule_family", "rule_table", "rule_chain", "rule_handle", "rules", "source", NULL };

char *sg_finding_identity(const SgFinding *f) {
        char *s = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&s, &len);

        if (!m)
                return NULL;
        fputs(sg_cause_to_string(f->cause) ? sg_cause_to_string(f->cause) : "?", m);
        for (size_t i = 0; identity_keys[i]; i++) {
                const char *v = sg_finding_get(f, identity_keys[i]);
                if (v)
                        fprintf(m, "\x1f%s=%s", identity_keys[i], v);
        }
        if (fclose(m) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

static int finding_copy(const SgFinding *src, SgFinding *dst) {
        *dst = (SgFinding) { .cause = src->cause, .unreachable = src->unreachable, .priority = src->priority };
        if (src->message && !(dst->message = strdup(src->message)))
                goto oom;
        if (src->statement && !(dst->statement = strdup(src->statement)))
                goto oom;
        if (src->n_evidence > 0) {
                dst->evidence = calloc(src->n_evidence, sizeof(SgEvidence));
                if (!dst->evidence)
                        goto oom;
                for (size_t i = 0; i < src->n_evidence; i++) {
                        dst->evidence[i].key = strdup(src->evidence[i].key);
                        dst->evidence[i].value = strdup(src->evidence[i].value);
                        dst->n_evidence++;
                        if (!dst->evidence[i].key || !dst->evidence[i].value)
                                goto oom;
                }
        }
        return 0;
oom:
        sg_finding_done(dst);
        return -ENOMEM;
}

int sg_tracker_new(uint64_t interval_usec, unsigned burst, SgTracker **ret) {
        SgTracker *t = calloc(1, sizeof(*t));

        if (!t)
                return -ENOMEM;
        t->interval = interval_usec;
        t->burst = burst > 0 ? burst : 1;
        *ret = t;
        return 0;
}

void sg_tracker_set_limits(SgTracker *t, uint64_t interval_usec, unsigned burst) {
        t->interval = interval_usec;
        t->burst = burst > 0 ? burst : 1;
}

SgTracker *sg_tracker_free(SgTracker *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_entries; i++) {
                free(t->entries[i].id);
                sg_finding_done(&t->entries[i].finding);
        }
        free(t->entries);
        free(t->open_view);
        free(t);
        return NULL;
}

void sg_transitions_free(SgTransition *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                sg_finding_done(&v[i].finding);
        free(v);
}

typedef struct Out {
        SgTransition *v;
        size_t n;
        int error;
} Out;

static void emit(Out *o, SgTransitionKind kind, const Entry *e) {
        SgTransition *nv;

        if (o->error)
                return;
        nv = reallocarray(o->v, o->n + 1, sizeof(SgTransition));
        if (!nv) {
                o->error = -ENOMEM;
                return;
        }
        o->v = nv;
        nv[o->n] = (SgTransition) { .kind = kind, .open = e->open, .held_back = e->held_back };
        if (finding_copy(&e->finding, &nv[o->n].finding) < 0) {
                o->error = -ENOMEM;
                return;
        }
        o->n++;
}

/* A window that has run out ends a flapping spell with its summary. */
static void window_roll(SgTracker *t, Entry *e, uint64_t now, Out *o) {
        if (t->interval == 0 || now - e->window_start < t->interval)
                return;
        if (e->flapping) {
                emit(o, SG_TRANSITION_SUMMARY, e);
                e->flapping = false;
                e->held_back = 0;
        }
        e->window_start = now;
        e->changes = 0;
}

static void transition(SgTracker *t, Entry *e, SgTransitionKind kind, uint64_t now, Out *o) {
        if (t->interval == 0) {
                emit(o, kind, e);
                return;
        }
        window_roll(t, e, now, o);
        e->changes++;
        if (e->changes <= t->burst)
                emit(o, kind, e);
        else if (!e->flapping) {
                e->flapping = true;
                emit(o, SG_TRANSITION_FLAPPING, e);
        } else
                e->held_back++;
}

/* The same problem, but the unit's outcome changed (exit-code, then
 * start-limit-hit when systemd gives up): worth an entry of its own, since
 * what the administrator must do changed. */
static bool escalation_changed(const SgFinding *old, const SgFinding *new) {
        const char *a = sg_finding_get(old, "unit_result"), *b = sg_finding_get(new, "unit_result");
        return a && b && strcmp(a, b) != 0;
}

static Entry *entry_find(SgTracker *t, const char *id) {
        for (size_t i = 0; i < t->n_entries; i++)
                if (strcmp(t->entries[i].id, id) == 0)
                        return &t->entries[i];
        return NULL;
}

int sg_tracker_update(SgTracker *t, const SgFinding *findings, size_t n, uint64_t now_usec, SgTransition **ret,
                      size_t *n_ret) {
        Out o = {};
        bool *seen = NULL;

        /* summaries that came due */
        for (size_t i = 0; i < t->n_entries; i++)
                window_roll(t, &t->entries[i], now_usec, &o);

        for (size_t k = 0; k < n && !o.error; k++) {
                char *id = sg_finding_identity(&findings[k]);
                Entry *e;
                SgFinding copy;

                if (!id || finding_copy(&findings[k], &copy) < 0) {
                        free(id);
                        o.error = -ENOMEM;
                        break;
                }
                e = entry_find(t, id);
                if (!e) {
                        Entry *nv = reallocarray(t->entries, t->n_entries + 1, sizeof(Entry));
                        if (!nv) {
                                free(id);
                                sg_finding_done(&copy);
                                o.error = -ENOMEM;
                                break;
                        }
                        t->entries = nv;
                        e = &nv[t->n_entries++];
                        *e = (Entry) { .id = id, .window_start = now_usec };
                } else
                        free(id);
                /* the newest wording and evidence (who changed the rule...) */
                bool escalated = e->open && escalation_changed(&e->finding, &copy);
                sg_finding_done(&e->finding);
                e->finding = copy;
                if (!e->open || escalated) {
                        e->open = true;
                        transition(t, e, SG_TRANSITION_PROBLEM, now_usec, &o);
                }
        }

        seen = calloc(t->n_entries ? t->n_entries : 1, sizeof(bool));
        if (!seen)
                o.error = o.error ? o.error : -ENOMEM;
        for (size_t k = 0; k < n && seen && !o.error; k++) {
                char *id = sg_finding_identity(&findings[k]);
                Entry *e = id ? entry_find(t, id) : NULL;
                if (e)
                        seen[e - t->entries] = true;
                free(id);
        }
        for (size_t i = 0; seen && !o.error && i < t->n_entries; i++) {
                Entry *e = &t->entries[i];
                if (e->open && !seen[i]) {
                        e->open = false;
                        transition(t, e, SG_TRANSITION_RESOLVED, now_usec, &o);
                }
        }
        free(seen);

        /* forget problems that are closed and quiet */
        for (size_t i = 0; !o.error && i < t->n_entries;) {
                Entry *e = &t->entries[i];
                if (!e->open && !e->flapping && (t->interval == 0 || now_usec - e->window_start >= t->interval)) {
                        free(e->id);
                        sg_finding_done(&e->finding);
                        t->entries[i] = t->entries[--t->n_entries];
                } else
                        i++;
        }

        if (o.error) {
                sg_transitions_free(o.v, o.n);
                return o.error;
        }
        *ret = o.v;
        *n_ret = o.n;
        return 0;
}

int sg_tracker_restore(SgTracker *t, const SgFinding *open, size_t n, uint64_t now_usec) {
        for (size_t k = 0; k < n; k++) {
                char *id = sg_finding_identity(&open[k]);
                Entry *e, *nv;
                SgFinding copy;

                if (!id)
                        return -ENOMEM;
                if (entry_find(t, id)) {
                        free(id);
                        continue;
                }
                if (finding_copy(&open[k], &copy) < 0) {
                        free(id);
                        return -ENOMEM;
                }
                nv = reallocarray(t->entries, t->n_entries + 1, sizeof(Entry));
                if (!nv) {
                        free(id);
                        sg_finding_done(&copy);
                        return -ENOMEM;
                }
                t->entries = nv;
                e = &nv[t->n_entries++];
                *e = (Entry) { .id = id, .window_start = now_usec, .open = true, .finding = copy };
        }
        return 0;
}

uint64_t sg_tracker_next_due(const SgTracker *t) {
        uint64_t due = 0;

        for (size_t i = 0; t->interval > 0 && i < t->n_entries; i++)
                if (t->entries[i].flapping && (due == 0 || t->entries[i].window_start + t->interval < due))
                        due = t->entries[i].window_start + t->interval;
        return due;
}

size_t sg_tracker_open(SgTracker *t, const SgFinding **ret) {
        SgFinding *v = reallocarray(t->open_view, t->n_entries ? t->n_entries : 1, sizeof(SgFinding));
        size_t n = 0;

        if (!v) {
                *ret = NULL;
                return 0;
        }
        t->open_view = v;
        for (size_t i = 0; i < t->n_entries; i++)
                if (t->entries[i].open)
                        v[n++] = t->entries[i].finding;        /* shallow: valid until the next update */
        *ret = v;
        return n;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The journal entries: one per problem transition, with the fields of
 * DESIGN.md's table, or one JSON object per entry on stdout
 * (--log-target=console).  Nothing here decides: the transition and its
 * finding come from lib (diagnose, transitions).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>

#include <systemd/sd-journal.h>

#include "json.h"
#include "sshguardiand.h"
#include "strv.h"

static const char *transition_state(const SgTransition *t) {
        switch (t->kind) {
        case SG_TRANSITION_RESOLVED: return "resolved";
        case SG_TRANSITION_SUMMARY: return t->open ? "problem" : "resolved";
        default: return "problem";
        }
}

static char *transition_message(const SgTransition *t) {
        const char *cause = sg_cause_to_string(t->finding.cause);
        char *s = NULL;
        int r;

        switch (t->kind) {
        case SG_TRANSITION_RESOLVED:
                /* what was wrong, without the fix it needed */
                r = asprintf(&s, "Resolved (%s), no longer so: %s", cause,
                             t->finding.statement ? t->finding.statement : t->finding.message);
                break;
        case SG_TRANSITION_FLAPPING:
                r = asprintf(&s, "%s keeps opening and closing; further changes are summarised: %s", cause,
                             t->finding.message);
                break;
        case SG_TRANSITION_SUMMARY:
                r = asprintf(&s, "%s changed %u more times; it is %s now: %s", cause, t->held_back,
                             t->open ? "open" : "resolved", t->finding.message);
                break;
        default:
                r = asprintf(&s, "%s", t->finding.message);
                break;
        }
        return r < 0 ? NULL : s;
}

static int transition_priority(const SgTransition *t) {
        if (t->kind == SG_TRANSITION_RESOLVED || (t->kind == SG_TRANSITION_SUMMARY && !t->open))
                return LOG_NOTICE;
        return t->finding.priority > 0 ? t->finding.priority : sg_cause_priority(t->finding.cause);
}

/* FIELD=VALUE strings of one entry, in the order they are written */
static char **transition_fields(const SgTransition *t) {
        char **v = calloc(8 + t->finding.n_evidence, sizeof(char *));
        char *msg = transition_message(t);
        size_t n = 0;
        bool ok = v && msg;

#define ADD(...) do { if (ok && asprintf(&v[n], __VA_ARGS__) >= 0) n++; else ok = false; } while (0)
        ADD("MESSAGE=%s", msg ? msg : "");
        ADD("MESSAGE_ID=%s", sg_cause_message_id(t->finding.cause));
        ADD("PRIORITY=%d", transition_priority(t));
        ADD("SYSLOG_IDENTIFIER=sshguardiand");
        ADD("SSHGUARDIAN_CAUSE=%s", sg_cause_to_string(t->finding.cause));
        ADD("SSHGUARDIAN_STATE=%s", transition_state(t));
        if (t->kind == SG_TRANSITION_FLAPPING)
                ADD("SSHGUARDIAN_FLAPPING=1");
        else if (t->kind == SG_TRANSITION_SUMMARY)
                ADD("SSHGUARDIAN_HELD_BACK=%u", t->held_back);
        for (size_t i = 0; i < t->finding.n_evidence; i++) {
                char key[64];
                size_t k = 0;
                for (const char *c = t->finding.evidence[i].key; *c && k < sizeof(key) - 1; c++)
                        key[k++] = (*c >= 'a' && *c <= 'z') ? (char) (*c - 'a' + 'A') : *c;
                key[k] = '\0';
                ADD("SSHGUARDIAN_%s=%s", key, t->finding.evidence[i].value);
        }
#undef ADD
        free(msg);
        if (!ok) {
                strv_free(v);
                return NULL;
        }
        return v;
}

static int journal_write(char **fields) {
        size_t n = strv_length(fields);
        struct iovec *iov = calloc(n ? n : 1, sizeof(struct iovec));
        int r;

        if (!iov)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                iov[i] = (struct iovec) { .iov_base = fields[i], .iov_len = strlen(fields[i]) };
        r = sd_journal_sendv(iov, (int) n);
        free(iov);
        return r;
}

void manager_journal_queue_free(Manager *m) {
        for (size_t i = 0; i < m->n_journal_queue; i++)
                strv_free(m->journal_queue[i]);
        m->n_journal_queue = 0;
}

/* Whether the journal holds an entry with exactly FIELDS, its
 * SSHGUARDIAN_TIMESTAMP (when it happened, to the microsecond) included:
 * one the previous instance wrote before it was killed, and before it
 * could take it out of the state file. */
static bool journal_has_entry(char **fields) {
        sd_journal *j = NULL;
        bool stamped = false, found = false;
        int r;

        for (size_t i = 0; fields[i]; i++)
                stamped = stamped || strncmp(fields[i], "SSHGUARDIAN_TIMESTAMP=", 22) == 0;
        if (!stamped || sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM) < 0)
                return false;
        r = 0;
        for (size_t i = 0; r >= 0 && fields[i]; i++)
                r = sd_journal_add_match(j, fields[i], 0);
        if (r >= 0 && sd_journal_seek_tail(j) >= 0)
                found = sd_journal_previous(j) > 0;
        sd_journal_close(j);
        return found;
}

/* Writes what was kept, oldest first; stops at the first refusal.
 * Returns whether the queue changed (the caller saves the state). */
bool manager_journal_flush(Manager *m) {
        size_t done = 0;
        bool changed = false;
        int r = 0;

        while (done < m->n_journal_queue) {
                char **fields = m->journal_queue[done];

                if (done < m->n_journal_inherited && journal_has_entry(fields)) {
                        if (m->debug)
                                log_errno(LOG_DEBUG, 0, "journal: already written before the restart: %s", fields[0]);
                } else if ((r = journal_write(fields)) < 0)
                        break;
                strv_free(fields);
                done++;
        }
        if (done > 0) {
                memmove(m->journal_queue, m->journal_queue + done,
                        (m->n_journal_queue - done) * sizeof(m->journal_queue[0]));
                m->n_journal_queue -= done;
                m->n_journal_inherited = m->n_journal_inherited > done ? m->n_journal_inherited - done : 0;
                changed = true;
        }
        if (m->n_journal_queue > 0 || m->journal_dropped == 0)
                return changed;
        /* everything kept is written: now say what could not be kept */
        r = sd_journal_send("MESSAGE=%u sshguardian entries were lost: the journal was unavailable and at most %d "
                            "are kept until it is back; sshguardianctl status shows what is open now",
                            m->journal_dropped, JOURNAL_QUEUE_MAX,
                            "PRIORITY=%d", LOG_WARNING, "SYSLOG_IDENTIFIER=sshguardiand",
                            "SSHGUARDIAN_DROPPED=%u", m->journal_dropped, NULL);
        if (r >= 0) {
                m->journal_dropped = 0;
                changed = true;
        }
        return changed;
}

void manager_report_transition(Manager *m, const SgTransition *t) {
        char **fields = transition_fields(t);
        size_t n = strv_length(fields);

        if (!fields) {
                log_errno(LOG_ERR, -ENOMEM, "Cannot write an entry for %s", sg_cause_to_string(t->finding.cause));
                return;
        }
        if (m->log_target == LOG_TARGET_CONSOLE) {
                JsonWriter w;
                json_init(&w, stdout, false);
                json_object_begin(&w);
                for (size_t i = 0; i < n; i++) {
                        const char *eq = strchr(fields[i], '=');
                        char *key = strndup(fields[i], (size_t) (eq - fields[i]));
                        json_key(&w, key ? key : "?");
                        json_string(&w, eq + 1);
                        free(key);
                }
                json_object_end(&w);
                (void) json_finish(&w);
                fflush(stdout);
        } else {
                int r = -EAGAIN;

                /* in order: what is kept goes first (the audit saves the
                 * state once every transition is written or kept) */
                (void) manager_journal_flush(m);
                if (m->n_journal_queue == 0)
                        r = journal_write(fields);
                if (r < 0) {
                        /* journald stopped (its socket refuses): kept, with
                         * the time it happened, for when it is back */
                        struct timespec ts;
                        char **more = realloc(fields, (n + 2) * sizeof(char *));

                        if (more) {
                                fields = more;
                                clock_gettime(CLOCK_REALTIME, &ts);
                                if (asprintf(&fields[n], "SSHGUARDIAN_TIMESTAMP=%llu",
                                             (unsigned long long) ts.tv_sec * 1000000ULL +
                                             (unsigned long long) ts.tv_nsec / 1000ULL) < 0)
                                        fields[n] = NULL;
                                fields[n + 1] = NULL;
                        }
                        if (r != -EAGAIN)
                                log_errno(LOG_ERR, r, "Cannot write to the journal, kept for later: %s", fields[0]);
                        if (more && m->n_journal_queue < JOURNAL_QUEUE_MAX) {
                                m->journal_queue[m->n_journal_queue++] = fields;
                                fields = NULL;
                        } else
                                m->journal_dropped++;
                }
        }
        strv_free(fields);
}

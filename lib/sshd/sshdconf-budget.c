/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The budget of one load.  sshd has none: an Include whose glob has a
 * wildcard for each of eight directory levels keeps it (and a model that
 * follows it) walking the file system for minutes, and a daemon whose
 * event loop does that is killed by its watchdog.  Past the budget the model stops and says it cannot tell, and
 * why; it never guesses "valid" or "invalid".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sshdconf-internal.h"

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

void budget_init(Budget *b, const SshdConfigOptions *opts) {
        *b = (Budget) {
                .max_files = opts && opts->max_files ? opts->max_files : SSHD_DEFAULT_MAX_FILES,
                .max_dir_entries = opts && opts->max_dir_entries ? opts->max_dir_entries :
                                                                   SSHD_DEFAULT_MAX_DIR_ENTRIES,
                .max_bytes = opts && opts->max_bytes ? opts->max_bytes : SSHD_DEFAULT_MAX_BYTES,
                .max_usec = opts && opts->max_usec ? opts->max_usec : SSHD_DEFAULT_MAX_USEC,
        };
        b->deadline = now_usec() + b->max_usec;
}

bool budget_time_spent(const Budget *b) {
        return now_usec() >= b->deadline;
}

const char *budget_time_text(const Budget *b, char buf[static 32]) {
        snprintf(buf, 32, "%g s", (double) b->max_usec / 1e6);
        return buf;
}

void budget_stop(ParseCtx *p, const char *fmt, ...) {
        va_list ap;

        p->stop = true;
        if (p->c->undecided)
                return;
        va_start(ap, fmt);
        if (vasprintf(&p->c->undecided, fmt, ap) < 0) {
                p->c->undecided = NULL;
                parse_oom(p);
        }
        va_end(ap);
}

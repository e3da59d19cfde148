/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The open problems kept in the state directory ($STATE_DIRECTORY, which
 * systemd makes for StateDirectory=sshguardian): a daemon killed and
 * started again (SIGKILL, a crash, Restart=on-failure) rebuilds what it
 * had reported from the facts and this file, so that no problem already
 * written is written again as new, and one that ended while it was down
 * gets its resolved entry.  Nothing is written anywhere else.
 *
 * The entries the journal refused (journald stopped) are kept in the same
 * file, written with the open problems in one rename: a problem counted
 * as reported is one whose entry is either in the journal or in this
 * file, never one of the two only.  The file:
 *
 *   boot SECONDS
 *   queue ENTRIES DROPPED      (only while entries wait)
 *   J\tFIELD=VALUE\t...       one line per waiting entry, oldest first
 *   F\t... M\t... S\t... E\t...  the open problems (lib/findings.h)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "atomic-file.h"
#include "macro.h"
#include "sshguardiand.h"
#include "strv.h"

#define STATE_FILE "open-problems"
#define STATE_MAX (1024 * 1024)
/* JOURNAL_QUEUE_MAX entries of at most this size stay well within it */
#define QUEUE_ENTRY_MAX (8 * 1024)
_Static_assert(JOURNAL_QUEUE_MAX * QUEUE_ENTRY_MAX <= STATE_MAX / 2, "the open problems need room too");
/* how far two readings of the boot time may differ (clock steps, NTP) */
#define SAME_BOOT_SEC 120

/* When this boot began, in CLOCK_REALTIME seconds: what tells a restart
 * of the daemon from a reboot of the host (after which every open problem
 * is announced afresh).  /proc/sys's boot_id is hidden by ProcSubset=pid. */
static long long boot_started(void) {
        struct timespec rt, bt;

        if (clock_gettime(CLOCK_REALTIME, &rt) < 0 || clock_gettime(CLOCK_BOOTTIME, &bt) < 0)
                return 0;
        return (long long) rt.tv_sec - (long long) bt.tv_sec;
}

/* $STATE_DIRECTORY/open-problems, or NULL: no state directory (run by
 * hand, or by a unit without StateDirectory=). */
static char *state_path(void) {
        const char *dir = getenv("STATE_DIRECTORY");
        char *p;

        /* several directories are ':'-separated: the first is ours */
        if (!dir || !*dir || *dir != '/')
                return NULL;
        if (asprintf(&p, "%.*s/%s", (int) strcspn(dir, ":"), dir, STATE_FILE) < 0)
                return NULL;
        return p;
}

/* "queue N DROPPED" and N "J" lines at BODY: the entries the previous
 * instance could not write, taken over whatever boot they belong to (each
 * says when it happened: SSHGUARDIAN_TIMESTAMP).  Returns where the open
 * problems begin. */
static const char *queue_load(Manager *m, const char *body, const char *end, const char *path) {
        unsigned long n = 0, dropped = 0;
        size_t bad = 0;
        char extra;

        if (end - body < 6 || memcmp(body, "queue ", 6) != 0)
                return body;
        const char *nl = memchr(body, '\n', (size_t) (end - body));
        char head[64];
        size_t hl = (size_t) ((nl ? nl : end) - body);
        if (hl >= sizeof(head))
                hl = sizeof(head) - 1;
        memcpy(head, body, hl);
        head[hl] = '\0';
        if (sscanf(head, "queue %lu %lu%c", &n, &dropped, &extra) != 2 || n > JOURNAL_QUEUE_MAX) {
                log_errno(LOG_WARNING, -EBADMSG, "Ignoring the waiting journal entries in %s", path);
                n = 0;
        }
        body = nl ? nl + 1 : end;
        for (unsigned long i = 0; i < n && body < end; i++) {
                const char *e = memchr(body, '\n', (size_t) (end - body));
                char **fields = NULL;

                if (!e)
                        e = end;
                if (sg_entry_parse(body, (size_t) (e - body), &fields) < 0)
                        bad++;
                else if (m->n_journal_queue < JOURNAL_QUEUE_MAX)
                        m->journal_queue[m->n_journal_queue++] = fields;
                else
                        strv_free(fields), bad++;
                body = e < end ? e + 1 : end;
        }
        /* what cannot be read is counted with what was dropped: the
         * SSHGUARDIAN_DROPPED entry says so once the journal is back */
        m->journal_dropped += (unsigned) dropped + (unsigned) bad;
        m->n_journal_inherited = m->n_journal_queue;
        if (m->debug)
                log_errno(LOG_DEBUG, 0, "state: %zu journal entr%s waiting, %lu dropped, %zu unreadable",
                          m->n_journal_queue, m->n_journal_queue == 1 ? "y" : "ies", dropped, bad);
        return body;
}

int manager_state_load(Manager *m) {
        _cleanup_free_ char *path = state_path(), *buf = NULL;
        _cleanup_close_ int fd = -1;
        SgFinding *v = NULL;
        size_t n = 0, len = 0;
        struct stat st;
        int r;

        if (!path)
                return 0;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return errno == ENOENT ? 0 : log_errno(LOG_WARNING, -errno, "Cannot read %s", path);
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > STATE_MAX)
                return log_errno(LOG_WARNING, -EINVAL, "Ignoring %s: not a regular file of at most %d bytes", path,
                                 STATE_MAX);
        buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        while (len < (size_t) st.st_size) {
                ssize_t k = read(fd, buf + len, (size_t) st.st_size - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                len += (size_t) k;
        }
        /* "boot SECONDS" first: another boot's problems are not ours */
        long long then;
        char *body = memchr(buf, '\n', len);
        buf[len] = '\0';
        if (!body || sscanf(buf, "boot %lld", &then) != 1)
                return log_errno(LOG_WARNING, -EBADMSG, "Ignoring %s", path);
        body = (char *) queue_load(m, body + 1, buf + len, path);
        if (llabs(then - boot_started()) > SAME_BOOT_SEC)
                return 0;
        r = sg_findings_parse(body, len - (size_t) (body - buf), &v, &n);
        if (r < 0)
                return log_errno(LOG_WARNING, r, "Ignoring %s", path);
        r = sg_tracker_restore(m->tracker, v, n, now_usec());
        if (r >= 0 && m->debug)
                log_errno(LOG_DEBUG, 0, "state: %zu open problem%s reported before", n, n == 1 ? "" : "s");
        sg_findings_free(v, n);
        return r;
}

/* An entry too large for the file is counted as dropped: the file stays
 * within what manager_state_load() reads (STATE_MAX). */
static size_t entry_size(char *const *fields) {
        size_t z = 2;

        for (size_t i = 0; fields[i]; i++)
                z += 2 * strlen(fields[i]) + 1;         /* escaped at worst */
        return z;
}

static int write_state(FILE *f, const void *data) {
        const Manager *m = data;
        const SgFinding *open = NULL;
        size_t n = sg_tracker_open(m->tracker, &open), kept = 0;
        unsigned dropped = m->journal_dropped;
        int r = 0;

        fprintf(f, "boot %lld\n", boot_started());
        for (size_t i = 0; i < m->n_journal_queue; i++)
                if (entry_size(m->journal_queue[i]) <= QUEUE_ENTRY_MAX)
                        kept++;
                else
                        dropped++;
        if (kept > 0 || dropped > 0)
                fprintf(f, "queue %zu %u\n", kept, dropped);
        for (size_t i = 0; i < m->n_journal_queue && r >= 0; i++)
                if (entry_size(m->journal_queue[i]) <= QUEUE_ENTRY_MAX)
                        r = sg_entry_write(f, m->journal_queue[i]);
        if (r < 0)
                return r;
        return sg_findings_write(f, open, n);
}

int manager_state_save(Manager *m) {
        _cleanup_free_ char *path = state_path();
        int r;

        if (!path)
                return 0;
        r = write_file_atomic(path, 0600, write_state, m);
        if (r < 0)
                return log_errno(LOG_WARNING, r, "Cannot write %s", path);
        return 0;
}

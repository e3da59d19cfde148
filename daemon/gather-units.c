/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <systemd/sd-journal.h>

#include "gather-units.h"
#include "sshguardian-bus.h"
#include "strv.h"

const char *const sshd_default_units[] = { "ssh.service", "sshd.service", "ssh.socket", NULL };


static const char *keep(SshdUnitsFacts *f, char *s) {
        char **n;

        if (!s)
                return NULL;
        n = reallocarray(f->strings, f->n_strings + 1, sizeof(char *));
        if (!n) {
                free(s);
                return NULL;
        }
        f->strings = n;
        n[f->n_strings++] = s;
        return s;
}

/* One interface's properties in one call (GetAll is answered from one
 * state of systemd's): the keys below, the rest skipped. */
static int unit_props_read(sd_bus *bus, const char *path, const char *iface, SshdUnitsFacts *f, SgUnitFacts *u,
                           char **load) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_call_method(bus, SYSTEMD_DEST, path, "org.freedesktop.DBus.Properties", "GetAll", &error, &reply, "s",
                               iface);
        sd_bus_error_free(&error);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r > 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *key, *str;
                int32_t i32;
                uint32_t u32;
                uint64_t u64;

                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        break;
                if (strcmp(key, "LoadState") == 0 && load && (r = sd_bus_message_read(reply, "v", "s", &str)) >= 0) {
                        free(*load);
                        *load = strdup(str);
                } else if (strcmp(key, "ActiveState") == 0 && (r = sd_bus_message_read(reply, "v", "s", &str)) >= 0)
                        u->active_state = keep(f, strdup(str));
                else if (strcmp(key, "SubState") == 0 && (r = sd_bus_message_read(reply, "v", "s", &str)) >= 0)
                        u->sub_state = keep(f, strdup(str));
                else if (strcmp(key, "UnitFileState") == 0 && (r = sd_bus_message_read(reply, "v", "s", &str)) >= 0)
                        u->enabled = strncmp(str, "enabled", 7) == 0;
                else if (strcmp(key, "Result") == 0 && (r = sd_bus_message_read(reply, "v", "s", &str)) >= 0)
                        u->result = keep(f, strdup(str));
                else if (strcmp(key, "InactiveEnterTimestamp") == 0 &&
                         (r = sd_bus_message_read(reply, "v", "t", &u64)) >= 0)
                        u->inactive_enter_usec = u64;
                else if (strcmp(key, "MainPID") == 0 && (r = sd_bus_message_read(reply, "v", "u", &u32)) >= 0)
                        u->main_pid = (pid_t) u32;
                else if (strcmp(key, "ExecMainCode") == 0 && (r = sd_bus_message_read(reply, "v", "i", &i32)) >= 0)
                        f->exec_main_code = i32;
                else if (strcmp(key, "ExecMainStatus") == 0 && (r = sd_bus_message_read(reply, "v", "i", &i32)) >= 0)
                        f->exec_main_status = i32;
                else if (strcmp(key, "ExecMainPID") == 0 && (r = sd_bus_message_read(reply, "v", "u", &u32)) >= 0)
                        f->exec_main_pid = (pid_t) u32;
                else if (strcmp(key, "ExecMainStartTimestamp") == 0 &&
                         (r = sd_bus_message_read(reply, "v", "t", &u64)) >= 0)
                        f->exec_main_start_usec = u64;
                else if (strcmp(key, "ExecStartPre") == 0) {
                        /* a(sasbttttuii): path, argv, ignore, start (realtime,
                         * monotonic), exit (realtime, monotonic), pid, code,
                         * status of each command's last run: sshd -t that
                         * could not be executed is 203/EXEC too */
                        r = sd_bus_message_enter_container(reply, 'v', "a(sasbttttuii)");
                        if (r >= 0)
                                r = sd_bus_message_enter_container(reply, 'a', "(sasbttttuii)");
                        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'r', "sasbttttuii")) > 0) {
                                const char *p;
                                int b;
                                uint64_t t0, t1, t2, t3;
                                uint32_t pid;
                                int32_t code, status;

                                r = sd_bus_message_read(reply, "s", &p);
                                if (r >= 0)
                                        r = sd_bus_message_skip(reply, "as");
                                if (r >= 0)
                                        r = sd_bus_message_read(reply, "bttttuii", &b, &t0, &t1, &t2, &t3, &pid, &code,
                                                                &status);
                                if (r >= 0 && code == CLD_EXITED && status == 203 && t0 > f->exec_pre_203_usec)
                                        f->exec_pre_203_usec = t0;
                                if (r >= 0)
                                        r = sd_bus_message_exit_container(reply);
                        }
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                }
                else if (strcmp(key, "Listen") == 0) {
                        /* a(ss): ("Stream", "0.0.0.0:22"), ... */
                        const char *type, *addr;
                        const char **v = NULL;
                        size_t n = 0;
                        r = sd_bus_message_enter_container(reply, 'v', "a(ss)");
                        if (r >= 0)
                                r = sd_bus_message_enter_container(reply, 'a', "(ss)");
                        while (r >= 0 && (r = sd_bus_message_read(reply, "(ss)", &type, &addr)) > 0) {
                                const char **nv;
                                if (strcmp(type, "Stream") != 0)
                                        continue;
                                nv = reallocarray(v, n + 2, sizeof(char *));
                                if (!nv) {
                                        r = -ENOMEM;
                                        break;
                                }
                                v = nv;
                                v[n] = keep(f, strdup(addr));
                                if (v[n])
                                        v[++n] = NULL;
                        }
                        /* the array is kept (and freed) with the strings */
                        if (v && !keep(f, (char *) v))
                                v = NULL, n = 0;
                        u->listen = v;
                        u->n_listen = n;
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                }
                else if (strcmp(key, "Job") == 0) {
                        /* (uo): (0, "/") when none is under way */
                        r = sd_bus_message_enter_container(reply, 'v', "(uo)");
                        if (r >= 0)
                                r = sd_bus_message_read(reply, "(uo)", &u32, NULL);
                        if (r >= 0)
                                u->job_pending = u32 != 0;
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                } else if (strcmp(key, "InvocationID") == 0) {
                        const uint8_t *id;
                        size_t len;
                        r = sd_bus_message_enter_container(reply, 'v', "ay");
                        if (r >= 0)
                                r = sd_bus_message_read_array(reply, 'y', (const void **) &id, &len);
                        if (r >= 0 && len == 16)
                                for (size_t k = 0; k < 16; k++)
                                        snprintf(u->invocation + 2 * k, 3, "%02x", id[k]);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                } else
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        sd_bus_message_unref(reply);
        return r < 0 ? r : 0;
}

static int unit_read(sd_bus *bus, const char *name, SshdUnitsFacts *f, SgUnitFacts *u) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *path;
        char *load = NULL;
        bool is_service = strlen(name) > 8 && strcmp(name + strlen(name) - 8, ".service") == 0;
        const char *iface = is_service ? "org.freedesktop.systemd1.Service" : "org.freedesktop.systemd1.Socket";
        int r;

        *u = (SgUnitFacts) { .name = name, .exit_status = -1 };
        f->exec_main_code = f->exec_main_status = 0;
        f->exec_main_start_usec = f->exec_pre_203_usec = 0;
        f->exec_main_pid = 0;
        r = sd_bus_call_method(bus, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER, "LoadUnit", &error, &reply, "s", name);
        if (r < 0)
                goto out;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                goto out;
        /* The unit's own interface after the service's: a start that begins
         * between the two reads shows as a job under way (judged later),
         * not as a failure with Result=success. */
        r = unit_props_read(bus, path, "org.freedesktop.systemd1.Unit", f, u, &load);
        if (r < 0 || !load)
                goto out;
        /* "loaded"; "not-found" for a unit that does not exist; "masked" */
        u->loaded = strcmp(load, "loaded") == 0;
        u->masked = strcmp(load, "masked") == 0;
        if (!u->loaded) {
                r = 0;
                goto out;
        }
        *u = (SgUnitFacts) { .name = name, .loaded = true, .exit_status = -1 };
        r = unit_props_read(bus, path, iface, f, u, NULL);
        if (r >= 0)
                r = unit_props_read(bus, path, "org.freedesktop.systemd1.Unit", f, u, NULL);
        if (r < 0)
                goto out;
        if (is_service) {
                if (f->exec_main_code == CLD_KILLED || f->exec_main_code == CLD_DUMPED)
                        u->crash_signal = f->exec_main_status;
                else if (f->exec_main_code == CLD_EXITED)
                        u->exit_status = f->exec_main_status;
                /* the last start failed before sshd itself ran */
                if (f->exec_pre_203_usec > f->exec_main_start_usec)
                        u->exit_status = 203, u->crash_signal = 0;
                if (!f->invocation_id[0]) {
                        memcpy(f->invocation_id, u->invocation, sizeof(f->invocation_id));
                        f->main_start_usec = f->exec_main_start_usec;
                        f->main_pid_last = f->exec_main_pid;
                }
                if (!f->journal_unit)
                        f->journal_unit = strdup(name);
        }
        r = 0;
out:
        if (r < 0 && sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit"))
                r = 0;          /* not loaded: u->loaded stays false */
        free(load);
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        return r;
}

int sshd_units_read(sd_bus *bus, const char *const *names, SshdUnitsFacts *ret) {
        size_t n = strv_length((char **) (names ? names : sshd_default_units));
        int r;

        *ret = (SshdUnitsFacts) {};
        if (!names)
                names = sshd_default_units;
        ret->units = calloc(n ? n : 1, sizeof(SgUnitFacts));
        if (!ret->units)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                r = unit_read(bus, names[i], ret, &ret->units[i]);
                if (r < 0) {
                        sshd_units_done(ret);
                        return r;
                }
        }
        ret->n_units = n;
        /* Aliases (sshd.service for ssh.service on Debian) load as the same
         * unit: keep the first. */
        for (size_t i = 0; i < ret->n_units; i++)
                for (size_t j = 0; j < i; j++)
                        if (ret->units[i].loaded && ret->units[j].loaded && ret->units[i].main_pid &&
                            ret->units[i].main_pid == ret->units[j].main_pid)
                                ret->units[i].loaded = false;
        return 0;
}

void sshd_units_done(SshdUnitsFacts *f) {
        for (size_t i = 0; i < f->n_strings; i++)
                free(f->strings[i]);
        free(f->strings);
        free(f->units);
        free(f->journal_unit);
        *f = (SshdUnitsFacts) {};
}

static int journal_field(sd_journal *j, const char *field, char **ret) {
        const void *data;
        size_t len, flen = strlen(field);

        if (sd_journal_get_data(j, field, &data, &len) < 0 || len <= flen + 1)
                return -ENOENT;
        *ret = strndup((const char *) data + flen + 1, len - flen - 1);
        return *ret ? 0 : -ENOMEM;
}

/* A line and when journald took it in: lines from the three searches
 * below are put in the order sshd wrote them (the last one is its last
 * word). */
typedef struct LogLine {
        uint64_t usec;
        char *msg;
} LogLine;

typedef struct LogLines {
        LogLine *v;
        size_t n, max;
} LogLines;

static void log_lines_add(LogLines *l, sd_journal *j, char *msg) {
        uint64_t t = 0;

        (void) sd_journal_get_realtime_usec(j, &t);
        if (l->n >= l->max) {
                free(msg);
                return;
        }
        l->v[l->n++] = (LogLine) { .usec = t, .msg = msg };
}

/* Each search reads from the tail back: its lines, from FROM on, into
 * the journal's order. */
static void log_lines_reverse(LogLines *l, size_t from) {
        for (size_t i = from, k = l->n; i + 1 < k; i++, k--) {
                LogLine t = l->v[i];
                l->v[i] = l->v[k - 1];
                l->v[k - 1] = t;
        }
}

/* The lines of UNIT's sshd that reached journald after the unit failed:
 * their writer gone (or left behind by KillMode=process), journald knows
 * the unit but no invocation any more.  Newest first, those at the tail
 * newer than SINCE_USEC, at most 16. */
static void sshd_journal_late_lines(const char *unit, uint64_t since_usec, LogLines *out) {
        sd_journal *j = NULL;
        char match[128];
        size_t n_late = 0, from = out->n;

        if (sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM) < 0)
                return;
        snprintf(match, sizeof(match), "_SYSTEMD_UNIT=%s", unit);
        if (sd_journal_add_match(j, match, 0) >= 0 && sd_journal_add_match(j, "_COMM=sshd", 0) >= 0 &&
            sd_journal_seek_tail(j) >= 0)
                /* a few steps back: sessions of older invocations may be
                 * interleaved; a line of an invocation ends the tail */
                for (int k = 0; k < 32 && n_late < 16 && sd_journal_previous(j) > 0; k++) {
                        char *inv = NULL, *msg = NULL;
                        uint64_t t = 0;

                        if (journal_field(j, "_SYSTEMD_INVOCATION_ID", &inv) == 0) {
                                free(inv);
                                continue;
                        }
                        if (sd_journal_get_realtime_usec(j, &t) < 0 || t < since_usec)
                                break;
                        if (journal_field(j, "MESSAGE", &msg) == 0) {
                                log_lines_add(out, j, msg);
                                n_late++;
                        }
                }
        sd_journal_close(j);
        log_lines_reverse(out, from);
}

bool sshd_journal_entry_unattributed(sd_journal *j, const char *unit, pid_t main_pid) {
        char *v = NULL, *u = NULL;
        bool ok, comm;

        if (main_pid <= 0 || journal_field(j, "_PID", &v) < 0)
                return false;
        ok = strtol(v, NULL, 10) == (long) main_pid;
        free(v);
        if (!ok || journal_field(j, "SYSLOG_IDENTIFIER", &v) < 0)
                return false;
        ok = strcmp(v, "sshd") == 0;
        free(v);
        /* journald read its name: never another one */
        comm = journal_field(j, "_COMM", &v) == 0;
        if (comm) {
                ok = ok && strcmp(v, "sshd") == 0;
                free(v);
        }
        if (!ok || journal_field(j, "_SYSTEMD_UNIT", &u) < 0)
                return ok;
        /* a unit journald took from the stream sshd was started with, not
         * from the process: the process was gone (and its name with it) */
        ok = unit && !comm && strcmp(u, unit) == 0;
        free(u);
        return ok;
}

/* Lines of the invocation's main process MAIN_PID that journald could not
 * attribute to any unit: a syslog datagram is attributed when journald
 * reads it, by the sender's pid (SCM_CREDENTIALS) and /proc/PID/cgroup,
 * which is gone once sshd has exited ("Bind to port 22 ... failed",
 * "fatal: Cannot bind any address." are its last words).  Exact by the
 * pid the kernel vouches for, the identifier sshd logs with, and the time
 * since the invocation started: a connection's sshd child has a pid of
 * its own, another unit's sshd another pid (and a unit journald knew).
 * The lines of the unit with sshd's name (_COMM) are the other searches'. */
static void sshd_journal_unattributed_lines(const char *unit, pid_t main_pid, uint64_t since_usec, LogLines *out) {
        sd_journal *j = NULL;
        char match[64];
        size_t n = 0, from = out->n;

        if (main_pid <= 0 || since_usec == 0 || sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM) < 0)
                return;
        snprintf(match, sizeof(match), "_PID=%d", (int) main_pid);
        if (sd_journal_add_match(j, match, 0) >= 0 && sd_journal_add_match(j, "SYSLOG_IDENTIFIER=sshd", 0) >= 0 &&
            sd_journal_seek_tail(j) >= 0)
                for (int k = 0; k < 32 && n < 16 && sd_journal_previous(j) > 0; k++) {
                        char *msg = NULL;
                        uint64_t t = 0;

                        if (sd_journal_get_realtime_usec(j, &t) < 0 || t < since_usec)
                                break;
                        if (!sshd_journal_entry_unattributed(j, unit, main_pid))
                                continue;
                        if (journal_field(j, "MESSAGE", &msg) == 0) {
                                log_lines_add(out, j, msg);
                                n++;
                        }
                }
        sd_journal_close(j);
        log_lines_reverse(out, from);
}

int sshd_journal_lines(const char *unit, const char *invocation_id, uint64_t since_usec, pid_t main_pid, size_t max,
                       char ***ret, size_t *n) {
        sd_journal *j = NULL;
        char match[128], **lines = NULL;
        LogLines l = { .max = max + 32 };
        size_t count = 0;
        int r;

        *ret = NULL;
        *n = 0;
        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r < 0)
                return r;
        /* sshd's own lines of that invocation: what it logged before it
         * exited, and what `sshd -t` in ExecStartPre wrote */
        snprintf(match, sizeof(match), "_SYSTEMD_UNIT=%s", unit);
        r = sd_journal_add_match(j, match, 0);
        if (r >= 0 && invocation_id && invocation_id[0]) {
                snprintf(match, sizeof(match), "_SYSTEMD_INVOCATION_ID=%s", invocation_id);
                r = sd_journal_add_match(j, match, 0);
        }
        if (r >= 0)
                r = sd_journal_seek_tail(j);
        l.v = calloc(l.max, sizeof(LogLine));
        lines = calloc(max + 1, sizeof(char *));
        if (r < 0 || !lines || !l.v) {
                sd_journal_close(j);
                free(lines);
                free(l.v);
                return r < 0 ? r : -ENOMEM;
        }
        /* newest first */
        while (count < max && sd_journal_previous(j) > 0) {
                char *comm = NULL, *msg = NULL;
                bool sshd = journal_field(j, "_COMM", &comm) == 0 && strcmp(comm, "sshd") == 0;

                free(comm);
                if (!sshd || journal_field(j, "MESSAGE", &msg) < 0)
                        continue;
                log_lines_add(&l, j, msg);
                count++;
        }
        sd_journal_close(j);
        log_lines_reverse(&l, 0);
        size_t own = l.n;
        if (invocation_id && invocation_id[0] && since_usec > 0) {
                sshd_journal_late_lines(unit, since_usec, &l);
                sshd_journal_unattributed_lines(unit, main_pid, since_usec, &l);
        }
        /* The invocation's own lines first (its words decide); then, while
         * there is room, what reached journald without them, oldest first
         * by the time journald took each in (an insertion sort: stable,
         * one search's lines keep their journal order).  Not all of them
         * by time: a connection's sshd left in the unit's cgroup
         * (KillMode=process) may log after the invocation failed, and must
         * not push the invocation's own words out. */
        for (size_t i = own + 1; i < l.n; i++)
                for (size_t k = i; k > own && l.v[k - 1].usec > l.v[k].usec; k--) {
                        LogLine t = l.v[k];
                        l.v[k] = l.v[k - 1];
                        l.v[k - 1] = t;
                }
        count = 0;
        for (size_t i = 0; i < l.n; i++)
                if (count < max)
                        lines[count++] = l.v[i].msg;
                else
                        free(l.v[i].msg);
        free(l.v);
        *ret = lines;
        *n = count;
        return 0;
}

bool sshd_journal_stop_requested(const char *unit) {
        sd_journal *j = NULL;
        char match[128];
        bool stopped = false;

        if (sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM) < 0)
                return false;
        /* systemd's own entries about the unit: the newest of "Starting"
         * (job type start) and "Stopping" (job type stop) decides */
        snprintf(match, sizeof(match), "UNIT=%s", unit);
        if (sd_journal_add_match(j, match, 0) >= 0 && sd_journal_add_match(j, "_PID=1", 0) >= 0 &&
            sd_journal_seek_tail(j) >= 0)
                while (sd_journal_previous(j) > 0) {
                        char *type = NULL;
                        if (journal_field(j, "JOB_TYPE", &type) < 0)
                                continue;
                        if (strcmp(type, "stop") == 0 || strcmp(type, "start") == 0 ||
                            strcmp(type, "restart") == 0) {
                                stopped = strcmp(type, "stop") == 0;
                                free(type);
                                break;
                        }
                        free(type);
                }
        sd_journal_close(j);
        return stopped;
}

/* systemd's own word that it could not execute a process of UNIT's
 * invocation INVOCATION_ID ("Control process exited, code=exited,
 * status=203/EXEC", also for ExecStartPre=): what survives a
 * daemon-reload, which forgets the ExecStartPre= status. */
static bool sshd_journal_exec_failed(const char *unit, const char *invocation_id) {
        sd_journal *j = NULL;
        char match[128];
        bool failed = false;

        if (!invocation_id || !invocation_id[0] || sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM) < 0)
                return false;
        snprintf(match, sizeof(match), "UNIT=%s", unit);
        if (sd_journal_add_match(j, match, 0) >= 0 && sd_journal_add_match(j, "_PID=1", 0) >= 0) {
                snprintf(match, sizeof(match), "INVOCATION_ID=%s", invocation_id);
                if (sd_journal_add_match(j, match, 0) >= 0 && sd_journal_seek_tail(j) >= 0)
                        for (int k = 0; k < 50 && !failed && sd_journal_previous(j) > 0; k++) {
                                char *msg = NULL;
                                if (journal_field(j, "MESSAGE", &msg) == 0)
                                        failed = strstr(msg, "status=203/EXEC") != NULL;
                                free(msg);
                        }
        }
        sd_journal_close(j);
        return failed;
}

void sshd_units_judge_exec(SshdUnitsFacts *f) {
        for (size_t i = 0; i < f->n_units; i++) {
                SgUnitFacts *u = &f->units[i];
                if (u->loaded && u->exit_status != 203 && u->result && strcmp(u->result, "exit-code") == 0 &&
                    strstr(u->name, ".service") && sshd_journal_exec_failed(u->name, u->invocation))
                        u->exit_status = 203;
        }
}

void sshd_units_judge_stops(SshdUnitsFacts *f) {
        for (size_t i = 0; i < f->n_units; i++) {
                SgUnitFacts *u = &f->units[i];
                size_t len = strlen(u->name);
                /* a socket's stop matters only where socket activation is
                 * set up (diagnose.c): Debian's disabled ssh.socket, inactive
                 * all the time, costs no journal search on every look */
                if (len > 7 && strcmp(u->name + len - 7, ".socket") == 0 && !u->enabled)
                        continue;
                if (u->loaded && u->active_state && strcmp(u->active_state, "active") != 0)
                        u->stop_requested = sshd_journal_stop_requested(u->name);
        }
}

/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * An NftStore following the kernel, held against fresh dumps (CAP_NET_ADMIN;
 * run it in a network namespace of your own):
 *
 *   nft-store-follow follow [--rcvbuf BYTES]
 *        opens the monitor socket, loads a store, then reads commands on
 *        stdin, one a line:
 *          check  applies every queued datagram the way the daemon does —
 *                 ENOBUFS from recv() or -ESTALE from the store: load
 *                 again at once and go on with what is queued — then
 *                 compares nft_store_ruleset() with a fresh
 *                 nft_ruleset_read(); prints "ok ..." or "diff N" and the
 *                 differences, then "end"
 *          quit
 *        --rcvbuf shrinks the socket's receive buffer to provoke ENOBUFS.
 *   nft-store-follow bench RUNS COMMAND
 *        loads a store; RUNS times runs COMMAND (with "{}" replaced by the
 *        run's number) through sh, then times "notifications -> fresh
 *        NftRuleset" through the store against nft_ruleset_read(); prints
 *        the medians, their ratio, and the store's memory.
 *
 * tests/tools/nft-store-diff.py and tests/bench/nft-store-bench.sh drive it.
 */

#include <errno.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "nft-monitor.h"
#include "nft-ruleset-compare.h"
#include "nft-store.h"

typedef struct Follower {
        struct mnl_socket *nl;
        NftStore *store;
        uint32_t *buf;
        unsigned reloads, enobufs, stale, datagrams;
        double apply_seconds;
        NftRuleset *followed;   /* kept up to date as the daemon keeps its own */
} Follower;

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int follower_reload(Follower *f) {
        f->store = nft_store_free(f->store);
        f->reloads++;
        return nft_store_load(&f->store, NULL);
}

/* What the daemon's loop does with the monitor socket. */
static int follower_drain(Follower *f) {
        int r;
        for (;;) {
                ssize_t n = recv(mnl_socket_get_fd(f->nl), f->buf, NFT_MONITOR_RECV_SIZE, MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        return 0;
                if (n < 0 && errno == ENOBUFS) {
                        /* notifications were lost: read the ruleset anew,
                         * then skip what is queued of generations it has */
                        f->enobufs++;
                        if ((r = follower_reload(f)) < 0)
                                return r;
                        continue;
                }
                if (n < 0)
                        return -errno;
                f->datagrams++;
                double t = now();
                r = nft_store_apply(f->store, f->buf, (size_t) n);
                f->apply_seconds += now() - t;
                if (r == -ESTALE) {
                        f->stale++;
                        if ((r = follower_reload(f)) < 0)
                                return r;
                } else if (r < 0)
                        return r;
        }
}

static int follower_check(Follower *f) {
        NftRuleset *fresh = NULL, *mine = NULL;
        int r = follower_drain(f);
        if (r < 0) {
                printf("error drain: %s\nend\n", strerror(-r));
                return r;
        }
        if ((r = nft_store_ruleset(f->store, &mine)) < 0) {
                printf("error store: %s\nend\n", strerror(-r));
                return r;
        }
        if ((r = nft_store_ruleset_follow(f->store, &f->followed)) < 0) {
                printf("error follow: %s\nend\n", strerror(-r));
                nft_ruleset_free(mine);
                return r;
        }
        if ((r = nft_ruleset_read(&fresh)) < 0) {
                printf("error read: %s\nend\n", strerror(-r));
                nft_ruleset_free(mine);
                return r;
        }
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        unsigned n = out ? nft_ruleset_compare(fresh, mine, out) + nft_ruleset_compare(fresh, f->followed, out) : 1;
        if (out)
                fclose(out);
        const NftMonitorEvent *c = nft_store_last_commit(f->store);
        if (n == 0)
                printf("ok genid=%" PRIu32 " reloads=%u enobufs=%u stale=%u datagrams=%u commit=%d/%s\n",
                       nft_store_genid(f->store), f->reloads, f->enobufs, f->stale, f->datagrams,
                       c ? (int) c->pid : 0, c ? c->comm : "");
        else
                printf("diff %u genid=%" PRIu32 "/%" PRIu32 "\n%s", n, nft_store_genid(f->store), fresh->genid,
                       text ? text : "");
        printf("end\n");
        free(text);
        nft_ruleset_free(fresh);
        nft_ruleset_free(mine);
        return 0;
}

static int follower_open(Follower *f, int rcvbuf) {
        int r = nft_monitor_open(&f->nl);
        if (r < 0) {
                fprintf(stderr, "monitor socket: %s\n", strerror(-r));
                return r;
        }
        if (rcvbuf > 0 && setsockopt(mnl_socket_get_fd(f->nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0) {
                perror("SO_RCVBUF");
                return -errno;
        }
        if (!(f->buf = malloc(NFT_MONITOR_RECV_SIZE)))
                return -ENOMEM;
        /* after the socket: what commits in between is both queued and
         * (perhaps) in the dump; the store skips it */
        if ((r = nft_store_load(&f->store, NULL)) < 0) {
                fprintf(stderr, "load: %s\n", strerror(-r));
                return r;
        }
        return 0;
}

static void follower_close(Follower *f) {
        nft_ruleset_free(f->followed);
        nft_store_free(f->store);
        free(f->buf);
        if (f->nl)
                mnl_socket_close(f->nl);
}

static int follow(int rcvbuf) {
        Follower f = {};
        char line[256];
        int r = follower_open(&f, rcvbuf);

        setvbuf(stdout, NULL, _IOLBF, 0);
        if (r == 0)
                printf("ready genid=%" PRIu32 "\n", nft_store_genid(f.store));
        while (r == 0 && fgets(line, sizeof(line), stdin)) {
                line[strcspn(line, "\n")] = '\0';
                if (strcmp(line, "check") == 0)
                        (void) follower_check(&f);
                else if (strcmp(line, "quit") == 0)
                        break;
                else
                        printf("error unknown command\nend\n");
        }
        follower_close(&f);
        return r < 0;
}

/* ---- bench ---- */

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

static size_t heap_used(void) {
        struct mallinfo2 m = mallinfo2();
        return m.uordblks + m.hblkhd;
}

/* VmRSS or VmHWM of this process, in KiB. */
static long proc_status_kib(const char *key) {
        char line[256];
        long v = -1;
        size_t n = strlen(key);
        FILE *f = fopen("/proc/self/status", "re");
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, key, n) == 0 && line[n] == ':')
                        v = strtol(line + n + 1, NULL, 10);
        if (f)
                fclose(f);
        return v;
}

static int run_command(const char *template, int i) {
        char cmd[1024], num[16];
        const char *p = strstr(template, "{}");
        snprintf(num, sizeof(num), "%d", i);
        if (p)
                snprintf(cmd, sizeof(cmd), "%.*s%s%s", (int) (p - template), template, num, p + 2);
        else
                snprintf(cmd, sizeof(cmd), "%s", template);
        return system(cmd) == 0 ? 0 : -EIO;
}

static int bench(int runs, const char *template) {
        Follower f = {};
        double *t_store = calloc((size_t) runs, sizeof(double)), *t_read = calloc((size_t) runs, sizeof(double));
        double *t_apply = calloc((size_t) runs, sizeof(double)), *t_follow = calloc((size_t) runs, sizeof(double));
        NftRuleset *followed = NULL;
        size_t before = heap_used();
        double t0 = now();
        int r = follower_open(&f, 0);
        double t_load = now() - t0;
        if (r < 0 || !t_store || !t_read || !t_apply || !t_follow)
                return 1;
        size_t store_bytes = heap_used() - before - NFT_MONITOR_RECV_SIZE;
        /* what the dump left allocated goes back to the system first */
        malloc_trim(0);
        long rss_loaded = proc_status_kib("VmRSS");
        NftStoreStats st;
        nft_store_stats(f.store, &st);

        size_t rs_bytes = 0;
        /* the daemon's way: one ruleset kept up to date */
        if ((r = nft_store_ruleset_follow(f.store, &followed)) < 0) {
                fprintf(stderr, "follow: %s\n", strerror(-r));
                return 1;
        }
        for (int i = 0; i < runs; i++) {
                NftRuleset *mine = NULL, *fresh = NULL;
                if (run_command(template, i) < 0) {
                        fprintf(stderr, "command failed\n");
                        return 1;
                }
                size_t h = heap_used();
                f.apply_seconds = 0;
                t0 = now();
                if ((r = follower_drain(&f)) < 0) {
                        fprintf(stderr, "store: %s\n", strerror(-r));
                        return 1;
                }
                t_apply[i] = f.apply_seconds;
                double t1 = now();
                if ((r = nft_store_ruleset_follow(f.store, &followed)) != 0) {
                        fprintf(stderr, "follow: %s\n", r == 1 ? "built whole" : strerror(-r));
                        return 1;
                }
                t_follow[i] = now() - t1 + t_apply[i];
                t1 = now();
                if ((r = nft_store_ruleset(f.store, &mine)) < 0) {
                        fprintf(stderr, "store: %s\n", strerror(-r));
                        return 1;
                }
                t_store[i] = now() - t1 + t_apply[i];
                rs_bytes = heap_used() - h;
                t0 = now();
                if ((r = nft_ruleset_read(&fresh)) < 0) {
                        fprintf(stderr, "read: %s\n", strerror(-r));
                        return 1;
                }
                t_read[i] = now() - t0;
                unsigned n = nft_ruleset_compare(fresh, mine, stderr), nf = nft_ruleset_compare(fresh, followed, stderr);
                if (n > 0 || nf > 0 || f.reloads > 0) {
                        fprintf(stderr, "run %d: %u differences (followed: %u), %u reloads\n", i, n, nf, f.reloads);
                        return 1;
                }
                nft_ruleset_free(mine);
                nft_ruleset_free(fresh);
        }
        qsort(t_store, (size_t) runs, sizeof(double), cmp_double);
        qsort(t_read, (size_t) runs, sizeof(double), cmp_double);
        qsort(t_apply, (size_t) runs, sizeof(double), cmp_double);
        qsort(t_follow, (size_t) runs, sizeof(double), cmp_double);
        double ms = t_store[runs / 2], mr = t_read[runs / 2];
        printf("rules %zu, distinct expressions %zu of %zu, sets %zu, elements %zu\n", st.rules, st.exprs,
               st.expr_refs, st.sets, st.elems);
        printf("load (dump + store): %.3f s\n", t_load);
        printf("one rule added -> fresh NftRuleset, median of %d:\n", runs);
        printf("  via the store (apply + decode):  %.4f s (min %.4f), of which applying %.4f s\n", ms, t_store[0],
               t_apply[runs / 2]);
        printf("  one ruleset kept up to date (nft_store_ruleset_follow): %.6f s (min %.6f)\n", t_follow[runs / 2],
               t_follow[0]);
        printf("  via nft_ruleset_read (dump):     %.4f s (min %.4f)\n", mr, t_read[0]);
        printf("  ratio store/read: %.3f, kept up to date/read: %.6f\n", ms / mr, t_follow[runs / 2] / mr);
        printf("store memory: %zu bytes, %.1f bytes per rule\n", store_bytes,
               st.rules ? (double) store_bytes / (double) st.rules : 0.0);
        printf("an NftRuleset built from it: %zu bytes, %.1f bytes per rule\n", rs_bytes,
               st.rules ? (double) rs_bytes / (double) st.rules : 0.0);
        printf("process RSS with the store loaded: %ld KiB; peak (a dump, the store and two rulesets): %ld KiB\n",
               rss_loaded, proc_status_kib("VmHWM"));
        free(t_store);
        free(t_read);
        free(t_apply);
        free(t_follow);
        nft_ruleset_free(followed);
        follower_close(&f);
        return 0;
}

int main(int argc, char **argv) {
        if (argc >= 2 && strcmp(argv[1], "follow") == 0) {
                int rcvbuf = 0;
                if (argc == 4 && strcmp(argv[2], "--rcvbuf") == 0)
                        rcvbuf = atoi(argv[3]);
                else if (argc != 2)
                        goto usage;
                return follow(rcvbuf);
        }
        if (argc == 4 && strcmp(argv[1], "bench") == 0 && atoi(argv[2]) > 0)
                return bench(atoi(argv[2]), argv[3]);
usage:
        fprintf(stderr, "usage: %s follow [--rcvbuf BYTES] | bench RUNS COMMAND\n", argv[0]);
        return 2;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/taskstats.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "listen.h"

/* tests/data/listen/{basic,dualstack}.bin are AF_INET then AF_INET6
 * SOCK_DIAG_BY_FAMILY dump replies, captured with tests/tools/listen-capture
 * from the python listeners of capture.sh in a network namespace. */

typedef struct Capture {
        uint8_t *bytes;
        size_t len;
} Capture;

static Capture capture_load(const char *name) {
        char path[512];
        Capture c = { 0 };
        FILE *f;
        long len;

        snprintf(path, sizeof(path), "%s/listen/%s", TEST_DATA_DIR, name);
        f = fopen(path, "re");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
        len = ftell(f);
        ck_assert_int_gt(len, 0);
        rewind(f);
        c.len = (size_t) len;
        c.bytes = malloc(c.len);        /* exactly the size: ASan sees any over-read */
        ck_assert_ptr_nonnull(c.bytes);
        ck_assert_uint_eq(fread(c.bytes, 1, c.len, f), c.len);
        fclose(f);
        return c;
}

static ListenTable *parse_capture(const char *name) {
        Capture c = capture_load(name);
        ListenTable *t = listen_table_new();

        ck_assert_ptr_nonnull(t);
        ck_assert_int_eq(listen_parse_msgs(t, c.bytes, c.len), 0);
        free(c.bytes);
        return t;
}

static void assert_socket(const ListenSocket *s, int family, const char *addr, uint16_t port, uint32_t ifindex,
                          uint64_t inode, uint64_t cookie, uid_t uid, bool v6only) {
        uint8_t a[16] = { 0 };

        ck_assert_int_eq(inet_pton(family, addr, a), 1);
        ck_assert_int_eq(s->family, family);
        ck_assert_mem_eq(s->addr, a, 16);
        ck_assert_uint_eq(s->port, port);
        ck_assert_uint_eq(s->ifindex, ifindex);
        ck_assert_uint_eq(s->inode, inode);
        ck_assert_uint_eq(s->cookie, cookie);
        ck_assert_uint_eq(s->uid, uid);
        ck_assert_int_eq(s->v6only, v6only);
        ck_assert_int_eq(s->pid, 0);
        ck_assert_str_eq(s->comm, "");
        ck_assert_int_eq(s->owner_from, LISTEN_OWNER_NONE);
        /* captured in a namespace of their own, from the root cgroup (id 1) */
        ck_assert_uint_eq(s->cgroup_id, 1);
}

static const uint8_t *ip(int family, const char *text) {
        static uint8_t a[4][16];
        static unsigned next;
        uint8_t *p = a[next++ % 4];

        memset(p, 0, 16);
        ck_assert_int_eq(inet_pton(family, text, p), 1);
        return p;
}

START_TEST(test_capture_decodes_every_listener_with_exact_fields) {
        ListenTable *t = parse_capture("basic.bin");

        ck_assert_uint_eq(t->n_sockets, 5);
        assert_socket(&t->sockets[0], AF_INET, "127.0.0.1", 2222, 0, 817772, 179, 0, false);
        assert_socket(&t->sockets[1], AF_INET, "0.0.0.0", 22, 0, 817771, 180, 0, false);
        assert_socket(&t->sockets[2], AF_INET6, "::1", 2200, 0, 817775, 181, 0, true);
        assert_socket(&t->sockets[3], AF_INET6, "::", 2022, 0, 817774, 182, 0, false);
        assert_socket(&t->sockets[4], AF_INET6, "::", 22, 0, 817773, 183, 0, true);
        listen_table_free(t);
}
END_TEST

START_TEST(test_capture_decodes_dual_stack_mapped_device_bound_and_uid) {
        ListenTable *t = parse_capture("dualstack.bin");

        ck_assert_uint_eq(t->n_sockets, 4);
        assert_socket(&t->sockets[0], AF_INET, "0.0.0.0", 8022, 0, 820167, 4313, 65534, false);
        assert_socket(&t->sockets[1], AF_INET, "0.0.0.0", 2224, 1, 818906, 4314, 0, false);
        assert_socket(&t->sockets[2], AF_INET6, "::ffff:127.0.0.1", 2223, 0, 818905, 4315, 0, false);
        assert_socket(&t->sockets[3], AF_INET6, "::", 22, 0, 818904, 4316, 0, false);
        listen_table_free(t);
}
END_TEST

START_TEST(test_two_captures_append_to_one_table) {
        Capture a = capture_load("basic.bin"), b = capture_load("dualstack.bin");
        ListenTable *t = listen_table_new();

        ck_assert_int_eq(listen_parse_msgs(t, a.bytes, a.len), 0);
        ck_assert_int_eq(listen_parse_msgs(t, b.bytes, b.len), 0);
        ck_assert_uint_eq(t->n_sockets, 9);
        ck_assert_uint_eq(t->sockets[8].inode, 818904);
        listen_table_free(t);
        free(a.bytes);
        free(b.bytes);
}
END_TEST

START_TEST(test_wildcard_and_exact_v4_listeners_cover_their_addresses) {
        ListenTable *t = parse_capture("basic.bin");
        const ListenSocket *who = (const ListenSocket *) 1;

        ck_assert(listen_covers(t, AF_INET, ip(AF_INET, "10.0.0.1"), 22, &who));
        ck_assert_ptr_eq(who, &t->sockets[1]);
        ck_assert(listen_covers(t, AF_INET, ip(AF_INET, "127.0.0.1"), 2222, &who));
        ck_assert_ptr_eq(who, &t->sockets[0]);
        ck_assert(!listen_covers(t, AF_INET, ip(AF_INET, "10.0.0.1"), 2222, &who));
        ck_assert_ptr_null(who);
        ck_assert(!listen_covers(t, AF_INET, ip(AF_INET, "10.0.0.1"), 23, &who));
        ck_assert_ptr_null(who);
        /* an IPv4 connection prefers the AF_INET socket to the dual-stack one */
        ck_assert(listen_covers(t, AF_INET, NULL, 22, &who));
        ck_assert_ptr_eq(who, &t->sockets[1]);
        ck_assert(listen_covers(t, AF_INET, ip(AF_INET, "127.0.0.1"), 2222, NULL));
        listen_table_free(t);
}
END_TEST

START_TEST(test_v6_wildcard_covers_v4_only_without_v6only) {
        ListenTable *t = parse_capture("basic.bin");
        const ListenSocket *who = NULL;

        ck_assert(listen_covers(t, AF_INET6, ip(AF_INET6, "2001:db8::1"), 22, &who));
        ck_assert_ptr_eq(who, &t->sockets[4]);
        ck_assert(listen_covers(t, AF_INET, ip(AF_INET, "192.0.2.7"), 2022, &who));
        ck_assert_ptr_eq(who, &t->sockets[3]);
        ck_assert(listen_covers(t, AF_INET6, ip(AF_INET6, "2001:db8::1"), 2022, &who));
        ck_assert_ptr_eq(who, &t->sockets[3]);
        /* [::1]:2200 is v6only and loopback: nothing else reaches it */
        ck_assert(listen_covers(t, AF_INET6, ip(AF_INET6, "::1"), 2200, &who));
        ck_assert_ptr_eq(who, &t->sockets[2]);
        ck_assert(!listen_covers(t, AF_INET6, ip(AF_INET6, "2001:db8::1"), 2200, &who));
        ck_assert(!listen_covers(t, AF_INET, ip(AF_INET, "127.0.0.1"), 2200, &who));
        ck_assert(!listen_covers(t, AF_INET, NULL, 2200, &who));
        ck_assert(listen_covers(t, AF_INET6, NULL, 2200, &who));
        ck_assert_ptr_eq(who, &t->sockets[2]);
        /* v6only [::]:22 does not take IPv4, 0.0.0.0:22 does */
        ck_assert(!listen_covers(t, AF_INET, ip(AF_INET, "10.1.1.1"), 2200, NULL));
        ck_assert(!listen_covers(t, AF_UNSPEC, NULL, 22, &who));
        ck_assert_ptr_null(who);
        listen_table_free(t);
}
END_TEST

START_TEST(test_v4_mapped_listener_covers_that_v4_address_only) {
        ListenTable *t = parse_capture("dualstack.bin");
        const ListenSocket *who = NULL;

        ck_assert(listen_covers(t, AF_INET, ip(AF_INET, "127.0.0.1"), 2223, &who));
        ck_assert_ptr_eq(who, &t->sockets[2]);
        ck_assert(!listen_covers(t, AF_INET, ip(AF_INET, "10.0.0.1"), 2223, &who));
        ck_assert(!listen_covers(t, AF_INET6, ip(AF_INET6, "::1"), 2223, &who));
        ck_assert(!listen_covers(t, AF_INET6, NULL, 2223, &who));
        ck_assert(listen_covers(t, AF_INET, NULL, 2223, &who));
        ck_assert_ptr_eq(who, &t->sockets[2]);
        /* dual-stack [::]:22 is sshd's default on many hosts */
        ck_assert(listen_covers(t, AF_INET, ip(AF_INET, "203.0.113.9"), 22, &who));
        ck_assert_ptr_eq(who, &t->sockets[3]);
        ck_assert(listen_covers(t, AF_INET, ip(AF_INET, "203.0.113.9"), 2224, &who));
        ck_assert_uint_eq(who->ifindex, 1);
        listen_table_free(t);
}
END_TEST

START_TEST(test_exact_address_wins_over_wildcard) {
        ListenSocket s[3] = {
                { .family = AF_INET6, .port = 22 },
                { .family = AF_INET, .port = 22 },
                { .family = AF_INET, .port = 22 },
        };
        ListenTable t = { .sockets = s, .n_sockets = 3, .n_allocated = 3 };
        const ListenSocket *who = NULL;

        memcpy(s[2].addr, ip(AF_INET, "192.0.2.1"), 4);
        ck_assert(listen_covers(&t, AF_INET, ip(AF_INET, "192.0.2.1"), 22, &who));
        ck_assert_ptr_eq(who, &s[2]);
        ck_assert(listen_covers(&t, AF_INET, ip(AF_INET, "192.0.2.2"), 22, &who));
        ck_assert_ptr_eq(who, &s[1]);
        ck_assert(listen_covers(&t, AF_INET6, ip(AF_INET6, "2001:db8::2"), 22, &who));
        ck_assert_ptr_eq(who, &s[0]);
        ck_assert(!listen_covers(NULL, AF_INET, NULL, 22, &who));
        ck_assert_ptr_null(who);
}
END_TEST

START_TEST(test_find_port_walks_every_listener_of_a_port) {
        ListenTable *t = parse_capture("basic.bin");
        const ListenSocket *s;

        s = listen_find_port(t, AF_UNSPEC, 22, NULL);
        ck_assert_ptr_eq(s, &t->sockets[1]);
        s = listen_find_port(t, AF_UNSPEC, 22, s);
        ck_assert_ptr_eq(s, &t->sockets[4]);
        ck_assert_ptr_null(listen_find_port(t, AF_UNSPEC, 22, s));
        ck_assert_ptr_eq(listen_find_port(t, AF_INET6, 22, NULL), &t->sockets[4]);
        ck_assert_ptr_eq(listen_find_port(t, AF_INET, 2222, NULL), &t->sockets[0]);
        ck_assert_ptr_null(listen_find_port(t, AF_INET6, 2222, NULL));
        ck_assert_ptr_null(listen_find_port(t, AF_UNSPEC, 9, NULL));
        listen_table_free(t);
}
END_TEST

/* ---- owners, against a fake /proc ---- */

static void mkdirs(const char *root, const char *rel) {
        char path[512];

        snprintf(path, sizeof(path), "%s/%s", root, rel);
        for (char *p = path + strlen(root) + 1; *p; p++)
                if (*p == '/') {
                        *p = '\0';
                        mkdir(path, 0755);
                        *p = '/';
                }
        ck_assert(mkdir(path, 0755) == 0 || errno == EEXIST);
}

static void put_link(const char *root, const char *rel, const char *target) {
        char path[512];

        snprintf(path, sizeof(path), "%s/%s", root, rel);
        ck_assert_int_eq(symlink(target, path), 0);
}

static void put_file(const char *root, const char *rel, const char *text) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", root, rel);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        ck_assert_int_eq(fclose(f), 0);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void fake_proc_build(char *root) {
        strcpy(root, "/tmp/check_listen.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(root));

        /* pid 1 and pid 42 share 817771 (socket activation): the lowest wins */
        mkdirs(root, "1/fd");
        put_file(root, "1/comm", "systemd\n");
        put_link(root, "1/fd/0", "/dev/null");
        put_link(root, "1/fd/45", "socket:[817771]");
        mkdirs(root, "42/fd");
        put_file(root, "42/comm", "sshd\n");
        put_link(root, "42/fd/3", "socket:[817771]");
        put_link(root, "42/fd/4", "pipe:[817772]");
        /* comm longer than TASK_COMM_LEN is cut, not overflowed */
        mkdirs(root, "300/fd");
        put_file(root, "300/comm", "abcdefghijklmnopqrstuvwxyz\n");
        put_link(root, "300/fd/9", "socket:[817775]");
        /* vanished between readdir and open: no fd directory */
        mkdirs(root, "301");
        /* near misses must not match */
        mkdirs(root, "302/fd");
        put_link(root, "302/fd/1", "socket:[817773x]");
        put_link(root, "302/fd/2", "socket:[817773");
        put_link(root, "302/fd/3", "socket:[8177730]");
        put_link(root, "302/fd/4", "anon_inode:[817773]");
        /* gone before comm is read: owner without a name */
        mkdirs(root, "400/fd");
        put_link(root, "400/fd/1", "socket:[817774]");
        /* not processes */
        mkdirs(root, "12ab/fd");
        put_link(root, "12ab/fd/1", "socket:[817772]");
        mkdirs(root, "sys/fd");
        put_link(root, "sys/fd/1", "socket:[817772]");
        put_link(root, "self", "300");
        put_link(root, "99999999999999999999", "300");
}

static void fake_proc_remove(const char *root) {
        ck_assert_int_eq(nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

START_TEST(test_owners_are_found_by_socket_inode_in_fd_links) {
        ListenTable *t = parse_capture("basic.bin");
        char root[64];

        fake_proc_build(root);
        ck_assert_int_eq(listen_resolve_owners(t, root), 3);
        ck_assert_int_eq(t->sockets[1].pid, 1);         /* 817771 */
        ck_assert_str_eq(t->sockets[1].comm, "systemd");
        ck_assert_int_eq(t->sockets[2].pid, 300);       /* 817775 */
        ck_assert_str_eq(t->sockets[2].comm, "abcdefghijklmno");
        ck_assert_int_eq(t->sockets[3].pid, 400);       /* 817774 */
        ck_assert_str_eq(t->sockets[3].comm, "");
        ck_assert_int_eq(t->sockets[0].pid, 0);         /* 817772: only a pipe and non-pids */
        ck_assert_str_eq(t->sockets[0].comm, "");
        ck_assert_int_eq(t->sockets[4].pid, 0);         /* 817773: near misses only */

        /* a second resolution starts afresh */
        t->sockets[0].pid = 77;
        ck_assert_int_eq(listen_resolve_owners(t, root), 3);
        ck_assert_int_eq(t->sockets[0].pid, 0);
        fake_proc_remove(root);
        listen_table_free(t);
}
END_TEST

START_TEST(test_owner_scan_of_missing_proc_fails_and_empty_table_is_free) {
        ListenTable *t = parse_capture("basic.bin");
        ListenTable *empty = listen_table_new();

        ck_assert_int_eq(listen_resolve_owners(t, "/nonexistent/proc"), -ENOENT);
        ck_assert_int_eq(listen_resolve_owners(empty, "/nonexistent/proc"), 0);
        listen_table_free(empty);
        listen_table_free(t);
        ck_assert_ptr_null(listen_table_free(NULL));
}
END_TEST

/* ---- owners, from the socket's cgroup (a fake cgroup2 tree) ---- */

static uint64_t inode_of(const char *root, const char *rel) {
        char path[512];
        struct stat st;

        snprintf(path, sizeof(path), "%s/%s", root, rel);
        ck_assert_int_eq(stat(path, &st), 0);
        return (uint64_t) st.st_ino;
}

/* A /proc that hides pid 1 and every process but 300 and 500..502 (as
 * hidepid= does for another user's), and a cgroup tree:
 *   system.slice/ssh.service           42 57 (both sshd: /proc hides them, comms unknown)
 *   system.slice/e2e-holder.service    300 (python3)
 *   user.slice/user-1000.slice/session-3.scope  500 sshd, 501 bash, 502 python3
 *   system.slice/cron.service          nobody left
 *   init.scope                         1 (hidden) */
static void fake_cgroup_build(char *proc, char *cg) {
        strcpy(proc, "/tmp/check_listen_proc.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(proc));
        strcpy(cg, "/tmp/check_listen_cg.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(cg));

        mkdirs(proc, "300/fd");
        put_file(proc, "300/comm", "python3\n");
        mkdirs(proc, "500/fd");
        put_file(proc, "500/comm", "sshd\n");
        mkdirs(proc, "501/fd");
        put_file(proc, "501/comm", "bash\n");
        mkdirs(proc, "502/fd");
        put_file(proc, "502/comm", "python3\n");
        mkdirs(proc, "600/fd");
        put_file(proc, "600/comm", "nginx\n");
        mkdirs(proc, "601/fd");
        put_file(proc, "601/comm", "nginx\n");

        mkdirs(cg, "system.slice/ssh.service");
        put_file(cg, "system.slice/ssh.service/cgroup.procs", "57\n42\n");
        mkdirs(cg, "system.slice/e2e-holder.service");
        put_file(cg, "system.slice/e2e-holder.service/cgroup.procs", "300\n");
        mkdirs(cg, "system.slice/nginx.service");
        put_file(cg, "system.slice/nginx.service/cgroup.procs", "601\n600\n");
        mkdirs(cg, "system.slice/cron.service");
        put_file(cg, "system.slice/cron.service/cgroup.procs", "");
        mkdirs(cg, "user.slice/user-1000.slice/session-3.scope");
        put_file(cg, "user.slice/user-1000.slice/session-3.scope/cgroup.procs", "502\n500\n501\n");
        mkdirs(cg, "init.scope");
        put_file(cg, "init.scope/cgroup.procs", "1\n");
        put_file(cg, "cgroup.procs", "2\n3\n");
}

static ListenTable *sockets_in_cgroups(const char *cg, const char *const *rel, size_t n) {
        ListenTable *t = parse_capture("basic.bin");

        ck_assert_uint_ge(t->n_sockets, n);
        for (size_t i = 0; i < t->n_sockets; i++)
                t->sockets[i].cgroup_id = i < n ? (rel[i] ? inode_of(cg, rel[i]) : 987654321) : 0;
        return t;
}

START_TEST(test_cgroup_names_the_only_process_of_a_unit_when_proc_hides_the_rest) {
        static const char *const rel[] = { "system.slice/e2e-holder.service", "init.scope", ".", NULL,
                                           "system.slice/cron.service" };
        char proc[64], cg[64];
        ListenTable *t;

        fake_cgroup_build(proc, cg);
        t = sockets_in_cgroups(cg, rel, 5);
        ck_assert_int_eq(listen_resolve_owners_with(t, &(ListenOwnerLookup) { proc, cg, false }), 1);

        /* one process in its unit: that one, certain */
        ck_assert_int_eq(t->sockets[0].owner_from, LISTEN_OWNER_CGROUP);
        ck_assert_int_eq(t->sockets[0].pid, 300);
        ck_assert_str_eq(t->sockets[0].comm, "python3");
        ck_assert_str_eq(t->sockets[0].unit, "e2e-holder.service");
        ck_assert_uint_eq(t->sockets[0].cgroup_procs, 1);
        ck_assert_int_eq(t->sockets[0].likely_pid, 300);
        /* one process /proc hides, taskstats not asked: no name, so no claim */
        ck_assert_int_eq(t->sockets[1].owner_from, LISTEN_OWNER_CGROUP);
        ck_assert_int_eq(t->sockets[1].pid, 0);
        ck_assert_str_eq(t->sockets[1].comm, "");
        ck_assert_str_eq(t->sockets[1].unit, "init.scope");
        ck_assert_int_eq(t->sockets[1].likely_pid, 1);
        /* the root cgroup: no unit, two (hidden) processes */
        ck_assert_int_eq(t->sockets[2].pid, 0);
        ck_assert_str_eq(t->sockets[2].unit, "");
        ck_assert_uint_eq(t->sockets[2].cgroup_procs, 2);
        ck_assert_int_eq(t->sockets[2].likely_pid, 2);
        /* a cgroup that is not there (removed since): nothing known */
        ck_assert_int_eq(t->sockets[3].owner_from, LISTEN_OWNER_NONE);
        ck_assert_str_eq(t->sockets[3].unit, "");
        ck_assert_int_eq(t->sockets[3].likely_pid, 0);
        /* an empty one: its unit, nobody in it */
        ck_assert_int_eq(t->sockets[4].owner_from, LISTEN_OWNER_CGROUP);
        ck_assert_str_eq(t->sockets[4].unit, "cron.service");
        ck_assert_uint_eq(t->sockets[4].cgroup_procs, 0);
        ck_assert_int_eq(t->sockets[4].pid, 0);
        ck_assert_int_eq(t->sockets[4].likely_pid, 0);
        listen_table_free(t);
        fake_proc_remove(proc);
        fake_proc_remove(cg);
}
END_TEST

START_TEST(test_cgroup_with_processes_of_one_name_gives_the_name_not_the_pid) {
        static const char *const rel[] = { "system.slice/nginx.service", "system.slice/ssh.service" };
        char proc[64], cg[64];
        ListenTable *t;

        fake_cgroup_build(proc, cg);
        t = sockets_in_cgroups(cg, rel, 2);
        ck_assert_int_eq(listen_resolve_owners_with(t, &(ListenOwnerLookup) { proc, cg, false }), 0);
        ck_assert_int_eq(t->sockets[0].pid, 0);
        ck_assert_str_eq(t->sockets[0].comm, "nginx");
        ck_assert_str_eq(t->sockets[0].unit, "nginx.service");
        ck_assert_uint_eq(t->sockets[0].cgroup_procs, 2);
        ck_assert_int_eq(t->sockets[0].likely_pid, 600);        /* the lowest, not the first listed */
        /* sshd's listener and a connection's child, both hidden: unit only */
        ck_assert_str_eq(t->sockets[1].comm, "");
        ck_assert_str_eq(t->sockets[1].unit, "ssh.service");
        ck_assert_int_eq(t->sockets[1].likely_pid, 42);
        listen_table_free(t);
        fake_proc_remove(proc);
        fake_proc_remove(cg);
}
END_TEST

START_TEST(test_cgroup_with_different_names_gives_only_the_unit_and_a_likely_pid) {
        static const char *const rel[] = { "user.slice/user-1000.slice/session-3.scope" };
        char proc[64], cg[64];
        ListenTable *t;

        fake_cgroup_build(proc, cg);
        t = sockets_in_cgroups(cg, rel, 1);
        ck_assert_int_eq(listen_resolve_owners_with(t, &(ListenOwnerLookup) { proc, cg, false }), 0);
        /* the python3 of a login session is not "sshd", the session's lowest pid */
        ck_assert_int_eq(t->sockets[0].owner_from, LISTEN_OWNER_CGROUP);
        ck_assert_int_eq(t->sockets[0].pid, 0);
        ck_assert_str_eq(t->sockets[0].comm, "");
        ck_assert_str_eq(t->sockets[0].unit, "session-3.scope");
        ck_assert_uint_eq(t->sockets[0].cgroup_procs, 3);
        ck_assert_int_eq(t->sockets[0].likely_pid, 500);
        listen_table_free(t);
        fake_proc_remove(proc);
        fake_proc_remove(cg);
}
END_TEST

START_TEST(test_complete_fd_scan_is_never_overruled_by_the_cgroup) {
        static const char *const rel[] = { "system.slice/nginx.service", "system.slice/e2e-holder.service",
                                           "system.slice/e2e-holder.service" };
        char proc[64], cg[64];
        ListenTable *t;

        /* pid 1 visible and every fd readable: the scan looked everywhere */
        fake_cgroup_build(proc, cg);
        mkdirs(proc, "1/fd");
        put_file(proc, "1/comm", "systemd\n");
        put_link(proc, "300/fd/3", "socket:[817771]");  /* sockets[1] */
        t = sockets_in_cgroups(cg, rel, 3);
        ck_assert_int_eq(listen_resolve_owners_with(t, &(ListenOwnerLookup) { proc, cg, false }), 1);
        /* found in fds: exact, its cgroup still named */
        ck_assert_int_eq(t->sockets[1].owner_from, LISTEN_OWNER_FD);
        ck_assert_int_eq(t->sockets[1].pid, 300);
        ck_assert_str_eq(t->sockets[1].comm, "python3");
        ck_assert_str_eq(t->sockets[1].unit, "e2e-holder.service");
        ck_assert_int_eq(t->sockets[1].likely_pid, 300);
        /* in nobody's fds although every fd was seen: no holder is made up,
         * even where its cgroup has one process */
        ck_assert_int_eq(t->sockets[2].owner_from, LISTEN_OWNER_NONE);
        ck_assert_int_eq(t->sockets[2].pid, 0);
        ck_assert_str_eq(t->sockets[2].comm, "");
        ck_assert_str_eq(t->sockets[2].unit, "e2e-holder.service");
        ck_assert_int_eq(t->sockets[0].owner_from, LISTEN_OWNER_NONE);
        ck_assert_str_eq(t->sockets[0].comm, "");
        ck_assert_str_eq(t->sockets[0].unit, "nginx.service");
        listen_table_free(t);
        fake_proc_remove(proc);
        fake_proc_remove(cg);
}
END_TEST

START_TEST(test_cgroup2_mount_is_read_from_mountinfo) {
        char proc[64], *m;

        strcpy(proc, "/tmp/check_listen_mi.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(proc));
        mkdirs(proc, "self");
        ck_assert_ptr_null(listen_cgroup2_mount(proc));
        /* a hybrid host: v1 hierarchies first, cgroup2 at unified (a space escaped for the test) */
        put_file(proc, "self/mountinfo",
                 "25 30 0:23 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n"
                 "31 25 0:26 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755\n"
                 "33 31 0:28 / /sys/fs/cgroup/systemd rw shared:11 - cgroup cgroup rw,name=systemd\n"
                 "32 31 0:27 / /sys/fs/cgroup/uni\\040fied rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
                 "40 31 0:29 / /elsewhere rw - cgroup2 cgroup2 rw\n");
        m = listen_cgroup2_mount(proc);
        ck_assert_str_eq(m, "/sys/fs/cgroup/uni fied");
        free(m);
        put_file(proc, "self/mountinfo", "31 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        m = listen_cgroup2_mount(proc);
        ck_assert_str_eq(m, "/sys/fs/cgroup");
        free(m);
        /* no cgroup2, or a line cut short */
        put_file(proc, "self/mountinfo", "33 31 0:28 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw\n31 25 - cgroup2\n");
        ck_assert_ptr_null(listen_cgroup2_mount(proc));
        fake_proc_remove(proc);
}
END_TEST

/* ---- taskstats ---- */

/* tests/data/listen/taskstats-sleep.bin: the answer for pid 19184, "sleep"
 * (capture.sh) */
#define TASKSTATS_CAPTURED_PID 19184

START_TEST(test_taskstats_answer_names_the_process_asked_for) {
        Capture c = capture_load("taskstats-sleep.bin");
        char comm[LISTEN_COMM_MAX] = "x";

        ck_assert_int_eq(listen_taskstats_parse(c.bytes, c.len, TASKSTATS_CAPTURED_PID, comm), 0);
        ck_assert_str_eq(comm, "sleep");
        /* the answer is for another process: nothing is taken from it */
        strcpy(comm, "x");
        ck_assert_int_eq(listen_taskstats_parse(c.bytes, c.len, TASKSTATS_CAPTURED_PID + 1, comm), -ENOENT);
        ck_assert_str_eq(comm, "x");
        ck_assert_int_eq(listen_taskstats_parse(c.bytes, 0, TASKSTATS_CAPTURED_PID, comm), -ENOENT);
        free(c.bytes);
}
END_TEST

START_TEST(test_taskstats_truncated_or_corrupted_never_crash) {
        Capture c = capture_load("taskstats-sleep.bin");
        char comm[LISTEN_COMM_MAX];

        for (size_t len = 0; len < c.len; len++) {
                uint8_t *copy = malloc(len ? len : 1);
                int r;

                memcpy(copy, c.bytes, len);
                r = listen_taskstats_parse(copy, len, TASKSTATS_CAPTURED_PID, comm);
                ck_assert_msg(r == -EBADMSG || r == -ENOENT, "len %zu: %d", len, r);
                free(copy);
        }
        for (size_t i = 0; i < c.len; i++)
                for (unsigned v = 0; v < 256; v += 51) {
                        uint8_t *copy = malloc(c.len);
                        int r;

                        memcpy(copy, c.bytes, c.len);
                        copy[i] = (uint8_t) v;
                        r = listen_taskstats_parse(copy, c.len, TASKSTATS_CAPTURED_PID, comm);
                        ck_assert(r == 0 || r == -EBADMSG || r == -ENOENT || (r < 0 && r >= -4095));
                        if (r == 0)
                                ck_assert_uint_lt(strlen(comm), LISTEN_COMM_MAX);
                        free(copy);
                }
        free(c.bytes);
}
END_TEST

START_TEST(test_taskstats_refusal_passes_its_errno) {
        uint8_t buf[256] = { 0 };
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct nlmsgerr *e;
        char comm[LISTEN_COMM_MAX];

        nlh->nlmsg_type = NLMSG_ERROR;
        e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
        e->error = -EPERM;      /* GENL_ADMIN_PERM: no CAP_NET_ADMIN */
        ck_assert_int_eq(listen_taskstats_parse(buf, nlh->nlmsg_len, 1, comm), -EPERM);
        e->error = -ESRCH;
        ck_assert_int_eq(listen_taskstats_parse(buf, nlh->nlmsg_len, 1, comm), -ESRCH);
        e->error = 5;
        ck_assert_int_eq(listen_taskstats_parse(buf, nlh->nlmsg_len, 1, comm), -EBADMSG);
}
END_TEST

/* Parses LEN bytes of B from a buffer of exactly that size (ASan sees any
 * read past it): the taskstats family answer. */
static int family_parse_exact(const void *b, size_t len, int *id) {
        uint8_t *copy = malloc(len);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, b, len);
        int r = listen_taskstats_family_parse(copy, len, id);
        free(copy);
        return r;
}

/* The answer to CTRL_CMD_GETFAMILY "TASKSTATS": its family id (a u16, 2
 * bytes) is the last attribute, and its nlmsg_len ends right after them,
 * unpadded; the id's header claims ID_LEN bytes. */
static size_t unpadded_family_answer(uint32_t *buf, uint16_t id_len) {
        memset(buf, 0, 64);
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = GENL_ID_CTRL;
        struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->cmd = CTRL_CMD_NEWFAMILY;
        mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TASKSTATS_GENL_NAME);
        struct nlattr *a = mnl_nlmsg_get_payload_tail(nlh);
        mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 27);
        a->nla_len = id_len;
        nlh->nlmsg_len -= 2;
        return nlh->nlmsg_len;
}

START_TEST(test_taskstats_family_answer_is_read_within_its_real_length) {
        uint32_t buf[16];
        int id = -1;

        /* whole, unpadded: read */
        size_t len = unpadded_family_answer(buf, NLA_HDRLEN + 2);
        ck_assert_uint_eq(len % 4, 2);
        ck_assert_int_eq(family_parse_exact(buf, len, &id), 0);
        ck_assert_int_eq(id, 27);
        /* an id claiming the 2 bytes of padding that are not there:
         * libmnl's walk, bounded by the aligned length, took it */
        id = -1;
        len = unpadded_family_answer(buf, NLA_HDRLEN + 4);
        ck_assert_int_eq(family_parse_exact(buf, len, &id), -EBADMSG);
        ck_assert_int_eq(id, -1);
        /* cut anywhere: refused or without an id, never read past */
        len = unpadded_family_answer(buf, NLA_HDRLEN + 2);
        for (size_t cut = 0; cut < len; cut++) {
                int r = family_parse_exact(buf, cut, &id);
                ck_assert_msg(r == -EBADMSG || r == -ENOENT, "cut %zu: %d", cut, r);
        }
        /* the kernel's refusal */
        memset(buf, 0, sizeof(buf));
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = NLMSG_ERROR;
        ((struct nlmsgerr *) mnl_nlmsg_put_extra_header(nlh, sizeof(struct nlmsgerr)))->error = -ENOENT;
        ck_assert_int_eq(family_parse_exact(buf, nlh->nlmsg_len, &id), -ENOENT);
}
END_TEST

/* The taskstats answer for pid 42, "sshd": AGGR_PID { PID, STATS } with
 * STATS the last attribute, ending right after ac_comm's first byte past
 * its NUL (unpadded); STATS and the nest claim EXTRA bytes more. */
static size_t unpadded_taskstats_answer(uint8_t *buf, size_t extra) {
        size_t stats_len = offsetof(struct taskstats, ac_comm) + TS_COMM_LEN + 1;
        memset(buf, 0, 1024);
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = 30;   /* the taskstats family */
        struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->cmd = TASKSTATS_CMD_NEW;
        struct nlattr *nest = mnl_attr_nest_start(nlh, TASKSTATS_TYPE_AGGR_PID);
        mnl_attr_put_u32(nlh, TASKSTATS_TYPE_PID, 42);
        struct nlattr *stats = mnl_nlmsg_get_payload_tail(nlh);
        uint8_t *ts = calloc(1, stats_len);
        ck_assert_ptr_nonnull(ts);
        memcpy(ts + offsetof(struct taskstats, ac_comm), "sshd", 5);
        mnl_attr_put(nlh, TASKSTATS_TYPE_STATS, stats_len, ts);
        free(ts);
        mnl_attr_nest_end(nlh, nest);
        /* mnl_attr_put() padded it: the message ends where the data does */
        nlh->nlmsg_len = (uint32_t) ((uint8_t *) stats + NLA_HDRLEN + stats_len - buf);
        stats->nla_len = (uint16_t) (NLA_HDRLEN + stats_len + extra);
        nest->nla_len = (uint16_t) ((uint8_t *) stats + NLA_HDRLEN + stats_len + extra - (uint8_t *) nest);
        return nlh->nlmsg_len;
}

START_TEST(test_taskstats_answer_is_read_within_its_real_length) {
        uint8_t buf[1024];
        char comm[LISTEN_COMM_MAX] = "x";

        size_t len = unpadded_taskstats_answer(buf, 0);
        ck_assert_uint_ne(len % 4, 0);
        uint8_t *copy = malloc(len);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, buf, len);
        ck_assert_int_eq(listen_taskstats_parse(copy, len, 42, comm), 0);
        ck_assert_str_eq(comm, "sshd");
        free(copy);

        for (size_t extra = 1; extra <= 3; extra++) {
                len = unpadded_taskstats_answer(buf, extra);
                copy = malloc(len);
                ck_assert_ptr_nonnull(copy);
                memcpy(copy, buf, len);
                strcpy(comm, "x");
                ck_assert_int_eq(listen_taskstats_parse(copy, len, 42, comm), -EBADMSG);
                ck_assert_str_eq(comm, "x");
                free(copy);
        }
}
END_TEST

/* ---- live, in a network namespace of the test's own (root only) ---- */

START_TEST(test_live_dump_finds_our_listener_and_us_as_owner) {
        struct sockaddr_in sin = { .sin_family = AF_INET };
        socklen_t sl = sizeof(sin);
        ListenTable *t = NULL;
        const ListenSocket *who = NULL;
        struct stat st;
        int fd;

        /* CK_FORK runs each test in a child, so the namespace dies with it */
        if (unshare(CLONE_NEWNET) < 0) {
                fprintf(stderr, "check_listen: live test skipped: unshare(CLONE_NEWNET): %s\n", strerror(errno));
                return;
        }
        ck_assert_int_eq(prctl(PR_SET_NAME, "listen-owner"), 0);
        ck_assert_int_eq(listen_dump(&t), 0);
        ck_assert_uint_eq(t->n_sockets, 0);
        listen_table_free(t);

        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(bind(fd, (struct sockaddr *) &sin, sizeof(sin)), 0);
        ck_assert_int_eq(listen(fd, 1), 0);
        ck_assert_int_eq(getsockname(fd, (struct sockaddr *) &sin, &sl), 0);
        ck_assert_int_eq(fstat(fd, &st), 0);

        ck_assert_int_eq(listen_dump(&t), 0);
        ck_assert_uint_eq(t->n_sockets, 1);
        ck_assert_uint_eq(t->sockets[0].port, ntohs(sin.sin_port));
        ck_assert_uint_eq(t->sockets[0].inode, st.st_ino);
        ck_assert_uint_eq(t->sockets[0].uid, getuid());
        ck_assert_uint_ne(t->sockets[0].cookie, 0);
        ck_assert_int_eq(listen_resolve_owners(t, "/proc"), 1);
        ck_assert_int_eq(t->sockets[0].pid, getpid());
        ck_assert_str_eq(t->sockets[0].comm, "listen-owner");
        ck_assert_int_eq(t->sockets[0].owner_from, LISTEN_OWNER_FD);
        ck_assert(listen_covers(t, AF_INET, ip(AF_INET, "198.51.100.1"), ntohs(sin.sin_port), &who));
        ck_assert_ptr_eq(who, &t->sockets[0]);

        /* the kernel names the cgroup we made it in: the real tree has it,
         * with us in it */
        ck_assert_uint_ne(t->sockets[0].cgroup_id, 0);
        {
                char *cg = listen_cgroup2_mount("/proc"), comm[LISTEN_COMM_MAX] = "";
                char hidden[] = "/tmp/check_listen_hidden.XXXXXX";

                ck_assert_ptr_nonnull(cg);
                /* a /proc that shows nobody: the cgroup is all there is */
                ck_assert_ptr_nonnull(mkdtemp(hidden));
                ck_assert_int_ge(listen_resolve_owners_with(t, &(ListenOwnerLookup) { hidden, cg, true }), 0);
                ck_assert_int_eq(t->sockets[0].owner_from, LISTEN_OWNER_CGROUP);
                ck_assert_uint_ge(t->sockets[0].cgroup_procs, 1);
                ck_assert_int_gt(t->sockets[0].likely_pid, 0);
                ck_assert_int_le(t->sockets[0].likely_pid, getpid());
                /* alone in it (never under meson, which runs tests beside
                 * itself): us, named by taskstats */
                if (t->sockets[0].cgroup_procs == 1) {
                        ck_assert_int_eq(t->sockets[0].pid, getpid());
                        ck_assert_str_eq(t->sockets[0].comm, "listen-owner");
                }
                rmdir(hidden);
                free(cg);
                ck_assert_int_eq(listen_taskstats_comm(getpid(), comm), 0);
                ck_assert_str_eq(comm, "listen-owner");
        }
        listen_table_free(t);

        ck_assert_int_eq(listen_destroy_events_supported(), 1);
        close(fd);
}
END_TEST

/* ---- hostile input ---- */

/* Where each message of BUF ends: cutting there leaves whole messages. */
static bool is_boundary(const uint8_t *buf, size_t len, size_t cut) {
        size_t off = 0;

        while (off < len) {
                const struct nlmsghdr *nlh = (const struct nlmsghdr *) (buf + off);

                if (off == cut)
                        return true;
                off += NLMSG_ALIGN(nlh->nlmsg_len);
        }
        return off == cut || cut == len;
}

START_TEST(test_truncated_dumps_are_refused_cleanly) {
        Capture c = capture_load(_i == 0 ? "basic.bin" : "dualstack.bin");

        for (size_t cut = 0; cut < c.len; cut++) {
                uint8_t *copy = malloc(cut ? cut : 1);
                ListenTable *t = listen_table_new();
                int r;

                memcpy(copy, c.bytes, cut);
                r = listen_parse_msgs(t, copy, cut);
                if (is_boundary(c.bytes, c.len, cut))
                        ck_assert_msg(r == 0, "cut %zu: %d", cut, r);
                else
                        ck_assert_msg(r == -EBADMSG, "cut %zu: %d", cut, r);
                listen_table_free(t);
                free(copy);
        }
        free(c.bytes);
}
END_TEST

START_TEST(test_corrupted_dumps_never_crash) {
        static const uint8_t values[] = { 0x00, 0x01, 0x04, 0x0a, 0x7f, 0x80, 0xff };
        Capture c = capture_load(_i == 0 ? "basic.bin" : "dualstack.bin");
        uint8_t *copy = malloc(c.len);

        for (size_t pos = 0; pos < c.len; pos++)
                for (size_t v = 0; v < sizeof(values); v++) {
                        ListenTable *t = listen_table_new();
                        int r;

                        memcpy(copy, c.bytes, c.len);
                        copy[pos] = values[v];
                        r = listen_parse_msgs(t, copy, c.len);
                        ck_assert_msg(r <= 0 && r >= -4095, "pos %zu: %d", pos, r);
                        ck_assert_uint_le(t->n_sockets, c.len / (NLMSG_HDRLEN + sizeof(struct inet_diag_msg)));
                        if (r == 0)
                                (void) listen_covers(t, AF_INET, NULL, 22, NULL);
                        listen_table_free(t);
                }
        free(copy);
        free(c.bytes);
}
END_TEST

typedef struct Crafted {
        uint64_t align;         /* netlink buffers are 4-byte aligned */
        uint8_t buf[512];
} Crafted;

static struct nlmsghdr *craft_diag(Crafted *c, uint8_t family, uint8_t state) {
        struct nlmsghdr *nlh;
        struct inet_diag_msg *m;

        memset(c, 0, sizeof(*c));
        nlh = mnl_nlmsg_put_header(c->buf);
        nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
        m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
        m->idiag_family = family;
        m->idiag_state = state;
        m->id.idiag_sport = htons(22);
        m->idiag_inode = 5;
        return nlh;
}

static int parse_crafted(struct nlmsghdr *nlh, size_t *n_sockets) {
        ListenTable *t = listen_table_new();
        int r = listen_parse_msgs(t, nlh, nlh->nlmsg_len);

        *n_sockets = t->n_sockets;
        listen_table_free(t);
        return r;
}

static int parse_bytes(const void *buf, size_t len) {
        ListenTable *t = listen_table_new();
        int r = listen_parse_msgs(t, buf, len);

        listen_table_free(t);
        return r;
}

START_TEST(test_crafted_bad_messages_get_ebadmsg_and_errors_pass_through) {
        Crafted c;
        struct nlmsghdr *nlh;
        struct nlmsgerr *e;
        struct nlattr *a;
        size_t n;

        nlh = craft_diag(&c, AF_INET6, TCP_LISTEN);
        mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, 1);
        ck_assert_int_eq(parse_crafted(nlh, &n), 0);
        ck_assert_uint_eq(n, 1);

        /* a socket in another state is no listener */
        nlh = craft_diag(&c, AF_INET, TCP_ESTABLISHED);
        ck_assert_int_eq(parse_crafted(nlh, &n), 0);
        ck_assert_uint_eq(n, 0);

        nlh = craft_diag(&c, 99, TCP_LISTEN);
        ck_assert_int_eq(parse_crafted(nlh, &n), -EBADMSG);

        nlh = craft_diag(&c, AF_INET, TCP_LISTEN);
        nlh->nlmsg_len = NLMSG_HDRLEN + 10;
        ck_assert_int_eq(parse_crafted(nlh, &n), -EBADMSG);
        nlh->nlmsg_len = 8;
        ck_assert_int_eq(parse_bytes(nlh, 16), -EBADMSG);

        nlh = craft_diag(&c, AF_INET6, TCP_LISTEN);
        mnl_attr_put_u32(nlh, INET_DIAG_SKV6ONLY, 1);
        ck_assert_int_eq(parse_crafted(nlh, &n), -EBADMSG);
        ck_assert_uint_eq(n, 0);

        nlh = craft_diag(&c, AF_INET6, TCP_LISTEN);
        a = (struct nlattr *) mnl_nlmsg_get_payload_tail(nlh);
        mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, 1);
        a->nla_len = 2;
        ck_assert_int_eq(parse_crafted(nlh, &n), -EBADMSG);
        a->nla_len = 200;
        ck_assert_int_eq(parse_crafted(nlh, &n), -EBADMSG);
        /* the last attribute may go without its padding */
        a->nla_len = 5;
        nlh->nlmsg_len -= 3;
        ck_assert_int_eq(parse_crafted(nlh, &n), 0);
        ck_assert_uint_eq(n, 1);
        /* but 1 to 3 bytes after the last attribute are no attribute */
        a->nla_type = 200;
        a->nla_len = 4;
        nlh->nlmsg_len += 1;
        ck_assert_int_eq(parse_crafted(nlh, &n), -EBADMSG);

        /* unknown attributes are skipped */
        nlh = craft_diag(&c, AF_INET, TCP_LISTEN);
        mnl_attr_put_u32(nlh, 200, 7);
        ck_assert_int_eq(parse_crafted(nlh, &n), 0);
        ck_assert_uint_eq(n, 1);

        memset(&c, 0, sizeof(c));
        nlh = mnl_nlmsg_put_header(c.buf);
        nlh->nlmsg_type = NLMSG_ERROR;
        e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
        e->error = -EPERM;
        ck_assert_int_eq(parse_crafted(nlh, &n), -EPERM);
        e->error = 1;
        ck_assert_int_eq(parse_crafted(nlh, &n), -EBADMSG);
        e->error = -100000;
        ck_assert_int_eq(parse_crafted(nlh, &n), -EBADMSG);
        e->error = 0;   /* an ack */
        ck_assert_int_eq(parse_crafted(nlh, &n), 0);
        nlh->nlmsg_len = NLMSG_HDRLEN + 2;
        ck_assert_int_eq(parse_crafted(nlh, &n), -EBADMSG);

        memset(&c, 0, sizeof(c));
        nlh = mnl_nlmsg_put_header(c.buf);
        nlh->nlmsg_type = NLMSG_DONE;
        *(int32_t *) mnl_nlmsg_put_extra_header(nlh, sizeof(int32_t)) = -EINTR;
        ck_assert_int_eq(parse_crafted(nlh, &n), -EINTR);

        ck_assert_int_eq(parse_bytes(c.buf, 3), -EBADMSG);
}
END_TEST

static Suite *listen_suite(void) {
        Suite *s = suite_create("listen");
        TCase *tc = tcase_create("decode");

        tcase_add_test(tc, test_capture_decodes_every_listener_with_exact_fields);
        tcase_add_test(tc, test_capture_decodes_dual_stack_mapped_device_bound_and_uid);
        tcase_add_test(tc, test_two_captures_append_to_one_table);
        suite_add_tcase(s, tc);

        tc = tcase_create("questions");
        tcase_add_test(tc, test_wildcard_and_exact_v4_listeners_cover_their_addresses);
        tcase_add_test(tc, test_v6_wildcard_covers_v4_only_without_v6only);
        tcase_add_test(tc, test_v4_mapped_listener_covers_that_v4_address_only);
        tcase_add_test(tc, test_exact_address_wins_over_wildcard);
        tcase_add_test(tc, test_find_port_walks_every_listener_of_a_port);
        suite_add_tcase(s, tc);

        tc = tcase_create("owners");
        tcase_add_test(tc, test_owners_are_found_by_socket_inode_in_fd_links);
        tcase_add_test(tc, test_owner_scan_of_missing_proc_fails_and_empty_table_is_free);
        tcase_add_test(tc, test_cgroup_names_the_only_process_of_a_unit_when_proc_hides_the_rest);
        tcase_add_test(tc, test_cgroup_with_processes_of_one_name_gives_the_name_not_the_pid);
        tcase_add_test(tc, test_cgroup_with_different_names_gives_only_the_unit_and_a_likely_pid);
        tcase_add_test(tc, test_complete_fd_scan_is_never_overruled_by_the_cgroup);
        tcase_add_test(tc, test_cgroup2_mount_is_read_from_mountinfo);
        suite_add_tcase(s, tc);

        tc = tcase_create("taskstats");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_taskstats_answer_names_the_process_asked_for);
        tcase_add_test(tc, test_taskstats_truncated_or_corrupted_never_crash);
        tcase_add_test(tc, test_taskstats_refusal_passes_its_errno);
        tcase_add_test(tc, test_taskstats_family_answer_is_read_within_its_real_length);
        tcase_add_test(tc, test_taskstats_answer_is_read_within_its_real_length);
        suite_add_tcase(s, tc);

        tc = tcase_create("live");
        tcase_add_test(tc, test_live_dump_finds_our_listener_and_us_as_owner);
        suite_add_tcase(s, tc);

        tc = tcase_create("hostile");
        tcase_set_timeout(tc, 60);
        tcase_add_loop_test(tc, test_truncated_dumps_are_refused_cleanly, 0, 2);
        tcase_add_loop_test(tc, test_corrupted_dumps_never_crash, 0, 2);
        tcase_add_test(tc, test_crafted_bad_messages_get_ebadmsg_and_errors_pass_through);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(listen_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one snapshot builder (gather.h): reads, never decides.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <ifaddrs.h>
#include <linux/netfilter.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "atomic-file.h"
#include "fileio.h"
#include "gather.h"
#include "ipset.h"
#include "macro.h"
#include "route.h"
#include "strv.h"

void facts_done(HostFacts *f) {
        sshd_units_done(&f->units);
        strv_free(f->sshd_log);
        sshd_config_free(f->config);
        free(f->config_path);
        sshd_config_free(f->config_running);
        free(f->listeners);
        listen_table_free(f->listen);
        for (size_t i = 0; i < f->n_interfaces; i++) {
                free((char *) f->interfaces[i].name);
                free((SgAddress *) f->interfaces[i].addrs);
        }
        free(f->interfaces);
        free(f->ports);
        nft_live_lookup_free(f->live);
        if (!f->ruleset_lent)
                nft_ruleset_free(f->ruleset);
        xt_recent_state_done(&f->recent);
        free(f->admin);
        free(f->admin_user);
        free(f->admin_iif);
        *f = (HostFacts) {};
}

const SgUnitFacts *facts_service(const HostFacts *f) {
        for (size_t i = 0; f->have_units && i < f->units.n_units; i++)
                if (f->units.units[i].loaded && strstr(f->units.units[i].name, ".service"))
                        return &f->units.units[i];
        return NULL;
}

int facts_read_units(HostFacts *f, sd_bus *bus, const SgConfig *conf) {
        SshdUnitsFacts fresh = {};
        int r = bus ? sshd_units_read(bus, conf->n_units > 0 ? (const char *const *) conf->units : NULL, &fresh)
                    : -ENOTCONN;

        if (r < 0) {
                sshd_units_done(&fresh);
                return r;
        }
        sshd_units_done(&f->units);
        f->units = fresh;
        f->have_units = true;
        return 0;
}

void facts_read_unit_logs(HostFacts *f, size_t max) {
        const SgUnitFacts *svc = facts_service(f);

        strv_free(f->sshd_log);
        f->sshd_log = NULL;
        f->n_sshd_log = 0;
        if (!f->have_units)
                return;
        sshd_units_judge_stops(&f->units);
        sshd_units_judge_exec(&f->units);
        if (svc && strcmp(svc->active_state ? svc->active_state : "", "active") != 0)
                (void) sshd_journal_lines(f->units.journal_unit ? f->units.journal_unit : svc->name,
                                          f->units.invocation_id, f->units.main_start_usec, f->units.main_pid_last,
                                          max, &f->sshd_log, &f->n_sshd_log);
}

int facts_read_config(HostFacts *f, const char *path) {
        SshdConfig *c = NULL;
        char *p = strdup(path);
        int r = p ? sshd_config_load(path, &(SshdConfigOptions) { .resolve_names = true }, &c) : -ENOMEM;

        /* gone, a symlink loop, unreadable: a fact too (sshd would not
         * start with it), never the last good one kept */
        sshd_config_free(f->config);
        free(f->config_path);
        f->config = r < 0 ? NULL : c;
        f->config_error = r < 0 ? r : 0;
        f->config_path = p;
        return r;
}

int facts_read_listeners(HostFacts *f) {
        _cleanup_(listen_table_freep) ListenTable *t = NULL;
        SgListener *l;
        int r = listen_dump(&t);

        if (r < 0)
                return r;
        (void) listen_resolve_owners(t, "/proc");
        l = calloc(t->n_sockets ? t->n_sockets : 1, sizeof(SgListener));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_sockets; i++) {
                const ListenSocket *s = &t->sockets[i];
                l[i] = (SgListener) {
                        .family = s->family,
                        .port = s->port,
                        .v6only = s->v6only,
                        .pid = s->pid,
                        .comm = s->comm[0] ? s->comm : NULL,
                        .unit = s->unit[0] ? s->unit : NULL,
                };
                memcpy(l[i].addr, s->addr, 16);
        }
        free(f->listeners);
        listen_table_free(f->listen);
        f->n_listeners = t->n_sockets;
        f->listen = TAKE_PTR(t);
        f->listeners = l;
        f->have_listeners = true;
        return 0;
}

static void interfaces_free(SgInterface *v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free((char *) v[i].name);
                free((SgAddress *) v[i].addrs);
        }
        free(v);
}

static SgInterface *interface_get(SgInterface **v, size_t *n, const struct ifaddrs *i) {
        SgInterface *nv;
        char *name;

        for (size_t k = 0; k < *n; k++)
                if (strcmp((*v)[k].name, i->ifa_name) == 0)
                        return &(*v)[k];
        name = strdup(i->ifa_name);
        nv = name ? reallocarray(*v, *n + 1, sizeof(SgInterface)) : NULL;
        if (!nv) {
                free(name);
                return NULL;
        }
        *v = nv;
        nv[*n] = (SgInterface) {
                .name = name,
                .ifindex = if_nametoindex(name),
                .up = (i->ifa_flags & IFF_UP) != 0,
                .loopback = (i->ifa_flags & IFF_LOOPBACK) != 0,
        };
        return &nv[(*n)++];
}

int facts_read_interfaces(HostFacts *f) {
        struct ifaddrs *ifa = NULL;
        SgInterface *v = NULL;
        size_t n = 0;

        if (getifaddrs(&ifa) < 0)
                return -errno;
        for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
                SgInterface *ifc = interface_get(&v, &n, i);
                SgAddress *addrs;
                int family = i->ifa_addr ? i->ifa_addr->sa_family : AF_UNSPEC;

                if (!ifc)
                        goto oom;
                if (family != AF_INET && family != AF_INET6)
                        continue;
                addrs = reallocarray((SgAddress *) ifc->addrs, ifc->n_addrs + 1, sizeof(SgAddress));
                if (!addrs)
                        goto oom;
                addrs[ifc->n_addrs] = (SgAddress) { .family = family };
                if (family == AF_INET)
                        memcpy(addrs[ifc->n_addrs].addr, &((struct sockaddr_in *) i->ifa_addr)->sin_addr, 4);
                else
                        memcpy(addrs[ifc->n_addrs].addr, &((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr, 16);
                ifc->addrs = addrs;
                ifc->n_addrs++;
        }
        freeifaddrs(ifa);
        interfaces_free(f->interfaces, f->n_interfaces);
        f->interfaces = v;
        f->n_interfaces = n;
        return 0;
oom:
        freeifaddrs(ifa);
        interfaces_free(v, n);
        return -ENOMEM;
}

int facts_learn_ports(HostFacts *f, const SgConfig *conf) {
        uint16_t *p = NULL;
        size_t n = 0;
        int r = sg_expected_ports(conf->ports, conf->n_ports, f->listeners, f->n_listeners, facts_service(f),
                                  f->config, &p, &n);

        if (r < 0)
                return r;
        free(f->ports);
        f->ports = p;
        f->n_ports = n;
        return 0;
}

/* Where iptables-legacy's tables are read from: what sshguardiand was
 * handed at start-up (its sandbox forbids it IPv4 and IPv6 sockets, see
 * sshguardiand-fdstore.h), else -1: opened for each read.  Process-wide by
 * nature, like the descriptors themselves; set once, before any read. */
static XtLegacySource legacy_sources[2] = { { -1, -1 }, { -1, -1 } };

void facts_set_legacy_sources(const XtLegacySource src[2]) {
        legacy_sources[0] = src[0];
        legacy_sources[1] = src[1];
}

static const XtLegacySource *legacy_source(int family) {
        return &legacy_sources[family == NFPROTO_IPV6 ? 1 : 0];
}

int facts_legacy_fingerprint(int family, uint64_t *ret) {
        return xt_legacy_fingerprint_with(legacy_source(family), family, ret);
}

/* iptables-legacy's tables join the model as tables of their own (see
 * nft_ruleset_add_legacy()), judged with everything else.  Returns NULL,
 * or why the legacy tables of FAMILY could not be (all) read. */
static const char *legacy_add(NftRuleset *rs, int family) {
        XtLegacyTable **tables = NULL;
        const char *failed = NULL;
        size_t n = 0;

        if (xt_legacy_read_with(legacy_source(family), family, &tables, &n) < 0)
                return "the iptables-legacy tables could not be read";
        for (size_t i = 0; i < n; i++) {
                if (!failed && nft_ruleset_add_legacy(rs, tables[i]) < 0)
                        failed = "an iptables-legacy table could not be judged";
                xt_legacy_table_free(tables[i]);
        }
        free(tables);
        return failed;
}

static int read_firewall(HostFacts *f, NftRuleset *given, bool lent) {
        _cleanup_(nft_ruleset_freep) NftRuleset *rs = lent ? NULL : given;
        int r = 0;

        if (!f->ruleset_lent)
                nft_ruleset_free(f->ruleset);
        f->ruleset = NULL;
        f->ruleset_lent = false;
        f->firewall = (SgFirewallInput) {};
        if (lent && given) {
                /* (nothing below returns before it is handed to F) */
                f->ruleset_lent = true;
                rs = given;
        }
        if (!rs)
                r = nft_ruleset_read(&rs);
        if (r < 0) {
                f->firewall.read_error = r;
                return r;
        }
        f->firewall.legacy_error[0] = legacy_add(rs, NFPROTO_IPV4);
        f->firewall.legacy_error[1] = legacy_add(rs, NFPROTO_IPV6);
        if (!f->live && nft_live_lookup_new(&f->live) < 0)
                f->live = NULL;
        f->ruleset = TAKE_PTR(rs);
        f->firewall.ruleset = f->ruleset;
        f->firewall.set_lookup = f->live ? nft_set_lookup_live : NULL;
        f->firewall.set_lookup_data = f->live;
        f->firewall.ipset_test = ipset_probe_test;
        (void) facts_read_recent(f);
        return 0;
}

/* ---- xt_recent ---- */

static int recent_dir_fd = -1, timer_list_fd = -1;

void facts_set_recent_sources(int dir_fd, int tl_fd) {
        recent_dir_fd = dir_fd;
        timer_list_fd = tl_fd;
}

/* at most this much of a file: a list holds ip_list_tot (100) entries of
 * up to 255 stamps by default; timer_list grows with the timers pending */
#define RECENT_FILE_MAX (8u << 20)

/* HZ and a reading, once per process (jiffies follow CLOCK_MONOTONIC).
 * HZ cannot be told around 300 s after boot (jiffies' start value is 300
 * s of ticks before 2^32: every HZ predicts about 2^32 then), which is
 * when the daemon starts on a booting host: a minute later it is tried
 * again. */
static int recent_clock(XtRecentClock *ret) {
        static XtRecentClock clock;
        static bool known;
        static uint64_t retry_after;    /* CLOCK_MONOTONIC µs */
        _cleanup_free_ char *text = NULL;
        struct timespec ts;
        uint64_t now;
        size_t len = 0;
        int fd = timer_list_fd, r;

        if (known) {
                *ret = clock;
                return 0;
        }
        clock_gettime(CLOCK_MONOTONIC, &ts);
        now = (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
        if (now < retry_after)
                return -ENODATA;
        if (fd < 0)
                fd = open("/proc/timer_list", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = read_fd_whole(fd, RECENT_FILE_MAX - 1, &text, &len);
        if (fd != timer_list_fd)
                close(fd);
        if (r >= 0)
                r = xt_recent_clock_parse(text, len, &clock);
        if (r < 0) {
                if (r == -ENODATA)
                        retry_after = now + 60u * 1000000u;
                return r;
        }
        known = true;
        *ret = clock;
        return 0;
}

int facts_read_recent(HostFacts *f) {
        XtRecentState st = {};
        XtRecentClock clock;
        struct timespec ts;
        DIR *d;
        int dfd, r;

        xt_recent_state_done(&f->recent);
        f->firewall.recent = NULL;
        dfd = recent_dir_fd >= 0 ? fcntl(recent_dir_fd, F_DUPFD_CLOEXEC, 3)
                                 : open("/proc/net/xt_recent", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? 0 : -errno;    /* xt_recent not loaded: no list */
        d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return -errno;
        }
        rewinddir(d);
        r = 0;
        for (struct dirent *de; r >= 0 && (de = readdir(d));) {
                _cleanup_free_ char *text = NULL;
                size_t len = 0;
                XtRecentList *nl;
                int fd;

                if (de->d_name[0] == '.')
                        continue;
                fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0) {
                        r = errno == ENOENT ? 0 : -errno;       /* its rule went meanwhile */
                        continue;
                }
                r = read_fd_whole(fd, RECENT_FILE_MAX - 1, &text, &len);
                close(fd);
                if (r < 0)
                        break;
                nl = reallocarray(st.lists, st.n_lists + 1, sizeof(XtRecentList));
                if (!nl) {
                        r = -ENOMEM;
                        break;
                }
                st.lists = nl;
                r = xt_recent_list_parse(de->d_name, text, len, &st.lists[st.n_lists]);
                if (r >= 0)
                        st.n_lists++;
        }
        closedir(d);
        if (r >= 0 && st.n_lists > 0) {
                r = recent_clock(&clock);
                if (r >= 0 && clock_gettime(CLOCK_MONOTONIC, &ts) == 0) {
                        st.hz = clock.hz;
                        st.now = xt_recent_clock_at(&clock, (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec);
                }
        }
        if (r < 0 || !st.hz) {
                xt_recent_state_done(&st);
                return r;
        }
        f->recent = st;
        f->firewall.recent = &f->recent;
        return 0;
}

static bool recent_entry_of_admin(const XtRecentEntry *e, void *userdata) {
        const HostFacts *f = userdata;
        for (size_t a = 0; a < f->n_admin; a++)
                if (xt_recent_entry_covers(e, f->admin[a].family == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4,
                                           f->admin[a].addr))
                        return true;
        return false;
}

uint64_t facts_recent_fingerprint(const HostFacts *f) {
        return xt_recent_fingerprint(&f->recent, recent_entry_of_admin, (void *) f);
}

int facts_read_firewall(HostFacts *f, NftRuleset *rs) {
        return read_firewall(f, rs, false);
}

int facts_read_firewall_lent(HostFacts *f, NftRuleset *rs) {
        return read_firewall(f, rs, true);
}

static bool exists_any(const char *const *paths, int mode) {
        for (; *paths; paths++)
                if (access(*paths, mode) == 0)
                        return true;
        return false;
}

void facts_read_tools(HostFacts *f) {
        static const struct {
                const char *path;
                const char *command;
        } installers[] = {
                { "/usr/bin/apt-get", "apt-get install --reinstall openssh-server" },
                { "/usr/bin/dnf", "dnf reinstall openssh-server" },
                { "/usr/bin/yum", "yum reinstall openssh-server" },
                { "/usr/bin/zypper", "zypper install --force openssh" },
                { "/sbin/apk", "apk fix openssh-server" },
        };

        f->tools = (SgHostTools) {
                .sshd_path = access("/usr/sbin/sshd", X_OK) == 0 ? "/usr/sbin/sshd" : NULL,
                .sysv_ssh = access("/etc/init.d/ssh", X_OK) == 0 &&
                            exists_any((const char *const[]) { "/usr/sbin/service", "/sbin/service", NULL }, X_OK),
                /* selinuxfs is mounted where SELinux is enabled */
                .selinux = access("/sys/fs/selinux/enforce", F_OK) == 0,
                .socket_generator = exists_any((const char *const[]) {
                                "/usr/lib/systemd/system-generators/sshd-socket-generator",
                                "/lib/systemd/system-generators/sshd-socket-generator", NULL }, F_OK),
        };
        for (size_t i = 0; i < sizeof(installers) / sizeof(installers[0]) && !f->tools.reinstall_sshd; i++)
                if (access(installers[i].path, X_OK) == 0)
                        f->tools.reinstall_sshd = installers[i].command;
}

/* Room for MAX sources (the arrays are moved together). */
static int admin_reserve(HostFacts *f, size_t max) {
        SgAdminSource *a = reallocarray(f->admin, max ? max : 1, sizeof(*a));
        char (*u)[64] = a ? reallocarray(f->admin_user, max ? max : 1, sizeof(*u)) : NULL;
        char (*i)[16] = u ? reallocarray(f->admin_iif, max ? max : 1, sizeof(*i)) : NULL;

        if (a)
                f->admin = a;
        if (u)
                f->admin_user = u;
        if (i)
                f->admin_iif = i;
        return i ? 0 : -ENOMEM;
}

/* The pointers inside f->admin, set again whenever the arrays move. */
static void admin_point(HostFacts *f) {
        for (size_t k = 0; k < f->n_admin; k++) {
                f->admin[k].user = f->admin_user[k][0] ? f->admin_user[k] : NULL;
                f->admin[k].iif = f->admin_iif[k][0] ? f->admin_iif[k] : NULL;
        }
}

static int admin_put(HostFacts *f, int family, const uint8_t addr[16], const char *user, uint64_t when, size_t max) {
        size_t k;

        if (max == 0)
                return 0;
        if (admin_reserve(f, max) < 0)
                return -ENOMEM;
        for (k = 0; k < f->n_admin; k++)
                if (f->admin[k].family == family && memcmp(f->admin[k].addr, addr, 16) == 0)
                        break;
        if (k == f->n_admin) {
                if (f->n_admin < max)
                        f->n_admin++;
                k = f->n_admin - 1;     /* the oldest goes */
        }
        /* to the front */
        memmove(&f->admin[1], &f->admin[0], k * sizeof(*f->admin));
        memmove(&f->admin_user[1], &f->admin_user[0], k * sizeof(*f->admin_user));
        memmove(&f->admin_iif[1], &f->admin_iif[0], k * sizeof(*f->admin_iif));
        f->admin[0] = (SgAdminSource) { .family = family, .last_login_usec = when };
        memcpy(f->admin[0].addr, addr, 16);
        snprintf(f->admin_user[0], sizeof(f->admin_user[0]), "%s", user ? user : "");
        f->admin_iif[0][0] = '\0';
        admin_point(f);
        return 1;
}

int facts_admin_learn(HostFacts *f, const char *line, size_t len, uint64_t when, size_t max) {
        char buf[512], method[64], user[64], addr[INET6_ADDRSTRLEN];
        uint8_t a[16] = {};
        unsigned port;
        int family;

        if (len >= sizeof(buf))
                return 0;
        memcpy(buf, line, len);
        buf[len] = '\0';
        if (sscanf(buf, "Accepted %63s for %63s from %45s port %u", method, user, addr, &port) != 4)
                return 0;
        if (inet_pton(AF_INET, addr, a) == 1)
                family = AF_INET;
        else if (inet_pton(AF_INET6, addr, a) == 1)
                family = AF_INET6;
        else
                return 0;
        return admin_put(f, family, a, user, when, max);
}

static char *admin_path(const char *dir) {
        const char *d = dir ? dir : getenv("STATE_DIRECTORY");
        char *p;

        if (!d || *d != '/')
                d = "/var/lib/sshguardian";
        return asprintf(&p, "%.*s/admin-sources", (int) strcspn(d, ":"), d) < 0 ? NULL : p;
}

int facts_admin_load(HostFacts *f, const char *dir, size_t max) {
        _cleanup_free_ char *path = admin_path(dir);
        char line[256];
        FILE *in;
        size_t n = 0;

        if (!path)
                return -ENOMEM;
        in = fopen(path, "re");
        if (!in)
                return errno == ENOENT || errno == EACCES ? 0 : -errno;
        /* the file lists the most recent first: put them back oldest first */
        SgAdminSource tmp[1000];
        char users[1000][64];
        while (n < max && n < 1000 && fgets(line, sizeof(line), in)) {
                char addr[INET6_ADDRSTRLEN];
                unsigned long long when;
                uint8_t a[16] = {};
                if (sscanf(line, "%45s %63s %llu", addr, users[n], &when) != 3)
                        continue;
                tmp[n] = (SgAdminSource) { .last_login_usec = when };
                if (inet_pton(AF_INET, addr, a) == 1)
                        tmp[n].family = AF_INET;
                else if (inet_pton(AF_INET6, addr, a) == 1)
                        tmp[n].family = AF_INET6;
                else
                        continue;
                memcpy(tmp[n].addr, a, 16);
                n++;
        }
        fclose(in);
        for (size_t k = n; k-- > 0;)
                if (admin_put(f, tmp[k].family, tmp[k].addr, strcmp(users[k], "-") == 0 ? NULL : users[k],
                              tmp[k].last_login_usec, max) < 0)
                        return -ENOMEM;
        return 0;
}

static int write_admin(FILE *out, const void *data) {
        const HostFacts *f = data;

        for (size_t k = 0; k < f->n_admin; k++) {
                char addr[INET6_ADDRSTRLEN];
                if (inet_ntop(f->admin[k].family, f->admin[k].addr, addr, sizeof(addr)))
                        fprintf(out, "%s %s %llu\n", addr, f->admin_user[k][0] ? f->admin_user[k] : "-",
                                (unsigned long long) f->admin[k].last_login_usec);
        }
        return ferror(out) ? -EIO : 0;
}

int facts_admin_save(const HostFacts *f, const char *dir) {
        _cleanup_free_ char *path = admin_path(dir);

        if (!path)
                return -ENOMEM;
        return write_file_atomic(path, 0600, write_admin, f);
}

void facts_admin_routes(HostFacts *f) {
        for (size_t k = 0; k < f->n_admin; k++)
                if (facts_route_iif(f->admin[k].family, f->admin[k].addr, f->admin_iif[k]) < 0)
                        f->admin_iif[k][0] = '\0';
        admin_point(f);
}

static uint64_t realtime_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

SgSnapshot facts_snapshot(const HostFacts *f) {
        return (SgSnapshot) {
                .units = f->have_units ? f->units.units : NULL,
                .n_units = f->have_units ? f->units.n_units : 0,
                .units_unknown = !f->have_units,
                .sshd_log = (const char *const *) f->sshd_log,
                .n_sshd_log = f->n_sshd_log,
                .config = f->config,
                .config_error = f->config_error,
                .config_path = f->config_path,
                .config_running = f->config_running,
                .listeners = f->have_listeners ? f->listeners : NULL,
                .n_listeners = f->n_listeners,
                .expected_ports = f->ports,
                .n_expected_ports = f->n_ports,
                .interfaces = f->interfaces,
                .n_interfaces = f->n_interfaces,
                .firewall_input = &f->firewall,
                .tools = f->tools,
                .admin_sources = f->admin,
                .n_admin_sources = f->n_admin,
                .now_usec = realtime_usec(),
                .max_startups_drops = f->max_startups_drops,
                .max_startups_line = f->max_startups_line,
        };
}

#define SSHD_LOG_LINES 20
#define UNIT_SETTLE_STEP_USEC (100 * 1000)
#define UNIT_SETTLE_TRIES 100

int facts_gather(HostFacts *f, const SgConfig *conf, const char **error) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        *error = NULL;
        facts_read_tools(f);
        /* systemd: absent on machines without it (containers, chroots):
         * then nothing is said about units, never "missing" */
        if (sd_bus_open_system(&bus) >= 0 && facts_read_units(f, bus, conf) >= 0) {
                /* sshd's unit between two states (a restart, a Restart=
                 * loop) says nothing yet: read again until it settles, as
                 * the daemon waits (10 s at most, then as it is) */
                for (int i = 0; i < UNIT_SETTLE_TRIES && facts_service(f) &&
                                sg_unit_between_states(facts_service(f)); i++) {
                        (void) usleep(UNIT_SETTLE_STEP_USEC);
                        if (facts_read_units(f, bus, conf) < 0)
                                break;
                }
                facts_read_unit_logs(f, SSHD_LOG_LINES);
        }
        (void) facts_read_config(f, conf->config_file);
        r = facts_read_listeners(f);
        if (r < 0) {
                *error = "cannot list listening sockets";
                return r;
        }
        r = facts_read_interfaces(f);
        if (r < 0) {
                *error = "cannot list interfaces";
                return r;
        }
        r = facts_learn_ports(f, conf);
        if (r < 0) {
                *error = "out of memory";
                return r;
        }
        /* a firewall that cannot be read is a fact: the engine says so */
        (void) facts_read_firewall(f, NULL);
        /* the daemon's record of who logs in from where (root may read it) */
        (void) facts_admin_load(f, NULL, conf->admin_sources_max);
        facts_admin_routes(f);
        return 0;
}

int facts_route_iif(int family, const uint8_t *addr, char ifname[16]) {
        RouteInfo route;
        int r = route_lookup(family, addr, &route);

        ifname[0] = '\0';
        if (r < 0)
                return r;
        if (!route.ifname[0])
                return -ENXIO;
        memcpy(ifname, route.ifname, 16);
        ifname[15] = '\0';
        return 0;
}

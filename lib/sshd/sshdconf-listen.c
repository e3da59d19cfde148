/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The listen model: Port and ListenAddress as sshd reads them, and the
 * endpoints it binds once the file is read (what `sshd -T` prints as
 * listenaddress).
 */
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sshdconf-internal.h"

#define SSHD_DEFAULT_PORT 22

/* On Linux sshd's valid_rdomain() asks the kernel: the name is valid when a
 * socket can be bound to that device (SO_BINDTODEVICE), which for sshd
 * (root) is when the device exists.  Asked here as if_nametoindex() does,
 * through a local socket's ioctl: sshguardiand may not open IPv4 sockets
 * (RestrictAddressFamilies=).  Without resolve_names the model stays off
 * the system and only checks the name's shape. */
static bool rdomain_valid(ParseCtx *p, const char *name) {
        size_t len = strlen(name);

        if (len == 0 || len >= 16 || strpbrk(name, "/ \t"))
                return false;
        if (!(p->opts && p->opts->resolve_names))
                return true;
        return if_nametoindex(name) != 0;
}

ArgsVerdict read_port(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        SshdConfig *c = fc->p->c;
        const char *arg;
        SshdPort *np;
        int port;

        if (c->n_ports >= SSHD_MAX_PORTS)
                return line_error(fc, true, "too many ports.");
        arg = args_next(a);
        if (!arg || *arg == '\0')
                return line_error(fc, true, "missing port number.");
        port = a2port(arg);
        if (port <= 0)
                return line_error(fc, true, "Badly formatted port number.");
        np = reallocarray(c->ports, c->n_ports + 1, sizeof(SshdPort));
        if (!np)
                return args_oom(fc->p);
        np[c->n_ports++] = (SshdPort) { .port = (uint16_t) port, .origin = line_origin(fc) };
        c->ports = np;
        return ARGS_ACCEPTED;
}

ArgsVerdict read_listen_address(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        SshdConfig *c = fc->p->c;
        const char *arg0 = args_next(a), *rd_kw, *colon;
        _cleanup_free_ char *copy = NULL, *host = NULL, *rdomain = NULL;
        char *h, *port_str = NULL;
        SshdListenSpec *nv;
        int port = 0;

        if (!arg0 || *arg0 == '\0')
                return line_error(fc, true, "missing address");
        copy = strdup(arg0);
        if (!copy)
                return args_oom(fc->p);
        /* A bare IPv6 address: no "[]" and two or more ':'. */
        colon = strchr(copy, ':');
        if (!strchr(copy, '[') && colon && strchr(colon + 1, ':'))
                h = copy;
        else {
                h = split_host_port(copy, &port_str);
                if (!h)
                        return line_error(fc, true, "bad address:port usage");
                if (port_str && (port = a2port(port_str)) <= 0)
                        return line_error(fc, true, "bad port number");
        }
        rd_kw = args_next(a);
        if (rd_kw) {
                const char *rd;

                if (strcmp(rd_kw, "rdomain") != 0 || !(rd = args_next(a)))
                        return line_error(fc, true, "bad ListenAddress syntax");
                if (!rdomain_valid(fc->p, rd))
                        return line_error(fc, true, "bad routing domain");
                rdomain = strdup(rd);
                if (!rdomain)
                        return args_oom(fc->p);
        }
        host = strdup(h);
        if (!host)
                return args_oom(fc->p);
        nv = reallocarray(c->listen_specs, c->n_listen_specs + 1, sizeof(SshdListenSpec));
        if (!nv)
                return args_oom(fc->p);
        c->listen_specs = nv;
        nv[c->n_listen_specs++] = (SshdListenSpec) {
                .host = TAKE_PTR(host), .port = (uint16_t) port, .rdomain = TAKE_PTR(rdomain),
                .origin = line_origin(fc),
        };
        return ARGS_ACCEPTED;
}

static int listen_add(ParseCtx *p, const char *host, uint16_t port, const char *rdomain, SshdOrigin origin) {
        SshdConfig *c = p->c;
        struct addrinfo hints = {
                .ai_socktype = SOCK_STREAM,
                .ai_flags = host ? 0 : AI_PASSIVE,
        };
        _cleanup_(freeaddrinfop) struct addrinfo *res = NULL;
        char portstr[8];
        int r;

        hints.ai_family = c->address_family == SSHD_AF_INET ? AF_INET :
                          c->address_family == SSHD_AF_INET6 ? AF_INET6 : AF_UNSPEC;
        if (host && !(p->opts && p->opts->resolve_names))
                hints.ai_flags |= AI_NUMERICHOST;
        snprintf(portstr, sizeof(portstr), "%u", port);
        r = getaddrinfo(host, portstr, &hints, &res);
        if (r == EAI_AGAIN || (r == EAI_SYSTEM && host)) {
                /* The resolver could not answer now (no DNS reachable: the
                 * daemon's sandbox has no IP sockets).  Whether sshd can is
                 * not known: a warning, the endpoint left out -- never
                 * "invalid" on a guess. */
                config_warn(p, origin.file, origin.line, "cannot resolve %s now (%s): its endpoint is not known",
                            host, r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
                return 0;
        }
        if (r != 0) {
                config_fatal(p, origin.file, origin.line, "bad addr or host: %s (%s)", host ? host : "<NULL>",
                             r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
                return 0;
        }
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
                _cleanup_free_ char *rd = NULL;
                SshdListen *nv;

                if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
                        continue;
                if (rdomain && !(rd = strdup(rdomain)))
                        return -ENOMEM;
                nv = reallocarray(c->listen, c->n_listen + 1, sizeof(SshdListen));
                if (!nv)
                        return -ENOMEM;
                c->listen = nv;
                nv[c->n_listen] = (SshdListen) {
                        .family = ai->ai_family,
                        .port = port,
                        .rdomain = TAKE_PTR(rd),
                        .origin = origin,
                };
                if (getnameinfo(ai->ai_addr, ai->ai_addrlen, nv[c->n_listen].address,
                                sizeof(nv[c->n_listen].address), NULL, 0, NI_NUMERICHOST) != 0)
                        strcpy(nv[c->n_listen].address, "?");
                c->n_listen++;
        }
        return 0;
}

/* process_queued_listen_addrs(): every ListenAddress against every Port
 * (or its own), else the wildcard on every Port. */
int listen_resolve(ParseCtx *p) {
        SshdConfig *c = p->c;
        int r;

        if (c->n_ports == 0) {
                c->ports = calloc(1, sizeof(SshdPort));
                if (!c->ports)
                        return -ENOMEM;
                c->ports[0] = (SshdPort) { .port = SSHD_DEFAULT_PORT };
                c->n_ports = 1;
        }
        for (size_t i = 0; i < c->n_listen_specs && !p->stop; i++) {
                const SshdListenSpec *s = &c->listen_specs[i];
                size_t j;
                if (s->port > 0)
                        r = listen_add(p, s->host, s->port, s->rdomain, s->origin);
                else
                        for (r = 0, j = 0; j < c->n_ports && r == 0 && !p->stop; j++)
                                r = listen_add(p, s->host, c->ports[j].port, s->rdomain, s->origin);
                if (r < 0)
                        return r;
        }
        if (c->n_listen_specs == 0)
                for (size_t j = 0; j < c->n_ports && !p->stop; j++) {
                        r = listen_add(p, NULL, c->ports[j].port, NULL, c->ports[j].origin);
                        if (r < 0)
                                return r;
                }
        return 0;
}

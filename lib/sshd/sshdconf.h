/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The sshd_config model: what OpenSSH's sshd (9.2, the version Debian 12
 * ships) makes of a configuration file, with the file and line every value
 * came from.  Pure: reads the files it is pointed at, never logs, keeps no
 * global state.  `sshd -T -f FILE` is the reference it is tested against.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sshdconf-keywords.h"

/* sshd's own limits (servconf.h): MAX_PORTS, SERVCONF_MAX_DEPTH. */
#define SSHD_MAX_PORTS 256
#define SSHD_MAX_INCLUDE_DEPTH 16

/* The budget of one load, far above any real configuration, that keeps
 * hostile input (an Include glob over the whole file system, a glob
 * matching millions of files, a multi-gigabyte file) from costing
 * unbounded time or memory.  sshd has none: it takes minutes over such a
 * file, or runs out of memory.  Past any of them the model cannot tell
 * what sshd makes of the file (SshdConfig.budget_exceeded).  The first
 * four are the defaults of SshdConfigOptions; the last two are fixed. */
#define SSHD_DEFAULT_MAX_FILES 10000u                   /* files read, re-reads included */
#define SSHD_DEFAULT_MAX_DIR_ENTRIES 100000u            /* directory entries Include globs visit */
#define SSHD_DEFAULT_MAX_BYTES (512u * 1024u * 1024u)   /* bytes of configuration read in all */
#define SSHD_DEFAULT_MAX_USEC (2u * 1000u * 1000u)      /* wall time */
#define SSHD_MAX_FILE_SIZE (64u * 1024u * 1024u)
#define SSHD_MAX_DIRECTIVES 1000000u

typedef struct SshdOrigin {
        const char *file;       /* NULL: a built-in default; else owned by the model */
        unsigned line;          /* line as sshd counts it (see sshdconf-token.h) */
} SshdOrigin;

typedef enum SshdAddressFamily {
        SSHD_AF_ANY,
        SSHD_AF_INET,
        SSHD_AF_INET6,
} SshdAddressFamily;

/* One directive as read, in reading order, Include expanded. */
typedef struct SshdDirective {
        const SshdKeyword *keyword;
        char **args;            /* NULL-terminated, unquoted as sshd does; for keywords that
                                 * take the rest of the line (ForceCommand, VersionAddendum,
                                 * *Command), that text as written, as one argument */
        size_t n_args;
        SshdOrigin origin;
        int match;              /* index into SshdConfig.matches, or -1 for global */
} SshdDirective;

typedef struct SshdMatch {
        /* The conditions, as sshd reads them (attribute, pattern, ...), as
         * they apply: a block in a file included from inside another Match
         * block carries that block's conditions too. */
        char **criteria;
        bool all;               /* matches every connection ("Match all" where it counts) */
        SshdOrigin origin;
} SshdMatch;

typedef struct SshdPort {
        uint16_t port;
        SshdOrigin origin;
} SshdPort;

/* A ListenAddress as written, before it is resolved against the ports. */
typedef struct SshdListenSpec {
        char *host;
        uint16_t port;          /* 0: every Port */
        char *rdomain;          /* NULL: none */
        SshdOrigin origin;
} SshdListenSpec;

/* An endpoint sshd binds: what `sshd -T` prints as `listenaddress`. */
typedef struct SshdListen {
        int family;             /* AF_INET or AF_INET6 */
        char address[46];       /* numeric, without brackets */
        uint16_t port;
        char *rdomain;
        SshdOrigin origin;      /* the ListenAddress line; else the Port line; else default */
} SshdListen;

typedef struct SshdDiag {
        char *file;             /* NULL when sshd names no file (e.g. resolution errors) */
        unsigned line;
        char *message;          /* without the "FILE line N: " prefix */
} SshdDiag;

typedef struct SshdMaxStartups {
        int begin, rate, full;
        SshdOrigin origin;
} SshdMaxStartups;

typedef enum SshdPermitRootLogin {
        SSHD_PERMIT_ROOT_NO = 0,
        SSHD_PERMIT_ROOT_FORCED_COMMANDS_ONLY,
        SSHD_PERMIT_ROOT_PROHIBIT_PASSWORD,
        SSHD_PERMIT_ROOT_YES,
} SshdPermitRootLogin;

typedef struct SshdConfig {
        char *path;             /* the top-level file */
        bool valid;             /* sshd would accept it */
        /* The reading stopped at its budget before the answer was known:
         * whether sshd accepts the file cannot be told (valid is false,
         * errors empty: this is not sshd refusing it).  undecided says why,
         * e.g. "Include /srv/?/?/?.conf visits more than 100000 directory
         * entries".  A budget exceeded after sshd's verdict was certain
         * (an error it reports, and exits on at the end of that file)
         * leaves valid false, budget_exceeded false and a warning. */
        bool budget_exceeded;
        char *undecided;        /* NULL unless budget_exceeded */

        char **files;           /* every file read, top-level first */
        size_t n_files;

        SshdDirective *directives;
        size_t n_directives;
        SshdMatch *matches;
        size_t n_matches;

        SshdPort *ports;
        size_t n_ports;
        SshdListenSpec *listen_specs;
        size_t n_listen_specs;
        SshdListen *listen;
        size_t n_listen;

        SshdAddressFamily address_family;
        SshdOrigin address_family_origin;

        /* The keywords that decide reachability and access, fully modelled:
         * the values sshd uses for a connection no conditional Match block
         * applies to, each with the directive that decided it (origin file
         * NULL: sshd's default). */
        SshdMaxStartups max_startups;
        int per_source_max_startups;            /* -1: none */
        SshdOrigin per_source_max_startups_origin;
        int per_source_netblock_v4, per_source_netblock_v6;
        SshdOrigin per_source_netblock_origin;
        SshdPermitRootLogin permit_root_login;
        SshdOrigin permit_root_login_origin;
        int password_authentication;            /* 1 yes, 0 no */
        SshdOrigin password_authentication_origin;
        int pubkey_authentication;
        SshdOrigin pubkey_authentication_origin;
        int kbd_interactive_authentication;
        SshdOrigin kbd_interactive_authentication_origin;
        int use_pam;
        SshdOrigin use_pam_origin;

        SshdDiag *errors;       /* in the order sshd reports them; the first is sshd's */
        size_t n_errors;
        SshdDiag *warnings;     /* what sshd accepts but an administrator should know */
        size_t n_warnings;
} SshdConfig;

typedef struct SshdConfigOptions {
        /* Relative Include paths are taken relative to this (sshd: SSHDIR,
         * /etc/ssh).  NULL means "/etc/ssh". */
        const char *include_base;
        /* Resolve ListenAddress host names with getaddrinfo() as sshd does;
         * false keeps the model free of name service lookups and reports
         * names as errors only when they are not numeric. */
        bool resolve_names;
        /* The budget (0: the SSHD_DEFAULT_MAX_* above). */
        size_t max_files;
        size_t max_dir_entries;
        size_t max_bytes;
        uint64_t max_usec;
} SshdConfigOptions;

/* Parses PATH.  Returns 0 and a model in *ret whenever the file could be
 * examined at all -- an invalid configuration is a model with valid=false
 * and its errors, one past the budget a model with budget_exceeded -- or a
 * negative errno for out-of-memory only. */
int sshd_config_load(const char *path, const SshdConfigOptions *opts, SshdConfig **ret);

SshdConfig *sshd_config_free(SshdConfig *c);
static inline void sshd_config_freep(SshdConfig **c) { sshd_config_free(*c); }

/* The directive whose value sshd uses for a connection that no conditional
 * Match block applies to, or NULL: the first in a "Match all" block for
 * keywords allowed in Match blocks (those override), else the first that
 * applies always.  Aliases (DSAAuthentication, HostDSAKey, ...) count as
 * their option. */
const SshdDirective *sshd_config_get(const SshdConfig *c, SshdKeywordId id);

/* Global, or in a "Match all" block. */
bool sshd_directive_applies_always(const SshdConfig *c, const SshdDirective *d);

/* Writes the model as an sshd_config that parses to the same model:
 * directives in reading order, Include expanded, Match blocks re-opened
 * where the reading order returns to them. */
int sshd_config_dump(const SshdConfig *c, FILE *f);

/* Writes the model as one JSON object (the `sshguardianctl config --json`
 * contract). */
int sshd_config_write_json(const SshdConfig *c, FILE *f);

const char *sshd_address_family_to_string(SshdAddressFamily af);
const char *sshd_permit_root_login_to_string(SshdPermitRootLogin p);

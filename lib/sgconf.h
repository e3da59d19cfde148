/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * sshguardian.conf, the daemon's own settings: an INI file read with inih.
 * Pure: reads the file it is pointed at, never logs, keeps no state.
 *
 * SG_CONFIG_SETTINGS below is the one list of settings.  It generates the
 * struct, and sgconf.c generates from it the defaults, the inih handler and
 * the dump, in the shape of inih's examples/ini_xmacros.c.  A new setting is
 * one line here (plus its documentation in conf/sshguardian.conf and
 * sshguardian.conf(5), which the unit tests check for).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* X(section, Key, type, field, default): section and Key are the names in
 * the file (matched case-insensitively), type picks the parser and the
 * struct members (SG_CONFIG_MEMBERS_<type>), default is the text the setting
 * has when the file does not set it, parsed by the same parser. */
#define SG_CONFIG_SETTINGS(X)                                                                   \
        X(sshd,     Units,                unit_list,     units,                    "")          \
        X(sshd,     Ports,                port_list,     ports,                    "")          \
        X(sshd,     ConfigFile,           absolute_path, config_file,              "/etc/ssh/sshd_config") \
        X(report,   RateLimitIntervalSec, timespan,      rate_limit_interval_usec, "30s")       \
        X(report,   RateLimitBurst,       burst,         rate_limit_burst,         "5")         \
        X(report,   PrometheusTextfile,   optional_path, prometheus_textfile,      "")          \
        X(firewall, IgnoreSourceBans,     boolean,       ignore_source_bans,       "no")        \
        X(lockout,  AdminSources,         burst,         admin_sources_max,        "32")

/* unit_list: char **units, NULL-terminated, never NULL after
 *   sg_config_init(); empty (n_units == 0) means "auto-detect" ssh.service,
 *   sshd.service, ssh.socket.  No duplicates.
 * port_list: uint16_t *ports (NULL when n_ports == 0), each 1..65535, no
 *   duplicates, in the order first written; empty means "learned" (DESIGN.md,
 *   "Expected ports").
 * absolute_path: char *, starts with '/'.
 * optional_path: the same, or NULL (empty: off).
 * timespan: microseconds; 0 turns coalescing off.
 * burst: 1..1000. */
#define SG_CONFIG_MEMBERS_unit_list(field)      char **field; size_t n_##field;
#define SG_CONFIG_MEMBERS_port_list(field)      uint16_t *field; size_t n_##field;
#define SG_CONFIG_MEMBERS_absolute_path(field)  char *field;
#define SG_CONFIG_MEMBERS_optional_path(field)  char *field;
#define SG_CONFIG_MEMBERS_timespan(field)       uint64_t field;
#define SG_CONFIG_MEMBERS_burst(field)          unsigned field;
#define SG_CONFIG_MEMBERS_boolean(field)        bool field;

#define SG_CONFIG_STRUCT_MEMBERS(section, key, type, field, default_value) \
        SG_CONFIG_MEMBERS_##type(field)

/* Expands to exactly:
 *   char **units; size_t n_units;
 *   uint16_t *ports; size_t n_ports;
 *   char *config_file;
 *   uint64_t rate_limit_interval_usec;
 *   unsigned rate_limit_burst;
 *   char *prometheus_textfile;
 *   bool ignore_source_bans;
 *   unsigned admin_sources_max;  */
typedef struct SgConfig {
        SG_CONFIG_SETTINGS(SG_CONFIG_STRUCT_MEMBERS)
} SgConfig;

typedef struct SgConfigError {
        char *file;
        unsigned line;          /* 1-based line of the file */
        char *message;          /* one sentence, no trailing newline; quoted
                                 * text from the file has control and non-ASCII
                                 * bytes escaped as \xNN */
} SgConfigError;

/* Limits.  Lines longer than inih can hold (INI_MAX_LINE 200 includes
 * "\r\n\0") are errors rather than being cut; the whole file is read into
 * memory, hence a size limit; sshd itself listens on at most 256 ports
 * (servconf.h MAX_PORTS). */
#define SG_CONFIG_LINE_MAX      197u            /* bytes, without "\r\n" */
#define SG_CONFIG_FILE_MAX      (1024u * 1024u) /* bytes */
#define SG_CONFIG_PORTS_MAX     256u
#define SG_CONFIG_UNITS_MAX     256u
#define SG_CONFIG_UNIT_NAME_MAX 255u            /* systemd's UNIT_NAME_MAX - 1 */
#define SG_CONFIG_ERRORS_MAX    100u            /* then one "Too many errors" */

/* Fills C with the defaults (C's previous contents are not freed).
 * Returns 0 or -ENOMEM (C is then empty and safe to pass to
 * sg_config_done()). */
int sg_config_init(SgConfig *c);

/* Frees the members and zeroes C.  C may be NULL; calling it twice is fine. */
void sg_config_done(SgConfig *c);

/* Loads PATH over the values C holds (normally the defaults).
 *
 * Returns 0 if the file was read, even with errors: then *errors holds them
 * in line order and *n_errors counts them (ERRORS and N_ERRORS may both be
 * NULL to ignore them).  A bad line changes nothing: a bad value keeps the
 * value the key had before.  Returns -ENOENT if PATH does not exist (C and
 * the errors untouched: callers treat that as "all defaults"), -EISDIR for a
 * directory, -EINVAL for anything else that is not a regular file (never
 * opened, so a FIFO cannot block), -EFBIG above SG_CONFIG_FILE_MAX, another
 * negative errno if it cannot be read (-EACCES...), leaving C untouched.
 * -ENOMEM may leave C holding part of the file (still valid for
 * sg_config_done()).  Never returns a positive value. */
int sg_config_load(SgConfig *c, const char *path, SgConfigError **errors, size_t *n_errors);

void sg_config_errors_free(SgConfigError *e, size_t n);

/* Writes every setting with its effective value as INI, sections in table
 * order, each non-default value preceded by a "# default: Key=..." comment.
 * Long lists are split over several "Key=" lines (they add up), so
 * sg_config_load() of the output gives back the same values.  Returns 0,
 * -EINVAL if a value could not be read back the same (set by code, not by
 * sg_config_load(): e.g. a relative path, port 0, a duplicate), -ENOMEM, or
 * -EIO if writing failed. */
int sg_config_dump(const SgConfig *c, FILE *f);

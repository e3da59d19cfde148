/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* asprintf(), open_memstream() */
#endif

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "macro.h"
#include "sgconf.h"

#define USEC_PER_MSEC UINT64_C(1000)
#define USEC_PER_SEC  UINT64_C(1000000)
#define USEC_PER_MIN  (UINT64_C(60) * USEC_PER_SEC)
#define USEC_PER_HOUR (UINT64_C(60) * USEC_PER_MIN)

static bool is_space(char c) {
        /* The same test inih uses for stripping and for "; " comments. */
        return isspace((unsigned char) c);
}

/* Text from the file, made safe to quote in a message that ends up in the
 * journal or on a terminal. */
static char *escape_text(const char *s, size_t len) {
        char *ret, *p;

        ret = malloc(len * 4 + 1);
        if (!ret)
                return NULL;
        p = ret;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];

                if (c == '\\') {
                        *p++ = '\\';
                        *p++ = '\\';
                } else if (c >= 0x20 && c < 0x7f)
                        *p++ = (char) c;
                else
                        p += sprintf(p, "\\x%02x", c);
        }
        *p = '\0';
        return ret;
}

/* Sets *RET to "Invalid WHAT 'TEXT' for KEY=[: REASON]" and returns -EINVAL,
 * or -ENOMEM. */
static int invalid_value(char **ret, const char *what, const char *text, size_t len,
                         const char *key, const char *reason) {
        char *e;
        int r;

        e = escape_text(text, len);
        if (!e)
                return -ENOMEM;
        r = asprintf(ret, "Invalid %s '%s' for %s=%s%s", what, e, key,
                     reason ? ": " : "", reason ? reason : "");
        free(e);
        if (r < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

/* Sets *RET to "Too many WHAT for KEY= (at most MAX)" and returns -EINVAL,
 * or -ENOMEM. */
static int too_many(char **ret, const char *what, const char *key, unsigned max) {
        if (asprintf(ret, "Too many %s for %s= (at most %u)", what, key, max) < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

/* The next whitespace-separated word of *P, or NULL at the end. */
static const char *next_word(const char **p, size_t *ret_len) {
        const char *s = *p, *e;

        while (*s && is_space(*s))
                s++;
        if (!*s) {
                *p = s;
                return NULL;
        }
        for (e = s; *e && !is_space(*e); e++)
                ;
        *p = e;
        *ret_len = (size_t) (e - s);
        return s;
}

/* Exactly LEN decimal digits (leading zeros allowed, no sign) worth at most MAX. */
static bool parse_decimal(const char *s, size_t len, uint64_t max, uint64_t *ret) {
        uint64_t v = 0;

        if (len == 0)
                return false;
        for (size_t i = 0; i < len; i++) {
                unsigned d;

                if (s[i] < '0' || s[i] > '9')
                        return false;
                d = (unsigned) (s[i] - '0');
                if (v > (max - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        *ret = v;
        return true;
}

static bool ends_with(const char *s, size_t len, const char *suffix) {
        size_t n = strlen(suffix);

        return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* What systemd accepts as the name of a loadable service or socket unit:
 * "NAME.service", "NAME.socket" or an instance "NAME@INSTANCE.service", NAME
 * and INSTANCE made of [A-Za-z0-9:_.\-] (systemd's VALID_CHARS; '\' for its
 * \xNN escapes).  A template ("NAME@.service") cannot be watched. */
static bool unit_name_is_valid(const char *s, size_t len) {
        const char *at = NULL;
        size_t prefix;

        if (len > SG_CONFIG_UNIT_NAME_MAX)
                return false;
        if (ends_with(s, len, ".service"))
                prefix = len - strlen(".service");
        else if (ends_with(s, len, ".socket"))
                prefix = len - strlen(".socket");
        else
                return false;
        if (prefix == 0)
                return false;

        for (size_t i = 0; i < prefix; i++) {
                char c = s[i];

                if (c == '@') {
                        if (at || i == 0 || i == prefix - 1)
                                return false;
                        at = s + i;
                } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || strchr(":_.-\\", c)))
                        return false;
        }
        return true;
}

/* A path this file can hold: absolute, naming a file (no trailing '/'), no
 * control characters, and nothing inih would strip when reading it back
 * (surrounding whitespace, "<space>;" which starts a comment). */
static bool path_is_valid(const char *s, const char **ret_reason) {
        size_t len = strlen(s);

        if (s[0] != '/') {
                *ret_reason = "not absolute";
                return false;
        }
        if (len >= PATH_MAX) {
                *ret_reason = "too long";
                return false;
        }
        if (s[len - 1] == '/') {
                *ret_reason = "names a directory";
                return false;
        }
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];

                if (c < 0x20 || c == 0x7f) {
                        *ret_reason = "contains control characters";
                        return false;
                }
                if (c == ';' && i > 0 && is_space(s[i - 1])) {
                        *ret_reason = "contains \" ;\", which starts a comment";
                        return false;
                }
        }
        if (is_space(s[len - 1])) {
                *ret_reason = "ends in whitespace";
                return false;
        }
        return true;
}

/* Writes a list as "KEY=item item..." lines no longer than
 * SG_CONFIG_LINE_MAX; further lines repeat "KEY=", which adds to the list. */
typedef struct ListWriter {
        FILE *f;
        const char *key;
        size_t column;          /* 0: no line started yet */
} ListWriter;

static int list_writer_add(ListWriter *w, const char *item) {
        size_t key_len = strlen(w->key), len = strlen(item);

        if (key_len + 1 + len > SG_CONFIG_LINE_MAX)
                return -EINVAL;
        if (w->column > 0 && w->column + 1 + len <= SG_CONFIG_LINE_MAX) {
                fprintf(w->f, " %s", item);
                w->column += 1 + len;
                return 0;
        }
        fprintf(w->f, "%s%s=%s", w->column > 0 ? "\n" : "", w->key, item);
        w->column = key_len + 1 + len;
        return 0;
}

static void list_writer_finish(ListWriter *w) {
        if (w->column == 0)
                fprintf(w->f, "%s=", w->key);
        fputc('\n', w->f);
}

static int scalar_write(FILE *f, const char *key, const char *value) {
        if (strlen(key) + 1 + strlen(value) > SG_CONFIG_LINE_MAX)
                return -EINVAL;
        fprintf(f, "%s=%s\n", key, value);
        return 0;
}

/*
 * The setting types.  Each has:
 *   <type>_parse(key, value, members..., &message): applies VALUE, which is
 *     not empty; a list adds to what it holds, a scalar replaces it.  All or
 *     nothing: returns 0, -ENOMEM, or -EINVAL with *message set.
 *   <type>_clear(members...)
 *   <type>_equal(members of a..., members of b...)
 *   <type>_write(f, key, members...): "Key=value" line(s), -EINVAL if the
 *     value could not be read back the same.
 *   <type>_MULTI_VALUED: whether inih's continuation lines add to it.
 * SG_CONFIG_REF_<type> and SG_CONFIG_VALUE_<type> pass the members.
 */

/* unit_list */
#define unit_list_MULTI_VALUED true
#define SG_CONFIG_REF_unit_list(c, f)   &(c)->f, &(c)->n_##f
#define SG_CONFIG_VALUE_unit_list(c, f) (c)->f, (c)->n_##f

static bool unit_list_contains(char * const *units, size_t n, const char *s, size_t len) {
        for (size_t i = 0; i < n; i++)
                if (strlen(units[i]) == len && memcmp(units[i], s, len) == 0)
                        return true;
        return false;
}

static int unit_list_parse(const char *key, const char *value, char ***units, size_t *n_units, char **ret_message) {
        char *added[SG_CONFIG_UNITS_MAX];
        size_t n_added = 0, len;
        const char *p = value, *w;
        char **l;
        int r;

        if (!*units) {
                /* Keep the promise that the list is an array even when empty. */
                *units = calloc(1, sizeof(char *));
                if (!*units)
                        return -ENOMEM;
                *n_units = 0;
        }

        while ((w = next_word(&p, &len))) {
                if (!unit_name_is_valid(w, len)) {
                        r = invalid_value(ret_message, "unit name", w, len, key, NULL);
                        goto fail;
                }
                if (unit_list_contains(*units, *n_units, w, len) ||
                    unit_list_contains(added, n_added, w, len))
                        continue;
                if (*n_units + n_added >= SG_CONFIG_UNITS_MAX) {
                        r = too_many(ret_message, "units", key, SG_CONFIG_UNITS_MAX);
                        goto fail;
                }
                added[n_added] = strndup(w, len);
                if (!added[n_added]) {
                        r = -ENOMEM;
                        goto fail;
                }
                n_added++;
        }
        if (n_added == 0)
                return 0;

        l = realloc(*units, (*n_units + n_added + 1) * sizeof(char *));
        if (!l) {
                r = -ENOMEM;
                goto fail;
        }
        memcpy(l + *n_units, added, n_added * sizeof(char *));
        *n_units += n_added;
        l[*n_units] = NULL;
        *units = l;
        return 0;

fail:
        for (size_t i = 0; i < n_added; i++)
                free(added[i]);
        return r;
}

static void unit_list_clear(char ***units, size_t *n_units) {
        if (*units)
                for (size_t i = 0; i < *n_units; i++)
                        free((*units)[i]);
        free(*units);
        *units = NULL;
        *n_units = 0;
}

static bool unit_list_equal(char * const *a, size_t n_a, char * const *b, size_t n_b) {
        if (n_a != n_b)
                return false;
        for (size_t i = 0; i < n_a; i++)
                if (strcmp(a[i], b[i]) != 0)
                        return false;
        return true;
}

static int unit_list_write(FILE *f, const char *key, char * const *units, size_t n_units) {
        ListWriter w = { .f = f, .key = key };
        int r;

        if (n_units > SG_CONFIG_UNITS_MAX || (n_units > 0 && !units))
                return -EINVAL;
        for (size_t i = 0; i < n_units; i++) {
                if (!units[i] || !unit_name_is_valid(units[i], strlen(units[i])) ||
                    unit_list_contains(units, i, units[i], strlen(units[i])))
                        return -EINVAL;
                r = list_writer_add(&w, units[i]);
                if (r < 0)
                        return r;
        }
        list_writer_finish(&w);
        return 0;
}

/* port_list */
#define port_list_MULTI_VALUED true
#define SG_CONFIG_REF_port_list(c, f)   &(c)->f, &(c)->n_##f
#define SG_CONFIG_VALUE_port_list(c, f) (c)->f, (c)->n_##f

static bool port_list_contains(const uint16_t *ports, size_t n, uint16_t port) {
        for (size_t i = 0; i < n; i++)
                if (ports[i] == port)
                        return true;
        return false;
}

static int port_list_parse(const char *key, const char *value, uint16_t **ports, size_t *n_ports, char **ret_message) {
        uint16_t all[SG_CONFIG_PORTS_MAX], *l;
        size_t n = *n_ports, len;
        const char *p = value, *w;

        if (n > SG_CONFIG_PORTS_MAX)
                return too_many(ret_message, "ports", key, SG_CONFIG_PORTS_MAX);
        if (n > 0)
                memcpy(all, *ports, n * sizeof(uint16_t));

        while ((w = next_word(&p, &len))) {
                uint64_t port;

                if (!parse_decimal(w, len, UINT16_MAX, &port) || port == 0)
                        return invalid_value(ret_message, "port", w, len, key, NULL);
                if (port_list_contains(all, n, (uint16_t) port))
                        continue;
                if (n >= SG_CONFIG_PORTS_MAX)
                        return too_many(ret_message, "ports", key, SG_CONFIG_PORTS_MAX);
                all[n++] = (uint16_t) port;
        }
        if (n == *n_ports)
                return 0;

        l = realloc(*ports, n * sizeof(uint16_t));
        if (!l)
                return -ENOMEM;
        memcpy(l, all, n * sizeof(uint16_t));
        *ports = l;
        *n_ports = n;
        return 0;
}

static void port_list_clear(uint16_t **ports, size_t *n_ports) {
        free(*ports);
        *ports = NULL;
        *n_ports = 0;
}

static bool port_list_equal(const uint16_t *a, size_t n_a, const uint16_t *b, size_t n_b) {
        return n_a == n_b && (n_a == 0 || memcmp(a, b, n_a * sizeof(uint16_t)) == 0);
}

static int port_list_write(FILE *f, const char *key, const uint16_t *ports, size_t n_ports) {
        ListWriter w = { .f = f, .key = key };
        char buf[sizeof("65535")];
        int r;

        if (n_ports > SG_CONFIG_PORTS_MAX || (n_ports > 0 && !ports))
                return -EINVAL;
        for (size_t i = 0; i < n_ports; i++) {
                if (ports[i] == 0 || port_list_contains(ports, i, ports[i]))
                        return -EINVAL;
                snprintf(buf, sizeof(buf), "%u", (unsigned) ports[i]);
                r = list_writer_add(&w, buf);
                if (r < 0)
                        return r;
        }
        list_writer_finish(&w);
        return 0;
}

/* absolute_path */
#define absolute_path_MULTI_VALUED false
#define SG_CONFIG_REF_absolute_path(c, f)   &(c)->f
#define SG_CONFIG_VALUE_absolute_path(c, f) (c)->f

static int absolute_path_parse(const char *key, const char *value, char **path, char **ret_message) {
        const char *reason;
        char *s;

        if (!path_is_valid(value, &reason))
                return invalid_value(ret_message, "path", value, strlen(value), key, reason);
        s = strdup(value);
        if (!s)
                return -ENOMEM;
        free(*path);
        *path = s;
        return 0;
}

static void absolute_path_clear(char **path) {
        free(*path);
        *path = NULL;
}

static bool absolute_path_equal(const char *a, const char *b) {
        return a == b || (a && b && strcmp(a, b) == 0);
}

static int absolute_path_write(FILE *f, const char *key, const char *path) {
        const char *reason;

        if (!path || !path_is_valid(path, &reason))
                return -EINVAL;
        return scalar_write(f, key, path);
}

/* optional_path: an absolute path, or empty: none (what it names is off) */
#define optional_path_MULTI_VALUED false
#define SG_CONFIG_REF_optional_path(c, f)   &(c)->f
#define SG_CONFIG_VALUE_optional_path(c, f) (c)->f

static int optional_path_parse(const char *key, const char *value, char **path, char **ret_message) {
        if (value[0] == '\0') {
                absolute_path_clear(path);
                return 0;
        }
        return absolute_path_parse(key, value, path, ret_message);
}

static void optional_path_clear(char **path) {
        absolute_path_clear(path);
}

static bool optional_path_equal(const char *a, const char *b) {
        return absolute_path_equal(a, b);
}

static int optional_path_write(FILE *f, const char *key, const char *path) {
        return path ? absolute_path_write(f, key, path) : scalar_write(f, key, "");
}

/* timespan: "N" (seconds), "Nms", "Ns", "Nmin", "Nh", as systemd writes
 * them; stored in microseconds. */
#define timespan_MULTI_VALUED false
#define SG_CONFIG_REF_timespan(c, f)   &(c)->f
#define SG_CONFIG_VALUE_timespan(c, f) (c)->f

static const struct {
        const char *suffix;
        uint64_t usec;
} timespan_units[] = {
        /* Largest first: timespan_write() uses the first that divides. */
        { "h",   USEC_PER_HOUR },
        { "min", USEC_PER_MIN  },
        { "s",   USEC_PER_SEC  },
        { "ms",  USEC_PER_MSEC },
};

static int timespan_parse(const char *key, const char *value, uint64_t *usec, char **ret_message) {
        size_t digits = strspn(value, "0123456789");
        const char *suffix = value + digits;
        uint64_t n, multiplier = 0;

        if (*suffix == '\0')
                multiplier = USEC_PER_SEC;
        for (size_t i = 0; i < ELEMENTSOF(timespan_units); i++)
                if (strcmp(suffix, timespan_units[i].suffix) == 0)
                        multiplier = timespan_units[i].usec;

        if (multiplier == 0 ||
            !parse_decimal(value, digits, UINT64_MAX / multiplier, &n))
                return invalid_value(ret_message, "time span", value, strlen(value), key,
                                     "expected seconds, or a number with ms, s, min or h");
        *usec = n * multiplier;
        return 0;
}

static void timespan_clear(uint64_t *usec) {
        *usec = 0;
}

static bool timespan_equal(uint64_t a, uint64_t b) {
        return a == b;
}

static int timespan_write(FILE *f, const char *key, uint64_t usec) {
        char buf[sizeof("18446744073709551615ms")];

        if (usec == 0)
                return scalar_write(f, key, "0");
        for (size_t i = 0; i < ELEMENTSOF(timespan_units); i++)
                if (usec % timespan_units[i].usec == 0) {
                        snprintf(buf, sizeof(buf), "%" PRIu64 "%s",
                                 usec / timespan_units[i].usec, timespan_units[i].suffix);
                        return scalar_write(f, key, buf);
                }
        return -EINVAL;         /* below a millisecond: the file cannot say it */
}

/* burst */
#define burst_MULTI_VALUED false
#define SG_CONFIG_REF_burst(c, f)   &(c)->f
#define SG_CONFIG_VALUE_burst(c, f) (c)->f
#define BURST_MIN 1u
#define BURST_MAX 1000u

static int burst_parse(const char *key, const char *value, unsigned *burst, char **ret_message) {
        uint64_t n;

        if (!parse_decimal(value, strlen(value), UINT64_MAX, &n) || n < BURST_MIN || n > BURST_MAX)
                return invalid_value(ret_message, "number", value, strlen(value), key, "must be 1..1000");
        *burst = (unsigned) n;
        return 0;
}

static void burst_clear(unsigned *burst) {
        *burst = 0;
}

static bool burst_equal(unsigned a, unsigned b) {
        return a == b;
}

static int burst_write(FILE *f, const char *key, unsigned burst) {
        char buf[sizeof("4294967295")];

        if (burst < BURST_MIN || burst > BURST_MAX)
                return -EINVAL;
        snprintf(buf, sizeof(buf), "%u", burst);
        return scalar_write(f, key, buf);
}

/* boolean, with systemd's spellings (case-insensitive) */
#define boolean_MULTI_VALUED false
#define SG_CONFIG_REF_boolean(c, f)   &(c)->f
#define SG_CONFIG_VALUE_boolean(c, f) (c)->f

static int boolean_parse(const char *key, const char *value, bool *b, char **ret_message) {
        static const char * const yes[] = { "yes", "true", "on", "1" };
        static const char * const no[] = { "no", "false", "off", "0" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(value, yes[i]) == 0) {
                        *b = true;
                        return 0;
                }
                if (strcasecmp(value, no[i]) == 0) {
                        *b = false;
                        return 0;
                }
        }
        return invalid_value(ret_message, "boolean", value, strlen(value), key,
                             "expected yes, no, true, false, on, off, 1 or 0");
}

static void boolean_clear(bool *b) {
        *b = false;
}

static bool boolean_equal(bool a, bool b) {
        return a == b;
}

static int boolean_write(FILE *f, const char *key, bool b) {
        return scalar_write(f, key, b ? "yes" : "no");
}

/* One set of accessors per setting, then the table of settings. */
#define SG_CONFIG_DEFINE_ACCESSORS(section, key, type, field, default_value)            \
        static int section##_##key##_parse(SgConfig *c, const char *value, char **m) {  \
                return type##_parse(#key, value, SG_CONFIG_REF_##type(c, field), m);    \
        }                                                                               \
        static void section##_##key##_clear(SgConfig *c) {                              \
                type##_clear(SG_CONFIG_REF_##type(c, field));                           \
        }                                                                               \
        static bool section##_##key##_equal(const SgConfig *a, const SgConfig *b) {     \
                return type##_equal(SG_CONFIG_VALUE_##type(a, field),                   \
                                    SG_CONFIG_VALUE_##type(b, field));                  \
        }                                                                               \
        static int section##_##key##_write(const SgConfig *c, FILE *f) {                \
                return type##_write(f, #key, SG_CONFIG_VALUE_##type(c, field));         \
        }
SG_CONFIG_SETTINGS(SG_CONFIG_DEFINE_ACCESSORS)

typedef struct Setting {
        const char *section;
        const char *key;
        const char *default_value;
        bool multi_valued;
        int (*parse)(SgConfig *c, const char *value, char **ret_message);
        void (*clear)(SgConfig *c);
        bool (*equal)(const SgConfig *a, const SgConfig *b);
        int (*write)(const SgConfig *c, FILE *f);
} Setting;

/* (The parameters must not be named like the members they initialize.) */
#define SG_CONFIG_SETTING(sec, name, type, field, def)                                  \
        {                                                                               \
                .section = #sec,                                                        \
                .key = #name,                                                           \
                .default_value = def,                                                   \
                .multi_valued = type##_MULTI_VALUED,                                    \
                .parse = sec##_##name##_parse,                                          \
                .clear = sec##_##name##_clear,                                          \
                .equal = sec##_##name##_equal,                                          \
                .write = sec##_##name##_write,                                          \
        },
static const Setting settings[] = {
        SG_CONFIG_SETTINGS(SG_CONFIG_SETTING)
};

/* A section is named by the index of its first setting. */
static int section_lookup(const char *name, size_t len) {
        for (size_t i = 0; i < ELEMENTSOF(settings); i++)
                if (strlen(settings[i].section) == len &&
                    strncasecmp(settings[i].section, name, len) == 0)
                        return (int) i;
        return -1;
}

static int setting_lookup(int section, const char *key) {
        for (size_t i = (size_t) section; i < ELEMENTSOF(settings); i++)
                if (strcmp(settings[i].section, settings[section].section) == 0 &&
                    strcasecmp(settings[i].key, key) == 0)
                        return (int) i;
        return -1;
}

/* The section a key belongs in, for a hint, or NULL. */
static const char *setting_home(const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(settings); i++)
                if (strcasecmp(settings[i].key, key) == 0)
                        return settings[i].section;
        return NULL;
}

int sg_config_init(SgConfig *c) {
        *c = (SgConfig) {};
        for (size_t i = 0; i < ELEMENTSOF(settings); i++) {
                char *message = NULL;
                int r;

                r = settings[i].parse(c, settings[i].default_value, &message);
                if (r < 0) {
                        /* Only -ENOMEM: a default that does not parse is
                         * caught by the unit tests. */
                        free(message);
                        sg_config_done(c);
                        return r;
                }
        }
        return 0;
}

void sg_config_done(SgConfig *c) {
        if (!c)
                return;
        for (size_t i = 0; i < ELEMENTSOF(settings); i++)
                settings[i].clear(c);
        *c = (SgConfig) {};
}

void sg_config_errors_free(SgConfigError *e, size_t n) {
        if (!e)
                return;
        for (size_t i = 0; i < n; i++) {
                free(e[i].file);
                free(e[i].message);
        }
        free(e);
}

/*
 * Loading.  inih reads the file through line_reader(), which hands it one
 * line at a time and so knows which line inih is working on when it calls
 * config_handler() (the distribution's inih is built without
 * INI_HANDLER_LINENO).  line_reader() also keeps from inih what it would
 * mangle: a line longer than its buffer (it would cut it and read the rest
 * as a new line) and a line with a NUL byte (cut short, and a stack
 * under-read in inih < r63) are reported and replaced by an empty line.
 *
 * inih reports syntax errors only as the number of the first one, so each
 * line is classified here the way inih's ini_parse_stream() (r55) does it,
 * to report every one with its own line, and to know the section with its
 * full name (inih cuts it at 49 bytes).
 */

typedef enum LineKind {
        LINE_IGNORED,           /* blank, comment, or replaced by an empty line */
        LINE_SECTION,
        LINE_CONTINUATION,      /* indented after a Key=Value: inih passes it as more of that value */
        LINE_ASSIGNMENT,        /* Key=Value, or a syntax error if inih does not call the handler */
} LineKind;

enum {
        SECTION_NONE = -1,      /* before the first section header */
        SECTION_INVALID = -2,   /* unknown or malformed header (reported): its keys are skipped */
};

typedef struct LoadState {
        SgConfig *config;
        const char *path;
        const char *data;
        size_t size;
        size_t offset;

        unsigned line;          /* the line inih is working on */
        LineKind kind;
        bool handler_called;
        bool inih_prev_name;    /* inih's prev_name is not empty: indented lines continue it */
        int section;            /* index of the section's first setting, or SECTION_* */
        int setting;            /* what a continuation line adds to, -1: nothing (skip it) */

        SgConfigError *errors;
        size_t n_errors;
        int r;                  /* -ENOMEM once an allocation failed */
} LoadState;

/* Takes MESSAGE (NULL: allocation failed). */
static void error_push(LoadState *st, unsigned line, char *message) {
        SgConfigError *e;
        char *file;

        if (!message) {
                st->r = -ENOMEM;
                return;
        }
        if (st->n_errors > SG_CONFIG_ERRORS_MAX) {
                free(message);
                return;
        }
        if (st->n_errors == SG_CONFIG_ERRORS_MAX) {
                free(message);
                message = strdup("Too many errors, not reporting any more");
                if (!message) {
                        st->r = -ENOMEM;
                        return;
                }
        }

        file = strdup(st->path);
        e = realloc(st->errors, (st->n_errors + 1) * sizeof(SgConfigError));
        if (!file || !e) {
                free(file);
                free(message);
                if (e)
                        st->errors = e;
                st->r = -ENOMEM;
                return;
        }
        st->errors = e;
        st->errors[st->n_errors++] = (SgConfigError) {
                .file = file,
                .line = line,
                .message = message,
        };
}

__attribute__((format(printf, 2, 3)))
static void error_pushf(LoadState *st, const char *format, ...) {
        va_list ap;
        char *message;
        int r;

        va_start(ap, format);
        r = vasprintf(&message, format, ap);
        va_end(ap);
        error_push(st, st->line, r < 0 ? NULL : message);
}

/* "Unknown key 'Foo' in section [report] (it belongs in [sshd])" and the like. */
static void error_push_key(LoadState *st, const char *what, const char *key) {
        const char *home = setting_home(key);
        char *e;

        e = escape_text(key, strlen(key));
        if (!e) {
                st->r = -ENOMEM;
                return;
        }
        if (st->section >= 0)
                error_pushf(st, "%s '%s' in section [%s]%s%s%s", what, e, settings[st->section].section,
                            home ? " (it belongs in [" : "", home ? home : "", home ? "])" : "");
        else
                error_pushf(st, "%s '%s' outside of any section%s%s%s", what, e,
                            home ? " (it belongs in [" : "", home ? home : "", home ? "])" : "");
        free(e);
}

static void setting_apply(LoadState *st, const Setting *s, const char *value) {
        char *message = NULL;
        int r;

        if (value[0] == '\0') {
                /* "Key=" resets, as in systemd's unit files. */
                s->clear(st->config);
                value = s->default_value;
        }
        r = s->parse(st->config, value, &message);
        if (r == -ENOMEM)
                st->r = r;
        else if (r < 0)
                error_push(st, st->line, message);
}

static int config_handler(void *userdata, const char *section, const char *name, const char *value) {
        LoadState *st = userdata;
        int i;

        (void) section;         /* tracked by line_classify(), uncut */
        st->handler_called = true;
        if (st->r < 0)
                return 1;

        if (st->kind == LINE_CONTINUATION) {
                /* NAME is inih's copy of the previous key, maybe cut: use ours. */
                if (st->setting < 0)
                        return 1;       /* continues a line that was reported or skipped */
                if (!settings[st->setting].multi_valued)
                        error_pushf(st, "%s= takes a single value, not a continuation line",
                                    settings[st->setting].key);
                else
                        setting_apply(st, &settings[st->setting], value);
                return 1;
        }

        st->inih_prev_name = name[0] != '\0';
        st->setting = -1;
        if (st->section == SECTION_INVALID)
                return 1;
        if (st->section == SECTION_NONE) {
                error_push_key(st, "Key", name);
                return 1;
        }
        i = setting_lookup(st->section, name);
        if (i < 0) {
                error_push_key(st, "Unknown key", name);
                return 1;
        }
        st->setting = i;
        setting_apply(st, &settings[i], value);
        /* Always go on: errors are collected here, with their lines. */
        return 1;
}

static bool line_has_bom(const LoadState *st, const char *p, size_t len) {
        /* inih (INI_ALLOW_BOM) skips a UTF-8 BOM on the first line. */
        return st->line == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0;
}

static void line_classify_section(LoadState *st, const char *s, const char *end) {
        const char *q, *rest;
        bool was_space = false;
        char *e;

        /* inih: find_chars_or_comment(start + 1, "]"), which also stops at a
         * ';' after whitespace. */
        for (q = s + 1; q < end && *q != ']' && !(was_space && *q == ';'); q++)
                was_space = is_space(*q);

        st->kind = LINE_SECTION;
        st->setting = -1;
        if (q >= end || *q != ']') {
                /* inih keeps the previous section; skip the keys instead of
                 * giving them to it. */
                error_pushf(st, "Missing ']' in section header");
                st->section = SECTION_INVALID;
                return;
        }

        st->inih_prev_name = false;
        st->section = section_lookup(s + 1, (size_t) (q - s - 1));
        if (st->section < 0) {
                e = escape_text(s + 1, (size_t) (q - s - 1));
                if (!e) {
                        st->r = -ENOMEM;
                        return;
                }
                error_pushf(st, "Unknown section [%s]", e);
                free(e);
                st->section = SECTION_INVALID;
        }

        /* inih ignores whatever follows ']'; text there is most likely a
         * key written on the same line. */
        for (rest = q + 1; rest < end && is_space(*rest); rest++)
                ;
        if (rest < end && *rest != ';' && *rest != '#') {
                e = escape_text(rest, (size_t) (end - rest));
                if (!e) {
                        st->r = -ENOMEM;
                        return;
                }
                error_pushf(st, "Unexpected text '%s' after section header", e);
                free(e);
        }
}

/* LINE (LEN bytes, no '\n') as inih's ini_parse_stream() will see it. */
static void line_classify(LoadState *st, const char *line, size_t len) {
        const char *start = line, *end = line + len, *s;

        if (line_has_bom(st, line, len))
                start += 3;
        while (end > start && is_space(end[-1]))
                end--;
        for (s = start; s < end && is_space(*s); s++)
                ;

        if (s == end || *s == ';' || *s == '#')
                st->kind = LINE_IGNORED;
        else if (st->inih_prev_name && s > line)
                st->kind = LINE_CONTINUATION;
        else if (*s == '[')
                line_classify_section(st, s, end);
        else
                st->kind = LINE_ASSIGNMENT;
}

/* A line inih does not get to see: the value or section it would have
 * started or continued is not applied in part. */
static void line_drop(LoadState *st, const char *line, size_t len) {
        size_t i = line_has_bom(st, line, len) ? 3 : 0;

        while (i < len && is_space(line[i]))
                i++;
        if (i == len || line[i] == ';' || line[i] == '#')
                return;
        if (line[i] == '[' && !(st->inih_prev_name && i > 0))
                st->section = SECTION_INVALID;
        st->setting = -1;
}

/* Called once inih is done with the current line. */
static void line_finish(LoadState *st) {
        if (st->kind == LINE_ASSIGNMENT && !st->handler_called)
                error_pushf(st, "Expected 'Key=Value', '[Section]' or a comment");
        st->kind = LINE_IGNORED;
}

static char *line_reader(char *buf, int size, void *userdata) {
        LoadState *st = userdata;
        const char *p, *nl;
        size_t len, content, limit;

        line_finish(st);
        if (st->offset >= st->size || st->r < 0)
                return NULL;
        if (size < 3) {
                st->r = -ENOBUFS;
                return NULL;
        }

        p = st->data + st->offset;
        nl = memchr(p, '\n', st->size - st->offset);
        len = nl ? (size_t) (nl - p) : st->size - st->offset;
        st->offset += len + (nl ? 1 : 0);
        st->line++;
        st->handler_called = false;

        /* inih needs room for "\r\n\0" (INI_MAX_LINE's comment). */
        content = len > 0 && p[len - 1] == '\r' ? len - 1 : len;
        limit = (size_t) size - 3 < SG_CONFIG_LINE_MAX ? (size_t) size - 3 : SG_CONFIG_LINE_MAX;

        if (memchr(p, '\0', len)) {
                error_pushf(st, "NUL byte in line");
                line_drop(st, p, len);
                len = 0;
        } else if (content > limit) {
                error_pushf(st, "Line too long (%zu bytes, at most %zu)", content, limit);
                line_drop(st, p, len);
                len = 0;
        } else
                memcpy(buf, p, len);
        buf[len] = '\n';
        buf[len + 1] = '\0';
        line_classify(st, buf, len);
        return buf;
}

/* The whole file, if it is a regular file of at most SG_CONFIG_FILE_MAX bytes. */
static int file_read(const char *path, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        struct stat stb;
        size_t size = 0, cap;
        int flags;

        /* Look before opening: opening a FIFO or a device can block or
         * have side effects. */
        if (stat(path, &stb) < 0)
                return -errno;
        if (S_ISDIR(stb.st_mode))
                return -EISDIR;
        if (!S_ISREG(stb.st_mode))
                return -EINVAL;

        /* O_NONBLOCK in case it was replaced by a FIFO since. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &stb) < 0)
                return -errno;
        if (!S_ISREG(stb.st_mode))
                return S_ISDIR(stb.st_mode) ? -EISDIR : -EINVAL;
        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
                return -errno;
        if (stb.st_size > (off_t) SG_CONFIG_FILE_MAX)
                return -EFBIG;

        /* st_size is a hint only (the file may grow, /proc reports 0). */
        cap = (size_t) stb.st_size + 1;
        if (cap < 4096)
                cap = 4096;
        buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n;

                if (size == cap) {
                        char *b;
                        if (cap > SG_CONFIG_FILE_MAX)
                                return -EFBIG;
                        cap = cap * 2 > SG_CONFIG_FILE_MAX + 1 ? SG_CONFIG_FILE_MAX + 1 : cap * 2;
                        b = realloc(buf, cap);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                }
                n = read(fd, buf + size, cap - size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                size += (size_t) n;
        }
        if (size > SG_CONFIG_FILE_MAX)
                return -EFBIG;
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

static bool errors_have_line(const LoadState *st, unsigned line) {
        for (size_t i = 0; i < st->n_errors; i++)
                if (st->errors[i].line == line)
                        return true;
        return false;
}

static void errors_sort(SgConfigError *e, size_t n) {
        /* Stable, and n is at most SG_CONFIG_ERRORS_MAX + 1. */
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && e[j - 1].line > e[j].line; j--) {
                        SgConfigError t = e[j];

                        e[j] = e[j - 1];
                        e[j - 1] = t;
                }
}

int sg_config_load(SgConfig *c, const char *path, SgConfigError **errors, size_t *n_errors) {
        LoadState st;
        char *data = NULL;
        size_t size = 0;
        int r;

        if (!c || !path || !errors != !n_errors)
                return -EINVAL;

        r = file_read(path, &data, &size);
        if (r < 0)
                return r;

        st = (LoadState) {
                .config = c,
                .path = path,
                .data = data,
                .size = size,
                .section = SECTION_NONE,
                .setting = -1,
        };
        r = ini_parse_stream(line_reader, &st, config_handler, &st);
        line_finish(&st);
        free(data);

        if (r < 0 && st.r == 0)
                st.r = -ENOMEM;         /* inih built with INI_USE_STACK=0 */
        else if (r > 0 && !errors_have_line(&st, (unsigned) r))
                /* inih found an error the classification above did not
                 * expect: never lose one. */
                error_push(&st, (unsigned) r, strdup("Syntax error"));
        if (st.r < 0) {
                sg_config_errors_free(st.errors, st.n_errors);
                return st.r;
        }

        errors_sort(st.errors, st.n_errors);
        if (errors) {
                *errors = st.errors;
                *n_errors = st.n_errors;
        } else
                sg_config_errors_free(st.errors, st.n_errors);
        return 0;
}

int sg_config_dump(const SgConfig *c, FILE *f) {
        SgConfig defaults;
        const char *section = NULL;
        char *text = NULL;
        size_t size = 0;
        FILE *m;
        int r;

        r = sg_config_init(&defaults);
        if (r < 0)
                return r;

        /* Into memory first: nothing is written if a value cannot be. */
        m = open_memstream(&text, &size);
        if (!m) {
                sg_config_done(&defaults);
                return -ENOMEM;
        }
        for (size_t i = 0; i < ELEMENTSOF(settings); i++) {
                const Setting *s = &settings[i];

                if (!section || strcmp(section, s->section) != 0) {
                        fprintf(m, "%s[%s]\n", section ? "\n" : "", s->section);
                        section = s->section;
                }
                if (!s->equal(c, &defaults))
                        fprintf(m, "# default: %s=%s\n", s->key, s->default_value);
                r = s->write(c, m);
                if (r < 0)
                        break;
        }
        sg_config_done(&defaults);
        if (fclose(m) != 0 && r >= 0)
                r = -ENOMEM;
        if (r >= 0 && (fwrite(text, 1, size, f) != size || fflush(f) != 0))
                r = -EIO;
        free(text);
        return r < 0 ? r : 0;
}

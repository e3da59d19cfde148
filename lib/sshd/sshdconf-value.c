/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Values as sshd's own parsers read them (misc.c, servconf.c, addrmatch.c,
 * fmt_scaled.c): the model accepts exactly what they accept, and reports
 * what they report.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "sshdconf-internal.h"

/* OpenBSD strtonum() error strings, which sshd prints. */
const char *strtonum_err(const char *s, long long min, long long max, long long *ret) {
        char *end;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (s == end || *end != '\0')
                return "invalid";
        if ((v == LLONG_MIN && errno == ERANGE) || v < min)
                return "too small";
        if ((v == LLONG_MAX && errno == ERANGE) || v > max)
                return "too large";
        *ret = v;
        return NULL;
}

const char *atoi_err(const char *s, int *ret) {
        long long v;
        const char *e;

        if (!s || *s == '\0')
                return "missing";
        e = strtonum_err(s, 0, INT_MAX, &v);
        if (!e)
                *ret = (int) v;
        return e;
}

/* a2port(): a number 0..65535 or a service name from /etc/services. */
int a2port(const char *s) {
        long long v;
        struct servent *se;

        if (!strtonum_err(s, 0, 65535, &v))
                return (int) v;
        se = getservbyname(s, "tcp");
        if (se)
                return ntohs(se->s_port);
        return -1;
}

/* convtime(): "1h30m", "90", "10s"; -1 when invalid. */
long convtime(const char *s) {
        long total = 0;
        const char *p = s;

        if (!p || *p == '\0')
                return -1;
        while (*p) {
                char *end;
                long secs, mult = 1;

                errno = 0;
                secs = strtol(p, &end, 10);
                if (p == end || (errno == ERANGE && (secs == LONG_MIN || secs == LONG_MAX)) || secs < 0)
                        return -1;
                switch (*end++) {
                case '\0': end--; break;
                case 's': case 'S': break;
                case 'm': case 'M': mult = 60; break;
                case 'h': case 'H': mult = 60 * 60; break;
                case 'd': case 'D': mult = 24 * 60 * 60; break;
                case 'w': case 'W': mult = 7 * 24 * 60 * 60; break;
                default: return -1;
                }
                if (secs > INT_MAX / mult)
                        return -1;
                secs *= mult;
                if (total > INT_MAX - secs)
                        return -1;
                total += secs;
                p = end;
        }
        return total;
}

bool strv_contains_case(const char * const *l, const char *s) {
        for (; *l; l++)
                if (strcasecmp(*l, s) == 0)
                        return true;
        return false;
}

/* The words keywords take (servconf.c), in sshd's order. */
static const char *const multistate_flag[] = { "yes", "no", NULL };
static const char *const multistate_addressfamily[] = { "inet", "inet6", "any", NULL };
static const char *const multistate_permitrootlogin[] = {
        "without-password", "prohibit-password", "forced-commands-only", "yes", "no", NULL };
static const char *const multistate_compression[] = { "yes", "delayed", "no", NULL };
static const char *const multistate_gatewayports[] = { "clientspecified", "yes", "no", NULL };
static const char *const multistate_tcpfwd[] = { "yes", "all", "no", "remote", "local", NULL };
static const char *const multistate_ignore_rhosts[] = { "yes", "no", "shosts-only", NULL };
static const char *const log_levels[] = {
        "QUIET", "FATAL", "ERROR", "INFO", "VERBOSE", "DEBUG", "DEBUG1", "DEBUG2", "DEBUG3", NULL };
static const char *const log_facilities[] = {
        "DAEMON", "USER", "AUTH", "AUTHPRIV", "LOCAL0", "LOCAL1", "LOCAL2", "LOCAL3",
        "LOCAL4", "LOCAL5", "LOCAL6", "LOCAL7", NULL };
static const char *const digest_names[] = { "MD5", "SHA1", "SHA256", "SHA384", "SHA512", NULL };
static const char *const ipqos_names[] = {
        "af11", "af12", "af13", "af21", "af22", "af23", "af31", "af32", "af33",
        "af41", "af42", "af43", "cs0", "cs1", "cs2", "cs3", "cs4", "cs5", "cs6", "cs7",
        "ef", "le", "lowdelay", "throughput", "reliability", "none", NULL };
static const char *const tunnel_modes[] = { "no", "point-to-point", "ethernet", "yes", NULL };
static const char *const auth_methods[] = {
        "none", "publickey", "hostbased", "password", "keyboard-interactive", "gssapi-with-mic", NULL };

const char *const *multistate_words(SshdArgKind kind) {
        switch (kind) {
        case SSHD_ARG_FLAG: return multistate_flag;
        case SSHD_ARG_ADDRESS_FAMILY: return multistate_addressfamily;
        case SSHD_ARG_PERMIT_ROOT_LOGIN: return multistate_permitrootlogin;
        case SSHD_ARG_COMPRESSION: return multistate_compression;
        case SSHD_ARG_GATEWAY_PORTS: return multistate_gatewayports;
        case SSHD_ARG_FORWARDING: return multistate_tcpfwd;
        case SSHD_ARG_IGNORE_RHOSTS: return multistate_ignore_rhosts;
        default: return NULL;
        }
}

int multistate_index(const char *const *words, const char *arg) {
        for (int i = 0; words[i]; i++)
                if (strcasecmp(words[i], arg) == 0)
                        return i;
        return -1;
}

bool log_level_valid(const char *s) {
        return strv_contains_case(log_levels, s);
}

bool log_facility_valid(const char *s) {
        return strv_contains_case(log_facilities, s);
}

bool fingerprint_hash_valid(const char *s) {
        return strv_contains_case(digest_names, s);
}

/* Case-sensitive, unlike the other words. */
bool tunnel_mode_valid(const char *s) {
        for (size_t i = 0; tunnel_modes[i]; i++)
                if (strcmp(tunnel_modes[i], s) == 0)
                        return true;
        return false;
}

/* addr_pton_cidr(): 0 valid, -1 not an address, -2 an address with a bad
 * mask or host bits set. */
static int addr_cidr_check(const char *s) {
        char buf[64], *slash, *end;
        unsigned long masklen = ULONG_MAX;
        unsigned char a[16];
        struct addrinfo hints = { .ai_flags = AI_NUMERICHOST }, *ai = NULL;
        int family, bits;

        if (strlen(s) >= sizeof(buf))
                return -1;
        strcpy(buf, s);
        slash = strchr(buf, '/');
        if (slash) {
                *slash++ = '\0';
                masklen = strtoul(slash, &end, 10);
                if (*slash < '0' || *slash > '9' || *end != '\0' || masklen > 128)
                        return -1;
        }
        if (getaddrinfo(buf, NULL, &hints, &ai) != 0 || !ai)
                return -1;
        family = ai->ai_family;
        if (family == AF_INET)
                memcpy(a, &((struct sockaddr_in *) ai->ai_addr)->sin_addr, 4);
        else if (family == AF_INET6)
                memcpy(a, &((struct sockaddr_in6 *) ai->ai_addr)->sin6_addr, 16);
        freeaddrinfo(ai);
        if (family != AF_INET && family != AF_INET6)
                return -1;
        bits = family == AF_INET ? 32 : 128;
        if (masklen == ULONG_MAX)
                masklen = (unsigned long) bits;
        if (masklen > (unsigned long) bits)
                return -2;
        for (int i = (int) masklen; i < bits; i++)
                if (a[i / 8] & (0x80 >> (i % 8)))
                        return -2;
        return 0;
}

/* addr_match_list(NULL, list): false where sshd's answer is -2. */
bool addr_list_valid(const char *list) {
        char *copy = strdup(list), *cur, *entry;
        bool ok = true;

        if (!copy)
                return true;    /* out of memory is not a verdict on the list */
        cur = copy;
        while ((entry = strsep(&cur, ",")) != NULL) {
                if (*entry == '!')
                        entry++;
                if (*entry == '\0' || addr_cidr_check(entry) == -2) {
                        ok = false;
                        break;
                }
        }
        free(copy);
        return ok;
}


/* fmt_scaled.c scan_scaled() as sshd 9.2 has it (openbsd-compat): leading
 * white space, at most one sign, decimal digits with at most one '.', then
 * nothing or one of B K M G T P E (either case) that no letter or digit
 * follows.  No exponent, no hex: "1e3" is 1 EiB followed by a digit, and
 * is refused.  More than 20 integer digits, or a value that does not fit,
 * is ERANGE; the fraction is kept only with a unit.  Returns 0, -EINVAL or
 * -ERANGE (sshd prints strerror() of it).  Where sshd's own arithmetic
 * overflows (a negative fraction scaled up), the result wraps as it does
 * there, without undefined behaviour here. */
int scaled_parse(const char *s, long long *ret) {
        static const char units[] = "BKMGTPE";
        const unsigned max_digits = 3 * (sizeof(units) - 1);
        unsigned ndigits = 0, fract_digits = 0;
        long long whole = 0, fpart = 0, scale = 1;
        const char *u;
        int sign = 0;

        while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
                s++;
        for (; *s == '-' || *s == '+'; s++) {
                if (sign != 0)
                        return -EINVAL;
                sign = *s == '-' ? -1 : 1;
        }
        for (; (*s >= '0' && *s <= '9') || *s == '.'; s++) {
                int digit = *s - '0';

                if (*s == '.') {
                        if (fract_digits > 0)
                                return -EINVAL;
                        fract_digits = 1;
                } else if (fract_digits > 0) {
                        if (fract_digits >= max_digits - 1)
                                continue;       /* further fractional digits are ignored */
                        fract_digits++;
                        if (fpart > LLONG_MAX / 10 || digit > LLONG_MAX - fpart * 10)
                                return -ERANGE;
                        fpart = fpart * 10 + digit;
                } else {
                        if (++ndigits >= max_digits)
                                return -ERANGE;
                        if (whole > LLONG_MAX / 10 || digit > LLONG_MAX - whole * 10)
                                return -ERANGE;
                        whole = whole * 10 + digit;
                }
        }
        if (sign < 0) {
                whole = -whole;
                fpart = -fpart;
        }
        if (*s == '\0') {
                *ret = whole;
                return 0;
        }

        u = strchr(units, *s >= 'a' && *s <= 'z' ? *s - ('a' - 'A') : *s);
        if (!u || *u == '\0')
                return -EINVAL;
        if ((s[1] >= '0' && s[1] <= '9') || (s[1] >= 'a' && s[1] <= 'z') || (s[1] >= 'A' && s[1] <= 'Z'))
                return -EINVAL;
        for (long i = u - units; i > 0; i--)
                scale *= 1024;
        if (whole > LLONG_MAX / scale || whole < LLONG_MIN / scale)
                return -ERANGE;
        whole *= scale;
        while (fpart >= LLONG_MAX / scale) {
                fpart /= 10;
                fract_digits--;
        }
        (void) __builtin_mul_overflow(fpart, scale, &fpart);
        for (unsigned i = 1; i < fract_digits; i++)
                fpart /= 10;
        (void) __builtin_add_overflow(whole, fpart, &whole);
        *ret = whole;
        return 0;
}

/* hpdelim() then cleanhostname(): splits "host:port", "[v6]:port", "host".
 * Returns the host (in place) and sets *port_str (NULL if none); NULL when
 * sshd says "bad address:port usage". */
char *split_host_port(char *arg, char **port_str) {
        char *s = arg, *host = arg;

        *port_str = NULL;
        if (*s == '[') {
                s = strchr(s, ']');
                if (!s)
                        return NULL;
                s++;
        } else {
                s = strpbrk(s, ":/");
                if (!s)
                        s = arg + strlen(arg);
        }
        switch (*s) {
        case '\0':
                break;
        case ':':
                *s = '\0';
                *port_str = s + 1;
                break;
        default:        /* '/' or anything after "]" */
                return NULL;
        }
        if (host[0] == '[' && host[strlen(host) - 1] == ']') {
                host[strlen(host) - 1] = '\0';
                host++;
        }
        return host;
}

bool ipqos_valid(const char *s) {
        char *end;
        long v;

        if (strv_contains_case(ipqos_names, s))
                return true;
        errno = 0;
        v = strtol(s, &end, 0);
        return *s != '\0' && *end == '\0' && errno == 0 && v >= 0 && v <= 255;
}

/* auth2_methods_valid(list, 0): each comma-separated method known. */
bool auth_method_list_valid(const char *list) {
        char *copy = strdup(list), *cur, *m;
        bool ok = true;

        if (!copy)
                return true;
        cur = copy;
        while ((m = strsep(&cur, ",")) != NULL) {
                char *colon = strchr(m, ':');
                if (colon) {
                        /* only keyboard-interactive takes a submethod */
                        *colon = '\0';
                        if (strcmp(m, "keyboard-interactive") != 0) {
                                ok = false;
                                break;
                        }
                }
                if (*m == '\0' || !strv_contains_case(auth_methods, m)) {
                        ok = false;
                        break;
                }
        }
        free(copy);
        return ok;
}

/* MaxStartups "begin[:rate:full]" as sshd's sscanf("%d:%d:%d") and checks
 * read it.  With one number, the rate stays what it was.  Returns false
 * where sshd says "Invalid MaxStartups spec." */
bool max_startups_parse(const char *arg, SshdMaxStartups *ms) {
        int begin = 0, rate = ms->rate, full = 0, n;

        n = sscanf(arg, "%d:%d:%d", &begin, &rate, &full);
        if (n == 3) {
                if (begin > full || rate > 100 || rate < 1)
                        return false;
        } else if (n != 1)
                return false;
        else {
                full = begin;
                rate = ms->rate;
        }
        if (full <= 0 || begin <= 0)
                return false;
        ms->begin = begin;
        ms->rate = rate;
        ms->full = full;
        return true;
}

/* "v4[:v6]"; sshd leaves v6 at 0 when it is not given. */
bool netblock_parse(const char *arg, int *v4, int *v6) {
        int n;

        *v4 = *v6 = 0;
        n = sscanf(arg, "%d:%d", v4, v6);
        if (n == 2 && (*v6 < 0 || *v6 > 128))
                return false;
        if ((n == 1 || n == 2) && (*v4 < 0 || *v4 > 32))
                return false;
        return n == 1 || n == 2;
}

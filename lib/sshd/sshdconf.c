/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sshd_config model.  The reading follows OpenSSH 9.2's servconf.c
 * step by step, because an administrator's question is "what will sshd do
 * with this file", not "what does the manual say": the order of the checks,
 * which errors stop sshd at once (fatal) and which let it go on to the end
 * of the file (error, then "terminating, N bad configuration options"),
 * which values the first occurrence decides and which the last.
 *
 * inih does the line reading: sshd's syntax is tokenised by our reader
 * (sshdconf-token.c) into lines inih cannot misread -- `keyword=N`, never
 * longer than inih's 200-byte buffer, no NUL, no ';', no leading space --
 * and the handler finds the tokenised directive by N.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <net/if.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "json.h"
#include "macro.h"
#include "sshdconf.h"
#include "sshdconf-token.h"
#include "strv.h"

#define SSHD_DEFAULT_PORT 22
#define SSHD_INCLUDE_BASE "/etc/ssh"

/* Resource bounds beyond which we refuse instead of burning memory. */
#define SSHD_MAX_TOTAL_BYTES (512u * 1024u * 1024u)

typedef struct IncludeItem {
        char *selector;         /* the pattern as sshd caches it */
        char *filename;         /* NULL: the pattern matched nothing */
        char *text;             /* the file as loaded */
        size_t len;
} IncludeItem;

typedef struct ParseCtx {
        SshdConfig *c;
        const SshdConfigOptions *opts;
        bool stop;              /* sshd exits at this point */
        int error;              /* a negative errno that aborts the load (ENOMEM) */
        bool active;            /* servconf.c's *activep */
        int match;              /* the Match block directives go to, or -1 */
        IncludeItem *includes;
        size_t n_includes;
        size_t total_bytes;
        size_t directives_allocated;
        size_t *file_index;     /* open-addressing hash of c->files: index + 1, 0 free */
        size_t file_index_size;
} ParseCtx;

typedef struct FileCtx {
        ParseCtx *p;
        const char *file;       /* interned in c->files */
        char *text;             /* NUL-free, as sshd's loader leaves it; consumed in place */
        size_t len, pos;
        bool done;
        unsigned lineno;
        unsigned bad_options;
        bool never_match;       /* SSHCFG_NEVERMATCH: included from an inactive Match */
        int outer_match;        /* the Match block the Include of this file was in, or -1 */
        int depth;
        SshdLine line;          /* the line inih is being handed */
        unsigned seq;
} FileCtx;

static int parse_text(ParseCtx *p, const char *file, char *text, size_t len, bool never_match,
                      int outer_match, int depth);

/* --- diagnostics ------------------------------------------------------ */

/* sshd's logger formats a message into 1024 bytes, then passes it through
 * strnvis(VIS_SAFE|VIS_OCTAL|VIS_NOSLASH) into another 1024: bytes that are
 * not printable ASCII (or tab, newline, CR, BS, BEL) become "\\ooo", and
 * whatever does not fit is cut.  Messages quote file contents, so the model
 * does the same: its messages read exactly like sshd's, and hostile input
 * cannot make them large.  On stderr (what `sshd -t` and `sshd -T` show)
 * the line is cut once more, to 1021 characters.  PREFIX_LEN is the length
 * of the "FILE line N: " sshd puts in front, which counts against the same
 * budget. */
#define SSHD_LOG_LINE_MAX 1021

static char *sshd_log_text(const char *raw, size_t prefix_len) {
        size_t room = prefix_len < SSHD_LOG_LINE_MAX ? SSHD_LOG_LINE_MAX - prefix_len : 0;
        size_t in_len = strnlen(raw, room), used = 0;
        char *r = malloc(room + 1);

        if (!r)
                return NULL;
        for (size_t i = 0; i < in_len; i++) {
                unsigned char c = (unsigned char) raw[i];
                bool plain = (c >= 0x20 && c <= 0x7e) || (c && strchr("\t\n\r\b\a", c));
                size_t need = plain ? 1 : 4;

                if (used + need > room)
                        break;
                if (plain)
                        r[used++] = (char) c;
                else
                        used += (size_t) sprintf(r + used, "\\%03o", c);
        }
        r[used] = '\0';
        return r;
}

static int diag_push(ParseCtx *p, SshdDiag **v, size_t *n, const char *file, unsigned line,
                     size_t prefix_len, const char *fmt, va_list ap) {
        SshdDiag *nv;
        char *msg = NULL, *f = NULL, *raw = NULL;

        if (vasprintf(&raw, fmt, ap) < 0) {
                raw = NULL;
                goto oom;
        }
        msg = sshd_log_text(raw, prefix_len);
        free(raw);
        if (!msg)
                goto oom;
        if (file && !(f = strdup(file)))
                goto oom;
        nv = reallocarray(*v, *n + 1, sizeof(SshdDiag));
        if (!nv)
                goto oom;
        nv[(*n)++] = (SshdDiag) { .file = f, .line = line, .message = msg };
        *v = nv;
        return 0;
oom:
        free(msg);
        free(f);
        p->error = -ENOMEM;
        p->stop = true;
        return -ENOMEM;
}

static int __attribute__((format(printf, 7, 8)))
diag_add(ParseCtx *p, SshdDiag **v, size_t *n, const char *file, unsigned line, size_t prefix_len,
         const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = diag_push(p, v, n, file, line, prefix_len, fmt, ap);
        va_end(ap);
        return r;
}

/* The length of sshd's "FILE line N: " in front of a message. */
static size_t fc_prefix_len(const FileCtx *fc) {
        char num[16];

        return strlen(fc->file) + strlen(" line : ") + (size_t) snprintf(num, sizeof(num), "%u", fc->lineno);
}

/* An error sshd reports with "FILE line N: ".  FATAL: sshd exits there. */
static void __attribute__((format(printf, 3, 4)))
fc_error(FileCtx *fc, bool fatal, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        diag_push(fc->p, &fc->p->c->errors, &fc->p->c->n_errors, fc->file, fc->lineno,
                  fc_prefix_len(fc), fmt, ap);
        va_end(ap);
        if (fatal)
                fc->p->stop = true;
        else
                fc->bad_options++;
}

/* parse_token()'s complaint, the one error sshd prints as "FILE: line N: ". */
static void fc_bad_option(FileCtx *fc, const char *keyword) {
        fc->bad_options++;
        diag_add(fc->p, &fc->p->c->errors, &fc->p->c->n_errors, fc->file, fc->lineno,
                 fc_prefix_len(fc) + 1, "Bad configuration option: %s", keyword);
}

/* An error sshd reports without a file and line (FILE may still carry our
 * evidence: sshd prints none, we know where it came from). */
static void __attribute__((format(printf, 4, 5)))
p_fatal(ParseCtx *p, const char *file, unsigned line, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        diag_push(p, &p->c->errors, &p->c->n_errors, file, line, 0, fmt, ap);
        va_end(ap);
        p->stop = true;
}

static void __attribute__((format(printf, 4, 5)))
p_warn(ParseCtx *p, const char *file, unsigned line, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        diag_push(p, &p->c->warnings, &p->c->n_warnings, file, line, 0, fmt, ap);
        va_end(ap);
}

/* --- value parsers, each as sshd's (misc.c) ------------------------------ */

/* OpenBSD strtonum() error strings, which sshd prints. */
static const char *strtonum_err(const char *s, long long min, long long max, long long *ret) {
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

static const char *atoi_err(const char *s, int *ret) {
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
static int a2port(const char *s) {
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
static long convtime(const char *s) {
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

static bool strv_contains_case(const char * const *l, const char *s) {
        for (; *l; l++)
                if (strcasecmp(*l, s) == 0)
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
static bool addr_list_valid(const char *list) {
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

/* --- the model ---------------------------------------------------------- */

static size_t string_hash(const char *s) {
        size_t h = 14695981039346656037ULL;     /* FNV-1a */

        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 1099511628211ULL;
        return h;
}

static int file_index_grow(ParseCtx *p) {
        size_t n = p->file_index_size ? p->file_index_size * 2 : 64;
        size_t *t = calloc(n, sizeof(size_t));

        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < p->c->n_files; i++) {
                size_t h = string_hash(p->c->files[i]) & (n - 1);
                while (t[h])
                        h = (h + 1) & (n - 1);
                t[h] = i + 1;
        }
        free(p->file_index);
        p->file_index = t;
        p->file_index_size = n;
        return 0;
}

/* Every file once in c->files, however often it is read (a cached Include
 * pattern re-reads its files); tens of thousands of included files must not
 * cost a quadratic search. */
static const char *intern_file(ParseCtx *p, const char *path) {
        size_t h;

        if ((p->c->n_files + 1) * 2 > p->file_index_size && file_index_grow(p) < 0)
                goto oom;
        h = string_hash(path) & (p->file_index_size - 1);
        for (; p->file_index[h]; h = (h + 1) & (p->file_index_size - 1))
                if (strcmp(p->c->files[p->file_index[h] - 1], path) == 0)
                        return p->c->files[p->file_index[h] - 1];
        if (strv_push_copy(&p->c->files, &p->c->n_files, path) < 0)
                goto oom;
        p->file_index[h] = p->c->n_files;
        return p->c->files[p->c->n_files - 1];
oom:
        p->error = -ENOMEM;
        p->stop = true;
        return NULL;
}

static SshdOrigin fc_origin(const FileCtx *fc) {
        return (SshdOrigin) { .file = fc->file, .line = fc->lineno };
}

/* Records the current line as a directive; the directive takes over the
 * line's arguments. */
static int directive_add(FileCtx *fc, const SshdKeyword *kw) {
        SshdConfig *c = fc->p->c;
        SshdDirective *nv;

        if (c->n_directives >= SSHD_MAX_DIRECTIVES) {
                p_fatal(fc->p, fc->file, fc->lineno, "more than %u directives: refusing to read further",
                        SSHD_MAX_DIRECTIVES);
                return -E2BIG;
        }
        if (c->n_directives == fc->p->directives_allocated) {
                size_t n = c->n_directives ? c->n_directives * 2 : 64;
                nv = reallocarray(c->directives, n, sizeof(SshdDirective));
                if (!nv) {
                        fc->p->error = -ENOMEM;
                        fc->p->stop = true;
                        return -ENOMEM;
                }
                c->directives = nv;
                fc->p->directives_allocated = n;
        }
        nv = c->directives;
        nv[c->n_directives++] = (SshdDirective) {
                .keyword = kw,
                .args = TAKE_PTR(fc->line.argv),
                .n_args = fc->line.argc,
                .origin = fc_origin(fc),
                .match = fc->p->match,
        };
        return 0;
}

/* --- directive handlers --------------------------------------------------- */

typedef struct Args {
        char **v;
        size_t n, i;
} Args;

static const char *args_next(Args *a) {
        return a->i < a->n ? a->v[a->i++] : NULL;
}

static void args_consume(Args *a) {
        a->i = a->n;
}

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

/* The algorithms OpenSSH 9.2 knows (`ssh -Q cipher|mac|kex|key|sig`). */
static const char *const cipher_names[] = {
        "3des-cbc", "aes128-cbc", "aes192-cbc", "aes256-cbc", "aes128-ctr", "aes192-ctr",
        "aes256-ctr", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
        "chacha20-poly1305@openssh.com", NULL };
static const char *const mac_names[] = {
        "hmac-sha1", "hmac-sha1-96", "hmac-sha2-256", "hmac-sha2-512", "hmac-md5", "hmac-md5-96",
        "umac-64@openssh.com", "umac-128@openssh.com", "hmac-sha1-etm@openssh.com",
        "hmac-sha1-96-etm@openssh.com", "hmac-sha2-256-etm@openssh.com",
        "hmac-sha2-512-etm@openssh.com", "hmac-md5-etm@openssh.com", "hmac-md5-96-etm@openssh.com",
        "umac-64-etm@openssh.com", "umac-128-etm@openssh.com", NULL };
static const char *const kex_names[] = {
        "diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1", "diffie-hellman-group14-sha256",
        "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
        "diffie-hellman-group-exchange-sha1", "diffie-hellman-group-exchange-sha256",
        "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "curve25519-sha256",
        "curve25519-sha256@libssh.org", "sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com",
        NULL };
/* Debian's GSSAPI key exchange patch: a GSSAPI method is named by one of
 * these prefixes followed by anything (on the wire, a hash of the
 * mechanism's OID).  Its sshd accepts such names in GSSAPIKexAlgorithms
 * and, among the ordinary names, in KexAlgorithms (with or without a
 * +, - or ^ in front); the match is by prefix and case-sensitive, so
 * "gss-curve25519-sha256-x" is accepted and "gss-curve25519-sha256",
 * "gss-foo-" or "GSS-group1-sha1-" are not (sshd -T on Debian 12). */
static const char *const gss_kex_prefixes[] = {
        "gss-gex-sha1-", "gss-group1-sha1-", "gss-group14-sha1-", "gss-group14-sha256-",
        "gss-group16-sha512-", "gss-nistp256-sha256-", "gss-curve25519-sha256-", NULL };
static const char *const key_type_names[] = {
        "ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com", "sk-ssh-ed25519@openssh.com",
        "sk-ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp521",
        "ecdsa-sha2-nistp521-cert-v01@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
        "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
        "ssh-dss", "ssh-dss-cert-v01@openssh.com", "ssh-rsa", "ssh-rsa-cert-v01@openssh.com",
        "rsa-sha2-256", "rsa-sha2-256-cert-v01@openssh.com", "rsa-sha2-512",
        "rsa-sha2-512-cert-v01@openssh.com", NULL };
/* Signature algorithms: what CASignatureAlgorithms selects from. */
static const char *const signature_names[] = {
        "ssh-ed25519", "sk-ssh-ed25519@openssh.com", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521", "sk-ecdsa-sha2-nistp256@openssh.com",
        "webauthn-sk-ecdsa-sha2-nistp256@openssh.com", "ssh-dss", "ssh-rsa", "rsa-sha2-256",
        "rsa-sha2-512", NULL };

/* match.c match_pattern(): '*' and '?' wildcards. */
static bool pattern_match(const char *s, const char *pattern) {
        for (;;) {
                if (*pattern == '\0')
                        return *s == '\0';
                if (*pattern == '*') {
                        while (*pattern == '*')
                                pattern++;
                        if (*pattern == '\0')
                                return true;
                        for (; *s; s++)
                                if (pattern_match(s, pattern))
                                        return true;
                        return false;
                }
                if (*s == '\0' || (*pattern != '?' && *pattern != *s))
                        return false;
                s++, pattern++;
        }
}

static bool name_has_prefix(const char *name, const char *const *prefixes) {
        for (size_t i = 0; prefixes && prefixes[i]; i++)
                if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
                        return true;
        return false;
}

/* ciphers_valid(), mac_valid(), kex_names_valid(), sshkey_names_valid2(),
 * Debian's kex_gss_names_valid(): a comma-separated list of known names
 * (or of names starting with one of PREFIXES), read up to the first empty
 * element (sshd stops there); with WILDCARDS an element may instead be a
 * pattern, negated or not, that matches some known name.  An empty list
 * is not valid. */
static bool algorithm_list_valid(const char *list, const char *const *known, const char *const *prefixes,
                                 bool wildcards) {
        char *copy, *cur, *name;
        bool ok = true;

        if (*list == '\0')
                return false;
        copy = strdup(list);
        if (!copy)
                return true;
        cur = copy;
        while ((name = strsep(&cur, ",")) && *name != '\0') {
                bool found = name_has_prefix(name, prefixes);

                for (size_t i = 0; known && known[i] && !found; i++)
                        found = strcmp(known[i], name) == 0;
                if (!found && wildcards) {
                        const char *pat = *name == '!' ? name + 1 : name;
                        for (size_t i = 0; known[i] && !found; i++)
                                found = pattern_match(known[i], pat);
                }
                if (!found) {
                        ok = false;
                        break;
                }
        }
        free(copy);
        return ok;
}

/* "+list", "^list" and "-list" modify the default; sshd checks the names of
 * the first two only. */
static bool algorithm_spec_valid(const char *arg, const char *const *known, const char *const *prefixes,
                                 bool wildcards) {
        if (*arg == '-')
                return true;
        return algorithm_list_valid(*arg == '+' || *arg == '^' ? arg + 1 : arg, known, prefixes, wildcards);
}

/* kex.c kex_assemble_names(), which assemble_algorithms() applies to each
 * list once the whole configuration is read: "-list" only removes from the
 * defaults (never an error); "+list" and "^list" add to them; an explicit
 * list replaces them.  Then every element is a pattern that selects from
 * ALL: a negated element, or an explicit list that selects nothing (only
 * GSSAPI names, or names after an empty element), is refused. */
static bool algorithm_spec_assembles(const char *spec, const char *const *all) {
        bool explicit_list = true, selects = false, ok = true;
        char *copy, *cur, *pattern;

        if (*spec == '-')
                return true;
        if (*spec == '+' || *spec == '^') {
                explicit_list = false;
                spec++;
        }
        copy = strdup(spec);
        if (!copy)
                return true;
        cur = copy;
        while (ok && (pattern = strsep(&cur, ","))) {
                if (*pattern == '!')
                        ok = false;
                for (size_t i = 0; all[i] && !selects; i++)
                        selects = pattern_match(all[i], pattern);
        }
        free(copy);
        return ok && (selects || !explicit_list);
}

static bool ipqos_valid(const char *s) {
        char *end;
        long v;

        if (strv_contains_case(ipqos_names, s))
                return true;
        errno = 0;
        v = strtol(s, &end, 0);
        return *s != '\0' && *end == '\0' && errno == 0 && v >= 0 && v <= 255;
}

/* auth2_methods_valid(list, 0): each comma-separated method known. */
static bool auth_method_list_valid(const char *list) {
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

/* fmt_scaled.c scan_scaled() as sshd 9.2 has it (openbsd-compat): leading
 * white space, at most one sign, decimal digits with at most one '.', then
 * nothing or one of B K M G T P E (either case) that no letter or digit
 * follows.  No exponent, no hex: "1e3" is 1 EiB followed by a digit, and
 * is refused.  More than 20 integer digits, or a value that does not fit,
 * is ERANGE; the fraction is kept only with a unit.  Returns 0, -EINVAL or
 * -ERANGE (sshd prints strerror() of it).  Where sshd's own arithmetic
 * overflows (a negative fraction scaled up), the result wraps as it does
 * there, without undefined behaviour here. */
static int scaled_parse(const char *s, long long *ret) {
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
static char *split_host_port(char *arg, char **port_str) {
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

static void handle_port(FileCtx *fc, const SshdKeyword *kw, Args *a) {
        SshdConfig *c = fc->p->c;
        const char *arg;
        SshdPort *np;
        int port;

        if (c->n_ports >= SSHD_MAX_PORTS)
                return fc_error(fc, true, "too many ports.");
        arg = args_next(a);
        if (!arg || *arg == '\0')
                return fc_error(fc, true, "missing port number.");
        port = a2port(arg);
        if (port <= 0)
                return fc_error(fc, true, "Badly formatted port number.");
        np = reallocarray(c->ports, c->n_ports + 1, sizeof(SshdPort));
        if (!np) {
                fc->p->error = -ENOMEM;
                fc->p->stop = true;
                return;
        }
        np[c->n_ports++] = (SshdPort) { .port = (uint16_t) port, .origin = fc_origin(fc) };
        c->ports = np;
}

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

static void handle_listen_address(FileCtx *fc, Args *a) {
        SshdConfig *c = fc->p->c;
        const char *arg0 = args_next(a), *rd_kw;
        char *copy, *host, *port_str = NULL, *rdomain = NULL;
        int port = 0;
        SshdListenSpec *nv;

        if (!arg0 || *arg0 == '\0')
                return fc_error(fc, true, "missing address");
        copy = strdup(arg0);
        if (!copy)
                goto oom;
        /* A bare IPv6 address: no "[]" and two or more ':'. */
        {
                const char *colon = strchr(copy, ':');
                if (!strchr(copy, '[') && colon && strchr(colon + 1, ':'))
                        host = copy;
                else {
                        host = split_host_port(copy, &port_str);
                        if (!host) {
                                free(copy);
                                return fc_error(fc, true, "bad address:port usage");
                        }
                        if (port_str && (port = a2port(port_str)) <= 0) {
                                free(copy);
                                return fc_error(fc, true, "bad port number");
                        }
                }
        }
        rd_kw = args_next(a);
        if (rd_kw) {
                const char *rd;
                if (strcmp(rd_kw, "rdomain") != 0 || !(rd = args_next(a))) {
                        free(copy);
                        return fc_error(fc, true, "bad ListenAddress syntax");
                }
                if (!rdomain_valid(fc->p, rd)) {
                        free(copy);
                        return fc_error(fc, true, "bad routing domain");
                }
                rdomain = strdup(rd);
                if (!rdomain)
                        goto oom;
        }
        nv = reallocarray(c->listen_specs, c->n_listen_specs + 1, sizeof(SshdListenSpec));
        if (!nv)
                goto oom;
        c->listen_specs = nv;
        host = strdup(host);
        free(copy);
        if (!host)
                goto oom;
        nv[c->n_listen_specs++] = (SshdListenSpec) {
                .host = host, .port = (uint16_t) port, .rdomain = rdomain, .origin = fc_origin(fc),
        };
        return;
oom:
        free(copy);
        fc->p->error = -ENOMEM;
        fc->p->stop = true;
}

static int multistate_index(const char *const *states, const char *arg) {
        for (int i = 0; states[i]; i++)
                if (strcasecmp(states[i], arg) == 0)
                        return i;
        return -1;
}

static void handle_multistate(FileCtx *fc, const char *const *states, Args *a) {
        const char *arg = args_next(a);

        if (!arg || *arg == '\0')
                return fc_error(fc, true, "missing argument.");
        if (multistate_index(states, arg) < 0)
                return fc_error(fc, true, "unsupported option \"%s\".", arg);
}

/* MaxStartups "begin[:rate:full]" as sshd's sscanf("%d:%d:%d") and checks
 * read it.  With one number, the rate stays what it was.  Returns false
 * where sshd says "Invalid MaxStartups spec." */
static bool max_startups_parse(const char *arg, SshdMaxStartups *ms) {
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

static void handle_max_startups(FileCtx *fc, Args *a) {
        const char *arg = args_next(a);
        SshdMaxStartups ms = { .rate = 30 };

        if (!arg || *arg == '\0')
                return fc_error(fc, true, "MaxStartups missing argument.");
        if (!max_startups_parse(arg, &ms))
                return fc_error(fc, true, "Invalid MaxStartups spec.");
}

static void handle_per_source_max_startups(FileCtx *fc, Args *a) {
        const char *arg = args_next(a), *e;
        int v;

        if (!arg || *arg == '\0')
                return fc_error(fc, true, "PerSourceMaxStartups missing argument.");
        if (strcmp(arg, "none") != 0 && (e = atoi_err(arg, &v)))
                return fc_error(fc, true, "%s integer value %s.", fc->line.keyword, e);
}

/* "v4[:v6]"; sshd leaves v6 at 0 when it is not given. */
static bool netblock_parse(const char *arg, int *v4, int *v6) {
        int n;

        *v4 = *v6 = 0;
        n = sscanf(arg, "%d:%d", v4, v6);
        if (n == 2 && (*v6 < 0 || *v6 > 128))
                return false;
        if ((n == 1 || n == 2) && (*v4 < 0 || *v4 > 32))
                return false;
        return n == 1 || n == 2;
}

static void handle_per_source_netblock(FileCtx *fc, Args *a) {
        const char *arg = args_next(a);
        int v4, v6;

        if (!arg || *arg == '\0')
                return fc_error(fc, true, "%s missing argument.", fc->line.keyword);
        if (!netblock_parse(arg, &v4, &v6))
                return fc_error(fc, true, "Invalid %s spec.", fc->line.keyword);
}

static void handle_include(FileCtx *fc, Args *a);
static void handle_match(FileCtx *fc, Args *a);

/* ForceCommand, VersionAddendum, AuthorizedKeysCommand...: sshd keeps the
 * rest of the line as it is written (quotes, runs of blanks and '#'
 * included: `ForceCommand echo 'x'  # y` runs "echo 'x'  # y"), so the
 * directive's one argument is that text, not its argv_split() words. */
static int line_keep_verbatim(FileCtx *fc) {
        SshdLine *l = &fc->line;
        char **v = calloc(2, sizeof(char *));

        if (!v || !(v[0] = strdup(l->rest + strspn(l->rest, " \t\r\n")))) {
                free(v);
                fc->p->error = -ENOMEM;
                fc->p->stop = true;
                return -ENOMEM;
        }
        strv_free(l->argv);
        l->argv = v;
        l->argc = 1;
        return 0;
}

/* Validates the arguments of one directive and records it.  Mirrors the
 * switch in process_server_config_line_depth(). */
static void directive_process(FileCtx *fc, const SshdKeyword *kw) {
        SshdLine *l = &fc->line;
        Args a = { .v = l->argv, .n = l->argc };
        const char *kwname = l->keyword, *arg, *e;
        int v;

        switch (kw->kind) {
        case SSHD_ARG_FLAG:
                handle_multistate(fc, multistate_flag, &a);
                break;
        case SSHD_ARG_ADDRESS_FAMILY:
                handle_multistate(fc, multistate_addressfamily, &a);
                break;
        case SSHD_ARG_PERMIT_ROOT_LOGIN:
                handle_multistate(fc, multistate_permitrootlogin, &a);
                break;
        case SSHD_ARG_COMPRESSION:
                handle_multistate(fc, multistate_compression, &a);
                break;
        case SSHD_ARG_GATEWAY_PORTS:
                handle_multistate(fc, multistate_gatewayports, &a);
                break;
        case SSHD_ARG_FORWARDING:
                handle_multistate(fc, multistate_tcpfwd, &a);
                break;
        case SSHD_ARG_IGNORE_RHOSTS:
                handle_multistate(fc, multistate_ignore_rhosts, &a);
                break;
        case SSHD_ARG_INT:
                if ((e = atoi_err(args_next(&a), &v)))
                        fc_error(fc, true, "%s integer value %s.", kwname, e);
                break;
        case SSHD_ARG_TIME_OR_NONE:
                if (a.n > 0 && strcasecmp(a.v[0], "none") == 0) {
                        args_next(&a);
                        break;
                }
                _fallthrough_;
        case SSHD_ARG_TIME:
                arg = args_next(&a);
                if (!arg || *arg == '\0')
                        fc_error(fc, true, "missing time value.");
                else if (convtime(arg) < 0)
                        fc_error(fc, true, "invalid time value.");
                break;
        case SSHD_ARG_FILE:
                arg = args_next(&a);
                if (!arg || *arg == '\0')
                        fc_error(fc, true, "missing file name.");
                break;
        case SSHD_ARG_SOCKET:
                arg = args_next(&a);
                if (!arg || *arg == '\0')
                        fc_error(fc, true, "missing socket name.");
                break;
        case SSHD_ARG_STRING:
                arg = args_next(&a);
                if (!arg || *arg == '\0')
                        fc_error(fc, true, "%s missing argument.", kwname);
                break;
        case SSHD_ARG_LOCALUSER:
                arg = args_next(&a);
                if (!arg || *arg == '\0')
                        fc_error(fc, true, "missing %s argument.", kwname);
                break;
        case SSHD_ARG_ALGOS:
                arg = args_next(&a);
                if (!arg || *arg == '\0')
                        fc_error(fc, true, "Missing argument.");
                else if (!algorithm_spec_valid(arg, key_type_names, NULL, true))
                        fc_error(fc, true, "Bad key types '%s'.", arg);
                break;
        case SSHD_ARG_CRYPTO:
                arg = args_next(&a);
                if (!arg || *arg == '\0')
                        fc_error(fc, true, "%s missing argument.", kwname);
                else if (kw->id == SSHD_KW_CIPHERS && !algorithm_spec_valid(arg, cipher_names, NULL, false))
                        fc_error(fc, true, "Bad SSH2 cipher spec '%s'.", arg);
                else if (kw->id == SSHD_KW_MACS && !algorithm_spec_valid(arg, mac_names, NULL, false))
                        fc_error(fc, true, "Bad SSH2 mac spec '%s'.", arg);
                else if (kw->id == SSHD_KW_KEX_ALGORITHMS &&
                         !algorithm_spec_valid(arg, kex_names, gss_kex_prefixes, false))
                        fc_error(fc, true, "Bad SSH2 KexAlgorithms '%s'.", arg);
                break;
        case SSHD_ARG_GSS_KEX:
                /* No +, - or ^ here: they are read as part of the first name. */
                arg = args_next(&a);
                if (!arg || *arg == '\0')
                        fc_error(fc, true, "Missing argument.");
                else if (!algorithm_list_valid(arg, NULL, gss_kex_prefixes, false))
                        fc_error(fc, true, "Bad GSSAPI KexAlgorithms '%s'.", arg);
                break;
        case SSHD_ARG_USERS:
                while ((arg = args_next(&a))) {
                        const char *at = strrchr(arg, '@');
                        if (*arg == '\0' || (at && !addr_list_valid(at + 1))) {
                                fc_error(fc, true, "invalid %s pattern: \"%s\"", kwname, arg);
                                break;
                        }
                }
                break;
        case SSHD_ARG_GROUPS:
                while ((arg = args_next(&a)))
                        if (*arg == '\0') {
                                fc_error(fc, true, "empty %s pattern", kwname);
                                break;
                        }
                break;
        case SSHD_ARG_ACCEPT_ENV:
                while ((arg = args_next(&a)))
                        if (*arg == '\0' || strchr(arg, '=')) {
                                fc_error(fc, true, "Invalid environment name.");
                                break;
                        }
                break;
        case SSHD_ARG_SET_ENV:
                while ((arg = args_next(&a)))
                        if (*arg == '\0' || !strchr(arg, '=')) {
                                fc_error(fc, true, "Invalid environment.");
                                break;
                        }
                break;
        case SSHD_ARG_LIST:
                while ((arg = args_next(&a)))
                        if (*arg == '\0') {
                                fc_error(fc, false, "keyword %s empty argument", kwname);
                                return;
                        }
                break;
        case SSHD_ARG_LOG_VERBOSE:
                for (size_t i = 0; (arg = args_next(&a)); i++) {
                        if (*arg == '\0') {
                                fc_error(fc, false, "keyword %s empty argument", kwname);
                                return;
                        }
                        if (strcasecmp(arg, "none") == 0 && (i > 0 || a.i < a.n)) {
                                fc_error(fc, false, "keyword %s \"none\" argument must appear alone.", kwname);
                                return;
                        }
                }
                break;
        case SSHD_ARG_PUBKEY_AUTH_OPTIONS:
                while ((arg = args_next(&a)))
                        if (strcasecmp(arg, "none") != 0 && strcasecmp(arg, "touch-required") != 0 &&
                            strcasecmp(arg, "verify-required") != 0) {
                                fc_error(fc, false, "unsupported %s option %s", kwname, arg);
                                return;
                        }
                break;
        case SSHD_ARG_REST:
                if (kw->id == SSHD_KW_VERSION_ADDENDUM && strchr(l->rest + strspn(l->rest, " \t\r\n"), '\r'))
                        fc_error(fc, true, "Invalid %s argument", kwname);
                else if (line_keep_verbatim(fc) < 0)
                        return;
                args_consume(&a);
                break;
        case SSHD_ARG_COMMAND: {
                const char *cmd = l->rest + strspn(l->rest, " \t\r\n");
                if (*cmd != '/' && strcasecmp(cmd, "none") != 0)
                        fc_error(fc, true, "%s must be an absolute path", kwname);
                else if (line_keep_verbatim(fc) < 0)
                        return;
                args_consume(&a);
                break;
        }
        case SSHD_ARG_PORT:
                handle_port(fc, kw, &a);
                break;
        case SSHD_ARG_LISTEN_ADDRESS:
                handle_listen_address(fc, &a);
                break;
        case SSHD_ARG_MAX_STARTUPS:
                handle_max_startups(fc, &a);
                break;
        case SSHD_ARG_PER_SOURCE_MAX_STARTUPS:
                handle_per_source_max_startups(fc, &a);
                break;
        case SSHD_ARG_PER_SOURCE_NETBLOCK:
                handle_per_source_netblock(fc, &a);
                break;
        case SSHD_ARG_SUBSYSTEM:
                arg = args_next(&a);
                if (!arg || *arg == '\0') {
                        fc_error(fc, true, "%s missing argument.", kwname);
                        break;
                }
                if (!fc->p->active) {
                        args_next(&a);  /* sshd skips the command only */
                        break;
                }
                for (size_t i = 0; i < fc->p->c->n_directives; i++) {
                        const SshdDirective *d = &fc->p->c->directives[i];
                        if (d->keyword->id == SSHD_KW_SUBSYSTEM && sshd_directive_applies_always(fc->p->c, d) &&
                            strcmp(d->args[0], arg) == 0) {
                                fc_error(fc, true, "Subsystem '%s' already defined.", arg);
                                return;
                        }
                }
                arg = args_next(&a);
                if (!arg || *arg == '\0') {
                        fc_error(fc, true, "Missing subsystem command.");
                        break;
                }
                args_consume(&a);
                break;
        case SSHD_ARG_INCLUDE:
                handle_include(fc, &a);
                return;         /* recorded before its contents, by handle_include() */
        case SSHD_ARG_MATCH:
                handle_match(fc, &a);
                return;
        case SSHD_ARG_LOG_LEVEL:
                arg = args_next(&a);
                if (!arg || !strv_contains_case(log_levels, arg))
                        fc_error(fc, true, "unsupported log level '%s'", arg ? arg : "<NONE>");
                break;
        case SSHD_ARG_LOG_FACILITY:
                arg = args_next(&a);
                if (!arg || !strv_contains_case(log_facilities, arg))
                        fc_error(fc, true, "unsupported log facility '%s'", arg ? arg : "<NONE>");
                break;
        case SSHD_ARG_PERMIT_TUNNEL:
                arg = args_next(&a);
                if (!arg || *arg == '\0')
                        fc_error(fc, true, "%s missing argument.", kwname);
                else {
                        bool ok = false;
                        for (size_t i = 0; tunnel_modes[i]; i++)
                                ok = ok || strcmp(tunnel_modes[i], arg) == 0;
                        if (!ok)
                                fc_error(fc, true, "bad %s argument %s", kwname, arg);
                }
                break;
        case SSHD_ARG_REKEY_LIMIT: {
                long long v64;
                arg = args_next(&a);
                if (!arg || *arg == '\0') {
                        fc_error(fc, true, "%s missing argument.", kwname);
                        break;
                }
                if (strcmp(arg, "default") != 0) {
                        int r = scaled_parse(arg, &v64);
                        if (r < 0) {
                                fc_error(fc, true, "Bad %s number '%s': %s", kwname, arg, strerror(-r));
                                break;
                        }
                        if (v64 != 0 && v64 < 16) {
                                fc_error(fc, true, "%s too small", kwname);
                                break;
                        }
                }
                if (a.i < a.n) {
                        arg = args_next(&a);
                        if (strcmp(arg, "none") != 0) {
                                if (*arg == '\0')
                                        fc_error(fc, true, "missing time value.");
                                else if (convtime(arg) < 0)
                                        fc_error(fc, true, "invalid time value.");
                        }
                }
                break;
        }
        case SSHD_ARG_IPQOS:
                arg = args_next(&a);
                if (!arg || *arg == '\0') {
                        fc_error(fc, true, "%s missing argument.", kwname);
                        break;
                }
                if (!ipqos_valid(arg)) {
                        fc_error(fc, true, "Bad %s value: %s", kwname, arg);
                        break;
                }
                arg = args_next(&a);
                if (arg && !ipqos_valid(arg))
                        fc_error(fc, true, "Bad %s value: %s", kwname, arg);
                break;
        case SSHD_ARG_BIND_MASK: {
                char *end;
                long m;
                arg = args_next(&a);
                if (!arg || *arg == '\0') {
                        fc_error(fc, true, "%s missing argument.", kwname);
                        break;
                }
                m = strtol(arg, &end, 8);
                if (end == arg || m < 0 || m > 0777)
                        fc_error(fc, true, "Invalid %s.", kwname);
                break;
        }
        case SSHD_ARG_FINGERPRINT_HASH:
                arg = args_next(&a);
                if (!arg || *arg == '\0')
                        fc_error(fc, true, "%s missing argument.", kwname);
                else if (!strv_contains_case(digest_names, arg))
                        fc_error(fc, true, "Invalid %s algorithm \"%s\".", kwname, arg);
                break;
        case SSHD_ARG_RDOMAIN:
                fc_error(fc, true, "setting RDomain not supported on this platform.");
                break;
        case SSHD_ARG_CHANNEL_TIMEOUT:
                for (size_t i = 0; (arg = args_next(&a)); i++) {
                        if (strcasecmp(arg, "none") == 0) {
                                if (i > 0 || a.i < a.n) {
                                        fc_error(fc, false, "keyword %s \"none\" argument must appear alone.", kwname);
                                        return;
                                }
                        } else {
                                const char *eq = strchr(arg, '=');
                                if (!eq || eq == arg || convtime(eq + 1) < 0) {
                                        fc_error(fc, true, "invalid channel timeout %s", arg);
                                        break;
                                }
                        }
                }
                break;
        case SSHD_ARG_AUTH_METHODS: {
                bool any = false, parsed = false;
                while ((arg = args_next(&a))) {
                        if (strcmp(arg, "any") == 0) {
                                if (parsed) {
                                        fc_error(fc, true, "\"any\" must appear alone in %s", kwname);
                                        return;
                                }
                                any = true;
                        } else if (any) {
                                fc_error(fc, true, "\"any\" must appear alone in %s", kwname);
                                return;
                        } else if (!auth_method_list_valid(arg)) {
                                fc_error(fc, true, "invalid %s method list.", kwname);
                                return;
                        }
                        parsed = true;
                }
                if (!parsed)
                        fc_error(fc, true, "no %s specified", kwname);
                break;
        }
        case SSHD_ARG_PERMIT_OPEN:
        case SSHD_ARG_PERMIT_LISTEN:
                arg = args_next(&a);
                if (!arg || *arg == '\0') {
                        fc_error(fc, true, "%s missing argument.", kwname);
                        break;
                }
                if (strcmp(arg, "any") == 0 || strcmp(arg, "none") == 0)
                        break;
                for (; arg && *arg; arg = args_next(&a)) {
                        char *copy = strdup(arg), *port_str = NULL, *host;
                        bool bad_port;

                        if (!copy) {
                                fc->p->error = -ENOMEM;
                                fc->p->stop = true;
                                return;
                        }
                        if (kw->kind == SSHD_ARG_PERMIT_LISTEN && !strchr(arg, ':'))
                                port_str = copy;
                        else {
                                host = split_host_port(copy, &port_str);
                                if (!host) {
                                        free(copy);
                                        fc_error(fc, true, "%s missing host", kwname);
                                        return;
                                }
                        }
                        bad_port = !port_str || (strcmp(port_str, "*") != 0 && a2port(port_str) <= 0);
                        free(copy);
                        if (bad_port) {
                                fc_error(fc, true, "%s bad port number", kwname);
                                return;
                        }
                }
                break;
        case SSHD_ARG_IGNORED:
        case SSHD_ARG_DEPRECATED:
        case SSHD_ARG_UNSUPPORTED:
                if (kw->kind != SSHD_ARG_IGNORED)
                        p_warn(fc->p, fc->file, fc->lineno, "%s option %s",
                               kw->kind == SSHD_ARG_UNSUPPORTED ? "Unsupported" : "Deprecated", kwname);
                args_consume(&a);
                break;
        }

        if (fc->p->stop)
                return;
        if (a.i < a.n) {
                fc_error(fc, false, "keyword %s extra arguments at end of line", kwname);
                return;
        }
        directive_add(fc, kw);
}

/* --- Include ------------------------------------------------------------ */

/* Reads a file as sshd's load_server_config() does.  Deviations, each to
 * stay bounded where sshd would hang or exhaust memory: anything but a
 * regular file or a directory is refused (sshd would block on a FIFO and
 * read /dev/zero forever); a directory reads as empty, as fopen()+getline()
 * make it in sshd; files over SSHD_MAX_FILE_SIZE are refused. */
static int file_read(ParseCtx *p, const char *path, char **ret, size_t *ret_len, const char **why) {
        struct stat st;
        char *data = NULL;
        size_t len = 0;
        int fd, r = 0;

        *why = NULL;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0) {
                r = -errno;
                goto out;
        }
        if (S_ISDIR(st.st_mode)) {
                *why = "is a directory: sshd reads it as an empty file";
                goto done;
        }
        if (!S_ISREG(st.st_mode)) {
                *why = "not a regular file";
                r = -EBADFD;
                goto out;
        }
        if ((uint64_t) st.st_size > SSHD_MAX_FILE_SIZE) {
                r = -EFBIG;
                goto out;
        }
        if (p->total_bytes + (size_t) st.st_size > SSHD_MAX_TOTAL_BYTES) {
                r = -E2BIG;
                goto out;
        }
        data = malloc((size_t) st.st_size + 1);
        if (!data) {
                r = -ENOMEM;
                goto out;
        }
        /* Read up to the size fstat() gave (plus one byte to notice growth). */
        while (len < (size_t) st.st_size + 1) {
                ssize_t n = read(fd, data + len, (size_t) st.st_size + 1 - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        goto out;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        if (len > (size_t) st.st_size) {
                r = -EFBIG;     /* grew while we read it: not a file to trust */
                goto out;
        }
        p->total_bytes += len;
done:
        {
                unsigned nul_line;
                char *text;
                size_t tlen;

                r = sshd_text_load(data ? data : "", len, &text, &tlen, &nul_line);
                if (r < 0)
                        goto out;
                if (nul_line > 0)
                        p_warn(p, path, nul_line,
                               "NUL byte: sshd ignores the rest of this line and joins the next line to it");
                *ret = text;
                *ret_len = tlen;
        }
out:
        free(data);
        close(fd);
        return r;
}

static const char *file_error_message(int r) {
        switch (r) {
        case -EBADFD: return "not a regular file";
        case -EFBIG: return "file too large";
        case -E2BIG: return "too much configuration in total";
        default: return strerror(-r);
        }
}

static void include_parse_item(FileCtx *fc, const IncludeItem *item, bool was_active, int match) {
        ParseCtx *p = fc->p;
        char *copy;

        if (!item->filename)
                return;
        /* The cached text is parsed in place: give each reading its own copy. */
        copy = malloc(item->len + 1);
        if (!copy) {
                p->error = -ENOMEM;
                p->stop = true;
                return;
        }
        memcpy(copy, item->text, item->len + 1);
        parse_text(p, item->filename, copy, item->len, fc->never_match || !was_active, match, fc->depth + 1);
        free(copy);
        /* "Don't let included files clobber the containing file's Match state." */
        p->active = was_active;
        p->match = match;
}

static int include_cache_add(ParseCtx *p, const char *selector, const char *filename, char *text, size_t len) {
        IncludeItem *nv;
        char *s = strdup(selector), *f = filename ? strdup(filename) : NULL;

        nv = reallocarray(p->includes, p->n_includes + 1, sizeof(IncludeItem));
        if (!s || (filename && !f) || !nv) {
                free(s);
                free(f);
                free(text);
                if (nv)
                        p->includes = nv;
                p->error = -ENOMEM;
                p->stop = true;
                return -ENOMEM;
        }
        p->includes = nv;
        nv[p->n_includes++] = (IncludeItem) { .selector = s, .filename = f, .text = text, .len = len };
        return 0;
}

static void handle_include(FileCtx *fc, Args *a) {
        ParseCtx *p = fc->p;
        const char *base = p->opts && p->opts->include_base ? p->opts->include_base : SSHD_INCLUDE_BASE;
        const char *arg;
        unsigned n_args = 0;
        bool was_active = p->active;
        int match = p->match;

        /* The directive itself first, so that the model's reading order (and
         * its dump) has it before what it brings in. */
        directive_add(fc, sshd_keyword_by_id(SSHD_KW_INCLUDE));

        while (!p->stop && (arg = args_next(a))) {
                _cleanup_free_ char *pattern = NULL;
                bool found = false;
                glob_t g = {};
                int r;

                if (*arg == '\0') {
                        fc_error(fc, false, "keyword %s empty argument", fc->line.keyword);
                        return;
                }
                n_args++;
                if (arg[0] != '/' && arg[0] != '~') {
                        if (asprintf(&pattern, "%s/%s", base, arg) < 0) {
                                pattern = NULL;
                                p->error = -ENOMEM;
                                p->stop = true;
                                return;
                        }
                } else if (!(pattern = strdup(arg))) {
                        p->error = -ENOMEM;
                        p->stop = true;
                        return;
                }

                /* sshd remembers every pattern it expanded and re-reads the
                 * remembered files, not the file system, when the pattern
                 * comes again.  Entries are added only after their file was
                 * read, which is why a file that includes itself recurses
                 * until the depth limit. */
                for (size_t i = 0; i < p->n_includes && !p->stop; i++) {
                        if (strcmp(p->includes[i].selector, pattern) != 0)
                                continue;
                        include_parse_item(fc, &p->includes[i], was_active, match);
                        found = true;
                }
                if (found || p->stop)
                        continue;

                r = glob(pattern, 0, NULL, &g);
                if (r != 0) {
                        globfree(&g);
                        if (r != GLOB_NOMATCH) {
                                fc_error(fc, true, "include \"%s\" glob failed", pattern);
                                return;
                        }
                        include_cache_add(p, pattern, NULL, NULL, 0);
                        continue;
                }
                if (g.gl_pathc + p->c->n_files > SSHD_MAX_FILES) {
                        fc_error(fc, true, "include \"%s\" matches too many files (more than %u in all)",
                                 pattern, SSHD_MAX_FILES);
                        globfree(&g);
                        return;
                }
                for (size_t n = 0; n < g.gl_pathc && !p->stop; n++) {
                        const char *path = g.gl_pathv[n], *why;
                        char *text = NULL;
                        size_t len = 0;

                        r = file_read(p, path, &text, &len, &why);
                        if (r < 0) {
                                if (r == -ENOMEM) {
                                        p->error = r;
                                        p->stop = true;
                                        break;
                                }
                                /* sshd: perror(filename); exit(1) */
                                p_fatal(p, path, 0, "%s: %s", path, file_error_message(r));
                                break;
                        }
                        if (why)
                                p_warn(p, path, 0, "%s", why);
                        /* Parsed before it is cached, as sshd does: a file that
                         * includes itself recurses to the depth limit. */
                        {
                                IncludeItem item = { .filename = (char *) path, .text = text, .len = len };
                                include_parse_item(fc, &item, was_active, match);
                        }
                        if (include_cache_add(p, pattern, path, text, len) < 0)
                                break;
                }
                globfree(&g);
        }
        if (!p->stop && n_args == 0)
                fc_error(fc, true, "%s missing filename argument", fc->line.keyword);
}

/* --- Match --------------------------------------------------------------- */

/* The conditions under which a Match block applies, as a Match line that
 * says the same at the top level: a block opened in a file included from
 * inside another Match block applies only where that one does too (sshd
 * reads such a file "never-match" unless the outer block matched). */
static char **match_effective_criteria(const SshdConfig *c, int outer, char **own, bool own_all) {
        char **r = NULL;
        size_t n = 0;

        if (outer < 0 || c->matches[outer].all)
                return strv_copy(own);
        if (own_all)
                return strv_copy(c->matches[outer].criteria);
        for (char **i = c->matches[outer].criteria; *i; i++)
                if (strv_push_copy(&r, &n, *i) < 0)
                        return strv_free(r);
        for (char **i = own; *i; i++)
                if (strv_push_copy(&r, &n, *i) < 0)
                        return strv_free(r);
        return r;
}

static void handle_match(FileCtx *fc, Args *a) {
        ParseCtx *p = fc->p;
        SshdConfig *c = p->c;
        char *cp, *attrib, *arg, **own = NULL, **criteria;
        size_t n_own = 0;
        int attributes = 0, result = 1;
        bool own_all = false;
        SshdMatch *nv;

        /* match_cfg_line() re-reads the raw text with strdelim() -- '=' splits,
         * only double quotes quote -- so the criteria are kept as it reads
         * them, not as argv_split() would. */
        cp = fc->line.rest;
        while ((attrib = sshd_strdelim(&cp)) && *attrib != '\0') {
                if (*attrib == '#') {
                        cp = NULL;
                        break;
                }
                attributes++;
                if (strcasecmp(attrib, "all") == 0) {
                        if (attributes > 1 || ((arg = sshd_strdelim(&cp)) && *arg != '\0' && *arg != '#')) {
                                fc_error(fc, true, "Bad Match condition");
                                p_fatal(p, fc->file, fc->lineno, "'all' cannot be combined with other Match attributes");
                                goto out;
                        }
                        cp = NULL;
                        own_all = true;
                        if (strv_push_copy(&own, &n_own, attrib) < 0)
                                goto oom;
                        break;
                }
                if (!(arg = sshd_strdelim(&cp)) || *arg == '\0' || *arg == '#') {
                        fc_error(fc, true, "Bad Match condition");
                        p_fatal(p, fc->file, fc->lineno, "Missing Match criteria for %s", attrib);
                        goto out;
                }
                if (strcasecmp(attrib, "user") == 0 || strcasecmp(attrib, "group") == 0 ||
                    strcasecmp(attrib, "host") == 0 || strcasecmp(attrib, "rdomain") == 0)
                        result = 0;
                else if (strcasecmp(attrib, "address") == 0 || strcasecmp(attrib, "localaddress") == 0) {
                        if (!addr_list_valid(arg)) {
                                p_fatal(p, fc->file, fc->lineno, "Invalid Match %s argument '%s' at line %u",
                                        strcasecmp(attrib, "address") == 0 ? "address" : "localaddress",
                                        arg, fc->lineno);
                                goto out;
                        }
                        result = 0;
                } else if (strcasecmp(attrib, "localport") == 0) {
                        if (a2port(arg) == -1) {
                                fc_error(fc, true, "Bad Match condition");
                                p_fatal(p, fc->file, fc->lineno, "Invalid LocalPort '%s' on Match line", arg);
                                goto out;
                        }
                        result = 0;
                } else {
                        fc_error(fc, true, "Bad Match condition");
                        p_fatal(p, fc->file, fc->lineno, "Unsupported Match attribute %s", attrib);
                        goto out;
                }
                if (strv_push_copy(&own, &n_own, attrib) < 0 || strv_push_copy(&own, &n_own, arg) < 0)
                        goto oom;
        }
        if (attributes == 0) {
                fc_error(fc, true, "Bad Match condition");
                p_fatal(p, fc->file, fc->lineno, "One or more attributes required for Match");
                goto out;
        }

        /* Without a connection (sshd -T, or sshd reading its file at start)
         * every criterion but "all" evaluates false: the block is inactive,
         * which is why global-only keywords inside it are fatal. */
        p->active = fc->never_match ? false : result;
        args_consume(a);
        if (cp && *cp != '\0') {
                fc_error(fc, false, "keyword %s extra arguments at end of line", fc->line.keyword);
                goto out;
        }

        criteria = match_effective_criteria(c, fc->outer_match, own, own_all);
        nv = criteria ? reallocarray(c->matches, c->n_matches + 1, sizeof(SshdMatch)) : NULL;
        if (!nv) {
                strv_free(criteria);
                goto oom;
        }
        c->matches = nv;
        nv[c->n_matches] = (SshdMatch) {
                .criteria = criteria,
                .all = own_all && (fc->outer_match < 0 || c->matches[fc->outer_match].all),
                .origin = fc_origin(fc),
        };
        p->match = (int) c->n_matches++;
        /* the Match line belongs to the block it opens */
        directive_add(fc, sshd_keyword_by_id(SSHD_KW_MATCH));
        goto out;
oom:
        p->error = -ENOMEM;
        p->stop = true;
out:
        strv_free(own);
}

/* --- the inih bridge ------------------------------------------------------ */

/* Hands inih one directive at a time as "keyword=N": short, NUL-free,
 * comment-free, never indented, so nothing inih does to a line (its 200-byte
 * buffer, ';' comments, continuation lines, BOM) can change its meaning. */
static char *sshd_ini_reader(char *buf, int size, void *stream) {
        FileCtx *fc = stream;

        sshd_line_done(&fc->line);
        while (!fc->p->stop && !fc->done) {
                char *line = fc->text + fc->pos, *nl;
                int r;

                nl = memchr(line, '\n', fc->len - fc->pos);
                if (nl) {
                        *nl = '\0';
                        fc->pos = (size_t) (nl - fc->text) + 1;
                } else {
                        fc->pos = fc->len;
                        fc->done = true;        /* strsep() yields the last piece, even empty */
                }
                fc->lineno++;

                r = sshd_line_tokenize(line, &fc->line);
                if (r < 0) {
                        fc->p->error = r;
                        fc->p->stop = true;
                        return NULL;
                }
                if (fc->line.kind == SSHD_LINE_EMPTY)
                        continue;

                {
                        char name[65];
                        size_t k = 0;
                        const char *s = fc->line.keyword;

                        /* inih lowercases nothing: we pass the keyword in
                         * lowercase if it is plain, else a name no keyword has. */
                        for (; *s && k < sizeof(name) - 1; s++) {
                                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
                                        break;
                                name[k++] = (char) (*s | 0x20);
                        }
                        if (*s || k == 0)
                                strcpy(name, "-");
                        else
                                name[k] = '\0';
                        fc->seq++;
                        if (snprintf(buf, (size_t) size, "%s=%u\n", name, fc->seq) >= size) {
                                fc->p->error = -EOVERFLOW;
                                fc->p->stop = true;
                                return NULL;
                        }
                }
                return buf;
        }
        return NULL;
}

static int sshd_ini_handler(void *user, const char *section, const char *name, const char *value) {
        FileCtx *fc = user;
        const SshdKeyword *kw;
        SshdLine *l = &fc->line;

        if (fc->p->stop || strtoul(value, NULL, 10) != fc->seq)
                return 1;

        if (l->kind == SSHD_LINE_NO_ARGUMENT) {
                fc_error(fc, false, "no argument after keyword \"%s\"", l->keyword);
                return 1;
        }
        kw = sshd_keyword_lookup(name);
        if (!kw) {
                /* sshd's parse_token() prints "FILE: line N:" here */
                fc_bad_option(fc, l->keyword);
                if (l->kind == SSHD_LINE_BAD_QUOTES)
                        fc_error(fc, false, "invalid quotes");
                return 1;
        }
        if (l->kind == SSHD_LINE_BAD_QUOTES) {
                fc_error(fc, false, "invalid quotes");
                return 1;
        }
        if (!fc->p->active && !(kw->flags & SSHD_KWF_MATCH)) {
                fc_error(fc, true, "Directive '%s' is not allowed within a Match block", l->keyword);
                return 1;
        }
        directive_process(fc, kw);
        return 1;
}

static int parse_text(ParseCtx *p, const char *file, char *text, size_t len, bool never_match,
                      int outer_match, int depth) {
        FileCtx fc = {
                .p = p,
                .text = text,
                .len = len,
                .never_match = never_match,
                .outer_match = outer_match,
                .depth = depth,
        };

        if (depth > SSHD_MAX_INCLUDE_DEPTH) {
                p_fatal(p, NULL, 0, "Too many recursive configuration includes");
                return 0;
        }
        fc.file = intern_file(p, file);
        if (!fc.file)
                return p->error;

        /* inih's own return value counts lines it could not parse; ours are
         * always well-formed, and errors are sshd's, recorded by the handler. */
        (void) ini_parse_stream(sshd_ini_reader, &fc, sshd_ini_handler, &fc);
        sshd_line_done(&fc.line);

        if (!p->stop && fc.bad_options > 0) {
                /* sshd: "FILE: terminating, N bad configuration options" */
                p->stop = true;
        }
        return p->error;
}

/* --- effective values ------------------------------------------------------ */

bool sshd_directive_applies_always(const SshdConfig *c, const SshdDirective *d) {
        return d->match < 0 || c->matches[d->match].all;
}

static bool directive_sets(const SshdDirective *d, SshdKeywordId id) {
        return sshd_keyword_option(d->keyword->id) == sshd_keyword_option(id);
}

const SshdDirective *sshd_config_get(const SshdConfig *c, SshdKeywordId id) {
        const SshdKeyword *kw = sshd_keyword_by_id(id);

        if (!kw)
                return NULL;
        /* For each connection sshd reads the file again with only the
         * matching Match blocks active and lets what they set override the
         * global values (servconf.c parse_server_match_config(),
         * copy_set_server_options()).  "Match all" blocks match every
         * connection: their first value is the one that counts. */
        if (kw->flags & SSHD_KWF_MATCH)
                for (size_t i = 0; i < c->n_directives; i++) {
                        const SshdDirective *d = &c->directives[i];
                        if (d->match >= 0 && c->matches[d->match].all && directive_sets(d, id))
                                return d;
                }
        for (size_t i = 0; i < c->n_directives; i++)
                if (sshd_directive_applies_always(c, &c->directives[i]) && directive_sets(&c->directives[i], id))
                        return &c->directives[i];
        return NULL;
}

/* Keywords sshd stores every time it reads them: the last one counts. */
static const SshdDirective *config_get_last(const SshdConfig *c, SshdKeywordId id) {
        for (size_t i = c->n_directives; i > 0; i--)
                if (sshd_directive_applies_always(c, &c->directives[i - 1]) && directive_sets(&c->directives[i - 1], id))
                        return &c->directives[i - 1];
        return NULL;
}

static int flag_value(const SshdConfig *c, SshdKeywordId id, int def, SshdOrigin *origin) {
        const SshdDirective *d = sshd_config_get(c, id);

        if (!d)
                return def;
        *origin = d->origin;
        return strcasecmp(d->args[0], "yes") == 0;
}

/* The values sshd ends up with, each from the directive that decided it,
 * sshd's defaults (servconf.c fill_default_server_options()) for the rest. */
static void model_compute(SshdConfig *c) {
        const SshdDirective *d;
        int v4, v6, v;

        d = sshd_config_get(c, SSHD_KW_ADDRESS_FAMILY);
        if (d) {
                int idx = multistate_index(multistate_addressfamily, d->args[0]);
                c->address_family = idx == 0 ? SSHD_AF_INET : idx == 1 ? SSHD_AF_INET6 : SSHD_AF_ANY;
                c->address_family_origin = d->origin;
        }

        c->permit_root_login = SSHD_PERMIT_ROOT_PROHIBIT_PASSWORD;
        d = sshd_config_get(c, SSHD_KW_PERMIT_ROOT_LOGIN);
        if (d) {
                static const SshdPermitRootLogin map[] = {
                        SSHD_PERMIT_ROOT_PROHIBIT_PASSWORD, SSHD_PERMIT_ROOT_PROHIBIT_PASSWORD,
                        SSHD_PERMIT_ROOT_FORCED_COMMANDS_ONLY, SSHD_PERMIT_ROOT_YES, SSHD_PERMIT_ROOT_NO };
                c->permit_root_login = map[multistate_index(multistate_permitrootlogin, d->args[0])];
                c->permit_root_login_origin = d->origin;
        }
        c->password_authentication = flag_value(c, SSHD_KW_PASSWORD_AUTHENTICATION, 1,
                                                &c->password_authentication_origin);
        c->pubkey_authentication = flag_value(c, SSHD_KW_PUBKEY_AUTHENTICATION, 1,
                                              &c->pubkey_authentication_origin);
        c->kbd_interactive_authentication = flag_value(c, SSHD_KW_KBD_INTERACTIVE_AUTHENTICATION, 1,
                                                       &c->kbd_interactive_authentication_origin);
        c->use_pam = flag_value(c, SSHD_KW_USE_PAM, 0, &c->use_pam_origin);

        /* MaxStartups is stored unconditionally, and one number keeps the
         * rate of the previous line: replay them all. */
        c->max_startups = (SshdMaxStartups) { .begin = 10, .rate = 30, .full = 100 };
        for (size_t i = 0; i < c->n_directives; i++) {
                d = &c->directives[i];
                if (d->keyword->id == SSHD_KW_MAX_STARTUPS && max_startups_parse(d->args[0], &c->max_startups))
                        c->max_startups.origin = d->origin;
        }

        c->per_source_max_startups = -1;
        d = config_get_last(c, SSHD_KW_PER_SOURCE_MAX_STARTUPS);
        if (d) {
                c->per_source_max_startups = strcmp(d->args[0], "none") == 0 ? -1 :
                                             atoi_err(d->args[0], &v) ? -1 : v;
                c->per_source_max_startups_origin = d->origin;
        }
        c->per_source_netblock_v4 = 32;
        c->per_source_netblock_v6 = 128;
        d = config_get_last(c, SSHD_KW_PER_SOURCE_NET_BLOCK_SIZE);
        if (d && netblock_parse(d->args[0], &v4, &v6)) {
                c->per_source_netblock_v4 = v4;
                c->per_source_netblock_v6 = v6;
                c->per_source_netblock_origin = d->origin;
        }
}

/* The first value sshd takes when it starts: the first line, global or in
 * a "Match all" block, in reading order. */
static const SshdDirective *config_get_at_start(const SshdConfig *c, SshdKeywordId id) {
        for (size_t i = 0; i < c->n_directives; i++)
                if (sshd_directive_applies_always(c, &c->directives[i]) && directive_sets(&c->directives[i], id))
                        return &c->directives[i];
        return NULL;
}

/* servconf.c assemble_algorithms(), in its order and with its names for
 * the lists. */
static const struct {
        SshdKeywordId id;
        const char *name;
        const char *const *all;
} assembled_lists[] = {
        { SSHD_KW_CIPHERS, "ciphers", cipher_names },
        { SSHD_KW_MACS, "macs", mac_names },
        { SSHD_KW_KEX_ALGORITHMS, "kex_algorithms", kex_names },
        { SSHD_KW_HOST_KEY_ALGORITHMS, "hostkeyalgorithms", key_type_names },
        { SSHD_KW_HOSTBASED_ACCEPTED_ALGORITHMS, "hostbased_accepted_algos", key_type_names },
        { SSHD_KW_PUBKEY_ACCEPTED_ALGORITHMS, "pubkey_accepted_algos", key_type_names },
        { SSHD_KW_CA_SIGNATURE_ALGORITHMS, "ca_sign_algorithms", signature_names },
};

/* Once the file is read (after the listen addresses are resolved), sshd
 * expands each algorithm list and exits if one comes out empty or holds a
 * negation: first for the values it starts with, then (sshd -T, and every
 * connection) again after a "Match all" block's values replaced them. */
static void algorithms_assemble_check(ParseCtx *p) {
        for (int pass = 0; pass < 2 && !p->stop; pass++)
                for (size_t i = 0; i < ELEMENTSOF(assembled_lists) && !p->stop; i++) {
                        const SshdDirective *d = pass == 0 ? config_get_at_start(p->c, assembled_lists[i].id) :
                                                             sshd_config_get(p->c, assembled_lists[i].id);

                        if (d && !algorithm_spec_assembles(d->args[0], assembled_lists[i].all))
                                p_fatal(p, d->origin.file, d->origin.line, "assemble_algorithms: %s: invalid argument",
                                        assembled_lists[i].name);
                }
}

/* --- listen endpoints ---------------------------------------------------- */

static int listen_add(ParseCtx *p, const char *host, uint16_t port, const char *rdomain, SshdOrigin origin) {
        SshdConfig *c = p->c;
        struct addrinfo hints = {
                .ai_socktype = SOCK_STREAM,
                .ai_flags = host ? 0 : AI_PASSIVE,
        }, *res = NULL;
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
                p_warn(p, origin.file, origin.line, "cannot resolve %s now (%s): its endpoint is not known", host,
                       r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
                return 0;
        }
        if (r != 0) {
                p_fatal(p, origin.file, origin.line, "bad addr or host: %s (%s)", host ? host : "<NULL>",
                        r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
                return 0;
        }
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
                SshdListen *nv;
                char *rd = NULL;

                if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
                        continue;
                nv = reallocarray(c->listen, c->n_listen + 1, sizeof(SshdListen));
                if (!nv || (rdomain && !(rd = strdup(rdomain)))) {
                        if (nv)
                                c->listen = nv;
                        freeaddrinfo(res);
                        return -ENOMEM;
                }
                c->listen = nv;
                nv[c->n_listen] = (SshdListen) {
                        .family = ai->ai_family,
                        .port = port,
                        .rdomain = rd,
                        .origin = origin,
                };
                if (getnameinfo(ai->ai_addr, ai->ai_addrlen, nv[c->n_listen].address,
                                sizeof(nv[c->n_listen].address), NULL, 0, NI_NUMERICHOST) != 0)
                        strcpy(nv[c->n_listen].address, "?");
                c->n_listen++;
        }
        freeaddrinfo(res);
        return 0;
}

/* process_queued_listen_addrs(): every ListenAddress against every Port
 * (or its own), else the wildcard on every Port. */
static int listen_resolve(ParseCtx *p) {
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

/* --- public API ------------------------------------------------------------ */

SshdConfig *sshd_config_free(SshdConfig *c) {
        if (!c)
                return NULL;
        free(c->path);
        strv_free(c->files);
        for (size_t i = 0; i < c->n_directives; i++)
                strv_free(c->directives[i].args);
        free(c->directives);
        for (size_t i = 0; i < c->n_matches; i++)
                strv_free(c->matches[i].criteria);
        free(c->matches);
        free(c->ports);
        for (size_t i = 0; i < c->n_listen_specs; i++) {
                free(c->listen_specs[i].host);
                free(c->listen_specs[i].rdomain);
        }
        free(c->listen_specs);
        for (size_t i = 0; i < c->n_listen; i++)
                free(c->listen[i].rdomain);
        free(c->listen);
        for (size_t i = 0; i < c->n_errors; i++) {
                free(c->errors[i].file);
                free(c->errors[i].message);
        }
        free(c->errors);
        for (size_t i = 0; i < c->n_warnings; i++) {
                free(c->warnings[i].file);
                free(c->warnings[i].message);
        }
        free(c->warnings);
        free(c);
        return NULL;
}

static void parse_ctx_done(ParseCtx *p) {
        for (size_t i = 0; i < p->n_includes; i++) {
                free(p->includes[i].selector);
                free(p->includes[i].filename);
                free(p->includes[i].text);
        }
        free(p->includes);
        free(p->file_index);
}

int sshd_config_load(const char *path, const SshdConfigOptions *opts, SshdConfig **ret) {
        SshdConfig *c;
        ParseCtx p = { .opts = opts, .active = true, .match = -1 };
        char *text = NULL;
        size_t len = 0;
        const char *why;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->path = strdup(path);
        if (!c->path) {
                free(c);
                return -ENOMEM;
        }
        p.c = c;

        r = file_read(&p, path, &text, &len, &why);
        if (r == -ENOMEM)
                goto fail;
        if (r < 0)
                /* sshd: perror(filename) */
                p_fatal(&p, path, 0, "%s: %s", path, file_error_message(r));
        else {
                if (why)
                        p_warn(&p, path, 0, "%s", why);
                r = parse_text(&p, path, text, len, false, -1, 0);
                free(text);
                if (r < 0)
                        goto fail;
        }
        model_compute(c);
        if (!p.stop) {
                r = listen_resolve(&p);
                if (r < 0)
                        goto fail;
        }
        if (!p.stop)
                algorithms_assemble_check(&p);
        if (p.error < 0) {
                r = p.error;
                goto fail;
        }

        c->valid = c->n_errors == 0;
        if (!c->valid) {
                /* What sshd would not start with has no endpoints. */
                for (size_t i = 0; i < c->n_listen; i++)
                        free(c->listen[i].rdomain);
                free(c->listen);
                c->listen = NULL;
                c->n_listen = 0;
        }

        parse_ctx_done(&p);
        *ret = c;
        return 0;
fail:
        parse_ctx_done(&p);
        sshd_config_free(c);
        return r < 0 ? r : -ENOMEM;
}

const char *sshd_address_family_to_string(SshdAddressFamily af) {
        switch (af) {
        case SSHD_AF_INET: return "inet";
        case SSHD_AF_INET6: return "inet6";
        default: return "any";
        }
}

const char *sshd_permit_root_login_to_string(SshdPermitRootLogin p) {
        switch (p) {
        case SSHD_PERMIT_ROOT_NO: return "no";
        case SSHD_PERMIT_ROOT_FORCED_COMMANDS_ONLY: return "forced-commands-only";
        case SSHD_PERMIT_ROOT_PROHIBIT_PASSWORD: return "prohibit-password";
        case SSHD_PERMIT_ROOT_YES: return "yes";
        default: return NULL;
        }
}

/* --- output ----------------------------------------------------------------- */

/* Quotes an argument so that sshd's argv_split() gives it back unchanged. */
static void dump_arg(FILE *f, const char *s) {
        bool plain = *s != '\0' && *s != '#';

        for (const char *i = s; *i && plain; i++)
                if (strchr(" \t\"'\\=", *i))
                        plain = false;
        if (plain) {
                fputs(s, f);
                return;
        }
        fputc('"', f);
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        fputc('\\', f);
                fputc(*s, f);
        }
        fputc('"', f);
}

static void dump_directive(FILE *f, const SshdDirective *d) {
        if (d->match >= 0)
                fputc('\t', f);
        fputs(d->keyword->name, f);
        if (d->keyword->kind == SSHD_ARG_REST || d->keyword->kind == SSHD_ARG_COMMAND) {
                /* The text as sshd keeps it.  After "Keyword " sshd would
                 * skip one '=' the text starts with; after "Keyword=" it
                 * skips none. */
                fputc(d->args[0][0] == '=' ? '=' : ' ', f);
                fputs(d->args[0], f);
        } else if (d->n_args == 0)
                /* Every argument was a comment.  sshd accepts that for list
                 * keywords and it is not always a no-op (PubkeyAuthOptions
                 * then counts as set to none), so the line stays, as a
                 * keyword with only a comment after it; a bare keyword
                 * would be "no argument after keyword". */
                fputs(" #", f);
        for (size_t j = 0; j < d->n_args && d->keyword->kind != SSHD_ARG_REST &&
                           d->keyword->kind != SSHD_ARG_COMMAND; j++) {
                fputc(' ', f);
                dump_arg(f, d->args[j]);
        }
        fputc('\n', f);
}

/* The global directives first, then every Match block's, each in reading
 * order.  That keeps what sshd compares: the order of global values among
 * themselves (first value wins), and the order of Match blocks among
 * themselves (the first matching value wins per connection).  Include
 * lines are expanded; a block is reopened where the reading order comes
 * back to it.  The one order it cannot keep, and that no flat file can: a
 * global-only keyword set both in a "Match all" block and, later, at the
 * top level after an Include returned from a Match block. */
/* Match criteria are read with strdelim(): double quotes only, no escapes
 * (a criterion cannot contain '"'). */
static void dump_match_arg(FILE *f, const char *s) {
        if (*s != '\0' && !strpbrk(s, " \t\r\n=\"#"))
                fputs(s, f);
        else
                fprintf(f, "\"%s\"", s);
}

int sshd_config_dump(const SshdConfig *c, FILE *f) {
        int context = -1;

        for (size_t i = 0; i < c->n_directives; i++) {
                const SshdDirective *d = &c->directives[i];
                if (d->match < 0 && d->keyword->id != SSHD_KW_INCLUDE)
                        dump_directive(f, d);
        }
        for (size_t i = 0; i < c->n_directives; i++) {
                const SshdDirective *d = &c->directives[i];

                if (d->match < 0 || d->keyword->id == SSHD_KW_INCLUDE || d->keyword->id == SSHD_KW_MATCH)
                        continue;
                if (d->match != context) {
                        fputs("Match", f);
                        for (char **a = c->matches[d->match].criteria; *a; a++) {
                                fputc(' ', f);
                                dump_match_arg(f, *a);
                        }
                        fputc('\n', f);
                        context = d->match;
                }
                dump_directive(f, d);
        }
        return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

static void json_origin(JsonWriter *w, SshdOrigin o) {
        json_key(w, "file");
        json_string(w, o.file);
        json_key(w, "line");
        if (o.file)
                json_uint(w, o.line);
        else
                json_null(w);
}

static void json_diags(JsonWriter *w, const char *key, const SshdDiag *d, size_t n) {
        json_key(w, key);
        json_array_begin(w);
        for (size_t i = 0; i < n; i++) {
                json_object_begin(w);
                json_key(w, "file");
                json_string(w, d[i].file);
                json_key(w, "line");
                if (d[i].file && d[i].line > 0)
                        json_uint(w, d[i].line);
                else
                        json_null(w);
                json_key(w, "message");
                json_string(w, d[i].message);
                json_object_end(w);
        }
        json_array_end(w);
}

static void json_setting_str(JsonWriter *w, const char *key, const char *value, SshdOrigin o) {
        json_key(w, key);
        json_object_begin(w);
        json_key(w, "value");
        json_string(w, value);
        json_origin(w, o);
        json_object_end(w);
}

static void json_setting_bool(JsonWriter *w, const char *key, int value, SshdOrigin o) {
        json_key(w, key);
        json_object_begin(w);
        json_key(w, "value");
        json_bool(w, value > 0);
        json_origin(w, o);
        json_object_end(w);
}

static void json_strv(JsonWriter *w, char **l) {
        json_array_begin(w);
        for (; l && *l; l++)
                json_string(w, *l);
        json_array_end(w);
}

/* The patterns of AllowUsers/DenyUsers/... that apply to a connection no
 * conditional Match block applies to: they add up over every line, and
 * lines in "Match all" blocks replace the global ones (as
 * copy_set_server_options() replaces the whole list). */
static void json_access_list(JsonWriter *w, const SshdConfig *c, const char *key, SshdKeywordId id) {
        bool from_match_all = false;

        /* A line whose arguments were all a comment adds nothing, and
         * replaces nothing either (M_CP_STRARRAYOPT copies only a list
         * that is not empty). */
        for (size_t i = 0; i < c->n_directives && !from_match_all; i++)
                from_match_all = c->directives[i].keyword->id == id && c->directives[i].match >= 0 &&
                                 c->matches[c->directives[i].match].all && c->directives[i].n_args > 0;
        json_key(w, key);
        json_array_begin(w);
        for (size_t i = 0; i < c->n_directives; i++) {
                const SshdDirective *d = &c->directives[i];
                if (d->keyword->id != id)
                        continue;
                if (from_match_all ? !(d->match >= 0 && c->matches[d->match].all) : d->match >= 0)
                        continue;
                for (size_t j = 0; j < d->n_args; j++) {
                        json_object_begin(w);
                        json_key(w, "pattern");
                        json_string(w, d->args[j]);
                        json_origin(w, d->origin);
                        json_object_end(w);
                }
        }
        json_array_end(w);
}

int sshd_config_write_json(const SshdConfig *c, FILE *f) {
        JsonWriter w;

        json_init(&w, f, false);
        json_object_begin(&w);
        json_key(&w, "path");
        json_string(&w, c->path);
        json_key(&w, "valid");
        json_bool(&w, c->valid);

        json_key(&w, "listen");
        json_array_begin(&w);
        for (size_t i = 0; i < c->n_listen; i++) {
                const SshdListen *l = &c->listen[i];
                json_object_begin(&w);
                json_key(&w, "address");
                json_string(&w, l->address);
                json_key(&w, "port");
                json_uint(&w, l->port);
                json_key(&w, "family");
                json_string(&w, l->family == AF_INET6 ? "ipv6" : "ipv4");
                json_origin(&w, l->origin);
                json_object_end(&w);
        }
        json_array_end(&w);

        json_diags(&w, "errors", c->errors, c->n_errors);
        json_diags(&w, "warnings", c->warnings, c->n_warnings);

        json_key(&w, "ports");
        json_array_begin(&w);
        for (size_t i = 0; i < c->n_ports; i++) {
                json_object_begin(&w);
                json_key(&w, "port");
                json_uint(&w, c->ports[i].port);
                json_origin(&w, c->ports[i].origin);
                json_object_end(&w);
        }
        json_array_end(&w);

        json_key(&w, "listen_addresses");
        json_array_begin(&w);
        for (size_t i = 0; i < c->n_listen_specs; i++) {
                const SshdListenSpec *s = &c->listen_specs[i];
                json_object_begin(&w);
                json_key(&w, "host");
                json_string(&w, s->host);
                json_key(&w, "port");
                if (s->port)
                        json_uint(&w, s->port);
                else
                        json_null(&w);
                json_origin(&w, s->origin);
                json_object_end(&w);
        }
        json_array_end(&w);

        json_setting_str(&w, "address_family", sshd_address_family_to_string(c->address_family),
                         c->address_family_origin);
        json_key(&w, "max_startups");
        json_object_begin(&w);
        json_key(&w, "begin");
        json_int(&w, c->max_startups.begin);
        json_key(&w, "rate");
        json_int(&w, c->max_startups.rate);
        json_key(&w, "full");
        json_int(&w, c->max_startups.full);
        json_origin(&w, c->max_startups.origin);
        json_object_end(&w);
        json_key(&w, "per_source_max_startups");
        json_object_begin(&w);
        json_key(&w, "value");
        if (c->per_source_max_startups < 0)
                json_null(&w);
        else
                json_int(&w, c->per_source_max_startups);
        json_origin(&w, c->per_source_max_startups_origin);
        json_object_end(&w);
        json_key(&w, "per_source_netblock_size");
        json_object_begin(&w);
        json_key(&w, "ipv4");
        json_int(&w, c->per_source_netblock_v4);
        json_key(&w, "ipv6");
        json_int(&w, c->per_source_netblock_v6);
        json_origin(&w, c->per_source_netblock_origin);
        json_object_end(&w);
        json_setting_str(&w, "permit_root_login", sshd_permit_root_login_to_string(c->permit_root_login),
                         c->permit_root_login_origin);
        json_setting_bool(&w, "password_authentication", c->password_authentication,
                          c->password_authentication_origin);
        json_setting_bool(&w, "pubkey_authentication", c->pubkey_authentication,
                          c->pubkey_authentication_origin);
        json_setting_bool(&w, "kbd_interactive_authentication", c->kbd_interactive_authentication,
                          c->kbd_interactive_authentication_origin);
        json_setting_bool(&w, "use_pam", c->use_pam, c->use_pam_origin);
        json_access_list(&w, c, "allow_users", SSHD_KW_ALLOW_USERS);
        json_access_list(&w, c, "deny_users", SSHD_KW_DENY_USERS);
        json_access_list(&w, c, "allow_groups", SSHD_KW_ALLOW_GROUPS);
        json_access_list(&w, c, "deny_groups", SSHD_KW_DENY_GROUPS);
        json_key(&w, "host_keys");
        json_array_begin(&w);
        for (size_t i = 0; i < c->n_directives; i++) {
                const SshdDirective *d = &c->directives[i];
                if (sshd_keyword_option(d->keyword->id) != SSHD_KW_HOST_KEY || !sshd_directive_applies_always(c, d))
                        continue;
                json_object_begin(&w);
                json_key(&w, "path");
                json_string(&w, d->args[0]);
                json_origin(&w, d->origin);
                json_object_end(&w);
        }
        json_array_end(&w);

        json_key(&w, "matches");
        json_array_begin(&w);
        for (size_t i = 0; i < c->n_matches; i++) {
                json_object_begin(&w);
                json_key(&w, "criteria");
                json_strv(&w, c->matches[i].criteria);
                json_key(&w, "all");
                json_bool(&w, c->matches[i].all);
                json_origin(&w, c->matches[i].origin);
                json_object_end(&w);
        }
        json_array_end(&w);

        json_key(&w, "directives");
        json_array_begin(&w);
        for (size_t i = 0; i < c->n_directives; i++) {
                const SshdDirective *d = &c->directives[i];
                json_object_begin(&w);
                json_key(&w, "keyword");
                json_string(&w, d->keyword->name);
                json_key(&w, "args");
                json_strv(&w, d->args);
                json_key(&w, "match");
                if (d->match < 0)
                        json_null(&w);
                else
                        json_int(&w, d->match);
                json_origin(&w, d->origin);
                json_object_end(&w);
        }
        json_array_end(&w);

        json_key(&w, "files");
        json_strv(&w, c->files);
        json_object_end(&w);
        return json_finish(&w);
}

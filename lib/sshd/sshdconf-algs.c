/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Algorithm lists (Ciphers, MACs, KexAlgorithms, the key and signature
 * algorithm lists, Debian's GSSAPIKexAlgorithms): the names sshd knows,
 * the checks it makes while reading, and the lists it assembles after.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "sshdconf-internal.h"

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

bool ciphers_spec_valid(const char *spec) {
        return algorithm_spec_valid(spec, cipher_names, NULL, false);
}

bool macs_spec_valid(const char *spec) {
        return algorithm_spec_valid(spec, mac_names, NULL, false);
}

bool kex_spec_valid(const char *spec) {
        return algorithm_spec_valid(spec, kex_names, gss_kex_prefixes, false);
}

/* No +, - or ^ here: they are read as part of the first name. */
bool gss_kex_list_valid(const char *list) {
        return algorithm_list_valid(list, NULL, gss_kex_prefixes, false);
}

bool key_types_spec_valid(const char *spec) {
        return algorithm_spec_valid(spec, key_type_names, NULL, true);
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
void algorithms_assemble_check(ParseCtx *p) {
        for (int pass = 0; pass < 2 && !p->stop; pass++)
                for (size_t i = 0; i < ELEMENTSOF(assembled_lists) && !p->stop; i++) {
                        const SshdDirective *d = pass == 0 ? config_get_at_start(p->c, assembled_lists[i].id) :
                                                             sshd_config_get(p->c, assembled_lists[i].id);

                        if (d && !algorithm_spec_assembles(d->args[0], assembled_lists[i].all))
                                config_fatal(p, d->origin.file, d->origin.line, "assemble_algorithms: %s: invalid argument",
                                        assembled_lists[i].name);
                }
}

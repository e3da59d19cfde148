/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <strings.h>

#include "sshdconf-keywords.h"

static const SshdKeyword keywords[] = {
#define SSHD_KEYWORD_ENTRY(id, name, flags, kind) { SSHD_KW_##id, name, flags, kind },
        SSHD_KEYWORDS(SSHD_KEYWORD_ENTRY)
#undef SSHD_KEYWORD_ENTRY
};

_Static_assert(sizeof(keywords) / sizeof(keywords[0]) == _SSHD_KW_MAX, "one entry per id");

static int keyword_compare(const void *key, const void *member) {
        return strcasecmp(key, ((const SshdKeyword *) member)->name);
}

const SshdKeyword *sshd_keyword_lookup(const char *name) {
        /* The table is sorted case-insensitively by name (checked by the
         * unit tests), so a binary search finds any spelling. */
        return bsearch(name, keywords, _SSHD_KW_MAX, sizeof(keywords[0]), keyword_compare);
}

const SshdKeyword *sshd_keyword_by_id(SshdKeywordId id) {
        if ((unsigned) id >= _SSHD_KW_MAX)
                return NULL;
        return &keywords[id];
}

SshdKeywordId sshd_keyword_option(SshdKeywordId id) {
        switch (id) {
        case SSHD_KW_DSA_AUTHENTICATION:
                return SSHD_KW_PUBKEY_AUTHENTICATION;
        case SSHD_KW_CHALLENGE_RESPONSE_AUTHENTICATION:
        case SSHD_KW_SKEY_AUTHENTICATION:
                return SSHD_KW_KBD_INTERACTIVE_AUTHENTICATION;
        case SSHD_KW_HOST_DSA_KEY:
                return SSHD_KW_HOST_KEY;
        case SSHD_KW_HOSTBASED_ACCEPTED_KEY_TYPES:
                return SSHD_KW_HOSTBASED_ACCEPTED_ALGORITHMS;
        case SSHD_KW_PUBKEY_ACCEPTED_KEY_TYPES:
                return SSHD_KW_PUBKEY_ACCEPTED_ALGORITHMS;
        case SSHD_KW_KEEP_ALIVE:
                return SSHD_KW_TCP_KEEP_ALIVE;
        case SSHD_KW_GSSAPI_CLEANUP_CREDS:
                return SSHD_KW_GSSAPI_CLEANUP_CREDENTIALS;
        default:
                return id;
        }
}

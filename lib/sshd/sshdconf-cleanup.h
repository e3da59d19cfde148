/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* getaddrinfo()'s cleanup for _cleanup_() locals in lib/sshd/ (the
 * others are in lib/macro.h and lib/strv.h). */

#include <netdb.h>

#include "macro.h"
#include "strv.h"

static inline void freeaddrinfop(struct addrinfo **ai) {
        if (*ai)
                freeaddrinfo(*ai);
}

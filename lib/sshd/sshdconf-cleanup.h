/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Cleanup functions for _cleanup_() locals in lib/sshd/ that lib/macro.h
 * and lib/strv.h do not have (yet): they belong there. */

#include <netdb.h>
#include <unistd.h>

#include "macro.h"
#include "strv.h"

static inline void strv_freep(char ***l) {
        strv_free(*l);
}

static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}

static inline void freeaddrinfop(struct addrinfo **ai) {
        if (*ai)
                freeaddrinfo(*ai);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* NULL-terminated string vectors. */
char **strv_free(char **l);
static inline void strv_freep(char ***l) {
        strv_free(*l);
}
size_t strv_length(char * const *l);
/* Whether S is one of L's strings (L may be NULL). */
bool strv_contains(char * const *l, const char *s);
/* Appends a copy of S; returns 0 or -ENOMEM (the vector is unchanged then). */
int strv_push_copy(char ***l, size_t *n, const char *s);
char **strv_copy(char * const *l);
/* Joins with SEP; NULL on ENOMEM. */
char *strv_join(char * const *l, const char *sep);

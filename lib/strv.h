/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

/* NULL-terminated string vectors. */
char **strv_free(char **l);
size_t strv_length(char * const *l);
/* Appends a copy of S; returns 0 or -ENOMEM (the vector is unchanged then). */
int strv_push_copy(char ***l, size_t *n, const char *s);
char **strv_copy(char * const *l);
/* Joins with SEP; NULL on ENOMEM. */
char *strv_join(char * const *l, const char *sep);

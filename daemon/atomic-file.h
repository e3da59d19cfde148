/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdio.h>
#include <sys/types.h>

/* PATH written whole or not at all: WRITE fills a temporary file beside
 * it (PATH.XXXXXX: never a name node_exporter or the daemon reads), which
 * is synced and renamed over PATH.  WRITE returns 0 or a negative errno.
 * Returns 0 or a negative errno; the temporary file is gone either way.
 * The first time a process writes PATH, temporary files of PATH an earlier
 * one left behind (killed in between) are removed. */
int write_file_atomic(const char *path, mode_t mode, int (*write)(FILE *f, const void *data), const void *data);

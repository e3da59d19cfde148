/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>

/* Logging of the daemon's own troubles: stderr, which systemd puts in the
 * journal with the <N> priority prefix.  Returns -|ERROR| (0 stays 0). */
int log_errno(int level, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* CLOCK_MONOTONIC in microseconds. */
uint64_t now_usec(void);

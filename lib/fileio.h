/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

/* FD's whole text, read from its start with pread(): the offset it shares
 * with every copy of the descriptor (systemd's file descriptor store's
 * included) stays put, and a seq_file of /proc starts over at offset 0, so
 * each call sees the kernel's state as it is now.  *RET is malloc()ed and
 * NUL-terminated, *RET_LEN (may be NULL) its length; -EFBIG when there is
 * more than MAX bytes. */
int read_fd_whole(int fd, size_t max, char **ret, size_t *ret_len);

/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What every harness under tests/fuzz shares.  A harness is one
 * LLVMFuzzerTestOneInput() calling public entry points of lib/; built with
 * -Dfuzzing=true it is linked with libFuzzer, otherwise with replay.c, which
 * runs it over the files it is given (the fuzz-replay-* unit tests).
 *
 * A harness fails by abort()ing (fuzz_fail()): libFuzzer saves the input, the
 * replay driver dies with the message and the input's name on stderr.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Property violated: prints the message and aborts. */
_Noreturn void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether SG_FUZZ_STRICT is set (not "0"): harnesses then also fail on
 * the known divergences they otherwise tolerate so that fuzzing can go on
 * past them (each is named where it is tolerated, with its reproducer
 * under regressions/, whose tests run strict). */
bool fuzz_strict(void);

/* The input in a buffer of its own, malloc()ed to exactly SIZE bytes (one
 * for an empty input), so that AddressSanitizer sees any read past it, and
 * aligned as a recv() buffer is.  Never NULL (aborts on ENOMEM). */
void *fuzz_memdup(const void *data, size_t size);

/* A private directory made for this process (under $TMPDIR, else /tmp),
 * removed with everything in it at exit. */
const char *fuzz_tmpdir(void);

/* Writes LEN bytes to DIR/NAME (created or truncated), and returns the
 * path (malloc()ed; aborts when it cannot). */
char *fuzz_write_file(const char *dir, const char *name, const void *data, size_t len);

/* A stream that discards what is written to it (renderers' output). */
FILE *fuzz_null_stream(void);

/* Whether an sshd_config text may be given to sshd_config_load() in a
 * harness: every line that names the Include keyword (after removing the
 * quoting sshd understands) has neither '/' nor '~', so that Include globs
 * can only name files of the harness's own directory, never walk the file
 * system (which is slow and depends on the machine). */
bool fuzz_sshd_config_includes_are_local(const uint8_t *data, size_t size);

/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * sshd_config_load() over several files: the input is cut at each form
 * feed byte (\f, which sshd_config never needs) into at most
 * FUZZ_MAX_FILES parts, part I written to fI.conf in a private directory,
 * and each part but the last followed by a line "Include fI+1.conf" --
 * inside whatever Match block the part left open.  Parts may Include each
 * other themselves too (relative patterns only: inputs whose Include lines
 * could reach outside the directory are skipped).  Then the model's
 * contracts (sshdconf-check.h).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "sshdconf-check.h"

#define FUZZ_MAX_FILES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *dir = fuzz_tmpdir();
        size_t start = 0;
        char *top = NULL;

        if (!fuzz_sshd_config_includes_are_local(data, size))
                return 0;

        /* no file of an earlier input may stay behind for a glob to find */
        for (unsigned i = 0; i < FUZZ_MAX_FILES; i++) {
                char path[512];
                snprintf(path, sizeof(path), "%s/f%u.conf", dir, i);
                (void) unlink(path);
        }

        for (unsigned i = 0; i < FUZZ_MAX_FILES; i++) {
                const uint8_t *sep = i + 1 < FUZZ_MAX_FILES ? memchr(data + start, '\f', size - start) : NULL;
                size_t end = sep ? (size_t) (sep - data) : size, len = end - start;
                char name[32], *text, *path;

                snprintf(name, sizeof(name), "f%u.conf", i);
                text = malloc(len + 32);
                if (!text)
                        abort();
                memcpy(text, data + start, len);
                if (sep)
                        len += (size_t) sprintf(text + len, "\nInclude f%u.conf\n", i + 1);
                path = fuzz_write_file(dir, name, text, len);
                free(text);
                if (i == 0)
                        top = path;
                else
                        free(path);
                if (!sep)
                        break;
                start = end + 1;
        }
        fuzz_sshd_config_check(top, dir);
        free(top);
        return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * sshd_config_load() on one file (the input, as it is), then the model's
 * contracts (sshdconf-check.h): dump and re-parse, JSON.  sshdconf.h has
 * no buffer entry point, so the input is written to a file in a private
 * directory, which is also where relative Include patterns point; inputs
 * whose Include lines could reach outside it are skipped.
 */

#include "fuzz.h"
#include "sshdconf-check.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *dir = fuzz_tmpdir();
        char *path;

        if (!fuzz_sshd_config_includes_are_local(data, size))
                return 0;
        path = fuzz_write_file(dir, "sshd_config", data, size);
        fuzz_sshd_config_check(path, dir);
        free(path);
        return 0;
}

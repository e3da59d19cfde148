/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * sg_config_load() of sshguardian.conf over the defaults, then its
 * contract with sg_config_dump(): what was loaded dumps without error, and
 * the dump loads, without a single error, to the same values.  sgconf.h
 * has no buffer entry point: the input is written to a file of a private
 * directory.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sgconf.h"

static bool strv_equal(char **a, size_t na, char **b, size_t nb) {
        if (na != nb)
                return false;
        for (size_t i = 0; i < na; i++)
                if (strcmp(a[i], b[i]) != 0)
                        return false;
        return true;
}

static void assert_same(const SgConfig *a, const SgConfig *b, const char *dump) {
        const char *what = NULL;

        if (!strv_equal(a->units, a->n_units, b->units, b->n_units))
                what = "Units";
        else if (a->n_ports != b->n_ports ||
                 (a->n_ports && memcmp(a->ports, b->ports, a->n_ports * sizeof(a->ports[0])) != 0))
                what = "Ports";
        else if (strcmp(a->config_file, b->config_file) != 0)
                what = "ConfigFile";
        else if (a->rate_limit_interval_usec != b->rate_limit_interval_usec)
                what = "RateLimitIntervalSec";
        else if (a->rate_limit_burst != b->rate_limit_burst)
                what = "RateLimitBurst";
        else if (a->ignore_source_bans != b->ignore_source_bans)
                what = "IgnoreSourceBans";
        if (what)
                fuzz_fail("%s differs after dump and load; the dump:\n%s", what, dump);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *dir = fuzz_tmpdir();
        SgConfig c = {}, again = {};
        SgConfigError *errors = NULL;
        size_t n_errors = 0, len = 0;
        char *path, *dump_path = NULL, *text = NULL;
        FILE *f;
        int r;

        path = fuzz_write_file(dir, "sshguardian.conf", data, size);
        if (sg_config_init(&c) < 0)
                goto out;
        r = sg_config_load(&c, path, &errors, &n_errors);
        if (r == -ENOMEM || r == -EFBIG)
                goto out;
        if (r != 0)
                fuzz_fail("sg_config_load of a regular file: %s", strerror(-r));
        for (size_t i = 0; i < n_errors; i++)
                if (!errors[i].message || errors[i].line == 0)
                        fuzz_fail("error %zu without a message or a line", i);

        f = open_memstream(&text, &len);
        if (!f)
                abort();
        r = sg_config_dump(&c, f);
        if (fclose(f) != 0)
                abort();
        if (r == -ENOMEM)
                goto out;
        if (r < 0)
                fuzz_fail("sg_config_dump of a loaded configuration: %s", strerror(-r));

        dump_path = fuzz_write_file(dir, "dump.conf", text, len);
        sg_config_errors_free(errors, n_errors);
        errors = NULL;
        n_errors = 0;
        if (sg_config_init(&again) < 0)
                goto out;
        r = sg_config_load(&again, dump_path, &errors, &n_errors);
        if (r == -ENOMEM)
                goto out;
        if (r != 0 || n_errors > 0)
                fuzz_fail("the dump does not load cleanly (%d, %zu errors, first: line %u: %s):\n%s", r, n_errors,
                          n_errors ? errors[0].line : 0, n_errors ? errors[0].message : "", text);
        assert_same(&c, &again, text);
out:
        sg_config_errors_free(errors, n_errors);
        sg_config_done(&c);
        sg_config_done(&again);
        free(text);
        free(dump_path);
        free(path);
        return 0;
}

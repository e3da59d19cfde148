/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "sshdconf-check.h"
#include "sshdconf.h"

typedef struct Endpoint {
        int family;
        char address[46];
        uint16_t port;
        char rdomain[64];
} Endpoint;

static int endpoint_cmp(const void *a, const void *b) {
        const Endpoint *x = a, *y = b;
        int r = x->family - y->family;

        if (r == 0)
                r = strcmp(x->address, y->address);
        if (r == 0)
                r = (int) x->port - (int) y->port;
        if (r == 0)
                r = strcmp(x->rdomain, y->rdomain);
        return r;
}

/* The endpoints as `sshd -T` lists them, duplicates collapsed (as
 * tests/diff/sshd compares them with sshd). */
static Endpoint *endpoints(const SshdConfig *c, size_t *ret_n) {
        Endpoint *e = calloc(c->n_listen ? c->n_listen : 1, sizeof(*e));
        size_t n = 0;

        if (!e)
                abort();
        for (size_t i = 0; i < c->n_listen; i++) {
                e[i].family = c->listen[i].family;
                snprintf(e[i].address, sizeof(e[i].address), "%s", c->listen[i].address);
                e[i].port = c->listen[i].port;
                snprintf(e[i].rdomain, sizeof(e[i].rdomain), "%s",
                         c->listen[i].rdomain ? c->listen[i].rdomain : "");
        }
        qsort(e, c->n_listen, sizeof(*e), endpoint_cmp);
        for (size_t i = 0; i < c->n_listen; i++)
                if (n == 0 || endpoint_cmp(&e[n - 1], &e[i]) != 0)
                        e[n++] = e[i];
        *ret_n = n;
        return e;
}

static SshdConfig *load(const char *path, const char *dir) {
        SshdConfigOptions opts = { .include_base = dir, .resolve_names = false };
        SshdConfig *c = NULL;
        int r = sshd_config_load(path, &opts, &c);

        if (r == -ENOMEM)
                return NULL;
        if (r < 0 || !c)
                fuzz_fail("sshd_config_load(%s): %s without a model", path, strerror(-r));
        return c;
}

static char *dump(const SshdConfig *c, size_t *ret_len) {
        char *text = NULL;
        FILE *f = open_memstream(&text, ret_len);
        int r;

        if (!f)
                abort();
        r = sshd_config_dump(c, f);
        if (fclose(f) != 0 || r < 0)
                fuzz_fail("sshd_config_dump: %d", r);
        return text;
}

static void print_model(const char *what, const SshdConfig *c, const char *text) {
        fprintf(stderr, "%s: valid=%d, %zu endpoints, %zu errors\n", what, c->valid, c->n_listen, c->n_errors);
        for (size_t i = 0; i < c->n_errors && i < 3; i++)
                fprintf(stderr, "  error: %s line %u: %s\n", c->errors[i].file ? c->errors[i].file : "-",
                        c->errors[i].line, c->errors[i].message);
        if (text)
                fprintf(stderr, "--- dump ---\n%s--- end ---\n", text);
}

void fuzz_sshd_config_check(const char *path, const char *dir) {
        SshdConfig *c = load(path, dir), *again = NULL;
        char *text = NULL, *text_again = NULL, *dump_dir = NULL, *dump_path = NULL;
        Endpoint *e = NULL, *e_again = NULL;
        size_t len, len_again, n, n_again;

        if (!c)
                return;
        /* every reader of the model, on every model */
        sshd_config_write_json(c, fuzz_null_stream());
        for (unsigned id = 0; id < _SSHD_KW_MAX; id++) {
                const SshdDirective *d = sshd_config_get(c, (SshdKeywordId) id);
                if (d && !sshd_directive_applies_always(c, d))
                        fuzz_fail("sshd_config_get(%u) gave a directive that does not always apply", id);
        }
        if (!c->valid)
                goto out;

        text = dump(c, &len);
        if (asprintf(&dump_dir, "%s/dump", dir) < 0)
                abort();
        (void) mkdir(dump_dir, 0700);
        dump_path = fuzz_write_file(dump_dir, "sshd_config", text, len);
        again = load(dump_path, dir);
        if (!again)
                goto out;
        if (!again->valid) {
                print_model("input", c, NULL);
                print_model("dump", again, text);
                fuzz_fail("a valid configuration dumps to one that is not valid");
        }
        e = endpoints(c, &n);
        e_again = endpoints(again, &n_again);
        if (n != n_again || (n > 0 && memcmp(e, e_again, n * sizeof(*e)) != 0)) {
                print_model("input", c, NULL);
                print_model("dump", again, text);
                fuzz_fail("the dump binds other endpoints (%zu, not %zu)", n_again, n);
        }
        text_again = dump(again, &len_again);
        if (len != len_again || memcmp(text, text_again, len) != 0) {
                print_model("dump", again, text);
                fprintf(stderr, "--- dump of the dump ---\n%s--- end ---\n", text_again);
                fuzz_fail("the dump of the dump differs from the dump");
        }
out:
        free(e);
        free(e_again);
        free(text);
        free(text_again);
        free(dump_path);
        free(dump_dir);
        sshd_config_free(again);
        sshd_config_free(c);
}

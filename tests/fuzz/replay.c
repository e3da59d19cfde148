/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * The driver a harness is linked with when libFuzzer is not
 * (-Dfuzzing=false): runs LLVMFuzzerTestOneInput() once over each file
 * named, and over every file below each directory named (in name order),
 * so that a corpus and the reproducers are replayed as an ordinary test
 * with whatever sanitizers the build has.  Each input runs in a child
 * process of its own, so that one that fails (a harness abort()s, a
 * sanitizer reports, LeakSanitizer finds a leak at the child's exit) is
 * named and the others still run.
 *
 *   fuzz-replay-NAME PATH...
 *
 * Exit 0 when every input ran clean; 1 when one failed, a path could not
 * be read, or the paths named no file at all (an empty corpus is a
 * mistake, not a pass).
 */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

static unsigned n_failed;

static int replay_file(const char *path, unsigned *n) {
        FILE *f = fopen(path, "re");
        uint8_t *buf = NULL;
        size_t len = 0, allocated = 0;

        if (!f) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        for (;;) {
                if (len == allocated) {
                        allocated = allocated ? allocated * 2 : 4096;
                        buf = realloc(buf, allocated);
                        if (!buf)
                                abort();
                }
                size_t k = fread(buf + len, 1, allocated - len, f);
                len += k;
                if (k == 0)
                        break;
        }
        if (ferror(f)) {
                fprintf(stderr, "%s: read error\n", path);
                fclose(f);
                free(buf);
                return -1;
        }
        fclose(f);

        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                perror("fork");
                free(buf);
                return -1;
        }
        if (pid == 0) {
                /* an exact-size copy: ASan sees a read past the input */
                uint8_t *input = fuzz_memdup(buf, len);
                free(buf);
                LLVMFuzzerTestOneInput(input, len);
                free(input);
                exit(0);        /* not _exit(): LeakSanitizer looks at exit */
        }
        free(buf);

        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        perror("waitpid");
                        return -1;
                }
        (*n)++;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        n_failed++;
        if (WIFSIGNALED(status))
                fprintf(stderr, "FAILED %s (%zu bytes): killed by signal %d\n", path, len, WTERMSIG(status));
        else
                fprintf(stderr, "FAILED %s (%zu bytes): exit status %d\n", path, len, WEXITSTATUS(status));
        return 0;
}

static int name_cmp(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int replay_path(const char *path, unsigned *n) {
        struct dirent **names;
        struct stat st;
        int k, r = 0;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        if (!S_ISDIR(st.st_mode))
                return replay_file(path, n);
        k = scandir(path, &names, NULL, name_cmp);
        if (k < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        for (int i = 0; i < k; i++) {
                char sub[4096];

                if (names[i]->d_name[0] != '.') {
                        snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
                        if (replay_path(sub, n) < 0)
                                r = -1;
                }
                free(names[i]);
        }
        free(names);
        return r;
}

int main(int argc, char **argv) {
        unsigned n = 0;
        int r = 0;

        if (argc < 2) {
                fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
                return 2;
        }
        for (int i = 1; i < argc; i++)
                if (replay_path(argv[i], &n) < 0)
                        r = 1;
        if (n == 0) {
                fprintf(stderr, "no input found\n");
                r = 1;
        }
        printf("%u inputs replayed, %u failed\n", n, n_failed);
        return r || n_failed ? 1 : 0;
}

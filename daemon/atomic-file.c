/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-file.h"
#include "macro.h"

/* Whether NAME is BASE.XXXXXX, a temporary file of mkostemp() for BASE. */
static bool is_temporary_of(const char *name, const char *base) {
        size_t n = strlen(base);
        if (strncmp(name, base, n) != 0 || name[n] != '.' || strlen(name + n + 1) != 6)
                return false;
        for (const char *c = name + n + 1; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
                        return false;
        return true;
}

/* Temporary files an earlier instance left beside PATH (killed between
 * mkostemp() and rename()): removed once, before this one writes PATH the
 * first time.  Only regular files of ours with exactly that name. */
static void remove_left_behind(const char *path) {
        static char *done[8];
        static size_t n_done;
        _cleanup_free_ char *dir = strdup(path);
        const char *base;
        char *slash;
        DIR *d;
        struct dirent *de;

        for (size_t i = 0; i < n_done; i++)
                if (strcmp(done[i], path) == 0)
                        return;
        if (n_done < sizeof(done) / sizeof(done[0]) && (done[n_done] = strdup(path)))
                n_done++;
        if (!dir || !(slash = strrchr(dir, '/')))
                return;
        *slash = '\0';
        base = slash + 1;
        if (!(d = opendir(dir[0] ? dir : "/")))
                return;
        while ((de = readdir(d))) {
                struct stat st;
                if (!is_temporary_of(de->d_name, base) ||
                    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
                    st.st_uid != geteuid())
                        continue;
                (void) unlinkat(dirfd(d), de->d_name, 0);
        }
        closedir(d);
}

int write_file_atomic(const char *path, mode_t mode, int (*write)(FILE *f, const void *data), const void *data) {
        _cleanup_free_ char *tmp = NULL;
        FILE *f;
        int fd, r;

        remove_left_behind(path);

        if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        (void) fchmod(fd, mode);
        f = fdopen(fd, "w");
        if (!f) {
                r = -errno;
                close(fd);
                unlink(tmp);
                return r;
        }
        r = write(f, data);
        if (r >= 0 && (fflush(f) != 0 || fsync(fileno(f)) < 0))
                r = -EIO;
        if (fclose(f) != 0 && r >= 0)
                r = -EIO;
        /* a kill between the two leaves the old file whole */
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                unlink(tmp);
        return r;
}

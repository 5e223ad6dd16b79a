/* file.c — files are complete or absent: write a temporary file in the
 * same directory, then rename() it over the target. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_file.h"

mg_code mg_file_write_fd(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t k = write(fd, data, len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return MG_EIO;
        data += k;
        len -= (size_t)k;
    }
    return MG_OK;
}

mg_code mg_file_write_atomic(const char *path, const char *data, size_t len,
                         mg_error *err)
{
    size_t n = strlen(path) + sizeof ".tmpXXXXXX";
    char *tmp = malloc(n);
    if (!tmp)
        return mg_error_set(err, MG_ENOMEM, "out of memory writing %s", path);
    snprintf(tmp, n, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        mg_code rc = mg_error_set(err, MG_EIO, "cannot write %s: %s", path,
                                  strerror(errno));
        free(tmp);
        return rc;
    }
    mode_t mask = umask(0); /* mkstemp makes 0600; give the usual 0666 & ~umask */
    umask(mask);
    int bad = fchmod(fd, 0666 & ~mask) != 0;
    bad |= mg_file_write_fd(fd, data, len) != MG_OK;
    int saved = errno;
    bad |= close(fd) != 0;
    if (!bad && rename(tmp, path) == 0) {
        free(tmp);
        return MG_OK;
    }
    if (!bad)
        saved = errno;
    unlink(tmp);
    free(tmp);
    return mg_error_set(err, MG_EIO, "cannot write %s: %s", path, strerror(saved));
}

mg_code mg_file_make_dirs(const char *dir, mg_error *err)
{
    if (!dir || !*dir)
        return mg_error_set(err, MG_EINVAL, "no directory given");
    size_t n = strlen(dir) + 1;
    char *path = malloc(n);
    if (!path)
        return mg_error_set(err, MG_ENOMEM, "out of memory creating %s", dir);
    memcpy(path, dir, n);
    mg_code rc = MG_OK;
    for (char *p = path + 1; rc == MG_OK; p++) { /* each prefix ending at a '/' */
        bool end = *p == '\0';
        if (*p != '/' && !end)
            continue;
        *p = '\0';
        struct stat st;
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            rc = mg_error_set(err, MG_EIO, "cannot create directory %s: %s", path,
                              strerror(errno));
        else if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            rc = mg_error_set(err, MG_EIO, "%s is not a directory", path);
        if (end)
            break;
        *p = '/';
    }
    free(path);
    return rc;
}

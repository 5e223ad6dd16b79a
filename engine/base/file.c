/* file.c — files are complete or absent: write a temporary file in the
 * same directory, then rename() it over the target. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_file.h"

static mg_code write_all(int fd, const char *data, size_t len)
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
    bad |= write_all(fd, data, len) != MG_OK;
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

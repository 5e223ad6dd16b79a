/* file.c — files are complete or absent (mg_file.h): a temporary file made
 * exclusively beside the target, synced, renamed over it, the directory
 * synced; and whole-file reads that stop at a cap. */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mg_file.h"
#include "mg_limits.h"
#include "mg_size.h"

enum { OUT_BUFFER = 1 << 16, NAME_TRIES = 100 };

/* Records the first failure of f with errno e. */
static void fail(mg_file_out *f, mg_code rc, int e)
{
    if (f->rc == MG_OK) {
        f->rc = rc;
        f->error = e;
    }
}

mg_code mg_file_write_fd(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t k = write(fd, data, len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = EIO;
            return MG_EIO;
        }
        data += k;
        len -= (size_t)k;
    }
    return MG_OK;
}

/* The directory part of path ("." when it has none) into a new string. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (dir) {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return dir;
}

/* Creates a new file next to path named "<path>.tmp<random>" (or
 * "<dir>/.mgviz-tmp<random>" when that name would be too long), exclusively:
 * never an existing file, never through a link; opens the directory into
 * *dir_fd for the sync after the rename. Returns the fd, or -1. */
static int create_temporary(const char *path, char **tmp, int *dir_fd)
{
    static _Atomic unsigned long counter;
    size_t base = strlen(strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
    char *dir = dir_of(path);
    size_t n = strlen(path) + 64;
    *tmp = dir ? malloc(n) : NULL;
    if (!*tmp) {
        free(dir);
        errno = ENOMEM;
        return -1;
    }
    int fd = -1;
    /* a directory we may write but not read is written unsynced */
    *dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool usable = *dir_fd >= 0 || errno == EACCES;
    for (int i = 0; usable && fd < 0 && i < NAME_TRIES; i++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long r = (unsigned long)ts.tv_nsec ^ (unsigned long)getpid() << 16 ^
                          ++counter * 0x9e3779b97f4a7c15ul;
        if (base + 24 <= NAME_MAX)
            snprintf(*tmp, n, "%s.tmp%08lx", path, r & 0xfffffffful);
        else
            snprintf(*tmp, n, "%s/.mgviz-tmp%08lx", dir, r & 0xfffffffful);
        /* 0666 & ~umask, as any new file; O_EXCL refuses anything there */
        fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    int saved = errno;
    free(dir);
    if (fd < 0) {
        free(*tmp);
        *tmp = NULL;
        if (*dir_fd >= 0)
            close(*dir_fd);
        *dir_fd = -1;
    }
    errno = saved;
    return fd;
}

mg_code mg_file_begin(mg_file_out *f, const char *path, mg_error *err)
{
    memset(f, 0, sizeof *f);
    f->fd = f->dir_fd = -1;
    if (!path || !*path)
        return mg_error_set(err, MG_EINVAL, "no file name to write");
    f->path = strdup(path);
    f->buf = malloc(OUT_BUFFER);
    if (!f->path || !f->buf) {
        mg_file_abort(f);
        return mg_error_set(err, MG_ENOMEM, "out of memory writing %s", path);
    }
    f->cap = OUT_BUFFER;
    f->fd = create_temporary(path, &f->tmp, &f->dir_fd);
    if (f->fd < 0) {
        int e = errno;
        mg_file_abort(f);
        return mg_error_set(err, e == ENOMEM ? MG_ENOMEM : MG_EIO, "cannot write %s: %s", path,
                            strerror(e));
    }
    return MG_OK;
}

static void flush_buffer(mg_file_out *f)
{
    if (f->rc == MG_OK && f->len && mg_file_write_fd(f->fd, (const char *)f->buf, f->len) != MG_OK)
        fail(f, MG_EIO, errno);
    f->len = 0;
}

void mg_file_put(mg_file_out *f, const void *data, size_t n)
{
    if (f->rc != MG_OK || n == 0)
        return;
    if (f->len + n > f->cap)
        flush_buffer(f);
    if (n >= f->cap) { /* big blocks go straight through */
        if (f->rc == MG_OK && mg_file_write_fd(f->fd, data, n) != MG_OK)
            fail(f, MG_EIO, errno);
        return;
    }
    memcpy(f->buf + f->len, data, n);
    f->len += n;
}

static ssize_t stream_write(void *cookie, const char *data, size_t n)
{
    mg_file_out *f = cookie;
    mg_file_put(f, data, n);
    return f->rc == MG_OK ? (ssize_t)n : -1;
}

FILE *mg_file_stream(mg_file_out *f)
{
    cookie_io_functions_t io = {.write = stream_write};
    FILE *s = fopencookie(f, "w", io);
    if (!s)
        fail(f, MG_ENOMEM, errno);
    return s;
}

/* Syncs the target's directory, so the rename survives a crash. File
 * systems that cannot sync a directory (EINVAL) are taken as they are. */
static int sync_directory(int dir_fd)
{
    return dir_fd < 0 || fsync(dir_fd) == 0 || errno == EINVAL ? 0 : errno;
}

mg_code mg_file_commit(mg_file_out *f, mg_error *err)
{
    flush_buffer(f);
    if (f->rc == MG_OK && fsync(f->fd) != 0)
        fail(f, MG_EIO, errno);
    if (close(f->fd) != 0)
        fail(f, MG_EIO, errno);
    f->fd = -1;
    if (f->rc == MG_OK && rename(f->tmp, f->path) != 0)
        fail(f, MG_EIO, errno);
    if (f->rc != MG_OK) {
        mg_code rc = mg_error_set(err, f->rc, "cannot write %s: %s", f->path, strerror(f->error));
        mg_file_abort(f);
        return rc;
    }
    int e = sync_directory(f->dir_fd);
    mg_code rc = e ? mg_error_set(err, MG_EIO, "wrote %s but cannot sync its directory: %s",
                                  f->path, strerror(e))
                   : MG_OK;
    free(f->tmp);
    f->tmp = NULL; /* renamed: nothing to remove */
    mg_file_abort(f);
    return rc;
}

void mg_file_abort(mg_file_out *f)
{
    if (f->fd >= 0)
        close(f->fd);
    if (f->dir_fd >= 0)
        close(f->dir_fd);
    if (f->tmp)
        unlink(f->tmp);
    free(f->tmp);
    free(f->path);
    free(f->buf);
    memset(f, 0, sizeof *f);
    f->fd = f->dir_fd = -1;
}

mg_code mg_file_check_writable(const char *path, mg_error *err)
{
    struct stat st;
    if (path && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return mg_error_set(err, MG_EIO, "cannot write %s: it is a directory", path);
    mg_file_out f;
    mg_code rc = mg_file_begin(&f, path, err);
    if (rc == MG_OK)
        mg_file_abort(&f);
    return rc;
}

mg_code mg_file_write_atomic(const char *path, const char *data, size_t len, mg_error *err)
{
    mg_file_out f;
    mg_code rc = mg_file_begin(&f, path, err);
    if (rc != MG_OK)
        return rc;
    mg_file_put(&f, data, len);
    return mg_file_commit(&f, err);
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

mg_code mg_file_make_own_dir(const char *dir, mg_error *err)
{
    struct stat st;
    if (!dir || !*dir)
        return mg_error_set(err, MG_EINVAL, "no directory given");
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return mg_error_set(err, MG_EIO, "cannot create directory %s: %s", dir, strerror(errno));
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return mg_error_set(err, MG_EIO, "%s is %s: refusing to write through it", dir,
                            S_ISLNK(st.st_mode) ? "a link" : "not a directory");
    return MG_OK;
}

/* ---- reading ---- */

static mg_code too_large(const char *path, size_t max, bool is_cap, mg_error *err)
{
    char text[32];
    if (is_cap)
        return mg_error_set(err, MG_EFORMAT,
                            "%s is larger than the cap of %s on input files (set "
                            "MGVIZ_MAX_INPUT_BYTES to raise it)",
                            path, mg_limits_bytes(max, text, sizeof text));
    return mg_error_set(err, MG_EFORMAT, "%s is larger than %s: not a file of this kind", path,
                        mg_limits_bytes(max, text, sizeof text));
}

/* Reads from fd into *buf (cap bytes so far) until the end or max + 1 bytes. */
static int read_upto(int fd, char **buf, size_t *cap, size_t *len, size_t max)
{
    for (;;) {
        if (*len == *cap) {
            if (*cap > max) /* max + 1 bytes held: too large */
                return 0;
            size_t grown = *cap < (max + 1) / 2 ? *cap * 2 : max + 1;
            char *p = realloc(*buf, grown + 1);
            if (!p)
                return ENOMEM;
            *buf = p;
            *cap = grown;
        }
        ssize_t k = read(fd, *buf + *len, *cap - *len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return errno;
        if (k == 0)
            return 0;
        *len += (size_t)k;
    }
}

mg_code mg_file_read_fd(int fd, const char *name, size_t max, char **data, size_t *len,
                        mg_error *err)
{
    *data = NULL;
    *len = 0;
    bool is_cap = max == 0;
    if (is_cap)
        max = mg_limits_get().input_bytes;
    if (max >= SIZE_MAX - 1)
        max = SIZE_MAX - 2;
    /* a regular file's size is known: refuse a big one before reading it */
    struct stat st;
    size_t cap = 4096;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        off_t at = lseek(fd, 0, SEEK_CUR);
        uintmax_t left = (uintmax_t)st.st_size - (at > 0 && at <= st.st_size ? (uintmax_t)at : 0);
        if (left > max)
            return too_large(name, max, is_cap, err);
        cap = (size_t)left + 1; /* + 1: the end is seen without growing */
    }
    char *buf = malloc(cap + 1);
    int e = buf ? read_upto(fd, &buf, &cap, len, max) : ENOMEM;
    if (e == 0 && *len > max)
        e = -1;
    if (e) {
        free(buf);
        *len = 0;
        return e < 0 ? too_large(name, max, is_cap, err)
                     : mg_error_set(err, e == ENOMEM ? MG_ENOMEM : MG_EIO, "cannot read %s: %s",
                                    name, strerror(e));
    }
    buf[*len] = '\0';
    *data = buf;
    return MG_OK;
}

mg_code mg_file_read(const char *path, size_t max, char **data, size_t *len, mg_error *err)
{
    *data = NULL;
    *len = 0;
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mg_error_set(err, MG_EIO, "cannot read %s: %s", path, strerror(errno));
    mg_code rc = mg_file_read_fd(fd, is_stdin ? "stdin" : path, max, data, len, err);
    if (!is_stdin)
        close(fd);
    return rc;
}

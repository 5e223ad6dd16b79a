/* serve_path.c — which files the server may open: regular files under the
 * root, reached by plain names, never through a link that leads out. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_run.h"
#include "serve_internal.h"

bool serve_name_ok(const char *name, size_t n)
{
    if (!name || n == 0 || n > SERVE_NAME_MAX || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
            return false;
    }
    return true;
}

bool serve_path_ok(const char *rel)
{
    if (!rel)
        return false;
    size_t n = strlen(rel);
    if (n > SERVE_PATH_MAX)
        return false;
    for (const char *p = rel; *p;) {
        size_t k = strcspn(p, "/");
        if (!serve_name_ok(p, k))
            return false;
        p += k;
        if (*p == '/' && !*++p)
            return false; /* a trailing '/' */
    }
    return true;
}

static const char *last_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

mg_code serve_root_open(serve_root *r, const char *path, mg_error *err)
{
    *r = (serve_root){ .fd = -1 };
    char real[PATH_MAX];
    if (!path || !*path || !realpath(path, real))
        return mg_error_set(err, MG_EIO, "cannot serve %s: %s", path ? path : "(no root)",
                            path && *path ? strerror(errno) : "no directory given");
    r->fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (r->fd < 0)
        return mg_error_set(err, MG_EIO, "cannot serve %s: %s", path, strerror(errno));
    r->real = strdup(real);
    r->len = strlen(real);
    struct stat st;
    bool one_run = fstatat(r->fd, MG_RUN_INFO_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                   S_ISREG(st.st_mode);
    const char *name = last_name(real);
    if (one_run)
        r->single = strdup(serve_name_ok(name, strlen(name)) ? name : "run");
    if (!r->real || (one_run && !r->single)) {
        serve_root_close(r);
        return mg_error_set(err, MG_ENOMEM, "out of memory");
    }
    return MG_OK;
}

void serve_root_close(serve_root *r)
{
    if (r->fd >= 0)
        close(r->fd);
    free(r->real);
    free(r->single);
    *r = (serve_root){ .fd = -1 };
}

/* The path of run id's rel under the root, "" for the root itself, into
 * buf; false when id is not a run of this root or it does not fit. */
static bool run_path(const serve_root *r, const char *id, const char *rel, char *buf, size_t n)
{
    int len;
    if (r->single) {
        if (strcmp(id, r->single) != 0)
            return false;
        len = snprintf(buf, n, "%s", rel);
    } else {
        len = snprintf(buf, n, "%s%s%s", id, *rel ? "/" : "", rel);
    }
    return len >= 0 && (size_t)len < n;
}

/* Walks path (plain components, no links by construction) down from the
 * root's descriptor, each step with O_NOFOLLOW. */
static int open_below(const serve_root *r, char *path, serve_kind kind)
{
    int dir = openat(r->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (char *p = path; dir >= 0 && *p;) {
        char *slash = strchr(p, '/');
        bool last = !slash;
        if (slash)
            *slash = '\0';
        int fd;
        if (!last || kind == SERVE_DIR) {
            fd = openat(dir, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        } else {
            /* stat first: a FIFO or device is never opened */
            struct stat st;
            if (fstatat(dir, p, &st, AT_SYMLINK_NOFOLLOW) != 0)
                fd = -1;
            else if (!S_ISREG(st.st_mode))
                fd = -1, errno = EACCES;
            else
                fd = openat(dir, p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        }
        int e = errno;
        close(dir);
        errno = e == ELOOP ? EACCES : e; /* a link swapped in: out of bounds */
        dir = fd;
        p = last ? p + strlen(p) : slash + 1;
    }
    struct stat st;
    if (dir >= 0 &&
        (fstat(dir, &st) != 0 || (kind == SERVE_FILE ? !S_ISREG(st.st_mode) : !S_ISDIR(st.st_mode)))) {
        close(dir);
        errno = EACCES;
        return -1;
    }
    return dir;
}

int serve_open(const serve_root *r, const char *id, const char *rel, serve_kind kind)
{
    char sub[SERVE_NAME_MAX + SERVE_PATH_MAX + 2], full[PATH_MAX], real[PATH_MAX];
    if (!r || r->fd < 0 || !id || !serve_name_ok(id, strlen(id)) || !serve_path_ok(rel) ||
        (kind == SERVE_FILE && !*rel && r->single) ||
        !run_path(r, id, rel, sub, sizeof sub)) {
        errno = EINVAL;
        return -1;
    }
    int len = snprintf(full, sizeof full, "%s%s%s", r->real,
                       *sub && r->real[r->len - 1] != '/' ? "/" : "", sub);
    if (len < 0 || (size_t)len >= sizeof full) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (!realpath(full, real))
        return -1;
    /* under the root: the root itself, or the root's path and a '/' */
    size_t n = r->len;
    bool root_is_slash = n == 1 && r->real[0] == '/';
    if (strncmp(real, r->real, n) != 0 ||
        (real[n] != '\0' && real[n] != '/' && !root_is_slash)) {
        errno = EACCES;
        return -1;
    }
    char *below = real + n;
    while (*below == '/')
        below++;
    return open_below(r, below, kind);
}

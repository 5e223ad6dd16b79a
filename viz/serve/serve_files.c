/* serve_files.c — a run's files as responses: the content type and the
 * Content-Security-Policy each kind of file gets, one row per extension. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "serve_files.h"

/* Pages the run's writers made (index.html, inspector.html) keep their
 * inline script and style and their pictures, and may fetch nothing. */
#define CSP_RUN_PAGE                                                                       \
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "          \
    "img-src 'self' data: blob:; font-src data:; base-uri 'none'; form-action 'none'; "    \
    "frame-ancestors 'self'"
/* Anything else runs no script even when opened as a document. */
#define CSP_INERT                                                                          \
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "                \
    "frame-ancestors 'self'; sandbox"

typedef struct file_kind {
    const char *ext, *type, *csp;
} file_kind;

static const file_kind kinds[] = {
    { ".html", "text/html; charset=utf-8", CSP_RUN_PAGE },
    { ".svg", "image/svg+xml", CSP_INERT },
    { ".png", "image/png", CSP_INERT },
    { ".json", "application/json; charset=utf-8", CSP_INERT },
    { ".jsonl", "text/plain; charset=utf-8", CSP_INERT },
    { ".txt", "text/plain; charset=utf-8", CSP_INERT },
    { ".dot", "text/plain; charset=utf-8", CSP_INERT },
    { ".csv", "text/csv; charset=utf-8", CSP_INERT },
};
static const file_kind other = { "", "application/octet-stream", CSP_INERT };

static const file_kind *kind_of(const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        size_t k = strlen(kinds[i].ext);
        if (n > k && strcmp(path + n - k, kinds[i].ext) == 0)
            return &kinds[i];
    }
    return &other;
}

void serve_common_headers(struct MHD_Response *r, const char *csp)
{
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    if (csp)
        MHD_add_response_header(r, "Content-Security-Policy", csp);
}

struct MHD_Response *serve_file_response(const serve_root *root, const char *id,
                                         const char *rel, unsigned *status)
{
    int fd = serve_open(root, id, rel, SERVE_FILE);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        *status = fd < 0 && errno == EINVAL ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_NOT_FOUND;
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    /* the length as it is now: a file still growing is sent up to here */
    struct MHD_Response *r = MHD_create_response_from_fd_at_offset64((uint64_t)st.st_size, fd, 0);
    if (!r) {
        close(fd);
        *status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        return NULL;
    }
    const file_kind *k = kind_of(rel);
    MHD_add_response_header(r, "Content-Type", k->type);
    serve_common_headers(r, k->csp);
    *status = MHD_HTTP_OK;
    return r;
}

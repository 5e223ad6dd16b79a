/* idx.c — reading IDX files through zlib, which reads plain files unchanged.
 * The buffer grows as data actually arrives, so a corrupt header that claims
 * gigabytes costs nothing before the file runs out. */
#include "mg_idx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { IDX_MAX_BYTES = 1 << 30, CHUNK = 1 << 20 };

void mg_idx_free(mg_idx *out)
{
    if (!out)
        return;
    free(out->data);
    memset(out, 0, sizeof *out);
}

/* Reads exactly n bytes; returns how many arrived (less at the end of the data). */
static size_t read_full(gzFile f, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        unsigned want = n - got > CHUNK ? CHUNK : (unsigned)(n - got);
        int r = gzread(f, (char *)buf + got, want);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    return got;
}

/* A read error from zlib (corrupt gzip stream), or NULL when there was none. */
static const char *stream_error(gzFile f)
{
    int code;
    const char *msg = gzerror(f, &code);
    return code != Z_OK && code != Z_STREAM_END ? msg : NULL;
}

static mg_code read_header(gzFile f, const char *path, mg_idx *out, mg_error *err)
{
    unsigned char h[4];
    if (read_full(f, h, 4) < 4)
        return mg_error_set(err, MG_EFORMAT, "%s: truncated IDX header (%s)", path,
                            stream_error(f) ? stream_error(f) : "fewer than 4 bytes");
    if (h[0] != 0 || h[1] != 0)
        return mg_error_set(err, MG_EFORMAT,
                            "%s: not an IDX file (magic %02x %02x %02x %02x)", path, h[0], h[1],
                            h[2], h[3]);
    if (h[2] != MG_IDX_UBYTE)
        return mg_error_set(err, MG_EFORMAT,
                            "%s: IDX element type 0x%02x is not supported "
                            "(only 0x08, unsigned byte)",
                            path, h[2]);
    if (h[3] < 1 || h[3] > MG_IDX_MAX_DIMS)
        return mg_error_set(err, MG_EFORMAT, "%s: IDX file has %d dimensions (1 to %d allowed)",
                            path, h[3], MG_IDX_MAX_DIMS);
    out->ndim = h[3];
    unsigned char d[4 * MG_IDX_MAX_DIMS];
    if (read_full(f, d, 4u * h[3]) < 4u * h[3])
        return mg_error_set(err, MG_EFORMAT, "%s: truncated IDX header (dimension sizes)", path);
    out->count = 1;
    for (int i = 0; i < out->ndim; i++) {
        out->dims[i] = (uint32_t)d[4 * i] << 24 | (uint32_t)d[4 * i + 1] << 16
                     | (uint32_t)d[4 * i + 2] << 8 | d[4 * i + 3];
        if (out->dims[i] == 0)
            return mg_error_set(err, MG_EFORMAT, "%s: IDX dimension %d is 0", path, i);
        if (out->count > IDX_MAX_BYTES / out->dims[i])
            return mg_error_set(err, MG_EFORMAT, "%s: IDX dimensions claim more than 1 GiB",
                                path);
        out->count *= out->dims[i];
    }
    return MG_OK;
}

static mg_code read_data(gzFile f, const char *path, mg_idx *out, mg_error *err)
{
    size_t cap = 0, got = 0;
    while (got < out->count) {
        if (got == cap) {
            cap = cap ? cap * 2 : CHUNK;
            if (cap > out->count)
                cap = out->count;
            uint8_t *p = realloc(out->data, cap);
            if (!p)
                return mg_error_set(err, MG_ENOMEM, "%s: out of memory for %zu bytes", path, cap);
            out->data = p;
        }
        size_t r = read_full(f, out->data + got, cap - got);
        got += r;
        if (got < cap)
            break;
    }
    const char *bad = stream_error(f);
    if (bad)
        return mg_error_set(err, MG_EFORMAT, "%s: corrupt gzip data after %zu bytes (%s)", path,
                            got, bad);
    if (got < out->count)
        return mg_error_set(err, MG_EFORMAT, "%s: truncated: %zu of %zu data bytes", path, got,
                            out->count);
    unsigned char extra;
    if (read_full(f, &extra, 1) != 0)
        return mg_error_set(err, MG_EFORMAT, "%s: bytes after the %zu the header announces",
                            path, out->count);
    if ((bad = stream_error(f)) != NULL)
        return mg_error_set(err, MG_EFORMAT, "%s: corrupt gzip data at the end (%s)", path, bad);
    return MG_OK;
}

mg_code mg_idx_read(const char *path, mg_idx *out, mg_error *err)
{
    if (!path || !out)
        return mg_error_set(err, MG_EINVAL, "idx: NULL argument");
    memset(out, 0, sizeof *out);
    gzFile f = gzopen(path, "rb");
    if (!f)
        return mg_error_set(err, MG_EIO, "%s: cannot open (%s)", path,
                            errno ? strerror(errno) : "out of memory");
    mg_code rc = read_header(f, path, out, err);
    if (rc == MG_OK)
        rc = read_data(f, path, out, err);
    gzclose(f);
    if (rc != MG_OK)
        mg_idx_free(out);
    return rc;
}

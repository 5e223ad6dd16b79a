/* idx.c — reading IDX files, gzip-compressed or plain.
 *
 * The file is read whole (bounded by the input cap of mg_limits.h) and
 * inflated here rather than through gzread(), which skips whatever follows
 * the last gzip member without a word: a file is its IDX data, in one or more
 * gzip members or plain, and nothing else. The output grows as data actually
 * arrives, so a header that claims gigabytes costs nothing before the data
 * runs out; what it may claim at all is capped by the same input cap. */
#include "idx_internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mg_file.h"
#include "mg_limits.h"
#include "mg_size.h"

enum { CHUNK = 1 << 20 };

void mg_idx_free(mg_idx *out)
{
    if (!out)
        return;
    free(out->data);
    memset(out, 0, sizeof *out);
}

/* The file's bytes, and the IDX bytes they decode to. */
typedef struct source {
    const char *path;
    unsigned char *raw;
    size_t raw_len, pos; /* pos: next plain byte (plain files only) */
    bool gz, z_open, ended; /* ended: the last gzip member is complete */
    z_stream z;
    mg_error *err;
    mg_code rc;          /* the first failure, reported by the caller */
} source;

static bool is_gzip(const unsigned char *p, size_t n) { return n >= 2 && p[0] == 0x1f && p[1] == 0x8b; }

static void fail(source *s, mg_code code, const char *what)
{
    if (s->rc == MG_OK)
        s->rc = mg_error_set(s->err, code, "%s: %s", s->path, what);
}

/* Inflates into out[0..n); returns the bytes produced (fewer at the end of
 * the data or on a failure, which is kept in s->rc). */
static size_t gz_read(source *s, unsigned char *out, size_t n)
{
    size_t got = 0;
    while (got < n && !s->ended && s->rc == MG_OK) {
        s->z.next_out = out + got;
        s->z.avail_out = n - got > CHUNK ? CHUNK : (uInt)(n - got);
        uInt before = s->z.avail_out;
        int r = inflate(&s->z, Z_NO_FLUSH);
        got += before - s->z.avail_out;
        if (r == Z_STREAM_END) {
            /* another gzip member may follow (gzip -c a b > ab); anything
             * else after the data is refused, not skipped */
            if (s->z.avail_in == 0)
                s->ended = true;
            else if (is_gzip(s->z.next_in, s->z.avail_in))
                inflateReset(&s->z);
            else {
                char what[96];
                snprintf(what, sizeof what, "%u bytes after the gzip data", s->z.avail_in);
                fail(s, MG_EFORMAT, what);
            }
        } else if (r == Z_MEM_ERROR) {
            fail(s, MG_ENOMEM, "out of memory inflating");
        } else if (r != Z_OK) { /* Z_BUF_ERROR: no input left before the end */
            char what[160];
            snprintf(what, sizeof what, "corrupt gzip data (%s)",
                     r == Z_BUF_ERROR ? "the compressed stream is cut short"
                     : s->z.msg ? s->z.msg : "inflate failed");
            fail(s, MG_EFORMAT, what);
        }
    }
    return got;
}

static size_t source_read(source *s, void *out, size_t n)
{
    if (s->gz)
        return gz_read(s, out, n);
    size_t k = s->raw_len - s->pos < n ? s->raw_len - s->pos : n;
    memcpy(out, s->raw + s->pos, k);
    s->pos += k;
    return k;
}

static mg_code truncated(source *s, const char *what)
{
    if (s->rc != MG_OK)
        return s->rc;
    return mg_error_set(s->err, MG_EFORMAT, "%s: truncated IDX header (%s)", s->path, what);
}

void idx_shape_text(int ndim, const uint32_t *dims, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int d = 0; d < ndim && len < n; d++)
        len += (size_t)snprintf(buf + len, n - len, d ? "x%u" : "%u", dims[d]);
}

/* Refuses items (the dims after the first) of more than item_cap elements. */
static mg_code check_item_size(const char *path, const mg_idx *h, size_t item_cap,
                               mg_error *err)
{
    size_t item = h->count / h->dims[0];
    if (item_cap == 0 || h->ndim < 2 || item <= item_cap)
        return MG_OK;
    char shape[64];
    idx_shape_text(h->ndim - 1, h->dims + 1, shape, sizeof shape);
    return mg_error_set(err, MG_EFORMAT,
                        "%s: images of %s = %zu pixels are more than the cap of %zu pixels "
                        "an image (set MGVIZ_MAX_IMAGE_PIXELS to raise it)",
                        path, shape, item, item_cap);
}

static mg_code read_header(source *s, size_t item_cap, mg_idx *out)
{
    const char *path = s->path;
    mg_error *err = s->err;
    unsigned char h[4];
    if (source_read(s, h, 4) < 4)
        return truncated(s, "fewer than 4 bytes");
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
    if (source_read(s, d, 4u * h[3]) < 4u * h[3])
        return truncated(s, "dimension sizes");
    const size_t cap = mg_limits_get().input_bytes;
    out->count = 1;
    for (int i = 0; i < out->ndim; i++) {
        out->dims[i] = (uint32_t)d[4 * i] << 24 | (uint32_t)d[4 * i + 1] << 16
                     | (uint32_t)d[4 * i + 2] << 8 | d[4 * i + 3];
        if (out->dims[i] == 0)
            return mg_error_set(err, MG_EFORMAT, "%s: IDX dimension %d is 0", path, i);
        if (!mg_size_mul(out->count, out->dims[i], &out->count) || out->count > cap) {
            char text[32];
            return mg_error_set(err, MG_EFORMAT,
                                "%s: IDX dimensions claim more than the cap of %s on input "
                                "files (set MGVIZ_MAX_INPUT_BYTES to raise it)",
                                path, mg_limits_bytes(cap, text, sizeof text));
        }
    }
    return check_item_size(path, out, item_cap, err);
}

static mg_code read_data(source *s, mg_idx *out)
{
    size_t cap = 0, got = 0;
    while (got < out->count && s->rc == MG_OK) {
        if (got == cap) {
            cap = cap ? cap * 2 : CHUNK;
            if (cap > out->count)
                cap = out->count;
            uint8_t *p = realloc(out->data, cap);
            if (!p)
                return mg_error_set(s->err, MG_ENOMEM, "%s: out of memory for %zu bytes",
                                    s->path, cap);
            out->data = p;
        }
        size_t r = source_read(s, out->data + got, cap - got);
        got += r;
        if (got < cap)
            break;
    }
    if (s->rc != MG_OK)
        return s->rc;
    if (got < out->count)
        return mg_error_set(s->err, MG_EFORMAT, "%s: truncated: %zu of %zu data bytes", s->path,
                            got, out->count);
    unsigned char extra;
    if (source_read(s, &extra, 1) != 0)
        return mg_error_set(s->err, MG_EFORMAT, "%s: bytes after the %zu the header announces",
                            s->path, out->count);
    return s->rc;
}

mg_code mg_idx_read(const char *path, mg_idx *out, mg_error *err)
{
    return idx_read(path, 0, out, err);
}

mg_code idx_read(const char *path, size_t item_cap, mg_idx *out, mg_error *err)
{
    if (!path || !out)
        return mg_error_set(err, MG_EINVAL, "idx: NULL argument");
    memset(out, 0, sizeof *out);
    source s = { .path = path, .err = err };
    char *raw;
    mg_code rc = mg_file_read(path, 0, &raw, &s.raw_len, err);
    if (rc != MG_OK)
        return rc;
    s.raw = (unsigned char *)raw;
    s.gz = is_gzip(s.raw, s.raw_len);
    if (s.gz) {
        if (s.raw_len > UINT32_MAX) /* past zlib's uInt: the input cap was raised over 4 GiB */
            rc = mg_error_set(err, MG_EFORMAT, "%s: a gzip file over 4 GiB", path);
        else if (inflateInit2(&s.z, 16 + MAX_WBITS) != Z_OK) /* 16 + : the gzip wrapper */
            rc = mg_error_set(err, MG_ENOMEM, "%s: out of memory for zlib", path);
        else
            s.z_open = true;
        s.z.next_in = s.raw;
        s.z.avail_in = (uInt)s.raw_len;
    }
    if (rc == MG_OK)
        rc = read_header(&s, item_cap, out);
    if (rc == MG_OK)
        rc = read_data(&s, out);
    if (s.z_open)
        inflateEnd(&s.z);
    free(raw);
    if (rc != MG_OK)
        mg_idx_free(out);
    return rc;
}

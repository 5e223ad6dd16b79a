/* checkpoint.c — the checkpoint file format of mg_checkpoint.h: written
 * through a CRC-32 to a temporary file then renamed, read whole and verified
 * before anything is copied out. */
#include "mg_checkpoint.h"
#include "mg_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static const char MAGIC[8] = { 'M', 'G', 'C', 'K', 'P', 'T', '\r', '\n' };

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

static size_t record_bytes(const mg_ckpt_record *r)
{
    size_t n = 1;
    for (int d = 0; d < r->ndim; d++)
        n *= (size_t)r->shape[d];
    return n * mg_dtype_size(r->dtype);
}

mg_ckpt_record mg_ckpt_tensor(const char *name, const mg_tensor *t)
{
    mg_ckpt_record r = { .name = name };
    if (t) {
        r.dtype = t->dtype;
        r.ndim = t->ndim;
        memcpy(r.shape, t->shape, sizeof r.shape);
        r.data = t->data;
    }
    return r;
}

/* ---- writing ---- */

typedef struct writer {
    mg_file_out f;
    uLong crc;
} writer;

static void put(writer *w, const void *p, size_t n)
{
    if (n == 0)
        return;
    w->crc = crc32(w->crc, p, (uInt)n);
    mg_file_put(&w->f, p, n);
}

static void put_u32(writer *w, uint32_t x)
{
    unsigned char b[4] = { (unsigned char)x, (unsigned char)(x >> 8), (unsigned char)(x >> 16),
                           (unsigned char)(x >> 24) };
    put(w, b, 4);
}

static void put_record(writer *w, const mg_ckpt_record *r)
{
    size_t len = strlen(r->name);
    put_u32(w, (uint32_t)len);
    put(w, r->name, len);
    unsigned char kind[2] = { (unsigned char)r->dtype, (unsigned char)r->ndim };
    put(w, kind, 2);
    for (int d = 0; d < r->ndim; d++)
        put_u32(w, (uint32_t)r->shape[d]);
    /* zlib's crc32 takes uInt lengths: feed big tensors in slices */
    size_t total = record_bytes(r);
    for (size_t off = 0; off < total; off += 1u << 30)
        put(w, (const char *)r->data + off, total - off < (1u << 30) ? total - off : 1u << 30);
}

static mg_code check_records(const mg_ckpt_record *recs, int n, mg_error *err)
{
    if (n < 0 || (n && !recs))
        return mg_error_set(err, MG_EINVAL, "checkpoint: bad record list");
    for (int i = 0; i < n; i++) {
        const mg_ckpt_record *r = &recs[i];
        if (!r->name || !r->data || r->ndim < 0 || r->ndim > MG_TENSOR_MAX_DIMS
            || (r->dtype != MG_F32 && r->dtype != MG_F64))
            return mg_error_set(err, MG_EINVAL, "checkpoint: record %d is incomplete", i);
    }
    return MG_OK;
}

mg_code mg_checkpoint_save(const char *path, const char *meta, const mg_ckpt_record *recs,
                           int n, mg_error *err)
{
    if (!path)
        return mg_error_set(err, MG_EINVAL, "checkpoint: no path");
    if (!host_is_little_endian())
        return mg_error_set(err, MG_EINVAL, "checkpoint: big-endian hosts are not supported");
    mg_code rc = check_records(recs, n, err);
    if (rc != MG_OK)
        return rc;
    /* through a temporary file made exclusively beside path (mg_file.h) */
    writer w = { .crc = crc32(0L, Z_NULL, 0) };
    rc = mg_file_begin(&w.f, path, err);
    if (rc != MG_OK)
        return rc;
    const char *m = meta ? meta : "";
    put(&w, MAGIC, sizeof MAGIC);
    put_u32(&w, MG_CHECKPOINT_VERSION);
    put_u32(&w, (uint32_t)strlen(m));
    put(&w, m, strlen(m));
    put_u32(&w, (uint32_t)n);
    for (int i = 0; i < n; i++)
        put_record(&w, &recs[i]);
    put_u32(&w, (uint32_t)w.crc);
    return mg_file_commit(&w.f, err);
}

/* ---- reading ---- */

typedef struct reader {
    const unsigned char *p;
    size_t left;
} reader;

static int take(reader *r, void *out, size_t n)
{
    if (r->left < n)
        return 0;
    if (out)
        memcpy(out, r->p, n);
    r->p += n;
    r->left -= n;
    return 1;
}

static int take_u32(reader *r, uint32_t *x)
{
    unsigned char b[4];
    if (!take(r, b, 4))
        return 0;
    *x = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 1;
}

/* Reads path whole, bounded by the input cap (mg_limits.h); a file that
 * does not start with the magic is refused before more is read. */
static mg_code slurp(const char *path, unsigned char **buf, size_t *size, mg_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mg_error_set(err, MG_EIO, "%s: cannot open (%s)", path, strerror(errno));
    char head[sizeof MAGIC];
    ssize_t k = pread(fd, head, sizeof head, 0); /* fails on pipes: they are read whole */
    if (k == (ssize_t)sizeof head && memcmp(head, MAGIC, sizeof MAGIC) != 0) {
        close(fd);
        return mg_error_set(err, MG_EFORMAT, "%s: not an mgviz checkpoint (bad magic)", path);
    }
    char *data;
    mg_code rc = mg_file_read_fd(fd, path, 0, &data, size, err);
    close(fd);
    *buf = (unsigned char *)data;
    return rc;
}

static mg_code check_envelope(const char *path, const unsigned char *b, size_t size,
                              mg_error *err)
{
    if (size < sizeof MAGIC || memcmp(b, MAGIC, sizeof MAGIC) != 0)
        return mg_error_set(err, MG_EFORMAT, "%s: not an mgviz checkpoint (bad magic)", path);
    if (size < sizeof MAGIC + 16)
        return mg_error_set(err, MG_EFORMAT, "%s: truncated checkpoint (%zu bytes)", path, size);
    reader r = { b + sizeof MAGIC, 4 };
    uint32_t version, stored;
    take_u32(&r, &version);
    if (version != MG_CHECKPOINT_VERSION)
        return mg_error_set(err, MG_EFORMAT, "%s: checkpoint version %u (this program reads %d)",
                            path, version, MG_CHECKPOINT_VERSION);
    reader tail = { b + size - 4, 4 };
    take_u32(&tail, &stored);
    uLong crc = crc32(0L, Z_NULL, 0);
    for (size_t off = 0; off < size - 4; off += 1u << 30)
        crc = crc32(crc, b + off, (uInt)(size - 4 - off < (1u << 30) ? size - 4 - off : 1u << 30));
    if ((uint32_t)crc != stored)
        return mg_error_set(err, MG_EFORMAT,
                            "%s: checkpoint is corrupt or truncated (checksum mismatch)", path);
    return MG_OK;
}

static void shape_str(char *buf, size_t n, int ndim, const uint32_t *dims)
{
    size_t len = (size_t)snprintf(buf, n, "[");
    for (int d = 0; d < ndim && len < n; d++)
        len += (size_t)snprintf(buf + len, n - len, d ? ",%u" : "%u", dims[d]);
    if (len < n)
        snprintf(buf + len, n - len, "]");
}

/* Checks one record against what the caller expects; *data receives its bytes. */
static mg_code match_record(const char *path, reader *r, const mg_ckpt_record *want,
                            const unsigned char **data, mg_error *err)
{
    uint32_t len, dims[MG_TENSOR_MAX_DIMS];
    unsigned char kind[2];
    if (!take_u32(r, &len) || len > r->left)
        return mg_error_set(err, MG_EFORMAT, "%s: malformed record header", path);
    const char *name = (const char *)r->p;
    take(r, NULL, len);
    if (len != strlen(want->name) || memcmp(name, want->name, len) != 0)
        return mg_error_set(err, MG_EFORMAT, "%s: holds '%.*s' where the model expects '%s'",
                            path, (int)(len < 200 ? len : 200), name, want->name);
    if (!take(r, kind, 2) || kind[1] > MG_TENSOR_MAX_DIMS)
        return mg_error_set(err, MG_EFORMAT, "%s: malformed record '%s'", path, want->name);
    for (int d = 0; d < kind[1]; d++)
        if (!take_u32(r, &dims[d]))
            return mg_error_set(err, MG_EFORMAT, "%s: malformed record '%s'", path, want->name);
    int same = kind[0] == want->dtype && kind[1] == want->ndim;
    for (int d = 0; same && d < want->ndim; d++)
        same = dims[d] == (uint32_t)want->shape[d];
    if (!same) {
        uint32_t wd[MG_TENSOR_MAX_DIMS];
        for (int d = 0; d < want->ndim; d++)
            wd[d] = (uint32_t)want->shape[d];
        char have[80], need[80];
        shape_str(have, sizeof have, kind[1], dims);
        shape_str(need, sizeof need, want->ndim, wd);
        return mg_error_set(err, MG_EFORMAT,
                            "%s: '%s' is %s %s in the checkpoint, the model needs %s %s", path,
                            want->name, kind[0] == MG_F32 ? "f32" : "f64", have,
                            want->dtype == MG_F32 ? "f32" : "f64", need);
    }
    *data = r->p;
    if (!take(r, NULL, record_bytes(want)))
        return mg_error_set(err, MG_EFORMAT, "%s: record '%s' is cut short", path, want->name);
    return MG_OK;
}

static mg_code parse(const char *path, const unsigned char *b, size_t size, char *meta,
                     size_t meta_cap, const mg_ckpt_record *recs, int n, mg_error *err)
{
    reader r = { b + sizeof MAGIC + 4, size - sizeof MAGIC - 8 };
    uint32_t meta_len, count;
    if (!take_u32(&r, &meta_len) || meta_len > r.left)
        return mg_error_set(err, MG_EFORMAT, "%s: malformed metadata", path);
    if (meta && meta_cap) {
        size_t k = meta_len < meta_cap - 1 ? meta_len : meta_cap - 1;
        memcpy(meta, r.p, k);
        meta[k] = '\0';
    }
    take(&r, NULL, meta_len);
    if (!take_u32(&r, &count))
        return mg_error_set(err, MG_EFORMAT, "%s: malformed record count", path);
    if (count != (uint32_t)n)
        return mg_error_set(err, MG_EFORMAT, "%s: holds %u tensors, the model has %d", path,
                            count, n);
    const unsigned char **data = malloc((n ? (size_t)n : 1) * sizeof *data);
    if (!data)
        return mg_error_set(err, MG_ENOMEM, "checkpoint: out of memory");
    mg_code rc = MG_OK;
    for (int i = 0; i < n && rc == MG_OK; i++)
        rc = match_record(path, &r, &recs[i], &data[i], err);
    if (rc == MG_OK && r.left != 0)
        rc = mg_error_set(err, MG_EFORMAT, "%s: %zu unexpected bytes after the records", path,
                          r.left);
    for (int i = 0; i < n && rc == MG_OK; i++)
        memcpy(recs[i].data, data[i], record_bytes(&recs[i]));
    free(data);
    return rc;
}

/* Reads path whole and checks its envelope; *buf is the caller's to free. */
static mg_code read_checked(const char *path, unsigned char **buf, size_t *size, mg_error *err)
{
    if (!path)
        return mg_error_set(err, MG_EINVAL, "checkpoint: no path");
    if (!host_is_little_endian())
        return mg_error_set(err, MG_EINVAL, "checkpoint: big-endian hosts are not supported");
    *buf = NULL;
    mg_code rc = slurp(path, buf, size, err);
    if (rc == MG_OK)
        rc = check_envelope(path, *buf, *size, err);
    return rc;
}

mg_code mg_checkpoint_meta(const char *path, char *meta, size_t meta_cap, mg_error *err)
{
    if (!meta || meta_cap == 0)
        return mg_error_set(err, MG_EINVAL, "checkpoint: no room for the metadata");
    unsigned char *buf;
    size_t size;
    mg_code rc = read_checked(path, &buf, &size, err);
    if (rc == MG_OK) {
        reader r = { buf + sizeof MAGIC + 4, size - sizeof MAGIC - 8 };
        uint32_t len;
        if (!take_u32(&r, &len) || len > r.left)
            rc = mg_error_set(err, MG_EFORMAT, "%s: malformed metadata", path);
        else {
            size_t k = len < meta_cap - 1 ? len : meta_cap - 1;
            memcpy(meta, r.p, k);
            meta[k] = '\0';
        }
    }
    free(buf);
    return rc;
}

mg_code mg_checkpoint_load(const char *path, char *meta, size_t meta_cap,
                           const mg_ckpt_record *recs, int n, mg_error *err)
{
    mg_code rc = check_records(recs, n, err);
    unsigned char *buf = NULL;
    size_t size = 0;
    if (rc == MG_OK)
        rc = read_checked(path, &buf, &size, err);
    if (rc == MG_OK)
        rc = parse(path, buf, size, meta, meta_cap, recs, n, err);
    free(buf);
    return rc;
}

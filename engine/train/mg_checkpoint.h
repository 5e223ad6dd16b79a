/* mg_checkpoint.h — saving and restoring named tensors (a model's parameters,
 * an optimiser's state) with a line of metadata, safely.
 *
 * File format, version 1. All integers little-endian.
 *     "MGCKPT\r\n"                 8 bytes: magic (the \r\n catches text-mode damage)
 *     u32 version                  1
 *     u32 meta_len, meta bytes     free text, e.g. "arch=784,128,10 optim=adam epoch=3"
 *     u32 count                    number of records
 *     count records:
 *         u32 name_len, name bytes ("mlp/layer1/W", "adam.m/mlp/layer1/W")
 *         u8 dtype (0 = f32, 1 = f64), u8 ndim, ndim × u32 dims
 *         the data: numel × 4 or 8 bytes, IEEE-754 little-endian
 *     u32 crc32                    zlib's CRC-32 of every byte before it
 * The file is written through mg_file.h (a temporary file created exclusively
 * beside path, synced, renamed over it), so a reader sees the old file or the
 * whole new one, and a planted link is never followed. Reading is bounded by
 * the input cap of mg_limits.h.
 *
 * Loading checks the magic, version, size and CRC first, then that the file
 * holds exactly the records the caller expects (names, dtypes, shapes); any
 * difference is refused with a message naming it, before a byte of the
 * caller's buffers is written. */
#ifndef MG_CHECKPOINT_H
#define MG_CHECKPOINT_H

#include <stddef.h>

#include "mg_error.h"
#include "mg_tensor.h"

MG_EXTERN_C_BEGIN

enum { MG_CHECKPOINT_VERSION = 1 };

/* One named buffer of a checkpoint. */
typedef struct mg_ckpt_record {
    const char *name;
    mg_dtype dtype;
    int ndim;
    int shape[MG_TENSOR_MAX_DIMS];
    void *data; /* numel elements of dtype: read on save, written on load */
} mg_ckpt_record;

/* A record describing tensor t's data under name (name is not copied). */
MG_API mg_ckpt_record mg_ckpt_tensor(const char *name, const mg_tensor *t);

/* Writes meta and the records to path atomically. MG_OK or MG_EIO. */
MG_API mg_code mg_checkpoint_save(const char *path, const char *meta, const mg_ckpt_record *recs,
                           int n, mg_error *err);
/* Reads path's metadata into meta (meta_cap bytes, NUL-terminated, may be
 * NULL) and, if it holds exactly the n records described, their data into
 * recs[i].data. MG_OK, or MG_EIO / MG_EFORMAT with a message. */
MG_API mg_code mg_checkpoint_load(const char *path, char *meta, size_t meta_cap,
                           const mg_ckpt_record *recs, int n, mg_error *err);
/* Reads only path's metadata into meta (meta_cap >= 1 bytes, NUL-terminated),
 * after the same checks of magic, version and CRC. */
MG_API mg_code mg_checkpoint_meta(const char *path, char *meta, size_t meta_cap, mg_error *err);

MG_EXTERN_C_END

#endif

/* mg_idx.h — the IDX files of MNIST and Fashion-MNIST, gzip-compressed or
 * not, and what training needs from them: an image set in memory and
 * shuffled, seeded mini-batches.
 *
 * IDX layout (big-endian): 0x00 0x00, an element type byte (0x08 = unsigned
 * byte, the only type these datasets use), a dimension count, that many
 * 32-bit sizes, then the elements in row-major order. A file that is
 * truncated, has a bad magic, an unsupported type, zero-sized dims, or bytes
 * after the data is refused with a message naming the file and the problem. */
#ifndef MG_IDX_H
#define MG_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "mg_error.h"
#include "mg_rng.h"

MG_EXTERN_C_BEGIN

enum { MG_IDX_MAX_DIMS = 4, MG_IDX_UBYTE = 0x08 };

typedef struct mg_idx {
    int ndim;
    uint32_t dims[MG_IDX_MAX_DIMS];
    size_t count;   /* number of elements: the product of dims */
    uint8_t *data;  /* count unsigned bytes */
} mg_idx;

/* Reads an IDX file (gzip or plain, detected from its first bytes) into out.
 * MG_OK, or MG_EIO / MG_EFORMAT / MG_ENOMEM with err filled; out is then empty. */
MG_API mg_code mg_idx_read(const char *path, mg_idx *out, mg_error *err);
/* Frees out's data and empties it; NULL is a no-op. */
MG_API void mg_idx_free(mg_idx *out);

/* Labelled images, kept as the file's bytes (a quarter of the memory of
 * floats); mg_image_set_rows() scales the rows a batch needs to [0,1]. */
typedef struct mg_image_set {
    uint8_t *pixels; /* n rows of dim pixels, 0..255 */
    int32_t *y;      /* n labels in [0, classes) */
    int n, dim, classes;
    int image_ndim;  /* one image's shape: the file's dims after the count */
    uint32_t image_dims[MG_IDX_MAX_DIMS - 1];
} mg_image_set;

/* Loads images [n,rows,cols] and labels [n] from two IDX files; the counts
 * must agree and every label must be below `classes`. An image may have at
 * most mg_limits' image_pixels pixels (a model's width follows it): a file
 * declaring more is refused with a message naming the cap. */
MG_API mg_code mg_image_set_load(const char *images, const char *labels, int classes,
                          mg_image_set *out, mg_error *err);
/* Fashion-MNIST's train (train != 0) or test split from dir, which holds the
 * four files as Debian's dataset-fashion-mnist installs them; NULL dir means
 * MG_FASHION_MNIST_DIR. */
#define MG_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"
MG_API mg_code mg_fashion_mnist_load(const char *dir, int train, mg_image_set *out, mg_error *err);
/* Writes rows idx[0..count-1] (rows first..first+count-1 when idx is NULL)
 * as floats pixel/255 into out (count × dim) and their labels into labels. */
MG_API void mg_image_set_rows(const mg_image_set *s, const int *idx, int first, int count, float *out,
                       int32_t *labels);
/* MG_OK when test's images have the shape of train's (not only as many
 * pixels) and the same classes; else MG_EFORMAT naming both shapes. */
MG_API mg_code mg_image_sets_match(const mg_image_set *train, const mg_image_set *test,
                                   mg_error *err);
/* Keeps only the first n samples (n smaller than the set). */
MG_API void mg_image_set_truncate(mg_image_set *s, int n);
MG_API void mg_image_set_free(mg_image_set *s);

/* Mini-batches over n samples: a seeded shuffle per epoch, then consecutive
 * slices of `batch` indices; the last one of an epoch may be shorter. */
typedef struct mg_batcher {
    int n, batch, pos;
    int *order;
    uint64_t seed;
} mg_batcher;

MG_API mg_code mg_batcher_init(mg_batcher *b, int n, int batch, uint64_t seed, mg_error *err);
MG_API void mg_batcher_free(mg_batcher *b);
/* Starts epoch `epoch`: the order depends only on the seed and the epoch
 * number, so a run resumed from a checkpoint sees the same batches. */
MG_API void mg_batcher_shuffle(mg_batcher *b, int epoch);
/* The next batch's indices in *idx; returns their count, 0 at the epoch's end. */
MG_API int mg_batcher_next(mg_batcher *b, const int **idx);
/* Number of batches per epoch. */
MG_API int mg_batcher_count(const mg_batcher *b);

MG_EXTERN_C_END

#endif

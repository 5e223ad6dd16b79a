/* idx_dataset.c — labelled image sets from IDX files, and Fashion-MNIST. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idx_internal.h"
#include "kernels_internal.h"
#include "mg_idx.h"
#include "mg_limits.h"
#include "mg_size.h"


void mg_image_set_free(mg_image_set *s)
{
    if (!s)
        return;
    free(s->pixels);
    free(s->y);
    memset(s, 0, sizeof *s);
}

void mg_image_set_truncate(mg_image_set *s, int n)
{
    if (s && n >= 0 && n < s->n)
        s->n = n;
}

/* Takes img's bytes as the pixels (img is left empty) and checks the labels. */
static mg_code fill(mg_idx *img, const mg_idx *lab, int classes, const char *labels,
                    mg_image_set *out, mg_error *err)
{
    const size_t n = img->dims[0], dim = img->count / n;
    if (lab->ndim != 1 || lab->dims[0] != n)
        return mg_error_set(err, MG_EFORMAT, "%s: %u labels for %zu images", labels,
                            lab->dims[0], n);
    if (n > INT32_MAX)
        return mg_error_set(err, MG_EFORMAT, "%s: %zu images is too many", labels, n);
    out->y = mg_alloc_array(n, sizeof *out->y);
    if (!out->y)
        return mg_error_set(err, MG_ENOMEM, "out of memory for %zu images", n);
    for (size_t i = 0; i < n; i++) {
        if (lab->data[i] >= classes)
            return mg_error_set(err, MG_EFORMAT, "%s: label %d of sample %zu is not below %d",
                                labels, lab->data[i], i, classes);
        out->y[i] = lab->data[i];
    }
    out->pixels = img->data;
    img->data = NULL;
    out->n = (int)n;
    out->dim = (int)dim;
    out->classes = classes;
    out->image_ndim = img->ndim - 1;
    memcpy(out->image_dims, img->dims + 1, sizeof *img->dims * (size_t)(img->ndim - 1));
    return MG_OK;
}

mg_code mg_image_sets_match(const mg_image_set *train, const mg_image_set *test, mg_error *err)
{
    if (!train || !test)
        return mg_error_set(err, MG_EINVAL, "image sets: NULL argument");
    bool same = train->image_ndim == test->image_ndim && train->classes == test->classes;
    for (int d = 0; same && d < train->image_ndim; d++)
        same = train->image_dims[d] == test->image_dims[d];
    if (same)
        return MG_OK;
    char a[64], b[64];
    idx_shape_text(train->image_ndim, train->image_dims, a, sizeof a);
    idx_shape_text(test->image_ndim, test->image_dims, b, sizeof b);
    return mg_error_set(err, MG_EFORMAT,
                        "train images are %s (%d classes), test images %s (%d classes): "
                        "not the same kind of image",
                        a, train->classes, b, test->classes);
}

/* A batch's rows, cut into slices the kernel pool gathers in parallel: the
 * rows sit at random places in the set, so the gather waits on memory. */
typedef struct row_slices {
    const mg_image_set *s;
    const int *idx;
    int first, count, slices;
    float *out;
    int32_t *labels;
} row_slices;

static void gather_rows(const mg_image_set *s, const int *idx, int first, int lo, int hi,
                        float *out, int32_t *labels)
{
    for (int i = lo; i < hi; i++) {
        const int row = idx ? idx[i] : first + i;
        const uint8_t *p = s->pixels + (size_t)row * s->dim;
        float *o = out + (size_t)i * s->dim;
        mg_su8_scale(s->dim, 1.0f / 255.0f, p, o);
        labels[i] = s->y[row];
    }
}

static void gather_slice(void *ctx, int k)
{
    const row_slices *r = ctx;
    gather_rows(r->s, r->idx, r->first, r->count * k / r->slices, r->count * (k + 1) / r->slices,
                r->out, r->labels);
}

void mg_image_set_rows(const mg_image_set *s, const int *idx, int first, int count, float *out,
                       int32_t *labels)
{
    row_slices r = { s, idx, first, count, 0, out, labels };
    r.slices = mg_kernel_team_size((double)count * (double)s->dim, 1 << 15);
    mg_kernel_run(gather_slice, &r, r.slices, r.slices);
}

mg_code mg_image_set_load(const char *images, const char *labels, int classes,
                          mg_image_set *out, mg_error *err)
{
    if (!images || !labels || !out || classes < 1 || classes > 256)
        return mg_error_set(err, MG_EINVAL, "image set: bad arguments");
    memset(out, 0, sizeof *out);
    mg_idx img, lab;
    mg_code rc = idx_read(images, mg_limits_get().image_pixels, &img, err);
    if (rc != MG_OK)
        return rc;
    if (img.ndim < 2) {
        mg_idx_free(&img);
        return mg_error_set(err, MG_EFORMAT, "%s: images need at least 2 dimensions, not %d",
                            images, img.ndim);
    }

    rc = mg_idx_read(labels, &lab, err);
    if (rc == MG_OK)
        rc = fill(&img, &lab, classes, labels, out, err);
    if (rc != MG_OK)
        mg_image_set_free(out);
    mg_idx_free(&img);
    mg_idx_free(&lab);
    return rc;
}

mg_code mg_fashion_mnist_load(const char *dir, int train, mg_image_set *out, mg_error *err)
{
    char images[1024], labels[1024];
    const char *split = train ? "train" : "t10k";
    if (!dir)
        dir = MG_FASHION_MNIST_DIR;
    snprintf(images, sizeof images, "%s/%s-images-idx3-ubyte.gz", dir, split);
    snprintf(labels, sizeof labels, "%s/%s-labels-idx1-ubyte.gz", dir, split);
    return mg_image_set_load(images, labels, 10, out, err);
}

/* test_tensor_data.h — a small Fashion-MNIST look-alike for tests: 4x4
 * images whose class lights two pixels over noise, written as the four
 * gzip IDX files of Debian's dataset-fashion-mnist into a directory. */
#ifndef MG_TEST_TENSOR_DATA_H
#define MG_TEST_TENSOR_DATA_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "mg_rng.h"

enum { FAKE_SIDE = 4, FAKE_PIXELS = FAKE_SIDE * FAKE_SIDE };

static inline void fake_idx(const char *dir, const char *name, int ndim, const uint32_t *dims,
                            const uint8_t *data, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    gzFile f = gzopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    unsigned char head[4 + 4 * 3] = { 0, 0, 0x08, (unsigned char)ndim };
    for (int i = 0; i < ndim; i++)
        for (int k = 0; k < 4; k++)
            head[4 + 4 * i + k] = (unsigned char)(dims[i] >> (24 - 8 * k));
    gzwrite(f, head, 4u + 4u * (unsigned)ndim);
    gzwrite(f, data, (unsigned)n);
    gzclose(f);
}

/* n images of a split ("train" or "t10k"): class c lights pixels c and c+1. */
static inline void fake_split(const char *dir, const char *split, uint32_t n, uint64_t seed)
{
    uint8_t *img = malloc((size_t)n * FAKE_PIXELS), *lab = malloc(n);
    ck_assert(img && lab);
    mg_rng r;
    mg_rng_seed(&r, seed);
    for (uint32_t i = 0; i < n; i++) {
        lab[i] = (uint8_t)mg_rng_below(&r, 10);
        for (int p = 0; p < FAKE_PIXELS; p++)
            img[i * FAKE_PIXELS + p] = (uint8_t)mg_rng_below(&r, 60);
        img[i * FAKE_PIXELS + lab[i]] = 220;
        img[i * FAKE_PIXELS + lab[i] + 1] = 200;
    }
    char name[64];
    snprintf(name, sizeof name, "%s-images-idx3-ubyte.gz", split);
    fake_idx(dir, name, 3, (const uint32_t[]){ n, FAKE_SIDE, FAKE_SIDE }, img,
             (size_t)n * FAKE_PIXELS);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte.gz", split);
    fake_idx(dir, name, 1, (const uint32_t[]){ n }, lab, n);
    free(img);
    free(lab);
}

/* The four files: 600 training and 200 test images. */
static inline void fake_fashion_mnist(const char *dir)
{
    fake_split(dir, "train", 600, 1);
    fake_split(dir, "t10k", 200, 2);
}

#endif

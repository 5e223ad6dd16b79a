/* test_idx.c — the IDX reader on files the test writes (plain and gzip):
 * round trips, truncation at several points, bad magic and types, wrong
 * dimensions, trailing bytes, corrupt gzip; image sets; seeded batches. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "test_util.h"
#include "test_tensor_data.h"
#include "mg_idx.h"
#include "mg_limits.h"

static char dir[64];

static void setup(void) { tu_tmpdir(dir, sizeof dir, "mgviz-test-idx"); }

static void teardown(void)
{
    tu_rmrf(dir);
}

/* An IDX image of ndim dims (big-endian) with bytes i*7+1, in memory. */
static size_t make_idx(unsigned char *buf, int ndim, const uint32_t *dims)
{
    size_t n = 4, count = 1;
    buf[0] = 0, buf[1] = 0, buf[2] = MG_IDX_UBYTE, buf[3] = (unsigned char)ndim;
    for (int i = 0; i < ndim; i++) {
        buf[n++] = (unsigned char)(dims[i] >> 24);
        buf[n++] = (unsigned char)(dims[i] >> 16);
        buf[n++] = (unsigned char)(dims[i] >> 8);
        buf[n++] = (unsigned char)dims[i];
        count *= dims[i];
    }
    for (size_t i = 0; i < count; i++)
        buf[n++] = (unsigned char)(i * 7 + 1);
    return n;
}

static const char *write_file(const char *name, const unsigned char *p, size_t n, int gz)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (gz) {
        gzFile f = gzopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(gzwrite(f, p, (unsigned)n), (int)n);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(p, 1, n, f), n);
        fclose(f);
    }
    return path;
}

static void expect_refused(const char *path, const char *fragment)
{
    mg_idx x;
    mg_error err;
    mg_error_clear(&err);
    ck_assert_int_ne(mg_idx_read(path, &x, &err), MG_OK);
    ck_assert_msg(strstr(err.message, fragment) != NULL, "wanted '%s' in '%s'", fragment,
                  err.message);
    ck_assert_msg(strstr(err.message, path) != NULL, "message names the file");
    ck_assert_ptr_null(x.data);
}

START_TEST(test_round_trip_plain_and_gzip)
{
    unsigned char buf[4096];
    const uint32_t dims[] = { 5, 4, 3 };
    size_t n = make_idx(buf, 3, dims);
    for (int gz = 0; gz < 2; gz++) {
        const char *path = write_file(gz ? "a.gz" : "a", buf, n, gz);
        mg_idx x;
        ck_assert_int_eq(mg_idx_read(path, &x, NULL), MG_OK);
        ck_assert_int_eq(x.ndim, 3);
        ck_assert_uint_eq(x.dims[0], 5);
        ck_assert_uint_eq(x.dims[2], 3);
        ck_assert_uint_eq(x.count, 60);
        for (size_t i = 0; i < 60; i++)
            ck_assert_uint_eq(x.data[i], (unsigned char)(i * 7 + 1));
        mg_idx_free(&x);
    }
}
END_TEST

START_TEST(test_truncated_files_are_refused)
{
    unsigned char buf[4096];
    const uint32_t dims[] = { 10, 8 };
    size_t n = make_idx(buf, 2, dims);
    const size_t cuts[] = { 0, 2, 4, 9, 12, 13, 50, n - 1 };
    for (int gz = 0; gz < 2; gz++)
        for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
            const char *path = write_file(gz ? "t.gz" : "t", buf, cuts[c], gz);
            expect_refused(path, cuts[c] < 12 ? "truncated IDX header" : "truncated");
        }
}
END_TEST

START_TEST(test_bad_headers_are_refused)
{
    unsigned char buf[4096];
    const uint32_t dims[] = { 3, 2 };
    size_t n = make_idx(buf, 2, dims);
    buf[1] = 8; /* bad magic */
    expect_refused(write_file("m", buf, n, 0), "not an IDX file");
    buf[1] = 0;
    buf[2] = 0x0D; /* float elements */
    expect_refused(write_file("f", buf, n, 1), "type 0x0d is not supported");
    buf[2] = MG_IDX_UBYTE;
    buf[3] = 7; /* too many dims */
    expect_refused(write_file("d", buf, n, 0), "7 dimensions");
    buf[3] = 2;
    buf[7] = 0; /* dims[0] = 0 */
    expect_refused(write_file("z", buf, n, 0), "dimension 0 is 0");
    buf[7] = 3;
    buf[4] = 0x7f; /* dims claim 2 GiB: refused before any allocation */
    expect_refused(write_file("h", buf, n, 0),
                   "more than the cap of 1 GiB on input files (set MGVIZ_MAX_INPUT_BYTES");
    buf[4] = 0;
    buf[n] = 9; /* one byte too many */
    expect_refused(write_file("x", buf, n + 1, 1), "bytes after");
    mg_idx x;
    mg_error err;
    ck_assert_int_eq(mg_idx_read("/nonexistent/file.gz", &x, &err), MG_EIO);
    ck_assert(strstr(err.message, "/nonexistent/file.gz") != NULL);
}
END_TEST

START_TEST(test_corrupt_gzip_is_refused)
{
    unsigned char buf[8192];
    const uint32_t dims[] = { 40, 50 };
    size_t n = make_idx(buf, 2, dims);
    const char *path = write_file("c.gz", buf, n, 1);
    FILE *f = fopen(path, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    for (long at = 12; at < size - 8; at += 5) { /* wreck the deflate stream */
        fseek(f, at, SEEK_SET);
        fputc(0xA5, f);
    }
    fclose(f);
    mg_idx x;
    mg_error err;
    ck_assert_int_ne(mg_idx_read(path, &x, &err), MG_OK);
    ck_assert_ptr_null(x.data);
}
END_TEST

/* Appends n bytes to the file at path. */
static void append_bytes(const char *path, const char *bytes, size_t n)
{
    FILE *f = fopen(path, "ab");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
    fclose(f);
}

/* A gzip file is its IDX data and nothing else (gzread skips what follows
 * the last member); several gzip members (gzip -c a b) are one stream. */
START_TEST(test_bytes_after_gzip_are_refused)
{
    unsigned char buf[512];
    const uint32_t dims[] = { 4, 5 };
    size_t n = make_idx(buf, 2, dims);
    const char *path = write_file("g.gz", buf, n, 1);
    char saved[256];
    snprintf(saved, sizeof saved, "%s", path);
    append_bytes(saved, "TRAILING", 8);
    expect_refused(saved, "8 bytes after the gzip data");
    /* the same bytes split over two members read as one file */
    char first[256], second[256];
    snprintf(first, sizeof first, "%s", write_file("m1.gz", buf, 10, 1));
    snprintf(second, sizeof second, "%s", write_file("m2.gz", buf + 10, n - 10, 1));
    char *tail = NULL;
    size_t tail_len = 0;
    FILE *f = fopen(second, "rb");
    ck_assert_ptr_nonnull(f);
    tail = malloc(4096);
    tail_len = fread(tail, 1, 4096, f);
    fclose(f);
    append_bytes(first, tail, tail_len);
    free(tail);
    mg_idx x;
    mg_error err;
    ck_assert_msg(mg_idx_read(first, &x, &err) == MG_OK, "%s", err.message);
    ck_assert_uint_eq(x.count, 20);
    ck_assert_uint_eq(x.data[19], (unsigned char)(19 * 7 + 1));
    mg_idx_free(&x);
    /* a member that is cut short is refused, as is one more member of data */
    append_bytes(first, "\x1f\x8b\x08", 3);
    expect_refused(first, "corrupt gzip data");
}
END_TEST

/* An image's size sizes a model: a small gzip file declaring 1000x1000
 * images is refused from its header, naming the cap and how to raise it. */
START_TEST(test_huge_images_are_refused)
{
    char images[256], labels[256];
    snprintf(images, sizeof images, "%s/i.gz", dir);
    snprintf(labels, sizeof labels, "%s/l.gz", dir);
    unsigned char head[16] = { 0, 0, MG_IDX_UBYTE, 3, 0, 0, 0, 2, 0, 0, 0x03, 0xe8, 0, 0, 0x03, 0xe8 };
    gzFile f = gzopen(images, "wb9");
    ck_assert_ptr_nonnull(f);
    gzwrite(f, head, sizeof head);
    static unsigned char zeros[1 << 16];
    for (int i = 0; i < 30; i++) /* 2 MB of pixels: a 2 KB file */
        gzwrite(f, zeros, sizeof zeros);
    gzwrite(f, zeros, 2000000 - 30 * (1 << 16));
    gzclose(f);
    unsigned char lab[10];
    const uint32_t ldims[] = { 2 };
    size_t k = make_idx(lab, 1, ldims);
    lab[8] = lab[9] = 1;
    write_file("l.gz", lab, k, 1);
    mg_image_set s;
    mg_error err;
    ck_assert_int_eq(mg_image_set_load(images, labels, 10, &s, &err), MG_EFORMAT);
    ck_assert_msg(strstr(err.message, "1000x1000 = 1000000 pixels") &&
                      strstr(err.message, "cap of 65536 pixels") &&
                      strstr(err.message, "MGVIZ_MAX_IMAGE_PIXELS"), "%s", err.message);
    ck_assert_ptr_null(s.pixels);
    /* raised, the same file loads */
    mg_limits_set(&(mg_limits){ .image_pixels = 1000000 });
    mg_code rc = mg_image_set_load(images, labels, 10, &s, &err);
    mg_limits_set(NULL);
    ck_assert_msg(rc == MG_OK, "%s", err.message);
    ck_assert_int_eq(s.dim, 1000000);
    mg_image_set_free(&s);
}
END_TEST

/* Train and test images must have the same shape, not only as many pixels. */
START_TEST(test_image_shapes_must_match)
{
    unsigned char buf[256];
    const uint32_t a_dims[] = { 2, 2, 6 }, b_dims[] = { 2, 3, 4 }, ldims[] = { 2 };
    char a[256], b[256], l[256];
    snprintf(a, sizeof a, "%s", write_file("a.gz", buf, make_idx(buf, 3, a_dims), 1));
    snprintf(b, sizeof b, "%s", write_file("b.gz", buf, make_idx(buf, 3, b_dims), 1));
    size_t k = make_idx(buf, 1, ldims);
    buf[8] = buf[9] = 0;
    snprintf(l, sizeof l, "%s", write_file("l.gz", buf, k, 1));
    mg_image_set train, test, same;
    mg_error err;
    ck_assert_int_eq(mg_image_set_load(a, l, 10, &train, &err), MG_OK);
    ck_assert_int_eq(mg_image_set_load(b, l, 10, &test, &err), MG_OK);
    ck_assert_int_eq(mg_image_set_load(a, l, 10, &same, &err), MG_OK);
    ck_assert_int_eq(train.dim, test.dim);
    ck_assert_int_eq(mg_image_sets_match(&train, &test, &err), MG_EFORMAT);
    ck_assert_msg(strstr(err.message, "train images are 2x6") && strstr(err.message, "test images 3x4"),
                  "%s", err.message);
    ck_assert_int_eq(mg_image_sets_match(&train, &same, &err), MG_OK);
    mg_image_set_free(&train);
    mg_image_set_free(&test);
    mg_image_set_free(&same);
}
END_TEST

static void write_set(const char *images, const char *labels, uint32_t n, uint32_t nlabels,
                      int label_max)
{
    unsigned char buf[8192];
    const uint32_t idims[] = { n, 2, 3 };
    size_t k = make_idx(buf, 3, idims);
    write_file(images, buf, k, 1);
    const uint32_t ldims[] = { nlabels };
    k = make_idx(buf, 1, ldims);
    for (uint32_t i = 0; i < nlabels; i++)
        buf[8 + i] = (unsigned char)(i % (unsigned)(label_max + 1));
    write_file(labels, buf, k, 1);
}

START_TEST(test_image_sets)
{
    char images[256], labels[256];
    snprintf(images, sizeof images, "%s/train-images-idx3-ubyte.gz", dir);
    snprintf(labels, sizeof labels, "%s/train-labels-idx1-ubyte.gz", dir);
    write_set("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 12, 12, 9);
    mg_image_set s;
    mg_error err;
    ck_assert_int_eq(mg_fashion_mnist_load(dir, 1, &s, &err), MG_OK);
    ck_assert_int_eq(s.n, 12);
    ck_assert_int_eq(s.dim, 6);
    ck_assert_int_eq(s.y[11], 1);
    ck_assert_uint_eq(s.pixels[1], 8);
    float rows[2 * 6];
    int32_t row_labels[2];
    mg_image_set_rows(&s, (const int[]){ 3, 0 }, 0, 2, rows, row_labels);
    ck_assert_int_eq(row_labels[0], 3);
    ck_assert_float_eq_tol(rows[1], (float)(unsigned char)((3 * 6 + 1) * 7 + 1) / 255.0f, 1e-7f);
    ck_assert_float_eq_tol(rows[6 + 1], 8.0f / 255.0f, 1e-7f);
    mg_image_set_rows(&s, NULL, 2, 1, rows, row_labels);
    ck_assert_int_eq(row_labels[0], 2);
    ck_assert_float_eq_tol(rows[0], (float)(unsigned char)(12 * 7 + 1) / 255.0f, 1e-7f);
    mg_image_set_truncate(&s, 5);
    ck_assert_int_eq(s.n, 5);
    mg_image_set_free(&s);
    /* the counts must agree, and labels must be classes */
    write_set("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 12, 11, 9);
    ck_assert_int_eq(mg_image_set_load(images, labels, 10, &s, &err), MG_EFORMAT);
    ck_assert(strstr(err.message, "11 labels for 12 images") != NULL);
    write_set("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 12, 12, 10);
    ck_assert_int_eq(mg_image_set_load(images, labels, 10, &s, &err), MG_EFORMAT);
    ck_assert(strstr(err.message, "label 10 of sample 10") != NULL);
    ck_assert_int_eq(mg_fashion_mnist_load(dir, 0, &s, &err), MG_EIO); /* no t10k files */
    ck_assert(strstr(err.message, "t10k-images-idx3-ubyte.gz") != NULL);
}
END_TEST

START_TEST(test_batches_are_seeded_permutations)
{
    mg_batcher b, same, other;
    ck_assert_int_eq(mg_batcher_init(&b, 10, 4, 7, NULL), MG_OK);
    ck_assert_int_eq(mg_batcher_init(&same, 10, 4, 7, NULL), MG_OK);
    ck_assert_int_eq(mg_batcher_init(&other, 10, 4, 8, NULL), MG_OK);
    ck_assert_int_eq(mg_batcher_count(&b), 3);
    int order[2][10];
    for (int epoch = 0; epoch < 2; epoch++) {
        mg_batcher_shuffle(&b, epoch);
        int seen[10] = { 0 }, k = 0, count;
        const int *idx;
        int sizes[3], nb = 0;
        while ((count = mg_batcher_next(&b, &idx)) > 0) {
            sizes[nb++] = count;
            for (int i = 0; i < count; i++) {
                seen[idx[i]]++;
                order[epoch][k++] = idx[i];
            }
        }
        ck_assert_int_eq(nb, 3);
        ck_assert_int_eq(sizes[2], 2); /* the last batch is short */
        for (int i = 0; i < 10; i++)
            ck_assert_int_eq(seen[i], 1);
    }
    ck_assert(memcmp(order[0], order[1], sizeof order[0]) != 0); /* epochs differ */
    mg_batcher_shuffle(&same, 1);
    mg_batcher_shuffle(&other, 1);
    ck_assert(memcmp(same.order, order[1], sizeof order[1]) == 0);
    ck_assert(memcmp(other.order, order[1], sizeof order[1]) != 0);
    mg_error err;
    ck_assert_int_eq(mg_batcher_init(&other, 0, 4, 1, &err), MG_EINVAL);
    mg_batcher_free(&b);
    mg_batcher_free(&same);
    mg_batcher_free(&other);
}
END_TEST

static Suite *idx_suite(void)
{
    Suite *s = suite_create("idx");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_round_trip_plain_and_gzip);
    tcase_add_test(tc, test_truncated_files_are_refused);
    tcase_add_test(tc, test_bad_headers_are_refused);
    tcase_add_test(tc, test_corrupt_gzip_is_refused);
    tcase_add_test(tc, test_image_sets);
    tcase_add_test(tc, test_bytes_after_gzip_are_refused);
    tcase_add_test(tc, test_huge_images_are_refused);
    tcase_add_test(tc, test_image_shapes_must_match);
    tcase_add_test(tc, test_batches_are_seeded_permutations);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(idx_suite()); }

/* test_checkpoint.c — checkpoints round-trip exactly, are written atomically,
 * and every kind of damage or mismatch is refused before the caller's
 * buffers are touched. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"
#include "mg_checkpoint.h"

static char dir[64];
static char path[256];

static float w[6] = { 1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, -7.0f };
static double b[2] = { 0.1, -1e300 };

static mg_ckpt_record recs[2] = {
    { .name = "mlp/layer1/W", .dtype = MG_F32, .ndim = 2, .shape = { 2, 3 }, .data = w },
    { .name = "mlp/layer1/b", .dtype = MG_F64, .ndim = 1, .shape = { 2 }, .data = b },
};

static void setup(void)
{
    tu_tmpdir(dir, sizeof dir, "mgviz-test-ckpt");
    snprintf(path, sizeof path, "%s/model.ckpt", dir);
    ck_assert_int_eq(mg_checkpoint_save(path, "arch=3,2 epoch=4", recs, 2, NULL), MG_OK);
}

static void teardown(void)
{
    tu_rmrf(dir);
}

/* Buffers to load into, filled with a marker so an early write would show. */
static float w2[6];
static double b2[2];
static mg_ckpt_record targets[2];

static void fresh_targets(void)
{
    memcpy(targets, recs, sizeof recs);
    targets[0].data = w2;
    targets[1].data = b2;
    for (int i = 0; i < 6; i++)
        w2[i] = 42.0f;
    b2[0] = b2[1] = 42.0;
}

static void expect_refused(const char *fragment)
{
    mg_error err;
    mg_error_clear(&err);
    ck_assert_int_ne(mg_checkpoint_load(path, NULL, 0, targets, 2, &err), MG_OK);
    ck_assert_msg(strstr(err.message, fragment) != NULL, "wanted '%s' in '%s'", fragment,
                  err.message);
    ck_assert_float_eq(w2[0], 42.0f);
    ck_assert_double_eq(b2[1], 42.0);
}

static long file_size(void)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    return (long)st.st_size;
}

static void poke(long at, int byte)
{
    FILE *f = fopen(path, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, at, SEEK_SET);
    fputc(byte, f);
    fclose(f);
}

START_TEST(test_round_trip_is_exact)
{
    fresh_targets();
    char meta[64];
    ck_assert_int_eq(mg_checkpoint_load(path, meta, sizeof meta, targets, 2, NULL), MG_OK);
    ck_assert_str_eq(meta, "arch=3,2 epoch=4");
    ck_assert(memcmp(w, w2, sizeof w) == 0);
    ck_assert(memcmp(b, b2, sizeof b) == 0);
    /* nothing but the checkpoint in the directory: the temporary was renamed */
    ck_assert_int_eq(tu_count_entries(dir), 1);
    ck_assert(tu_has_file(dir, "model.ckpt"));
    /* saving again replaces the file whole */
    w[0] = 9.0f;
    ck_assert_int_eq(mg_checkpoint_save(path, "epoch=5", recs, 2, NULL), MG_OK);
    w[0] = 1.5f;
    ck_assert_int_eq(mg_checkpoint_load(path, meta, sizeof meta, targets, 2, NULL), MG_OK);
    ck_assert_float_eq(w2[0], 9.0f);
    ck_assert_str_eq(meta, "epoch=5");
}
END_TEST

START_TEST(test_damage_is_refused)
{
    const long size = file_size();
    fresh_targets();
    poke(size / 2, 0x5A); /* one byte in the data */
    expect_refused("checksum mismatch");
    ck_assert_int_eq(mg_checkpoint_save(path, "x", recs, 2, NULL), MG_OK);
    const long cuts[] = { 0, 5, 20, file_size() - 1 };
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(truncate(path, cuts[i]), 0);
        expect_refused(cuts[i] < 8 ? "bad magic" : cuts[i] < 24 ? "truncated" : "checksum");
        ck_assert_int_eq(mg_checkpoint_save(path, "x", recs, 2, NULL), MG_OK);
    }
    poke(0, 'X');
    expect_refused("not an mgviz checkpoint");
    ck_assert_int_eq(mg_checkpoint_save(path, "x", recs, 2, NULL), MG_OK);
    poke(8, 2); /* version 2 */
    expect_refused("version 2");
    mg_error err;
    ck_assert_int_eq(mg_checkpoint_load("/nonexistent.ckpt", NULL, 0, targets, 2, &err), MG_EIO);
}
END_TEST

START_TEST(test_mismatch_is_refused)
{
    fresh_targets();
    targets[0].shape[1] = 4;
    expect_refused("'mlp/layer1/W' is f32 [2,3] in the checkpoint, the model needs f32 [2,4]");
    fresh_targets();
    targets[1].dtype = MG_F32;
    expect_refused("'mlp/layer1/b' is f64 [2]");
    fresh_targets();
    targets[1].name = "mlp/layer1/bias";
    expect_refused("holds 'mlp/layer1/b' where the model expects 'mlp/layer1/bias'");
    fresh_targets();
    mg_error err;
    ck_assert_int_ne(mg_checkpoint_load(path, NULL, 0, targets, 1, &err), MG_OK);
    ck_assert(strstr(err.message, "holds 2 tensors, the model has 1") != NULL);
    ck_assert_int_eq(mg_checkpoint_save("/nonexistent-dir/x.ckpt", "", recs, 2, &err), MG_EIO);
}
END_TEST

/* The temporary file's name is not predictable and never followed: a link
 * planted at the name saving once used (<path>.tmp.<pid>) stays untouched. */
START_TEST(test_planted_link_is_not_followed)
{
    char victim[300], planted[300];
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(planted, sizeof planted, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(victim, "w");
    ck_assert_ptr_nonnull(f);
    fputs("precious", f);
    fclose(f);
    ck_assert_int_eq(symlink(victim, planted), 0);
    ck_assert_int_eq(mg_checkpoint_save(path, "again", recs, 2, NULL), MG_OK);
    struct stat st;
    ck_assert_int_eq(stat(victim, &st), 0);
    ck_assert_int_eq(st.st_size, 8);
    fresh_targets();
    char meta[32];
    ck_assert_int_eq(mg_checkpoint_load(path, meta, sizeof meta, targets, 2, NULL), MG_OK);
    ck_assert_str_eq(meta, "again");
}
END_TEST

/* An endless or huge input is refused without reading it all. */
START_TEST(test_endless_input_is_refused)
{
    fresh_targets();
    mg_error err;
    ck_assert_int_eq(mg_checkpoint_load("/dev/zero", NULL, 0, targets, 2, &err), MG_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "not an mgviz checkpoint"));
    ck_assert_int_eq(w2[0], 42.0f);
}
END_TEST

static Suite *checkpoint_suite(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_round_trip_is_exact);
    tcase_add_test(tc, test_damage_is_refused);
    tcase_add_test(tc, test_mismatch_is_refused);
    tcase_add_test(tc, test_planted_link_is_not_followed);
    tcase_add_test(tc, test_endless_input_is_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(checkpoint_suite()); }

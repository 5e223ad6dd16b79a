/* test_train_tensor.c — the tensor training loop on a small generated
 * Fashion-MNIST look-alike (the real one is too slow under sanitizers):
 * it learns, warm steps allocate nothing, a resumed run equals an
 * uninterrupted one, and bad data or checkpoints are refused. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tools/train_tensor.h"
#include "check_main.h"
#include "test_tensor_data.h"

static char dir[] = "/tmp/mgviz-test-train-XXXXXX";
static char ckpt[256];
static FILE *sink;

static void setup(void)
{
    temp_dir_make(dir);
    fake_fashion_mnist(dir);
    snprintf(ckpt, sizeof ckpt, "%s/run.ckpt", dir);
    sink = fopen("/dev/null", "w");
}

static void teardown(void)
{
    temp_dir_remove(dir);
    strcpy(dir, "/tmp/mgviz-test-train-XXXXXX");
    fclose(sink);
}

static train_tensor_options small(void)
{
    train_tensor_options o = train_tensor_defaults(TRAIN_FASHION_MNIST);
    o.data_dir = dir;
    o.hidden[0] = 16;
    o.epochs = 3;
    o.batch = 32;
    o.optim.lr = 0.02; /* 57 steps in all: the default 0.002 is made for 9,380 */
    return o;
}

START_TEST(test_learns_without_allocating)
{
    train_tensor_options o = small();
    train_tensor_result res;
    mg_error err;
    ck_assert_msg(train_tensor_run(&o, sink, &res, &err) == MG_OK, "%s", err.message);
    ck_assert_int_eq(res.epochs_done, 3);
    ck_assert_msg(res.test_accuracy > 0.9, "accuracy %g", res.test_accuracy);
    ck_assert_uint_eq(res.warm_allocations, 0);
    /* SGD with momentum learns it too */
    o.optim = mg_optim_defaults(MG_OPTIM_SGD);
    o.optim.lr = 0.05;
    o.optim.momentum = 0.9;
    ck_assert_int_eq(train_tensor_run(&o, sink, &res, &err), MG_OK);
    ck_assert_msg(res.test_accuracy > 0.9, "momentum accuracy %g", res.test_accuracy);
}
END_TEST

static int same_file(const char *a, const char *b)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "cmp -s %s %s", a, b);
    return system(cmd) == 0;
}

START_TEST(test_resume_equals_uninterrupted)
{
    train_tensor_options o = small();
    o.cosine = 0; /* the schedule then does not depend on where a run stops */
    o.save = ckpt;
    train_tensor_result whole, resumed;
    mg_error err;
    ck_assert_int_eq(train_tensor_run(&o, sink, &whole, &err), MG_OK);
    char first[300];
    snprintf(first, sizeof first, "%s.whole", ckpt);
    ck_assert_int_eq(rename(ckpt, first), 0);
    o.epochs = 2;
    ck_assert_int_eq(train_tensor_run(&o, sink, &resumed, &err), MG_OK);
    o.epochs = 3;
    o.resume = ckpt;
    ck_assert_msg(train_tensor_run(&o, sink, &resumed, &err) == MG_OK, "%s", err.message);
    ck_assert_int_eq(resumed.epochs_done, 3);
    ck_assert_double_eq(resumed.last_loss, whole.last_loss);
    ck_assert(same_file(first, ckpt));
}
END_TEST

START_TEST(test_bad_checkpoints_and_data_are_refused)
{
    train_tensor_options o = small();
    o.epochs = 1;
    o.save = ckpt;
    mg_error err;
    ck_assert_int_eq(train_tensor_run(&o, sink, NULL, &err), MG_OK);
    o.save = NULL;
    o.resume = ckpt;
    o.hidden[0] = 8;
    ck_assert_int_ne(train_tensor_run(&o, sink, NULL, &err), MG_OK);
    ck_assert_msg(strstr(err.message, "arch=16,16,10") && strstr(err.message, "arch=16,8,10"),
                  "%s", err.message);
    o.hidden[0] = 16;
    o.optim = mg_optim_defaults(MG_OPTIM_SGD);
    ck_assert_int_ne(train_tensor_run(&o, sink, NULL, &err), MG_OK);
    ck_assert_msg(strstr(err.message, "optim=sgd") != NULL, "%s", err.message);
    FILE *f = fopen(ckpt, "r+b");
    fseek(f, 100, SEEK_SET);
    fputc(0x77, f);
    fclose(f);
    o = small();
    o.resume = ckpt;
    ck_assert_int_eq(train_tensor_run(&o, sink, NULL, &err), MG_EFORMAT);
    ck_assert_msg(strstr(err.message, "checksum") != NULL, "%s", err.message);
    o = small();
    o.data_dir = "/nonexistent";
    ck_assert_int_eq(train_tensor_run(&o, sink, NULL, &err), MG_EIO);
    ck_assert(strstr(err.message, "/nonexistent/train-images-idx3-ubyte.gz") != NULL);
}
END_TEST

START_TEST(test_moons_vectorised)
{
    train_tensor_options o = train_tensor_defaults(TRAIN_MOONS);
    train_tensor_result res;
    mg_error err;
    ck_assert_msg(train_tensor_run(&o, sink, &res, &err) == MG_OK, "%s", err.message);
    ck_assert_int_eq(res.epochs_done, 100);
    ck_assert_msg(res.test_accuracy >= 0.95, "accuracy %g", res.test_accuracy);
    ck_assert(res.last_loss < 0.2);
    ck_assert_uint_eq(res.warm_allocations, 0);
}
END_TEST

static Suite *train_suite(void)
{
    Suite *s = suite_create("train_tensor");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 200);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_learns_without_allocating);
    tcase_add_test(tc, test_resume_equals_uninterrupted);
    tcase_add_test(tc, test_bad_checkpoints_and_data_are_refused);
    tcase_add_test(tc, test_moons_vectorised);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return mg_check_run(train_suite()); }

/* test_tensor_train_cli.c — `mgviz train --dataset fashion-mnist` and
 * `--dataset moons --tensor` run as a subprocess (MGVIZ names the built
 * executable) on generated data: output, checkpoints and resume, and the exit
 * code and message of every kind of bad argument. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "mgviz_run.h"
#include "test_tensor_data.h"

static char dir[] = "/tmp/mgviz-test-tcli-XXXXXX";

typedef struct result {
    int status;
    char out[8192], err[2048];
} result;

static void slurp(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    size_t got = f ? fread(buf, 1, n - 1, f) : 0;
    buf[got] = '\0';
    if (f)
        fclose(f);
}

/* Runs `mgviz train ARGS` (shell text; $D is the data directory). */
static void train(const char *args, result *r)
{
    char out[300], err[300];
    snprintf(out, sizeof out, "%s/stdout", dir);
    snprintf(err, sizeof err, "%s/stderr", dir);
    r->status = mgviz_train(dir, args);
    slurp(out, r->out, sizeof r->out);
    slurp(err, r->err, sizeof r->err);
}

static size_t count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static void setup(void)
{
    temp_dir_make(dir);
    fake_fashion_mnist(dir);
}

static void teardown(void)
{
    temp_dir_remove(dir);
    strcpy(dir, "/tmp/mgviz-test-tcli-XXXXXX");
}

static const char RUN[] = "--dataset fashion-mnist --data-dir \"$D\" --hidden 16 --batch 32 "
                          "--lr 0.02 --no-progress";

START_TEST(test_run_save_and_resume)
{
    static result r;
    char args[512];
    snprintf(args, sizeof args, "%s --epochs 2 --save \"$D/c.ckpt\"", RUN);
    train(args, &r);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_uint_eq(count(r.out, "test accuracy"), 2);
    ck_assert_ptr_nonnull(strstr(r.out, "epoch 2/2"));
    snprintf(args, sizeof args, "%s --epochs 3 --resume \"$D/c.ckpt\"", RUN);
    train(args, &r);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "at epoch 2"));
    ck_assert_uint_eq(count(r.out, "test accuracy"), 1);
    ck_assert_ptr_nonnull(strstr(r.out, "epoch 3/3"));
    /* another model, or a damaged file: refused with a message, exit 1 */
    snprintf(args, sizeof args, "%s --hidden 8 --epochs 3 --resume \"$D/c.ckpt\"", RUN);
    train(args, &r);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "arch=16,8,10"));
    char cmd[600];
    snprintf(cmd, sizeof cmd, "head -c 100 '%s/c.ckpt' > '%s/cut.ckpt'", dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(args, sizeof args, "%s --resume \"$D/cut.ckpt\"", RUN);
    train(args, &r);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "checksum"));
}
END_TEST

START_TEST(test_moons_and_help)
{
    static result r;
    train("--dataset moons --tensor --epochs 20", &r);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "step 20 loss"));
    train("--dataset fashion-mnist --help", &r);
    ck_assert_int_eq(r.status, 0);
    const char *options[] = { "--hidden", "--epochs", "--batch", "--optimizer", "--lr",
                              "--seed", "--threads", "--save", "--resume" };
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        ck_assert_msg(strstr(r.out, options[i]) != NULL, "help lacks %s", options[i]);
}
END_TEST

START_TEST(test_bad_arguments_exit_2)
{
    static result r;
    const char *bad[][2] = {
        { "--optimizer rmsprop", "--optimizer: bad value 'rmsprop'" },
        { "--epochs 0", "--epochs: bad value '0'" },
        { "--hidden 16,0", "--hidden: bad value '16,0'" },
        { "--lr fast", "--lr: bad value 'fast'" },
        { "--schedule step", "--schedule: bad value 'step'" },
        { "--batch", "--batch needs a value" },
        { "--bogus", "unknown argument '--bogus'" },
        { "--data-dir /nonexistent", "/nonexistent/train-images-idx3-ubyte.gz" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char args[256];
        snprintf(args, sizeof args, "--dataset fashion-mnist %s", bad[i][0]);
        train(args, &r);
        ck_assert_msg(r.status == 2, "%s: exit %d", bad[i][0], r.status);
        ck_assert_msg(strstr(r.err, bad[i][1]) != NULL, "%s: stderr '%s'", bad[i][0], r.err);
    }
}
END_TEST

static Suite *tensor_cli_suite(void)
{
    Suite *s = suite_create("tensor_train_cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 200);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_run_save_and_resume);
    tcase_add_test(tc, test_moons_and_help);
    tcase_add_test(tc, test_bad_arguments_exit_2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return mg_check_run(tensor_cli_suite()); }

/* test_train_tensor_cli.c — `mgviz train` on the tensor engine run as a
 * subprocess (MGVIZ names the built executable): Fashion-MNIST on a small
 * generated look-alike (test accuracy per epoch in the run, checkpoints, a
 * resumed run equal to an uninterrupted one, other models' and damaged
 * checkpoints refused) and the moons vectorised (graphs with heatmaps). */
#include <stdbool.h>
#include <unistd.h>

#include "test_tensor_data.h"
#include "test_util.h"

static char dir[64];

static void setup(void)
{
    tu_tmpdir(dir, sizeof dir, "test_train_tensor_cli");
    fake_fashion_mnist(dir);
}

static void teardown(void) { tu_rmrf(dir); }

/* Runs `mgviz train ARGS` in dir (shell text; $D is dir); the exit status. */
static int train(const char *args) { return tu_mgviz_in(dir, "train %s", args); }

#define FASHION "--dataset fashion-mnist --data-dir . --hidden 16 --batch 32 --lr 0.02 " \
                "--no-progress --snapshot-every 0 "

START_TEST(fashion_learns_and_records_test_accuracy_per_epoch)
{
    int rc = train(FASHION "--epochs 3 --out r");
    char *out = tu_text(dir, "stdout"), *err = tu_text(dir, "stderr");
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_uint_eq(tu_count(out, "test accuracy"), 3);
    ck_assert_ptr_nonnull(strstr(out, "epoch 3/3"));
    char *steps = tu_text(dir, "r/steps.jsonl");
    ck_assert_uint_eq(tu_count(steps, "{\"event\":\"eval\""), 3);
    ck_assert_ptr_nonnull(strstr(steps, "\"epoch\":1,\"step\":18,\"split\":\"test\",\"samples\":200,"));
    double acc = tu_last_event_number(steps, "eval", "accuracy");
    ck_assert_msg(acc > 0.9, "test accuracy %g", acc);
    /* the health of both layers at each logged step */
    ck_assert_ptr_nonnull(strstr(steps, "\"layers\":{\"mlp/layer1\":{\"act\":\"relu\""));
    ck_assert_ptr_nonnull(strstr(steps, "\"mlp/layer2\":{\"act\":\"linear\""));
    char *info = tu_text(dir, "r/run.json");
    ck_assert_ptr_nonnull(strstr(info, "\"engine\":\"tensor\""));
    ck_assert_ptr_nonnull(strstr(info, "\"seed\":1337,")); /* one default everywhere */
    ck_assert_ptr_nonnull(strstr(info, "\"optimizer\":\"adam\""));
    /* a run by epochs still says how many steps it will take: the live page's
     * counter reads "step k / N" from it */
    const char *planned = strstr(info, "\"planned_steps\":");
    ck_assert_ptr_nonnull(planned);
    long long n = strtoll(planned + strlen("\"planned_steps\":"), NULL, 10);
    const char *last = NULL;
    for (const char *p = strstr(steps, "{\"step\":"); p; p = strstr(p + 1, "{\"step\":"))
        last = p;
    ck_assert_ptr_nonnull(last);
    ck_assert_int_eq(n, strtoll(last + strlen("{\"step\":"), NULL, 10) + 1);
    char *index = tu_text(dir, "r/index.html");
    ck_assert_ptr_nonnull(strstr(index, "<h2>Test set</h2>"));
    ck_assert_ptr_null(strstr(index, "decision boundary")); /* images have none */
    free(out);
    free(err);
    free(steps);
    free(info);
    free(index);
}
END_TEST

/* A checkpoint is taken at the end of an epoch: a run that stops between two
 * says which steps its checkpoint holds and which it does not. */
START_TEST(a_run_ending_mid_epoch_says_what_its_checkpoint_holds)
{
    int rc = train(FASHION "--steps 25 --save mid.ckpt --out m");
    char *out = tu_text(dir, "stdout"), *err = tu_text(dir, "stderr");
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_ptr_nonnull(strstr(out, "the checkpoint mid.ckpt holds the first 19 steps; the 6 "
                                      "after it are not in it (checkpoints are taken at the end "
                                      "of each epoch)\n"));
    free(out);
    free(err);
}
END_TEST

START_TEST(a_resumed_run_equals_an_uninterrupted_one)
{
    /* constant schedule: the rate then does not depend on where a run stops */
    ck_assert_int_eq(train(FASHION "--schedule constant --epochs 3 --save whole.ckpt --out a "
                                   "--quiet"), 0);
    ck_assert_int_eq(train(FASHION "--schedule constant --epochs 2 --save part.ckpt --out b "
                                   "--quiet"), 0);
    int rc = train(FASHION "--schedule constant --epochs 3 --resume part.ckpt --save part.ckpt "
                           "--out c");
    char *out = tu_text(dir, "stdout"), *err = tu_text(dir, "stderr");
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_ptr_nonnull(strstr(out, "resumed"));
    ck_assert_uint_eq(tu_count(out, "test accuracy"), 1);
    ck_assert_ptr_nonnull(strstr(out, "the checkpoint part.ckpt holds the first 57 steps\n"));
    ck_assert_int_eq(tu_run(dir, "cmp \"$D/whole.ckpt\" \"$D/part.ckpt\""), 0);
    char *steps = tu_text(dir, "c/steps.jsonl");
    ck_assert_ptr_nonnull(strstr(steps, "{\"event\":\"resume\","));
    ck_assert_ptr_nonnull(strstr(steps, "\"epoch\":2,\"step\":38}"));
    ck_assert_ptr_nonnull(strstr(steps, "{\"step\":50,\"epoch\":2,")); /* steps go on */
    free(out);
    free(err);
    free(steps);
    /* nothing left to do */
    ck_assert_int_eq(train(FASHION "--schedule constant --epochs 3 --resume whole.ckpt --out d"),
                     0);
    tu_file_has(dir, "stdout", "nothing to do");
}
END_TEST

START_TEST(other_models_and_damaged_checkpoints_are_refused)
{
    ck_assert_int_eq(train(FASHION "--epochs 1 --save c.ckpt --out a --quiet"), 0);
    ck_assert_int_eq(train(FASHION "--epochs 2 --hidden 8 --resume c.ckpt --out b"), 1);
    char *err = tu_text(dir, "stderr");
    ck_assert_msg(strstr(err, "arch=16,16,10") && strstr(err, "arch=16,8,10"), "%s", err);
    free(err);
    ck_assert_int_eq(train(FASHION "--epochs 2 --optimizer sgd --resume c.ckpt --out b2"), 1);
    err = tu_text(dir, "stderr");
    ck_assert_msg(strstr(err, "optim=sgd") != NULL, "%s", err);
    free(err);
    ck_assert_int_eq(tu_run(dir, "head -c 100 \"$D/c.ckpt\" > \"$D/cut.ckpt\""), 0);
    ck_assert_int_eq(train(FASHION "--epochs 2 --resume cut.ckpt --out b3"), 1);
    err = tu_text(dir, "stderr");
    ck_assert_msg(strstr(err, "checksum") != NULL, "%s", err);
    free(err);
    ck_assert_int_eq(train(FASHION "--data-dir /nonexistent --out b4"), 2);
    tu_file_has(dir, "stderr", "/nonexistent/train-images-idx3-ubyte.gz");
    ck_assert(!tu_exists(dir, "b4")); /* a run that could not start leaves no directory */
}
END_TEST

START_TEST(bad_arguments_exit_2)
{
    struct { const char *args, *says; } cases[] = {
        { "--optimizer rmsprop", "expected sgd, momentum, adam or adamw" },
        { "--epochs 0", "bad value '0' for --epochs: expected a whole number from 1 to" },
        { "--hidden 16,0", "bad value '16,0' for --hidden" },
        { "--lr fast", "bad value 'fast' for --lr" },
        { "--schedule step", "expected constant, linear or cosine" },
        { "--batch", "option --batch needs a value" },
        { "--bogus", "unknown option '--bogus'" },
        { "--optimizer adam --momentum 0.5", "--momentum applies to --optimizer sgd or momentum" },
        { "--batch 100000", "--batch 100000 is more than the 600 training samples" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char args[256];
        snprintf(args, sizeof args, "--dataset fashion-mnist --data-dir . %s", cases[i].args);
        int rc = train(args);
        char *err = tu_text(dir, "stderr");
        ck_assert_msg(rc == 2, "%s: exit %d (%s)", cases[i].args, rc, err);
        ck_assert_msg(strstr(err, cases[i].says) != NULL, "%s: stderr '%s'", cases[i].args, err);
        free(err);
    }
}
END_TEST

/* ---- the moons on tensors ---- */

static const int saved[] = { 0, 5, 10, 11 }; /* multiples of 5, and the last step */

static void moons_run(const char *format, const char *extra)
{
    char args[256];
    snprintf(args, sizeof args, "--tensor --steps 12 --hidden 8 --snapshot-every 5 --format %s "
             "%s --out m --force --quiet", format, extra);
    int rc = train(args);
    char *err = tu_text(dir, "stderr");
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
}

START_TEST(moons_on_tensors_draws_graphs_with_heatmaps)
{
    moons_run("png", "");
    for (size_t i = 0; i < 4; i++) {
        char name[96];
        snprintf(name, sizeof name, "m/snapshots/step-%06d-graph.png", saved[i]);
        ck_assert_msg(tu_exists(dir, name), "%s missing", name);
        snprintf(name, sizeof name, "m/snapshots/step-%06d-boundary.png", saved[i]);
        ck_assert_msg(tu_exists(dir, name), "%s missing", name);
        snprintf(name, sizeof name, "m/snapshots/step-%06d-sample.png", saved[i]);
        ck_assert_msg(tu_exists(dir, name), "%s missing", name);
    }
    moons_run("svg", "--json");
    char *svg = tu_text(dir, "m/snapshots/step-000005-graph.svg");
    ck_assert_uint_ge(tu_count(svg, "data:image/png;base64,"), 6); /* data and grad of W, b */
    ck_assert_ptr_nonnull(strstr(svg, "f32[2,8]"));
    free(svg);
    tu_file_has(dir, "m/snapshots/step-000005-graph.json", "\"shape\": [2,8]");
    moons_run("svg", "--no-heatmaps");
    tu_file_lacks(dir, "m/snapshots/step-000005-graph.svg", "<image");
    moons_run("dot", "");
    tu_file_has(dir, "m/snapshots/step-000005-graph.dot", "f32[8,1]");
    tu_file_has(dir, "m/snapshots/step-000005.json", "\"worst\":true");
}
END_TEST

START_TEST(moons_on_tensors_learns)
{
    ck_assert_int_eq(train("--engine tensor --snapshot-every 0 --out t --no-progress"), 0);
    char *steps = tu_text(dir, "t/steps.jsonl");
    const char *last = strstr(steps, "{\"step\":99,");
    ck_assert_ptr_nonnull(last);
    double loss, acc;
    ck_assert_int_eq(sscanf(last, "{\"step\":99,\"epoch\":99,\"loss\":%lf,\"accuracy\":%lf", &loss,
                            &acc), 2);
    ck_assert_msg(acc >= 0.95 && loss < 0.2, "accuracy %g loss %g", acc, loss);
    free(steps);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("train_tensor_cli");
    TCase *c = tcase_create("tensor");
    tcase_set_timeout(c, 300);
    tcase_add_checked_fixture(c, setup, teardown);
    tcase_add_test(c, fashion_learns_and_records_test_accuracy_per_epoch);
    tcase_add_test(c, a_resumed_run_equals_an_uninterrupted_one);
    tcase_add_test(c, a_run_ending_mid_epoch_says_what_its_checkpoint_holds);
    tcase_add_test(c, other_models_and_damaged_checkpoints_are_refused);
    tcase_add_test(c, bad_arguments_exit_2);
    tcase_add_test(c, moons_on_tensors_draws_graphs_with_heatmaps);
    tcase_add_test(c, moons_on_tensors_learns);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run_suite(suite()); }

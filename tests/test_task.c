/* test_task.c — the library's ready-made tasks (mg_task.h) driven by its
 * loop: the moons on the scalar and tensor engines, Fashion-MNIST (a small
 * look-alike), and language models on a small word list. Each learns, forms
 * its batches from the seeded batcher, resumes as if never stopped, draws a
 * sample's graph without disturbing the step, refuses bad settings by name,
 * and allocates nothing once warm. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mg_checkpoint.h"
#include "mg_data.h"
#include "mg_task.h"
#include "test_alloc_count.h"
#include "test_tensor_data.h"
#include "test_util.h"

static const char *const engines[] = { "scalar", "tensor" };

/* 40 moons, one hidden layer of 8, batches of `batch` (0: all). */
static mg_task_config moons(const char *engine, int batch)
{
    return (mg_task_config){ .dataset = "moons", .engine = engine, .samples = 40,
                             .noise = 0.1, .hidden = { 8 }, .nhidden = 1, .batch = batch,
                             .seed = 3, .optimizer = "adam", .lr = 0.02 };
}

static mg_task *open_ok(const mg_task_config *c)
{
    mg_error err = { 0 };
    mg_task *t = mg_task_open(c, &err);
    ck_assert_msg(t != NULL, "%s", err.message);
    return t;
}

/* The losses of a run's steps, as its hook saw them. */
typedef struct seen {
    double loss[64];
    double eval[16];
    int steps, evals, eval_samples;
} seen;

static void see_step(void *ctx, const mg_trainer_step *s)
{
    seen *n = ctx;
    if (n->steps < 64)
        n->loss[n->steps] = s->batch->loss;
    n->steps++;
}

static mg_code see_epoch(void *ctx, const mg_trainer_epoch *e, mg_error *err)
{
    (void)err;
    seen *n = ctx;
    if (e->evaluated && n->evals < 16) {
        n->eval[n->evals++] = e->eval.loss;
        n->eval_samples = e->eval.samples;
    }
    return MG_OK;
}

/* t trained for `steps` at a constant lr, saving to save (NULL: not). */
static mg_trainer loop(mg_task *t, int64_t steps, double lr, const char *save, seen *n)
{
    return (mg_trainer){ .task = &t->ops, .ctx = t, .model = &t->model, .steps = steps,
                         .batches = t->batches, .save = save, .hook_ctx = n,
                         .after_step = see_step, .after_epoch = see_epoch,
                         .schedule = { .kind = MG_LR_CONSTANT, .lr = lr, .steps = steps } };
}

static double mean(const double *v, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += v[i];
    return s / n;
}

/* Every parameter of a and b holds the same numbers. */
static void assert_same_params(const mg_train_model *a, const mg_train_model *b)
{
    ck_assert_int_eq(a->nparams, b->nparams);
    ck_assert_uint_eq(a->nvalues, b->nvalues);
    for (int p = 0; p < a->nparams; p++)
        for (int64_t i = 0; i < a->params[p]->numel; i++)
            ck_assert_double_eq(mg_tensor_get(a->params[p], i), mg_tensor_get(b->params[p], i));
    for (size_t v = 0; v < a->nvalues; v++)
        ck_assert_double_eq(a->values[v]->data, b->values[v]->data);
}

/* ---- the moons ---- */

/* Thirty steps lower the loss on either engine; the task says what it is. */
START_TEST(moons_learn_on_either_engine)
{
    const char *engine = engines[_i];
    mg_task_config c = moons(engine, 0);
    c.lr = 0.5; /* the scalar engine's plain SGD */
    mg_task *t = open_ok(&c);
    char identity[128];
    snprintf(identity, sizeof identity, "dataset=moons model=mlp engine=%s arch=2,8,1%s", engine,
             _i ? " dtype=f32" : "");
    ck_assert_str_eq(t->identity, identity);
    ck_assert_str_eq(t->model.identity, identity);
    tu_assert_has(t->title, "moons: mlp 2-8-1");
    ck_assert_int_eq(t->batches, 1);
    ck_assert_int_eq(t->samples, 40);
    ck_assert_int_eq(t->nlayers, 2);
    ck_assert_str_eq(t->layer_names[1], "mlp/layer2");
    ck_assert_ptr_null(t->ops.evaluate);
    ck_assert_ptr_null(t->eval_split);
    ck_assert_ptr_nonnull(t->predict);
    ck_assert_uint_eq(t->npoints, 40);
    seen n = { 0 };
    mg_trainer l = loop(t, 30, _i ? 0.02 : 0.5, NULL, &n);
    mg_error err;
    ck_assert_int_eq(mg_trainer_run(&l, &err), MG_OK);
    ck_assert_int_eq(n.steps, 30);
    ck_assert_msg(mean(n.loss + 25, 5) < 0.8 * mean(n.loss, 5), "%s: loss %g -> %g", engine,
                  mean(n.loss, 5), mean(n.loss + 25, 5));
    mg_task_free(t);
}
END_TEST

/* A step's batch is the seeded batcher's rows for that epoch: its loss is
 * micrograd's mean(relu(1 - y·score)) over them, scored by the model. */
START_TEST(batches_are_the_seeded_batchers_rows)
{
    mg_task_config c = moons(engines[_i], 10);
    mg_task *t = open_ok(&c);
    ck_assert_int_eq(t->batches, 4);
    double X[80], y[40];
    mg_error err;
    ck_assert_int_eq(mg_make_moons(40, c.noise, c.seed, X, y, &err), MG_OK);
    mg_batcher b;
    ck_assert_int_eq(mg_batcher_init(&b, 40, 10, c.seed, &err), MG_OK);
    mg_batcher_shuffle(&b, 1);
    t->ops.start_epoch(t, 1);
    for (int step = 0; step < 2; step++) {
        mg_train_batch out = { 0 };
        ck_assert_int_eq(t->ops.step(t, &out, &err), MG_OK);
        const int *idx;
        ck_assert_int_eq(mg_batcher_next(&b, &idx), 10);
        double loss = 0, right = 0;
        for (int i = 0; i < 10; i++) {
            double s = t->predict(t, X[2 * idx[i]], X[2 * idx[i] + 1]), yi = y[idx[i]];
            loss += fmax(0, 1 - yi * s) / 10;
            right += (s > 0) == (yi > 0);
        }
        ck_assert_double_eq_tol(out.loss, loss, 1e-5);
        ck_assert_double_eq_tol(out.accuracy, right / 10, 1e-12);
    }
    mg_batcher_free(&b);
    mg_task_free(t);
}
END_TEST

/* Eight steps in one run, or four, a checkpoint, and four more in a new
 * task resumed from it: the same parameters. */
START_TEST(a_resumed_run_ends_where_the_whole_run_does)
{
    char dir[64], whole_ckpt[128], half_ckpt[128];
    tu_tmpdir(dir, sizeof dir, "test_task");
    snprintf(whole_ckpt, sizeof whole_ckpt, "%s/whole.ckpt", dir);
    snprintf(half_ckpt, sizeof half_ckpt, "%s/half.ckpt", dir);
    mg_task_config c = moons(engines[_i], 10);
    const double lr = _i ? 0.02 : 0.3;
    mg_error err;
    seen n = { 0 };
    mg_task *whole = open_ok(&c), *half = open_ok(&c), *resumed = open_ok(&c);
    mg_trainer a = loop(whole, 8, lr, whole_ckpt, &n);
    ck_assert_int_eq(mg_trainer_run(&a, &err), MG_OK);
    mg_trainer b = loop(half, 4, lr, half_ckpt, &n);
    ck_assert_int_eq(mg_trainer_run(&b, &err), MG_OK);
    ck_assert_int_eq(b.saved, 4);
    mg_trainer r = loop(resumed, 8, lr, NULL, &n);
    ck_assert_int_eq(mg_trainer_resume(&r, half_ckpt, &err), MG_OK);
    ck_assert_int_eq(mg_trainer_run(&r, &err), MG_OK);
    ck_assert_int_eq(r.done, 4);
    assert_same_params(&whole->model, &resumed->model);
    mg_task_free(whole);
    mg_task_free(half);
    mg_task_free(resumed);
    tu_rmrf(dir);
}
END_TEST

/* The worst sample is the batch's largest loss; its own graph has that
 * loss; drawn between backward and update, it leaves the training as it
 * was (a twin that never drew it ends with the same parameters). */
START_TEST(a_sample_drawn_mid_step_is_the_worst_and_changes_nothing)
{
    mg_task_config c = moons(engines[_i], 10);
    c.alpha = 0;
    mg_task *t = open_ok(&c), *twin = open_ok(&c);
    mg_error err;
    for (int k = 0; k < 3; k++) {
        mg_train_batch out, twin_out;
        if (k == 0) {
            t->ops.start_epoch(t, 0);
            twin->ops.start_epoch(twin, 0);
        }
        ck_assert_int_eq(t->ops.step(t, &out, &err), MG_OK);
        ck_assert_int_eq(twin->ops.step(twin, &twin_out, &err), MG_OK);
        mg_task_sample s = { .loss = NAN };
        ck_assert_int_eq(mg_task_worst(t, &s, &err), MG_OK);
        ck_assert(s.worst);
        const double worst = s.loss;
        ck_assert(worst >= out.loss - 1e-6); /* the largest is at least the mean */
        mg_value *root;
        ck_assert_int_eq(mg_task_sample_graph(t, &s, &root, &err), MG_OK);
        ck_assert_double_eq_tol(s.loss, worst, 1e-5);
        ck_assert_ptr_nonnull(root);
        ck_assert(strcmp(s.label, "+1") == 0 || strcmp(s.label, "-1") == 0);
        mg_task_restore(t);
        t->ops.update(t, 0.05);
        twin->ops.update(twin, 0.05);
    }
    assert_same_params(&t->model, &twin->model);
    mg_task_sample bad = { .index = 40 };
    mg_value *root;
    ck_assert_int_eq(mg_task_sample_graph(t, &bad, &root, &err), MG_EINVAL);
    tu_assert_has(err.message, "sample 40: the samples are 0 to 39");
    mg_task_free(t);
    mg_task_free(twin);
}
END_TEST

/* ---- Fashion-MNIST (a 4x4 look-alike) ---- */

START_TEST(fashion_mnist_learns_and_is_tested)
{
    char dir[64];
    tu_tmpdir(dir, sizeof dir, "test_task");
    fake_fashion_mnist(dir);
    mg_task_config c = { .dataset = "fashion-mnist", .data_dir = dir, .hidden = { 16 },
                         .nhidden = 1, .batch = 32, .seed = 1, .optimizer = "adam",
                         .lr = 0.01, .test_limit = 100 };
    mg_task *t = open_ok(&c);
    ck_assert_int_eq(t->samples, 600);
    ck_assert_int_eq(t->batches, 19);
    ck_assert_str_eq(t->eval_split, "test");
    ck_assert_ptr_null(t->predict);
    ck_assert_str_eq(t->identity, "dataset=fashion-mnist model=mlp engine=tensor "
                                  "arch=16,16,10 dtype=f32");
    seen n = { 0 };
    mg_trainer l = loop(t, 38, 0.01, NULL, &n);
    mg_error err;
    ck_assert_int_eq(mg_trainer_run(&l, &err), MG_OK);
    ck_assert_int_eq(n.evals, 2);
    ck_assert_int_eq(n.eval_samples, 100);
    ck_assert_msg(n.eval[1] < n.eval[0], "test loss %g -> %g", n.eval[0], n.eval[1]);
    ck_assert_msg(mean(n.loss + 33, 5) < mean(n.loss, 5), "loss %g -> %g", mean(n.loss, 5),
                  mean(n.loss + 33, 5));
    /* a picture's sample after a step: its class named */
    mg_train_batch out;
    t->ops.start_epoch(t, 2);
    ck_assert_int_eq(t->ops.step(t, &out, &err), MG_OK);
    mg_task_sample s;
    mg_value *root;
    ck_assert_int_eq(mg_task_worst(t, &s, &err), MG_OK);
    ck_assert_int_eq(mg_task_sample_graph(t, &s, &root, &err), MG_OK);
    ck_assert_msg(s.label[0] >= '0' && s.label[0] <= '9' && s.label[1] == ' ', "%s", s.label);
    mg_task_restore(t);
    mg_task_free(t);
    c.data_dir = "/nonexistent/fashion";
    ck_assert_ptr_null(mg_task_open(&c, &err));
    ck_assert_int_eq(err.code, MG_EIO);
    tu_assert_has(err.message, "/nonexistent/fashion");
    tu_rmrf(dir);
}
END_TEST

/* examples/fashion_mnist.c ($MG_EXAMPLE_FASHION_MNIST): each run trains
 * one epoch more than its checkpoint holds and says the test accuracy. */
START_TEST(the_example_trains_one_more_epoch_a_run)
{
    const char *example = getenv("MG_EXAMPLE_FASHION_MNIST");
    ck_assert_msg(example != NULL, "set MG_EXAMPLE_FASHION_MNIST to the built example");
    char dir[64];
    tu_tmpdir(dir, sizeof dir, "test_task");
    fake_fashion_mnist(dir);
    for (int epoch = 1; epoch <= 2; epoch++) {
        int rc = tu_run(dir, "'%s' \"$D\" \"$D/fm.ckpt\"", example);
        char *out = tu_text(dir, "stdout"), *why = tu_text(dir, "stderr"), said[64];
        ck_assert_msg(rc == 0, "exit %d: %s", rc, why);
        free(why);
        snprintf(said, sizeof said, "test accuracy after epoch %d: ", epoch);
        tu_assert_has(out, said);
        ck_assert_uint_eq(tu_count(out, "test accuracy"), 1);
        free(out);
    }
    char meta[256], ckpt[128];
    mg_error err;
    snprintf(ckpt, sizeof ckpt, "%s/fm.ckpt", dir);
    ck_assert_int_eq(mg_checkpoint_meta(ckpt, meta, sizeof meta, &err), MG_OK);
    tu_assert_has(meta, "optim=adam epoch=2 steps=20");
    ck_assert_int_ne(tu_run(dir, "'%s' /nonexistent/fashion", example), 0);
    tu_file_has(dir, "stderr", "/nonexistent/fashion");
    tu_rmrf(dir);
}
END_TEST

/* ---- language models on a small word list ---- */

static char words_dir[64], words[128];

/* Words of two to four syllables: a structure to learn. */
static void write_words(void)
{
    tu_tmpdir(words_dir, sizeof words_dir, "test_task_words");
    snprintf(words, sizeof words, "%s/words.txt", words_dir);
    static const char *const syll[] = { "ba", "de", "gi", "mo", "nu", "re", "so", "ti" };
    FILE *f = fopen(words, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 500; i++) {
        for (int k = 0; k < 2 + i % 3; k++)
            fputs(syll[(i * 5 + k) % 8], f);
        fputc('\n', f);
    }
    fclose(f);
}

static void remove_words(void) { tu_rmrf(words_dir); }

static mg_task_config text(bool gpt)
{
    mg_task_config c = { .dataset = "words", .model = gpt ? "gpt" : "mlp", .data_dir = words,
                         .context = gpt ? 8 : 3, .embd = 8, .layers = 1, .heads = 2,
                         .hidden = { 32 }, .nhidden = 1, .batch = gpt ? 4 : 16,
                         .eval_every = 5, .seed = 1, .optimizer = "adamw", .lr = 0.01,
                         .weight_decay = 0.01, .grad_clip = 1 };
    return c;
}

/* makemore's MLP: its val loss falls over eight periods; a run resumed
 * after two periods ends with the whole run's parameters. */
START_TEST(a_language_model_learns_and_resumes_exactly)
{
    mg_task_config c = text(false);
    mg_task *t = open_ok(&c);
    ck_assert_str_eq(t->period, "eval");
    ck_assert_str_eq(t->eval_split, "val");
    ck_assert_int_eq(t->batches, 5);
    tu_assert_has(t->note, "the bigram model's val loss is");
    tu_assert_has(t->identity, "dataset=words model=mlp engine=tensor context=3 embd=8");
    ck_assert_int_ge(t->nlayers, 2);
    seen n = { 0 };
    mg_trainer l = loop(t, 40, 0.01, NULL, &n);
    mg_error err;
    ck_assert_int_eq(mg_trainer_run(&l, &err), MG_OK);
    ck_assert_int_eq(n.evals, 8);
    ck_assert_msg(n.eval[7] < n.eval[0] - 0.1, "val loss %g -> %g", n.eval[0], n.eval[7]);
    mg_task_free(t);

    char ckpt[128];
    snprintf(ckpt, sizeof ckpt, "%s/lm.ckpt", words_dir);
    mg_task *whole = open_ok(&c), *half = open_ok(&c), *resumed = open_ok(&c);
    mg_trainer a = loop(whole, 20, 0.01, NULL, &n);
    ck_assert_int_eq(mg_trainer_run(&a, &err), MG_OK);
    mg_trainer b = loop(half, 10, 0.01, ckpt, &n);
    ck_assert_int_eq(mg_trainer_run(&b, &err), MG_OK);
    mg_trainer r = loop(resumed, 20, 0.01, NULL, &n);
    ck_assert_int_eq(mg_trainer_resume(&r, ckpt, &err), MG_OK);
    ck_assert_int_eq(mg_trainer_run(&r, &err), MG_OK);
    assert_same_params(&whole->model, &resumed->model);
    mg_task_free(whole);
    mg_task_free(half);
    mg_task_free(resumed);
}
END_TEST

/* A GPT's worst prediction is in a window the step drew; the window's own
 * graph carries its logits and the window as text. */
START_TEST(a_gpts_worst_window_is_drawn_with_its_logits)
{
    mg_task_config c = text(true);
    c.name_tokens = true;
    mg_task *t = open_ok(&c);
    ck_assert_uint_gt(t->fold_budget, 0);
    ck_assert_str_eq(t->open_scope, "gpt/block1");
    mg_error err;
    mg_train_batch out = { 0 };
    t->ops.start_epoch(t, 0);
    ck_assert_int_eq(t->ops.step(t, &out, &err), MG_OK);
    ck_assert_ptr_nonnull(out.logits);
    mg_task_sample s = { 0 };
    ck_assert_int_eq(mg_task_worst(t, &s, &err), MG_OK);
    ck_assert(s.index >= 0 && s.index < t->samples);
    ck_assert(isfinite(s.loss) && s.loss > 0);
    mg_value *root;
    ck_assert_int_eq(mg_task_sample_graph(t, &s, &root, &err), MG_OK);
    ck_assert_ptr_nonnull(s.logits);
    ck_assert_uint_eq(strlen(s.label), 8);
    mg_task_restore(t);
    /* the batch's logits went with its nodes: no worst until the next step */
    ck_assert_int_eq(mg_task_worst(t, &s, &err), MG_EINVAL);
    t->ops.update(t, 0.01);
    mg_task_free(t);
    c.context = 4000; /* longer than the words' train stream */
    ck_assert_ptr_null(mg_task_open(&c, &err));
    tu_assert_has(err.message, "context 4000 is longer than the");
}
END_TEST

/* ---- bad settings ---- */

static void refused(const mg_task_config *c, const char *says)
{
    mg_error err = { 0 };
    ck_assert_ptr_null(mg_task_open(c, &err));
    ck_assert_int_ne(err.code, MG_OK);
    ck_assert_msg(strstr(err.message, says), "'%s' does not say '%s'", err.message, says);
}

START_TEST(bad_settings_are_refused_by_name)
{
    mg_task_config c = moons("tensor", 100);
    refused(&c, "batch 100 is more than the 40 training samples");
    c.option_prefix = "--";
    refused(&c, "--batch 100 is more than the 40 training samples");
    c = moons("scalar", 100);
    refused(&c, "batch 100 is more than the 40 training samples");
    c = moons("tensor", 0);
    c.samples = 0;
    refused(&c, "samples 0 is outside 1..1000000");
    c = moons("tensor", 1 << 21);
    refused(&c, "batch 2097152 is outside 0..1048576");
    c = moons("tensor", 0);
    c.optimizer = "rmsprop";
    refused(&c, "unknown optimizer 'rmsprop': sgd, momentum, adam or adamw");
    c = moons("gpu", 0);
    refused(&c, "unknown engine 'gpu': scalar or tensor");
    c = moons("tensor", 0);
    c.dataset = "mnist";
    refused(&c, "unknown dataset 'mnist': moons, fashion-mnist, words or fortunes");
    c.dataset = "moons";
    c.model = "rnn";
    refused(&c, "unknown model 'rnn': mlp or gpt");
    c.model = "gpt";
    refused(&c, "a gpt learns text (words or fortunes), not moons");
    c = moons("scalar", 0);
    c.dataset = "fashion-mnist";
    refused(&c, "the scalar engine trains the moons only");
    c = moons("tensor", 0);
    c.nhidden = 9;
    refused(&c, "9 hidden layers: 0 to 8");
    c.nhidden = 1;
    c.hidden[0] = 0;
    refused(&c, "hidden layer 1 has 0 units");
    refused(NULL, "no config");
    c = text(false);
    c.batch = 0; /* a language model's batches are drawn, never "all" */
    refused(&c, "batch 0 is outside 1..1048576");
    c = text(true);
    c.eval_every = 0;
    refused(&c, "eval-every 0 is outside 1..100000000");
    c.eval_every = 5;
    c.context = 5000;
    refused(&c, "context 5000 is outside 1..4096");
    mg_task_free(NULL);
}
END_TEST

/* ---- no allocation once warm ---- */

#ifdef COUNT_MALLOC
/* Steps 3..7 of t (across an epoch's end when batches are short). */
static long warm_allocations(mg_task *t)
{
    tu_step_count c = { .from = 2, .to = 7 };
    mg_trainer l = { .task = &t->ops, .ctx = t, .model = &t->model, .steps = 8,
                     .batches = t->batches, .hook_ctx = &c, .after_step = tu_count_steps,
                     .schedule = { .kind = MG_LR_CONSTANT, .lr = 0.01, .steps = 8 } };
    ck_assert_int_eq(mg_trainer_run(&l, NULL), MG_OK);
    ck_assert(c.at_from > 0);
    return c.at_to - c.at_from;
}
#endif

START_TEST(a_warm_step_allocates_nothing)
{
#ifdef COUNT_MALLOC
    mg_task_config cs[] = { moons("scalar", 10), moons("tensor", 10), text(false), text(true) };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        cs[i].eval_every = 100; /* the val loss (an epoch's end) is not a step */
        mg_task *t = open_ok(&cs[i]);
        ck_assert_int_eq(warm_allocations(t), 0);
        mg_task_free(t);
    }
#endif
}
END_TEST

static Suite *task_suite(void)
{
    Suite *s = suite_create("task");
    TCase *c = tcase_create("tasks");
    tcase_set_timeout(c, 120);
    tcase_add_unchecked_fixture(c, write_words, remove_words);
    tcase_add_loop_test(c, moons_learn_on_either_engine, 0, 2);
    tcase_add_loop_test(c, batches_are_the_seeded_batchers_rows, 0, 2);
    tcase_add_loop_test(c, a_resumed_run_ends_where_the_whole_run_does, 0, 2);
    tcase_add_loop_test(c, a_sample_drawn_mid_step_is_the_worst_and_changes_nothing, 0, 2);
    tcase_add_test(c, fashion_mnist_learns_and_is_tested);
    tcase_add_test(c, the_example_trains_one_more_epoch_a_run);
    tcase_add_test(c, a_language_model_learns_and_resumes_exactly);
    tcase_add_test(c, a_gpts_worst_window_is_drawn_with_its_logits);
    tcase_add_test(c, bad_settings_are_refused_by_name);
    tcase_add_test(c, a_warm_step_allocates_nothing);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run_suite(task_suite()); }

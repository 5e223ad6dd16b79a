/* test_train.c — the training library (engine/train): learning-rate
 * schedules, save and resume, accuracy and evaluation, the run directory
 * writer and its reader (a torn last record is skipped), and per-layer
 * health on cases computed by hand. */
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "mg_checkpoint.h"
#include "mg_eval.h"
#include "mg_grad_stash.h"
#include "mg_health.h"
#include "mg_run.h"
#include "mg_schedule.h"
#include "mg_trainer.h"
#include "mg_train.h"
#include "test_tensor_data.h"
#include "test_util.h"

/* ---- schedules ---- */

START_TEST(linear_schedule_is_micrograds_demo)
{
    mg_lr_schedule s = { .kind = MG_LR_LINEAR, .lr = 1.0, .final = 0.1, .steps = 100 };
    ck_assert_int_eq(mg_lr_check(&s, NULL), MG_OK);
    for (int k = 0; k < 100; k++) /* bit for bit what micrograd's demo computes */
        ck_assert_double_eq(mg_lr_at(&s, k), 1.0 - 0.9 * k / 100);
    ck_assert_double_eq(mg_lr_at(&s, 500), mg_lr_at(&s, 99)); /* past the end: the last */
}
END_TEST

START_TEST(cosine_schedule_with_warmup)
{
    mg_lr_schedule s = { .kind = MG_LR_COSINE, .lr = 0.4, .warmup = 4, .steps = 104 };
    ck_assert_double_eq_tol(mg_lr_at(&s, 0), 0.1, 1e-15);   /* 0.4 * 1/4 */
    ck_assert_double_eq_tol(mg_lr_at(&s, 3), 0.4, 1e-15);   /* warmup's last step */
    ck_assert_double_eq_tol(mg_lr_at(&s, 4), 0.4, 1e-15);   /* cosine starts at the peak */
    ck_assert_double_eq_tol(mg_lr_at(&s, 54), 0.2, 1e-15);  /* halfway down */
    ck_assert_double_eq_tol(mg_lr_at(&s, 103), 0.4 * 0.5 * (1 + cos(3.14159265358979323846 * 99 / 100)), 1e-15);
    for (int k = 5; k < 104; k++)
        ck_assert(mg_lr_at(&s, k) < mg_lr_at(&s, k - 1));
    s.final = 0.25; /* floor: lr * (0.25 + 0.75 * (1 + cos)/2) */
    ck_assert_double_eq_tol(mg_lr_at(&s, 54), 0.4 * (0.25 + 0.75 * 0.5), 1e-15);
    s = (mg_lr_schedule){ .kind = MG_LR_CONSTANT, .lr = 0.3, .steps = 10 };
    ck_assert_double_eq(mg_lr_at(&s, 7), 0.3);
}
END_TEST

START_TEST(bad_schedules_are_refused_by_name)
{
    mg_error err;
    mg_lr_schedule s = { .kind = MG_LR_COSINE, .lr = -1, .steps = 10 };
    ck_assert_int_eq(mg_lr_check(&s, &err), MG_EINVAL);
    ck_assert_msg(strstr(err.message, "learning rate -1") && strstr(err.message, "> 0"), "%s",
                  err.message);
    s.lr = NAN;
    ck_assert_int_eq(mg_lr_check(&s, &err), MG_EINVAL);
    s.lr = 0.1;
    s.warmup = 10;
    ck_assert_int_eq(mg_lr_check(&s, &err), MG_EINVAL);
    ck_assert_msg(strstr(err.message, "warmup") && strstr(err.message, "0..9"), "%s", err.message);
    s.warmup = 0;
    s.final = 1.5;
    ck_assert_int_eq(mg_lr_check(&s, &err), MG_EINVAL);
    mg_lr_kind k;
    ck_assert(mg_lr_kind_parse("cosine", &k) && k == MG_LR_COSINE);
    ck_assert(!mg_lr_kind_parse("step", &k));
    ck_assert_str_eq(mg_lr_kind_name(MG_LR_LINEAR), "linear");
}
END_TEST

/* ---- save and resume ---- */

typedef struct small_model {
    mg_graph *g;
    mg_tmlp *mlp;
    mg_optim *opt;
    mg_train_model m;
} small_model;

static void small_model_new(small_model *s, int hidden, mg_optim_kind kind)
{
    mg_error err;
    s->g = mg_graph_new();
    s->mlp = mg_tmlp_new(s->g, MG_F32, (const int[]){ 4, hidden, 3 }, 3, MG_INIT_KAIMING, 5, &err);
    ck_assert_ptr_nonnull(s->mlp);
    mg_optim_config cfg = mg_optim_defaults(kind);
    s->opt = mg_optim_new(s->mlp->params, s->mlp->nparams, &cfg, &err);
    ck_assert_ptr_nonnull(s->opt);
    mg_graph_keep(s->g);
    s->m = (mg_train_model){ .identity = hidden == 5 ? "dataset=toy arch=4,5,3"
                                                     : "dataset=toy arch=4,6,3",
                             .params = s->mlp->params, .nparams = s->mlp->nparams,
                             .optim = s->opt };
}

static void small_model_free(small_model *s)
{
    mg_optim_free(s->opt);
    mg_tmlp_free(s->mlp);
    mg_graph_free(s->g);
}

/* Sets every parameter and Adam moment to a pattern of seed. */
static void scribble(small_model *s, double seed)
{
    for (int i = 0; i < s->mlp->nparams; i++) {
        mg_tensor *p = s->mlp->params[i];
        for (int k = 0; k < p->numel; k++) {
            mg_tensor_set(p, k, seed + 0.25 * k + i);
            for (int j = 0; j < mg_optim_state_count(s->opt); j++)
                ((float *)mg_optim_state(s->opt, i, j))[k] = (float)(seed * (j + 2) + k);
        }
    }
}

START_TEST(resume_restores_what_save_wrote)
{
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "test_train");
    snprintf(path, sizeof path, "%s/a.ckpt", dir);
    small_model s;
    small_model_new(&s, 5, MG_OPTIM_ADAM);
    scribble(&s, 1.0);
    mg_error err;
    mg_train_progress p = { .epoch = 2, .step = 50 };
    ck_assert_msg(mg_train_save(path, &s.m, &p, &err) == MG_OK, "%s", err.message);
    scribble(&s, 7.0);
    mg_train_progress got = { 0 };
    ck_assert_msg(mg_train_resume(path, &s.m, &got, &err) == MG_OK, "%s", err.message);
    ck_assert_int_eq(got.epoch, 2);
    ck_assert_int_eq(got.step, 50);
    ck_assert_int_eq(s.opt->steps, 50); /* Adam's bias correction goes on from there */
    ck_assert_double_eq(mg_tensor_get(s.mlp->params[2], 3), 1.0 + 0.75 + 2);
    ck_assert_float_eq(((float *)mg_optim_state(s.opt, 1, 1))[2], 1.0f * 3 + 2);
    small_model_free(&s);
    tu_rmrf(dir);
}
END_TEST

START_TEST(another_model_or_optimiser_is_refused_untouched)
{
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "test_train");
    snprintf(path, sizeof path, "%s/a.ckpt", dir);
    small_model a, b, c;
    small_model_new(&a, 5, MG_OPTIM_ADAM);
    mg_error err;
    ck_assert_int_eq(mg_train_save(path, &a.m, &(mg_train_progress){ 1, 9 }, &err), MG_OK);
    small_model_new(&b, 6, MG_OPTIM_ADAM);
    scribble(&b, 3.0);
    mg_train_progress p = { 0 };
    ck_assert_int_eq(mg_train_resume(path, &b.m, &p, &err), MG_EFORMAT);
    ck_assert_msg(strstr(err.message, "arch=4,5,3 optim=adam") &&
                      strstr(err.message, "arch=4,6,3 optim=adam"), "%s", err.message);
    ck_assert_double_eq(mg_tensor_get(b.mlp->params[0], 0), 3.0); /* nothing changed */
    ck_assert_int_eq(p.epoch, 0);
    small_model_new(&c, 5, MG_OPTIM_SGD);
    ck_assert_int_eq(mg_train_resume(path, &c.m, &p, &err), MG_EFORMAT);
    ck_assert_msg(strstr(err.message, "optim=sgd") != NULL, "%s", err.message);
    /* a damaged file is refused by its checksum */
    FILE *f = fopen(path, "r+b");
    fseek(f, 60, SEEK_SET);
    fputc(0x5a, f);
    fclose(f);
    ck_assert_int_eq(mg_train_resume(path, &a.m, &p, &err), MG_EFORMAT);
    ck_assert_msg(strstr(err.message, "checksum") != NULL, "%s", err.message);
    small_model_free(&a);
    small_model_free(&b);
    small_model_free(&c);
    tu_rmrf(dir);
}
END_TEST

/* Rewrites the checkpoint at path with its metadata's " steps=N" replaced by
 * steps, the length and CRC-32 recomputed: a valid file with hostile counts. */
static void rewrite_steps(const char *path, const char *steps)
{
    size_t len;
    char *b = tu_slurp(path, &len);
    ck_assert_ptr_nonnull(b);
    uint32_t mlen = (uint32_t)(unsigned char)b[12] | (uint32_t)(unsigned char)b[13] << 8 |
                    (uint32_t)(unsigned char)b[14] << 16 | (uint32_t)(unsigned char)b[15] << 24;
    char meta[1024];
    snprintf(meta, sizeof meta, "%.*s", (int)mlen, b + 16);
    char *at = strstr(meta, " steps=");
    ck_assert_ptr_nonnull(at);
    snprintf(at, sizeof meta - (size_t)(at - meta), " steps=%s", steps);
    uint32_t nlen = (uint32_t)strlen(meta);
    FILE *f = fopen(path, "wb");
    unsigned char l[4] = { (unsigned char)nlen, (unsigned char)(nlen >> 8), (unsigned char)(nlen >> 16),
                           (unsigned char)(nlen >> 24) };
    uLong crc = crc32(crc32(crc32(crc32(0L, Z_NULL, 0), (const Bytef *)b, 12), l, 4),
                      (const Bytef *)meta, nlen);
    crc = crc32(crc, (const Bytef *)b + 16 + mlen, (uInt)(len - 4 - 16 - mlen));
    unsigned char c[4] = { (unsigned char)crc, (unsigned char)(crc >> 8), (unsigned char)(crc >> 16),
                           (unsigned char)(crc >> 24) };
    fwrite(b, 1, 12, f);
    fwrite(l, 1, 4, f);
    fwrite(meta, 1, nlen, f);
    fwrite(b + 16 + mlen, 1, len - 4 - 16 - mlen, f);
    fwrite(c, 1, 4, f);
    fclose(f);
    free(b);
}

/* A checksummed checkpoint claiming INT64_MAX steps (or a number past any
 * type) is refused: Adam's step count would overflow on the next step. */
START_TEST(absurd_step_counts_are_refused)
{
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "test_train");
    snprintf(path, sizeof path, "%s/a.ckpt", dir);
    small_model s;
    small_model_new(&s, 5, MG_OPTIM_ADAM);
    mg_error err;
    ck_assert_int_eq(mg_train_save(path, &s.m, &(mg_train_progress){ 1, INT64_MAX }, &err),
                     MG_EINVAL);
    ck_assert_int_eq(mg_train_save(path, &s.m, &(mg_train_progress){ 1, 9 }, &err), MG_OK);
    static const char *const bad[] = { "9223372036854775807", "99999999999999999999999",
                                       "9007199254740993", "-1", "12x", "" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_int_eq(mg_train_save(path, &s.m, &(mg_train_progress){ 1, 9 }, &err), MG_OK);
        rewrite_steps(path, bad[i]);
        mg_train_progress p = { 0 };
        s.opt->steps = 3;
        ck_assert_msg(mg_train_resume(path, &s.m, &p, &err) == MG_EFORMAT, "steps=%s", bad[i]);
        ck_assert_msg(strstr(err.message, "not understood"), "%s", err.message);
        ck_assert_int_eq(s.opt->steps, 3);
    }
    /* the rewriting itself keeps a good file good */
    ck_assert_int_eq(mg_train_save(path, &s.m, &(mg_train_progress){ 1, 9 }, &err), MG_OK);
    rewrite_steps(path, "9007199254740992");
    mg_train_progress p = { 0 };
    ck_assert_msg(mg_train_resume(path, &s.m, &p, &err) == MG_OK, "%s", err.message);
    ck_assert_int_eq(p.step, MG_TRAIN_MAX_STEPS);
    small_model_free(&s);
    tu_rmrf(dir);
}
END_TEST

START_TEST(scalar_parameters_round_trip)
{
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "test_train");
    snprintf(path, sizeof path, "%s/s.ckpt", dir);
    mg_graph *g = mg_graph_new();
    mg_value *v[3] = { mg_param(g, 0.5), mg_param(g, -2.25), mg_param(g, 1e-300) };
    mg_train_model m = { .identity = "scalar", .values = v, .nvalues = 3 };
    mg_error err;
    ck_assert_int_eq(mg_train_save(path, &m, &(mg_train_progress){ 0, 3 }, &err), MG_OK);
    v[0]->data = v[1]->data = v[2]->data = 0;
    mg_train_progress p;
    ck_assert_msg(mg_train_resume(path, &m, &p, &err) == MG_OK, "%s", err.message);
    ck_assert_double_eq(v[0]->data, 0.5);
    ck_assert_double_eq(v[1]->data, -2.25);
    ck_assert_double_eq(v[2]->data, 1e-300);
    ck_assert_int_eq(p.step, 3);
    mg_graph_free(g);
    tu_rmrf(dir);
}
END_TEST

/* ---- evaluation ---- */

static mg_tensor *filled(mg_graph *g, int rows, int cols, const double *v)
{
    mg_tensor *t = mg_tensor_input(g, MG_F64, 2, (const int[]){ rows, cols });
    mg_tensor_load(t, v);
    return t;
}

START_TEST(accuracy_and_row_losses)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *s = filled(g, 4, 1, (const double[]){ 0.5, -1, 2, -0.1 });
    mg_tensor *y = filled(g, 4, 1, (const double[]){ 1, 1, -1, -1 });
    ck_assert_double_eq(mg_accuracy_sign(s, y), 0.5);
    mg_tensor *logits = filled(g, 2, 2, (const double[]){ 0, 0, log(3.0), 0 });
    int32_t labels[] = { 0, 1 };
    ck_assert_double_eq(mg_accuracy_argmax(logits, labels), 0.5);
    double rows[2];
    ck_assert_int_eq(mg_cross_entropy_rows(logits, labels, rows), MG_OK);
    ck_assert_double_eq_tol(rows[0], log(2.0), 1e-12);
    ck_assert_double_eq_tol(rows[1], log(4.0), 1e-12);
    ck_assert_uint_eq(mg_argmax(rows, 2), 1);
    ck_assert_uint_eq(mg_argmax((const double[]){ 1, NAN, 5 }, 3), 1);
    ck_assert_uint_eq(mg_argmax((const double[]){ 2, 2, 1 }, 3), 0);
    mg_graph_free(g);
}
END_TEST

static mg_tensor *forward(void *model, mg_tensor *x) { return mg_tmlp_forward(model, x); }

START_TEST(evaluate_images_in_chunks)
{
    char dir[64];
    tu_tmpdir(dir, sizeof dir, "test_train");
    fake_fashion_mnist(dir);
    mg_image_set test;
    mg_error err;
    ck_assert_int_eq(mg_fashion_mnist_load(dir, 0, &test, &err), MG_OK);
    mg_graph *g = mg_graph_new();
    mg_tmlp *m = mg_tmlp_new(g, MG_F32, (const int[]){ FAKE_PIXELS, 10 }, 2, MG_INIT_KAIMING, 1,
                             &err);
    /* logit c = pixel c: class c lights pixels c and c+1, c brighter, so
     * every image is classified right */
    for (int p = 0; p < FAKE_PIXELS; p++)
        for (int c = 0; c < 10; c++)
            mg_tensor_set(m->layers[0].W, p * 10 + c, p == c ? 1.0 : 0.0);
    mg_graph_keep(g);
    mg_eval whole, chunked;
    ck_assert_int_eq(mg_evaluate_images(g, forward, m, &test, 1000, &whole, &err), MG_OK);
    ck_assert_int_eq(mg_evaluate_images(g, forward, m, &test, 7, &chunked, &err), MG_OK);
    ck_assert_int_eq(whole.samples, 200);
    ck_assert_double_eq(whole.accuracy, 1.0);
    ck_assert_double_eq(chunked.accuracy, 1.0);
    ck_assert_double_eq_tol(chunked.loss, whole.loss, 1e-6);
    ck_assert(whole.loss > 0 && whole.loss < log(10.0));
    ck_assert_uint_eq(mg_graph_count(g), mg_graph_kept(g)); /* the chunks are dropped */
    mg_tmlp_free(m);
    mg_graph_free(g);
    mg_image_set_free(&test);
    tu_rmrf(dir);
}
END_TEST

/* ---- health ---- */

/* h = relu(x·W + b) in scope mlp/layer1 with x = I, so h = relu(W + b). */
typedef struct tiny {
    mg_graph *g;
    mg_tensor *W, *b, *loss;
} tiny;

static void tiny_new(tiny *t)
{
    t->g = mg_graph_new();
    mg_scope_push(t->g, "mlp");
    mg_scope_push(t->g, "layer1");
    t->W = mg_tensor_param(t->g, MG_F64, 2, (const int[]){ 2, 3 });
    t->b = mg_tensor_param(t->g, MG_F64, 1, (const int[]){ 3 });
    mg_tensor_load(t->W, (const double[]){ 1, -1, 0, 2, -2, 0 });
    mg_scope_pop(t->g);
    mg_scope_pop(t->g);
    mg_graph_keep(t->g);
}

/* One step's forward and backward; false when backward fails. */
static bool tiny_step(tiny *t)
{
    mg_graph_reset(t->g);
    mg_tensor *x = filled(t->g, 2, 2, (const double[]){ 1, 0, 0, 1 });
    mg_scope_push(t->g, "mlp");
    mg_scope_push(t->g, "layer1");
    mg_tensor *h = mg_tensor_relu(mg_tensor_add(mg_tensor_matmul(x, t->W), t->b));
    mg_scope_pop(t->g);
    mg_scope_pop(t->g);
    t->loss = mg_tensor_sum(h, MG_AXIS_ALL, 0);
    mg_tensor_zero_grad(t->W);
    mg_tensor_zero_grad(t->b);
    return mg_tensor_backward(t->loss) == MG_OK;
}

/* p -= lr * grad. */
static void sgd(mg_tensor *p, double lr)
{
    for (int i = 0; i < p->numel; i++)
        mg_tensor_set(p, i, mg_tensor_get(p, i) - lr * mg_tensor_grad_at(p, i));
}

START_TEST(health_of_a_relu_layer_by_hand)
{
    tiny t;
    tiny_new(&t);
    mg_tensor *params[] = { t.W, t.b };
    mg_health_layer layer = { .scope = "mlp/layer1", .params = params, .nparams = 2 };
    mg_error err;
    mg_health *h = mg_health_new(t.g, &layer, 1, &err);
    ck_assert_ptr_nonnull(h);
    ck_assert(tiny_step(&t));
    ck_assert_int_eq(mg_health_measure(h), MG_OK);
    const mg_layer_health *l = mg_health_get(h, 0);
    /* outputs relu(W) = [[1,0,0],[2,0,0]]: units 1 and 2 never fire */
    ck_assert_int_eq(l->act, MG_ACT_RELU);
    ck_assert_int_eq(l->units, 3);
    ck_assert_double_eq_tol(l->dead, 2.0 / 3, 1e-15);
    ck_assert_double_eq_tol(l->zero, 4.0 / 6, 1e-15);
    ck_assert(isnan(l->saturated));
    ck_assert_int_eq(l->activation.count, 6);
    ck_assert_double_eq(l->activation.min, 0);
    ck_assert_double_eq(l->activation.max, 2);
    ck_assert_double_eq_tol(l->activation.mean, 0.5, 1e-15);
    ck_assert_double_eq_tol(l->activation.std, sqrt(3.5 / 6), 1e-15);
    ck_assert_int_eq(l->activation.bins[0], 4);
    ck_assert_int_eq(l->activation.bins[MG_HEALTH_BINS / 2], 1); /* 1 is mid-range */
    ck_assert_int_eq(l->activation.bins[MG_HEALTH_BINS - 1], 1);
    /* grads: dW = x^T·mask = [[1,0,0],[1,0,0]], db = [2,0,0] */
    ck_assert_int_eq(l->grad.count, 9);
    ck_assert_double_eq_tol(l->grad_norm, sqrt(6.0), 1e-15);
    ck_assert_double_eq_tol(l->data_norm, sqrt(10.0), 1e-15);
    ck_assert_double_eq(l->grad.max, 2);
    ck_assert_int_eq(l->grad.bins[0], 6);
    ck_assert_int_eq(l->grad.bins[MG_HEALTH_BINS / 2], 2);
    ck_assert(isnan(l->update_ratio));
    ck_assert_int_eq(mg_health_warning_count(h), 1);
    ck_assert_msg(strstr(mg_health_warning(h, 0), "mlp/layer1: 67% of the relu units are dead"),
                  "%s", mg_health_warning(h, 0));
    sgd(t.W, 0.1);
    sgd(t.b, 0.1);
    mg_health_after_update(h);
    ck_assert_double_eq_tol(l->update_ratio, log10(0.1 * sqrt(6.0) / sqrt(10.0)), 1e-12);
    ck_assert_int_eq(mg_health_warning_count(h), 1); /* -1.1 is within -5..-1 */
    /* still dead at the next step: no new warning, it is not news */
    ck_assert(tiny_step(&t));
    ck_assert_int_eq(mg_health_measure(h), MG_OK);
    ck_assert_int_eq(mg_health_warning_count(h), 0);
    ck_assert_double_eq_tol(l->dead, 2.0 / 3, 1e-15);
    mg_health_free(h);
    mg_graph_free(t.g);
}
END_TEST

/* One tanh neuron per child scope n1, n2 under net/l1, for three samples. */
START_TEST(health_of_scalar_tanh_neurons_by_hand)
{
    mg_graph *g = mg_graph_new();
    mg_value *w[2] = { mg_param(g, 3.0), mg_param(g, 0.1) };
    mg_graph_keep(g);
    const double xs[] = { 1, -1, 0.1 };
    mg_value *loss = NULL;
    for (int s = 0; s < 3; s++) {
        char name[24];
        snprintf(name, sizeof name, "sample%d", s);
        mg_scope_push(g, name);
        mg_scope_push(g, "net");
        mg_scope_push(g, "l1");
        for (int n = 0; n < 2; n++) {
            mg_scope_push(g, n ? "n2" : "n1");
            mg_value *t = mg_tanh(mg_mulc(w[n], xs[s]));
            mg_scope_pop(g);
            loss = loss ? mg_add(loss, t) : t;
        }
        mg_scope_pop(g);
        mg_scope_pop(g);
        mg_scope_pop(g);
    }
    ck_assert_int_eq(mg_backward(loss), MG_OK);
    mg_health_layer layer = { .scope = "net/l1", .values = w, .nvalues = 2 };
    mg_health *h = mg_health_new(g, &layer, 1, NULL);
    ck_assert_int_eq(mg_health_measure(h), MG_OK);
    const mg_layer_health *l = mg_health_get(h, 0);
    /* tanh(±3) = ±0.995 saturate; tanh(0.3), tanh(±0.1), tanh(0.01) do not */
    ck_assert_int_eq(l->act, MG_ACT_TANH);
    ck_assert_int_eq(l->units, 2);
    ck_assert_int_eq(l->activation.count, 6);
    ck_assert_double_eq_tol(l->saturated, 2.0 / 6, 1e-15);
    ck_assert(isnan(l->dead));
    ck_assert_double_eq_tol(l->activation.max, tanh(3.0), 1e-15);
    /* dL/dw1 = sum x (1 - tanh²(3x)), dL/dw2 likewise with 0.1 */
    double g1 = 0, g2 = 0;
    for (int s = 0; s < 3; s++) {
        g1 += xs[s] * (1 - pow(tanh(3 * xs[s]), 2));
        g2 += xs[s] * (1 - pow(tanh(0.1 * xs[s]), 2));
    }
    ck_assert_double_eq_tol(l->grad_norm, hypot(g1, g2), 1e-12);
    ck_assert_int_eq(mg_health_warning_count(h), 0); /* a third saturated: not most */
    mg_health_set_limits(h, &(mg_health_limits){ .dead = 0.5, .saturated = 0.3,
                                                 .ratio_low = -5, .ratio_high = -1 });
    ck_assert_int_eq(mg_health_measure(h), MG_OK);
    ck_assert_int_eq(mg_health_warning_count(h), 1);
    ck_assert_ptr_nonnull(strstr(mg_health_warning(h, 0), "33% of the tanh outputs are saturated"));
    mg_buf b = { 0 };
    mg_health_json(h, &b);
    ck_assert_ptr_nonnull(strstr(b.p, "{\"net/l1\":{\"act\":\"tanh\",\"activation\":{\"count\":6,"));
    ck_assert_ptr_null(strstr(b.p, "\"dead\""));
    ck_assert_ptr_null(strstr(b.p, "update_ratio")); /* not measured yet */
    mg_buf_free(&b);
    mg_health_free(h);
    mg_graph_free(g);
}
END_TEST

/* ---- the run writer ---- */

static char *run_file(const char *dir, const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = tu_slurp(path, NULL);
    ck_assert_msg(text != NULL, "%s missing", path);
    return text;
}

typedef struct lines {
    int n;
    char last[4096];
} lines;

static int count_line(void *ctx, const char *line, size_t len)
{
    lines *l = ctx;
    l->n++;
    snprintf(l->last, sizeof l->last, "%.*s", (int)len, line);
    return 0;
}

START_TEST(run_json_and_step_records)
{
    char root[64], dir[600];
    tu_tmpdir(root, sizeof root, "test_run");
    mg_error err;
    ck_assert_int_eq(mg_run_fresh_dir(root, "moons-mlp", dir, sizeof dir, &err), MG_OK);
    char *argv[] = { "mgviz", "train", "--lr", "0.5" };
    const char *layers[] = { "mlp/layer1", "mlp/layer2" };
    mg_run_field options[] = {
        { .name = "lr", .kind = MG_RUN_NUMBER, .number = 0.5 },
        { .name = "steps", .kind = MG_RUN_INT, .integer = 100 },
        { .name = "hidden", .kind = MG_RUN_TEXT, .text = "16,16" },
        { .name = "json", .kind = MG_RUN_BOOL, .integer = 1 },
    };
    mg_run_info info = { .dataset = "moons", .model = "mlp", .argc = 4, .argv = argv,
                         .options = options, .noptions = 4, .layers = layers, .nlayers = 2,
                         .planned_steps = 100 };
    mg_run *r = mg_run_open(dir, &info, 0, &err);
    ck_assert_msg(r != NULL, "%s", err.message);
    char *json = run_file(dir, "run.json");
    const char *want[] = {
        "{\"format\":\"mgviz-run\",\"version\":1,\"name\":\"", "-moons-mlp\",\"created\":\"",
        "\"command\":[\"mgviz\",\"train\",\"--lr\",\"0.5\"],\"dataset\":\"moons\",\"model\":\"mlp\","
        "\"options\":{\"lr\":0.5,\"steps\":100,\"hidden\":\"16,16\",\"json\":true},"
        "\"layers\":[\"mlp/layer1\",\"mlp/layer2\"],\"planned_steps\":100,"
        "\"steps\":\"steps.jsonl\"}\n",
    };
    for (int i = 0; i < 3; i++)
        ck_assert_msg(strstr(json, want[i]) != NULL, "run.json lacks %s:\n%s", want[i], json);
    free(json);
    const char *extra[] = { "the loss is not finite" };
    ck_assert_int_eq(mg_run_log_step(r, &(mg_run_step){ .step = 0, .loss = 0.75, .accuracy = 0.5,
                                                       .lr = 1.0, .snapshot = "snapshots/s.json" },
                                     &err), MG_OK);
    ck_assert_int_eq(mg_run_log_step(r, &(mg_run_step){ .step = 1, .epoch = 1, .loss = NAN,
                                                       .accuracy = NAN, .lr = -0.0,
                                                       .warnings = extra, .nwarnings = 1 },
                                     &err), MG_OK);
    mg_run_field ev[] = { { .name = "accuracy", .kind = MG_RUN_NUMBER, .number = 0.875 } };
    ck_assert_int_eq(mg_run_log_event(r, "eval", ev, 1, &err), MG_OK);
    ck_assert_int_eq(mg_run_close(r, MG_RUN_ERROR, "stopped: loss is nan", &err), MG_OK);
    char *steps = run_file(dir, "steps.jsonl");
    ck_assert_msg(strstr(steps, "{\"step\":0,\"epoch\":0,\"loss\":0.75,\"accuracy\":0.5,\"lr\":1,"
                         "\"time\":") != NULL, "%s", steps);
    ck_assert_ptr_nonnull(strstr(steps, "\"layers\":{},\"snapshot\":\"snapshots/s.json\","
                                        "\"warnings\":[]}\n"));
    ck_assert_ptr_nonnull(strstr(steps, "{\"step\":1,\"epoch\":1,\"loss\":null,\"loss_str\":"
                                        "\"nan\",\"accuracy\":null,\"lr\":0,"));
    ck_assert_ptr_nonnull(strstr(steps, "\"snapshot\":null,\"warnings\":[\"the loss is not "
                                        "finite\"]}\n"));
    ck_assert_ptr_nonnull(strstr(steps, "{\"event\":\"eval\",\"time\":"));
    ck_assert_ptr_nonnull(strstr(steps, "\"accuracy\":0.875}\n"));
    ck_assert_ptr_nonnull(strstr(steps, "\"status\":\"error\",\"message\":\"stopped: loss is "
                                        "nan\"}\n"));
    ck_assert_ptr_null(strstr(steps, ":nan"));
    free(steps);
    tu_rmrf(root);
}
END_TEST

START_TEST(torn_last_record_is_skipped_not_fatal)
{
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "test_run");
    mg_error err;
    mg_run *r = mg_run_open(dir, NULL, MG_RUN_REPLACE, &err);
    ck_assert_ptr_nonnull(r);
    for (int k = 0; k < 3; k++)
        ck_assert_int_eq(mg_run_log_step(r, &(mg_run_step){ .step = k, .loss = 1.0 / (k + 1),
                                                           .accuracy = NAN, .lr = 0.1 }, &err),
                         MG_OK);
    /* the process dies here, half-way through a record: no end event */
    snprintf(path, sizeof path, "%s/steps.jsonl", dir);
    int fd = open(path, O_WRONLY | O_APPEND);
    ck_assert_int_eq(write(fd, "{\"step\":3,\"epo", 14), 14);
    lines got = { 0 };
    size_t offset = 0;
    ck_assert_int_eq(mg_run_read_lines(path, &offset, count_line, &got, &err), MG_OK);
    ck_assert_int_eq(got.n, 3);
    ck_assert_ptr_nonnull(strstr(got.last, "{\"step\":2,"));
    size_t complete = offset;
    /* a reader that tails the file sees the record once it is whole */
    ck_assert_int_eq(write(fd, "ch\":3}\n", 7), 7);
    close(fd);
    ck_assert_int_eq(mg_run_read_lines(path, &offset, count_line, &got, &err), MG_OK);
    ck_assert_int_eq(got.n, 4);
    ck_assert_str_eq(got.last, "{\"step\":3,\"epoch\":3}");
    ck_assert_uint_eq(offset, complete + 21);
    ck_assert_int_eq(mg_run_read_lines(path, &offset, count_line, &got, &err), MG_OK);
    ck_assert_int_eq(got.n, 4);
    mg_run_close(r, MG_RUN_STOPPED, NULL, NULL);
    tu_rmrf(dir);
}
END_TEST

/* A line longer than any record (a file of one endless line) stops the
 * reader with a message once past the cap, the lines before it read. */
START_TEST(an_endless_line_is_refused_at_the_cap)
{
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "test_run");
    snprintf(path, sizeof path, "%s/steps.jsonl", dir);
    FILE *f = fopen(path, "wb");
    fputs("{\"step\":0}\n", f);
    for (int i = 0; i <= MG_RUN_LINE_MAX / 4096; i++)
        fprintf(f, "%4096d", i);
    fclose(f);
    lines got = { 0 };
    size_t offset = 0;
    mg_error err;
    ck_assert_int_eq(mg_run_read_lines(path, &offset, count_line, &got, &err), MG_EFORMAT);
    ck_assert_int_eq(got.n, 1);
    ck_assert_uint_eq(offset, 11);
    ck_assert_msg(strstr(err.message, "the line at byte 11 is longer than"), "%s", err.message);
    tu_rmrf(dir);
}
END_TEST

START_TEST(a_used_directory_is_refused_unless_replaced)
{
    char dir[64], path[600], fresh[600], again[600];
    tu_tmpdir(dir, sizeof dir, "test_run");
    mg_error err;
    ck_assert(!mg_run_dir_in_use(dir));
    mg_run *r = mg_run_open(dir, NULL, 0, &err);
    ck_assert_ptr_nonnull(r);
    mg_run_log_step(r, &(mg_run_step){ .step = 0, .loss = 1, .accuracy = NAN, .lr = 1 }, &err);
    mg_run_close(r, MG_RUN_OK, NULL, &err);
    snprintf(path, sizeof path, "%s/snapshots", dir);
    ck_assert_int_eq(mkdir(path, 0777), 0);
    snprintf(path, sizeof path, "%s/snapshots/step-000099-graph.svg", dir);
    FILE *f = fopen(path, "w");
    fclose(f);
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    f = fopen(path, "w");
    fclose(f);
    ck_assert(mg_run_dir_in_use(dir));
    ck_assert_ptr_null(mg_run_open(dir, NULL, 0, &err));
    ck_assert_msg(strstr(err.message, "is not empty") != NULL, "%s", err.message);
    r = mg_run_open(dir, NULL, MG_RUN_REPLACE, &err);
    ck_assert_ptr_nonnull(r);
    mg_run_close(r, MG_RUN_OK, NULL, &err);
    char *steps = run_file(dir, "steps.jsonl"); /* the old step is gone */
    ck_assert_ptr_null(strstr(steps, "\"step\""));
    free(steps);
    snprintf(path, sizeof path, "%s/snapshots", dir);
    ck_assert_int_ne(access(path, F_OK), 0);       /* stale pictures gone */
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    ck_assert_int_eq(access(path, F_OK), 0);       /* the user's file stays */
    /* fresh names never collide, even within one second */
    ck_assert_int_eq(mg_run_fresh_dir(dir, "x", fresh, sizeof fresh, &err), MG_OK);
    ck_assert_int_eq(mg_run_fresh_dir(dir, "x", again, sizeof again, &err), MG_OK);
    ck_assert_str_ne(fresh, again);
    tu_rmrf(dir);
}
END_TEST

/* ---- no allocation once warm ---- */

#include "test_alloc_count.h"

/* A batch's grads survive a sample's own backward drawn in between: tensor
 * and scalar parameters alike; the sample's grads are seen as all zero when
 * its backward reaches no parameter. */
START_TEST(a_batchs_grads_survive_a_sample_drawn_in_between)
{
    tiny t;
    tiny_new(&t);
    mg_tensor *params[] = { t.W, t.b };
    mg_value *v[2] = { mg_param(t.g, 0.5), mg_param(t.g, -1.5) };
    mg_graph_keep(t.g);
    mg_train_model m = { .params = params, .nparams = 2, .values = v, .nvalues = 2 };
    mg_grad_stash s;
    ck_assert_int_eq(mg_grad_stash_init(&s, &m, NULL), MG_OK);
    ck_assert(tiny_step(&t));
    v[0]->grad = 3.0;
    v[1]->grad = -0.25;
    ck_assert(!mg_grads_all_zero(&m));
    double want[9];
    for (int i = 0; i < 6; i++)
        want[i] = mg_tensor_grad_at(t.W, i);
    for (int i = 0; i < 3; i++)
        want[6 + i] = mg_tensor_grad_at(t.b, i);
    ck_assert(want[0] != 0 || want[6] != 0);
    mg_grad_stash_save(&s);
    /* the sample's own backward: here it reaches no parameter */
    mg_graph_reset(t.g);
    mg_tensor_zero_grad(t.W);
    mg_tensor_zero_grad(t.b);
    v[0]->grad = v[1]->grad = 0;
    ck_assert(mg_grads_all_zero(&m));
    v[1]->grad = 1e-300; /* any nonzero grad counts */
    ck_assert(!mg_grads_all_zero(&m));
    mg_grad_stash_restore(&s);
    for (int i = 0; i < 6; i++)
        ck_assert_double_eq(mg_tensor_grad_at(t.W, i), want[i]);
    for (int i = 0; i < 3; i++)
        ck_assert_double_eq(mg_tensor_grad_at(t.b, i), want[6 + i]);
    ck_assert_double_eq(v[0]->grad, 3.0);
    ck_assert_double_eq(v[1]->grad, -0.25);
    mg_grad_stash_free(&s);
    mg_grad_stash_free(&s); /* twice is harmless */
    mg_error err;
    ck_assert_int_eq(mg_grad_stash_init(&s, &(mg_train_model){ .nparams = 2 }, &err), MG_EINVAL);
    ck_assert_int_eq(mg_grad_stash_init(NULL, &m, &err), MG_EINVAL);
    mg_graph_free(t.g);
}
END_TEST

/* ---- the loop (mg_trainer.h) on a least-squares fit: w·x ≈ y ---- */

typedef struct fit {
    mg_graph *g;
    mg_tensor *w;
    mg_optim *opt;
    mg_train_model model;
    int epochs_started, steps, updates, evals, nan_at; /* nan_at: a step whose loss is NaN */
    double lrs[16];
} fit;

static void fit_new(fit *f)
{
    *f = (fit){ .g = mg_graph_new(), .nan_at = -1 };
    f->w = mg_tensor_param(f->g, MG_F64, 2, (const int[]){ 2, 1 });
    mg_tensor_load(f->w, (const double[]){ 0.5, -0.5 });
    mg_optim_config c = mg_optim_defaults(MG_OPTIM_SGD);
    c.momentum = 0.9; /* state that a resume must bring back */
    f->opt = mg_optim_new(&f->w, 1, &c, NULL);
    mg_graph_keep(f->g);
    f->model = (mg_train_model){ .identity = "test=fit", .params = &f->w, .nparams = 1,
                                 .optim = f->opt };
}

static void fit_free(fit *f)
{
    mg_optim_free(f->opt);
    mg_graph_free(f->g);
}

static void fit_start(void *ctx, int epoch)
{
    (void)epoch;
    ((fit *)ctx)->epochs_started++;
}

/* The batch of step k: two rows that depend on k, so steps differ. */
static mg_code fit_step(void *ctx, mg_train_batch *out, mg_error *err)
{
    fit *f = ctx;
    mg_graph_reset(f->g);
    double k = f->steps;
    mg_tensor *x = filled(f->g, 2, 2, (const double[]){ 1, k, k / 2, 1 });
    mg_tensor *y = filled(f->g, 2, 1, (const double[]){ 2 + k, 1 });
    mg_tensor *loss = mg_tensor_mse(mg_tensor_matmul(x, f->w), y);
    mg_optim_zero_grad(f->opt);
    if (!loss || mg_tensor_backward(loss) != MG_OK)
        return mg_error_set(err, MG_EINVAL, "fit: %s", mg_graph_error(f->g));
    out->root = loss->node;
    out->loss = f->steps == f->nan_at ? NAN : mg_tensor_get(loss, 0);
    f->steps++;
    return MG_OK;
}

static void fit_update(void *ctx, double lr)
{
    fit *f = ctx;
    if (f->updates < 16)
        f->lrs[f->updates] = lr;
    f->updates++;
    f->opt->cfg.lr = lr;
    mg_optim_step(f->opt);
}

static mg_code fit_eval(void *ctx, mg_eval *out, mg_error *err)
{
    (void)err;
    fit *f = ctx;
    f->evals++;
    *out = (mg_eval){ .loss = mg_tensor_get(f->w, 0), .accuracy = 0.5, .samples = 2 };
    return MG_OK;
}

static const mg_train_task fit_task = { fit_start, fit_step, fit_update, fit_eval };

static mg_trainer fit_loop(fit *f, int64_t steps, const char *save)
{
    return (mg_trainer){ .task = &fit_task, .ctx = f, .model = &f->model, .steps = steps,
                         .batches = 3, .save = save,
                         .schedule = { .kind = MG_LR_LINEAR, .lr = 0.01, .final = 0.1,
                                       .steps = 7 } };
}

typedef struct seen {
    int steps, logged, epochs, warnings;
    int64_t stop_after;
    volatile sig_atomic_t stop;
    char warning[256];
} seen;

static void seen_step(void *ctx, const mg_trainer_step *s)
{
    seen *n = ctx;
    n->steps++;
    n->logged += s->logged;
    if (s->step == n->stop_after)
        n->stop = 2;
}

static mg_code seen_epoch(void *ctx, const mg_trainer_epoch *e, mg_error *err)
{
    (void)err;
    seen *n = ctx;
    n->epochs++;
    ck_assert(e->evaluated);
    ck_assert_int_eq(e->last, 3 * e->epoch + 2);
    return MG_OK;
}

static void seen_warning(void *ctx, int64_t step, const char *text)
{
    (void)step;
    seen *n = ctx;
    n->warnings++;
    snprintf(n->warning, sizeof n->warning, "%s", text);
}

static void watch(mg_trainer *t, seen *n)
{
    *n = (seen){ .stop_after = -1 };
    t->hook_ctx = n;
    t->after_step = seen_step;
    t->after_epoch = seen_epoch;
    t->warning = seen_warning;
    t->stop = &n->stop;
}

/* Seven steps in epochs of three: every step updated at the schedule's rate
 * and recorded, each full epoch evaluated and checkpointed (the seventh
 * step is past the last checkpoint); a run resumed from the checkpoint of
 * the first three steps ends with the weights of the uninterrupted run. */
START_TEST(the_loop_trains_records_saves_and_resumes_exactly)
{
    char dir[256], ckpt[300], half[300], rundir[300];
    tu_tmpdir(dir, sizeof dir, "test_train");
    snprintf(ckpt, sizeof ckpt, "%s/fit.ckpt", dir);
    snprintf(half, sizeof half, "%s/half.ckpt", dir);
    snprintf(rundir, sizeof rundir, "%s/run", dir);
    mg_error err;
    fit whole;
    fit_new(&whole);
    mg_trainer t = fit_loop(&whole, 7, ckpt);
    seen n;
    watch(&t, &n);
    t.run = mg_run_open(rundir, &(mg_run_info){ .dataset = "fit" }, 0, &err);
    ck_assert_ptr_nonnull(t.run);
    ck_assert_int_eq(mg_trainer_run(&t, &err), MG_OK);
    ck_assert_int_eq(mg_run_close(t.run, t.status, NULL, &err), MG_OK);
    ck_assert_int_eq(t.status, MG_RUN_OK);
    ck_assert_int_eq(t.done, 7);
    ck_assert_int_eq(t.saved, 6);
    ck_assert_int_eq(whole.updates, 7);
    ck_assert_int_eq(whole.epochs_started, 3);
    ck_assert_int_eq(whole.evals, 2);
    ck_assert_int_eq(n.steps, 7);
    ck_assert_int_eq(n.logged, 7);
    ck_assert_int_eq(n.epochs, 2);
    for (int k = 0; k < 7; k++)
        ck_assert_double_eq(whole.lrs[k], mg_lr_at(&t.schedule, k));
    char *steps = tu_text(rundir, "steps.jsonl");
    ck_assert_uint_eq(tu_count(steps, "{\"step\":"), 7);
    ck_assert_uint_eq(tu_count(steps, "\"event\":\"eval\""), 2);
    tu_assert_has(steps, "\"split\":\"test\"");
    free(steps);
    char meta[256];
    ck_assert_int_eq(mg_checkpoint_meta(ckpt, meta, sizeof meta, &err), MG_OK);
    tu_assert_has(meta, "test=fit optim=momentum epoch=2 steps=6");

    /* the same run stopped after its first epoch, then resumed by a new process */
    fit first, second;
    fit_new(&first);
    mg_trainer a = fit_loop(&first, 3, half);
    ck_assert_int_eq(mg_trainer_run(&a, &err), MG_OK);
    ck_assert_int_eq(a.saved, 3);
    fit_new(&second);
    second.steps = 3; /* the task's own data position, as a resumed task knows it */
    mg_trainer b = fit_loop(&second, 7, NULL);
    ck_assert_int_eq(mg_trainer_resume(&b, half, &err), MG_OK);
    ck_assert_int_eq(b.start.step, 3);
    ck_assert_int_eq(mg_trainer_run(&b, &err), MG_OK);
    ck_assert_int_eq(b.done, 4);
    ck_assert_int_eq(b.saved, 0);
    for (int i = 0; i < 2; i++)
        ck_assert_double_eq(mg_tensor_get(second.w, i), mg_tensor_get(whole.w, i));
    for (int k = 0; k < 4; k++)
        ck_assert_double_eq(second.lrs[k], whole.lrs[3 + k]);
    /* a checkpoint that does not end an epoch of this run is refused */
    fit other;
    fit_new(&other);
    mg_trainer c = fit_loop(&other, 7, NULL);
    c.batches = 2;
    ck_assert_int_eq(mg_trainer_resume(&c, half, &err), MG_EFORMAT);
    tu_assert_has(err.message, "not the end of epoch");
    ck_assert_int_eq(c.start.step, 0);
    fit_free(&whole);
    fit_free(&first);
    fit_free(&second);
    fit_free(&other);
    tu_rmrf(dir);
}
END_TEST

/* A NaN loss stops the run at its step, without that step's update, named
 * in the message; with keep_going it is said once and the run goes on. A
 * stop asked for (a signal) ends the run after the current step. */
START_TEST(the_loop_stops_on_nan_or_when_asked)
{
    mg_error err;
    fit f;
    fit_new(&f);
    f.nan_at = 2;
    mg_trainer t = fit_loop(&f, 7, NULL);
    seen n;
    watch(&t, &n);
    ck_assert_int_ne(mg_trainer_run(&t, &err), MG_OK);
    ck_assert_int_eq(t.status, MG_RUN_ERROR);
    ck_assert(t.task_failed);
    tu_assert_has(t.message, "the loss is nan at step 2: stopping");
    tu_assert_has(err.message, "the loss is nan at step 2");
    ck_assert_int_eq(t.done, 3);
    ck_assert_int_eq(f.updates, 2);
    ck_assert_int_eq(n.epochs, 0);
    fit_free(&f);

    fit_new(&f);
    f.nan_at = 1;
    t = fit_loop(&f, 7, NULL);
    t.keep_going = true;
    t.log_every = 100; /* the NaN step is recorded all the same */
    watch(&t, &n);
    ck_assert_int_eq(mg_trainer_run(&t, &err), MG_OK);
    ck_assert_int_eq(t.status, MG_RUN_OK);
    ck_assert_int_eq(t.done, 7);
    ck_assert_int_eq(f.updates, 7);
    ck_assert_int_eq(n.logged, 3); /* step 0, the NaN step 1 and the last */
    ck_assert_int_eq(n.warnings, 1);
    tu_assert_has(n.warning, "the loss is nan at step 1: going on");
    fit_free(&f);

    fit_new(&f);
    t = fit_loop(&f, 7, NULL);
    watch(&t, &n);
    n.stop_after = 4;
    ck_assert_int_eq(mg_trainer_run(&t, &err), MG_OK);
    ck_assert_int_eq(t.status, MG_RUN_STOPPED);
    ck_assert_int_eq(t.done, 5);
    ck_assert_int_eq(f.updates, 5);
    ck_assert_int_eq(n.epochs, 1);
    t.task = NULL;
    ck_assert_int_eq(mg_trainer_run(&t, &err), MG_EINVAL);
    fit_free(&f);
}
END_TEST

START_TEST(warm_health_and_logging_allocate_nothing)
{
#ifdef COUNT_MALLOC
    char dir[64];
    tu_tmpdir(dir, sizeof dir, "test_run");
    tiny t;
    tiny_new(&t);
    mg_tensor *params[] = { t.W, t.b };
    mg_health_layer layer = { .scope = "mlp/layer1", .params = params, .nparams = 2 };
    mg_health *h = mg_health_new(t.g, &layer, 1, NULL);
    mg_run *r = mg_run_open(dir, NULL, 0, NULL);
    long before = 0;
    bool ok = true; /* no ck_assert in the loop: Check allocates to record them */
    for (int k = 0; k < 5; k++) {
        if (k == 2)
            before = allocations;
        ok &= tiny_step(&t);
        ok &= mg_health_measure(h) == MG_OK;
        sgd(t.W, 0.01);
        mg_health_after_update(h);
        ok &= mg_run_log_step(r, &(mg_run_step){ .step = k, .loss = 1, .lr = 0.01,
                                                .accuracy = NAN, .health = h }, NULL) == MG_OK;
    }
    long used = allocations - before;
    ck_assert(ok);
    ck_assert_int_eq(used, 0);
    mg_run_close(r, MG_RUN_OK, NULL, NULL);
    mg_health_free(h);
    mg_graph_free(t.g);
    tu_rmrf(dir);
#endif
}
END_TEST

/* The library's loop adds no allocation to a warm step: steps 2..7 of a
 * run with a health monitor and step records, counted from its hooks. */
START_TEST(warm_loop_steps_allocate_nothing)
{
#ifdef COUNT_MALLOC
    char dir[64];
    tu_tmpdir(dir, sizeof dir, "test_run");
    fit f;
    fit_new(&f);
    mg_health_layer layer = { .scope = "w", .params = &f.w, .nparams = 1 };
    mg_trainer t = fit_loop(&f, 8, NULL);
    t.batches = 8; /* no epoch's end (evaluation, its event) among the steps counted */
    t.health = mg_health_new(f.g, &layer, 1, NULL);
    t.run = mg_run_open(dir, NULL, 0, NULL);
    tu_step_count c = { .from = 1, .to = 7 };
    t.hook_ctx = &c;
    t.after_step = tu_count_steps;
    ck_assert_int_eq(mg_trainer_run(&t, NULL), MG_OK);
    ck_assert_int_eq(t.done, 8);
    ck_assert(c.at_from > 0);
    ck_assert_int_eq(c.at_to - c.at_from, 0);
    mg_run_close(t.run, MG_RUN_OK, NULL, NULL);
    mg_health_free(t.health);
    fit_free(&f);
    tu_rmrf(dir);
#endif
}
END_TEST


static Suite *train_suite(void)
{
    Suite *s = suite_create("train");
    TCase *c = tcase_create("library");
    tcase_set_timeout(c, 60);
    tcase_add_test(c, linear_schedule_is_micrograds_demo);
    tcase_add_test(c, cosine_schedule_with_warmup);
    tcase_add_test(c, bad_schedules_are_refused_by_name);
    tcase_add_test(c, resume_restores_what_save_wrote);
    tcase_add_test(c, absurd_step_counts_are_refused);
    tcase_add_test(c, another_model_or_optimiser_is_refused_untouched);
    tcase_add_test(c, scalar_parameters_round_trip);
    tcase_add_test(c, accuracy_and_row_losses);
    tcase_add_test(c, evaluate_images_in_chunks);
    tcase_add_test(c, health_of_a_relu_layer_by_hand);
    tcase_add_test(c, health_of_scalar_tanh_neurons_by_hand);
    tcase_add_test(c, run_json_and_step_records);
    tcase_add_test(c, torn_last_record_is_skipped_not_fatal);
    tcase_add_test(c, an_endless_line_is_refused_at_the_cap);
    tcase_add_test(c, a_used_directory_is_refused_unless_replaced);
    tcase_add_test(c, a_batchs_grads_survive_a_sample_drawn_in_between);
    tcase_add_test(c, the_loop_trains_records_saves_and_resumes_exactly);
    tcase_add_test(c, the_loop_stops_on_nan_or_when_asked);
    tcase_add_test(c, warm_health_and_logging_allocate_nothing);
    tcase_add_test(c, warm_loop_steps_allocate_nothing);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run_suite(train_suite()); }

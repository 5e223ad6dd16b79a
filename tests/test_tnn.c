/* test_tnn.c — tensor nn: Linear/MLP structure, init, scopes; SGD with
 * momentum and weight decay and Adam against their formulas computed here. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "test_util.h"
#include "mg_tnn.h"

START_TEST(test_mlp_structure_and_init)
{
    mg_graph *g = mg_graph_new();
    int sizes[] = { 6, 4, 3 };
    mg_error err;
    mg_tmlp *m = mg_tmlp_new(g, MG_F64, sizes, 3, MG_INIT_KAIMING, 5, &err);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->nparams, 4);
    ck_assert_int_eq(m->params[0]->shape[0], 6);
    ck_assert_int_eq(m->params[0]->shape[1], 4);
    ck_assert_int_eq(m->params[3]->shape[0], 3);
    char path[32];
    mg_scope_path(g, m->params[2]->node->scope, path, sizeof path);
    ck_assert_str_eq(path, "mlp/layer2");
    ck_assert_str_eq(mg_value_label(m->params[2]->node), "layer2.W");
    ck_assert_str_eq(mg_value_label(m->params[3]->node), "layer2.b");
    const double bound = sqrt(6.0 / 6);
    double spread = 0;
    for (int i = 0; i < 24; i++) {
        double v = mg_tensor_get(m->params[0], i);
        ck_assert(fabs(v) <= bound);
        spread += fabs(v);
    }
    ck_assert(spread > 24 * bound / 4); /* not all near zero */
    ck_assert_double_eq(mg_tensor_get(m->params[1], 0), 0.0);
    mg_tmlp *same = mg_tmlp_new(g, MG_F64, sizes, 3, MG_INIT_KAIMING, 5, &err);
    mg_tmlp *xav = mg_tmlp_new(g, MG_F64, sizes, 3, MG_INIT_XAVIER, 5, &err);
    ck_assert_double_eq(mg_tensor_get(same->params[0], 7), mg_tensor_get(m->params[0], 7));
    ck_assert_double_eq_tol(mg_tensor_get(xav->params[0], 7) / mg_tensor_get(m->params[0], 7),
                            sqrt(6.0 / 10) / bound, 1e-12);
    /* forward nodes sit in the layer scopes; hidden layers end in relu */
    mg_tensor *x = mg_tensor_input(g, MG_F64, 2, (const int[]){ 2, 6 });
    mg_tensor *y = mg_tmlp_forward(m, x);
    ck_assert_int_eq(y->shape[1], 3);
    mg_scope_path(g, y->node->scope, path, sizeof path);
    ck_assert_str_eq(path, "mlp/layer2");
    /* each layer is one linear node over x, W and b (the bias added in the product) */
    ck_assert_str_eq(mg_tensor_op_name(y), "linear");
    ck_assert_str_eq(mg_tensor_op_name(mg_tensor_parent(y, 0)), "relu");
    ck_assert_ptr_eq(mg_tensor_parent(y, 1), m->layers[1].W);
    ck_assert_ptr_eq(mg_tensor_parent(y, 2), m->layers[1].b);
    ck_assert_ptr_null(mg_tensor_parent(y, 3));
    ck_assert_ptr_null(mg_tmlp_forward(m, mg_tensor_input(g, MG_F64, 2, (const int[]){ 2, 5 })));
    ck_assert(strstr(mg_graph_error(g), "[2,5] and [6,4]") != NULL);
    ck_assert_ptr_null(mg_tmlp_new(g, MG_F64, (const int[]){ 3, 0 }, 2, MG_INIT_KAIMING, 1, &err));
    ck_assert(strstr(err.message, "size 1 is 0") != NULL);
    mg_tmlp_free(m);
    mg_tmlp_free(same);
    mg_tmlp_free(xav);
    mg_graph_free(g);
}
END_TEST

/* Three steps of an optimiser on p (2 elements) with fixed grads, against
 * the update rule written out here in doubles. */
static void run_steps(const mg_optim_config *cfg, double *out)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *p = mg_tensor_param(g, MG_F64, 1, (const int[]){ 2 });
    mg_tensor_load(p, (const double[]){ 1.0, -2.0 });
    mg_error err;
    mg_optim *o = mg_optim_new(&p, 1, cfg, &err);
    ck_assert_msg(o != NULL, "%s", err.message);
    const double grads[3][2] = { { 0.5, -1.0 }, { 0.25, 2.0 }, { -1.0, 0.0 } };
    for (int s = 0; s < 3; s++) {
        mg_optim_zero_grad(o);
        memcpy(p->grad, grads[s], sizeof grads[s]);
        mg_optim_step(o);
    }
    out[0] = mg_tensor_get(p, 0);
    out[1] = mg_tensor_get(p, 1);
    mg_optim_free(o);
    mg_graph_free(g);
}

START_TEST(test_sgd_momentum_weight_decay)
{
    mg_optim_config cfg = mg_optim_defaults(MG_OPTIM_SGD);
    cfg.lr = 0.1;
    cfg.momentum = 0.9;
    cfg.weight_decay = 0.01;
    double got[2];
    run_steps(&cfg, got);
    const double grads[3][2] = { { 0.5, -1.0 }, { 0.25, 2.0 }, { -1.0, 0.0 } };
    double p[2] = { 1.0, -2.0 }, v[2] = { 0, 0 };
    for (int s = 0; s < 3; s++)
        for (int i = 0; i < 2; i++) {
            v[i] = 0.9 * v[i] + grads[s][i] + 0.01 * p[i];
            p[i] -= 0.1 * v[i];
        }
    ck_assert_double_eq_tol(got[0], p[0], 1e-15);
    ck_assert_double_eq_tol(got[1], p[1], 1e-15);
}
END_TEST

START_TEST(test_adam)
{
    mg_optim_config cfg = mg_optim_defaults(MG_OPTIM_ADAM);
    cfg.lr = 0.01;
    double got[2];
    run_steps(&cfg, got);
    const double grads[3][2] = { { 0.5, -1.0 }, { 0.25, 2.0 }, { -1.0, 0.0 } };
    double p[2] = { 1.0, -2.0 }, m[2] = { 0, 0 }, v[2] = { 0, 0 };
    for (int s = 0; s < 3; s++)
        for (int i = 0; i < 2; i++) {
            m[i] = 0.9 * m[i] + 0.1 * grads[s][i];
            v[i] = 0.999 * v[i] + 0.001 * grads[s][i] * grads[s][i];
            double mhat = m[i] / (1 - pow(0.9, s + 1)), vhat = v[i] / (1 - pow(0.999, s + 1));
            p[i] -= 0.01 * mhat / (sqrt(vhat) + 1e-8);
        }
    ck_assert_double_eq_tol(got[0], p[0], 1e-12);
    ck_assert_double_eq_tol(got[1], p[1], 1e-12);
}
END_TEST

START_TEST(test_optimizer_refuses_bad_config)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *p = mg_tensor_param(g, MG_F32, 1, (const int[]){ 2 });
    mg_tensor *in = mg_tensor_input(g, MG_F32, 1, (const int[]){ 2 });
    mg_optim_config cfg = mg_optim_defaults(MG_OPTIM_SGD);
    mg_error err;
    cfg.lr = -1;
    ck_assert_ptr_null(mg_optim_new(&p, 1, &cfg, &err));
    ck_assert(strstr(err.message, "learning rate -1") != NULL);
    cfg = mg_optim_defaults(MG_OPTIM_ADAM);
    cfg.beta2 = 1.0;
    ck_assert_ptr_null(mg_optim_new(&p, 1, &cfg, &err));
    ck_assert(strstr(err.message, "betas") != NULL);
    cfg = mg_optim_defaults(MG_OPTIM_SGD);
    ck_assert_ptr_null(mg_optim_new(&in, 1, &cfg, &err));
    ck_assert(strstr(err.message, "does not require grad") != NULL);
    mg_graph_free(g);
}
END_TEST

/* AdamW decays matrices, not biases or norm gains, unless told otherwise. */
START_TEST(test_adamw_decay_flags)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *p[2] = { mg_tensor_param(g, MG_F64, 2, (const int[]){ 2, 2 }),
                        mg_tensor_param(g, MG_F64, 1, (const int[]){ 2 }) };
    mg_tensor_fill(p[0], 1.0);
    mg_tensor_fill(p[1], 1.0);
    mg_optim_config cfg = mg_optim_defaults(MG_OPTIM_ADAMW);
    ck_assert_double_eq(cfg.weight_decay, 0.01);
    cfg.lr = 0.1;
    cfg.weight_decay = 0.5;
    mg_optim *o = mg_optim_new(p, 2, &cfg, NULL);
    ck_assert_str_eq(mg_optim_name(o), "adamw");
    ck_assert_int_eq(o->decay[0], 1);
    ck_assert_int_eq(o->decay[1], 0);
    mg_optim_step(o); /* zero grads: only the decay moves anything */
    ck_assert_double_eq_tol(mg_tensor_get(p[0], 0), 1.0 - 0.1 * 0.5, 1e-15);
    ck_assert_double_eq(mg_tensor_get(p[1], 0), 1.0);
    ck_assert_int_eq(mg_optim_set_decay(o, 1, 1), MG_OK);
    ck_assert_int_eq(mg_optim_set_decay(o, 2, 1), MG_EINVAL);
    mg_optim_step(o);
    ck_assert_double_eq_tol(mg_tensor_get(p[1], 0), 1.0 - 0.1 * 0.5, 1e-15);
    mg_optim_free(o);
    /* SGD and Adam keep PyTorch's one group: every parameter decays */
    cfg = mg_optim_defaults(MG_OPTIM_ADAM);
    o = mg_optim_new(p, 2, &cfg, NULL);
    ck_assert_int_eq(o->decay[1], 1);
    ck_assert_str_eq(mg_optim_name(o), "adam");
    mg_optim_free(o);
    mg_graph_free(g);
}
END_TEST

/* The global norm over every grad; scaled down only when above max_norm. */
START_TEST(test_clip_grad_norm)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *p[2] = { mg_tensor_param(g, MG_F32, 1, (const int[]){ 2 }),
                        mg_tensor_param(g, MG_F64, 1, (const int[]){ 1 }) };
    mg_optim_config cfg = mg_optim_defaults(MG_OPTIM_SGD);
    mg_optim *o = mg_optim_new(p, 2, &cfg, NULL);
    ((float *)p[0]->grad)[0] = 3.0f;
    ((float *)p[0]->grad)[1] = 0.0f;
    ((double *)p[1]->grad)[0] = 4.0;
    ck_assert_double_eq(mg_optim_clip_grad_norm(o, 10.0), 5.0);
    ck_assert_float_eq(((float *)p[0]->grad)[0], 3.0f); /* under the limit: untouched */
    ck_assert_double_eq(mg_optim_clip_grad_norm(o, 1.0), 5.0);
    ck_assert_double_eq_tol(mg_tensor_grad_at(p[1], 0), 4.0 / (5.0 + 1e-6), 1e-15);
    ck_assert_double_eq_tol(mg_tensor_grad_at(p[0], 0), 3.0 / (5.0 + 1e-6), 1e-7);
    ck_assert_double_eq_tol(mg_optim_clip_grad_norm(o, 1.0), 1.0, 1e-6);
    ((double *)p[1]->grad)[0] = NAN;
    ck_assert(isnan(mg_optim_clip_grad_norm(o, 1.0)));
    ck_assert(isnan(mg_tensor_grad_at(p[0], 0))); /* as PyTorch: NaN spreads */
    mg_optim_free(o);
    mg_graph_free(g);
}
END_TEST

/* ---- mg_optim_update against the separate calls ---- */

/* A model of float and double parameters: one across chunks and blocks, odd
 * sizes for the vector loops' tails. */
enum { UPDATE_PARAMS = 4 };
typedef struct update_model {
    mg_graph *g;
    mg_tensor *p[UPDATE_PARAMS];
    mg_optim *o;
} update_model;

static update_model update_model_new(const mg_optim_config *cfg)
{
    update_model u = { .g = mg_graph_new() };
    u.p[0] = mg_tensor_param(u.g, MG_F32, 2, (const int[]){ 200, 201 });
    u.p[1] = mg_tensor_param(u.g, MG_F32, 1, (const int[]){ 3001 });
    u.p[2] = mg_tensor_param(u.g, MG_F64, 2, (const int[]){ 3, 517 });
    u.p[3] = mg_tensor_param(u.g, MG_F32, 1, (const int[]){ 5 });
    mg_rng r;
    mg_rng_seed(&r, 7);
    for (int i = 0; i < UPDATE_PARAMS; i++)
        for (int k = 0; k < u.p[i]->numel; k++)
            mg_tensor_set(u.p[i], k, mg_rng_range(&r, -1, 1));
    u.o = mg_optim_new(u.p, UPDATE_PARAMS, cfg, NULL);
    ck_assert_ptr_nonnull(u.o);
    return u;
}

static void update_model_free(update_model *u)
{
    mg_optim_free(u->o);
    mg_graph_free(u->g);
}

static size_t grad_bytes(const mg_tensor *t)
{
    return (size_t)t->numel * mg_dtype_size(t->dtype);
}

static void set_grad(mg_tensor *t, int k, double x)
{
    if (t->dtype == MG_F32)
        ((float *)t->grad)[k] = (float)x;
    else
        ((double *)t->grad)[k] = x;
}

/* Step s's grads, the same for both models; NaN at one element when nan. */
static void set_grads(update_model *u, int s, bool nan)
{
    mg_rng r;
    mg_rng_seed(&r, 100 + (uint64_t)s);
    for (int i = 0; i < UPDATE_PARAMS; i++)
        for (int k = 0; k < u->p[i]->numel; k++)
            set_grad(u->p[i], k, mg_rng_range(&r, -1, 1));
    if (nan)
        set_grad(u->p[1], 1234, NAN);
}

static bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Three steps of clip (max_norm > 0) + step on one model and of
 * mg_optim_update on the other: the same norms, parameters and state, bit for
 * bit; the fused call's grads unscaled, or 0 with zero_grad. */
static void check_update(const mg_optim_config *cfg, double max_norm, bool zero, int nan_step)
{
    update_model a = update_model_new(cfg), b = update_model_new(cfg);
    for (int s = 0; s < 3; s++) {
        set_grads(&a, s, s == nan_step);
        set_grads(&b, s, s == nan_step);
        const double na = max_norm > 0 ? mg_optim_clip_grad_norm(a.o, max_norm) : 0.0;
        mg_optim_step(a.o);
        const double nb = mg_optim_update(b.o, &(mg_update_opts){ .max_norm = max_norm,
                                                                  .zero_grad = zero });
        ck_assert_msg(same_bits(na, nb), "step %d: norm %.17g against %.17g", s, nb, na);
        set_grads(&a, s, s == nan_step); /* a's grads as they were before the clip */
        for (int i = 0; i < UPDATE_PARAMS; i++) {
            const mg_tensor *pa = a.p[i], *pb = b.p[i];
            ck_assert_msg(memcmp(pa->data, pb->data, grad_bytes(pa)) == 0,
                          "step %d: parameter %d differs", s, i);
            for (int j = 0; j < mg_optim_state_count(a.o); j++)
                ck_assert_msg(memcmp(mg_optim_state(a.o, i, j), mg_optim_state(b.o, i, j),
                                     grad_bytes(pa)) == 0,
                              "step %d: state %d of parameter %d differs", s, j, i);
            int k = 0; /* (one assertion: check's are slow per element) */
            while (k < pb->numel
                   && same_bits(mg_tensor_grad_at(pb, k), zero ? 0.0 : mg_tensor_grad_at(pa, k)))
                k++;
            ck_assert_msg(k == pb->numel, "step %d: grad %d of parameter %d is %g", s, k, i,
                          k < pb->numel ? mg_tensor_grad_at(pb, k) : 0.0);
        }
    }
    update_model_free(&a);
    update_model_free(&b);
}

/* Every rule, with clipping that scales, that does not, none at all, and a NaN
 * grad (NaN norm: the grads scaled by NaN, as PyTorch). */
START_TEST(test_update_same_bits_as_separate_calls)
{
    mg_optim_config cfgs[4] = { mg_optim_defaults(MG_OPTIM_SGD), mg_optim_defaults(MG_OPTIM_SGD),
                                mg_optim_defaults(MG_OPTIM_ADAM),
                                mg_optim_defaults(MG_OPTIM_ADAMW) };
    cfgs[0].weight_decay = 0.01;
    cfgs[1].momentum = 0.9;
    cfgs[1].weight_decay = 0.01;
    cfgs[2].weight_decay = 0.01; /* L2: added to the scaled grad */
    cfgs[3].weight_decay = 0.1;
    for (int c = 0; c < 4; c++)
        for (int zero = 0; zero < 2; zero++) {
            check_update(&cfgs[c], 1.0, zero, -1);   /* norm ~120: scaled */
            check_update(&cfgs[c], 1e6, zero, -1);   /* under the limit */
            check_update(&cfgs[c], 0.0, zero, -1);   /* no clipping */
            check_update(&cfgs[c], 1.0, zero, 1);    /* a NaN grad at step 1 */
        }
}
END_TEST

/* Without clipping no norm is taken; NULL options are a plain step. */
START_TEST(test_update_without_clipping)
{
    mg_optim_config cfg = mg_optim_defaults(MG_OPTIM_ADAMW);
    update_model a = update_model_new(&cfg), b = update_model_new(&cfg);
    set_grads(&a, 0, false);
    set_grads(&b, 0, false);
    mg_optim_step(a.o);
    ck_assert_double_eq(mg_optim_update(b.o, NULL), 0.0);
    ck_assert_int_eq(b.o->steps, 1);
    for (int i = 0; i < UPDATE_PARAMS; i++)
        ck_assert(memcmp(a.p[i]->data, b.p[i]->data, grad_bytes(a.p[i])) == 0);
    ck_assert_double_eq(mg_optim_update(NULL, NULL), 0.0);
    update_model_free(&a);
    update_model_free(&b);
}
END_TEST

static Suite *tnn_suite(void)
{
    Suite *s = suite_create("tnn");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_mlp_structure_and_init);
    tcase_add_test(tc, test_sgd_momentum_weight_decay);
    tcase_add_test(tc, test_adam);
    tcase_add_test(tc, test_optimizer_refuses_bad_config);
    tcase_add_test(tc, test_adamw_decay_flags);
    tcase_add_test(tc, test_clip_grad_norm);
    tcase_add_test(tc, test_update_same_bits_as_separate_calls);
    tcase_add_test(tc, test_update_without_clipping);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(tnn_suite()); }

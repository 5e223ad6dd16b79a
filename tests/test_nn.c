/* test_nn.c — Neuron/Layer/MLP, losses, SGD and the moons data. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "test_util.h"
#include "mg_data.h"
#include "mg_gradcheck.h"
#include "mg_loss.h"

static mg_mlp *make(mg_graph *g, const int *nouts, int nlayers, uint64_t seed)
{
    mg_error err;
    mg_mlp *m = mg_mlp_new(g, 2, nouts, nlayers, MG_NONLIN_RELU, MG_NONLIN_LINEAR, seed, &err);
    ck_assert_msg(m != NULL, "%s", err.message);
    return m;
}

START_TEST(test_mlp_shape_and_init)
{
    mg_graph *g = mg_graph_new();
    int nouts[] = { 16, 16, 1 };
    mg_mlp *m = make(g, nouts, 3, 7);
    size_t n;
    mg_value *const *p = mg_mlp_parameters(m, &n);
    ck_assert_uint_eq(n, 16 * 3 + 16 * 17 + 17);
    for (size_t i = 0; i < n; i++) {
        ck_assert(p[i]->flags & MG_FLAG_PARAM);
        ck_assert(p[i]->data >= -1.0 && p[i]->data < 1.0);
    }
    ck_assert_double_eq(m->layers[0].neurons[0].b->data, 0.0);
    ck_assert_str_eq(mg_value_label(m->layers[0].neurons[0].w[1]), "w1");
    /* same seed, same weights; another seed, other weights */
    mg_mlp *same = make(g, nouts, 3, 7), *other = make(g, nouts, 3, 8);
    ck_assert_double_eq(same->params[4]->data, p[4]->data);
    ck_assert_double_ne(other->params[4]->data, p[4]->data);
    mg_mlp_free(m);
    mg_mlp_free(same);
    mg_mlp_free(other);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_forward_matches_hand_computation)
{
    mg_graph *g = mg_graph_new();
    int nouts[] = { 3, 1 };
    mg_mlp *m = make(g, nouts, 2, 3);
    double in[2] = { 0.7, -1.3 };
    mg_value *x[2] = { mg_input(g, in[0]), mg_input(g, in[1]) };
    mg_value *y;
    ck_assert_int_eq(mg_mlp_forward(m, x, &y), MG_OK);
    double expect = m->layers[1].neurons[0].b->data;
    for (int j = 0; j < 3; j++) {
        const mg_neuron *n = &m->layers[0].neurons[j];
        double act = n->b->data + n->w[0]->data * in[0] + n->w[1]->data * in[1];
        expect += m->layers[1].neurons[0].w[j]->data * (act > 0 ? act : 0);
    }
    ck_assert_double_eq_tol(y->data, expect, 1e-14);
    char path[64];
    mg_scope_path(g, y->scope, path, sizeof path);
    ck_assert_str_eq(path, "mlp/layer2/neuron1");
    mg_mlp_free(m);
    mg_graph_free(g);
}
END_TEST

/* micrograd's MLP(2, [16, 1, 1]) once failed: a one-neuron hidden layer. */
START_TEST(test_one_neuron_hidden_layer)
{
    mg_graph *g = mg_graph_new();
    int nouts[] = { 16, 1, 1 };
    mg_mlp *m = make(g, nouts, 3, 1);
    mg_value *x[2] = { mg_input(g, 1.0), mg_input(g, 2.0) };
    mg_value *y;
    ck_assert_int_eq(mg_mlp_forward(m, x, &y), MG_OK);
    ck_assert_int_eq(mg_backward(y), MG_OK);
    /* d(out)/d(w) is the lone hidden neuron's output, left in the second scratch buffer */
    ck_assert_double_eq(m->layers[2].neurons[0].w[0]->grad, m->scratch[m->width]->data);
    mg_mlp_free(m);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_bad_sizes_are_errors)
{
    mg_graph *g = mg_graph_new();
    mg_error err;
    int bad[] = { 4, 0 };
    ck_assert_ptr_null(mg_mlp_new(g, 2, bad, 2, MG_NONLIN_RELU, MG_NONLIN_LINEAR, 1, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "layer 2 has size 0"));
    ck_assert_ptr_null(mg_mlp_new(g, 0, bad, 1, MG_NONLIN_RELU, MG_NONLIN_LINEAR, 1, &err));
    ck_assert_ptr_null(mg_mlp_new(NULL, 2, bad, 1, MG_NONLIN_RELU, MG_NONLIN_LINEAR, 1, &err));
    mg_graph_free(g);
}
END_TEST

/* One step moves every parameter by -lr·grad and nothing else; zero_grad then
 * clears every grad, so the next backward's grads are that step's alone (not
 * added to the old ones), and it leaves the data as it was. */
START_TEST(test_sgd_and_zero_grad)
{
    mg_graph *g = mg_graph_new();
    mg_error err;
    int nouts[] = { 3, 1 };
    mg_mlp *m = mg_mlp_new(g, 2, nouts, 2, MG_NONLIN_TANH, MG_NONLIN_LINEAR, 5, &err);
    ck_assert_ptr_nonnull(m);
    mg_graph_keep(g);
    size_t n;
    mg_value *const *params = mg_mlp_parameters(m, &n);
    ck_assert_uint_eq(n, 3 * 3 + 4);
    double before[13], grad[13];
    mg_value *x[2] = { mg_input(g, 0.5), mg_input(g, -1.5) }, *out;
    ck_assert_int_eq(mg_mlp_forward(m, x, &out), MG_OK);
    mg_backward(mg_pow(out, 2));
    size_t moved = 0;
    for (size_t i = 0; i < n; i++) {
        before[i] = params[i]->data;
        grad[i] = params[i]->grad;
        moved += grad[i] != 0.0;
    }
    ck_assert_uint_eq(moved, n); /* tanh: every parameter has a say */
    mg_sgd_step(params, n, 0.25);
    for (size_t i = 0; i < n; i++) {
        ck_assert_double_eq(params[i]->data, before[i] - 0.25 * grad[i]);
        ck_assert_double_eq(params[i]->grad, grad[i]); /* the step reads grads only */
        before[i] = params[i]->data;
    }
    mg_mlp_zero_grad(m);
    for (size_t i = 0; i < n; i++) {
        ck_assert_double_eq(params[i]->grad, 0.0);
        ck_assert_double_eq(params[i]->data, before[i]);
    }
    /* A fresh graph on the stepped weights: grads now are its alone. */
    mg_graph_reset(g);
    x[0] = mg_input(g, 0.5), x[1] = mg_input(g, -1.5);
    ck_assert_int_eq(mg_mlp_forward(m, x, &out), MG_OK);
    mg_value *loss = mg_pow(out, 2);
    mg_backward(loss);
    double first[13];
    for (size_t i = 0; i < n; i++)
        first[i] = params[i]->grad;
    mg_mlp_zero_grad(m);
    mg_backward(loss);
    for (size_t i = 0; i < n; i++)
        ck_assert_double_eq(params[i]->grad, first[i]);
    mg_mlp_free(m);
    mg_graph_free(g);
}
END_TEST

/* ---- losses ---- */

START_TEST(test_losses_values)
{
    mg_graph *g = mg_graph_new();
    mg_value *s[3] = { mg_input(g, 2.0), mg_input(g, -0.5), mg_input(g, 0.25) };
    double y[3] = { 1, 1, -1 };
    /* relu(1-2) + relu(1+0.5) + relu(1+0.25) = 0 + 1.5 + 1.25 */
    ck_assert_double_eq_tol(mg_loss_svm(s, y, 3)->data, 2.75 / 3, 1e-15);
    double t[3] = { 1.0, 0.5, 0.0 };
    ck_assert_double_eq_tol(mg_loss_mse(s, t, 3)->data, (1.0 + 1.0 + 0.0625) / 3, 1e-15);
    mg_value *sum = mg_sum(s, 3);
    ck_assert_double_eq(sum->data, 1.75);
    ck_assert_ptr_null(mg_sum(s, 0));
    mg_value *l2 = mg_l2(s, 3, 0.5);
    ck_assert_double_eq_tol(l2->data, 0.5 * (4 + 0.25 + 0.0625), 1e-15);
    mg_graph_free(g);
}
END_TEST

/* BCE from logits must stay finite where log(sigmoid(z)) would overflow. */
START_TEST(test_bce_is_stable)
{
    mg_graph *g = mg_graph_new();
    mg_value *z = mg_input(g, 1000.0);
    mg_value *l = mg_bce_logits(z, 0.0);
    mg_backward(l);
    ck_assert_double_eq(l->data, 1000.0);
    ck_assert_double_eq(z->grad, 1.0);
    mg_value *z2 = mg_input(g, -1000.0);
    mg_value *l2 = mg_bce_logits(z2, 0.0);
    mg_backward(l2);
    ck_assert_double_eq(l2->data, 0.0);
    ck_assert_double_eq(z2->grad, 0.0);
    mg_value *z3 = mg_input(g, 0.0);
    mg_backward(mg_bce_logits(z3, 1.0));
    ck_assert_double_eq(z3->grad, -0.5); /* sigmoid(0) - 1 */
    mg_graph_free(g);
}
END_TEST

static mg_value *losses_fn(mg_graph *g, mg_value *const *x, size_t n, void *ctx)
{
    (void)g;
    (void)ctx;
    double y[3] = { 1, -1, 1 }, t[3] = { 0.2, 0.9, 0.5 };
    mg_value *a = mg_loss_svm(x, y, n), *b = mg_loss_mse(x, t, n);
    return mg_add(mg_add(a, b), mg_loss_bce_logits(x, t, n));
}

START_TEST(test_losses_gradcheck)
{
    double x[3] = { 0.3, -0.7, 1.9 };
    mg_gradcheck_result r;
    mg_error err;
    ck_assert_int_eq(mg_gradcheck(losses_fn, NULL, x, 3, NULL, 0, &r, &err), MG_OK);
    ck_assert_msg(r.max_rel_error < 1e-6, "worst %zu: %g vs %g", r.worst, r.analytic, r.numeric);
}
END_TEST

/* ---- data ---- */

/* The tensor form of micrograd's demo loss is the scalar one, array at a
 * time: the same loss, the same grads of scores and parameters, and the
 * same per-sample losses (a NaN score kept). */
START_TEST(test_tensor_svm_loss_matches_scalar)
{
    const double sc[4] = { 0.3, -2.0, 1.5, -0.2 }, y[4] = { 1, 1, -1, -1 };
    const double w[3] = { 0.5, -1.0, 2.0 }, alpha = 1e-2;
    mg_graph *g = mg_graph_new();
    mg_value *s[4], *p[3];
    for (int i = 0; i < 4; i++)
        s[i] = mg_param(g, sc[i]);
    for (int i = 0; i < 3; i++)
        p[i] = mg_param(g, w[i]);
    mg_value *want = mg_add(mg_loss_svm(s, y, 4), mg_l2(p, 3, alpha));
    ck_assert_int_eq(mg_backward(want), MG_OK);
    mg_graph *tg = mg_graph_new();
    mg_tensor *ts = mg_tensor_param(tg, MG_F64, 2, (const int[]){ 4, 1 });
    mg_tensor *ty = mg_tensor_input(tg, MG_F64, 2, (const int[]){ 4, 1 });
    mg_tensor *tw[2] = { mg_tensor_param(tg, MG_F64, 1, (const int[]){ 2 }),
                         mg_tensor_param(tg, MG_F64, 1, (const int[]){ 1 }) };
    mg_tensor_load(ts, sc);
    mg_tensor_load(ty, y);
    mg_tensor_load(tw[0], w);
    mg_tensor_load(tw[1], w + 2);
    mg_tensor *got = mg_tensor_add(mg_tensor_loss_svm(ts, ty), mg_tensor_l2(tw, 2, alpha));
    ck_assert_int_eq(mg_tensor_backward(got), MG_OK);
    ck_assert_double_eq_tol(mg_tensor_get(got, 0), want->data, 1e-12);
    for (int i = 0; i < 4; i++)
        ck_assert_double_eq_tol(mg_tensor_grad_at(ts, i), s[i]->grad, 1e-12);
    for (int i = 0; i < 3; i++)
        ck_assert_double_eq_tol(mg_tensor_grad_at(tw[i / 2], i % 2), p[i]->grad, 1e-12);
    double rows[4];
    mg_tensor_set(ts, 3, NAN);
    mg_svm_rows(ts, ty, rows);
    ck_assert_double_eq_tol(rows[0], 0.7, 1e-12);          /* 1 - 0.3 */
    ck_assert_double_eq_tol(rows[1], 3.0, 1e-12);          /* 1 + 2 */
    ck_assert_double_eq_tol(rows[2], 2.5, 1e-12);          /* 1 + 1.5 */
    ck_assert(isnan(rows[3]));
    mg_tensor_set(ts, 0, 4.0);
    mg_svm_rows(ts, ty, rows);
    ck_assert_double_eq(rows[0], 0.0);                     /* past the margin */
    ck_assert_ptr_null(mg_tensor_loss_svm(NULL, ty));
    ck_assert_ptr_null(mg_tensor_l2(tw, 0, alpha));
    mg_graph_free(tg);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_moons_definition)
{
    double X[2 * 101], y[101];
    mg_error err;
    ck_assert_int_eq(mg_make_moons(101, 0.0, 5, X, y, &err), MG_OK);
    int outer = 0;
    for (int i = 0; i < 101; i++) {
        double px = X[2 * i], py = X[2 * i + 1];
        if (y[i] < 0) { /* outer moon: the upper unit half circle */
            outer++;
            ck_assert_double_eq_tol(px * px + py * py, 1.0, 1e-12);
            ck_assert(py >= -1e-12);
        } else {        /* inner moon: centred at (1, 0.5), lower half */
            ck_assert_double_eq_tol((px - 1) * (px - 1) + (py - 0.5) * (py - 0.5), 1.0, 1e-12);
            ck_assert(py <= 0.5 + 1e-12);
        }
    }
    ck_assert_int_eq(outer, 50); /* n // 2 outer points, as scikit-learn */
    double X2[2 * 101], y2[101];
    mg_make_moons(101, 0.1, 5, X2, y2, &err);
    ck_assert_int_ne(memcmp(X, X2, sizeof X), 0); /* noise moves points */
    double X3[2 * 101], y3[101];
    mg_make_moons(101, 0.1, 5, X3, y3, &err);
    ck_assert_int_eq(memcmp(X2, X3, sizeof X2), 0); /* seeded */
    ck_assert_int_ne(mg_make_moons(1, 0.1, 5, X3, y3, &err), MG_OK);
    ck_assert_int_ne(mg_make_moons(10, -1, 5, X3, y3, &err), MG_OK);
}
END_TEST

/* The demo: full-batch SVM training reaches 100% with no allocation once warm. */
START_TEST(test_moons_training_converges_without_allocating)
{
    enum { N = 100 };
    double X[2 * N], y[N], acc = 0, first = 0, last = 0;
    mg_error err;
    mg_make_moons(N, 0.1, 1337, X, y, &err);
    mg_graph *g = mg_graph_new();
    int nouts[] = { 16, 16, 1 };
    mg_mlp *m = make(g, nouts, 3, 1337);
    mg_graph_keep(g);
    size_t np, allocs = 0;
    mg_value *const *p = mg_mlp_parameters(m, &np);
    for (int k = 0; k < 100; k++) {
        mg_value *loss = mg_mlp_svm_loss(m, X, y, N, 1e-4, &acc);
        ck_assert_ptr_nonnull(loss);
        mg_mlp_zero_grad(m);
        ck_assert_int_eq(mg_backward(loss), MG_OK);
        mg_sgd_step(p, np, 1.0 - 0.9 * k / 100.0);
        if (k == 0)
            first = loss->data;
        last = loss->data;
        mg_graph_reset(g);
        if (k == 1)
            allocs = mg_graph_get_stats(g).allocations;
    }
    ck_assert_uint_eq(mg_graph_get_stats(g).allocations, allocs);
    ck_assert_double_eq(acc, 1.0);
    ck_assert(last < first / 10);
    mg_mlp_free(m);
    mg_graph_free(g);
}
END_TEST

static Suite *nn_suite(void)
{
    Suite *s = suite_create("nn");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_mlp_shape_and_init);
    tcase_add_test(tc, test_forward_matches_hand_computation);
    tcase_add_test(tc, test_one_neuron_hidden_layer);
    tcase_add_test(tc, test_bad_sizes_are_errors);
    tcase_add_test(tc, test_sgd_and_zero_grad);
    tcase_add_test(tc, test_losses_values);
    tcase_add_test(tc, test_bce_is_stable);
    tcase_add_test(tc, test_losses_gradcheck);
    tcase_add_test(tc, test_tensor_svm_loss_matches_scalar);
    tcase_add_test(tc, test_moons_definition);
    tcase_add_test(tc, test_moons_training_converges_without_allocating);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(nn_suite()); }

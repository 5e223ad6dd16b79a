/* test_tensor.c — tensor nodes: values of every op, their place in the graph
 * next to scalars (ids, scopes, labels), backward semantics, errors, and a
 * training step that allocates nothing once warm. Gradients: test_tensor_grad.c. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "mg_kernels.h"
#include "mg_tensor.h"
#include "mg_tnn.h"

static mg_tensor *make(mg_graph *g, mg_dtype dt, int ndim, const int *shape, const double *x,
                       mg_tensor_kind kind)
{
    mg_tensor *t = mg_tensor_new(g, dt, ndim, shape, kind);
    ck_assert_ptr_nonnull(t);
    mg_tensor_load(t, x);
    return t;
}

/* A float64 parameter of shape [r,c] holding the listed values. */
#define T2(g, r, c, ...) \
    make(g, MG_F64, 2, (const int[]){ r, c }, (const double[]){ __VA_ARGS__ }, MG_TENSOR_PARAM)

START_TEST(test_matmul_and_broadcast_values)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *a = T2(g, 2, 3, 1, 2, 3, 4, 5, 6);
    mg_tensor *b = T2(g, 3, 2, 7, 8, 9, 10, 11, 12);
    mg_tensor *c = mg_tensor_matmul(a, b);
    ck_assert_int_eq(c->ndim, 2);
    ck_assert_int_eq(c->shape[0], 2);
    ck_assert_int_eq(c->shape[1], 2);
    const double want[] = { 58, 64, 139, 154 };
    for (int i = 0; i < 4; i++)
        ck_assert_double_eq(mg_tensor_get(c, i), want[i]);
    /* [2,2] + [2] adds the row to each row; [2,1] * [1,2] is an outer product */
    mg_tensor *row = make(g, MG_F64, 1, (const int[]){ 2 }, (const double[]){ 1, -1 },
                          MG_TENSOR_INPUT);
    mg_tensor *s = mg_tensor_add(c, row);
    ck_assert_double_eq(mg_tensor_get(s, 1), 63);
    ck_assert_double_eq(mg_tensor_get(s, 2), 140);
    mg_tensor *col = T2(g, 2, 1, 2, 3);
    mg_tensor *o = mg_tensor_mul(col, mg_tensor_reshape(row, 2, (const int[]){ 1, 2 }));
    ck_assert_int_eq(o->shape[0], 2);
    ck_assert_int_eq(o->shape[1], 2);
    ck_assert_double_eq(mg_tensor_get(o, 3), -3);
    ck_assert_ptr_null(mg_graph_error(g));
    mg_graph_free(g);
}
END_TEST

START_TEST(test_reductions_and_shapes)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *a = T2(g, 2, 3, 1, 5, 3, -4, 2, 0);
    mg_tensor *s0 = mg_tensor_sum(a, 0, 0), *s1 = mg_tensor_sum(a, 1, 1);
    ck_assert_int_eq(s0->ndim, 1);
    ck_assert_int_eq(s0->shape[0], 3);
    ck_assert_double_eq(mg_tensor_get(s0, 1), 7);
    ck_assert_int_eq(s1->ndim, 2);
    ck_assert_int_eq(s1->shape[1], 1);
    ck_assert_double_eq(mg_tensor_get(s1, 1), -2);
    mg_tensor *m = mg_tensor_mean(a, MG_AXIS_ALL, 0);
    ck_assert_int_eq(m->ndim, 0);
    ck_assert_double_eq_tol(mg_tensor_get(m, 0), 7.0 / 6.0, 1e-15);
    mg_tensor *mx = mg_tensor_max(a, -1, 0);
    ck_assert_double_eq(mg_tensor_get(mx, 0), 5);
    ck_assert_double_eq(mg_tensor_get(mx, 1), 2);
    mg_tensor *t = mg_tensor_transpose(a, 0, 1);
    ck_assert_int_eq(t->shape[0], 3);
    ck_assert_double_eq(mg_tensor_get(t, 1), -4); /* t[0][1] = a[1][0] */
    ck_assert_double_eq(mg_tensor_get(t, 4), 3);  /* t[2][0] = a[0][2] */
    mg_tensor *r = mg_tensor_reshape(a, 1, (const int[]){ -1 });
    ck_assert_int_eq(r->shape[0], 6);
    /* log_softmax: each row's exp sums to 1 and keeps the order */
    mg_tensor *ls = mg_tensor_log_softmax(a, 1);
    for (int row = 0; row < 2; row++) {
        double z = 0;
        for (int j = 0; j < 3; j++)
            z += exp(mg_tensor_get(ls, 3 * row + j));
        ck_assert_double_eq_tol(z, 1.0, 1e-14);
    }
    ck_assert_ptr_null(mg_graph_error(g));
    mg_graph_free(g);
}
END_TEST

/* float32 exponentials (GELU, softmax) give NaN back for NaN, and converting
 * it is never attempted (UBSan in CI halts on that; a fuzzed checkpoint with
 * NaN weights found it), while finite neighbours stay finite. */
START_TEST(test_nan_through_float_exponentials)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *a = make(g, MG_F32, 2, (const int[]){ 2, 2 },
                        (const double[]){ NAN, 1, 0.5, -2 }, MG_TENSOR_INPUT);
    mg_tensor *ge = mg_tensor_gelu(a), *sm = mg_tensor_softmax(a, 1);
    ck_assert(isnan(mg_tensor_get(ge, 0)));
    ck_assert(isfinite(mg_tensor_get(ge, 1)) && isfinite(mg_tensor_get(ge, 3)));
    ck_assert(isnan(mg_tensor_get(sm, 0)) && isnan(mg_tensor_get(sm, 1))); /* the NaN's row */
    ck_assert_double_eq_tol(mg_tensor_get(sm, 2) + mg_tensor_get(sm, 3), 1.0, 1e-6);
    mg_graph_free(g);
}
END_TEST

/* A shape past the element limit is refused with a message naming the shape
 * and the limit (Python's zeros((70000, 70000)) and a hostile checkpoint's
 * sizes both end here). */
START_TEST(test_too_large_a_shape_names_itself_and_the_limit)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *t = mg_tensor_new(g, MG_F32, 2, (const int[]){ 70000, 70000 }, MG_TENSOR_INPUT);
    ck_assert_ptr_null(t);
    const char *e = mg_graph_error(g);
    ck_assert_ptr_nonnull(e);
    ck_assert_msg(strstr(e, "[70000, 70000]") && strstr(e, "268435455"), "%s", e);
    mg_graph_free(g);
}
END_TEST

/* log_softmax (the one implementation, tensor_loops.h): a huge logit stays
 * finite; float32 sums its normaliser in double, so over 64000 classes it
 * agrees with float64 to float's own rounding; an infinite logit gives NaN
 * across its slice, as PyTorch's does. */
START_TEST(test_log_softmax_precision_and_edges)
{
    enum { C = 64000 };
    mg_graph *g = mg_graph_new();
    int shape[] = { 3, C };
    mg_tensor *x32 = mg_tensor_input(g, MG_F32, 2, shape), *x64 = mg_tensor_input(g, MG_F64, 2, shape);
    for (int i = 0; i < 3 * C; i++) {
        double v = sin(0.37 * i) * 3.0;
        mg_tensor_set(x32, i, (float)v);
        mg_tensor_set(x64, i, (double)(float)v);
    }
    mg_tensor_set(x32, C + 7, 1000.0f); /* row 1: exp(1000) would overflow unshifted */
    mg_tensor_set(x64, C + 7, 1000.0);
    mg_tensor_set(x32, 2 * C + 5, INFINITY); /* row 2: NaN throughout, as PyTorch */
    mg_tensor_set(x64, 2 * C + 5, INFINITY);
    mg_tensor *l32 = mg_tensor_log_softmax(x32, 1), *l64 = mg_tensor_log_softmax(x64, 1);
    ck_assert_double_eq(mg_tensor_get(l64, C + 7), 0.0);
    for (int j = 0; j < C; j++) {
        for (int row = 0; row < 2; row++) {
            double want = mg_tensor_get(l64, row * C + j), got = mg_tensor_get(l32, row * C + j);
            ck_assert(isfinite(got));
            ck_assert_double_eq_tol(got, want, 2e-7 * fmax(1.0, fabs(want)));
        }
        ck_assert(isnan(mg_tensor_get(l32, 2 * C + j)) && isnan(mg_tensor_get(l64, 2 * C + j)));
    }
    ck_assert_ptr_null(mg_graph_error(g));
    mg_graph_free(g);
}
END_TEST

START_TEST(test_losses_values)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *z = T2(g, 2, 3, 1, 2, 3, 0, 0, 0);
    const int32_t labels[] = { 2, 0 };
    mg_tensor *ce = mg_tensor_cross_entropy(z, labels);
    double lse0 = log(exp(1) + exp(2) + exp(3)), want = ((lse0 - 3) + log(3.0)) / 2;
    ck_assert_double_eq_tol(mg_tensor_get(ce, 0), want, 1e-14);
    mg_tensor *p = T2(g, 1, 2, 1, 3), *q = T2(g, 1, 2, 2, 1);
    ck_assert_double_eq_tol(mg_tensor_get(mg_tensor_mse(p, q), 0), (1 + 4) / 2.0, 1e-15);
    /* BCE of a large logit stays finite: log1p(exp(-|z|)) form */
    mg_tensor *big = T2(g, 1, 2, 800, -800), *y = T2(g, 1, 2, 0, 0);
    ck_assert_double_eq_tol(mg_tensor_get(mg_tensor_bce_logits(big, y), 0), 400, 1e-9);
    mg_tensor_backward(ce);
    /* softmax minus one-hot, over the row count */
    double p00 = exp(1 - lse0);
    ck_assert_double_eq_tol(mg_tensor_grad_at(z, 0), p00 / 2, 1e-14);
    ck_assert_double_eq_tol(mg_tensor_grad_at(z, 3), (1.0 / 3 - 1) / 2, 1e-14);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_tensors_share_the_node_table_with_scalars)
{
    mg_graph *g = mg_graph_new();
    mg_value *s = mg_input(g, 1.0);
    ck_assert_int_eq(mg_scope_push(g, "mlp"), MG_OK);
    mg_tensor *w = mg_tensor_label(mg_tensor_param(g, MG_F32, 2, (const int[]){ 2, 2 }), "W");
    mg_tensor *x = mg_tensor_input(g, MG_F32, 2, (const int[]){ 3, 2 });
    mg_tensor *y = mg_tensor_matmul(x, w);
    mg_scope_pop(g);
    mg_value *s2 = mg_mulc(s, 2.0);
    ck_assert_uint_eq(s->id, 0);
    ck_assert_uint_eq(w->node->id, 1);
    ck_assert_uint_eq(y->node->id, 3);
    ck_assert_uint_eq(s2->id, 5); /* the constant 2.0 took id 4 */
    ck_assert_ptr_eq(mg_graph_node(g, 3), y->node);
    ck_assert_ptr_eq(mg_tensor_of(mg_graph_node(g, 3)), y);
    ck_assert_ptr_null(mg_tensor_of(s2));
    ck_assert(y->node->flags & MG_FLAG_TENSOR);
    ck_assert(w->node->flags & MG_FLAG_PARAM);
    ck_assert_ptr_eq(y->node->a, x->node);
    ck_assert_ptr_eq(y->node->b, w->node);
    ck_assert_ptr_eq(mg_tensor_parent(y, 1), w);
    ck_assert_int_eq(mg_value_parent_count(y->node), 2);
    ck_assert_str_eq(mg_value_label(w->node), "W");
    char buf[32], path[32];
    mg_value_op_label(y->node, buf, sizeof buf);
    ck_assert_str_eq(buf, "matmul");
    mg_scope_path(g, y->node->scope, path, sizeof path);
    ck_assert_str_eq(path, "mlp");
    mg_tensor *sm = mg_tensor_sum(y, 1, 0);
    mg_value_op_label(sm->node, buf, sizeof buf);
    ck_assert_str_eq(buf, "sum[1]");
    mg_value_op_label(mg_tensor_pow(y, 2)->node, buf, sizeof buf);
    ck_assert_str_eq(buf, "**2");
    mg_tensor *add = mg_tensor_add(y, y);
    ck_assert_str_eq(mg_op_name((mg_op)add->node->op), "+");
    ck_assert_str_eq(mg_tensor_op_name(sm), "sum");
    ck_assert_uint_eq(mg_graph_count(g), 9);
    /* an input needs no gradient and gets no buffer; results of params get
     * theirs when a backward pass reaches them (read as 0 until then) */
    ck_assert_ptr_null(x->grad);
    ck_assert_ptr_null(y->grad);
    ck_assert(y->requires_grad);
    ck_assert_double_eq(mg_tensor_grad_at(y, 0), 0.0);
    ck_assert_int_eq(mg_tensor_backward(mg_tensor_sum(sm, MG_AXIS_ALL, 0)), MG_OK);
    ck_assert_ptr_nonnull(y->grad);
    mg_graph_free(g);
}
END_TEST

/* Float tanh is computed without libm (a series near 0, e^{2|x|} beyond): over
 * inputs from 1e-30 to 100, densest around the switch at 0.625, it stays within
 * 2 ulp of tanh in double (libm's tanhf is within 2.2); the gradient 1 − tanh² is
 * PyTorch's; −0, ±∞ and NaN come out as tanh's. */
START_TEST(test_float_tanh_accuracy_and_edges)
{
    enum { N = 200000, EDGES = 4 };
    mg_graph *g = mg_graph_new();
    mg_tensor *x = mg_tensor_param(g, MG_F32, 1, (const int[]){ N + EDGES });
    for (int i = 0; i < N; i++) {
        double v = i < N / 2 ? 1e-30 * pow(1e32, (double)i / (N / 2)) /* 1e-30 .. 100 */
                             : 0.6 + 0.05 * (i - N / 2) / (N / 2); /* 0.6 .. 0.65 */
        mg_tensor_set(x, i, (float)(i % 2 ? -v : v));
    }
    const float edges[EDGES] = { -0.0f, INFINITY, -INFINITY, NAN };
    for (int i = 0; i < EDGES; i++)
        mg_tensor_set(x, N + i, edges[i]);
    mg_tensor *y = mg_tensor_tanh(x);
    ck_assert_int_eq(mg_tensor_backward(mg_tensor_sum(y, MG_AXIS_ALL, 0)), MG_OK);
    for (int i = 0; i < N; i++) {
        const float in = (float)mg_tensor_get(x, i), got = (float)mg_tensor_get(y, i);
        const double want = tanh((double)in);
        const double ulp = nextafterf((float)fabs(want), INFINITY) - (float)fabs(want);
        ck_assert_msg(fabs(got - want) <= 2 * ulp, "tanh(%a) = %a, want %a", in, got, want);
        ck_assert_double_eq_tol(mg_tensor_grad_at(x, i), 1.0 - (double)got * got, 1.2e-7);
    }
    const float got0 = (float)mg_tensor_get(y, N);
    ck_assert(got0 == 0.0f && signbit(got0));
    ck_assert_double_eq(mg_tensor_get(y, N + 1), 1.0);
    ck_assert_double_eq(mg_tensor_get(y, N + 2), -1.0);
    ck_assert(isnan(mg_tensor_get(y, N + 3)));
    mg_graph_free(g);
}
END_TEST

/* Float GELU (tensor_loops.c's gelu_f32) against the double formula x·σ(2u), over
 * inputs from −9.5 to 10, densest near 0: within 3 ulp from −0.5 up; below, the
 * error u's float rounding makes, amplified by e^−2u's steepness, stays within
 * 2 + 3·2|u| ulp (31 at x = −5; PyTorch's 0.5·x·(1 + tanh u) loses all digits
 * there). The gradient likewise, in ulps of |s| + |x·ds/dx| (it sums the two).
 * Past |x| = 10.03 the output is x or −0 and the gradient 1 or 0, as PyTorch's;
 * NaN stays NaN, and −∞ gives NaN as PyTorch's does. */
static double gelu_ref(double x, double *grad, double *grad_scale)
{
    const double u = 0.7978845608028654 * (x + 0.044715 * x * x * x);
    const double s = 1.0 / (1.0 + exp(-2.0 * u));
    const double d = x * 2.0 * s * (1.0 - s) * 0.7978845608028654 * (1.0 + 3 * 0.044715 * x * x);
    *grad = s + d;
    *grad_scale = fabs(s) + fabs(d);
    return x * s;
}

START_TEST(test_float_gelu_accuracy_and_edges)
{
    enum { N = 200000, EDGES = 9 };
    mg_graph *g = mg_graph_new();
    mg_tensor *x = mg_tensor_param(g, MG_F32, 1, (const int[]){ N + EDGES });
    for (int i = 0; i < N; i++) {
        const double f = (double)i / N;
        mg_tensor_set(x, i, (float)(i % 3 == 0 ? -9.5 + 19.5 * f           /* −9.5 .. 10 */
                                    : i % 3 == 1 ? 1e-30 * pow(1e30, f)      /* 1e-30 .. 1 */
                                                 : -1e-30 * pow(2e30, f)));  /* −1e-30 .. −2 */
    }
    const float edges[EDGES] = { 10.5f, -10.5f, 1e30f,  -1e30f, INFINITY,
                                 -INFINITY, NAN,  0.0f, -0.0f };
    for (int i = 0; i < EDGES; i++)
        mg_tensor_set(x, N + i, edges[i]);
    mg_tensor *y = mg_tensor_gelu(x);
    ck_assert_int_eq(mg_tensor_backward(mg_tensor_sum(y, MG_AXIS_ALL, 0)), MG_OK);
    for (int i = 0; i < N; i++) {
        const double in = mg_tensor_get(x, i), got = mg_tensor_get(y, i);
        const double dgot = mg_tensor_grad_at(x, i);
        double dwant, dscale;
        const double want = gelu_ref(in, &dwant, &dscale);
        const double two_u = 2 * 0.7978845608028654 * fabs(in + 0.044715 * in * in * in);
        const double bound = in >= -0.5 ? 3.0 : 2.0 + 3.0 * two_u;
        const double ulp = nextafterf((float)fabs(want), INFINITY) - (float)fabs(want);
        ck_assert_msg(fabs(got - want) <= bound * ulp, "gelu(%a) = %a, want %a", in, got, want);
        ck_assert_msg(fabs(dgot - dwant) <= bound * 0x1p-24 * dscale, "gelu'(%a) = %a, want %a",
                      in, dgot, dwant);
    }
    const double want[EDGES] = { edges[0], -0.0, edges[2], -0.0, INFINITY, NAN, NAN, 0.0, -0.0 };
    const double dwant[EDGES] = { 1, 0, 1, 0, 1, 0, NAN, 0.5, 0.5 };
    for (int i = 0; i < EDGES; i++) {
        const double got = mg_tensor_get(y, N + i), dgot = mg_tensor_grad_at(x, N + i);
        if (isnan(want[i]))
            ck_assert_msg(isnan(got), "gelu(%g) = %g", edges[i], got);
        else
            ck_assert_msg(got == want[i] && signbit(got) == signbit(want[i]), "gelu(%g) = %g",
                          edges[i], got);
        if (isnan(dwant[i]))
            ck_assert_msg(isnan(dgot), "gelu'(%g) = %g", edges[i], dgot);
        else
            ck_assert_msg(dgot == dwant[i], "gelu'(%g) = %g", edges[i], dgot);
    }
    mg_graph_free(g);
}
END_TEST

/* Backward writes an op result's first contribution instead of adding it to
 * a cleared buffer; what it passes by without reaching reads 0 afterwards, as
 * a micrograd node does, and what lies past the root has no gradient yet. */
START_TEST(test_unreached_results_read_zero)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *w = T2(g, 2, 2, 1, 2, 3, -1);
    /* a first graph leaves gradients in the arena bytes the second one reuses */
    mg_mark m = mg_graph_mark(g);
    for (int i = 0; i < 3; i++)
        mg_tensor_exp(w);
    ck_assert_int_eq(mg_tensor_backward(mg_tensor_sum(mg_tensor_exp(w), MG_AXIS_ALL, 0)), MG_OK);
    mg_graph_rewind(g, m);
    mg_tensor_zero_grad(w);
    mg_tensor *side = mg_tensor_exp(w); /* not on the root's path */
    mg_tensor *y = mg_tensor_sum(mg_tensor_mul(w, w), MG_AXIS_ALL, 0);
    mg_tensor *after = mg_tensor_tanh(w); /* made after the root */
    ck_assert_int_eq(mg_tensor_backward(y), MG_OK);
    ck_assert_ptr_nonnull(side->grad);
    for (int i = 0; i < 4; i++) {
        ck_assert(((double *)side->grad)[i] == 0.0);
        ck_assert_double_eq(mg_tensor_grad_at(after, i), 0.0);
        ck_assert_double_eq(mg_tensor_grad_at(w, i), 2 * mg_tensor_get(w, i));
    }
    ck_assert_ptr_null(after->grad);
    /* a second pass from a root that reaches `after` writes its gradient */
    ck_assert_int_eq(mg_tensor_backward(mg_tensor_sum(after, MG_AXIS_ALL, 0)), MG_OK);
    for (int i = 0; i < 4; i++) {
        double th = tanh(mg_tensor_get(w, i));
        ck_assert_double_eq(mg_tensor_grad_at(after, i), 1.0);
        ck_assert_double_eq_tol(mg_tensor_grad_at(w, i),
                                2 * mg_tensor_get(w, i) + (1 - th * th), 1e-12);
    }
    mg_graph_free(g);
}
END_TEST

/* A + passes its gradient on unchanged: backward lends its buffer to the
 * operand instead of copying. A later contribution to that operand goes
 * into the operand's own buffer, and clearing it clears only its own: the
 * lender's gradient never changes. */
START_TEST(test_lent_gradients_stay_apart)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *a = T2(g, 2, 2, 1, 2, 3, -1);
    mg_tensor *c = T2(g, 2, 2, 0.5, 0.5, 0.5, 0.5);
    mg_tensor *w1 = T2(g, 2, 2, 1, -2, 3, 4), *w2 = T2(g, 2, 2, 10, 20, 30, 40);
    mg_tensor *h = mg_tensor_exp(a);
    mg_tensor *other = mg_tensor_mul(h, w2); /* made before s: its backward comes later */
    mg_tensor *s = mg_tensor_add(h, c);
    mg_tensor *y = mg_tensor_add(mg_tensor_sum(mg_tensor_mul(s, w1), MG_AXIS_ALL, 0),
                                 mg_tensor_sum(other, MG_AXIS_ALL, 0));
    ck_assert_int_eq(mg_tensor_backward(y), MG_OK);
    for (int i = 0; i < 4; i++) {
        ck_assert_double_eq(mg_tensor_grad_at(s, i), mg_tensor_get(w1, i));
        ck_assert_double_eq(mg_tensor_grad_at(h, i), mg_tensor_get(w1, i) + mg_tensor_get(w2, i));
        ck_assert_double_eq_tol(mg_tensor_grad_at(a, i),
                                exp(mg_tensor_get(a, i))
                                    * (mg_tensor_get(w1, i) + mg_tensor_get(w2, i)), 1e-9);
    }
    /* h's only contribution is the + one: it reads s's buffer */
    mg_tensor *y2 = mg_tensor_sum(mg_tensor_mul(mg_tensor_add(h, c), w1), MG_AXIS_ALL, 0);
    ck_assert_int_eq(mg_tensor_backward(y2), MG_OK);
    const mg_tensor *s2 = mg_tensor_parent(mg_tensor_parent(y2, 0), 0);
    ck_assert_ptr_eq(h->grad, s2->grad);
    mg_tensor_zero_grad(h);
    for (int i = 0; i < 4; i++) {
        ck_assert_double_eq(mg_tensor_grad_at(h, i), 0.0);
        ck_assert_double_eq(mg_tensor_grad_at(s2, i), mg_tensor_get(w1, i));
    }
    /* a seeded pass from h itself writes h's own buffer, not s2's */
    ck_assert_int_eq(mg_tensor_backward(y2), MG_OK);
    ck_assert_int_eq(mg_tensor_backward_seeded(h, (const double[]){ 1, 1, 1, 1 }), MG_OK);
    for (int i = 0; i < 4; i++) {
        ck_assert_double_eq(mg_tensor_grad_at(h, i), 1.0);
        ck_assert_double_eq(mg_tensor_grad_at(s2, i), mg_tensor_get(w1, i));
    }
    mg_graph_free(g);
}
END_TEST

/* The residual stream's pattern: x feeds a layer norm and, later, a + that
 * lends x its gradient. The norm's share then adds to the lent gradient into
 * x's own buffer in one pass (no copy first), and the lender's gradient stays. */
START_TEST(test_layer_norm_adds_to_a_lent_gradient)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *a = T2(g, 2, 3, 0.5, -1, 2, 1, 0.25, -3);
    mg_tensor *c = T2(g, 2, 3, 1, 1, 1, 1, 1, 1);
    mg_tensor *w1 = T2(g, 2, 3, 1, -2, 3, 4, -5, 6), *w2 = T2(g, 2, 3, 7, 1, -1, 2, 3, -4);
    mg_tensor *gamma = mg_tensor_param(g, MG_F64, 1, (const int[]){ 3 });
    mg_tensor_load(gamma, (const double[]){ 0.5, 2, -1 });
    mg_tensor *x = mg_tensor_exp(a);
    mg_tensor *n = mg_tensor_layer_norm(x, gamma, NULL, 1e-5); /* its backward comes last */
    mg_tensor *s = mg_tensor_add(x, c);
    mg_tensor *y = mg_tensor_add(mg_tensor_sum(mg_tensor_mul(s, w1), MG_AXIS_ALL, 0),
                                 mg_tensor_sum(mg_tensor_mul(n, w2), MG_AXIS_ALL, 0));
    ck_assert_int_eq(mg_tensor_backward(y), MG_OK);
    double share[6];
    ck_assert_int_eq(mg_tensor_edge_contribution(n, 0, share), MG_OK);
    ck_assert_ptr_ne(x->grad, s->grad);
    for (int i = 0; i < 6; i++) {
        ck_assert_double_eq(mg_tensor_grad_at(s, i), mg_tensor_get(w1, i));
        ck_assert_double_eq_tol(mg_tensor_grad_at(x, i), mg_tensor_get(w1, i) + share[i], 1e-12);
        ck_assert(share[i] != 0.0);
    }
    mg_graph_free(g);
}
END_TEST

START_TEST(test_backward_twice_accumulates_into_leaves)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *x = T2(g, 1, 2, 3, -1);
    mg_tensor *sq = mg_tensor_mul(x, x);
    mg_tensor *y = mg_tensor_sum(sq, MG_AXIS_ALL, 0);
    ck_assert_int_eq(mg_tensor_backward(y), MG_OK);
    ck_assert_double_eq(mg_tensor_grad_at(x, 0), 6);
    ck_assert_double_eq(mg_tensor_grad_at(x, 1), -2);
    ck_assert_int_eq(mg_tensor_backward(y), MG_OK);
    ck_assert_double_eq(mg_tensor_grad_at(x, 0), 12); /* leaves accumulate */
    ck_assert_double_eq(mg_tensor_grad_at(sq, 0), 1); /* interior nodes: the latest pass */
    mg_tensor_zero_grad(x);
    mg_tensor_backward(y);
    ck_assert_double_eq(mg_tensor_grad_at(x, 1), -2);
    mg_graph_free(g);
}
END_TEST

/* Each bad call records a message naming the problem; nothing aborts. */
static void expect_error(mg_graph *g, const char *fragment)
{
    const char *msg = mg_graph_error(g);
    ck_assert_msg(msg && strstr(msg, fragment), "wanted '%s' in '%s'", fragment,
                  msg ? msg : "(no error)");
    mg_graph_clear_error(g);
}

START_TEST(test_errors_name_the_shapes)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *a = mg_tensor_param(g, MG_F32, 2, (const int[]){ 64, 784 });
    mg_tensor *b = mg_tensor_param(g, MG_F32, 2, (const int[]){ 128, 784 });
    ck_assert_ptr_null(mg_tensor_matmul(a, b));
    expect_error(g, "matmul: shapes [64,784] and [128,784] do not fit");
    ck_assert_ptr_null(mg_tensor_add(a, b));
    expect_error(g, "add: shapes [64,784] and [128,784] do not broadcast");
    ck_assert_ptr_null(mg_tensor_reshape(a, 2, (const int[]){ 100, -1 }));
    expect_error(g, "reshape: shape [100,-1] does not fit 50176 elements of [64,784]");
    ck_assert_ptr_null(mg_tensor_sum(a, 2, 0));
    expect_error(g, "sum: axis 2 does not exist in [64,784]");
    ck_assert_ptr_null(mg_tensor_mse(a, b));
    expect_error(g, "mse: shapes [64,784] and [128,784] differ");
    mg_tensor *d = mg_tensor_param(g, MG_F64, 2, (const int[]){ 64, 784 });
    ck_assert_ptr_null(mg_tensor_sub(a, d));
    expect_error(g, "dtypes f32 and f64 differ");
    const int32_t bad[2] = { 0, 10 };
    mg_tensor *z = mg_tensor_param(g, MG_F32, 2, (const int[]){ 2, 10 });
    ck_assert_ptr_null(mg_tensor_cross_entropy(z, bad));
    expect_error(g, "label 10 of row 1 is outside [0,10)");
    ck_assert_int_ne(mg_tensor_backward(z), MG_OK);
    expect_error(g, "root has shape [2,10]");
    mg_tensor *in = mg_tensor_input(g, MG_F32, 0, NULL);
    ck_assert_int_ne(mg_tensor_backward(mg_tensor_exp(in)), MG_OK);
    expect_error(g, "does not require grad");
    ck_assert_ptr_null(mg_tensor_new(g, MG_F32, 5, (const int[]){ 1, 1, 1, 1, 1 }, 0));
    expect_error(g, "5 dims");
    ck_assert_ptr_null(mg_tensor_new(g, MG_F32, 1, (const int[]){ 0 }, 0));
    expect_error(g, "dim 0 is 0");
    ck_assert_ptr_null(mg_tensor_pow(a, INFINITY));
    expect_error(g, "not finite");
    /* a NULL operand passes NULL on; a new one records an error */
    ck_assert_ptr_null(mg_tensor_exp(NULL));
    ck_assert_ptr_null(mg_tensor_add(a, NULL));
    expect_error(g, "operand b is NULL");
    /* two graphs */
    mg_graph *h = mg_graph_new();
    mg_tensor *other = mg_tensor_param(h, MG_F32, 2, (const int[]){ 64, 784 });
    ck_assert_ptr_null(mg_tensor_add(a, other));
    expect_error(g, "two different graphs");
    expect_error(h, "two different graphs");
    /* a kept input cannot grow a grad buffer that the next reset would drop */
    mg_tensor *kept = mg_tensor_input(g, MG_F32, 1, (const int[]){ 3 });
    mg_graph_keep(g);
    ck_assert_int_eq(mg_tensor_set_requires_grad(kept, 1), MG_EINVAL);
    expect_error(g, "make it require grad before keeping it");
    /* a dropped node */
    mg_tensor *tmp = mg_tensor_exp(a);
    mg_graph_reset(g);
    ck_assert_ptr_null(mg_tensor_exp(tmp));
    expect_error(g, "dropped by a graph reset");
    mg_graph_free(h);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_f32_matches_f64)
{
    mg_graph *g = mg_graph_new();
    int sizes[] = { 5, 7, 3 };
    mg_error err;
    mg_tmlp *m32 = mg_tmlp_new(g, MG_F32, sizes, 3, MG_INIT_KAIMING, 3, &err);
    mg_tmlp *m64 = mg_tmlp_new(g, MG_F64, sizes, 3, MG_INIT_KAIMING, 3, &err);
    ck_assert_ptr_nonnull(m32);
    ck_assert_ptr_nonnull(m64);
    mg_tensor *x32 = mg_tensor_input(g, MG_F32, 2, (const int[]){ 4, 5 });
    mg_tensor *x64 = mg_tensor_input(g, MG_F64, 2, (const int[]){ 4, 5 });
    for (int i = 0; i < 20; i++) {
        mg_tensor_set(x32, i, sin(i));
        mg_tensor_set(x64, i, sin(i));
    }
    const int32_t labels[] = { 0, 1, 2, 1 };
    mg_tensor *l32 = mg_tensor_cross_entropy(mg_tmlp_forward(m32, x32), labels);
    mg_tensor *l64 = mg_tensor_cross_entropy(mg_tmlp_forward(m64, x64), labels);
    ck_assert_double_eq_tol(mg_tensor_get(l32, 0), mg_tensor_get(l64, 0), 1e-5);
    mg_tensor_backward(l32);
    mg_tensor_backward(l64);
    for (int i = 0; i < m32->params[0]->numel; i++)
        ck_assert_double_eq_tol(mg_tensor_grad_at(m32->params[0], i),
                                mg_tensor_grad_at(m64->params[0], i), 1e-5);
    mg_tmlp_free(m32);
    mg_tmlp_free(m64);
    mg_graph_free(g);
}
END_TEST

/* A warm training step allocates nothing: the graph's counter proves it. */
START_TEST(test_warm_step_allocates_nothing)
{
    mg_graph *g = mg_graph_new();
    int sizes[] = { 784, 128, 10 };
    mg_error err;
    mg_tmlp *m = mg_tmlp_new(g, MG_F32, sizes, 3, MG_INIT_KAIMING, 1, &err);
    mg_optim_config cfg = mg_optim_defaults(MG_OPTIM_ADAM);
    mg_optim *opt = mg_optim_new(m->params, m->nparams, &cfg, &err);
    ck_assert_ptr_nonnull(opt);
    mg_graph_keep(g);
    int32_t labels[64];
    size_t warm = 0;
    double first = 0, last = 0;
    for (int step = 0; step < 20; step++) {
        mg_tensor *x = mg_tensor_input(g, MG_F32, 2, (const int[]){ 64, 784 });
        for (int i = 0; i < 64; i++) {
            labels[i] = i % 10;
            for (int j = 0; j < 784; j++) /* class k lights up pixels of residue k */
                mg_tensor_set(x, i * 784 + j, j % 10 == labels[i] ? 1.0 : 0.0);
        }
        mg_tensor *loss = mg_tensor_cross_entropy(mg_tmlp_forward(m, x), labels);
        mg_optim_zero_grad(opt);
        ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
        mg_optim_step(opt);
        last = mg_tensor_get(loss, 0);
        if (step == 0)
            first = last;
        mg_graph_reset(g);
        if (step == 1)
            warm = mg_graph_get_stats(g).allocations;
    }
    ck_assert_uint_eq(mg_graph_get_stats(g).allocations, warm);
    ck_assert(last < first / 10);
    ck_assert_uint_eq(mg_graph_count(g), mg_graph_kept(g));
    mg_optim_free(opt);
    mg_tmlp_free(m);
    mg_graph_free(g);
}
END_TEST

/* The JSON members a tensor node adds, parsed back by reading the text. */
START_TEST(test_json_fields)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *z = T2(g, 2, 3, 1, 2, 3, 0.1, NAN, -INFINITY);
    mg_tensor *ce = mg_tensor_cross_entropy(z, (const int32_t[]){ 2, 0 });
    mg_tensor *s = mg_tensor_sum(z, 1, 1);
    mg_tensor *x = mg_tensor_input(g, MG_F32, 1, (const int[]){ 2 });
    mg_tensor_set(x, 0, 0.1);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    mg_tensor_json_fields(f, z);
    fputc('\n', f);
    mg_tensor_json_fields(f, ce);
    fputc('\n', f);
    mg_tensor_json_fields(f, s);
    fputc('\n', f);
    mg_tensor_json_fields(f, x);
    fclose(f);
    char *line[4];
    line[0] = strtok(buf, "\n");
    for (int i = 1; i < 4; i++)
        line[i] = strtok(NULL, "\n");
    ck_assert_str_eq(line[0], ", \"dtype\": \"f64\", \"shape\": [2,3], \"attrs\": {}, "
                              "\"data\": [1,2,3,0.1,null,null], "
                              "\"data_str\": [null,null,null,null,\"nan\",\"-inf\"], "
                              "\"grad\": [0,0,0,0,0,0]");
    ck_assert(strstr(line[1], "\"shape\": [], \"attrs\": {\"labels\": [2,0]}") != NULL);
    ck_assert(strstr(line[2], "\"attrs\": {\"axis\": 1, \"keepdim\": true}") != NULL);
    ck_assert(strstr(line[3], "\"dtype\": \"f32\"") != NULL);
    /* the shortest text that reads back as the float: 0.1f, not its double */
    ck_assert(strstr(line[3], "[0.1,0], \"grad\": null") != NULL);
    free(buf);
    mg_graph_free(g);
}
END_TEST

/* x·W + b as one linear node against the matmul and add it replaces: the same
 * bits forward (the bias is added after the whole sum, in the product's stores)
 * and backward, on 1 and 2 threads. Shapes with edge tiles (M 70, N 37), two K
 * blocks (K 400), and a product cut by columns (M 20, N 300). */
static void check_linear_as_matmul_add(int M, int K, int N, int threads)
{
    mg_set_threads(threads);
    mg_graph *g = mg_graph_new();
    mg_tensor *x = mg_tensor_param(g, MG_F32, 2, (const int[]){ M, K });
    mg_tensor *w = mg_tensor_param(g, MG_F32, 2, (const int[]){ K, N });
    mg_tensor *b = mg_tensor_param(g, MG_F32, 1, (const int[]){ N });
    for (int i = 0; i < x->numel; i++)
        mg_tensor_set(x, i, sin(0.37 * i));
    for (int i = 0; i < w->numel; i++)
        mg_tensor_set(w, i, cos(0.11 * i) / 8);
    for (int i = 0; i < N; i++)
        mg_tensor_set(b, i, 0.1 * i - 1);
    mg_tensor *two = mg_tensor_add(mg_tensor_matmul(x, w), b);
    mg_tensor *one = mg_tensor_linear(x, w, b);
    ck_assert_ptr_nonnull(one);
    ck_assert_int_eq(memcmp(one->data, two->data, sizeof(float) * (size_t)one->numel), 0);
    mg_tensor *c = mg_tensor_new(g, MG_F32, 2, (const int[]){ M, N }, MG_TENSOR_CONST);
    for (int i = 0; i < c->numel; i++)
        mg_tensor_set(c, i, cos(1.3 * i));
    float *grads[2][3];
    mg_tensor *outs[2] = { two, one }, *ps[3] = { x, w, b };
    for (int k = 0; k < 2; k++) {
        for (int p = 0; p < 3; p++)
            mg_tensor_zero_grad(ps[p]);
        ck_assert_int_eq(mg_tensor_backward(mg_tensor_sum(mg_tensor_mul(outs[k], c), MG_AXIS_ALL, 0)),
                         MG_OK);
        for (int p = 0; p < 3; p++) {
            grads[k][p] = malloc(sizeof(float) * (size_t)ps[p]->numel);
            memcpy(grads[k][p], ps[p]->grad, sizeof(float) * (size_t)ps[p]->numel);
        }
    }
    for (int p = 0; p < 3; p++) {
        ck_assert_msg(memcmp(grads[0][p], grads[1][p], sizeof(float) * (size_t)ps[p]->numel) == 0,
                      "linear %dx%dx%d, %d threads: grad of operand %d differs", M, K, N,
                      threads, p);
        free(grads[0][p]);
        free(grads[1][p]);
    }
    mg_graph_free(g);
    mg_set_threads(1);
}

START_TEST(test_linear_is_matmul_then_add)
{
    for (int threads = 1; threads <= 2; threads++) {
        check_linear_as_matmul_add(70, 400, 37, threads);
        check_linear_as_matmul_add(20, 400, 300, threads);
        check_linear_as_matmul_add(3, 5, 2, threads);
    }
}
END_TEST

/* linear's shapes: x [..., K] against W [K,N]; b [N] or none; errors name the shapes. */
START_TEST(test_linear_shapes_and_errors)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *x = mg_tensor_input(g, MG_F64, 3, (const int[]){ 2, 3, 4 });
    mg_tensor *w = mg_tensor_param(g, MG_F64, 2, (const int[]){ 4, 5 });
    mg_tensor *b = mg_tensor_param(g, MG_F64, 1, (const int[]){ 5 });
    for (int i = 0; i < x->numel; i++)
        mg_tensor_set(x, i, i % 7 - 3);
    for (int i = 0; i < w->numel; i++)
        mg_tensor_set(w, i, i % 5 - 2);
    for (int i = 0; i < 5; i++)
        mg_tensor_set(b, i, 10 * i);
    mg_tensor *y = mg_tensor_linear(x, w, b), *y0 = mg_tensor_linear(x, w, NULL);
    ck_assert_int_eq(y->ndim, 3);
    ck_assert_int_eq(y->shape[2], 5);
    ck_assert_str_eq(mg_tensor_op_name(y), "linear");
    ck_assert_int_eq(mg_value_parent_count(y->node), 3);
    ck_assert_int_eq(mg_value_parent_count(y0->node), 2);
    ck_assert_ptr_null(mg_tensor_parent(y0, 2));
    for (int r = 0; r < 6; r++) /* small integers: exact */
        for (int j = 0; j < 5; j++) {
            double want = 10 * j;
            for (int k = 0; k < 4; k++)
                want += mg_tensor_get(x, r * 4 + k) * mg_tensor_get(w, k * 5 + j);
            ck_assert_double_eq(mg_tensor_get(y, r * 5 + j), want);
            ck_assert_double_eq(mg_tensor_get(y0, r * 5 + j), want - 10 * j);
        }
    ck_assert_ptr_null(mg_tensor_linear(x, b, NULL));
    ck_assert(strstr(mg_graph_error(g), "linear: shapes [2,3,4] and [5] do not fit") != NULL);
    mg_graph_clear_error(g);
    ck_assert_ptr_null(mg_tensor_linear(x, w, w));
    ck_assert(strstr(mg_graph_error(g), "linear: shapes [4,5] and [4,5] do not fit") != NULL);
    mg_graph_clear_error(g);
    ck_assert_ptr_null(mg_tensor_linear(NULL, w, b));
    mg_graph_free(g);
}
END_TEST

static Suite *tensor_suite(void)
{
    Suite *s = suite_create("tensor");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_matmul_and_broadcast_values);
    tcase_add_test(tc, test_linear_is_matmul_then_add);
    tcase_add_test(tc, test_linear_shapes_and_errors);
    tcase_add_test(tc, test_reductions_and_shapes);
    tcase_add_test(tc, test_too_large_a_shape_names_itself_and_the_limit);
    tcase_add_test(tc, test_nan_through_float_exponentials);
    tcase_add_test(tc, test_log_softmax_precision_and_edges);
    tcase_add_test(tc, test_losses_values);
    tcase_add_test(tc, test_tensors_share_the_node_table_with_scalars);
    tcase_add_test(tc, test_float_tanh_accuracy_and_edges);
    tcase_add_test(tc, test_float_gelu_accuracy_and_edges);
    tcase_add_test(tc, test_unreached_results_read_zero);
    tcase_add_test(tc, test_backward_twice_accumulates_into_leaves);
    tcase_add_test(tc, test_lent_gradients_stay_apart);
    tcase_add_test(tc, test_layer_norm_adds_to_a_lent_gradient);
    tcase_add_test(tc, test_errors_name_the_shapes);
    tcase_add_test(tc, test_f32_matches_f64);
    tcase_add_test(tc, test_warm_step_allocates_nothing);
    tcase_add_test(tc, test_json_fields);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(tensor_suite()); }

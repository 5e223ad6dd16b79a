/* test_tensor_nn.c — the transformer ops' behaviour beyond their gradients
 * (test_tensor_grad.c) and PyTorch's numbers (parity/test_tensor_parity.py): views
 * that share data, the causal mask, dropout's seeded mask, embedding lookups,
 * errors, float32 against float64, the same bits on 1 and 2 threads (ops and
 * optimiser), and a
 * GPT-shaped step that allocates nothing once warm. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "mg_kernels.h"
#include "mg_rng.h"
#include "mg_tensor.h"
#include "mg_tnn.h"

/* A leaf of dtype dt and the given shape, filled from a seeded generator. */
static mg_tensor *random_leaf(mg_graph *g, mg_dtype dt, int ndim, const int *shape,
                              uint64_t seed, mg_tensor_kind kind)
{
    mg_tensor *t = mg_tensor_new(g, dt, ndim, shape, kind);
    ck_assert_ptr_nonnull(t);
    mg_rng r;
    mg_rng_seed(&r, seed);
    for (int i = 0; i < t->numel; i++)
        mg_tensor_set(t, i, mg_rng_range(&r, -2.0, 2.0));
    return t;
}

#define SHAPE(...) (int)(sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int)), (const int[]){ __VA_ARGS__ }

START_TEST(test_views_share_data)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *a = random_leaf(g, MG_F64, SHAPE(1, 6, 4), 1, MG_TENSOR_PARAM);
    mg_tensor *r = mg_tensor_reshape(a, SHAPE(6, 4));
    ck_assert_ptr_eq(r->data, a->data);
    ck_assert_ptr_ne(r->grad, a->grad); /* gradients are never shared */
    mg_tensor *s = mg_tensor_slice(a, 1, 2, 5); /* everything before axis 1 has size 1 */
    ck_assert_ptr_eq(s->data, (double *)a->data + 2 * 4);
    mg_tensor *t = mg_tensor_transpose(a, 0, 1); /* moves a dim of size 1 only */
    ck_assert_ptr_eq(t->data, a->data);
    ck_assert_int_eq(t->shape[0], 6);
    ck_assert_int_eq(t->shape[1], 1);
    /* a view sees its operand's data as it is now, as a PyTorch view does */
    mg_tensor_set(a, 9, 42.0);
    ck_assert_double_eq(mg_tensor_get(r, 9), 42.0);
    ck_assert_double_eq(mg_tensor_get(s, 1), 42.0);
    /* these need a copy: the layout changes */
    mg_tensor *m = random_leaf(g, MG_F64, SHAPE(3, 5, 2), 2, MG_TENSOR_PARAM);
    mg_tensor *c = mg_tensor_slice(m, 1, 1, 3);
    ck_assert_ptr_ne(c->data, m->data);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < 2; k++)
                ck_assert_double_eq(mg_tensor_get(c, (i * 2 + j) * 2 + k),
                                    mg_tensor_get(m, (i * 5 + 1 + j) * 2 + k));
    mg_tensor *mt = mg_tensor_transpose(m, 0, 2);
    ck_assert_ptr_ne(mt->data, m->data);
    ck_assert_double_eq(mg_tensor_get(mt, 1), mg_tensor_get(m, 10)); /* mt[0][0][1] = m[1][0][0] */
    ck_assert_ptr_null(mg_graph_error(g));
    mg_graph_free(g);
}
END_TEST

START_TEST(test_split_and_concat_round_trip)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *a = random_leaf(g, MG_F32, SHAPE(2, 9), 3, MG_TENSOR_PARAM);
    mg_tensor *parts[3];
    ck_assert_int_eq(mg_tensor_split(a, -1, 3, NULL, parts), MG_OK);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(parts[i]->shape[1], 3);
    mg_tensor *back = mg_tensor_concat(parts, 3, 1);
    ck_assert_int_eq(back->shape[1], 9);
    ck_assert_mem_eq(back->data, a->data, sizeof(float) * 18);
    mg_tensor *uneven[2];
    ck_assert_int_eq(mg_tensor_split(a, 1, 2, (const int[]){ 2, 7 }, uneven), MG_OK);
    ck_assert_int_eq(uneven[1]->shape[1], 7);
    ck_assert_float_eq(((float *)uneven[1]->data)[0], ((float *)a->data)[2]);
    /* backward through both: each element of a gets its parts' gradient once */
    mg_tensor *loss = mg_tensor_sum(mg_tensor_concat(uneven, 2, 1), MG_AXIS_ALL, 0);
    ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
    for (int i = 0; i < 18; i++)
        ck_assert_float_eq(((float *)a->grad)[i], 1.0f);
    mg_graph_free(g);
}
END_TEST

/* Attention through attn_scores and attn_mix, which read q, k, v in place
 * from qkv, gives the numbers of the copying path (split, heads apart by
 * reshape and transpose, q·kᵀ, weights·v, heads merged), forward and back. */
static mg_tensor *attention_by_copies(mg_tensor *qkv, int B, int T, int C, int H)
{
    mg_tensor *part[3];
    ck_assert_int_eq(mg_tensor_split(qkv, -1, 3, NULL, part), MG_OK);
    for (int i = 0; i < 3; i++)
        part[i] = mg_tensor_transpose(mg_tensor_reshape(part[i], SHAPE(B, T, H, C / H)), 1, 2);
    mg_tensor *w = mg_tensor_matmul(part[0], mg_tensor_transpose(part[1], -1, -2));
    w = mg_tensor_causal_softmax(w, 0.4, 0);
    mg_tensor *y = mg_tensor_transpose(mg_tensor_matmul(w, part[2]), 1, 2);
    return mg_tensor_reshape(y, SHAPE(B, T, C));
}

/* y and qkv's gradient from both paths, within tol of each other, in dtype dt. */
static void check_attention_in_place(mg_dtype dt, int B, int T, int C, int H, double tol)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *qkv = random_leaf(g, dt, SHAPE(B, T, 3 * C), 11, MG_TENSOR_PARAM);
    mg_tensor *ref = attention_by_copies(qkv, B, T, C, H);
    mg_tensor *y = mg_tensor_attn_mix(
        mg_tensor_causal_softmax(mg_tensor_attn_scores(qkv, H), 0.4, 0), qkv);
    ck_assert_msg(ref && y, "%s", mg_graph_error(g));
    ck_assert_int_eq(y->ndim, 3);
    ck_assert_int_eq(y->shape[2], C);
    for (int i = 0; i < y->numel; i++)
        ck_assert_double_eq_tol(mg_tensor_get(y, i), mg_tensor_get(ref, i), tol);
    /* grads of Σ y·w through each path, one after the other */
    mg_tensor *wts = random_leaf(g, dt, SHAPE(B, T, C), 12, MG_TENSOR_CONST);
    double *want = malloc((size_t)qkv->numel * sizeof *want);
    ck_assert_ptr_nonnull(want);
    ck_assert_int_eq(mg_tensor_backward(mg_tensor_sum(mg_tensor_mul(ref, wts), MG_AXIS_ALL, 0)),
                     MG_OK);
    for (int i = 0; i < qkv->numel; i++)
        want[i] = mg_tensor_grad_at(qkv, i);
    mg_tensor_zero_grad(qkv);
    ck_assert_int_eq(mg_tensor_backward(mg_tensor_sum(mg_tensor_mul(y, wts), MG_AXIS_ALL, 0)),
                     MG_OK);
    int nonzero = 0;
    for (int i = 0; i < qkv->numel; i++) {
        ck_assert_double_eq_tol(mg_tensor_grad_at(qkv, i), want[i], 10 * tol);
        nonzero += want[i] != 0;
    }
    ck_assert_int_gt(nonzero, qkv->numel / 2); /* q, k and v all get gradients */
    free(want);
    mg_graph_free(g);
}

/* Odd sizes (the GEMM's edges), and heads of 32 with 32 tokens, whole register
 * tiles in float and double: the grid's small path (tensor_grid_small.h). */
START_TEST(test_attention_reads_qkv_in_place)
{
    check_attention_in_place(MG_F32, 3, 7, 24, 4, 1e-6);
    check_attention_in_place(MG_F32, 2, 32, 64, 2, 1e-5);
    check_attention_in_place(MG_F64, 2, 32, 64, 2, 1e-12);
    check_attention_in_place(MG_F64, 1, 64, 128, 2, 1e-12);
}
END_TEST

/* The scores' backward skips dS's zeros above the diagonal unscanned only when a
 * causal softmax's backward wrote dS whole with offset <= 0: with offset 2, or
 * with a second consumer of the scores adding above the diagonal (made before
 * the softmax, so it adds after it, or after it, so it writes first), qkv's
 * gradient is still the copying path's. `extra`: 0 none, 1 before, 2 after. */
static mg_tensor *scores_with_extra(mg_tensor *s, int offset, int extra, mg_tensor *c,
                                    mg_tensor **e)
{
    if (extra == 1)
        *e = mg_tensor_sum(mg_tensor_mul(s, c), MG_AXIS_ALL, 0);
    mg_tensor *w = mg_tensor_causal_softmax(s, 0.4, offset);
    if (extra == 2)
        *e = mg_tensor_sum(mg_tensor_mul(s, c), MG_AXIS_ALL, 0);
    return w;
}

static void check_scores_grad(mg_dtype dt, int B, int T, int C, int H, int offset, int extra,
                              double tol)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *qkv = random_leaf(g, dt, SHAPE(B, T, 3 * C), 31, MG_TENSOR_PARAM);
    mg_tensor *c = random_leaf(g, dt, SHAPE(B, H, T, T), 32, MG_TENSOR_CONST);
    mg_tensor *wts = random_leaf(g, dt, SHAPE(B, T, C), 33, MG_TENSOR_CONST);
    mg_tensor *part[3], *e[2] = { NULL, NULL };
    ck_assert_int_eq(mg_tensor_split(qkv, -1, 3, NULL, part), MG_OK);
    for (int i = 0; i < 3; i++)
        part[i] = mg_tensor_transpose(mg_tensor_reshape(part[i], SHAPE(B, T, H, C / H)), 1, 2);
    mg_tensor *w = scores_with_extra(
        mg_tensor_matmul(part[0], mg_tensor_transpose(part[1], -1, -2)), offset, extra, c, &e[0]);
    mg_tensor *ref = mg_tensor_reshape(
        mg_tensor_transpose(mg_tensor_matmul(w, part[2]), 1, 2), SHAPE(B, T, C));
    mg_tensor *y = mg_tensor_attn_mix(
        scores_with_extra(mg_tensor_attn_scores(qkv, H), offset, extra, c, &e[1]), qkv);
    mg_tensor *loss[2];
    mg_tensor *out[2] = { ref, y };
    for (int p = 0; p < 2; p++) {
        loss[p] = mg_tensor_sum(mg_tensor_mul(out[p], wts), MG_AXIS_ALL, 0);
        if (e[p])
            loss[p] = mg_tensor_add(loss[p], e[p]);
    }
    ck_assert_msg(loss[0] && loss[1], "%s", mg_graph_error(g));
    double *want = malloc((size_t)qkv->numel * sizeof *want);
    ck_assert_ptr_nonnull(want);
    ck_assert_int_eq(mg_tensor_backward(loss[0]), MG_OK);
    for (int i = 0; i < qkv->numel; i++)
        want[i] = mg_tensor_grad_at(qkv, i);
    mg_tensor_zero_grad(qkv);
    ck_assert_int_eq(mg_tensor_backward(loss[1]), MG_OK);
    for (int i = 0; i < qkv->numel; i++)
        ck_assert_double_eq_tol(mg_tensor_grad_at(qkv, i), want[i], tol * (1 + fabs(want[i])));
    free(want);
    mg_graph_free(g);
}

START_TEST(test_scores_skip_causal_zeros_only_when_known)
{
    for (int extra = 0; extra < 3; extra++)
        for (int offset = 0; offset <= 2; offset += 2) {
            check_scores_grad(MG_F32, 2, 32, 64, 2, offset, extra, 1e-5);
            check_scores_grad(MG_F64, 2, 32, 64, 2, offset, extra, 1e-12);
            check_scores_grad(MG_F64, 3, 7, 24, 4, offset, extra, 1e-12);
        }
}
END_TEST

/* An interior qkv's gradient is written, not added to, by the first pass's
 * contributions (attn_mix writes v's third with beta 0, attn_scores adds into
 * the q and k thirds cleared for it): a buffer holding NaNs from before comes
 * out as the first pass's, bit for bit, the keys no query sees (offset -2:
 * empty sums in dv) 0 too. */
START_TEST(test_fresh_qkv_gradient_overwrites_old_numbers)
{
    enum { B = 2, T = 5, C = 4, H = 2, N = B * T * 3 * C };
    for (int d = 0; d < 2; d++) {
        const mg_dtype dt = d ? MG_F64 : MG_F32;
        mg_graph *g = mg_graph_new();
        mg_tensor *x = random_leaf(g, dt, SHAPE(B, T, 3 * C), 21, MG_TENSOR_PARAM);
        mg_tensor *qkv = mg_tensor_mul(x, x);
        mg_tensor *w = mg_tensor_causal_softmax(mg_tensor_attn_scores(qkv, H), 0.7, -2);
        mg_tensor *y = mg_tensor_attn_mix(w, qkv);
        mg_tensor *loss = mg_tensor_sum(mg_tensor_mul(y, y), MG_AXIS_ALL, 0);
        ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
        double first[N];
        int zeros = 0;
        for (int i = 0; i < N; i++) {
            first[i] = mg_tensor_grad_at(qkv, i);
            zeros += first[i] == 0;
        }
        ck_assert_int_gt(zeros, 0);
        for (int i = 0; i < N; i++) { /* the buffer the next pass writes */
            if (d)
                ((double *)qkv->grad)[i] = NAN;
            else
                ((float *)qkv->grad)[i] = NAN;
        }
        ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
        for (int i = 0; i < N; i++)
            ck_assert_double_eq(mg_tensor_grad_at(qkv, i), first[i]);
        mg_graph_free(g);
    }
}
END_TEST

/* qkv's q and k thirds, which the mix leaves for the scores to write, are
 * cleared for anything else that adds to or reads qkv's gradient first: a
 * consumer of qkv made between the scores and the mix gives the numbers of the
 * same graph with that consumer made last; a mix whose weights do not come
 * from qkv's own scores leaves q and k exactly 0, over a buffer of NaNs. */
static void fill_nan(void *p, mg_dtype dt, int n)
{
    for (int i = 0; i < n; i++)
        if (dt == MG_F64)
            ((double *)p)[i] = NAN;
        else
            ((float *)p)[i] = NAN;
}

static void qkv_grad_with_extra(mg_dtype dt, int extra_between, double *out, int n)
{
    enum { B = 2, T = 6, C = 8, H = 2 };
    mg_graph *g = mg_graph_new();
    mg_tensor *x = random_leaf(g, dt, SHAPE(B, T, 3 * C), 41, MG_TENSOR_PARAM);
    mg_tensor *qkv = mg_tensor_mul(x, x);
    mg_tensor *w = mg_tensor_causal_softmax(mg_tensor_attn_scores(qkv, H), 0.5, 0);
    mg_tensor *extra = NULL;
    if (extra_between)
        extra = mg_tensor_sum(mg_tensor_mul(qkv, qkv), MG_AXIS_ALL, 0);
    mg_tensor *y = mg_tensor_attn_mix(w, qkv);
    if (!extra_between)
        extra = mg_tensor_sum(mg_tensor_mul(qkv, qkv), MG_AXIS_ALL, 0);
    mg_tensor *loss = mg_tensor_add(mg_tensor_sum(mg_tensor_mul(y, y), MG_AXIS_ALL, 0), extra);
    ck_assert_msg(loss != NULL, "%s", mg_graph_error(g));
    ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
    ck_assert_int_eq(qkv->numel, n);
    fill_nan(qkv->grad, dt, n); /* what the next pass finds in the buffer */
    ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
    for (int i = 0; i < n; i++)
        out[i] = mg_tensor_grad_at(qkv, i);
    mg_graph_free(g);
}

START_TEST(test_qkv_thirds_left_to_the_scores_are_settled_for_others)
{
    enum { N = 2 * 6 * 24 };
    for (int d = 0; d < 2; d++) {
        const mg_dtype dt = d ? MG_F64 : MG_F32;
        double between[N], last[N];
        qkv_grad_with_extra(dt, 1, between, N);
        qkv_grad_with_extra(dt, 0, last, N);
        int nonzero = 0;
        for (int i = 0; i < N; i++) {
            const double tol = d ? 1e-12 : 1e-4 * (1 + fabs(last[i]));
            ck_assert_double_eq_tol(between[i], last[i], tol);
            nonzero += last[i] != 0;
        }
        ck_assert_int_gt(nonzero, N / 2); /* q, k and v all get gradients */
    }
    for (int d = 0; d < 2; d++) {
        const mg_dtype dt = d ? MG_F64 : MG_F32;
        enum { B = 2, T = 5, C = 4, H = 2 };
        mg_graph *g = mg_graph_new();
        mg_tensor *x = random_leaf(g, dt, SHAPE(B, T, 3 * C), 42, MG_TENSOR_PARAM);
        mg_tensor *qkv = mg_tensor_mul(x, x);
        mg_tensor *scores = random_leaf(g, dt, SHAPE(B, H, T, T), 43, MG_TENSOR_PARAM);
        mg_tensor *y = mg_tensor_attn_mix(mg_tensor_causal_softmax(scores, 1.0, 0), qkv);
        mg_tensor *loss = mg_tensor_sum(mg_tensor_mul(y, y), MG_AXIS_ALL, 0);
        fill_nan(qkv->grad_store, dt, qkv->numel); /* whatever the buffer held before */
        ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
        int v_nonzero = 0;
        for (int i = 0; i < qkv->numel; i++) {
            const int in_v = i % (3 * C) >= 2 * C;
            if (!in_v) {
                ck_assert_double_eq(mg_tensor_grad_at(qkv, i), 0.0);
                ck_assert_double_eq(mg_tensor_grad_at(x, i), 0.0);
            } else {
                ck_assert(isfinite(mg_tensor_grad_at(qkv, i)));
                v_nonzero += mg_tensor_grad_at(qkv, i) != 0;
            }
        }
        ck_assert_int_gt(v_nonzero, 0);
        mg_graph_free(g);
    }
}
END_TEST

START_TEST(test_shape_errors_name_the_problem)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *a = random_leaf(g, MG_F64, SHAPE(2, 6), 4, MG_TENSOR_PARAM);
    ck_assert_ptr_null(mg_tensor_slice(a, 1, 4, 9));
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "slice: [4, 9)"));
    mg_graph_clear_error(g);
    mg_tensor *parts[4];
    ck_assert_int_eq(mg_tensor_split(a, 1, 4, NULL, parts), MG_ESHAPE);
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "split: 4 parts of equal size"));
    mg_graph_clear_error(g);
    ck_assert_int_eq(mg_tensor_split(a, 1, 2, (const int[]){ 3, 2 }, parts), MG_ESHAPE);
    mg_graph_clear_error(g);
    mg_tensor *b = random_leaf(g, MG_F64, SHAPE(3, 6), 5, MG_TENSOR_PARAM);
    ck_assert_ptr_null(mg_tensor_concat((mg_tensor *const[]){ a, b }, 2, 1));
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "concat: shapes [2,6] and [3,6]"));
    mg_graph_clear_error(g);
    ck_assert_ptr_null(mg_tensor_softmax(a, MG_AXIS_ALL));
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "softmax: needs one axis"));
    mg_graph_clear_error(g);
    mg_tensor *v = random_leaf(g, MG_F64, SHAPE(6), 6, MG_TENSOR_PARAM);
    ck_assert_ptr_null(mg_tensor_causal_softmax(v, 1.0, 0));
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "no [..., queries, keys]"));
    mg_graph_clear_error(g);
    ck_assert_ptr_null(mg_tensor_causal_softmax(a, NAN, 0));
    mg_graph_clear_error(g);
    mg_tensor *gamma = random_leaf(g, MG_F64, SHAPE(5), 7, MG_TENSOR_PARAM);
    ck_assert_ptr_null(mg_tensor_layer_norm(a, gamma, NULL, 1e-5));
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "gamma of shape [5]"));
    mg_graph_clear_error(g);
    ck_assert_ptr_null(mg_tensor_dropout(a, 1.5, 1, 1));
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "dropout: p 1.5"));
    mg_graph_clear_error(g);
    mg_tensor *qkv = random_leaf(g, MG_F64, SHAPE(2, 3, 12), 8, MG_TENSOR_PARAM);
    ck_assert_ptr_null(mg_tensor_attn_scores(qkv, 3)); /* C = 4 is not a multiple of 3 */
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "attn_scores: qkv of shape [2,3,12] is not [B,T,3C]"));
    mg_graph_clear_error(g);
    ck_assert_ptr_null(mg_tensor_attn_scores(a, 1));
    mg_graph_clear_error(g);
    mg_tensor *w = random_leaf(g, MG_F64, SHAPE(2, 2, 4, 4), 9, MG_TENSOR_PARAM);
    ck_assert_ptr_null(mg_tensor_attn_mix(w, qkv));
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "attn_mix: shapes [2,2,4,4] and [2,3,12] are not"));
    mg_graph_clear_error(g);
    size_t before = mg_graph_count(g);
    ck_assert_ptr_null(mg_tensor_embedding(a, 1, (const int[]){ 3 }, (const int32_t[]){ 0, 2, 1 }));
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "id 2 at 1 is outside [0,2)"));
    ck_assert_uint_eq(mg_graph_count(g), before); /* the refused node is gone */
    mg_graph_free(g);
}
END_TEST

/* Rows sum to 1 over the keys a query may see, 0 beyond; a row that sees none is
 * all 0 and passes no gradient; huge logits stay finite. */
START_TEST(test_causal_softmax_masks)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *a = random_leaf(g, MG_F64, SHAPE(2, 4, 4), 8, MG_TENSOR_PARAM);
    for (int i = 0; i < a->numel; i++)
        mg_tensor_set(a, i, mg_tensor_get(a, i) * 500.0);
    mg_tensor *p = mg_tensor_causal_softmax(a, 1.0, -1); /* query 0 sees nothing */
    for (int b = 0; b < 2; b++)
        for (int i = 0; i < 4; i++) {
            double sum = 0.0;
            for (int j = 0; j < 4; j++) {
                double v = mg_tensor_get(p, (b * 4 + i) * 4 + j);
                ck_assert(isfinite(v));
                if (j > i - 1)
                    ck_assert_double_eq(v, 0.0);
                sum += v;
            }
            ck_assert_double_eq_tol(sum, i == 0 ? 0.0 : 1.0, 1e-12);
        }
    mg_tensor *w = random_leaf(g, MG_F64, SHAPE(2, 4, 4), 9, MG_TENSOR_CONST);
    ck_assert_int_eq(mg_tensor_backward(mg_tensor_sum(mg_tensor_mul(p, w), MG_AXIS_ALL, 0)),
                     MG_OK);
    for (int i = 0; i < a->numel; i++) {
        ck_assert(isfinite(mg_tensor_grad_at(a, i)));
        if ((i / 4) % 4 == 0) /* query 0's row */
            ck_assert_double_eq(mg_tensor_grad_at(a, i), 0.0);
    }
    mg_graph_free(g);
}
END_TEST

/* Rows long enough for the forward's vector max (live 1 to 40: shorter than a
 * vector, whole vectors, and a last block overlapping the one before), in float
 * and double, scale -0.5. Two large logits 1 apart at the end of each row's live
 * part (sequence 0) or at its start (sequence 1): a max that missed them would
 * clamp both exponentials at e^87 and give them equal weights instead of
 * 0.73/0.27. A NaN at a row's first entry, or at its middle, makes every live
 * entry NaN, the masked ones still 0, written over a reused buffer. */
START_TEST(test_causal_softmax_long_rows)
{
    enum { T = 40 };
    const double sc = -0.5;
    for (int f64 = 0; f64 < 2; f64++) {
        const double tol = f64 ? 1e-12 : 1e-6;
        mg_graph *g = mg_graph_new();
        mg_tensor *a = random_leaf(g, f64 ? MG_F64 : MG_F32, SHAPE(3, T, T), 11, MG_TENSOR_CONST);
        for (int i = 1; i < T; i++) {
            const int top0 = i * T + i, top1 = (T + i) * T; /* sequence 0's end, 1's start */
            mg_tensor_set(a, top0, -400.0);
            mg_tensor_set(a, top0 - 1, -398.0);
            mg_tensor_set(a, top1, -400.0);
            mg_tensor_set(a, top1 + 1, -398.0);
        }
        mg_tensor_set(a, (2 * T + 5) * T, NAN);              /* row 5's first entry */
        mg_tensor_set(a, (2 * T + 33) * T + 16, NAN);        /* row 33's middle */
        /* the result's buffer first holds other numbers (the arena hands the same
         * bytes back after a rewind: asserted), so its masked zeros are written */
        const mg_mark mark = mg_graph_mark(g);
        const void *junk = mg_tensor_exp(a)->data;
        mg_graph_rewind(g, mark);
        mg_tensor *p = mg_tensor_causal_softmax(a, sc, 0);
        ck_assert_ptr_eq(p->data, junk);
        for (int r = 0; r < 3 * T; r++) {
            const int live = r % T + 1;
            double m = -INFINITY, sum = 0.0;
            for (int j = 0; j < live; j++)
                m = fmax(m, sc * mg_tensor_get(a, r * T + j));
            for (int j = 0; j < live; j++)
                sum += exp(sc * mg_tensor_get(a, r * T + j) - m);
            const int nan_row = r == 2 * T + 5 || r == 2 * T + 33;
            for (int j = 0; j < T; j++) {
                const double v = mg_tensor_get(p, r * T + j);
                if (j >= live)
                    ck_assert_double_eq(v, 0.0);
                else if (nan_row)
                    ck_assert(isnan(v));
                else
                    ck_assert_double_eq_tol(v, exp(sc * mg_tensor_get(a, r * T + j) - m) / sum, tol);
            }
        }
        /* the two large logits of sequence 0's row 20 and sequence 1's row 20 */
        ck_assert_double_eq_tol(mg_tensor_get(p, 20 * T + 20), 1.0 / (1.0 + exp(-1.0)), 1e-6);
        ck_assert_double_eq_tol(mg_tensor_get(p, (T + 20) * T), 1.0 / (1.0 + exp(-1.0)), 1e-6);
        mg_graph_free(g);
    }
}
END_TEST

/* The forward and backward go by vector blocks of a row's live entries: rows of
 * whole blocks (64), of a partial last block (33) and of three (48) with a first
 * query that sees nothing; two softmaxes of one input, so the second gradient is
 * added to the first; upstream gradients NaN on the masked entries, where the
 * weights are 0. Every entry matches the formula in double (p_j·(w_j − Σ p·w)·sc
 * for each softmax), masked ones are exactly 0, nothing is NaN. */
START_TEST(test_causal_softmax_blocks_and_masked_upstream)
{
    /* cols, tq, offset */
    const int shapes[3][3] = { { 64, 64, 0 }, { 33, 20, 13 }, { 48, 5, -1 } };
    const double scales[2] = { 0.3, -0.8 };
    for (int f64 = 0; f64 < 2; f64++)
        for (int c = 0; c < 3; c++) {
            const int cols = shapes[c][0], tq = shapes[c][1], offset = shapes[c][2];
            mg_graph *g = mg_graph_new();
            mg_tensor *a = random_leaf(g, f64 ? MG_F64 : MG_F32, SHAPE(2, tq, cols), 21 + c,
                                       MG_TENSOR_PARAM);
            mg_tensor *w = random_leaf(g, f64 ? MG_F64 : MG_F32, SHAPE(2, tq, cols), 31 + c,
                                       MG_TENSOR_CONST);
            for (int i = 0; i < a->numel; i++) {
                mg_tensor_set(a, i, 4.0 * mg_tensor_get(a, i));
                if (i % cols > (i / cols) % tq + offset)
                    mg_tensor_set(w, i, NAN); /* masked: o is 0, its gradient must not count */
            }
            mg_tensor *p[2], *loss = NULL;
            for (int k = 0; k < 2; k++) {
                p[k] = mg_tensor_causal_softmax(a, scales[k], offset);
                mg_tensor *term = mg_tensor_sum(mg_tensor_mul(p[k], w), MG_AXIS_ALL, 0);
                loss = loss ? mg_tensor_add(loss, term) : term;
            }
            ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
            const double tol = f64 ? 1e-12 : 2e-6;
            for (int r = 0; r < 2 * tq; r++) {
                const int last = r % tq + offset;
                const int live = last < 0 ? 0 : last >= cols ? cols : last + 1;
                double want[64] = { 0 };
                for (int k = 0; k < 2; k++) {
                    double e[64], m = -INFINITY, sum = 0.0, dot = 0.0;
                    for (int j = 0; j < live; j++)
                        m = fmax(m, scales[k] * mg_tensor_get(a, r * cols + j));
                    for (int j = 0; j < live; j++)
                        sum += e[j] = exp(scales[k] * mg_tensor_get(a, r * cols + j) - m);
                    for (int j = 0; j < live; j++)
                        dot += e[j] / sum * mg_tensor_get(w, r * cols + j);
                    for (int j = 0; j < cols; j++) {
                        const double got = mg_tensor_get(p[k], r * cols + j);
                        if (j >= live) {
                            ck_assert(got == 0.0);
                            continue;
                        }
                        ck_assert_double_eq_tol(got, e[j] / sum, tol);
                        want[j] += scales[k] * e[j] / sum * (mg_tensor_get(w, r * cols + j) - dot);
                    }
                }
                for (int j = 0; j < cols; j++) {
                    const double got = mg_tensor_grad_at(a, r * cols + j);
                    if (j >= live)
                        ck_assert_msg(got == 0.0, "row %d entry %d: %g", r, j, got);
                    else
                        ck_assert_msg(fabs(got - want[j]) <= tol * (1.0 + fabs(want[j])),
                                      "row %d entry %d: %g, want %g", r, j, got, want[j]);
                }
            }
            mg_graph_free(g);
        }
}
END_TEST

/* With every key visible (offset >= cols) and scale 1, the causal softmax is the
 * softmax over the last axis, bit for bit in float: the forward's exponential
 * (exp_nonpos_f32) gives exp_f32's bits, and its blocks the same sum (inputs in
 * [-6, 6]: a row's exponentials add exactly in double, in any order). */
START_TEST(test_causal_softmax_unmasked_is_softmax_bitwise)
{
    const int shapes[2][2] = { { 5, 64 }, { 3, 40 } }; /* tq, cols */
    for (int c = 0; c < 2; c++) {
        mg_graph *g = mg_graph_new();
        mg_tensor *a = random_leaf(g, MG_F32, SHAPE(3, shapes[c][0], shapes[c][1]), 41 + c,
                                   MG_TENSOR_CONST);
        for (int i = 0; i < a->numel; i++)
            mg_tensor_set(a, i, 3.0 * mg_tensor_get(a, i));
        const float *p = mg_tensor_causal_softmax(a, 1.0, shapes[c][1])->data;
        const float *q = mg_tensor_softmax(a, 2)->data;
        for (int i = 0; i < a->numel; i++)
            ck_assert_msg(memcmp(&p[i], &q[i], sizeof p[i]) == 0, "entry %d: %a, softmax's %a",
                          i, p[i], q[i]);
        mg_graph_free(g);
    }
}
END_TEST

START_TEST(test_dropout_mask)
{
    enum { N = 20000 };
    mg_graph *g = mg_graph_new();
    mg_tensor *a = mg_tensor_param(g, MG_F32, 1, (const int[]){ N });
    mg_tensor_fill(a, 2.0);
    ck_assert_ptr_eq(mg_tensor_dropout(a, 0.3, 5, 0), a); /* eval: the identity */
    ck_assert_ptr_eq(mg_tensor_dropout(a, 0.0, 5, 1), a);
    mg_tensor *d = mg_tensor_dropout(a, 0.3, 5, 1), *same = mg_tensor_dropout(a, 0.3, 5, 1);
    mg_tensor *other = mg_tensor_dropout(a, 0.3, 6, 1);
    int kept = 0, differ = 0;
    for (int i = 0; i < N; i++) {
        float v = ((float *)d->data)[i];
        ck_assert(v == 0.0f || fabsf(v - 2.0f / 0.7f) < 1e-6f);
        kept += v != 0.0f;
        ck_assert_float_eq(v, ((float *)same->data)[i]);
        differ += (v != 0.0f) != (((float *)other->data)[i] != 0.0f);
    }
    /* 14,000 expected; the binomial's standard deviation is 65 */
    ck_assert_int_gt(kept, 13600);
    ck_assert_int_lt(kept, 14400);
    ck_assert_int_gt(differ, 1000); /* another seed, another mask */
    mg_tensor *all = mg_tensor_dropout(a, 1.0, 5, 1);
    for (int i = 0; i < N; i++)
        ck_assert_float_eq(((float *)all->data)[i], 0.0f);
    /* backward sends the gradient through the kept elements, scaled */
    ck_assert_int_eq(mg_tensor_backward(mg_tensor_sum(d, MG_AXIS_ALL, 0)), MG_OK);
    for (int i = 0; i < N; i++)
        ck_assert_float_eq(((float *)a->grad)[i], ((float *)d->data)[i] / 2.0f);
    mg_graph_free(g);
}
END_TEST

/* The affine layer norm of x [rows, cols] (dtype dt) on `threads`, fused (beta
 * the node's third operand) or as the norm followed by + beta: its output and
 * the grads of x, gamma and beta (and, when beta comes through a reshape, of
 * the leaf behind it), end to end in one buffer. The param grads start from
 * nonzero numbers, so the accumulating stores are compared too. */
static unsigned char *affine_norm_bits(mg_dtype dt, int rows, int cols, int threads, int fused,
                                       int beta_node, size_t *bytes)
{
    mg_set_threads(threads);
    mg_graph *g = mg_graph_new();
    mg_tensor *x = random_leaf(g, dt, SHAPE(rows, cols), 31, MG_TENSOR_PARAM);
    mg_tensor *gamma = random_leaf(g, dt, SHAPE(cols), 32, MG_TENSOR_PARAM);
    mg_tensor *b0 = random_leaf(g, dt, SHAPE(cols), 33, MG_TENSOR_PARAM);
    /* through a reshape, beta is an interior node: its first gradient overwrites */
    mg_tensor *beta = beta_node ? mg_tensor_reshape(b0, SHAPE(cols)) : b0;
    mg_tensor *y = fused ? mg_tensor_layer_norm(x, gamma, beta, 1e-5)
                         : mg_tensor_add(mg_tensor_layer_norm(x, gamma, NULL, 1e-5), beta);
    ck_assert_str_eq(mg_tensor_op_name(y), fused ? "layer_norm" : "+");
    mg_tensor *w = random_leaf(g, dt, SHAPE(rows, cols), 34, MG_TENSOR_CONST);
    mg_tensor_set(w, 0, -0.0); /* dy's sign of zero, which a one-row beta's gradient keeps */
    mg_tensor *ps[] = { x, gamma, b0 };
    for (int p = 0; p < 3; p++) {
        mg_tensor_zero_grad(ps[p]);
        for (int i = 0; i < ps[p]->numel; i++) {
            if (dt == MG_F32)
                ((float *)ps[p]->grad)[i] = (float)(0.01 * i - 0.3);
            else
                ((double *)ps[p]->grad)[i] = 0.01 * i - 0.3;
        }
    }
    ck_assert_int_eq(mg_tensor_backward(mg_tensor_sum(mg_tensor_mul(y, w), MG_AXIS_ALL, 0)),
                     MG_OK);
    const size_t es = mg_dtype_size(dt);
    const mg_tensor *parts[] = { x, gamma, b0, beta };
    const int nparts = beta_node ? 4 : 3;
    *bytes = es * (size_t)(2 * rows * cols + (nparts - 1) * cols);
    unsigned char *out = malloc(*bytes), *at = out;
    memcpy(at, y->data, es * (size_t)y->numel);
    at += es * (size_t)y->numel;
    for (int p = 0; p < nparts; p++) {
        memcpy(at, parts[p]->grad, es * (size_t)parts[p]->numel);
        at += es * (size_t)parts[p]->numel;
    }
    mg_graph_free(g);
    mg_set_threads(1);
    return out;
}

/* Beta inside the layer_norm node gives the bits of the norm followed by
 * + beta, on 1 and 2 threads: forward (beta added to the rounded product),
 * and backward, beta's gradient summed as the add's column sum sums it (by
 * blocks of rows from 128 rows on, [1024,128] as in a GPT and 300 rows in 4
 * blocks of 75; row by row below; wider than a tile of 256 columns), whether
 * it accumulates into a leaf or overwrites an interior node's (one row). */
START_TEST(test_layer_norm_beta_fused_same_bits_as_add)
{
    static const struct { mg_dtype dt; int rows, cols, beta_node; } cases[] = {
        { MG_F32, 1024, 128, 0 }, { MG_F32, 300, 7, 1 }, { MG_F64, 300, 7, 0 },
        { MG_F32, 6, 5, 0 },      { MG_F64, 6, 5, 1 },   { MG_F32, 1, 5, 1 },
        { MG_F32, 200, 300, 0 },  { MG_F32, 100, 300, 1 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        unsigned char *bits[2][2];
        size_t n[2][2];
        for (int threads = 1; threads <= 2; threads++)
            for (int fused = 0; fused <= 1; fused++)
                bits[threads - 1][fused] = affine_norm_bits(cases[c].dt, cases[c].rows,
                                                            cases[c].cols, threads, fused,
                                                            cases[c].beta_node,
                                                            &n[threads - 1][fused]);
        for (int k = 1; k < 4; k++) {
            ck_assert_uint_eq(n[k / 2][k % 2], n[0][0]);
            ck_assert_msg(memcmp(bits[k / 2][k % 2], bits[0][0], n[0][0]) == 0,
                          "case %zu ([%d,%d]): %s on %d threads differs from the norm and + "
                          "on one", c, cases[c].rows, cases[c].cols,
                          k % 2 ? "fused" : "norm and +", k / 2 + 1);
        }
        for (int k = 0; k < 4; k++)
            free(bits[k / 2][k % 2]);
    }
}
END_TEST

/* The node: layer_norm(x, gamma, beta) has three operands in that order; beta
 * without gamma is a + after a one-operand norm (a third follows a second). */
/* Rows equal but for their last bits, with eps 0: the one-pass variance loses
 * its digits there (it came out 0 or below: inf and NaN), and the norm falls
 * back to the distances to the mean. The outputs are rounding's, but finite and
 * normalised: |y| <= sqrt(n - 1) (Samuelson), Σy² within rounding of n. */
START_TEST(test_layer_norm_of_a_nearly_constant_row)
{
    enum { R = 8, N = 128 };
    mg_graph *g = mg_graph_new();
    mg_tensor *x = mg_tensor_new(g, MG_F64, 2, (const int[]){ R, N }, MG_TENSOR_INPUT);
    for (int i = 0; i < R * N; i++) {
        const double base = 0.1 * (1 + i / N);
        mg_tensor_set(x, i, i % N == 0 ? base : nextafter(base, i % 3 ? 1e9 : -1e9));
    }
    mg_tensor *y = mg_tensor_layer_norm(x, NULL, NULL, 0.0);
    ck_assert_msg(y != NULL, "%s", mg_graph_error(g));
    for (int r = 0; r < R; r++) {
        double squares = 0;
        for (int j = 0; j < N; j++) {
            const double v = mg_tensor_get(y, r * N + j);
            ck_assert_msg(isfinite(v), "row %d entry %d: %g", r, j, v);
            ck_assert_double_le(fabs(v), sqrt(N - 1.0) + 1e-9);
            squares += v * v;
        }
        ck_assert_double_eq_tol(squares, N, 0.5);
    }
    mg_graph_free(g);
}
END_TEST

START_TEST(test_layer_norm_beta_is_the_third_operand)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *x = random_leaf(g, MG_F64, SHAPE(2, 3, 4), 40, MG_TENSOR_PARAM);
    mg_tensor *gamma = random_leaf(g, MG_F64, SHAPE(4), 41, MG_TENSOR_PARAM);
    mg_tensor *beta = random_leaf(g, MG_F64, SHAPE(4), 42, MG_TENSOR_PARAM);
    mg_tensor *y = mg_tensor_layer_norm(x, gamma, beta, 1e-5);
    ck_assert_str_eq(mg_tensor_op_name(y), "layer_norm");
    ck_assert_int_eq(mg_value_parent_count(y->node), 3);
    ck_assert_ptr_eq(mg_tensor_parent(y, 0), x);
    ck_assert_ptr_eq(mg_tensor_parent(y, 1), gamma);
    ck_assert_ptr_eq(mg_tensor_parent(y, 2), beta);
    mg_tensor *y2 = mg_tensor_layer_norm(x, gamma, NULL, 1e-5);
    ck_assert_int_eq(mg_value_parent_count(y2->node), 2);
    ck_assert_ptr_null(mg_tensor_parent(y2, 2));
    mg_tensor *y1 = mg_tensor_layer_norm(x, NULL, beta, 1e-5);
    ck_assert_str_eq(mg_tensor_op_name(y1), "+");
    ck_assert_str_eq(mg_tensor_op_name(mg_tensor_parent(y1, 0)), "layer_norm");
    ck_assert_int_eq(mg_value_parent_count(mg_tensor_parent(y1, 0)->node), 1);
    ck_assert_ptr_eq(mg_tensor_parent(y1, 1), beta);
    mg_tensor *wrong = random_leaf(g, MG_F64, SHAPE(3), 43, MG_TENSOR_PARAM);
    ck_assert_ptr_null(mg_tensor_layer_norm(x, gamma, wrong, 1e-5));
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "beta of shape [3]"));
    mg_graph_free(g);
}
END_TEST

START_TEST(test_embedding_rows_and_layer_norm_moments)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *w = random_leaf(g, MG_F64, SHAPE(5, 8), 10, MG_TENSOR_PARAM);
    const int32_t ids[] = { 4, 0, 4 };
    mg_tensor *e = mg_tensor_embedding(w, 2, (const int[]){ 1, 3 }, ids);
    ck_assert_int_eq(e->ndim, 3);
    ck_assert_int_eq(e->shape[2], 8);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 8; j++)
            ck_assert_double_eq(mg_tensor_get(e, i * 8 + j), mg_tensor_get(w, ids[i] * 8 + j));
    mg_tensor *n = mg_tensor_layer_norm(e, NULL, NULL, 0.0);
    for (int i = 0; i < 3; i++) {
        double mean = 0.0, var = 0.0;
        for (int j = 0; j < 8; j++)
            mean += mg_tensor_get(n, i * 8 + j) / 8;
        for (int j = 0; j < 8; j++)
            var += pow(mg_tensor_get(n, i * 8 + j) - mean, 2) / 8;
        ck_assert_double_eq_tol(mean, 0.0, 1e-12);
        ck_assert_double_eq_tol(var, 1.0, 1e-12);
    }
    ck_assert_int_eq(mg_tensor_backward(mg_tensor_sum(e, MG_AXIS_ALL, 0)), MG_OK);
    for (int j = 0; j < 8; j++) { /* row 4 looked up twice, row 0 once, the rest never */
        ck_assert_double_eq(mg_tensor_grad_at(w, 4 * 8 + j), 2.0);
        ck_assert_double_eq(mg_tensor_grad_at(w, j), 1.0);
        ck_assert_double_eq(mg_tensor_grad_at(w, 2 * 8 + j), 0.0);
    }
    mg_graph_free(g);
}
END_TEST

/* The embedding's gradient on `threads`: 3,000 lookups of 37 of 40 rows, some
 * rows many times, each lookup's gradient the matching row of a random c. */
enum { EMB_ROWS = 40, EMB_COLS = 96, EMB_IDS = 3000 };

static float *embedding_grad(int threads, const int32_t *ids, float *c_out)
{
    mg_set_threads(threads);
    mg_graph *g = mg_graph_new();
    mg_tensor *w = random_leaf(g, MG_F32, SHAPE(EMB_ROWS, EMB_COLS), 31, MG_TENSOR_PARAM);
    mg_tensor *c = random_leaf(g, MG_F32, SHAPE(EMB_IDS, EMB_COLS), 32, MG_TENSOR_CONST);
    mg_tensor *e = mg_tensor_embedding(w, 1, (const int[]){ EMB_IDS }, ids);
    ck_assert_int_eq(mg_tensor_backward(mg_tensor_sum(mg_tensor_mul(e, c), MG_AXIS_ALL, 0)),
                     MG_OK);
    float *gw = malloc(sizeof(float) * EMB_ROWS * EMB_COLS);
    ck_assert_ptr_nonnull(gw);
    memcpy(gw, w->grad, sizeof(float) * EMB_ROWS * EMB_COLS);
    memcpy(c_out, c->data, sizeof(float) * EMB_IDS * EMB_COLS);
    mg_graph_free(g);
    mg_set_threads(1);
    return gw;
}

/* Repeated ids add into their row in lookup order, whatever the threads' cut. */
START_TEST(test_embedding_grad_same_bits_on_one_and_two_threads)
{
    static int32_t ids[EMB_IDS];
    static float c[EMB_IDS * EMB_COLS];
    for (int i = 0; i < EMB_IDS; i++)
        ids[i] = (int32_t)((i * i + 3 * i) % 37); /* rows 37..39 never looked up */
    float *one = embedding_grad(1, ids, c), *two = embedding_grad(2, ids, c);
    ck_assert(memcmp(one, two, sizeof(float) * EMB_ROWS * EMB_COLS) == 0);
    for (int r = 0; r < EMB_ROWS; r++)
        for (int j = 0; j < EMB_COLS; j++) {
            float want = 0.0f;
            for (int i = 0; i < EMB_IDS; i++)
                if (ids[i] == r)
                    want += c[i * EMB_COLS + j];
            ck_assert_msg(one[r * EMB_COLS + j] == want, "row %d col %d: %.9g, want %.9g", r,
                          j, one[r * EMB_COLS + j], want);
        }
    free(one);
    free(two);
}
END_TEST

/* ---- a small GPT block, the shape of the real workload ---- */

enum { NPARAMS = 9 };

typedef struct block_params {
    mg_tensor *wte, *wpe, *ln_g, *ln_b, *w_qkv, *w_proj, *w_fc, *b_fc, *w_out;
    mg_tensor *all[NPARAMS];
} block_params;

/* Big enough that every loop is cut over the pool when it has two threads. */
enum { VOCAB = 67, CTX = 64, EMBD = 64, HEADS = 4, BATCH = 8 };

static block_params block_new(mg_graph *g, mg_dtype dt)
{
    block_params p = {
        random_leaf(g, dt, SHAPE(VOCAB, EMBD), 11, MG_TENSOR_PARAM),
        random_leaf(g, dt, SHAPE(CTX, EMBD), 12, MG_TENSOR_PARAM),
        random_leaf(g, dt, SHAPE(EMBD), 13, MG_TENSOR_PARAM),
        random_leaf(g, dt, SHAPE(EMBD), 14, MG_TENSOR_PARAM),
        random_leaf(g, dt, SHAPE(EMBD, 3 * EMBD), 15, MG_TENSOR_PARAM),
        random_leaf(g, dt, SHAPE(EMBD, EMBD), 16, MG_TENSOR_PARAM),
        random_leaf(g, dt, SHAPE(EMBD, 4 * EMBD), 17, MG_TENSOR_PARAM),
        random_leaf(g, dt, SHAPE(4 * EMBD), 19, MG_TENSOR_PARAM),
        random_leaf(g, dt, SHAPE(4 * EMBD, EMBD), 18, MG_TENSOR_PARAM),
        { NULL },
    };
    mg_tensor *all[NPARAMS] = { p.wte, p.wpe, p.ln_g, p.ln_b, p.w_qkv, p.w_proj, p.w_fc, p.b_fc,
                                p.w_out };
    memcpy(p.all, all, sizeof all);
    for (int k = 0; k < NPARAMS; k++) /* weights of an initialised model's size */
        if (all[k]->ndim == 2)
            for (int i = 0; i < all[k]->numel; i++)
                mg_tensor_set(all[k], i, mg_tensor_get(all[k], i) * 0.05);
    return p;
}

/* Token + position embeddings, one pre-norm block (causal attention, GELU MLP
 * with a bias: its gradient sums 512 rows, by blocks of rows),
 * a tied head and the cross-entropy of the next token. */
static mg_tensor *block_loss(const block_params *p, const int32_t *tokens,
                             const int32_t *targets, uint64_t step)
{
    const int hs = EMBD / HEADS;
    mg_tensor *x = mg_tensor_add(mg_tensor_embedding(p->wte, 2, (const int[]){ BATCH, CTX }, tokens),
                                 mg_tensor_slice(p->wpe, 0, 0, CTX));
    mg_tensor *h = mg_tensor_layer_norm(x, p->ln_g, p->ln_b, 1e-5);
    mg_tensor *qkv = mg_tensor_matmul(h, p->w_qkv);
    mg_tensor *att = mg_tensor_causal_softmax(mg_tensor_attn_scores(qkv, HEADS), 1.0 / sqrt(hs), 0);
    att = mg_tensor_dropout(att, 0.1, step, 1);
    mg_tensor *y = mg_tensor_matmul(mg_tensor_attn_mix(att, qkv), p->w_proj);
    x = mg_tensor_add(x, y);
    h = mg_tensor_matmul(mg_tensor_layer_norm(x, p->ln_g, NULL, 1e-5), p->w_fc);
    h = mg_tensor_gelu(mg_tensor_add(h, p->b_fc));
    x = mg_tensor_add(x, mg_tensor_matmul(h, p->w_out));
    mg_tensor *logits = mg_tensor_matmul(x, mg_tensor_transpose(p->wte, 0, 1));
    logits = mg_tensor_reshape(logits, 2, (const int[]){ BATCH * CTX, VOCAB });
    mg_tensor *probs = mg_tensor_softmax(logits, -1); /* softmax and a mean, to use both */
    mg_tensor *loss = mg_tensor_cross_entropy(logits, targets);
    return mg_tensor_add(loss, mg_tensor_mean(probs, MG_AXIS_ALL, 0));
}

static void tokens_fill(int32_t *tokens, int32_t *targets)
{
    mg_rng r;
    mg_rng_seed(&r, 99);
    for (int i = 0; i < BATCH * CTX; i++) {
        tokens[i] = (int32_t)mg_rng_below(&r, VOCAB);
        targets[i] = (int32_t)mg_rng_below(&r, VOCAB);
    }
}

/* The loss and every parameter's gradient after one backward on `threads`. */
static double *block_grads(mg_dtype dt, int threads, double *loss_out)
{
    static int32_t tokens[BATCH * CTX], targets[BATCH * CTX];
    tokens_fill(tokens, targets);
    mg_set_threads(threads);
    mg_graph *g = mg_graph_new();
    block_params p = block_new(g, dt);
    mg_tensor *loss = block_loss(&p, tokens, targets, 7);
    ck_assert_msg(loss != NULL, "%s", mg_graph_error(g));
    ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
    *loss_out = mg_tensor_get(loss, 0);
    size_t n = 0;
    for (int k = 0; k < NPARAMS; k++)
        n += (size_t)p.all[k]->numel;
    double *grads = malloc(n * sizeof *grads), *q = grads;
    ck_assert_ptr_nonnull(grads);
    for (int k = 0; k < NPARAMS; k++)
        for (int i = 0; i < p.all[k]->numel; i++)
            *q++ = mg_tensor_grad_at(p.all[k], i);
    mg_graph_free(g);
    mg_set_threads(1);
    return grads;
}

static size_t block_param_count(void)
{
    return (size_t)VOCAB * EMBD + CTX * EMBD + 2 * EMBD + EMBD * 3 * EMBD + EMBD * EMBD
           + 2 * EMBD * 4 * EMBD + 4 * EMBD;
}

/* Every loop's cut depends on the thread count, its results must not. */
START_TEST(test_same_bits_on_one_and_two_threads)
{
    for (int dt = MG_F32; dt <= MG_F64; dt++) {
        double loss1, loss2;
        double *one = block_grads((mg_dtype)dt, 1, &loss1), *two = block_grads((mg_dtype)dt, 2, &loss2);
        ck_assert(isfinite(loss1));
        ck_assert(memcmp(&loss1, &loss2, sizeof loss1) == 0);
        ck_assert(memcmp(one, two, block_param_count() * sizeof *one) == 0);
        free(one);
        free(two);
    }
}
END_TEST

/* Parameters after AdamW steps with clipping on `threads`, and the norms clipped:
 * the optimiser runs one pool job over chunks of every parameter. An extra
 * parameter of 40,000 elements, gradients filled here, spans three chunks.
 * fused: mg_optim_update clips, steps and zeroes the grads in one call. */
static float *optim_params(int threads, bool fused, double norms[3])
{
    enum { EXTRA = 40000 };
    static int32_t tokens[BATCH * CTX], targets[BATCH * CTX];
    tokens_fill(tokens, targets);
    mg_set_threads(threads);
    mg_graph *g = mg_graph_new();
    block_params p = block_new(g, MG_F32);
    mg_tensor *ps[NPARAMS + 1];
    memcpy(ps, p.all, sizeof p.all);
    ps[NPARAMS] = random_leaf(g, MG_F32, SHAPE(EXTRA), 20, MG_TENSOR_PARAM);
    mg_optim_config cfg = mg_optim_defaults(MG_OPTIM_ADAMW);
    mg_optim *o = mg_optim_new(ps, NPARAMS + 1, &cfg, NULL);
    ck_assert_ptr_nonnull(o);
    mg_graph_keep(g);
    mg_optim_zero_grad(o);
    for (int step = 0; step < 3; step++) {
        mg_tensor *loss = block_loss(&p, tokens, targets, (uint64_t)step);
        ck_assert_ptr_nonnull(loss);
        if (!fused)
            mg_optim_zero_grad(o);
        ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
        for (int i = 0; i < EXTRA; i++)
            ((float *)ps[NPARAMS]->grad)[i] = (float)sin(0.01 * i + step);
        if (fused) {
            norms[step] = mg_optim_update(o, &(mg_update_opts){ .max_norm = 0.5,
                                                                .zero_grad = true });
        } else {
            norms[step] = mg_optim_clip_grad_norm(o, 0.5);
            mg_optim_step(o);
        }
        mg_graph_reset(g);
    }
    size_t n = 0;
    for (int k = 0; k <= NPARAMS; k++)
        n += (size_t)ps[k]->numel;
    float *out = malloc(n * sizeof *out), *q = out;
    ck_assert_ptr_nonnull(out);
    for (int k = 0; k <= NPARAMS; k++) {
        memcpy(q, ps[k]->data, (size_t)ps[k]->numel * sizeof *q);
        q += ps[k]->numel;
    }
    mg_optim_free(o);
    mg_graph_free(g);
    mg_set_threads(1);
    return out;
}

START_TEST(test_optimizer_same_bits_on_one_and_two_threads)
{
    const size_t n = (block_param_count() + 40000) * sizeof(float);
    double norms1[3], norms2[3], fused_norms[2][3];
    float *one = optim_params(1, false, norms1), *two = optim_params(2, false, norms2);
    ck_assert(norms1[0] > 0.5); /* clipping scaled the gradients */
    ck_assert(memcmp(norms1, norms2, sizeof norms1) == 0);
    ck_assert(memcmp(one, two, n) == 0);
    /* and mg_optim_update on either: the separate calls' bits */
    for (int threads = 1; threads <= 2; threads++) {
        float *fused = optim_params(threads, true, fused_norms[threads - 1]);
        ck_assert(memcmp(fused_norms[threads - 1], norms1, sizeof norms1) == 0);
        ck_assert(memcmp(fused, one, n) == 0);
        free(fused);
    }
    free(one);
    free(two);
}
END_TEST

START_TEST(test_f32_matches_f64)
{
    double loss32, loss64;
    double *g32 = block_grads(MG_F32, 1, &loss32), *g64 = block_grads(MG_F64, 1, &loss64);
    ck_assert_double_eq_tol(loss32, loss64, 1e-4 * fabs(loss64));
    double worst = 0.0, scale = 0.0;
    for (size_t i = 0; i < block_param_count(); i++) {
        worst = fmax(worst, fabs(g32[i] - g64[i]));
        scale = fmax(scale, fabs(g64[i]));
    }
    ck_assert_msg(worst <= 1e-3 * scale, "float32 grads off by %g (largest grad %g)", worst, scale);
    free(g32);
    free(g64);
}
END_TEST

/* The training loop's pattern: after the first steps a step allocates nothing. */
START_TEST(test_warm_block_step_allocates_nothing)
{
    static int32_t tokens[BATCH * CTX], targets[BATCH * CTX];
    tokens_fill(tokens, targets);
    mg_set_threads(2);
    mg_graph *g = mg_graph_new();
    block_params p = block_new(g, MG_F32);
    mg_optim_config cfg = mg_optim_defaults(MG_OPTIM_ADAMW);
    mg_optim *o = mg_optim_new(p.all, NPARAMS, &cfg, NULL);
    ck_assert_ptr_nonnull(o);
    mg_graph_keep(g);
    size_t warm = 0;
    double first = 0.0, last = 0.0;
    for (int step = 0; step < 6; step++) {
        if (step == 2)
            warm = mg_graph_get_stats(g).allocations;
        mg_tensor *loss = block_loss(&p, tokens, targets, (uint64_t)step);
        ck_assert_ptr_nonnull(loss);
        mg_optim_zero_grad(o);
        ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
        mg_optim_clip_grad_norm(o, 1.0);
        mg_optim_step(o);
        last = mg_tensor_get(loss, 0);
        if (step == 0)
            first = last;
        mg_graph_reset(g);
    }
    ck_assert_uint_eq(mg_graph_get_stats(g).allocations, warm);
    ck_assert(last < first); /* and it learns (the same batch six times) */
    mg_optim_free(o);
    mg_graph_free(g);
    mg_set_threads(1);
}
END_TEST

static Suite *tensor_nn_suite(void)
{
    Suite *s = suite_create("tensor_nn");
    TCase *tc = tcase_create("ops");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_views_share_data);
    tcase_add_test(tc, test_split_and_concat_round_trip);
    tcase_add_test(tc, test_shape_errors_name_the_problem);
    tcase_add_test(tc, test_attention_reads_qkv_in_place);
    tcase_add_test(tc, test_scores_skip_causal_zeros_only_when_known);
    tcase_add_test(tc, test_qkv_thirds_left_to_the_scores_are_settled_for_others);
    tcase_add_test(tc, test_fresh_qkv_gradient_overwrites_old_numbers);
    tcase_add_test(tc, test_causal_softmax_masks);
    tcase_add_test(tc, test_causal_softmax_long_rows);
    tcase_add_test(tc, test_causal_softmax_blocks_and_masked_upstream);
    tcase_add_test(tc, test_causal_softmax_unmasked_is_softmax_bitwise);
    tcase_add_test(tc, test_dropout_mask);
    tcase_add_test(tc, test_layer_norm_beta_fused_same_bits_as_add);
    tcase_add_test(tc, test_layer_norm_beta_is_the_third_operand);
    tcase_add_test(tc, test_layer_norm_of_a_nearly_constant_row);
    tcase_add_test(tc, test_embedding_rows_and_layer_norm_moments);
    tcase_add_test(tc, test_embedding_grad_same_bits_on_one_and_two_threads);
    tcase_add_test(tc, test_same_bits_on_one_and_two_threads);
    tcase_add_test(tc, test_optimizer_same_bits_on_one_and_two_threads);
    tcase_add_test(tc, test_f32_matches_f64);
    tcase_add_test(tc, test_warm_block_step_allocates_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(tensor_nn_suite()); }

/* test_tensor_grad.c — every tensor op's gradient against finite differences
 * (float64), including broadcasting, batched matmul and reductions. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "test_util.h"
#include "mg_rng.h"
#include "mg_tensor.h"

/* Reduces any output to one number that depends on every element with its own
 * weight: Σ out·w, w fixed and irregular, so a wrong element cannot hide. */
static mg_tensor *weighted_sum(mg_tensor *out)
{
    if (!out)
        return NULL;
    mg_tensor *w = mg_tensor_new(out->node->graph, out->dtype, out->ndim, out->shape,
                                 MG_TENSOR_CONST);
    for (int i = 0; w && i < w->numel; i++)
        mg_tensor_set(w, i, 0.5 + sin(1.7 * i + 0.3));
    return mg_tensor_sum(mg_tensor_mul(out, w), MG_AXIS_ALL, 0);
}

typedef enum { ANY, POSITIVE, AWAY_FROM_ZERO } domain;

typedef struct op_case {
    const char *name;
    mg_top op; /* the op under test: the built graph must contain it */
    mg_tensor_fn build;
    int n;
    mg_tensor_spec specs[3];
    domain dom;
} op_case;

static mg_tensor *f_add(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)g, (void)n, (void)c;
    return weighted_sum(mg_tensor_add(x[0], x[1]));
}
static mg_tensor *f_sub(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)g, (void)n, (void)c;
    return weighted_sum(mg_tensor_sub(x[0], x[1]));
}
static mg_tensor *f_mul(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)g, (void)n, (void)c;
    return weighted_sum(mg_tensor_mul(x[0], x[1]));
}
static mg_tensor *f_div(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)g, (void)n, (void)c;
    return weighted_sum(mg_tensor_div(x[0], x[1]));
}
static mg_tensor *f_square_self(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)g, (void)n, (void)c; /* one node used as both operands */
    return weighted_sum(mg_tensor_add(mg_tensor_mul(x[0], x[0]), x[0]));
}

#define UNARY_CASE(fname, call)                                                  \
    static mg_tensor *fname(mg_graph *g, mg_tensor *const *x, int n, void *c)   \
    {                                                                            \
        (void)g, (void)n, (void)c;                                               \
        return weighted_sum(call);                                               \
    }
UNARY_CASE(f_neg, mg_tensor_neg(x[0]))
UNARY_CASE(f_exp, mg_tensor_exp(x[0]))
UNARY_CASE(f_log, mg_tensor_log(x[0]))
UNARY_CASE(f_pow3, mg_tensor_pow(x[0], 3.0))
UNARY_CASE(f_pow_frac, mg_tensor_pow(x[0], -1.5))
UNARY_CASE(f_sqrt, mg_tensor_sqrt(x[0]))
UNARY_CASE(f_tanh, mg_tensor_tanh(x[0]))
UNARY_CASE(f_relu, mg_tensor_relu(x[0]))
UNARY_CASE(f_sigmoid, mg_tensor_sigmoid(x[0]))
UNARY_CASE(f_matmul, mg_tensor_matmul(x[0], x[1]))
UNARY_CASE(f_sum0, mg_tensor_sum(x[0], 0, 0))
UNARY_CASE(f_sum1_keep, mg_tensor_sum(x[0], 1, 1))
UNARY_CASE(f_sum_mid, mg_tensor_sum(x[0], 1, 0))
UNARY_CASE(f_mean_last, mg_tensor_mean(x[0], -1, 0))
UNARY_CASE(f_max1, mg_tensor_max(x[0], 1, 0))
UNARY_CASE(f_max0_keep, mg_tensor_max(x[0], 0, 1))
UNARY_CASE(f_reshape, mg_tensor_reshape(x[0], 2, (const int[]){ 2, -1 }))
UNARY_CASE(f_transpose, mg_tensor_transpose(x[0], 0, 2))
UNARY_CASE(f_transpose2, mg_tensor_transpose(x[0], -1, -2))
UNARY_CASE(f_log_softmax1, mg_tensor_log_softmax(x[0], 1))
UNARY_CASE(f_log_softmax0, mg_tensor_log_softmax(x[0], 0))

UNARY_CASE(f_gelu, mg_tensor_gelu(x[0]))
UNARY_CASE(f_softmax1, mg_tensor_softmax(x[0], 1))
UNARY_CASE(f_softmax_mid, mg_tensor_softmax(x[0], -2))
UNARY_CASE(f_causal, mg_tensor_causal_softmax(x[0], 0.7, 0))
UNARY_CASE(f_causal_masked_row, mg_tensor_causal_softmax(x[0], 1.3, -1))
UNARY_CASE(f_causal_offset, mg_tensor_causal_softmax(x[0], -0.5, 3))
UNARY_CASE(f_layer_norm, mg_tensor_layer_norm(x[0], x[1], NULL, 1e-5))
UNARY_CASE(f_layer_norm_beta, mg_tensor_layer_norm(x[0], NULL, x[1], 0.1))
UNARY_CASE(f_layer_norm_plain, mg_tensor_layer_norm(x[0], NULL, NULL, 1e-5))
UNARY_CASE(f_layer_norm_affine, mg_tensor_layer_norm(x[0], x[1], x[2], 1e-5))
/* one tensor as gamma and beta: two shares into one buffer */
UNARY_CASE(f_layer_norm_one_param, mg_tensor_layer_norm(x[0], x[1], x[1], 0.1))
/* gamma and beta used by two norms: their second shares add to the first */
UNARY_CASE(f_layer_norm_twice,
           mg_tensor_layer_norm(mg_tensor_tanh(mg_tensor_layer_norm(x[0], x[1], x[2], 1e-5)), x[1],
                                x[2], 1e-5))
/* beta an interior node (its first share overwrites), on one row and on three */
UNARY_CASE(f_layer_norm_beta_node, mg_tensor_layer_norm(x[0], x[1], mg_tensor_tanh(x[2]), 1e-5))
UNARY_CASE(f_embedding,
           mg_tensor_embedding(x[0], 2, (const int[]){ 2, 3 }, (const int32_t[]){ 0, 3, 3, 1, 4, 3 }))
UNARY_CASE(f_dropout, mg_tensor_dropout(x[0], 0.3, 42, 1))
UNARY_CASE(f_slice_view, mg_tensor_slice(x[0], 1, 1, 4))
UNARY_CASE(f_slice_copy, mg_tensor_slice(x[0], -2, 2, 5))
UNARY_CASE(f_transpose_view, mg_tensor_transpose(x[0], 0, 1))
UNARY_CASE(f_concat, mg_tensor_concat((mg_tensor *const[]){ x[0], x[1] }, 2, 1))
UNARY_CASE(f_concat3, mg_tensor_concat((mg_tensor *const[]){ x[0], x[1], x[0] }, 3, 0))

/* Parts of a split, each weighed differently, added back: every part's gradient. */
static mg_tensor *f_split(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)g, (void)n, (void)c;
    mg_tensor *parts[3];
    if (mg_tensor_split(x[0], -1, 3, (const int[]){ 1, 3, 2 }, parts) != MG_OK)
        return NULL;
    mg_tensor *sum = weighted_sum(parts[0]);
    sum = mg_tensor_add(sum, mg_tensor_mul(weighted_sum(parts[1]), weighted_sum(parts[1])));
    return mg_tensor_add(sum, mg_tensor_exp(weighted_sum(parts[2])));
}

/* Attention on one head: softmax(q·kᵀ/sqrt(d)) with the causal mask, times v. */
static mg_tensor *f_attention(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)g, (void)n, (void)c;
    mg_tensor *q = mg_tensor_slice(x[0], -1, 0, 2), *k = mg_tensor_slice(x[0], -1, 2, 4);
    mg_tensor *v = mg_tensor_slice(x[0], -1, 4, 6);
    mg_tensor *att = mg_tensor_matmul(q, mg_tensor_transpose(k, -1, -2));
    att = mg_tensor_causal_softmax(att, 1.0 / sqrt(2.0), 0);
    mg_tensor *y = mg_tensor_matmul(att, v);
    return weighted_sum(mg_tensor_gelu(mg_tensor_layer_norm(y, x[1], NULL, 1e-5)));
}

/* Attention over a fused qkv [B,T,3C], q, k, v read in place by head. */
UNARY_CASE(f_attn_scores, mg_tensor_attn_scores(x[0], 2))
UNARY_CASE(f_attn_mix, mg_tensor_attn_mix(x[0], x[1]))
UNARY_CASE(f_attn_qkv, mg_tensor_attn_mix(mg_tensor_causal_softmax(mg_tensor_attn_scores(x[0], 2),
                                                                   0.8, 0), x[0]))

static mg_tensor *f_sum_all(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)g, (void)n, (void)c;
    return mg_tensor_sum(mg_tensor_exp(x[0]), MG_AXIS_ALL, 0);
}
static mg_tensor *f_mean_all(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)g, (void)n, (void)c;
    return mg_tensor_mean(mg_tensor_tanh(x[0]), MG_AXIS_ALL, 1); /* shape [1,1] */
}
static mg_tensor *f_max_all(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)g, (void)n, (void)c;
    return mg_tensor_max(x[0], MG_AXIS_ALL, 0);
}
static mg_tensor *f_cross_entropy(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)g, (void)n, (void)c;
    static const int32_t labels[] = { 0, 4, 2, 2 };
    return mg_tensor_mul(mg_tensor_cross_entropy(x[0], labels), mg_tensor_scalar(g, MG_F64, 1.5));
}
static mg_tensor *f_mse(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)g, (void)n, (void)c;
    return mg_tensor_mse(x[0], x[1]);
}
static mg_tensor *f_bce(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)g, (void)n, (void)c;
    return mg_tensor_bce_logits(x[0], x[1]);
}
/* A small dense layer and loss, the shape of a training step. */
static mg_tensor *f_layer(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)n, (void)c;
    int xs[] = { 3, 4 };
    mg_tensor *in = mg_tensor_input(g, MG_F64, 2, xs);
    for (int i = 0; i < 12; i++)
        mg_tensor_set(in, i, cos(0.7 * i));
    mg_tensor *h = mg_tensor_tanh(mg_tensor_add(mg_tensor_matmul(in, x[0]), x[1]));
    static const int32_t labels[] = { 1, 0, 4 };
    return mg_tensor_cross_entropy(h, labels);
}

UNARY_CASE(f_linear, mg_tensor_linear(x[0], x[1], n > 2 ? x[2] : NULL))
/* W and b used by two linears: their second contributions add to the first */
UNARY_CASE(f_linear_twice, mg_tensor_linear(mg_tensor_linear(x[0], x[1], x[2]), x[1], x[2]))
/* One interior node as x and W, or as x and b: the shares that add to its
 * buffer must follow the one that writes it fresh (propagate_linear) */
static mg_tensor *f_linear_x_is_w(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)g, (void)n, (void)c;
    mg_tensor *h = mg_tensor_tanh(x[0]);
    return weighted_sum(mg_tensor_linear(h, h, x[1]));
}
static mg_tensor *f_linear_x_is_b(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)g, (void)n, (void)c;
    mg_tensor *h = mg_tensor_tanh(x[0]);
    return weighted_sum(mg_tensor_linear(h, x[1], h));
}

#define S1(a) { 1, { a } }
#define S2(a, b) { 2, { a, b } }
#define S3(a, b, c) { 3, { a, b, c } }
#define S4(a, b, c, d) { 4, { a, b, c, d } }
static const op_case cases[] = {
    { "add same shape", MG_T_ADD, f_add, 2, { S2(3, 4), S2(3, 4) }, ANY },
    { "add row broadcast", MG_T_ADD, f_add, 2, { S2(3, 4), S1(4) }, ANY },
    { "sub 3-d broadcast", MG_T_SUB, f_sub, 2, { S3(2, 3, 4), S2(3, 1) }, ANY },
    { "mul outer broadcast", MG_T_MUL, f_mul, 2, { S2(3, 1), S2(1, 4) }, ANY },
    { "mul by 0-dim", MG_T_MUL, f_mul, 2, { { 0, { 0 } }, S2(2, 3) }, ANY },
    { "div broadcast", MG_T_DIV, f_div, 2, { S2(3, 4), S1(4) }, POSITIVE },
    { "x*x + x", MG_T_MUL, f_square_self, 1, { S2(2, 3) }, ANY },
    { "neg", MG_T_NEG, f_neg, 1, { S2(2, 3) }, ANY },
    { "exp", MG_T_EXP, f_exp, 1, { S2(2, 3) }, ANY },
    { "log", MG_T_LOG, f_log, 1, { S2(2, 3) }, POSITIVE },
    { "pow 3", MG_T_POW, f_pow3, 1, { S2(2, 3) }, ANY },
    { "pow -1.5", MG_T_POW, f_pow_frac, 1, { S2(2, 3) }, POSITIVE },
    { "sqrt", MG_T_SQRT, f_sqrt, 1, { S2(2, 3) }, POSITIVE },
    { "tanh", MG_T_TANH, f_tanh, 1, { S2(2, 3) }, ANY },
    { "relu", MG_T_RELU, f_relu, 1, { S2(3, 3) }, AWAY_FROM_ZERO },
    { "sigmoid", MG_T_SIGMOID, f_sigmoid, 1, { S2(2, 3) }, ANY },
    { "matmul 2-d", MG_T_MATMUL, f_matmul, 2, { S2(3, 4), S2(4, 5) }, ANY },
    { "matmul batched", MG_T_MATMUL, f_matmul, 2, { S3(2, 3, 4), S3(2, 4, 5) }, ANY },
    { "matmul batch @ 2-d", MG_T_MATMUL, f_matmul, 2, { S3(2, 3, 4), S2(4, 5) }, ANY },
    { "matmul 2-d @ batch", MG_T_MATMUL, f_matmul, 2, { S2(3, 4), S3(2, 4, 5) }, ANY },
    { "sum axis 0", MG_T_SUM, f_sum0, 1, { S2(3, 4) }, ANY },
    { "sum axis 1 keepdim", MG_T_SUM, f_sum1_keep, 1, { S2(3, 4) }, ANY },
    { "sum middle axis", MG_T_SUM, f_sum_mid, 1, { S3(2, 3, 4) }, ANY },
    { "sum all", MG_T_SUM, f_sum_all, 1, { S2(3, 4) }, ANY },
    { "mean last axis", MG_T_MEAN, f_mean_last, 1, { S3(2, 3, 4) }, ANY },
    { "mean all keepdim", MG_T_MEAN, f_mean_all, 1, { S2(3, 4) }, ANY },
    { "max axis 1", MG_T_MAX, f_max1, 1, { S2(3, 4) }, ANY },
    { "max axis 0 keepdim", MG_T_MAX, f_max0_keep, 1, { S3(3, 2, 2) }, ANY },
    { "max all", MG_T_MAX, f_max_all, 1, { S2(3, 4) }, ANY },
    { "reshape", MG_T_RESHAPE, f_reshape, 1, { S2(3, 4) }, ANY },
    { "transpose 0,2", MG_T_TRANSPOSE, f_transpose, 1, { S3(2, 3, 4) }, ANY },
    { "transpose last two", MG_T_TRANSPOSE, f_transpose2, 1, { S2(3, 4) }, ANY },
    { "log_softmax axis 1", MG_T_LOG_SOFTMAX, f_log_softmax1, 1, { S2(3, 5) }, ANY },
    { "log_softmax axis 0", MG_T_LOG_SOFTMAX, f_log_softmax0, 1, { S2(3, 5) }, ANY },
    { "cross_entropy", MG_T_CROSS_ENTROPY, f_cross_entropy, 1, { S2(4, 5) }, ANY },
    { "mse", MG_T_MSE, f_mse, 2, { S2(3, 4), S2(3, 4) }, ANY },
    { "bce_logits", MG_T_BCE_LOGITS, f_bce, 2, { S2(3, 4), S2(3, 4) }, ANY },
    { "dense layer + cross-entropy", MG_T_MATMUL, f_layer, 2, { S2(4, 5), S1(5) }, ANY },
    { "gelu", MG_T_GELU, f_gelu, 1, { S2(3, 4) }, ANY },
    { "softmax axis 1", MG_T_SOFTMAX, f_softmax1, 1, { S2(3, 5) }, ANY },
    { "softmax middle axis", MG_T_SOFTMAX, f_softmax_mid, 1, { S3(2, 3, 4) }, ANY },
    { "causal_softmax", MG_T_CAUSAL_SOFTMAX, f_causal, 1, { S3(2, 4, 4) }, ANY },
    { "causal_softmax, row 0 masked", MG_T_CAUSAL_SOFTMAX, f_causal_masked_row, 1,
      { S2(3, 4) }, ANY },
    { "causal_softmax, 2 queries of 5 keys", MG_T_CAUSAL_SOFTMAX, f_causal_offset, 1,
      { S3(2, 2, 5) }, ANY },
    { "layer_norm with gamma", MG_T_LAYER_NORM, f_layer_norm, 2, { S3(2, 3, 5), S1(5) }, ANY },
    { "layer_norm with beta", MG_T_LAYER_NORM, f_layer_norm_beta, 2, { S2(3, 5), S1(5) }, ANY },
    { "layer_norm plain", MG_T_LAYER_NORM, f_layer_norm_plain, 1, { S2(4, 3) }, ANY },
    { "layer_norm, gamma and beta in the node", MG_T_LAYER_NORM, f_layer_norm_affine, 3,
      { S3(2, 3, 5), S1(5), S1(5) }, ANY },
    { "layer_norm, 1-d x, gamma and beta", MG_T_LAYER_NORM, f_layer_norm_affine, 3,
      { S1(4), S1(4), S1(4) }, ANY },
    { "layer_norm, gamma and beta one tensor", MG_T_LAYER_NORM, f_layer_norm_one_param, 2,
      { S2(3, 5), S1(5) }, ANY },
    { "layer_norm twice, gamma and beta shared", MG_T_LAYER_NORM, f_layer_norm_twice, 3,
      { S2(3, 4), S1(4), S1(4) }, ANY },
    { "layer_norm, beta a node, one row", MG_T_LAYER_NORM, f_layer_norm_beta_node, 3,
      { S2(1, 5), S1(5), S1(5) }, ANY },
    { "layer_norm, beta a node", MG_T_LAYER_NORM, f_layer_norm_beta_node, 3,
      { S2(3, 5), S1(5), S1(5) }, ANY },
    { "embedding, repeated ids", MG_T_EMBEDDING, f_embedding, 1, { S2(5, 3) }, ANY },
    { "dropout", MG_T_DROPOUT, f_dropout, 1, { S2(4, 5) }, ANY },
    { "slice, a view", MG_T_SLICE, f_slice_view, 1, { S3(1, 6, 4) }, ANY },
    { "slice, a copy", MG_T_SLICE, f_slice_copy, 1, { S3(2, 5, 3) }, ANY },
    { "split in 3", MG_T_SLICE, f_split, 1, { S2(3, 6) }, ANY },
    { "transpose, a view", MG_T_TRANSPOSE, f_transpose_view, 1, { S3(2, 1, 3) }, ANY },
    { "concat axis 1", MG_T_CONCAT, f_concat, 2, { S2(3, 2), S2(3, 4) }, ANY },
    { "concat of 3, one twice", MG_T_CONCAT, f_concat3, 2, { S2(2, 3), S2(1, 3) }, ANY },
    { "causal attention head", MG_T_CAUSAL_SOFTMAX, f_attention, 2, { S3(2, 4, 6), S1(2) }, ANY },
    { "attn_scores, 2 heads", MG_T_ATTN_SCORES, f_attn_scores, 1, { S3(2, 3, 12) }, ANY },
    { "attn_mix, 2 heads", MG_T_ATTN_MIX, f_attn_mix, 2, { S4(2, 2, 3, 3), S3(2, 3, 12) }, ANY },
    { "attention from qkv: both grads into one", MG_T_ATTN_MIX, f_attn_qkv, 1, { S3(2, 4, 12) },
      ANY },
    { "linear 2-d", MG_T_LINEAR, f_linear, 3, { S2(3, 4), S2(4, 5), S1(5) }, ANY },
    { "linear 3-d x", MG_T_LINEAR, f_linear, 3, { S3(2, 3, 4), S2(4, 5), S1(5) }, ANY },
    { "linear 1-d x", MG_T_LINEAR, f_linear, 3, { S1(4), S2(4, 3), S1(3) }, ANY },
    { "linear without bias", MG_T_LINEAR, f_linear, 2, { S2(3, 4), S2(4, 5) }, ANY },
    { "linear twice, W and b shared", MG_T_LINEAR, f_linear_twice, 3,
      { S2(3, 4), S2(4, 4), S1(4) }, ANY },
    { "linear, one node as x and W", MG_T_LINEAR, f_linear_x_is_w, 2, { S2(4, 4), S1(4) }, ANY },
    { "linear, one node as x and b", MG_T_LINEAR, f_linear_x_is_b, 2, { S1(4), S2(4, 4) }, ANY },
};

START_TEST(test_gradcheck_op)
{
    const op_case *c = &cases[_i];
    double x[256];
    mg_rng r;
    mg_rng_seed(&r, 1000 + (uint64_t)_i);
    for (int i = 0; i < 256; i++) {
        double v = mg_rng_range(&r, -2.0, 2.0);
        if (c->dom == POSITIVE)
            v = 0.3 + fabs(v);
        else if (c->dom == AWAY_FROM_ZERO)
            v = v < 0 ? v - 0.1 : v + 0.1;
        x[i] = v;
    }
    mg_gradcheck_result res;
    mg_error err;
    mg_error_clear(&err);
    mg_code rc = mg_tensor_gradcheck(c->build, NULL, c->specs, c->n, x, 0.0, &res, &err);
    ck_assert_msg(rc == MG_OK, "%s: %s", c->name, err.message);
    ck_assert_msg(res.max_rel_error < 1e-5 || res.max_abs_error < 1e-8,
                  "%s: input %zu analytic %.10g numeric %.10g (rel %.3g)", c->name, res.worst,
                  res.analytic, res.numeric, res.max_rel_error);
}
END_TEST

enum { NCASES = (int)(sizeof cases / sizeof cases[0]) };

/* True when the graph holds a node computed by op. */
static int graph_has_op(const mg_graph *g, mg_top op)
{
    for (size_t id = 0; id < mg_graph_count(g); id++) {
        const mg_tensor *t = mg_tensor_of(mg_graph_node(g, id));
        if (t && t->op == op)
            return 1;
    }
    return 0;
}

/* Each case computes the op it claims to check. */
START_TEST(test_case_builds_its_op)
{
    const op_case *c = &cases[_i];
    mg_graph *g = mg_graph_new();
    mg_tensor *x[3];
    for (int i = 0; i < c->n; i++)
        x[i] = mg_tensor_param(g, MG_F64, c->specs[i].ndim, c->specs[i].shape);
    ck_assert_ptr_nonnull(c->build(g, x, c->n, NULL));
    ck_assert_msg(graph_has_op(g, c->op), "case '%s' does not compute %s", c->name,
                  mg_top_name(c->op));
    mg_graph_free(g);
}
END_TEST

/* Every op of mg_tensor_ops.def has a gradient check: a new row without a
 * case fails here. */
START_TEST(test_every_op_has_a_case)
{
    for (int op = 1; op < MG_T_COUNT; op++) {
        int found = 0;
        for (int i = 0; i < NCASES; i++)
            found |= (int)cases[i].op == op;
        ck_assert_msg(found, "tensor op '%s' (%d) has no gradient-check case", mg_top_name(op),
                      op);
    }
}
END_TEST

/* A gradient that is wrong must be caught: the check itself can fail. */
static mg_tensor *f_detached(mg_graph *g, mg_tensor *const *x, int n, void *c)
{
    (void)n, (void)c;
    /* uses x's data through a fresh leaf: the true function depends on x, the
     * graph does not, so the analytic gradient (zero) is wrong */
    mg_tensor *copy = mg_tensor_input(g, MG_F64, x[0]->ndim, x[0]->shape);
    memcpy(copy->data, x[0]->data, sizeof(double) * (size_t)x[0]->numel);
    return mg_tensor_add(mg_tensor_sum(mg_tensor_exp(copy), MG_AXIS_ALL, 0),
                         mg_tensor_sum(x[0], MG_AXIS_ALL, 0));
}

START_TEST(test_gradcheck_catches_wrong_gradient)
{
    mg_tensor_spec spec = S2(2, 2);
    double x[4] = { 0.1, 0.2, 0.3, 0.4 };
    mg_gradcheck_result res;
    ck_assert_int_eq(mg_tensor_gradcheck(f_detached, NULL, &spec, 1, x, 0.0, &res, NULL), MG_OK);
    ck_assert(res.max_rel_error > 0.1);
}
END_TEST

static Suite *tensor_grad_suite(void)
{
    Suite *s = suite_create("tensor_grad");
    TCase *tc = tcase_create("gradcheck");
    tcase_add_loop_test(tc, test_gradcheck_op, 0, NCASES);
    tcase_add_loop_test(tc, test_case_builds_its_op, 0, NCASES);
    tcase_add_test(tc, test_every_op_has_a_case);
    tcase_add_test(tc, test_gradcheck_catches_wrong_gradient);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(tensor_grad_suite()); }

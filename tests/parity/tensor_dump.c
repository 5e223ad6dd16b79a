/* tensor_dump.c — the C side of the tensor parity check
 * (test_tensor_parity.py): for every tensor op, float64 inputs (some with
 * zeros and ties, the edges where derivative conventions differ), the op's
 * output, and the grads of Σ out·w (w fixed and irregular), one JSON object
 * per line: {"name", "op", "top", "inputs": [tensor...], "out": tensor}, each
 * tensor written by mg_tensor_json_fields(); every case runs in float64 and
 * again in float32 (named "... (f32)"); "op" names the torch function of
 * test_tensor_parity.py, "top" the engine op the output node computes. The
 * last line, {"ops": [names]}, lists every op of mg_tensor_ops.def, so the
 * script fails for an op without a case. Lines with "optim" replay optimiser
 * steps: the config, the parameters before, and per step the grads given, the
 * norm clipping returned and the parameters after. */
#include <math.h>
#include <stdio.h>

#include "mg_rng.h"
#include "mg_tensor.h"
#include "mg_tnn.h"

/* What a case's inputs hold: LARGE are in ±800, logits that overflow a naive exp. */
typedef enum { ANY, POSITIVE, STEPS, LARGE } values;

static mg_rng rng;
/* The dtype of the leaves the cases make: float64, and float32 for the
 * transformer ops (their loops are compiled per dtype). */
static mg_dtype case_dtype = MG_F64;

/* A leaf requiring grad; STEPS are multiples of 0.5, so zeros and ties. */
static mg_tensor *leaf(mg_graph *g, int ndim, const int *shape, values kind)
{
    mg_tensor *t = mg_tensor_param(g, case_dtype, ndim, shape);
    for (int i = 0; t && i < t->numel; i++) {
        double v = mg_rng_range(&rng, -2.0, 2.0);
        if (kind == POSITIVE)
            v = fabs(v) + 0.2;
        else if (kind == STEPS)
            v = (double)(int)(v * 2.0) / 2.0;
        else if (kind == LARGE)
            v *= 400.0;
        mg_tensor_set(t, i, v);
    }
    return t;
}

static void put_tensor(const mg_tensor *t)
{
    fputs("{\"id\": ", stdout);
    printf("%u", t->node->id);
    mg_tensor_json_fields(stdout, t);
    fputc('}', stdout);
}

/* Runs backward from Σ out·w and prints the case. */
static int dump(mg_graph *g, const char *name, const char *op, mg_tensor **in, int n,
                mg_tensor *out)
{
    mg_tensor *w = out ? mg_tensor_new(g, out->dtype, out->ndim, out->shape, MG_TENSOR_CONST)
                       : NULL;
    for (int i = 0; w && i < w->numel; i++)
        mg_tensor_set(w, i, 0.5 + sin(1.7 * i + 0.3));
    mg_tensor *loss = mg_tensor_sum(mg_tensor_mul(out, w), MG_AXIS_ALL, 0);
    if (!loss || mg_tensor_backward(loss) != MG_OK) {
        fprintf(stderr, "%s: %s\n", name, mg_graph_error(g));
        return 1;
    }
    printf("{\"name\": \"%s%s\", \"op\": \"%s\", \"top\": \"%s\", \"inputs\": [", name,
           out->dtype == MG_F32 ? " (f32)" : "", op, mg_tensor_op_name(out));
    for (int i = 0; i < n; i++) {
        if (i)
            fputs(", ", stdout);
        put_tensor(in[i]);
    }
    fputs("], \"out\": ", stdout);
    put_tensor(out);
    fputs("}\n", stdout);
    return 0;
}

static void put_values(const mg_tensor *t, int grad)
{
    fputc('[', stdout);
    for (int i = 0; i < t->numel; i++)
        printf(i ? ", %.17g" : "%.17g", grad ? mg_tensor_grad_at(t, i) : mg_tensor_get(t, i));
    fputc(']', stdout);
}

/* Steps of an optimiser over a weight [3,4] and a bias [4] with seeded grads,
 * each clipped to max_norm first (0: no clipping). */
static int dump_optim(const char *name, mg_optim_kind kind, double wd, double max_norm)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *p[2] = { leaf(g, 2, (const int[]){ 3, 4 }, ANY), leaf(g, 1, (const int[]){ 4 }, ANY) };
    mg_optim_config cfg = mg_optim_defaults(kind);
    cfg.lr = 0.05;
    cfg.weight_decay = wd;
    mg_error err;
    mg_optim *o = mg_optim_new(p, 2, &cfg, &err);
    if (!o) {
        fprintf(stderr, "%s: %s\n", name, err.message);
        mg_graph_free(g);
        return 1;
    }
    printf("{\"name\": \"%s\", \"optim\": \"%s\", \"lr\": %.17g, \"weight_decay\": %.17g, "
           "\"decay\": [%d, %d], \"max_norm\": %.17g, \"params0\": [",
           name, mg_optim_name(o), cfg.lr, wd, o->decay[0], o->decay[1], max_norm);
    put_values(p[0], 0);
    fputs(", ", stdout);
    put_values(p[1], 0);
    fputs("], \"steps\": [", stdout);
    for (int step = 0; step < 6; step++) {
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < p[k]->numel; i++)
                ((double *)p[k]->grad)[i] = mg_rng_range(&rng, -1.0, 1.0) * (step % 3 + 0.5);
        printf(step ? ", {\"grads\": [" : "{\"grads\": [");
        put_values(p[0], 1);
        fputs(", ", stdout);
        put_values(p[1], 1);
        double norm = max_norm > 0 ? mg_optim_clip_grad_norm(o, max_norm) : 0.0;
        mg_optim_step(o);
        printf("], \"norm\": %.17g, \"params\": [", norm);
        put_values(p[0], 0);
        fputs(", ", stdout);
        put_values(p[1], 0);
        fputs("]}", stdout);
    }
    fputs("]}\n", stdout);
    mg_optim_free(o);
    mg_graph_free(g);
    return 0;
}

#define S(...) ((const int[]){ __VA_ARGS__ })
#define MG_CONCAT2(a, b) mg_tensor_concat((mg_tensor *const[]){ a, b }, 2, -1)
#define MG_CONCAT2_0(a, b) mg_tensor_concat((mg_tensor *const[]){ a, b }, 2, 0)
#define ATTENTION(qkv) \
    mg_tensor_attn_mix(mg_tensor_causal_softmax(mg_tensor_attn_scores(qkv, 2), 0.5, 0), qkv)
#define LINEAR_NO_BIAS(x, w) mg_tensor_linear(x, w, NULL)
#define LAYER_NORM_AFFINE(x, gamma, beta) mg_tensor_layer_norm(x, gamma, beta, 1e-5)
#define NDIM(...) ((int)(sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int)))

/* Every op's cases in leaves of case_dtype; nonzero if one failed. */
static int op_cases(mg_graph *g)
{
    mg_tensor *in[3];
    int failed = 0;
#define BINARY(name, op, fn, sa, sb, ka, kb)                                     \
    in[0] = leaf(g, NDIM sa, S sa, ka);                                         \
    in[1] = leaf(g, NDIM sb, S sb, kb);                                         \
    failed |= dump(g, name, op, in, 2, fn(in[0], in[1]));
#define TERNARY(name, op, fn, sa, sb, sc, ka)                                    \
    in[0] = leaf(g, NDIM sa, S sa, ka);                                         \
    in[1] = leaf(g, NDIM sb, S sb, ka);                                         \
    in[2] = leaf(g, NDIM sc, S sc, ka);                                         \
    failed |= dump(g, name, op, in, 3, fn(in[0], in[1], in[2]));
#define UNARY(name, op, expr, sa, ka)                                            \
    in[0] = leaf(g, NDIM sa, S sa, ka);                                         \
    failed |= dump(g, name, op, in, 1, expr);
    BINARY("add broadcast", "add", mg_tensor_add, (3, 4), (4), ANY, ANY)
    BINARY("sub broadcast", "sub", mg_tensor_sub, (2, 3, 4), (3, 1), ANY, ANY)
    BINARY("mul outer", "mul", mg_tensor_mul, (3, 1), (1, 4), ANY, ANY)
    BINARY("div broadcast", "div", mg_tensor_div, (3, 4), (4), ANY, POSITIVE)
    BINARY("div by zero", "div", mg_tensor_div, (2, 3), (3), STEPS, STEPS)
    BINARY("matmul", "matmul", mg_tensor_matmul, (3, 4), (4, 5), ANY, ANY)
    BINARY("matmul batched", "matmul", mg_tensor_matmul, (2, 3, 4), (2, 4, 5), ANY, ANY)
    BINARY("matmul shared", "matmul", mg_tensor_matmul, (2, 3, 4), (4, 5), ANY, ANY)
    BINARY("mse", "mse", mg_tensor_mse, (3, 4), (3, 4), ANY, ANY)
    BINARY("bce logits", "bce", mg_tensor_bce_logits, (3, 4), (3, 4), ANY, ANY)
    UNARY("neg", "neg", mg_tensor_neg(in[0]), (2, 3), ANY)
    UNARY("exp", "exp", mg_tensor_exp(in[0]), (2, 3), ANY)
    UNARY("log at 0", "log", mg_tensor_log(in[0]), (2, 3), STEPS)
    UNARY("pow 2", "pow2", mg_tensor_pow(in[0], 2.0), (2, 3), STEPS)
    UNARY("pow 0", "pow0", mg_tensor_pow(in[0], 0.0), (2, 3), STEPS)
    UNARY("pow -1.5", "pow-1.5", mg_tensor_pow(in[0], -1.5), (2, 3), STEPS)
    UNARY("sqrt at 0", "sqrt", mg_tensor_sqrt(in[0]), (2, 3), STEPS)
    UNARY("tanh", "tanh", mg_tensor_tanh(in[0]), (2, 3), ANY)
    UNARY("relu at 0", "relu", mg_tensor_relu(in[0]), (3, 3), STEPS)
    UNARY("sigmoid", "sigmoid", mg_tensor_sigmoid(in[0]), (2, 3), ANY)
    UNARY("sum axis 0", "sum0", mg_tensor_sum(in[0], 0, 0), (3, 4), ANY)
    UNARY("sum axis 1 keepdim", "sum1k", mg_tensor_sum(in[0], 1, 1), (3, 4), ANY)
    UNARY("mean last axis", "mean-1", mg_tensor_mean(in[0], -1, 0), (2, 3, 4), ANY)
    UNARY("max axis 1, ties", "max1", mg_tensor_max(in[0], 1, 0), (3, 4), STEPS)
    UNARY("max all, ties", "max", mg_tensor_max(in[0], MG_AXIS_ALL, 0), (3, 4), STEPS)
    UNARY("transpose 0,2", "transpose02", mg_tensor_transpose(in[0], 0, 2), (2, 3, 4), ANY)
    UNARY("reshape", "reshape2,-1", mg_tensor_reshape(in[0], 2, S(2, -1)), (3, 4), ANY)
    UNARY("log_softmax axis 1", "log_softmax1", mg_tensor_log_softmax(in[0], 1), (3, 5), ANY)
    UNARY("log_softmax axis 0", "log_softmax0", mg_tensor_log_softmax(in[0], 0), (3, 5), ANY)
    UNARY("cross_entropy", "cross_entropy",
          mg_tensor_cross_entropy(in[0], (const int32_t[]){ 0, 4, 2, 2 }), (4, 5), ANY)
    UNARY("gelu", "gelu", mg_tensor_gelu(in[0]), (3, 4), ANY)
    UNARY("softmax axis 1, ties", "softmax1", mg_tensor_softmax(in[0], 1), (3, 5), STEPS)
    UNARY("softmax middle axis", "softmax-2", mg_tensor_softmax(in[0], -2), (2, 3, 4), ANY)
    UNARY("softmax large logits", "softmax1", mg_tensor_softmax(in[0], 1), (3, 5), LARGE)
    UNARY("causal_softmax", "causal_softmax", mg_tensor_causal_softmax(in[0], 0.5, 0),
          (2, 4, 4), ANY)
    UNARY("causal_softmax, fully masked rows", "causal_softmax",
          mg_tensor_causal_softmax(in[0], 1.0, -2), (2, 3, 4), ANY)
    UNARY("causal_softmax, last 2 of 5 keys", "causal_softmax",
          mg_tensor_causal_softmax(in[0], 1.0, 3), (2, 5), STEPS)
    UNARY("causal_softmax, large logits", "causal_softmax",
          mg_tensor_causal_softmax(in[0], 0.125, 0), (4, 4), LARGE)
    TERNARY("layer_norm affine (x, gamma, beta: one node)", "layer_norm_affine",
            LAYER_NORM_AFFINE, (2, 3, 5), (5), (5), ANY)
    /* 200 rows: beta's gradient summed by blocks of rows (layer_norm_bwd_params) */
    TERNARY("layer_norm affine, 200 rows", "layer_norm_affine", LAYER_NORM_AFFINE, (2, 100, 6),
            (6), (6), ANY)
    UNARY("layer_norm plain, ties", "layer_norm", mg_tensor_layer_norm(in[0], NULL, NULL, 1e-5),
          (3, 4), STEPS)
    UNARY("layer_norm large", "layer_norm", mg_tensor_layer_norm(in[0], NULL, NULL, 0.5),
          (2, 6), LARGE)
    UNARY("embedding, repeated ids", "embedding",
          mg_tensor_embedding(in[0], 2, S(2, 3), (const int32_t[]){ 4, 0, 4, 2, 4, 1 }), (5, 3),
          ANY)
    UNARY("dropout", "dropout", mg_tensor_dropout(in[0], 0.25, 7, 1), (4, 6), POSITIVE)
    UNARY("slice, a view", "slice", mg_tensor_slice(in[0], 1, 1, 3), (1, 4, 3), ANY)
    UNARY("slice, a copy", "slice", mg_tensor_slice(in[0], -1, 2, 5), (3, 2, 5), ANY)
    UNARY("transpose, a view", "transpose", mg_tensor_transpose(in[0], 0, 1), (2, 1, 3), ANY)
    BINARY("concat", "concat", MG_CONCAT2, (3, 2), (3, 4), ANY, ANY)
    BINARY("concat axis 0", "concat", MG_CONCAT2_0, (1, 3), (2, 3), ANY, ANY)
    /* the edges again for the transformer ops: large logits, ties, masks */
    UNARY("gelu at 0 and ties", "gelu", mg_tensor_gelu(in[0]), (3, 4), STEPS)
    UNARY("gelu large", "gelu", mg_tensor_gelu(in[0]), (3, 4), LARGE)
    UNARY("log_softmax large logits", "log_softmax1", mg_tensor_log_softmax(in[0], 1), (3, 5),
          LARGE)
    UNARY("cross_entropy large logits", "cross_entropy",
          mg_tensor_cross_entropy(in[0], (const int32_t[]){ 1, 3, 0, 3 }), (4, 5), LARGE)
    UNARY("softmax middle axis, large logits", "softmax-2", mg_tensor_softmax(in[0], -2),
          (2, 3, 4), LARGE)
    UNARY("causal_softmax, fully masked rows, large logits", "causal_softmax",
          mg_tensor_causal_softmax(in[0], 1.0, -1), (2, 3, 3), LARGE)
    UNARY("causal_softmax, ties", "causal_softmax", mg_tensor_causal_softmax(in[0], 2.0, 0),
          (2, 5, 5), STEPS)
    in[0] = leaf(g, 2, S(3, 6), LARGE);
    in[1] = leaf(g, 1, S(6), ANY);
    in[2] = leaf(g, 1, S(6), LARGE);
    failed |= dump(g, "layer_norm affine, large", "layer_norm_affine", in, 3,
                   mg_tensor_layer_norm(in[0], in[1], in[2], 1e-5));
    UNARY("embedding, one id only", "embedding",
          mg_tensor_embedding(in[0], 1, S(4), (const int32_t[]){ 2, 2, 2, 2 }), (3, 4), LARGE)
    UNARY("dropout in eval: the identity", "dropout_eval", mg_tensor_dropout(in[0], 0.25, 7, 0),
          (4, 6), ANY)
    UNARY("dropout p = 1", "dropout_all", mg_tensor_dropout(in[0], 1.0, 7, 1), (4, 6), ANY)
    UNARY("dropout large", "dropout", mg_tensor_dropout(in[0], 0.5, 3, 1), (4, 6), LARGE)
    UNARY("attn_scores, 2 heads", "attn_scores", mg_tensor_attn_scores(in[0], 2), (2, 3, 12),
          ANY)
    UNARY("attn_scores, 1 head", "attn_scores", mg_tensor_attn_scores(in[0], 1), (1, 4, 6),
          STEPS)
    BINARY("attn_mix, 2 heads", "attn_mix", mg_tensor_attn_mix, (2, 2, 3, 3), (2, 3, 12), ANY,
           ANY)
    UNARY("attention from qkv (scale 0.5, 2 heads)", "attention_qkv", ATTENTION(in[0]),
          (2, 4, 12), ANY)
    TERNARY("linear", "linear", mg_tensor_linear, (3, 4), (4, 5), (5), ANY)
    TERNARY("linear, 3-d x", "linear", mg_tensor_linear, (2, 3, 4), (4, 5), (5), ANY)
    BINARY("linear without bias", "linear", LINEAR_NO_BIAS, (3, 4), (4, 2), ANY, ANY)
    return failed;
}

int main(void)
{
    mg_rng_seed(&rng, 5);
    mg_graph *g = mg_graph_new();
    int failed = op_cases(g);
    case_dtype = MG_F32; /* every case again in float32 */
    failed |= op_cases(g);
    case_dtype = MG_F64;
    failed |= dump_optim("adamw, clipped", MG_OPTIM_ADAMW, 0.1, 1.5);
    failed |= dump_optim("adam with L2, clipped", MG_OPTIM_ADAM, 0.01, 2.0);
    failed |= dump_optim("sgd", MG_OPTIM_SGD, 0.0, 0.0);
    fputs("{\"ops\": [", stdout);
    for (int op = 1; op < MG_T_COUNT; op++)
        printf(op > 1 ? ", \"%s\"" : "\"%s\"", mg_top_name((mg_top)op));
    fputs("]}\n", stdout);
    mg_graph_free(g);
    return failed;
}

/* test_tensor_parity_dump.c — the C side of the tensor parity check
 * (test_tensor_parity.py): for every tensor op, float64 inputs (some with
 * zeros and ties, the edges where derivative conventions differ), the op's
 * output, and the grads of Σ out·w (w fixed and irregular), one JSON object
 * per line: {"name", "op", "top", "inputs": [tensor...], "out": tensor}, each
 * tensor written by mg_tensor_json_fields(); "op" names the torch function of
 * test_tensor_parity.py, "top" the engine op the output node computes. The
 * last line, {"ops": [names]}, lists every op of mg_tensor_ops.def, so the
 * script fails for an op without a case. */
#include <math.h>
#include <stdio.h>

#include "mg_rng.h"
#include "mg_tensor.h"

/* What a case's inputs hold. */
typedef enum { ANY, POSITIVE, STEPS } values;

static mg_rng rng;

/* A float64 leaf requiring grad; STEPS are multiples of 0.5, so zeros and ties. */
static mg_tensor *leaf(mg_graph *g, int ndim, const int *shape, values kind)
{
    mg_tensor *t = mg_tensor_param(g, MG_F64, ndim, shape);
    for (int i = 0; t && i < t->numel; i++) {
        double v = mg_rng_range(&rng, -2.0, 2.0);
        if (kind == POSITIVE)
            v = fabs(v) + 0.2;
        else if (kind == STEPS)
            v = (double)(int)(v * 2.0) / 2.0;
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
    mg_tensor *w = out ? mg_tensor_new(g, MG_F64, out->ndim, out->shape, MG_TENSOR_CONST) : NULL;
    for (int i = 0; w && i < w->numel; i++)
        mg_tensor_set(w, i, 0.5 + sin(1.7 * i + 0.3));
    mg_tensor *loss = mg_tensor_sum(mg_tensor_mul(out, w), MG_AXIS_ALL, 0);
    if (!loss || mg_tensor_backward(loss) != MG_OK) {
        fprintf(stderr, "%s: %s\n", name, mg_graph_error(g));
        return 1;
    }
    printf("{\"name\": \"%s\", \"op\": \"%s\", \"top\": \"%s\", \"inputs\": [", name, op,
           mg_tensor_op_name(out));
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

#define S(...) ((const int[]){ __VA_ARGS__ })
#define NDIM(...) ((int)(sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int)))

int main(void)
{
    mg_rng_seed(&rng, 5);
    mg_graph *g = mg_graph_new();
    mg_tensor *in[2];
    int failed = 0;
#define BINARY(name, op, fn, sa, sb, ka, kb)                                     \
    in[0] = leaf(g, NDIM sa, S sa, ka);                                         \
    in[1] = leaf(g, NDIM sb, S sb, kb);                                         \
    failed |= dump(g, name, op, in, 2, fn(in[0], in[1]));
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
    fputs("{\"ops\": [", stdout);
    for (int op = 1; op < MG_T_COUNT; op++)
        printf(op > 1 ? ", \"%s\"" : "\"%s\"", mg_top_name((mg_top)op));
    fputs("]}\n", stdout);
    mg_graph_free(g);
    return failed;
}

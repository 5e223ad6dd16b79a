/* scalar_dump.c — every scalar op at the points where derivative conventions
 * differ (0, -0.0, ties, large |x|, infinities, NaN), dumped as JSON lines so
 * test_scalar_ops.py can recompute each case in PyTorch:
 *
 *     {"op": ID, "name": "+", "k": k or null, "inputs": [x, y], "out": v,
 *      "upstream": g, "local": [..], "contribution": [..], "grads": [..]}
 *
 * Each case builds out = op(inputs), then root = out * UPSTREAM and runs
 * backward, so out receives a gradient other than 1; "local" and
 * "contribution" are out's edges (mg_node_edges), "grads" the inputs' grads.
 * The last line, {"ops": {ID: name, ...}}, lists every op of mg_ops.def, so
 * the script fails for an op without a case. Numbers: %.17g (zeros as 0.0
 * and -0.0, which Python reads back with their sign), or the strings "nan",
 * "inf", "-inf". */
#include <math.h>
#include <stdio.h>

#include "mg_value.h"

static const double UPSTREAM = 1.7;

static void put(double x)
{
    if (isnan(x))
        fputs("\"nan\"", stdout);
    else if (isinf(x))
        fputs(x > 0 ? "\"inf\"" : "\"-inf\"", stdout);
    else if (x == 0.0)
        fputs(signbit(x) ? "-0.0" : "0.0", stdout); /* JSON's -0 reads back as +0 */
    else
        printf("%.17g", x);
}

static void put_list(const double *v, int n)
{
    putchar('[');
    for (int i = 0; i < n; i++) {
        if (i)
            fputs(", ", stdout);
        put(v[i]);
    }
    putchar(']');
}

/* Builds op at x (and y), runs backward through out * UPSTREAM, prints. */
static void dump(mg_op op, double k, double x, double y)
{
    mg_graph *g = mg_graph_new();
    mg_value *in[2] = { mg_input(g, x), mg_input(g, y) };
    mg_value *out = NULL;
    switch (op) {
    case MG_OP_ADD: out = mg_add(in[0], in[1]); break;
    case MG_OP_SUB: out = mg_sub(in[0], in[1]); break;
    case MG_OP_MUL: out = mg_mul(in[0], in[1]); break;
    case MG_OP_DIV: out = mg_div(in[0], in[1]); break;
    case MG_OP_POWV: out = mg_pow_value(in[0], in[1]); break;
    case MG_OP_NEG: out = mg_neg(in[0]); break;
    case MG_OP_POW: out = mg_pow(in[0], k); break;
    case MG_OP_EXP: out = mg_exp(in[0]); break;
    case MG_OP_LOG: out = mg_log(in[0]); break;
    case MG_OP_TANH: out = mg_tanh(in[0]); break;
    case MG_OP_RELU: out = mg_relu(in[0]); break;
    case MG_OP_SIGMOID: out = mg_sigmoid(in[0]); break;
    case MG_OP_BCE_LOGITS: out = mg_bce_logits(in[0], k); break;
    default: break;
    }
    mg_backward(mg_mulc(out, UPSTREAM));
    mg_edge e[MG_MAX_OPERANDS];
    int n = mg_node_edges(out, e);
    double local[2], sent[2], grads[2] = { in[0]->grad, in[1]->grad };
    for (int i = 0; i < n; i++) {
        local[i] = e[i].local;
        sent[i] = e[i].contribution;
    }
    printf("{\"op\": %d, \"name\": \"%s\", \"k\": ", (int)op, mg_op_name(op));
    if (op == MG_OP_POW || op == MG_OP_BCE_LOGITS)
        put(k);
    else
        fputs("null", stdout);
    fputs(", \"inputs\": ", stdout);
    put_list((double[]){ x, y }, n);
    fputs(", \"out\": ", stdout);
    put(out->data);
    fputs(", \"upstream\": ", stdout);
    put(e[0].upstream);
    fputs(", \"local\": ", stdout);
    put_list(local, n);
    fputs(", \"contribution\": ", stdout);
    put_list(sent, n);
    fputs(", \"grads\": ", stdout);
    put_list(grads, n);
    fputs("}\n", stdout);
    mg_graph_free(g);
}

#define COUNT(a) (int)(sizeof(a) / sizeof((a)[0]))

int main(void)
{
    static const double points[] = { 0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.5, -2.5, 1e-300,
                                     20.0, -20.0, 40.0, -40.0, 710.0, -746.0, INFINITY,
                                     -INFINITY, NAN };
    static const double pairs[] = { 0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e300, INFINITY,
                                    NAN };
    static const double exponents[] = { 0.0, 1.0, 2.0, 3.0, -1.0, -2.0, 0.5, -0.5, 1.5, -1.5 };
    static const double targets[] = { 0.0, 0.3, 1.0 };
    static const mg_op unary[] = { MG_OP_NEG, MG_OP_EXP, MG_OP_LOG, MG_OP_TANH, MG_OP_RELU,
                                   MG_OP_SIGMOID };
    static const mg_op binary[] = { MG_OP_ADD, MG_OP_SUB, MG_OP_MUL, MG_OP_DIV, MG_OP_POWV };
    for (int o = 0; o < COUNT(unary); o++)
        for (int i = 0; i < COUNT(points); i++)
            dump(unary[o], 0.0, points[i], 0.0);
    for (int o = 0; o < COUNT(binary); o++)
        for (int i = 0; i < COUNT(pairs); i++)
            for (int j = 0; j < COUNT(pairs); j++)
                dump(binary[o], 0.0, pairs[i], pairs[j]);
    for (int e = 0; e < COUNT(exponents); e++)
        for (int i = 0; i < COUNT(points); i++)
            dump(MG_OP_POW, exponents[e], points[i], 0.0);
    for (int t = 0; t < COUNT(targets); t++)
        for (int i = 0; i < COUNT(points); i++)
            dump(MG_OP_BCE_LOGITS, targets[t], points[i], 0.0);
    fputs("{\"ops\": {", stdout);
    for (int op = 1, first = 1; op < MG_OP_COUNT; op++)
        if (op != MG_OP_TENSOR) {
            printf("%s\"%d\": \"%s\"", first ? "" : ", ", op, mg_op_name((mg_op)op));
            first = 0;
        }
    fputs("}}\n", stdout);
    return 0;
}

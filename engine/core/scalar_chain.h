/* scalar_chain.h — the chain rule of every scalar op, written once: given a
 * node v and the gradient g that reached it, what v sends to each operand.
 * Internal to the engine.
 *
 * backward.c adds each piece to the operand's grad; edges.c reports it
 * (mg_node_edges: the contribution at g = v->grad, the local derivative at
 * g = 1), so the two cannot disagree. The formulas, and the order their
 * products round in, are PyTorch's, so edge cases (relu at 0, 0 ** 0, log
 * near 0, infinite upstreams) give the same bits. */
#ifndef MG_SCALAR_CHAIN_H
#define MG_SCALAR_CHAIN_H

#include <math.h>

#include "mg_value.h"
#include "scalar_math.h"

/* Receives operand `which` (0: v->a, 1: v->b) and what v sends it. */
typedef void scalar_sink(void *ctx, mg_value *operand, int which, double d);

/* Calls sink once per operand, in operand order. Always inlined, so with a
 * constant sink the compiler emits the sink's code in place (backward's hot
 * loop pays no call). Leaves and tensor headers send nothing. */
static inline __attribute__((always_inline)) void scalar_chain(const mg_value *v, double g,
                                                               scalar_sink *sink, void *ctx)
{
    const double out = v->data;
    mg_value *a = v->a;
    switch ((mg_op)v->op) {
    case MG_OP_ADD: sink(ctx, a, 0, g); sink(ctx, v->b, 1, g); break;
    case MG_OP_SUB: sink(ctx, a, 0, g); sink(ctx, v->b, 1, -g); break;
    case MG_OP_MUL: {
        const double x = a->data, y = v->b->data;
        sink(ctx, a, 0, g * y);
        sink(ctx, v->b, 1, g * x);
        break;
    }
    case MG_OP_DIV: {
        const double x = a->data, y = v->b->data;
        sink(ctx, a, 0, g / y);
        sink(ctx, v->b, 1, -g * ((x / y) / y));
        break;
    }
    case MG_OP_NEG: sink(ctx, a, 0, -g); break;
    case MG_OP_POW:
        sink(ctx, a, 0, v->k == 0.0 ? 0.0 : g * (v->k * pow_const(a->data, v->k - 1.0)));
        break;
    case MG_OP_POWV: {
        const double x = a->data, y = v->b->data;
        sink(ctx, a, 0, y == 0.0 ? 0.0 : g * (y * pow(x, y - 1.0)));
        /* PyTorch multiplies by the zero, so an infinite g still gives NaN */
        sink(ctx, v->b, 1, g * ((x == 0.0 && y >= 0.0) ? 0.0 : out * log(x)));
        break;
    }
    case MG_OP_EXP: sink(ctx, a, 0, g * out); break;
    case MG_OP_LOG: sink(ctx, a, 0, g / a->data); break;
    case MG_OP_TANH: sink(ctx, a, 0, g * (1.0 - out * out)); break;
    case MG_OP_RELU: sink(ctx, a, 0, out <= 0.0 ? 0.0 : g); break; /* NaN passes g on */
    case MG_OP_SIGMOID: sink(ctx, a, 0, g * (1.0 - out) * out); break;
    case MG_OP_BCE_LOGITS: sink(ctx, a, 0, g * (sigmoid(a->data) - v->k)); break;
    case MG_OP_LEAF:
    case MG_OP_TENSOR:
    case MG_OP_COUNT: break;
    }
}

#endif

/* backward.c — reverse-mode autodiff as one reverse walk over the node table.
 *
 * Creation order is topological, so walking ids downward from the root visits
 * every node after all the nodes that use it. A node is processed only if the
 * root reaches it: the root is marked SEEN, and processing a node marks its
 * parents. Each mark is cleared when the walk passes it, so no extra pass is
 * needed. The local derivatives follow PyTorch's formulas, so edge cases
 * (relu at 0, 0 ** 0, log near 0) give the same numbers. */
#include "graph_internal.h"
#include "scalar_math.h"

#include <math.h>

/* Adds d to p's grad. An interior node's first contribution in this pass
 * replaces its old grad, so a second backward accumulates only into leaves. */
static inline void send(mg_value *p, double d)
{
    if (!(p->flags & MG_FLAG_SEEN)) {
        p->flags |= MG_FLAG_SEEN;
        if (p->op != MG_OP_LEAF) {
            p->grad = d;
            return;
        }
    }
    p->grad += d;
}

static inline void propagate(const mg_value *v)
{
    const double g = v->grad, out = v->data;
    mg_value *a = v->a;
    switch ((mg_op)v->op) {
    case MG_OP_ADD: send(a, g); send(v->b, g); break;
    case MG_OP_SUB: send(a, g); send(v->b, -g); break;
    case MG_OP_MUL: {
        const double x = a->data, y = v->b->data;
        send(a, g * y);
        send(v->b, g * x);
        break;
    }
    case MG_OP_DIV: {
        const double x = a->data, y = v->b->data;
        send(a, g / y);
        send(v->b, -g * ((x / y) / y));
        break;
    }
    case MG_OP_NEG: send(a, -g); break;
    case MG_OP_POW:
        send(a, v->k == 0.0 ? 0.0 : g * (v->k * pow_const(a->data, v->k - 1.0)));
        break;
    case MG_OP_POWV: {
        const double x = a->data, y = v->b->data;
        send(a, y == 0.0 ? 0.0 : g * (y * pow(x, y - 1.0)));
        /* PyTorch multiplies by the zero, so an infinite g still gives NaN */
        send(v->b, g * ((x == 0.0 && y >= 0.0) ? 0.0 : out * log(x)));
        break;
    }
    case MG_OP_EXP: send(a, g * out); break;
    case MG_OP_LOG: send(a, g / a->data); break;
    case MG_OP_TANH: send(a, g * (1.0 - out * out)); break;
    case MG_OP_RELU: send(a, out <= 0.0 ? 0.0 : g); break; /* NaN passes g on */
    case MG_OP_SIGMOID: send(a, g * (1.0 - out) * out); break;
    case MG_OP_BCE_LOGITS: send(a, g * (sigmoid(a->data) - v->k)); break;
    case MG_OP_LEAF:
    case MG_OP_TENSOR:
    case MG_OP_COUNT: break;
    }
}

mg_code mg_backward(mg_value *root)
{
    if (!root)
        return MG_EINVAL;
    mg_graph *g = root->graph;
    if (g->err.code != MG_OK)
        return g->err.code;
    if (root->id >= g->count)
        return mg_graph_fail(g, MG_EINVAL, "backward: root node %u was dropped by a reset",
                             root->id);
    if (root->flags & MG_FLAG_TENSOR) {
        mg_code rc = tensor_seed_root(root);
        if (rc != MG_OK || root->op == MG_OP_LEAF)
            return rc;
    } else if (root->op == MG_OP_LEAF) {
        root->grad += 1.0;
        return MG_OK;
    } else {
        root->grad = 1.0;
    }
    root->flags |= MG_FLAG_SEEN;
    for (uint32_t c = (root->id >> NODE_CHUNK_BITS) + 1; c-- > 0;) {
        mg_value *chunk = g->chunks[c];
        uint32_t i = c == (root->id >> NODE_CHUNK_BITS) ? (root->id & (NODE_CHUNK - 1)) + 1
                                                        : NODE_CHUNK;
        while (i-- > 0) {
            mg_value *v = &chunk[i];
            if (!(v->flags & MG_FLAG_SEEN))
                continue;
            v->flags &= (uint8_t)~MG_FLAG_SEEN;
            if (v->flags & MG_FLAG_TENSOR)
                tensor_propagate(v);
            else
                propagate(v);
        }
    }
    return MG_OK;
}

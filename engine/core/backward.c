/* backward.c — reverse-mode autodiff as one reverse walk over the node table.
 *
 * Creation order is topological, so walking ids downward from the root visits
 * every node after all the nodes that use it. A node is processed only if the
 * root reaches it: the root is marked SEEN, and processing a node marks its
 * parents. Each mark is cleared when the walk passes it, so no extra pass is
 * needed. Each op's chain rule is in scalar_chain.h, shared with
 * mg_node_edges(). */
#include "graph_internal.h"
#include "scalar_chain.h"

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

/* scalar_chain()'s sink for backward: the piece goes into the operand's grad. */
static inline void send_to(void *ctx, mg_value *operand, int which, double d)
{
    (void)ctx, (void)which;
    send(operand, d);
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
                scalar_chain(v, v->grad, send_to, NULL);
        }
    }
    return MG_OK;
}

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

/* How a pass treats grads already on interior nodes. */
typedef enum grad_rule {
    RULE_LATEST,    /* mg_backward: an interior node's first contribution in a
                       pass replaces its old grad; only leaves accumulate */
    RULE_ACCUMULATE /* micrograd: every contribution adds (its `+=`) */
} grad_rule;

/* Adds d to p's grad under rule, marking p as reached. */
static inline void send(mg_value *p, double d, grad_rule rule)
{
    if (!(p->flags & MG_FLAG_SEEN)) {
        p->flags |= MG_FLAG_SEEN;
        if (rule == RULE_LATEST && p->op != MG_OP_LEAF) {
            p->grad = d;
            return;
        }
    }
    p->grad += d;
}

/* scalar_chain()'s sinks for backward: the piece goes into the operand's grad. */
static inline void send_latest(void *ctx, mg_value *operand, int which, double d)
{
    (void)ctx, (void)which;
    send(operand, d, RULE_LATEST);
}

static inline void send_accumulate(void *ctx, mg_value *operand, int which, double d)
{
    (void)ctx, (void)which;
    send(operand, d, RULE_ACCUMULATE);
}

/* The reverse walk from root (its grad seeded). Inlined into each caller, so
 * the rule is a constant in the hot loop. */
static inline __attribute__((always_inline)) void walk(mg_value *root, grad_rule rule)
{
    mg_graph *g = root->graph;
    root->flags |= MG_FLAG_SEEN;
    for (uint32_t c = (root->id >> NODE_CHUNK_BITS) + 1; c-- > 0;) {
        mg_value *chunk = g->chunks[c];
        uint32_t i = c == (root->id >> NODE_CHUNK_BITS) ? (root->id & (NODE_CHUNK - 1)) + 1
                                                        : NODE_CHUNK;
        while (i-- > 0) {
            mg_value *v = &chunk[i];
            if (!(v->flags & MG_FLAG_SEEN)) {
                if (v->flags & MG_FLAG_TENSOR)
                    tensor_unreached(v);
                continue;
            }
            v->flags &= (uint8_t)~MG_FLAG_SEEN;
            if (v->flags & MG_FLAG_TENSOR)
                tensor_propagate(v);
            else if (rule == RULE_LATEST)
                scalar_chain(v, v->grad, send_latest, NULL);
            else
                scalar_chain(v, v->grad, send_accumulate, NULL);
        }
    }
}

/* Why root cannot start a pass (MG_OK when it can). */
static mg_code check_root(mg_value *root)
{
    if (!root)
        return MG_EINVAL;
    mg_graph *g = root->graph;
    if (g->err.code != MG_OK)
        return g->err.code;
    if (root->id >= g->count)
        return mg_graph_fail(g, MG_EINVAL, "backward: root node %u was dropped by a reset",
                             root->id);
    return MG_OK;
}

mg_code mg_backward(mg_value *root)
{
    mg_code rc = check_root(root);
    if (rc != MG_OK)
        return rc;
    if (root->flags & MG_FLAG_TENSOR) {
        rc = tensor_seed_root(root);
        if (rc != MG_OK || root->op == MG_OP_LEAF)
            return rc;
    } else if (root->op == MG_OP_LEAF) {
        root->grad += 1.0;
        return MG_OK;
    } else {
        root->grad = 1.0;
    }
    walk(root, RULE_LATEST);
    return MG_OK;
}

mg_code backward_walk_seeded(mg_value *root)
{
    mg_code rc = check_root(root);
    if (rc == MG_OK && root->op != MG_OP_LEAF)
        walk(root, RULE_LATEST);
    return rc;
}

mg_code mg_backward_accumulate(mg_value *root)
{
    if (root && (root->flags & MG_FLAG_TENSOR))
        return mg_backward(root);
    mg_code rc = check_root(root);
    if (rc != MG_OK)
        return rc;
    root->grad = 1.0;
    walk(root, RULE_ACCUMULATE);
    return MG_OK;
}

void mg_backward_node(mg_value *v)
{
    if (!v || v->id >= v->graph->count || (v->flags & MG_FLAG_TENSOR))
        return;
    scalar_chain(v, v->grad, send_accumulate, NULL);
    /* send() marked the operands reached; no walk follows to clear them */
    mg_value *operands[MG_MAX_OPERANDS];
    for (int i = 0, n = mg_node_operands(v, operands); i < n; i++)
        operands[i]->flags &= (uint8_t)~MG_FLAG_SEEN;
}

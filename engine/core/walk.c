/* walk.c — a node's operands and what a root reaches: the two questions
 * every graph walker asks (backward, pictures, export, inspect). */
#include "graph_internal.h"

int mg_node_operands(const mg_value *v, mg_value *ops[2])
{
    if (!v || v->op == MG_OP_LEAF)
        return 0;
    ops[0] = v->a;
    if (v->flags & MG_FLAG_TENSOR) { /* a tensor header's b is a node or NULL */
        ops[1] = v->b;
        return v->b ? 2 : 1;
    }
    if (mg_op_arity((mg_op)v->op) != 2) /* b shares storage with k */
        return 1;
    ops[1] = v->b;
    return 2;
}

/* Operands have smaller ids than their users, so one sweep down from the
 * root marks everything it depends on. */
size_t mg_reach(const mg_value *root, unsigned char *reached)
{
    if (!root || !reached)
        return 0;
    const mg_graph *g = root->graph;
    size_t count = 0;
    for (uint32_t id = 0; id < root->id; id++)
        reached[id] = 0;
    reached[root->id] = 1;
    for (uint32_t id = root->id + 1; id-- > 0;) {
        if (!reached[id])
            continue;
        count++;
        mg_value *ops[2];
        int n = mg_node_operands(graph_node_at(g, id), ops);
        for (int i = 0; i < n; i++)
            reached[ops[i]->id] = 1;
    }
    return count;
}

/* walk.c — a node's operands and what a root reaches: the two questions
 * every graph walker asks (backward, pictures, export, inspect). */
#include "graph_internal.h"

#include <string.h>

int mg_node_operands(const mg_value *v, mg_value *ops[MG_MAX_OPERANDS])
{
    if (!v || v->op == MG_OP_LEAF)
        return 0;
    ops[0] = v->a;
    if (v->flags & MG_FLAG_TENSOR) { /* b is a node or NULL; a third only follows a b */
        if (!v->b)
            return 1;
        ops[1] = v->b;
        mg_value *third = *tensor_third_operand(v);
        if (!third)
            return 2;
        ops[2] = third;
        return 3;
    }
    if (mg_op_arity((mg_op)v->op) != 2) /* b shares storage with k */
        return 1;
    ops[1] = v->b;
    return 2;
}

/* Operands have smaller ids than their users, so one sweep down from the
 * highest root marks everything the roots depend on. */
size_t mg_reach_marked(const mg_graph *g, uint32_t last, unsigned char *flags, unsigned char bit)
{
    if (!g || !flags || last >= g->count)
        return 0;
    size_t count = 0;
    for (uint32_t id = last + 1; id-- > 0;) {
        if (!(flags[id] & bit))
            continue;
        count++;
        mg_value *ops[MG_MAX_OPERANDS];
        int n = mg_node_operands(graph_node_at(g, id), ops);
        for (int i = 0; i < n; i++)
            flags[ops[i]->id] |= bit;
    }
    return count;
}

size_t mg_reach(const mg_value *root, unsigned char *reached)
{
    if (!root || !reached)
        return 0;
    memset(reached, 0, root->id);
    reached[root->id] = 1;
    return mg_reach_marked(root->graph, root->id, reached, 1);
}

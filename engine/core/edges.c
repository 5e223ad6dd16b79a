/* edges.c — the chain rule as data (mg_node_edges): what each operand edge of
 * a node carries, from scalar_chain.h, the code backward runs. */
#include "graph_internal.h"
#include "scalar_chain.h"

#include <math.h>

/* scalar_chain()'s sink here: keep the piece for operand `which`. */
static inline void keep(void *ctx, mg_value *operand, int which, double d)
{
    (void)operand;
    ((double *)ctx)[which] = d;
}

int mg_node_edges(const mg_value *v, mg_edge edges[MG_MAX_OPERANDS])
{
    mg_value *ops[MG_MAX_OPERANDS];
    int n = mg_node_operands(v, ops);
    double local[MG_MAX_OPERANDS] = { NAN, NAN, NAN }, sent[MG_MAX_OPERANDS] = { NAN, NAN, NAN };
    if (n && !(v->flags & MG_FLAG_TENSOR)) {
        scalar_chain(v, 1.0, keep, local);
        scalar_chain(v, v->grad, keep, sent);
    }
    for (int i = 0; i < n; i++)
        edges[i] = (mg_edge){
            .from = ops[i],
            .to = v,
            .operand = i,
            .local = local[i],
            .upstream = (v->flags & MG_FLAG_TENSOR) ? NAN : v->grad,
            .contribution = sent[i],
        };
    return n;
}

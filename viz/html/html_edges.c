/* html_edges.c — what backward sent along each operand edge at a step: the
 * local derivative and the contribution of every edge, in node id order and
 * operand order within a node (the page's edge list), from the engine's own
 * chain rule (mg_node_edges), so the sums the page shows are the engine's.
 *
 * A tensor edge has no single local derivative (it is a Jacobian): local is
 * NaN, and the contribution is the mean of the contribution tensor, as the
 * page shows a tensor node by its mean. An operand that backward sends
 * nothing (it requires no grad) gets contribution 0. */
#include <math.h>
#include <stdlib.h>

#include "html_internal.h"
#include "mg_tensor.h"

size_t html_edge_count(const mg_graph *g, size_t n)
{
    size_t count = 0;
    mg_value *ops[MG_MAX_OPERANDS];
    for (uint32_t id = 0; id < n; id++)
        count += (size_t)mg_node_operands(mg_graph_node(g, id), ops);
    return count;
}

/* The mean of the contribution tensor t sends its operand `which`, computed
 * into scratch (grown as needed); 0 when backward sends it nothing. */
static double tensor_contribution(const mg_tensor *t, int which, void **scratch,
                                  size_t *cap, bool *oom)
{
    const mg_tensor *op = mg_tensor_parent(t, which);
    if (!op)
        return 0.0;
    size_t bytes = (size_t)op->numel * mg_dtype_size(op->dtype);
    if (bytes > *cap) {
        void *p = realloc(*scratch, bytes);
        if (!p) {
            *oom = true;
            return NAN;
        }
        *scratch = p;
        *cap = bytes;
    }
    if (mg_tensor_edge_contribution(t, which, *scratch) != MG_OK)
        return 0.0;
    double sum = 0.0;
    for (int i = 0; i < op->numel; i++)
        sum += op->dtype == MG_F32 ? (double)((const float *)*scratch)[i]
                                   : ((const double *)*scratch)[i];
    return sum / op->numel;
}

mg_code html_edges_take(const mg_graph *g, size_t n, double *local,
                        double *contrib, mg_error *err)
{
    void *scratch = NULL;
    size_t cap = 0, k = 0;
    bool oom = false;
    for (uint32_t id = 0; id < n && !oom; id++) {
        const mg_value *v = mg_graph_node(g, id);
        mg_edge e[MG_MAX_OPERANDS];
        int ne = mg_node_edges(v, e);
        const mg_tensor *t = mg_tensor_of(v);
        for (int i = 0; i < ne; i++, k++) {
            local[k] = e[i].local;
            contrib[k] = t ? tensor_contribution(t, i, &scratch, &cap, &oom)
                           : e[i].contribution;
        }
    }
    free(scratch);
    return oom ? mg_error_set(err, MG_ENOMEM, "mgviz html: out of memory for an edge's contribution")
               : MG_OK;
}

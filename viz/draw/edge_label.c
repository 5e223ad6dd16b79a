/* edge_label.c — the chain rule on the picture's edges.
 *
 * Along the edge from operand x to the node out that uses it, backward adds
 * local × upstream to x.grad, where local = d out / d x and upstream =
 * out.grad; a value's grad is the sum over its outgoing edges. Written on the
 * edge as "3 × 1 = 3", it answers the question micrograd's learners ask most:
 * why is this grad what it is (x in x*y + x: 3 × 1 = 3 plus 1 × 1 = 1). The
 * numbers come from mg_node_edges(), the code backward runs. */
#include <math.h>
#include <stdlib.h>

#include "mg_tensor.h"
#include "viz_internal.h"

bool viz_edge_grads_wanted(const mg_viz_options *o, const mg_viz_fold_plan *plan,
                           const mg_value *root)
{
    if (o->edges != MG_VIZ_EDGES_AUTO)
        return o->edges == MG_VIZ_EDGES_GRAD;
    /* before backward every upstream is 0: "3 × 0 = 0" teaches nothing */
    const mg_tensor *t = mg_tensor_of(root);
    double g = t ? (t->grad && t->numel > 0 ? mg_tensor_grad_at(t, 0) : 0.0) : root->grad;
    return plan->nboxes + plan->drawn <= MG_VIZ_EDGE_GRAD_BOXES && g != 0.0;
}

/* The L2 norm of what backward sent along tensor edge e, or NaN. */
static double tensor_contribution_norm(const mg_edge *e)
{
    const mg_tensor *to = mg_tensor_of(e->to), *from = mg_tensor_of(e->from);
    if (!to || !from)
        return NAN;
    size_t n = (size_t)from->numel, size = from->dtype == MG_F32 ? sizeof(float) : sizeof(double);
    void *buf = malloc((n ? n : 1) * size);
    double sq = NAN;
    if (buf && mg_tensor_edge_contribution(to, e->operand, buf) == MG_OK) {
        sq = 0.0;
        for (size_t i = 0; i < n; i++) {
            double x = from->dtype == MG_F32 ? ((const float *)buf)[i] : ((const double *)buf)[i];
            sq += x * x;
        }
    }
    free(buf);
    return sqrt(sq);
}

static bool is_tensor_edge(const mg_edge *e)
{
    return (e->to->flags & MG_FLAG_TENSOR) || (e->from->flags & MG_FLAG_TENSOR);
}

void viz_edge_grad_label(mg_buf *b, const viz_edge *e, bool from_value, int p)
{
    if (!from_value)
        return; /* from a folded box: contributions to many different values */
    if (e->count == 1 && is_tensor_edge(&e->first[0])) {
        const mg_tensor *from = mg_tensor_of(e->first[0].from);
        if (from && !from->grad) { /* an input: backward sends it nothing */
            mg_buf_puts(b, "no grad sent (input)");
            return;
        }
        mg_buf_printf(b, "‖contribution‖ %s", viz_num(tensor_contribution_norm(&e->first[0]), p).s);
        return;
    }
    if (is_tensor_edge(&e->first[0])) {
        mg_buf_printf(b, "%zu uses", e->count);
        return;
    }
    if (e->count > VIZ_EDGE_LINES) {
        mg_buf_printf(b, "%zu uses, Σ = %s", e->count, viz_num(e->sum, p).s);
        return;
    }
    for (size_t i = 0; i < e->count; i++) {
        const mg_edge *g = &e->first[i];
        mg_buf_printf(b, "%s%s × %s = %s", i ? "\\n" : "", viz_num(g->local, p).s,
                      viz_num(g->upstream, p).s, viz_num(g->contribution, p).s);
    }
}

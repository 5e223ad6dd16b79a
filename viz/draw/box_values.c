/* box_values.c — the numbers a folded box shows: its outputs (nodes used
 * outside the box, or outside their member of a group), their data and grad;
 * its parameters' count, norm and grad norm; the norm of all its grads; how
 * many of its nodes hold a NaN or Inf. Computed in one pass over the picture
 * from the values as they are (again after backward). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mg_node_stats.h"
#include "viz_internal.h"

/* The member of box b that node id belongs to (b's scope for a plain box). */
static uint32_t member_of(const mg_graph *g, const mg_viz_fold_plan *plan, uint32_t b,
                          uint32_t id)
{
    const mg_viz_box *box = &plan->boxes[b];
    if (box->nmembers <= 1)
        return box->scope;
    uint32_t s = plan->home[id], want = mg_scope_depth(g, box->scope);
    for (uint32_t d = mg_scope_depth(g, s); d > want; d--)
        s = mg_scope_parent(g, s);
    return s;
}

mg_code viz_box_outputs(const mg_graph *g, const mg_viz_fold_plan *plan, uint8_t *out,
                        mg_error *err)
{
    uint32_t *member = malloc((plan->nnodes ? plan->nnodes : 1) * sizeof *member);
    if (!member)
        return mg_error_set(err, MG_ENOMEM, "out of memory finding box outputs");
    memset(out, 0, plan->nnodes);
    for (size_t id = 0; id < plan->nnodes; id++) {
        uint32_t b = plan->node_box[id];
        member[id] = b < plan->nboxes ? member_of(g, plan, b, (uint32_t)id) : UINT32_MAX;
    }
    for (size_t id = 0; id < plan->nnodes; id++) {
        if (plan->node_box[id] == MG_VIZ_NODE_ABSENT)
            continue;
        const mg_value *v = mg_graph_node(g, (uint32_t)id);
        mg_value *ps[MG_MAX_OPERANDS];
        int np = mg_node_operands(v, ps);
        for (int i = 0; i < np; i++) {
            uint32_t p = ps[i]->id, pb = plan->node_box[p];
            if (pb < plan->nboxes && (pb != plan->node_box[id] || member[p] != member[id]))
                out[p] = 1;
        }
    }
    free(member);
    return MG_OK;
}

/* Adds v's squared data (grad set: squared grad) to *sq, or counts it
 * non-finite; tensors add the squares of their finite elements. */
static void add_square(const mg_value *v, bool grad, double *sq)
{
    const mg_tensor *t = mg_tensor_of(v);
    if (t) {
        mg_tensor_stats s = mg_tensor_stats_of(t, grad);
        if (s.count > s.nonfinite)
            *sq += s.l2 * s.l2;
        return;
    }
    double x = grad ? v->grad : v->data;
    if (isfinite(x))
        *sq += x * x;
}

static int is_const(const mg_value *v)
{
    return mg_is_leaf(v) && (v->flags & MG_FLAG_CONST);
}

/* Constants count for nothing but the node count: their grads (which
 * backward accumulates like any other) are not something to learn from.
 * mv is v's member's sums in a group, else NULL. */
static void add_node(viz_box_values *bv, viz_member_values *mv, const mg_value *v, int output)
{
    if (is_const(v))
        return;
    const mg_tensor *t = mg_tensor_of(v);
    if (output) {
        bv->ids[bv->noutputs] = v->id;
        bv->data[bv->noutputs] = mg_node_number(v, false);
        bv->grad[bv->noutputs++] = mg_node_number(v, true);
        bv->tensor_outputs |= t && t->numel > 1;
        if (mv) {
            add_square(v, false, &mv->out_sq);
            add_square(v, true, &mv->out_grad_sq);
        }
    }
    if (mg_is_leaf(v) && (v->flags & MG_FLAG_PARAM)) {
        add_square(v, false, &bv->param_sq);
        add_square(v, true, &bv->param_grad_sq);
        if (mv) {
            add_square(v, false, &mv->param_sq);
            add_square(v, true, &mv->param_grad_sq);
        }
    }
    add_square(v, true, &bv->grad_sq);
    bv->nonfinite += !mg_node_finite(v);
}

/* The sums of node id's member in group box b, or NULL for a plain box. */
static viz_member_values *member_values(const mg_graph *g, const mg_viz_fold_plan *plan,
                                        viz_box_values *bv, uint32_t b, uint32_t id)
{
    const mg_viz_box *box = &plan->boxes[b];
    if (box->nmembers <= 1)
        return NULL;
    uint32_t s = member_of(g, plan, b, id);
    for (uint32_t m = 0; m < box->nmembers; m++)
        if (box->members[m] == s)
            return &bv[b].member[m];
    return NULL;
}

void viz_box_values_free(viz_box_values *bv)
{
    if (bv) { /* one block holds every box's numbers, one every member's */
        free(bv[0].data);
        free(bv[0].ids);
        free(bv[0].member);
    }
    free(bv);
}

mg_code viz_box_values_make(const mg_value *root, const mg_viz_fold_plan *plan,
                            viz_box_values **out, mg_error *err)
{
    size_t nb = plan->nboxes, n = plan->nnodes;
    viz_box_values *bv = calloc(nb + 1, sizeof *bv);
    uint8_t *is_out = malloc(n ? n : 1);
    size_t nout = 0;
    mg_code rc = bv && is_out ? viz_box_outputs(root->graph, plan, is_out, err)
                              : mg_error_set(err, MG_ENOMEM, "out of memory for box values");
    for (size_t id = 0; rc == MG_OK && id < n; id++)
        if (is_out[id] && plan->node_box[id] < nb && !is_const(mg_graph_node(root->graph, (uint32_t)id))) {
            bv[plan->node_box[id]].noutputs++;
            nout++;
        }
    double *block = rc == MG_OK ? malloc((2 * nout + 1) * sizeof *block) : NULL;
    uint32_t *ids = rc == MG_OK ? malloc((nout + 1) * sizeof *ids) : NULL;
    if (rc == MG_OK && (!block || !ids))
        rc = mg_error_set(err, MG_ENOMEM, "out of memory for box values");
    if (rc != MG_OK) {
        free(block);
        free(ids);
        free(bv);
        free(is_out);
        return rc;
    }
    size_t nmembers = 0;
    for (size_t b = 0; b < nb; b++)
        nmembers += plan->boxes[b].nmembers > 1 ? plan->boxes[b].nmembers : 0;
    viz_member_values *members = calloc(nmembers + 1, sizeof *members);
    if (!members) {
        free(block);
        free(ids);
        free(bv);
        free(is_out);
        return mg_error_set(err, MG_ENOMEM, "out of memory for box values");
    }
    for (size_t b = 0, at = 0, m = 0; b <= nb; b++) { /* bv[nb] keeps the blocks when nb == 0 */
        bv[b].data = block + at;
        bv[b].grad = block + nout + at;
        bv[b].ids = ids + at;
        bv[b].member = members + m;
        at += bv[b].noutputs;
        m += b < nb && plan->boxes[b].nmembers > 1 ? plan->boxes[b].nmembers : 0;
        bv[b].noutputs = 0;
    }
    for (size_t id = 0; id < n; id++) {
        uint32_t b = plan->node_box[id];
        if (b < nb)
            add_node(&bv[b], member_values(root->graph, plan, bv, b, (uint32_t)id),
                     mg_graph_node(root->graph, (uint32_t)id), is_out[id]);
    }
    free(is_out);
    *out = bv;
    return MG_OK;
}

static int double_cmp(const void *pa, const void *pb)
{
    double x = *(const double *)pa, y = *(const double *)pb;
    return (x > y) - (x < y);
}

viz_spread viz_spread_of(const double *x, size_t n)
{
    viz_spread s = {0, NAN, NAN, NAN};
    double *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return s;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            sorted[s.count++] = x[i];
    qsort(sorted, s.count, sizeof *sorted, double_cmp);
    if (s.count > 0) {
        s.min = sorted[0];
        s.max = sorted[s.count - 1];
        size_t h = s.count / 2;
        s.median = s.count % 2 ? sorted[h] : 0.5 * (sorted[h - 1] + sorted[h]);
    }
    free(sorted);
    return s;
}

/* tensor_nn_ops.c — the forward pass of the ops a transformer is made of:
 * softmax (plain and causal), layer norm, embedding lookup and dropout. */
#include "tensor_internal.h"

#include <math.h>
#include <string.h>

mg_tensor *mg_tensor_softmax(mg_tensor *a, int axis)
{
    if (!tensor_check_one(a, "softmax"))
        return NULL;
    int ax = tensor_one_axis(a, axis, "softmax");
    if (ax < 0)
        return NULL;
    mg_tensor *t = tensor_node(a->node->graph, MG_T_SOFTMAX, a, NULL, a->dtype, a->ndim,
                               a->shape);
    if (t) {
        t->axis = ax;
        loops_of(t->dtype)->softmax_fwd(tensor_axis_of(a, ax), a->data, t->data);
    }
    return t;
}

/* The causal layout of t's operand a [..., tq, cols]: rows, cols and tq. */
void tensor_causal_layout(const mg_tensor *a, int *rows, int *cols, int *tq)
{
    *cols = a->shape[a->ndim - 1];
    *tq = a->shape[a->ndim - 2];
    *rows = a->numel / *cols;
}

mg_tensor *mg_tensor_causal_softmax(mg_tensor *a, double scale, int offset)
{
    if (!tensor_check_one(a, "causal_softmax"))
        return NULL;
    mg_graph *g = a->node->graph;
    if (a->ndim < 2) {
        char s[64];
        mg_tensor_shape_str(a, s, sizeof s);
        mg_graph_fail(g, MG_ESHAPE, "causal_softmax: %s has no [..., queries, keys] dims", s);
        return NULL;
    }
    if (!isfinite(scale) || scale == 0.0) {
        mg_graph_fail(g, MG_EINVAL, "causal_softmax: scale %g must be finite and not 0", scale);
        return NULL;
    }
    mg_tensor *t = tensor_node(g, MG_T_CAUSAL_SOFTMAX, a, NULL, a->dtype, a->ndim, a->shape);
    if (!t)
        return NULL;
    t->k = scale;
    t->axis = offset;
    int rows, cols, tq;
    tensor_causal_layout(a, &rows, &cols, &tq);
    loops_of(t->dtype)->causal_softmax_fwd(rows, cols, tq, offset, scale, a->data, t->data);
    return t;
}

/* Layer norm keeps each row's mean and 1/std in aux for backward. */
const double *tensor_layer_norm_stats(const mg_tensor *t) { return t->aux; }

/* gamma and beta, when given, must be [C] for x's last dim C, in x's graph and dtype. */
static int affine_fits(mg_tensor *x, mg_tensor *p, const char *what)
{
    if (!p)
        return 1;
    if (!tensor_check_pair(x, p, "layer_norm"))
        return 0;
    if (p->ndim != 1 || p->shape[0] != x->shape[x->ndim - 1]) {
        char sx[64], sp[64];
        mg_tensor_shape_str(x, sx, sizeof sx);
        mg_tensor_shape_str(p, sp, sizeof sp);
        mg_graph_fail(x->node->graph, MG_ESHAPE,
                      "layer_norm: %s of shape %s does not fit the last dim of %s", what, sp, sx);
        return 0;
    }
    return 1;
}

mg_tensor *mg_tensor_layer_norm(mg_tensor *x, mg_tensor *gamma, mg_tensor *beta, double eps)
{
    if (!tensor_check_one(x, "layer_norm"))
        return NULL;
    mg_graph *g = x->node->graph;
    if (x->ndim < 1) {
        mg_graph_fail(g, MG_ESHAPE, "layer_norm: a 0-dim tensor has no axis to normalise");
        return NULL;
    }
    if (!(eps >= 0.0) || !isfinite(eps)) {
        mg_graph_fail(g, MG_EINVAL, "layer_norm: eps %g must be finite and >= 0", eps);
        return NULL;
    }
    if (!affine_fits(x, gamma, "gamma") || !affine_fits(x, beta, "beta"))
        return NULL;
    /* beta is the node's third operand, added in the same pass; a third follows
     * a second, so beta without gamma stays a + node after the norm */
    mg_tensor *shift = gamma ? beta : NULL;
    mg_tensor *t = tensor_node3(g, MG_T_LAYER_NORM, x, gamma, shift, x->dtype, x->ndim,
                                x->shape);
    if (!t)
        return NULL;
    const int cols = x->shape[x->ndim - 1], rows = x->numel / cols;
    t->k = eps;
    t->aux = mg_graph_alloc(g, 2 * sizeof(double) * (size_t)rows);
    if (!t->aux)
        return NULL;
    loops_of(t->dtype)->layer_norm_fwd(rows, cols, eps, x->data, gamma ? gamma->data : NULL,
                                       shift ? shift->data : NULL, t->data, t->aux);
    return beta && !shift ? mg_tensor_add(t, beta) : t;
}

const int32_t *tensor_embedding_ids(const mg_tensor *t) { return t->aux; }

mg_tensor *mg_tensor_embedding(mg_tensor *weight, int ndim, const int *shape,
                               const int32_t *ids)
{
    if (!tensor_check_one(weight, "embedding"))
        return NULL;
    mg_graph *g = weight->node->graph;
    if (weight->ndim != 2) {
        char s[64];
        mg_tensor_shape_str(weight, s, sizeof s);
        mg_graph_fail(g, MG_ESHAPE, "embedding: weight of shape %s is not [V,C]", s);
        return NULL;
    }
    if (ndim < 0 || ndim + 1 > MG_TENSOR_MAX_DIMS || (ndim && !shape) || !ids) {
        mg_graph_fail(g, MG_EINVAL, "embedding: ids need 0 to %d dims and data",
                      MG_TENSOR_MAX_DIMS - 1);
        return NULL;
    }
    int out[MG_TENSOR_MAX_DIMS];
    for (int i = 0; i < ndim; i++)
        out[i] = shape[i];
    out[ndim] = weight->shape[1];
    mg_mark m = mg_graph_mark(g);
    mg_tensor *t = tensor_node(g, MG_T_EMBEDDING, weight, NULL, weight->dtype, ndim + 1, out);
    if (!t)
        return NULL;
    const int n = t->numel / weight->shape[1], rows = weight->shape[0];
    for (int i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= rows) {
            mg_graph_rewind(g, m);
            mg_graph_fail(g, MG_EINVAL, "embedding: id %d at %d is outside [0,%d)", (int)ids[i],
                          i, rows);
            return NULL;
        }
    t->aux = mg_graph_alloc(g, (size_t)n * sizeof *ids);
    if (!t->aux)
        return NULL;
    memcpy(t->aux, ids, (size_t)n * sizeof *ids);
    loops_of(t->dtype)->embedding_fwd(n, weight->shape[1], ids, weight->data, t->data);
    return t;
}

uint64_t tensor_dropout_seed(const mg_tensor *t)
{
    uint64_t seed;
    memcpy(&seed, t->aux, sizeof seed);
    return seed;
}

mg_tensor *mg_tensor_dropout(mg_tensor *a, double p, uint64_t seed, int training)
{
    if (!tensor_check_one(a, "dropout"))
        return NULL;
    if (!(p >= 0.0 && p <= 1.0)) {
        mg_graph_fail(a->node->graph, MG_EINVAL, "dropout: p %g is outside [0,1]", p);
        return NULL;
    }
    if (!training || p == 0.0)
        return a;
    mg_graph *g = a->node->graph;
    mg_tensor *t = tensor_node(g, MG_T_DROPOUT, a, NULL, a->dtype, a->ndim, a->shape);
    if (!t)
        return NULL;
    t->k = p;
    t->aux = mg_graph_alloc(g, sizeof seed);
    if (!t->aux)
        return NULL;
    memcpy(t->aux, &seed, sizeof seed);
    loops_of(t->dtype)->dropout(t->numel, p, seed, 0, a->data, t->data);
    return t;
}

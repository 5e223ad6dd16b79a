/* tensor_shape.c — ops that move data between layouts: reshape, transpose,
 * slice, split and concat. Tensors are row-major and contiguous, so a result
 * that is a contiguous run of its operand's data in the same order is a view
 * (it shares the operand's data, no copy): every reshape, a slice whose outer
 * dims are all 1, a transpose that only moves dims of size 1. Others copy.
 * Gradients are never shared: a view has its own grad, added back in backward. */
#include "tensor_internal.h"

#include <string.h>

void tensor_dense_strides(const int *dims, int *strides)
{
    int s = 1;
    for (int d = MG_TENSOR_MAX_DIMS - 1; d >= 0; d--) {
        strides[d] = s;
        s *= dims[d];
    }
}

/* ---- reshape ---- */

mg_tensor *mg_tensor_reshape(mg_tensor *a, int ndim, const int *shape)
{
    if (!tensor_check_one(a, "reshape"))
        return NULL;
    mg_graph *g = a->node->graph;
    if (ndim < 0 || ndim > MG_TENSOR_MAX_DIMS || (ndim && !shape)) {
        mg_graph_fail(g, MG_ESHAPE, "reshape: %d dims (0 to %d allowed)", ndim,
                      MG_TENSOR_MAX_DIMS);
        return NULL;
    }
    int s[MG_TENSOR_MAX_DIMS], infer = -1;
    long long known = 1;
    for (int i = 0; i < ndim; i++) {
        s[i] = shape[i];
        if (s[i] == -1 && infer < 0)
            infer = i;
        else if (s[i] >= 1)
            known *= s[i];
        else
            known = -1;
    }
    if (infer >= 0 && known > 0 && a->numel % known == 0)
        s[infer] = (int)(a->numel / known);
    if (known <= 0 || (infer >= 0 ? a->numel % known != 0 : known != a->numel)) {
        mg_tensor wanted = { .ndim = ndim };
        memcpy(wanted.shape, shape, (size_t)ndim * sizeof *shape);
        char sa[64], sw[64];
        mg_tensor_shape_str(a, sa, sizeof sa);
        mg_tensor_shape_str(&wanted, sw, sizeof sw);
        mg_graph_fail(g, MG_ESHAPE, "reshape: shape %s does not fit %d elements of %s", sw,
                      a->numel, sa);
        return NULL;
    }
    return tensor_view(g, MG_T_RESHAPE, a, NULL, a->dtype, ndim, s, a->data);
}

/* ---- transpose ---- */

/* The gather layout of a transpose: output dims and, per output dim, the
 * stride of the source element, right-aligned into 4 dims. */
void tensor_transpose_layout(const mg_tensor *a, int d0, int d1, int *dims, int *strides)
{
    int natural[MG_TENSOR_MAX_DIMS], s = 1;
    for (int i = a->ndim - 1; i >= 0; i--) {
        natural[i] = s;
        s *= a->shape[i];
    }
    const int pad = MG_TENSOR_MAX_DIMS - a->ndim;
    for (int i = 0; i < MG_TENSOR_MAX_DIMS; i++) {
        dims[i] = 1;
        strides[i] = 0;
    }
    for (int i = 0; i < a->ndim; i++) {
        int from = i == d0 ? d1 : i == d1 ? d0 : i;
        dims[pad + i] = a->shape[from];
        strides[pad + i] = natural[from];
    }
}

/* Swapping d0 < d1 keeps the memory order when at most one dim from d0 to d1
 * has more than one element. */
static int transpose_keeps_order(const mg_tensor *a, int d0, int d1)
{
    int lo = d0 < d1 ? d0 : d1, hi = d0 < d1 ? d1 : d0, big = 0;
    for (int i = lo; i <= hi; i++)
        big += a->shape[i] > 1;
    return big <= 1;
}

mg_tensor *mg_tensor_transpose(mg_tensor *a, int d0, int d1)
{
    if (!tensor_check_one(a, "transpose"))
        return NULL;
    int x = tensor_norm_axis(a, d0), y = tensor_norm_axis(a, d1);
    if (x < 0 || y < 0) {
        char sa[64];
        mg_tensor_shape_str(a, sa, sizeof sa);
        mg_graph_fail(a->node->graph, MG_ESHAPE, "transpose: axes %d and %d do not exist in %s",
                      d0, d1, sa);
        return NULL;
    }
    int shape[MG_TENSOR_MAX_DIMS];
    memcpy(shape, a->shape, sizeof shape);
    shape[x] = a->shape[y];
    shape[y] = a->shape[x];
    const int view = transpose_keeps_order(a, x, y);
    mg_tensor *t = tensor_view(a->node->graph, MG_T_TRANSPOSE, a, NULL, a->dtype, a->ndim, shape,
                               view ? a->data : NULL);
    if (!t)
        return NULL;
    t->axis = x;
    t->axis2 = y;
    if (view)
        return t;
    int dims[MG_TENSOR_MAX_DIMS], strides[MG_TENSOR_MAX_DIMS], dense[MG_TENSOR_MAX_DIMS];
    tensor_transpose_layout(a, x, y, dims, strides);
    tensor_dense_strides(dims, dense);
    loops_of(t->dtype)->copy(dims, strides, dense, a->data, t->data, 0);
    return t;
}

/* ---- slice, split, concat ---- */

void tensor_slice_layout(const mg_tensor *a, const mg_tensor *t, int *dims, int *src,
                         int *dst, size_t *offset)
{
    const tensor_axis ax = tensor_axis_of(a, t->axis);
    const int len = t->shape[t->axis];
    const int d[MG_TENSOR_MAX_DIMS] = {1, ax.outer, len, ax.inner};
    memcpy(dims, d, sizeof d);
    const int s[MG_TENSOR_MAX_DIMS] = {0, ax.n * ax.inner, ax.inner, 1};
    memcpy(src, s, sizeof s);
    tensor_dense_strides(dims, dst);
    *offset = (size_t)t->axis2 * ax.inner;
}

mg_tensor *mg_tensor_slice(mg_tensor *a, int axis, int start, int end)
{
    if (!tensor_check_one(a, "slice"))
        return NULL;
    int ax = tensor_one_axis(a, axis, "slice");
    if (ax < 0)
        return NULL;
    if (start < 0 || end > a->shape[ax] || start >= end) {
        char sa[64];
        mg_tensor_shape_str(a, sa, sizeof sa);
        mg_graph_fail(a->node->graph, MG_ESHAPE,
                      "slice: [%d, %d) is not a non-empty range of axis %d (0 to %d) of %s",
                      start, end, axis, a->shape[ax], sa);
        return NULL;
    }
    int shape[MG_TENSOR_MAX_DIMS];
    memcpy(shape, a->shape, sizeof shape);
    shape[ax] = end - start;
    const tensor_axis lay = tensor_axis_of(a, ax);
    void *data = lay.outer == 1 ? tensor_elem(a->data, a->dtype, (size_t)start * lay.inner) : NULL;
    mg_tensor *t = tensor_view(a->node->graph, MG_T_SLICE, a, NULL, a->dtype, a->ndim, shape,
                               data);
    if (!t)
        return NULL;
    t->axis = ax;
    t->axis2 = start;
    if (data)
        return t;
    int dims[MG_TENSOR_MAX_DIMS], src[MG_TENSOR_MAX_DIMS], dst[MG_TENSOR_MAX_DIMS];
    size_t offset;
    tensor_slice_layout(a, t, dims, src, dst, &offset);
    loops_of(t->dtype)->copy(dims, src, dst, tensor_elem(a->data, a->dtype, offset), t->data, 0);
    return t;
}

mg_code mg_tensor_split(mg_tensor *a, int axis, int n, const int *sizes, mg_tensor **parts)
{
    if (!a || !parts)
        return MG_EINVAL;
    if (!tensor_check_one(a, "split"))
        return mg_graph_status(a->node->graph);
    mg_graph *g = a->node->graph;
    int ax = tensor_one_axis(a, axis, "split");
    if (ax < 0)
        return mg_graph_status(g);
    int total = 0;
    for (int i = 0; sizes && i < n; i++)
        total += sizes[i] > 0 ? sizes[i] : a->shape[ax] + 1; /* a bad size spoils the total */
    if (n < 1 || (sizes ? total != a->shape[ax] : a->shape[ax] % n != 0)) {
        char sa[64];
        mg_tensor_shape_str(a, sa, sizeof sa);
        return mg_graph_fail(g, MG_ESHAPE, "split: %d parts %s do not cut axis %d of %s", n,
                             sizes ? "of the sizes given" : "of equal size", axis, sa);
    }
    for (int i = 0, start = 0; i < n; i++) {
        const int len = sizes ? sizes[i] : a->shape[ax] / n;
        parts[i] = mg_tensor_slice(a, ax, start, start + len);
        if (!parts[i])
            return mg_graph_status(g);
        start += len;
    }
    return MG_OK;
}

void tensor_concat_layout(const mg_tensor *t, const mg_tensor *part, int which, int *dims,
                          int *src, int *dst, size_t *offset)
{
    const tensor_axis ax = tensor_axis_of(t, t->axis);
    const int len = part->shape[t->axis];
    const int d[MG_TENSOR_MAX_DIMS] = {1, ax.outer, len, ax.inner};
    memcpy(dims, d, sizeof d);
    tensor_dense_strides(dims, src);
    const int s[MG_TENSOR_MAX_DIMS] = {0, ax.n * ax.inner, ax.inner, 1};
    memcpy(dst, s, sizeof s);
    *offset = which ? (size_t)(ax.n - len) * ax.inner : 0;
}

/* One concat node joins two operands. */
static mg_tensor *concat2(mg_tensor *a, mg_tensor *b, int axis)
{
    if (!tensor_check_pair(a, b, "concat"))
        return NULL;
    int ax = tensor_one_axis(a, axis, "concat");
    if (ax < 0)
        return NULL;
    int fits = a->ndim == b->ndim;
    for (int i = 0; fits && i < a->ndim; i++)
        fits = i == ax || a->shape[i] == b->shape[i];
    if (!fits) {
        tensor_fail_shapes(a, b, "concat", "differ off the axis");
        return NULL;
    }
    int shape[MG_TENSOR_MAX_DIMS];
    memcpy(shape, a->shape, sizeof shape);
    shape[ax] = a->shape[ax] + b->shape[ax];
    mg_tensor *t = tensor_node(a->node->graph, MG_T_CONCAT, a, b, a->dtype, a->ndim, shape);
    if (!t)
        return NULL;
    t->axis = ax;
    for (int which = 0; which < 2; which++) {
        const mg_tensor *part = which ? b : a;
        int dims[MG_TENSOR_MAX_DIMS], src[MG_TENSOR_MAX_DIMS], dst[MG_TENSOR_MAX_DIMS];
        size_t offset;
        tensor_concat_layout(t, part, which, dims, src, dst, &offset);
        loops_of(t->dtype)->copy(dims, src, dst, part->data,
                                 tensor_elem(t->data, t->dtype, offset), 0);
    }
    return t;
}

mg_tensor *mg_tensor_concat(mg_tensor *const *parts, int n, int axis)
{
    if (!parts || n < 1)
        return NULL;
    mg_tensor *t = parts[0];
    for (int i = 1; i < n && t; i++)
        t = concat2(t, parts[i], axis);
    return t;
}

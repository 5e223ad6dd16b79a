/* tensor.c — tensor nodes: creating headers and payloads, leaves, access,
 * shapes and names. The ops are in tensor_ops.c, backward in tensor_backward.c. */
#include "tensor_internal.h"

#include "kernels_internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

size_t mg_dtype_size(mg_dtype dt) { return dt == MG_F32 ? sizeof(float) : sizeof(double); }

/* Shape checks shared by leaves and ops: dims 0..4, each >= 1, numel fits an int. */
static int shape_ok(mg_graph *g, int ndim, const int *shape, int *numel)
{
    if (ndim < 0 || ndim > MG_TENSOR_MAX_DIMS || (ndim > 0 && !shape)) {
        mg_graph_fail(g, MG_ESHAPE, "tensor: %d dims (0 to %d allowed)", ndim,
                      MG_TENSOR_MAX_DIMS);
        return 0;
    }
    long long n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 1) {
            mg_graph_fail(g, MG_ESHAPE, "tensor: dim %d is %d (must be >= 1)", i, shape[i]);
            return 0;
        }
        n *= shape[i];
        if (n > INT_MAX / 8) { /* a fixed limit: offsets into a buffer are int */
            char dims[80] = "";
            for (int d = 0, at = 0; d < ndim && at < (int)sizeof dims; d++)
                at += snprintf(dims + at, sizeof dims - (size_t)at, d ? ", %d" : "%d", shape[d]);
            mg_graph_fail(g, MG_ESHAPE, "tensor: shape [%s] has too many elements (at most %d "
                          "in one tensor)", dims, INT_MAX / 8);
            return 0;
        }
    }
    *numel = (int)n;
    return 1;
}

/* Clearing runs in pieces of this many bytes, cut over the pool when the
 * buffer is large (a GPT step clears tens of megabytes of gradients). */
#define CLEAR_PIECE 4096

typedef struct clear_job {
    unsigned char *p;
    size_t bytes;
} clear_job;

static void clear_range(void *ctx, int lo, int hi)
{
    const clear_job *j = ctx;
    size_t from = (size_t)lo * CLEAR_PIECE, to = (size_t)hi * CLEAR_PIECE;
    memset(j->p + from, 0, (to < j->bytes ? to : j->bytes) - from);
}

void tensor_clear(void *p, size_t bytes)
{
    clear_job j = { p, bytes };
    /* a piece costs about what 512 float adds do */
    mg_kernel_for((int)((bytes + CLEAR_PIECE - 1) / CLEAR_PIECE), 512.0, clear_range, &j);
}

typedef struct clear_rows_job {
    unsigned char *p;
    size_t bytes, stride;
} clear_rows_job;

static void clear_rows_range(void *ctx, int lo, int hi)
{
    const clear_rows_job *j = ctx;
    for (int r = lo; r < hi; r++)
        memset(j->p + (size_t)r * j->stride, 0, j->bytes);
}

void tensor_clear_rows(void *p, int rows, size_t bytes, size_t stride)
{
    clear_rows_job j = { p, bytes, stride };
    mg_kernel_for(rows, (double)bytes / 8.0, clear_rows_range, &j);
}

static void *alloc_buffer(mg_graph *g, const mg_tensor *t)
{
    return mg_graph_alloc(g, (size_t)t->numel * mg_dtype_size(t->dtype));
}

/* A new node over operands a, b, c (each may be NULL; c only with b): the
 * header, its payload, data (a new buffer unless `data` is given) and, when an
 * operand requires grad, its gradient buffer. */
static mg_tensor *new_node(mg_graph *g, mg_top op, mg_tensor *a, mg_tensor *b, mg_tensor *c,
                           mg_dtype dt, int ndim, const int *shape, void *data)
{
    int numel;
    if (!shape_ok(g, ndim, shape, &numel))
        return NULL;
    mg_mark m = mg_graph_mark(g);
    mg_value *v = graph_new_node(g, tensor_ops[op].twin, MG_FLAG_TENSOR);
    mg_tensor *t = v ? mg_graph_alloc(g, sizeof *t) : NULL;
    if (!t) {
        mg_graph_rewind(g, m);
        return NULL;
    }
    memset(t, 0, sizeof *t);
    t->node = v;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++)
        t->shape[i] = shape[i];
    t->numel = numel;
    t->dtype = dt;
    t->op = (uint8_t)op;
    t->requires_grad = (a && a->requires_grad) || (b && b->requires_grad)
                       || (c && c->requires_grad);
    t->data = data ? data : alloc_buffer(g, t);
    /* only op results require grad here; backward writes the buffer (not cleared) */
    if (t->requires_grad)
        t->grad_store = alloc_buffer(g, t);
    if (!t->data || (t->requires_grad && !t->grad_store)) {
        mg_graph_rewind(g, m);
        return NULL;
    }
    v->tensor = t;
    v->a = a ? a->node : NULL;
    v->b = b ? b->node : NULL;
    t->third = c ? c->node : NULL;
    return t;
}

mg_tensor *tensor_node(mg_graph *g, mg_top op, mg_tensor *a, mg_tensor *b, mg_dtype dt,
                       int ndim, const int *shape)
{
    return new_node(g, op, a, b, NULL, dt, ndim, shape, NULL);
}

mg_tensor *tensor_node3(mg_graph *g, mg_top op, mg_tensor *a, mg_tensor *b, mg_tensor *c,
                        mg_dtype dt, int ndim, const int *shape)
{
    return new_node(g, op, a, b, c, dt, ndim, shape, NULL);
}

mg_tensor *tensor_view(mg_graph *g, mg_top op, mg_tensor *a, mg_tensor *b, mg_dtype dt,
                       int ndim, const int *shape, void *data)
{
    return new_node(g, op, a, b, NULL, dt, ndim, shape, data);
}

void tensor_header_moved(mg_value *v) { v->tensor->node = v; }

mg_value **tensor_third_operand(const mg_value *v) { return &v->tensor->third; }

int tensor_usable(const mg_tensor *t, const char *opname)
{
    const mg_value *v = t->node;
    const mg_graph *g = v->graph;
    if (v->id < g->count && graph_node_at(g, v->id) == v && v->tensor == t)
        return 1;
    mg_graph_fail(v->graph, MG_EINVAL, "%s: tensor %u was dropped by a graph reset or rewind",
                  opname, v->id);
    return 0;
}

/* ---- leaves ---- */

mg_tensor *mg_tensor_new(mg_graph *g, mg_dtype dt, int ndim, const int *shape,
                         mg_tensor_kind kind)
{
    if (!g)
        return NULL;
    if (dt != MG_F32 && dt != MG_F64) {
        mg_graph_fail(g, MG_EINVAL, "tensor: unknown dtype %d", (int)dt);
        return NULL;
    }
    mg_tensor *t = tensor_node(g, MG_T_LEAF, NULL, NULL, dt, ndim, shape);
    if (!t)
        return NULL;
    memset(t->data, 0, (size_t)t->numel * mg_dtype_size(dt));
    if (kind == MG_TENSOR_PARAM) {
        t->node->flags |= MG_FLAG_PARAM;
        if (mg_tensor_set_requires_grad(t, 1) != MG_OK)
            return NULL;
    } else if (kind == MG_TENSOR_CONST) {
        t->node->flags |= MG_FLAG_CONST;
    }
    return t;
}

mg_tensor *mg_tensor_input(mg_graph *g, mg_dtype dt, int ndim, const int *shape)
{
    return mg_tensor_new(g, dt, ndim, shape, MG_TENSOR_INPUT);
}

mg_tensor *mg_tensor_param(mg_graph *g, mg_dtype dt, int ndim, const int *shape)
{
    return mg_tensor_new(g, dt, ndim, shape, MG_TENSOR_PARAM);
}

mg_tensor *mg_tensor_scalar(mg_graph *g, mg_dtype dt, double x)
{
    mg_tensor *t = mg_tensor_new(g, dt, 0, NULL, MG_TENSOR_CONST);
    if (t)
        mg_tensor_set(t, 0, x);
    return t;
}

mg_code mg_tensor_set_requires_grad(mg_tensor *t, int on)
{
    if (!t)
        return MG_EINVAL;
    mg_graph *g = t->node->graph;
    if (t->op != MG_T_LEAF)
        return mg_graph_fail(g, MG_EINVAL,
                             "requires_grad: tensor %u is not a leaf", t->node->id);
    if (on && !t->grad && t->node->id < mg_graph_kept(g))
        /* the buffer would come from above the keep mark and vanish at the next reset */
        return mg_graph_fail(g, MG_EINVAL,
                             "requires_grad: tensor %u is kept (mg_graph_keep); "
                             "make it require grad before keeping it", t->node->id);
    if (on && !t->grad) {
        t->grad = alloc_buffer(g, t);
        if (!t->grad)
            return mg_graph_status(g);
    }
    t->requires_grad = on != 0;
    mg_tensor_zero_grad(t);
    return MG_OK;
}

mg_tensor *mg_tensor_label(mg_tensor *t, const char *label)
{
    if (t)
        mg_label(t->node, label);
    return t;
}

/* ---- access ---- */

mg_tensor *mg_tensor_of(const mg_value *v)
{
    return v && (v->flags & MG_FLAG_TENSOR) ? v->tensor : NULL;
}

mg_tensor *mg_tensor_parent(const mg_tensor *t, int i)
{
    if (!t)
        return NULL;
    return mg_tensor_of(i == 0 ? t->node->a : i == 1 ? t->node->b : i == 2 ? t->third : NULL);
}

static double load(const void *p, mg_dtype dt, int i)
{
    return dt == MG_F32 ? (double)((const float *)p)[i] : ((const double *)p)[i];
}

double mg_tensor_get(const mg_tensor *t, int i)
{
    return t && i >= 0 && i < t->numel ? load(t->data, t->dtype, i) : 0.0;
}

double mg_tensor_grad_at(const mg_tensor *t, int i)
{
    return t && t->grad && i >= 0 && i < t->numel ? load(t->grad, t->dtype, i) : 0.0;
}

void mg_tensor_set(mg_tensor *t, int i, double x)
{
    if (!t || i < 0 || i >= t->numel)
        return;
    if (t->dtype == MG_F32)
        ((float *)t->data)[i] = (float)x;
    else
        ((double *)t->data)[i] = x;
}

void mg_tensor_load(mg_tensor *t, const double *x)
{
    for (int i = 0; t && x && i < t->numel; i++)
        mg_tensor_set(t, i, x[i]);
}

void mg_tensor_fill(mg_tensor *t, double x)
{
    for (int i = 0; t && i < t->numel; i++)
        mg_tensor_set(t, i, x);
}

void mg_tensor_zero_grad(mg_tensor *t)
{
    if (t && t->grad && t->grad_store) /* its own buffer, not one backward lent it */
        t->grad = t->grad_store;
    if (t && t->grad)
        tensor_clear(t->grad, (size_t)t->numel * mg_dtype_size(t->dtype));
}

size_t mg_tensor_shape_str(const mg_tensor *t, char *buf, size_t n)
{
    char tmp[64];
    size_t len = 0;
    tmp[len++] = '[';
    for (int i = 0; t && i < t->ndim; i++)
        len += (size_t)snprintf(tmp + len, sizeof tmp - len, i ? ",%d" : "%d", t->shape[i]);
    tmp[len++] = ']';
    tmp[len] = '\0';
    if (n)
        snprintf(buf, n, "%s", tmp);
    return len;
}

/* ---- shapes ---- */

int tensor_norm_axis(const mg_tensor *t, int axis)
{
    int ax = axis < 0 ? axis + t->ndim : axis;
    return ax >= 0 && ax < t->ndim ? ax : -1;
}

tensor_axis tensor_axis_of(const mg_tensor *t, int ax)
{
    if (ax == MG_AXIS_ALL || ax < 0)
        return (tensor_axis){ .outer = 1, .n = t->numel, .inner = 1 };
    tensor_axis r = { 1, t->shape[ax], 1 };
    for (int i = 0; i < ax; i++)
        r.outer *= t->shape[i];
    for (int i = ax + 1; i < t->ndim; i++)
        r.inner *= t->shape[i];
    return r;
}

/* Element strides of t's contiguous layout, right-aligned into 4 dims (0 on
 * dims of size 1, so a broadcast walks them in place). */
static void tensor_strides4(const mg_tensor *t, int *dims, int *strides)
{
    int pad = MG_TENSOR_MAX_DIMS - t->ndim, s = 1;
    for (int i = MG_TENSOR_MAX_DIMS - 1; i >= 0; i--) {
        dims[i] = i < pad ? 1 : t->shape[i - pad];
        strides[i] = dims[i] == 1 ? 0 : s;
        s *= dims[i];
    }
}

/* Drops the size-1 dims of a broadcast and merges neighbours that both
 * operands walk contiguously (or both repeat), so loops run long and flat:
 * [] - [100,1] becomes one dim of 100, [64,128] + [128] stays two. */
static void merge_dims(tensor_bcast *bc)
{
    int d[MG_TENSOR_MAX_DIMS], sa[MG_TENSOR_MAX_DIMS], sb[MG_TENSOR_MAX_DIMS], n = 0;
    for (int i = MG_TENSOR_MAX_DIMS - 1; i >= 0; i--) {
        if (bc->dims[i] == 1)
            continue;
        if (n > 0 && bc->sa[i] == sa[n - 1] * d[n - 1] && bc->sb[i] == sb[n - 1] * d[n - 1]) {
            d[n - 1] *= bc->dims[i];
            continue;
        }
        d[n] = bc->dims[i];
        sa[n] = bc->sa[i];
        sb[n] = bc->sb[i];
        n++;
    }
    for (int j = 0; j < MG_TENSOR_MAX_DIMS; j++) {
        const int i = MG_TENSOR_MAX_DIMS - 1 - j;
        bc->dims[i] = j < n ? d[j] : 1;
        bc->sa[i] = j < n ? sa[j] : 0;
        bc->sb[i] = j < n ? sb[j] : 0;
    }
}

int tensor_broadcast(const mg_tensor *a, const mg_tensor *b, tensor_bcast *bc, int *ndim,
                     int *shape)
{
    int da[MG_TENSOR_MAX_DIMS], db[MG_TENSOR_MAX_DIMS];
    tensor_strides4(a, da, bc->sa);
    tensor_strides4(b, db, bc->sb);
    bc->n = 1;
    for (int i = 0; i < MG_TENSOR_MAX_DIMS; i++) {
        if (da[i] != db[i] && da[i] != 1 && db[i] != 1)
            return -1;
        bc->dims[i] = da[i] > db[i] ? da[i] : db[i];
        bc->n *= bc->dims[i];
    }
    *ndim = a->ndim > b->ndim ? a->ndim : b->ndim;
    for (int i = 0; i < *ndim; i++)
        shape[i] = bc->dims[MG_TENSOR_MAX_DIMS - *ndim + i];
    bc->same = a->numel == bc->n && b->numel == bc->n;
    merge_dims(bc);
    return 0;
}

/* ---- the op table ---- */

const tensor_op_info tensor_ops[MG_T_COUNT] = {
#define MG_TENSOR_OP(id, name_, arity_, twin_, attrs_, backward)                      \
    [MG_T_##id] = { .name = name_, .arity = arity_, .twin = MG_OP_##twin_, .attrs = TA_##attrs_ },
#include "mg_tensor_ops.def"
#undef MG_TENSOR_OP
};

/* The values are in callers' code: new rows go at the end, never in between. */
_Static_assert(MG_T_ADD == 1 && MG_T_POW == 8 && MG_T_MATMUL == 13 && MG_T_SUM == 14
                   && MG_T_LOG_SOFTMAX == 19 && MG_T_BCE_LOGITS == 22,
               "mg_tensor_ops.def: a row moved; add new ops at the end");
_Static_assert(sizeof tensor_ops / sizeof tensor_ops[0] == MG_T_COUNT, "one row per op");

const char *mg_top_name(mg_top op)
{
    return (unsigned)op < MG_T_COUNT ? tensor_ops[op].name : "?";
}

int mg_top_arity(mg_top op)
{
    return (unsigned)op < MG_T_COUNT ? tensor_ops[op].arity : -1;
}

const char *mg_tensor_op_name(const mg_tensor *t)
{
    return t ? mg_top_name((mg_top)t->op) : "?";
}

size_t tensor_op_label(const mg_value *v, char *buf, size_t n)
{
    const mg_tensor *t = v->tensor;
    const char *name = mg_top_name((mg_top)t->op);
    int len;
    switch (tensor_ops[t->op].attrs) {
    case TA_K:
        len = snprintf(buf, n, "%s%g", name, t->k);
        break;
    case TA_AXIS:
    case TA_AXIS_KEEPDIM:
        len = t->axis == MG_AXIS_ALL ? snprintf(buf, n, "%s", name)
                                     : snprintf(buf, n, "%s[%d]", name, t->axis);
        break;
    case TA_SLICE:
        len = snprintf(buf, n, "%s[%d,%d:%d]", name, t->axis, t->axis2,
                       t->axis2 + t->shape[t->axis]);
        break;
    case TA_DROPOUT:
        len = snprintf(buf, n, "%s%g", name, t->k);
        break;
    default:
        len = snprintf(buf, n, "%s", name);
        break;
    }
    return len < 0 ? 0 : (size_t)len;
}

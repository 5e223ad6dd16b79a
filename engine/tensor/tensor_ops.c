/* tensor_ops.c — the forward pass of every tensor op: check operands and
 * shapes (errors name both shapes), create the node, run the loop. */
#include "tensor_internal.h"

#include <math.h>
#include <string.h>

static const char *dtype_name(mg_dtype dt) { return dt == MG_F32 ? "f32" : "f64"; }

int tensor_check_one(mg_tensor *a, const char *opname)
{
    return a && tensor_usable(a, opname);
}

int tensor_check_pair(mg_tensor *a, mg_tensor *b, const char *opname)
{
    if (!a || !b) {
        mg_tensor *ok = a ? a : b;
        if (ok && mg_graph_status(ok->node->graph) == MG_OK)
            mg_graph_fail(ok->node->graph, MG_EINVAL, "%s: operand %s is NULL", opname,
                          a ? "b" : "a");
        return 0;
    }
    mg_graph *g = a->node->graph;
    if (g != b->node->graph) {
        mg_graph_fail(g, MG_EINVAL, "%s: operands belong to two different graphs", opname);
        mg_graph_fail(b->node->graph, MG_EINVAL, "%s: operands belong to two different graphs",
                      opname);
        return 0;
    }
    if (!tensor_usable(a, opname) || !tensor_usable(b, opname))
        return 0;
    if (a->dtype != b->dtype) {
        mg_graph_fail(g, MG_EINVAL, "%s: dtypes %s and %s differ", opname,
                      dtype_name(a->dtype), dtype_name(b->dtype));
        return 0;
    }
    return 1;
}

void tensor_fail_shapes(const mg_tensor *a, const mg_tensor *b, const char *opname,
                        const char *why)
{
    char sa[64], sb[64];
    mg_tensor_shape_str(a, sa, sizeof sa);
    mg_tensor_shape_str(b, sb, sizeof sb);
    mg_graph_fail(a->node->graph, MG_ESHAPE, "%s: shapes %s and %s %s", opname, sa, sb, why);
}

/* ---- elementwise ---- */

static mg_tensor *elementwise(mg_tensor *a, mg_tensor *b, mg_top op, const char *opname)
{
    if (!tensor_check_pair(a, b, opname))
        return NULL;
    tensor_bcast bc;
    int ndim, shape[MG_TENSOR_MAX_DIMS];
    if (tensor_broadcast(a, b, &bc, &ndim, shape) != 0) {
        tensor_fail_shapes(a, b, opname, "do not broadcast");
        return NULL;
    }
    mg_tensor *t = tensor_node(a->node->graph, op, a, b, a->dtype, ndim, shape);
    if (t)
        loops_of(t->dtype)->binary_fwd(&bc, op, a->data, b->data, t->data);
    return t;
}

mg_tensor *mg_tensor_add(mg_tensor *a, mg_tensor *b) { return elementwise(a, b, MG_T_ADD, "add"); }
mg_tensor *mg_tensor_sub(mg_tensor *a, mg_tensor *b) { return elementwise(a, b, MG_T_SUB, "sub"); }
mg_tensor *mg_tensor_mul(mg_tensor *a, mg_tensor *b) { return elementwise(a, b, MG_T_MUL, "mul"); }
mg_tensor *mg_tensor_div(mg_tensor *a, mg_tensor *b) { return elementwise(a, b, MG_T_DIV, "div"); }

static mg_tensor *unary(mg_tensor *a, mg_top op, double k, const char *opname)
{
    if (!tensor_check_one(a, opname))
        return NULL;
    mg_tensor *t = tensor_node(a->node->graph, op, a, NULL, a->dtype, a->ndim, a->shape);
    if (t) {
        t->k = k;
        loops_of(t->dtype)->unary_fwd(op, t->numel, k, a->data, t->data);
    }
    return t;
}

mg_tensor *mg_tensor_neg(mg_tensor *a) { return unary(a, MG_T_NEG, 0.0, "neg"); }
mg_tensor *mg_tensor_exp(mg_tensor *a) { return unary(a, MG_T_EXP, 0.0, "exp"); }
mg_tensor *mg_tensor_log(mg_tensor *a) { return unary(a, MG_T_LOG, 0.0, "log"); }
mg_tensor *mg_tensor_sqrt(mg_tensor *a) { return unary(a, MG_T_SQRT, 0.0, "sqrt"); }
mg_tensor *mg_tensor_tanh(mg_tensor *a) { return unary(a, MG_T_TANH, 0.0, "tanh"); }
mg_tensor *mg_tensor_relu(mg_tensor *a) { return unary(a, MG_T_RELU, 0.0, "relu"); }
mg_tensor *mg_tensor_sigmoid(mg_tensor *a) { return unary(a, MG_T_SIGMOID, 0.0, "sigmoid"); }
mg_tensor *mg_tensor_gelu(mg_tensor *a) { return unary(a, MG_T_GELU, 0.0, "gelu"); }

mg_tensor *mg_tensor_pow(mg_tensor *a, double k)
{
    if (a && !isfinite(k)) {
        mg_graph_fail(a->node->graph, MG_EINVAL, "pow: exponent %g is not finite", k);
        return NULL;
    }
    return unary(a, MG_T_POW, k, "pow");
}

/* ---- matmul ---- */

static int batch_dims_fit(const mg_tensor *a, const mg_tensor *b)
{
    if (a->ndim == 2 || b->ndim == 2)
        return 1;
    if (a->ndim != b->ndim)
        return 0;
    for (int i = 0; i < a->ndim - 2; i++)
        if (a->shape[i] != b->shape[i])
            return 0;
    return 1;
}

mg_tensor *mg_tensor_matmul(mg_tensor *a, mg_tensor *b)
{
    if (!tensor_check_pair(a, b, "matmul"))
        return NULL;
    if (a->ndim < 2 || b->ndim < 2 || a->shape[a->ndim - 1] != b->shape[b->ndim - 2]
        || !batch_dims_fit(a, b)) {
        tensor_fail_shapes(a, b, "matmul", "do not fit");
        return NULL;
    }
    const mg_tensor *big = a->ndim >= b->ndim ? a : b;
    int ndim = big->ndim, shape[MG_TENSOR_MAX_DIMS];
    memcpy(shape, big->shape, sizeof shape);
    const int M = a->shape[a->ndim - 2], K = a->shape[a->ndim - 1], N = b->shape[b->ndim - 1];
    shape[ndim - 2] = M;
    shape[ndim - 1] = N;
    mg_tensor *t = tensor_node(a->node->graph, MG_T_MATMUL, a, b, a->dtype, ndim, shape);
    if (!t)
        return NULL;
    const tensor_loops *L = loops_of(t->dtype);
    const int ba = tensor_batch(a), bb = tensor_batch(b);
    if (bb == 1) { /* one B for all: the batch folds into M, one GEMM */
        L->gemm(0, 0, ba * M, N, K, a->data, K, b->data, N, 0.0, t->data, N);
        return t;
    }
    L->gemm_batch(0, 0, M, N, K, a->data, K, ba == 1 ? 0 : (long)M * K, b->data, N,
                  (long)K * N, 0.0, t->data, N, (long)M * N, bb);
    return t;
}

/* One GEMM over x's rows, the bias added in its stores: no second pass over the
 * result, which an add after a matmul makes while the result leaves the cache. */
mg_tensor *mg_tensor_linear(mg_tensor *x, mg_tensor *w, mg_tensor *b)
{
    if (!tensor_check_pair(x, w, "linear") || (b && !tensor_check_pair(w, b, "linear")))
        return NULL;
    if (x->ndim < 1 || w->ndim != 2 || x->shape[x->ndim - 1] != w->shape[0]) {
        tensor_fail_shapes(x, w, "linear", "do not fit");
        return NULL;
    }
    const int K = w->shape[0], N = w->shape[1];
    if (b && (b->ndim != 1 || b->shape[0] != N)) {
        tensor_fail_shapes(w, b, "linear", "do not fit (the bias is [N] for W [K,N])");
        return NULL;
    }
    int shape[MG_TENSOR_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[x->ndim - 1] = N;
    mg_tensor *t = tensor_node3(x->node->graph, MG_T_LINEAR, x, w, b, x->dtype, x->ndim, shape);
    if (!t)
        return NULL;
    const tensor_loops *L = loops_of(t->dtype);
    if (b)
        L->gemm_bias(x->numel / K, N, K, x->data, w->data, b->data, t->data);
    else
        L->gemm(0, 0, x->numel / K, N, K, x->data, K, w->data, N, 0.0, t->data, N);
    return t;
}

/* ---- reductions ---- */

int tensor_op_axis(mg_tensor *a, int axis, const char *opname)
{
    if (axis == MG_AXIS_ALL)
        return MG_AXIS_ALL;
    int ax = tensor_norm_axis(a, axis);
    if (ax < 0) {
        char sa[64];
        mg_tensor_shape_str(a, sa, sizeof sa);
        mg_graph_fail(a->node->graph, MG_ESHAPE, "%s: axis %d does not exist in %s", opname,
                      axis, sa);
    }
    return ax;
}

int tensor_one_axis(mg_tensor *a, int axis, const char *opname)
{
    if (axis != MG_AXIS_ALL)
        return tensor_op_axis(a, axis, opname);
    mg_graph_fail(a->node->graph, MG_ESHAPE, "%s: needs one axis, not all", opname);
    return -1;
}

static mg_tensor *reduce(mg_tensor *a, mg_top op, int axis, int keepdim, const char *opname)
{
    if (!tensor_check_one(a, opname))
        return NULL;
    int ax = tensor_op_axis(a, axis, opname);
    if (ax == -1)
        return NULL;
    int ndim = 0, shape[MG_TENSOR_MAX_DIMS];
    for (int i = 0; i < a->ndim; i++) {
        int reduced = ax == MG_AXIS_ALL || i == ax;
        if (!reduced)
            shape[ndim++] = a->shape[i];
        else if (keepdim)
            shape[ndim++] = 1;
    }
    mg_graph *g = a->node->graph;
    mg_tensor *t = tensor_node(g, op, a, NULL, a->dtype, ndim, shape);
    if (!t)
        return NULL;
    t->axis = ax;
    t->keepdim = keepdim != 0;
    int32_t *argmax = NULL;
    if (op == MG_T_MAX && ax != MG_AXIS_ALL) {
        argmax = t->aux = mg_graph_alloc(g, (size_t)t->numel * sizeof *argmax);
        if (!argmax)
            return NULL;
    }
    loops_of(t->dtype)->reduce_fwd(op, tensor_axis_of(a, ax), a->data, t->data, argmax);
    return t;
}

mg_tensor *mg_tensor_sum(mg_tensor *a, int axis, int keepdim)
{
    return reduce(a, MG_T_SUM, axis, keepdim, "sum");
}

mg_tensor *mg_tensor_mean(mg_tensor *a, int axis, int keepdim)
{
    return reduce(a, MG_T_MEAN, axis, keepdim, "mean");
}

mg_tensor *mg_tensor_max(mg_tensor *a, int axis, int keepdim)
{
    return reduce(a, MG_T_MAX, axis, keepdim, "max");
}

/* ---- softmax and losses ---- */

mg_tensor *mg_tensor_log_softmax(mg_tensor *a, int axis)
{
    if (!tensor_check_one(a, "log_softmax"))
        return NULL;
    int ax = tensor_one_axis(a, axis, "log_softmax");
    if (ax < 0)
        return NULL;
    mg_tensor *t = tensor_node(a->node->graph, MG_T_LOG_SOFTMAX, a, NULL, a->dtype, a->ndim,
                               a->shape);
    if (t) {
        t->axis = ax;
        loops_of(t->dtype)->log_softmax_fwd(tensor_axis_of(a, ax), a->data, t->data);
    }
    return t;
}

/* Cross-entropy keeps its log-probabilities, then its labels, in aux. */
const int32_t *tensor_ce_labels(const mg_tensor *t, const mg_tensor *logits)
{
    size_t bytes = (size_t)logits->numel * mg_dtype_size(logits->dtype);
    return (const int32_t *)((const char *)t->aux + bytes);
}

mg_tensor *mg_tensor_cross_entropy(mg_tensor *logits, const int32_t *labels)
{
    if (!tensor_check_one(logits, "cross_entropy"))
        return NULL;
    mg_graph *g = logits->node->graph;
    if (logits->ndim != 2) {
        char s[64];
        mg_tensor_shape_str(logits, s, sizeof s);
        mg_graph_fail(g, MG_ESHAPE, "cross_entropy: logits of shape %s are not [N,C]", s);
        return NULL;
    }
    const int rows = logits->shape[0], classes = logits->shape[1];
    for (int i = 0; labels && i < rows; i++)
        if (labels[i] < 0 || labels[i] >= classes) {
            mg_graph_fail(g, MG_EINVAL, "cross_entropy: label %d of row %d is outside [0,%d)",
                          (int)labels[i], i, classes);
            return NULL;
        }
    if (!labels) {
        mg_graph_fail(g, MG_EINVAL, "cross_entropy: labels are NULL");
        return NULL;
    }
    mg_tensor *t = tensor_node(g, MG_T_CROSS_ENTROPY, logits, NULL, logits->dtype, 0, NULL);
    if (!t)
        return NULL;
    size_t bytes = (size_t)logits->numel * mg_dtype_size(logits->dtype);
    t->aux = mg_graph_alloc(g, bytes + (size_t)rows * sizeof *labels);
    if (!t->aux)
        return NULL;
    memcpy((char *)t->aux + bytes, labels, (size_t)rows * sizeof *labels);
    const tensor_loops *L = loops_of(t->dtype);
    L->log_softmax_fwd((tensor_axis){ rows, classes, 1 }, logits->data, t->aux);
    mg_tensor_set(t, 0, L->nll_fwd(rows, classes, t->aux, labels));
    return t;
}

static mg_tensor *pair_loss(mg_tensor *a, mg_tensor *b, mg_top op, const char *opname)
{
    if (!tensor_check_pair(a, b, opname))
        return NULL;
    if (a->ndim != b->ndim || memcmp(a->shape, b->shape, (size_t)a->ndim * sizeof(int)) != 0) {
        tensor_fail_shapes(a, b, opname, "differ");
        return NULL;
    }
    mg_tensor *t = tensor_node(a->node->graph, op, a, b, a->dtype, 0, NULL);
    if (t)
        mg_tensor_set(t, 0, loops_of(t->dtype)->pair_loss_fwd(op, a->numel, a->data, b->data)
                                / a->numel);
    return t;
}

mg_tensor *mg_tensor_mse(mg_tensor *a, mg_tensor *b) { return pair_loss(a, b, MG_T_MSE, "mse"); }

mg_tensor *mg_tensor_bce_logits(mg_tensor *a, mg_tensor *b)
{
    return pair_loss(a, b, MG_T_BCE_LOGITS, "bce_logits");
}

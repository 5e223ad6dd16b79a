/* tensor_backward.c — the chain rule for tensor nodes, called by mg_backward()'s
 * reverse walk (backward.c) for headers with MG_FLAG_TENSOR.
 *
 * As for scalars, the first contribution an interior node receives in a pass
 * replaces its old gradient and later ones add to it; leaves always add. The
 * formulas follow PyTorch's derivatives (relu at 0, max ties, target grads). */
#include "tensor_internal.h"

#include <string.h>

/* The grad buffer of parent header pv if it needs one, else NULL; marks it
 * reached. *fresh says whether this is an interior node's first contribution. */
static void *claim(mg_value *pv, int *fresh)
{
    *fresh = 0;
    mg_tensor *p = pv ? pv->tensor : NULL;
    if (!p || !p->requires_grad)
        return NULL;
    if (!(pv->flags & MG_FLAG_SEEN)) {
        pv->flags |= MG_FLAG_SEEN;
        *fresh = pv->op != MG_OP_LEAF;
    }
    return p->grad;
}

/* claim(), with a fresh buffer zeroed so the loops can add into it. */
static void *claim_zeroed(mg_value *pv)
{
    int fresh;
    void *g = claim(pv, &fresh);
    if (g && fresh)
        mg_tensor_zero_grad(pv->tensor);
    return g;
}

/* dA = dC·Bᵀ and dB = Aᵀ·dC, batch by batch; a shared 2-D operand sums over
 * the batch (a shared B as one GEMM with the batch folded into M). */
static void matmul_backward(const mg_tensor *t, mg_tensor *a, mg_tensor *b)
{
    const tensor_loops *L = loops_of(t->dtype);
    const mg_dtype dt = t->dtype;
    const int M = a->shape[a->ndim - 2], K = a->shape[a->ndim - 1], N = b->shape[b->ndim - 1];
    const int ba = tensor_batch(a), bb = tensor_batch(b);
    int fresh;
    void *ga = claim(a->node, &fresh);
    if (ga && bb == 1) {
        L->gemm(0, 1, ba * M, K, N, t->grad, N, b->data, N, fresh ? 0.0 : 1.0, ga, K);
    } else if (ga) {
        for (int i = 0; i < bb; i++) {
            size_t ai = (size_t)(ba == 1 ? 0 : i) * M * K;
            double beta = fresh && (ba != 1 || i == 0) ? 0.0 : 1.0;
            L->gemm(0, 1, M, K, N, tensor_elem(t->grad, dt, (size_t)i * M * N), N,
                    tensor_elem(b->data, dt, (size_t)i * K * N), N, beta,
                    tensor_elem(ga, dt, ai), K);
        }
    }
    void *gb = claim(b->node, &fresh);
    if (gb && bb == 1) {
        L->gemm(1, 0, K, N, ba * M, a->data, K, t->grad, N, fresh ? 0.0 : 1.0, gb, N);
    } else if (gb) {
        for (int i = 0; i < bb; i++)
            L->gemm(1, 0, K, N, M, tensor_elem(a->data, dt, (size_t)(ba == 1 ? 0 : i) * M * K),
                    K, tensor_elem(t->grad, dt, (size_t)i * M * N), N, fresh ? 0.0 : 1.0,
                    tensor_elem(gb, dt, (size_t)i * K * N), N);
    }
}

static void elementwise_backward(const mg_tensor *t, mg_tensor *a, mg_tensor *b)
{
    tensor_bcast bc;
    int ndim, shape[MG_TENSOR_MAX_DIMS];
    tensor_broadcast(a, b, &bc, &ndim, shape);
    const tensor_loops *L = loops_of(t->dtype);
    void *ga = claim_zeroed(a->node);
    if (ga)
        L->binary_bwd(&bc, (mg_top)t->op, 0, a->data, b->data, t->grad, ga);
    void *gb = claim_zeroed(b->node);
    if (gb)
        L->binary_bwd(&bc, (mg_top)t->op, 1, a->data, b->data, t->grad, gb);
}

static void loss_backward(const mg_tensor *t, mg_tensor *a, mg_tensor *b)
{
    const tensor_loops *L = loops_of(t->dtype);
    const double g = mg_tensor_grad_at(t, 0);
    if (t->op == MG_T_CROSS_ENTROPY) {
        void *ga = claim_zeroed(a->node);
        if (ga)
            L->nll_bwd(a->shape[0], a->shape[1], t->aux, tensor_ce_labels(t, a),
                       g / a->shape[0], ga);
        return;
    }
    const double scale = g / a->numel;
    void *ga = claim_zeroed(a->node);
    if (ga)
        L->pair_loss_bwd((mg_top)t->op, 0, a->numel, a->data, b->data, scale, ga);
    void *gb = claim_zeroed(b->node);
    if (gb)
        L->pair_loss_bwd((mg_top)t->op, 1, a->numel, a->data, b->data, scale, gb);
}

void tensor_propagate(mg_value *v)
{
    mg_tensor *t = v->tensor;
    mg_tensor *a = mg_tensor_of(v->a), *b = mg_tensor_of(v->b);
    const tensor_loops *L = loops_of(t->dtype);
    switch ((mg_top)t->op) {
    case MG_T_ADD: case MG_T_SUB: case MG_T_MUL: case MG_T_DIV:
        elementwise_backward(t, a, b);
        return;
    case MG_T_MATMUL:
        matmul_backward(t, a, b);
        return;
    case MG_T_CROSS_ENTROPY: case MG_T_MSE: case MG_T_BCE_LOGITS:
        loss_backward(t, a, b);
        return;
    case MG_T_LEAF: case MG_T_COUNT:
        return;
    default:
        break;
    }
    /* one parent from here on */
    void *ga = claim_zeroed(v->a);
    if (!ga)
        return;
    switch ((mg_top)t->op) {
    case MG_T_SUM: case MG_T_MEAN: case MG_T_MAX:
        L->reduce_bwd((mg_top)t->op, tensor_axis_of(a, t->axis), a->data, t->data, t->aux,
                      t->grad, ga);
        break;
    case MG_T_TRANSPOSE: {
        int dims[MG_TENSOR_MAX_DIMS], strides[MG_TENSOR_MAX_DIMS];
        tensor_transpose_layout(a, t->axis, t->axis2, dims, strides);
        L->scatter_add(dims, strides, t->grad, ga);
        break;
    }
    case MG_T_LOG_SOFTMAX:
        L->log_softmax_bwd(tensor_axis_of(a, t->axis), t->data, t->grad, ga);
        break;
    default: /* unary elementwise ops and reshape */
        L->unary_bwd((mg_top)t->op, t->numel, t->k, a->data, t->data, t->grad, ga);
        break;
    }
}

mg_code tensor_seed_root(mg_value *root)
{
    mg_tensor *t = root->tensor;
    if (!t->requires_grad)
        return mg_graph_fail(root->graph, MG_EINVAL,
                             "backward: tensor %u does not require grad (no parameter reaches it)",
                             root->id);
    if (t->numel != 1) {
        char s[64];
        mg_tensor_shape_str(t, s, sizeof s);
        return mg_graph_fail(root->graph, MG_ESHAPE,
                             "backward: root has shape %s; it needs exactly one element", s);
    }
    double one = root->op == MG_OP_LEAF ? mg_tensor_grad_at(t, 0) + 1.0 : 1.0;
    if (t->dtype == MG_F32)
        *(float *)t->grad = (float)one;
    else
        *(double *)t->grad = one;
    return MG_OK;
}

mg_code mg_tensor_backward(mg_tensor *root)
{
    return root ? mg_backward(root->node) : MG_EINVAL;
}

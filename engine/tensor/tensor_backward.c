/* tensor_backward.c — the chain rule for tensor nodes, called by mg_backward()'s
 * reverse walk (backward.c) for headers with MG_FLAG_TENSOR.
 *
 * Each op's row in mg_tensor_ops.def names its backward below. As for
 * scalars, the first contribution an interior node receives in a pass
 * replaces its old gradient and later ones add to it; leaves always add. The
 * formulas follow PyTorch's derivatives (relu at 0, max ties, target grads). */
#include "tensor_internal.h"

#include <string.h>

/* ---- each op's chain rule, for one operand ----
 *
 * backward_<name> (named by the op's row in mg_tensor_ops.def) adds operand
 * `which`'s share of t's gradient into gp, a buffer of that operand's shape
 * and dtype. When fresh, gp holds an earlier pass's numbers: overwrite them. */
typedef void tensor_backward_fn(const mg_tensor *t, int which, void *gp, int fresh);

/* The header of t's operand `which` (0 a, 1 b, 2 the payload's third), or NULL. */
static mg_value *operand_node(const mg_tensor *t, int which)
{
    return which == 0 ? t->node->a : which == 1 ? t->node->b : t->third;
}

static mg_tensor *operand(const mg_tensor *t, int which)
{
    return operand_node(t, which)->tensor;
}

/* How a backward loop stores into operand p's gradient buffer gp: a first
 * contribution (fresh) that the loop writes in full (whole) overwrites it, 0;
 * otherwise the loop adds, 1, into a fresh buffer cleared first. */
static int begin(const mg_tensor *p, void *gp, int fresh, int whole)
{
    if (!fresh)
        return 1;
    if (whole)
        return 0;
    tensor_clear(gp, (size_t)p->numel * mg_dtype_size(p->dtype));
    return 1;
}

static void backward_none(const mg_tensor *t, int which, void *gp, int fresh)
{
    (void)t, (void)which, (void)gp, (void)fresh;
}

/* C = A·B with one 2-D B shared by all rows of A (rows × K): dA = dC·Bᵀ and
 * dB = Aᵀ·dC, each one GEMM. A fresh buffer is overwritten by the GEMM's
 * beta = 0 instead of being cleared. Matmul's and linear's. */
static void backward_shared_b(const mg_tensor *t, int which, int rows, void *gp, int fresh)
{
    const tensor_loops *L = loops_of(t->dtype);
    const mg_tensor *a = operand(t, 0), *b = operand(t, 1);
    const int K = b->shape[b->ndim - 2], N = b->shape[b->ndim - 1];
    if (which == 0)
        L->gemm(0, 1, rows, K, N, t->grad, N, b->data, N, fresh ? 0.0 : 1.0, gp, K);
    else
        L->gemm(1, 0, K, N, rows, a->data, K, t->grad, N, fresh ? 0.0 : 1.0, gp, N);
}

/* dA = dC·Bᵀ and dB = Aᵀ·dC, batch by batch; a shared 2-D operand sums over
 * the batch (a shared B as one GEMM with the batch folded into M). */
static void backward_matmul(const mg_tensor *t, int which, void *gp, int fresh)
{
    const tensor_loops *L = loops_of(t->dtype);
    const mg_dtype dt = t->dtype;
    const mg_tensor *a = operand(t, 0), *b = operand(t, 1);
    const int M = a->shape[a->ndim - 2], K = a->shape[a->ndim - 1], N = b->shape[b->ndim - 1];
    const int ba = tensor_batch(a), bb = tensor_batch(b);
    if (bb == 1) {
        backward_shared_b(t, which, ba * M, gp, fresh);
    } else if (which == 0 && ba != 1) {
        L->gemm_batch(0, 1, M, K, N, t->grad, N, (long)M * N, b->data, N, (long)K * N,
                      fresh ? 0.0 : 1.0, gp, K, (long)M * K, bb);
    } else if (which == 0) { /* a shared A sums over the batch: one product after another */
        for (int i = 0; i < bb; i++)
            L->gemm(0, 1, M, K, N, tensor_elem(t->grad, dt, (size_t)i * M * N), N,
                    tensor_elem(b->data, dt, (size_t)i * K * N), N, fresh && i == 0 ? 0.0 : 1.0,
                    gp, K);
    } else {
        L->gemm_batch(1, 0, K, N, M, a->data, K, ba == 1 ? 0 : (long)M * K, t->grad, N,
                      (long)M * N, fresh ? 0.0 : 1.0, gp, N, (long)K * N, bb);
    }
}

/* Operand `which` of the broadcast a op b, whose gradient is g. */
static void broadcast_bwd(const mg_tensor *a, const mg_tensor *b, mg_top op, int which,
                          const void *g, void *gp, int fresh)
{
    tensor_bcast bc;
    int ndim, shape[MG_TENSOR_MAX_DIMS];
    tensor_broadcast(a, b, &bc, &ndim, shape);
    const mg_tensor *p = which ? b : a;
    int acc = begin(p, gp, fresh, p->numel == bc.n); /* a broadcast operand sums */
    loops_of(a->dtype)->binary_bwd(&bc, op, which, a->data, b->data, g, gp, acc);
}

static void backward_elementwise(const mg_tensor *t, int which, void *gp, int fresh)
{
    broadcast_bwd(operand(t, 0), operand(t, 1), (mg_top)t->op, which, t->grad, gp, fresh);
}

/* x·W + b: x and W as a matmul's with W shared; b's gradient is dy's column sums,
 * the loop an add's broadcast bias takes (y + b's, with y this node). */
static void backward_linear(const mg_tensor *t, int which, void *gp, int fresh)
{
    if (which < 2)
        backward_shared_b(t, which, operand(t, 0)->numel / operand(t, 1)->shape[0], gp, fresh);
    else
        broadcast_bwd(t, operand(t, 2), MG_T_ADD, 1, t->grad, gp, fresh);
}

/* Elementwise functions of one operand, and reshape (the identity on data). */
static void backward_unary(const mg_tensor *t, int which, void *gp, int fresh)
{
    const mg_tensor *a = operand(t, which);
    int acc = begin(a, gp, fresh, 1);
    loops_of(t->dtype)->unary_bwd((mg_top)t->op, t->numel, t->k, a->data, t->data, t->grad, gp,
                                  acc);
}

static void backward_reduce(const mg_tensor *t, int which, void *gp, int fresh)
{
    const mg_tensor *a = operand(t, which);
    begin(a, gp, fresh, 0);
    loops_of(t->dtype)->reduce_bwd((mg_top)t->op, tensor_axis_of(a, t->axis), a->data, t->data,
                                   t->aux, t->grad, gp);
}

static void backward_transpose(const mg_tensor *t, int which, void *gp, int fresh)
{
    const mg_tensor *a = operand(t, which);
    int dims[MG_TENSOR_MAX_DIMS], strides[MG_TENSOR_MAX_DIMS], dense[MG_TENSOR_MAX_DIMS];
    int acc = begin(a, gp, fresh, 1);
    tensor_transpose_layout(a, t->axis, t->axis2, dims, strides);
    tensor_dense_strides(dims, dense);
    loops_of(t->dtype)->copy(dims, dense, strides, t->grad, gp, acc);
}

/* The slice's gradient goes back to its part of the operand. */
static void backward_slice(const mg_tensor *t, int which, void *gp, int fresh)
{
    const mg_tensor *a = operand(t, which);
    int dims[MG_TENSOR_MAX_DIMS], src[MG_TENSOR_MAX_DIMS], dst[MG_TENSOR_MAX_DIMS];
    size_t offset;
    int acc = begin(a, gp, fresh, a->numel == t->numel);
    tensor_slice_layout(a, t, dims, src, dst, &offset);
    loops_of(t->dtype)->copy(dims, dst, src, t->grad, tensor_elem(gp, a->dtype, offset), acc);
}

/* Each operand of a concat gets its own part of the gradient back. */
static void backward_concat(const mg_tensor *t, int which, void *gp, int fresh)
{
    const mg_tensor *part = operand(t, which);
    int dims[MG_TENSOR_MAX_DIMS], src[MG_TENSOR_MAX_DIMS], dst[MG_TENSOR_MAX_DIMS];
    size_t offset;
    int acc = begin(part, gp, fresh, 1);
    tensor_concat_layout(t, part, which, dims, src, dst, &offset);
    loops_of(t->dtype)->copy(dims, dst, src, tensor_elem(t->grad, t->dtype, offset), gp, acc);
}

/* Attention's qkv gradient comes from two nodes: attn_mix writes v's third
 * (dv) and attn_scores q's and k's (dq, dk). The mix, made later, goes first;
 * on a fresh buffer it leaves the q and k thirds unwritten (qk_unset) rather
 * than clearing them for the scores to add into: the scores then write them,
 * and anything else that adds to the buffer first, or reads it, clears them
 * (settle_qk). Clearing them cost ~60 us a layer in a GPT step. */
static void clear_qk(const mg_tensor *qkv, void *gp)
{
    const int cols = qkv->shape[qkv->ndim - 1];
    const size_t size = mg_dtype_size(qkv->dtype);
    tensor_clear_rows(gp, qkv->numel / cols, size * (size_t)(cols / 3 * 2), size * cols);
}

static void settle_qk(mg_tensor *qkv)
{
    if (qkv->qk_unset) {
        qkv->qk_unset = 0;
        clear_qk(qkv, qkv->grad);
    }
}

/* dq and dk into their thirds of qkv's gradient: written when the mix left them
 * unset, else added (a fresh buffer's v third is cleared first). */
static void backward_attn_scores(const mg_tensor *t, int which, void *gp, int fresh)
{
    mg_tensor *qkv = operand(t, which);
    const int write = qkv->qk_unset && gp == qkv->grad;
    if (write)
        qkv->qk_unset = 0;
    else
        begin(qkv, gp, fresh, 0);
    tensor_attn_scores_bwd(t, gp, write ? 0.0 : 1.0, t->grad_causal);
}

/* The weights' gradient is written whole; qkv's is only v's third: a fresh
 * one has its v third written and its q and k thirds left to the scores
 * (cleared at once when gp is not qkv's own buffer: an edge's contribution). */
static void backward_attn_mix(const mg_tensor *t, int which, void *gp, int fresh)
{
    mg_tensor *p = operand(t, which);
    if (which == 1 && fresh && gp == p->grad)
        p->qk_unset = 1;
    else if (which == 1 && fresh)
        clear_qk(p, gp);
    tensor_attn_mix_bwd(t, which, gp, fresh ? 0.0 : 1.0);
}

static void backward_log_softmax(const mg_tensor *t, int which, void *gp, int fresh)
{
    const mg_tensor *a = operand(t, which);
    loops_of(t->dtype)->log_softmax_bwd(tensor_axis_of(a, t->axis), t->data, t->grad, gp,
                                        begin(a, gp, fresh, 1));
}

static void backward_softmax(const mg_tensor *t, int which, void *gp, int fresh)
{
    const mg_tensor *a = operand(t, which);
    loops_of(t->dtype)->softmax_bwd(tensor_axis_of(a, t->axis), t->data, t->grad, gp,
                                    begin(a, gp, fresh, 1));
}

/* Written whole into a's own buffer, the gradient is 0 at key j > query i +
 * offset, so above the diagonal for offset <= 0: a's grad_causal says so. */
static void backward_causal_softmax(const mg_tensor *t, int which, void *gp, int fresh)
{
    mg_tensor *a = operand(t, which);
    int rows, cols, tq;
    int acc = begin(a, gp, fresh, 1);
    tensor_causal_layout(a, &rows, &cols, &tq);
    loops_of(t->dtype)->causal_softmax_bwd(rows, cols, tq, t->axis, t->k, t->data, t->grad, gp,
                                           acc);
    a->grad_causal = !acc && gp == a->grad && t->axis <= 0 && tq == cols;
}

/* x's gradient gp = base + dx (base NULL: dx alone). */
static void layer_norm_x(const mg_tensor *t, void *gp, const void *base)
{
    const mg_tensor *x = operand(t, 0), *gamma = t->node->b ? operand(t, 1) : NULL;
    const int cols = x->shape[x->ndim - 1], rows = x->numel / cols;
    loops_of(t->dtype)->layer_norm_bwd_x(rows, cols, x->data, gamma ? gamma->data : NULL,
                                         tensor_layer_norm_stats(t), t->grad, gp, base);
}

/* Gamma's gradient gg and beta's gb (either NULL: not wanted), in one pass
 * over dy unless they are one buffer (gamma and beta one tensor). gb is summed
 * as a + node sums its broadcast bias (layer_norm_bwd_params), so it takes
 * the same begin(): overwritten only when fresh and x has one row. */
static void layer_norm_params(const mg_tensor *t, void *gg, int fresh_g, void *gb, int fresh_b)
{
    const mg_tensor *x = operand(t, 0);
    const int cols = x->shape[x->ndim - 1], rows = x->numel / cols;
    const tensor_loops *L = loops_of(t->dtype);
    if (gg && gg == gb) {
        layer_norm_params(t, gg, fresh_g, NULL, 0);
        layer_norm_params(t, NULL, 0, gb, fresh_b);
        return;
    }
    if (gg)
        begin(operand(t, 1), gg, fresh_g, 0);
    const int acc_b = gb ? begin(operand(t, 2), gb, fresh_b, rows == 1) : 1;
    L->layer_norm_bwd_params(rows, cols, x->data, tensor_layer_norm_stats(t), t->grad, gg, gb,
                             acc_b);
}

/* Operand 0 is x, 1 gamma and 2 beta (when the norm has them). */
static void backward_layer_norm(const mg_tensor *t, int which, void *gp, int fresh)
{
    if (which == 0)
        layer_norm_x(t, gp, begin(operand(t, 0), gp, fresh, 1) ? gp : NULL);
    else if (which == 1)
        layer_norm_params(t, gp, fresh, NULL, 0);
    else
        layer_norm_params(t, NULL, 0, gp, fresh);
}

/* Each looked-up row's gradient adds into its weight row, repeats accumulating. */
static void backward_embedding(const mg_tensor *t, int which, void *gp, int fresh)
{
    const mg_tensor *w = operand(t, which);
    begin(w, gp, fresh, 0);
    loops_of(t->dtype)->embedding_bwd(t->numel / w->shape[1], w->shape[1],
                                      tensor_embedding_ids(t), t->grad, gp);
}

static void backward_dropout(const mg_tensor *t, int which, void *gp, int fresh)
{
    int acc = begin(operand(t, which), gp, fresh, 1);
    loops_of(t->dtype)->dropout(t->numel, t->k, tensor_dropout_seed(t), acc, t->grad, gp);
}

static void backward_cross_entropy(const mg_tensor *t, int which, void *gp, int fresh)
{
    const mg_tensor *a = operand(t, which);
    int acc = begin(a, gp, fresh, 1);
    loops_of(t->dtype)->nll_bwd(a->shape[0], a->shape[1], t->aux, tensor_ce_labels(t, a),
                                mg_tensor_grad_at(t, 0) / a->shape[0], gp, acc);
}

static void backward_pair_loss(const mg_tensor *t, int which, void *gp, int fresh)
{
    const mg_tensor *a = operand(t, 0), *b = operand(t, 1);
    begin(operand(t, which), gp, fresh, 0);
    loops_of(t->dtype)->pair_loss_bwd((mg_top)t->op, which, a->numel, a->data, b->data,
                                      mg_tensor_grad_at(t, 0) / a->numel, gp);
}

static tensor_backward_fn *const backward_of[MG_T_COUNT] = {
#define MG_TENSOR_OP(id, name, arity, twin, attrs, backward) [MG_T_##id] = backward_##backward,
#include "mg_tensor_ops.def"
#undef MG_TENSOR_OP
};
_Static_assert(sizeof backward_of / sizeof backward_of[0] == MG_T_COUNT, "a backward per op");

/* An op result's gradient goes into its own buffer (tensor.c allocated it
 * with the node), ending any loan of a previous pass. Leaves have theirs. */
static void own_grad(mg_tensor *t)
{
    if (t->grad_store)
        t->grad = t->grad_store;
}

/* Whether operand `which` (p) of t gets t's gradient as it is, element for
 * element: through a reshape, and through + (and -'s first operand) when p
 * has the result's shape. Backward then lends p t's buffer instead of
 * copying it into p's (PyTorch's AddBackward hands its grad on the same way). */
static int passes_through(const mg_tensor *t, int which, const mg_tensor *p)
{
    switch (t->op) {
    case MG_T_RESHAPE: return 1;
    case MG_T_ADD: return p->numel == t->numel;
    case MG_T_SUB: return which == 0 && p->numel == t->numel;
    default: return 0;
    }
}

/* Whether operand `which` of t can take its share as gp = lent + share, in
 * one pass, where its gradient so far is a buffer lent to it: x of a layer
 * norm, the residual stream after the + that lent it its gradient
 * (propagate_layer_norm adds its share to the loan). */
static int adds_from_lent(const mg_tensor *t, int which)
{
    return t->op == MG_T_LAYER_NORM && which == 0;
}

/* The grad buffer of operand header pv if it needs one, else NULL; marks it
 * reached. *fresh says whether this is an interior node's first contribution
 * in this pass, which replaces its old gradient (leaves always add). A second
 * contribution to an operand holding a lent buffer ends the loan, so the
 * lender's gradient is never changed: *lent is that buffer when t's backward
 * adds from it (adds_from_lent), else it is copied into the operand's own. */
static void *claim(const mg_tensor *t, int which, mg_value *pv, int *fresh, const void **lent)
{
    *fresh = 0;
    *lent = NULL;
    mg_tensor *p = pv->tensor;
    if (!p->requires_grad)
        return NULL;
    p->grad_causal = 0; /* a causal softmax's backward sets it again after its write */
    if (!(pv->flags & MG_FLAG_SEEN)) {
        pv->flags |= MG_FLAG_SEEN;
        *fresh = pv->op != MG_OP_LEAF;
    }
    if (t->op != MG_T_ATTN_SCORES)
        settle_qk(p);
    if (!*fresh && p->grad_store && p->grad != p->grad_store) {
        if (adds_from_lent(t, which))
            *lent = p->grad;
        else
            memcpy(p->grad_store, p->grad, (size_t)p->numel * mg_dtype_size(p->dtype));
    }
    own_grad(p);
    return p->grad;
}

/* Lends t's gradient to operand header pv when it passes through unchanged
 * and this is pv's first contribution; returns whether it did. */
static int lend(const mg_tensor *t, int which, mg_value *pv)
{
    mg_tensor *p = pv->tensor;
    if (!p->requires_grad || (pv->flags & MG_FLAG_SEEN) || pv->op == MG_OP_LEAF
        || !passes_through(t, which, p))
        return 0;
    pv->flags |= MG_FLAG_SEEN;
    p->grad = t->grad;
    p->grad_causal = 0;
    return 1;
}

/* Each operand's gradient buffer for one node's backward: NULL where the
 * operand needs none (left out, no grad, or lent t's buffer). */
typedef struct operand_grads {
    void *gp[MG_MAX_OPERANDS];
    int fresh[MG_MAX_OPERANDS];
    const void *lent[MG_MAX_OPERANDS]; /* see claim(): only adds_from_lent ops get one */
} operand_grads;

/* How one node hands its gradient to all its operands. */
typedef void tensor_propagate_fn(const mg_tensor *t, const operand_grads *g);

/* The usual way: each operand's share alone, in operand order. */
static void propagate_each(const mg_tensor *t, const operand_grads *g)
{
    for (int i = 0; i < tensor_ops[t->op].arity; i++)
        if (g->gp[i])
            backward_of[t->op](t, i, g->gp[i], g->fresh[i]);
}

/* x's share, added to the buffer its residual stream lent it when there is
 * one; gamma's and beta's together, from one pass over dy. */
static void propagate_layer_norm(const mg_tensor *t, const operand_grads *g)
{
    if (g->gp[0] && g->lent[0])
        layer_norm_x(t, g->gp[0], g->lent[0]);
    else if (g->gp[0])
        backward_layer_norm(t, 0, g->gp[0], g->fresh[0]);
    if (g->gp[1] || g->gp[2])
        layer_norm_params(t, g->gp[1], g->fresh[1], g->gp[2], g->fresh[2]);
}

/* The bias's share first, while dy is still in cache from the node that wrote
 * it: its column sums had come after both GEMMs, which pushed dy out (a GPT
 * step 0.4-0.6 ms shorter). Operand order otherwise: a share that adds to
 * another operand's buffer must come after the one that wrote it fresh. */
static void propagate_linear(const mg_tensor *t, const operand_grads *g)
{
    const int bias_apart = g->gp[2] && g->gp[2] != g->gp[0] && g->gp[2] != g->gp[1];
    if (bias_apart)
        backward_linear(t, 2, g->gp[2], g->fresh[2]);
    for (int i = 0; i < (bias_apart ? 2 : 3); i++)
        if (g->gp[i])
            backward_linear(t, i, g->gp[i], g->fresh[i]);
}

/* The ops whose operands' shares are not independent passes; the rest: NULL. */
static tensor_propagate_fn *const propagate_of[MG_T_COUNT] = {
    [MG_T_LAYER_NORM] = propagate_layer_norm,
    [MG_T_LINEAR] = propagate_linear,
};

/* Every operand's buffer is claimed first, so that an op handing several
 * operands their shares in one pass (propagate_of) has them all. */
void tensor_propagate(mg_value *v)
{
    settle_qk(v->tensor); /* its own gradient whole before it is handed on */
    const mg_tensor *t = v->tensor;
    operand_grads g = { { NULL }, { 0 }, { NULL } };
    for (int i = 0; i < tensor_ops[t->op].arity; i++) {
        mg_value *pv = operand_node(t, i);
        /* an optional operand left out: layer norm's gamma or beta, linear's bias */
        if (pv && !lend(t, i, pv))
            g.gp[i] = claim(t, i, pv, &g.fresh[i], &g.lent[i]);
    }
    tensor_propagate_fn *propagate = propagate_of[t->op];
    (propagate ? propagate : propagate_each)(t, &g);
}

void tensor_unreached(mg_value *v)
{
    mg_tensor *t = v->tensor;
    if (t->requires_grad && !t->grad) {
        own_grad(t);
        mg_tensor_zero_grad(t);
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
    own_grad(t);
    if (t->dtype == MG_F32)
        *(float *)t->grad = (float)one;
    else
        *(double *)t->grad = one;
    return MG_OK;
}

mg_code mg_tensor_edge_contribution(const mg_tensor *t, int which, void *buf)
{
    if (!t || !buf || which < 0 || which >= tensor_ops[t->op].arity || !t->grad
        || !operand_node(t, which))
        return MG_EINVAL;
    if (!operand(t, which)->requires_grad)
        return MG_EINVAL;
    backward_of[t->op](t, which, buf, 1);
    return MG_OK;
}

mg_code mg_tensor_backward(mg_tensor *root)
{
    return root ? mg_backward(root->node) : MG_EINVAL;
}

mg_code mg_tensor_backward_seeded(mg_tensor *t, const double *seed)
{
    if (!t || !seed)
        return MG_EINVAL;
    if (!t->requires_grad)
        return mg_graph_fail(t->node->graph, MG_EINVAL,
                             "backward: tensor %u does not require grad (no parameter reaches it)",
                             t->node->id);
    own_grad(t); /* an op result's own buffer, not one lent in an earlier pass */
    for (int i = 0; i < t->numel; i++) {
        double x = seed[i] + (t->op == MG_T_LEAF ? mg_tensor_grad_at(t, i) : 0.0);
        if (t->dtype == MG_F32)
            ((float *)t->grad)[i] = (float)x;
        else
            ((double *)t->grad)[i] = x;
    }
    return backward_walk_seeded(t->node);
}

/* tensor_attention.c — multi-head attention's two products, read in place
 * from the fused qkv [B,T,3C] (q, k and v side by side along the last axis,
 * head h's D = C/H columns of each at h·D): scores = q·kᵀ per (sequence,
 * head), and the weights' mix of v written with the heads side by side
 * again. No slice, head transpose or kᵀ is copied, in either direction: each
 * product is a GEMM over strided operands (tensor_grid), as PyTorch's
 * batched matmul reads a transposed view. */
#include "tensor_internal.h"

/* One operand of a grid: matrix (o, i) at p + o·outer + i·inner, rows ld apart. */
typedef struct grid_mat {
    const void *p;
    int ld;
    long outer, inner;
} grid_mat;

/* The sizes of attention over qkv with H heads. */
typedef struct heads {
    int B, T, C, H, D;
} heads;

static heads heads_of(const mg_tensor *qkv, int H)
{
    const int C = qkv->shape[2] / 3;
    return (heads){ qkv->shape[0], qkv->shape[1], C, H, C / H };
}

/* Part `part` (0 q, 1 k, 2 v) of qkv (data or grad at p): [T,D] per (b, h). */
static grid_mat qkv_part(const void *p, mg_dtype dt, heads s, int part)
{
    return (grid_mat){ tensor_elem(p, dt, (size_t)part * s.C), 3 * s.C, (long)s.T * 3 * s.C, s.D };
}

/* [B,H,T,T] (scores, weights, their grads): [T,T] per (b, h). */
static grid_mat square(const void *p, heads s)
{
    return (grid_mat){ p, s.T, (long)s.H * s.T * s.T, (long)s.T * s.T };
}

/* [B,T,C] with the heads side by side (attn_mix's result and grad): [T,D] per (b, h). */
static grid_mat merged(const void *p, heads s)
{
    return (grid_mat){ p, s.C, (long)s.T * s.C, s.D };
}

/* The grid C = op(A)·op(B) + beta·C for every (b, h): M×N from K, op(A) zero where
 * az says (checked: in the products whose A is found to be). */
static tensor_grid grid_of(heads s, int ta, int tb, int M, int N, int K, grid_mat a, grid_mat b,
                           grid_mat c, double beta, mg_gemm_zeros az, int checked)
{
    return (tensor_grid){ .ta = ta, .tb = tb, .M = M, .N = N, .K = K, .outer = s.B,
                          .inner = s.H, .A = a.p, .B = b.p, .C = (void *)c.p, .lda = a.ld,
                          .ldb = b.ld, .ldc = c.ld, .a_outer = a.outer, .a_inner = a.inner,
                          .b_outer = b.outer, .b_inner = b.inner, .c_outer = c.outer,
                          .c_inner = c.inner, .beta = beta, .a_zeros = az,
                          .a_zeros_checked = checked };
}

static void products(mg_dtype dt, heads s, int ta, int tb, int M, int N, int K, grid_mat a,
                     grid_mat b, grid_mat c, double beta, mg_gemm_zeros az)
{
    const tensor_grid g = grid_of(s, ta, tb, M, N, K, a, b, c, beta, az, 0);
    loops_of(dt)->gemm_grids(&g, 1);
}

static const mg_gemm_zeros dense = { MG_GEMM_DENSE, 0 };

/* Where weights [B,H,T,T] are zero: above the diagonal `offset` of each [T,T] when a
 * causal softmax over them wrote them (it writes key j > query i + offset as exact 0);
 * transposed (for Wᵀ), below the mirrored one. About half of the mix's multiply-adds
 * and of dv's are by those zeros, and skipping them changes no sum (mg_sgemm_zeros). */
static mg_gemm_zeros weights_zeros(const mg_tensor *w, int transposed)
{
    if (w->op != MG_T_CAUSAL_SOFTMAX)
        return dense;
    return transposed ? (mg_gemm_zeros){ MG_GEMM_ZERO_BELOW, -w->axis }
                      : (mg_gemm_zeros){ MG_GEMM_ZERO_ABOVE, w->axis };
}

/* qkv is [B,T,3C] with C a multiple of heads; NULL-free and usable. */
static int qkv_fits(mg_tensor *qkv, int heads, const char *opname)
{
    if (qkv->ndim == 3 && heads >= 1 && qkv->shape[2] % (3 * heads) == 0)
        return 1;
    char s[64];
    mg_tensor_shape_str(qkv, s, sizeof s);
    mg_graph_fail(qkv->node->graph, MG_ESHAPE,
                  "%s: qkv of shape %s is not [B,T,3C] with C a multiple of %d heads", opname,
                  s, heads);
    return 0;
}

mg_tensor *mg_tensor_attn_scores(mg_tensor *qkv, int heads_count)
{
    if (!tensor_check_one(qkv, "attn_scores") || !qkv_fits(qkv, heads_count, "attn_scores"))
        return NULL;
    const heads s = heads_of(qkv, heads_count);
    mg_tensor *t = tensor_node(qkv->node->graph, MG_T_ATTN_SCORES, qkv, NULL, qkv->dtype, 4,
                               (const int[]){ s.B, s.H, s.T, s.T });
    if (!t)
        return NULL;
    t->axis = s.H;
    products(t->dtype, s, 0, 1, s.T, s.T, s.D, qkv_part(qkv->data, t->dtype, s, 0),
             qkv_part(qkv->data, t->dtype, s, 1), square(t->data, s), 0.0, dense);
    return t;
}

mg_tensor *mg_tensor_attn_mix(mg_tensor *weights, mg_tensor *qkv)
{
    if (!tensor_check_pair(weights, qkv, "attn_mix"))
        return NULL;
    const int H = weights->ndim == 4 ? weights->shape[1] : 0;
    if (!qkv_fits(qkv, H, "attn_mix"))
        return NULL;
    const heads s = heads_of(qkv, H);
    if (weights->shape[0] != s.B || weights->shape[2] != s.T || weights->shape[3] != s.T) {
        tensor_fail_shapes(weights, qkv, "attn_mix", "are not [B,H,T,T] and [B,T,3C]");
        return NULL;
    }
    mg_tensor *t = tensor_node(qkv->node->graph, MG_T_ATTN_MIX, weights, qkv, qkv->dtype, 3,
                               (const int[]){ s.B, s.T, s.C });
    if (!t)
        return NULL;
    t->axis = s.H;
    products(t->dtype, s, 0, 0, s.T, s.D, s.T, square(weights->data, s),
             qkv_part(qkv->data, t->dtype, s, 2), merged(t->data, s), 0.0,
             weights_zeros(weights, 0));
    return t;
}

/* dq = dS·k and dk = dSᵀ·q into their parts of qkv's gradient gp (beta 0
 * writes them, 1 adds), both products of a (b, h) in turn (gemm_grids), so its
 * dS is read from memory once.
 * A causal softmax's backward (the scores' one consumer in a GPT) leaves dS 0
 * above the diagonal: then dq's row i sums keys j <= i only and dk's row j
 * queries i >= j only, and the zero terms, half of each product, are skipped
 * (mg_sgemm_zeros: no sum changes). Unless zeros_known (that backward wrote
 * dS whole: grad_causal), each [T,T] of dS is scanned for them first, in the
 * product, as another consumer's gradient may have filled them. */
void tensor_attn_scores_bwd(const mg_tensor *t, void *gp, double beta, int zeros_known)
{
    const mg_tensor *qkv = mg_tensor_parent(t, 0);
    const heads s = heads_of(qkv, t->axis);
    const mg_dtype dt = t->dtype;
    const tensor_grid g[2] = {
        grid_of(s, 0, 0, s.T, s.D, s.T, square(t->grad, s), qkv_part(qkv->data, dt, s, 1),
                qkv_part(gp, dt, s, 0), beta, (mg_gemm_zeros){ MG_GEMM_ZERO_ABOVE, 0 },
                !zeros_known),
        grid_of(s, 1, 0, s.T, s.D, s.T, square(t->grad, s), qkv_part(qkv->data, dt, s, 0),
                qkv_part(gp, dt, s, 1), beta, (mg_gemm_zeros){ MG_GEMM_ZERO_BELOW, 0 },
                !zeros_known),
    };
    loops_of(dt)->gemm_grids(g, 2);
}

/* Operand 0, the weights: dW = dY·vᵀ (beta 0 overwrites gp); operand 1, qkv:
 * dv = Wᵀ·dY added into v's part of gp. */
void tensor_attn_mix_bwd(const mg_tensor *t, int which, void *gp, double beta)
{
    const mg_tensor *w = mg_tensor_parent(t, 0), *qkv = mg_tensor_parent(t, 1);
    const heads s = heads_of(qkv, t->axis);
    const mg_dtype dt = t->dtype;
    if (which == 0) {
        products(dt, s, 0, 1, s.T, s.T, s.D, merged(t->grad, s), qkv_part(qkv->data, dt, s, 2),
                 square(gp, s), beta, dense);
        return;
    }
    tensor_grid g = grid_of(s, 1, 0, s.T, s.D, s.T, square(w->data, s), merged(t->grad, s),
                            qkv_part(gp, dt, s, 2), beta, weights_zeros(w, 1), 0);
    g.a_far = 1; /* the weights, from the forward */
    loops_of(dt)->gemm_grids(&g, 1);
}

/* tensor_internal.h — what the tensor files share: node creation, broadcast
 * layouts and the per-dtype numeric loops (tensor_loops.c). */
#ifndef MG_TENSOR_INTERNAL_H
#define MG_TENSOR_INTERNAL_H

#include "graph_internal.h"
#include "kernels_isa.h"
#include "mg_tensor.h"

/* What a tensor op keeps besides its operands (mg_tensor_ops.def). */
typedef enum tensor_attrs {
    TA_NONE,         /* nothing */
    TA_K,            /* t->k: the exponent of ** */
    TA_AXIS,         /* t->axis */
    TA_AXIS_KEEPDIM, /* t->axis (an index or MG_AXIS_ALL) and t->keepdim */
    TA_AXES,         /* t->axis and t->axis2 */
    TA_LABELS,       /* the class labels in t->aux (tensor_ce_labels) */
    TA_CAUSAL,       /* t->k: the scale, t->axis: the offset of the causal mask */
    TA_EPS,          /* t->k: layer norm's epsilon */
    TA_IDS,          /* the looked-up ids in t->aux (tensor_embedding_ids) */
    TA_DROPOUT,      /* t->k: p, and the seed in t->aux (tensor_dropout_seed) */
    TA_SLICE,        /* t->axis, t->axis2: the axis and the start */
    TA_HEADS         /* t->axis: attention heads */
} tensor_attrs;

/* One row of mg_tensor_ops.def, as data. */
typedef struct tensor_op_info {
    const char *name;
    int arity;
    mg_op twin;          /* the header's scalar op */
    tensor_attrs attrs;
} tensor_op_info;

/* Indexed by mg_top; tensor.c builds it from mg_tensor_ops.def. */
extern const tensor_op_info tensor_ops[MG_T_COUNT];

/* How two shapes broadcast: the output shape right-aligned into 4 dims, and
 * each operand's element strides over those dims (0 where it is broadcast). */
typedef struct tensor_bcast {
    int dims[MG_TENSOR_MAX_DIMS];
    int sa[MG_TENSOR_MAX_DIMS], sb[MG_TENSOR_MAX_DIMS];
    int n;    /* output numel */
    int same; /* a, b and the output have one shape: flat loops suffice */
} tensor_bcast;

/* A reduction or softmax axis seen as outer × n × inner over a contiguous tensor. */
typedef struct tensor_axis {
    int outer, n, inner;
} tensor_axis;

/* A grid of outer × inner matrix products C = op(A)·op(B) + beta·C over
 * strided operands: product (o, i) reads X + o·x_outer + i·x_inner for each
 * of A, B, C (the batches and heads of attention, read in place). Every op(A)
 * is zero where a_zeros says (mg_gemm_zeros; {0} when dense): the products skip
 * those terms. */
typedef struct tensor_grid {
    int ta, tb, M, N, K, outer, inner;
    const void *A, *B;
    void *C;
    int lda, ldb, ldc;
    long a_outer, a_inner, b_outer, b_inner, c_outer, c_inner;
    double beta;
    mg_gemm_zeros a_zeros;
    int a_zeros_checked; /* a_zeros only for products whose A has them (found by a scan) */
    int a_far;           /* A was written long before (in the forward): each product reads
                          * it once first, in order (tensor_grid_small.h) */
} tensor_grid;

/* How an optimiser step reads its grads: each multiplied by scale first when
 * scaled (clipping's factor; the same bits scale() would leave, the grads
 * themselves untouched), and set to 0 right after the step has read it when
 * zero (the line still in cache: no second pass, no read for ownership). */
typedef struct optim_grads {
    int scaled, zero;
    double scale;
} optim_grads;

/* The numeric loops of one dtype (tensor_loops.h), each run on the kernel
 * pool when big enough. Backward loops ADD into their output, or overwrite it
 * when acc is 0 (a gradient's first contribution in a pass). */
typedef struct tensor_loops {
    void (*binary_fwd)(const tensor_bcast *bc, mg_top op, const void *a, const void *b, void *out);
    /* which = 0: gradient of a, 1: of b; gp has that operand's shape; acc = 0
     * only when that operand has the output's shape */
    void (*binary_bwd)(const tensor_bcast *bc, mg_top op, int which, const void *a, const void *b,
                       const void *g, void *gp, int acc);
    void (*unary_fwd)(mg_top op, int n, double k, const void *a, void *out);
    void (*unary_bwd)(mg_top op, int n, double k, const void *a, const void *out, const void *g,
                      void *ga, int acc);
    void (*reduce_fwd)(mg_top op, tensor_axis ax, const void *a, void *out, int32_t *argmax);
    void (*reduce_bwd)(mg_top op, tensor_axis ax, const void *a, const void *out,
                       const int32_t *argmax, const void *g, void *ga);
    /* over 4 dims: dst (element strides ds) = src (strides ss), or += when add */
    void (*copy)(const int *dims, const int *ss, const int *ds, const void *src, void *dst,
                 int add);
    void (*gemm)(int ta, int tb, int M, int N, int K, const void *A, int lda, const void *B,
                 int ldb, double beta, void *C, int ldc);
    /* C[M×N] = A[M×K]·B[K×N] + bias (bias[j] on every row's column j), contiguous */
    void (*gemm_bias)(int M, int N, int K, const void *A, const void *B, const void *bias,
                      void *C);
    /* count products, matrix i at X + i·stride_x (0 shares one) */
    void (*gemm_batch)(int ta, int tb, int M, int N, int K, const void *A, int lda, long sa,
                       const void *B, int ldb, long sb, double beta, void *C, int ldc, long sc,
                       int count);
    /* every product of count (1 or 2) grids of one outer × inner, products side by
     * side on the pool, an item's products of both grids on one thread in turn */
    void (*gemm_grids)(const tensor_grid *grids, int count);
    void (*log_softmax_fwd)(tensor_axis ax, const void *a, void *out);
    void (*log_softmax_bwd)(tensor_axis ax, const void *out, const void *g, void *ga, int acc);
    void (*softmax_fwd)(tensor_axis ax, const void *a, void *out);
    void (*softmax_bwd)(tensor_axis ax, const void *out, const void *g, void *ga, int acc);
    /* softmax(scale·a) over rows of cols, row r being query r % tq: entry j takes part
     * when j <= r % tq + offset; others, and rows with none taking part, give 0 */
    void (*causal_softmax_fwd)(int rows, int cols, int tq, int offset, double scale,
                               const void *a, void *out);
    void (*causal_softmax_bwd)(int rows, int cols, int tq, int offset, double scale,
                               const void *out, const void *g, void *ga, int acc);
    /* over rows of cols: out = (a - mean)·rstd·gamma + beta (gamma NULL: 1; beta
     * NULL: 0, and NULL without gamma), keeping stats[2r] = mean, stats[2r+1] =
     * rstd; backward to a, and to gamma and beta in one pass.
     * backward to a writes ga = base + da: base NULL overwrites, base == ga adds,
     * another buffer (a gradient lent to a) adds to it without copying it first.
     * backward to the params adds into ggamma, and into gbeta when beta_acc, else
     * overwrites it; either may be NULL, and they are two buffers */
    void (*layer_norm_fwd)(int rows, int cols, double eps, const void *a, const void *gamma,
                           const void *beta, void *out, double *stats);
    void (*layer_norm_bwd_x)(int rows, int cols, const void *a, const void *gamma,
                             const double *stats, const void *g, void *ga, const void *base);
    void (*layer_norm_bwd_params)(int rows, int cols, const void *a, const double *stats,
                                  const void *g, void *ggamma, void *gbeta, int beta_acc);
    /* out row i = w row ids[i] (rows of cols); backward adds g row i into gw row ids[i] */
    void (*embedding_fwd)(int count, int cols, const int32_t *ids, const void *w, void *out);
    void (*embedding_bwd)(int count, int cols, const int32_t *ids, const void *g, void *gw);
    /* out[i] = (or += when add) a[i]/(1 - p) where element i is kept, else 0 */
    void (*dropout)(int n, double p, uint64_t seed, int add, const void *a, void *out);
    /* mean over rows of -logp[i][labels[i]]; backward adds scale·(p - onehot) */
    double (*nll_fwd)(int rows, int classes, const void *logp, const int32_t *labels);
    void (*nll_bwd)(int rows, int classes, const void *logp, const int32_t *labels, double scale,
                    void *ga, int acc);
    /* MSE and BCE-with-logits: sums over n elements; backward adds scale·d/dx */
    double (*pair_loss_fwd)(mg_top op, int n, const void *a, const void *b);
    void (*pair_loss_bwd)(mg_top op, int which, int n, const void *a, const void *b, double scale,
                          void *gp);
    /* dst[i] += s·src[i] */
    void (*add_scaled)(int n, double s, const void *src, void *dst);
    /* x[i] *= s */
    void (*scale)(int n, double s, void *x);
    /* Σ x[i]², accumulated in double in fixed blocks */
    double (*sum_squares)(int n, const void *x);
    /* SGD: v = momentum·v + (g + wd·p) (v unused when momentum == 0); p -= lr·v;
     * g read as gr says */
    void (*sgd)(int n, double lr, double momentum, double wd, const optim_grads *gr, void *p,
                void *g, void *v);
    /* Adam (PyTorch's): L2 weight decay wd added to g, or with decoupled (AdamW) p
     * shrunk by lr·wd; m, v moments, c1/c2 bias corrections; g read as gr says */
    void (*adam)(int n, double lr, double b1, double b2, double eps, double wd, int decoupled,
                 double c1, double c2, const optim_grads *gr, void *p, void *g, void *m,
                 void *v);
} tensor_loops;

/* The loops are compiled once per kernel build (kernels_isa.h): [build][dtype]. */
extern const tensor_loops *const tensor_loops_by_isa[MG_ISA_COUNT][2];

/* The loops of dtype dt in the kernel build chosen for this CPU. */
static inline const tensor_loops *loops_of(mg_dtype dt)
{
    return tensor_loops_by_isa[mg_kernel_isa()][dt == MG_F64];
}

/* A new tensor node with its header, payload and buffers; NULL with the
 * graph's error set. a and b (may be NULL) become the header's parents; the
 * result requires grad when a parent does. Data is not initialised. */
mg_tensor *tensor_node(mg_graph *g, mg_top op, mg_tensor *a, mg_tensor *b, mg_dtype dt,
                       int ndim, const int *shape);
/* tensor_node() with a third operand c (NULL for none; only with b): it is
 * the payload's `third`, the header holding two. */
mg_tensor *tensor_node3(mg_graph *g, mg_top op, mg_tensor *a, mg_tensor *b, mg_tensor *c,
                        mg_dtype dt, int ndim, const int *shape);
/* tensor_node() whose data is `data` (row-major for shape) instead of a new
 * buffer: a view of an operand's data, or of part of it. Grad is its own. */
mg_tensor *tensor_view(mg_graph *g, mg_top op, mg_tensor *a, mg_tensor *b, mg_dtype dt,
                       int ndim, const int *shape, void *data);
/* Sets `bytes` bytes at p to 0, on the kernel pool when that is worth it. */
void tensor_clear(void *p, size_t bytes);
/* Sets the first `bytes` bytes of each of `rows` rows, `stride` bytes apart, to 0. */
void tensor_clear_rows(void *p, int rows, size_t bytes, size_t stride);
/* True if t still exists in its graph; records an error naming opname if not. */
int tensor_usable(const mg_tensor *t, const char *opname);
/* The axis (negative counts from the end) as an index, or -1 if out of range. */
int tensor_norm_axis(const mg_tensor *t, int axis);
/* t's layout around axis ax (MG_AXIS_ALL: everything in n). */
tensor_axis tensor_axis_of(const mg_tensor *t, int ax);
/* Broadcast layout of a and b; 0 on success, -1 when the shapes do not fit. */
int tensor_broadcast(const mg_tensor *a, const mg_tensor *b, tensor_bcast *bc, int *ndim,
                     int *shape);
/* Output dims of a transpose of a (axes d0, d1) and the source stride of each. */
void tensor_transpose_layout(const mg_tensor *a, int d0, int d1, int *dims, int *strides);
/* Element strides of a contiguous array over 4 dims. */
void tensor_dense_strides(const int *dims, int *strides);
/* Slice t of a: 4 copy dims, a's strides (src), t's (dst), and the offset of
 * t's first element in a. */
void tensor_slice_layout(const mg_tensor *a, const mg_tensor *t, int *dims, int *src,
                         int *dst, size_t *offset);
/* Operand `which` (part) of concat t: 4 copy dims, part's strides (src), t's
 * (dst), and the offset of part's first element in t. */
void tensor_concat_layout(const mg_tensor *t, const mg_tensor *part, int which, int *dims,
                          int *src, int *dst, size_t *offset);
/* A causal softmax operand [..., tq, cols] as rows of cols. */
void tensor_causal_layout(const mg_tensor *a, int *rows, int *cols, int *tq);
/* What layer norm, embedding and dropout nodes keep in aux: per-row mean and
 * 1/std, the ids, the seed. */
const double *tensor_layer_norm_stats(const mg_tensor *t);
const int32_t *tensor_embedding_ids(const mg_tensor *t);
uint64_t tensor_dropout_seed(const mg_tensor *t);
/* Checks shared by the ops: the operand exists and is usable; both exist, in one
 * graph, of one dtype; an axis exists (its index, or -1 with an error recorded;
 * MG_AXIS_ALL passes). A shape error names both shapes and why they do not fit. */
int tensor_check_one(mg_tensor *a, const char *opname);
int tensor_check_pair(mg_tensor *a, mg_tensor *b, const char *opname);
int tensor_op_axis(mg_tensor *a, int axis, const char *opname);
int tensor_one_axis(mg_tensor *a, int axis, const char *opname); /* refuses MG_AXIS_ALL */
void tensor_fail_shapes(const mg_tensor *a, const mg_tensor *b, const char *opname,
                        const char *why);
/* The labels a cross-entropy node t over logits keeps in its aux buffer. */
const int32_t *tensor_ce_labels(const mg_tensor *t, const mg_tensor *logits);
/* tensor_names.c: the names set on axis (0 <= axis < ndim) and their count,
 * or NULL and 0. */
const char *const *tensor_names_of(const mg_tensor *t, int axis, int *count);

/* tensor_attention.c: the chain rule of attn_scores (into qkv's gradient gp:
 * its q and k parts only) and of attn_mix (operand 0, the weights, or 1, qkv:
 * its v part only); beta 0 overwrites, 1 adds. */
void tensor_attn_scores_bwd(const mg_tensor *t, void *gp, double beta, int zeros_known);
void tensor_attn_mix_bwd(const mg_tensor *t, int which, void *gp, double beta);

/* Batch count of a matmul operand: every dim before the last two. */
static inline int tensor_batch(const mg_tensor *t)
{
    return t->numel / (t->shape[t->ndim - 2] * t->shape[t->ndim - 1]);
}

/* Element i of a buffer of dtype dt. */
static inline void *tensor_elem(const void *p, mg_dtype dt, size_t i)
{
    return (char *)p + i * (dt == MG_F32 ? sizeof(float) : sizeof(double));
}

#endif

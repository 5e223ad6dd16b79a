/* mg_tensor.h — tensor autograd in the same graph as scalar values.
 *
 *     mg_graph *g = mg_graph_new();
 *     int xs[] = { 64, 784 }, ws[] = { 784, 128 };
 *     mg_tensor *x = mg_tensor_input(g, MG_F32, 2, xs);       // data to fill
 *     mg_tensor *w = mg_tensor_param(g, MG_F32, 2, ws);       // requires grad
 *     mg_tensor *loss = mg_tensor_cross_entropy(mg_tensor_matmul(x, w), labels);
 *     mg_tensor_backward(loss);                                // w->grad filled
 *
 * Design. A tensor node is one slot of the graph's node table, like a scalar:
 * an mg_value header with MG_FLAG_TENSOR set, whose id, scope and label work
 * as for scalars, whose a/b point to the parents' headers (a third, linear's
 * bias or layer norm's beta, is the payload's `third`: mg_value stays small),
 * and whose `tensor` field (it shares storage with `data`) leads to the
 * payload below. The payload and its data/grad buffers come from the graph's
 * byte arena (mg_graph_alloc), so they rewind with marks and resets:
 * parameters created before mg_graph_keep() survive, and a warm training step
 * allocates nothing.
 * mg_backward() stays one reverse walk over the one node table; a tensor
 * header sends its gradient to its parents with the formulas PyTorch uses.
 *
 * The header's op is the scalar op when the meaning is the same (+ - * / neg
 * exp log tanh relu sigmoid **), so labels match the scalar graph, and
 * MG_OP_TENSOR for the others (matmul, sum, ..., and bce, which has two
 * tensor parents where the scalar op has one); mg_tensor_op_name() names
 * every op and mg_value_op_label() gives a tensor's full label.
 *
 * Tensors are row-major and contiguous, float32 or float64, 0 to 4 dims.
 * Only leaves made with mg_tensor_param() (or mg_tensor_set_requires_grad)
 * require a gradient, as in PyTorch; an op's result requires one when a
 * parent does, and only then gets a grad buffer. Inputs get no gradient, so
 * backward skips work nobody reads (the input side of the first matmul).
 *
 * Precision: float32 tensors compute elementwise in float; every sum kept in
 * a local accumulator (sum, mean, softmax's normaliser, layer norm's
 * statistics, the losses) is a double, rounded once when stored; gradients
 * accumulate in the tensor's dtype; matmul is GEMM's (mg_kernels.h states the
 * rule). Each numeric kernel has one implementation: the loops in
 * tensor_loops.h, or the kernel of mg_kernels.h they call.
 *
 * Errors are the graph's sticky errors (mg_graph.h): an op given shapes that
 * do not fit records a message naming both shapes and returns NULL; an op
 * given NULL returns NULL. Math that is undefined gives NaN/Inf, as PyTorch.
 *
 * For a visualiser: shape, ndim, dtype, data and grad below, op via
 * mg_tensor_op_name(), parents via mg_tensor_parent(), id/scope/label via
 * t->node exactly as for scalars (mg_graph_node() returns tensor headers too;
 * check MG_FLAG_TENSOR before reading a header's `data`).
 *
 * For the PyTorch parity checks and the graph JSON, mg_tensor_json_fields()
 * writes what a tensor node adds to the team's "mgviz-graph" node object:
 * dtype, shape, the op's attributes and data/grad as flat row-major arrays,
 * so a script can rebuild the same ops in torch and compare element by
 * element (tests/parity/test_tensor_parity.py does, for every op); a graph exporter
 * calls it for MG_FLAG_TENSOR headers. */
#ifndef MG_TENSOR_H
#define MG_TENSOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mg_gradcheck.h"
#include "mg_value.h"

MG_EXTERN_C_BEGIN

enum { MG_TENSOR_MAX_DIMS = 4 };

typedef enum mg_dtype { MG_F32 = 0, MG_F64 = 1 } mg_dtype;

/* Tensor ops (the payload's op): MG_T_LEAF, MG_T_ADD, ..., one per row of
 * mg_tensor_ops.def, which also gives each op's name, arity and attributes. */
typedef enum mg_top {
#define MG_TENSOR_OP(id, name, arity, twin, attrs, backward) MG_T_##id,
#include "mg_tensor_ops.def"
#undef MG_TENSOR_OP
    MG_T_COUNT
} mg_top;

/* Reductions over every element use this axis. */
#define MG_AXIS_ALL (-128)

typedef struct mg_tensor {
    mg_value *node;       /* header in the node table: id, scope, label, parents */
    void *data;           /* numel elements of dtype, row-major */
    void *grad;           /* same layout; NULL when no gradient is required, and on an op
                           * result until a backward pass reaches it (or passes it by, as
                           * zeros): its first contribution writes it, nothing is cleared
                           * to be added into; mg_tensor_grad_at() reads 0 while NULL.
                           * When a + or a reshape passes its gradient on unchanged to this
                           * node, as its only contribution in the pass, grad is that
                           * node's buffer, lent (read it, never write it: the
                           * lender's gradient is the same numbers) */
    int shape[MG_TENSOR_MAX_DIMS];
    int ndim;             /* 0 (one element) to MG_TENSOR_MAX_DIMS */
    int numel;            /* product of the shape (1 for ndim 0) */
    mg_dtype dtype;
    uint8_t op;           /* an mg_top */
    uint8_t requires_grad;
    uint8_t keepdim;      /* reductions */
    uint8_t qk_unset;     /* internal to backward: an attention qkv whose gradient's q and
                           * k thirds this pass has not written yet (tensor_backward.c) */
    uint8_t grad_causal;  /* internal to backward: a causal softmax's backward wrote this
                           * gradient whole this pass, exact zeros above the diagonal of its
                           * last two axes (attn_scores' backward skips them unscanned) */
    int axis, axis2;      /* reductions, log_softmax: axis; transpose: both */
    double k;             /* MG_T_POW's exponent */
    void *aux;            /* op state kept for backward (labels, argmax, probs) */
    struct mg_tensor_names *names; /* position names (mg_tensor_set_names) */
    void *grad_store;     /* an op result's grad buffer, allocated with it (so marks and
                           * resets keep node and buffer together); grad points here once
                           * backward has reached or passed the node, unless it was lent
                           * another (see grad) */
    mg_value *third;      /* the header's third operand (linear's bias, layer norm's
                           * beta), NULL for the others: kept here so scalar nodes stay
                           * two pointers wide; read it through mg_node_operands() or
                           * mg_tensor_parent() */
} mg_tensor;

/* Leaf kinds. */
typedef enum mg_tensor_kind {
    MG_TENSOR_INPUT = 0, /* data the program feeds; no gradient unless asked */
    MG_TENSOR_PARAM,     /* trainable: requires grad */
    MG_TENSOR_CONST      /* a constant the program wrote */
} mg_tensor_kind;

/* ---- leaves ---- */
/* A new zero-filled leaf of the given shape (ndim 0..4, every dim >= 1), or
 * NULL with the graph's error set. */
MG_API mg_tensor *mg_tensor_new(mg_graph *g, mg_dtype dt, int ndim, const int *shape,
                         mg_tensor_kind kind);
/* Shorthands for mg_tensor_new with MG_TENSOR_INPUT / MG_TENSOR_PARAM. */
MG_API mg_tensor *mg_tensor_input(mg_graph *g, mg_dtype dt, int ndim, const int *shape);
MG_API mg_tensor *mg_tensor_param(mg_graph *g, mg_dtype dt, int ndim, const int *shape);
/* A 0-dim constant holding x. */
MG_API mg_tensor *mg_tensor_scalar(mg_graph *g, mg_dtype dt, double x);
/* Makes a leaf require (or not) a gradient; allocates its grad buffer, so
 * for a leaf that must survive resets, call it before mg_graph_keep(). */
MG_API mg_code mg_tensor_set_requires_grad(mg_tensor *t, int on);
/* Sets t's user label (mg_label); returns t. */
MG_API mg_tensor *mg_tensor_label(mg_tensor *t, const char *label);

/* ---- access ---- */
/* The payload of a tensor header, or NULL when v is not a tensor node. */
MG_API mg_tensor *mg_tensor_of(const mg_value *v);
/* Parent i (0 to MG_MAX_OPERANDS - 1) of t, or NULL. */
MG_API mg_tensor *mg_tensor_parent(const mg_tensor *t, int i);
/* Element i of data (or grad) in flat row-major order, as a double. */
MG_API double mg_tensor_get(const mg_tensor *t, int i);
MG_API double mg_tensor_grad_at(const mg_tensor *t, int i);
/* Sets element i of data. */
MG_API void mg_tensor_set(mg_tensor *t, int i, double x);
/* Copies n = numel doubles into data (converting to dtype). */
MG_API void mg_tensor_load(mg_tensor *t, const double *x);
/* Sets every element of data to x. */
MG_API void mg_tensor_fill(mg_tensor *t, double x);
/* Sets t's grad to 0 (no-op without a grad buffer). mg_graph_zero_grad()
 * clears scalar grads only; tensors use this or mg_optim_zero_grad(). */
MG_API void mg_tensor_zero_grad(mg_tensor *t);
/* Writes "[64,784]" into buf; returns the full length as snprintf does. */
MG_API size_t mg_tensor_shape_str(const mg_tensor *t, char *buf, size_t n);
/* "matmul", "sum", "+", "exp", "" for leaves, ... */
MG_API const char *mg_tensor_op_name(const mg_tensor *t);
/* The name of an op ("?" out of range), and its number of tensor operands
 * (0 for leaves, -1 out of range). */
MG_API const char *mg_top_name(mg_top op);
MG_API int mg_top_arity(mg_top op);
/* Writes the tensor members of t's graph-JSON node object, each preceded by
 * ", " so they append to the scalar members:
 *     , "dtype": "f32", "shape": [2,3], "attrs": {"axis": 1, "keepdim": true},
 *       "data": [..numel numbers..], "grad": [..] or null
 * attrs by op: sum/mean/max "axis" (an index, or "all") and "keepdim";
 * log_softmax, softmax, concat "axis"; transpose "axes": [d0,d1]; ** "k";
 * cross_entropy "labels": [..]; causal_softmax "scale", "offset";
 * layer_norm "eps"; embedding "ids": [..]; dropout "p", "seed"; slice
 * "axis", "start", "end"; attn_scores, attn_mix "heads"; {} otherwise.
 * Numbers are the shortest that read
 * back exactly in the dtype (mg_format_json_number), zero as 0. NaN and infinities, which JSON
 * lacks, are null in the array, and a companion array of the same length
 * follows ("data_str", "grad_str") holding "nan", "inf" or "-inf" there and
 * null elsewhere; it is written only when needed. A tensor with position
 * names (mg_tensor_set_names) adds "names": one entry per axis, null or the
 * array of its names as given (n, or shape[0]·n one batch row after another). */
MG_API void mg_tensor_json_fields(FILE *out, const mg_tensor *t);
/* The same without the data and grad arrays (dtype, shape, attrs, names):
 * for a reader that has the numbers elsewhere (the inspector page). */
MG_API void mg_tensor_json_shape(FILE *out, const mg_tensor *t);
/* Bytes per element of a dtype (4 or 8). */
MG_API size_t mg_dtype_size(mg_dtype dt);

/* ---- elementwise (NumPy broadcasting; both operands of one dtype) ---- */
MG_API mg_tensor *mg_tensor_add(mg_tensor *a, mg_tensor *b);
MG_API mg_tensor *mg_tensor_sub(mg_tensor *a, mg_tensor *b);
MG_API mg_tensor *mg_tensor_mul(mg_tensor *a, mg_tensor *b);
MG_API mg_tensor *mg_tensor_div(mg_tensor *a, mg_tensor *b);
MG_API mg_tensor *mg_tensor_neg(mg_tensor *a);
MG_API mg_tensor *mg_tensor_exp(mg_tensor *a);
MG_API mg_tensor *mg_tensor_log(mg_tensor *a);
MG_API mg_tensor *mg_tensor_pow(mg_tensor *a, double k); /* a ** k, k finite */
MG_API mg_tensor *mg_tensor_sqrt(mg_tensor *a);
MG_API mg_tensor *mg_tensor_tanh(mg_tensor *a);
MG_API mg_tensor *mg_tensor_relu(mg_tensor *a);          /* grad 0 at 0, as PyTorch */
MG_API mg_tensor *mg_tensor_sigmoid(mg_tensor *a);
/* GELU, tanh form (GPT-2's; PyTorch's gelu(approximate='tanh')):
 * 0.5·a·(1 + tanh(sqrt(2/π)·(a + 0.044715·a³))). */
MG_API mg_tensor *mg_tensor_gelu(mg_tensor *a);

/* ---- linear algebra and shape ---- */
/* a @ b: [M,K]@[K,N]; batched [...,M,K]@[...,K,N] with equal batch dims, or
 * either side plain 2-D (shared across the batch). */
MG_API mg_tensor *mg_tensor_matmul(mg_tensor *a, mg_tensor *b);
/* x·W + b as one node (PyTorch's linear with W stored [K,N]): x [..., K], W [K,N], b [N]
 * or NULL; the result is [..., N], the bias added in the product's stores. */
MG_API mg_tensor *mg_tensor_linear(mg_tensor *x, mg_tensor *w, mg_tensor *b);
/* Same data in a new shape of the same numel; one dim may be -1 (inferred). A
 * view: the result's data is a's (no copy); its grad is its own. */
MG_API mg_tensor *mg_tensor_reshape(mg_tensor *a, int ndim, const int *shape);
/* Swaps axes d0 and d1 (negative counts from the end). Copies the data, unless
 * the swap keeps the memory order (it only moves dims of size 1): then a view. */
MG_API mg_tensor *mg_tensor_transpose(mg_tensor *a, int d0, int d1);
/* Elements [start, end) of axis (0 <= start < end <= that dim). A view of a's
 * data when every dim before axis has size 1 (rows of a matrix, the first T of
 * a position table), else a copy. */
MG_API mg_tensor *mg_tensor_slice(mg_tensor *a, int axis, int start, int end);
/* Cuts a along axis into n slices, written to parts[0..n): of sizes[i] (they
 * sum to the dim), or with sizes NULL n equal ones. MG_OK, or the graph's
 * error code with the message in the graph. */
MG_API mg_code mg_tensor_split(mg_tensor *a, int axis, int n, const int *sizes,
                               mg_tensor **parts);
/* Joins n >= 1 tensors along axis (their other dims equal), as a chain of
 * two-operand concat nodes; n == 1 returns parts[0]. */
MG_API mg_tensor *mg_tensor_concat(mg_tensor *const *parts, int n, int axis);

/* ---- reductions: axis (negative counts from the end) or MG_AXIS_ALL ---- */
MG_API mg_tensor *mg_tensor_sum(mg_tensor *a, int axis, int keepdim);
MG_API mg_tensor *mg_tensor_mean(mg_tensor *a, int axis, int keepdim);
/* Max over an axis: the gradient goes to the first maximal element (PyTorch's
 * index); over all elements it is shared evenly between ties (PyTorch). */
MG_API mg_tensor *mg_tensor_max(mg_tensor *a, int axis, int keepdim);

/* ---- losses and friends ---- */
MG_API mg_tensor *mg_tensor_log_softmax(mg_tensor *a, int axis);
/* Mean over the N rows of logits [N,C] of -log_softmax(row)[labels[i]]; the
 * labels (N ints in [0,C)) are copied. */
MG_API mg_tensor *mg_tensor_cross_entropy(mg_tensor *logits, const int32_t *labels);
/* Mean of (a - b)^2 over equal shapes. */
MG_API mg_tensor *mg_tensor_mse(mg_tensor *a, mg_tensor *b);
/* Mean binary cross-entropy of logits a against targets b (equal shapes),
 * computed stably; grads go to both (PyTorch's target grad is -a). */
MG_API mg_tensor *mg_tensor_bce_logits(mg_tensor *a, mg_tensor *b);

/* ---- transformer ops ---- */
/* Softmax over an axis (negative counts from the end). */
MG_API mg_tensor *mg_tensor_softmax(mg_tensor *a, int axis);
/* Attention's masked softmax: softmax(scale·a) over the last axis of a
 * [..., queries, keys], where entry (i, j) takes part only when j <= i + offset
 * (offset 0: each position sees itself and the ones before; keys − queries
 * when the queries are the last of the keys). Masked entries are 0, and a row
 * where none takes part is all 0 with a 0 gradient, never NaN. scale is finite
 * and not 0 (1/sqrt(head size) in attention). */
MG_API mg_tensor *mg_tensor_causal_softmax(mg_tensor *a, double scale, int offset);
/* Multi-head attention's products, reading q, k and v in place (no copies,
 * in either pass) from the fused projection qkv [B,T,3C]: q, k, v side by
 * side along the last axis, each C = heads·D wide, head h's D columns of
 * each at h·D (nanoGPT's split of c_attn, then .view(B,T,H,D).transpose(1,2)).
 *     scores  = mg_tensor_attn_scores(qkv, H);                // [B,H,T,T]
 *     weights = mg_tensor_causal_softmax(scores, 1/sqrt(D), 0);
 *     y       = mg_tensor_attn_mix(weights, qkv);             // [B,T,C]
 * attn_scores: [b,h,i,j] = q_h[b,i]·k_h[b,j] (unscaled), PyTorch's
 * q @ k.transpose(-2,-1). attn_mix: row (b,i), columns h·D.. of head h =
 * Σ_j weights[b,h,i,j]·v_h[b,j], PyTorch's (weights @ v).transpose(1,2)
 * .reshape(B,T,C); the heads are weights' shape[1]. */
MG_API mg_tensor *mg_tensor_attn_scores(mg_tensor *qkv, int heads);
MG_API mg_tensor *mg_tensor_attn_mix(mg_tensor *weights, mg_tensor *qkv);
/* Layer norm over the last axis, as PyTorch's: (x − mean)/sqrt(var + eps)·gamma
 * + beta with the biased variance; gamma and beta are [C] for x's last dim C,
 * or NULL (no scale, no shift). One "layer_norm" node (x, gamma, beta), beta
 * added in the same pass; beta without gamma is a "+" node after the norm (a
 * third operand follows a second). eps >= 0 (1e-5 in PyTorch). */
MG_API mg_tensor *mg_tensor_layer_norm(mg_tensor *x, mg_tensor *gamma, mg_tensor *beta,
                                       double eps);
/* Rows of weight [V,C] picked by ids: the result is [shape..., C] (ndim <= 3),
 * row i = weight row ids[i]. The ids (one per element of shape, each in
 * [0,V)) are copied. Backward adds each row's gradient into its weight row,
 * so repeated ids accumulate. */
MG_API mg_tensor *mg_tensor_embedding(mg_tensor *weight, int ndim, const int *shape,
                                      const int32_t *ids);
/* Dropout with p in [0,1]: when training, each element is zeroed with
 * probability p and the others scaled by 1/(1 − p); whether element i is kept
 * depends only on (seed, i), so any thread count gives the same mask (pass a
 * new seed each step). Not training, or p == 0: returns a itself. */
MG_API mg_tensor *mg_tensor_dropout(mg_tensor *a, double p, uint64_t seed, int training);

/* ---- position names: what a picture prints along an axis ----
 * A sequence model names the positions of an axis by their tokens, so that
 * pictures can print them: attention weights [B,H,T,T] get the characters of
 * each sequence on both position axes (queries down, keys across), logits
 * [B,T,V] on their position axis, and the heatmaps (mg_tensor_viz.h) and
 * the inspector (mg_html.h) print them along rows and columns.
 *
 *     const char *chars[] = { "h", "e", "l", "l", "o" };
 *     mg_tensor_set_names(att, -1, chars, 5);   // keys
 *     mg_tensor_set_names(att, -2, chars, 5);   // queries
 *
 * Sets the names of the positions along axis (negative counts from the end)
 * of t: count is that axis's size n (the same names for every batch row) or
 * shape[0]·n with axis >= 1 (batch row b's names at names[b·n]). The strings
 * are copied into the graph's arena (mg_graph_alloc), so they live as long as
 * t; a model sets them when it builds the forward pass. MG_OK, or MG_EINVAL /
 * MG_ESHAPE / MG_ENOMEM with the graph's error set (t and its names unchanged). */
MG_API mg_code mg_tensor_set_names(mg_tensor *t, int axis, const char *const *names, int count);
/* The name of position i along axis in batch row b (ignored when the names
 * are the same for every row), or NULL when the axis has no names or the
 * index is out of range. */
MG_API const char *mg_tensor_name(const mg_tensor *t, int axis, int b, int i);

/* mg_backward(root->node): root must hold one element and require a gradient. */
MG_API mg_code mg_tensor_backward(mg_tensor *root);
/* Backward from t of any shape with its grad seeded by seed (t->numel
 * doubles) instead of 1: what t depends on gets seed·dt/d(it), e.g. the paths
 * that feed one position's logits when seed is 0 elsewhere. As mg_backward()
 * otherwise: interior grads reached are replaced, leaves accumulate (clear
 * them first to read one pass alone), nodes t does not reach are untouched.
 * MG_OK, or MG_EINVAL for NULL or a t that requires no gradient. */
MG_API mg_code mg_tensor_backward_seeded(mg_tensor *t, const double *seed);

/* The chain rule along one tensor edge (see mg_edge in mg_value.h): writes
 * into buf what backward added to operand `which`'s grad (0: first operand,
 * 1: second) given t's current grad, computed on demand by the same code
 * backward runs. buf holds that operand's numel elements of its dtype.
 * Returns MG_OK, or MG_EINVAL (buf untouched) when there is no such operand
 * or backward sends it nothing (t or the operand requires no gradient).
 * Allocates nothing; the graph's error is left alone. */
MG_API mg_code mg_tensor_edge_contribution(const mg_tensor *t, int which, void *buf);

/* ---- gradient check (float64, through mg_gradcheck_compare) ---- */
typedef struct mg_tensor_spec {
    int ndim;
    int shape[MG_TENSOR_MAX_DIMS];
} mg_tensor_spec;
/* Builds a one-element root from the float64 leaves x[0..n-1]. */
typedef mg_tensor *(*mg_tensor_fn)(mg_graph *g, mg_tensor *const *x, int n, void *ctx);
/* Checks f's gradient at the point x: the leaves' values concatenated in
 * order. h as in mg_gradcheck(). Fills out; MG_OK or an error in err. */
MG_API mg_code mg_tensor_gradcheck(mg_tensor_fn f, void *ctx, const mg_tensor_spec *leaves, int n,
                            const double *x, double h, mg_gradcheck_result *out,
                            mg_error *err);

MG_EXTERN_C_END

#endif

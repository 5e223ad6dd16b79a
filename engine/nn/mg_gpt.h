/* mg_gpt.h — a GPT (GPT-2's shape, nanoGPT's sizes made small): token and
 * position embeddings, `layers` pre-norm blocks of causal multi-head
 * self-attention and a GELU MLP, a final layer norm, and logits through the
 * token table again (the head's weights are tied to it).
 *
 *     mg_gpt_config c = { .vocab = 98, .context = 64, .layers = 4, .heads = 4,
 *                         .embd = 128 };
 *     mg_gpt *m = mg_gpt_new(g, MG_F32, &c, seed, &err);
 *     mg_graph_keep(g);                                  // parameters stay
 *     mg_tensor *loss = mg_gpt_loss(m, B, T, ids, targets);   // ids [B,T]
 *     mg_tensor_backward(loss);     // m->params[0..nparams) get their grads
 *
 * One block, for x [B,T,C] (C = embd, H = heads, D = C/H), as nanoGPT's:
 *     qkv = layer_norm(x)·Wqkv + bqkv                 [B,T,3C]: q, k, v
 *     weights = causal_softmax(q·kᵀ, 1/sqrt(D))      [B,H,T,T], per head
 *     x = x + (weights·v as [B,T,C])·Wproj + bproj
 * (q, k, v are read in place from qkv, head h's D columns of each at h·D:
 * mg_tensor_attn_scores and mg_tensor_attn_mix, nanoGPT's split, view and
 * transposes without the copies)
 *     x = x + gelu(layer_norm(x)·Wfc + bfc)·Wproj + bproj     (hidden 4C)
 *
 * Scopes, so that a picture folds the blocks into one "block1 … blockN ×N"
 * group and health watches each block; labels say where a node is made:
 *     gpt/embed              params "embed.wte" [vocab,C], "embed.wpe"
 *                            [context,C]; nodes tok, pos, x
 *     gpt/blockL             (L from 1) the residual sums
 *     gpt/blockL/ln1, ln2    params gamma, beta ("block1.ln1.gamma")
 *     gpt/blockL/attn        nodes qkv, scores (q·kᵀ), "blockL.attn.weights"
 *                            (the attention after the causal softmax: [B,H,T,T],
 *                            [b,h,i,j] how much query position i of sequence b
 *                            reads key position j in head h), heads (weights·v,
 *                            [B,T,C]), out
 *     gpt/blockL/attn/qkv    params W [C,3C], b;   attn/proj  W [C,C], b
 *     gpt/blockL/mlp/fc      params W [C,4C], b;   mlp/proj   W [4C,C], b
 *     gpt/ln_f               params gamma, beta;   gpt/lm_head  "lm_head.logits"
 * Checkpoints name a parameter by its scope and its last label part
 * ("gpt/block1/attn/qkv/W").
 *
 * Initialisation, as GPT-2's: weights and tables N(0, 0.02²), the two
 * projections into the residual stream (attn/proj, mlp/proj) N(0, 0.02²/2L),
 * biases 0, gamma 1, beta 0, drawn in the order of params. Layer norms use
 * eps 1e-5, as PyTorch's. No dropout. */
#ifndef MG_GPT_H
#define MG_GPT_H

#include "mg_lm.h"
#include "mg_tnn.h"

MG_EXTERN_C_BEGIN

enum { MG_GPT_MAX_LAYERS = 32, MG_GPT_MAX_HEADS = 64, MG_GPT_BLOCK_PARAMS = 12 };

typedef struct mg_gpt_config {
    int vocab;     /* tokens, >= 2 */
    int context;   /* positions the model reads at most (T), 1..4096 */
    int layers;    /* blocks, 1..MG_GPT_MAX_LAYERS */
    int heads;     /* attention heads per block, 1..MG_GPT_MAX_HEADS, dividing embd */
    int embd;      /* width of the residual stream, 1..4096 */
} mg_gpt_config;

typedef struct mg_gpt_block {
    mg_tensor *ln1_gamma, *ln1_beta;
    mg_linear qkv, proj;
    mg_tensor *ln2_gamma, *ln2_beta;
    mg_linear fc, out;
} mg_gpt_block;

typedef struct mg_gpt {
    mg_graph *graph;
    mg_dtype dtype;
    mg_gpt_config cfg;
    mg_tensor *wte, *wpe;
    mg_gpt_block *blocks;
    mg_tensor *lnf_gamma, *lnf_beta;
    mg_tensor **params;  /* wte, wpe, each block's 12 (ln1 gamma, beta, qkv W, b,
                            proj W, b, ln2 gamma, beta, fc W, b, out W, b), lnf
                            gamma, beta */
    int nparams;
    mg_tensor **att;     /* the last forward's attention weights [B,H,T,T],
                            block L (from 0) at att[L]: nodes of that forward,
                            gone when its graph is reset or rewound */
    mg_tensor *logits;   /* the last forward's [B,T,vocab], likewise */
    const char *const *tokens; /* how each token is printed (mg_gpt_set_tokens),
                                  borrowed, or NULL */
} mg_gpt;

/* Checks c: MG_OK, or MG_EINVAL naming the field and its range. */
MG_API mg_code mg_gpt_check(const mg_gpt_config *c, mg_error *err);
/* A model with seeded parameters in g; NULL with err filled. */
MG_API mg_gpt *mg_gpt_new(mg_graph *g, mg_dtype dt, const mg_gpt_config *c, uint64_t seed,
                          mg_error *err);
/* Frees the bookkeeping; the parameters stay in the graph. NULL is a no-op. */
MG_API void mg_gpt_free(mg_gpt *m);
/* Names the positions of each later forward pass by their tokens, so that
 * pictures print the characters along the axes: names[id] (vocab strings,
 * borrowed: they must outlive the forward passes) is how token id is shown;
 * each block's attention weights get the tokens of each sequence on axes -2
 * (queries) and -1 (keys), the logits on axis -2 (mg_tensor_set_names).
 * NULL stops naming (the default: naming copies B·T strings a tensor, which
 * a training step that draws nothing need not pay). */
MG_API void mg_gpt_set_tokens(mg_gpt *m, const char *const *names);
/* Logits [B,T,vocab] for ids [B,T] (row-major; 1 <= T <= context, each id in
 * [0,vocab)). NULL with the graph's error. */
MG_API mg_tensor *mg_gpt_forward(mg_gpt *m, int B, int T, const int32_t *ids);
/* The mean cross-entropy of the forward pass of ids [B,T] against targets
 * [B,T] (the next token of each position): a one-element node to run
 * backward from. NULL with the graph's error. */
MG_API mg_tensor *mg_gpt_loss(mg_gpt *m, int B, int T, const int32_t *ids,
                              const int32_t *targets);
/* The model as an mg_lm (borrowing m): it reads the last context tokens. */
MG_API mg_lm mg_gpt_as_lm(mg_gpt *m);
/* The model's parts (gpt/embed, gpt/block1.., gpt/ln_f) into parts[0..cap);
 * returns how many there are (layers + 2). */
MG_API int mg_gpt_parts(const mg_gpt *m, mg_lm_part *parts, int cap);
/* Parameters (tied weights counted once). */
MG_API int64_t mg_gpt_param_count(const mg_gpt *m);

MG_EXTERN_C_END

#endif

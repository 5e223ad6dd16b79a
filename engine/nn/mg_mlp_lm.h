/* mg_mlp_lm.h — makemore's MLP: a neural probabilistic language model
 * (Bengio et al. 2003). The previous `context` tokens are looked up in an
 * embedding table, their rows joined into one vector, and hidden layers
 * (linear, layer norm, tanh) lead to the logits of the next token. (Layer
 * norm rather than makemore's batch norm: the same in training and in
 * sampling, with no running statistics to keep.)
 *
 *     mg_mlp_lm_config c = { .vocab = 27, .context = 3, .embd = 10,
 *                            .hidden = { 200 }, .nhidden = 1 };
 *     mg_mlp_lm *m = mg_mlp_lm_new(g, MG_F32, &c, seed, &err);
 *     int32_t ctx[B * 3];                      // mg_mlp_lm_context() per row
 *     mg_tensor *logits = mg_mlp_lm_forward(m, B, ctx);    // [B, 27]
 *     mg_tensor *loss = mg_tensor_cross_entropy(logits, targets);
 *
 * Scopes and labels: the table "embed.C" (makemore's name) in scope
 * mlp/embed; hidden layer L's "layerL.W", "layerL.b" and its norm's
 * "layerL.gamma", "layerL.beta" in scope mlp/layerL (L from 1); the output
 * layer's in mlp/layer<nhidden+1>. Forward nodes are made in the same
 * scopes (emb, x; norm, h; logits), so a picture folds a layer and health
 * watches it.
 *
 * Initialisation, as makemore's: the table N(0,1); hidden weights N(0,1)·
 * (5/3)/sqrt(fan_in) (tanh's gain); the output weights N(0,1)·0.01 and
 * every bias 0, so the first loss is near log(vocab); gamma 1, beta 0. */
#ifndef MG_MLP_LM_H
#define MG_MLP_LM_H

#include "mg_lm.h"
#include "mg_tnn.h"

MG_EXTERN_C_BEGIN

enum { MG_MLP_LM_MAX_HIDDEN = 8 };

typedef struct mg_mlp_lm_config {
    int vocab;                          /* tokens, >= 2 */
    int context;                        /* tokens read, 1..64 */
    int embd;                           /* embedding width, 1..4096 */
    int hidden[MG_MLP_LM_MAX_HIDDEN];   /* hidden widths, each 1..65536 */
    int nhidden;                        /* 0..MG_MLP_LM_MAX_HIDDEN */
} mg_mlp_lm_config;

typedef struct mg_mlp_lm {
    mg_graph *graph;
    mg_dtype dtype;
    mg_mlp_lm_config cfg;
    mg_tensor *table;                   /* [vocab, embd] */
    mg_linear layers[MG_MLP_LM_MAX_HIDDEN + 1];
    mg_tensor *gamma[MG_MLP_LM_MAX_HIDDEN], *beta[MG_MLP_LM_MAX_HIDDEN];
    mg_tensor *params[1 + 4 * MG_MLP_LM_MAX_HIDDEN + 2];
    int nparams;                        /* table, then per layer W, b (gamma, beta) */
} mg_mlp_lm;

/* Checks c: MG_OK, or MG_EINVAL naming the field and its range. */
MG_API mg_code mg_mlp_lm_check(const mg_mlp_lm_config *c, mg_error *err);
/* A model with seeded parameters in g (current scope); NULL with err filled. */
MG_API mg_mlp_lm *mg_mlp_lm_new(mg_graph *g, mg_dtype dt, const mg_mlp_lm_config *c,
                                uint64_t seed, mg_error *err);
/* Frees the bookkeeping; the parameters stay in the graph. NULL is a no-op. */
MG_API void mg_mlp_lm_free(mg_mlp_lm *m);
/* Logits [B, vocab] for B contexts of cfg.context tokens each (row-major).
 * NULL with the graph's error (a token outside the vocabulary, B < 1). */
MG_API mg_tensor *mg_mlp_lm_forward(mg_mlp_lm *m, int B, const int32_t *contexts);
/* The mean cross-entropy of the forward pass against targets[0..B) (the
 * token after each context): a one-element node to run backward from. NULL
 * with the graph's error. */
MG_API mg_tensor *mg_mlp_lm_loss(mg_mlp_lm *m, int B, const int32_t *contexts,
                                 const int32_t *targets);
/* The n tokens before position p (>= 1) of a stream as the model reads
 * them: tokens of an earlier document (up to and including the last END
 * before p) and positions before the stream read as END. out gets n. */
MG_API void mg_mlp_lm_context(const int32_t *stream, int64_t p, int n, int32_t *out);
/* The model as an mg_lm (borrowing m). */
MG_API mg_lm mg_mlp_lm_as_lm(mg_mlp_lm *m);
/* The model's parts (the table, then each layer) into parts[0..cap);
 * returns how many there are (nhidden + 2). */
MG_API int mg_mlp_lm_parts(const mg_mlp_lm *m, mg_lm_part *parts, int cap);

MG_EXTERN_C_END

#endif

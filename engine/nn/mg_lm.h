/* mg_lm.h — a language model over tokens, whatever it is made of
 * (makemore's MLP, mg_mlp_lm.h; a GPT, mg_gpt.h): the logits of the next
 * token given the ones before it, and text drawn from them.
 *
 *     mg_lm lm = mg_gpt_as_lm(gpt);
 *     mg_rng rng;
 *     mg_rng_seed(&rng, 42);
 *     int32_t doc[500];
 *     int n;
 *     bool ended;
 *     mg_lm_generate(&lm, &(mg_lm_sampling){ .temperature = 0.8, .top_k = 20 }, &rng,
 *                    doc, 500, &n, &ended, &err);
 *
 * Token MG_LM_END (0) stands between documents, as mg_text.h's streams have
 * it: a document is drawn from the tokens after an END until the model draws
 * END. Each token's forward pass is built in the model's graph and dropped
 * again (a mark and a rewind), so drawing leaves the graph as it was. */
#ifndef MG_LM_H
#define MG_LM_H

#include <stdbool.h>
#include <stdint.h>

#include "mg_error.h"
#include "mg_rng.h"
#include "mg_tensor.h"

MG_EXTERN_C_BEGIN

enum { MG_LM_END = 0 };

typedef struct mg_lm {
    void *model;
    mg_graph *graph;
    int vocab;
    /* The logits of the token after history[0..n) (n >= 1; history[0] is
     * END): a tensor node of graph whose last dim is vocab, its row *row
     * (the rows counted over the leading dims). NULL with the graph's error. */
    mg_tensor *(*next)(void *model, const int32_t *history, int n, int *row);
} mg_lm;

/* A part of a model (an embedding, a layer, a block): its scope and its
 * parameters, for whoever watches the parts (mg_health.h). */
typedef struct mg_lm_part {
    char scope[48];              /* "gpt/block0" */
    mg_tensor *const *params;    /* borrowed from the model */
    int nparams;
} mg_lm_part;

/* How tokens are drawn from logits. */
typedef struct mg_lm_sampling {
    double temperature;  /* > 0: logits are divided by it (1: the model's own
                            distribution; lower: surer; 0 means 1) */
    int top_k;           /* 0: every token; else only the k likeliest (ties
                            with the k-th kept too) */
} mg_lm_sampling;

/* A token drawn from row `row` of logits (the rows counted over the leading
 * dims) as s says, with rng. -1 when the row does not exist or holds a NaN. */
MG_API int mg_lm_sample_row(const mg_tensor *logits, int row, const mg_lm_sampling *s,
                            mg_rng *rng);

/* Draws one document: out gets its tokens (no END), at most max of them;
 * *ended says whether the model ended it (drew END) rather than max.
 * MG_OK, or the graph's error / MG_EINVAL / MG_ENOMEM in err. */
MG_API mg_code mg_lm_generate(const mg_lm *lm, const mg_lm_sampling *s, mg_rng *rng,
                              int32_t *out, int max, int *n, bool *ended, mg_error *err);

MG_EXTERN_C_END

#endif

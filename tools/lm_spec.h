/* lm_spec.h — a language model as `mgviz train` builds it and `mgviz
 * sample` rebuilds it from a checkpoint: the dataset it reads (words or
 * fortunes), the model (makemore's MLP or a GPT), their sizes and the
 * vocabulary, all in the identity line the checkpoint carries:
 *     dataset=words model=mlp engine=tensor context=3 embd=10 hidden=200
 *         vocab=<32 hex> dtype=f32
 *     dataset=fortunes model=gpt engine=tensor context=64 layers=4 heads=4
 *         embd=128 vocab=<32 hex> dtype=f32 */
#ifndef MGVIZ_LM_SPEC_H
#define MGVIZ_LM_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "mg_gpt.h"
#include "mg_mlp_lm.h"
#include "mg_text.h"

typedef struct lm_spec {
    char dataset[16];            /* "words" or "fortunes" */
    bool gpt;                    /* else makemore's MLP */
    int context, embd, layers, heads;
    int hidden[MG_MLP_LM_MAX_HIDDEN];
    int nhidden;
    mg_vocab vocab;
} lm_spec;

/* A model built from a spec. */
typedef struct lm_model {
    mg_mlp_lm *mlp;
    mg_gpt *gpt;
    mg_tensor *const *params;
    int nparams;
    mg_lm lm;                    /* for drawing text */
} lm_model;

/* How the dataset shows END ('.' for words, '%' for fortunes). */
char lm_end_glyph(const char *dataset);
/* The identity line of s into buf. */
void lm_spec_identity(const lm_spec *s, char *buf, size_t n);
/* A checkpoint's metadata ("mgviz-train IDENTITY optim=... epoch=...")
 * into s, and the optimiser's name into optim (n bytes). MG_OK, or
 * MG_EFORMAT with a message saying what it is instead. */
mg_code lm_spec_parse(const char *meta, lm_spec *s, char *optim, size_t n, mg_error *err);
/* The model s describes, in g (float32), seeded. MG_OK or an error. */
mg_code lm_model_build(mg_graph *g, const lm_spec *s, uint64_t seed, lm_model *out,
                       mg_error *err);
void lm_model_free(lm_model *m);
/* The spec and optimiser name (n bytes) of the checkpoint at path (mgviz
 * sample), read from its metadata; the file must be large enough for the
 * weights the spec declares (a few bytes declaring a 32-block GPT never get
 * gigabytes allocated). MG_OK, or an error whose message names the file. */
mg_code lm_spec_read(const char *path, lm_spec *s, char *optim, size_t n, mg_error *err);
/* The model of s (lm_spec_read) rebuilt in g, its weights loaded from the
 * checkpoint at path. MG_OK, or an error whose message names the file. */
mg_code lm_model_load(const char *path, const lm_spec *s, const char *optim, mg_graph *g,
                      lm_model *m, mg_error *err);

#endif

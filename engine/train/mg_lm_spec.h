/* mg_lm_spec.h — a language model's identity: which model (makemore's MLP or
 * a GPT), its sizes, the dataset it reads (words or fortunes) and its
 * vocabulary, written into the identity line its checkpoints carry, read
 * back, and the model rebuilt from it with its weights loaded:
 *
 *     mg_lm_spec s;  char optim[16];  mg_lm_model m;
 *     if (mg_lm_spec_read("words.ckpt", &s, optim, sizeof optim, &err) != MG_OK ||
 *         mg_lm_model_load("words.ckpt", &s, optim, g, &m, &err) != MG_OK) ...
 *     mg_lm_generate(&m.lm, &how, &rng, doc, max, &n, &ended, &err);
 *
 * The identity lines (mg_train.h's checkpoints add " optim=... epoch=..."):
 *     dataset=words model=mlp engine=tensor context=3 embd=10 hidden=200
 *         vocab=<32 hex> dtype=f32
 *     dataset=fortunes model=gpt engine=tensor context=64 layers=4 heads=4
 *         embd=128 vocab=<32 hex> dtype=f32 */
#ifndef MG_LM_SPEC_H
#define MG_LM_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "mg_gpt.h"
#include "mg_mlp_lm.h"
#include "mg_text.h"
#include "mg_train.h"

MG_EXTERN_C_BEGIN

typedef struct mg_lm_spec {
    char dataset[16];            /* "words" or "fortunes" */
    bool gpt;                    /* else makemore's MLP */
    int context, embd, layers, heads;
    int hidden[MG_MLP_LM_MAX_HIDDEN];
    int nhidden;
    mg_vocab vocab;
} mg_lm_spec;

/* A model built from a spec: one of mlp and gpt, its parameters, and the
 * mg_lm that draws text from it. */
typedef struct mg_lm_model {
    mg_mlp_lm *mlp;
    mg_gpt *gpt;
    mg_tensor *const *params;
    int nparams;
    mg_lm lm;
} mg_lm_model;

/* How the dataset shows END: '.' for words, '%' for fortunes. */
MG_API char mg_lm_end_glyph(const char *dataset);
/* The identity line of s into buf (n bytes, cut to fit). */
MG_API void mg_lm_spec_identity(const mg_lm_spec *s, char *buf, size_t n);
/* The sizes as a person reads them ("4 blocks of 64, 4 heads, context 64";
 * "context 3, embedding 10, hidden 200") into buf. */
MG_API void mg_lm_spec_describe(const mg_lm_spec *s, char *buf, size_t n);
/* A checkpoint's metadata ("mgviz-train IDENTITY optim=... epoch=...") into
 * s, and the optimiser's name into optim (n bytes). MG_OK, or MG_EFORMAT
 * with a message saying what the metadata is instead. */
MG_API mg_code mg_lm_spec_parse(const char *meta, mg_lm_spec *s, char *optim, size_t n,
                                mg_error *err);
/* The spec and optimiser name (n bytes) of the checkpoint at path, from its
 * metadata; the file must be large enough for the weights the spec declares
 * (a few bytes declaring a 32-block GPT never get gigabytes allocated).
 * MG_OK, or an error whose message names the file. */
MG_API mg_code mg_lm_spec_read(const char *path, mg_lm_spec *s, char *optim, size_t n,
                               mg_error *err);

/* The model s describes, in g (float32), initialised from seed. */
MG_API mg_code mg_lm_model_build(mg_graph *g, const mg_lm_spec *s, uint64_t seed,
                                 mg_lm_model *out, mg_error *err);
/* The model of s (mg_lm_spec_read) rebuilt in g, its weights loaded from the
 * checkpoint at path and kept (mg_graph_keep). MG_OK, or an error whose
 * message names the file. */
MG_API mg_code mg_lm_model_load(const char *path, const mg_lm_spec *s, const char *optim,
                                mg_graph *g, mg_lm_model *m, mg_error *err);
/* Frees the model (not its graph's nodes); m is zeroed. */
MG_API void mg_lm_model_free(mg_lm_model *m);

MG_EXTERN_C_END

#endif

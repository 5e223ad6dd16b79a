/* lm_internal.h — what the language models (mlp_lm.c, gpt.c, lm.c) share. */
#ifndef MG_LM_INTERNAL_H
#define MG_LM_INTERNAL_H

#include "mg_lm.h"

enum { LM_MAX_VOCAB = 1 << 20 };

#define LM_LN_EPS 1e-5 /* PyTorch's layer norm eps */

/* Enters the scopes of a path made from fmt ("gpt/block%d"), below the
 * current one: the number entered, or -1 (none left entered, the graph's
 * error set) when one cannot be. */
int lm_enter(mg_graph *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Leaves n scopes (lm_enter's count; -1 is a no-op). */
void lm_leave(mg_graph *g, int n);
/* Labels t (may be NULL) by where it is made: the current scope's path below
 * the model's own scope, dotted, then name ("block1.attn.weights" in scope
 * gpt/block1/attn); returns t. Checkpoints keep the part after the last dot
 * under the scope path ("gpt/block1/attn/qkv/W"). */
mg_tensor *lm_name(mg_tensor *t, const char *name);
/* A parameter of shape dims in the current scope, named as lm_name() does. */
mg_tensor *lm_param(mg_graph *g, mg_dtype dt, const char *name, int ndim, const int *shape);
/* Sets every element of t to N(0, std²) from rng (t may be NULL). */
void lm_fill_normal(mg_tensor *t, double std, mg_rng *rng);
/* The mean cross-entropy of logits [..., V] against one target per row. */
mg_tensor *lm_loss(mg_tensor *logits, const int32_t *targets);

#endif

/* attention_graph.h — a tiny character transformer built from tensor ops,
 * for tests and the browser pages (header-only, static functions):
 * token + position embeddings, `blocks` pre-norm blocks "block1", "block2",
 * ... of causal multi-head attention (its weights labelled
 * "block<k>.attn.weights", named by the text's characters on both position
 * axes) and a GELU MLP, then a final layer norm and logits [T,V] (named on
 * their position axis), cross-entropy against the next character.
 * One sequence (batch 1), float64, seeded weights. */
#ifndef ATTENTION_GRAPH_H
#define ATTENTION_GRAPH_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mg_tensor.h"

enum { AG_MAX_T = 32, AG_C = 8, AG_HEADS = 2 };

typedef struct attention_graph {
    mg_tensor *logits;              /* [T,V] */
    mg_tensor *loss;
    mg_tensor *att[8];              /* each block's weights [H,T,T] */
    int T, V, blocks;
    char vocab[32];                 /* id -> character */
} attention_graph;

/* Deterministic small weights (a linear congruential stream). */
static void ag_fill(mg_tensor *t, unsigned *seed, double scale)
{
    for (int i = 0; i < t->numel; i++) {
        *seed = *seed * 1664525u + 1013904223u;
        mg_tensor_set(t, i, scale * ((double)(*seed >> 8) / (1 << 24) - 0.5));
    }
}

static mg_tensor *ag_param(mg_graph *g, int r, int c, const char *label, unsigned *seed,
                           double scale)
{
    int shape[] = { r, c };
    mg_tensor *t = mg_tensor_param(g, MG_F64, c ? 2 : 1, c ? shape : &r);
    ag_fill(t, seed, scale);
    return mg_tensor_label(t, label);
}

/* x [T,C] -> x + attention(ln(x)) -> + mlp(ln(...)), in scope "block<k>". */
static mg_tensor *ag_block(mg_graph *g, attention_graph *a, mg_tensor *x, int k,
                           unsigned *seed, const char *const *names)
{
    char scope[24], label[64];
    int T = a->T, D = AG_C / AG_HEADS;
    snprintf(scope, sizeof scope, "block%d", k);
    mg_scope_push(g, scope);
#define AG_LABEL(s) (snprintf(label, sizeof label, "%s." s, scope), label)
    mg_tensor *h = mg_tensor_layer_norm(x, NULL, NULL, 1e-5);
    mg_tensor *q = mg_tensor_matmul(h, ag_param(g, AG_C, AG_C, AG_LABEL("attn.Wq"), seed, 1.2));
    mg_tensor *kk = mg_tensor_matmul(h, ag_param(g, AG_C, AG_C, AG_LABEL("attn.Wk"), seed, 1.2));
    mg_tensor *v = mg_tensor_matmul(h, ag_param(g, AG_C, AG_C, AG_LABEL("attn.Wv"), seed, 1.0));
    int thd[] = { T, AG_HEADS, D };
    q = mg_tensor_transpose(mg_tensor_reshape(q, 3, thd), 0, 1);   /* [H,T,D] */
    kk = mg_tensor_transpose(mg_tensor_reshape(kk, 3, thd), 0, 1);
    v = mg_tensor_transpose(mg_tensor_reshape(v, 3, thd), 0, 1);
    mg_tensor *scores = mg_tensor_matmul(q, mg_tensor_transpose(kk, 1, 2)); /* [H,T,T] */
    mg_tensor *att = mg_tensor_causal_softmax(scores, 1.0 / sqrt(D), 0);
    mg_tensor_label(att, AG_LABEL("attn.weights"));
    mg_tensor_set_names(att, -2, names, T);
    mg_tensor_set_names(att, -1, names, T);
    a->att[k - 1] = att;
    int tc[] = { T, AG_C };
    mg_tensor *y = mg_tensor_reshape(mg_tensor_transpose(mg_tensor_matmul(att, v), 0, 1), 2, tc);
    y = mg_tensor_matmul(y, ag_param(g, AG_C, AG_C, AG_LABEL("attn.Wo"), seed, 1.0));
    x = mg_tensor_add(x, y);
    h = mg_tensor_layer_norm(x, NULL, NULL, 1e-5);
    h = mg_tensor_gelu(mg_tensor_matmul(h, ag_param(g, AG_C, 2 * AG_C, AG_LABEL("mlp.W1"), seed, 1.0)));
    h = mg_tensor_matmul(h, ag_param(g, 2 * AG_C, AG_C, AG_LABEL("mlp.W2"), seed, 1.0));
#undef AG_LABEL
    x = mg_tensor_add(x, h);
    mg_scope_pop(g);
    return x;
}

/* Builds the model on text (its first T <= AG_MAX_T characters predict the
 * next ones; so strlen(text) >= 2) in g; 0, or -1 when the graph failed. */
static int attention_graph_build(mg_graph *g, attention_graph *a, const char *text, int blocks)
{
    memset(a, 0, sizeof *a);
    int n = (int)strlen(text);
    a->T = n - 1 < AG_MAX_T ? n - 1 : AG_MAX_T;
    a->blocks = blocks;
    int32_t ids[AG_MAX_T + 1];
    static char chars[AG_MAX_T + 1][2];
    const char *names[AG_MAX_T];
    for (int i = 0; i <= a->T; i++) {
        char *at = strchr(a->vocab, text[i]);
        if (!at) {
            at = a->vocab + a->V++;
            *at = text[i];
        }
        ids[i] = (int32_t)(at - a->vocab);
        chars[i][0] = text[i];
        chars[i][1] = '\0';
        names[i < AG_MAX_T ? i : 0] = chars[i];
    }
    unsigned seed = 12345u;
    mg_tensor *wte = ag_param(g, a->V, AG_C, "wte", &seed, 2.0);
    mg_tensor *wpe = ag_param(g, a->T, AG_C, "wpe", &seed, 1.0);
    mg_tensor *x = mg_tensor_add(mg_tensor_embedding(wte, 1, &a->T, ids),
                                 mg_tensor_label(mg_tensor_slice(wpe, 0, 0, a->T), "pos"));
    for (int k = 1; k <= blocks; k++)
        x = ag_block(g, a, x, k, &seed, names);
    x = mg_tensor_layer_norm(x, NULL, NULL, 1e-5);
    a->logits = mg_tensor_label(mg_tensor_matmul(x, mg_tensor_transpose(wte, 0, 1)), "logits");
    mg_tensor_set_names(a->logits, 0, names, a->T);
    a->loss = mg_tensor_label(mg_tensor_cross_entropy(a->logits, ids + 1), "loss");
    return a->loss && !mg_graph_error(g) ? 0 : -1;
}

#endif

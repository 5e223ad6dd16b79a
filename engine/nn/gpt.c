/* gpt.c — a GPT on tensor nodes: embeddings, pre-norm blocks of causal
 * multi-head attention and a GELU MLP, a head tied to the token table. */
#include "mg_gpt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lm_internal.h"

enum { MAX_WIDTH = 4096 };

mg_code mg_gpt_check(const mg_gpt_config *c, mg_error *err)
{
    if (!c)
        return mg_error_set(err, MG_EINVAL, "gpt: no configuration");
    if (c->vocab < 2 || c->vocab > LM_MAX_VOCAB)
        return mg_error_set(err, MG_EINVAL, "gpt: vocab %d must be 2..%d", c->vocab,
                            LM_MAX_VOCAB);
    if (c->context < 1 || c->context > MAX_WIDTH)
        return mg_error_set(err, MG_EINVAL, "gpt: context %d must be 1..%d", c->context,
                            MAX_WIDTH);
    if (c->layers < 1 || c->layers > MG_GPT_MAX_LAYERS)
        return mg_error_set(err, MG_EINVAL, "gpt: layers %d must be 1..%d", c->layers,
                            MG_GPT_MAX_LAYERS);
    if (c->embd < 1 || c->embd > MAX_WIDTH)
        return mg_error_set(err, MG_EINVAL, "gpt: embd %d must be 1..%d", c->embd, MAX_WIDTH);
    if (c->heads < 1 || c->heads > MG_GPT_MAX_HEADS || c->embd % c->heads != 0)
        return mg_error_set(err, MG_EINVAL, "gpt: heads %d must be 1..%d and divide embd %d",
                            c->heads, MG_GPT_MAX_HEADS, c->embd);
    return MG_OK;
}

/* ---- parameters ---- */

typedef struct builder {
    mg_gpt *m;
    mg_rng rng;
    double resid_std;    /* of the projections into the residual stream */
} builder;

static mg_tensor *keep(builder *b, mg_tensor *p)
{
    if (p)
        b->m->params[b->m->nparams++] = p;
    return p;
}

/* A Linear nin -> nout in scope path, weights N(0, std²). */
static mg_code linear(builder *b, mg_linear *l, const char *path, int nin, int nout, double std)
{
    mg_graph *g = b->m->graph;
    int depth = lm_enter(g, "%s", path);
    if (depth < 0)
        return mg_graph_status(g);
    l->nin = nin;
    l->nout = nout;
    l->W = keep(b, lm_param(g, b->m->dtype, "W", 2, (const int[]){ nin, nout }));
    l->b = keep(b, lm_param(g, b->m->dtype, "b", 1, &nout));
    lm_leave(g, depth);
    if (!l->W || !l->b)
        return mg_graph_status(g);
    lm_fill_normal(l->W, std, &b->rng);
    return MG_OK;
}

/* A layer norm's gamma (1) and beta (0) in scope path. */
static mg_code norm(builder *b, mg_tensor **gamma, mg_tensor **beta, const char *path)
{
    mg_graph *g = b->m->graph;
    int depth = lm_enter(g, "%s", path), C = b->m->cfg.embd;
    if (depth < 0)
        return mg_graph_status(g);
    *gamma = keep(b, lm_param(g, b->m->dtype, "gamma", 1, &C));
    if (*gamma)
        mg_tensor_fill(*gamma, 1.0);
    *beta = keep(b, lm_param(g, b->m->dtype, "beta", 1, &C));
    lm_leave(g, depth);
    return *gamma && *beta ? MG_OK : mg_graph_status(g);
}

static mg_code make_block(builder *b, int L)
{
    mg_gpt_block *k = &b->m->blocks[L];
    const int C = b->m->cfg.embd;
    char path[64];
    mg_code rc;
    snprintf(path, sizeof path, "gpt/block%d/ln1", L + 1);
    if ((rc = norm(b, &k->ln1_gamma, &k->ln1_beta, path)) != MG_OK)
        return rc;
    snprintf(path, sizeof path, "gpt/block%d/attn/qkv", L + 1);
    if ((rc = linear(b, &k->qkv, path, C, 3 * C, 0.02)) != MG_OK)
        return rc;
    snprintf(path, sizeof path, "gpt/block%d/attn/proj", L + 1);
    if ((rc = linear(b, &k->proj, path, C, C, b->resid_std)) != MG_OK)
        return rc;
    snprintf(path, sizeof path, "gpt/block%d/ln2", L + 1);
    if ((rc = norm(b, &k->ln2_gamma, &k->ln2_beta, path)) != MG_OK)
        return rc;
    snprintf(path, sizeof path, "gpt/block%d/mlp/fc", L + 1);
    if ((rc = linear(b, &k->fc, path, C, 4 * C, 0.02)) != MG_OK)
        return rc;
    snprintf(path, sizeof path, "gpt/block%d/mlp/proj", L + 1);
    return linear(b, &k->out, path, 4 * C, C, b->resid_std);
}

static mg_code make_params(builder *b)
{
    mg_gpt *m = b->m;
    const mg_gpt_config *c = &m->cfg;
    mg_graph *g = m->graph;
    int depth = lm_enter(g, "gpt/embed");
    if (depth < 0)
        return mg_graph_status(g);
    m->wte = keep(b, lm_param(g, m->dtype, "wte", 2, (const int[]){ c->vocab, c->embd }));
    m->wpe = keep(b, lm_param(g, m->dtype, "wpe", 2, (const int[]){ c->context, c->embd }));
    lm_leave(g, depth);
    if (!m->wte || !m->wpe)
        return mg_graph_status(g);
    lm_fill_normal(m->wte, 0.02, &b->rng);
    lm_fill_normal(m->wpe, 0.02, &b->rng);
    mg_code rc = MG_OK;
    for (int L = 0; L < c->layers && rc == MG_OK; L++)
        rc = make_block(b, L);
    return rc == MG_OK ? norm(b, &m->lnf_gamma, &m->lnf_beta, "gpt/ln_f") : rc;
}

void mg_gpt_free(mg_gpt *m)
{
    if (!m)
        return;
    free(m->blocks);
    free(m->params);
    free(m->att);
    free(m);
}

mg_gpt *mg_gpt_new(mg_graph *g, mg_dtype dt, const mg_gpt_config *c, uint64_t seed,
                   mg_error *err)
{
    if (!g) {
        mg_error_set(err, MG_EINVAL, "gpt: no graph");
        return NULL;
    }
    if (mg_gpt_check(c, err) != MG_OK)
        return NULL;
    mg_gpt *m = calloc(1, sizeof *m);
    if (m) {
        *m = (mg_gpt){ .graph = g, .dtype = dt, .cfg = *c };
        m->blocks = calloc((size_t)c->layers, sizeof *m->blocks);
        m->params = calloc(4 + (size_t)c->layers * MG_GPT_BLOCK_PARAMS, sizeof *m->params);
        m->att = calloc((size_t)c->layers, sizeof *m->att);
    }
    if (!m || !m->blocks || !m->params || !m->att) {
        mg_gpt_free(m);
        mg_error_set(err, MG_ENOMEM, "gpt: out of memory");
        return NULL;
    }
    builder b = { .m = m, .resid_std = 0.02 / sqrt(2.0 * c->layers) };
    mg_rng_seed(&b.rng, seed);
    if (make_params(&b) != MG_OK) {
        mg_error_set(err, mg_graph_status(g), "gpt: %s",
                     mg_graph_error(g) ? mg_graph_error(g) : "failed");
        mg_gpt_free(m);
        return NULL;
    }
    return m;
}

/* ---- the forward pass ---- */

void mg_gpt_set_tokens(mg_gpt *m, const char *const *names)
{
    if (m)
        m->tokens = names;
}

/* Names axes of t by the tokens of ids [B,T] (see mg_gpt_set_tokens):
 * nothing when the model has no token names; t may be NULL. */
static void name_by_tokens(const mg_gpt *m, mg_tensor *t, const int32_t *ids, int B, int T,
                           const int *axes, int naxes)
{
    if (!m->tokens || !t)
        return;
    const size_t n = (size_t)B * (size_t)T;
    const char **names = mg_graph_alloc(m->graph, n * sizeof *names);
    if (!names) {
        mg_graph_fail(m->graph, MG_ENOMEM, "gpt: out of memory naming %zu positions", n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        names[i] = m->tokens[ids[i]];
    for (int a = 0; a < naxes; a++)
        mg_tensor_set_names(t, axes[a], names, (int)n);
}

/* Causal multi-head self-attention of x [B,T,C] (normalised), in scope attn.
 * q, k and v stay in qkv: the two products read each head in place. */
static mg_tensor *attention(mg_gpt *m, mg_tensor *x, int L, const int32_t *ids)
{
    const mg_gpt_block *k = &m->blocks[L];
    const int B = x ? x->shape[0] : 0, T = x ? x->shape[1] : 0;
    const int D = m->cfg.embd / m->cfg.heads;
    int depth = lm_enter(m->graph, "attn");
    if (depth < 0)
        return NULL;
    mg_tensor *qkv = lm_name(mg_linear_forward(&k->qkv, x), "qkv");
    mg_tensor *scores = lm_name(mg_tensor_attn_scores(qkv, m->cfg.heads), "scores");
    mg_tensor *w = lm_name(mg_tensor_causal_softmax(scores, 1.0 / sqrt(D), 0), "weights");
    name_by_tokens(m, w, ids, B, T, (const int[]){ -2, -1 }, 2);
    m->att[L] = w;
    mg_tensor *y = lm_name(mg_tensor_attn_mix(w, qkv), "heads");
    y = lm_name(mg_linear_forward(&k->proj, y), "out");
    lm_leave(m->graph, depth);
    return y;
}

static mg_tensor *mlp(mg_gpt *m, mg_tensor *x, int L)
{
    const mg_gpt_block *k = &m->blocks[L];
    int depth = lm_enter(m->graph, "mlp");
    if (depth < 0)
        return NULL;
    mg_tensor *h = lm_name(mg_tensor_gelu(mg_linear_forward(&k->fc, x)), "gelu");
    h = lm_name(mg_linear_forward(&k->out, h), "out");
    lm_leave(m->graph, depth);
    return h;
}

/* layer_norm(x) in scope name. */
static mg_tensor *norm_in(mg_gpt *m, const char *name, mg_tensor *x, mg_tensor *gamma,
                          mg_tensor *beta)
{
    int depth = lm_enter(m->graph, "%s", name);
    if (depth < 0)
        return NULL;
    x = lm_name(mg_tensor_layer_norm(x, gamma, beta, LM_LN_EPS), "out");
    lm_leave(m->graph, depth);
    return x;
}

static mg_tensor *block(mg_gpt *m, mg_tensor *x, int L, const int32_t *ids)
{
    const mg_gpt_block *k = &m->blocks[L];
    int depth = lm_enter(m->graph, "block%d", L + 1);
    if (depth < 0)
        return NULL;
    x = mg_tensor_add(x, attention(m, norm_in(m, "ln1", x, k->ln1_gamma, k->ln1_beta), L, ids));
    x = lm_name(x, "x_attn");
    x = lm_name(mg_tensor_add(x, mlp(m, norm_in(m, "ln2", x, k->ln2_gamma, k->ln2_beta), L)),
                "x");
    lm_leave(m->graph, depth);
    return x;
}

static mg_tensor *embed(mg_gpt *m, int B, int T, const int32_t *ids)
{
    int depth = lm_enter(m->graph, "embed");
    if (depth < 0)
        return NULL;
    mg_tensor *tok = lm_name(mg_tensor_embedding(m->wte, 2, (const int[]){ B, T }, ids), "tok");
    mg_tensor *pos = lm_name(mg_tensor_slice(m->wpe, 0, 0, T), "pos");
    mg_tensor *x = lm_name(mg_tensor_add(tok, pos), "x");
    lm_leave(m->graph, depth);
    return x;
}

mg_tensor *mg_gpt_forward(mg_gpt *m, int B, int T, const int32_t *ids)
{
    if (!m || !ids)
        return NULL;
    mg_graph *g = m->graph;
    if (B < 1 || T < 1 || T > m->cfg.context) {
        mg_graph_fail(g, MG_EINVAL, "gpt: %d sequences of %d tokens (1 to %d tokens)", B, T,
                      m->cfg.context);
        return NULL;
    }
    int depth = lm_enter(g, "gpt");
    if (depth < 0)
        return NULL;
    mg_tensor *x = embed(m, B, T, ids);
    for (int L = 0; L < m->cfg.layers; L++)
        x = block(m, x, L, ids);
    x = norm_in(m, "ln_f", x, m->lnf_gamma, m->lnf_beta);
    int head_depth = lm_enter(g, "lm_head");
    mg_tensor *logits = NULL;
    if (head_depth >= 0) {
        /* the head is the token table again: logits = x·wteᵀ */
        logits = lm_name(mg_tensor_matmul(x, mg_tensor_transpose(m->wte, 0, 1)), "logits");
        lm_leave(g, head_depth);
    }
    lm_leave(g, depth);
    name_by_tokens(m, logits, ids, B, T, (const int[]){ -2 }, 1);
    m->logits = logits;
    return logits;
}

mg_tensor *mg_gpt_loss(mg_gpt *m, int B, int T, const int32_t *ids, const int32_t *targets)
{
    if (!m || !targets)
        return NULL;
    mg_tensor *loss = lm_loss(mg_gpt_forward(m, B, T, ids), targets);
    return lm_name(loss, "loss");
}

/* ---- as a language model, and its parts ---- */

static mg_tensor *next(void *model, const int32_t *history, int n, int *row)
{
    mg_gpt *m = model;
    const int T = n < m->cfg.context ? n : m->cfg.context;
    *row = T - 1;
    return mg_gpt_forward(m, 1, T, history + n - T);
}

mg_lm mg_gpt_as_lm(mg_gpt *m)
{
    return (mg_lm){ .model = m, .graph = m ? m->graph : NULL, .vocab = m ? m->cfg.vocab : 0,
                    .next = next };
}

int mg_gpt_parts(const mg_gpt *m, mg_lm_part *parts, int cap)
{
    const int n = m->cfg.layers + 2;
    for (int i = 0; i < n && i < cap; i++) {
        mg_lm_part *p = &parts[i];
        if (i == 0) {
            snprintf(p->scope, sizeof p->scope, "gpt/embed");
            p->params = m->params;
            p->nparams = 2;
        } else if (i <= m->cfg.layers) {
            snprintf(p->scope, sizeof p->scope, "gpt/block%d", i);
            p->params = m->params + 2 + (i - 1) * MG_GPT_BLOCK_PARAMS;
            p->nparams = MG_GPT_BLOCK_PARAMS;
        } else {
            snprintf(p->scope, sizeof p->scope, "gpt/ln_f");
            p->params = m->params + m->nparams - 2;
            p->nparams = 2;
        }
    }
    return n;
}

int64_t mg_gpt_param_count(const mg_gpt *m)
{
    int64_t n = 0;
    for (int i = 0; m && i < m->nparams; i++)
        n += m->params[i]->numel;
    return n;
}

/* mlp_lm.c — makemore's MLP (Bengio et al. 2003) on tensor nodes. */
#include "mg_mlp_lm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lm_internal.h"

mg_code mg_mlp_lm_check(const mg_mlp_lm_config *c, mg_error *err)
{
    if (!c)
        return mg_error_set(err, MG_EINVAL, "mlp: no configuration");
    if (c->vocab < 2 || c->vocab > LM_MAX_VOCAB)
        return mg_error_set(err, MG_EINVAL, "mlp: vocab %d must be 2..%d", c->vocab,
                            LM_MAX_VOCAB);
    if (c->context < 1 || c->context > 64)
        return mg_error_set(err, MG_EINVAL, "mlp: context %d must be 1..64", c->context);
    if (c->embd < 1 || c->embd > 4096)
        return mg_error_set(err, MG_EINVAL, "mlp: embd %d must be 1..4096", c->embd);
    if (c->nhidden < 0 || c->nhidden > MG_MLP_LM_MAX_HIDDEN)
        return mg_error_set(err, MG_EINVAL, "mlp: %d hidden layers (0..%d)", c->nhidden,
                            MG_MLP_LM_MAX_HIDDEN);
    for (int i = 0; i < c->nhidden; i++)
        if (c->hidden[i] < 1 || c->hidden[i] > 65536)
            return mg_error_set(err, MG_EINVAL, "mlp: hidden width %d must be 1..65536",
                                c->hidden[i]);
    return MG_OK;
}

static mg_code make_layer(mg_mlp_lm *m, int l, int nin, int nout, mg_rng *rng)
{
    mg_graph *g = m->graph;
    const bool hidden = l < m->cfg.nhidden;
    int depth = lm_enter(g, "mlp/layer%d", l + 1);
    if (depth < 0)
        return mg_graph_status(g);
    mg_linear *lin = &m->layers[l];
    lin->nin = nin;
    lin->nout = nout;
    lin->W = lm_param(g, m->dtype, "W", 2, (const int[]){ nin, nout });
    lin->b = lm_param(g, m->dtype, "b", 1, &nout);
    if (hidden) {
        m->gamma[l] = lm_param(g, m->dtype, "gamma", 1, &nout);
        if (m->gamma[l])
            mg_tensor_fill(m->gamma[l], 1.0);
        m->beta[l] = lm_param(g, m->dtype, "beta", 1, &nout);
    }
    lm_leave(g, depth);
    if (!lin->W || !lin->b || (hidden && (!m->gamma[l] || !m->beta[l])))
        return mg_graph_status(g);
    lm_fill_normal(lin->W, hidden ? (5.0 / 3.0) / sqrt(nin) : 0.01, rng);
    m->params[m->nparams++] = lin->W;
    m->params[m->nparams++] = lin->b;
    if (hidden) {
        m->params[m->nparams++] = m->gamma[l];
        m->params[m->nparams++] = m->beta[l];
    }
    return MG_OK;
}

mg_mlp_lm *mg_mlp_lm_new(mg_graph *g, mg_dtype dt, const mg_mlp_lm_config *c, uint64_t seed,
                         mg_error *err)
{
    if (!g) {
        mg_error_set(err, MG_EINVAL, "mlp: no graph");
        return NULL;
    }
    if (mg_mlp_lm_check(c, err) != MG_OK)
        return NULL;
    mg_mlp_lm *m = calloc(1, sizeof *m);
    if (!m) {
        mg_error_set(err, MG_ENOMEM, "mlp: out of memory");
        return NULL;
    }
    *m = (mg_mlp_lm){ .graph = g, .dtype = dt, .cfg = *c };
    mg_rng rng;
    mg_rng_seed(&rng, seed);
    int depth = lm_enter(g, "mlp/embed");
    m->table = depth < 0 ? NULL : lm_param(g, dt, "C", 2, (const int[]){ c->vocab, c->embd });
    lm_leave(g, depth);
    mg_code rc = m->table ? MG_OK : mg_graph_status(g);
    if (rc == MG_OK) {
        lm_fill_normal(m->table, 1.0, &rng);
        m->params[m->nparams++] = m->table;
    }
    int nin = c->context * c->embd;
    for (int l = 0; l <= c->nhidden && rc == MG_OK; l++) {
        int nout = l < c->nhidden ? c->hidden[l] : c->vocab;
        rc = make_layer(m, l, nin, nout, &rng);
        nin = nout;
    }
    if (rc != MG_OK) {
        mg_error_set(err, rc, "mlp: %s", mg_graph_error(g) ? mg_graph_error(g) : "failed");
        free(m);
        return NULL;
    }
    return m;
}

void mg_mlp_lm_free(mg_mlp_lm *m) { free(m); }

mg_tensor *mg_mlp_lm_forward(mg_mlp_lm *m, int B, const int32_t *contexts)
{
    if (!m || !contexts)
        return NULL;
    mg_graph *g = m->graph;
    const mg_mlp_lm_config *c = &m->cfg;
    if (B < 1) {
        mg_graph_fail(g, MG_EINVAL, "mlp: batch of %d contexts", B);
        return NULL;
    }
    int depth = lm_enter(g, "mlp/embed");
    if (depth < 0)
        return NULL;
    mg_tensor *emb = mg_tensor_embedding(m->table, 2, (const int[]){ B, c->context }, contexts);
    mg_tensor *x = lm_name(mg_tensor_reshape(lm_name(emb, "emb"), 2, (const int[]){ B, -1 }),
                           "x");
    lm_leave(g, depth);
    for (int l = 0; l <= c->nhidden && x; l++) {
        if ((depth = lm_enter(g, "mlp/layer%d", l + 1)) < 0)
            return NULL;
        x = mg_linear_forward(&m->layers[l], x);
        if (l < c->nhidden)
            x = lm_name(mg_tensor_tanh(lm_name(mg_tensor_layer_norm(x, m->gamma[l], m->beta[l],
                                                                    LM_LN_EPS), "norm")),
                        "h");
        else
            x = lm_name(x, "logits");
        lm_leave(g, depth);
    }
    return x;
}

mg_tensor *mg_mlp_lm_loss(mg_mlp_lm *m, int B, const int32_t *contexts, const int32_t *targets)
{
    return lm_name(lm_loss(mg_mlp_lm_forward(m, B, contexts), targets), "loss");
}

void mg_mlp_lm_context(const int32_t *stream, int64_t p, int n, int32_t *out)
{
    bool before = false; /* past the document's start */
    for (int k = n - 1; k >= 0; k--) {
        int64_t at = p - (n - k);
        before = before || at < 0;
        out[k] = before ? MG_LM_END : stream[at];
        before = before || out[k] == MG_LM_END;
    }
}

static mg_tensor *next(void *model, const int32_t *history, int n, int *row)
{
    mg_mlp_lm *m = model;
    int32_t ctx[64];
    mg_mlp_lm_context(history, n, m->cfg.context, ctx);
    *row = 0;
    return mg_mlp_lm_forward(m, 1, ctx);
}

mg_lm mg_mlp_lm_as_lm(mg_mlp_lm *m)
{
    return (mg_lm){ .model = m, .graph = m ? m->graph : NULL, .vocab = m ? m->cfg.vocab : 0,
                    .next = next };
}

int mg_mlp_lm_parts(const mg_mlp_lm *m, mg_lm_part *parts, int cap)
{
    const int n = m->cfg.nhidden + 2;
    for (int i = 0, first = 0; i < n && i < cap; i++) {
        const int count = i == 0 ? 1 : i <= m->cfg.nhidden ? 4 : 2;
        mg_lm_part *p = &parts[i];
        if (i == 0)
            snprintf(p->scope, sizeof p->scope, "mlp/embed");
        else
            snprintf(p->scope, sizeof p->scope, "mlp/layer%d", i);
        p->params = m->params + first;
        p->nparams = count;
        first += count;
    }
    return n;
}

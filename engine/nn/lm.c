/* lm.c — what every language model offers: tokens drawn from its logits,
 * documents drawn token by token; and the scope helpers the models share. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lm_internal.h"

int lm_enter(mg_graph *g, const char *fmt, ...)
{
    char path[256];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= sizeof path) {
        mg_graph_fail(g, MG_EINVAL, "scope path too long");
        return -1;
    }
    int n = 0;
    for (char *name = path; *name;) {
        size_t len = strcspn(name, "/");
        const bool more = name[len] == '/';
        name[len] = '\0';
        if (mg_scope_push(g, name) != MG_OK) {
            lm_leave(g, n);
            return -1;
        }
        n++;
        name += len + more;
    }
    return n;
}

void lm_leave(mg_graph *g, int n)
{
    for (int i = 0; i < n; i++)
        mg_scope_pop(g);
}

mg_tensor *lm_name(mg_tensor *t, const char *name)
{
    if (!t)
        return NULL;
    mg_graph *g = t->node->graph;
    char path[256], label[256];
    mg_scope_path(g, mg_scope_current(g), path, sizeof path);
    const char *below = strchr(path, '/'); /* past the model's own scope */
    if (!below) {
        snprintf(label, sizeof label, "%s", name);
    } else {
        int n = snprintf(label, sizeof label, "%s.%s", below + 1, name);
        for (int i = 0; i < n && i < (int)sizeof label; i++)
            label[i] = label[i] == '/' ? '.' : label[i];
    }
    return mg_tensor_label(t, label);
}

mg_tensor *lm_param(mg_graph *g, mg_dtype dt, const char *name, int ndim, const int *shape)
{
    return lm_name(mg_tensor_param(g, dt, ndim, shape), name);
}

void lm_fill_normal(mg_tensor *t, double std, mg_rng *rng)
{
    for (int i = 0; t && i < t->numel; i++)
        mg_tensor_set(t, i, std * mg_rng_normal(rng));
}

mg_tensor *lm_loss(mg_tensor *logits, const int32_t *targets)
{
    if (!logits || !targets)
        return NULL;
    const int V = logits->shape[logits->ndim - 1];
    mg_tensor *rows = logits->ndim == 2 ? logits
                                        : mg_tensor_reshape(logits, 2, (const int[]){ -1, V });
    return mg_tensor_cross_entropy(rows, targets);
}

int mg_lm_sample_row(const mg_tensor *logits, int row, const mg_lm_sampling *s, mg_rng *rng)
{
    if (!logits || logits->ndim < 1 || !rng)
        return -1;
    const int V = logits->shape[logits->ndim - 1];
    if (row < 0 || row >= logits->numel / V)
        return -1;
    double *p = malloc(sizeof *p * (size_t)V), *sorted = malloc(sizeof *sorted * (size_t)V);
    int token = -1;
    if (!p || !sorted)
        goto done;
    const double temp = s && s->temperature > 0 ? s->temperature : 1.0;
    double top = -INFINITY;
    for (int i = 0; i < V; i++) {
        p[i] = mg_tensor_get(logits, row * V + i);
        if (isnan(p[i]))
            goto done;
        top = p[i] > top ? p[i] : top;
    }
    if (!isfinite(top))
        goto done;
    /* shifted before the division: a tiny temperature makes the rest -inf
     * (the likeliest drawn), never inf - inf */
    for (int i = 0; i < V; i++)
        p[i] = (p[i] - top) / temp;
    double floor = -INFINITY; /* logits below it are out (top-k) */
    if (s && s->top_k > 0 && s->top_k < V) {
        memcpy(sorted, p, sizeof *p * (size_t)V);
        /* the k-th largest: partial selection, V is small */
        for (int k = 0; k < s->top_k; k++)
            for (int j = k + 1; j < V; j++)
                if (sorted[j] > sorted[k]) {
                    double t = sorted[k];
                    sorted[k] = sorted[j];
                    sorted[j] = t;
                }
        floor = sorted[s->top_k - 1];
    }
    double total = 0;
    for (int i = 0; i < V; i++) {
        p[i] = p[i] >= floor ? exp(p[i]) : 0.0;
        total += p[i];
    }
    if (!(total > 0))
        goto done;
    double u = mg_rng_uniform(rng) * total;
    token = V - 1;
    for (int i = 0; i < V; i++) {
        if (p[i] > 0 && u < p[i]) {
            token = i;
            break;
        }
        u -= p[i];
    }
    while (p[token] == 0 && token > 0) /* rounding left u past the last share */
        token--;
done:
    free(p);
    free(sorted);
    return token;
}

mg_code mg_lm_generate(const mg_lm *lm, const mg_lm_sampling *s, mg_rng *rng, int32_t *out,
                       int max, int *n, bool *ended, mg_error *err)
{
    if (!lm || !lm->next || !lm->graph || !rng || !out || max < 1 || !n || !ended)
        return mg_error_set(err, MG_EINVAL, "generate: needs a model, a generator and room");
    int32_t *history = malloc(sizeof *history * ((size_t)max + 1));
    if (!history)
        return mg_error_set(err, MG_ENOMEM, "generate: out of memory for %d tokens", max);
    history[0] = MG_LM_END;
    *n = 0;
    *ended = false;
    mg_code rc = MG_OK;
    while (*n < max && !*ended) {
        mg_mark mark = mg_graph_mark(lm->graph);
        int row = 0;
        mg_tensor *logits = lm->next(lm->model, history, *n + 1, &row);
        int token = logits ? mg_lm_sample_row(logits, row, s, rng) : -1;
        const char *why = mg_graph_error(lm->graph);
        if (token < 0)
            rc = mg_error_set(err, why ? mg_graph_status(lm->graph) : MG_EINVAL,
                              "generate: %s", why ? why : "the logits hold a NaN");
        mg_graph_rewind(lm->graph, mark);
        if (rc != MG_OK)
            break;
        if (token == MG_LM_END)
            *ended = true;
        else
            history[1 + (*n)++] = token;
    }
    memcpy(out, history + 1, sizeof *out * (size_t)*n);
    free(history);
    return rc;
}

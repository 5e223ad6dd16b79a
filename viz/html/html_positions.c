/* html_positions.c — what feeds the prediction at each position of a
 * sequence model: for every position p of batch row 0 of the logits, a
 * backward pass seeded with the loss's gradient at p alone (the logits'
 * grad there, or ones where it is 0), after which the nodes holding a
 * nonzero grad are exactly those p's prediction depends on, and the grads
 * of the attention weights show which query rows and keys it reached
 * through, block by block: causality made visible. The grads the caller's
 * backward left are saved first and put back after, so a training loop
 * goes on as if nothing happened.
 *
 * The page's "positions" member (mg_html.h):
 *   { "logits": node id, "step": the step they were taken at,
 *     "rows": the batch rows the logits hold (the positions are row 0's),
 *     "names": [T labels],             the tokens (mg_tensor_name) or "0".."T-1"
 *     "reach": [T base64 bitsets],     bit id of byte id/8 (low bit first):
 *                                       node id's grad is nonzero for p
 *     "attention": [ { "id", "heads", "q", "k", "offset",
 *                      "qnames", "knames": the tokens down and across,
 *                      "data": base64 f32 [heads,q,k] of batch row 0,
 *                      "flow": [T base64 bitsets]: one bit per cell a
 *                              causal map keeps (head, query i, key j <=
 *                              i + offset, in that order; bit c of byte
 *                              c/8, low bit first), set where p's pass
 *                              left a nonzero grad } ] }
 * The page only asks whether a cell passed gradient, so that is all it
 * gets: a bit per unmasked cell instead of a float per cell (a default GPT
 * run's page kept 22.7 MB of grads; its flow bits take 0.35 MB). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html_internal.h"
#include "mg_tensor.h"

/* Every tensor's grad (and every scalar's) copied out, to be put back. */
typedef struct saved_grads {
    double *x;
    size_t n;
} saved_grads;

static size_t grad_count(const mg_graph *g, size_t n)
{
    size_t total = 0;
    for (uint32_t id = 0; id < n; id++) {
        const mg_tensor *t = mg_tensor_of(mg_graph_node(g, id));
        total += t ? (t->grad ? (size_t)t->numel : 0) : 1;
    }
    return total;
}

/* Copies grads out (put false) or back in (put true). */
static void move_grads(mg_graph *g, size_t n, saved_grads *s, bool put)
{
    size_t k = 0;
    for (uint32_t id = 0; id < n; id++) {
        mg_value *v = mg_graph_node(g, id);
        mg_tensor *t = mg_tensor_of(v);
        if (!t) {
            if (put)
                v->grad = s->x[k];
            else
                s->x[k] = v->grad;
            k++;
            continue;
        }
        for (int i = 0; t->grad && i < t->numel; i++, k++) {
            if (!put)
                s->x[k] = mg_tensor_grad_at(t, i);
            else if (t->dtype == MG_F32)
                ((float *)t->grad)[i] = (float)s->x[k];
            else
                ((double *)t->grad)[i] = s->x[k];
        }
    }
}

static void zero_grads(mg_graph *g, size_t n)
{
    mg_graph_zero_grad(g);
    for (uint32_t id = 0; id < n; id++)
        mg_tensor_zero_grad(mg_tensor_of(mg_graph_node(g, id)));
}

static bool nonzero_grad(const mg_value *v)
{
    const mg_tensor *t = mg_tensor_of(v);
    if (!t)
        return v->grad != 0.0;
    for (int i = 0; t->grad && i < t->numel; i++)
        if (mg_tensor_grad_at(t, i) != 0.0)
            return true;
    return false;
}

/* Attention weights the page draws: causal softmax results of at most
 * MG_HEATMAP_ATTENTION_MAX (96) positions a side. */
static bool is_attention(const mg_tensor *t)
{
    return t && t->op == MG_T_CAUSAL_SOFTMAX && t->ndim >= 2 && t->shape[t->ndim - 1] <= 96 &&
           t->shape[t->ndim - 2] <= 96;
}

static int heads_of(const mg_tensor *t)
{
    return t->ndim >= 3 ? t->shape[t->ndim - 3] : 1;
}

/* The first heads·q·k elements (batch row 0) of t's data as base64 f32. */
static void put_row0(mg_buf *b, const mg_tensor *t, double *scratch)
{
    int m = heads_of(t) * t->shape[t->ndim - 2] * t->shape[t->ndim - 1];
    for (int i = 0; i < m; i++)
        scratch[i] = mg_tensor_get(t, i);
    mg_buf_puts(b, "\"");
    mg_buf_base64_numbers(b, scratch, (size_t)m, true);
    mg_buf_puts(b, "\"");
}

/* "flow" of t now (see the top of the file): its bitset of batch row 0's
 * unmasked cells with a nonzero grad, bits (zeroed here) big enough. */
static void put_flow(mg_buf *b, const mg_tensor *t, unsigned char *bits)
{
    int q = t->shape[t->ndim - 2], k = t->shape[t->ndim - 1];
    size_t c = 0;
    for (int h = 0; h < heads_of(t); h++)
        for (int i = 0; i < q; i++)
            for (int j = 0; j < k && j <= i + t->axis; j++, c++) {
                if (c % 8 == 0)
                    bits[c / 8] = 0;
                if (mg_tensor_grad_at(t, (h * q + i) * k + j) != 0.0)
                    bits[c / 8] |= (unsigned char)(1u << (c % 8));
            }
    mg_buf_puts(b, "\"");
    mg_buf_base64(b, bits, (c + 7) / 8);
    mg_buf_puts(b, "\"");
}

/* ["a","b",...]: the names of axis of t in batch row 0, or numbers. */
static void put_names(mg_buf *b, const mg_tensor *t, int axis)
{
    int n = t->shape[t->ndim + axis];
    char num[16];
    mg_buf_puts(b, "[");
    for (int i = 0; i < n; i++) {
        const char *name = mg_tensor_name(t, axis, 0, i);
        if (!name)
            snprintf(num, sizeof num, "%d", i);
        mg_buf_puts(b, i ? "," : "");
        mg_buf_json_string(b, name ? name : num);
    }
    mg_buf_puts(b, "]");
}

/* One backward pass per position, its results appended to reach (a base64
 * bitset per position) and to each attention node's flow list. */
static mg_code passes(mg_graph *g, size_t n, mg_tensor *logits, mg_buf *reach,
                      mg_buf *att_flows, const uint32_t *att, size_t natt, const double *given,
                      unsigned char *bits, mg_error *err)
{
    int T = logits->shape[logits->ndim - 2], V = logits->shape[logits->ndim - 1];
    size_t bytes = (n + 7) / 8;
    double *seed = calloc((size_t)logits->numel, sizeof *seed);
    unsigned char *set = malloc(bytes ? bytes : 1);
    mg_code rc = seed && set ? MG_OK
                                     : mg_error_set(err, MG_ENOMEM, "mgviz html: out of memory for positions");
    for (int p = 0; rc == MG_OK && p < T; p++) {
        bool any = false;
        for (int v = 0; v < V; v++)
            any |= given[p * V + v] != 0.0;
        for (int i = 0; i < logits->numel; i++)
            seed[i] = i / V != p ? 0.0 : any ? given[i] : 1.0;
        zero_grads(g, n);
        if (mg_tensor_backward_seeded(logits, seed) != MG_OK) {
            rc = mg_error_set(err, MG_EINVAL, "mgviz html: backward from position %d failed: %s",
                              p, mg_graph_error(g) ? mg_graph_error(g) : "?");
            break;
        }
        memset(set, 0, bytes);
        for (uint32_t id = 0; id < n; id++)
            if (nonzero_grad(mg_graph_node(g, id)))
                set[id / 8] |= (unsigned char)(1u << (id % 8));
        mg_buf_puts(reach, p ? ",\"" : "\"");
        mg_buf_base64(reach, set, bytes);
        mg_buf_puts(reach, "\"");
        for (size_t a = 0; a < natt; a++) {
            mg_buf_puts(&att_flows[a], p ? "," : "");
            put_flow(&att_flows[a], mg_tensor_of(mg_graph_node(g, att[a])), bits);
        }
    }
    free(seed);
    free(set);
    return rc;
}

mg_code html_positions_take(mg_buf *out, mg_tensor *logits, long step, mg_error *err)
{
    mg_graph *g = logits->node->graph;
    size_t n = mg_graph_count(g);
    int T = logits->ndim >= 2 ? logits->shape[logits->ndim - 2] : 0;
    int V = logits->ndim >= 2 ? logits->shape[logits->ndim - 1] : 0;
    if (logits->ndim < 2 || !logits->grad)
        return mg_error_set(err, MG_EINVAL,
                            "mgviz html: logits #%u need [..., positions, classes] and a grad",
                            logits->node->id);
    /* the attention nodes, and the largest row-0 block any of them has */
    size_t natt = 0, big = (size_t)logits->numel;
    uint32_t *att = malloc(n * sizeof *att);
    for (uint32_t id = 0; att && id < n; id++) {
        const mg_tensor *t = mg_tensor_of(mg_graph_node(g, id));
        if (is_attention(t) && t->grad) {
            att[natt++] = id;
            size_t m = (size_t)heads_of(t) * t->shape[t->ndim - 2] * t->shape[t->ndim - 1];
            big = m > big ? m : big;
        }
    }
    saved_grads saved = { malloc((grad_count(g, n) + 1) * sizeof(double)), 0 };
    double *scratch = malloc(big * sizeof *scratch);
    unsigned char *bits = malloc(big / 8 + 1);
    double *given = malloc((size_t)logits->numel * sizeof *given); /* the caller's logits grad */
    mg_buf *att_flows = calloc(natt + 1, sizeof *att_flows);
    mg_buf reach = {0};
    if (!att || !saved.x || !scratch || !bits || !given || !att_flows) {
        free(att), free(saved.x), free(scratch), free(bits), free(given), free(att_flows);
        return mg_error_set(err, MG_ENOMEM, "mgviz html: out of memory for positions");
    }
    move_grads(g, n, &saved, false);
    for (int i = 0; i < logits->numel; i++)
        given[i] = mg_tensor_grad_at(logits, i);
    mg_code rc = passes(g, n, logits, &reach, att_flows, att, natt, given, bits, err);
    move_grads(g, n, &saved, true);
    if (rc == MG_OK) {
        out->len = 0;
        mg_buf_printf(out, "{\"logits\":%u,\"step\":%ld,\"rows\":%d,\"names\":", logits->node->id,
                      step, T > 0 && V > 0 ? logits->numel / (T * V) : 0);
        put_names(out, logits, -2);
        mg_buf_puts(out, ",\"reach\":[");
        mg_buf_put(out, reach.p, reach.len);
        mg_buf_puts(out, "],\"attention\":[");
        for (size_t a = 0; a < natt; a++) {
            const mg_tensor *t = mg_tensor_of(mg_graph_node(g, att[a]));
            mg_buf_printf(out, "%s{\"id\":%u,\"heads\":%d,\"q\":%d,\"k\":%d,\"offset\":%d,\"qnames\":",
                          a ? "," : "", att[a], heads_of(t), t->shape[t->ndim - 2],
                          t->shape[t->ndim - 1], t->axis);
            put_names(out, t, -2);
            mg_buf_puts(out, ",\"knames\":");
            put_names(out, t, -1);
            mg_buf_puts(out, ",\"data\":");
            put_row0(out, t, scratch);
            mg_buf_puts(out, ",\"flow\":[");
            mg_buf_put(out, att_flows[a].p, att_flows[a].len);
            mg_buf_puts(out, "]}");
        }
        mg_buf_puts(out, "]}");
    }
    bool failed = reach.failed || out->failed;
    for (size_t a = 0; a < natt; a++) {
        failed |= att_flows[a].failed;
        mg_buf_free(&att_flows[a]);
    }
    mg_buf_free(&reach);
    free(att), free(saved.x), free(scratch), free(bits), free(given), free(att_flows);
    if (rc == MG_OK && failed)
        rc = mg_error_set(err, MG_ENOMEM, "mgviz html: out of memory for positions");
    return rc;
}

/* eval.c — mg_eval.h: accuracy, per-row losses and test-set evaluation. */
#include "mg_eval.h"

#include <math.h>

static double element(const mg_tensor *t, int i)
{
    return t->dtype == MG_F32 ? (double)((const float *)t->data)[i]
                              : ((const double *)t->data)[i];
}

double mg_accuracy_sign(const mg_tensor *scores, const mg_tensor *labels)
{
    if (!scores || !labels || scores->numel != labels->numel || scores->numel == 0)
        return NAN;
    int right = 0;
    for (int i = 0; i < scores->numel; i++)
        right += (element(scores, i) > 0) == (element(labels, i) > 0);
    return (double)right / scores->numel;
}

/* The one argmax rule (mg_argmax): the first of equals, a NaN as largest;
 * at(p, i) reads the i-th of the n candidates. */
static size_t argmax_by(const void *p, size_t n, double (*at)(const void *p, size_t i))
{
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        const double x = at(p, i);
        if (isnan(x))
            return i;
        if (x > at(p, best))
            best = i;
    }
    return best;
}

static double double_at(const void *p, size_t i) { return ((const double *)p)[i]; }

/* A row of a 2-D tensor, read through element(). */
typedef struct tensor_row {
    const mg_tensor *t;
    int first;
} tensor_row;

static double row_at(const void *p, size_t i)
{
    const tensor_row *r = p;
    return element(r->t, r->first + (int)i);
}

/* The column of row r's largest entry. */
static int row_argmax(const mg_tensor *t, int r)
{
    const tensor_row row = { t, r * t->shape[1] };
    return (int)argmax_by(&row, (size_t)t->shape[1], row_at);
}

static int count_right(const mg_tensor *logits, const int32_t *labels)
{
    int right = 0;
    for (int r = 0; r < logits->shape[0]; r++)
        right += row_argmax(logits, r) == labels[r];
    return right;
}

double mg_accuracy_argmax(const mg_tensor *logits, const int32_t *labels)
{
    if (!logits || !labels || logits->ndim != 2 || logits->shape[0] == 0)
        return NAN;
    return (double)count_right(logits, labels) / logits->shape[0];
}

mg_code mg_cross_entropy_rows(mg_tensor *logits, const int32_t *labels, double *out)
{
    if (!logits || !labels || !out || logits->ndim != 2)
        return MG_EINVAL;
    mg_tensor *logp = mg_tensor_log_softmax(logits, 1);
    if (!logp)
        return mg_graph_status(logits->node->graph);
    const int rows = logp->shape[0], cols = logp->shape[1];
    for (int r = 0; r < rows; r++)
        out[r] = labels[r] >= 0 && labels[r] < cols ? -element(logp, r * cols + labels[r]) : NAN;
    return MG_OK;
}

size_t mg_argmax(const double *v, size_t n)
{
    return v ? argmax_by(v, n, double_at) : 0;
}

/* One chunk: rows first..first+b-1 of set. */
static mg_code eval_chunk(mg_graph *g, mg_forward_fn forward, void *model, const mg_image_set *set,
                          int first, int b, double *loss_sum, int *right)
{
    mg_graph_reset(g);
    mg_tensor *x = mg_tensor_input(g, MG_F32, 2, (const int[]){ b, set->dim });
    int32_t *labels = mg_graph_alloc(g, sizeof *labels * (size_t)b);
    if (!x || !labels)
        return mg_graph_status(g) ? mg_graph_status(g) : MG_ENOMEM;
    mg_image_set_rows(set, NULL, first, b, x->data, labels);
    mg_tensor *logits = forward(model, x);
    mg_tensor *loss = mg_tensor_cross_entropy(logits, labels);
    if (!loss || logits->ndim != 2)
        return mg_graph_status(g) ? mg_graph_status(g) : MG_EINVAL;
    *loss_sum += mg_tensor_get(loss, 0) * b;
    *right += count_right(logits, labels);
    return MG_OK;
}

mg_code mg_evaluate_images(mg_graph *g, mg_forward_fn forward, void *model,
                           const mg_image_set *set, int chunk, mg_eval *out, mg_error *err)
{
    if (!g || !forward || !set || !out || chunk < 1)
        return mg_error_set(err, MG_EINVAL, "evaluate: missing graph, model, data or chunk size");
    double loss_sum = 0;
    int right = 0;
    mg_code rc = MG_OK;
    for (int first = 0; first < set->n && rc == MG_OK; first += chunk) {
        int b = set->n - first < chunk ? set->n - first : chunk;
        rc = eval_chunk(g, forward, model, set, first, b, &loss_sum, &right);
    }
    if (rc != MG_OK) {
        const char *why = mg_graph_error(g);
        mg_error_set(err, rc, "evaluate: %s", why ? why : "the model gave no logits");
    }
    mg_graph_reset(g);
    *out = (mg_eval){ .loss = set->n ? loss_sum / set->n : NAN,
                      .accuracy = set->n ? (double)right / set->n : NAN, .samples = set->n };
    return rc;
}

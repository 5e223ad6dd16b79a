/* task_scalar.c — micrograd's demo as a task: an MLP of mg_value nodes (one
 * per number) learning the two moons with the SVM loss plus alpha·L2 and
 * plain SGD, full batch unless a batch size is given. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mg_loss.h"
#include "task_internal.h"

typedef struct scalar_impl {
    double *X, *y;            /* the dataset, n rows */
    double *bx, *by;          /* the batch's rows, when not the whole set */
    mg_mlp *mlp;
    mg_value *const *params;
    size_t nparams;
    mg_batcher batches;
    bool full;                /* full batch: the rows in order, every step */
    const int *idx;           /* the last step's rows (NULL: 0..n-1) */
    int nb;
} scalar_impl;

static scalar_impl *impl(const mg_task *t) { return t->impl; }

/* The model's score at (x, y), computed by the engine itself on nodes that
 * are dropped again: no second implementation of the network. */
static double score(void *ctx, double x, double y)
{
    mg_task *t = ctx;
    mg_mark mark = mg_graph_mark(t->g);
    mg_value *in[2] = { mg_input(t->g, x), mg_input(t->g, y) }, *out = NULL;
    double s = mg_mlp_forward(impl(t)->mlp, in, &out) == MG_OK ? out->data : NAN;
    mg_graph_rewind(t->g, mark);
    return s;
}

static mg_code load(mg_task *t, scalar_impl *m, mg_error *err)
{
    const size_t n = t->config.samples;
    mg_code rc = task_batches(t, &m->batches, (int)n, &m->full, err);
    if (rc != MG_OK)
        return rc;
    const size_t batch = (size_t)m->batches.batch;
    m->X = malloc(sizeof(double) * 2 * n);
    m->y = malloc(sizeof(double) * n);
    m->bx = malloc(sizeof(double) * 2 * batch);
    m->by = malloc(sizeof(double) * batch);
    if (!m->X || !m->y || !m->bx || !m->by)
        return mg_error_set(err, MG_ENOMEM, "out of memory for %zu samples", n);
    t->samples = (long)n;
    t->X = m->X;
    t->labels = m->y;
    t->npoints = n;
    return mg_make_moons(n, t->config.noise, t->config.seed, m->X, m->y, err);
}

static mg_code build(mg_task *t, scalar_impl *m, mg_error *err)
{
    const mg_task_config *c = &t->config;
    int sizes[MG_TASK_MAX_HIDDEN + 2] = { 2 }, nouts[MG_TASK_MAX_HIDDEN + 1];
    for (int i = 0; i < c->nhidden; i++)
        sizes[i + 1] = nouts[i] = c->hidden[i];
    sizes[c->nhidden + 1] = nouts[c->nhidden] = 1;
    m->mlp = mg_mlp_new(t->g, 2, nouts, c->nhidden + 1, MG_NONLIN_RELU, MG_NONLIN_LINEAR,
                        c->seed, err);
    if (!m->mlp)
        return err ? err->code : MG_EINVAL;
    mg_graph_keep(t->g); /* the parameters survive every step's reset */
    m->params = mg_mlp_parameters(m->mlp, &m->nparams);
    t->model = (mg_train_model){ .values = m->params, .nvalues = m->nparams };
    task_describe(t, sizes, c->nhidden + 2);
    task_name_layers(t, c->nhidden + 1);
    const mg_value *const *p = (const mg_value *const *)m->params;
    for (int l = 0; l < t->nlayers; l++) { /* each layer's neurons' weights and bias */
        const mg_layer *layer = &m->mlp->layers[l];
        t->layers[l].values = (mg_value *const *)p;
        t->layers[l].nvalues = (size_t)layer->nout * (size_t)(layer->nin + 1);
        p += t->layers[l].nvalues;
    }
    t->predict = score;
    return MG_OK;
}

static mg_code scalar_open(mg_task *t, mg_error *err)
{
    scalar_impl *m = calloc(1, sizeof *m);
    if (!m)
        return mg_error_set(err, MG_ENOMEM, "out of memory");
    t->impl = m;
    mg_code rc = load(t, m, err);
    if (rc == MG_OK)
        rc = build(t, m, err);
    t->batches = m->batches.order ? mg_batcher_count(&m->batches) : 0;
    return rc;
}

static void scalar_close(mg_task *t)
{
    scalar_impl *m = impl(t);
    if (!m)
        return;
    mg_mlp_free(m->mlp);
    mg_batcher_free(&m->batches);
    free(m->X);
    free(m->y);
    free(m->bx);
    free(m->by);
    free(m);
}

static void scalar_start_epoch(void *ctx, int epoch)
{
    scalar_impl *m = impl(ctx);
    task_batches_rewind(&m->batches, m->full, epoch);
}

/* The rows of the next batch: all of them in order (full batch), or the
 * shuffled batch's rows gathered into bx, by. */
static void next_rows(scalar_impl *m, const double **X, const double **y)
{
    m->nb = mg_batcher_next(&m->batches, &m->idx);
    if (m->full) {
        m->idx = NULL;
        *X = m->X;
        *y = m->y;
        return;
    }
    for (int i = 0; i < m->nb; i++) {
        m->bx[2 * i] = m->X[2 * m->idx[i]];
        m->bx[2 * i + 1] = m->X[2 * m->idx[i] + 1];
        m->by[i] = m->y[m->idx[i]];
    }
    *X = m->bx;
    *y = m->by;
}

static mg_code scalar_step(void *ctx, mg_train_batch *out, mg_error *err)
{
    mg_task *t = ctx;
    scalar_impl *m = impl(t);
    const double *X, *y;
    mg_graph_reset(t->g);
    next_rows(m, &X, &y);
    out->accuracy = NAN;
    out->root = mg_mlp_svm_loss(m->mlp, X, y, (size_t)m->nb, t->config.alpha, &out->accuracy);
    mg_mlp_zero_grad(m->mlp);
    if (!out->root || mg_backward(out->root) != MG_OK)
        return mg_error_set(err, mg_graph_status(t->g), "%s", mg_graph_error(t->g));
    out->loss = out->root->data;
    return MG_OK;
}

static void scalar_update(void *ctx, double lr)
{
    mg_sgd_step(impl(ctx)->params, impl(ctx)->nparams, lr);
}

/* micrograd's max-margin loss of one sample: relu(1 - y·score). */
static double margin_loss(mg_task *t, long i)
{
    const scalar_impl *m = impl(t);
    double s = score(t, m->X[2 * i], m->X[2 * i + 1]), l = 1 - m->y[i] * s;
    return isnan(l) || l > 0 ? l : 0;
}

static mg_code scalar_worst(mg_task *t, mg_task_sample *s, mg_error *err)
{
    (void)err;
    scalar_impl *m = impl(t);
    s->worst = true;
    s->loss = -INFINITY;
    for (int i = 0; i < m->nb; i++) {
        double l = margin_loss(t, task_row(m->idx, i));
        if (l > s->loss || isnan(l)) {
            s->loss = l;
            s->index = task_row(m->idx, i);
            if (isnan(l))
                break;
        }
    }
    return MG_OK;
}

static mg_code scalar_sample(mg_task *t, mg_task_sample *s, mg_value **root, mg_error *err)
{
    scalar_impl *m = impl(t);
    mg_mlp_zero_grad(m->mlp);
    char scope[32];
    snprintf(scope, sizeof scope, "sample%ld", s->index);
    mg_scope_push(t->g, scope);
    const double *x = m->X + 2 * s->index;
    mg_value *in[2], *out = NULL;
    for (int j = 0; j < 2; j++) {
        char name[48]; /* as in the batch's graph: the data matrix's element */
        snprintf(name, sizeof name, "X[%ld,%d]", s->index, j);
        in[j] = mg_label(mg_input(t->g, x[j]), name);
    }
    mg_mlp_forward(m->mlp, in, &out);
    *root = mg_loss_svm(&out, &m->y[s->index], 1);
    mg_scope_pop(t->g);
    if (!*root || mg_backward(*root) != MG_OK)
        return mg_error_set(err, mg_graph_status(t->g), "sample graph: %s", mg_graph_error(t->g));
    s->loss = (*root)->data;
    s->zero_grads = mg_grads_all_zero(&t->model);
    snprintf(s->label, sizeof s->label, "%+.0f", m->y[s->index]);
    return MG_OK;
}

const mg_task_kind mg_task_scalar_moons = {
    .open = scalar_open,
    .close = scalar_close,
    .start_epoch = scalar_start_epoch,
    .step = scalar_step,
    .update = scalar_update,
    .worst = scalar_worst,
    .sample = scalar_sample,
};

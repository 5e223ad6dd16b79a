/* task_tensor.c — an MLP of tensor nodes (one per array) with mini-batches
 * and an optimiser, on a dataset given as tensor_data: the moons
 * (micrograd's loss, vectorised) and Fashion-MNIST (cross-entropy, a test
 * set). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_eval.h"
#include "mg_kernels.h"
#include "mg_loss.h"
#include "task_internal.h"

enum { EVAL_ROWS = 1000 };

typedef struct tensor_impl tensor_impl;

/* What a dataset gives the tensor MLP. */
typedef struct tensor_data {
    /* Loads the data; sets t->samples, the model's inputs and outputs, and
     * the points of a decision boundary when the data are 2-D. */
    mg_code (*load)(mg_task *t, tensor_impl *m, mg_error *err);
    void (*free)(tensor_impl *m);
    /* A new input tensor of rows idx[0..b-1] (0.. when idx is NULL) with
     * their targets kept for loss(). */
    mg_tensor *(*batch)(mg_task *t, tensor_impl *m, const int *idx, int b);
    /* The loss of out against the batch's targets; with regularisation
     * (the training loss) or without (one sample's own loss). */
    mg_tensor *(*loss)(mg_task *t, tensor_impl *m, mg_tensor *out, bool regularise);
    /* Accuracy of out on the batch; NaN when it has none. */
    double (*accuracy)(tensor_impl *m, mg_tensor *out);
    /* Each row's own loss into rows[0..b-1]. */
    mg_code (*row_losses)(tensor_impl *m, mg_tensor *out, double *rows);
    /* Sample index's label as text. */
    void (*label)(const tensor_impl *m, long index, char *buf, size_t n);
    /* Test loss and accuracy; NULL: no test set. */
    mg_code (*evaluate)(mg_task *t, tensor_impl *m, mg_eval *out, mg_error *err);
} tensor_data;

/* The model, the batches, the last step. */
struct tensor_impl {
    const tensor_data *data;
    int inputs, outputs;          /* the model's, set by the dataset's load */
    mg_tmlp *mlp;
    mg_optim *opt;
    mg_batcher batches;
    bool full;                    /* full batch: the rows in order */
    const int *idx;               /* the last step's rows (NULL: 0..) */
    int nb;
    mg_tensor *out;               /* the last batch's model output */
    int32_t *labels;              /* class targets of the batch */
    mg_tensor *targets;           /* tensor targets of the batch (points) */
    double *rows;                 /* per-row losses of the batch */
    double *X, *y;                /* points (moons) */
    mg_image_set train, test;     /* or image sets */
};

static tensor_impl *impl(const mg_task *t) { return t->impl; }

/* ---- the moons, vectorised ---- */

static mg_code moons_load(mg_task *t, tensor_impl *m, mg_error *err)
{
    const size_t n = t->config.samples;
    m->X = malloc(sizeof(double) * 2 * n);
    m->y = malloc(sizeof(double) * n);
    if (!m->X || !m->y)
        return mg_error_set(err, MG_ENOMEM, "out of memory for %zu samples", n);
    m->inputs = 2;
    m->outputs = 1;
    t->samples = (long)n;
    t->X = m->X;
    t->labels = m->y;
    t->npoints = n;
    return mg_make_moons(n, t->config.noise, t->config.seed, m->X, m->y, err);
}

static void moons_free(tensor_impl *m)
{
    free(m->X);
    free(m->y);
}

static mg_tensor *moons_batch(mg_task *t, tensor_impl *m, const int *idx, int b)
{
    mg_tensor *x = mg_tensor_label(mg_tensor_input(t->g, MG_F32, 2, (const int[]){ b, 2 }), "x");
    m->targets = mg_tensor_label(mg_tensor_input(t->g, MG_F32, 2, (const int[]){ b, 1 }), "y");
    if (!x || !m->targets)
        return NULL;
    for (int i = 0; i < b; i++) {
        long r = task_row(idx, i);
        mg_tensor_set(x, 2 * i, m->X[2 * r]);
        mg_tensor_set(x, 2 * i + 1, m->X[2 * r + 1]);
        mg_tensor_set(m->targets, i, m->y[r]);
    }
    return x;
}

/* micrograd's demo loss: mean(relu(1 - y·s)) + alpha·Σ p². */
static mg_tensor *moons_loss(mg_task *t, tensor_impl *m, mg_tensor *scores, bool regularise)
{
    mg_tensor *loss = mg_tensor_loss_svm(scores, m->targets);
    if (!regularise || t->config.alpha == 0)
        return loss;
    return mg_tensor_add(loss, mg_tensor_l2(m->mlp->params, m->mlp->nparams, t->config.alpha));
}

static double moons_accuracy(tensor_impl *m, mg_tensor *scores)
{
    return mg_accuracy_sign(scores, m->targets);
}

/* Row losses from the scores, without adding to the drawn graph's root. */
static mg_code moons_rows(tensor_impl *m, mg_tensor *scores, double *rows)
{
    mg_svm_rows(scores, m->targets, rows);
    return MG_OK;
}

static void moons_label(const tensor_impl *m, long index, char *buf, size_t n)
{
    snprintf(buf, n, "%+.0f", m->y[index]);
}

static const tensor_data moons_data = {
    .load = moons_load, .free = moons_free, .batch = moons_batch, .loss = moons_loss,
    .accuracy = moons_accuracy, .row_losses = moons_rows, .label = moons_label,
};

/* ---- images: Fashion-MNIST ---- */

static mg_code images_load(mg_task *t, tensor_impl *m, mg_error *err)
{
    const mg_task_config *c = &t->config;
    mg_code rc = mg_fashion_mnist_load(c->data_dir, 1, &m->train, err);
    if (rc == MG_OK)
        rc = mg_fashion_mnist_load(c->data_dir, 0, &m->test, err);
    if (rc == MG_OK)
        rc = mg_image_sets_match(&m->train, &m->test, err);
    if (rc != MG_OK)
        return rc;
    if (c->limit)
        mg_image_set_truncate(&m->train, c->limit < INT32_MAX ? (int)c->limit : INT32_MAX);
    if (c->test_limit)
        mg_image_set_truncate(&m->test,
                              c->test_limit < INT32_MAX ? (int)c->test_limit : INT32_MAX);
    m->inputs = m->train.dim;
    m->outputs = m->train.classes;
    t->samples = m->train.n;
    return MG_OK;
}

static void images_free(tensor_impl *m)
{
    mg_image_set_free(&m->train);
    mg_image_set_free(&m->test);
}

static mg_tensor *images_batch(mg_task *t, tensor_impl *m, const int *idx, int b)
{
    mg_tensor *x = mg_tensor_input(t->g, MG_F32, 2, (const int[]){ b, m->train.dim });
    if (x)
        mg_image_set_rows(&m->train, idx, 0, b, mg_tensor_label(x, "x")->data, m->labels);
    return x;
}

static mg_tensor *images_loss(mg_task *t, tensor_impl *m, mg_tensor *logits, bool regularise)
{
    (void)t;
    (void)regularise; /* weight decay is the optimiser's */
    return mg_tensor_cross_entropy(logits, m->labels);
}

static double images_accuracy(tensor_impl *m, mg_tensor *logits)
{
    return mg_accuracy_argmax(logits, m->labels);
}

static mg_code images_rows(tensor_impl *m, mg_tensor *logits, double *rows)
{
    return mg_cross_entropy_rows(logits, m->labels, rows);
}

static const char *const fashion_classes[] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
};

static void images_label(const tensor_impl *m, long index, char *buf, size_t n)
{
    int y = m->train.y[index];
    if (m->train.classes == 10 && y >= 0 && y < 10)
        snprintf(buf, n, "%d %s", y, fashion_classes[y]);
    else
        snprintf(buf, n, "%d", y);
}

static mg_tensor *forward(void *model, mg_tensor *x) { return mg_tmlp_forward(model, x); }

static mg_code images_evaluate(mg_task *t, tensor_impl *m, mg_eval *out, mg_error *err)
{
    return mg_evaluate_images(t->g, forward, m->mlp, &m->test, EVAL_ROWS, out, err);
}

static const tensor_data images_data = {
    .load = images_load, .free = images_free, .batch = images_batch, .loss = images_loss,
    .accuracy = images_accuracy, .row_losses = images_rows, .label = images_label,
    .evaluate = images_evaluate,
};

/* ---- the task ---- */

/* The model's score at (x, y) for a decision boundary: its forward pass on
 * one point, on nodes dropped again. */
static double score(void *ctx, double x, double y)
{
    mg_task *t = ctx;
    mg_mark mark = mg_graph_mark(t->g);
    mg_tensor *in = mg_tensor_input(t->g, MG_F32, 2, (const int[]){ 1, 2 });
    double s = NAN;
    if (in) {
        mg_tensor_set(in, 0, x);
        mg_tensor_set(in, 1, y);
        mg_tensor *out = mg_tmlp_forward(impl(t)->mlp, in);
        s = out ? mg_tensor_get(out, 0) : NAN;
    }
    mg_graph_rewind(t->g, mark);
    return s;
}

static mg_code build(mg_task *t, tensor_impl *m, mg_error *err)
{
    const mg_task_config *c = &t->config;
    int sizes[MG_TASK_MAX_HIDDEN + 2] = { m->inputs }, n = 1;
    for (int i = 0; i < c->nhidden; i++)
        sizes[n++] = c->hidden[i];
    sizes[n++] = m->outputs;
    m->mlp = mg_tmlp_new(t->g, MG_F32, sizes, n, MG_INIT_KAIMING, c->seed, err);
    if (!m->mlp)
        return err ? err->code : MG_EINVAL;
    mg_optim_config cfg = task_optim_config(c);
    if (!(m->opt = mg_optim_new(m->mlp->params, m->mlp->nparams, &cfg, err)))
        return err ? err->code : MG_EINVAL;
    mg_graph_keep(t->g);
    t->model = (mg_train_model){ .params = m->mlp->params, .nparams = m->mlp->nparams,
                                 .optim = m->opt };
    task_describe(t, sizes, n);
    task_name_layers(t, m->mlp->nlayers);
    for (int l = 0; l < t->nlayers; l++) {
        t->layers[l].params = m->mlp->params + 2 * l;
        t->layers[l].nparams = 2;
    }
    if (t->npoints && m->inputs == 2 && m->outputs == 1)
        t->predict = score;
    return MG_OK;
}

static mg_code tensor_open(mg_task *t, mg_error *err)
{
    tensor_impl *m = calloc(1, sizeof *m);
    if (!m)
        return mg_error_set(err, MG_ENOMEM, "out of memory");
    t->impl = m;
    m->data = strcmp(t->config.dataset, "moons") == 0 ? &moons_data : &images_data;
    if (m->data->evaluate)
        t->eval_split = "test";
    else
        t->ops.evaluate = NULL;
    mg_code rc = m->data->load(t, m, err);
    if (rc == MG_OK)
        rc = task_batches(t, &m->batches, (int)t->samples, &m->full, err);
    if (rc != MG_OK)
        return rc;
    int rows = m->batches.batch > EVAL_ROWS ? m->batches.batch : EVAL_ROWS;
    m->labels = malloc(sizeof *m->labels * (size_t)rows);
    m->rows = malloc(sizeof *m->rows * (size_t)rows);
    if (!m->labels || !m->rows)
        return mg_error_set(err, MG_ENOMEM, "out of memory");
    t->batches = mg_batcher_count(&m->batches);
    return build(t, m, err);
}

static void tensor_close(mg_task *t)
{
    tensor_impl *m = impl(t);
    if (!m)
        return;
    if (m->data)
        m->data->free(m);
    mg_optim_free(m->opt);
    mg_tmlp_free(m->mlp);
    mg_batcher_free(&m->batches);
    free(m->labels);
    free(m->rows);
    free(m);
}

static void tensor_start_epoch(void *ctx, int epoch)
{
    tensor_impl *m = impl(ctx);
    task_batches_rewind(&m->batches, m->full, epoch);
}

static mg_code tensor_step(void *ctx, mg_train_batch *out, mg_error *err)
{
    mg_task *t = ctx;
    tensor_impl *m = impl(t);
    mg_graph_reset(t->g);
    m->nb = mg_batcher_next(&m->batches, &m->idx);
    if (m->full)
        m->idx = NULL;
    mg_tensor *x = m->data->batch(t, m, m->idx, m->nb);
    m->out = mg_tmlp_forward(m->mlp, x);
    mg_tensor *loss = m->out ? m->data->loss(t, m, m->out, true) : NULL;
    if (!loss)
        return task_graph_fail(t, "training step", err);
    out->root = loss->node;
    out->accuracy = m->data->accuracy(m, m->out);
    mg_optim_zero_grad(m->opt);
    if (mg_tensor_backward(loss) != MG_OK)
        return task_graph_fail(t, "backward", err);
    out->loss = mg_tensor_get(loss, 0);
    return MG_OK;
}

static void tensor_update(void *ctx, double lr)
{
    tensor_impl *m = impl(ctx);
    m->opt->cfg.lr = lr;
    mg_optim_step(m->opt);
}

static mg_code tensor_evaluate(void *ctx, mg_eval *out, mg_error *err)
{
    mg_task *t = ctx;
    return impl(t)->data->evaluate(t, impl(t), out, err);
}

static mg_code tensor_worst(mg_task *t, mg_task_sample *s, mg_error *err)
{
    tensor_impl *m = impl(t);
    if (!m->out)
        return mg_error_set(err, MG_EINVAL, "no batch yet: the worst sample is a step's");
    if (m->data->row_losses(m, m->out, m->rows) != MG_OK)
        return task_graph_fail(t, "row losses", err);
    size_t i = mg_argmax(m->rows, (size_t)m->nb);
    s->index = task_row(m->idx, (int)i);
    s->loss = m->rows[i];
    s->worst = true;
    return MG_OK;
}

static mg_code tensor_sample(mg_task *t, mg_task_sample *s, mg_value **root, mg_error *err)
{
    tensor_impl *m = impl(t);
    m->out = NULL; /* dropped with the batch's nodes */
    mg_optim_zero_grad(m->opt);
    int index = (int)s->index;
    mg_tensor *x = m->data->batch(t, m, &index, 1);
    mg_tensor *loss = m->data->loss(t, m, mg_tmlp_forward(m->mlp, x), false);
    if (!loss || mg_tensor_backward(loss) != MG_OK)
        return task_graph_fail(t, "sample graph", err);
    *root = loss->node;
    s->loss = mg_tensor_get(loss, 0);
    s->zero_grads = mg_grads_all_zero(&t->model);
    m->data->label(m, s->index, s->label, sizeof s->label);
    return MG_OK;
}

const mg_task_kind mg_task_tensor_mlp = {
    .open = tensor_open,
    .close = tensor_close,
    .start_epoch = tensor_start_epoch,
    .step = tensor_step,
    .update = tensor_update,
    .evaluate = tensor_evaluate,
    .worst = tensor_worst,
    .sample = tensor_sample,
};

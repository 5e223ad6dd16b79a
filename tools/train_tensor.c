/* train_tensor.c — the tensor engine of `mgviz train`: an MLP of tensor
 * nodes (one per array) with mini-batches and an optimiser, on any dataset
 * whose row names tensor_data_ops: the moons (micrograd's loss, vectorised)
 * and Fashion-MNIST (cross-entropy, a test set) here.
 *
 * One graph holds everything: the parameters are created first and kept;
 * every step builds its batch's nodes after them and mg_graph_reset() drops
 * them, so once the first step has sized the arena a step allocates nothing. */
#include "train_tensor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_data.h"
#include "mg_grad_stash.h"
#include "mg_kernels.h"
#include "mg_loss.h"

enum { EVAL_ROWS = 1000 };

static tensor_impl *impl(train_task *t) { return t->impl; }

/* ---- the moons, vectorised ---- */

static mg_code moons_load(train_task *t, tensor_impl *m, mg_error *err)
{
    const train_config *c = t->c;
    size_t n = (size_t)c->samples;
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
    return mg_make_moons(n, c->noise, c->seed, m->X, m->y, err);
}

static void moons_free(tensor_impl *m)
{
    free(m->X);
    free(m->y);
}

static mg_tensor *moons_batch(train_task *t, tensor_impl *m, const int *idx, int first, int b)
{
    mg_tensor *x = mg_tensor_label(mg_tensor_input(t->g, MG_F32, 2, (const int[]){ b, 2 }), "x");
    m->targets = mg_tensor_label(mg_tensor_input(t->g, MG_F32, 2, (const int[]){ b, 1 }), "y");
    if (!x || !m->targets)
        return NULL;
    for (int i = 0; i < b; i++) {
        int r = idx ? idx[i] : first + i;
        mg_tensor_set(x, 2 * i, m->X[2 * r]);
        mg_tensor_set(x, 2 * i + 1, m->X[2 * r + 1]);
        mg_tensor_set(m->targets, i, m->y[r]);
    }
    return x;
}

/* micrograd's demo loss: mean(relu(1 - y·s)) + alpha·Σ p². */
static mg_tensor *moons_loss(train_task *t, tensor_impl *m, mg_tensor *scores, bool regularise)
{
    mg_tensor *loss = mg_tensor_loss_svm(scores, m->targets);
    if (!regularise || t->c->alpha == 0)
        return loss;
    return mg_tensor_add(loss, mg_tensor_l2(m->mlp->params, m->mlp->nparams, t->c->alpha));
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

const tensor_data_ops train_moons_tensor = {
    .load = moons_load, .free = moons_free, .batch = moons_batch, .loss = moons_loss,
    .accuracy = moons_accuracy, .row_losses = moons_rows, .label = moons_label,
};

/* ---- images: Fashion-MNIST ---- */

static mg_code images_load(train_task *t, tensor_impl *m, mg_error *err)
{
    const train_config *c = t->c;
    mg_code rc = mg_fashion_mnist_load(c->data_dir, 1, &m->train, err);
    if (rc == MG_OK)
        rc = mg_fashion_mnist_load(c->data_dir, 0, &m->test, err);
    if (rc == MG_OK)
        rc = mg_image_sets_match(&m->train, &m->test, err);
    if (rc != MG_OK)
        return rc;
    if (c->limit)
        mg_image_set_truncate(&m->train, (int)c->limit);
    if (c->test_limit)
        mg_image_set_truncate(&m->test, (int)c->test_limit);
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

static mg_tensor *images_batch(train_task *t, tensor_impl *m, const int *idx, int first, int b)
{
    mg_tensor *x = mg_tensor_input(t->g, MG_F32, 2, (const int[]){ b, m->train.dim });
    if (x)
        mg_image_set_rows(&m->train, idx, first, b, mg_tensor_label(x, "x")->data, m->labels);
    return x;
}

static mg_tensor *images_loss(train_task *t, tensor_impl *m, mg_tensor *logits, bool regularise)
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

static mg_code images_evaluate(train_task *t, tensor_impl *m, mg_eval *out, mg_error *err)
{
    return mg_evaluate_images(t->g, forward, m->mlp, &m->test, EVAL_ROWS, out, err);
}

const tensor_data_ops train_images_tensor = {
    .load = images_load, .free = images_free, .batch = images_batch, .loss = images_loss,
    .accuracy = images_accuracy, .row_losses = images_rows, .label = images_label,
    .evaluate = images_evaluate,
};

/* ---- the engine ---- */

/* The model's score at (x, y) for a decision boundary: its forward pass on
 * one point, on nodes dropped again. */
static double score(void *ctx, double x, double y)
{
    train_task *t = ctx;
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

static mg_optim_config optim_config(const train_config *c)
{
    mg_optim_config o = mg_optim_defaults(MG_OPTIM_SGD);
    mg_train_optim_named(c->optimizer, &o);
    o.lr = c->lr;
    o.momentum = c->momentum;
    o.weight_decay = c->weight_decay;
    return o;
}

static mg_code build(train_task *t, tensor_impl *m, mg_error *err)
{
    const train_config *c = t->c;
    int sizes[TRAIN_MAX_HIDDEN + 2] = { m->inputs }, n = 1;
    for (int i = 0; i < c->nhidden; i++)
        sizes[n++] = c->hidden[i];
    sizes[n++] = m->outputs;
    m->mlp = mg_tmlp_new(t->g, MG_F32, sizes, n, MG_INIT_KAIMING, c->seed, err);
    if (!m->mlp)
        return err ? err->code : MG_EINVAL;
    mg_optim_config cfg = optim_config(c);
    if (!(m->opt = mg_optim_new(m->mlp->params, m->mlp->nparams, &cfg, err)))
        return err ? err->code : MG_EINVAL;
    mg_graph_keep(t->g);
    t->model = (mg_train_model){ .params = m->mlp->params, .nparams = m->mlp->nparams,
                                 .optim = m->opt };
    mg_code rc = mg_grad_stash_init(&m->saved, &t->model, err);
    if (rc != MG_OK)
        return rc;
    task_describe(t, sizes, n);
    task_name_layers(t, m->mlp->nlayers);
    for (int l = 0; l < m->mlp->nlayers; l++) {
        t->layers[l].params = m->mlp->params + 2 * l;
        t->layers[l].nparams = 2;
    }
    if (t->npoints && m->inputs == 2 && m->outputs == 1) {
        t->predict = score;
        t->predict_ctx = t;
    }
    return MG_OK;
}

static mg_code tensor_open(train_task *t, mg_error *err)
{
    const train_config *c = t->c;
    tensor_impl *m = calloc(1, sizeof *m);
    if (!m || !(t->g = mg_graph_new())) {
        free(m);
        return mg_error_set(err, MG_ENOMEM, "out of memory");
    }
    t->impl = m;
    m->data = c->data->tensor;
    t->has_test = m->data->evaluate != NULL;
    mg_set_threads((int)c->threads);
    mg_code rc = m->data->load(t, m, err);
    int batch = c->batch ? (int)c->batch : (int)t->samples;
    if (rc == MG_OK && batch > t->samples)
        rc = mg_error_set(err, MG_EINVAL, "--batch %d is more than the %ld training samples",
                          batch, t->samples);
    if (rc == MG_OK)
        rc = mg_batcher_init(&m->batches, (int)t->samples, batch, c->seed, err);
    m->full = batch == t->samples;
    int rows = batch > EVAL_ROWS ? batch : EVAL_ROWS;
    m->labels = malloc(sizeof *m->labels * (size_t)rows);
    m->rows = malloc(sizeof *m->rows * (size_t)rows);
    if (rc == MG_OK && (!m->labels || !m->rows))
        rc = mg_error_set(err, MG_ENOMEM, "out of memory");
    if (rc == MG_OK)
        rc = build(t, m, err);
    t->batches = m->batches.order ? mg_batcher_count(&m->batches) : 0;
    return rc;
}

static void tensor_close(train_task *t)
{
    tensor_impl *m = impl(t);
    if (m) {
        if (m->data && m->data->free)
            m->data->free(m);
        mg_optim_free(m->opt);
        mg_tmlp_free(m->mlp);
        mg_batcher_free(&m->batches);
        free(m->labels);
        free(m->rows);
        mg_grad_stash_free(&m->saved);
        free(m);
    }
    mg_graph_free(t->g);
}

static void tensor_start_epoch(train_task *t, int epoch)
{
    tensor_impl *m = impl(t);
    if (!m->full)
        mg_batcher_shuffle(&m->batches, epoch);
    m->batches.pos = 0;
}

static mg_code fail(train_task *t, const char *what, mg_error *err)
{
    const char *why = mg_graph_error(t->g);
    return mg_error_set(err, why ? mg_graph_status(t->g) : MG_EINVAL, "%s: %s", what,
                        why ? why : "no result");
}

static mg_code tensor_step(train_task *t, mg_train_batch *out, mg_error *err)
{
    tensor_impl *m = impl(t);
    mg_graph_reset(t->g);
    m->nb = mg_batcher_next(&m->batches, &m->idx);
    if (m->full)
        m->idx = NULL;
    mg_tensor *x = m->data->batch(t, m, m->idx, 0, m->nb);
    m->out = mg_tmlp_forward(m->mlp, x);
    mg_tensor *loss = m->out ? m->data->loss(t, m, m->out, true) : NULL;
    if (!loss)
        return fail(t, "training step", err);
    out->root = loss->node;
    out->accuracy = m->data->accuracy(m, m->out);
    mg_optim_zero_grad(m->opt);
    if (mg_tensor_backward(loss) != MG_OK)
        return fail(t, "backward", err);
    out->loss = mg_tensor_get(loss, 0);
    return MG_OK;
}

static void tensor_update(train_task *t, double lr)
{
    impl(t)->opt->cfg.lr = lr;
    mg_optim_step(impl(t)->opt);
}

static mg_code tensor_worst(train_task *t, train_sample *s, mg_error *err)
{
    tensor_impl *m = impl(t);
    mg_code rc = m->data->row_losses(m, m->out, m->rows);
    if (rc != MG_OK)
        return fail(t, "row losses", err);
    size_t i = mg_argmax(m->rows, (size_t)m->nb);
    s->index = m->idx ? m->idx[i] : (long)i;
    s->loss = m->rows[i];
    s->worst = true;
    return MG_OK;
}

static mg_code tensor_sample(train_task *t, train_sample *s, mg_value **root, mg_error *err)
{
    tensor_impl *m = impl(t);
    mg_grad_stash_save(&m->saved);
    mg_graph_reset(t->g); /* the batch's nodes go: its grads are saved */
    mg_optim_zero_grad(m->opt);
    int index = (int)s->index;
    mg_tensor *x = m->data->batch(t, m, &index, 0, 1);
    mg_tensor *loss = m->data->loss(t, m, mg_tmlp_forward(m->mlp, x), false);
    if (!loss || mg_tensor_backward(loss) != MG_OK)
        return fail(t, "sample graph", err);
    *root = loss->node;
    s->loss = mg_tensor_get(loss, 0);
    s->zero_grads = mg_grads_all_zero(&t->model);
    m->data->label(m, s->index, s->label, sizeof s->label);
    return MG_OK;
}

static void tensor_restore(train_task *t) { mg_grad_stash_restore(&impl(t)->saved); }

static mg_code tensor_evaluate(train_task *t, mg_eval *out, mg_error *err)
{
    tensor_impl *m = impl(t);
    if (!m->data->evaluate)
        return MG_EINVAL;
    return m->data->evaluate(t, m, out, err);
}

const train_engine train_tensor_engine = {
    .name = "tensor",
    .open = tensor_open,
    .close = tensor_close,
    .start_epoch = tensor_start_epoch,
    .step = tensor_step,
    .update = tensor_update,
    .worst = tensor_worst,
    .sample = tensor_sample,
    .restore = tensor_restore,
    .evaluate = tensor_evaluate,
};

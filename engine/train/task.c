/* task.c — mg_task.h's generic part: the kind a config names, opening and
 * freeing, a sample's graph between a batch's backward and its update, and
 * the helpers the kinds share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task_internal.h"

/* The datasets, each with the engines that train it (the default first). */
static const struct {
    const char *name;
    const mg_task_kind *scalar, *tensor;
    bool text;
} datasets[] = {
    { "moons", &mg_task_scalar_moons, &mg_task_tensor_mlp, false },
    { "fashion-mnist", NULL, &mg_task_tensor_mlp, false },
    { "words", NULL, &mg_task_text, true },
    { "fortunes", NULL, &mg_task_text, true },
};
enum { NDATASETS = sizeof datasets / sizeof datasets[0] };

/* The kind c names, with its dataset, model and engine spelled canonically
 * into r (the identity and title say them). */
static const mg_task_kind *kind_for(const mg_task_config *c, mg_task_config *r, mg_error *err)
{
    int d = 0;
    while (d < NDATASETS && !(c->dataset && strcmp(c->dataset, datasets[d].name) == 0))
        d++;
    if (d == NDATASETS)
        return mg_error_set(err, MG_EINVAL, "unknown dataset '%s': moons, fashion-mnist, "
                            "words or fortunes", c->dataset ? c->dataset : "(none)"), NULL;
    const bool gpt = c->model && strcmp(c->model, "gpt") == 0;
    if (c->model && !gpt && strcmp(c->model, "mlp") != 0)
        return mg_error_set(err, MG_EINVAL, "unknown model '%s': mlp or gpt", c->model), NULL;
    if (gpt && !datasets[d].text)
        return mg_error_set(err, MG_EINVAL, "a gpt learns text (words or fortunes), not %s",
                            datasets[d].name), NULL;
    const bool scalar = c->engine ? strcmp(c->engine, "scalar") == 0 : !!datasets[d].scalar;
    if (c->engine && !scalar && strcmp(c->engine, "tensor") != 0)
        return mg_error_set(err, MG_EINVAL, "unknown engine '%s': scalar or tensor", c->engine),
               NULL;
    const mg_task_kind *k = scalar ? datasets[d].scalar : datasets[d].tensor;
    if (!k)
        return mg_error_set(err, MG_EINVAL, "the scalar engine trains the moons only, not %s",
                            datasets[d].name), NULL;
    r->dataset = datasets[d].name;
    r->model = gpt ? "gpt" : "mlp";
    r->engine = scalar ? "scalar" : "tensor";
    return k;
}

enum { MAX_SAMPLES = 1000000 };

mg_code task_check_range(const mg_task_config *c, const char *name, long long v, long long lo,
                         long long hi, mg_error *err)
{
    if (v >= lo && v <= hi)
        return MG_OK;
    return mg_error_set(err, MG_EINVAL, "%s%s %lld is outside %lld..%lld",
                        c->option_prefix ? c->option_prefix : "", name, v, lo, hi);
}

static mg_code check_sizes(const mg_task_config *c, mg_error *err)
{
    mg_optim_config o;
    if (c->optimizer && !mg_train_optim_named(c->optimizer, &o))
        return mg_error_set(err, MG_EINVAL, "unknown optimizer '%s': sgd, momentum, adam or "
                            "adamw", c->optimizer);
    mg_code rc = task_check_range(c, "batch", c->batch, 0, TASK_MAX_BATCH, err);
    if (rc == MG_OK && strcmp(c->dataset, "moons") == 0)
        rc = task_check_range(c, "samples", (long long)c->samples, 1, MAX_SAMPLES, err);
    if (rc != MG_OK)
        return rc;
    if (c->nhidden < 0 || c->nhidden > MG_TASK_MAX_HIDDEN)
        return mg_error_set(err, MG_EINVAL, "%d hidden layers: 0 to %d", c->nhidden,
                            MG_TASK_MAX_HIDDEN);
    for (int i = 0; i < c->nhidden; i++)
        if (c->hidden[i] < 1)
            return mg_error_set(err, MG_EINVAL, "hidden layer %d has %d units", i + 1,
                                c->hidden[i]);
    return MG_OK;
}

mg_task *mg_task_open(const mg_task_config *c, mg_error *err)
{
    if (!c)
        return mg_error_set(err, MG_EINVAL, "mg_task_open: no config"), NULL;
    mg_task_config r = *c;
    const mg_task_kind *kind = kind_for(c, &r, err);
    if (!kind || check_sizes(&r, err) != MG_OK)
        return NULL;
    mg_task *t = calloc(1, sizeof *t);
    if (!t || !(t->g = mg_graph_new())) {
        free(t);
        return mg_error_set(err, MG_ENOMEM, "out of memory"), NULL;
    }
    t->kind = kind;
    t->config = r;
    t->period = "epoch";
    t->ops = (mg_train_task){ .start_epoch = kind->start_epoch, .step = kind->step,
                              .update = kind->update, .evaluate = kind->evaluate };
    mg_code rc = kind->open(t, err);
    if (rc == MG_OK)
        rc = mg_grad_stash_init(&t->stash, &t->model, err);
    if (rc != MG_OK) {
        mg_task_free(t);
        return NULL;
    }
    if (!t->ops.evaluate)
        t->eval_split = NULL;
    /* the strings were the caller's: not kept */
    t->config.data_dir = t->config.optimizer = t->config.option_prefix = NULL;
    return t;
}

void mg_task_free(mg_task *t)
{
    if (!t)
        return;
    if (t->kind)
        t->kind->close(t);
    mg_grad_stash_free(&t->stash);
    mg_graph_free(t->g);
    free(t);
}

mg_code mg_task_worst(mg_task *t, mg_task_sample *s, mg_error *err)
{
    if (!t || !s)
        return mg_error_set(err, MG_EINVAL, "mg_task_worst: no task or sample");
    return t->kind->worst(t, s, err);
}

mg_code mg_task_sample_graph(mg_task *t, mg_task_sample *s, mg_value **root, mg_error *err)
{
    if (!t || !s || !root)
        return mg_error_set(err, MG_EINVAL, "mg_task_sample_graph: no task, sample or root");
    if (s->index < 0 || s->index >= t->samples)
        return mg_error_set(err, MG_EINVAL, "sample %ld: the samples are 0 to %ld", s->index,
                            t->samples - 1);
    mg_grad_stash_save(&t->stash);
    /* the batch's nodes go (their grads are kept) so the sample's graph
     * numbers its nodes right after the parameters' */
    mg_graph_reset(t->g);
    return t->kind->sample(t, s, root, err);
}

void mg_task_restore(mg_task *t)
{
    if (t)
        mg_grad_stash_restore(&t->stash);
}

/* ---- shared by the kinds ---- */

const char *task_prefix(const mg_task *t)
{
    return t->config.option_prefix ? t->config.option_prefix : "";
}

mg_code task_graph_fail(const mg_task *t, const char *what, mg_error *err)
{
    const char *why = mg_graph_error(t->g);
    return mg_error_set(err, why ? mg_graph_status(t->g) : MG_EINVAL, "%s: %s", what,
                        why ? why : "no result");
}

mg_optim_config task_optim_config(const mg_task_config *c)
{
    mg_optim_config o = mg_optim_defaults(MG_OPTIM_SGD);
    if (c->optimizer)
        mg_train_optim_named(c->optimizer, &o);
    o.lr = c->lr;
    o.momentum = c->momentum;
    o.weight_decay = c->weight_decay;
    return o;
}

mg_code task_batches(const mg_task *t, mg_batcher *b, int n, bool *full, mg_error *err)
{
    int batch = t->config.batch ? t->config.batch : n;
    if (batch > n)
        return mg_error_set(err, MG_EINVAL, "%sbatch %d is more than the %d training samples",
                            task_prefix(t), batch, n);
    *full = batch == n;
    return mg_batcher_init(b, n, batch, t->config.seed, err);
}

void task_batches_rewind(mg_batcher *b, bool full, int epoch)
{
    if (!full)
        mg_batcher_shuffle(b, epoch);
    b->pos = 0;
}

void task_name_layers(mg_task *t, int nlayers)
{
    t->nlayers = nlayers < MG_TASK_MAX_LAYERS ? nlayers : MG_TASK_MAX_LAYERS;
    for (int l = 0; l < t->nlayers; l++) {
        snprintf(t->layer_scope[l], sizeof t->layer_scope[l], "mlp/layer%d", l + 1);
        t->layer_names[l] = t->layer_scope[l];
        t->layers[l] = (mg_health_layer){ .scope = t->layer_scope[l] };
    }
}

void task_describe(mg_task *t, const int *sizes, int nsizes)
{
    const mg_task_config *c = &t->config;
    char arch[128] = "";
    size_t len = 0;
    for (int i = 0; i < nsizes && len < sizeof arch; i++)
        len += (size_t)snprintf(arch + len, sizeof arch - len, i ? ",%d" : "%d", sizes[i]);
    snprintf(t->identity, sizeof t->identity, "dataset=%s model=%s engine=%s arch=%s%s",
             c->dataset, c->model, c->engine, arch,
             strcmp(c->engine, "tensor") == 0 ? " dtype=f32" : "");
    for (char *p = arch; *p; p++)
        if (*p == ',')
            *p = '-';
    snprintf(t->title, sizeof t->title, "%s: %s %s, %s engine", c->dataset, c->model, arch,
             c->engine);
    t->model.identity = t->identity;
}

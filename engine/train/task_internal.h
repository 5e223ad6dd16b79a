/* task_internal.h — what each task kind (task_scalar.c, task_tensor.c,
 * task_lm.c) gives mg_task.h's generic part (task.c), and the helpers they
 * share. Not installed. */
#ifndef MG_TASK_INTERNAL_H
#define MG_TASK_INTERNAL_H

#include "mg_data.h"
#include "mg_idx.h"
#include "mg_task.h"

enum { TASK_MAX_BATCH = 1 << 20 };

typedef struct mg_task_kind {
    /* Loads the data and builds the model into t (t->config, t->g set); fills
     * t->model, samples, batches, layers, identity and title. On failure the
     * kind's close() frees what it made. */
    mg_code (*open)(mg_task *t, mg_error *err);
    void (*close)(mg_task *t);
    /* mg_train_task's four (ctx: the mg_task); evaluate NULL: none */
    void (*start_epoch)(void *ctx, int epoch);
    mg_code (*step)(void *ctx, mg_train_batch *out, mg_error *err);
    void (*update)(void *ctx, double lr);
    mg_code (*evaluate)(void *ctx, mg_eval *out, mg_error *err);
    /* mg_task_worst; mg_task_sample_graph once the batch's grads are put
     * aside and its nodes dropped */
    mg_code (*worst)(mg_task *t, mg_task_sample *s, mg_error *err);
    mg_code (*sample)(mg_task *t, mg_task_sample *s, mg_value **root, mg_error *err);
} mg_task_kind;

extern const mg_task_kind mg_task_scalar_moons, mg_task_tensor_mlp, mg_task_text;

/* How messages name settings: the config's option_prefix, or "". */
const char *task_prefix(const mg_task *t);
/* MG_OK when lo <= v <= hi; else MG_EINVAL naming the setting and its range. */
mg_code task_check_range(const mg_task_config *c, const char *name, long long v, long long lo,
                         long long hi, mg_error *err);
/* The graph's error (or "no result") as err, after "what: ". */
mg_code task_graph_fail(const mg_task *t, const char *what, mg_error *err);
/* The optimiser the config names, at its lr, momentum and weight decay. */
mg_optim_config task_optim_config(const mg_task_config *c);
/* Batches of c->batch rows (0: all n, in order: *full) of n samples,
 * shuffled from the seed; refuses a batch larger than n, by name. */
mg_code task_batches(const mg_task *t, mg_batcher *b, int n, bool *full, mg_error *err);
/* An epoch's batches: shuffled for epoch unless full, from the first. */
void task_batches_rewind(mg_batcher *b, bool full, int epoch);
/* Names the model's layers "mlp/layer1".. (health's scopes). */
void task_name_layers(mg_task *t, int nlayers);
/* "dataset=moons model=mlp engine=scalar arch=2,16,16,1" into t->identity
 * and a title; sizes are the layer widths from inputs to outputs. */
void task_describe(mg_task *t, const int *sizes, int nsizes);
/* The dataset index of row i of a batch (idx NULL: in order). */
static inline long task_row(const int *idx, int i) { return idx ? idx[i] : i; }

#endif

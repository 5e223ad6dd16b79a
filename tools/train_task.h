/* train_task.h — what the training loop (train_loop.c) needs of an engine.
 * The scalar engine (train_scalar.c: micrograd's Value graph) and the
 * tensor engine (train_tensor.c) each fill a train_task; the loop around
 * them — schedule, health, run directory, snapshots, checkpoints, printing —
 * is the same for both. */
#ifndef MGVIZ_TRAIN_TASK_H
#define MGVIZ_TRAIN_TASK_H

#include "mg_eval.h"
#include "mg_health.h"
#include "mg_plot.h"
#include "mg_train.h"
#include "mg_trainer.h"
#include "train_config.h"

typedef struct train_task train_task;

/* The sample a snapshot's one-sample graph shows. */
typedef struct train_sample {
    long index;            /* in the training data */
    double loss;           /* its loss now; NaN until its graph is built */
    bool worst;            /* the largest loss of the step's batch */
    bool zero_grads;       /* every parameter grad of its graph is 0 */
    char label[48];
    struct mg_tensor *logits; /* a sequence model's logits in its graph (the
                                 inspector's token picker), or NULL */
} train_sample;

typedef struct train_engine {
    const char *name;
    /* Loads the data, builds the model and optimiser. */
    mg_code (*open)(train_task *t, mg_error *err);
    void (*close)(train_task *t);
    /* Shuffles for epoch (from 0) and rewinds the batches. */
    void (*start_epoch)(train_task *t, int epoch);
    /* Forward, zero grads and backward of the epoch's next batch. */
    mg_code (*step)(train_task *t, mg_train_batch *out, mg_error *err);
    /* The update with learning rate lr, from the grads backward left. */
    void (*update)(train_task *t, double lr);
    /* The largest-loss sample of the last step's batch into s. */
    mg_code (*worst)(train_task *t, train_sample *s, mg_error *err);
    /* Builds and runs backward on sample s->index's own loss graph, keeping
     * the batch's grads aside; *root is its loss. restore() puts them back. */
    mg_code (*sample)(train_task *t, train_sample *s, mg_value **root, mg_error *err);
    void (*restore)(train_task *t);
    /* Test loss and accuracy; NULL when the dataset has no test set. */
    mg_code (*evaluate)(train_task *t, mg_eval *out, mg_error *err);
} train_engine;

enum { TASK_MAX_LAYERS = TRAIN_MAX_HIDDEN + 1 };

struct train_task {
    const train_engine *engine;
    const train_config *c;
    mg_graph *g;
    int batches;                   /* steps per epoch */
    const char *period;            /* what an epoch is called ("epoch"; NULL too) */
    const char *eval_split;        /* what evaluate() measures ("test"; NULL too) */
    bool has_test;                 /* evaluate() has a test set to run */
    long samples;                  /* training samples */
    mg_train_model model;          /* what checkpoints save */
    char identity[256];
    mg_health_layer layers[TASK_MAX_LAYERS];
    char layer_scope[TASK_MAX_LAYERS][24];
    const char *layer_names[TASK_MAX_LAYERS];
    int nlayers;
    char title[256];               /* "moons: mlp 2-16-16-1, scalar engine" */
    /* How the model is best drawn when the command line says nothing of
     * folding (a GPT: its blocks as one "×N" group but the last, whose
     * attention is drawn node by node, heads and tokens in its heatmaps) */
    size_t fold_budget;            /* 0: mg_viz.h's default */
    char open_scope[48], unfold_scope[48]; /* "": none */
    /* 2-D points and a scorer: the decision boundary (NULL: none) */
    mg_plot_predict_fn predict;
    void *predict_ctx;
    const double *X, *labels;
    size_t npoints;
    void *impl;                    /* the engine's own state */
};

extern const train_engine train_scalar_engine, train_tensor_engine, train_lm_engine;

/* Names the model's layers "mlp/layer1".. and describes them for health:
 * layer l's parameters are params[l*per .. l*per+per-1] (tensors) or
 * values[first[l] .. first[l+1]-1] (scalars). */
void task_name_layers(train_task *t, int nlayers);
/* "dataset=moons model=mlp engine=scalar arch=2,16,16,1" into t->identity
 * and a title; sizes are the layer widths from inputs to outputs. */
void task_describe(train_task *t, const int *sizes, int nsizes);

#endif

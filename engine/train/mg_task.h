/* mg_task.h — ready-made training tasks: a dataset, a model and its
 * optimiser built from one config, for mg_trainer to drive, and what a
 * program shows of them (the sample worth looking at and its own graph,
 * the layers health watches, a 2-D model's decision boundary).
 *
 *     mg_task_config c = { .dataset = "fashion-mnist", .hidden = { 128 }, .nhidden = 1,
 *                          .batch = 64, .seed = 1337, .optimizer = "adam", .lr = 2e-3 };
 *     mg_task *task = mg_task_open(&c, &err);       // NULL: err says why
 *     mg_trainer t = { .task = &task->ops, .ctx = task, .model = &task->model,
 *                      .batches = task->batches, .steps = 10 * task->batches, ... };
 *     mg_trainer_run(&t, &err);
 *     mg_task_free(task);
 *
 * The tasks (dataset, model, engine):
 *   moons, mlp, scalar   micrograd's demo: an MLP of mg_value nodes, the SVM
 *                        loss plus alpha·L2, plain SGD at the loop's rate
 *   moons, mlp, tensor   the same model and loss on tensors, any optimiser
 *   fashion-mnist, mlp   tensors, cross-entropy, a test set evaluated
 *   words|fortunes, mlp|gpt   makemore's MLP or a GPT predicting the next
 *                        character; rows drawn at random positions of the
 *                        train stream from (seed, period), so a resumed run
 *                        draws what the whole run would have; the val
 *                        stream evaluated every eval_every steps
 * One graph holds everything: the parameters first (kept), then each step's
 * nodes, dropped by the next step's reset, so a warm step allocates nothing. */
#ifndef MG_TASK_H
#define MG_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mg_grad_stash.h"
#include "mg_health.h"
#include "mg_trainer.h"

MG_EXTERN_C_BEGIN

enum { MG_TASK_MAX_HIDDEN = 8, MG_TASK_MAX_LAYERS = MG_TASK_MAX_HIDDEN + 1 };

/* What to build. Strings are read by mg_task_open only. */
typedef struct mg_task_config {
    const char *dataset;          /* "moons", "fashion-mnist", "words", "fortunes" */
    const char *model;            /* "mlp" (NULL too) or "gpt" (text) */
    const char *engine;           /* "scalar" (moons only) or "tensor" (NULL: "tensor",
                                     "scalar" for the moons) */
    /* data */
    size_t samples;               /* moons: points generated */
    double noise;                 /* moons: their noise */
    const char *data_dir;         /* files' folder (NULL: Debian's place) */
    size_t limit, test_limit;     /* train images, or text documents; test images
                                     (0: all) */
    /* model */
    int hidden[MG_TASK_MAX_HIDDEN];
    int nhidden;
    int context, embd, layers, heads;  /* language models */
    bool name_tokens;             /* a GPT names its tokens for pictures of
                                     attention (costs each forward a copy) */
    /* training */
    int batch;                    /* rows a step; 0: the whole set (not text) */
    int eval_every;               /* text: steps between val losses, the period */
    uint64_t seed;
    const char *optimizer;        /* tensors: "sgd" (NULL too), "momentum", "adam",
                                     "adamw" (mg_train_optim_named) */
    double lr;                    /* the optimiser's first rate (> 0; mg_trainer sets
                                     each step's from its schedule) */
    double momentum, weight_decay;
    double alpha;                 /* moons: weight of the L2 term in the loss */
    double grad_clip;             /* text: largest global grad norm (0: none) */
    const char *option_prefix;    /* messages name a setting as prefix + field:
                                     "--" says "--batch" (NULL: "batch") */
} mg_task_config;

/* The sample a picture shows: its index and its own loss. */
typedef struct mg_task_sample {
    long index;                   /* in the training data (text: a position) */
    double loss;                  /* NaN until measured */
    bool worst;                   /* the largest loss of the last batch */
    bool zero_grads;              /* its backward reached no parameter */
    char label[48];               /* "+1", "9 Ankle boot", "kalo -> m" */
    mg_tensor *logits;            /* a GPT's logits in its graph, or NULL */
} mg_task_sample;

/* A task, open. Fields are read-only to the program. */
typedef struct mg_task {
    mg_train_task ops;            /* mg_trainer's .task (its .ctx: this task) */
    mg_train_model model;         /* mg_trainer's .model: what checkpoints hold */
    mg_graph *g;                  /* the one graph */
    int batches;                  /* steps per epoch (text: eval_every) */
    long samples;                 /* training samples (text: train tokens) */
    const char *period;           /* what an epoch is called: "epoch" or "eval" */
    const char *eval_split;       /* what ops.evaluate measures: "test", "val";
                                     NULL: no evaluate */
    char identity[256];           /* "dataset=moons model=mlp engine=scalar arch=2,16,1" */
    char title[256];              /* "moons: mlp 2-16-1, scalar engine" */
    char note[256];               /* the data in a sentence ("" none) */
    /* the parts health watches: "mlp/layer1".., "gpt/block1".. */
    mg_health_layer layers[MG_TASK_MAX_LAYERS];
    const char *layer_names[MG_TASK_MAX_LAYERS];
    char layer_scope[MG_TASK_MAX_LAYERS][24];
    int nlayers;
    /* how the model is best drawn (a GPT: blocks folded as one "×N" group
     * but the last, whose attention is open, top to bottom) */
    size_t fold_budget;           /* 0: the drawing's default */
    char open_scope[48], unfold_scope[48];   /* "": none */
    char rankdir[4];              /* "": the drawing's default (LR) */
    /* 2-D points and the model's score at a point, for a decision boundary */
    double (*predict)(void *ctx, double x, double y);   /* NULL: none; ctx: this task */
    const double *X, *labels;
    size_t npoints;
    /* the task's own */
    const struct mg_task_kind *kind;
    mg_task_config config;
    mg_grad_stash stash;          /* the batch's grads while a sample is drawn */
    void *impl;
} mg_task;

/* Loads the data and builds the model and optimiser c describes; NULL, with
 * a message naming the setting (an unknown dataset lists the known ones),
 * on bad settings, unreadable data or no memory. */
MG_API mg_task *mg_task_open(const mg_task_config *c, mg_error *err);
/* Frees everything the task holds; t may be NULL. */
MG_API void mg_task_free(mg_task *t);
/* The largest-loss sample of the last step's batch into s. */
MG_API mg_code mg_task_worst(mg_task *t, mg_task_sample *s, mg_error *err);
/* Builds sample s->index's own loss graph and runs its backward, the
 * batch's grads put aside first (the batch's nodes are dropped); *root is
 * its loss. mg_task_restore() must follow, before the update. */
MG_API mg_code mg_task_sample_graph(mg_task *t, mg_task_sample *s, mg_value **root,
                                    mg_error *err);
/* Puts the batch's grads back after mg_task_sample_graph(). */
MG_API void mg_task_restore(mg_task *t);

MG_EXTERN_C_END

#endif

/* train_tensor.h — `mgviz train` on tensors: an MLP on Fashion-MNIST (or the
 * moons, vectorised) with mini-batches, an optimiser, test accuracy per
 * epoch, progress, and checkpoints to save and resume. cmd_train_tensor.c
 * turns the command line into these options; tests call train_tensor_run()
 * directly on small generated datasets. */
#ifndef MGVIZ_TRAIN_TENSOR_H
#define MGVIZ_TRAIN_TENSOR_H

#include <stdint.h>
#include <stdio.h>

#include "mg_error.h"
#include "mg_tnn.h"

enum { TRAIN_MAX_HIDDEN = 8 };

typedef enum train_dataset { TRAIN_FASHION_MNIST = 0, TRAIN_MOONS } train_dataset;

/* What a step observer sees: called after the step's backward and before its
 * update, so the loss graph holds this step's data and grads. */
typedef struct train_step_info {
    int step, steps;           /* this step (from 0, resumed runs continue) and the total */
    mg_tensor *loss;           /* the step's loss (its graph: the whole step) */
    double loss_value;
    double accuracy;           /* moons: of this step's scores; fashion: NaN */
    const mg_tmlp *mlp;        /* the model, parameters not yet updated */
    const mg_tensor *x, *y;    /* moons: the dataset [n,2] and labels [n,1] (±1); else NULL */
} train_step_info;

/* A step observer; a failure stops the run with its error. */
typedef mg_code (*train_step_fn)(void *ctx, const train_step_info *s, mg_error *err);

typedef struct train_tensor_options {
    train_dataset dataset;
    const char *data_dir;      /* NULL: MG_FASHION_MNIST_DIR */
    int hidden[TRAIN_MAX_HIDDEN];
    int nhidden;               /* fashion: {128}; moons: {16, 16} */
    int epochs;                /* fashion: passes over the data; moons: full-batch steps */
    int batch;
    mg_optim_config optim;
    int cosine;                /* decay lr to 0 along a half cosine over the run */
    uint64_t seed;
    int threads;
    const char *save;          /* checkpoint written after every epoch; NULL: none */
    const char *resume;        /* checkpoint to start from; NULL: fresh */
    int limit_train, limit_test; /* use only the first N samples (0: all) */
    int progress;              /* 1: a redrawn bar (terminals), 0: plain lines */
    train_step_fn on_step;     /* called at every step (snapshots); NULL: none */
    void *step_ctx;
} train_tensor_options;

/* The defaults of `mgviz train --dataset fashion-mnist`: MLP 784-128-10,
 * 10 epochs, batch 64, Adam lr 0.002 with a cosine decay, seed 1, 1 thread;
 * of the moons: MLP 2-16-16-1, 100 full-batch steps, SGD lr 1.0 decaying. */
train_tensor_options train_tensor_defaults(train_dataset dataset);

/* What a run reached, for callers and tests. */
typedef struct train_tensor_result {
    int epochs_done;           /* counting epochs of a resumed checkpoint */
    double last_loss;          /* mean training loss of the last epoch */
    double test_accuracy;      /* after the last epoch (moons: training accuracy) */
    double seconds_per_epoch;  /* mean wall time of this run's epochs */
    double cpu_per_epoch;      /* mean CPU time of the process per epoch (all threads) */
    size_t warm_allocations;   /* graph allocations after the first step (want 0) */
} train_tensor_result;

/* Trains as o says, printing progress to out. MG_OK, or an error in err
 * (missing or corrupt data, mismatched checkpoint, write failure). */
mg_code train_tensor_run(const train_tensor_options *o, FILE *out, train_tensor_result *res,
                         mg_error *err);

#endif

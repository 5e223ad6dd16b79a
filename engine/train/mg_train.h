/* mg_train.h — a model's identity and its checkpoints: save a training run
 * and resume it, one call each.
 *
 *     mg_train_model m = { .identity = "dataset=fashion-mnist model=mlp arch=784,128,10",
 *                          .params = mlp->params, .nparams = mlp->nparams,
 *                          .optim = opt };
 *     mg_train_progress p = { 0 };
 *     if (resuming && mg_train_resume("run.ckpt", &m, &p, &err) != MG_OK) ...
 *     for (; p.epoch < epochs; p.epoch++) {
 *         ... train one epoch, p.step += batches ...
 *         mg_train_save("run.ckpt", &m, &(mg_train_progress){ p.epoch + 1, p.step }, &err);
 *     }
 *
 * A checkpoint (mg_checkpoint.h's file format) holds every parameter, named
 * by its scope path and label ("mlp/layer1/W"), the optimiser's state
 * ("optim.m:mlp/layer1/W"), scalar parameters as one f64 record "values", and
 * one line of metadata:
 *     mgviz-train IDENTITY optim=adam epoch=3 steps=2814
 * Resuming refuses a checkpoint whose identity or optimiser differs from the
 * model's, by what it is ("checkpoint of 'dataset=... arch=784,64,10
 * optim=adam', this run is '...'"), before any parameter is overwritten. */
#ifndef MG_TRAIN_H
#define MG_TRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mg_tnn.h"

MG_EXTERN_C_BEGIN

/* What a checkpoint saves and must match. Every pointer is borrowed. */
typedef struct mg_train_model {
    const char *identity;       /* dataset, model and sizes, e.g. "dataset=moons
                                   model=mlp arch=2,16,16,1 dtype=f32"; no
                                   " epoch=" in it */
    mg_tensor *const *params;   /* tensor parameters (may be 0 of them) */
    int nparams;
    mg_value *const *values;    /* scalar parameters (may be 0 of them) */
    size_t nvalues;
    mg_optim *optim;            /* NULL: no optimiser state; else its kind
                                   joins the identity and its state is saved */
} mg_train_model;

/* How far a run got: epochs and optimiser steps done. A checkpoint holds at
 * most MG_TRAIN_MAX_STEPS steps (exact as a JSON number, and far from where
 * counting on would overflow); save and resume refuse more. */
#define MG_TRAIN_MAX_STEPS (INT64_C(1) << 53)
typedef struct mg_train_progress {
    int epoch;
    int64_t step;
} mg_train_progress;

/* The identity line of m as checkpoints carry it ("IDENTITY optim=adam");
 * returns the full length as snprintf does. */
MG_API size_t mg_train_identity(const mg_train_model *m, char *buf, size_t n);
/* Writes m's parameters, optimiser state and p to path atomically. */
MG_API mg_code mg_train_save(const char *path, const mg_train_model *m,
                             const mg_train_progress *p, mg_error *err);
/* Loads a checkpoint of the same model into m's parameters and optimiser
 * (its step count too) and the progress into p. MG_OK, or MG_EIO /
 * MG_EFORMAT with a message and nothing changed. */
MG_API mg_code mg_train_resume(const char *path, const mg_train_model *m, mg_train_progress *p,
                               mg_error *err);

/* The defaults of the optimiser a checkpoint's "optim=" names as
 * mg_optim_name() does: "sgd", "momentum" (SGD with momentum 0.9), "adam",
 * "adamw". False, cfg untouched, for any other name. */
MG_API bool mg_train_optim_named(const char *name, mg_optim_config *cfg);

MG_EXTERN_C_END

#endif

/* train_tensor_snapshot.h — snapshots of a tensor training run: a
 * train_step_fn (train_tensor.h) that records every step's loss into an
 * mg_snapshot directory and, every K steps, draws the step's tensor graph
 * (weights, activations and their grads as heatmaps) and, for the moons, the
 * decision boundary. */
#ifndef MGVIZ_TRAIN_TENSOR_SNAPSHOT_H
#define MGVIZ_TRAIN_TENSOR_SNAPSHOT_H

#include "mg_snapshot.h"
#include "train_tensor.h"

typedef struct tsnap {
    const char *dir;          /* output directory */
    int every;                /* save pictures every K steps (> 0) */
    const char *format;       /* "svg", "png" or "dot" */
    const char *title;        /* of the index and loss curve */
    mg_viz_options viz;       /* how graphs are drawn (heatmaps on by default) */
    bool graph_json;          /* also write each graph as graph JSON */
    mg_snapshot *run;         /* opened at the first step, when the total is known */
    double *X, *label;        /* moons: copies for the boundary picture */
    const mg_tmlp *mlp;       /* the model the boundary scores */
} tsnap;

/* The train_step_fn: ctx is a tsnap. */
mg_code tsnap_step(void *ctx, const train_step_info *s, mg_error *err);
/* Writes the run's final files and frees what the run holds (not s). */
mg_code tsnap_close(tsnap *s, mg_error *err);

#endif

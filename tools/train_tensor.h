/* train_tensor.h — the tensor engine of `mgviz train` and what a dataset
 * gives it. A dataset row (train_task.c) names its tensor_data_ops: how to
 * load the data, fill a batch, score the model's output and, when it has a
 * test set, evaluate. A model is a tensor_model_ops row in train_tensor.c. */
#ifndef MGVIZ_TRAIN_TENSOR_H
#define MGVIZ_TRAIN_TENSOR_H

#include "train_task.h"

#include "mg_grad_stash.h"
#include "mg_idx.h"
#include "mg_tnn.h"

typedef struct tensor_impl tensor_impl;

struct tensor_data_ops {
    /* Loads the data; sets t->samples, the model's inputs and outputs, and
     * the points of a decision boundary when the data are 2-D. */
    mg_code (*load)(train_task *t, tensor_impl *m, mg_error *err);
    void (*free)(tensor_impl *m);
    /* A new input tensor of rows idx[0..b-1] (first.. when idx is NULL)
     * with their targets kept for loss(). */
    mg_tensor *(*batch)(train_task *t, tensor_impl *m, const int *idx, int first, int b);
    /* The loss of out against the batch's targets; with regularisation
     * (the training loss) or without (one sample's own loss). */
    mg_tensor *(*loss)(train_task *t, tensor_impl *m, mg_tensor *out, bool regularise);
    /* Accuracy of out on the batch; NaN when it has none. */
    double (*accuracy)(tensor_impl *m, mg_tensor *out);
    /* Each row's own loss into rows[0..b-1]. */
    mg_code (*row_losses)(tensor_impl *m, mg_tensor *out, double *rows);
    /* Sample index's label as text. */
    void (*label)(const tensor_impl *m, long index, char *buf, size_t n);
    /* Test loss and accuracy; NULL: no test set. */
    mg_code (*evaluate)(train_task *t, tensor_impl *m, mg_eval *out, mg_error *err);
};

/* The tensor engine's state: the model, the batches, the last step. */
struct tensor_impl {
    const tensor_data_ops *data;
    int inputs, outputs;          /* the model's, set by the dataset's load */
    mg_tmlp *mlp;
    mg_optim *opt;
    mg_batcher batches;
    bool full;                    /* full batch: the rows in order */
    const int *idx;               /* the last step's rows (NULL: first..) */
    int nb;
    mg_tensor *out;               /* the last batch's model output */
    int32_t *labels;              /* class targets of the batch */
    mg_tensor *targets;           /* tensor targets of the batch (points) */
    double *rows;                 /* per-row losses of the batch */
    mg_grad_stash saved;          /* the batch's grads while a sample is drawn */
    /* the data: points (moons) or image sets; other datasets use extra */
    double *X, *y;
    mg_image_set train, test;
    void *extra;
};

#endif

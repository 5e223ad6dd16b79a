/* mg_health.h — how each layer of a network is doing at a training step:
 * the statistics Karpathy's lectures and Weights & Biases plot to catch a
 * network that is not learning.
 *
 *     mg_health_layer layers[] = {
 *         { .scope = "mlp/layer1", .params = mlp->params, .nparams = 2 },
 *         { .scope = "mlp/layer2", .params = mlp->params + 2, .nparams = 2 },
 *     };
 *     mg_health *h = mg_health_new(g, layers, 2, &err);
 *     ... forward, zero grads, backward ...
 *     mg_health_measure(h);           // activations and grads of this step
 *     ... the optimiser's update ...
 *     mg_health_after_update(h);      // how far the update moved the data
 *     for (int i = 0; i < mg_health_warning_count(h); i++)
 *         puts(mg_health_warning(h, i));
 *
 * Per layer:
 *   activation  histogram, mean and std of the layer's outputs at this step:
 *               the nodes created since mg_graph_keep() in a scope whose
 *               path holds the layer's scope as whole components
 *               ("sample7/mlp/layer1/neuron3" is in "mlp/layer1"), each the
 *               last node of its run of that scope (a neuron's relu, a tensor
 *               layer's relu, or its bias add when it has no nonlinearity)
 *   units       output units: tensor columns (the last dimension), or for
 *               scalar values the child scopes under the layer ("neuron3")
 *   dead        relu layers: fraction of units that output 0 for every
 *               sample of the step (dead ReLUs); zero: fraction of outputs 0
 *   saturated   tanh (|t| > 0.97) and sigmoid (|2s - 1| > 0.97) layers:
 *               fraction of outputs in the flat tails
 *   grad        histogram and L2 norm of the layer's parameters' grads
 *   data_norm   L2 norm of the parameters
 *   update_ratio  log10(|update| / |data|), L2 norms over the layer's
 *               parameters, of the update made after the measurement (plain
 *               SGD: log10 of |lr·grad| / |data|; about -3 is healthy)
 * Numbers that do not apply are NaN.
 *
 * Buffers are sized on the first measurements and reused: once a training
 * step has run once, measuring it again allocates nothing. */
#ifndef MG_HEALTH_H
#define MG_HEALTH_H

#include <stddef.h>

#include "mg_buf.h"
#include "mg_tensor.h"

MG_EXTERN_C_BEGIN

enum { MG_HEALTH_BINS = 20, MG_HEALTH_MAX_LAYERS = 64 };

/* A layer to watch: its scope and its parameters (borrowed). */
typedef struct mg_health_layer {
    const char *scope;           /* "mlp/layer1": one or more scope names */
    mg_tensor *const *params;    /* tensor parameters */
    int nparams;
    mg_value *const *values;     /* scalar parameters */
    size_t nvalues;
} mg_health_layer;

/* Equal-width bins over [min, max] of the finite values. */
typedef struct mg_histogram {
    double min, max, mean, std;  /* of the finite values; NaN when none */
    long long count;             /* finite values */
    long long nonfinite;         /* NaN and infinities, not binned */
    long long bins[MG_HEALTH_BINS];
} mg_histogram;

/* The nonlinearity a layer's outputs come from. */
typedef enum mg_act_kind {
    MG_ACT_LINEAR = 0, MG_ACT_RELU, MG_ACT_TANH, MG_ACT_SIGMOID
} mg_act_kind;

typedef struct mg_layer_health {
    const char *scope;
    mg_act_kind act;
    mg_histogram activation;
    int units;
    double dead, zero;           /* relu; NaN otherwise */
    double saturated;            /* tanh, sigmoid; NaN otherwise */
    mg_histogram grad;
    double grad_norm, data_norm;
    double update_ratio;         /* NaN until mg_health_after_update() */
} mg_layer_health;

/* Bad zones a warning is given for when a layer enters them. */
typedef struct mg_health_limits {
    double dead;                 /* dead above this (default 0.5: most units) */
    double saturated;            /* saturated above this (default 0.5) */
    double ratio_low, ratio_high;/* update_ratio outside (default -5, -1) */
} mg_health_limits;

typedef struct mg_health mg_health;

/* Watches n layers (1..MG_HEALTH_MAX_LAYERS) of g; scopes and parameter
 * lists are copied. NULL with err filled on bad layers or out of memory. */
MG_API mg_health *mg_health_new(mg_graph *g, const mg_health_layer *layers, int n,
                                mg_error *err);
MG_API void mg_health_free(mg_health *h);
/* The default limits. */
MG_API mg_health_limits mg_health_default_limits(void);
/* Replaces the limits (from the next measurement or update on). */
MG_API void mg_health_set_limits(mg_health *h, const mg_health_limits *limits);

/* Measures the step now in the graph (after backward, before the update)
 * and remembers the parameters' data for mg_health_after_update(). MG_OK, or
 * MG_ENOMEM while buffers first grow. */
MG_API mg_code mg_health_measure(mg_health *h);
/* After the update: each layer's update_ratio. */
MG_API void mg_health_after_update(mg_health *h);

/* How many layers h watches (0 for NULL). */
MG_API int mg_health_count(const mg_health *h);
/* Layer `layer`'s latest measurement (0 <= layer < mg_health_count()), or
 * NULL out of range; it changes at the next mg_health_measure(). */
MG_API const mg_layer_health *mg_health_get(const mg_health *h, int layer);

/* Warnings for layers that entered a bad zone at the latest measurement or
 * update (one line each, "mlp/layer1: 62% of relu units are dead ..."),
 * the first time each layer enters each zone; they stay until the next
 * mg_health_measure(). */
MG_API int mg_health_warning_count(const mg_health *h);
MG_API const char *mg_health_warning(const mg_health *h, int i);

/* Appends the layers as one JSON object, {"mlp/layer1": {...}, ...}; a
 * non-finite number is null with its text beside it ("update_ratio": null,
 * "update_ratio_str": "-inf"). The fields are those of mg_layer_health. */
MG_API void mg_health_json(const mg_health *h, mg_buf *b);

MG_EXTERN_C_END

#endif

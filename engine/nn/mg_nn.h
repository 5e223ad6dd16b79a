/* mg_nn.h — micrograd's nn: Neuron, Layer, MLP over scalar values, and SGD.
 *
 * Ownership: an mg_mlp owns its small bookkeeping arrays (freed by
 * mg_mlp_free); its parameters are mg_param() nodes in the graph it was made
 * in, created at mg_mlp_new() time. Call mg_graph_keep() after creating the
 * model so that mg_graph_reset() at the end of each step keeps them.
 * Forward passes create nodes in the same graph, in scopes "mlp/layerL/neuronN"
 * (L and N from 1), so the visualiser can fold them. */
#ifndef MG_NN_H
#define MG_NN_H

#include <stddef.h>
#include <stdint.h>

#include "mg_value.h"

MG_EXTERN_C_BEGIN

typedef enum mg_nonlin {
    MG_NONLIN_LINEAR = 0,
    MG_NONLIN_RELU,
    MG_NONLIN_TANH,
    MG_NONLIN_SIGMOID
} mg_nonlin;

typedef struct mg_neuron {
    mg_value **w;     /* nin weights, uniform(-1, 1) at init */
    mg_value *b;      /* bias, 0 at init */
    int nin;
    mg_nonlin act;
    char scope[24];   /* "neuronN" */
} mg_neuron;

typedef struct mg_layer {
    mg_neuron *neurons;
    int nin, nout;
    char scope[24];   /* "layerL" */
} mg_layer;

typedef struct mg_mlp {
    mg_graph *graph;
    mg_layer *layers;
    int nlayers;
    int nin;
    mg_value **params;  /* every weight and bias, layer by layer, neuron by neuron */
    size_t nparams;
    mg_value **scratch; /* three buffers of the widest layer: inputs, activations */
    int width;
} mg_mlp;

/* micrograd's MLP(nin, nouts): hidden layers use `hidden`, the last `output`
 * (micrograd: relu and linear). Weights uniform(-1,1) from seed, biases 0.
 * Returns NULL (with err filled) on bad sizes or out of memory. */
MG_API mg_mlp *mg_mlp_new(mg_graph *g, int nin, const int *nouts, int nlayers, mg_nonlin hidden,
                   mg_nonlin output, uint64_t seed, mg_error *err);
/* Frees the model's bookkeeping; its parameter nodes stay in the graph. */
MG_API void mg_mlp_free(mg_mlp *m);

/* One neuron on inputs x[0..nin-1]: act(b + Σ w_i·x_i), summed as micrograd does. */
MG_API mg_value *mg_neuron_forward(const mg_neuron *n, mg_value *const *x);
/* A layer on x: writes nout values to out; MG_OK or the graph's error code. */
MG_API mg_code mg_layer_forward(const mg_layer *l, mg_value *const *x, mg_value **out);
/* The MLP on x[0..nin-1]: writes the last layer's outputs to out. */
MG_API mg_code mg_mlp_forward(mg_mlp *m, mg_value *const *x, mg_value **out);
/* Number of outputs of the last layer. */
MG_API int mg_mlp_nout(const mg_mlp *m);

/* All parameters (weights and biases); *n receives their count. */
MG_API mg_value *const *mg_mlp_parameters(const mg_mlp *m, size_t *n);
/* Sets every parameter's grad to 0. */
MG_API void mg_mlp_zero_grad(mg_mlp *m);
/* Plain SGD: p.data -= lr * p.grad for each parameter. */
MG_API void mg_sgd_step(mg_value *const *params, size_t n, double lr);

MG_EXTERN_C_END

#endif

/* mg_tnn.h — neural nets on tensors: Linear layers, an MLP, SGD (momentum,
 * weight decay), Adam and AdamW, gradient clipping. The scalar nn (mg_nn.h) is micrograd's; this one is
 * for real data (Fashion-MNIST) at batch sizes where one node per number
 * would be too slow.
 *
 *     int sizes[] = { 784, 128, 10 };
 *     mg_tmlp *m = mg_tmlp_new(g, MG_F32, sizes, 3, MG_INIT_KAIMING, seed, &err);
 *     mg_optim *opt = mg_optim_new(m->params, m->nparams, &cfg, &err);
 *     mg_graph_keep(g);                          // parameters survive resets
 *     for (each batch) {
 *         mg_tensor *x = mg_tensor_input(g, MG_F32, 2, (int[]){ b, 784 });
 *         ... fill x->data ...
 *         mg_tensor *loss = mg_tensor_cross_entropy(mg_tmlp_forward(m, x), labels);
 *         mg_optim_zero_grad(opt);
 *         mg_tensor_backward(loss);
 *         mg_optim_step(opt);
 *         mg_graph_reset(g);                     // allocates nothing once warm
 *     }
 *
 * When nothing reads the grads after the step, one call does clipping, the
 * step and the next step's zero_grad in fewer passes (mg_optim_update):
 *
 *         mg_tensor_backward(loss);              // the grads start at 0
 *         mg_optim_update(opt, &(mg_update_opts){ .max_norm = 1.0, .zero_grad = true });
 *
 * Parameters are tensor leaves in the model's graph, created in scopes
 * "mlp/layerL" (L from 1) and labelled "layerL.W" and "layerL.b"; forward nodes are created
 * in the same scopes, so the visualiser can fold a layer. */
#ifndef MG_TNN_H
#define MG_TNN_H

#include <stdbool.h>
#include <stdint.h>

#include "mg_error.h"
#include "mg_rng.h"
#include "mg_tensor.h"

MG_EXTERN_C_BEGIN

/* Weight initialisations (biases start at 0). */
typedef enum mg_init {
    MG_INIT_KAIMING = 0, /* He uniform for relu: U(±sqrt(6/nin)) */
    MG_INIT_XAVIER       /* Glorot uniform: U(±sqrt(6/(nin+nout))) */
} mg_init;

/* y = x·W + b: W is [nin,nout] (x·W needs no transpose), b is [nout]. */
typedef struct mg_linear {
    mg_tensor *W;
    mg_tensor *b;
    int nin, nout;
} mg_linear;

/* Creates l's parameters in g in the current scope, initialised from rng,
 * labelled "W" and "b" after the scope's own name ("layer1.W" in scope
 * mlp/layer1; plain "W" outside any scope). */
MG_API mg_code mg_linear_init(mg_linear *l, mg_graph *g, mg_dtype dt, int nin, int nout, mg_init init,
                       mg_rng *rng);
/* x [N,nin] → [N,nout]; NULL with the graph's error set on a shape mismatch. */
MG_API mg_tensor *mg_linear_forward(const mg_linear *l, mg_tensor *x);

/* A multi-layer perceptron: relu after every layer but the last (logits). */
typedef struct mg_tmlp {
    mg_graph *graph;
    mg_dtype dtype;
    mg_linear *layers;
    int nlayers;
    int *sizes;          /* nlayers + 1 sizes: inputs, hidden..., outputs */
    mg_tensor **params;  /* W1, b1, W2, b2, ... */
    int nparams;
} mg_tmlp;

/* sizes[0] inputs, sizes[1..n-1] layer widths (n >= 2, each >= 1); seeded
 * init. NULL with err filled on bad sizes or out of memory. */
MG_API mg_tmlp *mg_tmlp_new(mg_graph *g, mg_dtype dt, const int *sizes, int n, mg_init init,
                     uint64_t seed, mg_error *err);
/* Frees the bookkeeping; the parameters stay in the graph. NULL is a no-op. */
MG_API void mg_tmlp_free(mg_tmlp *m);
/* Logits [N,outputs] for x [N,inputs], in scopes mlp/layerL. */
MG_API mg_tensor *mg_tmlp_forward(mg_tmlp *m, mg_tensor *x);

/* ---- optimisers ---- */
typedef enum mg_optim_kind { MG_OPTIM_SGD = 0, MG_OPTIM_ADAM, MG_OPTIM_ADAMW } mg_optim_kind;

typedef struct mg_optim_config {
    mg_optim_kind kind;
    double lr;
    double momentum;     /* SGD: 0 for plain SGD (PyTorch's dampening 0, no Nesterov) */
    double weight_decay; /* SGD, Adam: L2 added to the gradient, as PyTorch's weight_decay;
                          * AdamW: decoupled, the weights shrink by lr·weight_decay a step */
    double beta1, beta2, eps; /* Adam, AdamW */
} mg_optim_config;

/* PyTorch's defaults: SGD lr 0.01; Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8;
 * AdamW the same with weight decay 0.01. */
MG_API mg_optim_config mg_optim_defaults(mg_optim_kind kind);

typedef struct mg_optim {
    mg_optim_config cfg;
    mg_tensor **params;
    int nparams;
    void **m, **v;      /* per-parameter state (momentum / Adam moments), NULL if unused */
    void *state;        /* one block holding every state buffer */
    int64_t steps;      /* steps taken (Adam's bias correction) */
    uint8_t *decay;     /* per parameter: 1 if weight decay applies (mg_optim_set_decay) */
} mg_optim;

/* An optimiser over params (every one must require grad); its state is
 * allocated here, once, so steps allocate nothing. NULL with err filled.
 * Weight decay applies to every parameter for SGD and Adam (PyTorch's one
 * group), and for AdamW to parameters of 2 or more dims only: no decay on
 * biases and norm gains, as GPT-2 and nanoGPT train. mg_optim_set_decay()
 * changes one parameter's flag. */
MG_API mg_optim *mg_optim_new(mg_tensor *const *params, int n, const mg_optim_config *cfg,
                       mg_error *err);
MG_API void mg_optim_free(mg_optim *o);
/* Sets every parameter's grad to 0. */
MG_API void mg_optim_zero_grad(mg_optim *o);
/* One update from the parameters' current grads. */
MG_API void mg_optim_step(mg_optim *o);
/* Whether weight decay applies to parameter i (on != 0); MG_EINVAL for a bad i. */
MG_API mg_code mg_optim_set_decay(mg_optim *o, int i, int on);
/* "sgd", "momentum", "adam" or "adamw": the rule o applies. */
MG_API const char *mg_optim_name(const mg_optim *o);
/* Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_: returns
 * the L2 norm of all parameters' grads taken together, and when it exceeds
 * max_norm (> 0) scales every grad by max_norm / (norm + 1e-6). The sum is
 * taken in double in a fixed order (the same on any thread count); a NaN or
 * infinite norm is returned and the grads are scaled by it, as PyTorch does. */
MG_API double mg_optim_clip_grad_norm(mg_optim *o, double max_norm);

/* What mg_optim_update() does besides the step. */
typedef struct mg_update_opts {
    double max_norm; /* > 0: clip the grads' global norm to it (0: no clipping) */
    bool zero_grad;  /* set every grad to 0 once the step has read it */
} mg_update_opts;

/* The training step's optimiser work in as few passes over the grads as it
 * takes: mg_optim_clip_grad_norm(o, u->max_norm) when max_norm > 0, then
 * mg_optim_step(o), then mg_optim_zero_grad(o) when u->zero_grad, with the
 * parameters and state coming out the same bits as those calls (u NULL: a
 * step alone). Returns the global norm before clipping as
 * mg_optim_clip_grad_norm() does (NaN or inf included), or 0 without clipping
 * (no norm is taken). What differs: the grads are NOT scaled by the clip (the
 * factor applies as the step reads them), and with zero_grad they are all 0
 * after the call: read or save them before it. */
MG_API double mg_optim_update(mg_optim *o, const mg_update_opts *u);
/* Number of state buffers per parameter (0, 1 or 2) and buffer j of parameter
 * i (same dtype and numel as the parameter): what a checkpoint saves. */
MG_API int mg_optim_state_count(const mg_optim *o);
MG_API void *mg_optim_state(const mg_optim *o, int i, int j);

MG_EXTERN_C_END

#endif

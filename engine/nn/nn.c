/* nn.c — Neuron, Layer, MLP and SGD, as micrograd's nn.py. */
#include "mg_nn.h"

#include <stdio.h>
#include <stdlib.h>

#include "mg_rng.h"

static mg_value *activate(mg_value *v, mg_nonlin act)
{
    switch (act) {
    case MG_NONLIN_RELU: return mg_relu(v);
    case MG_NONLIN_TANH: return mg_tanh(v);
    case MG_NONLIN_SIGMOID: return mg_sigmoid(v);
    case MG_NONLIN_LINEAR: break;
    }
    return v;
}

static int neuron_init(mg_neuron *n, mg_graph *g, int nin, mg_nonlin act, int index, mg_rng *rng,
                       mg_value **params)
{
    char label[24];
    n->nin = nin;
    n->act = act;
    snprintf(n->scope, sizeof n->scope, "neuron%d", index + 1);
    n->w = params;
    for (int i = 0; i < nin; i++) {
        snprintf(label, sizeof label, "w%d", i);
        n->w[i] = mg_label(mg_param(g, mg_rng_range(rng, -1.0, 1.0)), label);
    }
    n->b = params[nin] = mg_label(mg_param(g, 0.0), "b");
    return mg_graph_status(g) == MG_OK ? 0 : -1;
}

static size_t count_params(int nin, const int *nouts, int nlayers)
{
    size_t total = 0;
    for (int l = 0; l < nlayers; l++) {
        total += (size_t)nouts[l] * ((size_t)nin + 1);
        nin = nouts[l];
    }
    return total;
}

static size_t total_neurons(const int *nouts, int nlayers)
{
    size_t total = 0;
    for (int l = 0; l < nlayers; l++)
        total += (size_t)nouts[l];
    return total;
}

static mg_code check_sizes(int nin, const int *nouts, int nlayers, mg_error *err)
{
    if (nin <= 0)
        return mg_error_set(err, MG_EINVAL, "mlp: nin must be positive, got %d", nin);
    if (!nouts || nlayers <= 0)
        return mg_error_set(err, MG_EINVAL, "mlp: needs at least one layer");
    for (int l = 0; l < nlayers; l++)
        if (nouts[l] <= 0 || nouts[l] > 1000000)
            return mg_error_set(err, MG_EINVAL, "mlp: layer %d has size %d", l + 1, nouts[l]);
    return MG_OK;
}

mg_mlp *mg_mlp_new(mg_graph *g, int nin, const int *nouts, int nlayers, mg_nonlin hidden,
                   mg_nonlin output, uint64_t seed, mg_error *err)
{
    if (!g) {
        mg_error_set(err, MG_EINVAL, "mlp: NULL graph");
        return NULL;
    }
    if (check_sizes(nin, nouts, nlayers, err) != MG_OK)
        return NULL;
    mg_mlp *m = calloc(1, sizeof *m);
    int width = nin;
    for (int l = 0; l < nlayers; l++)
        width = nouts[l] > width ? nouts[l] : width;
    if (m) {
        m->graph = g;
        m->nin = nin;
        m->nlayers = nlayers;
        m->width = width;
        m->nparams = count_params(nin, nouts, nlayers);
        m->layers = calloc((unsigned)nlayers, sizeof *m->layers); /* checked > 0 above */
        m->params = calloc(m->nparams, sizeof *m->params);
        m->scratch = calloc(3 * (size_t)width, sizeof *m->scratch);
        if (m->layers)
            m->layers[0].neurons = calloc(total_neurons(nouts, nlayers),
                                          sizeof(mg_neuron));
    }
    if (!m || !m->layers || !m->params || !m->scratch || !m->layers[0].neurons) {
        mg_mlp_free(m);
        mg_error_set(err, MG_ENOMEM, "mlp: out of memory for %d layers", nlayers);
        return NULL;
    }
    mg_rng rng;
    mg_rng_seed(&rng, seed);
    mg_value **p = m->params;
    mg_neuron *neurons = m->layers[0].neurons;
    for (int l = 0; l < nlayers; l++) {
        mg_layer *layer = &m->layers[l];
        layer->nin = l ? nouts[l - 1] : nin;
        layer->nout = nouts[l];
        layer->neurons = neurons;
        neurons += nouts[l];
        snprintf(layer->scope, sizeof layer->scope, "layer%d", l + 1);
        mg_nonlin act = l == nlayers - 1 ? output : hidden;
        for (int j = 0; j < layer->nout; j++, p += layer->nin + 1)
            if (neuron_init(&layer->neurons[j], g, layer->nin, act, j, &rng, p)) {
                mg_error_set(err, mg_graph_status(g), "mlp: %s", mg_graph_error(g));
                mg_mlp_free(m);
                return NULL;
            }
    }
    return m;
}

void mg_mlp_free(mg_mlp *m)
{
    if (!m)
        return;
    if (m->layers)
        free(m->layers[0].neurons);
    free(m->layers);
    free(m->params);
    free(m->scratch);
    free(m);
}

mg_value *mg_neuron_forward(const mg_neuron *n, mg_value *const *x)
{
    mg_value *act = n->b;
    for (int i = 0; i < n->nin; i++)
        act = mg_add(act, mg_mul(n->w[i], x[i]));
    return activate(act, n->act);
}

mg_code mg_layer_forward(const mg_layer *l, mg_value *const *x, mg_value **out)
{
    mg_graph *g = l->neurons[0].b->graph;
    for (int j = 0; j < l->nout; j++) {
        mg_scope_push(g, l->neurons[j].scope);
        out[j] = mg_neuron_forward(&l->neurons[j], x);
        mg_scope_pop(g);
    }
    return mg_graph_status(g);
}

mg_code mg_mlp_forward(mg_mlp *m, mg_value *const *x, mg_value **out)
{
    mg_graph *g = m->graph;
    mg_scope_push(g, "mlp");
    mg_value *const *in = x;
    for (int l = 0; l < m->nlayers; l++) {
        mg_value **dst = l == m->nlayers - 1 ? out : m->scratch + (l % 2) * m->width;
        mg_scope_push(g, m->layers[l].scope);
        mg_layer_forward(&m->layers[l], in, dst);
        mg_scope_pop(g);
        in = dst;
    }
    mg_scope_pop(g);
    return mg_graph_status(g);
}

int mg_mlp_nout(const mg_mlp *m) { return m->layers[m->nlayers - 1].nout; }

mg_value *const *mg_mlp_parameters(const mg_mlp *m, size_t *n)
{
    if (n)
        *n = m->nparams;
    return m->params;
}

void mg_mlp_zero_grad(mg_mlp *m)
{
    for (size_t i = 0; i < m->nparams; i++)
        m->params[i]->grad = 0.0;
}

void mg_sgd_step(mg_value *const *params, size_t n, double lr)
{
    for (size_t i = 0; i < n; i++)
        params[i]->data -= lr * params[i]->grad;
}

/* tnn.c — Linear layers and the tensor MLP. */
#include "mg_tnn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Labels t "layer1.W" when made inside scope mlp/layer1 (its innermost
 * scope's name, then the parameter's), plain "W" outside any scope: a
 * picture or an inspector then says which layer a W belongs to, as
 * PyTorch's named_parameters() does. */
static mg_tensor *label_param(mg_graph *g, mg_tensor *t, const char *name)
{
    const char *scope = mg_scope_name(g, mg_scope_current(g));
    char label[96];
    snprintf(label, sizeof label, "%s%s%s", scope, *scope ? "." : "", name);
    return mg_tensor_label(t, label);
}

mg_code mg_linear_init(mg_linear *l, mg_graph *g, mg_dtype dt, int nin, int nout, mg_init init,
                       mg_rng *rng)
{
    if (!l || !g || !rng)
        return MG_EINVAL;
    if (nin < 1 || nout < 1)
        return mg_graph_fail(g, MG_EINVAL, "linear: sizes %d -> %d must be >= 1", nin, nout);
    l->nin = nin;
    l->nout = nout;
    l->W = label_param(g, mg_tensor_param(g, dt, 2, (const int[]){ nin, nout }), "W");
    l->b = label_param(g, mg_tensor_param(g, dt, 1, (const int[]){ nout }), "b");
    if (!l->W || !l->b)
        return mg_graph_status(g);
    double bound = init == MG_INIT_XAVIER ? sqrt(6.0 / (nin + nout)) : sqrt(6.0 / nin);
    for (int i = 0; i < l->W->numel; i++)
        mg_tensor_set(l->W, i, mg_rng_range(rng, -bound, bound));
    return MG_OK;
}

mg_tensor *mg_linear_forward(const mg_linear *l, mg_tensor *x)
{
    return l ? mg_tensor_linear(x, l->W, l->b) : NULL;
}

void mg_tmlp_free(mg_tmlp *m)
{
    if (!m)
        return;
    free(m->layers);
    free(m->sizes);
    free(m->params);
    free(m);
}

/* Enters scope "mlp/layerL". */
static mg_code enter_layer(mg_graph *g, int layer)
{
    char name[24];
    snprintf(name, sizeof name, "layer%d", layer + 1);
    mg_code rc = mg_scope_push(g, "mlp");
    if (rc == MG_OK && (rc = mg_scope_push(g, name)) != MG_OK)
        mg_scope_pop(g);
    return rc;
}

static void leave_layer(mg_graph *g)
{
    mg_scope_pop(g);
    mg_scope_pop(g);
}

mg_tmlp *mg_tmlp_new(mg_graph *g, mg_dtype dt, const int *sizes, int n, mg_init init,
                     uint64_t seed, mg_error *err)
{
    if (!g || !sizes || n < 2) {
        mg_error_set(err, MG_EINVAL, "mlp: needs a graph and at least 2 sizes");
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (sizes[i] < 1) {
            mg_error_set(err, MG_EINVAL, "mlp: size %d is %d (must be >= 1)", i, sizes[i]);
            return NULL;
        }
    mg_tmlp *m = calloc(1, sizeof *m);
    if (m) {
        m->layers = calloc((size_t)n - 1, sizeof *m->layers);
        m->sizes = malloc((size_t)n * sizeof *m->sizes);
        m->params = calloc(2 * ((size_t)n - 1), sizeof *m->params);
    }
    if (!m || !m->layers || !m->sizes || !m->params) {
        mg_tmlp_free(m);
        mg_error_set(err, MG_ENOMEM, "mlp: out of memory");
        return NULL;
    }
    m->graph = g;
    m->dtype = dt;
    m->nlayers = n - 1;
    m->nparams = 2 * (n - 1);
    mg_rng rng;
    mg_rng_seed(&rng, seed);
    for (int i = 0; i < n; i++)
        m->sizes[i] = sizes[i];
    for (int l = 0; l < m->nlayers; l++) {
        mg_code rc = enter_layer(g, l);
        if (rc == MG_OK) {
            rc = mg_linear_init(&m->layers[l], g, dt, sizes[l], sizes[l + 1], init, &rng);
            leave_layer(g);
        }
        if (rc != MG_OK) {
            mg_error_set(err, rc, "mlp: %s", mg_graph_error(g) ? mg_graph_error(g) : "failed");
            mg_tmlp_free(m);
            return NULL;
        }
        m->params[2 * l] = m->layers[l].W;
        m->params[2 * l + 1] = m->layers[l].b;
    }
    return m;
}

mg_tensor *mg_tmlp_forward(mg_tmlp *m, mg_tensor *x)
{
    if (!m || !x)
        return NULL;
    for (int l = 0; l < m->nlayers && x; l++) {
        if (enter_layer(m->graph, l) != MG_OK)
            return NULL;
        x = mg_linear_forward(&m->layers[l], x);
        if (l + 1 < m->nlayers)
            x = mg_tensor_relu(x);
        leave_layer(m->graph);
    }
    return x;
}

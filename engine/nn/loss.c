/* loss.c — losses built from scalar or tensor ops, so backward needs
 * nothing new. */
#include "mg_loss.h"

#include <math.h>
#include <stdio.h>

mg_value *mg_sum(mg_value *const *v, size_t n)
{
    if (n == 0)
        return NULL;
    mg_value *s = v[0];
    for (size_t i = 1; i < n; i++)
        s = mg_add(s, v[i]);
    return s;
}

mg_value *mg_mean(mg_value *const *v, size_t n)
{
    return n ? mg_mulc(mg_sum(v, n), 1.0 / (double)n) : NULL;
}

/* Folds term(v_i, t_i) into a running sum without a temporary array. */
static mg_value *mean_of(mg_value *const *v, const double *t, size_t n,
                         mg_value *(*term)(mg_value *, double))
{
    if (n == 0 || !v || !t)
        return NULL;
    mg_value *s = term(v[0], t[0]);
    for (size_t i = 1; i < n; i++)
        s = mg_add(s, term(v[i], t[i]));
    return mg_mulc(s, 1.0 / (double)n);
}

static mg_value *svm_term(mg_value *s, double y) { return mg_relu(mg_rsubc(mg_mulc(s, y), 1.0)); }
static mg_value *mse_term(mg_value *p, double t) { return mg_pow(mg_subc(p, t), 2.0); }

mg_value *mg_loss_svm(mg_value *const *scores, const double *y, size_t n)
{
    return mean_of(scores, y, n, svm_term);
}

mg_value *mg_loss_mse(mg_value *const *preds, const double *targets, size_t n)
{
    return mean_of(preds, targets, n, mse_term);
}

mg_value *mg_loss_bce_logits(mg_value *const *logits, const double *targets, size_t n)
{
    return mean_of(logits, targets, n, mg_bce_logits);
}

mg_value *mg_l2(mg_value *const *params, size_t n, double alpha)
{
    if (n == 0 || !params)
        return NULL;
    mg_value *s = mg_mul(params[0], params[0]);
    for (size_t i = 1; i < n; i++)
        s = mg_add(s, mg_mul(params[i], params[i]));
    return mg_mulc(s, alpha);
}

mg_value *mg_mlp_svm_loss(mg_mlp *m, const double *X, const double *y, size_t n, double alpha,
                          double *accuracy)
{
    mg_graph *g = m->graph;
    if (n == 0 || !X || !y || mg_mlp_nout(m) != 1) {
        mg_graph_fail(g, MG_EINVAL, "svm loss: needs n > 0 rows and a model with one output");
        return NULL;
    }
    mg_value **x = m->scratch + 2 * m->width; /* the third buffer: inputs */
    mg_value *data_loss = NULL;
    size_t correct = 0;
    char scope[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(scope, sizeof scope, "sample%zu", i);
        mg_scope_push(g, scope);
        for (int j = 0; j < m->nin; j++) {
            /* named as the data matrix's element (the plots' axes read X[:,j]) */
            char name[48];
            snprintf(name, sizeof name, "X[%zu,%d]", i, j);
            x[j] = mg_label(mg_input(g, X[i * (size_t)m->nin + (size_t)j]), name);
        }
        mg_value *score;
        if (mg_mlp_forward(m, x, &score) != MG_OK) {
            mg_scope_pop(g);
            return NULL;
        }
        mg_value *term = svm_term(score, y[i]);
        correct += (y[i] > 0) == (score->data > 0);
        mg_scope_pop(g);
        /* summed outside the sample's scope, so folded samples stand side by
         * side, in a scope of its own (micrograd's demo names the two parts
         * data_loss and reg_loss) so that a folded picture shows each part */
        mg_scope_push(g, "data_loss");
        data_loss = data_loss ? mg_add(data_loss, term) : term;
        mg_scope_pop(g);
    }
    if (accuracy)
        *accuracy = (double)correct / (double)n;
    mg_scope_push(g, "data_loss");
    data_loss = mg_mulc(data_loss, 1.0 / (double)n);
    mg_scope_pop(g);
    if (alpha == 0.0)
        return data_loss;
    size_t np;
    mg_value *const *params = mg_mlp_parameters(m, &np);
    mg_scope_push(g, "reg_loss");
    mg_value *reg_loss = mg_l2(params, np, alpha);
    mg_scope_pop(g);
    return mg_add(data_loss, reg_loss);
}

mg_tensor *mg_tensor_loss_svm(mg_tensor *scores, mg_tensor *y)
{
    if (!scores || !y)
        return NULL;
    mg_tensor *one = mg_tensor_scalar(scores->node->graph, scores->dtype, 1.0);
    mg_tensor *hinge = mg_tensor_relu(mg_tensor_sub(one, mg_tensor_mul(y, scores)));
    return mg_tensor_mean(hinge, MG_AXIS_ALL, 0);
}

mg_tensor *mg_tensor_l2(mg_tensor *const *params, int n, double alpha)
{
    if (n <= 0 || !params || !params[0])
        return NULL;
    mg_tensor *reg = NULL;
    for (int i = 0; i < n; i++) {
        mg_tensor *sq = mg_tensor_sum(mg_tensor_pow(params[i], 2.0), MG_AXIS_ALL, 0);
        reg = reg ? mg_tensor_add(reg, sq) : sq;
    }
    return mg_tensor_mul(reg, mg_tensor_scalar(params[0]->node->graph, params[0]->dtype, alpha));
}

void mg_svm_rows(const mg_tensor *scores, const mg_tensor *y, double *out)
{
    for (int i = 0; i < scores->numel; i++) {
        double l = 1 - mg_tensor_get(y, i) * mg_tensor_get(scores, i);
        out[i] = isnan(l) || l > 0 ? l : 0;
    }
}

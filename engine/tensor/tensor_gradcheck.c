/* tensor_gradcheck.c — finite differences for tensor functions: the core's
 * gradient-check driver (gradcheck_internal.h) building the function on
 * float64 leaves, the same driver mg_gradcheck() runs for scalars. */
#include "gradcheck_internal.h"
#include "mg_tensor.h"

typedef struct tensor_check {
    mg_tensor_fn f;
    void *ctx;
    const mg_tensor_spec *specs;
    int n;
} tensor_check;

/* Creates the leaves holding x (requiring grad) and builds f; the root's node,
 * or NULL (also when the root has more than one element). */
static mg_value *tensor_build(const void *check, mg_graph *g, void *leaves, const double *x)
{
    const tensor_check *c = check;
    mg_tensor **t = leaves;
    size_t off = 0;
    for (int i = 0; i < c->n; i++) {
        t[i] = mg_tensor_param(g, MG_F64, c->specs[i].ndim, c->specs[i].shape);
        if (!t[i])
            return NULL;
        mg_tensor_load(t[i], x + off);
        off += (size_t)t[i]->numel;
    }
    mg_tensor *root = c->f(g, t, c->n, c->ctx);
    return root && root->numel == 1 ? root->node : NULL;
}

static double root_value(const mg_value *root) { return mg_tensor_get(root->tensor, 0); }

static mg_code root_backward(mg_value *root) { return mg_tensor_backward(root->tensor); }

static void tensor_grads(const void *check, const void *leaves, double *analytic)
{
    const tensor_check *c = check;
    mg_tensor *const *t = leaves;
    size_t off = 0;
    for (int i = 0; i < c->n; i++)
        for (int j = 0; j < t[i]->numel; j++)
            analytic[off++] = mg_tensor_grad_at(t[i], j);
}

static const gradcheck_kind tensor_kind = {
    .who = "tensor gradcheck",
    .no_root = "it returned NULL or more than one element",
    .leaf_size = sizeof(mg_tensor *),
    .build = tensor_build,
    .value = root_value,
    .backward = root_backward,
    .grads = tensor_grads,
};

static size_t total_size(const mg_tensor_spec *specs, int n)
{
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        size_t k = 1;
        for (int d = 0; d < specs[i].ndim; d++)
            k *= (size_t)(specs[i].shape[d] > 0 ? specs[i].shape[d] : 0);
        total += k;
    }
    return total;
}

mg_code mg_tensor_gradcheck(mg_tensor_fn f, void *ctx, const mg_tensor_spec *leaves, int n,
                            const double *x, double h, mg_gradcheck_result *out, mg_error *err)
{
    if (!f || !leaves || n < 1 || !x || !out)
        return mg_error_set(err, MG_EINVAL, "tensor gradcheck: NULL argument or no leaves");
    tensor_check c = { .f = f, .ctx = ctx, .specs = leaves, .n = n };
    return gradcheck_run(&tensor_kind, &c, (size_t)n, x, total_size(leaves, n), h, out, err);
}

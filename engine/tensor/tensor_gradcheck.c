/* tensor_gradcheck.c — finite differences for tensor functions: builds the
 * function on float64 leaves and hands both sides to mg_gradcheck_compare(). */
#include <math.h>
#include <stdlib.h>

#include "mg_gradcheck.h"
#include "mg_tensor.h"

typedef struct tensor_check {
    mg_graph *g;
    mg_tensor_fn f;
    void *ctx;
    const mg_tensor_spec *specs;
    int n;
    mg_tensor **leaves;
} tensor_check;

/* Creates the leaves holding x (requiring grad) and builds f; the root or NULL. */
static mg_tensor *build(tensor_check *c, const double *x)
{
    size_t off = 0;
    for (int i = 0; i < c->n; i++) {
        c->leaves[i] = mg_tensor_param(c->g, MG_F64, c->specs[i].ndim, c->specs[i].shape);
        if (!c->leaves[i])
            return NULL;
        mg_tensor_load(c->leaves[i], x + off);
        off += (size_t)c->leaves[i]->numel;
    }
    mg_tensor *root = c->f(c->g, c->leaves, c->n, c->ctx);
    return root && root->numel == 1 ? root : NULL;
}

static double eval_tensor(void *ctx, const double *x, size_t n)
{
    (void)n;
    tensor_check *c = ctx;
    mg_mark m = mg_graph_mark(c->g);
    mg_tensor *root = build(c, x);
    double y = root ? mg_tensor_get(root, 0) : NAN;
    mg_graph_rewind(c->g, m);
    return y;
}

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
    size_t total = total_size(leaves, n);
    tensor_check c = { .g = mg_graph_new(), .f = f, .ctx = ctx, .specs = leaves, .n = n };
    c.leaves = calloc((size_t)n, sizeof *c.leaves);
    double *analytic = malloc((total ? total : 1) * sizeof *analytic);
    mg_code rc = MG_OK;
    if (!c.g || !c.leaves || !analytic) {
        rc = mg_error_set(err, MG_ENOMEM, "tensor gradcheck: out of memory");
        goto done;
    }
    mg_tensor *root = build(&c, x);
    if (!root || mg_tensor_backward(root) != MG_OK) {
        const char *why = mg_graph_error(c.g);
        rc = mg_error_set(err, MG_EINVAL, "tensor gradcheck: the function failed: %s",
                          why ? why : "it returned NULL or more than one element");
        goto done;
    }
    size_t off = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < c.leaves[i]->numel; j++)
            analytic[off++] = mg_tensor_grad_at(c.leaves[i], j);
    mg_graph_reset(c.g);
    rc = mg_gradcheck_compare(eval_tensor, &c, x, analytic, total, h, out, err);
done:
    free(analytic);
    free(c.leaves);
    mg_graph_free(c.g);
    return rc;
}

/* gradcheck.c — central finite differences against backward(). */
#include "mg_gradcheck.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct scalar_check {
    mg_graph *g;
    mg_gradcheck_fn f;
    void *ctx;
    mg_value **leaves;
    const char *const *names;
} scalar_check;

/* Creates the leaves at x and builds f; the root, or NULL on failure. */
static mg_value *build(scalar_check *c, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        c->leaves[i] = mg_input(c->g, x[i]);
        if (c->names && c->names[i])
            mg_label(c->leaves[i], c->names[i]);
    }
    return c->f(c->g, c->leaves, n, c->ctx);
}

static double eval_scalar(void *ctx, const double *x, size_t n)
{
    scalar_check *c = ctx;
    mg_mark m = mg_graph_mark(c->g);
    mg_value *root = build(c, x, n);
    double y = root ? root->data : NAN;
    mg_graph_rewind(c->g, m);
    return y;
}

/* Error of one input: NaN where exactly one side is NaN, or infinities differ. */
static double abs_error(double a, double b)
{
    if (isnan(a) && isnan(b))
        return 0.0;
    if (isinf(a) || isinf(b))
        return a == b ? 0.0 : INFINITY;
    double e = fabs(a - b);
    return isnan(e) ? INFINITY : e;
}

mg_code mg_gradcheck_compare(mg_eval_fn eval, void *ctx, const double *x,
                             const double *analytic, size_t n, double h,
                             mg_gradcheck_result *out, mg_error *err)
{
    if (!eval || !out || (n && (!x || !analytic)))
        return mg_error_set(err, MG_EINVAL, "gradcheck: NULL argument");
    if (h <= 0.0)
        h = 1e-6;
    memset(out, 0, sizeof *out);
    double *p = malloc((n ? n : 1) * sizeof *p);
    if (!p)
        return mg_error_set(err, MG_ENOMEM, "gradcheck: out of memory for %zu inputs", n);
    memcpy(p, x, n * sizeof *p);
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        double step = h * fmax(1.0, fabs(x[i]));
        p[i] = x[i] + step;
        double up = eval(ctx, p, n);
        p[i] = x[i] - step;
        double down = eval(ctx, p, n);
        p[i] = x[i];
        double numeric = (up - down) / (2.0 * step);
        double e = abs_error(analytic[i], numeric);
        double scale = fmax(fabs(analytic[i]), fabs(numeric));
        double rel = e == 0.0 ? 0.0 : (isfinite(scale) && scale > 0.0 ? e / scale : INFINITY);
        if (e > out->max_abs_error)
            out->max_abs_error = e;
        if (first || rel > out->max_rel_error) {
            out->max_rel_error = rel;
            out->worst = i;
            out->analytic = analytic[i];
            out->numeric = numeric;
            first = 0;
        }
    }
    free(p);
    return MG_OK;
}

mg_code mg_gradcheck(mg_gradcheck_fn f, void *ctx, const double *x, size_t n,
                     const char *const *names, double h, mg_gradcheck_result *out,
                     mg_error *err)
{
    if (!f || !out || (n && !x))
        return mg_error_set(err, MG_EINVAL, "gradcheck: NULL argument");
    scalar_check c = { .g = mg_graph_new(), .f = f, .ctx = ctx, .names = names };
    c.leaves = malloc((n ? n : 1) * sizeof *c.leaves);
    double *analytic = malloc((n ? n : 1) * sizeof *analytic);
    mg_code rc = MG_OK;
    if (!c.g || !c.leaves || !analytic) {
        rc = mg_error_set(err, MG_ENOMEM, "gradcheck: out of memory for %zu inputs", n);
        goto done;
    }
    mg_value *root = build(&c, x, n);
    if (!root || mg_backward(root) != MG_OK) {
        const char *why = mg_graph_error(c.g);
        rc = mg_error_set(err, MG_EINVAL, "gradcheck: the function failed: %s",
                          why ? why : "it returned NULL");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        analytic[i] = c.leaves[i]->grad;
    mg_graph_reset(c.g);
    rc = mg_gradcheck_compare(eval_scalar, &c, x, analytic, n, h, out, err);
done:
    free(analytic);
    free(c.leaves);
    mg_graph_free(c.g);
    return rc;
}

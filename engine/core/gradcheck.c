/* gradcheck.c — central finite differences against backward(). */
#include "gradcheck_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* One run of a check: what eval() needs to rebuild the function at a point. */
typedef struct gradcheck_graph {
    const gradcheck_kind *kind;
    const void *check;
    mg_graph *g;
    void *leaves;
} gradcheck_graph;

static double eval_at(void *ctx, const double *x, size_t n)
{
    (void)n;
    gradcheck_graph *r = ctx;
    mg_mark m = mg_graph_mark(r->g);
    mg_value *root = r->kind->build(r->check, r->g, r->leaves, x);
    double y = root ? r->kind->value(root) : NAN;
    mg_graph_rewind(r->g, m);
    return y;
}

mg_code gradcheck_run(const gradcheck_kind *kind, const void *check, size_t nleaves,
                      const double *x, size_t n, double h, mg_gradcheck_result *out,
                      mg_error *err)
{
    gradcheck_graph r = { .kind = kind, .check = check, .g = mg_graph_new() };
    r.leaves = calloc(nleaves ? nleaves : 1, kind->leaf_size);
    double *analytic = malloc((n ? n : 1) * sizeof *analytic);
    mg_code rc = MG_OK;
    if (!r.g || !r.leaves || !analytic) {
        rc = mg_error_set(err, MG_ENOMEM, "%s: out of memory for %zu inputs", kind->who, n);
        goto done;
    }
    mg_value *root = kind->build(check, r.g, r.leaves, x);
    if (!root || kind->backward(root) != MG_OK) {
        const char *why = mg_graph_error(r.g);
        rc = mg_error_set(err, MG_EINVAL, "%s: the function failed: %s", kind->who,
                          why ? why : kind->no_root);
        goto done;
    }
    kind->grads(check, r.leaves, analytic);
    mg_graph_reset(r.g);
    rc = mg_gradcheck_compare(eval_at, &r, x, analytic, n, h, out, err);
done:
    free(analytic);
    free(r.leaves);
    mg_graph_free(r.g);
    return rc;
}

/* ---- scalar functions ---- */

typedef struct scalar_check {
    mg_gradcheck_fn f;
    void *ctx;
    size_t n;
    const char *const *names;
} scalar_check;

static mg_value *scalar_build(const void *check, mg_graph *g, void *leaves, const double *x)
{
    const scalar_check *c = check;
    mg_value **v = leaves;
    for (size_t i = 0; i < c->n; i++) {
        v[i] = mg_input(g, x[i]);
        if (c->names && c->names[i])
            mg_label(v[i], c->names[i]);
    }
    return c->f(g, v, c->n, c->ctx);
}

static double scalar_value(const mg_value *root) { return root->data; }

static void scalar_grads(const void *check, const void *leaves, double *analytic)
{
    const scalar_check *c = check;
    mg_value *const *v = leaves;
    for (size_t i = 0; i < c->n; i++)
        analytic[i] = v[i]->grad;
}

static const gradcheck_kind scalar_kind = {
    .who = "gradcheck",
    .no_root = "it returned NULL",
    .leaf_size = sizeof(mg_value *),
    .build = scalar_build,
    .value = scalar_value,
    .backward = mg_backward,
    .grads = scalar_grads,
};

mg_code mg_gradcheck(mg_gradcheck_fn f, void *ctx, const double *x, size_t n,
                     const char *const *names, double h, mg_gradcheck_result *out,
                     mg_error *err)
{
    if (!f || !out || (n && !x))
        return mg_error_set(err, MG_EINVAL, "gradcheck: NULL argument");
    scalar_check c = { .f = f, .ctx = ctx, .n = n, .names = names };
    return gradcheck_run(&scalar_kind, &c, n, x, n, h, out, err);
}

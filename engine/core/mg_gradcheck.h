/* mg_gradcheck.h — checking backward() against central finite differences.
 *
 * The check treats any computation as a function of a flat vector of doubles:
 * it evaluates f at x ± h·e_i in double precision and compares the central
 * differences with the analytic gradient. Scalar expressions use
 * mg_gradcheck(); other node kinds supply their own evaluate/analytic pair to
 * mg_gradcheck_compare(), so there is one comparison path for all of them. */
#ifndef MG_GRADCHECK_H
#define MG_GRADCHECK_H

#include <stddef.h>

#include "mg_error.h"
#include "mg_value.h"

MG_EXTERN_C_BEGIN

typedef struct mg_gradcheck_result {
    double max_abs_error; /* worst |analytic - numeric| over all inputs */
    double max_rel_error; /* worst |analytic - numeric| / max(|analytic|, |numeric|) */
    size_t worst;         /* index of the input with the worst relative error */
    double analytic;      /* that input's gradient from backward() */
    double numeric;       /* that input's gradient from finite differences */
} mg_gradcheck_result;

/* Builds f in g from the leaves x[0..n-1] (their data is the point) and
 * returns the scalar root. Called once with backward and 2n times without. */
typedef mg_value *(*mg_gradcheck_fn)(mg_graph *g, mg_value *const *x, size_t n, void *ctx);

/* Evaluates a function at x; returns its value (NaN on failure). */
typedef double (*mg_eval_fn)(void *ctx, const double *x, size_t n);

/* Checks f's gradient at x. names (may be NULL) label the leaves. h is the
 * relative step (0 picks 1e-6); each input steps by h·max(1, |x_i|).
 * Fills out; returns MG_OK or an error (f failed, out of memory) in err. */
MG_API mg_code mg_gradcheck(mg_gradcheck_fn f, void *ctx, const double *x, size_t n,
                     const char *const *names, double h, mg_gradcheck_result *out,
                     mg_error *err);

/* Compares analytic[0..n-1] with central differences of eval around x. */
MG_API mg_code mg_gradcheck_compare(mg_eval_fn eval, void *ctx, const double *x,
                             const double *analytic, size_t n, double h,
                             mg_gradcheck_result *out, mg_error *err);

MG_EXTERN_C_END

#endif

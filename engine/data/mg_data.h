/* mg_data.h — toy datasets. */
#ifndef MG_DATA_H
#define MG_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "mg_error.h"

MG_EXTERN_C_BEGIN

/* Two interleaving half circles, defined as scikit-learn's make_moons
 * (shuffled, Gaussian noise of std `noise`), from our own seeded generator:
 * X receives n rows of (x, y), label receives -1 for the outer moon and +1 for
 * the inner one (micrograd's y*2-1). MG_OK, or MG_EINVAL for bad arguments. */
MG_API mg_code mg_make_moons(size_t n, double noise, uint64_t seed, double *X, double *label,
                      mg_error *err);

MG_EXTERN_C_END

#endif

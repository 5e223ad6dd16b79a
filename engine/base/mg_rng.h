/* mg_rng.h — a small seeded random number generator (xoshiro256**), so that
 * initialisation, data and shuffles are reproducible on every machine. */
#ifndef MG_RNG_H
#define MG_RNG_H

#include <stdint.h>

#include "mg_api.h"

MG_EXTERN_C_BEGIN

typedef struct mg_rng {
    uint64_t s[4];
} mg_rng;

/* Seeds the generator; the same seed gives the same sequence everywhere. */
MG_API void mg_rng_seed(mg_rng *r, uint64_t seed);
/* The next 64 random bits. */
MG_API uint64_t mg_rng_next(mg_rng *r);
/* A double uniform in [0, 1). */
MG_API double mg_rng_uniform(mg_rng *r);
/* A double uniform in [lo, hi). */
MG_API double mg_rng_range(mg_rng *r, double lo, double hi);
/* A standard normal sample (Box-Muller). */
MG_API double mg_rng_normal(mg_rng *r);
/* An integer uniform in [0, n); n must be > 0. */
MG_API uint64_t mg_rng_below(mg_rng *r, uint64_t n);

MG_EXTERN_C_END

#endif

/* mg_rng.h — a small seeded random number generator (xoshiro256**), so that
 * initialisation, data and shuffles are reproducible on every machine. */
#ifndef MG_RNG_H
#define MG_RNG_H

#include <stdint.h>

typedef struct mg_rng {
    uint64_t s[4];
} mg_rng;

/* Seeds the generator; the same seed gives the same sequence everywhere. */
void mg_rng_seed(mg_rng *r, uint64_t seed);
/* The next 64 random bits. */
uint64_t mg_rng_next(mg_rng *r);
/* A double uniform in [0, 1). */
double mg_rng_uniform(mg_rng *r);
/* A double uniform in [lo, hi). */
double mg_rng_range(mg_rng *r, double lo, double hi);
/* A standard normal sample (Box-Muller). */
double mg_rng_normal(mg_rng *r);
/* An integer uniform in [0, n); n must be > 0. */
uint64_t mg_rng_below(mg_rng *r, uint64_t n);

#endif

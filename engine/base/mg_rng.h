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

/* 64 random bits that depend only on (seed, i): splitmix64's output i + 1 steps
 * from seed. For numbers drawn in any order or on any thread (dropout masks). */
static inline uint64_t mg_rng_hash(uint64_t seed, uint64_t i)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ull * (i + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

MG_EXTERN_C_END

#endif

/* rng.c — xoshiro256** seeded through splitmix64. */
#include "mg_rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = mg_rng_hash(*x, 0);
    *x += 0x9e3779b97f4a7c15ull;
    return z;
}

void mg_rng_seed(mg_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t mg_rng_next(mg_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double mg_rng_uniform(mg_rng *r) { return (double)(mg_rng_next(r) >> 11) * 0x1.0p-53; }

double mg_rng_range(mg_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * mg_rng_uniform(r);
}

double mg_rng_normal(mg_rng *r)
{
    double u1 = 1.0 - mg_rng_uniform(r); /* in (0, 1]: log() stays finite */
    double u2 = mg_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

uint64_t mg_rng_below(mg_rng *r, uint64_t n)
{
    /* rejection keeps the result unbiased */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = mg_rng_next(r);
    while (x >= limit);
    return x % n;
}

/* data.c — toy datasets from our seeded generator. */
#include "mg_data.h"

#include <math.h>

#include "mg_rng.h"

/* The i-th of n points evenly spaced over [0, pi], as numpy.linspace. */
static double linspace_pi(size_t i, size_t n)
{
    const double pi = 3.14159265358979323846;
    return n > 1 ? pi * (double)i / (double)(n - 1) : 0.0;
}

mg_code mg_make_moons(size_t n, double noise, uint64_t seed, double *X, double *label,
                      mg_error *err)
{
    if (n < 2 || !X || !label)
        return mg_error_set(err, MG_EINVAL, "make_moons: needs n >= 2 and output arrays");
    if (!(noise >= 0.0) || !isfinite(noise))
        return mg_error_set(err, MG_EINVAL, "make_moons: noise %g must be >= 0", noise);
    size_t n_out = n / 2, n_in = n - n_out;
    for (size_t i = 0; i < n_out; i++) {
        double t = linspace_pi(i, n_out);
        X[2 * i] = cos(t);
        X[2 * i + 1] = sin(t);
        label[i] = -1.0;
    }
    for (size_t i = 0; i < n_in; i++) {
        double t = linspace_pi(i, n_in);
        X[2 * (n_out + i)] = 1.0 - cos(t);
        X[2 * (n_out + i) + 1] = 1.0 - sin(t) - 0.5;
        label[n_out + i] = 1.0;
    }
    mg_rng rng;
    mg_rng_seed(&rng, seed);
    for (size_t i = n - 1; i > 0; i--) { /* Fisher-Yates, as sklearn's shuffle=True */
        size_t j = (size_t)mg_rng_below(&rng, i + 1);
        for (int k = 0; k < 2; k++) {
            double t = X[2 * i + k];
            X[2 * i + k] = X[2 * j + k];
            X[2 * j + k] = t;
        }
        double t = label[i];
        label[i] = label[j];
        label[j] = t;
    }
    for (size_t i = 0; i < 2 * n; i++)
        X[i] += noise * mg_rng_normal(&rng);
    return MG_OK;
}

/* scalar_math.h — the scalar functions forward and backward share, computed
 * the way PyTorch's CPU kernels compute them, so that edge cases (-0.0, Inf,
 * NaN, underflow) give the same bits. Internal to the engine. */
#ifndef MG_SCALAR_MATH_H
#define MG_SCALAR_MATH_H

#include <math.h>

/* x ** k for a constant k: PyTorch special-cases these exponents (sqrt for
 * 0.5, so (-0.0) ** 0.5 is -0.0, not pow()'s +0.0). */
static inline double pow_const(double x, double k)
{
    if (k == 2.0)
        return x * x;
    if (k == 3.0)
        return x * x * x;
    if (k == 0.5)
        return sqrt(x);
    if (k == -0.5)
        return 1.0 / sqrt(x);
    if (k == -1.0)
        return 1.0 / x;
    if (k == -2.0)
        return 1.0 / (x * x);
    return pow(x, k);
}

/* As PyTorch's clamp_min: NaN and -0.0 pass through unchanged. */
static inline double relu(double x) { return x < 0.0 ? 0.0 : x; }

/* Both branches keep exp() from overflowing. */
static inline double sigmoid(double x)
{
    if (x >= 0.0)
        return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

/* Binary cross-entropy of logit x against target y, as PyTorch's
 * binary_cross_entropy_with_logits computes it: with m = max(-x, 0),
 * (1 - y)·x + m + log(exp(-m) + exp(-x - m)), which never overflows and
 * gives PyTorch's Inf/NaN at infinite logits. */
static inline double bce_logits(double x, double y)
{
    const double m = x < 0.0 ? -x : 0.0;
    return (1.0 - y) * x + m + log(exp(-m) + exp(-x - m));
}

#endif

/* tensor_loops.h — the numeric loops of the tensor ops, written once for a
 * type T. tensor_loops.c includes this file twice (float and double) with T,
 * SFX and GEMM defined; <tgmath.h> picks expf or exp to match T.
 * Backward loops ADD into their output: the caller zeroes a fresh gradient. */

#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)
#define FN(name) CAT(name, SFX)

/* Optimiser state that only decays (momentum of a weight whose gradient is
 * always 0, like Fashion-MNIST's blank border pixels) sinks into subnormal
 * numbers, which cost ~100x per operation: flush them to 0. */
#define FLUSH(x) (fabs(x) < T_MIN ? (T)0 : (x))

/* Visits every output element of a broadcast: io (output), ia, ib (operands).
 * The innermost dim gets a loop per stride pattern (after tensor_broadcast()
 * merged dims, a stride there is 1 or 0), so the compiler sees unit strides. */
#define BCAST_INNER(SA, SB, BODY)                                                   \
    for (int i3 = 0; i3 < n3; i3++) {                                               \
        const size_t ia = ia0 + (size_t)i3 * (SA), ib = ib0 + (size_t)i3 * (SB);    \
        const size_t io = io0 + (size_t)i3;                                         \
        (void)ia;                                                                   \
        (void)ib;                                                                   \
        BODY;                                                                       \
    }
#define BCAST_FOR(bc, BODY)                                                          \
    for (int i0 = 0; i0 < (bc)->dims[0]; i0++)                                      \
        for (int i1 = 0; i1 < (bc)->dims[1]; i1++)                                  \
            for (int i2 = 0; i2 < (bc)->dims[2]; i2++) {                            \
                const size_t ia0 = (size_t)i0 * (bc)->sa[0]                         \
                                 + (size_t)i1 * (bc)->sa[1] + (size_t)i2 * (bc)->sa[2]; \
                const size_t ib0 = (size_t)i0 * (bc)->sb[0]                         \
                                 + (size_t)i1 * (bc)->sb[1] + (size_t)i2 * (bc)->sb[2]; \
                const size_t io0 = (((size_t)i0 * (bc)->dims[1] + i1) * (bc)->dims[2] \
                                    + i2) * (bc)->dims[3];                          \
                const int n3 = (bc)->dims[3], sa3 = (bc)->sa[3], sb3 = (bc)->sb[3]; \
                if (sa3 == 1 && sb3 == 1) {                                         \
                    BCAST_INNER(1, 1, BODY)                                         \
                } else if (sa3 == 1 && sb3 == 0) {                                  \
                    BCAST_INNER(1, 0, BODY)                                         \
                } else if (sa3 == 0 && sb3 == 1) {                                  \
                    BCAST_INNER(0, 1, BODY)                                         \
                } else {                                                            \
                    BCAST_INNER(sa3, sb3, BODY)                                     \
                }                                                                   \
            }

/* Same body over flat arrays when no broadcasting happens, else BCAST_FOR. */
#define ELEMENTS(bc, BODY)                                          \
    do {                                                            \
        if ((bc)->same) {                                           \
            for (size_t io = 0; io < (size_t)(bc)->n; io++) {       \
                const size_t ia = io, ib = io;                      \
                (void)ia;                                           \
                (void)ib;                                           \
                BODY;                                               \
            }                                                       \
        } else {                                                    \
            BCAST_FOR(bc, BODY)                                     \
        }                                                           \
    } while (0)

static void FN(binary_fwd)(const tensor_bcast *bc, mg_top op, const void *va, const void *vb,
                           void *vo)
{
    const T *a = va, *b = vb;
    T *o = vo;
    switch (op) {
    case MG_T_ADD: ELEMENTS(bc, o[io] = a[ia] + b[ib]); break;
    case MG_T_SUB: ELEMENTS(bc, o[io] = a[ia] - b[ib]); break;
    case MG_T_MUL: ELEMENTS(bc, o[io] = a[ia] * b[ib]); break;
    default: ELEMENTS(bc, o[io] = a[ia] / b[ib]); break;
    }
}

/* Gradients of one operand, summed over the dims it was broadcast along
 * (stride 0 there, so every output element lands on its source element). */
static void FN(binary_bwd)(const tensor_bcast *bc, mg_top op, int which, const void *va,
                           const void *vb, const void *vg, void *vgp)
{
    const T *a = va, *b = vb, *g = vg;
    T *gp = vgp;
    if (which == 0) {
        switch (op) {
        case MG_T_ADD: case MG_T_SUB: ELEMENTS(bc, gp[ia] += g[io]); break;
        case MG_T_MUL: ELEMENTS(bc, gp[ia] += g[io] * b[ib]); break;
        default: ELEMENTS(bc, gp[ia] += g[io] / b[ib]); break;
        }
    } else {
        switch (op) {
        case MG_T_ADD: ELEMENTS(bc, gp[ib] += g[io]); break;
        case MG_T_SUB: ELEMENTS(bc, gp[ib] -= g[io]); break;
        case MG_T_MUL: ELEMENTS(bc, gp[ib] += g[io] * a[ia]); break;
        default: ELEMENTS(bc, gp[ib] -= g[io] * a[ia] / (b[ib] * b[ib])); break;
        }
    }
}

/* Overflow-free logistic function, as PyTorch computes it. */
static inline T FN(sigmoid)(T x)
{
    if (x >= 0)
        return (T)1 / ((T)1 + exp(-x));
    T e = exp(x);
    return e / ((T)1 + e);
}

static void FN(unary_fwd)(mg_top op, int n, double k, const void *va, void *vo)
{
    const T *a = va;
    T *o = vo;
    const T tk = (T)k;
    switch (op) {
    case MG_T_NEG: for (int i = 0; i < n; i++) o[i] = -a[i]; break;
    case MG_T_EXP: for (int i = 0; i < n; i++) o[i] = exp(a[i]); break;
    case MG_T_LOG: for (int i = 0; i < n; i++) o[i] = log(a[i]); break;
    case MG_T_POW:
        if (k == 2.0) /* the L2 penalty's square: no libm call */
            for (int i = 0; i < n; i++) o[i] = a[i] * a[i];
        else
            for (int i = 0; i < n; i++) o[i] = pow(a[i], tk);
        break;
    case MG_T_SQRT: for (int i = 0; i < n; i++) o[i] = sqrt(a[i]); break;
    case MG_T_TANH: for (int i = 0; i < n; i++) o[i] = tanh(a[i]); break;
    case MG_T_RELU: for (int i = 0; i < n; i++) o[i] = a[i] > 0 ? a[i] : (T)0; break;
    case MG_T_SIGMOID: for (int i = 0; i < n; i++) o[i] = FN(sigmoid)(a[i]); break;
    default: for (int i = 0; i < n; i++) o[i] = a[i]; break; /* reshape */
    }
}

static void FN(unary_bwd)(mg_top op, int n, double k, const void *va, const void *vo,
                          const void *vg, void *vga)
{
    const T *a = va, *o = vo, *g = vg;
    T *ga = vga;
    const T tk = (T)k;
    switch (op) {
    case MG_T_NEG: for (int i = 0; i < n; i++) ga[i] -= g[i]; break;
    case MG_T_EXP: for (int i = 0; i < n; i++) ga[i] += g[i] * o[i]; break;
    case MG_T_LOG: for (int i = 0; i < n; i++) ga[i] += g[i] / a[i]; break;
    case MG_T_POW:
        if (k == 2.0)
            for (int i = 0; i < n; i++) ga[i] += g[i] * (T)2 * a[i];
        else if (k != 0.0)
            for (int i = 0; i < n; i++) ga[i] += g[i] * tk * pow(a[i], tk - (T)1);
        break;
    case MG_T_SQRT: for (int i = 0; i < n; i++) ga[i] += g[i] / ((T)2 * o[i]); break;
    case MG_T_TANH: for (int i = 0; i < n; i++) ga[i] += g[i] * ((T)1 - o[i] * o[i]); break;
    case MG_T_RELU: for (int i = 0; i < n; i++) ga[i] += o[i] > 0 ? g[i] : (T)0; break;
    case MG_T_SIGMOID:
        for (int i = 0; i < n; i++) ga[i] += g[i] * ((T)1 - o[i]) * o[i];
        break;
    default: for (int i = 0; i < n; i++) ga[i] += g[i]; break; /* reshape */
    }
}

static void FN(reduce_fwd)(mg_top op, tensor_axis ax, const void *va, void *vo, int32_t *argmax)
{
    const T *a = va;
    T *o = vo;
    for (int p = 0; p < ax.outer; p++)
        for (int q = 0; q < ax.inner; q++) {
            const T *row = a + (size_t)p * ax.n * ax.inner + q;
            if (op == MG_T_MAX) {
                T best = row[0];
                int at = 0;
                for (int j = 1; j < ax.n; j++) {
                    T x = row[(size_t)j * ax.inner];
                    if (x > best || (x != x && best == best)) {
                        best = x;
                        at = j;
                    }
                }
                o[(size_t)p * ax.inner + q] = best;
                if (argmax)
                    argmax[(size_t)p * ax.inner + q] = at;
            } else {
                double s = 0.0; /* accumulate in double: sums over 10^5 floats stay exact */
                for (int j = 0; j < ax.n; j++)
                    s += row[(size_t)j * ax.inner];
                o[(size_t)p * ax.inner + q] = (T)(op == MG_T_MEAN ? s / ax.n : s);
            }
        }
}

/* Max without argmax (over everything) shares the gradient between ties. */
static void FN(reduce_bwd)(mg_top op, tensor_axis ax, const void *va, const void *vo,
                           const int32_t *argmax, const void *vg, void *vga)
{
    const T *a = va, *o = vo, *g = vg;
    T *ga = vga;
    for (int p = 0; p < ax.outer; p++)
        for (int q = 0; q < ax.inner; q++) {
            const size_t out = (size_t)p * ax.inner + q;
            const size_t base = (size_t)p * ax.n * ax.inner + q;
            T d = g[out];
            if (op == MG_T_MEAN)
                d /= (T)ax.n;
            if (op == MG_T_MAX && argmax) {
                ga[base + (size_t)argmax[out] * ax.inner] += d;
            } else if (op == MG_T_MAX) {
                int ties = 0;
                for (int j = 0; j < ax.n; j++)
                    ties += a[base + (size_t)j * ax.inner] == o[out];
                for (int j = 0; j < ax.n; j++)
                    if (a[base + (size_t)j * ax.inner] == o[out])
                        ga[base + (size_t)j * ax.inner] += d / (T)ties;
            } else {
                for (int j = 0; j < ax.n; j++)
                    ga[base + (size_t)j * ax.inner] += d;
            }
        }
}

/* Visits a strided view over dims: s walks the view, o the contiguous copy. */
#define STRIDED_FOR(dims, strides, BODY)                                             \
    for (int i0 = 0; i0 < (dims)[0]; i0++)                                          \
        for (int i1 = 0; i1 < (dims)[1]; i1++)                                      \
            for (int i2 = 0; i2 < (dims)[2]; i2++) {                                \
                size_t s = (size_t)i0 * (strides)[0] + (size_t)i1 * (strides)[1]    \
                         + (size_t)i2 * (strides)[2];                               \
                for (int i3 = 0; i3 < (dims)[3]; i3++, s += (strides)[3], o++) {    \
                    BODY;                                                           \
                }                                                                   \
            }

static void FN(gather)(const int *dims, const int *strides, const void *vsrc, void *vdst)
{
    const T *src = vsrc;
    T *dst = vdst;
    size_t o = 0;
    STRIDED_FOR(dims, strides, dst[o] = src[s])
}

static void FN(scatter_add)(const int *dims, const int *strides, const void *vsrc, void *vdst)
{
    const T *src = vsrc;
    T *dst = vdst;
    size_t o = 0;
    STRIDED_FOR(dims, strides, dst[s] += src[o])
}

static void FN(gemm)(int ta, int tb, int M, int N, int K, const void *A, int lda, const void *B,
                     int ldb, double beta, void *C, int ldc)
{
    GEMM(ta, tb, M, N, K, (T)1, A, lda, B, ldb, (T)beta, C, ldc);
}

static void FN(log_softmax_fwd)(tensor_axis ax, const void *va, void *vo)
{
    const T *a = va;
    T *o = vo;
    for (int p = 0; p < ax.outer; p++)
        for (int q = 0; q < ax.inner; q++) {
            const size_t base = (size_t)p * ax.n * ax.inner + q;
            T m = a[base];
            for (int j = 1; j < ax.n; j++)
                m = fmax(m, a[base + (size_t)j * ax.inner]);
            T s = 0;
            for (int j = 0; j < ax.n; j++)
                s += exp(a[base + (size_t)j * ax.inner] - m);
            const T lse = m + log(s);
            for (int j = 0; j < ax.n; j++)
                o[base + (size_t)j * ax.inner] = a[base + (size_t)j * ax.inner] - lse;
        }
}

/* d/dx of log_softmax: g - softmax · Σ g. */
static void FN(log_softmax_bwd)(tensor_axis ax, const void *vo, const void *vg, void *vga)
{
    const T *o = vo, *g = vg;
    T *ga = vga;
    for (int p = 0; p < ax.outer; p++)
        for (int q = 0; q < ax.inner; q++) {
            const size_t base = (size_t)p * ax.n * ax.inner + q;
            T s = 0;
            for (int j = 0; j < ax.n; j++)
                s += g[base + (size_t)j * ax.inner];
            for (int j = 0; j < ax.n; j++) {
                const size_t i = base + (size_t)j * ax.inner;
                ga[i] += g[i] - exp(o[i]) * s;
            }
        }
}

static double FN(nll_fwd)(int rows, int classes, const void *vlogp, const int32_t *labels)
{
    const T *logp = vlogp;
    double s = 0.0;
    for (int i = 0; i < rows; i++)
        s -= logp[(size_t)i * classes + labels[i]];
    return s / rows;
}

static void FN(nll_bwd)(int rows, int classes, const void *vlogp, const int32_t *labels,
                        double scale, void *vga)
{
    const T *logp = vlogp;
    T *ga = vga;
    const T sc = (T)scale;
    for (int i = 0; i < rows; i++) {
        const T *lp = logp + (size_t)i * classes;
        T *gi = ga + (size_t)i * classes;
        for (int j = 0; j < classes; j++)
            gi[j] += sc * exp(lp[j]);
        gi[labels[i]] -= sc;
    }
}

static double FN(pair_loss_fwd)(mg_top op, int n, const void *va, const void *vb)
{
    const T *a = va, *b = vb;
    double s = 0.0;
    if (op == MG_T_MSE) {
        for (int i = 0; i < n; i++) {
            T d = a[i] - b[i];
            s += d * d;
        }
    } else {
        for (int i = 0; i < n; i++)
            s += (a[i] > 0 ? a[i] : (T)0) - a[i] * b[i] + log1p(exp(-fabs(a[i])));
    }
    return s;
}

static void FN(pair_loss_bwd)(mg_top op, int which, int n, const void *va, const void *vb,
                              double scale, void *vgp)
{
    const T *a = va, *b = vb;
    T *gp = vgp;
    const T sc = (T)scale;
    if (op == MG_T_MSE) {
        const T s2 = which == 0 ? (T)2 * sc : (T)-2 * sc;
        for (int i = 0; i < n; i++)
            gp[i] += s2 * (a[i] - b[i]);
    } else if (which == 0) {
        for (int i = 0; i < n; i++)
            gp[i] += sc * (FN(sigmoid)(a[i]) - b[i]);
    } else {
        for (int i = 0; i < n; i++)
            gp[i] -= sc * a[i];
    }
}

static void FN(add_scaled)(int n, double s, const void *vsrc, void *vdst)
{
    const T *src = vsrc;
    T *dst = vdst;
    const T ts = (T)s;
    for (int i = 0; i < n; i++)
        dst[i] += ts * src[i];
}

static void FN(sgd)(int n, double lr, double momentum, double wd, void *vp, const void *vg,
                    void *vv)
{
    T *restrict p = vp, *restrict v = vv;
    const T *restrict g = vg;
    const T tlr = (T)lr, tm = (T)momentum, twd = (T)wd;
    if (!v) {
        for (int i = 0; i < n; i++)
            p[i] -= tlr * (g[i] + twd * p[i]);
        return;
    }
    for (int i = 0; i < n; i++) {
        v[i] = FLUSH(tm * v[i] + (g[i] + twd * p[i]));
        p[i] -= tlr * v[i];
    }
}

static void FN(adam)(int n, double lr, double b1, double b2, double eps, double wd, double c1,
                     double c2, void *vp, const void *vg, void *vm, void *vv)
{
    T *restrict p = vp, *restrict m = vm, *restrict v = vv;
    const T *restrict g = vg;
    const T tb1 = (T)b1, tb2 = (T)b2, twd = (T)wd;
    const T step = (T)(lr / c1), root_c2 = (T)sqrt(c2), teps = (T)eps;
    for (int i = 0; i < n; i++) {
        T d = g[i] + twd * p[i];
        m[i] = FLUSH(tb1 * m[i] + ((T)1 - tb1) * d);
        v[i] = FLUSH(tb2 * v[i] + ((T)1 - tb2) * d * d);
        p[i] -= step * m[i] / (sqrt(v[i]) / root_c2 + teps);
    }
}

const tensor_loops FN(tensor_loops) = {
    .binary_fwd = FN(binary_fwd),
    .binary_bwd = FN(binary_bwd),
    .unary_fwd = FN(unary_fwd),
    .unary_bwd = FN(unary_bwd),
    .reduce_fwd = FN(reduce_fwd),
    .reduce_bwd = FN(reduce_bwd),
    .gather = FN(gather),
    .scatter_add = FN(scatter_add),
    .gemm = FN(gemm),
    .log_softmax_fwd = FN(log_softmax_fwd),
    .log_softmax_bwd = FN(log_softmax_bwd),
    .nll_fwd = FN(nll_fwd),
    .nll_bwd = FN(nll_bwd),
    .pair_loss_fwd = FN(pair_loss_fwd),
    .pair_loss_bwd = FN(pair_loss_bwd),
    .add_scaled = FN(add_scaled),
    .sgd = FN(sgd),
    .adam = FN(adam),
};

#undef FLUSH
#undef FN
#undef CAT
#undef CAT2
#undef BCAST_FOR
#undef BCAST_INNER
#undef STRIDED_FOR
#undef ELEMENTS

/* tensor_loops.c — the tensor loops for float and double, from one template; compiled
 * once per kernel build (kernels_isa.h), each defining tensor_loops_f32_<isa> and
 * tensor_loops_f64_<isa>. Below, what the template's loops share. */
#include <float.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <tgmath.h>

#include "kernels_internal.h"
#include "mg_kernels.h"
#include "mg_rng.h"
#include "tensor_internal.h"

/* Everything a loop hands to its range function (mg_kernel_for); each loop
 * fills the members it uses. */
typedef struct loop_args {
    const tensor_bcast *bc;
    tensor_axis ax;
    mg_top op;
    int which;            /* operand whose gradient; copy and dropout: add */
    int acc;              /* backward: add into out (1) or overwrite it (0) */
    int dim;              /* the dim a broadcast or copy is cut along (-1: none) */
    int n, cols, tq, offset, block;
    double k, scale, eps;
    float gelu_max_abs;   /* GELU's clamp of |x|, a value at run time (gelu_f32) */
    uint64_t seed;
    const void *a, *b, *g, *o, *w;
    void *out;
    void *out2;           /* a second output (layer norm backward: beta's gradient) */
    const int32_t *ids;
    int32_t *argmax;
    double *stats;        /* layer norm: mean and rstd per row */
    double *partial;      /* one per block of a sum */
    void *rows;           /* a column sum's partial rows, one per block of rows */
    const int *dims, *ss, *ds;
    const tensor_grid *grid;
} loop_args;

/* A box of the 4 broadcast dims: [lo[d], hi[d]) along each. */
typedef struct loop_box {
    int lo[MG_TENSOR_MAX_DIMS], hi[MG_TENSOR_MAX_DIMS];
} loop_box;

/* All of the broadcast's dims, except [lo, hi) along dim d (d < 0: all). */
static loop_box box_of(const tensor_bcast *bc, int d, int lo, int hi)
{
    loop_box b;
    for (int i = 0; i < MG_TENSOR_MAX_DIMS; i++) {
        b.lo[i] = i == d ? lo : 0;
        b.hi[i] = i == d ? hi : bc->dims[i];
    }
    return b;
}

/* Compiled once per kernel build, so a helper the compiler keeps out of line must
 * carry the build's name (tests/test_portable_code.sh): these two may. */
#define run_broadcast ISA_FN(run_broadcast)
#define colsum_blocks ISA_FN(colsum_blocks)
#define colsum_split ISA_FN(colsum_split)

/* Runs a broadcast loop over ranges of its outermost dim of size > 1; for a
 * gradient (x->out indexed by one operand), of the outermost dim that operand
 * has (stride != 0), so no two ranges add into one element. */
static void run_broadcast(loop_args *x, double cost, mg_kernel_range *fn)
{
    const tensor_bcast *bc = x->bc;
    if (bc->same) {
        mg_kernel_for(bc->n, cost, fn, x);
        return;
    }
    const int *own = x->g ? (x->which ? bc->sb : bc->sa) : NULL;
    x->dim = -1;
    for (int d = 0; d < MG_TENSOR_MAX_DIMS && x->dim < 0; d++)
        if (bc->dims[d] > 1 && (!own || own[d] != 0))
            x->dim = d;
    const int items = x->dim < 0 ? 1 : bc->dims[x->dim];
    mg_kernel_for(items, cost * bc->n / items, fn, x);
}

/* A broadcast operand's gradient that sums a tall matrix over its rows (a bias [C]
 * under [R, C]) goes by fixed blocks of rows, each summing its rows into a partial
 * row of its own, added in block order afterwards. Cut into column bands instead,
 * every thread walked every row for a vector or two of columns, and two threads were
 * slower than one. Blocks and their rows depend on R alone, never on the thread
 * count. Returns the number of blocks (0: not such a sum) and *rows per block. */
enum { COLSUM_BLOCK_ROWS = 64, COLSUM_MAX_BLOCKS = 32, COLSUM_MAX_COLS = 4096 };

/* The blocks of a column sum of R rows of C (0 when it goes row by row); layer
 * norm's beta gradient sums the same way. */
static int colsum_split(int R, int C, int *rows)
{
    if (R < 2 * COLSUM_BLOCK_ROWS || C > COLSUM_MAX_COLS)
        return 0;
    int blocks = R / COLSUM_BLOCK_ROWS;
    blocks = blocks < COLSUM_MAX_BLOCKS ? blocks : COLSUM_MAX_BLOCKS;
    *rows = (R + blocks - 1) / blocks;
    return (R + *rows - 1) / *rows;
}

static int colsum_blocks(const tensor_bcast *bc, int which, int *rows)
{
    const int *own = which ? bc->sb : bc->sa;
    if (bc->same || bc->dims[0] != 1 || bc->dims[1] != 1 || own[2] != 0 || own[3] != 1)
        return 0;
    return colsum_split(bc->dims[2], bc->dims[3], rows);
}

/* Element operations an elementwise op costs, relative to an add. */
static double unary_cost(mg_top op, double k)
{
    switch (op) {
    case MG_T_EXP: case MG_T_LOG: case MG_T_TANH: case MG_T_SIGMOID: return 16.0;
    case MG_T_GELU: return 24.0;
    case MG_T_POW: return k == 2.0 ? 1.0 : 32.0;
    case MG_T_SQRT: return 4.0;
    default: return 1.0;
    }
}

/* Sums over many elements go in fixed blocks, set by n alone, added in order:
 * the same bits whatever the thread count. */
enum { SUM_BLOCKS = 256, SUM_BLOCK_MIN = 4096 };

/* Elements a clipped optimiser step takes at a time (tensor_loops.h's sgd and adam):
 * a block of scaled grads (8 KB of double at most) is scratch on the stack, in L1. */
enum { OPTIM_BLOCK = 1024 };

static int sum_blocks(int n, int *block)
{
    int b = (n + SUM_BLOCKS - 1) / SUM_BLOCKS;
    *block = b < SUM_BLOCK_MIN ? SUM_BLOCK_MIN : b;
    return (n + *block - 1) / *block;
}

/* Whether dropout keeps element i: its own uniform draw from (seed, i) is >= p. */
static inline int dropout_keeps(uint64_t seed, double p, int i)
{
    return (double)(mg_rng_hash(seed, (uint64_t)i) >> 11) * 0x1.0p-53 >= p;
}

/* Softmax rows along an axis: row r starts here and steps by ax.inner. */
static inline size_t row_base(tensor_axis ax, int r)
{
    return (size_t)(r / ax.inner) * ax.n * ax.inner + (size_t)(r % ax.inner);
}

/* Causal softmax row r of x->cols entries is query i = r % tq; entry j takes
 * part when j <= i + offset: returns how many do (0 to cols). */
static inline int causal_count(const loop_args *x, int r)
{
    const int last = r % x->tq + x->offset;
    return last < 0 ? 0 : last >= x->cols ? x->cols : last + 1;
}

/* e^r for |r| <= ln2/2: the Taylor series to r⁷ (the first term left out is below
 * 5.2e-9 relative, under float's 6e-8 epsilon) */
static inline float exp_series_f32(float r)
{
    float p = 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    return p * r + 1.0f;
}

/* e^x in float with only arithmetic the vectoriser turns into SIMD (libm's
 * expf is a call per element): x = k·ln2 + r with |r| <= ln2/2, e^r by its
 * Taylor series (exp_series_f32), 2^k put into the exponent bits. x is clamped to
 * [-87, 87], so the result stays a normal float: callers use it where e^±87
 * already decides the answer (a logistic function; softmax's e^(x - max), where
 * an entry 87 below the max is under 1e-37 of a sum of at least 1). */
static inline float exp_f32(float x)
{
    const float shifter = 12582912.0f; /* 1.5·2^23: adding it rounds to an integer */
    const float in = x;
    /* NaN is worked as 0 and given back below: converting it to int is undefined */
    x = x < -87.0f ? -87.0f : x > 87.0f ? 87.0f : x == x ? x : 0.0f;
    const float k = (x * 1.44269504f + shifter) - shifter;
    const float r = (x - k * 0.693145751953125f) - k * 1.428606765330187e-6f;
    const float p = exp_series_f32(r);
    const uint32_t bits = (uint32_t)((int32_t)k + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return in == in ? p * scale : in;
}

/* 2^k from kb = x·log2(e) + 1.5·2^23 + 127 rounded, whose low bits are k + 127
 * (k from −127, which gives 0, to 127): they become the exponent field, the rest
 * is shifted out. No conversion to int, which a NaN would make undefined. */
static inline float shifted_pow2_f32(float kb)
{
    uint32_t bits;
    memcpy(&bits, &kb, sizeof bits);
    bits <<= 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return scale;
}

/* exp_f32(x) for x <= 87, the same bits, for a softmax's e^(x − max) (x <= 0
 * but for the rounding of a fused x − max): no upper clamp, and 2^k by
 * shifted_pow2_f32, so a NaN may pass the clamp and come out NaN. The same k
 * as exp_f32's: x·log2(e) is never halfway between integers for |x| <= 87. In a
 * causal softmax's forward, 11% less time than exp_f32 (two-sided clamp and NaN
 * blend); a two-sided clamp in this form defeated the vectoriser elsewhere. */
static inline float exp_nonpos_f32(float x)
{
    const float shifter = 12583039.0f;
    x = x < -87.0f ? -87.0f : x;
    const float kb = x * 1.44269504f + shifter, k = kb - shifter;
    const float r = (x - k * 0.693145751953125f) - k * 1.428606765330187e-6f;
    const float p = exp_series_f32(r);
    return p * shifted_pow2_f32(kb);
}

/* tanh in float, as exp_f32 is e^x: arithmetic only, so the loop is SIMD (libm's
 * tanhf is a call per element). For |x| < 0.625 its Taylor series to x¹⁷ (the
 * first term left out is below 6e-8 relative there); beyond, 1 − 2/(e^{2|x|} + 1),
 * which loses nothing to cancellation once tanh is past 0.55. Within 1.4 ulp of
 * the exact value over every float (libm's tanhf: 2.2), tanh(−0) = −0, ±1 at ±∞,
 * NaN kept. */
static inline float tanh_f32(float x)
{
    const float a = fabsf(x), z = x * x;
    float p = 6404582.0f / 10854718875.0f;
    p = p * z - 929569.0f / 638512875.0f;
    p = p * z + 21844.0f / 6081075.0f;
    p = p * z - 1382.0f / 155925.0f;
    p = p * z + 62.0f / 2835.0f;
    p = p * z - 17.0f / 315.0f;
    p = p * z + 2.0f / 15.0f;
    p = p * z - 1.0f / 3.0f;
    const float series = a + a * z * p;
    const float tail = 1.0f - 2.0f / (exp_f32(2.0f * a) + 1.0f);
    return copysignf(a < 0.625f ? series : tail, x);
}

/* GELU's tanh form (GPT-2's, PyTorch's approximate='tanh'): 0.5·x·(1 + tanh(u)),
 * u = sqrt(2/π)·(x + 0.044715·x³), computed as x·s with s = σ(2u) = (1 + tanh(u))/2:
 * one exponential and no cancellation for negative x. In double as written (the
 * gradient check's and the float64 parity suite's reference). */
#define GELU_BETA 0.7978845608028654 /* sqrt(2/π) */
#define GELU_KAPPA 0.044715

static inline double gelu_gate_f64(double x)
{
    const double u = GELU_BETA * (x + GELU_KAPPA * x * x * x);
    return 1.0 / (1.0 + exp(-2.0 * u));
}

static inline double gelu_f64(double x)
{
    return x * gelu_gate_f64(x);
}

/* d/dx x·σ(2u) = s + x·2s(1 − s)·du/dx */
static inline double gelu_grad_f64(double x)
{
    const double s = gelu_gate_f64(x);
    const double du = GELU_BETA * (1.0 + (3 * GELU_KAPPA) * x * x);
    return s + x * 2.0 * s * (1.0 - s) * du;
}

/* In float, e = e^−2u(|x|) in [0, 1] is the one exponential: s = 1/(1 + e) for
 * x >= 0 and e/(1 + e) below (σ(−y) = 1 − σ(y)), and s(1 − s) = e/(1 + e)² for the
 * gradient, with no 1 − s to cancel (it cost 33 ulp of the gradient near x = 5).
 * e is 2^t with t = −2u·log2(e) = −|x|·(C1 + C2·x²), log2(e) folded into the
 * constants: the shifter splits t into k + f by adds, not multiply-adds (f = t − k),
 * and the polynomial is in f. The two-constant reduction by ln2 of e^t took three
 * multiply-adds more and bought nothing here: t's own float rounding is 30x its error.
 * (The compiler fuses t's product into k's and f's sums, the same way in the vector
 * loop and its tail.) The loops are compute-bound, not memory-bound: the same time
 * per element from L1 (4K floats) to 2 MB arrays, and a copy of 2 MB takes a third.
 * |x| is clamped at 10.03 (GELU_MAX_ABS), where t rounds to k = −127, an exponent
 * field of 0: e = 0 exactly, so beyond it s is 1 above and 0 below (x and −0, as
 * PyTorch's; −∞ gives NaN, as PyTorch's does). So t stays in [−127, 0]: no clamp, no
 * NaN test and no conversion to int (NaN passes through). Against the double formula,
 * over every 7th float from −9.5 to 10: the output within 0.82 of the test's bound
 * (tests/test_tensor.c: 3 ulp from −0.5 up, 2 + 3·2|u| ulp below), the gradient
 * within 1.07 of it (3.2 ulp of |s| + |x·ds/dx| from −0.5 up; was 0.90 and 1.07).
 * The loops take the clamp as an argument, read from loop_args: with the constant in
 * sight, GCC carried it through every later step for the clamped lanes (the whole
 * chain under masks, then merges with the folded results) and the loops took a
 * fifth longer; a value it cannot see becomes one vminps. */
#define GELU_C1 0x1.26aec2p+1f /* 2·sqrt(2/π)·log2(e) */
#define GELU_C2 0x1.a5a7d0p-4f /* 2·sqrt(2/π)·0.044715·log2(e) */
#define GELU_B2 (float)(2 * GELU_BETA)
#define GELU_B2K (float)(2 * GELU_BETA * GELU_KAPPA)
#define GELU_MAX_ABS 10.03f

/* 2^t for t in [−127, 0] (or NaN): 2^k·2^f with |f| <= 1/2 */
static inline float exp2_gelu_f32(float t)
{
    const float shifter = 12583039.0f; /* 1.5·2^23 + 127: the sum's low bits are k + 127 */
    const float kb = t + shifter, k = kb - shifter, f = t - k;
    /* 2^f: the degree-6 fit of e^r on |r| <= ln2/2 (3e-9 relative), r = f·ln2 */
    float p = 0x1.414ed0p-13f;
    p = p * f + 0x1.5f03dap-10f;
    p = p * f + 0x1.3b2e0cp-7f;
    p = p * f + 0x1.c6af8ap-5f;
    p = p * f + 0x1.ebfbdcp-3f;
    p = p * f + 0x1.62e430p-1f;
    p = p * f + 1.0f;
    return p * shifted_pow2_f32(kb);
}

/* e^−2u(|x|), |x| clamped at max_abs (NaN kept); *a gets the clamped |x|, *z its square */
static inline float gelu_exp_f32(float x, float max_abs, float *a, float *z)
{
    float m = fabsf(x);
    m = m > max_abs ? max_abs : m;
    *a = m;
    *z = m * m;
    return exp2_gelu_f32(m * (-GELU_C1 - GELU_C2 * *z));
}

/* neg if x's sign bit is set, else pos (for x = −0 and NaN, results as if by x < 0).
 * Written as x < 0 ? ..., GCC turns the select into a product or quotient done under
 * a condition: AVX-512 masks it (5% faster than the select by bits below), AVX2 and
 * SSE2 cannot, and their GELU loops were left scalar ("control flow in loop"): 10x
 * and 4x slower than with this select by bits, which no pass makes a branch. */
static inline float if_negative_f32(float x, float neg, float pos)
{
#ifdef __AVX512F__
    return x < 0 ? neg : pos;
#else
    uint32_t xb, nb, pb;
    memcpy(&xb, &x, sizeof xb);
    memcpy(&nb, &neg, sizeof nb);
    memcpy(&pb, &pos, sizeof pb);
    const uint32_t m = (uint32_t)-(int32_t)(xb >> 31);
    const uint32_t r = (nb & m) | (pb & ~m);
    float out;
    memcpy(&out, &r, sizeof out);
    return out;
#endif
}

/* x·s as x/(1 + e) or x·e/(1 + e) */
static inline float gelu_f32(float x, float max_abs)
{
    float a, z;
    const float e = gelu_exp_f32(x, max_abs, &a, &z);
    return x * if_negative_f32(x, e, 1.0f) / (1.0f + e);
}

static inline float gelu_grad_f32(float x, float max_abs)
{
    float a, z;
    const float e = gelu_exp_f32(x, max_abs, &a, &z);
    const float q = 1.0f / (1.0f + e), eq = e * q;
    return if_negative_f32(x, eq, q) + copysignf(a, x) * (GELU_B2 + 3 * GELU_B2K * z) * (eq * q);
}

/* H, 8 lanes of T, as a vector of 8 doubles of type V. For float, GCC 12's
 * __builtin_convertvector converts 4 lanes at a time and joins the halves (3
 * instructions more per 8 lanes, in a causal softmax's every block); AVX-512
 * converts 8 in one. */
#ifdef __AVX512F__
#include <immintrin.h>
#define WIDEN_F32(H, V) ((V)_mm512_cvtps_pd((__m256)(H)))
#else
#define WIDEN_F32(H, V) __builtin_convertvector((H), V)
#endif

/* V (a variable) as computed so far, rounded to its type: an empty asm the value
 * passes through, which the compiler cannot see into, so a product before it is
 * never fused with an add after it into one FMA (-ffp-contract=fast), whose single
 * rounding gives other bits. Float blocks only: one AVX-512 register ("v") holds
 * one; without it, callers keep their loops that store the product first. */
#ifdef __AVX512F__
#define ROUNDED(V) __asm__("" : "+v"(V))
#endif

#define T float
#define T_MIN FLT_MIN
#define WIDEN WIDEN_F32
#define EXP_SMOOTH exp_f32
#define EXP_NONPOS exp_nonpos_f32
#define TANH tanh_f32
#define GELU gelu_f32
#define GELU_GRAD gelu_grad_f32
#define SFX ISA_CAT(f32, MG_ISA)
#define GEMM ISA_FN(sgemm)
#define GEMM_BIAS ISA_FN(sgemm_bias)
#define GEMM_BATCH ISA_FN(sgemm_batch)
#define GEMM_ZEROS ISA_FN(sgemm_zeros)
#define AXPY ISA_FN(saxpy)
#define SCAL ISA_FN(sscal)
#define DOT ISA_FN(sdot)
#include "tensor_loops.h"
#undef T
#undef T_MIN
#undef WIDEN
#undef EXP_SMOOTH
#undef EXP_NONPOS
#undef TANH
#undef GELU
#undef GELU_GRAD
#undef SFX
#undef GEMM
#undef GEMM_BIAS
#undef GEMM_BATCH
#undef GEMM_ZEROS
#undef AXPY
#undef SCAL
#undef DOT
#undef ROUNDED

#define T double
#define T_MIN DBL_MIN
#define WIDEN(H, V) (H)
#define EXP_SMOOTH exp
#define EXP_NONPOS exp
#define TANH tanh
#define GELU(x, max_abs) ((void)(max_abs), gelu_f64(x)) /* no clamp in double */
#define GELU_GRAD(x, max_abs) ((void)(max_abs), gelu_grad_f64(x))
#define SFX ISA_CAT(f64, MG_ISA)
#define GEMM ISA_FN(dgemm)
#define GEMM_BIAS ISA_FN(dgemm_bias)
#define GEMM_BATCH ISA_FN(dgemm_batch)
#define GEMM_ZEROS ISA_FN(dgemm_zeros)
#define AXPY ISA_FN(daxpy)
#define SCAL ISA_FN(dscal)
#define DOT ISA_FN(ddot)
#include "tensor_loops.h"
#undef T
#undef T_MIN
#undef WIDEN
#undef EXP_SMOOTH
#undef EXP_NONPOS
#undef TANH
#undef GELU
#undef GELU_GRAD
#undef SFX
#undef GEMM
#undef GEMM_BIAS
#undef GEMM_BATCH
#undef GEMM_ZEROS
#undef AXPY
#undef SCAL
#undef DOT

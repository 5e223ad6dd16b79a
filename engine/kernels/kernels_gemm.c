/* kernels_gemm.c — sgemm and dgemm: instances of kernels_gemm_impl.h with register
 * tiles and cache blocks sized for the vector width the compiler targets. SIMD comes from
 * GCC vector extensions, so without AVX-512 the same code builds for AVX2 or SSE2; it is
 * compiled once per instruction set (kernels_isa.h). */
#include <string.h>

#include "kernels_internal.h"
#include "kernels_isa.h"

#if defined(__AVX512F__)
#define VBYTES 64 /* 32 zmm registers; 8×2 beats 14×2 at the MLP's 64-row batches */
#define TILE_ROWS 8
#elif defined(__AVX__)
#define VBYTES 32 /* 16 ymm registers: 6×2 */
#define TILE_ROWS 6
#else
#define VBYTES 16 /* 16 xmm registers (SSE2 / NEON): 4×2 */
#define TILE_ROWS 4
#endif

typedef float vec_float __attribute__((vector_size(VBYTES)));
typedef double vec_double __attribute__((vector_size(VBYTES)));

/* Below this many multiply-adds a second thread costs more to wake than it saves. */
#define GEMM_PARALLEL_MIN_WORK 1048576.0

static int gemm_threads_for(double work)
{
    return mg_kernel_team_size(work, GEMM_PARALLEL_MIN_WORK);
}

static int gemm_threads(int M, int N, int K)
{
    return gemm_threads_for((double)M * N * K);
}

/* Narrows the steps [*lo, *hi) of a K block to those where rows [row, row + rows) of
 * op(A) may be nonzero (z), to none left at *lo when there are none. Only zero terms
 * are left out, and the rest are added in the same order from the same start, so each
 * sum is what the whole block gives for finite operands. */
static inline void gemm_live_steps(mg_gemm_zeros z, int row, int rows, int *lo, int *hi)
{
    long first = *lo, end = *hi;
    if (z.where == MG_GEMM_ZERO_ABOVE) /* row i's terms p <= i + offset */
        end = (long)row + rows + z.offset < end ? (long)row + rows + z.offset : end;
    else if (z.where == MG_GEMM_ZERO_BELOW) /* row i's terms p >= i + offset */
        first = (long)row + z.offset > first ? (long)row + z.offset : first;
    if (end <= first)
        end = first = *lo;
    *lo = (int)first;
    *hi = (int)end;
}

#ifdef __AVX512F__
#include <immintrin.h>
/* The first `count` (1..VLEN) lanes of a vector at p, the rest zero / left alone. */
#define LANES(count) ((1u << (count)) - 1)
#define VEC_LOAD_PART(p, count) ((VEC)LOAD_MASKED(LANES(count), p))
#define VEC_STORE_PART(p, x, count) STORE_MASKED(p, LANES(count), x)
#endif

#define LOAD_MASKED(mask, p) _mm512_maskz_loadu_ps((__mmask16)(mask), p)
#define STORE_MASKED(p, mask, x) _mm512_mask_storeu_ps(p, (__mmask16)(mask), (__m512)(x))
#define REAL float
#define VEC vec_float
#define VLEN (VBYTES / 4)
#define MR TILE_ROWS
#define NV 2
#define KC 384
#define NCB 480
#define MCB 3072
#define GFN(name) ISA_FN(sgemm_##name)
#include "kernels_gemm_impl.h"
#undef REAL
#undef VEC
#undef VLEN
#undef MR
#undef NV
#undef KC
#undef NCB
#undef MCB
#undef GFN

#undef LOAD_MASKED
#undef STORE_MASKED
#define LOAD_MASKED(mask, p) _mm512_maskz_loadu_pd((__mmask8)(mask), p)
#define STORE_MASKED(p, mask, x) _mm512_mask_storeu_pd(p, (__mmask8)(mask), (__m512d)(x))
#define REAL double
#define VEC vec_double
#define VLEN (VBYTES / 8)
#define MR TILE_ROWS
#define NV 2
#define KC 256
#define NCB 480
#define MCB 3072
#define GFN(name) ISA_FN(dgemm_##name)
#include "kernels_gemm_impl.h"

void ISA_FN(sgemm)(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A, int lda,
              const float *B, int ldb, float beta, float *C, int ldc)
{
    ISA_FN(sgemm_gemm)(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc,
                       (mg_gemm_zeros){MG_GEMM_DENSE, 0}, NULL);
}

void ISA_FN(dgemm)(int trans_a, int trans_b, int M, int N, int K, double alpha, const double *A,
              int lda, const double *B, int ldb, double beta, double *C, int ldc)
{
    ISA_FN(dgemm_gemm)(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc,
                       (mg_gemm_zeros){MG_GEMM_DENSE, 0}, NULL);
}

void ISA_FN(sgemm_zeros)(int trans_a, int trans_b, int M, int N, int K, float alpha,
                         const float *A, int lda, const float *B, int ldb, float beta, float *C,
                         int ldc, int zeros, int offset)
{
    ISA_FN(sgemm_gemm)(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc,
                       (mg_gemm_zeros){zeros, offset}, NULL);
}

void ISA_FN(dgemm_zeros)(int trans_a, int trans_b, int M, int N, int K, double alpha,
                         const double *A, int lda, const double *B, int ldb, double beta,
                         double *C, int ldc, int zeros, int offset)
{
    ISA_FN(dgemm_gemm)(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc,
                       (mg_gemm_zeros){zeros, offset}, NULL);
}

void ISA_FN(sgemm_bias)(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                        const float *bias, float *C, int ldc)
{
    ISA_FN(sgemm_gemm)(0, 0, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc,
                       (mg_gemm_zeros){MG_GEMM_DENSE, 0}, bias);
}

void ISA_FN(dgemm_bias)(int M, int N, int K, const double *A, int lda, const double *B,
                        int ldb, const double *bias, double *C, int ldc)
{
    ISA_FN(dgemm_gemm)(0, 0, M, N, K, 1.0, A, lda, B, ldb, 0.0, C, ldc,
                       (mg_gemm_zeros){MG_GEMM_DENSE, 0}, bias);
}

void ISA_FN(sgemm_batch)(int trans_a, int trans_b, int M, int N, int K, float alpha,
                         const float *A, int lda, long stride_a, const float *B, int ldb,
                         long stride_b, float beta, float *C, int ldc, long stride_c, int count)
{
    ISA_FN(sgemm_gemm_batch)(trans_a, trans_b, M, N, K, alpha, A, lda, stride_a, B, ldb,
                             stride_b, beta, C, ldc, stride_c, count);
}

void ISA_FN(dgemm_batch)(int trans_a, int trans_b, int M, int N, int K, double alpha,
                         const double *A, int lda, long stride_a, const double *B, int ldb,
                         long stride_b, double beta, double *C, int ldc, long stride_c,
                         int count)
{
    ISA_FN(dgemm_gemm_batch)(trans_a, trans_b, M, N, K, alpha, A, lda, stride_a, B, ldb,
                             stride_b, beta, C, ldc, stride_c, count);
}

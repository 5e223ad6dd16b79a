/* kernels_gemm.c — GEMM. (Naive placeholder; the blocked version replaces it.) */
#include "mg_kernels.h"

#define GEMM_NAIVE(NAME, REAL)                                                                   \
    void NAME(int trans_a, int trans_b, int M, int N, int K, REAL alpha, const REAL *A, int lda, \
              const REAL *B, int ldb, REAL beta, REAL *C, int ldc)                               \
    {                                                                                            \
        for (int i = 0; i < M; i++)                                                              \
            for (int j = 0; j < N; j++) {                                                        \
                REAL s = 0;                                                                      \
                for (int p = 0; p < K; p++) {                                                    \
                    REAL a = trans_a ? A[(long)p * lda + i] : A[(long)i * lda + p];              \
                    REAL b = trans_b ? B[(long)j * ldb + p] : B[(long)p * ldb + j];              \
                    s += a * b;                                                                  \
                }                                                                                \
                REAL *c = &C[(long)i * ldc + j];                                                 \
                *c = alpha * s + (beta == 0 ? 0 : beta * *c);                                    \
            }                                                                                    \
    }

GEMM_NAIVE(mg_sgemm, float)
GEMM_NAIVE(mg_dgemm, double)

/* mg_kernels.h — dense CPU kernels under the tensor engine: GEMM, the BLAS-1
 * loops the optimisers run (axpy, scal, dot), and the thread count they use.
 *
 *     // Y[64×128] = X[64×784] · W[784×128]
 *     mg_sgemm(0, 0, 64, 128, 784, 1.0f, X, 784, W, 128, 0.0f, Y, 128);
 *
 * Conventions: matrices are row-major plain arrays; `ld*` is the distance in
 * elements between the starts of consecutive rows (>= the row length). Names
 * follow BLAS: `s` = float, `d` = double. These are raw kernels: they do not
 * check arguments (the tensor layer does); sizes <= 0 do nothing. Each numeric
 * kernel has one implementation: the tensor ops call these (matmul, the
 * optimisers' updates, gradient norms), and the tensor loops (softmax, layer
 * norm, losses, ...) are not repeated here.
 *
 * Precision, one rule for these kernels and the tensor loops alike: a sum kept
 * in a local accumulator (a dot product, a reduction, a softmax normaliser, a
 * layer norm's statistics, a loss) is a double whatever the element type, and
 * is rounded once when stored; every value stored in a buffer has the element
 * type, and gradient buffers accumulate contributions in it (+= per
 * contribution, as PyTorch's float kernels do). GEMM is the exception, as in
 * BLAS: each dot product accumulates in the element type with fused
 * multiply-adds, in a fixed order.
 *
 * Threads: GEMM uses up to mg_get_threads() threads (default 1, so a library user
 * never gets threads they did not ask for on a shared machine); problems under about
 * 2^20 multiply-adds run on the calling thread. Workers are started on first use and
 * kept; the caller works too and never waits for a worker that has not started.
 * Results do not depend on the thread count: work is split over disjoint outputs and
 * each output element is summed in the same order. Kernels may be called from several
 * threads at once and after fork(). axpy, scal and dot run on the calling thread. */
#ifndef MG_KERNELS_H
#define MG_KERNELS_H

#include "mg_api.h"

MG_EXTERN_C_BEGIN

/* C[M×N] = alpha·op(A)·op(B) + beta·C; op(X) = Xᵀ when trans_x; lda/ldb/ldc are row strides
 * of A, B, C as stored (A is M×K, or K×M when trans_a). beta == 0 ignores C's old contents. */
MG_API void mg_sgemm(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A, int lda,
              const float *B, int ldb, float beta, float *C, int ldc);
/* Same as mg_sgemm, in double precision. */
MG_API void mg_dgemm(int trans_a, int trans_b, int M, int N, int K, double alpha, const double *A,
              int lda, const double *B, int ldb, double beta, double *C, int ldc);

/* The instruction set the kernels run with, picked at the first call for this CPU:
 * "avx512", "avx2" or "baseline" on x86-64 (or "native"/"build" when the library was
 * compiled for one target). MG_KERNELS_ISA=avx2|baseline in the environment asks for a
 * narrower one than the CPU allows; results agree to rounding between them. */
MG_API const char *mg_kernels_isa(void);

/* Sets the number of threads kernels may use (clamped to 1..64; 1 is the default). */
MG_API void mg_set_threads(int n);
/* Returns the number of threads kernels use. */
MG_API int mg_get_threads(void);

/* y[i] += alpha·x[i] for i < n. */
MG_API void mg_saxpy(int n, float alpha, const float *x, float *y);
MG_API void mg_daxpy(int n, double alpha, const double *x, double *y);

/* x[i] *= alpha for i < n. */
MG_API void mg_sscal(int n, float alpha, float *x);
MG_API void mg_dscal(int n, double alpha, double *x);

/* Returns Σ x[i]·y[i] for i < n, accumulated in double. */
MG_API double mg_sdot(int n, const float *x, const float *y);
MG_API double mg_ddot(int n, const double *x, const double *y);

MG_EXTERN_C_END

#endif

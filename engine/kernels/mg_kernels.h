/* mg_kernels.h — dense CPU kernels under the tensor engine: GEMM and the
 * elementwise/reduction loops an MLP spends its time in.
 *
 *     // Y[64×128] = X[64×784] · W[784×128], then Y = relu(Y + b)
 *     mg_sgemm(0, 0, 64, 128, 784, 1.0f, X, 784, W, 128, 0.0f, Y, 128);
 *     mg_sbias_act(64, 128, Y, 128, b, 1);
 *
 * Conventions: matrices are row-major plain arrays; `ld*` is the distance in
 * elements between the starts of consecutive rows (>= the row length). Names
 * follow BLAS: `s` = float, `d` = double. Kernels that produce gradients
 * ACCUMULATE into their output (`+=`), because autograd sums contributions;
 * zero the output first to overwrite. These are raw kernels: they do not
 * check arguments (the tensor layer does); sizes <= 0 do nothing.
 *
 * Threads: GEMM uses up to mg_get_threads() threads (default 1, so a library user
 * never gets threads they did not ask for on a shared machine); problems under about
 * 2^20 multiply-adds run on the calling thread. Workers are started on first use and
 * kept; the caller works too and never waits for a worker that has not started.
 * Results do not depend on the thread count: work is split over disjoint outputs and
 * each output element is summed in the same order. Kernels may be called from several
 * threads at once and after fork(). The elementwise kernels are single-threaded. */
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

/* In place over Y[M×N]: Y[i][j] = act(Y[i][j] + bias[j]); act = relu when relu != 0, else
 * identity; bias may be NULL (no bias). The fused forward of a dense layer after its GEMM. */
MG_API void mg_sbias_act(int M, int N, float *Y, int ldy, const float *bias, int relu);
MG_API void mg_dbias_act(int M, int N, double *Y, int ldy, const double *bias, int relu);

/* dX[i] += Y[i] > 0 ? dY[i] : 0 for i < n, where Y = relu(X) is the forward output. */
MG_API void mg_srelu_backward(int n, const float *Y, const float *dY, float *dX);
MG_API void mg_drelu_backward(int n, const double *Y, const double *dY, double *dX);

/* out[j] += Σ_i X[i][j] over X[M×N]: the bias gradient of a dense layer. */
MG_API void mg_scol_sum(int M, int N, const float *X, int ldx, float *out);
MG_API void mg_dcol_sum(int M, int N, const double *X, int ldx, double *out);

/* Y[i][:] = log_softmax(X[i][:]) for each of the M rows of N entries; Y may equal X. */
MG_API void mg_slog_softmax_rows(int M, int N, const float *X, int ldx, float *Y, int ldy);
MG_API void mg_dlog_softmax_rows(int M, int N, const double *X, int ldx, double *Y, int ldy);

/* Backward of mg_slog_softmax_rows given its output Y:
 * dX[i][j] += dY[i][j] - exp(Y[i][j])·Σ_k dY[i][k]. */
MG_API void mg_slog_softmax_backward(int M, int N, const float *Y, int ldy, const float *dY, int lddy,
                              float *dX, int lddx);
MG_API void mg_dlog_softmax_backward(int M, int N, const double *Y, int ldy, const double *dY,
                              int lddy, double *dX, int lddx);

/* Fused softmax cross-entropy over M rows of N logits with integer labels in [0, N):
 * returns the mean of -log_softmax(X[i])[labels[i]], and when dX != NULL adds its gradient,
 * dX[i][j] += (softmax(X[i])[j] - [j == labels[i]]) / M. Rows with an out-of-range label
 * are skipped (they add nothing); the mean still divides by M. */
MG_API double mg_ssoftmax_xent(int M, int N, const float *X, int ldx, const int *labels, float *dX,
                        int lddx);
MG_API double mg_dsoftmax_xent(int M, int N, const double *X, int ldx, const int *labels, double *dX,
                        int lddx);

/* idx[i] = the first j maximising X[i][j], for each of the M rows of N > 0 entries. */
MG_API void mg_sargmax_rows(int M, int N, const float *X, int ldx, int *idx);
MG_API void mg_dargmax_rows(int M, int N, const double *X, int ldx, int *idx);

MG_EXTERN_C_END

#endif

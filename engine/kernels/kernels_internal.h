/* kernels_internal.h — shared by the kernel sources, not installed. */
#ifndef MG_KERNELS_INTERNAL_H
#define MG_KERNELS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* SUM = Σ EXPR over J in [0, N), in double: MG_LANES partial sums, lane l taking
 * J ≡ l (mod MG_LANES), then added lane by lane. A single running sum is a chain
 * of dependent adds (4 cycles each, ~1,000 per 128-wide row of layer norm);
 * the lanes are independent chains the vectoriser keeps in registers. The
 * order depends on N alone, so results do not depend on the thread count.
 * The kernels' dot products and the tensor loops' row sums use it;
 * MG_LANE_SUM_N takes LANES partial sums instead (a long sum of squares: 16
 * lanes are two AVX-512 chains, which wait on the adds' latency). */
#define MG_LANES 16
#define MG_LANE_SUM(SUM, N, J, EXPR) MG_LANE_SUM_N(MG_LANES, SUM, N, J, EXPR)
#define MG_LANE_SUM_N(LANES, SUM, N, J, EXPR)                             \
    do {                                                                  \
        double lane_[LANES] = {0};                                        \
        const int n_ = (N);                                               \
        int j0_ = 0;                                                      \
        for (; j0_ + (LANES) <= n_; j0_ += (LANES))                       \
            for (int l_ = 0; l_ < (LANES); l_++) {                        \
                const int J = j0_ + l_;                                   \
                lane_[l_] += (double)(EXPR);                              \
            }                                                             \
        for (int l_ = 0; j0_ + l_ < n_; l_++) {                           \
            const int J = j0_ + l_;                                       \
            lane_[l_] += (double)(EXPR);                                  \
        }                                                                 \
        double s_ = 0.0;                                                  \
        for (int l_ = 0; l_ < (LANES); l_++)                              \
            s_ += lane_[l_];                                              \
        (SUM) = s_;                                                       \
    } while (0)

/* Alignment of the scratch memory below: one cache line, one AVX-512 vector. */
#define MG_KERNEL_ALIGN 64

/* Returns at least `bytes` of MG_KERNEL_ALIGN-aligned scratch memory owned by the calling
 * thread, valid until its next call on this thread; NULL if it cannot be allocated. The
 * block only grows, so a warm caller allocates nothing; it is freed when the thread exits. */
void *mg_kernel_workspace(size_t bytes);

/* y[i] = alpha·x[i] for i < n: bytes (pixels) to floats. */
void mg_su8_scale(int n, float alpha, const uint8_t *x, float *y);

/* Threads a kernel should use for `work` units: 1 below `min_work` (waking a second
 * thread costs more than it saves), else mg_get_threads(). */
int mg_kernel_team_size(double work, double min_work);

/* One item of parallel work: task(ctx, i) for an item index i. */
typedef void mg_kernel_task(void *ctx, int i);

/* Runs task(ctx, i) for every i in [0, count) on up to `threads` threads, the caller
 * among them, and returns when all are done. Items must be independent. Never slower
 * than the caller alone: workers that are slow to start find the items already taken.
 * Member t of a team of n starts on items [t·count/n, (t+1)·count/n), the caller on the
 * first, so loops cut alike keep each part of their arrays in one core's cache.
 * Concurrent callers, and callers in a forked child, are served too. */
void mg_kernel_run(mg_kernel_task *task, void *ctx, int count, int threads);

/* One share of a loop: fn(ctx, lo, hi) does the items [lo, hi). */
typedef void mg_kernel_range(void *ctx, int lo, int hi);

/* Below this much work (in element operations) a loop runs on the caller alone. */
#define MG_KERNEL_FOR_MIN_WORK 32768.0

/* Runs fn over the items [0, n) cut into disjoint contiguous ranges on the pool when
 * n·cost is worth a second thread (cost: element operations per item, ~1 for an add,
 * ~20 for an exp or tanh), else fn(ctx, 0, n) on the caller. The cut depends on the
 * thread count, so what fn computes for an item must not depend on its range: give each
 * item its own outputs, summed in a fixed order, and results do not depend on threads. */
void mg_kernel_for(int n, double cost, mg_kernel_range *fn, void *ctx);

/* C_i = alpha·op(A_i)·op(B_i) + beta·C_i for i < count, where X_i starts at X + i·stride_x
 * (a stride of 0 shares one matrix; C's must not overlap): mg_sgemm's arguments otherwise.
 * Small products run side by side on the pool, large ones one after another with the pool
 * inside each, so a batch of attention heads uses every thread. */
void mg_sgemm_batch(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A,
                    int lda, long stride_a, const float *B, int ldb, long stride_b, float beta,
                    float *C, int ldc, long stride_c, int count);
void mg_dgemm_batch(int trans_a, int trans_b, int M, int N, int K, double alpha,
                    const double *A, int lda, long stride_a, const double *B, int ldb,
                    long stride_b, double beta, double *C, int ldc, long stride_c, int count);

/* C[M×N] = A·B + bias, bias[j] added to every row's column j (a linear layer's
 * forward): mg_sgemm with no transposes, alpha 1 and beta 0, the bias added in the
 * stores after the whole sum, so C is bit for bit a product followed by an add. */
void mg_sgemm_bias(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                   const float *bias, float *C, int ldc);
void mg_dgemm_bias(int M, int N, int K, const double *A, int lda, const double *B, int ldb,
                   const double *bias, double *C, int ldc);

/* Where op(A) is known to be zero, for mg_sgemm_zeros: above (p > i + offset) or below
 * (p < i + offset) a diagonal of op(A)[i][p]. A causal softmax's weights (zero above)
 * and their transpose (zero below) in attention. */
enum { MG_GEMM_DENSE, MG_GEMM_ZERO_ABOVE, MG_GEMM_ZERO_BELOW };
typedef struct mg_gemm_zeros {
    int where, offset;
} mg_gemm_zeros;

/* mg_sgemm when op(A) is zero where `zeros` (an MG_GEMM_* above) and `offset` say: the
 * products with those zeros are skipped. Each element of C is then the same sum, in the
 * same order, as mg_sgemm's for finite operands (a skipped 0·inf would have made a NaN). */
void mg_sgemm_zeros(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A,
                    int lda, const float *B, int ldb, float beta, float *C, int ldc, int zeros,
                    int offset);
void mg_dgemm_zeros(int trans_a, int trans_b, int M, int N, int K, double alpha,
                    const double *A, int lda, const double *B, int ldb, double beta, double *C,
                    int ldc, int zeros, int offset);

#endif

/* kernels_gemm_impl.h — the blocked GEMM, written once for float and double.
 *
 * Included by kernels_gemm.c with these defined: REAL (element type), VEC (a GCC vector
 * of VLEN REALs), MR × NR (the register tile: MR rows of A broadcast against NR = NV·VLEN
 * columns of B), KC, NCB, MCB (cache blocks), GFN(name) (names this instance's functions).
 *
 * The scheme is Goto's/BLIS's. op(A) is packed MCB×KC at a time into MR-row slivers
 * (the panel), op(B) KC×NCB at a time into NR-column slivers (the block, kept in L2);
 * the micro-kernel keeps an MR×NR tile of C in registers while one A sliver (KC×MR) sits
 * in L1 and B slivers stream from L2. Packing absorbs the transposes and the
 * strides, and pads edges with zeros, so one micro-kernel serves every case; when an A
 * sliver would meet only a few B slivers, the kernel reads it in place instead, and
 * likewise an untransposed B sliver that meets only a few A slivers. Threads
 * (see GFN(gemm)) each run this on their own slab of C. */

#define NR (NV * VLEN)

/* Packs one sliver: `lanes` <= width lanes of kc steps, element (step p, lane l) at
 * X[p·step + l·lane], into dst[p·width + l], zeroing the lanes past `lanes`. Inlined with
 * a constant width. A unit lane stride is a row copy per step; any other is a transpose
 * that writes contiguously and reads `width` streams. */
static inline __attribute__((always_inline)) void
GFN(pack_sliver)(int width, const REAL *X, long step, long lane, int lanes, int kc, REAL *dst)
{
    if (lanes < width)
        memset(dst, 0, sizeof(REAL) * (size_t)width * (size_t)kc);
    if (lane == 1 && lanes == width)
        for (int p = 0; p < kc; p++)
            memcpy(dst + (long)p * width, X + p * step, sizeof(REAL) * (size_t)width);
    else if (lane == 1)
        for (int p = 0; p < kc; p++)
            memcpy(dst + (long)p * width, X + p * step, sizeof(REAL) * (size_t)lanes);
    else if (lanes == width && width % 8 == 0)
        /* 8 lanes at a time: their 8 read streams keep their addresses in registers */
        for (int l0 = 0; l0 < width; l0 += 8)
            for (int p = 0; p < kc; p++) {
                const REAL *x = X + p * step + l0 * lane;
#pragma GCC unroll 8
                for (int l = 0; l < 8; l++)
                    dst[(long)p * width + l0 + l] = x[l * lane];
            }
    else if (lanes == width)
        for (int p = 0; p < kc; p++) {
            const REAL *x = X + p * step;
#pragma GCC unroll 32
            for (int l = 0; l < width; l++)
                dst[(long)p * width + l] = x[l * lane];
        }
    else
        for (int l = 0; l < lanes; l++)
            for (int p = 0; p < kc; p++)
                dst[(long)p * width + l] = X[p * step + l * lane];
}

#if VLEN >= 8
#define TRANSPOSE8_NAME GFN(transpose8)
#define TRANSPOSE8_REAL REAL
#include "kernels_transpose8.h"
#endif

/* Packs `count` lanes of kc steps, element (step p, lane l) at X[p·step + l·lane], into
 * width-lane slivers at dst (sliver s at dst + s·width·kc, k-major), the last padded with
 * zeros. Contiguous lanes (lane 1) are copied a step at a time across all slivers, so X
 * is read row by row: sliver by sliver, each step's row would be met once per sliver, a
 * few bytes at a time, at a stride that maps every row to the same L1 sets. Contiguous
 * steps (a transpose) go 8×8 blocks at a time through vector shuffles. */
static inline __attribute__((always_inline)) void
GFN(pack_panel)(int width, const REAL *X, long step, long lane, int count, int kc, REAL *dst)
{
    int full = count / width;
    if (lane == 1)
        for (int p = 0; p < kc; p++)
            for (int s = 0; s < full; s++)
                memcpy(dst + (long)s * width * kc + (long)p * width,
                       X + p * step + (long)s * width, sizeof(REAL) * (size_t)width);
#if VLEN >= 8
    else if (step == 1 && width % 8 == 0)
        for (int s = 0; s < full; s++) {
            const REAL *x = X + (long)s * width * lane;
            REAL *d = dst + (long)s * width * kc;
            int p8 = kc / 8 * 8;
            for (int l0 = 0; l0 < width; l0 += 8)
                for (int p = 0; p < p8; p += 8)
                    GFN(transpose8)(x + l0 * lane + p, lane, d + (long)p * width + l0, width);
            if (p8 < kc) /* the last kc % 8 steps */
                GFN(pack_sliver)(width, x + p8, 1, lane, width, kc - p8, d + (long)p8 * width);
        }
#endif
    else
        for (int s = 0; s < full; s++)
            GFN(pack_sliver)(width, X + (long)s * width * lane, step, lane, width, kc,
                             dst + (long)s * width * kc);
    if (count > full * width)
        GFN(pack_sliver)(width, X + (long)full * width * lane, step, lane, count - full * width,
                         kc, dst + (long)full * width * kc);
}

/* Copies op(A)[i0 .. i0+m) × [p0 .. p0+kc) into MR-row slivers at dst, sliver s at
 * dst + s·MR·kc laid out k-major; rows past m are zero. */
static void GFN(pack_a)(int trans, const REAL *A, long lda, int i0, int m, int p0, int kc,
                        REAL *dst)
{
    long step = trans ? lda : 1, lane = trans ? 1 : lda; /* op(A)[i][p] = A[i·lane + p·step] */
    GFN(pack_panel)(MR, A + i0 * lane + p0 * step, step, lane, m, kc, dst);
}

/* Copies op(B)[p0 .. p0+kc) × [j0 .. j0+n) into NR-column slivers at dst, sliver s at
 * dst + s·NR·kc laid out k-major; columns past n are zero. */
static void GFN(pack_b)(int trans, const REAL *B, long ldb, int p0, int kc, int j0, int n,
                        REAL *dst)
{
    long step = trans ? 1 : ldb, lane = trans ? ldb : 1; /* op(B)[p][j] = B[p·step + j·lane] */
    GFN(pack_panel)(NR, B + p0 * step + j0 * lane, step, lane, n, kc, dst);
}

/* Fewest steps over which a prefetch of the C tile pays (see GFN(kernel_body)). */
#define C_AHEAD_MIN_STEPS 32

/* C[m×n] (m <= MR, n <= nv·VLEN) = alpha·(a·b) + beta·C over kc steps, using the
 * first nv vectors of each row of b (b_step apart: NR packed, ldb read in place); beta
 * == 0 never reads C. A bias (non-NULL: bias[j] for column j) is then added to each
 * row in the store, as a separate add after the same rounding, so the tile holds what a
 * product and then an add of the bias give, bit for bit. Inlined with nv a constant,
 * the accumulator array lives in registers once the loops unroll. a_ahead (0: none):
 * the step of A that many on is prefetched as each step is read. */
static inline __attribute__((always_inline)) void
GFN(kernel_body)(int nv, int kc, const REAL *restrict a, long a_lane, long a_step,
                 const REAL *restrict b, long b_step, REAL alpha, REAL beta, REAL *restrict C,
                 long ldc, int m, int n, const REAL *restrict bias, int a_ahead)
{
    VEC acc[MR][NV];
    /* The tile of C, fetched now so it is in cache when the sums are stored: a fresh
     * output (the GPT's forward) or a gradient from an earlier layer is cold, and each
     * store to a line not in cache waits for it (a GPT step on a Zen 4: ~3 ms of 70).
     * Over a few steps the fetch would not arrive in time, and only costs (K = 10: 10%). */
    if (kc >= C_AHEAD_MIN_STEPS)
        for (int i = 0; i < m; i++)
#pragma GCC unroll 4
            for (int v = 0; v < nv; v++)
                if (v * VLEN < n)
                    __builtin_prefetch(C + i * ldc + v * VLEN, 1);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++)
            acc[i][v] = (VEC){0};
    for (int p = 0; p < kc; p++) {
        VEC bv[NV];
        if (a_ahead)
            __builtin_prefetch(a + a_ahead * a_step);
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++)
            memcpy(&bv[v], b + v * VLEN, sizeof(VEC));
#pragma GCC unroll 16
        for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
            for (int v = 0; v < nv; v++)
                acc[i][v] += a[i * a_lane] * bv[v];
        a += a_step;
        b += b_step;
    }
    if (m == MR && n == nv * VLEN) {
#pragma GCC unroll 16
        for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
            for (int v = 0; v < nv; v++) {
                REAL *c = C + i * ldc + v * VLEN;
                VEC old = {0};
                if (beta != 0)
                    memcpy(&old, c, sizeof old);
                VEC out = alpha * acc[i][v] + beta * old;
                if (bias) {
                    VEC bv;
                    memcpy(&bv, bias + v * VLEN, sizeof bv);
                    out += bv;
                }
                memcpy(c, &out, sizeof out);
            }
        return;
    }
#ifdef VEC_STORE_PART
    /* An edge tile: masked loads and stores touch only the first n columns. */
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++) {
            int count = n - v * VLEN < VLEN ? n - v * VLEN : VLEN;
            if (i >= m || count <= 0)
                continue;
            REAL *c = C + i * ldc + v * VLEN;
            VEC old = {0};
            if (beta != 0)
                old = VEC_LOAD_PART(c, count);
            VEC out = alpha * acc[i][v] + beta * old;
            if (bias)
                out += VEC_LOAD_PART(bias + v * VLEN, count);
            VEC_STORE_PART(c, out, count);
        }
    return;
#endif
    REAL tile[MR][NR] = {{0}}; /* zeroed so no compiler doubts that n <= nv·VLEN */
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++)
            memcpy(&tile[i][v * VLEN], &acc[i][v], sizeof(VEC));
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            REAL *c = C + i * ldc + j;
            REAL out = alpha * tile[i][j] + (beta != 0 ? beta * *c : 0);
            *c = bias ? out + bias[j] : out;
        }
}

/* The register tiles: full width or one vector (for the last columns when at most VLEN
 * remain, as N = 10 in an MLP's output layer: half the work of padding them to NR), over
 * a packed A sliver or straight over A's rows or columns; full width also over packed A
 * and B's rows in place. */
static void GFN(kernel_wide)(int kc, const REAL *a, const REAL *b, REAL alpha, REAL beta,
                             REAL *C, long ldc, int m, int n, const REAL *bias)
{
    GFN(kernel_body)(NV, kc, a, 1, MR, b, NR, alpha, beta, C, ldc, m, n, bias, 0);
}

static void GFN(kernel_narrow)(int kc, const REAL *a, const REAL *b, REAL alpha, REAL beta,
                               REAL *C, long ldc, int m, int n, const REAL *bias)
{
    GFN(kernel_body)(1, kc, a, 1, MR, b, NR, alpha, beta, C, ldc, m, n, bias, 0);
}

static void GFN(kernel_wide_b_direct)(int kc, const REAL *a, const REAL *b, long b_step,
                                      REAL alpha, REAL beta, REAL *C, long ldc, int m, int n,
                                      const REAL *bias)
{
    GFN(kernel_body)(NV, kc, a, 1, MR, b, b_step, alpha, beta, C, ldc, m, n, bias, 0);
}

static void GFN(kernel_wide_direct)(int kc, const REAL *a, long a_lane, long a_step,
                                    const REAL *b, long b_step, REAL alpha, REAL beta, REAL *C,
                                    long ldc, int m, int n, const REAL *bias)
{
    GFN(kernel_body)(NV, kc, a, a_lane, a_step, b, b_step, alpha, beta, C, ldc, m, n, bias, 0);
}

/* Reading a transposed A in place, each step's MR values are a row of A, lda apart:
 * the row A_AHEAD steps on is fetched as each is used. Rows 512 B or 2 KB apart cross a
 * 4 KB page every few steps, where the hardware's stride prefetcher stops, and the GPT's
 * weight gradients Xᵀ·dY read X this way, cold since the forward (a step on a Zen 4:
 * ~2 ms of 70 at 64 steps ahead; 16 ahead gained half of that). */
#define A_AHEAD 64

static void GFN(kernel_wide_direct_t)(int kc, const REAL *a, long a_step, const REAL *b,
                                      long b_step, REAL alpha, REAL beta, REAL *C, long ldc,
                                      int m, int n, const REAL *bias)
{
    GFN(kernel_body)(NV, kc, a, 1, a_step, b, b_step, alpha, beta, C, ldc, m, n, bias, A_AHEAD);
}

static void GFN(kernel_narrow_direct)(int kc, const REAL *a, long a_lane, long a_step,
                                      const REAL *b, long b_step, REAL alpha, REAL beta,
                                      REAL *C, long ldc, int m, int n, const REAL *bias)
{
    GFN(kernel_body)(1, kc, a, a_lane, a_step, b, b_step, alpha, beta, C, ldc, m, n, bias, 0);
}

/* C[m×n] (m <= MR, n <= NR) from MR rows of A at a (row i, step p at a[i·a_lane +
 * p·a_step]; a packed sliver has a_lane 1, a_step MR) and NR columns of B at b (step p
 * at b + p·b_step: NR packed, ldb in place), plus bias[j] per column unless bias is NULL. */
static void GFN(micro_kernel)(int kc, const REAL *a, long a_lane, long a_step, const REAL *b,
                              long b_step, REAL alpha, REAL beta, REAL *C, long ldc, int m,
                              int n, const REAL *bias)
{
    int narrow = n <= VLEN && NV > 1, packed = a_lane == 1 && a_step == MR;
    if (packed && b_step != NR)
        GFN(kernel_wide_b_direct)(kc, a, b, b_step, alpha, beta, C, ldc, m, n, bias);
    else if (packed && narrow)
        GFN(kernel_narrow)(kc, a, b, alpha, beta, C, ldc, m, n, bias);
    else if (packed)
        GFN(kernel_wide)(kc, a, b, alpha, beta, C, ldc, m, n, bias);
    else if (!narrow && a_lane == 1)
        GFN(kernel_wide_direct_t)(kc, a, a_step, b, b_step, alpha, beta, C, ldc, m, n, bias);
    else if (narrow)
        GFN(kernel_narrow_direct)(kc, a, a_lane, a_step, b, b_step, alpha, beta, C, ldc, m, n,
                                  bias);
    else
        GFN(kernel_wide_direct)(kc, a, a_lane, a_step, b, b_step, alpha, beta, C, ldc, m, n,
                                bias);
}

/* C = beta·C (+ bias[j] unless NULL), the whole product when alpha·op(A)·op(B)
 * contributes nothing. */
static void GFN(scale_c)(int M, int N, REAL beta, REAL *C, long ldc, const REAL *bias)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            REAL out = beta == 0 ? 0 : beta * C[i * ldc + j];
            C[i * ldc + j] = bias ? out + bias[j] : out;
        }
}

/* Splits n into near-equal blocks no larger than `most`, each a multiple of `unit`
 * (the last may be short). */
static int GFN(block_size)(int n, int most, int unit)
{
    int blocks = (n + most - 1) / most;
    int size = (n + blocks - 1) / blocks;
    size = (size + unit - 1) / unit * unit;
    return size < most ? size : most;
}

/* Packing A pays when each sliver meets many B slivers; up to this many the kernel
 * reads full MR-row slivers straight from A (the MLP's 64×784 · 784×128 meets 4), a
 * transposed A too (the GPT's Xᵀ·dY with 128 or 96 columns: packing its 1024-step
 * slivers cost a fifth of the product). */
#define DIRECT_A_MAX_REUSE 4

/* Likewise B: a B sliver meets each MR-row sliver of an M block once; up to this many
 * the kernel reads full NR-column slivers of an untransposed B in place, rows ldb apart
 * (the GPT's Xᵀ·dY with 128 rows: packing dY cost a sixth of the product). */
#define DIRECT_B_MAX_REUSE 16

/* The blocked product of one thread's share once the degenerate cases are gone, with
 * this thread's workspace; returns 0 (having done nothing) when there is none. A bias
 * (bias[j] for column j, or NULL) is added in the stores of the last K block, after
 * the whole sum, as an add after the product would. */
static int GFN(blocked)(int trans_a, int trans_b, int M, int N, int K, REAL alpha,
                        const REAL *A, long lda, const REAL *B, long ldb, REAL beta, REAL *C,
                        long ldc, mg_gemm_zeros z, const REAL *bias)
{
    int kc = GFN(block_size)(K, KC, 1);
    int mc = GFN(block_size)(M, MCB, MR);
    int nc = GFN(block_size)(N, NCB, NR);
    /* Each region starts on a vector boundary: B slivers are read with aligned loads. */
    size_t align = MG_KERNEL_ALIGN / sizeof(REAL);
    size_t apanel = ((size_t)((mc + MR - 1) / MR * MR) * kc + align - 1) / align * align;
    size_t bblock = (size_t)((nc + NR - 1) / NR * NR) * kc;
    REAL *apack = mg_kernel_workspace((apanel + bblock) * sizeof(REAL));
    if (!apack)
        return 0;
    REAL *bpack = apack + apanel;
    long a_lane = trans_a ? 1 : lda, a_step = trans_a ? lda : 1; /* op(A)[i][p] */
    int direct = (N + NR - 1) / NR <= DIRECT_A_MAX_REUSE;
    for (int i0 = 0; i0 < M; i0 += mc) {
        int m = M - i0 < mc ? M - i0 : mc;
        int packed_from = direct ? m / MR * MR : 0; /* direct: pack only the short sliver */
        int direct_b = !trans_b && (m + MR - 1) / MR <= DIRECT_B_MAX_REUSE;
        for (int p0 = 0; p0 < K; p0 += kc) {
            int k = K - p0 < kc ? K - p0 : kc;
            /* The first K block applies beta; later ones add to what it wrote. */
            REAL beta_here = p0 == 0 ? beta : 1;
            const REAL *bias_here = p0 + k == K ? bias : NULL;
            GFN(pack_a)(trans_a, A, lda, i0 + packed_from, m - packed_from, p0, k,
                        apack + (long)packed_from * k);
            for (int j0 = 0; j0 < N; j0 += nc) {
                int n = N - j0 < nc ? N - j0 : nc;
                int b_packed_from = direct_b ? n / NR * NR : 0;
                GFN(pack_b)(trans_b, B, ldb, p0, k, j0 + b_packed_from, n - b_packed_from,
                            bpack + (long)b_packed_from * k);
                for (int ir = 0; ir < m; ir += MR) {
                    const REAL *a = apack + (long)ir * k;
                    long lane = 1, step = MR;
                    if (ir < packed_from) {
                        a = A + (i0 + ir) * a_lane + p0 * a_step;
                        lane = a_lane;
                        step = a_step;
                    }
                    int rows = m - ir < MR ? m - ir : MR, lo = p0, hi = p0 + k;
                    gemm_live_steps(z, i0 + ir, rows, &lo, &hi);
                    a += (lo - p0) * step;
                    for (int jr = 0; jr < n; jr += NR) {
                        const REAL *b = bpack + (long)jr * k;
                        long b_step = NR;
                        if (jr < b_packed_from) { /* op(B)[p][j] = B[p·ldb + j] */
                            b = B + p0 * ldb + j0 + jr;
                            b_step = ldb;
                        }
                        GFN(micro_kernel)(hi - lo, a, lane, step, b + (lo - p0) * b_step,
                                          b_step, alpha, beta_here, C + (i0 + ir) * ldc + j0 + jr,
                                          ldc, rows, n - jr < NR ? n - jr : NR,
                                          bias_here ? bias_here + j0 + jr : NULL);
                    }
                }
            }
        }
    }
    return 1;
}

/* The unblocked product: the fallback when no workspace can be had. */
static void GFN(simple)(int trans_a, int trans_b, int M, int N, int K, REAL alpha,
                        const REAL *A, long lda, const REAL *B, long ldb, REAL beta, REAL *C,
                        long ldc, const REAL *bias)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            REAL sum = 0;
            for (int p = 0; p < K; p++)
                sum += (trans_a ? A[p * lda + i] : A[i * lda + p]) *
                       (trans_b ? B[j * ldb + p] : B[p * ldb + j]);
            REAL *c = C + i * ldc + j;
            REAL out = alpha * sum + (beta != 0 ? beta * *c : 0);
            *c = bias ? out + bias[j] : out;
        }
}

/* A product split into slabs of C, as handed to the thread pool. */
typedef struct GFN(job) {
    int trans_a, trans_b, M, N, K;
    REAL alpha, beta;
    const REAL *A, *B;
    REAL *C;
    long lda, ldb, ldc;
    int by_rows, slab;
    mg_gemm_zeros zeros;
    const REAL *bias; /* bias[j] added to column j, or NULL */
} GFN(job);

/* Slab s of the job's C: blocked when packing memory can be had, else unblocked. */
static void GFN(slab_task)(void *ctx, int s)
{
    const GFN(job) *j = ctx;
    int extent = j->by_rows ? j->M : j->N, start = s * j->slab;
    int size = extent - start < j->slab ? extent - start : j->slab;
    int M = j->by_rows ? size : j->M, N = j->by_rows ? j->N : size;
    const REAL *A = j->A, *B = j->B, *bias = j->bias;
    REAL *C = j->C;
    mg_gemm_zeros z = j->zeros;
    if (j->by_rows) {
        A += j->trans_a ? start : start * j->lda;
        C += start * j->ldc;
        z.offset += start; /* row i of the slab is row start + i of op(A) */
    } else {
        B += j->trans_b ? start * j->ldb : start;
        C += start;
        bias = bias ? bias + start : NULL;
    }
    if (!GFN(blocked)(j->trans_a, j->trans_b, M, N, j->K, j->alpha, A, j->lda, B, j->ldb,
                      j->beta, C, j->ldc, z, bias))
        GFN(simple)(j->trans_a, j->trans_b, M, N, j->K, j->alpha, A, j->lda, B, j->ldb,
                    j->beta, C, j->ldc, bias);
}

/* Slab height (by_rows) or width of C for `threads`, on tile boundaries. */
static int GFN(slab_size)(int by_rows, int M, int N, int threads)
{
    int unit = by_rows ? MR : NR, extent = by_rows ? M : N;
    return ((extent + threads - 1) / threads + unit - 1) / unit * unit;
}

/* Whether threads cut C into slabs of rows rather than columns: rows when M is the
 * longer side; also when cutting columns would have every thread transpose-pack all of
 * op(A) = Aᵀ while cutting rows lets every thread read B in place (the GPT's weight
 * gradients Xᵀ·dY [128,384] and [128,512]: ~20% faster on two threads). */
static int GFN(split_rows)(int trans_a, int trans_b, int M, int N, int threads)
{
    if (M >= N)
        return 1;
    int cols = GFN(slab_size)(0, M, N, threads), rows = GFN(slab_size)(1, M, N, threads);
    int cols_pack_a = (cols + NR - 1) / NR > DIRECT_A_MAX_REUSE;
    int rows_read_b = !trans_b && (rows + MR - 1) / MR <= DIRECT_B_MAX_REUSE;
    return trans_a && cols_pack_a && rows_read_b;
}

/* Threads take disjoint slabs of C (GFN(split_rows)), cut on tile boundaries. Each runs
 * the whole blocked product on its slab with its own packing buffers, so they never wait
 * on each other; the operand they share is packed by every thread that does not read it
 * in place, the cheaper duplicate. Each element of C is summed in the same order
 * whatever the split, so results do not depend on the thread count. bias (bias[j] added
 * to column j after the sum, or NULL) goes along with the columns of each slab. */
static void GFN(gemm)(int trans_a, int trans_b, int M, int N, int K, REAL alpha, const REAL *A,
                      int lda, const REAL *B, int ldb, REAL beta, REAL *C, int ldc,
                      mg_gemm_zeros zeros, const REAL *bias)
{
    if (M <= 0 || N <= 0)
        return;
    if (K <= 0 || alpha == 0) {
        GFN(scale_c)(M, N, beta, C, ldc, bias);
        return;
    }
    int threads = gemm_threads(M, N, K);
    int by_rows = GFN(split_rows)(trans_a, trans_b, M, N, threads), extent = by_rows ? M : N;
    int slab = GFN(slab_size)(by_rows, M, N, threads);
    GFN(job) job = {trans_a, trans_b, M, N, K, alpha, beta, A, B, C, lda, ldb, ldc,
                    by_rows, slab, zeros, bias};
    mg_kernel_run(GFN(slab_task), &job, (extent + slab - 1) / slab, threads);
}

/* A batch of products, as handed to the pool one product per item. */
typedef struct GFN(batch_job) {
    int trans_a, trans_b, M, N, K;
    REAL alpha, beta;
    const REAL *A, *B;
    REAL *C;
    int lda, ldb, ldc;
    long stride_a, stride_b, stride_c;
} GFN(batch_job);

static void GFN(batch_task)(void *ctx, int i)
{
    const GFN(batch_job) *b = ctx;
    GFN(gemm)(b->trans_a, b->trans_b, b->M, b->N, b->K, b->alpha, b->A + i * b->stride_a,
              b->lda, b->B + i * b->stride_b, b->ldb, b->beta, b->C + i * b->stride_c, b->ldc,
              (mg_gemm_zeros){MG_GEMM_DENSE, 0}, NULL);
}

/* Products too small to split run side by side, one per thread at a time (each then
 * runs alone: the pool is taken); larger ones in turn, each split over the pool. */
static void GFN(gemm_batch)(int trans_a, int trans_b, int M, int N, int K, REAL alpha,
                            const REAL *A, int lda, long stride_a, const REAL *B, int ldb,
                            long stride_b, REAL beta, REAL *C, int ldc, long stride_c, int count)
{
    GFN(batch_job) b = {trans_a, trans_b, M, N, K, alpha, beta, A, B, C,
                    lda, ldb, ldc, stride_a, stride_b, stride_c};
    double each = (double)M * N * K;
    int threads = each >= GEMM_PARALLEL_MIN_WORK ? 1 : gemm_threads_for(each * count);
    mg_kernel_run(GFN(batch_task), &b, count, threads);
}

#undef NR

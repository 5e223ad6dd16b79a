/* kernels_gemm_impl.h — the blocked GEMM, written once for float and double.
 *
 * Included by kernels_gemm.c with these defined: REAL (element type), VEC (a GCC vector
 * of VLEN REALs), MR × NR (the register tile: MR rows of A broadcast against NR = NV·VLEN
 * columns of B), KC, NCB, MCB (cache blocks), GFN(name) (names this instance's functions).
 *
 * The scheme is Goto's/BLIS's. op(A) is packed MCB×KC at a time into MR-row slivers,
 * shared by all threads (L3); each thread packs its own KC×NCB block of op(B) into NR-column
 * slivers (L2); the micro-kernel keeps an MR×NR tile of C in registers while the A sliver
 * (KC×MR) sits in L1 and B slivers stream from L2. Packing absorbs the transposes and the
 * strides, and pads edges with zeros, so one micro-kernel serves every case. */

#define NR (NV * VLEN)

/* Copies the MR-row slivers of op(A)[i0 .. i0+m) × [p0 .. p0+kc) that this thread owns
 * into dst, sliver s at dst + s·MR·kc laid out k-major; rows past m are zero. */
static void GFN(pack_a)(int trans, const REAL *A, long lda, int i0, int m, int p0, int kc,
                        REAL *dst)
{
    int slivers = (m + MR - 1) / MR;
    OMP_FOR
    for (int s = 0; s < slivers; s++) {
        REAL *out = dst + (long)s * MR * kc;
        int rows = m - s * MR < MR ? m - s * MR : MR;
        for (int r = 0; r < MR; r++) {
            long i = i0 + (long)s * MR + r;
            if (r >= rows)
                for (int p = 0; p < kc; p++)
                    out[(long)p * MR + r] = 0;
            else if (trans)
                for (int p = 0; p < kc; p++)
                    out[(long)p * MR + r] = A[(p0 + p) * lda + i];
            else
                for (int p = 0; p < kc; p++)
                    out[(long)p * MR + r] = A[i * lda + p0 + p];
        }
    }
}

/* Copies op(B)[p0 .. p0+kc) × [j0 .. j0+n) into NR-column slivers at dst, sliver s at
 * dst + s·NR·kc laid out k-major; columns past n are zero. */
static void GFN(pack_b)(int trans, const REAL *B, long ldb, int p0, int kc, int j0, int n,
                        REAL *dst)
{
    for (int s = 0; s * NR < n; s++) {
        REAL *out = dst + (long)s * NR * kc;
        int cols = n - s * NR < NR ? n - s * NR : NR;
        long j = j0 + (long)s * NR;
        for (int p = 0; p < kc; p++) {
            REAL *row = out + (long)p * NR;
            if (trans)
                for (int c = 0; c < cols; c++)
                    row[c] = B[(j + c) * ldb + p0 + p];
            else
                for (int c = 0; c < cols; c++)
                    row[c] = B[(p0 + p) * ldb + j + c];
            for (int c = cols; c < NR; c++)
                row[c] = 0;
        }
    }
}

/* C[m×n] (m <= MR, n <= NR) = alpha·(a·b) + beta·C over kc packed steps; beta == 0
 * never reads C. The accumulator array lives in registers once the loops unroll. */
static void GFN(micro_kernel)(int kc, const REAL *restrict a, const REAL *restrict b,
                              REAL alpha, REAL beta, REAL *restrict C, long ldc, int m, int n)
{
    VEC acc[MR][NV];
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++)
            acc[i][v] = (VEC){0};
    for (int p = 0; p < kc; p++) {
        VEC bv[NV];
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++)
            bv[v] = *(const VEC *)(b + v * VLEN);
#pragma GCC unroll 16
        for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
            for (int v = 0; v < NV; v++)
                acc[i][v] += a[i] * bv[v];
        a += MR;
        b += NR;
    }
    if (m == MR && n == NR) {
#pragma GCC unroll 16
        for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
            for (int v = 0; v < NV; v++) {
                REAL *c = C + i * ldc + v * VLEN;
                VEC old = {0};
                if (beta != 0)
                    memcpy(&old, c, sizeof old);
                VEC out = alpha * acc[i][v] + beta * old;
                memcpy(c, &out, sizeof out);
            }
        return;
    }
    REAL tile[MR][NR];
    memcpy(tile, acc, sizeof tile);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            REAL *c = C + i * ldc + j;
            *c = alpha * tile[i][j] + (beta != 0 ? beta * *c : 0);
        }
}

/* C = beta·C, the whole product when alpha·op(A)·op(B) contributes nothing. */
static void GFN(scale_c)(int M, int N, REAL beta, REAL *C, long ldc)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
            C[i * ldc + j] = beta == 0 ? 0 : beta * C[i * ldc + j];
}

/* Splits n into near-equal blocks no larger than `most`, each a multiple of `unit`
 * (the last may be short), so that there are at least `parts` of them when n allows. */
static int GFN(block_size)(int n, int most, int unit, int parts)
{
    int blocks = (n + most - 1) / most;
    if (blocks < parts)
        blocks = parts;
    int size = (n + blocks - 1) / blocks;
    size = (size + unit - 1) / unit * unit;
    return size < most ? size : most;
}

/* Multiplies one packed A panel (rows i0 .. i0+m, depth kc) by this thread's share of
 * the column blocks of op(B), packing each block into bpack first. */
static void GFN(panel_times_b)(int trans_b, const REAL *B, long ldb, int N, int nc, int p0,
                               int kc, const REAL *apack, int m, REAL *bpack, REAL alpha,
                               REAL beta, REAL *C, long ldc)
{
    int blocks = (N + nc - 1) / nc;
    OMP_FOR
    for (int jb = 0; jb < blocks; jb++) {
        int j0 = jb * nc, n = N - j0 < nc ? N - j0 : nc;
        GFN(pack_b)(trans_b, B, ldb, p0, kc, j0, n, bpack);
        for (int ir = 0; ir < m; ir += MR)
            for (int jr = 0; jr < n; jr += NR)
                GFN(micro_kernel)(kc, apack + (long)ir * kc, bpack + (long)jr * kc, alpha, beta,
                                  C + ir * ldc + j0 + jr, ldc, m - ir < MR ? m - ir : MR,
                                  n - jr < NR ? n - jr : NR);
    }
}

/* The blocked product once the degenerate cases are gone; NULL workspace → 0. */
static int GFN(blocked)(int trans_a, int trans_b, int M, int N, int K, REAL alpha,
                        const REAL *A, long lda, const REAL *B, long ldb, REAL beta, REAL *C,
                        long ldc, int threads)
{
    int kc = GFN(block_size)(K, KC, 1, 1);
    int mc = GFN(block_size)(M, MCB, MR, 1);
    int nc = GFN(block_size)(N, NCB, NR, threads);
    /* Each region starts on a vector boundary: B slivers are read with aligned loads. */
    size_t align = MG_KERNEL_ALIGN / sizeof(REAL);
    size_t apanel = ((size_t)((mc + MR - 1) / MR * MR) * kc + align - 1) / align * align;
    size_t bblock = (size_t)((nc + NR - 1) / NR * NR) * kc;
    REAL *work = mg_kernel_workspace((apanel + bblock * threads) * sizeof(REAL));
    if (!work)
        return 0;
    OMP_PARALLEL(threads)
    {
        REAL *bpack = work + apanel + bblock * OMP_THREAD_NUM;
        for (int i0 = 0; i0 < M; i0 += mc) {
            int m = M - i0 < mc ? M - i0 : mc;
            for (int p0 = 0; p0 < K; p0 += kc) {
                int k = K - p0 < kc ? K - p0 : kc;
                GFN(pack_a)(trans_a, A, lda, i0, m, p0, k, work);
                /* The first K block applies beta; later ones add to what it wrote. */
                GFN(panel_times_b)(trans_b, B, ldb, N, nc, p0, k, work, m, bpack, alpha,
                                   p0 == 0 ? beta : 1, C + i0 * ldc, ldc);
            }
        }
    }
    return 1;
}

/* The unblocked product: the fallback when no workspace can be had. */
static void GFN(simple)(int trans_a, int trans_b, int M, int N, int K, REAL alpha,
                        const REAL *A, long lda, const REAL *B, long ldb, REAL beta, REAL *C,
                        long ldc)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            REAL sum = 0;
            for (int p = 0; p < K; p++)
                sum += (trans_a ? A[p * lda + i] : A[i * lda + p]) *
                       (trans_b ? B[j * ldb + p] : B[p * ldb + j]);
            REAL *c = C + i * ldc + j;
            *c = alpha * sum + (beta != 0 ? beta * *c : 0);
        }
}

static void GFN(gemm)(int trans_a, int trans_b, int M, int N, int K, REAL alpha, const REAL *A,
               int lda, const REAL *B, int ldb, REAL beta, REAL *C, int ldc)
{
    if (M <= 0 || N <= 0)
        return;
    if (K <= 0 || alpha == 0) {
        GFN(scale_c)(M, N, beta, C, ldc);
        return;
    }
    int threads = gemm_threads(M, N, K);
    if (!GFN(blocked)(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, threads))
        GFN(simple)(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

#undef NR

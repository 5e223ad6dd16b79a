/* tensor_grid_small.h — the grid's small products (attention's per-head ones,
 * 64×64 from 32 steps, 64×32 from 64), for a type T, included by
 * tensor_loops.h inside its template. Through mg_sgemm each such product paid
 * for a whole GEMM's set-up (team size, slab job, workspace, packing of op(B)
 * into NR-column slivers) next to ~4,000 cycles of multiply-adds. Here the
 * operands are read in place: op(A) element by element (broadcast), op(B) by
 * its rows, and a transposed B (kᵀ, vᵀ) is first copied transposed into a
 * buffer on the stack that stays in L1. Each element of C is summed in step
 * order, over the steps op(A)'s zeros leave (grid_live), with fused
 * multiply-adds: thread-independent, as every product is one item.
 *
 * AVX-512 builds only: the register tile is 8 rows × 2 vectors of 64 bytes (16
 * of the 32 zmm registers); narrower builds would spill it, and keep the GEMM. */

#if defined(__AVX512F__)

typedef T FN(gvec) __attribute__((vector_size(64)));
/* GRID_L: elements of a 64-byte vector, which is also a cache line. */
enum { FN(GRID_L) = 64 / sizeof(T), FN(GRID_NR) = 2 * FN(GRID_L) };
#define GRID_MR 8
/* The largest op(B) copied transposed: a head's 64×64 in double is 32 KB. */
#define GRID_BT_MAX 4096

/* Whether product shapes suit the small path: whole tiles only, at least one
 * (grid_small_product shares its requests out over their count), a transposed B
 * that fits the buffer. */
static int FN(grid_small)(const tensor_grid *gr)
{
    return gr->M % GRID_MR == 0 && gr->N % FN(GRID_NR) == 0 && gr->M > 0 && gr->N > 0
           && gr->K > 0 && (!gr->tb || (long)gr->N * gr->K <= GRID_BT_MAX);
}

/* The steps [*lo, *hi) of rows [row, row + GRID_MR) of op(A) that z leaves. */
static inline void FN(grid_live)(mg_gemm_zeros z, int row, int K, int *lo, int *hi)
{
    long first = 0, end = K;
    if (z.where == MG_GEMM_ZERO_ABOVE) /* row i's terms p <= i + offset */
        end = (long)row + GRID_MR + z.offset < end ? (long)row + GRID_MR + z.offset : end;
    else if (z.where == MG_GEMM_ZERO_BELOW) /* row i's terms p >= i + offset */
        first = (long)row + z.offset > 0 ? (long)row + z.offset : 0;
    if (end <= first)
        end = first = 0;
    *lo = (int)first;
    *hi = (int)end;
}

/* C[8 × 2 vectors] = Σ_{p in [lo, hi)} op(A)[i][p]·B[p][·] + beta·C, op(A)[i][p] at
 * a[i·a_lane + p·a_step], B's rows ldb apart; beta 0 never reads C. */
static inline void FN(grid_tile)(int lo, int hi, const T *a, long a_lane, long a_step,
                                 const T *b, long ldb, T beta, T *c, long ldc)
{
    enum { L = FN(GRID_L) };
    FN(gvec) acc[GRID_MR][2];
#pragma GCC unroll 8
    for (int i = 0; i < GRID_MR; i++)
        acc[i][0] = acc[i][1] = (FN(gvec)){ 0 };
    a += lo * a_step;
    b += lo * ldb;
    for (int p = lo; p < hi; p++) {
        FN(gvec) b0, b1;
        memcpy(&b0, b, sizeof b0);
        memcpy(&b1, b + L, sizeof b1);
#pragma GCC unroll 8
        for (int i = 0; i < GRID_MR; i++) {
            acc[i][0] += a[i * a_lane] * b0;
            acc[i][1] += a[i * a_lane] * b1;
        }
        a += a_step;
        b += ldb;
    }
#pragma GCC unroll 8
    for (int i = 0; i < GRID_MR; i++)
#pragma GCC unroll 2
        for (int v = 0; v < 2; v++) {
            T *ci = c + i * ldc + v * L;
            FN(gvec) out = acc[i][v];
            if (beta != 0) {
                FN(gvec) old;
                memcpy(&old, ci, sizeof old);
                out += beta * old;
            }
            memcpy(ci, &out, sizeof out);
        }
}

/* dst[p·n + j] = src[j·ld + p] for p, j < 8 */
#define TRANSPOSE8_NAME FN(grid_transpose8)
#define TRANSPOSE8_REAL T
#include "kernels_transpose8.h"

/* dst[p·n + j] = src[j·ld + p]: op(B) = Bᵀ (n rows of k, ld apart) as k rows of n;
 * n is a multiple of 8 (grid_small), k's last k % 8 steps go one by one. */
static void FN(grid_transpose)(const T *src, long ld, int n, int k, T *dst)
{
    const int k8 = k / 8 * 8;
    for (int j = 0; j < n; j += 8) {
        for (int p = 0; p < k8; p += 8)
            FN(grid_transpose8)(src + j * ld + p, ld, dst + (long)p * n + j, n);
        for (int jj = j; jj < j + 8; jj++)
            for (int p = k8; p < k; p++)
                dst[(long)p * n + jj] = src[jj * ld + p];
    }
}

/* Reads one word of every line of A, row by row as stored. A product with ta
 * walks down A's columns, so a cold A (attention's weights, written in the
 * forward, read by dv = Wᵀ·dY) missed one line at a time; read in order first,
 * whole rows, zeros too (a head's [T,T] is one block: a sequential read the
 * hardware's stream prefetcher follows; reading only the live lines broke the
 * stream and gained a fifth as much), its misses overlap. The words are OR-ed
 * and discarded. */
static void FN(grid_touch)(const tensor_grid *gr, const T *a)
{
    unsigned acc[4] = { 0, 0, 0, 0 };
    const int rows = gr->ta ? gr->K : gr->M,
              cols = gr->ta ? gr->M : gr->K;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c += FN(GRID_L)) {
            unsigned x;
            memcpy(&x, a + r * (long)gr->lda + c, sizeof x);
            acc[r & 3] |= x;
        }
    const unsigned all = acc[0] | acc[1] | acc[2] | acc[3];
    __asm__ volatile("" : : "r"(all)); /* kept: the reads are the point */
}

/* Asks for a tile's rows of C (8 rows of 2 vectors) before its multiply-adds:
 * attention's outputs (scores, weights' gradient, the mix) are fresh buffers
 * last touched a step ago, so each tile's stores missed the caches at its
 * end, with nothing left to overlap them. Asked for at the tile's start, the
 * lines arrive while it computes: attention 1.2-1.3 ms a step shorter (of
 * ~9, per-op CPU time, odd-step toggle, 3 runs, on a loaded machine); asked
 * for one tile ahead, 0.1-0.3 ms slower than that. */
static inline void FN(grid_prefetch_c)(T *c, long ldc)
{
#pragma GCC unroll 8
    for (int i = 0; i < GRID_MR; i++) {
        __builtin_prefetch(c + i * ldc, 1);
        __builtin_prefetch(c + i * ldc + FN(GRID_L), 1);
    }
}

/* The next item's lines of one operand (rows × `lines` lines, rows ld apart),
 * asked for a few at a time, from row r's line l on. */
typedef struct FN(ahead) {
    const T *p;
    long ld;
    int rows, lines, r, l;
} FN(ahead);

/* The next item's operand at next (NULL: none), rows × cols at ld, worth asking
 * for only when it is a slice of wider rows (ld > cols: qkv's parts, a head of
 * the merged [B,T,C]): those are read row by row 1.5 KB or 0.5 KB apart, a
 * stride no hardware prefetcher follows from one item to the next. A [T,T]
 * block (scores, weights, their grads) is contiguous and was written by the
 * op just before; asking for it measured no gain. */
static FN(ahead) FN(ahead_of)(const T *next, long ld, int rows, int cols)
{
    if (!next || ld <= cols)
        return (FN(ahead)){ NULL, 0, 0, 0, 0, 0 };
    return (FN(ahead)){ next, ld, rows, (cols + FN(GRID_L) - 1) / FN(GRID_L), 0, 0 };
}

/* Asks for up to n more lines of x into L2 (prefetcht1: into L1, prefetcht0,
 * made the scores' backward slower, 0.04-0.1 ms a step: the lines evict the
 * current item's). */
static inline void FN(ahead_step)(FN(ahead) *x, int n)
{
    for (; n > 0 && x->r < x->rows; n--) {
        __builtin_prefetch(x->p + x->r * x->ld + x->l * (long)FN(GRID_L), 0, 2);
        if (++x->l == x->lines)
            x->l = 0, x->r++;
    }
}

/* The tiles of one product, op(A) zero where z says, asking for a share of
 * the next item's lines at each. */
static void FN(grid_product_tiles)(const tensor_grid *gr, const T *a, const T *b, T *c,
                                   mg_gemm_zeros z, FN(ahead) *ahead_a, int a_share,
                                   FN(ahead) *ahead_b, int b_share)
{
    T bt[GRID_BT_MAX] __attribute__((aligned(64)));
    long ldb = gr->ldb;
    if (gr->a_far)
        FN(grid_touch)(gr, a);
    if (gr->tb) {
        FN(grid_transpose)(b, gr->ldb, gr->N, gr->K, bt);
        b = bt;
        ldb = gr->N;
    }
    const long a_lane = gr->ta ? 1 : gr->lda, a_step = gr->ta ? gr->lda : 1;
    for (int i0 = 0; i0 < gr->M; i0 += GRID_MR) {
        int lo, hi;
        FN(grid_live)(z, i0, gr->K, &lo, &hi);
        for (int j0 = 0; j0 < gr->N; j0 += FN(GRID_NR)) {
            FN(grid_prefetch_c)(c + (long)i0 * gr->ldc + j0, gr->ldc);
            FN(ahead_step)(ahead_b, b_share);
            FN(ahead_step)(ahead_a, a_share);
            FN(grid_tile)(lo, hi, a + i0 * a_lane, a_lane, a_step, b + j0, ldb, (T)gr->beta,
                          c + (long)i0 * gr->ldc + j0, gr->ldc);
        }
    }
}

/* One product of the grid, op(A) zero where z says. While it runs, next_a and
 * next_b, the next item's operands (NULL: none), are asked for, a share at
 * each tile, so that item does not start on cold strided reads: attention
 * 0.3-0.8 ms a step shorter (of ~5.5-6, per-op CPU time, odd-step toggle, 4 runs).
 * Not for a product that reads its A whole first (a_far): there the requests
 * made it 0.00-0.09 ms slower. */
static void FN(grid_small_product)(const tensor_grid *gr, const T *a, const T *b, T *c,
                                   mg_gemm_zeros z, const T *next_a, const T *next_b)
{
    if (gr->a_far)
        next_a = next_b = NULL;
    FN(ahead) ahead_a = FN(ahead_of)(next_a, gr->lda, gr->ta ? gr->K : gr->M,
                                     gr->ta ? gr->M : gr->K),
              ahead_b = FN(ahead_of)(next_b, gr->ldb, gr->tb ? gr->N : gr->K,
                                     gr->tb ? gr->K : gr->N);
    const int tiles = gr->M / GRID_MR * (gr->N / FN(GRID_NR)),
              a_share = (ahead_a.rows * ahead_a.lines + tiles - 1) / tiles,
              b_share = (ahead_b.rows * ahead_b.lines + tiles - 1) / tiles;
    FN(grid_product_tiles)(gr, a, b, c, z, &ahead_a, a_share, &ahead_b, b_share);
}

#undef GRID_MR
#undef GRID_BT_MAX

#else

static int FN(grid_small)(const tensor_grid *gr)
{
    (void)gr;
    return 0;
}

static void FN(grid_small_product)(const tensor_grid *gr, const T *a, const T *b, T *c,
                                   mg_gemm_zeros z, const T *next_a, const T *next_b)
{
    (void)gr, (void)a, (void)b, (void)c, (void)z, (void)next_a, (void)next_b;
}

#endif

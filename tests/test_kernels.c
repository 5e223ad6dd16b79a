/* test_kernels.c — GEMM and the BLAS-1 kernels against plain double-precision
 * references: every transpose combination, odd sizes that leave partial register tiles
 * and cache blocks, strides, alpha/beta, and 1 vs 2 threads giving identical bits; the
 * products that skip known zeros of A give the dense product's bits. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"
#include "kernels_isa.h"
#include "mg_kernels.h"
#include "mg_rng.h"

/* ---- GEMM ---------------------------------------------------------------------------- */

typedef struct gemm_case {
    int trans_a, trans_b, M, N, K;
    int pad;              /* extra elements at the end of every row of A, B and C */
    double alpha, beta;
} gemm_case;

/* A matrix as stored: rows × cols with row stride ld, held in double for the reference. */
typedef struct matrix {
    int rows, cols, ld;
    double *v;
} matrix;

static matrix matrix_random(mg_rng *rng, int rows, int cols, int pad)
{
    matrix m = {rows, cols, cols + pad, NULL};
    m.v = malloc(sizeof(double) * (size_t)rows * (size_t)m.ld);
    ck_assert_ptr_nonnull(m.v);
    for (long i = 0; i < (long)rows * m.ld; i++)
        m.v[i] = mg_rng_range(rng, -1, 1);
    return m;
}

/* op(X)[i][j] of a stored matrix. */
static double op_at(const matrix *x, int trans, int i, int j)
{
    return trans ? x->v[(long)j * x->ld + i] : x->v[(long)i * x->ld + j];
}

/* Runs the case through mg_sgemm (single != 0) or mg_dgemm on copies of A, B, C0 and
 * returns the resulting C in double, stride and padding included. */
static double *run_gemm(const gemm_case *c, int single, int threads, const matrix *A,
                        const matrix *B, const matrix *C0)
{
    long na = (long)A->rows * A->ld, nb = (long)B->rows * B->ld, nc = (long)C0->rows * C0->ld;
    double *out = malloc(sizeof(double) * (size_t)nc);
    ck_assert_ptr_nonnull(out);
    mg_set_threads(threads);
    if (!single) {
        memcpy(out, C0->v, sizeof(double) * (size_t)nc);
        mg_dgemm(c->trans_a, c->trans_b, c->M, c->N, c->K, c->alpha, A->v, A->ld, B->v, B->ld,
                 c->beta, out, C0->ld);
    } else {
        float *a = malloc(sizeof(float) * (size_t)na), *b = malloc(sizeof(float) * (size_t)nb),
              *cc = malloc(sizeof(float) * (size_t)nc);
        ck_assert(a && b && cc);
        for (long i = 0; i < na; i++)
            a[i] = (float)A->v[i];
        for (long i = 0; i < nb; i++)
            b[i] = (float)B->v[i];
        for (long i = 0; i < nc; i++)
            cc[i] = (float)C0->v[i];
        mg_sgemm(c->trans_a, c->trans_b, c->M, c->N, c->K, (float)c->alpha, a, A->ld, b, B->ld,
                 (float)c->beta, cc, C0->ld);
        for (long i = 0; i < nc; i++)
            out[i] = cc[i];
        free(a);
        free(b);
        free(cc);
    }
    mg_set_threads(1);
    return out;
}

/* Checks `got` against the double reference: entries inside C within a rounding bound
 * that grows with K, entries in the row padding untouched. */
static void check_gemm_result(const gemm_case *c, int single, const matrix *A, const matrix *B,
                              const matrix *C0, const double *got)
{
    double eps = single ? FLT_EPSILON : DBL_EPSILON;
    for (int i = 0; i < c->M; i++) {
        for (int j = 0; j < c->N; j++) {
            double sum = 0, magnitude = 0;
            for (int p = 0; p < c->K; p++) {
                double term = op_at(A, c->trans_a, i, p) * op_at(B, c->trans_b, p, j);
                sum += term;
                magnitude += fabs(term);
            }
            double old = C0->v[(long)i * C0->ld + j];
            double scaled_old = c->beta != 0 ? c->beta * old : 0;
            double want = c->alpha * sum + scaled_old;
            double bound = fabs(c->alpha) * magnitude + fabs(scaled_old);
            double tol = 2.0 * (c->K + 3) * eps * bound + 1e-300;
            double have = got[(long)i * C0->ld + j];
            ck_assert_msg(fabs(have - want) <= tol,
                          "%s ta=%d tb=%d M=%d N=%d K=%d pad=%d: C[%d][%d] = %.9g, want %.9g",
                          single ? "sgemm" : "dgemm", c->trans_a, c->trans_b, c->M, c->N, c->K,
                          c->pad, i, j, have, want);
        }
        for (int j = c->N; j < C0->ld; j++) {
            double before = single ? (double)(float)C0->v[(long)i * C0->ld + j]
                                   : C0->v[(long)i * C0->ld + j];
            ck_assert_msg(got[(long)i * C0->ld + j] == before, "padding of C row %d written", i);
        }
    }
}

/* One case in both precisions; with `compare_threads`, also 2 threads == 1 thread bitwise. */
static void check_gemm_case(const gemm_case *c, int compare_threads)
{
    mg_rng rng;
    mg_rng_seed(&rng, (uint64_t)c->M * 1000003u + (uint64_t)c->N * 1009u + (uint64_t)c->K);
    matrix A = matrix_random(&rng, c->trans_a ? c->K : c->M, c->trans_a ? c->M : c->K, c->pad);
    matrix B = matrix_random(&rng, c->trans_b ? c->N : c->K, c->trans_b ? c->K : c->N, c->pad);
    matrix C0 = matrix_random(&rng, c->M, c->N, c->pad);
    if (c->beta == 0) /* beta == 0 must ignore C entirely, even NaN */
        for (int i = 0; i < c->M; i++)
            for (int j = 0; j < c->N; j++)
                C0.v[(long)i * C0.ld + j] = NAN;
    for (int single = 0; single <= 1; single++) {
        double *one = run_gemm(c, single, 1, &A, &B, &C0);
        check_gemm_result(c, single, &A, &B, &C0, one);
        if (compare_threads) {
            double *two = run_gemm(c, single, 2, &A, &B, &C0);
            size_t bytes = sizeof(double) * (size_t)C0.rows * (size_t)C0.ld;
            ck_assert_msg(memcmp(one, two, bytes) == 0, "%s M=%d N=%d K=%d: 2 threads differ",
                          single ? "sgemm" : "dgemm", c->M, c->N, c->K);
            free(two);
        }
        free(one);
    }
    free(A.v);
    free(B.v);
    free(C0.v);
}

/* Every transpose combination over odd sizes: partial tiles in every dimension. */
START_TEST(test_gemm_odd_sizes_all_transposes)
{
    static const int sizes[] = {1, 7, 33, 65};
    int n = (int)(sizeof sizes / sizeof sizes[0]);
    for (int t = 0; t < 4; t++)
        for (int im = 0; im < n; im++)
            for (int in = 0; in < n; in++)
                for (int ik = 0; ik < n; ik++) {
                    gemm_case c = {t & 1, t >> 1, sizes[im], sizes[in], sizes[ik],
                                   (im + in + ik) % 3, 1.0, 0.0};
                    check_gemm_case(&c, 0);
                }
}
END_TEST

/* Sizes past the cache blocks (K, N and M split into several blocks), alpha/beta,
 * strides, the MLP's shapes, and the same bits from 1 and 2 threads. */
static const gemm_case blocked_cases[] = {
    {0, 0, 257, 257, 257, 0, 1.0, 0.0},
    {1, 0, 257, 65, 1000, 3, 0.75, -1.5},
    {0, 1, 130, 600, 129, 5, -2.0, 1.0},
    {1, 1, 65, 513, 77, 1, 0.5, 0.25},
    {0, 0, 3100, 9, 5, 2, 1.5, 0.0},
    {0, 0, 64, 128, 784, 0, 1.0, 0.0},
    {1, 0, 784, 128, 64, 0, 1.0, 1.0},
    {0, 1, 64, 784, 128, 0, 1.0, 0.0},
    /* a transposed A read in place (few column slivers) over K blocks, split by rows
     * into slabs that end in a short row sliver; as the GPT's Xᵀ·dY */
    {1, 0, 300, 100, 1030, 3, 0.5, 1.0},
    {1, 0, 129, 128, 1024, 0, 1.0, 0.0},
    /* few row slivers: B's full column slivers read in place, rows 75 apart (unaligned) */
    {0, 0, 100, 70, 700, 5, 1.0, 0.5},
    /* a wide transposed A (the GPT's qkv weight gradient Xᵀ·dY): 2 threads cut rows,
     * slabs of 64 and 56, each reading B in place */
    {1, 0, 120, 390, 1030, 2, 1.0, 0.5},
};

START_TEST(test_gemm_blocked_sizes_alpha_beta_threads)
{
    check_gemm_case(&blocked_cases[_i], 1);
}
END_TEST

/* A zeros case: op(A) (M×K) zero where `where` and `offset` say. */
typedef struct zeros_case {
    int trans_a, trans_b, M, N, K, where, offset;
    double beta;
} zeros_case;

/* Tall ones split rows over 2 threads (a slab's rows start past 0), wide ones columns;
 * K = 700 crosses a K block; the offsets move the diagonal off the corner both ways. */
static const zeros_case zeros_cases[] = {
    {0, 0, 64, 32, 64, MG_GEMM_ZERO_ABOVE, 0, 0.0},  /* attention's W·v */
    {1, 0, 64, 32, 64, MG_GEMM_ZERO_BELOW, 0, 1.0},  /* and dv = Wᵀ·dY */
    {0, 1, 301, 45, 700, MG_GEMM_ZERO_ABOVE, 3, 0.5},
    {1, 1, 301, 45, 700, MG_GEMM_ZERO_BELOW, -5, 0.0},
    {0, 0, 37, 530, 91, MG_GEMM_ZERO_BELOW, 17, -1.0},
    {1, 0, 37, 530, 91, MG_GEMM_ZERO_ABOVE, -20, 0.0},
    {0, 0, 9, 7, 5, MG_GEMM_ZERO_ABOVE, -12, 1.0},   /* every term zero */
};

/* mg_[sd]gemm_zeros on 1 and 2 threads gives mg_[sd]gemm's bits: it leaves out only
 * products by the zeros, which change no sum. */
START_TEST(test_gemm_zeros_same_bits)
{
    const zeros_case *z = &zeros_cases[_i];
    mg_rng rng;
    mg_rng_seed(&rng, 77u + (uint64_t)_i);
    int ar = z->trans_a ? z->K : z->M, ac = z->trans_a ? z->M : z->K;
    int br = z->trans_b ? z->N : z->K, bc = z->trans_b ? z->K : z->N;
    matrix A = matrix_random(&rng, ar, ac, 1), B = matrix_random(&rng, br, bc, 2),
           C0 = matrix_random(&rng, z->M, z->N, 0);
    for (int i = 0; i < z->M; i++)
        for (int p = 0; p < z->K; p++)
            if (z->where == MG_GEMM_ZERO_ABOVE ? p > i + z->offset : p < i + z->offset)
                A.v[z->trans_a ? (long)p * A.ld + i : (long)i * A.ld + p] = 0;
    long na = (long)ar * A.ld, nb = (long)br * B.ld, nc = (long)z->M * z->N;
    float *as = malloc(sizeof(float) * (size_t)na), *bs = malloc(sizeof(float) * (size_t)nb);
    float *cs[3];
    double *cd[3];
    ck_assert(as && bs);
    for (long i = 0; i < na; i++)
        as[i] = (float)A.v[i];
    for (long i = 0; i < nb; i++)
        bs[i] = (float)B.v[i];
    for (int r = 0; r < 3; r++) { /* dense on 1 thread, then zeros on 1 and 2 */
        cs[r] = malloc(sizeof(float) * (size_t)nc);
        cd[r] = malloc(sizeof(double) * (size_t)nc);
        ck_assert(cs[r] && cd[r]);
        for (long i = 0; i < nc; i++)
            cd[r][i] = cs[r][i] = (float)C0.v[i];
        mg_set_threads(r == 2 ? 2 : 1);
        if (r == 0) {
            mg_sgemm(z->trans_a, z->trans_b, z->M, z->N, z->K, 1.0f, as, A.ld, bs, B.ld,
                     (float)z->beta, cs[r], z->N);
            mg_dgemm(z->trans_a, z->trans_b, z->M, z->N, z->K, 1.0, A.v, A.ld, B.v, B.ld,
                     z->beta, cd[r], z->N);
        } else {
            mg_sgemm_zeros(z->trans_a, z->trans_b, z->M, z->N, z->K, 1.0f, as, A.ld, bs, B.ld,
                           (float)z->beta, cs[r], z->N, z->where, z->offset);
            mg_dgemm_zeros(z->trans_a, z->trans_b, z->M, z->N, z->K, 1.0, A.v, A.ld, B.v,
                           B.ld, z->beta, cd[r], z->N, z->where, z->offset);
        }
    }
    mg_set_threads(1);
    for (int r = 1; r < 3; r++) {
        ck_assert_msg(memcmp(cs[0], cs[r], sizeof(float) * (size_t)nc) == 0,
                      "sgemm_zeros case %d, %d thread(s): other bits", _i, r);
        ck_assert_msg(memcmp(cd[0], cd[r], sizeof(double) * (size_t)nc) == 0,
                      "dgemm_zeros case %d, %d thread(s): other bits", _i, r);
    }
    for (int r = 0; r < 3; r++) {
        free(cs[r]);
        free(cd[r]);
    }
    free(as);
    free(bs);
    free(A.v);
    free(B.v);
    free(C0.v);
}
END_TEST

/* K == 0 or alpha == 0: C = beta·C, and beta == 0 clears even NaN. */
START_TEST(test_gemm_degenerate)
{
    double C[6] = {1, 2, 3, 4, 5, NAN};
    float Cs[6] = {1, 2, 3, 4, 5, NAN}, As[6] = {0}, Bs[6] = {0};
    double A[6] = {0}, B[6] = {0};
    mg_dgemm(0, 0, 2, 3, 0, 1.0, A, 1, B, 3, 2.0, C, 3);
    ck_assert_double_eq(C[4], 10.0);
    mg_dgemm(0, 0, 2, 3, 2, 0.0, A, 2, B, 3, 0.0, C, 3);
    for (int i = 0; i < 6; i++)
        ck_assert_double_eq(C[i], 0.0);
    mg_sgemm(1, 1, 2, 3, 2, 0.0f, As, 2, Bs, 2, 0.0f, Cs, 3);
    for (int i = 0; i < 6; i++)
        ck_assert_float_eq(Cs[i], 0.0f);
    mg_dgemm(0, 0, 0, 3, 2, 1.0, A, 2, B, 3, 0.0, NULL, 3); /* empty: touches nothing */
}
END_TEST

START_TEST(test_threads_setting)
{
    ck_assert_int_eq(mg_get_threads(), 1);
    mg_set_threads(2);
    ck_assert_int_eq(mg_get_threads(), 2);
    mg_set_threads(0);
    ck_assert_int_eq(mg_get_threads(), 1);
    mg_set_threads(-5);
    ck_assert_int_eq(mg_get_threads(), 1);
    mg_set_threads(1000);
    ck_assert_int_eq(mg_get_threads(), 64);
    mg_set_threads(1);
}
END_TEST

/* A child forked after threaded kernels must not wait on the parent's OpenMP pool. */
START_TEST(test_gemm_threads_survive_fork)
{
    enum { n = 128 };
    static float A[n * n], B[n * n], C[n * n];
    for (int i = 0; i < n * n; i++)
        A[i] = B[i] = 1.0f;
    mg_set_threads(2);
    mg_sgemm(0, 0, n, n, n, 1.0f, A, n, B, n, 0.0f, C, n);
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        alarm(30); /* a hang becomes a SIGALRM the parent sees */
        mg_sgemm(0, 0, n, n, n, 1.0f, A, n, B, n, 0.0f, C, n);
        _exit(C[n * n - 1] == (float)n ? 0 : 1);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "forked child failed or hung");
    ck_assert_float_eq(C[0], (float)n);
    mg_set_threads(1);
}
END_TEST

/* Several user threads multiplying at once share the pool without mixing their work. */
typedef struct concurrent_product {
    int n;
    float value; /* every entry of A and B */
    float *C;
} concurrent_product;

static void *multiply_filled(void *arg)
{
    concurrent_product *job = arg;
    int n = job->n;
    float *A = malloc(sizeof(float) * (size_t)n * n), *B = malloc(sizeof(float) * (size_t)n * n);
    if (A && B) {
        for (int i = 0; i < n * n; i++)
            A[i] = B[i] = job->value;
        for (int round = 0; round < 20; round++)
            mg_sgemm(round & 1, round >> 1 & 1, n, n, n, 1.0f, A, n, B, n, 0.0f, job->C, n);
    }
    free(A);
    free(B);
    return NULL;
}

START_TEST(test_gemm_concurrent_callers)
{
    enum { callers = 3 };
    mg_set_threads(2);
    pthread_t tid[callers];
    concurrent_product jobs[callers];
    for (int t = 0; t < callers; t++) {
        jobs[t] = (concurrent_product){112 + 16 * t, (float)(t + 1), NULL};
        jobs[t].C = calloc((size_t)jobs[t].n * (size_t)jobs[t].n, sizeof(float));
        ck_assert_ptr_nonnull(jobs[t].C);
        ck_assert_int_eq(pthread_create(&tid[t], NULL, multiply_filled, &jobs[t]), 0);
    }
    for (int t = 0; t < callers; t++) {
        ck_assert_int_eq(pthread_join(tid[t], NULL), 0);
        float want = (float)jobs[t].n * jobs[t].value * jobs[t].value; /* exact in float */
        for (int i = 0; i < jobs[t].n * jobs[t].n; i++)
            ck_assert_float_eq(jobs[t].C[i], want);
        free(jobs[t].C);
    }
    mg_set_threads(1);
}
END_TEST

/* Jobs back to back, of changing sizes and teams, run each item once and no other: a
 * worker late for one job (say, between seeing it published and reading its size)
 * must not run items of the next, nor items past a job's end. Some gaps are longer
 * than the workers' polling, so they also sleep and are woken. */
enum { POOL_MAX_ITEMS = 41 };
typedef struct pool_job {
    atomic_int hits[POOL_MAX_ITEMS];
} pool_job;

static void count_hit(void *ctx, int i)
{
    pool_job *job = ctx;
    atomic_fetch_add(&job->hits[i], 1);
}

START_TEST(test_pool_runs_every_item_once)
{
    static pool_job jobs[2];
    for (int round = 0; round < 20000; round++) {
        pool_job *job = &jobs[round & 1]; /* the last job's ctx is still around */
        const int count = 2 + round * 7 % (POOL_MAX_ITEMS - 1), threads = 2 + round % 3;
        for (int i = 0; i < POOL_MAX_ITEMS; i++)
            atomic_store(&job->hits[i], 0);
        mg_kernel_run(count_hit, job, count, threads);
        for (int i = 0; i < POOL_MAX_ITEMS; i++)
            ck_assert_msg(atomic_load(&job->hits[i]) == (i < count),
                          "round %d: item %d of %d ran %d times", round, i, count,
                          atomic_load(&job->hits[i]));
        if (round % 1000 == 999)
            nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
    }
}
END_TEST

/* ---- instruction-set builds ----------------------------------------------------------- */

/* Every build this CPU runs computes GEMM within rounding of the reference, partial tiles,
 * cache blocks and masked edges included (the other tests exercise the chosen build only). */
START_TEST(test_every_isa_build_computes_gemm)
{
    static const gemm_case cases[] = {
        {0, 0, 7, 33, 65, 1, 1.0, 0.0},   {1, 1, 33, 7, 1, 2, -0.5, 2.0},
        {0, 1, 65, 17, 33, 0, 1.0, 1.0},  {1, 0, 257, 65, 1000, 3, 0.75, -1.5},
        {0, 0, 64, 128, 784, 0, 1.0, 0.0}, {0, 0, 64, 10, 128, 0, 1.0, 0.0},
    };
    int ran = 0;
    for (int isa = 0; isa < MG_ISA_COUNT; isa++) {
        if (!mg_kernel_isa_force((mg_isa)isa))
            continue;
        ck_assert_str_eq(mg_kernels_isa(), mg_kernel_isa_name((mg_isa)isa));
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            check_gemm_case(&cases[i], 1);
        ran++;
    }
    ck_assert_int_ge(ran, 1); /* the last build (baseline, or the only one) always runs */
    ck_assert(!mg_kernel_isa_force(MG_ISA_COUNT));
    mg_kernel_isa_rechoose();
}
END_TEST

/* The choice is the build MG_KERNELS_ISA names when the CPU runs it, else the widest
 * one the CPU runs: never a build the CPU cannot run. */
START_TEST(test_isa_choice_honours_environment)
{
    int widest = 0;
    while (!mg_kernel_isa_force((mg_isa)widest))
        widest++;
    unsetenv("MG_KERNELS_ISA");
    ck_assert_int_eq(mg_kernel_isa_rechoose(), widest);
    const char *narrowest = mg_kernel_isa_name((mg_isa)(MG_ISA_COUNT - 1));
    setenv("MG_KERNELS_ISA", narrowest, 1);
    ck_assert_int_eq(mg_kernel_isa_rechoose(), MG_ISA_COUNT - 1);
    ck_assert_str_eq(mg_kernels_isa(), narrowest);
    setenv("MG_KERNELS_ISA", "no-such-build", 1);
    ck_assert_int_eq(mg_kernel_isa_rechoose(), widest);
    unsetenv("MG_KERNELS_ISA");
}
END_TEST

/* ---- BLAS-1 --------------------------------------------------------------------------- */

static void fill(mg_rng *rng, double *x, int n)
{
    for (int i = 0; i < n; i++)
        x[i] = mg_rng_range(rng, -2, 2);
}

/* Lengths 1..67 cover every vector remainder; float results match double ones. */
START_TEST(test_axpy_scal_dot)
{
    mg_rng rng;
    mg_rng_seed(&rng, 7);
    for (int n = 1; n <= 67; n += 3) {
        double x[67], y[67], y0[67];
        float xs[67], ys[67];
        fill(&rng, x, n);
        fill(&rng, y0, n);
        double want_dot = 0;
        for (int i = 0; i < n; i++) {
            want_dot += x[i] * y0[i];
            y[i] = y0[i];
            xs[i] = (float)x[i];
            ys[i] = (float)y0[i];
        }
        ck_assert_double_eq_tol(mg_ddot(n, x, y), want_dot, 1e-12);
        ck_assert_double_eq_tol(mg_sdot(n, xs, ys), want_dot, 1e-5 * n);
        mg_daxpy(n, -0.5, x, y);
        mg_saxpy(n, -0.5f, xs, ys);
        for (int i = 0; i < n; i++) {
            ck_assert_double_eq_tol(y[i], y0[i] - 0.5 * x[i], 1e-15);
            ck_assert_double_eq_tol(ys[i], y0[i] - 0.5 * x[i], 1e-6);
        }
        mg_dscal(n, 3.0, y);
        mg_sscal(n, 3.0f, ys);
        for (int i = 0; i < n; i++) {
            ck_assert_double_eq_tol(y[i], 3.0 * (y0[i] - 0.5 * x[i]), 1e-14);
            ck_assert_double_eq_tol(ys[i], 3.0 * (y0[i] - 0.5 * x[i]), 1e-5);
        }
    }
}
END_TEST

static Suite *kernels_suite(void)
{
    Suite *s = suite_create("kernels");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_gemm_odd_sizes_all_transposes);
    tcase_add_loop_test(tc, test_gemm_blocked_sizes_alpha_beta_threads, 0,
                        (int)(sizeof blocked_cases / sizeof blocked_cases[0]));
    tcase_add_loop_test(tc, test_gemm_zeros_same_bits, 0,
                        (int)(sizeof zeros_cases / sizeof zeros_cases[0]));
    tcase_add_test(tc, test_gemm_degenerate);
    tcase_add_test(tc, test_threads_setting);
    tcase_add_test(tc, test_gemm_threads_survive_fork);
    tcase_add_test(tc, test_gemm_concurrent_callers);
    tcase_add_test(tc, test_pool_runs_every_item_once);
    tcase_add_test(tc, test_every_isa_build_computes_gemm);
    tcase_add_test(tc, test_axpy_scal_dot);
    tcase_add_test(tc, test_isa_choice_honours_environment);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(kernels_suite()); }

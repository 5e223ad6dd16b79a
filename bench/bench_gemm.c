/* bench_gemm.c — mg_sgemm against OpenBLAS's cblas_sgemm, side by side in one run.
 *
 *     OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=2 build/bench/bench_gemm [repeats]
 *
 * For each shape and thread count it prints the best time of `repeats` timed batches
 * (default 10) as GFLOP/s for both libraries and their ratio. Best-of, because the
 * machine is shared: the best run is the one least disturbed by other processes.
 * OpenBLAS picks its kernels at load time from OPENBLAS_CORETYPE (printed first);
 * Debian's build detects this CPU as Prescott unless told SkylakeX, so run both. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mg_kernels.h"

typedef struct shape {
    const char *name;
    int trans_a, trans_b, M, N, K;
    int dbl; /* mg_dgemm against cblas_dgemm instead of the float pair */
} shape;

static const shape shapes[] = {
    {"square 64", 0, 0, 64, 64, 64, 0},
    {"square 256", 0, 0, 256, 256, 256, 0},
    {"square 1024", 0, 0, 1024, 1024, 1024, 0},
    {"square 2048", 0, 0, 2048, 2048, 2048, 0},
    {"mlp X.W1 64x784.784x128", 0, 0, 64, 128, 784, 0},
    {"mlp Xt.dY 784x64.64x128", 1, 0, 784, 128, 64, 0},
    {"mlp dY.W1t 64x128.128x784", 0, 1, 64, 784, 128, 0},
    {"mlp H.W2 64x128.128x10", 0, 0, 64, 10, 128, 0},
    {"mlp Ht.dZ 128x64.64x10", 1, 0, 128, 10, 64, 0},
    {"mlp dZ.W2t 64x10.10x128", 0, 1, 64, 128, 10, 0},
    {"dgemm square 256", 0, 0, 256, 256, 256, 1},
    {"dgemm square 1024", 0, 0, 1024, 1024, 1024, 1},
    {"dgemm mlp X.W1", 0, 0, 64, 128, 784, 1},
};

/* C = op(A)·op(B) for a shape, on float or double arrays as s->dbl says. */
typedef void gemm_fn(const shape *s, const void *A, const void *B, void *C);

static void run_mg(const shape *s, const void *A, const void *B, void *C)
{
    int lda = s->trans_a ? s->M : s->K, ldb = s->trans_b ? s->K : s->N;
    if (s->dbl)
        mg_dgemm(s->trans_a, s->trans_b, s->M, s->N, s->K, 1.0, A, lda, B, ldb, 0.0, C, s->N);
    else
        mg_sgemm(s->trans_a, s->trans_b, s->M, s->N, s->K, 1.0f, A, lda, B, ldb, 0.0f, C, s->N);
}

static void run_openblas(const shape *s, const void *A, const void *B, void *C)
{
    int lda = s->trans_a ? s->M : s->K, ldb = s->trans_b ? s->K : s->N;
    enum CBLAS_TRANSPOSE ta = s->trans_a ? CblasTrans : CblasNoTrans;
    enum CBLAS_TRANSPOSE tb = s->trans_b ? CblasTrans : CblasNoTrans;
    if (s->dbl)
        cblas_dgemm(CblasRowMajor, ta, tb, s->M, s->N, s->K, 1.0, A, lda, B, ldb, 0.0, C, s->N);
    else
        cblas_sgemm(CblasRowMajor, ta, tb, s->M, s->N, s->K, 1.0f, A, lda, B, ldb, 0.0f, C,
                    s->N);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The 1-minute load average, to show whether other work shared the cores; -1 if unknown. */
static double load_average(void)
{
    double load = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &load) != 1)
            load = -1;
        fclose(f);
    }
    return load;
}

/* Best seconds per call over `repeats` batches, each long enough (~20 ms) to time. */
static double best_seconds(gemm_fn *fn, const shape *s, const void *A, const void *B, void *C,
                           int repeats)
{
    fn(s, A, B, C); /* warm: caches, packing buffers, thread pools */
    double flops = 2.0 * s->M * s->N * s->K;
    long calls = (long)(2e9 / flops) + 1; /* ~20 ms at 100 GFLOP/s */
    double best = INFINITY;
    for (int r = 0; r < repeats; r++) {
        double t0 = now();
        for (long c = 0; c < calls; c++)
            fn(s, A, B, C);
        double per_call = (now() - t0) / (double)calls;
        best = per_call < best ? per_call : best;
    }
    return best;
}

/* n uniform entries in [-0.5, 0.5), double when dbl, else float; NULL if out of memory. */
static void *random_matrix(size_t n, int dbl)
{
    void *m = malloc(n * (dbl ? sizeof(double) : sizeof(float)));
    for (size_t i = 0; m && i < n; i++) {
        double x = (double)rand() / (double)RAND_MAX - 0.5;
        if (dbl)
            ((double *)m)[i] = x;
        else
            ((float *)m)[i] = (float)x;
    }
    return m;
}

/* Largest |x - y| over n entries: the two libraries must agree before we time them. */
static double max_difference(const void *x, const void *y, size_t n, int dbl)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double a = dbl ? ((const double *)x)[i] : ((const float *)x)[i];
        double b = dbl ? ((const double *)y)[i] : ((const float *)y)[i];
        worst = fmax(worst, fabs(a - b));
    }
    return worst;
}

static int bench_shape(const shape *s, int threads, int repeats)
{
    size_t a = (size_t)s->M * s->K, b = (size_t)s->K * s->N, c = (size_t)s->M * s->N;
    void *A = random_matrix(a, s->dbl), *B = random_matrix(b, s->dbl),
         *C = random_matrix(c, s->dbl), *D = random_matrix(c, s->dbl);
    int ok = A && B && C && D;
    if (ok) {
        mg_set_threads(threads);
        openblas_set_num_threads(threads);
        run_mg(s, A, B, C);
        run_openblas(s, A, B, D);
        double diff = max_difference(C, D, c, s->dbl);
        double t_mg = best_seconds(run_mg, s, A, B, C, repeats);
        double t_ob = best_seconds(run_openblas, s, A, B, D, repeats);
        double flops = 2.0 * s->M * s->N * s->K;
        printf("%-28s %2d  %9.1f  %9.1f  %6.2f  %9.2f  %9.2f  %.1e\n", s->name, threads,
               flops / t_mg * 1e-9, flops / t_ob * 1e-9, t_ob / t_mg, t_mg * 1e6, t_ob * 1e6,
               diff);
    }
    free(A);
    free(B);
    free(C);
    free(D);
    return ok;
}

/* One SGD step's GEMMs for the 784-128-10 MLP at batch 64, times the 938 steps of one
 * Fashion-MNIST epoch: the share of the epoch budget (0.4 s) that matmul takes. */
static int bench_mlp_epoch(gemm_fn *fn, const char *who, int threads, int repeats)
{
    /* Forward X·W1, H·W2; backward Hᵀ·dZ, dZ·W2ᵀ, Xᵀ·dY (no gradient for the input). */
    const shape *step[] = {&shapes[4], &shapes[7], &shapes[8], &shapes[9], &shapes[5]};
    enum { count = sizeof step / sizeof step[0] };
    void *buf[count][3] = {{0}};
    int ok = 1;
    for (int g = 0; g < count; g++) {
        buf[g][0] = random_matrix((size_t)step[g]->M * step[g]->K, 0);
        buf[g][1] = random_matrix((size_t)step[g]->K * step[g]->N, 0);
        buf[g][2] = random_matrix((size_t)step[g]->M * step[g]->N, 0);
        ok = ok && buf[g][0] && buf[g][1] && buf[g][2];
    }
    double best = INFINITY;
    for (int r = 0; ok && r < repeats; r++) {
        double t0 = now();
        for (int it = 0; it < 938; it++)
            for (int g = 0; g < count; g++)
                fn(step[g], buf[g][0], buf[g][1], buf[g][2]);
        double t = now() - t0;
        best = t < best ? t : best;
    }
    if (ok)
        printf("mlp epoch gemms (938 steps)  %-8s %d thread(s): %.3f s\n", who, threads, best);
    for (int g = 0; g < count; g++)
        for (int k = 0; k < 3; k++)
            free(buf[g][k]);
    return ok;
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 10;
    if (repeats < 1) {
        fprintf(stderr, "usage: bench_gemm [repeats >= 1]\n");
        return 2;
    }
    const char *coretype = getenv("OPENBLAS_CORETYPE");
    const char *ob_threads = getenv("OPENBLAS_NUM_THREADS");
    printf("mgviz kernels: %s; OpenBLAS core: %s (OPENBLAS_CORETYPE=%s, OPENBLAS_NUM_THREADS=%s); "
           "best of %d batches; load average %.2f\n",
           mg_kernels_isa(), openblas_get_corename(), coretype ? coretype : "unset",
           ob_threads ? ob_threads : "unset", repeats, load_average());
    printf("%-28s %2s  %9s  %9s  %6s  %9s  %9s  %s\n", "shape", "th", "mg GF/s", "OB GF/s",
           "mg/OB", "mg us", "OB us", "max|diff|");
    int ok = 1;
    for (int threads = 1; threads <= 2; threads++)
        for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
            ok = ok && bench_shape(&shapes[i], threads, repeats);
    for (int threads = 1; threads <= 2; threads++) {
        mg_set_threads(threads);
        openblas_set_num_threads(threads);
        ok = ok && bench_mlp_epoch(run_mg, "mg", threads, repeats);
        ok = ok && bench_mlp_epoch(run_openblas, "OpenBLAS", threads, repeats);
    }
    printf("load average at the end %.2f (above ~0.5, other work shared the cores)\n",
           load_average());
    if (!ok) {
        fprintf(stderr, "bench_gemm: out of memory\n");
        return 1;
    }
    return 0;
}

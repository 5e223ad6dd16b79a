/* bench_gemm.c — mg_sgemm against OpenBLAS's cblas_sgemm, side by side in one run.
 *
 *     OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=2 build/bench/bench_gemm [repeats] [only]
 *
 * For each shape and thread count it prints the best time of `repeats` timed batches
 * (default 10, of ~2 ms each) as GFLOP/s for both libraries and their ratio, and our
 * mean CPU time per call (all our threads, spinning included). Best-of, because the machine is shared:
 * the best run is the one least disturbed by other processes.
 * OpenBLAS picks its kernels at load time from OPENBLAS_CORETYPE (printed first);
 * Debian's build detects this CPU as Prescott unless told SkylakeX, so run both. `only`
 * keeps the shapes whose name contains it ("gpt": the GPT step's products, whose
 * per-step total is printed at the end). Attention's products by the causal weights run
 * as the GPT runs them, skipping the zeros (mg_sgemm_zeros); OpenBLAS does the whole. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels_internal.h"
#include "mg_kernels.h"

typedef struct shape {
    const char *name;
    int trans_a, trans_b, M, N, K;
    int dbl; /* mg_dgemm against cblas_dgemm instead of the float pair */
    int lda, ldb, ldc; /* 0: the operand's rows are dense */
    int per_step; /* how many of this product one GPT training step runs */
    int zeros;    /* op(A) causal (MG_GEMM_ZERO_*, offset 0): mg_sgemm_zeros skips them */
} shape;

/* The GPT training step's products at bench_gpt's default size (embedding 128, 4 heads,
 * 4 layers, batch 16 × context 64 = 1,024 rows), as Linear and attention call them: a
 * linear's forward X·W, dX = dY·Wᵀ and dW = Xᵀ·dY, once per layer; the tied head the
 * same against wte transposed (copied, [128,96]); attention's per-(sequence, head)
 * products [T=64, D=32] read in place from qkv [.,64,384], the scores [.,64,64] and the
 * merged heads [.,64,128], 16·4 of each per layer. */
#define GPT_LINEAR(what, nin, nout)                                                          \
    {"gpt " what " X.W", 0, 0, 1024, nout, nin, 0, 0, 0, 0, 4, 0},                           \
    {"gpt " what " dY.Wt", 0, 1, 1024, nin, nout, 0, 0, 0, 0, 4, 0},                         \
    {"gpt " what " Xt.dY", 1, 0, nin, nout, 1024, 0, 0, 0, 0, 4, 0}

static const shape shapes[] = {
    {"square 64", 0, 0, 64, 64, 64, 0, 0, 0, 0, 0, 0},
    {"square 256", 0, 0, 256, 256, 256, 0, 0, 0, 0, 0, 0},
    {"square 1024", 0, 0, 1024, 1024, 1024, 0, 0, 0, 0, 0, 0},
    {"square 2048", 0, 0, 2048, 2048, 2048, 0, 0, 0, 0, 0, 0},
    {"mlp X.W1 64x784.784x128", 0, 0, 64, 128, 784, 0, 0, 0, 0, 0, 0},
    {"mlp Xt.dY 784x64.64x128", 1, 0, 784, 128, 64, 0, 0, 0, 0, 0, 0},
    {"mlp dY.W1t 64x128.128x784", 0, 1, 64, 784, 128, 0, 0, 0, 0, 0, 0},
    {"mlp H.W2 64x128.128x10", 0, 0, 64, 10, 128, 0, 0, 0, 0, 0, 0},
    {"mlp Ht.dZ 128x64.64x10", 1, 0, 128, 10, 64, 0, 0, 0, 0, 0, 0},
    {"mlp dZ.W2t 64x10.10x128", 0, 1, 64, 128, 10, 0, 0, 0, 0, 0, 0},
    {"dgemm square 256", 0, 0, 256, 256, 256, 1, 0, 0, 0, 0, 0},
    {"dgemm square 1024", 0, 0, 1024, 1024, 1024, 1, 0, 0, 0, 0, 0},
    {"dgemm mlp X.W1", 0, 0, 64, 128, 784, 1, 0, 0, 0, 0, 0},
    GPT_LINEAR("qkv", 128, 384),
    GPT_LINEAR("proj", 128, 128),
    GPT_LINEAR("fc", 128, 512),
    GPT_LINEAR("out", 512, 128),
    {"gpt head X.Wt", 0, 0, 1024, 96, 128, 0, 0, 0, 0, 1, 0},
    {"gpt head dY.W", 0, 1, 1024, 128, 96, 0, 0, 0, 0, 1, 0},
    {"gpt head Xt.dY", 1, 0, 128, 96, 1024, 0, 0, 0, 0, 1, 0},
    {"gpt attn q.kt", 0, 1, 64, 64, 32, 0, 384, 384, 64, 256, 0},
    {"gpt attn W.v", 0, 0, 64, 32, 64, 0, 64, 384, 128, 256, MG_GEMM_ZERO_ABOVE},
    {"gpt attn dS.k", 0, 0, 64, 32, 64, 0, 64, 384, 384, 256, 0},
    {"gpt attn dSt.q", 1, 0, 64, 32, 64, 0, 64, 384, 384, 256, 0},
    {"gpt attn dY.vt", 0, 1, 64, 64, 32, 0, 128, 384, 64, 256, 0},
    {"gpt attn Wt.dY", 1, 0, 64, 32, 64, 0, 64, 128, 384, 256, MG_GEMM_ZERO_BELOW},
};

/* C = op(A)·op(B) for a shape, on float or double arrays as s->dbl says. */
typedef void gemm_fn(const shape *s, const void *A, const void *B, void *C);

/* The shape's leading dimensions and its operands' row counts (rows × ld entries each). */
static int lda_of(const shape *s) { return s->lda ? s->lda : s->trans_a ? s->M : s->K; }
static int ldb_of(const shape *s) { return s->ldb ? s->ldb : s->trans_b ? s->K : s->N; }
static int ldc_of(const shape *s) { return s->ldc ? s->ldc : s->N; }
static size_t rows_a(const shape *s) { return (size_t)(s->trans_a ? s->K : s->M); }
static size_t rows_b(const shape *s) { return (size_t)(s->trans_b ? s->N : s->K); }

static void run_mg(const shape *s, const void *A, const void *B, void *C)
{
    int lda = lda_of(s), ldb = ldb_of(s), ldc = ldc_of(s);
    if (s->dbl)
        mg_dgemm(s->trans_a, s->trans_b, s->M, s->N, s->K, 1.0, A, lda, B, ldb, 0.0, C, ldc);
    else if (s->zeros)
        mg_sgemm_zeros(s->trans_a, s->trans_b, s->M, s->N, s->K, 1.0f, A, lda, B, ldb, 0.0f, C,
                       ldc, s->zeros, 0);
    else
        mg_sgemm(s->trans_a, s->trans_b, s->M, s->N, s->K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc);
}

static void run_openblas(const shape *s, const void *A, const void *B, void *C)
{
    int lda = lda_of(s), ldb = ldb_of(s), ldc = ldc_of(s);
    enum CBLAS_TRANSPOSE ta = s->trans_a ? CblasTrans : CblasNoTrans;
    enum CBLAS_TRANSPOSE tb = s->trans_b ? CblasTrans : CblasNoTrans;
    if (s->dbl)
        cblas_dgemm(CblasRowMajor, ta, tb, s->M, s->N, s->K, 1.0, A, lda, B, ldb, 0.0, C, ldc);
    else
        cblas_sgemm(CblasRowMajor, ta, tb, s->M, s->N, s->K, 1.0f, A, lda, B, ldb, 0.0f, C,
                    ldc);
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

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Best seconds per call over `repeats` batches, each long enough (~2 ms) to time and
 * short enough that on a loaded machine some batches run without losing the core; and
 * in *cpu the CPU time (all of the process's threads) per call over all batches, which
 * time spent waiting for a core does not inflate: the figure to compare on a busy
 * machine. A mean, not a least: the kernel brings another thread's running time into
 * the process clock only at a tick or a switch, so a 2 ms batch can miss a worker's. */
static double best_seconds(gemm_fn *fn, const shape *s, const void *A, const void *B, void *C,
                           int repeats, double *cpu)
{
    fn(s, A, B, C); /* warm: caches, packing buffers, thread pools */
    double flops = 2.0 * s->M * s->N * s->K;
    long calls = (long)(2e8 / flops) + 1; /* ~2 ms at 100 GFLOP/s */
    double best = INFINITY, c0 = cpu_now();
    for (int r = 0; r < repeats; r++) {
        double t0 = now();
        for (long c = 0; c < calls; c++)
            fn(s, A, B, C);
        double per_call = (now() - t0) / (double)calls;
        best = per_call < best ? per_call : best;
    }
    *cpu = (cpu_now() - c0) / ((double)calls * repeats);
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

/* Largest |x - y| over the M×N entries of C: the two libraries must agree before we
 * time them. */
static double max_difference(const shape *s, const void *x, const void *y)
{
    double worst = 0;
    for (int i = 0; i < s->M; i++)
        for (int j = 0; j < s->N; j++) {
            size_t k = (size_t)i * (size_t)ldc_of(s) + (size_t)j;
            double a = s->dbl ? ((const double *)x)[k] : ((const float *)x)[k];
            double b = s->dbl ? ((const double *)y)[k] : ((const float *)y)[k];
            worst = fmax(worst, fabs(a - b));
        }
    return worst;
}

/* Seconds per call of each library for the shapes timed so far, summed by GPT step. */
static double gpt_step_mg[3], gpt_step_ob[3], gpt_cpu_mg[3];

static int bench_shape(const shape *s, int threads, int repeats)
{
    size_t a = rows_a(s) * (size_t)lda_of(s), b = rows_b(s) * (size_t)ldb_of(s),
           c = (size_t)s->M * (size_t)ldc_of(s);
    void *A = random_matrix(a, s->dbl), *B = random_matrix(b, s->dbl),
         *C = random_matrix(c, s->dbl), *D = random_matrix(c, s->dbl);
    int ok = A && B && C && D;
    for (int i = 0; ok && s->zeros && i < s->M; i++) /* causal weights: zero past the diagonal */
        for (int p = 0; p < s->K; p++)
            if (s->zeros == MG_GEMM_ZERO_ABOVE ? p > i : p < i)
                ((float *)A)[s->trans_a ? (size_t)p * (size_t)lda_of(s) + (size_t)i
                                        : (size_t)i * (size_t)lda_of(s) + (size_t)p] = 0;
    if (ok) {
        mg_set_threads(threads);
        openblas_set_num_threads(threads);
        run_mg(s, A, B, C);
        run_openblas(s, A, B, D);
        double diff = max_difference(s, C, D);
        double cpu_mg, cpu_ob;
        double t_mg = best_seconds(run_mg, s, A, B, C, repeats, &cpu_mg);
        double t_ob = best_seconds(run_openblas, s, A, B, D, repeats, &cpu_ob);
        double flops = 2.0 * s->M * s->N * s->K;
        printf("%-28s %2d  %9.1f  %9.1f  %6.2f  %9.2f  %9.2f  %9.2f  %.1e\n", s->name, threads,
               flops / t_mg * 1e-9, flops / t_ob * 1e-9, t_ob / t_mg, t_mg * 1e6, t_ob * 1e6,
               cpu_mg * 1e6, diff);
        gpt_cpu_mg[threads] += s->per_step * cpu_mg;
        gpt_step_mg[threads] += s->per_step * t_mg;
        gpt_step_ob[threads] += s->per_step * t_ob;
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
    const char *only = argc > 2 ? argv[2] : ""; /* shapes whose name contains this */
    if (repeats < 1) {
        fprintf(stderr, "usage: bench_gemm [repeats >= 1] [shape name part]\n");
        return 2;
    }
    const char *coretype = getenv("OPENBLAS_CORETYPE");
    const char *ob_threads = getenv("OPENBLAS_NUM_THREADS");
    printf("mgviz kernels: %s; OpenBLAS core: %s (OPENBLAS_CORETYPE=%s, OPENBLAS_NUM_THREADS=%s); "
           "best of %d batches; load average %.2f\n",
           mg_kernels_isa(), openblas_get_corename(), coretype ? coretype : "unset",
           ob_threads ? ob_threads : "unset", repeats, load_average());
    printf("%-28s %2s  %9s  %9s  %6s  %9s  %9s  %9s  %s\n", "shape", "th", "mg GF/s", "OB GF/s",
           "mg/OB", "mg us", "OB us", "mg cpu us", "max|diff|");
    int ok = 1;
    for (int threads = 1; threads <= 2; threads++)
        for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
            if (strstr(shapes[i].name, only))
                ok = ok && bench_shape(&shapes[i], threads, repeats);
    for (int threads = 1; threads <= 2; threads++)
        if (gpt_step_mg[threads] > 0)
            printf("gpt step gemms (those timed)  %d thread(s): mg %.2f ms (CPU %.2f ms), "
                   "OpenBLAS %.2f ms\n", threads, gpt_step_mg[threads] * 1e3,
                   gpt_cpu_mg[threads] * 1e3, gpt_step_ob[threads] * 1e3);
    for (int threads = 1; threads <= 2 && !*only; threads++) {
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

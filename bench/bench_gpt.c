/* bench_gpt.c — training a character GPT against PyTorch 1.13 in the same run:
 * tokens per second on 1 and 2 threads, PyTorch on 1 thread (OpenBLAS's
 * SkylakeX kernels and as installed; the faster counts), allocations per warm
 * step, peak RSS of each, and the fraction of the GEMM-bound limit.
 *
 *     bench_gpt [--vocab V] [--ctx T] [--embd C] [--heads H] [--layers L]
 *               [--batch B] [--steps N] [--no-torch] [--threads N]
 *
 * The model is the library's GPT (mg_gpt.h, nanoGPT's layout): token +
 * position embeddings, L pre-norm blocks (layer norm, causal multi-head
 * attention with a fused masked softmax, layer norm, a 4C tanh-GELU MLP; every
 * Linear with a bias), a final layer norm and a head tied to the token
 * embedding; no dropout. A step is: forward, cross-entropy of the next token,
 * backward, clipping to global norm 1, AdamW (decay 0.1 on matrices only).
 * bench/bench_gpt_torch.py trains the same model with the same step. Tokens are
 * random (the speed does not depend on them).
 *
 * Every measurement runs in a child process, so its peak RSS is its own. A
 * figure is the median step of N warm steps (and the best one in brackets): on
 * a machine shared with other work the median is what a run sees, the best
 * what the code can do; the median CPU time of a step (all threads) is the
 * figure a busy machine disturbs least, and compares the one-thread runs. GEMM-bound limit: FLOPs per token (6 × the matmul
 * weights, 12·L·T·C for attention's two products, forward + backward) over the
 * sgemm rate measured here on a 512³ product with the same thread count. */
#define _DEFAULT_SOURCE /* wait4() */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mg_gpt.h"
#include "bench_child.h"
#include "mg_kernels.h"
#include "mg_rng.h"
#include "mg_tensor.h"
#include "mg_tnn.h"

#ifndef BENCH_SOURCE_DIR
#define BENCH_SOURCE_DIR "bench"
#endif

typedef struct gpt_size {
    int vocab, ctx, embd, heads, layers, batch, steps;
} gpt_size;

typedef struct measure {
    double median_s, best_s; /* per step */
    double cpu_s;            /* median CPU time per step, all threads */
    double gemm_flops;       /* sgemm FLOP/s on a 512³ product, same threads */
    double loss;
    long rss_kb;
    size_t warm_allocations;
} measure;

static double clock_of(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void) { return clock_of(CLOCK_MONOTONIC); }

/* sgemm FLOP/s on an n³ product, best of a few. */
static double sgemm_rate(int n)
{
    float *a = calloc((size_t)n * n, sizeof *a), *b = calloc((size_t)n * n, sizeof *b);
    float *c = calloc((size_t)n * n, sizeof *c);
    double best = 1e30;
    for (size_t i = 0; a && b && c && i < (size_t)n * n; i++)
        a[i] = b[i] = (float)((i % 7) - 3) * 0.1f;
    for (int rep = 0; a && b && c && rep < 8; rep++) {
        double t0 = now();
        mg_sgemm(0, 0, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    free(a), free(b), free(c);
    return 2.0 * n * n * (double)n / best;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Trains `steps` warm steps (after 3 to warm up) and measures them. */
static int train(const gpt_size *s, measure *out)
{
    mg_error err;
    mg_graph *g = mg_graph_new();
    const mg_gpt_config c = { .vocab = s->vocab, .context = s->ctx, .layers = s->layers,
                              .heads = s->heads, .embd = s->embd };
    mg_gpt *m = g ? mg_gpt_new(g, MG_F32, &c, 1337, &err) : NULL;
    if (!m)
        return fprintf(stderr, "bench_gpt: %s\n", g ? err.message : "out of memory"), -1;
    mg_optim_config cfg = mg_optim_defaults(MG_OPTIM_ADAMW);
    cfg.weight_decay = 0.1;
    mg_optim *opt = mg_optim_new(m->params, m->nparams, &cfg, &err);
    if (!opt)
        return fprintf(stderr, "bench_gpt: %s\n", err.message), -1;
    mg_graph_keep(g);
    mg_optim_zero_grad(opt); /* then each step's update leaves them 0 */
    const int n = s->batch * s->ctx;
    int32_t *data = malloc(((size_t)n + 1) * 8 * sizeof *data);
    double *times = malloc((size_t)s->steps * sizeof *times);
    double *cpu = malloc((size_t)s->steps * sizeof *cpu);
    if (!data || !times || !cpu)
        return -1;
    mg_rng r;
    mg_rng_seed(&r, 2);
    for (int i = 0; i < (n + 1) * 8; i++)
        data[i] = (int32_t)mg_rng_below(&r, (uint64_t)s->vocab);
    size_t warm = 0;
    double loss = 0;
    for (int k = -3; k < s->steps; k++) {
        const int32_t *tokens = data + (size_t)((k + 3) % 8) * (size_t)n;
        double t0 = now(), c0 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
        mg_graph_reset(g);
        mg_tensor *l = mg_gpt_loss(m, s->batch, s->ctx, tokens, tokens + 1);
        if (!l || mg_tensor_backward(l) != MG_OK) {
            fprintf(stderr, "bench_gpt: %s\n", mg_graph_error(g));
            return -1;
        }
        /* clip, AdamW and zero_grad in one call: the grads are cleared while the
         * update has them in cache, so the next backward starts from zeros */
        mg_optim_update(opt, &(mg_update_opts){ .max_norm = 1.0, .zero_grad = true });
        loss = mg_tensor_get(l, 0);
        if (k >= 0) {
            times[k] = now() - t0;
            cpu[k] = clock_of(CLOCK_PROCESS_CPUTIME_ID) - c0;
        }
        if (k == -1)
            warm = mg_graph_get_stats(g).allocations;
    }
    qsort(times, (size_t)s->steps, sizeof *times, cmp_double);
    qsort(cpu, (size_t)s->steps, sizeof *cpu, cmp_double);
    *out = (measure){ times[s->steps / 2], times[0], cpu[s->steps / 2], sgemm_rate(512), loss,
                      0, mg_graph_get_stats(g).allocations - warm };
    free(times);
    free(cpu);
    free(data);
    mg_optim_free(opt);
    mg_gpt_free(m);
    mg_graph_free(g);
    return 0;
}

static int train_in_child(const void *s, void *out) { return train(s, out); }

/* Runs train() in a child on `threads` threads; peak RSS through wait4. */
static int run_child(const gpt_size *s, int threads, measure *m)
{
    return bench_in_child(train_in_child, s, threads, m, sizeof *m, &m->rss_kb);
}

typedef struct torch_figures {
    double median_s, best_s, cpu_s;
    long params, rss_kb, faults; /* faults: median minor page faults per warm step */
} torch_figures;

/* The script keeps glibc from giving freed tensors' pages back each step
 * (bench/torch_heap.py), as a tuned PyTorch run does with TCMalloc: otherwise
 * it faults them in again and its median step swings from ~57 to ~80 ms by the
 * process's heap layout. Its faults per step are printed to show that mode. */
static int run_torch(const char *env, const gpt_size *s, torch_figures *t)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "%s OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 "
             "/usr/bin/python3 %s/bench_gpt_torch.py --vocab %d --ctx %d --embd %d --heads %d "
             "--layers %d --batch %d --steps %d --threads 1",
             env, BENCH_SOURCE_DIR, s->vocab, s->ctx, s->embd, s->heads, s->layers, s->batch,
             s->steps);
    static const char *const keys[] = { "step_s_median", "step_s_best", "cpu_s_median",
                                        "params", "rss_kb", "faults_per_step" };
    double v[6];
    if (bench_peer_figures(cmd, keys, v, 6) != 0)
        return -1;
    *t = (torch_figures){ v[0], v[1], v[2], (long)v[3], (long)v[4], (long)v[5] };
    return 0;
}

static int option(int argc, char **argv, int *i, const char *name, int *value)
{
    if (strcmp(argv[*i], name) != 0 || *i + 1 >= argc)
        return 0;
    char *end;
    long v = strtol(argv[++*i], &end, 10);
    if (*end || v < 1 || v > 100000) {
        fprintf(stderr, "bench_gpt: %s wants a whole number from 1 to 100000\n", name);
        exit(2);
    }
    *value = (int)v;
    return 1;
}

int main(int argc, char **argv)
{
    gpt_size s = { .vocab = 96, .ctx = 64, .embd = 128, .heads = 4, .layers = 4, .batch = 16,
                   .steps = 20 };
    int torch = 1, only = 0;
    for (int i = 1; i < argc; i++) {
        if (option(argc, argv, &i, "--vocab", &s.vocab) || option(argc, argv, &i, "--ctx", &s.ctx)
            || option(argc, argv, &i, "--embd", &s.embd)
            || option(argc, argv, &i, "--heads", &s.heads)
            || option(argc, argv, &i, "--layers", &s.layers)
            || option(argc, argv, &i, "--batch", &s.batch)
            || option(argc, argv, &i, "--steps", &s.steps)
            || option(argc, argv, &i, "--threads", &only))
            continue;
        if (strcmp(argv[i], "--no-torch") == 0) {
            torch = 0;
            continue;
        }
        fprintf(stderr, "usage: bench_gpt [--vocab V] [--ctx T] [--embd C] [--heads H] "
                        "[--layers L] [--batch B] [--steps N] [--no-torch] [--threads N]\n"
                        "  --threads N: only mgviz on N threads (for profiling)\n");
        return 2;
    }
    if (s.embd % s.heads != 0) {
        fprintf(stderr, "bench_gpt: --embd %d is not a multiple of --heads %d\n", s.embd, s.heads);
        return 2;
    }
    const double C = s.embd, L = s.layers, T = s.ctx, V = s.vocab;
    const double flops_token = 6.0 * (12.0 * L * C * C + C * V) + 12.0 * L * T * C;
    const double tokens = (double)s.batch * s.ctx;
    printf("GPT: vocab %d, context %d, embedding %d, %d heads, %d layers; batch %d (%.0f tokens "
           "a step), float32, AdamW + clipping; %d warm steps; ISA %s\n",
           s.vocab, s.ctx, s.embd, s.heads, s.layers, s.batch, tokens, s.steps, mg_kernels_isa());
    printf("FLOPs per token (forward + backward, matmuls): %.2f M\n", flops_token / 1e6);
    measure m1, m2;
    if (only) { /* one run in this process, for a profiler */
        mg_set_threads(only);
        if (train(&s, &m1))
            return 1;
        printf("  mgviz %d thread(s) %9.0f tokens/s (best %.0f)  step %.1f ms (CPU %.1f ms)\n", only,
               tokens / m1.median_s, tokens / m1.best_s, m1.median_s * 1e3, m1.cpu_s * 1e3);
        return 0;
    }
    if (run_child(&s, 1, &m1) || run_child(&s, 2, &m2)) {
        fprintf(stderr, "bench_gpt: a run failed\n");
        return 1;
    }
    const double tps1 = tokens / m1.median_s, tps2 = tokens / m2.median_s;
    printf("  mgviz 1 thread   %9.0f tokens/s (best %.0f)  step %.1f ms (CPU %.1f ms)  peak RSS "
           "%.1f MB  warm allocations %zu  loss %.3f\n",
           tps1, tokens / m1.best_s, m1.median_s * 1e3, m1.cpu_s * 1e3, m1.rss_kb / 1024.0,
           m1.warm_allocations, m1.loss);
    printf("  mgviz 2 threads  %9.0f tokens/s (best %.0f)  step %.1f ms  peak RSS %.1f MB  "
           "warm allocations %zu  %.2fx one thread (best %.2fx)\n",
           tps2, tokens / m2.best_s, m2.median_s * 1e3, m2.rss_kb / 1024.0, m2.warm_allocations,
           tps2 / tps1, m1.best_s / m2.best_s);
    printf("  GEMM-bound limit: sgemm 512^3 %.1f GFLOP/s on 1 thread, %.1f on 2: %.0f and %.0f "
           "tokens/s; reached %.0f%% and %.0f%% (best step %.0f%%, %.0f%%)\n",
           m1.gemm_flops / 1e9, m2.gemm_flops / 1e9, m1.gemm_flops / flops_token,
           m2.gemm_flops / flops_token, 100 * tps1 * flops_token / m1.gemm_flops,
           100 * tps2 * flops_token / m2.gemm_flops,
           100 * tokens / m1.best_s * flops_token / m1.gemm_flops,
           100 * tokens / m2.best_s * flops_token / m2.gemm_flops);
    if (!torch)
        return 0;
    torch_figures tx, ti;
    if (run_torch("OPENBLAS_CORETYPE=SkylakeX", &s, &tx) || run_torch("", &s, &ti)) {
        fprintf(stderr, "bench_gpt: the PyTorch script failed (see above; `tools/install-deps.sh --bench` installs PyTorch and OpenBLAS)\n");
        return 1;
    }
    const torch_figures *fast = tx.median_s <= ti.median_s ? &tx : &ti;
    printf("PyTorch 1.13, 1 thread, same run (%ld parameters)\n", tx.params);
    printf("  SkylakeX kernels %9.0f tokens/s (best %.0f)  step %.1f ms (CPU %.1f ms)  peak RSS "
           "%.1f MB  page faults/step %ld\n", tokens / tx.median_s, tokens / tx.best_s,
           tx.median_s * 1e3, tx.cpu_s * 1e3, tx.rss_kb / 1024.0, tx.faults);
    printf("  as installed     %9.0f tokens/s (best %.0f)  step %.1f ms (CPU %.1f ms)  peak RSS "
           "%.1f MB  page faults/step %ld\n", tokens / ti.median_s, tokens / ti.best_s,
           ti.median_s * 1e3, ti.cpu_s * 1e3, ti.rss_kb / 1024.0, ti.faults);
    /* each figure against the peer that is faster on that figure: under load the
     * kernels that win on median wall time need not win on CPU time */
    double best = fmin(tx.best_s, ti.best_s), cpu = fmin(tx.cpu_s, ti.cpu_s);
    printf("ratios (against the faster PyTorch on each figure; median: %s): mgviz 1 thread "
           "%.2fx (best %.2fx, CPU time %.2fx), 2 threads %.2fx; RSS mgviz/PyTorch %.2f\n",
           fast == &tx ? "SkylakeX" : "as installed", fast->median_s / m1.median_s,
           best / m1.best_s, cpu / m1.cpu_s, fast->median_s / m2.median_s,
           (double)m1.rss_kb / (double)(tx.rss_kb < ti.rss_kb ? tx.rss_kb : ti.rss_kb));
    /* How far the goal is from this CPU's arithmetic: the linear layers' and the head's
     * products (attention's are left out, as causal zeros may be skipped) at the sgemm
     * rate measured above bound what any engine's step can reach. */
    const double linear_flops = 6.0 * (12.0 * L * C * C + C * V);
    const double floor_s = tokens * linear_flops / m1.gemm_flops;
    printf("2x PyTorch on 1 thread needs a step of %.1f ms; the linear products alone take "
           "%.1f ms at %.1f GFLOP/s, so no engine at that rate exceeds %.2fx\n",
           fast->median_s * 1e3 / 2, floor_s * 1e3, m1.gemm_flops / 1e9,
           fast->median_s / floor_s);
    return 0;
}

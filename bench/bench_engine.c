/* bench_engine.c — the scalar engine's speed: micrograd's moons step and a
 * synthetic graph, forward+backward. Prints ratios against micrograd's own
 * figures measured on this machine (../shared/PEERS.md); the PyTorch side by
 * side lives in bench/run.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mg_data.h"
#include "mg_loss.h"
#include "mg_rng.h"

/* micrograd's demo on this machine: 1.85 s per step with Python's GC on,
 * 0.12 s with it off, 65,818 nodes per step. */
static const double MICROGRAD_STEP_GC = 1.85, MICROGRAD_STEP_NOGC = 0.12;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void bench_moons(void)
{
    enum { N = 100, STEPS = 100, REPEAT = 5 };
    double X[2 * N], y[N], times[STEPS * REPEAT], acc = 0;
    mg_make_moons(N, 0.1, 1337, X, y, NULL);
    size_t nodes = 0, allocs_warm = 0, allocs_end = 0;
    for (int r = 0; r < REPEAT; r++) {
        mg_graph *g = mg_graph_new();
        int nouts[] = { 16, 16, 1 };
        mg_mlp *m = mg_mlp_new(g, 2, nouts, 3, MG_NONLIN_RELU, MG_NONLIN_LINEAR, 1337, NULL);
        mg_graph_keep(g);
        size_t np;
        mg_value *const *p = mg_mlp_parameters(m, &np);
        for (int k = 0; k < STEPS; k++) {
            double t0 = now();
            mg_value *loss = mg_mlp_svm_loss(m, X, y, N, 1e-4, &acc);
            nodes = mg_graph_count(g);
            mg_mlp_zero_grad(m);
            mg_backward(loss);
            mg_sgd_step(p, np, 1.0 - 0.9 * k / 100.0);
            mg_graph_reset(g);
            times[r * STEPS + k] = now() - t0;
            if (k == 1)
                allocs_warm = mg_graph_get_stats(g).allocations;
        }
        allocs_end = mg_graph_get_stats(g).allocations;
        mg_mlp_free(m);
        mg_graph_free(g);
    }
    qsort(times, STEPS * REPEAT, sizeof times[0], cmp_double);
    double median = times[STEPS * REPEAT / 2], best = times[0];
    printf("moons step (MLP 2-16-16-1, 100 samples, SVM + L2, full batch)\n");
    printf("  nodes per step            %zu\n", nodes);
    printf("  median / best step        %.1f us / %.1f us\n", median * 1e6, best * 1e6);
    printf("  final training accuracy   %.0f%%\n", acc * 100);
    printf("  allocations after warm-up %zu\n", allocs_end - allocs_warm);
    printf("  vs micrograd (GC on)      %.0fx faster\n", MICROGRAD_STEP_GC / median);
    printf("  vs micrograd (GC off)     %.0fx faster\n", MICROGRAD_STEP_NOGC / median);
}

/* A synthetic scalar graph: each node applies one of five ops to two of the
 * 64 most recent nodes, chosen at random. With `random_ops` the op itself is
 * random too, which defeats the CPU's branch predictor on every node; without
 * it the ops cycle through a fixed pattern, as real graphs (a neuron's
 * mul/add chain) repeat theirs. */
static void bench_synthetic(size_t n, int random_ops)
{
    enum { WINDOW = 64, LEAVES = 256, REPEAT = 5 };
    unsigned char *op = malloc(n);
    unsigned *pa = malloc(n * sizeof *pa), *pb = malloc(n * sizeof *pb);
    mg_value **v = malloc((n + LEAVES) * sizeof *v);
    if (!op || !pa || !pb || !v) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    mg_rng rng;
    mg_rng_seed(&rng, 42);
    for (size_t i = 0; i < n; i++) {
        size_t have = LEAVES + i, window = have < WINDOW ? have : WINDOW;
        op[i] = (unsigned char)(random_ops ? mg_rng_below(&rng, 5) : i % 5);
        pa[i] = (unsigned)(have - 1 - mg_rng_below(&rng, window));
        pb[i] = (unsigned)(have - 1 - mg_rng_below(&rng, window));
    }
    mg_graph *g = mg_graph_new();
    double best_fwd = 1e9, best_bwd = 1e9, best = 1e9;
    for (int r = 0; r < REPEAT; r++) {
        double t0 = now();
        for (size_t i = 0; i < LEAVES; i++)
            v[i] = mg_input(g, 0.001 * (double)i - 0.1);
        for (size_t i = 0; i < n; i++) {
            mg_value *a = v[pa[i]], *b = v[pb[i]], *out;
            switch (op[i]) {
            case 0: out = mg_add(a, b); break;
            case 1: out = mg_mul(a, b); break;
            case 2: out = mg_sub(a, b); break;
            case 3: out = mg_tanh(a); break;
            default: out = mg_relu(a); break;
            }
            v[LEAVES + i] = out;
        }
        double t1 = now();
        mg_backward(v[LEAVES + n - 1]);
        double t2 = now();
        mg_graph_reset(g);
        best_fwd = t1 - t0 < best_fwd ? t1 - t0 : best_fwd;
        best_bwd = t2 - t1 < best_bwd ? t2 - t1 : best_bwd;
        best = t2 - t0 < best ? t2 - t0 : best;
    }
    printf("synthetic graph, %zu op nodes (+, *, -, tanh, relu; %s ops), best of %d\n", n,
           random_ops ? "random" : "cyclic", REPEAT);
    printf("  forward                   %.1f M nodes/s\n", (double)n / best_fwd / 1e6);
    printf("  backward                  %.1f M nodes/s\n", (double)n / best_bwd / 1e6);
    printf("  forward+backward          %.1f M nodes/s\n", (double)n / best / 1e6);
    printf("  vs micrograd (GC off)     %.0fx faster\n",
           ((double)n / best) / (65818.0 / MICROGRAD_STEP_NOGC));
    mg_graph_free(g);
    free(op);
    free(pa);
    free(pb);
    free(v);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    bench_moons();
    bench_synthetic(n, 0);
    bench_synthetic(n, 1);
    return 0;
}

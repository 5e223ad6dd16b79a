/* bench_fmnist.c — tensor training speed against PyTorch 1.13 measured in the
 * same run: one epoch of Fashion-MNIST with MLP 784-128-10 at batch 64 (plain
 * SGD lr 0.1, as the PyTorch script), on 1 and 2 threads, the default
 * `mgviz train` configuration, the vectorised moons step, and peak RSS.
 *
 *     bench_fmnist [--epochs N] [--no-torch] [--data-dir DIR]
 *
 * Every measurement runs in a child process so its peak RSS is its own; an
 * epoch's time is the mean over N epochs (wall clock; CPU time too, which a
 * busy shared machine disturbs less), training steps only.
 * PyTorch runs as /usr/bin/python3 bench/bench_fmnist_torch.py with
 * OPENBLAS_CORETYPE=SkylakeX (Debian's OpenBLAS misdetects this CPU) and one
 * thread everywhere, and once more as installed. */
/* wait4() reports a child's own peak RSS; it is a BSD call, outside POSIX */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mg_data.h"
#include "mg_eval.h"
#include "mg_idx.h"
#include "bench_child.h"
#include "mg_kernels.h"
#include "mg_schedule.h"
#include "mg_tnn.h"

#ifndef BENCH_SOURCE_DIR
#define BENCH_SOURCE_DIR "bench"
#endif

typedef struct measure {
    double seconds; /* wall time per epoch (or per moons step) */
    double cpu;     /* CPU time per epoch, all threads */
    double accuracy;
    long rss_kb;
    size_t warm_allocations;
} measure;

/* One benchmarked run: Fashion-MNIST epochs (moons == 0) or moons steps. */
typedef struct bench_run {
    int moons;
    const char *data_dir;
    int epochs;               /* fashion: epochs; moons: full-batch steps */
    mg_optim_config optim;
    mg_lr_kind schedule;
    int threads;
} bench_run;

static double clock_of(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static mg_tensor *forward(void *model, mg_tensor *x) { return mg_tmlp_forward(model, x); }

/* `mgviz train --dataset fashion-mnist`'s steps, without its pictures and
 * records: the library calls it makes, timed. */
static int fashion(const bench_run *o, measure *m)
{
    mg_image_set train, test;
    mg_error err;
    if (mg_fashion_mnist_load(o->data_dir, 1, &train, &err) != MG_OK ||
        mg_fashion_mnist_load(o->data_dir, 0, &test, &err) != MG_OK)
        return fprintf(stderr, "bench_fmnist: %s\n", err.message), -1;
    mg_image_set_truncate(&test, 1000);
    mg_graph *g = mg_graph_new();
    const int sizes[] = { train.dim, 128, 10 }, batch = 64;
    mg_tmlp *mlp = mg_tmlp_new(g, MG_F32, sizes, 3, MG_INIT_KAIMING, 1337, &err);
    mg_optim *opt = mg_optim_new(mlp->params, mlp->nparams, &o->optim, &err);
    mg_batcher b;
    mg_batcher_init(&b, train.n, batch, 1337, &err);
    mg_graph_keep(g);
    int32_t labels[64];
    const int per_epoch = mg_batcher_count(&b);
    mg_lr_schedule s = { .kind = o->schedule, .lr = o->optim.lr, .steps = per_epoch * o->epochs };
    double wall = 0, cpu = 0;
    size_t warm = 0;
    for (int e = 0, k = 0; e < o->epochs; e++) {
        mg_batcher_shuffle(&b, e);
        double w0 = clock_of(CLOCK_MONOTONIC), c0 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
        const int *idx;
        for (int n; (n = mg_batcher_next(&b, &idx)) > 0; k++) {
            mg_graph_reset(g);
            mg_tensor *x = mg_tensor_input(g, MG_F32, 2, (const int[]){ n, train.dim });
            mg_image_set_rows(&train, idx, 0, n, x->data, labels);
            mg_tensor *loss = mg_tensor_cross_entropy(mg_tmlp_forward(mlp, x), labels);
            mg_optim_zero_grad(opt);
            mg_tensor_backward(loss);
            opt->cfg.lr = mg_lr_at(&s, k);
            mg_optim_step(opt);
            if (k == 0)
                warm = mg_graph_get_stats(g).allocations;
        }
        wall += clock_of(CLOCK_MONOTONIC) - w0;
        cpu += clock_of(CLOCK_PROCESS_CPUTIME_ID) - c0;
    }
    size_t warm_allocations = mg_graph_get_stats(g).allocations - warm;
    mg_eval r; /* larger chunks than a batch: the arena grows for them, after training */
    mg_evaluate_images(g, forward, mlp, &test, 1000, &r, &err);
    *m = (measure){ wall / o->epochs, cpu / o->epochs, r.accuracy, 0, warm_allocations };
    int failed = mg_graph_error(g) != NULL;
    mg_batcher_free(&b);
    mg_optim_free(opt);
    mg_tmlp_free(mlp);
    mg_graph_free(g);
    mg_image_set_free(&train);
    mg_image_set_free(&test);
    return failed ? -1 : 0;
}

/* micrograd's demo, vectorised: MLP 2-16-16-1, hinge loss + 1e-4 L2, full
 * batch of 100 points, SGD lr 1 decaying linearly to 0.1. */
static int moons(const bench_run *o, measure *m)
{
    double X[200], y[100];
    mg_error err;
    mg_make_moons(100, 0.1, 1337, X, y, &err);
    mg_graph *g = mg_graph_new();
    mg_tmlp *mlp = mg_tmlp_new(g, MG_F32, (const int[]){ 2, 16, 16, 1 }, 4, MG_INIT_KAIMING,
                               1337, &err);
    mg_optim *opt = mg_optim_new(mlp->params, mlp->nparams, &o->optim, &err);
    mg_tensor *xs = mg_tensor_input(g, MG_F32, 2, (const int[]){ 100, 2 });
    mg_tensor *ys = mg_tensor_input(g, MG_F32, 2, (const int[]){ 100, 1 });
    mg_tensor_load(xs, X);
    mg_tensor_load(ys, y);
    mg_graph_keep(g);
    mg_lr_schedule s = { .kind = MG_LR_LINEAR, .lr = 1.0, .final = 0.1, .steps = o->epochs };
    double w0 = clock_of(CLOCK_MONOTONIC), c0 = clock_of(CLOCK_PROCESS_CPUTIME_ID), acc = 0;
    size_t warm = 0;
    for (int k = 0; k < o->epochs; k++) {
        mg_graph_reset(g);
        mg_tensor *scores = mg_tmlp_forward(mlp, xs);
        mg_tensor *one = mg_tensor_scalar(g, MG_F32, 1.0), *reg = NULL;
        mg_tensor *loss = mg_tensor_mean(
            mg_tensor_relu(mg_tensor_sub(one, mg_tensor_mul(ys, scores))), MG_AXIS_ALL, 0);
        for (int i = 0; i < mlp->nparams; i++) {
            mg_tensor *sq = mg_tensor_sum(mg_tensor_pow(mlp->params[i], 2.0), MG_AXIS_ALL, 0);
            reg = reg ? mg_tensor_add(reg, sq) : sq;
        }
        loss = mg_tensor_add(loss, mg_tensor_mul(reg, mg_tensor_scalar(g, MG_F32, 1e-4)));
        acc = mg_accuracy_sign(scores, ys);
        mg_optim_zero_grad(opt);
        mg_tensor_backward(loss);
        opt->cfg.lr = mg_lr_at(&s, k);
        mg_optim_step(opt);
        if (k == 0)
            warm = mg_graph_get_stats(g).allocations;
    }
    *m = (measure){ (clock_of(CLOCK_MONOTONIC) - w0) / o->epochs,
                    (clock_of(CLOCK_PROCESS_CPUTIME_ID) - c0) / o->epochs, acc, 0,
                    mg_graph_get_stats(g).allocations - warm };
    int failed = mg_graph_error(g) != NULL;
    mg_optim_free(opt);
    mg_tmlp_free(mlp);
    mg_graph_free(g);
    return failed ? -1 : 0;
}

static int run_in_child(const void *ctx, void *out)
{
    const bench_run *o = ctx;
    return o->moons ? moons(o, out) : fashion(o, out);
}

/* Runs o in a child; its result and peak RSS come back through a pipe and wait4. */
static int run_child(const bench_run *o, measure *m)
{
    return bench_in_child(run_in_child, o, o->threads, m, sizeof *m, &m->rss_kb);
}

typedef struct torch_figures {
    double epoch_s, moons_us;
    long rss_kb;
} torch_figures;

static int run_torch(const char *env, const char *data_dir, int epochs, torch_figures *t)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "%s OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 "
             "/usr/bin/python3 %s/bench_fmnist_torch.py %s %d 2>/dev/null",
             env, BENCH_SOURCE_DIR, data_dir, epochs);
    static const char *const keys[] = { "fmnist_epoch_s", "moons_step_us", "rss_kb" };
    double v[3];
    if (bench_peer_figures(cmd, keys, v, 3) != 0)
        return -1;
    t->epoch_s = v[0], t->moons_us = v[1], t->rss_kb = (long)v[2];
    return 0;
}

int main(int argc, char **argv)
{
    int epochs = 2, torch = 1;
    const char *data_dir = "/usr/share/datasets/fashion-mnist";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--epochs") == 0 && i + 1 < argc)
            epochs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--no-torch") == 0)
            torch = 0;
        else if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc)
            data_dir = argv[++i];
        else {
            fprintf(stderr, "usage: bench_fmnist [--epochs N] [--no-torch] [--data-dir DIR]\n");
            return 2;
        }
    }
    if (epochs < 1)
        epochs = 1;

    /* the PyTorch script's configuration: plain SGD lr 0.1, constant */
    bench_run sgd = { .data_dir = data_dir, .epochs = epochs,
                      .optim = mg_optim_defaults(MG_OPTIM_SGD), .schedule = MG_LR_CONSTANT,
                      .threads = 1 };
    sgd.optim.lr = 0.1;
    bench_run two = sgd;
    two.threads = 2;
    /* `mgviz train --dataset fashion-mnist`'s: Adam lr 0.002, cosine */
    bench_run def = { .data_dir = data_dir, .epochs = epochs,
                      .optim = mg_optim_defaults(MG_OPTIM_ADAM), .schedule = MG_LR_COSINE,
                      .threads = 1 };
    def.optim.lr = 0.002;
    bench_run moons_run = { .moons = 1, .epochs = 2000, .optim = mg_optim_defaults(MG_OPTIM_SGD),
                            .threads = 1 };

    measure m1, m2, md, mm;
    if (run_child(&sgd, &m1) || run_child(&two, &m2) || run_child(&def, &md)
        || run_child(&moons_run, &mm)) {
        fprintf(stderr, "bench_fmnist: a run failed\n");
        return 1;
    }
    printf("Fashion-MNIST MLP 784-128-10, batch 64, mean of %d epochs (training steps only)\n",
           epochs);
    printf("  mgviz SGD lr 0.1, 1 thread      %7.3f s/epoch (CPU %.3f s)  peak RSS %6.1f MB  "
           "warm allocations %zu\n",
           m1.seconds, m1.cpu, m1.rss_kb / 1024.0, m1.warm_allocations);
    printf("  mgviz SGD lr 0.1, 2 threads     %7.3f s/epoch (CPU %.3f s)  "
           "%.2fx the 1-thread speed\n",
           m2.seconds, m2.cpu, m1.seconds / m2.seconds);
    printf("  mgviz default (Adam, cosine)    %7.3f s/epoch (CPU %.3f s)\n", md.seconds, md.cpu);
    printf("moons, vectorised 2-16-16-1, 100 points, full batch\n");
    printf("  mgviz                           %7.2f us/step (CPU %.2f us)  warm allocations %zu\n",
           mm.seconds * 1e6, mm.cpu * 1e6, mm.warm_allocations);
    if (!torch)
        return 0;
    torch_figures tx, ti;
    if (run_torch("OPENBLAS_CORETYPE=SkylakeX", data_dir, epochs, &tx)
        || run_torch("", data_dir, epochs, &ti)) {
        fprintf(stderr, "bench_fmnist: the PyTorch script failed (see above; `tools/install-deps.sh --bench` installs PyTorch and OpenBLAS)\n");
        return 1;
    }
    printf("PyTorch 1.13, 1 thread, same run\n");
    printf("  SkylakeX kernels: %.3f s/epoch (mgviz %.2fx faster), moons %.1f us/step (%.1fx), "
           "peak RSS %.1f MB (mgviz uses %.2fx)\n",
           tx.epoch_s, tx.epoch_s / m1.seconds, tx.moons_us, tx.moons_us / (mm.seconds * 1e6),
           tx.rss_kb / 1024.0, (double)m1.rss_kb / tx.rss_kb);
    printf("  as installed:     %.3f s/epoch (mgviz %.2fx faster), moons %.1f us/step (%.1fx)\n",
           ti.epoch_s, ti.epoch_s / m1.seconds, ti.moons_us, ti.moons_us / (mm.seconds * 1e6));
    return 0;
}

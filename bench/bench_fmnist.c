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
#include <sys/wait.h>
#include <unistd.h>

#include "../tools/train_tensor.h"

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

/* Runs o in a child; its result and peak RSS come back through a pipe and wait4. */
static int run_child(const train_tensor_options *o, measure *m)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        FILE *devnull = fopen("/dev/null", "w");
        train_tensor_result res;
        mg_error err;
        mg_code rc = train_tensor_run(o, devnull ? devnull : stderr, &res, &err);
        if (rc != MG_OK)
            fprintf(stderr, "bench_fmnist: %s\n", err.message);
        measure out = { rc == MG_OK ? res.seconds_per_epoch : -1.0, res.cpu_per_epoch,
                        res.test_accuracy, 0, res.warm_allocations };
        ssize_t w = write(fd[1], &out, sizeof out);
        _exit(w == (ssize_t)sizeof out && rc == MG_OK ? 0 : 1);
    }
    close(fd[1]);
    ssize_t got = pid > 0 ? read(fd[0], m, sizeof *m) : -1;
    close(fd[0]);
    struct rusage ru;
    int status = 0;
    if (pid <= 0 || wait4(pid, &status, 0, &ru) < 0 || got != (ssize_t)sizeof *m
        || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    m->rss_kb = ru.ru_maxrss;
    return 0;
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
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char key[64];
    double v;
    int found = 0;
    while (fscanf(p, "%63s %lf", key, &v) == 2) {
        if (strcmp(key, "fmnist_epoch_s") == 0)
            t->epoch_s = v, found |= 1;
        else if (strcmp(key, "moons_step_us") == 0)
            t->moons_us = v, found |= 2;
        else if (strcmp(key, "rss_kb") == 0)
            t->rss_kb = (long)v, found |= 4;
    }
    return pclose(p) == 0 && found == 7 ? 0 : -1;
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
    train_tensor_options sgd = train_tensor_defaults(TRAIN_FASHION_MNIST);
    sgd.data_dir = data_dir;
    sgd.epochs = epochs;
    sgd.optim = mg_optim_defaults(MG_OPTIM_SGD);
    sgd.optim.lr = 0.1;
    sgd.cosine = 0;
    sgd.limit_test = 1000;
    train_tensor_options two = sgd;
    two.threads = 2;
    train_tensor_options def = train_tensor_defaults(TRAIN_FASHION_MNIST);
    def.data_dir = data_dir;
    def.epochs = epochs;
    def.limit_test = 1000;
    train_tensor_options moons = train_tensor_defaults(TRAIN_MOONS);
    moons.epochs = 2000;

    measure m1, m2, md, mm;
    if (run_child(&sgd, &m1) || run_child(&two, &m2) || run_child(&def, &md)
        || run_child(&moons, &mm)) {
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
        fprintf(stderr, "bench_fmnist: the PyTorch script failed (python3-torch installed?)\n");
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

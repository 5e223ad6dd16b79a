/* bench_viz.c — drawing speed in-process (mg_draw_dot) against Graphviz's
 * `dot` command on the same DOT text, measured in the same run. Graphs: the
 * one-sample MLP 2-16-16-1 (about 1,000 values, 1,600 Graphviz nodes when
 * unfolded) and micrograd's full-batch moons loss (65k values, drawn folded).
 * Each case runs in its own child process; wall time and peak RSS (getrusage
 * of the child) are reported. With --natural, `dot` also renders the
 * one-sample PNG at natural size without our caps (about 20 s and 1.7 GB on
 * this machine, ../shared/PEERS.md), which is the figure the caps avoid. */
#define _DEFAULT_SOURCE /* wait4 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mg_data.h"
#include "mg_loss.h"
#include "mg_viz.h"

typedef struct run {
    double seconds, peak_mib;
    int ok;
} run;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The one-sample MLP output, or the full-batch moons loss. */
static mg_value *build(mg_graph *g, int full)
{
    int nouts[] = {16, 16, 1};
    mg_mlp *m = mg_mlp_new(g, 2, nouts, 3, MG_NONLIN_RELU, MG_NONLIN_LINEAR, 1337, NULL);
    double X[200], y[100];
    mg_make_moons(100, 0.1, 1337, X, y, NULL);
    mg_value *root;
    if (full) {
        root = mg_mlp_svm_loss(m, X, y, 100, 1e-4, NULL);
    } else {
        mg_value *x[2] = {mg_label(mg_input(g, X[0]), "x0"), mg_label(mg_input(g, X[1]), "x1")};
        mg_mlp_forward(m, x, &root);
    }
    mg_backward(root);
    mg_mlp_free(m);
    return root;
}

/* Builds the graph and draws it to path, in this (child) process. */
static int draw_case(int full, int fold, const char *path)
{
    mg_graph *g = mg_graph_new();
    mg_value *root = build(g, full);
    mg_viz_options o = {0};
    if (!fold)
        o.fold_budget = SIZE_MAX;
    mg_error err;
    int rc = mg_draw_dot(root, path, &o, &err) == MG_OK ? 0 : 1;
    if (rc)
        fprintf(stderr, "%s\n", err.message);
    mg_graph_free(g);
    return rc;
}

/* Runs f in a child process (or argv with exec when f is NULL). */
static run measure(int (*f)(int, int, const char *), int full, int fold,
                   const char *path, char *const *argv)
{
    run r = {0, 0, 0};
    double t0 = now();
    pid_t pid = fork();
    if (pid == 0) {
        if (!f) {
            execvp(argv[0], argv);
            _exit(127);
        }
        _exit(f(full, fold, path));
    }
    int status = 0;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
        return r;
    r.seconds = now() - t0;
    r.peak_mib = (double)ru.ru_maxrss / 1024.0;
    r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return r;
}

static void report(const char *what, run ours, run peer)
{
    printf("%-34s mgviz %6.3f s %6.1f MiB", what, ours.seconds, ours.peak_mib);
    if (peer.ok)
        printf(" | dot %6.3f s %6.1f MiB | time ratio %.2fx",
               peer.seconds, peer.peak_mib, peer.seconds / ours.seconds);
    printf("%s\n", ours.ok ? "" : "  (FAILED)");
}

/* One case: mgviz draws `out`; dot renders mgviz's DOT of the same picture. */
static void bench_case(const char *dir, const char *name, int full, int fold,
                       const char *format)
{
    char out[256], dot_path[256], peer_out[256], flag[16];
    snprintf(out, sizeof out, "%s/%s.%s", dir, name, format);
    snprintf(dot_path, sizeof dot_path, "%s/%s.dot", dir, name);
    snprintf(peer_out, sizeof peer_out, "%s/%s_dot.%s", dir, name, format);
    snprintf(flag, sizeof flag, "-T%s", format);
    run ours = measure(draw_case, full, fold, out, NULL);
    run peer = {0, 0, 0};
    if (measure(draw_case, full, fold, dot_path, NULL).ok) {
        /* mgviz caps PNGs at 40 inches, 72 dpi; give dot the same cap */
        int png = strcmp(format, "png") == 0;
        char *argv[] = {"dot", flag, dot_path, "-o", peer_out,
                        png ? "-Gsize=40,40" : NULL, "-Gdpi=72", NULL};
        peer = measure(NULL, 0, 0, NULL, argv);
    }
    char what[96];
    snprintf(what, sizeof what, "%s %s", name, format);
    report(what, ours, peer);
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/bench_viz_XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    printf("(dot renders the DOT mgviz writes, with the same size caps and layout limits)\n");
    bench_case(dir, "mlp1_unfolded", 0, 0, "png");
    bench_case(dir, "mlp1_unfolded", 0, 0, "svg");
    bench_case(dir, "mlp1_folded", 0, 1, "png");
    bench_case(dir, "moons_folded", 1, 1, "png");
    bench_case(dir, "moons_folded", 1, 1, "svg");
    if (argc > 1 && strcmp(argv[1], "--natural") == 0) {
        /* micrograd's way: its DOT, no size cap, no layout limits */
        char cmd[512];
        snprintf(cmd, sizeof cmd,
                 "grep -v -e nslimit -e newrank %s/mlp1_unfolded.dot"
                 " > %s/natural.dot", dir, dir);
        if (system(cmd) == 0) {
            char in[256], out[256];
            snprintf(in, sizeof in, "%s/natural.dot", dir);
            snprintf(out, sizeof out, "%s/natural.png", dir);
            char *dargv[] = {"dot", "-Tpng", in, "-o", out, NULL};
            run r = measure(NULL, 0, 0, NULL, dargv);
            printf("dot, natural-size PNG of mlp1: %.2f s, %.0f MiB\n", r.seconds, r.peak_mib);
        }
    }
    printf("outputs left in %s\n", dir);
    return 0;
}

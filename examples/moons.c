/* moons.c — micrograd's demo: an MLP 2-16-16-1 learns two moons with the SVM loss.
 * 100 samples, noise 0.1, L2 1e-4, learning rate 1.0 - 0.9*k/100, 100 full-batch steps.
 * Given a directory, it also records the run there as `mgviz train` does
 * (run.json and steps.jsonl with every layer's health: engine/train/mg_run.h).
 *
 *     build/examples/moons [SEED [RUN_DIR]] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mg_data.h"
#include "mg_loss.h"
#include "mg_run.h"
#include "mg_schedule.h"

enum { N = 100, STEPS = 100 };

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 1337;
    const char *run_dir = argc > 2 ? argv[2] : NULL;
    double X[2 * N], y[N];
    mg_error err;
    if (mg_make_moons(N, 0.1, seed, X, y, &err) != MG_OK) {
        fprintf(stderr, "error: %s\n", err.message);
        return 1;
    }
    mg_graph *g = mg_graph_new();
    int nouts[] = { 16, 16, 1 };
    mg_mlp *model = mg_mlp_new(g, 2, nouts, 3, MG_NONLIN_RELU, MG_NONLIN_LINEAR, seed, &err);
    if (!model) {
        fprintf(stderr, "error: %s\n", err.message);
        return 1;
    }
    mg_graph_keep(g); /* the parameters survive every mg_graph_reset() below */
    size_t nparams;
    mg_value *const *params = mg_mlp_parameters(model, &nparams);
    printf("MLP 2-16-16-1, %zu parameters\n", nparams);

    /* the run as data: each layer's parameters (a neuron's weights then its
     * bias, layer after layer) and the scope its outputs are made in */
    const char *scopes[] = { "mlp/layer1", "mlp/layer2", "mlp/layer3" };
    mg_health_layer layers[3] = {
        { .scope = scopes[0], .values = params, .nvalues = 16 * 3 },
        { .scope = scopes[1], .values = params + 48, .nvalues = 16 * 17 },
        { .scope = scopes[2], .values = params + 48 + 272, .nvalues = 17 },
    };
    mg_health *health = run_dir ? mg_health_new(g, layers, 3, &err) : NULL;
    mg_run *run = health ? mg_run_open(run_dir, &(mg_run_info){ .dataset = "moons",
                                        .model = "mlp", .argc = argc, .argv = argv,
                                        .layers = scopes, .nlayers = 3 }, MG_RUN_REPLACE, &err)
                         : NULL;
    if (run_dir && !run) {
        fprintf(stderr, "error: %s\n", err.message);
        return 1;
    }
    mg_lr_schedule lr = { .kind = MG_LR_LINEAR, .lr = 1.0, .final = 0.1, .steps = STEPS };

    double acc = 0.0, total = 0.0, t0 = seconds();
    size_t nodes = 0;
    for (int k = 0; k < STEPS; k++) {
        double start = seconds();
        mg_value *loss = mg_mlp_svm_loss(model, X, y, N, 1e-4, &acc); /* forward */
        nodes = mg_graph_count(g);
        mg_mlp_zero_grad(model);
        if (mg_backward(loss) != MG_OK) {
            fprintf(stderr, "error: %s\n", mg_graph_error(g));
            return 1;
        }
        mg_health_measure(health); /* NULL: not recording */
        mg_sgd_step(params, nparams, mg_lr_at(&lr, k));
        mg_health_after_update(health);
        double loss_value = loss->data;
        if (run)
            mg_run_log_step(run, &(mg_run_step){ .step = k, .epoch = k, .loss = loss_value,
                                                 .accuracy = acc, .lr = mg_lr_at(&lr, k),
                                                 .health = health }, &err);
        mg_graph_reset(g); /* drops this step's nodes in O(1) */
        double dt = seconds() - start;
        total += dt;
        printf("step %d loss %.6f, accuracy %.0f%%, %.0f us\n", k, loss_value, acc * 100,
               dt * 1e6);
    }
    printf("%zu nodes per step, %.1f us per step on average, %.3f s in all\n", nodes,
           total / STEPS * 1e6, seconds() - t0);
    if (run && mg_run_close(run, MG_RUN_OK, NULL, &err) != MG_OK)
        fprintf(stderr, "error: %s\n", err.message);
    mg_health_free(health);
    mg_mlp_free(model);
    mg_graph_free(g);
    return 0;
}

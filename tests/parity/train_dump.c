/* train_dump.c — micrograd's moons training with our engine, dumped as JSON
 * so that test_training.py can replay it in PyTorch: the data, the initial
 * parameters, the loss at every step and the final parameters.
 *
 *     parity_train_dump [seed [steps]]     (defaults 1337 and 100)
 *
 * Parameters are listed as mg_mlp_parameters() orders them: layer by layer,
 * neuron by neuron, each neuron's weights then its bias. Numbers are printed
 * with %.17g, which reads back to the same double. */
#include <stdio.h>
#include <stdlib.h>

#include "mg_data.h"
#include "mg_loss.h"

enum { SAMPLES = 100 };

static void print_array(const char *key, const double *v, size_t n, int last)
{
    printf("\"%s\": [", key);
    for (size_t i = 0; i < n; i++)
        printf("%s%.17g", i ? ", " : "", v[i]);
    printf("]%s\n", last ? "" : ",");
}

static void print_params(const char *key, mg_value *const *p, size_t n)
{
    double *v = malloc(n * sizeof *v);
    if (!v) {
        fprintf(stderr, "train_dump: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++)
        v[i] = p[i]->data;
    print_array(key, v, n, 0);
    free(v);
}

int main(int argc, char **argv)
{
    unsigned long long seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 1337;
    int steps = argc > 2 ? atoi(argv[2]) : 100;
    if (steps < 1 || steps > 100000) {
        fprintf(stderr, "train_dump: steps must be in 1..100000\n");
        return 2;
    }
    const double noise = 0.1, alpha = 1e-4;
    double X[2 * SAMPLES], y[SAMPLES];
    mg_error err;
    if (mg_make_moons(SAMPLES, noise, seed, X, y, &err) != MG_OK) {
        fprintf(stderr, "train_dump: %s\n", err.message);
        return 1;
    }
    mg_graph *g = mg_graph_new();
    const int nouts[] = { 16, 16, 1 };
    mg_mlp *m = g ? mg_mlp_new(g, 2, nouts, 3, MG_NONLIN_RELU, MG_NONLIN_LINEAR, seed, &err)
                  : NULL;
    if (!m) {
        fprintf(stderr, "train_dump: %s\n", g ? err.message : "out of memory");
        mg_graph_free(g);
        return 1;
    }
    mg_graph_keep(g);
    size_t np;
    mg_value *const *params = mg_mlp_parameters(m, &np);
    double *loss = malloc((size_t)steps * sizeof *loss), *acc = malloc((size_t)steps * sizeof *acc);
    if (!loss || !acc) {
        fprintf(stderr, "train_dump: out of memory\n");
        return 1;
    }
    printf("{\"seed\": %llu, \"samples\": %d, \"noise\": %.17g, \"alpha\": %.17g, "
           "\"sizes\": [2, 16, 16, 1], \"steps\": %d,\n",
           seed, SAMPLES, noise, alpha, steps);
    print_array("X", X, 2 * SAMPLES, 0);
    print_array("y", y, SAMPLES, 0);
    print_params("params0", params, np);
    for (int k = 0; k < steps; k++) {
        mg_value *total = mg_mlp_svm_loss(m, X, y, SAMPLES, alpha, &acc[k]);
        mg_mlp_zero_grad(m);
        if (mg_backward(total) != MG_OK) {
            fprintf(stderr, "train_dump: step %d: %s\n", k, mg_graph_error(g));
            return 1;
        }
        loss[k] = total->data;
        mg_sgd_step(params, np, 1.0 - 0.9 * k / 100.0);
        mg_graph_reset(g);
    }
    print_params("params", params, np);
    print_array("accuracy", acc, (size_t)steps, 0);
    print_array("loss", loss, (size_t)steps, 1);
    printf("}\n");
    free(loss);
    free(acc);
    mg_mlp_free(m);
    mg_graph_free(g);
    return 0;
}

/* live.c — your own training loop, watched in the browser while it runs:
 * the run writer (mg_run.h) records every step with each layer's health
 * (mg_health.h), and the live server (mg_serve.h) shows the runs root to a
 * browser, where the curves and health panels grow as the steps are logged.
 * The model: micrograd's MLP 2-16-16-1 on two moons, tanh this time, so the
 * Health view has saturated units to show.
 *
 *     build/examples/live [STEPS [RUNS_ROOT]]      (default 300 mgviz-runs)
 *
 * It prints the page's address, trains, and keeps serving until Enter (or
 * end of input). Open the address before the run ends to watch it live. */
#include <stdio.h>
#include <stdlib.h>

#include "mg_data.h"
#include "mg_loss.h"
#include "mg_run.h"
#include "mg_schedule.h"
#include "mg_serve.h"

enum { N = 100 };

static int fail(const mg_error *err)
{
    fprintf(stderr, "error: %s\n", err->message);
    return 1;
}

int main(int argc, char **argv)
{
    int steps = argc > 1 ? atoi(argv[1]) : 300;
    const char *root = argc > 2 ? argv[2] : "mgviz-runs";
    if (steps < 1)
        steps = 1;
    mg_error err;
    double X[2 * N], y[N];
    if (mg_make_moons(N, 0.1, 1337, X, y, &err) != MG_OK)
        return fail(&err);
    mg_graph *g = mg_graph_new();
    int nouts[] = { 16, 16, 1 };
    mg_mlp *model = mg_mlp_new(g, 2, nouts, 3, MG_NONLIN_TANH, MG_NONLIN_LINEAR, 1337, &err);
    if (!model)
        return fail(&err);
    mg_graph_keep(g);
    size_t nparams;
    mg_value *const *params = mg_mlp_parameters(model, &nparams);

    /* 1. the run: a fresh dated directory under the root, and what to
     *    watch in each layer (its scope, its parameters) */
    const char *scopes[] = { "mlp/layer1", "mlp/layer2", "mlp/layer3" };
    mg_health_layer layers[] = {
        { .scope = scopes[0], .values = params, .nvalues = 16 * 3 },
        { .scope = scopes[1], .values = params + 48, .nvalues = 16 * 17 },
        { .scope = scopes[2], .values = params + 48 + 272, .nvalues = 17 },
    };
    char dir[1024];
    if (mg_run_fresh_dir(root, "moons-tanh", dir, sizeof dir, &err) != MG_OK)
        return fail(&err);
    mg_health *health = mg_health_new(g, layers, 3, &err);
    mg_run *run = health ? mg_run_open(dir, &(mg_run_info){ .dataset = "moons", .model = "mlp",
                                       .argc = argc, .argv = argv, .layers = scopes,
                                       .nlayers = 3 }, 0, &err)
                         : NULL;
    if (!run)
        return fail(&err);

    /* 2. the server over the root: 127.0.0.1 only, read-only; the page
     *    finds the new run by itself (port 0 would take any free port) */
    mg_serve *server = mg_serve_start(root, &(mg_serve_options){ .port = MG_SERVE_DEFAULT_PORT }, &err);
    if (!server)
        server = mg_serve_start(root, NULL, &err); /* the default port is taken */
    if (!server)
        return fail(&err);
    char url[1200];
    printf("watch it live: %s\n", mg_serve_run_url(server, dir, url, sizeof url));
    fflush(stdout);

    /* 3. the loop: one more call per step, mg_run_log_step */
    mg_lr_schedule lr = { .kind = MG_LR_LINEAR, .lr = 0.5, .final = 0.05, .steps = steps };
    double acc = 0.0, loss_value = 0.0;
    for (int k = 0; k < steps; k++) {
        mg_value *loss = mg_mlp_svm_loss(model, X, y, N, 1e-4, &acc);
        mg_mlp_zero_grad(model);
        if (mg_backward(loss) != MG_OK) {
            fprintf(stderr, "error: %s\n", mg_graph_error(g));
            return 1;
        }
        mg_health_measure(health);
        mg_sgd_step(params, nparams, mg_lr_at(&lr, k));
        mg_health_after_update(health);
        loss_value = loss->data;
        if (mg_run_log_step(run, &(mg_run_step){ .step = k, .epoch = 0, .loss = loss_value,
                                                 .accuracy = acc, .lr = mg_lr_at(&lr, k),
                                                 .health = health }, &err) != MG_OK)
            return fail(&err);
        mg_graph_reset(g);
    }
    printf("%d steps, loss %.4f, accuracy %.0f%%; the run is in %s\n", steps, loss_value,
           acc * 100, dir);
    if (mg_run_close(run, MG_RUN_OK, NULL, &err) != MG_OK)
        return fail(&err);

    printf("still serving at %s (Enter stops)\n", mg_serve_url(server));
    fflush(stdout);
    for (int c = getchar(); c != '\n' && c != EOF; c = getchar())
        ;
    mg_serve_stop(server);
    mg_health_free(health);
    mg_mlp_free(model);
    mg_graph_free(g);
    return 0;
}

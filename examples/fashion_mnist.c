/* fashion_mnist.c — one epoch of an MLP 784-128-10 on Fashion-MNIST with the
 * tensor engine, then its test accuracy: the loop `mgviz train` runs, bare.
 *
 *     build/examples/fashion_mnist [DIR]   # DIR: the IDX files (Debian's default) */
#include <stdio.h>
#include <stdlib.h>

#include "mg_idx.h"
#include "mg_tnn.h"

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : NULL;
    mg_error err;
    mg_image_set train, test;
    if (mg_fashion_mnist_load(dir, 1, &train, &err) || mg_fashion_mnist_load(dir, 0, &test, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    mg_graph *g = mg_graph_new();
    const int sizes[] = { train.dim, 128, 10 }, batch = 64;
    mg_tmlp *mlp = mg_tmlp_new(g, MG_F32, sizes, 3, MG_INIT_KAIMING, 1, &err);
    mg_optim_config cfg = mg_optim_defaults(MG_OPTIM_ADAM);
    mg_optim *opt = mlp ? mg_optim_new(mlp->params, mlp->nparams, &cfg, &err) : NULL;
    mg_batcher batches;
    if (!opt || mg_batcher_init(&batches, train.n, batch, 1, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    mg_graph_keep(g); /* the parameters survive every reset below */

    int32_t labels[64];
    const int *idx;
    int n;
    mg_batcher_shuffle(&batches, 0);
    while ((n = mg_batcher_next(&batches, &idx)) > 0) {
        mg_tensor *x = mg_tensor_input(g, MG_F32, 2, (const int[]){ n, train.dim });
        mg_image_set_rows(&train, idx, 0, n, x->data, labels);
        mg_tensor *loss = mg_tensor_cross_entropy(mg_tmlp_forward(mlp, x), labels);
        mg_optim_zero_grad(opt);
        if (mg_tensor_backward(loss) != MG_OK)
            break;
        mg_optim_step(opt);
        mg_graph_reset(g); /* drops this batch's nodes; allocates nothing once warm */
    }
    if (mg_graph_error(g)) {
        fprintf(stderr, "%s\n", mg_graph_error(g));
        return 1;
    }

    int right = 0;
    for (int i = 0; i < test.n; i++) { /* one image at a time: a plain loop to read */
        mg_tensor *x = mg_tensor_input(g, MG_F32, 2, (const int[]){ 1, test.dim });
        int32_t label;
        mg_image_set_rows(&test, NULL, i, 1, x->data, &label);
        mg_tensor *logits = mg_tmlp_forward(mlp, x);
        int best = 0;
        for (int c = 1; c < 10; c++)
            if (mg_tensor_get(logits, c) > mg_tensor_get(logits, best))
                best = c;
        right += best == label;
        mg_graph_reset(g);
    }
    printf("test accuracy after one epoch: %.2f%%\n", 100.0 * right / test.n);

    mg_batcher_free(&batches);
    mg_optim_free(opt);
    mg_tmlp_free(mlp);
    mg_graph_free(g);
    mg_image_set_free(&train);
    mg_image_set_free(&test);
    return 0;
}

/* fashion_mnist.c — an MLP 784-128-10 on Fashion-MNIST with the tensor
 * engine, one epoch per run, then its test accuracy: the loop `mgviz train`
 * runs, bare. Given a checkpoint file, a run resumes from it when it exists
 * and saves to it after the epoch, so each run trains one more epoch.
 *
 *     build/examples/fashion_mnist [DIR [CHECKPOINT]]   # DIR: the IDX files ("": Debian's) */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mg_eval.h"
#include "mg_idx.h"
#include "mg_train.h"

static mg_tensor *forward(void *model, mg_tensor *x) { return mg_tmlp_forward(model, x); }

int main(int argc, char **argv)
{
    const char *dir = argc > 1 && *argv[1] ? argv[1] : NULL, *ckpt = argc > 2 ? argv[2] : NULL;
    mg_error err;
    mg_image_set train, test;
    if (mg_fashion_mnist_load(dir, 1, &train, &err) || mg_fashion_mnist_load(dir, 0, &test, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    mg_graph *g = mg_graph_new();
    const int sizes[] = { train.dim, 128, 10 }, batch = 64;
    mg_tmlp *mlp = mg_tmlp_new(g, MG_F32, sizes, 3, MG_INIT_KAIMING, 1337, &err);
    mg_optim_config cfg = mg_optim_defaults(MG_OPTIM_ADAM);
    mg_optim *opt = mlp ? mg_optim_new(mlp->params, mlp->nparams, &cfg, &err) : NULL;
    mg_batcher batches;
    if (!opt || mg_batcher_init(&batches, train.n, batch, 1337, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    mg_graph_keep(g); /* the parameters survive every reset below */

    /* what a checkpoint holds and must match: the parameters, Adam's state */
    mg_train_model model = { .identity = "fashion-mnist mlp 784-128-10", .params = mlp->params,
                             .nparams = mlp->nparams, .optim = opt };
    mg_train_progress done = { 0 };
    if (ckpt && access(ckpt, F_OK) == 0 && mg_train_resume(ckpt, &model, &done, &err) != MG_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }

    int32_t labels[64];
    const int *idx;
    int n;
    mg_batcher_shuffle(&batches, done.epoch);
    while ((n = mg_batcher_next(&batches, &idx)) > 0) {
        mg_tensor *x = mg_tensor_input(g, MG_F32, 2, (const int[]){ n, train.dim });
        mg_image_set_rows(&train, idx, 0, n, x->data, labels);
        mg_tensor *loss = mg_tensor_cross_entropy(mg_tmlp_forward(mlp, x), labels);
        mg_optim_zero_grad(opt);
        if (mg_tensor_backward(loss) != MG_OK)
            break;
        mg_optim_step(opt);
        mg_graph_reset(g); /* drops this batch's nodes; allocates nothing once warm */
        done.step++;
    }
    if (mg_graph_error(g)) {
        fprintf(stderr, "%s\n", mg_graph_error(g));
        return 1;
    }
    done.epoch++;
    if (ckpt && mg_train_save(ckpt, &model, &done, &err) != MG_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }

    mg_eval result;
    if (mg_evaluate_images(g, forward, mlp, &test, 1000, &result, &err) != MG_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    printf("test accuracy after epoch %d: %.2f%%\n", done.epoch, 100.0 * result.accuracy);

    mg_batcher_free(&batches);
    mg_optim_free(opt);
    mg_tmlp_free(mlp);
    mg_graph_free(g);
    mg_image_set_free(&train);
    mg_image_set_free(&test);
    return 0;
}

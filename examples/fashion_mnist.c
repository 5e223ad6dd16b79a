/* fashion_mnist.c — an MLP 784-128-10 on Fashion-MNIST with the tensor
 * engine, one epoch per run, then its test accuracy: the library's task
 * (mg_task.h: the images, the model, Adam) driven by its loop
 * (mg_trainer.h), which is what `mgviz train --dataset fashion-mnist`
 * runs, bare. Given a checkpoint file, a run resumes from it when it exists
 * and saves to it after the epoch, so each run trains one more epoch.
 *
 * A model of your own trains the same way: give mg_trainer an
 * mg_train_task of your four functions (start an epoch, a step's forward
 * and backward, the update, an evaluation) and the parameters a
 * checkpoint holds (mg_train_model).
 *
 *     build/examples/fashion_mnist [DIR [CHECKPOINT]]   # DIR: the IDX files ("": Debian's) */
#include <stdio.h>
#include <unistd.h>

#include "mg_task.h"

/* After each epoch (the loop evaluates the test set first). */
static mg_code report(void *ctx, const mg_trainer_epoch *e, mg_error *err)
{
    (void)ctx;
    (void)err;
    printf("test accuracy after epoch %d: %.2f%%\n", e->epoch + 1, 100.0 * e->eval.accuracy);
    return MG_OK;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 && *argv[1] ? argv[1] : NULL, *ckpt = argc > 2 ? argv[2] : NULL;
    mg_error err;
    const double lr = 1e-3;
    mg_task_config c = { .dataset = "fashion-mnist", .data_dir = dir, .hidden = { 128 },
                         .nhidden = 1, .batch = 64, .seed = 1337, .optimizer = "adam", .lr = lr };
    mg_task *task = mg_task_open(&c, &err);
    if (!task) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    mg_trainer t = { .task = &task->ops, .ctx = task, .model = &task->model,
                     .batches = task->batches, .save = ckpt, .after_epoch = report,
                     .schedule = { .kind = MG_LR_CONSTANT, .lr = lr } };
    /* where the checkpoint left off (its parameters and Adam's state), then one epoch more */
    mg_code rc = ckpt && access(ckpt, F_OK) == 0 ? mg_trainer_resume(&t, ckpt, &err) : MG_OK;
    t.steps = t.schedule.steps = t.start.step + task->batches;
    if (rc == MG_OK)
        rc = mg_trainer_run(&t, &err);
    if (rc != MG_OK)
        fprintf(stderr, "%s\n", err.message);
    mg_task_free(task);
    return rc == MG_OK ? 0 : 1;
}

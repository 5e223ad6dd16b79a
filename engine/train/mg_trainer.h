/* mg_trainer.h — the training loop as a library call: steps grouped in
 * epochs, the learning-rate schedule, per-layer health, the run's records
 * (mg_run.h), the test set after each epoch, a checkpoint after each epoch
 * and resuming from one (mg_train.h), stopping on a non-finite loss or when
 * asked. The model and its data are the caller's four functions
 * (mg_train_task); what a program shows while it trains (a progress line,
 * pictures) hangs on hooks.
 *
 *     mg_trainer t = { .task = &my_task, .ctx = &my, .model = &model,
 *                      .steps = 1000, .batches = 100, .save = "run.ckpt",
 *                      .schedule = { .kind = MG_LR_COSINE, .lr = 1e-3, .steps = 1000 } };
 *     if (access("run.ckpt", F_OK) == 0 && mg_trainer_resume(&t, "run.ckpt", &err) != MG_OK) ...
 *     mg_trainer_run(&t, &err);    // t.done: steps taken; t.status, t.message
 *
 * Step k (from 0, or from where a checkpoint left off) is: the task's step
 * (forward, backward), health measured on logged steps, the before_update
 * hook (pictures of the batch, its grads intact), the update at the
 * schedule's rate, the step's record, the after_step hook. At the end of
 * each full epoch: the task's evaluation (an "eval" event), the after_epoch
 * hook, then the checkpoint. */
#ifndef MG_TRAINER_H
#define MG_TRAINER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "mg_eval.h"
#include "mg_health.h"
#include "mg_run.h"
#include "mg_schedule.h"
#include "mg_train.h"

MG_EXTERN_C_BEGIN

/* What one step of the task reports. */
typedef struct mg_train_batch {
    mg_value *root;        /* the loss node; its graph is the step's */
    double loss;
    double accuracy;       /* on this batch; NaN when not measured */
    mg_tensor *logits;     /* a sequence model's logits in root's graph (for
                              pictures that name tokens), or NULL */
} mg_train_batch;

/* The model and its data, as the loop drives them. ctx is mg_trainer.ctx. */
typedef struct mg_train_task {
    /* Shuffles for epoch (from 0) and rewinds the batches (NULL: nothing). */
    void (*start_epoch)(void *ctx, int epoch);
    /* Forward, zero grads and backward of the epoch's next batch. */
    mg_code (*step)(void *ctx, mg_train_batch *out, mg_error *err);
    /* The update at learning rate lr, from the grads backward left. */
    void (*update)(void *ctx, double lr);
    /* Loss and accuracy on held-out data (NULL: none). */
    mg_code (*evaluate)(void *ctx, mg_eval *out, mg_error *err);
} mg_train_task;

/* A step as the hooks see it. */
typedef struct mg_trainer_step {
    int64_t step;
    int epoch;
    double lr;
    bool logged;                /* recorded in steps.jsonl (and health measured) */
    const mg_train_batch *batch;
    const char *snapshot;       /* before_update may set it: the step record's
                                   picture, relative to the run directory */
    const char *stop;           /* a non-finite loss said in words, or NULL */
} mg_trainer_step;

/* An epoch's end as the hooks see it. */
typedef struct mg_trainer_epoch {
    int epoch;                  /* from 0 */
    int64_t last;               /* its last step */
    double train_loss;          /* mean over its steps */
    mg_eval eval;               /* NaN loss and accuracy without evaluate */
    bool evaluated;
} mg_trainer_epoch;

typedef struct mg_trainer {
    /* what to train */
    const mg_train_task *task;
    void *ctx;
    const mg_train_model *model;   /* what checkpoints hold (NULL: no save/resume) */
    /* how long and how fast */
    int64_t steps;                 /* the run's length, >= 1 */
    int batches;                   /* steps per epoch, >= 1 */
    mg_lr_schedule schedule;
    bool keep_going;               /* a non-finite loss is reported once, not fatal */
    /* what is kept */
    const char *save;              /* checkpoint written after each epoch (NULL: none) */
    const char *eval_split;        /* what evaluate measures, in "eval" events ("test";
                                      NULL too) */
    mg_run *run;                   /* step records and events (NULL: none) */
    mg_health *health;             /* measured on logged steps (NULL: none) */
    int log_every;                 /* steps between records (0: 1); the last and any
                                      non-finite step are always recorded */
    volatile sig_atomic_t *stop;   /* nonzero: stop after the current step (a signal
                                      handler sets it); NULL: never */
    /* hooks (each may be NULL); a hook's error stops the run */
    void *hook_ctx;
    mg_code (*before_update)(void *hook_ctx, mg_trainer_step *s, mg_error *err);
    void (*after_step)(void *hook_ctx, const mg_trainer_step *s);
    mg_code (*after_epoch)(void *hook_ctx, const mg_trainer_epoch *e, mg_error *err);
    void (*warning)(void *hook_ctx, int64_t step, const char *text);
    /* filled by resume and run */
    mg_train_progress start;       /* where this run begins */
    const char *resumed;           /* the checkpoint it began from (NULL: none) */
    int64_t done;                  /* steps this run took */
    int64_t saved;                 /* steps the checkpoint holds (0: none written) */
    mg_run_status status;
    mg_code code;                  /* the failure's code (MG_OK: none, or stopped) */
    bool said_nonfinite;           /* keep_going: a non-finite loss was said */
    bool task_failed;              /* the failure was the task's step or a non-finite
                                      loss, not a file or a hook */
    char message[MG_ERROR_MESSAGE_SIZE + 64];
} mg_trainer;

/* Loads the checkpoint at path into t->model and sets t->start; refuses one
 * that does not end an epoch of this run (t->batches steps each). MG_OK, or
 * an error with a message and the model unchanged. */
MG_API mg_code mg_trainer_resume(mg_trainer *t, const char *path, mg_error *err);
/* Trains from t->start to t->steps (nothing when already there), logging a
 * "resume" event first when it began from a checkpoint. Fills done,
 * saved, status (MG_RUN_OK, MG_RUN_STOPPED when *t->stop was set,
 * MG_RUN_ERROR) and message. MG_OK when the run ended well or was stopped;
 * else the failure's code, its message in err and t->message. */
MG_API mg_code mg_trainer_run(mg_trainer *t, mg_error *err);

MG_EXTERN_C_END

#endif

/* mg_snapshot_task.h — the pictures of a library task's run (mg_task.h):
 * one call per step draws what mg_snapshot.h can show of it.
 *
 *     mg_snapshot_task_options o = { .graphs = MG_SNAPSHOT_GRAPH_SAMPLE, .sample = -1 };
 *     // in mg_trainer's before_update hook, the grads of the step's batch in place:
 *     mg_snapshot_task_step(snap, task, step, batch, &o, &err);
 */
#ifndef MG_SNAPSHOT_TASK_H
#define MG_SNAPSHOT_TASK_H

#include "mg_snapshot.h"
#include "mg_task.h"

MG_EXTERN_C_BEGIN

/* Which loss graphs a saved step draws (or-ed). */
enum {
    MG_SNAPSHOT_GRAPH_BATCH = 1,  /* the whole batch's graph */
    MG_SNAPSHOT_GRAPH_SAMPLE = 2, /* one sample's own graph */
};

typedef struct mg_snapshot_task_options {
    unsigned graphs; /* MG_SNAPSHOT_GRAPH_* or-ed; 0: the curve and boundary only */
    long sample;     /* the sample drawn and ringed; -1: the batch's worst */
} mg_snapshot_task_options;

/* Records step `step` of task t whose batch b has run backward: the point on
 * the curve, and at a saved step the batch's graph, the boundary with the
 * sample ringed (a task that can predict) and the sample's own graph (its
 * backward run with the batch's grads put aside and back, so the update
 * that follows sees the batch's). An index outside the task is refused. */
MG_API mg_code mg_snapshot_task_step(mg_snapshot *s, mg_task *t, int step,
                                     const mg_train_batch *b,
                                     const mg_snapshot_task_options *o, mg_error *err);

MG_EXTERN_C_END

#endif

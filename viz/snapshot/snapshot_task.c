/* snapshot_task.c — mg_snapshot_task.h: which mg_snapshot calls a task's
 * saved step makes, in the order their pictures depend on each other. */
#include "mg_snapshot_task.h"

#include <math.h>

/* The sample o asks for: the batch's worst, or the one it names. */
static mg_code pick_sample(mg_task *t, const mg_snapshot_task_options *o, mg_task_sample *s,
                           mg_error *err)
{
    *s = (mg_task_sample){ .index = o->sample, .loss = NAN };
    if (o->sample < 0)
        return mg_task_worst(t, s, err);
    if (o->sample >= t->samples)
        return mg_error_set(err, MG_EINVAL, "sample %ld is outside the task's 0..%ld",
                            o->sample, t->samples - 1);
    return MG_OK;
}

/* The sample's own graph, drawn between putting the batch's grads aside
 * and back. */
static mg_code draw_sample(mg_snapshot *snap, mg_task *t, int step, mg_task_sample *s,
                           mg_error *err)
{
    mg_value *root;
    mg_code rc = mg_task_sample_graph(t, s, &root, err);
    if (rc == MG_OK) {
        mg_snapshot_sample_info info = { .index = s->index, .loss = s->loss, .worst = s->worst,
                                         .zero_grads = s->zero_grads, .label = s->label,
                                         .logits = s->logits };
        rc = mg_snapshot_sample(snap, step, root, &info, err);
    }
    mg_task_restore(t);
    return rc;
}

mg_code mg_snapshot_task_step(mg_snapshot *snap, mg_task *t, int step, const mg_train_batch *b,
                              const mg_snapshot_task_options *o, mg_error *err)
{
    if (!snap || !t || !b || !o)
        return mg_error_set(err, MG_EINVAL, "mg_snapshot_task_step: a NULL argument");
    const bool batch = o->graphs & MG_SNAPSHOT_GRAPH_BATCH;
    if (!mg_snapshot_due(snap, step))
        return mg_snapshot_step(snap, step, NULL, b->loss, b->accuracy, err);
    mg_task_sample s;
    mg_code rc = pick_sample(t, o, &s, err);
    if (rc == MG_OK && t->predict)
        rc = mg_snapshot_mark(snap, step, (size_t)s.index, err);
    if (rc == MG_OK && batch && b->logits)
        rc = mg_snapshot_positions(snap, step, b->logits, err);
    if (rc == MG_OK)
        rc = mg_snapshot_step(snap, step, batch ? b->root : NULL, b->loss, b->accuracy, err);
    if (rc == MG_OK && (o->graphs & MG_SNAPSHOT_GRAPH_SAMPLE))
        rc = draw_sample(snap, t, step, &s, err);
    return rc;
}

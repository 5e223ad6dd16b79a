/* trainer.c — mg_trainer.h: the training loop, every policy a library call
 * (mg_schedule.h, mg_health.h, mg_run.h, mg_train.h) strung together. */
#include "mg_trainer.h"

#include <math.h>
#include <stdio.h>

mg_code mg_trainer_resume(mg_trainer *t, const char *path, mg_error *err)
{
    if (!t || !path || !t->model || t->batches < 1)
        return mg_error_set(err, MG_EINVAL, "trainer: resume needs a model and batches >= 1");
    mg_train_progress p;
    mg_code rc = mg_train_resume(path, t->model, &p, err);
    if (rc == MG_OK && p.step != (int64_t)p.epoch * t->batches)
        return mg_error_set(err, MG_EFORMAT, "%s: step %lld is not the end of epoch %d of this "
                            "run (%d steps an epoch: was --batch different?)", path,
                            (long long)p.step, p.epoch, t->batches);
    if (rc == MG_OK) {
        t->start = p;
        t->resumed = path;
    }
    return rc;
}

/* Records the first failure; false, so callers can return it. */
static bool fail(mg_trainer *t, mg_code rc, mg_run_status status, bool task, const char *why)
{
    if (t->status == MG_RUN_OK && !t->message[0]) {
        t->status = status;
        t->task_failed = task;
        snprintf(t->message, sizeof t->message, "%s", why);
        t->code = rc;
    }
    return false;
}

static void warn(mg_trainer *t, int64_t k, const char *text)
{
    if (t->warning)
        t->warning(t->hook_ctx, k, text);
}

/* The step record, the health's warnings said. */
static mg_code record(mg_trainer *t, const mg_trainer_step *s, const char *say, mg_error *err)
{
    /* a schedule's warmup and tail make updates small on purpose */
    mg_health_limits limits = mg_health_default_limits();
    if (s->lr < 0.25 * t->schedule.lr)
        limits.ratio_low = -INFINITY;
    if (t->health) {
        mg_health_set_limits(t->health, &limits);
        if (!s->stop || t->keep_going)
            mg_health_after_update(t->health);
    }
    const char *warnings[] = { s->stop };
    mg_code rc = !t->run ? MG_OK
                 : mg_run_log_step(t->run, &(mg_run_step){ .step = s->step, .epoch = s->epoch,
                                                          .loss = s->batch->loss,
                                                          .accuracy = s->batch->accuracy,
                                                          .lr = s->lr, .health = t->health,
                                                          .snapshot = s->snapshot,
                                                          .warnings = warnings,
                                                          .nwarnings = s->stop != NULL }, err);
    for (int i = 0; t->health && i < mg_health_warning_count(t->health); i++)
        warn(t, s->step, mg_health_warning(t->health, i));
    if (say)
        warn(t, s->step, say);
    return rc;
}

/* Step k of epoch e; false when the run must stop. */
static bool one_step(mg_trainer *t, int64_t k, int e, double *loss_sum, mg_error *err)
{
    mg_train_batch b = { .accuracy = NAN };
    mg_code rc = t->task->step(t->ctx, &b, err);
    if (rc != MG_OK)
        return fail(t, rc, MG_RUN_ERROR, true, err->message);
    const bool finite = isfinite(b.loss), go_on = finite || t->keep_going;
    mg_trainer_step s = { .step = k, .epoch = e, .batch = &b, .lr = mg_lr_at(&t->schedule, k),
                          .logged = k % t->log_every == 0 || k + 1 == t->steps || !finite };
    char stop[256];
    if (!finite) {
        snprintf(stop, sizeof stop, "the loss is %s at step %lld%s", isnan(b.loss) ? "nan"
                 : b.loss > 0 ? "inf" : "-inf", (long long)k,
                 t->keep_going ? ": going on (--keep-going)"
                               : ": stopping (a lower --lr may help; --keep-going goes on)");
        s.stop = stop;
    }
    if (s.logged && t->health && (rc = mg_health_measure(t->health)) != MG_OK)
        rc = mg_error_set(err, rc, "out of memory measuring the layers");
    if (rc == MG_OK && t->before_update)
        rc = t->before_update(t->hook_ctx, &s, err);
    if (go_on)
        t->task->update(t->ctx, s.lr);
    /* stopping says so as the error; going on says so once */
    const bool say = !finite && t->keep_going && !t->said_nonfinite;
    t->said_nonfinite |= say;
    if (s.logged && rc == MG_OK)
        rc = record(t, &s, say ? stop : NULL, err);
    if (t->after_step)
        t->after_step(t->hook_ctx, &s);
    *loss_sum += b.loss;
    t->done++;
    if (rc != MG_OK)
        return fail(t, rc, MG_RUN_ERROR, false, err->message);
    if (!go_on)
        return fail(t, mg_error_set(err, MG_EINVAL, "%s", stop), MG_RUN_ERROR, true, stop);
    if (t->stop && *t->stop)
        return fail(t, MG_OK, MG_RUN_STOPPED, false, "stopped");
    return true;
}

/* The end of epoch e (its steps' mean loss): evaluation, hook, checkpoint. */
static bool end_epoch(mg_trainer *t, int e, int64_t last, double loss_sum, int steps,
                      mg_error *err)
{
    mg_trainer_epoch ep = { .epoch = e, .last = last, .train_loss = loss_sum / steps,
                            .eval = { .loss = NAN, .accuracy = NAN } };
    mg_code rc = MG_OK;
    if (t->task->evaluate && (rc = t->task->evaluate(t->ctx, &ep.eval, err)) == MG_OK) {
        ep.evaluated = true;
        mg_run_field f[] = {
            { .name = "epoch", .kind = MG_RUN_INT, .integer = e + 1 },
            { .name = "step", .kind = MG_RUN_INT, .integer = last },
            { .name = "split", .text = t->eval_split ? t->eval_split : "test" },
            { .name = "samples", .kind = MG_RUN_INT, .integer = ep.eval.samples },
            { .name = "loss", .kind = MG_RUN_NUMBER, .number = ep.eval.loss },
            { .name = "accuracy", .kind = MG_RUN_NUMBER, .number = ep.eval.accuracy },
            { .name = "train_loss", .kind = MG_RUN_NUMBER, .number = ep.train_loss },
        };
        if (t->run)
            rc = mg_run_log_event(t->run, "eval", f, (int)(sizeof f / sizeof f[0]), err);
    }
    if (rc == MG_OK && t->after_epoch)
        rc = t->after_epoch(t->hook_ctx, &ep, err);
    if (rc == MG_OK && t->save && t->model &&
        (rc = mg_train_save(t->save, t->model, &(mg_train_progress){ e + 1, last + 1 }, err)) ==
            MG_OK)
        t->saved = last + 1;
    return rc == MG_OK || fail(t, rc, MG_RUN_ERROR, false, err->message);
}

static void resumed_event(mg_trainer *t)
{
    mg_run_field f[] = {
        { .name = "from", .text = t->resumed },
        { .name = "epoch", .kind = MG_RUN_INT, .integer = t->start.epoch },
        { .name = "step", .kind = MG_RUN_INT, .integer = t->start.step },
    };
    if (t->run && t->resumed && t->start.step)
        mg_run_log_event(t->run, "resume", f, (int)(sizeof f / sizeof f[0]), NULL);
}

mg_code mg_trainer_run(mg_trainer *t, mg_error *err)
{
    mg_error local;
    err = err ? err : &local;
    mg_error_clear(err);
    if (!t || !t->task || !t->task->step || !t->task->update || t->steps < 1 || t->batches < 1)
        return mg_error_set(err, MG_EINVAL, "trainer: needs a task with step and update, "
                            "steps >= 1 and batches >= 1");
    if (t->log_every < 1)
        t->log_every = 1;
    t->done = t->saved = 0;
    t->status = MG_RUN_OK;
    t->code = MG_OK;
    t->message[0] = '\0';
    resumed_event(t);
    int64_t k = t->start.step;
    for (int e = t->start.epoch; k < t->steps; e++) {
        if (t->task->start_epoch)
            t->task->start_epoch(t->ctx, e);
        double loss_sum = 0;
        int steps = 0;
        for (; steps < t->batches && k < t->steps; steps++, k++)
            if (!one_step(t, k, e, &loss_sum, err))
                return t->code;
        if (steps == t->batches && !end_epoch(t, e, k - 1, loss_sum, steps, err))
            return t->code;
    }
    return MG_OK;
}

/* train_loop.c — `mgviz train` around the library's task (mg_task.h: the
 * data, the model, its batches) and loop (mg_trainer.h: steps and epochs,
 * the schedule, health, step records, the test set, checkpoints and
 * resume): the run directory opened from the command line, snapshots
 * (mg_snapshot_task.h) and the terminal on the loop's hooks, Ctrl-C, and
 * watching live (--serve). */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mg_file.h"
#include "mg_kernels.h"
#include "mg_run.h"
#include "mg_schedule.h"
#include "mg_snapshot_task.h"
#include "serve_cli.h"
#include "train_print.h"
#include "train_config.h"

#define CMD "train"

static volatile sig_atomic_t interrupted; /* the signal that asked us to stop */

static void on_signal(int sig) { interrupted = sig; }

/* Ctrl-C (or SIGTERM) ends the run after the current step; a second one
 * kills at once (the handler resets itself). */
static void catch_signals(void)
{
    struct sigaction sa = { .sa_handler = on_signal, .sa_flags = (int)SA_RESETHAND };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

typedef struct runner {
    const train_config *c;
    mg_task *task;
    mg_run *run;
    mg_snapshot *snap;
    mg_snapshot_task_options drawn; /* --graph and --sample */
    mg_health *health;
    mg_trainer loop;             /* schedule, progress, the checkpoint's steps */
    int64_t total;               /* steps of the whole run, from 0 */
    int epochs;
    train_printer print;
    double epoch_start;          /* print_now() when the epoch began */
    mg_serve *server;            /* --serve: the run's page, live */
    char dir[1024];
    mg_error err;
    int exit_code;               /* the first failure's */
    mg_run_status status;
    char message[MG_ERROR_MESSAGE_SIZE + 64];
} runner;

/* Records the first failure: its exit code and message. */
static void fail(runner *r, int code, mg_run_status status, const char *message)
{
    if (r->exit_code)
        return;
    r->exit_code = code;
    r->status = status;
    snprintf(r->message, sizeof r->message, "%s", message);
}

static int code_of(mg_code rc) { return rc == MG_EIO || rc == MG_EINVAL ? CLI_USAGE : CLI_BAD; }

/* ---- setting up ---- */

/* The task the command line describes, as the library builds it. */
static mg_task_config task_config(const train_config *c)
{
    mg_task_config t = {
        .dataset = c->dataset, .model = c->model, .engine = c->engine,
        .samples = (size_t)c->samples, .noise = c->noise, .data_dir = c->data_dir,
        .limit = (size_t)c->limit, .test_limit = (size_t)c->test_limit, .nhidden = c->nhidden,
        .context = (int)c->context, .embd = (int)c->embd, .layers = (int)c->layers,
        .heads = (int)c->heads, .name_tokens = c->snapshot_every != 0, .batch = (int)c->batch,
        .eval_every = (int)c->eval_every, .seed = c->seed, .optimizer = c->optimizer,
        .lr = c->lr, .momentum = c->momentum, .weight_decay = c->weight_decay,
        .alpha = c->alpha, .grad_clip = c->grad_clip, .option_prefix = "--",
    };
    memcpy(t.hidden, c->hidden, sizeof t.hidden);
    return t;
}

static int plan(runner *r)
{
    const train_config *c = r->c;
    mg_task *t = r->task;
    r->total = c->steps ? (int64_t)c->steps : (int64_t)c->epochs * t->batches;
    r->epochs = (int)((r->total + t->batches - 1) / t->batches);
    mg_lr_kind kind = MG_LR_CONSTANT;
    mg_lr_kind_parse(c->schedule, &kind);
    r->loop = (mg_trainer){
        .task = &t->ops, .ctx = t, .model = &t->model, .steps = r->total,
        .batches = t->batches, .keep_going = c->keep_going, .save = c->save,
        .eval_split = t->eval_split, .log_every = (int)c->log_every, .stop = &interrupted,
        .schedule = { .kind = kind, .lr = c->lr, .warmup = (int64_t)c->warmup,
                      .steps = r->total, .final = kind == MG_LR_LINEAR ? 0.1 : 0 },
    };
    if (mg_lr_check(&r->loop.schedule, &r->err) != MG_OK)
        return cli_fail(CMD, CLI_USAGE, "%s", r->err.message);
    /* written after each epoch: a run too short for one, or an unwritable
     * place, is said now rather than after the training */
    if (c->save && r->total < t->batches)
        return cli_fail(CMD, CLI_USAGE, "--save writes a checkpoint at the end of each %s (%d "
                        "steps), but --steps %lld ends before the first: %s", c->data->provides &
                        NEEDS_TEXT ? "--eval-every" : "epoch", t->batches, (long long)r->total,
                        c->data->provides & NEEDS_TEXT ? "lower --eval-every" : "raise --steps");
    if (c->save && mg_file_check_writable(c->save, &r->err) != MG_OK)
        return cli_fail(CMD, CLI_USAGE, "%s (--save)", r->err.message);
    if (strcmp(c->sample, "worst") != 0 && strtoull(c->sample, NULL, 10) >= (uint64_t)t->samples)
        return cli_fail(CMD, CLI_USAGE, "bad value '%s' for --sample: expected worst or a "
                        "sample from 0 to %ld", c->sample, t->samples - 1);
    bool both = strcmp(c->graph, "both") == 0;
    r->drawn = (mg_snapshot_task_options){
        .graphs = (both || strcmp(c->graph, "batch") == 0 ? MG_SNAPSHOT_GRAPH_BATCH : 0u) |
                  (both || strcmp(c->graph, "sample") == 0 ? MG_SNAPSHOT_GRAPH_SAMPLE : 0u),
        .sample = strcmp(c->sample, "worst") == 0 ? -1 : (long)strtoull(c->sample, NULL, 10),
    };
    return -1;
}

static mg_code open_run(runner *r)
{
    const train_config *c = r->c;
    const mg_task *t = r->task;
    mg_code rc = MG_OK;
    if (c->out)
        snprintf(r->dir, sizeof r->dir, "%s", c->out);
    else {
        char stem[128];
        snprintf(stem, sizeof stem, "%s-%s-%s", c->dataset, c->model, c->engine);
        rc = mg_run_fresh_dir(c->runs, stem, r->dir, sizeof r->dir, &r->err);
    }
    char *argv[256];
    int argc = 0;
    argv[argc++] = "mgviz";
    for (int i = 0; i < c->argc && argc < 256; i++)
        argv[argc++] = c->argv[i];
    mg_run_field options[TRAIN_MAX_OPTIONS];
    mg_run_info info = { .dataset = c->dataset, .model = c->model, .argc = argc, .argv = argv,
                         .options = options, .noptions = train_option_fields(c, options),
                         .layers = t->layer_names, .nlayers = t->nlayers,
                         .planned_steps = r->total };
    if (rc == MG_OK && !(r->run = mg_run_open(r->dir, &info, c->force ? MG_RUN_REPLACE : 0,
                                              &r->err)))
        rc = r->err.code;
    return rc;
}

static mg_code open_snapshots(runner *r)
{
    const train_config *c = r->c;
    mg_task *t = r->task;
    static mg_viz_options viz;
    viz = c->viz;
    viz.no_heatmaps = c->no_heatmaps;
    if (strcmp(c->engine, "tensor") == 0 && !viz.max_inches)
        viz.max_inches = 100; /* tensor tables are wide: keep their text legible */
    if (!viz.fold_budget && !viz.open_member && !viz.unfold_scope && t->fold_budget) {
        viz.fold_budget = t->fold_budget; /* the model's own way to be drawn */
        viz.open_member = t->open_scope[0] ? t->open_scope : NULL;
        viz.unfold_scope = t->unfold_scope[0] ? t->unfold_scope : NULL;
    }
    if (!viz.rankdir && t->rankdir[0])
        viz.rankdir = t->rankdir;
    bool sample = r->drawn.graphs & MG_SNAPSHOT_GRAPH_SAMPLE;
    bool batch = r->drawn.graphs & MG_SNAPSHOT_GRAPH_BATCH;
    mg_snapshot_options o = {
        .every = c->snapshot_every ? (int)c->snapshot_every : -1, .steps = (int)r->total,
        .title = c->viz.title ? c->viz.title : t->title, .graph_format = c->format,
        .viz = &viz, .sample_viz = &viz, .graph_json = c->json, .log_loss = c->log_loss,
        .loss_smoothing = c->smoothing,
        .inspector = !c->inspector ? MG_SNAPSHOT_INSPECT_NONE
                     : sample      ? MG_SNAPSHOT_INSPECT_SAMPLE
                     : batch       ? MG_SNAPSHOT_INSPECT_LOSS
                                   : MG_SNAPSHOT_INSPECT_NONE,
        .predict = t->predict, .predict_ctx = t, .X = t->X, .label = t->labels,
        .n = t->npoints,
    };
    r->snap = mg_snapshot_open(r->dir, &o, &r->err);
    return r->snap ? MG_OK : r->err.code;
}

/* ---- the loop's hooks ---- */

/* Before the update: the step's pictures, or its loss on the curve. */
static mg_code before_update(void *ctx, mg_trainer_step *s, mg_error *err)
{
    runner *r = ctx;
    mg_code rc = mg_snapshot_task_step(r->snap, r->task, (int)s->step, s->batch, &r->drawn,
                                       &r->err);
    if (rc != MG_OK)
        return mg_error_set(err, rc, "%s", r->err.message);
    s->snapshot = mg_snapshot_step_file(r->snap, (int)s->step);
    return MG_OK;
}

static void after_step(void *ctx, const mg_trainer_step *s)
{
    runner *r = ctx;
    train_report rep = { .step = s->step, .epoch = s->epoch, .loss = s->batch->loss,
                         .accuracy = s->batch->accuracy, .lr = s->lr,
                         .saved = mg_snapshot_due(r->snap, (int)s->step) };
    if (s->logged)
        print_step(&r->print, &rep);
    else
        print_tick(&r->print, &rep);
}

static mg_code after_epoch(void *ctx, const mg_trainer_epoch *e, mg_error *err)
{
    runner *r = ctx;
    mg_code rc = MG_OK;
    if (e->evaluated)
        rc = mg_snapshot_eval(r->snap, e->epoch + 1, e->last, e->eval.loss, e->eval.accuracy,
                              err);
    if (rc == MG_OK && (r->task->ops.evaluate || r->task->batches > 1))
        print_epoch(&r->print, e->epoch, e->train_loss, e->eval.loss, e->eval.accuracy,
                    print_now() - r->epoch_start);
    r->epoch_start = print_now();
    return rc;
}

static void warning(void *ctx, int64_t step, const char *text)
{
    print_warning(&((runner *)ctx)->print, step, text);
}

/* The loop, its first failure kept as the command's exit code and message. */
static void train_epochs(runner *r)
{
    mg_trainer *l = &r->loop;
    l->run = r->run;
    l->health = r->health;
    l->hook_ctx = r;
    l->before_update = before_update;
    l->after_step = after_step;
    l->after_epoch = after_epoch;
    l->warning = warning;
    r->epoch_start = print_now();
    mg_code rc = mg_trainer_run(l, &r->err);
    if (l->status == MG_RUN_STOPPED)
        fail(r, 128 + interrupted, MG_RUN_STOPPED,
             interrupted == SIGINT ? "interrupted (Ctrl-C)" : "stopped by SIGTERM");
    else if (rc != MG_OK)
        fail(r, l->task_failed ? CLI_BAD : code_of(rc), MG_RUN_ERROR, l->message);
}

/* ---- watching it live (--serve) ---- */

/* The server over the runs root (with --out, over the run alone). */
static mg_serve *start_serving(runner *r)
{
    const train_config *c = r->c;
    serve_cli how = { .host = c->host, .port = (int)c->port, .port_given = c->port_given };
    return serve_cli_start(CMD, c->out ? r->dir : c->runs, &how, r->dir);
}

/* A run that ended by itself stays on the page until Ctrl-C; one stopped
 * by Ctrl-C stops the server too. */
static void stop_serving(runner *r)
{
    if (!r->server)
        return;
    if (r->status != MG_RUN_STOPPED) {
        printf("still serving at %s (Ctrl-C stops)\n", mg_serve_url(r->server));
        fflush(stdout);
        serve_cli_wait();
    }
    mg_serve_stop(r->server);
    r->server = NULL;
}

/* ---- the whole run ---- */

static void plan_text(const runner *r, char *buf, size_t n)
{
    const train_config *c = r->c;
    long batch = c->batch ? (long)c->batch : r->task->samples;
    const char *period = r->task->period;
    snprintf(buf, n, "%lld steps (%d per %s, %d %s%s, batch %ld), %s lr %g %s%s%s",
             (long long)r->total, r->task->batches, period, r->epochs, period,
             r->epochs == 1 ? "" : "s", batch,
             c->optimizer,
             c->lr, c->schedule, c->warmup ? " with warmup" : "",
             r->loop.start.step ? ", resumed" : "");
}

static void finish(runner *r, int64_t steps_done, double t0)
{
    mg_error err;
    print_clear(&r->print);
    if (mg_snapshot_close(r->snap, &err) != MG_OK)
        fail(r, CLI_USAGE, MG_RUN_ERROR, err.message);
    if (mg_run_close(r->run, r->status, r->exit_code ? r->message : NULL, &err) != MG_OK)
        fail(r, CLI_USAGE, MG_RUN_ERROR, err.message);
    if (r->exit_code)
        cli_fail(CMD, r->exit_code, "%s", r->message);
    if (r->dir[0]) {
        printf("%lld steps in %.2f s; the run is in ", (long long)steps_done, print_now() - t0);
        cli_put_visible(stdout, r->dir, false);
        fputs("/ (index.html, steps.jsonl)\n", stdout);
    }
    if (r->loop.saved) { /* say what a later --resume starts from, most of all when it is
                             not the end: checkpoints are taken at the end of a period */
        printf("the checkpoint ");
        cli_put_visible(stdout, r->c->save, false);
        printf(" holds the first %lld steps", (long long)r->loop.saved);
        int64_t end = r->loop.start.step + steps_done; /* steps_done: this run's, after resume */
        if (r->loop.saved < end)
            printf("; the %lld after it are not in it (checkpoints are taken at the end of "
                   "each %s)", (long long)(end - r->loop.saved),
                   r->task->period);
        putchar('\n');
    }
}

/* Frees what train_run() opened before the loop. */
static void close_all(runner *r)
{
    mg_health_free(r->health);
    mg_snapshot_close(r->snap, NULL);
    mg_task_free(r->task);
}

/* The task the command line describes, its data summed up unless --quiet. */
static int open_task(runner *r)
{
    const train_config *c = r->c;
    if (strcmp(c->engine, "tensor") == 0)
        mg_set_threads((int)c->threads);
    mg_task_config how = task_config(c);
    if (!(r->task = mg_task_open(&how, &r->err)))
        return cli_fail(CMD, code_of(r->err.code), "%s", r->err.message);
    if (!c->quiet && r->task->note[0])
        printf("%s\n", r->task->note);
    return -1;
}

int train_run(const train_config *c)
{
    runner r = { .c = c };
    if (c->out && !c->force && mg_run_dir_in_use(c->out))
        return cli_fail(CMD, CLI_USAGE, "%s is not empty: it holds another run or other files; "
                        "pass --force to replace the run there, or another --out", c->out);
    mg_code rc;
    int code = open_task(&r);
    if (code < 0)
        code = plan(&r);
    if (code < 0 && c->resume && (rc = mg_trainer_resume(&r.loop, c->resume, &r.err)) != MG_OK)
        code = cli_fail(CMD, CLI_BAD, "%s", r.err.message);
    if (code < 0 && r.loop.start.step >= r.total) {
        printf("nothing to do: the checkpoint is at step %lld of %lld\n",
               (long long)r.loop.start.step, (long long)r.total);
        code = CLI_OK;
    }
    mg_task *t = r.task;
    if (code < 0 && ((rc = open_run(&r)) != MG_OK || (rc = open_snapshots(&r)) != MG_OK ||
                     !(r.health = mg_health_new(t->g, t->layers, t->nlayers, &r.err)))) {
        code = cli_fail(CMD, CLI_USAGE, "%s", r.err.message);
        mg_run_close(r.run, MG_RUN_ERROR, r.err.message, NULL);
    }
    if (code >= 0) {
        close_all(&r);
        return code;
    }
    r.print = (train_printer){ .quiet = c->quiet, .first = r.loop.start.step, .total = r.total,
                               .epochs = t->batches > 1 ? r.epochs : 0, .period = t->period,
                               .split = t->eval_split ? t->eval_split : "test",
                               .redraw = c->progress || (!c->no_progress && isatty(STDOUT_FILENO)) };
    char text[256];
    plan_text(&r, text, sizeof text);
    print_start(&r.print, t->title, text, r.dir);
    if (c->serve && !(r.server = start_serving(&r))) {
        mg_run_close(r.run, MG_RUN_ERROR, "the server could not start", NULL);
        close_all(&r);
        return CLI_USAGE;
    }
    catch_signals();
    double t0 = print_now();
    train_epochs(&r);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    finish(&r, mg_snapshot_steps(r.snap), t0);
    stop_serving(&r);
    mg_health_free(r.health);
    mg_task_free(t);
    return r.exit_code;
}

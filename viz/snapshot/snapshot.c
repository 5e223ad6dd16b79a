/* snapshot.c — a training run's records: the directory, the options, every
 * step's loss and accuracy, and which steps were saved with which files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_file.h"
#include "mg_size.h"
#include "snapshot_internal.h"
#include "viz_internal.h"

enum { DEFAULT_EVERY = 10 };

static char *copy_text(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    return p ? memcpy(p, s, n) : NULL;
}

static double *copy_doubles(const double *v, size_t n)
{
    double *p = malloc(sizeof *p * (n ? n : 1));
    if (p && n)
        memcpy(p, v, sizeof *p * n);
    return p;
}

/* Copies a drawing's options, with the strings the run must own. */
static bool copy_viz(mg_snapshot *s, int i, const mg_viz_options *o)
{
    if (!o)
        return true;
    s->viz[i] = *o;
    s->viz[i].title = NULL; /* each picture gets its step's title */
    s->viz_strings[i][0] = copy_text(o->rankdir);
    s->viz_strings[i][1] = copy_text(o->unfold_scope);
    s->viz[i].rankdir = s->viz_strings[i][0];
    s->viz[i].unfold_scope = s->viz_strings[i][1];
    return (!o->rankdir || s->viz_strings[i][0]) && (!o->unfold_scope || s->viz_strings[i][1]);
}

static mg_code check_options(const mg_snapshot_options *o, mg_error *err)
{
    mg_code rc = o->graph_format ? viz_check_format(o->graph_format, err) : MG_OK;
    if (rc != MG_OK)
        return rc;
    if (o->inspector > MG_SNAPSHOT_INSPECT_SAMPLE)
        return mg_error_set(err, MG_EINVAL, "snapshot: unknown inspector choice %d",
                            (int)o->inspector);
    if (o->steps < 0)
        return mg_error_set(err, MG_EINVAL, "snapshot: steps %d is negative", o->steps);
    if (o->predict && o->n > 0 && !o->X)
        return mg_error_set(err, MG_EINVAL, "snapshot: %zu points but no X", o->n);
    return MG_OK;
}

static bool copy_options(mg_snapshot *s, const mg_snapshot_options *o)
{
    s->every = o->every ? o->every : DEFAULT_EVERY;
    s->steps_total = o->steps;
    s->graph_json = o->graph_json;
    s->log_loss = o->log_loss;
    s->loss_smoothing = o->loss_smoothing;
    s->inspect = o->inspector;
    s->predict = o->predict;
    s->predict_ctx = o->predict_ctx;
    if (o->boundary)
        s->boundary = *o->boundary;
    s->boundary.title = NULL;
    s->n = o->predict && o->X ? o->n : 0;
    s->title = copy_text(o->title ? o->title : "training run");
    s->graph_format = copy_text(o->graph_format ? o->graph_format : "svg");
    s->X = copy_doubles(o->X, 2 * s->n);
    s->label = o->label ? copy_doubles(o->label, s->n) : NULL;
    return s->title && s->graph_format && s->X && (!o->label || s->label) &&
           copy_viz(s, 0, o->viz) && copy_viz(s, 1, o->sample_viz);
}

static void snapshot_free(mg_snapshot *s)
{
    free(s->dir);
    free(s->title);
    free(s->graph_format);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            free(s->viz_strings[i][j]);
    free(s->X);
    free(s->label);
    free(s->step);
    free(s->loss);
    free(s->accuracy);
    free(s->saved);
    free(s->evals);
    mg_png_free(&s->last_boundary);
    mg_html_steps_free(s->page);
    free(s);
}

/* Makes dir/snapshots, where saved steps' files go. */
static mg_code make_steps_dir(const mg_snapshot *s, mg_error *err)
{
    char *path = snap_path(s, SNAP_STEPS_DIR);
    mg_code rc = path ? mg_file_make_own_dir(path, err)
                      : mg_error_set(err, MG_ENOMEM, "out of memory starting a snapshot run");
    free(path);
    return rc;
}

mg_snapshot *mg_snapshot_open(const char *dir, const mg_snapshot_options *opt,
                              mg_error *err)
{
    static const mg_snapshot_options defaults = { 0 };
    const mg_snapshot_options *o = opt ? opt : &defaults;
    if (!dir || !*dir) {
        mg_error_set(err, MG_EINVAL, "snapshot: no directory given");
        return NULL;
    }
    if (check_options(o, err) != MG_OK || mg_file_make_dirs(dir, err) != MG_OK)
        return NULL;
    mg_snapshot *s = calloc(1, sizeof *s);
    if (!s || !(s->dir = copy_text(dir)) || !copy_options(s, o)) {
        mg_error_set(err, MG_ENOMEM, "out of memory starting a snapshot run");
        if (s)
            snapshot_free(s);
        return NULL;
    }
    if (s->inspect != MG_SNAPSHOT_INSPECT_NONE) {
        mg_html_options page = { .title = s->title, .viz = &s->viz[s->inspect - 1] };
        s->page = mg_html_steps_new(&page, err);
    }
    if ((s->inspect && !s->page) || make_steps_dir(s, err) != MG_OK ||
        snap_write_manifest(s, err) != MG_OK) {
        snapshot_free(s);
        return NULL;
    }
    return s;
}

bool mg_snapshot_due(const mg_snapshot *s, int step)
{
    if (!s || step < 0 || s->every < 0)
        return false;
    return step % s->every == 0 || (s->steps_total > 0 && step == s->steps_total - 1);
}

const char *mg_snapshot_dir(const mg_snapshot *s)
{
    return s ? s->dir : NULL;
}

size_t mg_snapshot_steps(const mg_snapshot *s)
{
    return s ? s->nsteps : 0;
}

size_t mg_snapshot_saved(const mg_snapshot *s)
{
    return s ? s->nsaved : 0;
}

/* Grows the array whose pointer is at p (of `size`-byte items) to hold
 * n + 1; false when out of memory. */
static bool grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t c = *cap ? *cap * 2 : 64;
    void *arrays[] = { p };
    if (!mg_realloc_arrays(c, 1, arrays, &size))
        return false;
    *cap = c;
    return true;
}

/* Makes room for the curve's next point: the whole run's when its length
 * is known, so recording a step allocates nothing after the first. */
static bool curve_room(mg_snapshot *s)
{
    if (s->nsteps < s->cap_steps)
        return true;
    size_t c = s->cap_steps ? 2 * s->cap_steps : 64;
    if (!s->cap_steps && (size_t)s->steps_total > c)
        c = (size_t)s->steps_total;
    void *arrays[] = { &s->step, &s->loss, &s->accuracy };
    const size_t sizes[] = { sizeof *s->step, sizeof *s->loss, sizeof *s->accuracy };
    if (!mg_realloc_arrays(c, 3, arrays, sizes))
        return false;
    s->cap_steps = c;
    return true;
}

static mg_code record_point(mg_snapshot *s, int step, double loss, double accuracy,
                            mg_error *err)
{
    if (!curve_room(s))
        return mg_error_set(err, MG_ENOMEM, "out of memory recording step %d", step);
    s->step[s->nsteps] = step;
    s->loss[s->nsteps] = loss;
    s->accuracy[s->nsteps++] = accuracy;
    return MG_OK;
}

/* The saved entry of step: the last one if it is that step, else a new one. */
static snap_entry *entry_for(mg_snapshot *s, int step, mg_error *err)
{
    if (s->nsaved && s->saved[s->nsaved - 1].step == step)
        return &s->saved[s->nsaved - 1];
    if (!grow(&s->saved, &s->cap_saved, s->nsaved, sizeof *s->saved)) {
        mg_error_set(err, MG_ENOMEM, "out of memory saving step %d", step);
        return NULL;
    }
    snap_entry *e = &s->saved[s->nsaved++];
    *e = (snap_entry){ .step = step, .loss = NAN, .accuracy = NAN };
    e->sample.loss = NAN;
    mg_png_free(&s->last_boundary); /* it belonged to the previous saved step */
    return e;
}

/* The loss curve so far, as loss.png. */
static mg_code write_curve(const mg_snapshot *s, mg_error *err)
{
    if (s->nsteps == 0)
        return MG_OK;
    double *x = malloc(sizeof *x * s->nsteps);
    char *path = snap_path(s, SNAP_CURVE);
    mg_code rc = MG_OK;
    if (!x || !path) {
        rc = mg_error_set(err, MG_ENOMEM, "out of memory drawing the loss curve");
    } else {
        for (size_t i = 0; i < s->nsteps; i++)
            x[i] = s->step[i];
        mg_plot_options o = { .title = s->title, .log_scale = s->log_loss,
                                .smoothing = s->loss_smoothing };
        rc = mg_plot_curve(path, x, s->loss, s->nsteps, &o, err);
    }
    free(x);
    free(path);
    return rc;
}

/* The run's own files, rewritten so the directory is readable mid-run. */
static mg_code write_run_files(const mg_snapshot *s, mg_error *err)
{
    mg_code rc = write_curve(s, err);
    if (rc == MG_OK)
        rc = snap_write_manifest(s, err);
    if (rc == MG_OK)
        rc = snap_write_index(s, err);
    return rc;
}

mg_code mg_snapshot_step(mg_snapshot *s, int step, mg_value *loss_root, double loss,
                         double accuracy, mg_error *err)
{
    if (!s)
        return mg_error_set(err, MG_EINVAL, "snapshot: no run");
    if (step < 0 || (s->nsteps && step <= s->step[s->nsteps - 1]))
        return mg_error_set(err, MG_EINVAL, "snapshot: step %d does not follow step %ld", step,
                            s->nsteps ? s->step[s->nsteps - 1] : -1L);
    mg_code rc = record_point(s, step, loss, accuracy, err);
    if (rc != MG_OK || !mg_snapshot_due(s, step))
        return rc;
    snap_entry *e = entry_for(s, step, err);
    if (!e)
        return MG_ENOMEM;
    e->loss = loss;
    e->accuracy = accuracy;
    if (loss_root)
        rc = snap_draw_graph(s, e, SNAP_GRAPH, loss_root, err);
    if (rc == MG_OK && s->predict)
        rc = snap_draw_boundary(s, e, err);
    if (rc == MG_OK && loss_root && s->inspect == MG_SNAPSHOT_INSPECT_LOSS)
        rc = snap_inspect(s, e, loss_root, e->logits, err);
    e->logits = NULL; /* a node of this step's graph */
    if (rc == MG_OK)
        rc = snap_write_step(s, e, err);
    return rc == MG_OK ? write_run_files(s, err) : rc;
}

/* The saved entry of step for a call that may precede mg_snapshot_step():
 * NULL with *rc MG_OK when step is not saved. */
static snap_entry *entry_before_step(mg_snapshot *s, int step, mg_code *rc, mg_error *err)
{
    *rc = MG_OK;
    if (!mg_snapshot_due(s, step))
        return NULL;
    int last = s->nsaved ? s->saved[s->nsaved - 1].step : -1;
    if (step < last) {
        *rc = mg_error_set(err, MG_EINVAL, "snapshot: step %d comes after step %d", step, last);
        return NULL;
    }
    snap_entry *e = entry_for(s, step, err);
    if (!e)
        *rc = MG_ENOMEM;
    return e;
}

mg_code mg_snapshot_mark(mg_snapshot *s, int step, size_t index, mg_error *err)
{
    if (!s)
        return mg_error_set(err, MG_EINVAL, "snapshot mark: no run");
    if (index >= s->n && s->n)
        return mg_error_set(err, MG_EINVAL, "snapshot mark: point %zu of %zu", index, s->n);
    mg_code rc;
    snap_entry *e = entry_before_step(s, step, &rc, err);
    if (e) {
        e->marked = true;
        e->mark = index;
    }
    return rc;
}

mg_code mg_snapshot_positions(mg_snapshot *s, int step, struct mg_tensor *logits,
                              mg_error *err)
{
    if (!s)
        return mg_error_set(err, MG_EINVAL, "snapshot positions: no run");
    if (s->inspect != MG_SNAPSHOT_INSPECT_LOSS)
        return MG_OK;
    mg_code rc;
    snap_entry *e = entry_before_step(s, step, &rc, err);
    if (e)
        e->logits = logits;
    return rc;
}

static void keep_sample_info(snap_entry *e, const mg_snapshot_sample_info *info)
{
    if (!info)
        return;
    e->has_sample = true;
    e->sample = *info;
    snprintf(e->sample_label, sizeof e->sample_label, "%s", info->label ? info->label : "");
    e->sample.label = info->label ? e->sample_label : NULL;
    e->sample.logits = NULL; /* a node of that step's graph: not kept */
}

const char *mg_snapshot_step_file(mg_snapshot *s, int step)
{
    for (size_t i = s ? s->nsaved : 0; i-- > 0;)
        if (s->saved[i].step == step) {
            snprintf(s->step_file, sizeof s->step_file, SNAP_STEPS_DIR "/step-%06d.json", step);
            return s->step_file;
        }
    return NULL;
}

mg_code mg_snapshot_sample(mg_snapshot *s, int step, mg_value *root,
                           const mg_snapshot_sample_info *info, mg_error *err)
{
    if (!s || !root)
        return mg_error_set(err, MG_EINVAL, "snapshot sample: no %s", s ? "graph" : "run");
    mg_code rc;
    snap_entry *e = entry_before_step(s, step, &rc, err);
    if (!e)
        return rc;
    keep_sample_info(e, info);
    rc = snap_draw_graph(s, e, SNAP_SAMPLE, root, err);
    if (rc == MG_OK && s->inspect == MG_SNAPSHOT_INSPECT_SAMPLE)
        rc = snap_inspect(s, e, root, info ? info->logits : NULL, err);
    if (rc == MG_OK)
        rc = snap_write_step(s, e, err);
    return rc == MG_OK ? write_run_files(s, err) : rc;
}

mg_code mg_snapshot_eval(mg_snapshot *s, int epoch, long step, double loss, double accuracy,
                         mg_error *err)
{
    if (!s)
        return mg_error_set(err, MG_EINVAL, "snapshot eval: no run");
    if (!grow(&s->evals, &s->cap_evals, s->nevals, sizeof *s->evals))
        return mg_error_set(err, MG_ENOMEM, "out of memory recording epoch %d", epoch);
    s->evals[s->nevals++] = (snap_eval){ epoch, step, loss, accuracy };
    return write_run_files(s, err);
}

static mg_code write_inspector(mg_snapshot *s, mg_error *err)
{
    if (!s->page || mg_html_steps_count(s->page) == 0)
        return MG_OK;
    char *path = snap_path(s, SNAP_INSPECTOR);
    if (!path)
        return mg_error_set(err, MG_ENOMEM, "out of memory writing the inspector page");
    mg_code rc = mg_html_steps_set_curve(s->page, s->step, s->loss, s->nsteps, err);
    if (rc == MG_OK)
        rc = mg_html_steps_write(s->page, path, err);
    s->page_written = rc == MG_OK;
    free(path);
    return rc;
}

mg_code mg_snapshot_close(mg_snapshot *s, mg_error *err)
{
    if (!s)
        return MG_OK;
    mg_code rc = write_inspector(s, err);
    mg_code files = write_run_files(s, rc == MG_OK ? err : NULL);
    snapshot_free(s);
    return rc != MG_OK ? rc : files;
}

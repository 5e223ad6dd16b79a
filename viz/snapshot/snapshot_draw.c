/* snapshot_draw.c — the pictures of a saved step: its graphs (mg_viz.h, and
 * graph JSON through mg_export.h), its decision boundary (mg_plot.h) and
 * its page of the inspector (mg_html.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_export.h"
#include "snapshot_internal.h"

int snap_file_name(const mg_snapshot *s, int step, snap_file f, char *buf, size_t n)
{
    static const char *const kind[SNAP_NFILES] = { "graph", "sample", "boundary", "graph",
                                                   "sample" };
    const char *ext = f == SNAP_BOUNDARY ? "png"
                      : f == SNAP_GRAPH_JSON || f == SNAP_SAMPLE_JSON ? "json"
                                                                        : s->graph_format;
    return snprintf(buf, n, SNAP_STEPS_DIR "/step-%06d-%s.%s", step, kind[f], ext);
}

char *snap_path(const mg_snapshot *s, const char *name)
{
    size_t n = strlen(s->dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", s->dir, name);
    return p;
}

/* "step 10: loss 0.0123457, accuracy 95%", leaving out what is unknown. */
static void step_title(const snap_entry *e, char *buf, size_t n)
{
    int k = snprintf(buf, n, "step %d", e->step);
    if (!isnan(e->loss) && k >= 0 && (size_t)k < n)
        k += snprintf(buf + k, n - (size_t)k, ": loss %.6g", e->loss);
    if (!isnan(e->accuracy) && k >= 0 && (size_t)k < n)
        snprintf(buf + k, n - (size_t)k, "%s accuracy %.0f%%", isnan(e->loss) ? ":" : ",",
                 e->accuracy * 100);
}

/* "step 10, sample 17 (label -1): the largest loss of the step, 0.873",
 * and when its grads are all 0 a warning that the picture shows nothing. */
static void sample_title(const snap_entry *e, char *buf, size_t n)
{
    const mg_snapshot_sample_info *i = &e->sample;
    if (!e->has_sample) {
        snprintf(buf, n, "step %d, one sample", e->step);
        return;
    }
    int k = snprintf(buf, n, "step %d, sample %ld", e->step, i->index);
    if (i->label && k >= 0 && (size_t)k < n)
        k += snprintf(buf + k, n - (size_t)k, " (label %s)", i->label);
    if (k >= 0 && (size_t)k < n && !isnan(i->loss))
        k += snprintf(buf + k, n - (size_t)k, i->worst ? ": the largest loss of the step, %.4g"
                                                       : ": loss %.4g", i->loss);
    if (k >= 0 && (size_t)k < n && i->zero_grads)
        snprintf(buf + k, n - (size_t)k, " - every grad is 0: this sample adds nothing to "
                 "the step's update");
}

/* The path of one of the step's files, malloc'd. */
static mg_code step_path(mg_snapshot *s, snap_entry *e, snap_file f, char **path,
                         mg_error *err)
{
    char name[96];
    snap_file_name(s, e->step, f, name, sizeof name);
    *path = snap_path(s, name);
    return *path ? MG_OK : mg_error_set(err, MG_ENOMEM, "out of memory naming %s", name);
}

static mg_code count_nodes(mg_value *root, const mg_viz_options *o, size_t *count,
                           mg_error *err)
{
    mg_viz_fold_plan plan;
    mg_code rc = mg_viz_fold_plan_make(root, o, &plan, err);
    if (rc == MG_OK)
        *count = plan.total;
    mg_viz_fold_plan_free(&plan);
    return rc;
}

static mg_code graph_json(mg_snapshot *s, snap_entry *e, snap_file f, mg_value *root,
                          mg_error *err)
{
    char *path;
    mg_code rc = step_path(s, e, f, &path, err);
    if (rc == MG_OK && (rc = mg_export_json_file(path, root, NULL, 0, 0, err)) == MG_OK)
        e->has[f] = true;
    free(path);
    return rc;
}

mg_code snap_draw_graph(mg_snapshot *s, snap_entry *e, snap_file f, mg_value *root,
                        mg_error *err)
{
    bool sample = f == SNAP_SAMPLE;
    mg_viz_options o = s->viz[sample];
    char title[256];
    if (sample)
        sample_title(e, title, sizeof title);
    else
        step_title(e, title, sizeof title);
    o.title = title;
    char *path;
    mg_code rc = step_path(s, e, f, &path, err);
    if (rc == MG_OK)
        rc = count_nodes(root, &o, &e->nodes[sample], err);
    if (rc == MG_OK && (rc = mg_draw_dot_format(root, path, s->graph_format, &o, err)) == MG_OK)
        e->has[f] = true;
    free(path);
    if (rc == MG_OK && s->graph_json)
        rc = graph_json(s, e, sample ? SNAP_SAMPLE_JSON : SNAP_GRAPH_JSON, root, err);
    return rc;
}

mg_code snap_draw_boundary(mg_snapshot *s, snap_entry *e, mg_error *err)
{
    char title[128];
    int k = snprintf(title, sizeof title, "step %d  loss %.4g", e->step, e->loss);
    if (!isnan(e->accuracy) && k > 0 && (size_t)k < sizeof title)
        k += snprintf(title + k, sizeof title - (size_t)k, "  acc %.0f%%", e->accuracy * 100);
    if (e->marked && k > 0 && (size_t)k < sizeof title)
        snprintf(title + k, sizeof title - (size_t)k, "  ringed: #%zu", e->mark);
    mg_plot_options o = s->boundary;
    o.title = title;
    o.marked = e->marked ? &e->mark : NULL;
    o.nmarked = e->marked ? 1 : 0;
    mg_png_free(&s->last_boundary);
    char *path;
    mg_code rc = step_path(s, e, SNAP_BOUNDARY, &path, err);
    if (rc == MG_OK)
        rc = mg_plot_boundary_png(s->predict, s->predict_ctx, s->X, s->label, s->n, &o,
                                  &s->last_boundary, err);
    if (rc == MG_OK && (rc = mg_png_write(&s->last_boundary, path, err)) == MG_OK)
        e->has[SNAP_BOUNDARY] = true;
    free(path);
    return rc;
}

mg_code snap_inspect(mg_snapshot *s, const snap_entry *e, mg_value *root,
                     struct mg_tensor *logits, mg_error *err)
{
    mg_html_step info = { .step = e->step, .loss = e->loss, .accuracy = e->accuracy,
                          .boundary_png = s->last_boundary.bytes,
                          .boundary_png_len = s->last_boundary.len, .logits = logits };
    return mg_html_steps_add(s->page, root, &info, err);
}

/* snapshot_index.c — index.html: a plain page (no script) for people: the
 * loss curve, test accuracy per epoch when there is a test set, then one
 * row per saved step with its loss, accuracy, decision boundary and links to
 * its graphs. Columns a run has nothing for are left out. */
#include <math.h>

#include "mg_format.h"
#include "snapshot_internal.h"

static const char style[] =
    "body{font-family:sans-serif;margin:1.5em;color:#222}"
    "table{border-collapse:collapse;margin-bottom:1em}"
    "th,td{border:1px solid #ccc;padding:4px 8px;vertical-align:top}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "img.b{width:240px}";

/* x with 6 significant digits, or nan/inf/-inf as such (never -nan). */
static void number(mg_buf *b, double x)
{
    char text[32];
    if (isfinite(x))
        mg_buf_printf(b, "%.6g", x == 0 ? 0.0 : x);
    else
        mg_format_double(x, text, sizeof text), mg_buf_puts(b, text);
}

static void percent(mg_buf *b, double x)
{
    if (isnan(x))
        mg_buf_puts(b, "&ndash;");
    else
        mg_buf_printf(b, "%.1f%%", x * 100);
}

static void file_link(mg_buf *b, const mg_snapshot *s, const snap_entry *e, snap_file f,
                 const char *text)
{
    char name[64];
    snap_file_name(s, e->step, f, name, sizeof name);
    mg_buf_printf(b, "<a href=\"%s\">%s</a>", name, text);
}

/* "sample 17 (largest loss)" for the one-sample graph's link. */
static void sample_text(mg_buf *b, const snap_entry *e)
{
    if (!e->has_sample) {
        mg_buf_puts(b, "one sample");
        return;
    }
    mg_buf_printf(b, "sample %ld", e->sample.index);
    if (e->sample.worst)
        mg_buf_puts(b, " (largest loss)");
    if (e->sample.zero_grads)
        mg_buf_puts(b, " (every grad 0)");
}

/* A link to one of the step's graphs, its size, and its JSON if written. */
static void graph_links(mg_buf *b, const mg_snapshot *s, const snap_entry *e, bool sample)
{
    snap_file f = sample ? SNAP_SAMPLE : SNAP_GRAPH;
    if (!e->has[f])
        return;
    char name[64];
    snap_file_name(s, e->step, f, name, sizeof name);
    mg_buf_printf(b, "<a href=\"%s\">", name);
    if (sample)
        sample_text(b, e);
    else
        mg_buf_puts(b, "loss graph");
    mg_buf_printf(b, "</a> (%zu nodes)", e->nodes[sample]);
    if (e->has[sample ? SNAP_SAMPLE_JSON : SNAP_GRAPH_JSON])
        file_link(b, s, e, sample ? SNAP_SAMPLE_JSON : SNAP_GRAPH_JSON, " JSON");
    mg_buf_puts(b, "<br>");
}

static bool any_accuracy(const mg_snapshot *s)
{
    for (size_t i = 0; i < s->nsaved; i++)
        if (!isnan(s->saved[i].accuracy))
            return true;
    return false;
}

static void row(mg_buf *b, const mg_snapshot *s, const snap_entry *e, bool accuracy)
{
    mg_buf_printf(b, "<tr id=\"step-%d\"><td class=\"n\">%d</td><td class=\"n\">", e->step,
                  e->step);
    number(b, e->loss);
    mg_buf_puts(b, "</td>");
    if (accuracy) {
        mg_buf_puts(b, "<td class=\"n\">");
        percent(b, e->accuracy);
        mg_buf_puts(b, "</td>");
    }
    if (s->predict) {
        mg_buf_puts(b, "<td>");
        if (e->has[SNAP_BOUNDARY]) {
            char name[64];
            snap_file_name(s, e->step, SNAP_BOUNDARY, name, sizeof name);
            mg_buf_printf(b, "<a href=\"%s\"><img class=\"b\" src=\"%s\" alt=\"decision "
                          "boundary at step %d\"></a>", name, name, e->step);
        }
        mg_buf_puts(b, "</td>");
    }
    mg_buf_puts(b, "<td>");
    graph_links(b, s, e, false);
    graph_links(b, s, e, true);
    mg_buf_puts(b, "</td></tr>\n");
}

static void summary(mg_buf *b, const mg_snapshot *s)
{
    mg_buf_printf(b, "<p>%zu steps recorded, %zu saved", s->nsteps, s->nsaved);
    if (s->every > 0)
        mg_buf_printf(b, " (every %d)", s->every);
    if (s->nsteps) {
        size_t last = s->nsteps - 1;
        mg_buf_printf(b, ". Last step %ld: loss ", s->step[last]);
        number(b, s->loss[last]);
        if (!isnan(s->accuracy[last])) {
            mg_buf_puts(b, ", accuracy ");
            percent(b, s->accuracy[last]);
        }
    }
    mg_buf_puts(b, ".</p>\n<p><a href=\"" SNAP_MANIFEST "\">" SNAP_MANIFEST "</a>");
    if (s->page_written)
        mg_buf_puts(b, " &middot; <a href=\"" SNAP_INSPECTOR "\">inspector</a>");
    mg_buf_puts(b, "</p>\n");
    if (s->nsteps)
        mg_buf_puts(b, "<p><img src=\"" SNAP_CURVE "\" alt=\"loss curve\"></p>\n");
}

/* Test loss and accuracy after each epoch, when the run has a test set. */
static void evals(mg_buf *b, const mg_snapshot *s)
{
    if (s->nevals == 0)
        return;
    mg_buf_puts(b, "<h2>Test set</h2>\n<table>\n<thead><tr><th>epoch</th><th>step</th>"
                "<th>test loss</th><th>test accuracy</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < s->nevals; i++) {
        const snap_eval *v = &s->evals[i];
        mg_buf_printf(b, "<tr><td class=\"n\">%d</td><td class=\"n\">%ld</td><td class=\"n\">",
                      v->epoch, v->step);
        number(b, v->loss);
        mg_buf_puts(b, "</td><td class=\"n\">");
        percent(b, v->accuracy);
        mg_buf_puts(b, "</td></tr>\n");
    }
    mg_buf_puts(b, "</tbody>\n</table>\n");
}

mg_code snap_write_index(const mg_snapshot *s, mg_error *err)
{
    mg_buf b = { 0 };
    bool accuracy = any_accuracy(s);
    mg_buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<title>");
    mg_buf_html_text(&b, s->title);
    mg_buf_printf(&b, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", style);
    mg_buf_html_text(&b, s->title);
    mg_buf_puts(&b, "</h1>\n");
    summary(&b, s);
    evals(&b, s);
    mg_buf_puts(&b, "<h2>Saved steps</h2>\n<table>\n<thead><tr><th>step</th><th>loss</th>");
    if (accuracy)
        mg_buf_puts(&b, "<th>accuracy</th>");
    if (s->predict)
        mg_buf_puts(&b, "<th>decision boundary</th>");
    mg_buf_puts(&b, "<th>graphs</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < s->nsaved; i++)
        row(&b, s, &s->saved[i], accuracy);
    mg_buf_puts(&b, "</tbody>\n</table>\n</body>\n</html>\n");
    mg_code rc = snap_write_text(s, SNAP_INDEX, &b, err);
    mg_buf_free(&b);
    return rc;
}

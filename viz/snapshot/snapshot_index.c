/* snapshot_index.c — index.html: a plain page (no script) for people: the
 * loss curve, then one row per saved step with its loss, accuracy, decision
 * boundary and links to its graphs. */
#include <math.h>

#include "snapshot_internal.h"

static const char style[] =
    "body{font-family:sans-serif;margin:1.5em;color:#222}"
    "table{border-collapse:collapse}"
    "th,td{border:1px solid #ccc;padding:4px 8px;vertical-align:top}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "img.b{width:240px}";

static void file_link(mg_buf *b, const mg_snapshot *s, const snap_entry *e, snap_file f,
                 const char *text)
{
    char name[64];
    snap_file_name(s, e->step, f, name, sizeof name);
    mg_buf_printf(b, "<a href=\"%s\">%s</a>", name, text);
}

/* A link to one of the step's graphs, its size, and its JSON if written. */
static void graph_links(mg_buf *b, const mg_snapshot *s, const snap_entry *e, bool sample)
{
    snap_file f = sample ? SNAP_SAMPLE : SNAP_GRAPH;
    if (!e->has[f])
        return;
    file_link(b, s, e, f, sample ? "one sample" : "loss graph");
    mg_buf_printf(b, " (%zu nodes)", e->nodes[sample]);
    if (e->has[sample ? SNAP_SAMPLE_JSON : SNAP_GRAPH_JSON])
        file_link(b, s, e, sample ? SNAP_SAMPLE_JSON : SNAP_GRAPH_JSON, " JSON");
    mg_buf_puts(b, "<br>");
}

static void graphs_cell(mg_buf *b, const mg_snapshot *s, const snap_entry *e)
{
    mg_buf_puts(b, "<td>");
    graph_links(b, s, e, false);
    graph_links(b, s, e, true);
    mg_buf_puts(b, "</td>");
}

static void row(mg_buf *b, const mg_snapshot *s, const snap_entry *e)
{
    mg_buf_printf(b, "<tr id=\"step-%d\"><td class=\"n\">%d</td><td class=\"n\">%.6g</td>",
              e->step, e->step, e->loss);
    if (isnan(e->accuracy))
        mg_buf_puts(b, "<td class=\"n\">&ndash;</td><td>");
    else
        mg_buf_printf(b, "<td class=\"n\">%.1f%%</td><td>", e->accuracy * 100);
    if (e->has[SNAP_BOUNDARY]) {
        char name[64];
        snap_file_name(s, e->step, SNAP_BOUNDARY, name, sizeof name);
        mg_buf_printf(b, "<a href=\"%s\"><img class=\"b\" src=\"%s\" alt=\"decision boundary at "
                     "step %d\"></a>", name, name, e->step);
    }
    mg_buf_puts(b, "</td>");
    graphs_cell(b, s, e);
    mg_buf_puts(b, "</tr>\n");
}

static void summary(mg_buf *b, const mg_snapshot *s)
{
    mg_buf_printf(b, "<p>%zu steps recorded, %zu saved", s->nsteps, s->nsaved);
    if (s->every > 0)
        mg_buf_printf(b, " (every %d)", s->every);
    if (s->nsteps) {
        size_t last = s->nsteps - 1;
        mg_buf_printf(b, ". Last step %ld: loss %.6g", s->step[last], s->loss[last]);
        if (!isnan(s->accuracy[last]))
            mg_buf_printf(b, ", accuracy %.1f%%", s->accuracy[last] * 100);
    }
    mg_buf_puts(b, ".</p>\n<p><a href=\"" SNAP_MANIFEST "\">" SNAP_MANIFEST "</a>");
    if (s->page_written)
        mg_buf_puts(b, " &middot; <a href=\"" SNAP_INSPECTOR "\">inspector</a>");
    mg_buf_puts(b, "</p>\n");
    if (s->nsteps)
        mg_buf_puts(b, "<p><img src=\"" SNAP_CURVE "\" alt=\"loss curve\"></p>\n");
}

mg_code snap_write_index(const mg_snapshot *s, mg_error *err)
{
    mg_buf b = { 0 };
    mg_buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<title>");
    mg_buf_html_text(&b, s->title);
    mg_buf_printf(&b, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", style);
    mg_buf_html_text(&b, s->title);
    mg_buf_puts(&b, "</h1>\n");
    summary(&b, s);
    mg_buf_puts(&b, "<table>\n<thead><tr><th>step</th><th>loss</th><th>accuracy</th>"
                "<th>decision boundary</th><th>graphs</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < s->nsaved; i++)
        row(&b, s, &s->saved[i]);
    mg_buf_puts(&b, "</tbody>\n</table>\n</body>\n</html>\n");
    mg_code rc = snap_write_text(s, SNAP_INDEX, &b, err);
    mg_buf_free(&b);
    return rc;
}

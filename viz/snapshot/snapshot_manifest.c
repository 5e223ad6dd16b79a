/* snapshot_manifest.c — snapshots.json, the run in a form programs read
 * (the HTML inspector among them):
 *
 *   { "format": "mgviz-snapshots", "version": 1, "title": "...",
 *     "every": 10, "steps_planned": 100 (0 = unknown), "graph_format": "svg",
 *     "loss_curve": "loss.png" | null, "index": "index.html",
 *     "inspector": "inspector.html" | null,
 *     "curve": { "step": [...], "loss": [...], "accuracy": [...] },
 *     "snapshots": [ { "step", "loss", "accuracy",
 *                      "graph", "sample", "boundary",
 *                      "graph_json", "sample_json": file name | null,
 *                      "graph_nodes", "sample_nodes": count | null }, ... ] }
 *
 * Every step recorded is on the curve, in order; "snapshots" lists the saved
 * steps in order. File names are relative to the manifest's directory.
 * Numbers are round-trip exact; NaN and infinities are the strings "nan",
 * "inf", "-inf", as in the graph JSON. */
#include <stdlib.h>

#include "snapshot_internal.h"
#include "mg_file.h"

mg_code snap_write_text(const mg_snapshot *s, const char *name, const mg_buf *buf,
                        mg_error *err)
{
    if (buf->failed)
        return mg_error_set(err, MG_ENOMEM, "out of memory writing %s", name);
    char *path = snap_path(s, name);
    if (!path)
        return mg_error_set(err, MG_ENOMEM, "out of memory writing %s", name);
    mg_code rc = mg_file_write_atomic(path, buf->p ? buf->p : "", buf->len, err);
    free(path);
    return rc;
}

static void file_or_null(mg_buf *b, const char *key, const mg_snapshot *s,
                         const snap_entry *e, snap_file f)
{
    mg_buf_printf(b, ", \"%s\": ", key);
    if (!e->has[f]) {
        mg_buf_puts(b, "null");
        return;
    }
    char name[64];
    snap_file_name(s, e->step, f, name, sizeof name);
    mg_buf_json_string(b, name);
}

static void count_or_null(mg_buf *b, const char *key, bool has, size_t count)
{
    if (has)
        mg_buf_printf(b, ", \"%s\": %zu", key, count);
    else
        mg_buf_printf(b, ", \"%s\": null", key);
}

static void entry_json(mg_buf *b, const mg_snapshot *s, const snap_entry *e)
{
    mg_buf_printf(b, "    { \"step\": %d, \"loss\": ", e->step);
    mg_buf_json_number(b, e->loss);
    mg_buf_puts(b, ", \"accuracy\": ");
    mg_buf_json_number(b, e->accuracy);
    file_or_null(b, "graph", s, e, SNAP_GRAPH);
    file_or_null(b, "sample", s, e, SNAP_SAMPLE);
    file_or_null(b, "boundary", s, e, SNAP_BOUNDARY);
    file_or_null(b, "graph_json", s, e, SNAP_GRAPH_JSON);
    file_or_null(b, "sample_json", s, e, SNAP_SAMPLE_JSON);
    count_or_null(b, "graph_nodes", e->has[SNAP_GRAPH], e->nodes[0]);
    count_or_null(b, "sample_nodes", e->has[SNAP_SAMPLE], e->nodes[1]);
    mg_buf_puts(b, " }");
}

static void numbers_json(mg_buf *b, const char *key, const double *v, size_t n)
{
    mg_buf_printf(b, "\"%s\": [", key);
    for (size_t i = 0; i < n; i++) {
        if (i)
            mg_buf_puts(b, ", ");
        mg_buf_json_number(b, v[i]);
    }
    mg_buf_puts(b, "]");
}

static void curve_json(mg_buf *b, const mg_snapshot *s)
{
    mg_buf_puts(b, "  \"curve\": { \"step\": [");
    for (size_t i = 0; i < s->nsteps; i++)
        mg_buf_printf(b, i ? ", %ld" : "%ld", s->step[i]);
    mg_buf_puts(b, "],\n    ");
    numbers_json(b, "loss", s->loss, s->nsteps);
    mg_buf_puts(b, ",\n    ");
    numbers_json(b, "accuracy", s->accuracy, s->nsteps);
    mg_buf_puts(b, " },\n");
}

mg_code snap_write_manifest(const mg_snapshot *s, mg_error *err)
{
    mg_buf b = { 0 };
    mg_buf_puts(&b, "{\n  \"format\": \"mgviz-snapshots\",\n  \"version\": 1,\n  \"title\": ");
    mg_buf_json_string(&b, s->title);
    mg_buf_printf(&b, ",\n  \"every\": %d,\n  \"steps_planned\": %d,\n  \"graph_format\": ",
              s->every, s->steps_total);
    mg_buf_json_string(&b, s->graph_format);
    mg_buf_printf(&b, ",\n  \"loss_curve\": %s,\n  \"index\": \"%s\",\n  \"inspector\": %s,\n",
              s->nsteps ? "\"" SNAP_CURVE "\"" : "null", SNAP_INDEX,
              s->page_written ? "\"" SNAP_INSPECTOR "\"" : "null");
    curve_json(&b, s);
    mg_buf_puts(&b, "  \"snapshots\": [\n");
    for (size_t i = 0; i < s->nsaved; i++) {
        entry_json(&b, s, &s->saved[i]);
        mg_buf_puts(&b, i + 1 < s->nsaved ? ",\n" : "\n");
    }
    mg_buf_puts(&b, "  ]\n}\n");
    mg_code rc = snap_write_text(s, SNAP_MANIFEST, &b, err);
    mg_buf_free(&b);
    return rc;
}

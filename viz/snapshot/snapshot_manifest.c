/* snapshot_manifest.c — the run in a form programs read (the HTML
 * inspector among them): snapshots.json and each saved step's manifest.
 *
 *   { "format": "mgviz-snapshots", "version": 2, "title": "...",
 *     "every": 10, "steps_planned": 100 (0 = unknown), "graph_format": "svg",
 *     "loss_curve": "loss.png" | null, "index": "index.html",
 *     "inspector": "inspector.html" | null,
 *     "curve": { "step": [...], "loss": [...], "accuracy": [...] },
 *     "evals": [ { "epoch", "step", "loss", "accuracy" }, ... ] (test set),
 *     "snapshots": [ { "step", "loss", "accuracy",
 *                      "graph", "sample", "boundary",
 *                      "graph_json", "sample_json": path | null,
 *                      "graph_nodes", "sample_nodes": count | null,
 *                      "manifest": "snapshots/step-NNNNNN.json" }, ... ] }
 *
 * Every step recorded is on the curve, in order; "snapshots" lists the saved
 * steps in order. Paths are relative to the manifest's directory. Numbers
 * are round-trip exact; a non-finite one is null (in the curve's arrays) or
 * null with its text beside it ("loss": null, "loss_str": "nan"). A step's
 * own manifest is described in mg_snapshot.h. */
#include <stdio.h>
#include <stdlib.h>

#include "mg_file.h"
#include "mg_json.h"
#include "snapshot_internal.h"

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

static void file_or_null(mg_json *o, const char *key, const mg_snapshot *s,
                         const snap_entry *e, snap_file f)
{
    char name[64];
    snap_file_name(s, e->step, f, name, sizeof name);
    mg_json_string(o, key, e->has[f] ? name : NULL);
}

static void count_or_null(mg_json *o, const char *key, bool has, size_t count)
{
    mg_json_key(o, key);
    if (has)
        mg_buf_printf(o->b, "%zu", count);
    else
        mg_buf_puts(o->b, "null");
}

/* The members every description of a saved step has; its files as members
 * of their own "files" object when nested. */
static void entry_members(mg_json *o, const mg_snapshot *s, const snap_entry *e, bool nested)
{
    mg_json_int(o, "step", e->step);
    mg_json_number(o, "loss", e->loss);
    mg_json_number(o, "accuracy", e->accuracy);
    static const char *const keys[SNAP_NFILES] = { "graph", "sample", "boundary",
                                                   "graph_json", "sample_json" };
    mg_json files = *o;
    if (nested) {
        mg_json_key(o, "files");
        files = mg_json_begin(o->b, '{');
    }
    for (int f = 0; f < SNAP_NFILES; f++)
        file_or_null(&files, keys[f], s, e, (snap_file)f);
    if (nested)
        mg_json_end(&files, '}');
    else
        *o = files;
    count_or_null(o, "graph_nodes", e->has[SNAP_GRAPH], e->nodes[0]);
    count_or_null(o, "sample_nodes", e->has[SNAP_SAMPLE], e->nodes[1]);
}

static void sample_json(mg_json *o, const snap_entry *e)
{
    mg_json_key(o, "sample");
    if (!e->has_sample) {
        mg_buf_puts(o->b, "null");
        return;
    }
    mg_json x = mg_json_begin(o->b, '{');
    mg_json_int(&x, "index", e->sample.index);
    mg_json_number(&x, "loss", e->sample.loss);
    mg_json_bool(&x, "worst", e->sample.worst);
    mg_json_bool(&x, "zero_grads", e->sample.zero_grads);
    mg_json_string(&x, "label", e->sample.label);
    mg_json_end(&x, '}');
}

mg_code snap_write_step(const mg_snapshot *s, const snap_entry *e, mg_error *err)
{
    mg_buf b = { 0 };
    mg_json o = mg_json_begin(&b, '{');
    entry_members(&o, s, e, true);
    mg_json_key(&o, "marked");
    if (e->marked)
        mg_buf_printf(&b, "%zu", e->mark);
    else
        mg_buf_puts(&b, "null");
    sample_json(&o, e);
    mg_json_end(&o, '}');
    mg_buf_puts(&b, "\n");
    char name[64];
    snprintf(name, sizeof name, SNAP_STEPS_DIR "/step-%06d.json", e->step);
    mg_code rc = snap_write_text(s, name, &b, err);
    mg_buf_free(&b);
    return rc;
}

static void numbers_json(mg_buf *b, const char *key, const double *v, size_t n)
{
    mg_buf_printf(b, "\"%s\": ", key);
    mg_json a = mg_json_begin(b, '[');
    for (size_t i = 0; i < n; i++)
        mg_json_number(&a, NULL, v[i]);
    mg_json_end(&a, ']');
}

static void curve_json(mg_buf *b, const mg_snapshot *s)
{
    mg_buf_puts(b, "  \"curve\": { \"step\": [");
    for (size_t i = 0; i < s->nsteps; i++)
        mg_buf_printf(b, i ? ",%ld" : "%ld", s->step[i]);
    mg_buf_puts(b, "],\n    ");
    numbers_json(b, "loss", s->loss, s->nsteps);
    mg_buf_puts(b, ",\n    ");
    numbers_json(b, "accuracy", s->accuracy, s->nsteps);
    mg_buf_puts(b, " },\n");
}

static void evals_json(mg_buf *b, const mg_snapshot *s)
{
    mg_buf_puts(b, "  \"evals\": ");
    mg_json a = mg_json_begin(b, '[');
    for (size_t i = 0; i < s->nevals; i++) {
        mg_json_key(&a, NULL);
        mg_json o = mg_json_begin(b, '{');
        mg_json_int(&o, "epoch", s->evals[i].epoch);
        mg_json_int(&o, "step", s->evals[i].step);
        mg_json_number(&o, "loss", s->evals[i].loss);
        mg_json_number(&o, "accuracy", s->evals[i].accuracy);
        mg_json_end(&o, '}');
    }
    mg_json_end(&a, ']');
    mg_buf_puts(b, ",\n");
}

mg_code snap_write_manifest(const mg_snapshot *s, mg_error *err)
{
    mg_buf b = { 0 };
    mg_buf_puts(&b, "{\n  \"format\": \"mgviz-snapshots\",\n  \"version\": 2,\n  \"title\": ");
    mg_buf_json_string(&b, s->title);
    mg_buf_printf(&b, ",\n  \"every\": %d,\n  \"steps_planned\": %d,\n  \"graph_format\": ",
              s->every, s->steps_total);
    mg_buf_json_string(&b, s->graph_format);
    mg_buf_printf(&b, ",\n  \"loss_curve\": %s,\n  \"index\": \"%s\",\n  \"inspector\": %s,\n",
              s->nsteps ? "\"" SNAP_CURVE "\"" : "null", SNAP_INDEX,
              s->page_written ? "\"" SNAP_INSPECTOR "\"" : "null");
    curve_json(&b, s);
    evals_json(&b, s);
    mg_buf_puts(&b, "  \"snapshots\": [\n");
    for (size_t i = 0; i < s->nsaved; i++) {
        mg_buf_puts(&b, "    ");
        mg_json o = mg_json_begin(&b, '{');
        entry_members(&o, s, &s->saved[i], false);
        char name[64];
        snprintf(name, sizeof name, SNAP_STEPS_DIR "/step-%06d.json", s->saved[i].step);
        mg_json_string(&o, "manifest", name);
        mg_json_end(&o, '}');
        mg_buf_puts(&b, i + 1 < s->nsaved ? ",\n" : "\n");
    }
    mg_buf_puts(&b, "  ]\n}\n");
    mg_code rc = snap_write_text(s, SNAP_MANIFEST, &b, err);
    mg_buf_free(&b);
    return rc;
}

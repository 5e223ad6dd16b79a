/* html_steps.c — a page of steps: one layout, and per step the data and grad
 * of every node, written into the page's data JSON.
 *
 * The page's data JSON ("mgviz-inspector" version 1):
 *   { "format", "version", "title", "precision",
 *     "encoding": "f64" | "f32",   how the step arrays are stored
 *     "graph":  the graph JSON of the shared format, at the first step,
 *               without "edges" (each step carries its own, below) and
 *               without tensors' data and grad arrays (the steps carry a
 *               number per node; the arrays of a GPT are tens of MB),
 *     "scopes": scope paths by scope id (names the SVG's fold<ID> boxes),
 *     "fold":   the picture's fold plan (mg_viz_fold_plan_json()): its boxes
 *               and which box holds each node, so the page counts exactly
 *               what the picture draws,
 *     "steps": [ { "step", "loss", "accuracy" (null when not finite, with
 *                  "loss_str"/"accuracy_str" "nan", "inf" or "-inf"),
 *                  "data", "grad": base64 little-endian arrays, one number
 *                                  per node in id order,
 *                  "before": the same for grads before backward, or absent,
 *                  "local", "contrib": the same, one number per operand edge
 *                                  in node id then operand order: its local
 *                                  derivative and what backward sent along
 *                                  it (html_edges.c), or absent,
 *                  "partial": true when the arrays stop at the kept nodes,
 *                  "boundary": a data: URI of a PNG, or absent } ],
 *     "curve": { "step": [...], "loss": [...], "loss_str": [...] where a
 *                loss is not finite } or absent,
 *     "positions": what feeds each position's prediction (html_positions.c),
 *                or absent }
 *
 * Size. A page should stay small enough to open quickly (HTML_PAGE_BUDGET):
 * numbers are doubles when they fit, else floats; when even floats do not
 * fit, steps keep only the kept nodes (the parameters, mg_graph_keep()),
 * except every k-th step counted back from the last, which keeps all. Edge
 * numbers come last: steps that keep all nodes carry them, latest first,
 * while the budget lasts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "html_internal.h"
#include "mg_export.h"
#include "mg_json.h"
#include "mg_node_stats.h"

/* Bytes a page aims to stay under; see "Size" above. */
#define HTML_PAGE_BUDGET ((size_t)18 << 20)

typedef struct html_frame {
    long step;
    double loss, accuracy;
    double *data, *grad, *before; /* n numbers each; before may be NULL */
    double *local, *contrib;      /* nedges numbers each */
    unsigned char *png;           /* boundary picture, or NULL */
    size_t png_len;
} html_frame;

struct mg_html_steps {
    char *title;
    mg_viz_options viz;
    char *svg;            /* given or drawn at the first step */
    /* shape, fixed by the first step */
    size_t n;
    size_t nedges;        /* operand edges of the n nodes */
    size_t kept;          /* nodes kept across resets: ids below it */
    uint32_t root;
    uint8_t *op;
    uint32_t *parents;    /* MG_MAX_OPERANDS per node: parent ids, UINT32_MAX for none */
    mg_buf graph;       /* graph JSON, scopes and fold plan at the first step */
    mg_buf scopes;
    mg_buf fold;
    char *unfold_scope, *open_member; /* copies: the caller's may not last */
    html_frame *frames;
    size_t nframes, cap;
    double *before;       /* captured by mg_html_steps_before() */
    long *curve_step;
    double *curve_loss;
    size_t ncurve;
    mg_buf positions;     /* the latest step's "positions" (html_positions.c) */
};

mg_html_steps *mg_html_steps_new(const mg_html_options *opt, mg_error *err)
{
    mg_html_steps *s = calloc(1, sizeof *s);
    if (!s)
        goto oom;
    s->title = strdup(opt && opt->title ? opt->title : "mgviz inspector");
    if (!s->title)
        goto oom;
    if (opt && opt->viz)
        s->viz = *opt->viz;
    s->viz.title = NULL;
    /* the page shows each edge's chain rule at every step and phase itself;
     * labels and box values drawn once into the SVG would go stale (D.fold
     * lists each box's members and outputs for the page to show them) */
    if (s->viz.edges == MG_VIZ_EDGES_AUTO)
        s->viz.edges = MG_VIZ_EDGES_PLAIN;
    s->viz.no_box_values = true;
    if (s->viz.unfold_scope && !(s->viz.unfold_scope = s->unfold_scope = strdup(s->viz.unfold_scope)))
        goto oom;
    if (s->viz.open_member && !(s->viz.open_member = s->open_member = strdup(s->viz.open_member)))
        goto oom;
    if (opt && opt->svg && !(s->svg = strdup(opt->svg)))
        goto oom;
    return s;
oom:
    mg_html_steps_free(s);
    mg_error_set(err, MG_ENOMEM, "mgviz html: out of memory for a new page");
    return NULL;
}

void mg_html_steps_free(mg_html_steps *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nframes; i++) {
        html_frame *f = &s->frames[i];
        free(f->data);
        free(f->grad);
        free(f->before);
        free(f->local);
        free(f->contrib);
        free(f->png);
    }
    free(s->frames);
    free(s->title);
    free(s->svg);
    free(s->op);
    free(s->parents);
    mg_buf_free(&s->graph);
    mg_buf_free(&s->scopes);
    mg_buf_free(&s->fold);
    free(s->unfold_scope);
    free(s->open_member);
    free(s->before);
    free(s->curve_step);
    free(s->curve_loss);
    mg_buf_free(&s->positions);
    free(s);
}

size_t mg_html_steps_count(const mg_html_steps *s)
{
    return s ? s->nframes : 0;
}

static mg_code check_root(const mg_html_steps *s, const mg_value *root,
                          mg_error *err)
{
    if (!s)
        return mg_error_set(err, MG_EINVAL, "mgviz html: NULL page of steps");
    if (!root)
        return mg_error_set(err, MG_EINVAL, "mgviz html: NULL root");
    if (mg_graph_error(root->graph))
        return mg_error_set(err, MG_EINVAL, "mgviz html: the graph has an error: %s",
                            mg_graph_error(root->graph));
    return MG_OK;
}

static uint32_t parent_id(const mg_value *v, int which)
{
    mg_value *ops[MG_MAX_OPERANDS];
    return which < mg_node_operands(v, ops) ? ops[which]->id : UINT32_MAX;
}

/* The scope paths of g as a JSON array by scope id: they name the SVG's
 * folded boxes (fold<SCOPEID>). */
static void scopes_json(mg_buf *b, const mg_graph *g)
{
    char path[512];
    mg_buf_puts(b, "[");
    for (uint32_t id = 0; id < mg_scope_count(g); id++) {
        if (id)
            mg_buf_puts(b, ",");
        mg_scope_path(g, id, path, sizeof path);
        mg_buf_json_string(b, path);
    }
    mg_buf_puts(b, "]");
}

/* Remembers the first step's shape; later steps must match it. */
static mg_code take_shape(mg_html_steps *s, const mg_value *root, mg_error *err)
{
    const mg_graph *g = root->graph;
    s->n = mg_graph_count(g);
    s->nedges = html_edge_count(g, s->n);
    s->kept = mg_graph_kept(g) < s->n ? mg_graph_kept(g) : s->n;
    s->root = root->id;
    s->op = malloc(s->n ? s->n : 1);
    s->parents = malloc((s->n ? s->n : 1) * MG_MAX_OPERANDS * sizeof *s->parents);
    if (!s->op || !s->parents)
        return mg_error_set(err, MG_ENOMEM, "mgviz html: out of memory for %zu nodes", s->n);
    for (uint32_t id = 0; id < s->n; id++) {
        const mg_value *v = mg_graph_node(g, id);
        s->op[id] = v->op;
        for (int i = 0; i < MG_MAX_OPERANDS; i++)
            s->parents[(size_t)id * MG_MAX_OPERANDS + i] = parent_id(v, i);
    }
    char *json;
    size_t len;
    mg_code rc = mg_export_json_data(root, NULL, 0, MG_EXPORT_COMPACT | MG_EXPORT_NO_EDGES | MG_EXPORT_NO_ARRAYS,
                                     &json, &len, err);
    if (rc != MG_OK)
        return rc;
    mg_buf_json_embed(&s->graph, json, len);
    free(json);
    scopes_json(&s->scopes, g);
    mg_viz_fold_plan plan;
    if ((rc = mg_viz_fold_plan_make((mg_value *)root, &s->viz, &plan, err)) != MG_OK)
        return rc;
    mg_viz_fold_plan_json(&plan, g, &s->fold);
    mg_viz_fold_plan_free(&plan);
    if (s->graph.failed || s->scopes.failed || s->fold.failed)
        return mg_error_set(err, MG_ENOMEM, "mgviz html: out of memory for the graph JSON");
    return MG_OK;
}

static mg_code check_shape(const mg_html_steps *s, const mg_value *root,
                           mg_error *err)
{
    const mg_graph *g = root->graph;
    if (mg_graph_count(g) != s->n || root->id != s->root)
        return mg_error_set(err, MG_EINVAL,
                            "mgviz html: step graph has %zu nodes and root #%u, "
                            "the first step had %zu nodes and root #%u",
                            mg_graph_count(g), root->id, s->n, s->root);
    for (uint32_t id = 0; id < s->n; id++) {
        const mg_value *v = mg_graph_node(g, id);
        int same = v->op == s->op[id];
        for (int i = 0; i < MG_MAX_OPERANDS; i++)
            same &= parent_id(v, i) == s->parents[(size_t)id * MG_MAX_OPERANDS + i];
        if (!same)
            return mg_error_set(err, MG_EINVAL,
                                "mgviz html: node #%u differs from the first step "
                                "(op or parents): the graph changed shape", id);
    }
    return MG_OK;
}

/* A malloc'd copy of every node's data (want_grad false) or grad. */
static double *take_numbers(const mg_graph *g, size_t n, bool want_grad)
{
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (!x)
        return NULL;
    for (uint32_t id = 0; id < n; id++) {
        const mg_value *v = mg_graph_node(g, id);
        x[id] = mg_node_number(v, want_grad); /* a tensor: its mean */
    }
    return x;
}

static mg_code check_or_take_shape(mg_html_steps *s, mg_value *root, mg_error *err)
{
    return s->nframes == 0 && !s->op ? take_shape(s, root, err)
                                     : check_shape(s, root, err);
}

static bool all_zero(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (x[i] != 0.0)
            return false;
    return true;
}

mg_code mg_html_steps_before(mg_html_steps *s, mg_value *root, mg_error *err)
{
    mg_code rc = check_root(s, root, err);
    if (rc == MG_OK)
        rc = check_or_take_shape(s, root, err);
    if (rc != MG_OK)
        return rc;
    free(s->before);
    s->before = take_numbers(root->graph, s->n, true);
    if (!s->before)
        return mg_error_set(err, MG_ENOMEM, "mgviz html: out of memory for a step");
    if (all_zero(s->before, s->n)) { /* nothing computed yet: the page says so */
        free(s->before);
        s->before = NULL;
    }
    return MG_OK;
}

static mg_code draw_layout(mg_html_steps *s, mg_value *root, mg_error *err)
{
    size_t len;
    if (s->svg)
        return MG_OK;
    return mg_draw_dot_data(root, "svg", &s->viz, &s->svg, &len, err);
}

static mg_code grow_frames(mg_html_steps *s, mg_error *err)
{
    if (s->nframes < s->cap)
        return MG_OK;
    size_t cap = s->cap ? 2 * s->cap : 16;
    html_frame *f = realloc(s->frames, cap * sizeof *f);
    if (!f)
        return mg_error_set(err, MG_ENOMEM, "mgviz html: out of memory for step %zu",
                            s->nframes);
    s->frames = f;
    s->cap = cap;
    return MG_OK;
}

mg_code mg_html_steps_add(mg_html_steps *s, mg_value *root,
                          const mg_html_step *info, mg_error *err)
{
    mg_code rc = check_root(s, root, err);
    if (rc == MG_OK)
        rc = check_or_take_shape(s, root, err);
    if (rc == MG_OK)
        rc = draw_layout(s, root, err);
    if (rc == MG_OK)
        rc = grow_frames(s, err);
    if (rc != MG_OK)
        return rc;
    html_frame f = {
        .step = info ? info->step : (long)s->nframes,
        .loss = info ? info->loss : NAN,
        .accuracy = info ? info->accuracy : NAN,
        .data = take_numbers(root->graph, s->n, false),
        .grad = take_numbers(root->graph, s->n, true),
        .before = s->before,
        .local = malloc((s->nedges ? s->nedges : 1) * sizeof(double)),
        .contrib = malloc((s->nedges ? s->nedges : 1) * sizeof(double)),
    };
    if (info && info->boundary_png && info->boundary_png_len) {
        f.png = malloc(info->boundary_png_len);
        if (f.png) {
            memcpy(f.png, info->boundary_png, info->boundary_png_len);
            f.png_len = info->boundary_png_len;
        }
    }
    if (!f.data || !f.grad || !f.local || !f.contrib ||
        (info && info->boundary_png_len && !f.png))
        rc = mg_error_set(err, MG_ENOMEM, "mgviz html: out of memory for step %ld", f.step);
    if (rc == MG_OK)
        rc = html_edges_take(root->graph, s->n, f.local, f.contrib, err);
    if (rc == MG_OK && info && info->logits)
        rc = html_positions_take(&s->positions, info->logits, f.step, err);
    if (rc != MG_OK) {
        free(f.data);
        free(f.grad);
        free(f.local);
        free(f.contrib);
        free(f.png);
        return rc;
    }
    s->before = NULL;
    s->frames[s->nframes++] = f;
    return MG_OK;
}

mg_code mg_html_steps_set_curve(mg_html_steps *s, const long *step,
                                const double *loss, size_t n, mg_error *err)
{
    if (!s || (n && (!step || !loss)))
        return mg_error_set(err, MG_EINVAL, "mgviz html: NULL loss curve");
    long *st = malloc((n ? n : 1) * sizeof *st);
    double *lo = malloc((n ? n : 1) * sizeof *lo);
    if (!st || !lo) {
        free(st);
        free(lo);
        return mg_error_set(err, MG_ENOMEM, "mgviz html: out of memory for a loss curve");
    }
    memcpy(st, step, n * sizeof *st);
    memcpy(lo, loss, n * sizeof *lo);
    free(s->curve_step);
    free(s->curve_loss);
    s->curve_step = st;
    s->curve_loss = lo;
    s->ncurve = n;
    return MG_OK;
}

/* How the step arrays are stored: their width, which steps keep all nodes
 * and which carry edge numbers. */
typedef struct html_layout {
    bool as_float;
    size_t every;      /* frames nframes-1, nframes-1-every, ... keep all nodes */
    size_t edges_from; /* of those, frames from this index on carry edges */
} html_layout;

static bool frame_is_full(const mg_html_steps *s, const html_layout *l, size_t i)
{
    return (s->nframes - 1 - i) % l->every == 0;
}

static bool frame_has_edges(const mg_html_steps *s, const html_layout *l, size_t i)
{
    return i >= l->edges_from && frame_is_full(s, l, i);
}

static void frame_json(mg_buf *b, const mg_html_steps *s, const html_layout *l,
                       size_t i)
{
    const html_frame *f = &s->frames[i];
    bool full = frame_is_full(s, l, i);
    size_t n = full ? s->n : s->kept;
    mg_json o = mg_json_begin(b, '{'); /* the members after these are raw, each after a comma */
    mg_json_int(&o, "step", f->step);
    mg_json_number(&o, "loss", f->loss);
    mg_json_number(&o, "accuracy", f->accuracy);
    if (!full)
        mg_buf_puts(b, ",\"partial\":true");
    mg_buf_puts(b, ",\"data\":\"");
    mg_buf_base64_numbers(b, f->data, n, l->as_float);
    mg_buf_puts(b, "\",\"grad\":\"");
    mg_buf_base64_numbers(b, f->grad, n, l->as_float);
    mg_buf_puts(b, "\"");
    if (f->before) {
        mg_buf_puts(b, ",\"before\":\"");
        mg_buf_base64_numbers(b, f->before, n, l->as_float);
        mg_buf_puts(b, "\"");
    }
    if (frame_has_edges(s, l, i)) {
        mg_buf_puts(b, ",\"local\":\"");
        mg_buf_base64_numbers(b, f->local, s->nedges, l->as_float);
        mg_buf_puts(b, "\",\"contrib\":\"");
        mg_buf_base64_numbers(b, f->contrib, s->nedges, l->as_float);
        mg_buf_puts(b, "\"");
    }
    if (f->png) {
        mg_buf_puts(b, ",\"boundary\":\"data:image/png;base64,");
        mg_buf_base64(b, f->png, f->png_len);
        mg_buf_puts(b, "\"");
    }
    mg_json_end(&o, '}');
}

static void curve_json(mg_buf *b, const mg_html_steps *s)
{
    bool nonfinite = false;
    mg_buf_puts(b, ",\"curve\":{\"step\":[");
    for (size_t i = 0; i < s->ncurve; i++)
        mg_buf_printf(b, "%s%ld", i ? "," : "", s->curve_step[i]);
    mg_buf_puts(b, "],\"loss\":[");
    for (size_t i = 0; i < s->ncurve; i++) {
        if (i)
            mg_buf_puts(b, ",");
        mg_buf_json_number(b, s->curve_loss[i]);
        nonfinite |= !isfinite(s->curve_loss[i]);
    }
    mg_buf_puts(b, "]");
    if (nonfinite) { /* the graph JSON's rule for arrays: strings where null */
        char text[32];
        mg_buf_puts(b, ",\"loss_str\":[");
        for (size_t i = 0; i < s->ncurve; i++) {
            mg_buf_puts(b, i ? "," : "");
            if (isfinite(s->curve_loss[i])) {
                mg_buf_puts(b, "null");
                continue;
            }
            mg_format_double(s->curve_loss[i], text, sizeof text);
            mg_buf_printf(b, "\"%s\"", text);
        }
        mg_buf_puts(b, "]");
    }
    mg_buf_puts(b, "}");
}

/* Base64 bytes of count numbers under layout l. */
static size_t array_bytes(const html_layout *l, size_t count)
{
    return count * (l->as_float ? 4 : 8) / 3 * 4 + 4;
}

/* Base64 bytes of every step's arrays under layout l. */
static size_t numbers_bytes(const mg_html_steps *s, const html_layout *l)
{
    size_t total = 0;
    for (size_t i = 0; i < s->nframes; i++) {
        size_t arrays = s->frames[i].before ? 3 : 2;
        total += arrays * array_bytes(l, frame_is_full(s, l, i) ? s->n : s->kept);
        if (frame_has_edges(s, l, i))
            total += 2 * array_bytes(l, s->nedges);
    }
    return total;
}

/* The densest layout that keeps the page within HTML_PAGE_BUDGET. */
static html_layout choose_layout(const mg_html_steps *s)
{
    size_t other = s->graph.len + s->scopes.len + s->fold.len + s->positions.len +
                   strlen(s->svg) + 65536;
    for (size_t i = 0; i < s->nframes; i++)
        other += s->frames[i].png_len / 3 * 4;
    size_t budget = HTML_PAGE_BUDGET > other ? HTML_PAGE_BUDGET - other : 0;
    html_layout l = { false, 1, s->nframes };
    if (numbers_bytes(s, &l) > budget) {
        l.as_float = true;
        while (l.every < s->nframes && numbers_bytes(s, &l) > budget)
            l.every++;
    }
    /* edge numbers last: the latest full frames first, while the budget lasts */
    size_t used = numbers_bytes(s, &l), edges = 2 * array_bytes(&l, s->nedges);
    for (size_t i = s->nframes; i-- > 0;) {
        if (!frame_is_full(s, &l, i))
            continue;
        if (used + edges > budget)
            break;
        used += edges;
        l.edges_from = i;
    }
    return l;
}

static void data_json(mg_buf *b, const mg_html_steps *s)
{
    html_layout l = choose_layout(s);
    int precision = s->viz.precision > 0 ? s->viz.precision : MG_VIZ_PRECISION;
    mg_buf_puts(b, "{\"format\":\"mgviz-inspector\",\"version\":1,\"title\":");
    mg_buf_json_string(b, s->title);
    mg_buf_printf(b, ",\"precision\":%d,\"encoding\":\"%s\",\n\"graph\":", precision,
              l.as_float ? "f32" : "f64");
    mg_buf_put(b, s->graph.p, s->graph.len);
    mg_buf_puts(b, ",\n\"scopes\":");
    mg_buf_put(b, s->scopes.p, s->scopes.len);
    mg_buf_puts(b, ",\n\"fold\":");
    mg_buf_put(b, s->fold.p, s->fold.len);
    mg_buf_puts(b, ",\n\"steps\":[");
    for (size_t i = 0; i < s->nframes; i++) {
        if (i)
            mg_buf_puts(b, ",\n");
        frame_json(b, s, &l, i);
    }
    mg_buf_puts(b, "]");
    if (s->ncurve)
        curve_json(b, s);
    if (s->positions.len) {
        mg_buf_puts(b, ",\n\"positions\":");
        mg_buf_put(b, s->positions.p, s->positions.len);
    }
    mg_buf_puts(b, "}");
}

mg_code mg_html_steps_write(const mg_html_steps *s, const char *path,
                            mg_error *err)
{
    if (!s || !path)
        return mg_error_set(err, MG_EINVAL, "mgviz html: NULL page or path");
    if (s->nframes == 0)
        return mg_error_set(err, MG_EINVAL, "mgviz html: no step to write to %s", path);
    mg_buf data = {0};
    data_json(&data, s);
    mg_code rc = data.failed
        ? mg_error_set(err, MG_ENOMEM, "mgviz html: out of memory for the page data")
        : html_page_write(path, s->title, s->svg, &data, err);
    mg_buf_free(&data);
    return rc;
}

mg_code mg_html_write(mg_value *root, const char *path,
                      const mg_html_options *opt, mg_error *err)
{
    mg_html_steps *s = mg_html_steps_new(opt, err);
    if (!s)
        return err ? err->code : MG_ENOMEM;
    mg_code rc = mg_html_steps_before(s, root, err);
    if (rc == MG_OK)
        rc = mg_backward(root) == MG_OK
            ? MG_OK
            : mg_error_set(err, MG_EINVAL, "mgviz html: backward failed: %s",
                           mg_graph_error(root->graph) ? mg_graph_error(root->graph) : "?");
    mg_html_step info = { .step = 0, .loss = NAN, .accuracy = NAN,
                          .logits = opt ? opt->logits : NULL };
    if (rc == MG_OK)
        rc = mg_html_steps_add(s, root, &info, err);
    if (rc == MG_OK)
        rc = mg_html_steps_write(s, path, err);
    mg_html_steps_free(s);
    return rc;
}

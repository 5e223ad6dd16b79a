/* export_json.c — the shared graph JSON ("mgviz-graph", version 2): the root,
 * the named grads, every node, and every edge backward walked with what it
 * carried (the chain rule as data, mg_node_edges). */
#include "export_internal.h"

#include <math.h>
#include <stdlib.h>

#include "mg_tensor.h"
#include "mg_node_stats.h"

/* A tensor's grad as a flat JSON array, or null without one. */
static void write_tensor_grad(FILE *out, const mg_tensor *t)
{
    if (!t->grad) {
        fputs("null", out);
        return;
    }
    putc('[', out);
    for (int i = 0; i < t->numel; i++) {
        if (i)
            putc(',', out);
        mg_json_write_number(out, mg_tensor_grad_at(t, i));
    }
    putc(']', out);
}

/* "grads": a scalar's grad, a tensor's grad array. Non-finite scalar grads
 * are null here and spelled out in "grads_str" (write_grads_str). */
static void write_grads(FILE *out, const export_job *job)
{
    fputs("\"grads\":{", out);
    bool first = true;
    for (size_t i = 0; i < job->nvars; i++) {
        const mg_value *v = job->vars[i].node;
        const mg_tensor *t = v ? mg_tensor_of(v) : NULL;
        if (t && (job->flags & MG_EXPORT_NO_ARRAYS))
            continue;
        if (!first)
            putc(',', out);
        first = false;
        mg_json_write_string(out, job->vars[i].name);
        putc(':', out);
        if (t)
            write_tensor_grad(out, t);
        else
            mg_json_write_number(out, v ? v->grad : 0.0);
    }
    putc('}', out);
}

static void write_grads_str(FILE *out, const export_job *job)
{
    int any = 0;
    for (size_t i = 0; i < job->nvars; i++) {
        const mg_value *v = job->vars[i].node;
        if (!v || mg_tensor_of(v) || isfinite(v->grad))
            continue;
        fputs(any++ ? "," : ",\"grads_str\":{", out);
        char text[8];
        mg_format_double(v->grad, text, sizeof text);
        mg_json_write_string(out, job->vars[i].name);
        putc(':', out);
        mg_json_write_string(out, text);
    }
    if (any)
        putc('}', out);
}

/* One node object; MG_EXPORT_NO_ARRAYS leaves a tensor's arrays out. */
static void node_json(FILE *out, const mg_value *v, unsigned flags)
{
    char text[256];
    fprintf(out, "{\"id\":%u,\"op\":", v->id);
    mg_value_op_label(v, text, sizeof text);
    mg_json_write_string(out, text);
    fputs(",\"label\":", out);
    mg_json_write_string(out, mg_value_label(v));
    fprintf(out, ",\"kind\":\"%s\"", mg_node_kind(v));
    const mg_tensor *t = mg_tensor_of(v);
    if (t && (flags & MG_EXPORT_NO_ARRAYS)) {
        mg_tensor_json_shape(out, t);
    } else if (t) { /* dtype, shape, attrs, data and grad arrays */
        mg_tensor_json_fields(out, t);
    } else {
        double k;
        if (mg_value_constant(v, &k)) { /* exactly: the label rounds it */
            putc(',', out);
            mg_json_write_member(out, "k", k);
        }
        putc(',', out);
        mg_json_write_member(out, "data", v->data);
        putc(',', out);
        mg_json_write_member(out, "grad", v->grad);
    }
    fputs(",\"parents\":[", out);
    mg_value *ops[MG_MAX_OPERANDS];
    int np = mg_node_operands(v, ops);
    for (int i = 0; i < np; i++)
        fprintf(out, i ? ",%u" : "%u", ops[i]->id);
    fputs("],\"scope\":", out);
    mg_scope_path(v->graph, v->scope, text, sizeof text);
    mg_json_write_string(out, text);
    putc('}', out);
}

void mg_export_node_json(FILE *out, const mg_value *v)
{
    node_json(out, v, 0);
}

/* A tensor summary object: {"count","nonfinite","min","max","mean","l2"}. */
static void write_stats(FILE *out, mg_tensor_stats s)
{
    fprintf(out, "{\"count\":%d,\"nonfinite\":%d,", s.count, s.nonfinite);
    mg_json_write_member(out, "min", s.min);
    putc(',', out);
    mg_json_write_member(out, "max", s.max);
    putc(',', out);
    mg_json_write_member(out, "mean", s.mean);
    putc(',', out);
    mg_json_write_member(out, "l2", s.l2);
    putc('}', out);
}

/* One tensor edge: summaries of the upstream grad and of the contribution
 * tensor (into scratch, big enough for any operand), or null for an operand
 * backward sends nothing. */
static void write_tensor_edge(FILE *out, const mg_edge *e, void *scratch)
{
    const mg_tensor *t = mg_tensor_of(e->to), *p = mg_tensor_of(e->from);
    fputs(",\"upstream\":", out);
    if (t->grad)
        write_stats(out, mg_tensor_stats_of(t, true));
    else
        fputs("null", out);
    fputs(",\"contribution\":", out);
    if (mg_tensor_edge_contribution(t, e->operand, scratch) == MG_OK)
        write_stats(out, mg_buffer_stats(scratch, p->dtype, p->numel));
    else
        fputs("null", out);
}

static void write_edge(FILE *out, const mg_edge *e, void *scratch)
{
    fprintf(out, "{\"from\":%u,\"to\":%u,\"operand\":%d", e->from->id, e->to->id, e->operand);
    if (e->to->flags & MG_FLAG_TENSOR) {
        write_tensor_edge(out, e, scratch);
    } else {
        putc(',', out);
        mg_json_write_member(out, "local", e->local);
        putc(',', out);
        mg_json_write_member(out, "upstream", e->upstream);
        putc(',', out);
        mg_json_write_member(out, "contribution", e->contribution);
    }
    putc('}', out);
}

/* The edges of every node root depends on, in node order. */
static int write_edges(FILE *out, const mg_value *root, const char *nl)
{
    const mg_graph *g = root->graph;
    size_t n = (size_t)root->id + 1, bytes = export_largest_tensor(g, n);
    unsigned char *reached = malloc(n);
    void *scratch = bytes ? malloc(bytes) : NULL;
    if (!reached || (bytes && !scratch)) {
        free(reached);
        free(scratch);
        return -1;
    }
    mg_reach(root, reached);
    fprintf(out, ",%s\"edges\":[", nl);
    int first = 1;
    for (uint32_t id = 0; id < n; id++) {
        mg_edge e[MG_MAX_OPERANDS];
        int ne = reached[id] ? mg_node_edges(mg_graph_node(g, id), e) : 0;
        for (int i = 0; i < ne; i++) {
            if (!first)
                putc(',', out);
            first = 0;
            fputs(nl, out);
            write_edge(out, &e[i], scratch);
        }
    }
    putc(']', out);
    free(reached);
    free(scratch);
    return 0;
}

static int write_graph(FILE *out, const export_job *job)
{
    const mg_value *root = job->root;
    const char *nl = (job->flags & MG_EXPORT_COMPACT) ? "" : "\n";
    fputs("{\"format\":\"mgviz-graph\",\"version\":2,", out);
    mg_json_write_member(out, "value", mg_node_number(root, false));
    fprintf(out, ",\"root\":%u,%s", root->id, nl);
    write_grads(out, job);
    write_grads_str(out, job);
    fprintf(out, ",%s\"nodes\":[", nl);
    size_t n = mg_graph_count(root->graph);
    for (uint32_t id = 0; id < n; id++) {
        if (id)
            putc(',', out);
        fputs(nl, out);
        node_json(out, mg_graph_node(root->graph, id), job->flags);
    }
    putc(']', out);
    int rc = (job->flags & MG_EXPORT_NO_EDGES) ? 0 : write_edges(out, root, nl);
    fputs("}\n", out);
    return rc;
}

mg_code mg_export_json(FILE *out, const mg_value *root, const mg_export_var *vars,
                       size_t nvars, unsigned flags, mg_error *err)
{
    if (!out)
        return mg_error_set(err, MG_EINVAL, "no stream to write the JSON to (NULL)");
    return export_run(write_graph, (export_job){root, vars, nvars, flags}, out,
                      NULL, NULL, NULL, err);
}

mg_code mg_export_json_file(const char *path, const mg_value *root,
                            const mg_export_var *vars, size_t nvars,
                            unsigned flags, mg_error *err)
{
    if (!path)
        return mg_error_set(err, MG_EINVAL, "no file name for the JSON (NULL)");
    return export_run(write_graph, (export_job){root, vars, nvars, flags}, NULL,
                      NULL, NULL, path, err);
}

mg_code mg_export_json_data(const mg_value *root, const mg_export_var *vars,
                            size_t nvars, unsigned flags, char **out,
                            size_t *len, mg_error *err)
{
    size_t ignored;
    if (!out)
        return mg_error_set(err, MG_EINVAL, "no buffer pointer for the JSON (NULL)");
    return export_run(write_graph, (export_job){root, vars, nvars, flags}, NULL,
                      out, len ? len : &ignored, NULL, err);
}

/* export_json.c — the shared graph JSON ("mgviz-graph", version 1). */
#include "export_internal.h"

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

/* A variable's entry of "grads": a scalar's grad, a tensor's grad array. */
static void write_var_grad(FILE *out, const mg_value *v)
{
    const mg_tensor *t = v ? mg_tensor_of(v) : NULL;
    if (t)
        write_tensor_grad(out, t);
    else
        mg_json_write_number(out, v ? v->grad : 0.0);
}

void mg_export_node_json(FILE *out, const mg_value *v)
{
    char text[256];
    fprintf(out, "{\"id\":%u,\"op\":", v->id);
    mg_value_op_label(v, text, sizeof text);
    mg_json_write_string(out, text);
    fputs(",\"label\":", out);
    mg_json_write_string(out, mg_value_label(v));
    fprintf(out, ",\"kind\":\"%s\"", mg_node_kind(v));
    const mg_tensor *t = mg_tensor_of(v);
    if (t) { /* dtype, shape, attrs, data and grad arrays */
        mg_tensor_json_fields(out, t);
    } else {
        fputs(",\"data\":", out);
        mg_json_write_number(out, v->data);
        fputs(",\"grad\":", out);
        mg_json_write_number(out, v->grad);
    }
    fputs(",\"parents\":[", out);
    mg_value *ops[2];
    int np = mg_node_operands(v, ops);
    for (int i = 0; i < np; i++)
        fprintf(out, i ? ",%u" : "%u", ops[i]->id);
    fputs("],\"scope\":", out);
    mg_scope_path(v->graph, v->scope, text, sizeof text);
    mg_json_write_string(out, text);
    putc('}', out);
}

static void write_graph(FILE *out, const export_job *job)
{
    const mg_value *root = job->root;
    const char *nl = (job->flags & MG_EXPORT_COMPACT) ? "" : "\n";
    fputs("{\"format\":\"mgviz-graph\",\"version\":1,\"value\":", out);
    mg_json_write_number(out, mg_node_number(root, false));
    fprintf(out, ",\"root\":%u,%s\"grads\":{", root->id, nl);
    for (size_t i = 0; i < job->nvars; i++) {
        if (i)
            putc(',', out);
        mg_json_write_string(out, job->vars[i].name);
        putc(':', out);
        write_var_grad(out, job->vars[i].node);
    }
    fprintf(out, "},%s\"nodes\":[", nl);
    size_t n = mg_graph_count(root->graph);
    for (uint32_t id = 0; id < n; id++) {
        if (id)
            putc(',', out);
        fputs(nl, out);
        mg_export_node_json(out, mg_graph_node(root->graph, id));
    }
    fprintf(out, "]}\n");
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

/* export_text.c — a graph as a table people can read in a terminal, then
 * backward as a worked example (export_backward.c). */
#include "export_internal.h"

#include <string.h>

#include "mg_tensor.h"
#include "mg_node_stats.h"

/* A tensor's data and grad cells: "f32[4,8] mean -0.0123" and
 * "norm 0.456" (or "none"). */
static void tensor_cells(const mg_tensor *t, char *data, size_t dn, char *grad, size_t gn)
{
    char shape[48];
    mg_tensor_shape_str(t, shape, sizeof shape);
    mg_tensor_stats d = mg_tensor_stats_of(t, false), g = mg_tensor_stats_of(t, true);
    snprintf(data, dn, "%s%s mean %.4g", t->dtype == MG_F32 ? "f32" : "f64", shape, d.mean);
    if (t->grad)
        snprintf(grad, gn, "norm %.4g", g.l2);
    else
        snprintf(grad, gn, "none");
}

/* Width of the widest label (at least that of the header). */
static int label_width(const mg_graph *g, size_t n)
{
    size_t w = strlen("label");
    for (uint32_t id = 0; id < n; id++) {
        size_t len = strlen(mg_value_label(mg_graph_node(g, id)));
        if (len > w)
            w = len;
    }
    return w > 40 ? 40 : (int)w;
}

static void write_row(FILE *out, const mg_value *v, int lw)
{
    char op[64], data[80], grad[32], parents[40] = "", scope[256];
    mg_value_op_label(v, op, sizeof op);
    const mg_tensor *t = mg_tensor_of(v);
    if (t) {
        tensor_cells(t, data, sizeof data, grad, sizeof grad);
    } else {
        mg_format_double(v->data, data, sizeof data);
        mg_format_double(v->grad, grad, sizeof grad);
    }
    mg_value *ops[MG_MAX_OPERANDS];
    int np = mg_node_operands(v, ops);
    for (int i = 0, at = 0; i < np && at < (int)sizeof parents; i++)
        at += snprintf(parents + at, sizeof parents - (size_t)at, i ? ",%u" : "%u", ops[i]->id);
    mg_scope_path(v->graph, v->scope, scope, sizeof scope);
    fprintf(out, "%6u  %-8s %-6s %-*s %24s %24s  %-13s %s\n", v->id, op,
            mg_node_kind(v), lw, mg_value_label(v), data, grad, parents, scope);
}

static int write_table(FILE *out, const export_job *job)
{
    const mg_value *root = job->root;
    char num[32];
    mg_format_double(mg_node_number(root, false), num, sizeof num);
    fprintf(out, "value %s (root #%u)\n", num, root->id);
    for (size_t i = 0; i < job->nvars; i++) {
        /* a tensor variable shows its grad's mean (the table has its norm) */
        mg_format_double(job->vars[i].node ? mg_node_number(job->vars[i].node, true) : 0.0,
                         num, sizeof num);
        fprintf(out, "grad %s = %s\n", job->vars[i].name, num);
    }
    const mg_graph *g = root->graph;
    size_t n = mg_graph_count(g);
    int lw = label_width(g, n);
    fprintf(out, "\n%6s  %-8s %-6s %-*s %24s %24s  %-13s %s\n", "id", "op", "kind", lw,
            "label", "data", "grad", "parents", "scope");
    for (uint32_t id = 0; id < n; id++)
        write_row(out, mg_graph_node(g, id), lw);
    return export_backward_text(out, root);
}

mg_code mg_export_text(FILE *out, const mg_value *root, const mg_export_var *vars,
                       size_t nvars, mg_error *err)
{
    if (!out)
        return mg_error_set(err, MG_EINVAL, "no stream to write the table to (NULL)");
    return export_run(write_table, (export_job){root, vars, nvars, 0}, out, NULL,
                      NULL, NULL, err);
}

mg_code mg_export_text_file(const char *path, const mg_value *root,
                            const mg_export_var *vars, size_t nvars, mg_error *err)
{
    if (!path)
        return mg_error_set(err, MG_EINVAL, "no file name for the table (NULL)");
    return export_run(write_table, (export_job){root, vars, nvars, 0}, NULL, NULL,
                      NULL, path, err);
}

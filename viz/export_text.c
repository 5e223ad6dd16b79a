/* export_text.c — a graph as a table people can read in a terminal. */
#include "export_internal.h"

#include <string.h>

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
    char op[64], data[32], grad[32], parents[32] = "", scope[256];
    mg_value_op_label(v, op, sizeof op);
    mg_format_double(v->data, data, sizeof data);
    mg_format_double(v->grad, grad, sizeof grad);
    int np = mg_value_parent_count(v);
    if (np == 1)
        snprintf(parents, sizeof parents, "%u", v->a->id);
    else if (np == 2)
        snprintf(parents, sizeof parents, "%u,%u", v->a->id, v->b->id);
    mg_scope_path(v->graph, v->scope, scope, sizeof scope);
    fprintf(out, "%6u  %-8s %-6s %-*s %24s %24s  %-13s %s\n", v->id, op,
            mg_node_kind(v), lw, mg_value_label(v), data, grad, parents, scope);
}

static void write_table(FILE *out, const export_job *job)
{
    const mg_value *root = job->root;
    char num[32];
    mg_format_double(root->data, num, sizeof num);
    fprintf(out, "value %s (root #%u)\n", num, root->id);
    for (size_t i = 0; i < job->nvars; i++) {
        mg_format_double(job->vars[i].node ? job->vars[i].node->grad : 0.0, num, sizeof num);
        fprintf(out, "grad %s = %s\n", job->vars[i].name, num);
    }
    const mg_graph *g = root->graph;
    size_t n = mg_graph_count(g);
    int lw = label_width(g, n);
    fprintf(out, "\n%6s  %-8s %-6s %-*s %24s %24s  %-13s %s\n", "id", "op", "kind", lw,
            "label", "data", "grad", "parents", "scope");
    for (uint32_t id = 0; id < n; id++)
        write_row(out, mg_graph_node(g, id), lw);
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

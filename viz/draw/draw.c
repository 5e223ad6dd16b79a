/* draw.c — the public drawing calls: plan, build, render, write. */
#include <stdlib.h>
#include <string.h>

#include "viz_internal.h"

/* A new directed graph with the drawing defaults declared. */
static Agraph_t *open_graph(const mg_viz_options *o, const char *format,
                            viz_attrs *at, mg_error *err)
{
    Agraph_t *g = agopen("mgviz", Agdirected, NULL);
    if (!g)
        mg_error_set(err, MG_ENOMEM, "Graphviz could not create a graph");
    else
        viz_declare(g, o, format, at);
    return g;
}

/* Adds a picture of plan to g: one drawing, or the before/after pair. */
typedef mg_code (*picture_fn)(Agraph_t *g, const viz_attrs *at, mg_value *root,
                              const mg_viz_options *o,
                              const mg_viz_fold_plan *plan, mg_error *err);

static mg_code one_picture(Agraph_t *g, const viz_attrs *at, mg_value *root,
                           const mg_viz_options *o, const mg_viz_fold_plan *plan,
                           mg_error *err)
{
    return viz_build(g, at, root, o, plan, "", viz_edge_grads_wanted(o, plan, root), err);
}

/* MG_OK unless g is too big for dot to lay out in reasonable time. */
static mg_code check_size(Agraph_t *g, const char *format, mg_error *err)
{
    int n = agnnodes(g);
    if (strcmp(format, "dot") == 0 || n <= MG_VIZ_MAX_LAYOUT_NODES)
        return MG_OK;
    return mg_error_set(err, MG_EINVAL,
                        "the picture has %d Graphviz nodes, more than %d that can be "
                        "laid out in reasonable time: fold it (fold budget), focus "
                        "on a node, or write .dot", n, MG_VIZ_MAX_LAYOUT_NODES);
}

/* Plans, builds with picture, lays out and renders into *out. */
static mg_code draw_data(mg_value *root, const char *format,
                         const mg_viz_options *opt, picture_fn picture,
                         char **out, size_t *len, mg_error *err)
{
    mg_code rc = viz_check_format(format, err);
    if (rc != MG_OK)
        return rc;
    mg_viz_options o = viz_resolve(opt);
    mg_viz_fold_plan plan;
    if ((rc = viz_plan(root, &o, &plan, err)) != MG_OK)
        return rc;
    viz_attrs at;
    viz_heat heat;
    Agraph_t *g = open_graph(&o, format, &at, err);
    if (g)
        at.heat = viz_heat_open(&heat, &o, format);
    rc = g ? picture(g, &at, root, &o, &plan, err) : MG_ENOMEM;
    if (rc == MG_OK)
        viz_legend(g, &o, &at);
    if (rc == MG_OK)
        rc = check_size(g, format, err);
    if (rc == MG_OK) {
        viz_tune_layout(g);
        rc = viz_render(g, format, out, len, err);
    }
    /* heatmaps in a temporary directory: SVG keeps them as data: URIs */
    if (rc == MG_OK && at.heat && strcmp(format, "svg") == 0)
        rc = viz_heat_embed(at.heat, out, len, err);
    if (rc != MG_OK) {
        free(*out);
        *out = NULL;
    }
    if (g && at.heat)
        viz_heat_close(at.heat);
    if (g)
        agclose(g);
    mg_viz_fold_plan_free(&plan);
    return rc;
}

mg_code mg_draw_dot_data(mg_value *root, const char *format,
                         const mg_viz_options *opt, char **out, size_t *len,
                         mg_error *err)
{
    if (!out || !len)
        return mg_error_set(err, MG_EINVAL, "no place for the output (out or len is NULL)");
    *out = NULL;
    *len = 0;
    mg_code rc = draw_data(root, format, opt, one_picture, out, len, err);
    if (rc == MG_OK)
        mg_error_clear(err);
    return rc;
}

mg_code mg_draw_dot_format(mg_value *root, const char *path, const char *format,
                           const mg_viz_options *opt, mg_error *err)
{
    if (!path || !*path)
        return mg_error_set(err, MG_EINVAL, "no output path given");
    char *data = NULL;
    size_t len = 0;
    mg_code rc = mg_draw_dot_data(root, format, opt, &data, &len, err);
    if (rc == MG_OK)
        rc = mg_file_write_atomic(path, data, len, err);
    free(data);
    return rc;
}

/* The format for path, or MG_EINVAL naming its extension. */
static mg_code format_for(const char *path, const char **format, mg_error *err)
{
    if (!path || !*path)
        return mg_error_set(err, MG_EINVAL, "no output path given");
    *format = mg_viz_format_of(path);
    if (*format)
        return MG_OK;
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return mg_error_set(err, MG_EINVAL,
                            "%s has no extension: use .png, .svg or .dot", path);
    return mg_error_set(err, MG_EINVAL,
                        "unsupported extension \"%s\" in %s: use .png, .svg or .dot",
                        dot, path);
}

mg_code mg_draw_dot(mg_value *root, const char *path,
                    const mg_viz_options *opt, mg_error *err)
{
    const char *format = NULL;
    mg_code rc = format_for(path, &format, err);
    return rc != MG_OK ? rc : mg_draw_dot_format(root, path, format, opt, err);
}

/* Adds one titled cluster holding the picture of plan. */
static mg_code add_cluster(Agraph_t *g, const viz_attrs *at, mg_value *root,
                           const mg_viz_options *o, const mg_viz_fold_plan *plan,
                           const char *name, const char *title,
                           const char *prefix, mg_error *err)
{
    Agraph_t *sub = agsubg(g, (char *)name, 1);
    if (!sub)
        return mg_error_set(err, MG_ERENDER, "Graphviz refused cluster %s", name);
    agsafeset(sub, "label", (char *)title, "");
    agsafeset(sub, "style", "rounded", "");
    return viz_build(sub, at, root, o, plan, prefix, false, err);
}

/* Builds both states into g, running backward in between. The "after"
 * cluster is made first (and relabelled once backward has run): dot stacks
 * clusters in reverse order of their nodes' creation, and "before" belongs
 * on top. */
static mg_code before_and_after(Agraph_t *g, const viz_attrs *at,
                                mg_value *root, const mg_viz_options *o,
                                const mg_viz_fold_plan *plan, mg_error *err)
{
    mg_code rc = add_cluster(g, at, root, o, plan, "cluster_after",
                             "after backward", "b", err);
    if (rc == MG_OK)
        rc = add_cluster(g, at, root, o, plan, "cluster_before",
                         "before backward", "", err);
    if (rc != MG_OK)
        return rc;
    mg_code brc = mg_backward(root);
    if (brc != MG_OK)
        return mg_error_set(err, brc, "backward failed: %s",
                            mg_graph_error(root->graph) ? mg_graph_error(root->graph)
                                                        : mg_code_name(brc));
    mg_code rc2 = viz_relabel(g, at, root, o, plan, "b", err);
    /* the chain rule on the after side only: before it every upstream is 0 */
    if (rc2 == MG_OK && viz_edge_grads_wanted(o, plan, root))
        rc2 = viz_relabel_edges(agsubg(g, "cluster_after", 0), at, root, o, plan, "b", err);
    return rc2;
}

mg_code mg_draw_backward(mg_value *root, const char *path,
                         const mg_viz_options *opt, mg_error *err)
{
    const char *format = NULL;
    char *data = NULL;
    size_t len = 0;
    mg_code rc = format_for(path, &format, err);
    if (rc == MG_OK)
        rc = draw_data(root, format, opt, before_and_after, &data, &len, err);
    if (rc == MG_OK)
        rc = mg_file_write_atomic(path, data, len, err);
    if (rc == MG_OK)
        mg_error_clear(err);
    free(data);
    return rc;
}

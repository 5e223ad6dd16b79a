/* draw.c — placeholder entry points until the renderer lands. */
#include <stdlib.h>
#include <string.h>

#include "mg_viz.h"

const char *mg_viz_format_of(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot)
        return NULL;
    if (strcmp(dot, ".png") == 0)
        return "png";
    if (strcmp(dot, ".svg") == 0)
        return "svg";
    if (strcmp(dot, ".dot") == 0)
        return "dot";
    return NULL;
}

static mg_code not_yet(mg_error *err)
{
    return mg_error_set(err, MG_ERENDER, "mgviz: drawing is not implemented yet");
}

mg_code mg_draw_dot(mg_value *root, const char *path,
                    const mg_viz_options *opt, mg_error *err)
{
    (void)root; (void)path; (void)opt;
    return not_yet(err);
}

mg_code mg_draw_dot_format(mg_value *root, const char *path, const char *format,
                           const mg_viz_options *opt, mg_error *err)
{
    (void)root; (void)path; (void)format; (void)opt;
    return not_yet(err);
}

mg_code mg_draw_dot_data(mg_value *root, const char *format,
                         const mg_viz_options *opt, char **out, size_t *len,
                         mg_error *err)
{
    (void)root; (void)format; (void)opt; (void)out; (void)len;
    return not_yet(err);
}

mg_code mg_draw_backward(mg_value *root, const char *path,
                         const mg_viz_options *opt, mg_error *err)
{
    (void)root; (void)path; (void)opt;
    return not_yet(err);
}

mg_code mg_viz_fold_plan_make(mg_value *root, const mg_viz_options *opt,
                              mg_viz_fold_plan *plan, mg_error *err)
{
    (void)root; (void)opt;
    if (plan)
        memset(plan, 0, sizeof *plan);
    return not_yet(err);
}

void mg_viz_fold_plan_free(mg_viz_fold_plan *plan)
{
    if (!plan)
        return;
    free(plan->boxes);
    free(plan->node_box);
    memset(plan, 0, sizeof *plan);
}

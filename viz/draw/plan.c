/* plan.c — the first half of every drawing: check root, select, fold. */
#include <stdlib.h>
#include <string.h>

#include "viz_internal.h"

/* MG_OK if root is a live node of its graph. */
static mg_code check_root(mg_value *root, mg_error *err)
{
    if (!root)
        return mg_error_set(err, MG_EINVAL, "no value to draw (root is NULL)");
    if (!root->graph || mg_graph_node(root->graph, root->id) != root)
        return mg_error_set(err, MG_EINVAL,
                            "root node %u was dropped from its graph", root->id);
    return MG_OK;
}

mg_code viz_plan(mg_value *root, const mg_viz_options *o,
                 mg_viz_fold_plan *plan, mg_error *err)
{
    memset(plan, 0, sizeof *plan);
    mg_code rc = check_root(root, err);
    if (rc == MG_OK)
        rc = viz_check_options(o, err);
    if (rc != MG_OK)
        return rc;
    size_t n = mg_graph_count(root->graph);
    uint8_t *in = calloc(n, 1);
    plan->node_box = malloc(n * sizeof *plan->node_box);
    plan->home = malloc(n * sizeof *plan->home);
    if (!in || !plan->node_box || !plan->home) {
        free(in);
        mg_viz_fold_plan_free(plan);
        return mg_error_set(err, MG_ENOMEM, "out of memory drawing %zu nodes", n);
    }
    plan->nnodes = n;
    size_t count = 0;
    rc = viz_select(root, o, in, &count, err);
    if (rc == MG_OK)
        rc = viz_fold(root, o, in, count, plan, err);
    free(in);
    if (rc != MG_OK)
        mg_viz_fold_plan_free(plan);
    return rc;
}

mg_code mg_viz_fold_plan_make(mg_value *root, const mg_viz_options *opt,
                              mg_viz_fold_plan *plan, mg_error *err)
{
    if (!plan)
        return mg_error_set(err, MG_EINVAL, "no plan to fill (plan is NULL)");
    mg_viz_options o = viz_resolve(opt);
    mg_code rc = viz_plan(root, &o, plan, err);
    if (rc == MG_OK)
        mg_error_clear(err);
    return rc;
}

void mg_viz_fold_plan_free(mg_viz_fold_plan *plan)
{
    if (!plan)
        return;
    free(plan->boxes);
    free(plan->node_box);
    free(plan->home);
    free(plan->member_ids);
    memset(plan, 0, sizeof *plan);
}

/* plan_json.c — a fold plan as JSON, so that the inspector counts exactly
 * the nodes each box of the picture holds (see mg_viz_fold_plan_json()). */
#include <stdio.h>
#include <stdlib.h>

#include "viz_internal.h"

/* Box i's outputs are ids[start[i] .. start[i+1]): one counting pass. */
typedef struct box_outputs {
    size_t *start;
    uint32_t *ids;
} box_outputs;

static bool outputs_of(const mg_graph *g, const mg_viz_fold_plan *plan, box_outputs *bo)
{
    uint8_t *is_out = malloc(plan->nnodes ? plan->nnodes : 1);
    bo->start = calloc(plan->nboxes + 2, sizeof *bo->start);
    bo->ids = malloc((plan->nnodes ? plan->nnodes : 1) * sizeof *bo->ids);
    bool ok = is_out && bo->start && bo->ids && viz_box_outputs(g, plan, is_out, NULL) == MG_OK;
    for (size_t id = 0; ok && id < plan->nnodes; id++)
        if (is_out[id] && plan->node_box[id] < plan->nboxes)
            bo->start[plan->node_box[id] + 2]++;
    for (size_t i = 2; ok && i < plan->nboxes + 2; i++)
        bo->start[i] += bo->start[i - 1];
    for (size_t id = 0; ok && id < plan->nnodes; id++) /* start[b + 1]: b's next slot */
        if (is_out[id] && plan->node_box[id] < plan->nboxes)
            bo->ids[bo->start[plan->node_box[id] + 1]++] = (uint32_t)id;
    free(is_out);
    return ok;
}

static void outputs_json(mg_buf *b, const box_outputs *bo, size_t i)
{
    mg_buf_puts(b, ",\"outputs\":[");
    for (size_t k = bo->start[i]; k < bo->start[i + 1]; k++)
        mg_buf_printf(b, "%s%u", k > bo->start[i] ? "," : "", bo->ids[k]);
    mg_buf_puts(b, "]");
}

static void box_json(mg_buf *b, const mg_viz_box *box, const mg_graph *g)
{
    char path[512];
    mg_buf_printf(b, "{\"id\":\"%s%u%s\",\"scope\":%u,\"path\":",
                  box->nmembers > 1 ? "group" : "fold", box->scope,
                  box->leaves ? "_leaves" : "", box->scope);
    mg_scope_path(g, box->scope, path, sizeof path);
    mg_buf_json_string(b, path);
    mg_buf_printf(b, ",\"leaves\":%s,\"members\":[", box->leaves ? "true" : "false");
    for (uint32_t m = 0; m < box->nmembers; m++)
        mg_buf_printf(b, "%s%u", m ? "," : "", box->members[m]);
    mg_buf_printf(b, "],\"nodes\":%zu,\"params\":%zu,\"consts\":%zu,\"by_op\":{", box->nodes,
                  box->params, box->consts);
    const char *sep = "";
    if (box->op_count[MG_OP_LEAF]) {
        mg_buf_printf(b, "\"leaf\":%zu", box->op_count[MG_OP_LEAF]);
        sep = ",";
    }
    viz_op_entry ops[VIZ_MAX_OP_ENTRIES];
    size_t nops = viz_box_ops(box, ops);
    for (size_t i = 0; i < nops; i++) {
        mg_buf_puts(b, sep);
        mg_buf_json_string(b, ops[i].name);
        mg_buf_printf(b, ":%zu", ops[i].count);
        sep = ",";
    }
    mg_buf_puts(b, "}");
}

void mg_viz_fold_plan_json(const mg_viz_fold_plan *plan, const mg_graph *g, mg_buf *out)
{
    box_outputs bo = {0};
    if (!outputs_of(g, plan, &bo))
        out->failed = true;
    mg_buf_puts(out, "{\"boxes\":[");
    for (size_t i = 0; !out->failed && i < plan->nboxes; i++) {
        mg_buf_puts(out, i ? ",\n" : "\n");
        box_json(out, &plan->boxes[i], g);
        outputs_json(out, &bo, i);
        mg_buf_puts(out, "}");
    }
    free(bo.start);
    free(bo.ids);
    mg_buf_puts(out, "],\n\"node_box\":[");
    for (size_t id = 0; id < plan->nnodes; id++) {
        uint32_t b = plan->node_box[id];
        long k = b == MG_VIZ_NODE_DRAWN ? -1 : b == MG_VIZ_NODE_ABSENT ? -2 : (long)b;
        mg_buf_printf(out, "%s%ld", id ? "," : "", k);
    }
    mg_buf_puts(out, "],\n\"home\":[");
    for (size_t id = 0; id < plan->nnodes; id++)
        mg_buf_printf(out, "%s%u", id ? "," : "", plan->home[id]);
    mg_buf_puts(out, "]}");
}

/* select.c — which nodes a picture holds: those root depends on, optionally
 * only the neighbourhood of one node. Creation order is topological (parents
 * have smaller ids), so one backward sweep over ids replaces a recursive walk. */
#include <stdlib.h>

#include "viz_internal.h"

/* Breadth-first rings around the focus, along edges in either direction:
 * ring r is every selected node one edge from ring r-1 and not seen before. */
static void mark_rings(const mg_graph *g, uint32_t last, uint32_t *dist,
                       uint32_t radius)
{
    int grew = 1;
    for (uint32_t r = 1; r <= radius && grew; r++) { /* stop when rings end */
        grew = 0;
        for (uint32_t id = 0; id <= last; id++) {
            if (dist[id] == UINT32_MAX - 1) /* not selected */
                continue;
            const mg_value *v = mg_graph_node(g, id);
            mg_value *ps[MG_MAX_OPERANDS];
            int np = mg_node_operands(v, ps);
            for (int i = 0; i < np; i++) {
                uint32_t p = ps[i]->id;
                if (dist[id] == r - 1 && dist[p] == UINT32_MAX)
                    dist[p] = r, grew = 1;
                if (dist[p] == r - 1 && dist[id] == UINT32_MAX)
                    dist[id] = r, grew = 1;
            }
        }
    }
}

/* Narrows in[] to the nodes within o->focus_radius edges of o->focus_id. */
static mg_code keep_focus(mg_value *root, const mg_viz_options *o, uint8_t *in,
                          size_t *count, mg_error *err)
{
    const mg_graph *g = root->graph;
    size_t n = mg_graph_count(g);
    if (o->focus_id >= n || !in[o->focus_id])
        return mg_error_set(err, MG_EINVAL,
                            "focus node %u is not in the graph of root node %u",
                            o->focus_id, root->id);
    uint32_t *dist = malloc(n * sizeof *dist);
    if (!dist)
        return mg_error_set(err, MG_ENOMEM, "out of memory selecting a focus");
    for (size_t id = 0; id < n; id++)
        dist[id] = in[id] ? UINT32_MAX : UINT32_MAX - 1;
    dist[o->focus_id] = 0;
    mark_rings(g, root->id, dist, o->focus_radius);
    *count = 0;
    for (size_t id = 0; id < n; id++) {
        in[id] = dist[id] <= o->focus_radius;
        *count += in[id];
    }
    free(dist);
    return MG_OK;
}

mg_code viz_select(mg_value *root, const mg_viz_options *o, uint8_t *in,
                   size_t *count, mg_error *err)
{
    *count = mg_reach(root, in);
    if (o->focus)
        return keep_focus(root, o, in, count, err);
    return MG_OK;
}

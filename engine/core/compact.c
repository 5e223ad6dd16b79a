/* compact.c — dropping unreachable nodes from the middle of a graph.
 *
 * Rewinds drop only the newest nodes. A program that lets go of values in any
 * order (a Python training loop holds step k's loss while it builds step k+1)
 * needs the nodes nothing can reach dropped wherever they are: mark what the
 * caller still holds and everything it depends on, then slide the survivors
 * down. Creation order is kept, so ids stay dense and topological, and the
 * graph afterwards is one that could have been built as it is. */
#include "graph_internal.h"

#include <stdlib.h>
#include <string.h>

/* Points each survivor's operands at the slots they will move to. Only ids
 * are read, and no id changes before the move. */
static void retarget_operands(const mg_graph *g, const uint8_t *live, const uint32_t *to)
{
    for (uint32_t id = g->count; id-- > 0;) {
        if (!live[id])
            continue;
        mg_value *v = graph_node_at(g, id), *ops[MG_MAX_OPERANDS];
        int n = mg_node_operands(v, ops);
        if (n >= 1)
            v->a = graph_node_at(g, to[ops[0]->id]);
        if (n >= 2)
            v->b = graph_node_at(g, to[ops[1]->id]);
        if (n == 3) /* a tensor node's third, kept in its payload */
            *tensor_third_operand(v) = graph_node_at(g, to[ops[2]->id]);
    }
}

/* Appends v's label to the new label text; returns the new length. */
static uint32_t move_label(const mg_graph *g, mg_value *v, char *text, uint32_t len)
{
    if (!v->label || v->label >= g->labels_len)
        return len;
    size_t n = strlen(g->labels + v->label) + 1;
    memcpy(text + len, g->labels + v->label, n);
    v->label = len;
    return len + (uint32_t)n;
}

/* Frees whole chunks beyond what twice the survivors need, so a graph that
 * once grew large gives memory back; the rest stays for reuse. */
static void trim_chunks(mg_graph *g)
{
    uint32_t keep = (uint32_t)(((uint64_t)g->count * 2 + NODE_CHUNK - 1) >> NODE_CHUNK_BITS) + 1;
    while (g->nchunks > keep)
        free(g->chunks[--g->nchunks]);
}

size_t mg_graph_compact(mg_graph *g, uint8_t *live, uint32_t *remap)
{
    if (!g || !live)
        return mg_graph_count(g);
    uint32_t n = g->count;
    uint32_t *to = remap ? remap : malloc((size_t)(n ? n : 1) * sizeof *to);
    char *text = malloc(g->labels_cap); /* labels only shrink */
    if (!to || !text) {
        if (!remap)
            free(to);
        free(text);
        mg_graph_fail(g, MG_ENOMEM, "out of memory compacting %u nodes", n);
        return n;
    }
    g->allocations += remap ? 1 : 2;
    for (uint32_t id = 0; id < n; id++)
        live[id] = live[id] != 0;
    if (n)
        mg_reach_marked(g, n - 1, live, 1);
    uint32_t kept = 0, kept_below_mark = 0;
    for (uint32_t id = 0; id < n; id++) {
        to[id] = live[id] ? kept++ : UINT32_MAX;
        if (id < g->kept.nodes)
            kept_below_mark = kept;
    }
    retarget_operands(g, live, to);
    uint32_t labels_len = 1, labels_below_mark = 1;
    text[0] = '\0';
    for (uint32_t id = 0; id < n; id++) {
        if (!live[id])
            continue;
        mg_value *v = graph_node_at(g, to[id]);
        if (to[id] != id)
            *v = *graph_node_at(g, id); /* the source slot is never a destination yet */
        v->id = to[id];
        labels_len = move_label(g, v, text, labels_len);
        if (id < g->kept.nodes)
            labels_below_mark = labels_len;
        if (v->flags & MG_FLAG_TENSOR)
            tensor_header_moved(v);
    }
    free(g->labels);
    g->labels = text;
    g->labels_len = labels_len;
    g->count = kept;
    g->kept.nodes = kept_below_mark;
    g->kept.labels = labels_below_mark;
    trim_chunks(g);
    if (!remap)
        free(to);
    return kept;
}

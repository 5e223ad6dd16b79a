/* inspect_count.c — what a graph is made of: reachability, counts, depth and
 * a longest path. */
#include "inspect_internal.h"

#include <stdlib.h>
#include <string.h>

unsigned char *inspect_reach(const mg_value *root)
{
    unsigned char *seen = malloc((size_t)root->id + 1);
    if (seen)
        mg_reach(root, seen);
    return seen;
}

/* Per id: edges on the longest path from a leaf (0 for leaves and nodes root
 * does not depend on). */
static size_t *longest_depths(const mg_value *root, const unsigned char *seen)
{
    size_t *depth = calloc((size_t)root->id + 1, sizeof *depth);
    if (!depth)
        return NULL;
    for (uint32_t id = 0; id <= root->id; id++) {
        if (!seen[id])
            continue;
        mg_value *p[MG_MAX_OPERANDS];
        int np = mg_node_operands(mg_graph_node(root->graph, id), p);
        for (int i = 0; i < np; i++)
            if (depth[p[i]->id] + 1 > depth[id])
                depth[id] = depth[p[i]->id] + 1;
    }
    return depth;
}

static void count_node(mg_inspect_counts *c, const mg_value *v, uint32_t home)
{
    c->nodes++;
    c->by_op[v->op < MG_OP_COUNT ? v->op : MG_OP_LEAF]++;
    if (home < c->nscopes)
        c->by_scope[home]++;
    if (v->flags & MG_FLAG_TENSOR)
        c->tensors++;
    if (mg_is_leaf(v)) {
        if (v->flags & MG_FLAG_PARAM)
            c->params++;
        else if (v->flags & MG_FLAG_CONST)
            c->consts++;
        else
            c->inputs++;
    }
}

mg_code mg_inspect_count(const mg_value *root, mg_inspect_counts *out, mg_error *err)
{
    memset(out, 0, sizeof *out);
    if (!root)
        return mg_error_set(err, MG_EINVAL, "no root to inspect (NULL)");
    const mg_graph *g = root->graph;
    out->nscopes = mg_scope_count(g);
    out->by_scope = calloc(out->nscopes ? out->nscopes : 1, sizeof *out->by_scope);
    out->in_scope = calloc(out->nscopes ? out->nscopes : 1, sizeof *out->in_scope);
    unsigned char *seen = inspect_reach(root);
    size_t *depth = seen ? longest_depths(root, seen) : NULL;
    uint32_t *home = malloc((mg_graph_count(g) + 1) * sizeof *home);
    mg_code rc = MG_ENOMEM;
    if (out->by_scope && out->in_scope && depth && home)
        rc = mg_inspect_homes(root, NULL, home, err);
    else
        mg_error_set(err, MG_ENOMEM, "out of memory counting nodes");
    if (rc == MG_OK) {
        for (uint32_t id = 0; id <= root->id; id++)
            if (seen[id])
                count_node(out, mg_graph_node(g, id), home[id]);
        /* children are interned after their parents: sum upwards in one pass */
        for (uint32_t s = out->nscopes; s-- > 0;) {
            out->in_scope[s] += out->by_scope[s];
            uint32_t p = mg_scope_parent(g, s);
            if (p < s)
                out->in_scope[p] += out->in_scope[s];
        }
        out->depth = depth[root->id];
    } else {
        mg_inspect_counts_free(out);
    }
    free(seen);
    free(depth);
    free(home);
    return rc;
}

void mg_inspect_counts_free(mg_inspect_counts *counts)
{
    if (!counts)
        return;
    free(counts->by_scope);
    free(counts->in_scope);
    memset(counts, 0, sizeof *counts);
}

mg_code mg_inspect_longest_path(const mg_value *root, mg_inspect_paths *out,
                                mg_error *err)
{
    memset(out, 0, sizeof *out);
    if (!root)
        return mg_error_set(err, MG_EINVAL, "no root to inspect (NULL)");
    unsigned char *seen = inspect_reach(root);
    size_t *depth = seen ? longest_depths(root, seen) : NULL;
    uint32_t *ids = depth ? malloc((depth[root->id] + 1) * sizeof *ids) : NULL;
    mg_code rc = MG_OK;
    if (!ids) {
        rc = mg_error_set(err, MG_ENOMEM, "out of memory finding the longest path");
    } else {
        /* Walk back from the root, always to a parent one step shallower. */
        size_t len = 0;
        const mg_value *v = root;
        for (;;) {
            ids[len++] = v->id;
            mg_value *p[MG_MAX_OPERANDS];
            int np = mg_node_operands(v, p);
            if (np == 0)
                break;
            v = p[0]; /* the first of the deepest operands */
            for (int i = 1; i < np; i++)
                if (depth[p[i]->id] > depth[v->id])
                    v = p[i];
        }
        out->total = 1;
        if (inspect_paths_add(out, ids, len, 1) != 0)
            rc = mg_error_set(err, MG_ENOMEM, "out of memory finding the longest path");
    }
    free(ids);
    free(seen);
    free(depth);
    return rc;
}

/* inspect_nodes.c — single nodes: by name, the largest grads, the first
 * NaN/Inf, a node's children. */
#include "inspect_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mg_node_stats.h"

const mg_value *mg_inspect_find(const mg_value *root, const char *what)
{
    if (!root || !what || !*what)
        return NULL;
    const mg_graph *g = root->graph;
    const char *digits = what[0] == '#' ? what + 1 : what;
    if (*digits && strspn(digits, "0123456789") == strlen(digits)) {
        unsigned long long id = strtoull(digits, NULL, 10);
        return id < mg_graph_count(g) ? mg_graph_node(g, (uint32_t)id) : NULL;
    }
    const mg_value *first = NULL;
    size_t n = mg_graph_count(g);
    for (uint32_t id = 0; id < n; id++) {
        const mg_value *v = mg_graph_node(g, id);
        if (strcmp(mg_value_label(v), what) != 0)
            continue;
        if (mg_is_leaf(v))
            return v;
        if (!first)
            first = v;
    }
    return first;
}

const mg_value *mg_inspect_first_nonfinite(const mg_value *root)
{
    if (!root)
        return NULL;
    unsigned char *seen = inspect_reach(root);
    const mg_value *bad = NULL;
    for (uint32_t id = 0; id <= root->id && !bad; id++) {
        const mg_value *v = mg_graph_node(root->graph, id);
        /* Without the reach set (out of memory) every node is looked at. */
        if ((!seen || seen[id]) && !mg_node_finite(v))
            bad = v;
    }
    free(seen);
    return bad;
}

/* Largest |grad| first; NaN above everything; ties by id. */
static int by_grad(const void *pa, const void *pb)
{
    const mg_value *a = *(const mg_value *const *)pa, *b = *(const mg_value *const *)pb;
    double ga = mg_node_grad_size(a), gb = mg_node_grad_size(b);
    int na = isnan(ga), nb = isnan(gb);
    if (na != nb)
        return nb - na;
    if (!na && ga != gb)
        return ga > gb ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

mg_code mg_inspect_top_grads(const mg_value *root, size_t n, const mg_value **out,
                             size_t *found, mg_error *err)
{
    *found = 0;
    if (!root)
        return mg_error_set(err, MG_EINVAL, "no root to inspect (NULL)");
    unsigned char *seen = inspect_reach(root);
    const mg_value **leaves = malloc(((size_t)root->id + 1) * sizeof *leaves);
    if (!seen || !leaves) {
        free(seen);
        free(leaves);
        return mg_error_set(err, MG_ENOMEM, "out of memory ranking grads");
    }
    size_t count = 0;
    for (uint32_t id = 0; id <= root->id; id++) {
        const mg_value *v = mg_graph_node(root->graph, id);
        if (seen[id] && mg_is_leaf(v))
            leaves[count++] = v;
    }
    qsort(leaves, count, sizeof *leaves, by_grad);
    *found = count < n ? count : n;
    memcpy(out, leaves, *found * sizeof *out);
    free(seen);
    free(leaves);
    return MG_OK;
}

mg_code mg_inspect_children(const mg_value *root, const mg_value *v, uint32_t **ids,
                            size_t *n, mg_error *err)
{
    *ids = NULL;
    *n = 0;
    if (!root || !v)
        return mg_error_set(err, MG_EINVAL, "children need a root and a node (NULL)");
    if (v->graph != root->graph || v->id >= root->id)
        return MG_OK;
    unsigned char *seen = inspect_reach(root);
    uint32_t *list = malloc(((size_t)root->id - v->id) * sizeof *list);
    if (!seen || !list) {
        free(seen);
        free(list);
        return mg_error_set(err, MG_ENOMEM, "out of memory finding children");
    }
    for (uint32_t id = v->id + 1; id <= root->id; id++) {
        const mg_value *c = mg_graph_node(root->graph, id);
        mg_value *p[MG_MAX_OPERANDS];
        int np = mg_node_operands(c, p);
        int uses = 0;
        for (int i = 0; i < np; i++)
            uses |= p[i] == v;
        if (seen[id] && uses)
            list[(*n)++] = id;
    }
    free(seen);
    if (*n == 0)
        free(list);
    else
        *ids = list;
    return MG_OK;
}

/* inspect_paths.c — the paths from one node to the root: counted by dynamic
 * programming over ids, listed by an explicit-stack depth-first walk. */
#include "inspect_internal.h"

#include <stdlib.h>
#include <string.h>

int inspect_paths_add(mg_inspect_paths *p, const uint32_t *ids, size_t len, int reversed)
{
    size_t have = p->npaths ? p->start[p->npaths] : 0;
    size_t *start = realloc(p->start, (p->npaths + 2) * sizeof *start);
    if (!start)
        return -1;
    p->start = start;
    uint32_t *all = realloc(p->ids, (have + len) * sizeof *all);
    if (!all)
        return -1;
    p->ids = all;
    for (size_t i = 0; i < len; i++)
        all[have + i] = reversed ? ids[len - 1 - i] : ids[i];
    start[0] = 0;
    start[p->npaths + 1] = have + len;
    p->npaths++;
    return 0;
}

void mg_inspect_paths_free(mg_inspect_paths *paths)
{
    if (!paths)
        return;
    free(paths->start);
    free(paths->ids);
    memset(paths, 0, sizeof *paths);
}

static uint64_t add_saturating(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Whether operand p[i] already came as an earlier operand (x*x's b): one
 * path goes through a node however many of its operands it is. */
static int repeated(mg_value *const *p, int i)
{
    for (int j = 0; j < i; j++)
        if (p[j] == p[i])
            return 1;
    return 0;
}

/* Per id from..root: how many paths lead from `from` to the node (0 when it
 * does not depend on from). x*x has one path from x, not two. */
static uint64_t *count_paths(const mg_value *root, const mg_value *from)
{
    size_t n = (size_t)root->id - from->id + 1;
    uint64_t *count = calloc(n, sizeof *count);
    if (!count)
        return NULL;
    count[0] = 1;
    for (uint32_t id = from->id + 1; id <= root->id; id++) {
        mg_value *p[MG_MAX_OPERANDS];
        int np = mg_node_operands(mg_graph_node(root->graph, id), p);
        uint64_t c = 0;
        for (int i = 0; i < np; i++)
            if (p[i]->id >= from->id && !repeated(p, i))
                c = add_saturating(c, count[p[i]->id - from->id]);
        count[id - from->id] = c;
    }
    return count;
}

/* Depth-first from the root towards `from`, only through nodes that depend on
 * it: every branch taken ends at `from`, so the walk lists paths directly. */
static int list_paths(const mg_value *root, const mg_value *from, const uint64_t *count,
                      size_t limit, mg_inspect_paths *out)
{
    size_t cap = (size_t)root->id - from->id + 1;
    const mg_value **node = malloc(cap * sizeof *node);
    int *next = malloc(cap * sizeof *next);
    uint32_t *ids = malloc(cap * sizeof *ids);
    int rc = node && next && ids ? 0 : -1;
    size_t depth = 0;
    if (rc == 0) {
        node[0] = root;
        next[0] = 0;
        depth = 1;
    }
    while (rc == 0 && depth > 0 && out->npaths < limit) {
        const mg_value *v = node[depth - 1];
        if (v == from) {
            for (size_t i = 0; i < depth; i++)
                ids[i] = node[i]->id;
            rc = inspect_paths_add(out, ids, depth, 1);
            depth--;
            continue;
        }
        mg_value *p[MG_MAX_OPERANDS];
        int np = mg_node_operands(v, p);
        int i = next[depth - 1]++;
        if (i >= np) {
            depth--;
        } else if (p[i]->id >= from->id && count[p[i]->id - from->id] && !repeated(p, i)) {
            node[depth] = p[i];
            next[depth] = 0;
            depth++;
        }
    }
    free(node);
    free(next);
    free(ids);
    return rc;
}

mg_code mg_inspect_paths_find(const mg_value *root, const mg_value *from, size_t limit,
                              mg_inspect_paths *out, mg_error *err)
{
    memset(out, 0, sizeof *out);
    if (!root || !from)
        return mg_error_set(err, MG_EINVAL, "paths need a root and a start node (NULL)");
    if (from->graph != root->graph)
        return mg_error_set(err, MG_EINVAL, "the start node is not in the root's graph");
    if (from->id > root->id)
        return MG_OK; /* created after the root: cannot feed it */
    uint64_t *count = count_paths(root, from);
    if (!count)
        return mg_error_set(err, MG_ENOMEM, "out of memory counting paths");
    out->total = count[root->id - from->id];
    int rc = out->total ? list_paths(root, from, count, limit, out) : 0;
    free(count);
    if (rc != 0) {
        mg_inspect_paths_free(out);
        return mg_error_set(err, MG_ENOMEM, "out of memory listing paths");
    }
    return MG_OK;
}

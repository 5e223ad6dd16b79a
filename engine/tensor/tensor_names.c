/* tensor_names.c — the names of a tensor's positions (mg_tensor_set_names):
 * tokens a model attaches so pictures can print them along an axis. */
#include <string.h>

#include "tensor_internal.h"

/* Per axis: its names (NULL for none) and how many there are. */
struct mg_tensor_names {
    const char **of[MG_TENSOR_MAX_DIMS];
    int count[MG_TENSOR_MAX_DIMS];
};

/* A copy of s in g's arena, or NULL. */
static const char *arena_strdup(mg_graph *g, const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = mg_graph_alloc(g, n);
    if (c)
        memcpy(c, s, n);
    return c;
}

mg_code mg_tensor_set_names(mg_tensor *t, int axis, const char *const *names, int count)
{
    if (!t)
        return MG_EINVAL;
    mg_graph *g = t->node->graph;
    int ax = axis < 0 ? axis + t->ndim : axis;
    if (ax < 0 || ax >= t->ndim)
        return mg_graph_fail(g, MG_EINVAL, "names: axis %d is out of range for %d dims",
                             axis, t->ndim);
    int n = t->shape[ax];
    if (!names || !(count == n || (ax >= 1 && count == t->shape[0] * n)))
        return mg_graph_fail(g, MG_ESHAPE,
                             "names: axis %d has %d positions; %d names fit neither it "
                             "nor one list per batch row (%d)",
                             axis, n, count, ax >= 1 ? t->shape[0] * n : n);
    for (int i = 0; i < count; i++)
        if (!names[i])
            return mg_graph_fail(g, MG_EINVAL, "names: name %d is NULL", i);
    struct mg_tensor_names *all = t->names;
    const char **copy = mg_graph_alloc(g, (size_t)count * sizeof *copy);
    if (!all && copy && (all = mg_graph_alloc(g, sizeof *all)) != NULL)
        memset(all, 0, sizeof *all);
    for (int i = 0; copy && all && i < count; i++)
        if (!(copy[i] = arena_strdup(g, names[i])))
            copy = NULL;
    if (!copy || !all)
        return mg_graph_fail(g, MG_ENOMEM, "names: out of memory for %d names", count);
    all->of[ax] = copy;
    all->count[ax] = count;
    t->names = all;
    return MG_OK;
}

const char *mg_tensor_name(const mg_tensor *t, int axis, int b, int i)
{
    int ax = t && axis < 0 ? axis + t->ndim : axis;
    if (!t || !t->names || ax < 0 || ax >= t->ndim || !t->names->of[ax])
        return NULL;
    int n = t->shape[ax];
    if (i < 0 || i >= n)
        return NULL;
    if (t->names->count[ax] == n)
        return t->names->of[ax][i];
    return b >= 0 && b < t->shape[0] ? t->names->of[ax][b * n + i] : NULL;
}

const char *const *tensor_names_of(const mg_tensor *t, int axis, int *count)
{
    *count = t->names && t->names->of[axis] ? t->names->count[axis] : 0;
    return *count ? t->names->of[axis] : NULL;
}

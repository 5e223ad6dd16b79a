/* inspect_home.c — the scope a node lives in, for counting and folding alike.
 * Leaves are usually made outside the scopes that use them (an MLP's weights
 * at model creation, a sample's inputs one level above its neurons); counted
 * in their creation scope they would pile up at the top of a folded picture,
 * away from their users. So a leaf lives in the innermost scope enclosing all
 * its uses, provided that scope lies within the one it was created in; every
 * other node lives where it was made. One rule, so that a folded box, the
 * inspector and `mgviz inspect --counts` count the same nodes. */
#include <stdlib.h>

#include "inspect_internal.h"

#define NO_USE UINT32_MAX

/* The innermost scope enclosing both s and t. */
static uint32_t common_scope(const mg_graph *g, uint32_t s, uint32_t t)
{
    uint32_t ds = mg_scope_depth(g, s), dt = mg_scope_depth(g, t);
    for (; ds > dt; ds--)
        s = mg_scope_parent(g, s);
    for (; dt > ds; dt--)
        t = mg_scope_parent(g, t);
    for (; s != t && ds > 0; ds--) {
        s = mg_scope_parent(g, s);
        t = mg_scope_parent(g, t);
    }
    return s == t ? s : MG_SCOPE_ROOT;
}

mg_code mg_inspect_homes(const mg_value *root, const unsigned char *in, uint32_t *home,
                         mg_error *err)
{
    if (!root || !home)
        return mg_error_set(err, MG_EINVAL, "no root or no home array (NULL)");
    const mg_graph *g = root->graph;
    size_t n = mg_graph_count(g);
    unsigned char *reach = in ? NULL : inspect_reach(root);
    uint32_t *uses = malloc((n ? n : 1) * sizeof *uses);
    if (!uses || (!in && !reach)) {
        free(uses);
        free(reach);
        return mg_error_set(err, MG_ENOMEM, "out of memory finding where nodes live");
    }
    uint32_t nscopes = mg_scope_count(g);
    for (size_t id = 0; id < n; id++) {
        const mg_value *v = mg_graph_node(g, (uint32_t)id);
        home[id] = v->scope < nscopes ? v->scope : MG_SCOPE_ROOT;
        uses[id] = NO_USE;
    }
    for (size_t id = 0; id < n; id++) {
        int here = in ? in[id] : id <= root->id && reach[id];
        mg_value *p[MG_MAX_OPERANDS];
        int np = here ? mg_node_operands(mg_graph_node(g, (uint32_t)id), p) : 0;
        for (int i = 0; i < np; i++) {
            uint32_t q = p[i]->id;
            if (mg_is_leaf(p[i]))
                uses[q] = uses[q] == NO_USE ? home[id] : common_scope(g, uses[q], home[id]);
        }
    }
    for (size_t id = 0; id < n; id++)
        if (uses[id] != NO_USE && common_scope(g, uses[id], home[id]) == home[id])
            home[id] = uses[id];
    free(uses);
    free(reach);
    return MG_OK;
}

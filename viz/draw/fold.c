/* fold.c — choosing how to fold a big picture by scope.
 *
 * Folding at depth d puts every node living (see home.c) in a scope d or more
 * names deep into one box per depth-d scope. Nodes of shallower scopes are
 * either drawn one by one ("fine" folding) or, when that is still too many,
 * boxed by their own scope too ("coarse" folding: the top level becomes a box,
 * its leaves another, see splits()). The deepest fine depth that fits the
 * budget wins, then the deepest coarse one. The root, the focus node and
 * nodes under opt->unfold_scope are always drawn one by one. */
#include <stdlib.h>
#include <string.h>

#include "viz_internal.h"

typedef struct fold_ctx {
    const mg_graph *g;
    uint32_t nscopes, maxdepth;
    uint32_t *depth;    /* per scope: names deep */
    uint32_t *anc;      /* per scope: its ancestor at the depth being tried */
    uint32_t *stamp;    /* per scope: last trial that counted it as a box */
    size_t *cnt;        /* per scope: foldable nodes living directly in it */
    size_t *leaves;     /* per scope: of which leaves */
    uint8_t *unfolded;  /* per scope: at or under opt->unfold_scope */
    uint32_t *home;     /* per node: the scope it is drawn in (home.c) */
    uint32_t trial;
} fold_ctx;

enum { FOLD_FINE, FOLD_COARSE };

/* anc[s] = s's ancestor at depth d (s itself when s is not deeper). Parents
 * are interned before their children, so one forward pass suffices. */
static void set_ancestors(fold_ctx *c, uint32_t d)
{
    for (uint32_t s = 0; s < c->nscopes; s++) {
        uint32_t p = mg_scope_parent(c->g, s);
        c->anc[s] = (c->depth[s] <= d || p >= s) ? s : c->anc[p];
    }
}

/* True when coarse folding at depth d boxes scope s's leaves apart from its
 * computed nodes. A scope shallower than d keeps only its own nodes in its
 * box; its leaves then feed deeper boxes while its computed nodes are fed by
 * them (parameters used by every sample, the loss that sums the samples), and
 * one box holding both would make a cycle that dot lays out backwards. */
static int splits(const fold_ctx *c, int mode, uint32_t d, uint32_t s)
{
    return mode == FOLD_COARSE && c->depth[s] < d && c->leaves[s] > 0 &&
           c->leaves[s] < c->cnt[s];
}

/* Boxes plus individually drawn foldable nodes when folding at depth d. */
static size_t count_boxes(fold_ctx *c, int mode, uint32_t d)
{
    set_ancestors(c, d);
    c->trial++;
    size_t n = 0;
    for (uint32_t s = 0; s < c->nscopes; s++) {
        if (c->cnt[s] == 0)
            continue;
        if (mode == FOLD_FINE && c->depth[s] < d) {
            n += c->cnt[s];
            continue;
        }
        if (c->stamp[c->anc[s]] != c->trial) {
            c->stamp[c->anc[s]] = c->trial;
            n++;
        }
        n += splits(c, mode, d, s);
    }
    return n;
}

/* Picks mode and depth: the most detailed folding within budget. */
static void choose(fold_ctx *c, size_t budget, int *mode, uint32_t *d)
{
    for (uint32_t t = c->maxdepth; t >= 1; t--)
        if (count_boxes(c, FOLD_FINE, t) <= budget) {
            *mode = FOLD_FINE, *d = t;
            return;
        }
    *mode = FOLD_COARSE;
    for (uint32_t t = c->maxdepth + 1; t-- > 0;)
        if (count_boxes(c, FOLD_COARSE, t) <= budget) {
            *d = t;
            return;
        }
    *d = c->maxdepth >= 1 ? 1 : 0; /* nothing fits: fewest useful boxes */
}

/* Marks scopes at or under the scope whose path is o->unfold_scope. */
static mg_code mark_unfolded(fold_ctx *c, const char *path, mg_error *err)
{
    char buf[1024];
    uint32_t target = UINT32_MAX;
    for (uint32_t s = 0; s < c->nscopes && target == UINT32_MAX; s++) {
        mg_scope_path(c->g, s, buf, sizeof buf);
        if (strcmp(buf, path) == 0)
            target = s;
    }
    if (target == UINT32_MAX)
        return mg_error_set(err, MG_EINVAL, "no scope named \"%s\" to unfold",
                            path);
    for (uint32_t s = 0; s < c->nscopes; s++) {
        uint32_t p = mg_scope_parent(c->g, s);
        c->unfolded[s] = s == target || (p < s && c->unfolded[p]);
    }
    return MG_OK;
}

static void fold_ctx_free(fold_ctx *c)
{
    free(c->depth);
    free(c->anc);
    free(c->stamp);
    free(c->cnt);
    free(c->leaves);
    free(c->unfolded);
    free(c->home);
}

static mg_code fold_ctx_init(fold_ctx *c, const mg_graph *g, const uint8_t *in,
                             size_t n, mg_error *err)
{
    memset(c, 0, sizeof *c);
    c->g = g;
    c->nscopes = mg_scope_count(g);
    if (c->nscopes == 0)
        c->nscopes = 1;
    c->depth = calloc(c->nscopes, sizeof *c->depth);
    c->anc = calloc(c->nscopes, sizeof *c->anc);
    c->stamp = calloc(c->nscopes, sizeof *c->stamp);
    c->cnt = calloc(c->nscopes, sizeof *c->cnt);
    c->leaves = calloc(c->nscopes, sizeof *c->leaves);
    c->unfolded = calloc(c->nscopes, sizeof *c->unfolded);
    c->home = malloc((n ? n : 1) * sizeof *c->home);
    if (!c->depth || !c->anc || !c->stamp || !c->cnt || !c->leaves || !c->unfolded || !c->home) {
        fold_ctx_free(c);
        return mg_error_set(err, MG_ENOMEM, "out of memory planning folds");
    }
    for (uint32_t s = 0; s < c->nscopes; s++) {
        c->depth[s] = mg_scope_depth(g, s);
        if (c->depth[s] > c->maxdepth)
            c->maxdepth = c->depth[s];
    }
    mg_code rc = viz_home_scopes(g, in, n, c->home, err);
    if (rc != MG_OK)
        fold_ctx_free(c);
    return rc;
}

static uint32_t scope_of(const fold_ctx *c, const mg_value *v)
{
    return c->home[v->id];
}

/* True for a selected node that folding may put in a box. */
static int foldable(const fold_ctx *c, const mg_value *root,
                    const mg_viz_options *o, const mg_value *v)
{
    if (v == root || (o->focus && v->id == o->focus_id))
        return 0;
    return !c->unfolded[scope_of(c, v)];
}

/* Appends the box for scope s to the plan (its leaves' box when leaves is
 * set) unless it exists; returns its index. */
static uint32_t add_box(mg_viz_fold_plan *plan, uint32_t *box_of, uint32_t s,
                        bool leaves)
{
    if (box_of[s] == UINT32_MAX) {
        box_of[s] = (uint32_t)plan->nboxes;
        mg_viz_box *b = &plan->boxes[plan->nboxes++];
        memset(b, 0, sizeof *b);
        b->scope = s;
        b->leaves = leaves;
    }
    return box_of[s];
}

/* Counts node v into box b. */
static void count_in(mg_viz_box *b, const mg_value *v)
{
    b->nodes++;
    b->op_count[v->op < MG_OP_COUNT ? v->op : 0]++;
    if (mg_is_leaf(v)) {
        b->params += (v->flags & MG_FLAG_PARAM) != 0;
        b->consts += (v->flags & MG_FLAG_CONST) != 0;
    }
}

/* Fills plan->node_box and the boxes for the chosen mode and depth. */
static mg_code assign(fold_ctx *c, const mg_value *root, const mg_viz_options *o,
                      const uint8_t *in, int fold, int mode, uint32_t d,
                      mg_viz_fold_plan *plan, mg_error *err)
{
    /* box_of[s]: box of scope s; box_of[nscopes + s]: its leaves' box */
    uint32_t *box_of = malloc(2 * c->nscopes * sizeof *box_of);
    plan->boxes = malloc(2 * c->nscopes * sizeof *plan->boxes);
    if (!box_of || !plan->boxes) {
        free(box_of);
        return mg_error_set(err, MG_ENOMEM, "out of memory planning folds");
    }
    memset(box_of, 0xff, 2 * c->nscopes * sizeof *box_of);
    if (fold)
        set_ancestors(c, d);
    for (size_t id = 0; id < plan->nnodes; id++) {
        const mg_value *v = mg_graph_node(c->g, (uint32_t)id);
        uint32_t s = scope_of(c, v);
        if (!in[id]) {
            plan->node_box[id] = MG_VIZ_NODE_ABSENT;
        } else if (!fold || !foldable(c, root, o, v) ||
                   (mode == FOLD_FINE && c->depth[s] < d)) {
            plan->node_box[id] = MG_VIZ_NODE_DRAWN;
            plan->drawn++;
        } else {
            bool apart = mg_is_leaf(v) && splits(c, mode, d, s);
            uint32_t b = add_box(plan, box_of + (apart ? c->nscopes : 0),
                                 c->anc[s], apart);
            plan->node_box[id] = b;
            count_in(&plan->boxes[b], v);
            plan->folded++;
        }
    }
    plan->depth = fold ? d : 0;
    free(box_of);
    return MG_OK;
}

/* Fills cnt and leaves per scope; returns how many nodes cannot fold. */
static size_t count_foldable(fold_ctx *c, const mg_value *root,
                             const mg_viz_options *o, const uint8_t *in, size_t n)
{
    size_t forced = 0;
    for (size_t id = 0; id < n; id++) {
        const mg_value *v = mg_graph_node(c->g, (uint32_t)id);
        if (!in[id])
            continue;
        if (!foldable(c, root, o, v)) {
            forced++;
            continue;
        }
        c->cnt[scope_of(c, v)]++;
        c->leaves[scope_of(c, v)] += mg_is_leaf(v);
    }
    return forced;
}

/* The budget in force. By default a graph without scopes is not folded while
 * dot can still lay it out: its only box would be the whole top level, which
 * shows less than the nodes themselves. An explicit budget always holds. */
static size_t fold_budget_of(const fold_ctx *c, const mg_viz_options *o,
                             size_t count)
{
    if (o->fold_budget != 0)
        return o->fold_budget;
    size_t scoped = 0;
    for (uint32_t s = 1; s < c->nscopes; s++)
        scoped += c->cnt[s];
    if (scoped == 0 && 2 * count <= MG_VIZ_MAX_LAYOUT_NODES)
        return SIZE_MAX;
    return MG_VIZ_FOLD_BUDGET;
}

mg_code viz_fold(mg_value *root, const mg_viz_options *o, const uint8_t *in,
                 size_t count, mg_viz_fold_plan *plan, mg_error *err)
{
    fold_ctx c;
    mg_code rc = fold_ctx_init(&c, root->graph, in, plan->nnodes, err);
    if (rc != MG_OK)
        return rc;
    if (o->unfold_scope && (rc = mark_unfolded(&c, o->unfold_scope, err)))
        goto done;
    plan->total = count;
    size_t forced = count_foldable(&c, root, o, in, plan->nnodes);
    size_t budget = fold_budget_of(&c, o, count);
    int fold = count > budget, mode = FOLD_FINE;
    uint32_t d = 0;
    if (fold)
        choose(&c, budget > forced ? budget - forced : 1, &mode, &d);
    rc = assign(&c, root, o, in, fold, mode, d, plan, err);
done:
    fold_ctx_free(&c);
    return rc;
}

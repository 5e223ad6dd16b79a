/* fold.c — choosing how to fold a big picture by scope.
 *
 * Folding at depth d puts every node living (mg_inspect_homes()) in a scope d
 * or more names deep into one box per depth-d scope. Nodes of shallower
 * scopes are drawn one by one, except that when they are still too many the
 * scopes holding most of them are boxed by their own nodes too, largest
 * first (the top level's parameters become a box; see splits()). Sibling
 * scopes of one shape no deeper than d fold into one group box (group.c), the
 * shallowest group winning. The deepest depth that fits the budget wins, with
 * as few shallow scopes boxed as it takes. The root, the focus node and nodes
 * under opt->unfold_scope are always drawn one by one; the scopes on their
 * way, and opt->open_member's, join no group. */
#include <stdlib.h>
#include <string.h>

#include "mg_inspect.h"
#include "viz_internal.h"

/* Subtree signature per scope: nodes, each op, params, consts. */
#define SIGW (MG_OP_COUNT + 3 + MG_T_COUNT) /* nodes, ops, params, consts, tensor ops */

/* A shallow scope and how many nodes it would draw one by one. */
typedef struct scope_count {
    size_t cnt;
    uint32_t scope;
} scope_count;

typedef struct fold_ctx {
    const mg_graph *g;
    const mg_value *root;
    const mg_viz_options *o;
    const uint8_t *in;
    size_t n;           /* graph nodes */
    uint32_t nscopes, maxdepth;
    uint32_t *depth;    /* per scope: names deep */
    uint32_t *anc;      /* per scope: its ancestor at the depth being tried */
    uint32_t *unit;     /* per scope: the group holding it at that depth */
    size_t *cnt;        /* per scope: foldable nodes living directly in it */
    size_t *leaves;     /* per scope: of which leaves other than constants */
    uint8_t *unfolded;  /* per scope: at or under opt->unfold_scope */
    uint8_t *opened;    /* per scope: joins no group */
    uint8_t *boxed;     /* per scope shallower than d: its own nodes boxed */
    scope_count *order;       /* scratch: shallow scopes by own node count */
    uint32_t *home;     /* per node: the scope it lives in */
    viz_groups groups;
} fold_ctx;


/* anc[s] = s's ancestor at depth d (s itself when s is not deeper); unit[s]
 * = the shallowest group no deeper than d holding s or an ancestor. Parents
 * are interned before their children, so one forward pass suffices. */
static void set_ancestors(fold_ctx *c, uint32_t d)
{
    for (uint32_t s = 0; s < c->nscopes; s++) {
        uint32_t p = mg_scope_parent(c->g, s), gs = c->groups.of[s];
        int top = p >= s;
        c->anc[s] = (c->depth[s] <= d || top) ? s : c->anc[p];
        c->unit[s] = !top && c->unit[p] != VIZ_NO_GROUP ? c->unit[p]
                     : gs != VIZ_NO_GROUP && c->groups.depth[gs] <= d ? gs
                                                                      : VIZ_NO_GROUP;
    }
}

/* True when coarse folding at depth d boxes scope s's leaves apart from its
 * computed nodes. A scope shallower than d keeps only its own nodes in its
 * box; its leaves then feed deeper boxes while its computed nodes are fed by
 * them (parameters used by every sample, the loss that sums the samples), and
 * one box holding both would make a cycle that dot lays out backwards.
 * Constants stay with the computed nodes: each is made for one use, beside
 * it, and a box of "1 const" would only clutter. */
static int splits(const fold_ctx *c, uint32_t d, uint32_t s)
{
    return c->boxed[s] && c->depth[s] < d && c->leaves[s] > 0 && c->leaves[s] < c->cnt[s];
}

/* Marks scope s and its ancestors (none for the root scope). */
static void mark_path(const fold_ctx *c, uint8_t *mark, uint32_t s)
{
    for (uint32_t d = c->depth[s]; d > 0; d--, s = mg_scope_parent(c->g, s))
        mark[s] = 1;
}

/* The scope whose path is path, or UINT32_MAX. */
static uint32_t scope_named(const fold_ctx *c, const char *path)
{
    char buf[1024];
    for (uint32_t s = 0; s < c->nscopes; s++) {
        mg_scope_path(c->g, s, buf, sizeof buf);
        if (strcmp(buf, path) == 0)
            return s;
    }
    return UINT32_MAX;
}

/* Marks scopes at or under unfold_scope, and the scopes that join no group. */
static mg_code mark_scopes(fold_ctx *c, mg_error *err)
{
    const mg_viz_options *o = c->o;
    uint32_t target = UINT32_MAX, open = UINT32_MAX;
    if (o->unfold_scope && (target = scope_named(c, o->unfold_scope)) == UINT32_MAX)
        return mg_error_set(err, MG_EINVAL, "no scope named \"%s\" to unfold", o->unfold_scope);
    if (o->open_member && (open = scope_named(c, o->open_member)) == UINT32_MAX)
        return mg_error_set(err, MG_EINVAL, "no scope named \"%s\" to open", o->open_member);
    for (uint32_t s = 0; s < c->nscopes; s++) {
        uint32_t p = mg_scope_parent(c->g, s);
        c->unfolded[s] = s == target || (p < s && c->unfolded[p]);
    }
    if (target != UINT32_MAX)
        mark_path(c, c->opened, target);
    if (open != UINT32_MAX)
        mark_path(c, c->opened, open);
    mark_path(c, c->opened, c->home[c->root->id]);
    if (o->focus && o->focus_id < c->n)
        mark_path(c, c->opened, c->home[o->focus_id]);
    return MG_OK;
}

static void fold_ctx_free(fold_ctx *c)
{
    free(c->depth);
    free(c->anc);
    free(c->unit);
    free(c->cnt);
    free(c->leaves);
    free(c->unfolded);
    free(c->opened);
    free(c->boxed);
    free(c->order);
    free(c->home);
    viz_groups_free(&c->groups);
}

static mg_code fold_ctx_init(fold_ctx *c, const mg_value *root, const mg_viz_options *o,
                             const uint8_t *in, size_t n, mg_error *err)
{
    memset(c, 0, sizeof *c);
    c->g = root->graph;
    c->root = root;
    c->o = o;
    c->in = in;
    c->n = n;
    c->nscopes = mg_scope_count(c->g);
    if (c->nscopes == 0)
        c->nscopes = 1;
    c->depth = calloc(c->nscopes, sizeof *c->depth);
    c->anc = calloc(c->nscopes, sizeof *c->anc);
    c->unit = calloc(c->nscopes, sizeof *c->unit);
    c->cnt = calloc(c->nscopes, sizeof *c->cnt);
    c->leaves = calloc(c->nscopes, sizeof *c->leaves);
    c->unfolded = calloc(c->nscopes, sizeof *c->unfolded);
    c->opened = calloc(c->nscopes, sizeof *c->opened);
    c->boxed = calloc(c->nscopes, sizeof *c->boxed);
    c->order = calloc(c->nscopes, sizeof *c->order);
    c->home = malloc((n ? n : 1) * sizeof *c->home);
    if (!c->depth || !c->anc || !c->unit || !c->cnt || !c->leaves || !c->unfolded ||
        !c->opened || !c->boxed || !c->order || !c->home) {
        fold_ctx_free(c);
        return mg_error_set(err, MG_ENOMEM, "out of memory planning folds");
    }
    for (uint32_t s = 0; s < c->nscopes; s++) {
        c->unit[s] = VIZ_NO_GROUP;
        c->depth[s] = mg_scope_depth(c->g, s);
        if (c->depth[s] > c->maxdepth)
            c->maxdepth = c->depth[s];
    }
    mg_code rc = mg_inspect_homes(root, in, c->home, err);
    if (rc == MG_OK)
        rc = mark_scopes(c, err);
    if (rc != MG_OK)
        fold_ctx_free(c);
    return rc;
}

/* True for a selected node that folding may put in a box. */
static int foldable(const fold_ctx *c, const mg_value *v)
{
    if (v == c->root || (c->o->focus && v->id == c->o->focus_id))
        return 0;
    return !c->unfolded[c->home[v->id]];
}

/* True for a leaf that coarse folding may box apart: not a constant. */
static int is_apart(const mg_value *v)
{
    return mg_is_leaf(v) && !(v->flags & MG_FLAG_CONST);
}

/* Counts node v into box b. */
static void count_in(mg_viz_box *b, const mg_value *v)
{
    b->nodes++;
    b->op_count[v->op < MG_OP_COUNT ? v->op : 0]++;
    const mg_tensor *t = v->op == MG_OP_TENSOR ? mg_tensor_of(v) : NULL;
    if (t && t->op < MG_T_COUNT)
        b->tensor_op_count[t->op]++;
    if (mg_is_leaf(v)) {
        b->params += (v->flags & MG_FLAG_PARAM) != 0;
        b->consts += (v->flags & MG_FLAG_CONST) != 0;
    }
}

/* Where assign() keeps its boxes: by scope, by scope's leaves, by group. */
typedef struct box_index {
    uint32_t *of_scope, *of_leaves, *of_group;
} box_index;

/* The box at *slot, appended to the plan first if there is none yet. */
static uint32_t box_at(mg_viz_fold_plan *plan, uint32_t *slot, uint32_t scope, bool leaves,
                       uint32_t nmembers)
{
    if (*slot == UINT32_MAX) {
        *slot = (uint32_t)plan->nboxes;
        mg_viz_box *b = &plan->boxes[plan->nboxes++];
        memset(b, 0, sizeof *b);
        b->scope = scope;
        b->leaves = leaves;
        b->nmembers = nmembers;
    }
    return *slot;
}

/* The box node v (living in scope s) goes to at depth d. */
static uint32_t box_for(fold_ctx *c, box_index *ix, uint32_t d,
                        mg_viz_fold_plan *plan, const mg_value *v, uint32_t s)
{
    uint32_t gid = c->unit[s];
    if (gid != VIZ_NO_GROUP) {
        const viz_groups *gr = &c->groups;
        return box_at(plan, &ix->of_group[gid], gr->members[gr->start[gid]], false,
                      gr->start[gid + 1] - gr->start[gid]);
    }
    if (is_apart(v) && splits(c, d, s))
        return box_at(plan, &ix->of_leaves[c->anc[s]], c->anc[s], true, 1);
    return box_at(plan, &ix->of_scope[c->anc[s]], c->anc[s], false, 1);
}

/* Fills plan->node_box and the boxes for depth d and the boxed scopes (no
 * folding at all when fold is 0). */
static mg_code assign(fold_ctx *c, int fold, uint32_t d, mg_viz_fold_plan *plan,
                      mg_error *err)
{
    size_t nslots = 2 * (size_t)c->nscopes + c->groups.n;
    uint32_t *slots = malloc(nslots * sizeof *slots);
    free(plan->boxes);
    plan->boxes = malloc(nslots * sizeof *plan->boxes);
    if (!slots || !plan->boxes) {
        free(slots);
        return mg_error_set(err, MG_ENOMEM, "out of memory planning folds");
    }
    memset(slots, 0xff, nslots * sizeof *slots);
    box_index ix = {slots, slots + c->nscopes, slots + 2 * c->nscopes};
    plan->nboxes = plan->drawn = plan->folded = 0;
    if (fold)
        set_ancestors(c, d);
    for (size_t id = 0; id < plan->nnodes; id++) {
        const mg_value *v = mg_graph_node(c->g, (uint32_t)id);
        uint32_t s = c->home[id];
        if (!c->in[id]) {
            plan->node_box[id] = MG_VIZ_NODE_ABSENT;
        } else if (!fold || !foldable(c, v) ||
                   (c->unit[s] == VIZ_NO_GROUP && c->depth[s] < d && !c->boxed[s])) {
            plan->node_box[id] = MG_VIZ_NODE_DRAWN;
            plan->drawn++;
        } else {
            uint32_t b = box_for(c, &ix, d, plan, v, s);
            plan->node_box[id] = b;
            count_in(&plan->boxes[b], v);
            plan->folded++;
        }
    }
    plan->depth = fold ? d : 0;
    free(slots);
    return MG_OK;
}

static int by_count_desc(const void *pa, const void *pb)
{
    const scope_count *a = pa, *b = pb;
    if (a->cnt != b->cnt)
        return a->cnt < b->cnt ? 1 : -1;
    return (a->scope > b->scope) - (a->scope < b->scope);
}

/* At depth d, boxes the shallow scopes that would draw more nodes one by one
 * than a reader takes in (a chain of 100 "+" summing a batch teaches less
 * than a box saying so), then those holding most until the picture fits
 * budget; returns whether it does. Each trial is a full assignment, so the
 * count is exactly what would be drawn. */
static mg_code fit_at(fold_ctx *c, uint32_t d, size_t budget, mg_viz_fold_plan *plan,
                      int *fits, mg_error *err)
{
    memset(c->boxed, 0, c->nscopes);
    mg_code rc = assign(c, 1, d, plan, err);
    if (rc != MG_OK)
        return rc;
    size_t items = plan->nboxes + plan->drawn, n = 0, boxed = 0;
    for (uint32_t s = 0; s < c->nscopes; s++) /* unit[] is set for d by assign() */
        if (c->depth[s] < d && c->unit[s] == VIZ_NO_GROUP && c->cnt[s] > 2)
            c->order[n++] = (scope_count){c->cnt[s], s};
    qsort(c->order, n, sizeof *c->order, by_count_desc);
    for (size_t k = 0; k < n && (items > budget || c->order[k].cnt > VIZ_READABLE_BOXES); k++) {
        uint32_t s = c->order[k].scope;
        c->boxed[s] = 1;
        items -= c->cnt[s] - 1 - (size_t)splits(c, d, s);
        boxed++;
    }
    if (boxed > 0 && items <= budget)
        rc = assign(c, 1, d, plan, err);
    *fits = rc == MG_OK && plan->nboxes + plan->drawn <= budget;
    return rc;
}

/* Picks the depth (and boxed shallow scopes): the most detailed folding
 * within budget. */
static mg_code choose(fold_ctx *c, size_t budget, mg_viz_fold_plan *plan, uint32_t *d,
                      mg_error *err)
{
    int fits = 0;
    for (uint32_t t = c->maxdepth > 0 ? c->maxdepth + 1 : 2; t-- > 0;) {
        mg_code rc = fit_at(c, t, budget, plan, &fits, err);
        if (rc != MG_OK || fits) {
            *d = t;
            return rc;
        }
    }
    /* nothing fits: every shallow scope boxed, fewest useful boxes */
    *d = c->maxdepth >= 1 ? 1 : 0;
    memset(c->boxed, 1, c->nscopes);
    return MG_OK;
}

/* Fills cnt and leaves per scope and the subtree signatures, and finds the
 * groups. */
static mg_code count_foldable(fold_ctx *c, mg_error *err)
{
    size_t *sig = calloc((size_t)c->nscopes * SIGW, sizeof *sig);
    if (!sig)
        return mg_error_set(err, MG_ENOMEM, "out of memory planning folds");
    for (size_t id = 0; id < c->n; id++) {
        const mg_value *v = mg_graph_node(c->g, (uint32_t)id);
        if (!c->in[id] || !foldable(c, v))
            continue;
        uint32_t s = c->home[id];
        size_t *row = sig + (size_t)s * SIGW;
        c->cnt[s]++;
        c->leaves[s] += is_apart(v);
        row[0]++;
        row[1 + (v->op < MG_OP_COUNT ? v->op : 0)]++;
        if (mg_is_leaf(v)) {
            row[1 + MG_OP_COUNT] += (v->flags & MG_FLAG_PARAM) != 0;
            row[2 + MG_OP_COUNT] += (v->flags & MG_FLAG_CONST) != 0;
        }
        const mg_tensor *t = v->op == MG_OP_TENSOR ? mg_tensor_of(v) : NULL;
        if (t && t->op < MG_T_COUNT) /* a matmul block and a softmax one are not alike */
            row[3 + MG_OP_COUNT + t->op]++;
    }
    for (uint32_t s = c->nscopes; s-- > 1;) { /* subtree sums, children first */
        uint32_t p = mg_scope_parent(c->g, s);
        for (size_t k = 0; p < s && k < SIGW; k++)
            sig[(size_t)p * SIGW + k] += sig[(size_t)s * SIGW + k];
    }
    mg_code rc = viz_groups_find(c->g, c->nscopes, sig, SIGW, c->opened, c->home, c->in,
                                 c->n, &c->groups, err);
    free(sig);
    return rc;
}

/* The budget in force. By default a graph without scopes is not folded while
 * dot can still lay it out: its only box would be the whole top level, which
 * shows less than the nodes themselves. An explicit budget always holds. */
static size_t fold_budget_of(const fold_ctx *c, size_t count)
{
    if (c->o->fold_budget != 0)
        return c->o->fold_budget;
    size_t scoped = 0;
    for (uint32_t s = 1; s < c->nscopes; s++)
        scoped += c->cnt[s];
    if (scoped == 0 && 2 * count <= MG_VIZ_MAX_LAYOUT_NODES)
        return SIZE_MAX;
    return MG_VIZ_FOLD_BUDGET;
}

/* A box's sort key: its path, then leaves before the rest. */
typedef struct box_key {
    char path[512];
    uint32_t index;
    bool leaves;
} box_key;

static int box_key_cmp(const void *pa, const void *pb)
{
    const box_key *x = pa, *y = pb;
    int c = mg_viz_natural_cmp(x->path, y->path);
    return c ? c : (int)y->leaves - (int)x->leaves;
}

/* Puts the boxes in natural order of path (neuron2 before neuron10), lists
 * their members and keeps each node's home. */
static mg_code finish(fold_ctx *c, mg_viz_fold_plan *plan, mg_error *err)
{
    size_t nb = plan->nboxes, nmembers = 0;
    for (size_t b = 0; b < nb; b++)
        nmembers += plan->boxes[b].nmembers;
    box_key *keys = malloc((nb ? nb : 1) * sizeof *keys);
    uint32_t *rank = malloc((nb ? nb : 1) * sizeof *rank);
    mg_viz_box *sorted = malloc((nb ? nb : 1) * sizeof *sorted);
    plan->member_ids = malloc((nmembers ? nmembers : 1) * sizeof *plan->member_ids);
    if (!keys || !rank || !sorted || !plan->member_ids) {
        free(keys), free(rank), free(sorted);
        return mg_error_set(err, MG_ENOMEM, "out of memory planning folds");
    }
    for (size_t b = 0; b < nb; b++) {
        mg_scope_path(c->g, plan->boxes[b].scope, keys[b].path, sizeof keys[b].path);
        keys[b].index = (uint32_t)b;
        keys[b].leaves = plan->boxes[b].leaves;
    }
    qsort(keys, nb, sizeof *keys, box_key_cmp);
    size_t used = 0;
    for (size_t r = 0; r < nb; r++) {
        mg_viz_box *box = &sorted[r];
        *box = plan->boxes[keys[r].index];
        rank[keys[r].index] = (uint32_t)r;
        box->members = plan->member_ids + used;
        if (box->nmembers > 1) {
            uint32_t gid = c->groups.of[box->scope];
            memcpy(plan->member_ids + used, c->groups.members + c->groups.start[gid],
                   box->nmembers * sizeof *plan->member_ids);
        } else {
            plan->member_ids[used] = box->scope;
        }
        used += box->nmembers;
    }
    for (size_t id = 0; id < plan->nnodes; id++)
        if (plan->node_box[id] < nb)
            plan->node_box[id] = rank[plan->node_box[id]];
    free(plan->boxes);
    plan->boxes = sorted;
    memcpy(plan->home, c->home, plan->nnodes * sizeof *plan->home);
    free(keys);
    free(rank);
    return MG_OK;
}

mg_code viz_fold(mg_value *root, const mg_viz_options *o, const uint8_t *in,
                 size_t count, mg_viz_fold_plan *plan, mg_error *err)
{
    fold_ctx c;
    mg_code rc = fold_ctx_init(&c, root, o, in, plan->nnodes, err);
    if (rc != MG_OK)
        return rc;
    plan->total = count;
    rc = count_foldable(&c, err);
    size_t budget = fold_budget_of(&c, count);
    int fold = count > budget;
    uint32_t d = 0;
    if (rc == MG_OK && fold)
        rc = choose(&c, budget, plan, &d, err);
    if (rc == MG_OK)
        rc = assign(&c, fold, d, plan, err);
    if (rc == MG_OK)
        rc = finish(&c, plan, err);
    fold_ctx_free(&c);
    return rc;
}

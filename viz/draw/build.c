/* build.c — turning a fold plan into cgraph nodes and edges.
 *
 * Names (and SVG ids) follow the shared convention: value "n<ID>", its op
 * "op<ID>", a folded scope "fold<SCOPEID>" (its leaves apart:
 * "fold<SCOPEID>_leaves"); an edge is "e<FROM>_<TO>" where an end is a value
 * id or a box's name, and the edge from an op to its value
 * is "eop<ID>". The edge from a parent into a value's op node carries the
 * parent -> value id, since it stands for that graph edge. Parallel graph
 * edges become one picture edge whose xlabel says how many it stands for
 * (no label: one). */
#include <stdio.h>
#include <stdlib.h>

#include "viz_internal.h"

/* Endpoint keys for the edge tally: a value id, or a box index tagged. */
#define BOX_TAG (1ull << 32)

typedef struct builder {
    Agraph_t *g;
    const viz_attrs *at;
    const mg_viz_options *o;
    const mg_viz_fold_plan *plan;
    const mg_graph *mg;
    const char *prefix;
    bool grads;        /* edges labelled with the chain rule */
    Agnode_t **value;  /* per node id: its value box, or NULL */
    Agnode_t **target; /* per node id: where its parents' edges go */
    Agnode_t **box;    /* per box index */
} builder;

static Agnode_t *new_node(builder *b, const char *kind, uint32_t num)
{
    char name[48];
    snprintf(name, sizeof name, "%s%s%u", b->prefix, kind, num);
    Agnode_t *n = agnode(b->g, name, 1);
    if (n)
        viz_set(n, b->at->id, name);
    return n;
}

static Agedge_t *new_edge(builder *b, Agnode_t *t, Agnode_t *h, const char *id)
{
    Agedge_t *e = agedge(b->g, t, h, NULL, 1);
    if (e)
        viz_set(e, b->at->eid, id);
    return e;
}

/* The op ellipse feeding computed value v, and its edge into v's box. */
static Agnode_t *add_op(builder *b, const mg_value *v, Agnode_t *value)
{
    char text[64], id[48];
    Agnode_t *op = new_node(b, "op", v->id);
    if (!op)
        return NULL;
    mg_value_op_label(v, text, sizeof text);
    viz_set(op, b->at->label, text);
    viz_set(op, b->at->shape, "ellipse");
    viz_set(op, b->at->klass, "op");
    viz_set(op, b->at->fillcolor, "#f3f3f3");
    viz_set(op, b->at->fontsize, "10");
    snprintf(id, sizeof id, "%seop%u", b->prefix, v->id);
    return new_edge(b, op, value, id) ? op : NULL;
}

/* Sets value node n's label (named name) from v's current data and grad. */
static mg_code label_value(Agraph_t *g, Agnode_t *n, const viz_attrs *at, const mg_value *v,
                           const mg_viz_options *o, const char *name, mg_error *err)
{
    if (v->flags & MG_FLAG_TENSOR)
        return viz_tensor_label(g, n, at, v, o, name, err);
    mg_buf text = {0};
    mg_code rc = viz_value_label(v, o, &text, err);
    if (rc == MG_OK)
        viz_set(n, at->label, text.p);
    mg_buf_free(&text);
    return rc;
}

static mg_code add_value(builder *b, const mg_value *v, const mg_value *root, mg_error *err)
{
    Agnode_t *n = new_node(b, "n", v->id);
    if (!n)
        return mg_error_set(err, MG_ERENDER, "Graphviz refused node %u", v->id);
    mg_code rc = label_value(b->g, n, b->at, v, b->o, agnameof(n), err);
    if (rc != MG_OK)
        return rc;
    viz_style_value(n, b->at, v, v == root);
    b->value[v->id] = b->target[v->id] = n;
    if (!mg_is_leaf(v) && !b->o->hide_op_nodes)
        b->target[v->id] = add_op(b, v, n);
    return b->target[v->id] ? MG_OK
                            : mg_error_set(err, MG_ERENDER, "Graphviz refused node %u", v->id);
}

/* A box's name without prefix: "fold<SCOPEID>", "fold<SCOPEID>_leaves" or
 * "group<FIRSTMEMBERID>". */
static void box_bare_name(const mg_viz_box *box, char *buf, size_t n)
{
    snprintf(buf, n, "%s%u%s", box->nmembers > 1 ? "group" : "fold", box->scope,
             box->leaves ? "_leaves" : "");
}

static void box_name(const builder *b, const mg_viz_box *box, char *buf, size_t n)
{
    char bare[40];
    box_bare_name(box, bare, sizeof bare);
    snprintf(buf, n, "%s%s", b->prefix, bare);
}

/* Sets box node n's label, class and marks from its current values. */
static mg_code label_box(Agraph_t *g, Agnode_t *n, const viz_attrs *at, const mg_graph *mg,
                         const mg_viz_box *box, const viz_box_values *bv,
                         const mg_viz_options *o, mg_error *err)
{
    mg_buf text = {0};
    viz_box_html(&text, mg, box, bv, o);
    if (text.failed || !text.p) {
        mg_buf_free(&text);
        return mg_error_set(err, MG_ENOMEM, "out of memory labelling a folded box");
    }
    char *html = agstrdup_html(agroot(g), text.p);
    viz_set(n, at->label, html);
    agstrfree(agroot(g), html);
    mg_buf_free(&text);
    char klass[48];
    snprintf(klass, sizeof klass, "fold%s%s%s", box->nmembers > 1 ? " group" : "",
             box->leaves ? " leaves" : "", bv->nonfinite ? " nonfinite" : "");
    viz_set(n, at->klass, klass);
    viz_set(n, at->style, "rounded,filled");
    viz_set(n, at->color, "black");
    viz_set(n, at->penwidth, box->nmembers > 1 ? "2" : "1");
    viz_mark_nonfinite(n, at, bv->nonfinite > 0);
    return MG_OK;
}

static mg_code add_box(builder *b, size_t i, const viz_box_values *bv, mg_error *err)
{
    const mg_viz_box *box = &b->plan->boxes[i];
    char name[48];
    box_name(b, box, name, sizeof name);
    Agnode_t *n = agnode(b->g, name, 1);
    if (!n)
        return mg_error_set(err, MG_ERENDER, "Graphviz refused box %zu", i);
    viz_set(n, b->at->id, name);
    viz_set(n, b->at->shape, "box");
    /* a group is a stack of alike boxes: a deeper fill says "many" */
    viz_set(n, b->at->fillcolor, box->nmembers > 1 ? "#d2c2ff" : "#e6dcff");
    b->box[i] = n;
    return label_box(b->g, n, b->at, b->mg, box, &bv[i], b->o, err);
}

static uint64_t key_of(const builder *b, uint32_t id)
{
    uint32_t box = b->plan->node_box[id];
    return box == MG_VIZ_NODE_DRAWN ? id : (BOX_TAG | box);
}

/* Counts every graph edge between picture endpoints (edges inside a box
 * vanish into it, edges leaving the picture are not drawn). */
static mg_code tally_edges(const builder *b, viz_tally *t)
{
    for (size_t id = 0; id < b->plan->nnodes; id++) {
        if (b->plan->node_box[id] == MG_VIZ_NODE_ABSENT)
            continue;
        mg_edge es[MG_MAX_OPERANDS];
        int np = mg_node_edges(mg_graph_node(b->mg, (uint32_t)id), es);
        for (int i = 0; i < np; i++) {
            if (b->plan->node_box[es[i].from->id] == MG_VIZ_NODE_ABSENT)
                continue;
            uint64_t from = key_of(b, es[i].from->id), to = key_of(b, (uint32_t)id);
            if (from == to && from >= BOX_TAG)
                continue;
            if (viz_tally_add(t, from, to, &es[i]) != MG_OK)
                return MG_ENOMEM;
        }
    }
    return MG_OK;
}

/* An edge end as its id names it: "<ID>" or a box's name. */
static void end_name(const builder *b, uint64_t key, char *buf, size_t n)
{
    if (key >= BOX_TAG)
        box_bare_name(&b->plan->boxes[key - BOX_TAG], buf, n);
    else
        snprintf(buf, n, "%u", (uint32_t)key);
}

/* Labels picture edge e: with the chain rule when b->grads says so and it
 * has one, else with how many graph edges it stands for (x*x, boxes). */
static mg_code label_edge(const builder *b, Agedge_t *edge, const viz_edge *e, mg_error *err)
{
    mg_buf text = {0};
    if (b->grads)
        viz_edge_grad_label(&text, e, e->from < BOX_TAG, b->o->precision);
    if (text.failed) {
        mg_buf_free(&text);
        return mg_error_set(err, MG_ENOMEM, "out of memory labelling an edge");
    }
    char count[32] = "";
    if (!text.p && e->count > 1)
        snprintf(count, sizeof count, "%zu", e->count);
    viz_set(edge, b->at->elabel, count);
    /* a label (not an xlabel) so that dot makes room for it */
    viz_set(edge, b->at->etext, text.p ? text.p : "");
    viz_set(edge, b->at->eclass, text.p ? "grad" : "");
    viz_set(edge, b->at->efont, text.p ? VIZ_EDGE_GRAD_COLOUR : "black");
    mg_buf_free(&text);
    return MG_OK;
}

static mg_code add_edge(builder *b, const viz_edge *e, mg_error *err)
{
    char from[40], to[40], id[96];
    Agnode_t *t = e->from >= BOX_TAG ? b->box[e->from - BOX_TAG] : b->value[e->from];
    Agnode_t *h = e->to >= BOX_TAG ? b->box[e->to - BOX_TAG] : b->target[e->to];
    end_name(b, e->from, from, sizeof from);
    end_name(b, e->to, to, sizeof to);
    snprintf(id, sizeof id, "%se%s_%s", b->prefix, from, to);
    Agedge_t *edge = new_edge(b, t, h, id);
    if (!edge)
        return mg_error_set(err, MG_ERENDER, "Graphviz refused an edge");
    return label_edge(b, edge, e, err);
}

static mg_code add_all(builder *b, mg_value *root, mg_error *err)
{
    for (size_t id = 0; id < b->plan->nnodes; id++) {
        mg_code rc = b->plan->node_box[id] != MG_VIZ_NODE_DRAWN
                         ? MG_OK
                         : add_value(b, mg_graph_node(b->mg, (uint32_t)id), root, err);
        if (rc != MG_OK)
            return rc;
    }
    viz_box_values *bv = NULL;
    mg_code rc = viz_box_values_make(root, b->plan, &bv, err);
    for (size_t i = 0; rc == MG_OK && i < b->plan->nboxes; i++)
        rc = add_box(b, i, bv, err);
    viz_box_values_free(bv);
    if (rc != MG_OK)
        return rc;
    viz_tally t = {0};
    rc = tally_edges(b, &t);
    if (rc != MG_OK)
        mg_error_set(err, rc, "out of memory counting edges");
    for (size_t i = 0; rc == MG_OK && i < t.n; i++)
        rc = add_edge(b, &t.edges[i], err);
    viz_tally_free(&t);
    return rc;
}

mg_code viz_build(Agraph_t *g, const viz_attrs *at, mg_value *root,
                  const mg_viz_options *o, const mg_viz_fold_plan *plan,
                  const char *prefix, bool grads, mg_error *err)
{
    builder b = {g, at, o, plan, root->graph, prefix, grads, NULL, NULL, NULL};
    b.value = calloc(plan->nnodes + 1, sizeof *b.value);
    b.target = calloc(plan->nnodes + 1, sizeof *b.target);
    b.box = calloc(plan->nboxes + 1, sizeof *b.box);
    mg_code rc = b.value && b.target && b.box
                     ? add_all(&b, root, err)
                     : mg_error_set(err, MG_ENOMEM, "out of memory drawing");
    free(b.value);
    free(b.target);
    free(b.box);
    return rc;
}

/* Relabels plan's folded boxes in g (named with prefix) from current values. */
static mg_code relabel_boxes(Agraph_t *g, const viz_attrs *at, mg_value *root,
                             const mg_viz_options *o, const mg_viz_fold_plan *plan,
                             const char *prefix, mg_error *err)
{
    viz_box_values *bv = NULL;
    mg_code rc = viz_box_values_make(root, plan, &bv, err);
    builder b = {g, at, o, plan, root->graph, prefix, false, NULL, NULL, NULL};
    for (size_t i = 0; rc == MG_OK && i < plan->nboxes; i++) {
        char name[48];
        box_name(&b, &plan->boxes[i], name, sizeof name);
        Agnode_t *n = agnode(g, name, 0);
        if (n)
            rc = label_box(g, n, at, root->graph, &plan->boxes[i], &bv[i], o, err);
    }
    viz_box_values_free(bv);
    return rc;
}

mg_code viz_relabel(Agraph_t *g, const viz_attrs *at, mg_value *root,
                    const mg_viz_options *o, const mg_viz_fold_plan *plan,
                    const char *prefix, mg_error *err)
{
    char name[48];
    mg_code rc = relabel_boxes(g, at, root, o, plan, prefix, err);
    for (size_t id = 0; rc == MG_OK && id < plan->nnodes; id++) {
        if (plan->node_box[id] != MG_VIZ_NODE_DRAWN)
            continue;
        snprintf(name, sizeof name, "%sn%zu", prefix, id);
        Agnode_t *n = agnode(g, name, 0);
        const mg_value *v = mg_graph_node(root->graph, (uint32_t)id);
        if (n)
            rc = label_value(g, n, at, v, o, name, err);
        if (n && rc == MG_OK) /* a NaN grad appears after backward */
            viz_style_value(n, at, v, v == root);
    }
    return rc;
}

/* The picture node an edge end names: a box, a value, or (as a head) the op
 * node feeding the value. */
static Agnode_t *find_end(const builder *b, uint64_t key, bool head)
{
    char name[64];
    if (key >= BOX_TAG) {
        box_name(b, &b->plan->boxes[key - BOX_TAG], name, sizeof name);
    } else {
        const mg_value *v = mg_graph_node(b->mg, (uint32_t)key);
        bool op = head && !mg_is_leaf(v) && !b->o->hide_op_nodes;
        snprintf(name, sizeof name, "%s%s%u", b->prefix, op ? "op" : "n", (uint32_t)key);
    }
    return agnode(b->g, name, 0);
}

mg_code viz_relabel_edges(Agraph_t *g, const viz_attrs *at, mg_value *root,
                          const mg_viz_options *o, const mg_viz_fold_plan *plan,
                          const char *prefix, mg_error *err)
{
    builder b = {g, at, o, plan, root->graph, prefix, true, NULL, NULL, NULL};
    viz_tally t = {0};
    mg_code rc = tally_edges(&b, &t);
    if (rc != MG_OK)
        mg_error_set(err, rc, "out of memory counting edges");
    for (size_t i = 0; rc == MG_OK && i < t.n; i++) {
        Agnode_t *tail = find_end(&b, t.edges[i].from, false);
        Agnode_t *head = find_end(&b, t.edges[i].to, true);
        Agedge_t *e = tail && head ? agedge(g, tail, head, NULL, 0) : NULL;
        if (e)
            rc = label_edge(&b, e, &t.edges[i], err);
    }
    viz_tally_free(&t);
    return rc;
}

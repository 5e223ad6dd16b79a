/* test_viz.c — drawing graphs: DOT structure, PNG and SVG output, folding
 * counts, focus, before/after backward and the error paths. DOT output is read
 * back with cgraph and checked against the graph itself, not against text. */
#include <check.h>
#include <dirent.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_viz_util.h"
#include "mg_loss.h"
#include "mg_nn.h"
#include "mg_tensor.h"
#include "mg_viz.h"

/* micrograd's README neuron: o = tanh(x1*w1 + x2*w2 + b). */
typedef struct neuron {
    mg_graph *g;
    mg_value *x1, *x2, *w1, *w2, *b, *x1w1, *x2w2, *sum, *n, *o;
} neuron;

static neuron make_neuron(void)
{
    neuron t;
    t.g = mg_graph_new();
    t.x1 = mg_label(mg_input(t.g, 2.0), "x1");
    t.x2 = mg_label(mg_input(t.g, 0.0), "x2");
    t.w1 = mg_label(mg_param(t.g, -3.0), "w1");
    t.w2 = mg_label(mg_param(t.g, 1.0), "w2");
    t.b = mg_label(mg_param(t.g, 6.8813735870195432), "b");
    t.x1w1 = mg_label(mg_mul(t.x1, t.w1), "x1*w1");
    t.x2w2 = mg_label(mg_mul(t.x2, t.w2), "x2*w2");
    t.sum = mg_add(t.x1w1, t.x2w2);
    t.n = mg_label(mg_add(t.sum, t.b), "n");
    t.o = mg_label(mg_tanh(t.n), "o");
    ck_assert_ptr_null(mg_graph_error(t.g));
    return t;
}

static Agnode_t *node_named(Agraph_t *g, const char *fmt, unsigned id)
{
    char name[32];
    snprintf(name, sizeof name, fmt, id);
    return agnode(g, name, 0);
}

static int has_edge(Agraph_t *g, Agnode_t *t, Agnode_t *h)
{
    return t && h && agedge(g, t, h, NULL, 0) != NULL;
}

/* "data <x> | grad <y>" as the label should show them at 4 digits. */
static void expect_values(Agnode_t *n, const mg_value *v)
{
    char want[96];
    ck_assert_ptr_nonnull(n);
    snprintf(want, sizeof want, "data %.4g | grad %.4g", v->data, v->grad);
    ck_assert_msg(strstr(viz_attr(n, "label"), want), "label \"%s\" lacks \"%s\"",
                  viz_attr(n, "label"), want);
}

START_TEST(test_dot_structure_with_op_nodes)
{
    neuron t = make_neuron();
    mg_backward(t.o);
    Agraph_t *g = viz_dot(t.o, NULL);
    /* 10 values, 5 of them computed, each with its op node */
    ck_assert_int_eq(agnnodes(g), 15);
    /* 9 parent edges into op nodes + 5 op -> value edges */
    ck_assert_int_eq(agnedges(g), 14);
    mg_value *all[] = {t.x1, t.x2, t.w1, t.w2, t.b, t.x1w1, t.x2w2, t.sum, t.n, t.o};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        expect_values(node_named(g, "n%u", all[i]->id), all[i]);
    Agnode_t *x1 = node_named(g, "n%u", t.x1->id);
    ck_assert_ptr_nonnull(strstr(viz_attr(x1, "label"), "x1"));
    ck_assert_str_eq(viz_attr(x1, "shape"), "record");
    ck_assert_str_eq(viz_attr(g, "rankdir"), "LR");
    Agnode_t *mul = node_named(g, "op%u", t.x1w1->id);
    ck_assert_str_eq(viz_attr(mul, "label"), "*");
    ck_assert_str_eq(viz_attr(node_named(g, "op%u", t.o->id), "label"), "tanh");
    ck_assert(has_edge(g, x1, mul));
    ck_assert(has_edge(g, node_named(g, "n%u", t.w1->id), mul));
    ck_assert(has_edge(g, mul, node_named(g, "n%u", t.x1w1->id)));
    ck_assert_ptr_null(node_named(g, "op%u", t.x1->id)); /* leaves have none */
    agclose(g);
    mg_graph_free(t.g);
}
END_TEST

START_TEST(test_dot_without_op_nodes_and_with_ids)
{
    neuron t = make_neuron();
    mg_viz_options o = {.hide_op_nodes = true, .show_ids = true, .rankdir = "TB"};
    Agraph_t *g = viz_dot(t.o, &o);
    ck_assert_int_eq(agnnodes(g), 10);
    ck_assert_int_eq(agnedges(g), 9);
    ck_assert(has_edge(g, node_named(g, "n%u", t.x1->id), node_named(g, "n%u", t.x1w1->id)));
    ck_assert(has_edge(g, node_named(g, "n%u", t.n->id), node_named(g, "n%u", t.o->id)));
    char want[16];
    snprintf(want, sizeof want, "#%u", t.w2->id);
    ck_assert_ptr_nonnull(strstr(viz_attr(node_named(g, "n%u", t.w2->id), "label"), want));
    ck_assert_str_eq(viz_attr(g, "rankdir"), "TB");
    agclose(g);
    mg_graph_free(t.g);
}
END_TEST

START_TEST(test_kinds_and_root_are_told_apart)
{
    mg_graph *mg = mg_graph_new();
    mg_value *x = mg_input(mg, 3.0), *w = mg_param(mg, 2.0);
    mg_value *y = mg_addc(mg_mul(mg_mul(x, x), w), 1.5); /* 1.5 becomes a const */
    Agraph_t *g = viz_dot(y, NULL);
    ck_assert_str_eq(viz_attr(node_named(g, "n%u", x->id), "class"), "value input");
    ck_assert_str_eq(viz_attr(node_named(g, "n%u", w->id), "class"), "value param");
    ck_assert_str_eq(viz_attr(node_named(g, "n%u", y->b->id), "class"), "value const");
    ck_assert_str_eq(viz_attr(node_named(g, "n%u", y->id), "class"), "value computed root");
    /* x*x: one picture edge saying it stands for two uses */
    Agedge_t *e = agedge(g, node_named(g, "n%u", x->id), node_named(g, "op%u", y->a->a->id), NULL, 0);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(viz_attr(e, "xlabel"), "2");
    /* the fill colours of the four kinds differ */
    const char *fills[] = {viz_attr(node_named(g, "n%u", x->id), "fillcolor"),
                           viz_attr(node_named(g, "n%u", w->id), "fillcolor"),
                           viz_attr(node_named(g, "n%u", y->b->id), "fillcolor"),
                           viz_attr(node_named(g, "n%u", y->id), "fillcolor")};
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++)
            ck_assert_str_ne(fills[i], fills[j]);
    agclose(g);
    mg_graph_free(mg);
}
END_TEST

START_TEST(test_labels_cannot_break_records)
{
    mg_graph *mg = mg_graph_new();
    mg_value *x = mg_label(mg_input(mg, 1.0), "a|b{c}<d>\"e\\");
    Agraph_t *g = viz_dot(mg_tanh(x), NULL);
    const char *label = viz_attr(node_named(g, "n%u", x->id), "label");
    ck_assert_ptr_nonnull(strstr(label, "a\\|b\\{c\\}\\<d\\>\"e\\\\"));
    agclose(g);
    mg_graph_free(mg);
}
END_TEST

/* A label longer than any fixed buffer (specials and all) keeps the record
 * whole in every format: it used to be cut, lose its closing brace and crash
 * Graphviz. The label's last characters survive into the picture. */
START_TEST(test_long_labels_keep_records_whole)
{
    char name[3001];
    for (int i = 0; i < 3000; i++)
        name[i] = "v{|}<>\\"[i % 7];
    memcpy(name + 2990, "THE_END_OK", 10);
    name[3000] = '\0';
    mg_graph *mg = mg_graph_new();
    mg_value *x = mg_label(mg_input(mg, 1.0), name);
    mg_value *y = mg_mul(x, mg_input(mg, 2.0));
    Agraph_t *g = viz_dot(y, NULL);
    const char *label = viz_attr(node_named(g, "n%u", x->id), "label");
    ck_assert_ptr_nonnull(strstr(label, "THE_END_OK | data 1 | grad 0 }"));
    agclose(g);
    const char *formats[] = {"svg", "png"};
    for (int i = 0; i < 2; i++) {
        size_t len;
        char *out = viz_render(y, formats[i], NULL, &len);
        ck_assert_uint_gt(len, 100);
        if (i == 0)
            ck_assert_ptr_nonnull(strstr(out, "THE_END_OK"));
        free(out);
    }
    mg_graph_free(mg);
}
END_TEST

START_TEST(test_png_decodes_at_sane_size)
{
    neuron t = make_neuron();
    size_t len;
    char *data = viz_render(t.o, "png", NULL, &len);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    ck_assert(png_image_begin_read_from_memory(&img, data, len));
    ck_assert_uint_gt(img.width, 200);
    ck_assert_uint_gt(img.height, 50);
    ck_assert_uint_le(img.width, 40 * 72);
    ck_assert_uint_le(img.height, 40 * 72);
    img.format = PNG_FORMAT_GRAY;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(img));
    ck_assert(png_image_finish_read(&img, NULL, px, 0, NULL));
    size_t dark = 0, n = (size_t)img.width * img.height;
    for (size_t i = 0; i < n; i++)
        dark += px[i] < 128;
    ck_assert_uint_gt(dark, n / 200); /* something was drawn on the white */
    ck_assert_uint_lt(dark, n / 2);
    free(px);
    free(data);
    mg_graph_free(t.g);
}
END_TEST

START_TEST(test_png_size_cap_applies)
{
    neuron t = make_neuron();
    mg_viz_options o = {.max_inches = 3, .dpi = 50};
    size_t len;
    char *data = viz_render(t.o, "png", &o, &len);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    ck_assert(png_image_begin_read_from_memory(&img, data, len));
    ck_assert_uint_le(img.width, 3 * 50 + 2);
    ck_assert_uint_le(img.height, 3 * 50 + 2);
    png_image_free(&img);
    free(data);
    mg_graph_free(t.g);
}
END_TEST

static int contains(const char *text, const char *fmt, unsigned id)
{
    char want[64];
    snprintf(want, sizeof want, fmt, id);
    return strstr(text, want) != NULL;
}

START_TEST(test_svg_carries_ids_and_classes)
{
    neuron t = make_neuron();
    char *svg = viz_render(t.o, "svg", NULL, NULL);
    ck_assert_ptr_nonnull(strstr(svg, "<svg"));
    for (uint32_t id = 0; id <= t.o->id; id++) {
        ck_assert_msg(contains(svg, "<g id=\"n%u\" class=\"node value ", id), "n%u", id);
        if (!mg_is_leaf(mg_graph_node(t.g, id)))
            ck_assert(contains(svg, "<g id=\"op%u\" class=\"node op\"", id));
    }
    ck_assert(contains(svg, "id=\"n%u\" class=\"node value computed root\"", t.o->id));
    ck_assert(contains(svg, "id=\"n%u\" class=\"node value param\"", t.w1->id));
    char edge[64];
    snprintf(edge, sizeof edge, "<g id=\"e%u_%u\" class=\"edge\"", t.x1->id, t.x1w1->id);
    ck_assert_ptr_nonnull(strstr(svg, edge));
    free(svg);
    mg_graph_free(t.g);
}
END_TEST

START_TEST(test_tensor_nodes_show_shapes)
{
    mg_graph *mg = mg_graph_new();
    int xs[] = {2, 3}, ws[] = {3, 1};
    mg_tensor *x = mg_tensor_input(mg, MG_F64, 2, xs);
    mg_tensor *w = mg_tensor_param(mg, MG_F64, 2, ws);
    mg_tensor_fill(x, 0.5);
    mg_tensor_fill(w, -2.0);
    mg_tensor *y = mg_tensor_sum(mg_tensor_tanh(mg_tensor_matmul(x, w)), MG_AXIS_ALL, 0);
    ck_assert_ptr_nonnull(y);
    ck_assert_int_eq(mg_tensor_backward(y), MG_OK);
    Agraph_t *g = viz_dot(y->node, NULL);
    Agnode_t *xn = node_named(g, "n%u", x->node->id);
    ck_assert_ptr_nonnull(strstr(viz_attr(xn, "label"), "f64[2,3]"));
    ck_assert_ptr_nonnull(strstr(viz_attr(xn, "label"), "data [0.5, 0.5, 0.5, "));
    ck_assert_ptr_nonnull(strstr(viz_attr(xn, "label"), "grad none"));
    ck_assert_str_eq(viz_attr(xn, "class"), "value input tensor");
    Agnode_t *wn = node_named(g, "n%u", w->node->id);
    ck_assert_str_eq(viz_attr(wn, "class"), "value param tensor");
    char want[64];
    snprintf(want, sizeof want, "grad [%.4g, ", mg_tensor_grad_at(w, 0));
    ck_assert_ptr_nonnull(strstr(viz_attr(wn, "label"), want));
    ck_assert_str_eq(viz_attr(node_named(g, "op%u", y->node->id), "label"),
                     mg_tensor_op_name(y));
    ck_assert_int_eq(agnnodes(g), 2 + 2 * 3); /* 2 leaves, 3 ops with op nodes */
    agclose(g);
    mg_graph_free(mg);
}
END_TEST

/* The nodes root depends on, found by an explicit depth-first search. */
static uint8_t *ancestors(mg_value *root, size_t *count)
{
    size_t n = mg_graph_count(root->graph);
    uint8_t *seen = calloc(n, 1);
    mg_value **stack = malloc(n * sizeof *stack);
    size_t top = 0;
    *count = 0;
    stack[top++] = root;
    while (top > 0) {
        mg_value *v = stack[--top];
        if (seen[v->id])
            continue;
        seen[v->id] = 1;
        ++*count;
        mg_value *ps[MG_MAX_OPERANDS];
        for (int i = 0, np = mg_node_operands(v, ps); i < np; i++)
            stack[top++] = ps[i];
    }
    free(stack);
    return seen;
}

/* Checks a plan's bookkeeping: per-node assignment agrees with box counts,
 * and boxes plus drawn nodes add up to every node in the picture. */
static void check_plan_sums(const mg_viz_fold_plan *p)
{
    size_t drawn = 0, in_boxes = 0, absent = 0;
    size_t *per_box = calloc(p->nboxes + 1, sizeof *per_box);
    for (size_t id = 0; id < p->nnodes; id++) {
        uint32_t b = p->node_box[id];
        if (b == MG_VIZ_NODE_DRAWN)
            drawn++;
        else if (b == MG_VIZ_NODE_ABSENT)
            absent++;
        else {
            ck_assert_uint_lt(b, p->nboxes);
            per_box[b]++;
            in_boxes++;
        }
    }
    for (size_t b = 0; b < p->nboxes; b++) {
        size_t ops = 0;
        for (int op = 0; op < MG_OP_COUNT; op++)
            ops += p->boxes[b].op_count[op];
        ck_assert_uint_eq(ops, p->boxes[b].nodes);
        ck_assert_uint_eq(per_box[b], p->boxes[b].nodes);
    }
    ck_assert_uint_eq(drawn, p->drawn);
    ck_assert_uint_eq(in_boxes, p->folded);
    ck_assert_uint_eq(p->drawn + p->folded, p->total);
    ck_assert_uint_eq(p->total + absent, p->nnodes);
    free(per_box);
}

START_TEST(test_fold_counts_add_up)
{
    mg_graph *g = mg_graph_new();
    mg_mlp *m;
    mg_value *loss = viz_batch_loss(g, &m, 20);
    size_t reachable;
    uint8_t *seen = ancestors(loss, &reachable);
    mg_viz_fold_plan p;
    mg_error err;
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, NULL, &p, &err), MG_OK);
    ck_assert_uint_gt(reachable, MG_VIZ_FOLD_BUDGET);
    ck_assert_uint_eq(p.total, reachable);
    ck_assert_uint_gt(p.nboxes, 0);
    ck_assert_uint_le(p.nboxes + p.drawn, MG_VIZ_FOLD_BUDGET);
    for (size_t id = 0; id < p.nnodes; id++)
        ck_assert_int_eq(p.node_box[id] != MG_VIZ_NODE_ABSENT, seen[id]);
    ck_assert_uint_eq(p.node_box[loss->id], MG_VIZ_NODE_DRAWN); /* root stays */
    check_plan_sums(&p);
    mg_viz_fold_plan_free(&p);
    ck_assert_ptr_null(p.boxes);

    /* a smaller budget folds coarser; SIZE_MAX never folds */
    mg_viz_options o = {.fold_budget = 30};
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, &o, &p, &err), MG_OK);
    ck_assert_uint_le(p.nboxes + p.drawn, 30);
    check_plan_sums(&p);
    mg_viz_fold_plan_free(&p);
    o.fold_budget = SIZE_MAX;
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, &o, &p, &err), MG_OK);
    ck_assert_uint_eq(p.nboxes, 0);
    ck_assert_uint_eq(p.drawn, reachable);
    mg_viz_fold_plan_free(&p);
    free(seen);
    mg_mlp_free(m);
    mg_graph_free(g);
}
END_TEST

/* The cgraph name of a box, as a format taking its scope id. */
static const char *box_name_format(const mg_viz_box *box)
{
    return box->nmembers > 1 ? "group%u" : box->leaves ? "fold%u_leaves" : "fold%u";
}

/* The class a box's picture carries (finite values). */
static const char *box_class(const mg_viz_box *box)
{
    return box->nmembers > 1 ? "fold group" : box->leaves ? "fold leaves" : "fold";
}

/* Sum of the counts the picture's edges carry (1 when unlabelled). */
static size_t picture_edge_count(Agraph_t *g)
{
    size_t sum = 0;
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        for (Agedge_t *e = agfstout(g, n); e; e = agnxtout(g, e)) {
            if (strncmp(viz_attr(e, "id"), "eop", 3) == 0)
                continue; /* op -> its value: not a graph edge */
            const char *label = viz_attr(e, "xlabel");
            sum += *label ? strtoul(label, NULL, 10) : 1;
        }
    return sum;
}

START_TEST(test_folded_picture_keeps_every_edge)
{
    mg_graph *g = mg_graph_new();
    mg_mlp *m;
    mg_value *loss = viz_batch_loss(g, &m, 20);
    mg_viz_fold_plan p;
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, NULL, &p, NULL), MG_OK);
    /* graph edges between picture endpoints, less those inside one box */
    size_t edges = 0, inside = 0;
    for (size_t id = 0; id < p.nnodes; id++) {
        if (p.node_box[id] == MG_VIZ_NODE_ABSENT)
            continue;
        mg_value *v = mg_graph_node(g, (uint32_t)id);
        mg_value *ps[MG_MAX_OPERANDS];
        int np = mg_node_operands(v, ps);
        for (int i = 0; i < np; i++) {
            edges++;
            uint32_t a = p.node_box[ps[i]->id], b = p.node_box[id];
            inside += a == b && a != MG_VIZ_NODE_DRAWN;
        }
    }
    Agraph_t *dot = viz_dot(loss, NULL);
    ck_assert_uint_eq(picture_edge_count(dot), edges - inside);
    /* every box is drawn with its scope path (a group: its first and last
     * members) and node count (a group: per member) */
    char path[256], want[300];
    for (size_t b = 0; b < p.nboxes; b++) {
        const mg_viz_box *box = &p.boxes[b];
        Agnode_t *n = node_named(dot, box_name_format(box), box->scope);
        ck_assert_ptr_nonnull(n);
        ck_assert_str_eq(viz_attr(n, "class"), box_class(box));
        const char *label = viz_attr(n, "label");
        if (box->nmembers > 1) {
            snprintf(want, sizeof want, "<B>%s … %s</B>  ×%u",
                     mg_scope_name(g, box->members[0]),
                     mg_scope_name(g, box->members[box->nmembers - 1]), box->nmembers);
            ck_assert_msg(strstr(label, want), "%s lacks %s", label, want);
            snprintf(want, sizeof want, "each %zu node", box->nodes / box->nmembers);
        } else {
            mg_scope_path(g, box->scope, path, sizeof path);
            snprintf(want, sizeof want, "<B>%s%s</B>", *path ? path : "(top level)",
                     box->leaves ? " (leaves)" : "");
            ck_assert_msg(strstr(label, want), "%s lacks %s", label, want);
            snprintf(want, sizeof want, ">%zu node", box->nodes);
        }
        ck_assert_msg(strstr(label, want), "%s lacks %s", label, want);
    }
    /* picture nodes: boxes, drawn values, and an op node per drawn computed value */
    size_t ops = 0;
    for (size_t id = 0; id < p.nnodes; id++)
        ops += p.node_box[id] == MG_VIZ_NODE_DRAWN && !mg_is_leaf(mg_graph_node(g, (uint32_t)id));
    ck_assert_int_eq(agnnodes(dot), (int)(p.nboxes + p.drawn + ops));
    agclose(dot);
    mg_viz_fold_plan_free(&p);
    mg_mlp_free(m);
    mg_graph_free(g);
}
END_TEST

typedef struct indeg_rec {
    Agrec_t header;
    int indeg;
} indeg_rec;

/* True when g has no directed cycle (Kahn's algorithm over cgraph nodes). */
static int acyclic(Agraph_t *g)
{
    int n = agnnodes(g), done = 0, top = 0;
    Agnode_t **stack = malloc((size_t)n * sizeof *stack);
    for (Agnode_t *v = agfstnode(g); v; v = agnxtnode(g, v)) {
        indeg_rec *r = agbindrec(v, "indeg", sizeof *r, 0);
        r->indeg = 0;
        for (Agedge_t *e = agfstin(g, v); e; e = agnxtin(g, e))
            r->indeg++;
        if (r->indeg == 0)
            stack[top++] = v;
    }
    while (top > 0) {
        Agnode_t *v = stack[--top];
        done++;
        for (Agedge_t *e = agfstout(g, v); e; e = agnxtout(g, e)) {
            indeg_rec *r = (indeg_rec *)aggetrec(aghead(e), "indeg", 0);
            if (--r->indeg == 0)
                stack[top++] = aghead(e);
        }
    }
    free(stack);
    return done == n;
}

/* As viz_batch_loss, but summed (with the L2 term) at the top level, beside the
 * parameters: the case where a scope's leaves must be boxed apart. */
static mg_value *batch_loss_summed_at_top(mg_graph *g, mg_mlp **model, size_t n)
{
    mg_error err;
    int nouts[] = {4, 4, 1};
    *model = mg_mlp_new(g, 2, nouts, 3, MG_NONLIN_RELU, MG_NONLIN_LINEAR, 5, &err);
    ck_assert_msg(*model != NULL, "%s", err.message);
    mg_value *sum = NULL;
    char scope[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(scope, sizeof scope, "sample%zu", i);
        mg_scope_push(g, scope);
        mg_value *x[2] = {mg_input(g, 0.1 * (double)i), mg_input(g, 1.0 - 0.05 * (double)i)};
        mg_value *score;
        ck_assert_int_eq(mg_mlp_forward(*model, x, &score), MG_OK);
        mg_value *term = mg_relu(mg_rsubc(mg_mulc(score, i % 2 ? 1.0 : -1.0), 1.0));
        mg_scope_pop(g);
        sum = sum ? mg_add(sum, term) : term;
    }
    size_t np;
    mg_value *const *params = mg_mlp_parameters(*model, &np);
    return mg_add(sum, mg_l2(params, np, 1e-4));
}

/* The box (index) holding node id, or fails. */
static size_t box_of(const mg_viz_fold_plan *p, const mg_value *v)
{
    ck_assert_uint_lt(p->node_box[v->id], p->nboxes);
    return p->node_box[v->id];
}

START_TEST(test_coarse_folding_boxes_leaves_apart)
{
    mg_graph *g = mg_graph_new();
    mg_mlp *m;
    mg_value *loss = batch_loss_summed_at_top(g, &m, 20);
    size_t nparams;
    mg_value *const *params = mg_mlp_parameters(m, &nparams);
    mg_viz_options o = {.fold_budget = 30};
    mg_viz_fold_plan p;
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, &o, &p, NULL), MG_OK);
    check_plan_sums(&p);
    /* the parameters, used by every sample and by the L2 term, are boxed
     * apart at the top level, away from the loss that sums over samples */
    const mg_viz_box *box = &p.boxes[box_of(&p, params[0])];
    ck_assert(box->leaves);
    ck_assert_uint_eq(box->scope, MG_SCOPE_ROOT);
    ck_assert_uint_eq(box->params, nparams);
    ck_assert_uint_eq(box->op_count[MG_OP_LEAF], box->nodes);
    ck_assert_uint_ne(box_of(&p, loss->a->a), box_of(&p, params[0]));
    Agraph_t *dot = viz_dot(loss, &o);
    ck_assert(acyclic(dot));
    agclose(dot);
    mg_viz_fold_plan_free(&p);
    mg_mlp_free(m);
    mg_graph_free(g);

    /* micrograd's loss keeps data_loss and reg_loss in scopes of their own:
     * the top level holds only the parameters, one box without a split */
    g = mg_graph_new();
    loss = viz_batch_loss(g, &m, 20);
    params = mg_mlp_parameters(m, &nparams);
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, &o, &p, NULL), MG_OK);
    box = &p.boxes[box_of(&p, params[0])];
    ck_assert_uint_eq(box->scope, MG_SCOPE_ROOT);
    ck_assert_uint_eq(box->params, nparams);
    ck_assert_uint_eq(box->nodes, nparams);
    dot = viz_dot(loss, &o);
    ck_assert(acyclic(dot));
    agclose(dot);
    mg_viz_fold_plan_free(&p);
    mg_mlp_free(m);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_unscoped_graph_folds_only_when_asked)
{
    mg_graph *mg = mg_graph_new();
    mg_value *v = mg_input(mg, 0.1);
    for (int i = 0; i < MG_VIZ_FOLD_BUDGET; i++)
        v = mg_tanh(mg_addc(v, 0.5));
    mg_viz_fold_plan p;
    ck_assert_int_eq(mg_viz_fold_plan_make(v, NULL, &p, NULL), MG_OK);
    ck_assert_uint_gt(p.total, MG_VIZ_FOLD_BUDGET);
    ck_assert_uint_eq(p.nboxes, 0); /* no scope to fold by: every node drawn */
    ck_assert_uint_eq(p.drawn, p.total);
    mg_viz_fold_plan_free(&p);
    mg_viz_options o = {.fold_budget = MG_VIZ_FOLD_BUDGET};
    ck_assert_int_eq(mg_viz_fold_plan_make(v, &o, &p, NULL), MG_OK);
    ck_assert_uint_gt(p.nboxes, 0); /* an explicit budget holds */
    check_plan_sums(&p);
    mg_viz_fold_plan_free(&p);
    mg_graph_free(mg);
}
END_TEST

START_TEST(test_unfold_one_scope)
{
    mg_graph *g = mg_graph_new();
    mg_mlp *m;
    mg_value *loss = viz_batch_loss(g, &m, 20);
    mg_viz_options o = {.unfold_scope = "sample3/mlp"};
    mg_viz_fold_plan p;
    mg_error err;
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, &o, &p, &err), MG_OK);
    check_plan_sums(&p);
    char path[256];
    size_t inside = 0;
    for (size_t id = 0; id < p.nnodes; id++) {
        mg_value *v = mg_graph_node(g, (uint32_t)id);
        mg_scope_path(g, v->scope, path, sizeof path);
        if (strncmp(path, "sample3/mlp", 11) == 0 && p.node_box[id] != MG_VIZ_NODE_ABSENT) {
            ck_assert_uint_eq(p.node_box[id], MG_VIZ_NODE_DRAWN);
            inside++;
        }
    }
    ck_assert_uint_gt(inside, 20);
    mg_viz_fold_plan_free(&p);
    o.unfold_scope = "no/such/scope";
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, &o, &p, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "no/such/scope"));
    mg_mlp_free(m);
    mg_graph_free(g);
}
END_TEST

/* Nodes within r edges of c (either direction), by repeated scans. */
static uint8_t *neighbourhood(mg_graph *g, uint32_t c, unsigned r, size_t *count)
{
    size_t n = mg_graph_count(g);
    unsigned *d = malloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = i == c ? 0 : ~0u;
    for (unsigned step = 0; step < r; step++)
        for (size_t i = 0; i < n; i++) {
            mg_value *v = mg_graph_node(g, (uint32_t)i);
            mg_value *ps[MG_MAX_OPERANDS];
            int np = mg_node_operands(v, ps);
            for (int k = 0; k < np; k++) {
                uint32_t p = ps[k]->id;
                if (d[i] == step && d[p] == ~0u)
                    d[p] = step + 1;
                if (d[p] == step && d[i] == ~0u)
                    d[i] = step + 1;
            }
        }
    uint8_t *in = calloc(n, 1);
    *count = 0;
    for (size_t i = 0; i < n; i++)
        if (d[i] <= r)
            in[i] = 1, ++*count;
    free(d);
    return in;
}

START_TEST(test_focus_draws_the_neighbourhood)
{
    neuron t = make_neuron();
    mg_viz_options o = {.focus = true, .focus_id = t.sum->id, .focus_radius = 1};
    Agraph_t *g = viz_dot(t.o, &o);
    /* sum, its parents x1*w1 and x2*w2, its child n; plus their op nodes */
    for (uint32_t id = 0; id <= t.o->id; id++) {
        int want = id == t.sum->id || id == t.x1w1->id || id == t.x2w2->id || id == t.n->id;
        ck_assert_int_eq(node_named(g, "n%u", id) != NULL, want);
    }
    ck_assert_int_eq(agnnodes(g), 8);
    agclose(g);

    mg_graph *mg = mg_graph_new();
    mg_mlp *m;
    mg_value *loss = viz_batch_loss(mg, &m, 10);
    uint32_t centre = loss->id / 2;
    for (unsigned r = 1; r <= 3; r++) {
        size_t want;
        uint8_t *in = neighbourhood(mg, centre, r, &want);
        mg_viz_options f = {.focus = true, .focus_id = centre, .focus_radius = r,
                            .fold_budget = SIZE_MAX};
        mg_viz_fold_plan p;
        ck_assert_int_eq(mg_viz_fold_plan_make(loss, &f, &p, NULL), MG_OK);
        ck_assert_uint_eq(p.total, want);
        for (size_t id = 0; id < p.nnodes; id++)
            ck_assert_int_eq(p.node_box[id] == MG_VIZ_NODE_DRAWN, in[id]);
        mg_viz_fold_plan_free(&p);
        free(in);
    }
    /* a radius past the graph's diameter selects everything, quickly */
    mg_viz_options wide = {.focus = true, .focus_id = centre, .focus_radius = UINT32_MAX};
    mg_viz_fold_plan all;
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, &wide, &all, NULL), MG_OK);
    size_t reachable;
    free(ancestors(loss, &reachable));
    ck_assert_uint_eq(all.total, reachable);
    mg_viz_fold_plan_free(&all);
    mg_error err;
    mg_viz_options bad = {.focus = true, .focus_id = 999999};
    mg_viz_fold_plan p;
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, &bad, &p, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "999999"));
    mg_mlp_free(m);
    mg_graph_free(mg);
    mg_graph_free(t.g);
}
END_TEST

START_TEST(test_too_big_to_lay_out_is_refused)
{
    mg_graph *mg = mg_graph_new();
    mg_value *v = mg_input(mg, 0.1);
    for (int i = 0; i < MG_VIZ_MAX_LAYOUT_NODES / 2; i++)
        v = mg_tanh(v);
    mg_viz_options o = {.fold_budget = SIZE_MAX};
    char *out = NULL;
    size_t len;
    mg_error err;
    ck_assert_int_eq(mg_draw_dot_data(v, "svg", &o, &out, &len, &err), MG_EINVAL);
    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(strstr(err.message, "fold"));
    /* DOT is not laid out: any size goes */
    ck_assert_int_eq(mg_draw_dot_data(v, "dot", &o, &out, &len, &err), MG_OK);
    free(out);
    mg_graph_free(mg);
}
END_TEST

static size_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

START_TEST(test_files_by_extension)
{
    neuron t = make_neuron();
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "test_viz");
    const char *exts[] = {"png", "svg", "dot"};
    mg_error err;
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/g.%s", dir, exts[i]);
        ck_assert_msg(mg_draw_dot(t.o, path, NULL, &err) == MG_OK, "%s", err.message);
        ck_assert_int_eq(err.code, MG_OK);
        ck_assert_uint_gt(file_size(path), 100);
        ck_assert_str_eq(mg_viz_format_of(path), exts[i]);
    }
    FILE *f = fopen(path, "r"); /* g.dot starts as a digraph */
    char head[16] = "";
    ck_assert_ptr_nonnull(fgets(head, sizeof head, f));
    fclose(f);
    ck_assert_ptr_nonnull(strstr(head, "digraph"));
    ck_assert_str_eq(mg_viz_format_of("G.PNG"), "png");
    ck_assert_ptr_null(mg_viz_format_of("png"));
    ck_assert_ptr_null(mg_viz_format_of("dir.svg/file"));
    snprintf(path, sizeof path, "%s/g.picture", dir);
    ck_assert_int_eq(mg_draw_dot_format(t.o, path, "svg", NULL, &err), MG_OK);
    ck_assert_int_eq(tu_count_entries(dir), 4); /* no temporary files left behind */
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/g.%s", dir, exts[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/g.picture", dir);
    unlink(path);
    rmdir(dir);
    mg_graph_free(t.g);
}
END_TEST

START_TEST(test_errors_name_the_problem)
{
    neuron t = make_neuron();
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "test_viz");
    mg_error err;
    snprintf(path, sizeof path, "%s/g.jpg", dir);
    ck_assert_int_eq(mg_draw_dot(t.o, path, NULL, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, ".jpg"));
    snprintf(path, sizeof path, "%s/noextension", dir);
    ck_assert_int_eq(mg_draw_dot(t.o, path, NULL, &err), MG_EINVAL);
    ck_assert_int_eq(mg_draw_backward(t.o, "x.gif", NULL, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, ".gif"));
    mg_viz_options o = {.rankdir = "sideways"};
    ck_assert_int_eq(mg_draw_dot(t.o, "x.svg", &o, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "sideways"));
    ck_assert_int_eq(mg_draw_dot_format(t.o, path, "gif", NULL, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "gif"));
    ck_assert_int_eq(tu_count_entries(dir), 0);

    snprintf(path, sizeof path, "%s/missing/g.svg", dir);
    ck_assert_int_eq(mg_draw_dot(t.o, path, NULL, &err), MG_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    char sub[160]; /* a directory in the way: the rename fails, nothing is left */
    snprintf(sub, sizeof sub, "%s/taken.svg", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    ck_assert_int_eq(mg_draw_dot(t.o, sub, NULL, &err), MG_EIO);
    ck_assert_int_eq(tu_count_entries(dir), 1);
    rmdir(sub);
    ck_assert_int_eq(mg_draw_dot(NULL, "x.svg", NULL, &err), MG_EINVAL);
    ck_assert_int_eq(mg_draw_dot(t.o, NULL, NULL, &err), MG_EINVAL);
    char *out;
    ck_assert_int_eq(mg_draw_dot_data(t.o, "svg", NULL, &out, NULL, &err), MG_EINVAL);
    ck_assert_int_eq(mg_draw_dot(t.o, path, NULL, NULL), MG_EIO); /* err may be NULL */

    /* a node dropped by rewinding is refused, not drawn */
    mg_mark mark = mg_graph_mark(t.g);
    mg_value *late = mg_tanh(t.o);
    mg_graph_rewind(t.g, mark);
    ck_assert_int_eq(mg_draw_dot(late, "x.svg", NULL, &err), MG_EINVAL);
    ck_assert_int_eq(tu_count_entries(dir), 0);
    rmdir(dir);
    mg_graph_free(t.g);
}
END_TEST

START_TEST(test_unwritable_directory_leaves_nothing)
{
    if (geteuid() == 0)
        return; /* root writes anywhere; the missing-directory case covers it */
    neuron t = make_neuron();
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "test_viz");
    chmod(dir, 0500);
    snprintf(path, sizeof path, "%s/g.png", dir);
    mg_error err;
    ck_assert_int_eq(mg_draw_dot(t.o, path, NULL, &err), MG_EIO);
    chmod(dir, 0700);
    ck_assert_int_eq(tu_count_entries(dir), 0);
    rmdir(dir);
    mg_graph_free(t.g);
}
END_TEST

/* The y of the first text inside the SVG group with id prefix<id>. */
static double text_y(const char *svg, const char *prefix, unsigned id)
{
    char want[48];
    snprintf(want, sizeof want, "<g id=\"%s%u\"", prefix, id);
    const char *g = strstr(svg, want);
    ck_assert_ptr_nonnull(g);
    const char *text = strstr(g, "<text ");
    ck_assert_ptr_nonnull(text);
    const char *y = strstr(text, " y=\"");
    ck_assert_ptr_nonnull(y);
    return strtod(y + 4, NULL);
}

START_TEST(test_before_and_after_backward)
{
    neuron t = make_neuron();
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "test_viz");
    snprintf(path, sizeof path, "%s/both.dot", dir);
    mg_error err;
    ck_assert_msg(mg_draw_backward(t.o, path, NULL, &err) == MG_OK, "%s", err.message);
    ck_assert_double_eq(t.o->grad, 1.0);
    ck_assert_double_ne(t.x1->grad, 0.0); /* backward ran */
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    Agraph_t *g = agread(f, NULL);
    fclose(f);
    ck_assert_ptr_nonnull(g);
    Agraph_t *before = agsubg(g, "cluster_before", 0), *after = agsubg(g, "cluster_after", 0);
    ck_assert_ptr_nonnull(before);
    ck_assert_ptr_nonnull(after);
    ck_assert_str_eq(viz_attr(before, "label"), "before backward");
    ck_assert_str_eq(viz_attr(after, "label"), "after backward");
    ck_assert_int_eq(agnnodes(before), 15);
    ck_assert_int_eq(agnnodes(after), 15);
    char want[64];
    mg_value *all[] = {t.x1, t.w1, t.b, t.n, t.o};
    for (int i = 0; i < 5; i++) {
        Agnode_t *pre = node_named(before, "n%u", all[i]->id);
        Agnode_t *post = node_named(after, "bn%u", all[i]->id);
        ck_assert_ptr_nonnull(pre);
        ck_assert_ptr_nonnull(post);
        ck_assert_ptr_nonnull(strstr(viz_attr(pre, "label"), "grad 0 }"));
        snprintf(want, sizeof want, "grad %.4g }", all[i]->grad);
        ck_assert_ptr_nonnull(strstr(viz_attr(post, "label"), want));
    }
    agclose(g);
    unlink(path);

    snprintf(path, sizeof path, "%s/both.svg", dir);
    ck_assert_int_eq(mg_draw_backward(t.o, path, NULL, &err), MG_OK);
    f = fopen(path, "r");
    char *svg = calloc(1, 1 << 20);
    fread(svg, 1, (1 << 20) - 1, f);
    fclose(f);
    ck_assert(contains(svg, "<g id=\"n%u\" class=\"node value", t.x1->id));
    ck_assert(contains(svg, "<g id=\"bn%u\" class=\"node value", t.x1->id));
    ck_assert(contains(svg, "<g id=\"bop%u\" class=\"node op\"", t.o->id));
    /* "before" stands above "after" (SVG y grows downwards) */
    ck_assert(text_y(svg, "n", t.x1->id) < text_y(svg, "bn", t.x1->id));
    free(svg);
    unlink(path);
    rmdir(dir);
    mg_graph_free(t.g);
}
END_TEST

START_TEST(test_folded_svg_and_png_render)
{
    mg_graph *g = mg_graph_new();
    mg_mlp *m;
    mg_value *loss = viz_batch_loss(g, &m, 20);
    mg_viz_fold_plan p;
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, NULL, &p, NULL), MG_OK);
    char *svg = viz_render(loss, "svg", NULL, NULL);
    for (size_t b = 0; b < p.nboxes; b++) {
        char want[96];
        snprintf(want, sizeof want, "<g id=\"%s\" class=\"node %s\"",
                 box_name_format(&p.boxes[b]), box_class(&p.boxes[b]));
        ck_assert_msg(contains(svg, want, p.boxes[b].scope), "%s", want);
    }
    ck_assert(contains(svg, "<g id=\"n%u\" class=\"node value computed root\"", loss->id));
    free(svg);
    size_t len;
    char *png = viz_render(loss, "png", NULL, &len);
    ck_assert_uint_gt(len, 1000);
    free(png);
    mg_viz_fold_plan_free(&p);
    mg_mlp_free(m);
    mg_graph_free(g);
}
END_TEST

static Suite *viz_suite(void)
{
    Suite *s = suite_create("viz");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_dot_structure_with_op_nodes);
    tcase_add_test(tc, test_dot_without_op_nodes_and_with_ids);
    tcase_add_test(tc, test_kinds_and_root_are_told_apart);
    tcase_add_test(tc, test_labels_cannot_break_records);
    tcase_add_test(tc, test_long_labels_keep_records_whole);
    tcase_add_test(tc, test_tensor_nodes_show_shapes);
    tcase_add_test(tc, test_png_decodes_at_sane_size);
    tcase_add_test(tc, test_png_size_cap_applies);
    tcase_add_test(tc, test_svg_carries_ids_and_classes);
    tcase_add_test(tc, test_fold_counts_add_up);
    tcase_add_test(tc, test_folded_picture_keeps_every_edge);
    tcase_add_test(tc, test_coarse_folding_boxes_leaves_apart);
    tcase_add_test(tc, test_unscoped_graph_folds_only_when_asked);
    tcase_add_test(tc, test_unfold_one_scope);
    tcase_add_test(tc, test_focus_draws_the_neighbourhood);
    tcase_add_test(tc, test_too_big_to_lay_out_is_refused);
    tcase_add_test(tc, test_files_by_extension);
    tcase_add_test(tc, test_errors_name_the_problem);
    tcase_add_test(tc, test_unwritable_directory_leaves_nothing);
    tcase_add_test(tc, test_before_and_after_backward);
    tcase_add_test(tc, test_folded_svg_and_png_render);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(viz_suite()); }

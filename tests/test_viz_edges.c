/* test_viz_edges.c — the chain rule in pictures: edges labelled
 * "local × upstream = contribution" with the numbers of mg_node_edges(), so
 * that a value's grad is the sum over its outgoing edges; on by default for
 * small pictures after backward, on the "after" side of before/after, a
 * summary on folded edges from one value, nothing on edges leaving a box. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_export.h"
#include "mg_format.h"
#include "mg_loss.h"
#include "mg_nn.h"
#include "mg_tensor.h"
#include "mg_viz.h"
#include "test_viz_util.h"

static Agnode_t *named(Agraph_t *g, const char *prefix, const char *kind, uint32_t id)
{
    char name[32];
    snprintf(name, sizeof name, "%s%s%u", prefix, kind, id);
    Agnode_t *n = agnode(g, name, 0);
    ck_assert_msg(n != NULL, "no node %s", name);
    return n;
}

/* The picture edge from value `from` into the op computing `to`. */
static Agedge_t *edge_into(Agraph_t *g, const char *prefix, const mg_value *from,
                           const mg_value *to)
{
    Agedge_t *e = agedge(g, named(g, prefix, "n", from->id), named(g, prefix, "op", to->id),
                         NULL, 0);
    ck_assert_msg(e != NULL, "no edge %u -> op%u", from->id, to->id);
    return e;
}

/* "local × upstream = contribution" as the picture writes graph edge e. */
#define CHAIN_TEXT 128
static void chain_text(const mg_edge *e, char buf[static CHAIN_TEXT])
{
    char l[32], u[32], c[32];
    mg_format_display(e->local, MG_VIZ_PRECISION, l, sizeof l);
    mg_format_display(e->upstream, MG_VIZ_PRECISION, u, sizeof u);
    mg_format_display(e->contribution, MG_VIZ_PRECISION, c, sizeof c);
    snprintf(buf, CHAIN_TEXT, "%s × %s = %s", l, u, c);
}

/* The sum of the contributions written on the chain-rule labels of every
 * edge leaving node n (one "= c" per line). */
static double sum_of_labels(Agraph_t *g, Agnode_t *n)
{
    double sum = 0;
    for (Agedge_t *e = agfstout(g, n); e; e = agnxtout(g, e))
        for (const char *p = viz_attr(e, "label"); (p = strstr(p, "= ")) != NULL; p += 2)
            sum += strtod(p + 2, NULL);
    return sum;
}

START_TEST(test_every_edge_reads_the_chain_rule)
{
    /* x*y + x at x = 2, y = 3: x.grad = 3 × 1 + 1 × 1 = 4 */
    mg_graph *mg = mg_graph_new();
    mg_value *x = mg_label(mg_input(mg, 2.0), "x"), *y = mg_label(mg_input(mg, 3.0), "y");
    mg_value *xy = mg_mul(x, y), *z = mg_add(xy, x);
    mg_backward(z);
    Agraph_t *g = viz_dot(z, NULL); /* small, after backward: on by default */
    const mg_value *to[] = {xy, z};
    size_t labelled = 0;
    for (int k = 0; k < 2; k++) {
        mg_edge es[MG_MAX_OPERANDS];
        int n = mg_node_edges(to[k], es);
        for (int i = 0; i < n; i++) {
            Agedge_t *e = edge_into(g, "", es[i].from, to[k]);
            char want[CHAIN_TEXT];
            chain_text(&es[i], want);
            ck_assert_str_eq(viz_attr(e, "label"), want);
            ck_assert_str_eq(viz_attr(e, "class"), "grad");
            labelled++;
        }
    }
    ck_assert_uint_eq(labelled, 4);
    ck_assert_str_eq(viz_attr(edge_into(g, "", x, xy), "label"), "3 × 1 = 3");
    /* a grad is the sum of what its outgoing edges say */
    ck_assert_double_eq_tol(sum_of_labels(g, named(g, "", "n", x->id)), x->grad, 1e-12);
    ck_assert_double_eq_tol(sum_of_labels(g, named(g, "", "n", y->id)), y->grad, 1e-12);
    ck_assert_ptr_nonnull(strstr(viz_attr(g, "label"), "local derivative"));
    agclose(g);
    mg_graph_free(mg);
}
END_TEST

START_TEST(test_the_tanh_neuron_and_a_reused_value)
{
    /* micrograd's lecture neuron: o = tanh(x1*w1 + x2*w2 + b) */
    mg_graph *mg = mg_graph_new();
    mg_value *x1 = mg_input(mg, 2.0), *x2 = mg_input(mg, 0.0);
    mg_value *w1 = mg_param(mg, -3.0), *w2 = mg_param(mg, 1.0), *b = mg_param(mg, 6.8813735870195432);
    mg_value *n = mg_add(mg_add(mg_mul(x1, w1), mg_mul(x2, w2)), b), *o = mg_tanh(n);
    mg_backward(o);
    Agraph_t *g = viz_dot(o, NULL);
    char want[96];
    snprintf(want, sizeof want, "%s × 1 = %s", "0.5", "0.5"); /* 1 - tanh² = 0.5 */
    ck_assert_str_eq(viz_attr(edge_into(g, "", n, o), "label"), want);
    mg_value *all[] = {x1, x2, w1, w2, b};
    for (int i = 0; i < 5; i++)
        ck_assert_double_eq_tol(sum_of_labels(g, named(g, "", "n", all[i]->id)), all[i]->grad, 1e-3);
    agclose(g);
    mg_graph_free(mg);

    /* a reused value: a*a shows one line per operand, and a's grad adds up */
    mg = mg_graph_new();
    mg_value *a = mg_input(mg, -2.0), *sq = mg_mul(a, a), *c = mg_add(mg_mul(sq, a), mg_relu(a));
    mg_backward(c);
    g = viz_dot(c, NULL);
    ck_assert_str_eq(viz_attr(edge_into(g, "", a, sq), "label"), "-2 × -2 = 4\\n-2 × -2 = 4");
    ck_assert_str_eq(viz_attr(edge_into(g, "", a, c->b), "label"), "0 × 1 = 0"); /* relu at -2 */
    ck_assert_double_eq_tol(sum_of_labels(g, named(g, "", "n", a->id)), a->grad, 1e-12);
    ck_assert_double_eq(a->grad, 12.0);
    agclose(g);
    mg_graph_free(mg);
}
END_TEST

START_TEST(test_when_edges_are_labelled)
{
    mg_graph *mg = mg_graph_new();
    mg_value *x = mg_input(mg, 2.0), *z = mg_mul(x, x);
    /* before backward every upstream is 0: auto draws no chain rule */
    Agraph_t *g = viz_dot(z, NULL);
    Agedge_t *e = edge_into(g, "", x, z);
    ck_assert_str_eq(viz_attr(e, "label"), "");
    ck_assert_str_eq(viz_attr(e, "xlabel"), "2"); /* the count of x*x instead */
    ck_assert_ptr_null(strstr(viz_attr(g, "label"), "local derivative"));
    agclose(g);
    /* asked for, it is drawn anyway */
    mg_viz_options o = {.edges = MG_VIZ_EDGES_GRAD};
    g = viz_dot(z, &o);
    ck_assert_str_eq(viz_attr(edge_into(g, "", x, z), "label"), "2 × 0 = 0\\n2 × 0 = 0");
    agclose(g);
    mg_backward(z);
    o.edges = MG_VIZ_EDGES_PLAIN;
    g = viz_dot(z, &o);
    ck_assert_str_eq(viz_attr(edge_into(g, "", x, z), "label"), "");
    ck_assert_str_eq(viz_attr(edge_into(g, "", x, z), "class"), "");
    agclose(g);
    /* without op nodes the label sits on the value-to-value edge */
    mg_viz_options bare = {.hide_op_nodes = true};
    g = viz_dot(z, &bare);
    e = agedge(g, named(g, "", "n", x->id), named(g, "", "n", z->id), NULL, 0);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(viz_attr(e, "label"), "2 × 1 = 2\\n2 × 1 = 2");
    agclose(g);
    mg_graph_free(mg);

    /* more than MG_VIZ_EDGE_GRAD_BOXES boxes: too many to read, auto is off */
    mg = mg_graph_new();
    mg_value *v = mg_input(mg, 0.1);
    for (int i = 0; i < MG_VIZ_EDGE_GRAD_BOXES; i++)
        v = mg_tanh(v);
    mg_backward(v);
    g = viz_dot(v, NULL);
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        for (e = agfstout(g, n); e; e = agnxtout(g, e))
            ck_assert_str_eq(viz_attr(e, "label"), "");
    agclose(g);
    mg_graph_free(mg);
}
END_TEST

START_TEST(test_before_after_labels_the_after_side)
{
    mg_graph *mg = mg_graph_new();
    mg_value *x = mg_input(mg, 2.0), *y = mg_input(mg, 3.0), *xy = mg_mul(x, y);
    mg_value *z = mg_add(xy, x);
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "mgviz-edges");
    snprintf(path, sizeof path, "%s/both.dot", dir);
    mg_error err;
    ck_assert_msg(mg_draw_backward(z, path, NULL, &err) == MG_OK, "%s", err.message);
    char *text = tu_slurp(path, NULL);
    Agraph_t *g = agmemread(text);
    free(text);
    tu_rmrf(dir);
    Agraph_t *before = agsubg(g, "cluster_before", 0), *after = agsubg(g, "cluster_after", 0);
    ck_assert_str_eq(viz_attr(edge_into(before, "", x, xy), "label"), "");
    ck_assert_str_eq(viz_attr(edge_into(after, "b", x, xy), "label"), "3 × 1 = 3");
    ck_assert_str_eq(viz_attr(edge_into(after, "b", x, z), "label"), "1 × 1 = 1");
    ck_assert_str_eq(viz_attr(edge_into(after, "b", xy, z), "label"), "1 × 1 = 1");
    agclose(g);
    mg_graph_free(mg);
}
END_TEST

START_TEST(test_folded_edges)
{
    /* one sample of a 2-16-16-1 MLP: its inputs feed the layer-1 group box */
    mg_error err;
    int nouts[] = {16, 16, 1};
    mg_graph *mg = mg_graph_new();
    mg_mlp *m = mg_mlp_new(mg, 2, nouts, 3, MG_NONLIN_RELU, MG_NONLIN_LINEAR, 7, &err);
    ck_assert_ptr_nonnull(m);
    mg_scope_push(mg, "sample0");
    mg_value *x[2] = {mg_input(mg, 0.4), mg_input(mg, -0.6)}, *score;
    ck_assert_int_eq(mg_mlp_forward(m, x, &score), MG_OK);
    mg_value *loss = mg_relu(mg_rsubc(mg_mulc(score, -1.0), 1.0));
    mg_scope_pop(mg);
    mg_backward(loss);
    mg_viz_fold_plan p;
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, NULL, &p, NULL), MG_OK);
    ck_assert_uint_eq(p.node_box[x[0]->id], MG_VIZ_NODE_DRAWN);
    ck_assert_uint_lt(p.nboxes + p.drawn, MG_VIZ_EDGE_GRAD_BOXES + 1);
    Agraph_t *g = viz_dot(loss, NULL);
    /* x0 -> layer-1 group: 16 uses, and their sum is x0's grad */
    Agnode_t *xn = named(g, "", "n", x[0]->id);
    Agedge_t *e = agfstout(g, xn);
    ck_assert_ptr_nonnull(e);
    char want[64], s[32];
    mg_format_display(x[0]->grad, MG_VIZ_PRECISION, s, sizeof s);
    snprintf(want, sizeof want, "16 uses, Σ = %s", s);
    ck_assert_str_eq(viz_attr(e, "label"), want);
    /* edges leaving a box carry their count, not a sum of unlike things */
    size_t from_boxes = 0;
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n)) {
        if (strncmp(agnameof(n), "group", 5) && strncmp(agnameof(n), "fold", 4))
            continue;
        for (e = agfstout(g, n); e; e = agnxtout(g, e)) {
            ck_assert_str_eq(viz_attr(e, "label"), "");
            from_boxes++;
        }
    }
    ck_assert_uint_gt(from_boxes, 0);
    agclose(g);
    mg_viz_fold_plan_free(&p);
    mg_mlp_free(m);
    mg_graph_free(mg);
}
END_TEST

START_TEST(test_tensor_edges_read_their_contribution)
{
    mg_graph *mg = mg_graph_new();
    int xs[] = {2, 3}, ws[] = {3, 1};
    mg_tensor *x = mg_tensor_input(mg, MG_F64, 2, xs), *w = mg_tensor_param(mg, MG_F64, 2, ws);
    for (int i = 0; i < 6; i++)
        mg_tensor_set(x, i, 0.5 * i - 1);
    for (int i = 0; i < 3; i++)
        mg_tensor_set(w, i, 0.25 * i + 0.1);
    mg_tensor *loss = mg_tensor_sum(mg_tensor_matmul(x, w), MG_AXIS_ALL, 0);
    ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
    mg_viz_options o = {.edges = MG_VIZ_EDGES_GRAD, .no_heatmaps = true};
    Agraph_t *g = viz_dot(loss->node, &o);
    /* matmul -> w: the contribution is w's whole grad (w is used once) */
    mg_value *ops[MG_MAX_OPERANDS];
    ck_assert_int_eq(mg_node_operands(loss->node, ops), 1);
    const mg_tensor *mm = mg_tensor_of(ops[0]);
    ck_assert_ptr_nonnull(mm);
    double sq = 0;
    for (int i = 0; i < 3; i++)
        sq += mg_tensor_grad_at(w, i) * mg_tensor_grad_at(w, i);
    char want[64], s[32];
    mg_format_display(sqrt(sq), MG_VIZ_PRECISION, s, sizeof s);
    snprintf(want, sizeof want, "‖contribution‖ %s", s);
    ck_assert_str_eq(viz_attr(edge_into(g, "", w->node, mm->node), "label"), want);
    /* x is an input: backward sends it nothing, and the edge says so (not "nan") */
    ck_assert_str_eq(viz_attr(edge_into(g, "", x->node, mm->node), "label"), "no grad sent (input)");
    agclose(g);
    mg_graph_free(mg);
}
END_TEST

/* The norm of t's grad as an edge label writes it: "‖contribution‖ N". */
static void norm_label(const mg_tensor *t, char *want, size_t n)
{
    double sq = 0;
    for (int i = 0; i < t->numel; i++)
        sq += mg_tensor_grad_at(t, i) * mg_tensor_grad_at(t, i);
    char s[32];
    mg_format_display(sqrt(sq), MG_VIZ_PRECISION, s, sizeof s);
    snprintf(want, n, "‖contribution‖ %s", s);
}

/* A node y over three operands (x an input [2,C], w, and b [C], the third kept
 * in the tensor payload, added to every row of y): three edges in operand
 * order, each drawn with its contribution, and the JSON lists three parents
 * and an edge with operand 2. */
static void check_three_edges(mg_graph *mg, mg_tensor *x, mg_tensor *w, mg_tensor *b,
                              mg_tensor *y, const char *op)
{
    const int C = b->numel;
    mg_tensor *loss = mg_tensor_sum(mg_tensor_mul(y, y), MG_AXIS_ALL, 0);
    ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);

    mg_edge e[MG_MAX_OPERANDS];
    ck_assert_int_eq(mg_node_edges(y->node, e), 3);
    const mg_tensor *from[] = {x, w, b};
    for (int i = 0; i < 3; i++) {
        ck_assert_ptr_eq(e[i].from, from[i]->node);
        ck_assert_ptr_eq(e[i].to, y->node);
        ck_assert_int_eq(e[i].operand, i);
    }
    ck_assert_int_eq(mg_value_parent_count(y->node), 3);
    ck_assert_ptr_eq(mg_tensor_parent(y, 2), b);
    /* b's edge carries b's whole grad: Σ over rows of 2·y */
    double db[8];
    ck_assert_int_le(C, 8);
    ck_assert_int_eq(mg_tensor_edge_contribution(y, 2, db), MG_OK);
    for (int j = 0; j < C; j++) {
        ck_assert_double_eq_tol(db[j], 2 * (mg_tensor_get(y, j) + mg_tensor_get(y, C + j)), 1e-12);
        ck_assert_double_eq(db[j], mg_tensor_grad_at(b, j));
    }

    mg_viz_options o = {.edges = MG_VIZ_EDGES_GRAD, .no_heatmaps = true};
    Agraph_t *g = viz_dot(loss->node, &o);
    char want[64];
    norm_label(w, want, sizeof want);
    ck_assert_str_eq(viz_attr(edge_into(g, "", w->node, y->node), "label"), want);
    norm_label(b, want, sizeof want);
    ck_assert_str_eq(viz_attr(edge_into(g, "", b->node, y->node), "label"), want);
    ck_assert_str_eq(viz_attr(edge_into(g, "", x->node, y->node), "label"), "no grad sent (input)");
    ck_assert_ptr_nonnull(strstr(viz_attr(named(g, "", "op", y->node->id), "label"), op));
    agclose(g);

    char *json, parents[64], edge[64];
    size_t len;
    mg_error err;
    ck_assert_int_eq(mg_export_json_data(loss->node, NULL, 0, MG_EXPORT_COMPACT, &json, &len, &err),
                     MG_OK);
    snprintf(parents, sizeof parents, "\"parents\":[%u,%u,%u]", x->node->id, w->node->id,
             b->node->id);
    snprintf(edge, sizeof edge, "{\"from\":%u,\"to\":%u,\"operand\":2,", b->node->id,
             y->node->id);
    ck_assert_msg(strstr(json, parents) != NULL, "no %s", parents);
    ck_assert_msg(strstr(json, edge) != NULL, "no %s", edge);
    free(json);
    mg_graph_free(mg);
}

/* A linear node's operands: x, W and b. */
START_TEST(test_linear_has_three_edges)
{
    mg_graph *mg = mg_graph_new();
    mg_tensor *x = mg_tensor_label(mg_tensor_input(mg, MG_F64, 2, (const int[]){2, 3}), "x");
    mg_tensor *w = mg_tensor_label(mg_tensor_param(mg, MG_F64, 2, (const int[]){3, 2}), "W");
    mg_tensor *b = mg_tensor_label(mg_tensor_param(mg, MG_F64, 1, (const int[]){2}), "b");
    for (int i = 0; i < 6; i++) {
        mg_tensor_set(x, i, 0.5 * i - 1);
        mg_tensor_set(w, i, 0.25 * i + 0.1);
    }
    mg_tensor_set(b, 0, 0.5);
    mg_tensor_set(b, 1, -0.5);
    check_three_edges(mg, x, w, b, mg_tensor_linear(x, w, b), "linear");
}
END_TEST

/* A layer norm's operands: x, gamma and beta (the picture draws beta's edge
 * into the layer_norm node, as a + after it drew it before). */
START_TEST(test_layer_norm_has_three_edges)
{
    mg_graph *mg = mg_graph_new();
    mg_tensor *x = mg_tensor_label(mg_tensor_input(mg, MG_F64, 2, (const int[]){2, 3}), "x");
    mg_tensor *gamma = mg_tensor_label(mg_tensor_param(mg, MG_F64, 1, (const int[]){3}), "gamma");
    mg_tensor *beta = mg_tensor_label(mg_tensor_param(mg, MG_F64, 1, (const int[]){3}), "beta");
    for (int i = 0; i < 6; i++)
        mg_tensor_set(x, i, 0.5 * i * i - 1);
    for (int i = 0; i < 3; i++) {
        mg_tensor_set(gamma, i, 0.25 * i + 0.5);
        mg_tensor_set(beta, i, 0.5 - 0.3 * i);
    }
    check_three_edges(mg, x, gamma, beta, mg_tensor_layer_norm(x, gamma, beta, 1e-5),
                      "layer_norm");
}
END_TEST

static Suite *edges_suite(void)
{
    Suite *s = suite_create("viz_edges");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_every_edge_reads_the_chain_rule);
    tcase_add_test(tc, test_the_tanh_neuron_and_a_reused_value);
    tcase_add_test(tc, test_when_edges_are_labelled);
    tcase_add_test(tc, test_before_after_labels_the_after_side);
    tcase_add_test(tc, test_folded_edges);
    tcase_add_test(tc, test_tensor_edges_read_their_contribution);
    tcase_add_test(tc, test_linear_has_three_edges);
    tcase_add_test(tc, test_layer_norm_has_three_edges);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(edges_suite()); }

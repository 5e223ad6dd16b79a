/* test_viz_groups.c — folding that informs: sibling scopes of one shape
 * folded into one "×N" group box with the distribution of their outputs,
 * boxes showing values (outputs, parameter norms, grad norm, NaN/Inf),
 * natural order, opening one member, and node counts that agree between the
 * fold plan, its JSON (what the inspector reads), mg_inspect_count() and the
 * picture. Expected numbers are computed here from the graph itself. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_format.h"
#include "mg_gpt.h"
#include "mg_inspect.h"
#include "mg_loss.h"
#include "mg_nn.h"
#include "mg_node_stats.h"
#include "mg_viz.h"
#include "test_viz_util.h"

/* One sample of micrograd's moons MLP 2-16-16-1 in scope "sample0", with
 * its SVM term: the "one sample" graph of mgviz train (about 650 nodes). */
typedef struct one_sample {
    mg_graph *g;
    mg_mlp *m;
    mg_value *loss;
} one_sample;

static one_sample make_poisoned(double x0, double x1, long poison);

static one_sample make_sample(double x0, double x1)
{
    return make_poisoned(x0, x1, -1);
}

/* As make_sample, with parameter number poison (>= 0) set to NaN first. */
static one_sample make_poisoned(double x0, double x1, long poison)
{
    one_sample t;
    mg_error err;
    int nouts[] = {16, 16, 1};
    t.g = mg_graph_new();
    t.m = mg_mlp_new(t.g, 2, nouts, 3, MG_NONLIN_RELU, MG_NONLIN_LINEAR, 1337, &err);
    ck_assert_msg(t.m != NULL, "%s", err.message);
    if (poison >= 0) {
        size_t np;
        mg_mlp_parameters(t.m, &np)[poison]->data = NAN;
    }
    mg_scope_push(t.g, "sample0");
    mg_value *x[2] = {mg_input(t.g, x0), mg_input(t.g, x1)}, *score;
    ck_assert_int_eq(mg_mlp_forward(t.m, x, &score), MG_OK);
    t.loss = mg_relu(mg_rsubc(mg_mulc(score, -1.0), 1.0));
    mg_scope_pop(t.g);
    ck_assert_ptr_null(mg_graph_error(t.g));
    return t;
}

static void free_sample(one_sample *t)
{
    mg_mlp_free(t->m);
    mg_graph_free(t->g);
}

static uint32_t scope_id(const mg_graph *g, const char *path)
{
    char buf[256];
    for (uint32_t s = 0; s < mg_scope_count(g); s++) {
        mg_scope_path(g, s, buf, sizeof buf);
        if (strcmp(buf, path) == 0)
            return s;
    }
    ck_abort_msg("no scope %s", path);
    return 0;
}

/* The plan's box whose scope (a group's first member) is path, or fails. */
static const mg_viz_box *box_named(const mg_viz_fold_plan *p, const mg_graph *g,
                                   const char *path)
{
    uint32_t s = scope_id(g, path);
    for (size_t b = 0; b < p->nboxes; b++)
        if (p->boxes[b].scope == s && !p->boxes[b].leaves)
            return &p->boxes[b];
    ck_abort_msg("no box for %s", path);
    return NULL;
}

/* The label of the picture's node named name (format with one %u). */
static char *label_of(mg_value *root, const mg_viz_options *o, const char *fmt, unsigned id,
                      char **klass)
{
    char *text = viz_render(root, "dot", o, NULL);
    Agraph_t *g = agmemread(text);
    free(text);
    ck_assert_ptr_nonnull(g);
    char name[64];
    snprintf(name, sizeof name, fmt, id);
    Agnode_t *n = agnode(g, name, 0);
    ck_assert_msg(n != NULL, "no node %s in the picture", name);
    char *label = strdup(agget(n, "label"));
    if (klass)
        *klass = strdup(agget(n, "class"));
    agclose(g);
    return label;
}

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The row "<name> | min | median | max" as the label writes it, from xs. */
static void spread_row(const char *name, double *xs, size_t n, char *buf, size_t len)
{
    char lo[32], mid[32], hi[32];
    qsort(xs, n, sizeof *xs, dcmp);
    mg_format_display(xs[0], MG_VIZ_PRECISION, lo, sizeof lo);
    mg_format_display(n % 2 ? xs[n / 2] : 0.5 * (xs[n / 2 - 1] + xs[n / 2]), MG_VIZ_PRECISION,
                      mid, sizeof mid);
    mg_format_display(xs[n - 1], MG_VIZ_PRECISION, hi, sizeof hi);
    snprintf(buf, len,
             "%s</TD><TD ALIGN=\"LEFT\">%s</TD><TD ALIGN=\"LEFT\">%s</TD><TD ALIGN=\"LEFT\">%s</TD>",
             name, lo, mid, hi);
}

START_TEST(test_neurons_fold_into_one_group)
{
    one_sample t = make_sample(0.5, -0.3);
    mg_viz_fold_plan p;
    mg_error err;
    ck_assert_int_eq(mg_viz_fold_plan_make(t.loss, NULL, &p, &err), MG_OK);
    ck_assert_uint_gt(p.nboxes, 0);
    for (int layer = 1; layer <= 2; layer++) {
        char path[64];
        snprintf(path, sizeof path, "sample0/mlp/layer%d/neuron1", layer);
        const mg_viz_box *box = box_named(&p, t.g, path);
        ck_assert_uint_eq(box->nmembers, 16);
        /* members in natural order: neuron1, neuron2, ..., neuron16 */
        for (uint32_t k = 0; k < 16; k++) {
            char want[16];
            snprintf(want, sizeof want, "neuron%u", k + 1);
            ck_assert_str_eq(mg_scope_name(t.g, box->members[k]), want);
        }
        /* a neuron of layer L has nin weights and a bias: its params live in it */
        size_t nin = layer == 1 ? 2 : 16;
        ck_assert_uint_eq(box->params, 16 * (nin + 1));
        ck_assert_uint_eq(box->nodes % 16, 0);
    }
    /* the output neuron is alone: a plain box */
    ck_assert_uint_eq(box_named(&p, t.g, "sample0/mlp/layer3/neuron1")->nmembers, 1);
    /* the plan's JSON lists the layer-1 group's outputs: its 16 relus */
    mg_buf json = {0};
    mg_viz_fold_plan_json(&p, t.g, &json);
    ck_assert(!json.failed);
    char want[64];
    snprintf(want, sizeof want, "\"id\":\"group%u\"", scope_id(t.g, "sample0/mlp/layer1/neuron1"));
    const char *at = strstr(json.p, want);
    ck_assert_ptr_nonnull(at);
    at = strstr(at, "\"outputs\":[");
    ck_assert_ptr_nonnull(at);
    at += strlen("\"outputs\":[");
    size_t relus = 0;
    for (char *end; *at != ']'; at = end + (*end == ',')) {
        long id = strtol(at, &end, 10);
        ck_assert_ptr_ne(end, at);
        ck_assert_int_eq(mg_graph_node(t.g, (uint32_t)id)->op, MG_OP_RELU);
        relus++;
    }
    ck_assert_uint_eq(relus, 16);
    mg_buf_free(&json);
    mg_viz_fold_plan_free(&p);
    free_sample(&t);
}
END_TEST

/* The nodes of scope path (exactly) with op op. */
static size_t nodes_with_op(const one_sample *t, const char *prefix, mg_op op, double *data,
                            double *grad)
{
    size_t n = 0;
    char path[256];
    for (uint32_t id = 0; id <= t->loss->id; id++) {
        const mg_value *v = mg_graph_node(t->g, id);
        mg_scope_path(t->g, v->scope, path, sizeof path);
        if (v->op == op && strncmp(path, prefix, strlen(prefix)) == 0) {
            data[n] = v->data;
            grad[n++] = v->grad;
        }
    }
    return n;
}

START_TEST(test_group_box_shows_the_spread_of_its_outputs)
{
    one_sample t = make_sample(0.7, 0.2);
    mg_backward(t.loss);
    /* each layer-1 neuron's output is its relu */
    double data[16], grad[16];
    ck_assert_uint_eq(nodes_with_op(&t, "sample0/mlp/layer1/", MG_OP_RELU, data, grad), 16);
    char *label = label_of(t.loss, NULL, "group%u", scope_id(t.g, "sample0/mlp/layer1/neuron1"),
                           NULL);
    ck_assert_ptr_nonnull(strstr(label, "<B>neuron1 … neuron16</B>  ×16"));
    ck_assert_ptr_nonnull(strstr(label, "outputs (one each)"));
    char want[256];
    spread_row("  data", data, 16, want, sizeof want);
    ck_assert_msg(strstr(label, want), "%s lacks %s", label, want);
    spread_row("  grad", grad, 16, want, sizeof want);
    ck_assert_msg(strstr(label, want), "%s lacks %s", label, want);
    /* parameters: count, norm and grad norm over the 16 neurons' weights */
    size_t np;
    mg_value *const *params = mg_mlp_parameters(t.m, &np);
    double sq = 0, gsq = 0;
    for (size_t i = 0; i < 16 * 3; i++) { /* layer 1 comes first */
        sq += params[i]->data * params[i]->data;
        gsq += params[i]->grad * params[i]->grad;
    }
    char norm[32], gnorm[32];
    mg_format_display(sqrt(sq), MG_VIZ_PRECISION, norm, sizeof norm);
    mg_format_display(sqrt(gsq), MG_VIZ_PRECISION, gnorm, sizeof gnorm);
    snprintf(want, sizeof want, "48 params</TD><TD ALIGN=\"LEFT\" COLSPAN=\"3\">norm %s   grad norm %s",
             norm, gnorm);
    ck_assert_msg(strstr(label, want), "%s lacks %s", label, want);
    free(label);
    /* a page showing several states of one layout asks for counts only */
    mg_viz_options o = {.no_box_values = true};
    label = label_of(t.loss, &o, "group%u", scope_id(t.g, "sample0/mlp/layer1/neuron1"), NULL);
    ck_assert_ptr_nonnull(strstr(label, "each 8 nodes"));
    ck_assert_ptr_null(strstr(label, "outputs"));
    ck_assert_ptr_null(strstr(label, "norm"));
    free(label);
    free_sample(&t);
}
END_TEST

/* Three tensor blocks h = tanh(h·W) in scopes net/block1..block3, summed. */
static mg_tensor *tensor_blocks(mg_graph *g, mg_tensor *W[3], mg_tensor *h[3])
{
    mg_tensor *x = mg_tensor_input(g, MG_F64, 2, (const int[]){ 2, 4 });
    for (int i = 0; i < 8; i++)
        mg_tensor_set(x, i, 0.3 * i - 1.0);
    mg_tensor *at = x;
    mg_scope_push(g, "net");
    for (int b = 0; b < 3; b++) {
        char name[24];
        snprintf(name, sizeof name, "block%d", b + 1);
        mg_scope_push(g, name);
        W[b] = mg_tensor_param(g, MG_F64, 2, (const int[]){ 4, 4 });
        for (int i = 0; i < 16; i++) /* each block a different size: the norms tell them apart */
            mg_tensor_set(W[b], i, (b + 1) * 0.1 * ((i * 7) % 5 - 2));
        at = h[b] = mg_tensor_tanh(mg_tensor_matmul(at, W[b]));
        mg_scope_pop(g);
    }
    mg_scope_pop(g);
    /* x used at the top level too, so that it lives there, not in block1 */
    mg_tensor *loss = mg_tensor_add(mg_tensor_sum(mg_tensor_mul(at, at), MG_AXIS_ALL, 0),
                                    mg_tensor_sum(x, MG_AXIS_ALL, 0));
    ck_assert_ptr_nonnull(loss);
    ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
    return loss;
}

static void norm_cell(const mg_tensor *t, bool grad, char *buf, size_t n)
{
    char num[32];
    mg_format_display(mg_tensor_stats_of(t, grad).l2, MG_VIZ_PRECISION, num, sizeof num);
    snprintf(buf, n, "<TD ALIGN=\"RIGHT\">%s</TD>", num);
}

/* A box names the tensor ops it holds ("1 matmul", not "2 tensor"), and a
 * group of tensor blocks lists each block's norms: output, its grad, params,
 * their grad (a mean of each output would hide growth and decay with depth). */
START_TEST(test_tensor_group_names_ops_and_lists_blocks)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *W[3], *h[3];
    mg_tensor *loss = tensor_blocks(g, W, h);
    mg_viz_options o = { .fold_budget = 4 };
    mg_viz_fold_plan p;
    mg_error err;
    ck_assert_int_eq(mg_viz_fold_plan_make(loss->node, &o, &p, &err), MG_OK);
    const mg_viz_box *box = box_named(&p, g, "net/block1");
    ck_assert_uint_eq(box->nmembers, 3);
    ck_assert_uint_eq(box->tensor_op_count[MG_T_MATMUL], 3);
    mg_buf json = { 0 };
    mg_viz_fold_plan_json(&p, g, &json);
    ck_assert_msg(strstr(json.p, "\"by_op\":{\"leaf\":3,\"tanh\":3,\"matmul\":3}"), "%s",
                  json.p);
    mg_buf_free(&json);
    char *label = label_of(loss->node, &o, "group%u", scope_id(g, "net/block1"), NULL);
    ck_assert_msg(strstr(label, "each 3 nodes: 1 tanh, 1 matmul, 1 param"), "%s", label);
    ck_assert_msg(!strstr(label, "tensor"), "%s", label);
    for (int b = 0; b < 3; b++) {
        char want[512], cells[4][96];
        norm_cell(h[b], false, cells[0], sizeof cells[0]);
        norm_cell(h[b], true, cells[1], sizeof cells[1]);
        norm_cell(W[b], false, cells[2], sizeof cells[2]);
        norm_cell(W[b], true, cells[3], sizeof cells[3]);
        snprintf(want, sizeof want, "<TD ALIGN=\"LEFT\">block%d</TD>%s%s%s%s", b + 1, cells[0],
                 cells[1], cells[2], cells[3]);
        ck_assert_msg(strstr(label, want), "%s lacks %s", label, want);
    }
    free(label);
    mg_viz_fold_plan_free(&p);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_plain_box_shows_its_output_and_grad_norm)
{
    one_sample t = make_sample(0.7, 0.2);
    mg_backward(t.loss);
    /* the output neuron's output: the score, the last node made in it */
    uint32_t s = scope_id(t.g, "sample0/mlp/layer3/neuron1");
    const mg_value *score = NULL;
    for (uint32_t id = 0; id <= t.loss->id; id++)
        if (mg_graph_node(t.g, id)->scope == s)
            score = mg_graph_node(t.g, id);
    char *label = label_of(t.loss, NULL, "fold%u", scope_id(t.g, "sample0/mlp/layer3/neuron1"),
                           NULL);
    char want[160], d[32], g[32];
    mg_format_display(score->data, MG_VIZ_PRECISION, d, sizeof d);
    mg_format_display(score->grad, MG_VIZ_PRECISION, g, sizeof g);
    snprintf(want, sizeof want, "output</TD><TD ALIGN=\"LEFT\" COLSPAN=\"3\">data %s   grad %s", d, g);
    ck_assert_msg(strstr(label, want), "%s lacks %s", label, want);
    /* all grads: the norm over every node of the box */
    mg_viz_fold_plan p;
    ck_assert_int_eq(mg_viz_fold_plan_make(t.loss, NULL, &p, NULL), MG_OK);
    double gsq = 0;
    for (size_t id = 0; id < p.nnodes; id++)
        if (p.node_box[id] < p.nboxes && p.boxes[p.node_box[id]].scope == s) {
            double x = mg_graph_node(t.g, (uint32_t)id)->grad;
            gsq += x * x;
        }
    mg_format_display(sqrt(gsq), MG_VIZ_PRECISION, g, sizeof g);
    snprintf(want, sizeof want, "all grads</TD><TD ALIGN=\"LEFT\" COLSPAN=\"3\">norm %s", g);
    ck_assert_msg(strstr(label, want), "%s lacks %s", label, want);
    mg_viz_fold_plan_free(&p);
    free(label);
    free_sample(&t);
}
END_TEST

START_TEST(test_samples_fold_into_one_group_and_open)
{
    mg_graph *g = mg_graph_new();
    mg_mlp *m;
    mg_value *loss = viz_batch_loss(g, &m, 20);
    mg_viz_fold_plan p;
    mg_error err;
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, NULL, &p, &err), MG_OK);
    const mg_viz_box *box = box_named(&p, g, "sample0");
    ck_assert_uint_eq(box->nmembers, 20);
    ck_assert_str_eq(mg_scope_name(g, box->members[2]), "sample2");
    ck_assert_str_eq(mg_scope_name(g, box->members[19]), "sample19");
    ck_assert_uint_le(p.nboxes + p.drawn, MG_VIZ_FOLD_BUDGET);
    mg_viz_fold_plan_free(&p);

    /* opened: sample3 on its own, its inside folded (its neurons grouped) */
    mg_viz_options o = {.open_member = "sample3"};
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, &o, &p, &err), MG_OK);
    box = box_named(&p, g, "sample0");
    ck_assert_uint_eq(box->nmembers, 19);
    for (uint32_t k = 0; k < box->nmembers; k++)
        ck_assert_str_ne(mg_scope_name(g, box->members[k]), "sample3");
    ck_assert_uint_eq(box_named(&p, g, "sample3/mlp/layer1/neuron1")->nmembers, 4);
    /* every node of sample3 is outside the group */
    uint32_t s3 = scope_id(g, "sample3");
    size_t gi = (size_t)(box - p.boxes);
    for (size_t id = 0; id < p.nnodes; id++) {
        uint32_t s = p.home[id];
        while (mg_scope_depth(g, s) > 1)
            s = mg_scope_parent(g, s);
        if (s == s3)
            ck_assert_uint_ne(p.node_box[id], gi);
    }
    mg_viz_fold_plan_free(&p);

    /* a member deep inside: its ancestors open too */
    o.open_member = "sample3/mlp/layer1/neuron2";
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, &o, &p, &err), MG_OK);
    ck_assert_uint_eq(box_named(&p, g, "sample0")->nmembers, 19);
    ck_assert_uint_eq(box_named(&p, g, "sample3/mlp/layer1/neuron1")->nmembers, 3);
    ck_assert_uint_eq(box_named(&p, g, "sample3/mlp/layer1/neuron2")->nmembers, 1);
    mg_viz_fold_plan_free(&p);

    o.open_member = "sample99";
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, &o, &p, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "sample99"));
    mg_mlp_free(m);
    mg_graph_free(g);
}
END_TEST

/* How many members the group box holding scope path has: 1 for a plain box
 * of its own, 0 when no box holds it. */
static uint32_t group_size(const mg_viz_fold_plan *p, const mg_graph *g, const char *path)
{
    uint32_t s = scope_id(g, path);
    for (size_t b = 0; b < p->nboxes; b++)
        for (uint32_t k = 0; k < p->boxes[b].nmembers && !p->boxes[b].leaves; k++)
            if (p->boxes[b].members[k] == s)
                return p->boxes[b].nmembers;
    return 0;
}

/* A pre-norm step's shape in scopes ln1, attn, ln2 under the current scope:
 * ln1 and ln2 alike (x * gamma + beta). chained: ln1 -> attn -> ln2, as in a
 * transformer block; else ln2 reads x too and attn runs beside it. Returns
 * ln2's output; *attn gets attn's. */
static mg_value *norms_around_attention(mg_graph *g, mg_value *x, bool chained, double gamma,
                                        mg_value **attn)
{
    mg_scope_push(g, "ln1");
    mg_value *h = mg_add(mg_mul(x, mg_param(g, gamma)), mg_param(g, 0.1));
    mg_scope_pop(g);
    mg_scope_push(g, "attn");
    *attn = mg_tanh(mg_add(mg_exp(h), mg_mul(h, h)));
    mg_scope_pop(g);
    mg_scope_push(g, "ln2");
    mg_value *y = mg_add(mg_mul(chained ? *attn : x, mg_param(g, 0.7)), mg_param(g, -0.2));
    mg_scope_pop(g);
    return y;
}

/* Alike siblings with another sibling between them in the data flow are no
 * repeated step: a block's ln1 and ln2 stay two boxes, in their order, with
 * attention between; the same two side by side fold into one group. */
START_TEST(test_alike_scopes_apart_in_the_flow_stay_apart)
{
    for (int chained = 0; chained < 2; chained++) {
        mg_graph *g = mg_graph_new();
        mg_value *x = mg_input(g, 0.5), *a;
        mg_scope_push(g, "block");
        mg_value *y = norms_around_attention(g, x, chained, 1.5, &a);
        mg_scope_pop(g);
        /* x used at the top level too, so that it lives there, not in ln1 */
        mg_value *loss = mg_add(chained ? mg_mulc(y, 2.0) : mg_add(y, a), x);
        ck_assert_ptr_null(mg_graph_error(g));
        mg_viz_options o = {.fold_budget = 6};
        mg_viz_fold_plan p;
        mg_error err;
        ck_assert_int_eq(mg_viz_fold_plan_make(loss, &o, &p, &err), MG_OK);
        ck_assert_uint_eq(p.depth, 2);
        ck_assert_uint_eq(group_size(&p, g, "block/ln1"), chained ? 1 : 2);
        ck_assert_uint_eq(group_size(&p, g, "block/ln2"), chained ? 1 : 2);
        ck_assert_uint_eq(group_size(&p, g, "block/attn"), 1);
        mg_viz_fold_plan_free(&p);
        mg_graph_free(g);
    }
}
END_TEST

/* Blocks that feed each other in turn are a repeated step, whatever lies
 * inside each (here an ln1 -> attn -> ln2 that must not group): they fold
 * into one group. Opening a middle one puts it between the others: the
 * group splits into the runs before and after it. */
START_TEST(test_chained_blocks_fold_and_split_around_an_open_one)
{
    mg_graph *g = mg_graph_new();
    mg_value *x0 = mg_input(g, 0.3), *x = x0;
    mg_scope_push(g, "net");
    for (int b = 1; b <= 5; b++) {
        char name[24];
        snprintf(name, sizeof name, "block%d", b);
        mg_scope_push(g, name);
        mg_value *a;
        x = mg_add(x, norms_around_attention(g, x, true, 1.0 + 0.1 * b, &a));
        mg_scope_pop(g);
    }
    mg_scope_pop(g);
    mg_value *loss = mg_add(mg_mulc(x, 3.0), x0); /* x0 lives at the top level */
    ck_assert_ptr_null(mg_graph_error(g));
    mg_viz_options o = {.fold_budget = 4};
    mg_viz_fold_plan p;
    mg_error err;
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, &o, &p, &err), MG_OK);
    ck_assert_uint_eq(group_size(&p, g, "net/block1"), 5);
    mg_viz_fold_plan_free(&p);

    o = (mg_viz_options){.fold_budget = 12, .open_member = "net/block3"};
    ck_assert_int_eq(mg_viz_fold_plan_make(loss, &o, &p, &err), MG_OK);
    ck_assert_uint_eq(group_size(&p, g, "net/block1"), 2);
    ck_assert_uint_eq(group_size(&p, g, "net/block2"), 2);
    ck_assert_uint_eq(group_size(&p, g, "net/block4"), 2);
    ck_assert_uint_eq(box_named(&p, g, "net/block4")->members[1], scope_id(g, "net/block5"));
    ck_assert_uint_ne(group_size(&p, g, "net/block3/ln1"), 2);
    mg_viz_fold_plan_free(&p);
    mg_graph_free(g);
}
END_TEST

/* A 3-block GPT's loss after backward (tiny sizes, float64). */
static mg_tensor *tiny_gpt(mg_graph *g, mg_gpt **m)
{
    mg_error err;
    mg_gpt_config c = {.vocab = 5, .context = 4, .layers = 3, .heads = 2, .embd = 4};
    *m = mg_gpt_new(g, MG_F64, &c, 7, &err);
    ck_assert_msg(*m != NULL, "%s", err.message);
    const int32_t ids[] = {0, 3, 1, 4}, targets[] = {3, 1, 4, 2};
    mg_tensor *loss = mg_gpt_loss(*m, 1, 4, ids, targets);
    ck_assert_ptr_nonnull(loss);
    ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
    return loss;
}

/* How mgviz train draws a GPT: its last block open, its attention node by node. */
static const mg_viz_options gpt_drawing = {.fold_budget = 40, .open_member = "gpt/block3",
                                           .unfold_scope = "gpt/block3/attn"};

/* The GPT as mgviz train draws it: the other blocks are one group, and the
 * open block's ln1 and ln2 are never one. A plain box of tensors (the open
 * block's mlp/fc: W and b) lists each by name and shape with the L2 norms
 * of its data and grad, not a min / median / max across a weight matrix's
 * mean and a bias's. */
START_TEST(test_gpt_blocks_group_and_boxes_list_tensors)
{
    mg_graph *g = mg_graph_new();
    mg_gpt *m;
    mg_tensor *loss = tiny_gpt(g, &m);
    mg_viz_fold_plan p;
    mg_error err;
    ck_assert_int_eq(mg_viz_fold_plan_make(loss->node, &gpt_drawing, &p, &err), MG_OK);
    ck_assert_uint_eq(group_size(&p, g, "gpt/block1"), 2);
    ck_assert_uint_le(group_size(&p, g, "gpt/block3/ln1"), 1);
    ck_assert_uint_le(group_size(&p, g, "gpt/block3/ln2"), 1);
    ck_assert_uint_eq(group_size(&p, g, "gpt/block3/mlp/fc"), 1);
    mg_viz_fold_plan_free(&p);
    char *label = label_of(loss->node, &gpt_drawing, "fold%u", scope_id(g, "gpt/block3/mlp/fc"),
                           NULL);
    const mg_linear *fc = &m->blocks[2].fc;
    const mg_tensor *each[2] = {fc->W, fc->b};
    for (int i = 0; i < 2; i++) {
        char want[512], shape[32], data[32], grad[32];
        mg_tensor_shape_str(each[i], shape, sizeof shape);
        mg_format_display(mg_tensor_stats_of(each[i], false).l2, MG_VIZ_PRECISION, data,
                          sizeof data);
        mg_format_display(mg_tensor_stats_of(each[i], true).l2, MG_VIZ_PRECISION, grad,
                          sizeof grad);
        snprintf(want, sizeof want, "<TD ALIGN=\"LEFT\">%s</TD><TD ALIGN=\"LEFT\">%s</TD>"
                 "<TD ALIGN=\"RIGHT\">%s</TD><TD ALIGN=\"RIGHT\">%s</TD>", i ? "b" : "W",
                 shape, data, grad);
        ck_assert_msg(strstr(label, want), "%s lacks %s", label, want);
    }
    ck_assert_msg(!strstr(label, "median"), "%s", label);
    free(label);
    mg_gpt_free(m);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_natural_order)
{
    const char *sorted[] = {"", "block1", "block2", "block2/x", "block10", "block10a",
                            "neuron02", "neuron3", "neuron10", "sample9/mlp", "sample10/mlp"};
    size_t n = sizeof sorted / sizeof *sorted;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int c = mg_viz_natural_cmp(sorted[i], sorted[j]);
            ck_assert_msg(i < j ? c < 0 : i > j ? c > 0 : c == 0, "%s vs %s: %d", sorted[i],
                          sorted[j], c);
        }
    /* boxes of unlike scopes (no group) come in natural order, created in
     * reverse: block12 first */
    mg_graph *g = mg_graph_new();
    mg_value *acc = mg_input(g, 0.5);
    for (int k = 12; k >= 1; k--) {
        char name[16];
        snprintf(name, sizeof name, "block%d", k);
        mg_scope_push(g, name);
        for (int r = 0; r < k + 20; r++) /* a different shape each */
            acc = mg_tanh(mg_addc(acc, 0.01));
        mg_scope_pop(g);
    }
    mg_viz_options o = {.fold_budget = 20};
    mg_viz_fold_plan p;
    ck_assert_int_eq(mg_viz_fold_plan_make(acc, &o, &p, NULL), MG_OK);
    char prev[64] = "", path[64];
    size_t blocks = 0;
    for (size_t b = 0; b < p.nboxes; b++) {
        ck_assert_uint_eq(p.boxes[b].nmembers, 1);
        mg_scope_path(g, p.boxes[b].scope, path, sizeof path);
        ck_assert_msg(mg_viz_natural_cmp(prev, path) < 0, "%s before %s", prev, path);
        snprintf(prev, sizeof prev, "%s", path);
        blocks += strncmp(path, "block", 5) == 0;
    }
    ck_assert_uint_eq(blocks, 12);
    /* the picture creates them in that order too */
    char *dot = viz_render(acc, "dot", &o, NULL);
    const char *b2 = strstr(dot, "<B>block2</B>"), *b10 = strstr(dot, "<B>block10</B>");
    ck_assert(b2 && b10 && b2 < b10);
    free(dot);
    mg_viz_fold_plan_free(&p);
    mg_graph_free(g);
}
END_TEST

/* Box counts agree with mg_inspect_count() (what `mgviz inspect --counts`
 * prints) and with the plan's JSON (what the inspector reads). */
static void check_counts_agree(mg_value *root, const mg_viz_options *o)
{
    const mg_graph *g = root->graph;
    mg_viz_fold_plan p;
    mg_inspect_counts c;
    ck_assert_int_eq(mg_viz_fold_plan_make(root, o, &p, NULL), MG_OK);
    ck_assert_int_eq(mg_inspect_count(root, &c, NULL), MG_OK);
    ck_assert_uint_eq(p.total, c.nodes);
    size_t checked = 0;
    for (size_t b = 0; b < p.nboxes; b++) {
        const mg_viz_box *box = &p.boxes[b];
        size_t want = 0;
        for (uint32_t k = 0; k < box->nmembers; k++)
            want += c.in_scope[box->members[k]];
        /* a box holds its scopes whole unless it is one part of a split or
         * a shallow scope boxed by its own nodes (depth below the plan's);
         * a group always holds its members whole */
        if (box->leaves || (box->nmembers == 1 && mg_scope_depth(g, box->scope) < p.depth))
            continue;
        ck_assert_msg(box->nodes == want, "box %zu: %zu nodes, counts say %zu", b, box->nodes, want);
        checked++;
    }
    ck_assert_uint_gt(checked, 0);
    /* the JSON lists the same boxes and the same node -> box map */
    mg_buf json = {0};
    mg_viz_fold_plan_json(&p, g, &json);
    ck_assert(!json.failed);
    const char *nb = strstr(json.p, "\"node_box\":[");
    ck_assert_ptr_nonnull(nb);
    nb += strlen("\"node_box\":[");
    for (size_t id = 0; id < p.nnodes; id++) {
        char *end;
        long k = strtol(nb, &end, 10);
        long want = p.node_box[id] == MG_VIZ_NODE_DRAWN    ? -1
                    : p.node_box[id] == MG_VIZ_NODE_ABSENT ? -2
                                                           : (long)p.node_box[id];
        ck_assert_int_eq(k, want);
        nb = end + 1;
    }
    size_t ids = 0;
    for (const char *q = json.p; (q = strstr(q, "{\"id\":\"")) != NULL; q++)
        ids++;
    ck_assert_uint_eq(ids, p.nboxes);
    viz_text_check(json.p, "fold plan JSON");
    mg_buf_free(&json);
    mg_inspect_counts_free(&c);
    mg_viz_fold_plan_free(&p);
}

START_TEST(test_counts_agree_everywhere)
{
    one_sample t = make_sample(0.1, 0.9);
    check_counts_agree(t.loss, NULL);
    /* a neuron's box counts its weights (they live where they are used),
     * and so does mgviz inspect --counts */
    mg_inspect_counts c;
    ck_assert_int_eq(mg_inspect_count(t.loss, &c, NULL), MG_OK);
    uint32_t n1 = scope_id(t.g, "sample0/mlp/layer1/neuron1");
    ck_assert_uint_eq(c.in_scope[n1], 8); /* 2 w, b, 2 *, 2 +, relu */
    mg_inspect_counts_free(&c);
    free_sample(&t);

    mg_graph *g = mg_graph_new();
    mg_mlp *m;
    mg_value *loss = viz_batch_loss(g, &m, 20);
    check_counts_agree(loss, NULL);
    mg_viz_options o = {.open_member = "sample4"};
    check_counts_agree(loss, &o);
    mg_mlp_free(m);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_nonfinite_member_marks_its_group)
{
    /* one weight of layer-1 neuron 5 is NaN, and so is its output */
    one_sample t = make_poisoned(0.7, 0.2, 4 * 3);
    mg_backward(t.loss);
    char *klass = NULL;
    char *label = label_of(t.loss, NULL, "group%u", scope_id(t.g, "sample0/mlp/layer1/neuron1"),
                           &klass);
    ck_assert_str_eq(klass, "fold group nonfinite");
    ck_assert_ptr_nonnull(strstr(label, "NaN/Inf"));
    free(label);
    free(klass);
    char *dot = viz_render(t.loss, "dot", NULL, NULL);
    viz_text_check(dot, "folded DOT with NaN");
    ck_assert_ptr_nonnull(strstr(dot, "NaN or Inf"));
    free(dot);
    char *svg = viz_render(t.loss, "svg", NULL, NULL);
    viz_text_check(svg, "folded SVG with NaN");
    free(svg);
    free_sample(&t);
}
END_TEST

START_TEST(test_folded_batch_is_honest_after_backward)
{
    mg_graph *g = mg_graph_new();
    mg_mlp *m;
    mg_value *loss = viz_batch_loss(g, &m, 20);
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "mgviz-groups");
    snprintf(path, sizeof path, "%s/both.svg", dir);
    mg_viz_options o = {.open_member = "sample1"};
    mg_error err;
    ck_assert_msg(mg_draw_backward(loss, path, &o, &err) == MG_OK, "%s", err.message);
    char *svg = tu_slurp(path, NULL);
    ck_assert_ptr_nonnull(svg);
    viz_text_check(svg, "before/after folded SVG");
    /* the after side shows the group's grads: they are not all zero */
    ck_assert_ptr_nonnull(strstr(svg, "id=\"bgroup"));
    free(svg);
    tu_rmrf(dir);
    mg_mlp_free(m);
    mg_graph_free(g);
}
END_TEST

static Suite *groups_suite(void)
{
    Suite *s = suite_create("viz_groups");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_neurons_fold_into_one_group);
    tcase_add_test(tc, test_group_box_shows_the_spread_of_its_outputs);
    tcase_add_test(tc, test_tensor_group_names_ops_and_lists_blocks);
    tcase_add_test(tc, test_plain_box_shows_its_output_and_grad_norm);
    tcase_add_test(tc, test_samples_fold_into_one_group_and_open);
    tcase_add_test(tc, test_alike_scopes_apart_in_the_flow_stay_apart);
    tcase_add_test(tc, test_chained_blocks_fold_and_split_around_an_open_one);
    tcase_add_test(tc, test_gpt_blocks_group_and_boxes_list_tensors);
    tcase_add_test(tc, test_natural_order);
    tcase_add_test(tc, test_counts_agree_everywhere);
    tcase_add_test(tc, test_nonfinite_member_marks_its_group);
    tcase_add_test(tc, test_folded_batch_is_honest_after_backward);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(groups_suite()); }

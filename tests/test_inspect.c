/* test_inspect.c — graph queries (mg_inspect.h) on graphs built by hand, and
 * the graph JSON and text exports (mg_export.h). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mg_export.h"
#include "mg_inspect.h"
#include "mg_tensor.h"
#include "test_util.h"

/* ---- queries ---- */

START_TEST(test_counts_and_depth)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_label(mg_input(g, 2.0), "x");
    mg_value *w = mg_label(mg_param(g, 0.5), "w");
    mg_value *unused = mg_input(g, 9.0);
    ck_assert_int_eq(mg_scope_push(g, "layer"), MG_OK);
    mg_value *h = mg_tanh(mg_mul(w, x));          /* *, tanh in layer */
    mg_scope_pop(g);
    mg_value *y = mg_addc(h, 1.0);                /* const 1, + */
    (void)unused;
    mg_inspect_counts c;
    ck_assert_int_eq(mg_inspect_count(y, &c, NULL), MG_OK);
    ck_assert_uint_eq(c.nodes, 6);                /* x w * tanh 1 + ; not `unused` */
    ck_assert_uint_eq(c.inputs, 1);
    ck_assert_uint_eq(c.params, 1);
    ck_assert_uint_eq(c.consts, 1);
    ck_assert_uint_eq(c.by_op[MG_OP_LEAF], 3);
    ck_assert_uint_eq(c.by_op[MG_OP_MUL], 1);
    ck_assert_uint_eq(c.by_op[MG_OP_TANH], 1);
    ck_assert_uint_eq(c.by_op[MG_OP_ADD], 1);
    /* x and w are used only in layer, so they live there (mg_inspect_homes) */
    ck_assert_uint_eq(c.by_scope[MG_SCOPE_ROOT], 2);
    ck_assert_uint_eq(c.by_scope[1], 4);
    ck_assert_uint_eq(c.in_scope[MG_SCOPE_ROOT], 6);
    ck_assert_uint_eq(c.in_scope[1], 4);
    ck_assert_uint_eq(c.depth, 3);                /* x -> * -> tanh -> + */
    mg_inspect_counts_free(&c);

    mg_inspect_paths p;
    ck_assert_int_eq(mg_inspect_longest_path(y, &p, NULL), MG_OK);
    ck_assert_uint_eq(p.npaths, 1);
    ck_assert_uint_eq(p.start[1], 4);
    ck_assert(p.ids[0] == x->id || p.ids[0] == w->id);
    ck_assert_uint_eq(p.ids[1], h->a->id);
    ck_assert_uint_eq(p.ids[2], h->id);
    ck_assert_uint_eq(p.ids[3], y->id);
    mg_inspect_paths_free(&p);
    mg_graph_free(g);
}
END_TEST

/* A ladder: v_{i+1} = v_i * v_i + v_i doubles the paths from x each rung. */
START_TEST(test_paths)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_label(mg_input(g, 0.5), "x");
    mg_value *v = x;
    int rungs = 70; /* 2^70 paths: the count saturates */
    for (int i = 0; i < rungs; i++)
        v = mg_add(mg_mul(v, v), v);
    mg_inspect_paths p;
    ck_assert_int_eq(mg_inspect_paths_find(v, x, 5, &p, NULL), MG_OK);
    ck_assert(p.total == UINT64_MAX);
    ck_assert_uint_eq(p.npaths, 5);
    for (size_t k = 0; k < p.npaths; k++) {
        ck_assert_uint_eq(p.ids[p.start[k]], x->id);
        ck_assert_uint_eq(p.ids[p.start[k + 1] - 1], v->id);
    }
    mg_inspect_paths_free(&p);

    /* Three rungs: 2^3 paths, all listed, all distinct, each a real chain. */
    mg_graph *h = mg_graph_new();
    mg_value *a = mg_input(h, 1.0), *r = a;
    for (int i = 0; i < 3; i++)
        r = mg_add(mg_mul(r, r), r);
    ck_assert_int_eq(mg_inspect_paths_find(r, a, 100, &p, NULL), MG_OK);
    ck_assert(p.total == 8);
    ck_assert_uint_eq(p.npaths, 8);
    for (size_t k = 0; k < p.npaths; k++)
        for (size_t i = p.start[k] + 1; i < p.start[k + 1]; i++) {
            const mg_value *child = mg_graph_node(h, p.ids[i]);
            ck_assert(child->a->id == p.ids[i - 1] ||
                      (mg_value_parent_count(child) == 2 && child->b->id == p.ids[i - 1]));
        }
    for (size_t k = 1; k < p.npaths; k++) {
        size_t la = p.start[k] - p.start[k - 1], lb = p.start[k + 1] - p.start[k];
        ck_assert(la != lb || memcmp(p.ids + p.start[k - 1], p.ids + p.start[k],
                                     la * sizeof *p.ids) != 0);
    }
    mg_inspect_paths_free(&p);

    /* A node that does not feed the root has no path; that is not an error. */
    mg_value *lonely = mg_input(h, 3.0);
    ck_assert_int_eq(mg_inspect_paths_find(r, lonely, 10, &p, NULL), MG_OK);
    ck_assert(p.total == 0);
    ck_assert_uint_eq(p.npaths, 0);
    mg_inspect_paths_free(&p);
    mg_error err;
    ck_assert_int_eq(mg_inspect_paths_find(r, x, 10, &p, &err), MG_EINVAL);
    mg_graph_free(g);
    mg_graph_free(h);
}
END_TEST

START_TEST(test_top_grads)
{
    mg_graph *g = mg_graph_new();
    mg_value *a = mg_input(g, 1.0), *b = mg_input(g, -5.0), *c = mg_input(g, 2.0);
    mg_value *y = mg_add(mg_add(mg_mulc(a, 3.0), mg_mulc(b, -7.0)), c);
    ck_assert_int_eq(mg_backward(y), MG_OK);
    const mg_value *top[10];
    size_t found;
    ck_assert_int_eq(mg_inspect_top_grads(y, 2, top, &found, NULL), MG_OK);
    ck_assert_uint_eq(found, 2);
    ck_assert_ptr_eq(top[0], b);                  /* |-7| */
    ck_assert(top[1]->flags & MG_FLAG_CONST);     /* the constant -7: grad b = -5 */
    ck_assert_double_eq(top[1]->grad, -5.0);
    ck_assert_int_eq(mg_inspect_top_grads(y, 10, top, &found, NULL), MG_OK);
    ck_assert_uint_eq(found, 5);                  /* a b c and two constants */
    for (size_t k = 1; k < found; k++)
        ck_assert(fabs(top[k - 1]->grad) >= fabs(top[k]->grad));
    /* NaN grads come first. */
    a->grad = NAN;
    ck_assert_int_eq(mg_inspect_top_grads(y, 1, top, &found, NULL), MG_OK);
    ck_assert_ptr_eq(top[0], a);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_first_nonfinite_and_children)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_label(mg_input(g, -1.0), "x");
    mg_value *y = mg_input(g, 2.0);
    mg_value *fine = mg_mul(x, y);
    mg_value *bad = mg_log(x);                    /* log(-1) = NaN */
    mg_value *r = mg_add(mg_mul(bad, y), fine);
    ck_assert_ptr_eq(mg_inspect_first_nonfinite(r), bad);
    ck_assert_ptr_null(mg_inspect_first_nonfinite(fine));
    uint32_t *ids;
    size_t n;
    ck_assert_int_eq(mg_inspect_children(r, x, &ids, &n, NULL), MG_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(ids[0], fine->id);
    ck_assert_uint_eq(ids[1], bad->id);
    free(ids);
    ck_assert_int_eq(mg_inspect_children(r, r, &ids, &n, NULL), MG_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(ids);
    /* Finding nodes by id and by label. */
    ck_assert_ptr_eq(mg_inspect_find(r, "x"), x);
    ck_assert_ptr_eq(mg_inspect_find(r, "#2"), fine);
    ck_assert_ptr_eq(mg_inspect_find(r, "3"), bad);
    ck_assert_ptr_null(mg_inspect_find(r, "99"));
    ck_assert_ptr_null(mg_inspect_find(r, "nobody"));
    ck_assert_ptr_null(mg_inspect_find(r, ""));
    mg_graph_free(g);
}
END_TEST

/* ---- exports ---- */

/* The text a stream export produces, via a temporary file. */
static char *capture_json(const mg_value *root, const mg_export_var *vars, size_t n,
                          unsigned flags)
{
    char *data;
    size_t len;
    ck_assert_int_eq(mg_export_json_data(root, vars, n, flags, &data, &len, NULL), MG_OK);
    ck_assert_uint_eq(len, strlen(data));
    return data;
}

START_TEST(test_json_shape)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_label(mg_input(g, 2.0), "x");
    mg_value *y = mg_label(mg_input(g, 3.0), "y");
    ck_assert_int_eq(mg_scope_push(g, "s"), MG_OK);
    mg_value *xy = mg_mul(x, y);
    mg_value *z = mg_add(xy, mg_pow(x, 2.0));
    mg_scope_pop(g);
    mg_backward(z);
    mg_export_var vars[] = {{"y", y}, {"x", x}};
    char *json = capture_json(z, vars, 2, MG_EXPORT_COMPACT);
    ck_assert_ptr_eq(strchr(json, '\n'), json + strlen(json) - 1); /* one line */
    ck_assert_ptr_nonnull(strstr(json, "{\"format\":\"mgviz-graph\",\"version\":2,\"value\":10,\"root\":4,"));
    ck_assert_ptr_nonnull(strstr(json, "\"grads\":{\"y\":2,\"x\":7}"));
    ck_assert_ptr_nonnull(strstr(json, "{\"id\":0,\"op\":\"\",\"label\":\"x\",\"kind\":\"input\","
                                       "\"data\":2,\"grad\":7,\"parents\":[],\"scope\":\"\"}"));
    ck_assert_ptr_nonnull(strstr(json, "{\"id\":3,\"op\":\"**2\",\"label\":\"\",\"kind\":\"op\","
                                       "\"k\":2,\"data\":4,\"grad\":1,\"parents\":[0],\"scope\":\"s\"}"));
    ck_assert_ptr_nonnull(strstr(json, "\"parents\":[2,3]"));
    /* the edges backward walked: x*y's two, x**2's one, +'s two; what each carried */
    ck_assert_ptr_nonnull(strstr(json, "\"edges\":[{\"from\":0,\"to\":2,\"operand\":0,"
                                       "\"local\":3,\"upstream\":1,\"contribution\":3},"));
    ck_assert_ptr_nonnull(strstr(json, "{\"from\":0,\"to\":3,\"operand\":0,\"local\":4,"
                                       "\"upstream\":1,\"contribution\":4}"));
    ck_assert_ptr_nonnull(strstr(json, "{\"from\":3,\"to\":4,\"operand\":1,\"local\":1,"
                                       "\"upstream\":1,\"contribution\":1}]}"));
    free(json);
    /* Without a list, the labelled inputs are the variables. */
    json = capture_json(z, NULL, 0, 0);
    ck_assert_ptr_nonnull(strstr(json, "\"grads\":{\"x\":7,\"y\":2}"));
    free(json);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_numbers_round_trip)
{
    const double xs[] = {0.1, 1.0 / 3.0, -2.5e-300, 5e-324, 1.7976931348623157e308,
                         -0.0, 123456789.0, 0.1 + 0.2};
    char buf[32];
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        size_t len = mg_format_double(xs[i], buf, sizeof buf);
        ck_assert_uint_eq(len, strlen(buf));
        double back = strtod(buf, NULL);
        ck_assert_msg(memcmp(&back, &xs[i], sizeof back) == 0, "%s != %.17g", buf, xs[i]);
    }
    mg_format_double(0.1, buf, sizeof buf);
    ck_assert_str_eq(buf, "0.1"); /* the shortest text that reads back */
    mg_format_double(NAN, buf, sizeof buf);
    ck_assert_str_eq(buf, "nan");
    mg_format_double(-INFINITY, buf, sizeof buf);
    ck_assert_str_eq(buf, "-inf");
    /* The one JSON number rule every writer uses: never -0, null for non-finite. */
    ck_assert_uint_eq(mg_format_json_number(-0.0, MG_PRECISION_DOUBLE, buf, sizeof buf), 1);
    ck_assert_str_eq(buf, "0");
    mg_format_json_number(-INFINITY, MG_PRECISION_DOUBLE, buf, sizeof buf);
    ck_assert_str_eq(buf, "null");
    mg_format_json_number(NAN, MG_PRECISION_DOUBLE, buf, sizeof buf);
    ck_assert_str_eq(buf, "null");
    mg_format_json_number(0.1 + 0.2, MG_PRECISION_DOUBLE, buf, sizeof buf);
    ck_assert_str_eq(buf, "0.30000000000000004");
    /* in a float's precision: the shortest text that reads back as the float */
    mg_format_json_number((double)0.1f, MG_PRECISION_DOUBLE, buf, sizeof buf);
    ck_assert_str_eq(buf, "0.10000000149011612");
    mg_format_json_number((double)0.1f, MG_PRECISION_FLOAT, buf, sizeof buf);
    ck_assert_str_eq(buf, "0.1");
    mg_format_json_number(-0.0f, MG_PRECISION_FLOAT, buf, sizeof buf);
    ck_assert_str_eq(buf, "0");
    for (int i = 1; i < 2000; i++) {
        const float f = 1.0f / (float)i * (i % 2 ? 1e-7f : 3e5f);
        ck_assert_uint_le(mg_format_json_number(f, MG_PRECISION_FLOAT, buf, sizeof buf), 15);
        ck_assert_msg((float)strtod(buf, NULL) == f, "%s != %.9g", buf, (double)f);
    }

    mg_graph *g = mg_graph_new();
    mg_value *x = mg_label(mg_input(g, -1.0), "we\"ird\\name\n");
    mg_value *r = mg_mul(mg_log(x), mg_rdivc(mg_addc(x, 1.0), 1.0));
    mg_backward(r);
    char *json = capture_json(r, NULL, 0, MG_EXPORT_COMPACT);
    ck_assert_ptr_nonnull(strstr(json, "\"label\":\"we\\\"ird\\\\name\\n\""));
    /* JSON has no NaN or infinity: null, spelled out in a companion member */
    ck_assert_ptr_nonnull(strstr(json, "\"data\":null,\"data_str\":\"nan\""));
    ck_assert_ptr_nonnull(strstr(json, "\"data\":null,\"data_str\":\"inf\""));
    ck_assert_ptr_null(strstr(json, "\"data\":\"")); /* never a string in place of a number */
    free(json);
    /* and zero is 0, never -0, in every number the JSON writes */
    mg_graph_reset(g);
    mg_value *nz = mg_input(g, -0.0), *two = mg_input(g, 2.0);
    mg_value *prod = mg_mul(mg_neg(nz), mg_mulc(two, -0.0));
    mg_backward(prod);
    json = capture_json(prod, NULL, 0, MG_EXPORT_COMPACT);
    ck_assert_ptr_null(strstr(json, "-0"));
    ck_assert_ptr_nonnull(strstr(json, "\"data\":0,"));
    free(json);
    mg_graph_free(g);
}
END_TEST

/* Tensor edges carry summaries of the upstream grad and the contribution
 * tensor; an input that requires no grad is sent nothing (null). */
START_TEST(test_tensor_edges_json)
{
    mg_graph *g = mg_graph_new();
    int s23[] = {2, 3}, s3[] = {3};
    mg_tensor *w = mg_tensor_param(g, MG_F64, 2, s23), *x = mg_tensor_input(g, MG_F64, 1, s3);
    for (int i = 0; i < 6; i++)
        mg_tensor_set(w, i, i - 2.0);
    mg_tensor_load(x, (const double[]){1.0, -2.0, 0.5});
    mg_tensor *loss = mg_tensor_sum(mg_tensor_mul(w, x), MG_AXIS_ALL, 0);
    mg_tensor_backward(loss);
    char *json = capture_json(loss->node, NULL, 0, MG_EXPORT_COMPACT);
    /* w's contribution is x broadcast over two rows: min -2, max 1, mean -1/6 */
    ck_assert_ptr_nonnull(strstr(json, "{\"from\":0,\"to\":2,\"operand\":0,\"upstream\":"
                                       "{\"count\":6,\"nonfinite\":0,\"min\":1,\"max\":1,"
                                       "\"mean\":1,\"l2\":2.449489742783178},\"contribution\":"
                                       "{\"count\":6,\"nonfinite\":0,\"min\":-2,\"max\":1,"
                                       "\"mean\":-0.16666666666666666,"));
    ck_assert_ptr_nonnull(strstr(json, "{\"from\":1,\"to\":2,\"operand\":1,\"upstream\":"));
    ck_assert_ptr_nonnull(strstr(json, "\"contribution\":null}"));
    ck_assert_ptr_null(strstr(json, "\"local\""));
    free(json);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_files_and_text)
{
    char dir[64];
    tu_tmpdir(dir, sizeof dir, "mgviz_export");
    char path[256], bad[256];
    snprintf(path, sizeof path, "%s/g.json", dir);
    snprintf(bad, sizeof bad, "%s/missing/g.json", dir);
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_label(mg_input(g, 2.0), "x");
    mg_value *z = mg_label(mg_mul(x, x), "z");
    mg_backward(z);
    ck_assert_int_eq(mg_export_json_file(path, z, NULL, 0, 0, NULL), MG_OK);
    FILE *f = fopen(path, "r");
    char text[4096] = "";
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    char *direct = capture_json(z, NULL, 0, 0);
    ck_assert_str_eq(text, direct);
    free(direct);
    mg_error err;
    ck_assert_int_eq(mg_export_json_file(bad, z, NULL, 0, 0, &err), MG_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, bad));
    ck_assert_int_eq(mg_export_json_file(path, NULL, NULL, 0, 0, &err), MG_EINVAL);

    snprintf(path, sizeof path, "%s/g.txt", dir);
    ck_assert_int_eq(mg_export_text_file(path, z, NULL, 0, NULL), MG_OK);
    f = fopen(path, "r");
    n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "value 4 (root #1)\ngrad x = 4\n"));
    ck_assert_ptr_nonnull(strstr(text, "label"));
    ck_assert_ptr_nonnull(strstr(text, " z "));
    remove(path);
    snprintf(path, sizeof path, "%s/g.json", dir);
    remove(path);
    ck_assert_int_eq(rmdir(dir), 0); /* no temporary files left behind */
    mg_graph_free(g);
}
END_TEST

static char *capture_text(const mg_value *root)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_int_eq(mg_export_text(f, root, NULL, 0, NULL), MG_OK);
    fclose(f);
    return buf;
}

/* The text export ends with backward as a worked example: each grad as the
 * sum of its edges' upstream × local, in the order backward added them. */
START_TEST(test_backward_worked_example)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_label(mg_input(g, 2.0), "x"), *y = mg_label(mg_input(g, 3.0), "y");
    mg_value *z = mg_add(mg_mul(x, y), x);
    mg_backward(z);
    char *text = capture_text(z);
    ck_assert_ptr_nonnull(strstr(text, "\n  +#3.grad = 1 (the root)\n"
                                       "  *#2.grad = 1 × 1 [via +#3] = 1\n"
                                       "  y.grad = 1 × x(2) [via *#2] = 2\n"
                                       "  x.grad = 1 × 1 [via +#3] + 1 × y(3) [via *#2] = 4\n"));
    free(text);
    /* a reused node accumulates: b = a + a; c = b * b */
    mg_graph_reset(g);
    mg_value *a = mg_label(mg_input(g, -1.5), "a");
    mg_value *b = mg_label(mg_add(a, a), "b"), *c = mg_label(mg_mul(b, b), "c");
    mg_backward(c);
    text = capture_text(c);
    ck_assert_ptr_nonnull(strstr(text, "  b.grad = 1 × b(-3) [via c] + 1 × b(-3) [via c] = -6\n"
                                       "  a.grad = -6 × 1 [via b] + -6 × 1 [via b] = -12\n"));
    free(text);
    /* PyTorch's rule: x ** 0 sends 0 even for an infinite upstream; a label
     * two nodes share gets their ids */
    mg_graph_reset(g);
    x = mg_label(mg_input(g, 2.0), "x");
    mg_value *p = mg_label(mg_pow(x, 0.0), "p");
    mg_value *q = mg_label(mg_mulc(mg_pow(p, 2.0), INFINITY), "p");
    mg_backward(q);
    text = capture_text(q);
    ck_assert_ptr_nonnull(strstr(text, "  x.grad = inf × 0 [via p#1, sends 0] = 0\n"));
    ck_assert_ptr_nonnull(strstr(text, "  p#4.grad = 1 (the root)\n"));
    free(text);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_import_round_trip)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_label(mg_input(g, -1.5), "x");
    mg_value *w = mg_label(mg_param(g, 0.25), "w");
    ck_assert_int_eq(mg_scope_push(g, "mlp"), MG_OK);
    ck_assert_int_eq(mg_scope_push(g, "layer1"), MG_OK);
    mg_value *h = mg_tanh(mg_add(mg_mul(w, x), mg_pow(x, -1.0)));
    mg_scope_pop(g);
    mg_scope_pop(g);
    mg_value *u = mg_sub(mg_sigmoid(mg_relu(mg_neg(h))), mg_exp(mg_log(x)));
    mg_value *r = mg_label(mg_divc(mg_pow_value(u, w), 3.0), "loss");
    mg_backward(r);
    char *first = capture_json(r, NULL, 0, 0);

    mg_graph *back = mg_graph_new();
    mg_value *root;
    mg_export_var *vars;
    size_t nvars;
    mg_error err;
    ck_assert_int_eq(mg_import_json(first, back, &root, &vars, &nvars, &err), MG_OK);
    ck_assert_uint_eq(root->id, r->id);
    ck_assert_uint_eq(nvars, 2);
    ck_assert_str_eq(vars[0].name, "x");
    ck_assert_ptr_eq(vars[1].node, mg_graph_node(back, w->id));
    char *second = capture_json(root, vars, nvars, 0);
    ck_assert_str_eq(first, second); /* data (NaN too), grads, ops, scopes, labels */
    free(first);
    free(second);
    free(vars);
    mg_graph_free(back);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_import_rejects_bad_files)
{
    static const struct { const char *text, *message; } cases[] = {
        {"{\"format\":\"mgviz-graph\",", "bad JSON at line 1, column 25"},
        {"[1, 2", "bad JSON"},
        {"{\"a\":1} x", "text after the JSON value"},
        {"{\"format\":\"other\",\"nodes\":[],\"root\":0}", "not an mgviz-graph"},
        {"{\"format\":\"mgviz-graph\",\"root\":0,\"nodes\":[{\"id\":0}]}", "node 0 lacks"},
        {"{\"format\":\"mgviz-graph\",\"root\":0,\"nodes\":[{\"id\":0,\"op\":\"+\","
         "\"kind\":\"op\",\"data\":1,\"grad\":0,\"parents\":[0,0]}]}", "earlier id"},
        {"{\"format\":\"mgviz-graph\",\"root\":0,\"nodes\":[{\"id\":0,\"op\":\"\","
         "\"kind\":\"input\",\"data\":\"lots\",\"grad\":0,\"parents\":[]}]}", "node 0 lacks"},
        {"{\"format\":\"mgviz-graph\",\"root\":3,\"nodes\":[{\"id\":0,\"op\":\"\","
         "\"kind\":\"input\",\"data\":1,\"grad\":0,\"parents\":[]}]}", "root 3"},
        {"{\"format\":\"mgviz-graph\",\"root\":1,\"nodes\":[{\"id\":0,\"op\":\"\","
         "\"kind\":\"input\",\"data\":1,\"grad\":0,\"parents\":[]},{\"id\":1,"
         "\"op\":\"frob\",\"kind\":\"op\",\"data\":1,\"grad\":0,\"parents\":[0]}]}",
         "unknown op 'frob'"},
        {"{\"format\":\"\\x\"}", "bad escape"},
        {"\"a string\"", "expected a JSON object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mg_graph *g = mg_graph_new();
        mg_value *root;
        mg_export_var *vars;
        size_t nvars;
        mg_error err;
        ck_assert_int_ne(mg_import_json(cases[i].text, g, &root, &vars, &nvars, &err), MG_OK);
        ck_assert_msg(strstr(err.message, cases[i].message) != NULL, "case %zu: '%s'", i,
                      err.message);
        ck_assert_ptr_null(root);
        free(vars);
        mg_graph_free(g);
    }
    /* 10000 nested arrays: refused, not a stack overflow. */
    char *deep = malloc(20010);
    strcpy(deep, "{\"a\":");
    memset(deep + 5, '[', 10000);
    memset(deep + 10005, ']', 10000);
    strcpy(deep + 20005, "}");
    mg_graph *g = mg_graph_new();
    mg_value *root;
    mg_export_var *vars;
    size_t nvars;
    mg_error err;
    ck_assert_int_eq(mg_import_json(deep, g, &root, &vars, &nvars, &err), MG_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "nested too deeply"));
    free(deep);
    mg_graph_free(g);
}
END_TEST

static Suite *inspect_suite(void)
{
    Suite *s = suite_create("inspect");
    TCase *q = tcase_create("queries");
    tcase_add_test(q, test_counts_and_depth);
    tcase_add_test(q, test_paths);
    tcase_add_test(q, test_top_grads);
    tcase_add_test(q, test_first_nonfinite_and_children);
    suite_add_tcase(s, q);
    TCase *e = tcase_create("export");
    tcase_add_test(e, test_json_shape);
    tcase_add_test(e, test_numbers_round_trip);
    tcase_add_test(e, test_tensor_edges_json);
    tcase_add_test(e, test_backward_worked_example);
    tcase_add_test(e, test_files_and_text);
    tcase_add_test(e, test_import_round_trip);
    tcase_add_test(e, test_import_rejects_bad_files);
    suite_add_tcase(s, e);
    return s;
}

int main(void)
{
    return tu_run_suite(inspect_suite());
}

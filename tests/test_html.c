/* test_html.c — the inspector page's C side: what the page embeds (SVG ids,
 * graph JSON, each state's numbers), escaping, size budget, errors, and
 * atomic writes. The page's behaviour is tested in a browser (tests/browser). */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"
#include "attention_graph.h"
#include "mg_html.h"

static char dir[64];

static void make_dir(void) { tu_tmpdir(dir, sizeof dir, "test_html"); }
static void remove_dir(void) { tu_rmrf(dir); }

static char *path_in_dir(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static int b64_value(char c)
{
    const char *digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(digits, c);
    return c && p ? (int)(p - digits) : -1;
}

/* Decodes the base64 string at p (up to its closing quote); *n bytes. */
static unsigned char *b64_bytes(const char *p, size_t *n)
{
    size_t len = strcspn(p, "\"");
    unsigned char *out = malloc(len);
    size_t k = 0;
    for (size_t i = 0; i + 4 <= len; i += 4) {
        int v[4];
        for (int j = 0; j < 4; j++)
            v[j] = p[i + j] == '=' ? 0 : b64_value(p[i + j]);
        ck_assert(v[0] >= 0 && v[1] >= 0 && v[2] >= 0 && v[3] >= 0);
        unsigned long w = (unsigned long)v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3];
        out[k++] = (unsigned char)(w >> 16);
        if (p[i + 2] != '=')
            out[k++] = (unsigned char)(w >> 8);
        if (p[i + 3] != '=')
            out[k++] = (unsigned char)w;
    }
    *n = k;
    return out;
}

/* Decodes the base64 string value of "key" found after from; *n bytes. */
static unsigned char *field_bytes(const char *from, const char *key, size_t *n)
{
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *p = strstr(from, pattern);
    ck_assert_msg(p != NULL, "no %s field", key);
    return b64_bytes(p + strlen(pattern), n);
}

/* The i-th little-endian double of a decoded array. */
static double le_double(const unsigned char *b, size_t i)
{
    uint64_t u = 0;
    for (int k = 7; k >= 0; k--)
        u = u << 8 | b[i * 8 + (size_t)k];
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

START_TEST(test_page_embeds_graph_and_both_states)
{
    make_dir();
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_label(mg_input(g, 2.0), "x");
    mg_value *y = mg_label(mg_input(g, 3.0), "y");
    mg_value *z = mg_add(mg_mul(x, y), x);
    mg_error err;
    ck_assert_int_eq(mg_html_write(z, path_in_dir("z.html"), NULL, &err), MG_OK);
    /* the call ran the backward pass */
    ck_assert_double_eq(x->grad, 4.0);
    ck_assert_double_eq(y->grad, 2.0);

    char *page = tu_text(dir, "z.html");
    ck_assert(strncmp(page, "<!DOCTYPE html>", 15) == 0);
    for (uint32_t id = 0; id < 4; id++) {
        char want[32];
        snprintf(want, sizeof want, "id=\"n%u\"", id);
        ck_assert_msg(strstr(page, want), "SVG has no value node %s", want);
    }
    ck_assert_ptr_nonnull(strstr(page, "id=\"op3\""));
    ck_assert_ptr_nonnull(strstr(page, "\"format\":\"mgviz-inspector\""));
    ck_assert_ptr_nonnull(strstr(page, "\"format\":\"mgviz-graph\""));
    ck_assert_ptr_null(strstr(page, "<?xml")); /* the SVG prolog was dropped */
    ck_assert_ptr_null(strstr(page, "src=\"http"));
    ck_assert_ptr_null(strstr(page, "href=\"http"));
    ck_assert_ptr_nonnull(strstr(page, "function")); /* the script is inline */

    const char *steps = strstr(page, "\"steps\":[");
    ck_assert_ptr_nonnull(steps);
    size_t n;
    unsigned char *data = field_bytes(steps, "data", &n);
    ck_assert_uint_eq(n, 4 * 8);
    ck_assert_double_eq(le_double(data, 0), 2.0);
    ck_assert_double_eq(le_double(data, 3), 8.0);
    unsigned char *grad = field_bytes(steps, "grad", &n);
    ck_assert_double_eq(le_double(grad, 0), 4.0);
    ck_assert_double_eq(le_double(grad, 1), 2.0);
    ck_assert_double_eq(le_double(grad, 3), 1.0);
    /* grads were all zero before: the page shows them as not computed */
    ck_assert_ptr_null(strstr(steps, "\"before\":"));
    free(data);
    free(grad);
    free(page);

    /* a second page: the leaves' grads before its backward pass are kept */
    ck_assert_int_eq(mg_html_write(z, path_in_dir("z2.html"), NULL, &err), MG_OK);
    ck_assert_double_eq(x->grad, 8.0); /* accumulated, as in PyTorch */
    page = tu_text(dir, "z2.html");
    unsigned char *before = field_bytes(strstr(page, "\"steps\":["), "before", &n);
    ck_assert_double_eq(le_double(before, 0), 4.0);
    ck_assert_double_eq(le_double(before, 1), 2.0);
    free(before);
    free(page);
    mg_graph_free(g);
    remove_dir();
}
END_TEST

/* A label or title holding markup must not end the page's script early. */
START_TEST(test_markup_in_labels_is_escaped)
{
    make_dir();
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_label(mg_input(g, 1.0), "</script><b>x&y");
    mg_value *z = mg_tanh(x);
    mg_html_options opt = { .title = "<i>title</i>" };
    mg_error err;
    ck_assert_int_eq(mg_html_write(z, path_in_dir("m.html"), &opt, &err), MG_OK);
    char *page = tu_text(dir, "m.html");
    ck_assert_uint_eq(tu_count(page, "</script"), 2); /* the template's own two */
    ck_assert_ptr_null(strstr(page, "<b>"));
    ck_assert_ptr_null(strstr(page, "<i>"));
    ck_assert_ptr_nonnull(strstr(page, "&lt;i&gt;title"));
    ck_assert_ptr_nonnull(strstr(page, "\\u003c/script\\u003e\\u003cb\\u003ex\\u0026y"));
    free(page);
    mg_graph_free(g);
    remove_dir();
}
END_TEST

START_TEST(test_nan_survives_as_bytes)
{
    make_dir();
    mg_graph *g = mg_graph_new();
    mg_value *y = mg_input(g, 3.0);
    mg_value *q = mg_log(mg_subc(y, 4.0));
    mg_error err;
    ck_assert_int_eq(mg_html_write(q, path_in_dir("nan.html"), NULL, &err), MG_OK);
    char *page = tu_text(dir, "nan.html");
    size_t n;
    unsigned char *data = field_bytes(strstr(page, "\"steps\":["), "data", &n);
    ck_assert(isnan(le_double(data, q->id)));
    ck_assert_ptr_nonnull(strstr(page, "\"value\":null,\"value_str\":\"nan\""));
    free(data);
    free(page);
    mg_graph_free(g);
    remove_dir();
}
END_TEST

/* A training-like loop: kept parameters, nodes rebuilt and reset each step. */
static mg_value *step_graph(mg_graph *g, mg_value *w, double x)
{
    return mg_pow(mg_subc(mg_mul(w, mg_input(g, x)), 1.0), 2.0);
}

START_TEST(test_steps_keep_each_steps_numbers)
{
    make_dir();
    mg_graph *g = mg_graph_new();
    mg_value *w = mg_label(mg_param(g, 0.5), "w");
    mg_graph_keep(g);
    mg_html_options opt = { .title = "steps" };
    mg_error err;
    mg_html_steps *s = mg_html_steps_new(&opt, &err);
    ck_assert_ptr_nonnull(s);
    double seen_w[3];
    for (int k = 0; k < 3; k++) {
        mg_value *loss = step_graph(g, w, 2.0);
        w->grad = 0;
        mg_backward(loss);
        seen_w[k] = w->data;
        mg_html_step info = { .step = 10 * k, .loss = loss->data, .accuracy = NAN };
        ck_assert_int_eq(mg_html_steps_add(s, loss, &info, &err), MG_OK);
        w->data -= 0.1 * w->grad;
        mg_graph_reset(g);
    }
    ck_assert_uint_eq(mg_html_steps_count(s), 3);
    long cs[] = { 0, 5, 10, 15, 20 };
    double cl[] = { 1, 0.5, NAN, 0.2, 0.1 };
    ck_assert_int_eq(mg_html_steps_set_curve(s, cs, cl, 5, &err), MG_OK);
    ck_assert_int_eq(mg_html_steps_write(s, path_in_dir("s.html"), &err), MG_OK);
    char *page = tu_text(dir, "s.html");
    const char *p = strstr(page, "\"steps\":[");
    for (int k = 0; k < 3; k++) {
        char want[32];
        snprintf(want, sizeof want, "{\"step\":%d,", 10 * k);
        p = strstr(p, want);
        ck_assert_msg(p != NULL, "no step %d", 10 * k);
        size_t n;
        unsigned char *data = field_bytes(p, "data", &n);
        ck_assert_double_eq(le_double(data, w->id), seen_w[k]);
        free(data);
    }
    ck_assert_ptr_nonnull(strstr(page, "\"curve\":{\"step\":[0,5,10,15,20],\"loss\":[1,0.5,null,0.2,0.1],"
                                       "\"loss_str\":[null,null,\"nan\",null,null]}"));
    ck_assert_ptr_nonnull(strstr(page, "\"accuracy\":null,\"accuracy_str\":\"nan\""));
    free(page);
    mg_html_steps_free(s);
    mg_graph_free(g);
    remove_dir();
}
END_TEST

/* Each step carries what backward sent along every operand edge, as the
 * engine reports it (mg_node_edges), in node id then operand order. */
START_TEST(test_edges_carry_the_chain_rule)
{
    make_dir();
    mg_graph *g = mg_graph_new();
    mg_value *a = mg_label(mg_input(g, 3.0), "a");
    mg_value *b = mg_label(mg_add(a, a), "b");
    mg_value *c = mg_label(mg_mul(b, b), "c");
    mg_error err;
    ck_assert_int_eq(mg_html_write(c, path_in_dir("e.html"), NULL, &err), MG_OK);
    char *page = tu_text(dir, "e.html");
    const char *step = strstr(page, "\"steps\":[");
    size_t nl, nc;
    unsigned char *local = field_bytes(step, "local", &nl);
    unsigned char *contrib = field_bytes(step, "contrib", &nc);
    ck_assert_uint_eq(nl, 4 * sizeof(double)); /* a+a and b*b: two edges each */
    ck_assert_ptr_null(strstr(page, "\"edges\":")); /* not twice: the graph JSON has none */
    ck_assert_uint_eq(nc, 4 * sizeof(double));
    size_t k = 0;
    double into_a = 0;
    const mg_value *computed[] = { b, c };
    for (int i = 0; i < 2; i++) {
        mg_edge e[MG_MAX_OPERANDS];
        ck_assert_int_eq(mg_node_edges(computed[i], e), 2);
        for (int j = 0; j < 2; j++, k++) {
            ck_assert_double_eq(le_double(local, k), e[j].local);
            ck_assert_double_eq(le_double(contrib, k), e[j].contribution);
            if (e[j].from == a)
                into_a += le_double(contrib, k);
        }
    }
    ck_assert_double_eq(into_a, a->grad); /* a's grad is what was sent to it */
    ck_assert_double_eq(a->grad, 24.0);
    free(local);
    free(contrib);
    free(page);
    mg_graph_free(g);
    remove_dir();
}
END_TEST

START_TEST(test_a_changed_shape_is_refused)
{
    mg_graph *g = mg_graph_new();
    mg_value *w = mg_param(g, 0.5);
    mg_graph_keep(g);
    mg_html_options opt = { .svg = "<svg></svg>" };
    mg_error err;
    mg_html_steps *s = mg_html_steps_new(&opt, &err);
    ck_assert_int_eq(mg_html_steps_add(s, step_graph(g, w, 1.0), NULL, &err), MG_OK);
    mg_graph_reset(g);
    mg_value *other = mg_tanh(step_graph(g, w, 1.0));
    ck_assert_int_eq(mg_html_steps_add(s, other, NULL, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "nodes"));
    mg_graph_reset(g);
    mg_value *swapped = mg_pow(mg_subc(mg_add(w, mg_input(g, 1.0)), 1.0), 2.0); /* + for * */
    ck_assert_int_eq(mg_html_steps_add(s, swapped, NULL, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "shape"));
    ck_assert_uint_eq(mg_html_steps_count(s), 1);
    mg_html_steps_free(s);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_errors_name_the_problem_and_write_nothing)
{
    make_dir();
    mg_error err;
    ck_assert_int_eq(mg_html_write(NULL, path_in_dir("a.html"), NULL, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "root"));
    ck_assert_int_eq(access(path_in_dir("a.html"), F_OK), -1);

    mg_graph *g = mg_graph_new();
    mg_value *z = mg_tanh(mg_input(g, 1.0));
    ck_assert_int_ne(mg_html_write(z, "/nonexistent-dir/x/a.html", NULL, &err), MG_OK);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent-dir/x"));

    mg_html_steps *s = mg_html_steps_new(NULL, &err);
    ck_assert_int_eq(mg_html_steps_write(s, path_in_dir("b.html"), &err), MG_EINVAL);
    ck_assert_int_eq(access(path_in_dir("b.html"), F_OK), -1);
    ck_assert_int_eq(mg_html_steps_add(NULL, z, NULL, &err), MG_EINVAL);
    ck_assert_int_eq(mg_html_steps_set_curve(s, NULL, NULL, 3, &err), MG_EINVAL);
    mg_html_steps_free(s);
    mg_html_steps_free(NULL);

    mg_html_options bad = { .svg = "not a picture" };
    ck_assert_int_eq(mg_html_write(z, path_in_dir("c.html"), &bad, &err), MG_EFORMAT);
    ck_assert_int_eq(access(path_in_dir("c.html"), F_OK), -1);
    mg_graph_free(g);
    remove_dir();
}
END_TEST

/* Rewriting a page replaces it whole and leaves no temporary file. */
START_TEST(test_rewrite_is_atomic)
{
    make_dir();
    mg_graph *g = mg_graph_new();
    mg_value *z = mg_tanh(mg_input(g, 1.0));
    FILE *f = fopen(path_in_dir("p.html"), "w");
    fputs("old", f);
    fclose(f);
    mg_error err;
    ck_assert_int_eq(mg_html_write(z, path_in_dir("p.html"), NULL, &err), MG_OK);
    char *page = tu_text(dir, "p.html");
    ck_assert(strncmp(page, "<!DOCTYPE html>", 15) == 0);
    free(page);
    DIR *d = opendir(dir);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)))
        files += e->d_name[0] != '.';
    closedir(d);
    ck_assert_int_eq(files, 1);
    mg_graph_free(g);
    remove_dir();
}
END_TEST

/* Many steps of a large graph: floats, then only the kept nodes on most
 * steps; the page stays under 20 MB and its last step keeps every node. */
/* Token positions: per position, each attention map's "flow" is one bit per
 * unmasked cell (head, query i, key j <= i), set where that position's loss
 * alone sent a nonzero grad: the last block passes it through query row p
 * only, the block below through rows 0..p; the page keeps no float per
 * cell, and the graph JSON keeps no tensor's arrays. */
START_TEST(test_positions_keep_a_bit_per_unmasked_cell)
{
    make_dir();
    mg_graph *g = mg_graph_new();
    attention_graph a;
    ck_assert_int_eq(attention_graph_build(g, &a, "the cat sat on", 2), 0);
    int T = a.T, H = AG_HEADS, p = 4;
    mg_error err;
    mg_html_options opt = { .logits = a.logits };
    ck_assert_int_eq(mg_html_write(a.loss->node, path_in_dir("att.html"), &opt, &err), MG_OK);
    char *page = tu_text(dir, "att.html");
    ck_assert_ptr_null(strstr(page, "\"data\": [")); /* no tensor's array in the graph JSON */
    ck_assert_ptr_null(strstr(page, "\"grad\":[\""));  /* nor per-position float grads */
    for (int blk = 0; blk < 2; blk++) {
        char key[64];
        snprintf(key, sizeof key, "{\"id\":%u,", a.att[blk]->node->id);
        const char *at = strstr(strstr(page, "\"positions\":"), key);
        ck_assert_ptr_nonnull(at);
        const char *flow = strstr(at, "\"flow\":[\"");
        ck_assert_ptr_nonnull(flow);
        flow += strlen("\"flow\":[\"");
        for (int k = 0; k < p; k++) /* to position p's bitset */
            flow = strstr(flow, ",\"") + 2;
        size_t n;
        unsigned char *bits = b64_bytes(flow, &n);
        size_t cells = (size_t)H * (size_t)T * (size_t)(T + 1) / 2;
        ck_assert_uint_eq(n, (cells + 7) / 8);
        size_t c = 0, on = 0, wrong = 0;
        for (int h = 0; h < H; h++)
            for (int i = 0; i < T; i++)
                for (int j = 0; j <= i; j++, c++) {
                    bool bit = bits[c / 8] >> (c % 8) & 1;
                    bool want = blk == 1 ? i == p : i <= p; /* block 2 is the last */
                    on += bit;
                    wrong += bit != want;
                }
        ck_assert_uint_eq(c, cells);
        ck_assert_uint_eq(wrong, 0);
        ck_assert_uint_eq(on, blk == 1 ? (size_t)(H * (p + 1)) : (size_t)(H * (p + 1) * (p + 2) / 2));
        free(bits);
    }
    free(page);
    mg_graph_free(g);
    remove_dir();
}
END_TEST

START_TEST(test_large_runs_fit_the_size_budget)
{
    make_dir();
    enum { PARAMS = 50, CHAIN = 40000, STEPS = 40 };
    mg_graph *g = mg_graph_new();
    mg_value *p[PARAMS];
    for (int i = 0; i < PARAMS; i++)
        p[i] = mg_param(g, 0.01 * i);
    mg_graph_keep(g);
    mg_html_options opt = { .svg = "<svg id=\"tiny\"></svg>" };
    mg_error err;
    mg_html_steps *s = mg_html_steps_new(&opt, &err);
    for (int k = 0; k < STEPS; k++) {
        mg_value *v = p[0];
        for (int i = 0; i < CHAIN; i++)
            v = mg_add(v, p[i % PARAMS]);
        mg_backward(v);
        ck_assert_int_eq(mg_html_steps_add(s, v, NULL, &err), MG_OK);
        mg_graph_zero_grad(g);
        mg_graph_reset(g);
    }
    ck_assert_int_eq(mg_html_steps_write(s, path_in_dir("big.html"), &err), MG_OK);
    size_t len;
    char *page = tu_slurp(path_in_dir("big.html"), &len);
    ck_assert_uint_lt(len, 20u << 20);
    ck_assert_ptr_nonnull(strstr(page, "\"encoding\":\"f32\""));
    ck_assert_ptr_nonnull(strstr(page, "\"partial\":true"));
    const char *last = strstr(page, "{\"step\":39,");
    ck_assert_ptr_nonnull(last);
    size_t n;
    unsigned char *data = field_bytes(last, "data", &n);
    ck_assert_uint_eq(n, (PARAMS + CHAIN) * 4);
    free(data);
    const char *partial = strstr(page, "{\"step\":38,");
    data = field_bytes(partial, "data", &n);
    ck_assert_uint_eq(n, PARAMS * 4);
    free(data);
    const char *local = strstr(partial, "\"local\":");
    ck_assert(local == NULL || local > last); /* a step of only parameters has no edges */
    free(page);
    mg_html_steps_free(s);
    mg_graph_free(g);
    remove_dir();
}
END_TEST

static Suite *html_suite(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("page");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_page_embeds_graph_and_both_states);
    tcase_add_test(tc, test_markup_in_labels_is_escaped);
    tcase_add_test(tc, test_nan_survives_as_bytes);
    tcase_add_test(tc, test_steps_keep_each_steps_numbers);
    tcase_add_test(tc, test_edges_carry_the_chain_rule);
    tcase_add_test(tc, test_a_changed_shape_is_refused);
    tcase_add_test(tc, test_errors_name_the_problem_and_write_nothing);
    tcase_add_test(tc, test_rewrite_is_atomic);
    tcase_add_test(tc, test_positions_keep_a_bit_per_unmasked_cell);
    tcase_add_test(tc, test_large_runs_fit_the_size_budget);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(html_suite());
}

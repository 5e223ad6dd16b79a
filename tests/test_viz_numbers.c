/* test_viz_numbers.c — honest numbers in pictures: "nan", "inf", "-inf" as
 * such, never "-nan" or "-0", in every label of DOT and SVG (folded boxes and
 * before/after pictures included); non-finite nodes marked in DOT, SVG and
 * PNG as the inspector marks them (red dashed border, class "nonfinite",
 * a legend line). */
#include <check.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_format.h"
#include "mg_loss.h"
#include "mg_nn.h"
#include "mg_viz.h"
#include "test_viz_util.h"

static Agnode_t *value_node(Agraph_t *g, const char *prefix, const mg_value *v)
{
    char name[32];
    snprintf(name, sizeof name, "%sn%u", prefix, v->id);
    Agnode_t *n = agnode(g, name, 0);
    ck_assert_msg(n != NULL, "no node %s", name);
    return n;
}

static int has_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; (p = strstr(p, word)) != NULL; p += n)
        if ((p == text || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

START_TEST(test_display_format)
{
    struct { double x; int digits; const char *want; } cases[] = {
        {NAN, 4, "nan"},     {-NAN, 4, "nan"},   {INFINITY, 4, "inf"},
        {-INFINITY, 4, "-inf"}, {0.0, 4, "0"},   {-0.0, 4, "0"},
        {-0.5, 4, "-0.5"},   {1.0 / 3, 4, "0.3333"}, {1.0 / 3, 2, "0.33"},
        {-1e-300, 4, "-1e-300"}, {123456, 3, "1.23e+05"}, {2.5, 0, "2"},
    };
    char buf[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = mg_format_display(cases[i].x, cases[i].digits, buf, sizeof buf);
        ck_assert_str_eq(buf, cases[i].want);
        ck_assert_uint_eq(len, strlen(cases[i].want));
    }
    /* a short buffer truncates as snprintf does and reports the full length */
    ck_assert_uint_eq(mg_format_display(-INFINITY, 4, buf, 3), 4);
    ck_assert_str_eq(buf, "-i");
}
END_TEST

START_TEST(test_the_scanner_catches_dishonesty)
{
    const char *bad[] = {"data -nan", "grad -0 }", "[-0, 1]", "-0"};
    const char *good[] = {"data nan | grad 0", "-0.5", "1e-05", "x-0a", "-10", "-inf", "r-0"};
    for (size_t i = 0; i < 4; i++)
        ck_assert_msg(viz_text_dishonest(bad[i], strlen(bad[i])) != NULL, "%s", bad[i]);
    for (size_t i = 0; i < 7; i++)
        ck_assert_msg(viz_text_dishonest(good[i], strlen(good[i])) == NULL, "%s", good[i]);
    char *plain = viz_text_unescape("grad &#45;0<", 12);
    ck_assert_str_eq(plain, "grad -0<");
    ck_assert_ptr_nonnull(viz_text_dishonest(plain, strlen(plain)));
    free(plain);
}
END_TEST

/* log(x) * y at x = -1: data NaN from log, then grad NaN into y; and a -0. */
typedef struct bad_graph {
    mg_graph *g;
    mg_value *x, *y, *logx, *prod, *z, *negzero, *inf, *root;
} bad_graph;

static bad_graph make_bad(void)
{
    bad_graph b;
    b.g = mg_graph_new();
    b.x = mg_label(mg_input(b.g, -1.0), "x");
    b.y = mg_label(mg_input(b.g, 2.0), "y");
    b.logx = mg_log(b.x);
    b.prod = mg_mul(b.logx, b.y);
    b.z = mg_label(mg_input(b.g, 0.0), "z");
    b.negzero = mg_label(mg_mul(b.z, mg_input(b.g, -3.0)), "negzero"); /* 0 * -3 = -0 */
    b.inf = mg_label(mg_exp(mg_mulc(b.negzero, 0.0)), "one");
    b.root = mg_add(mg_add(b.prod, b.negzero), b.inf);
    ck_assert(signbit(b.negzero->data) && b.negzero->data == 0.0);
    return b;
}

START_TEST(test_dot_labels_are_honest)
{
    bad_graph b = make_bad();
    mg_backward(b.root);
    ck_assert(isnan(b.logx->data) && isnan(b.y->grad));
    char *dot = viz_render(b.root, "dot", NULL, NULL);
    viz_text_check(dot, "DOT");
    free(dot);
    Agraph_t *g = viz_dot(b.root, NULL);
    ck_assert_ptr_nonnull(strstr(viz_attr(value_node(g, "", b.logx), "label"), "data nan"));
    ck_assert_ptr_nonnull(strstr(viz_attr(value_node(g, "", b.y), "label"), "grad nan"));
    ck_assert_ptr_nonnull(strstr(viz_attr(value_node(g, "", b.negzero), "label"), "data 0 |"));
    agclose(g);
    mg_graph_free(b.g);
}
END_TEST

START_TEST(test_infinities_read_as_such)
{
    mg_graph *g = mg_graph_new();
    mg_value *big = mg_label(mg_input(g, 1000.0), "big");
    mg_value *e = mg_label(mg_exp(big), "e");          /* inf */
    mg_value *neg = mg_label(mg_neg(e), "neg");        /* -inf */
    mg_value *root = mg_add(neg, mg_input(g, 1.0));
    Agraph_t *dot = viz_dot(root, NULL);
    ck_assert_ptr_nonnull(strstr(viz_attr(value_node(dot, "", e), "label"), "data inf |"));
    ck_assert_ptr_nonnull(strstr(viz_attr(value_node(dot, "", neg), "label"), "data -inf |"));
    agclose(dot);
    char *svg = viz_render(root, "svg", NULL, NULL);
    viz_text_check(svg, "SVG");
    ck_assert_ptr_nonnull(strstr(svg, ">data &#45;inf<")); /* SVG's escaped minus */
    free(svg);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_nonfinite_nodes_are_marked)
{
    bad_graph b = make_bad();
    mg_backward(b.root);
    Agraph_t *g = viz_dot(b.root, NULL);
    const mg_value *bad[] = {b.logx, b.prod, b.y, b.root};
    const mg_value *good[] = {b.x, b.z, b.negzero, b.inf};
    for (int i = 0; i < 4; i++) {
        Agnode_t *n = value_node(g, "", bad[i]);
        ck_assert_msg(has_word(viz_attr(n, "class"), "nonfinite"), "#%u: %s", bad[i]->id,
                      viz_attr(n, "class"));
        ck_assert_str_eq(viz_attr(n, "color"), "#c00018");
        ck_assert_ptr_nonnull(strstr(viz_attr(n, "style"), "dashed"));
        n = value_node(g, "", good[i]);
        ck_assert_msg(!has_word(viz_attr(n, "class"), "nonfinite"), "#%u", good[i]->id);
        ck_assert_str_ne(viz_attr(n, "color"), "#c00018");
    }
    /* the root keeps its own mark too */
    ck_assert(has_word(viz_attr(value_node(g, "", b.root), "class"), "root"));
    /* a legend line says what the mark means, under the title */
    ck_assert_ptr_nonnull(strstr(viz_attr(g, "label"), "NaN or Inf"));
    agclose(g);

    mg_viz_options o = {.title = "step <1>"};
    char *svg = viz_render(b.root, "svg", &o, NULL);
    char want[64];
    snprintf(want, sizeof want, "<g id=\"n%u\" class=\"node value input nonfinite\"", b.y->id);
    ck_assert_ptr_nonnull(strstr(svg, want));
    ck_assert_ptr_nonnull(strstr(svg, "step &lt;1&gt;"));
    ck_assert_ptr_nonnull(strstr(svg, "NaN or Inf"));
    free(svg);
    mg_graph_free(b.g);
}
END_TEST

START_TEST(test_finite_graph_has_no_legend)
{
    mg_graph *mg = mg_graph_new();
    mg_value *r = mg_tanh(mg_input(mg, 0.5));
    mg_viz_options o = {.title = "plain"};
    Agraph_t *g = viz_dot(r, &o);
    ck_assert_str_eq(viz_attr(g, "label"), "plain");
    ck_assert(!has_word(viz_attr(value_node(g, "", r), "class"), "nonfinite"));
    agclose(g);
    mg_graph_free(mg);
}
END_TEST

/* Counts pixels of the marking red (#c00018, give or take antialiasing). */
static size_t red_pixels(const char *data, size_t len)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    ck_assert(png_image_begin_read_from_memory(&img, data, len));
    img.format = PNG_FORMAT_RGB;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(img));
    ck_assert(png_image_finish_read(&img, NULL, px, 0, NULL));
    size_t red = 0;
    for (size_t i = 0; i < (size_t)img.width * img.height; i++) {
        const unsigned char *p = px + 3 * i;
        red += p[0] > 170 && p[0] < 215 && p[1] < 25 && p[2] < 50;
    }
    free(px);
    return red;
}

START_TEST(test_png_shows_the_mark)
{
    bad_graph b = make_bad();
    size_t len;
    char *png = viz_render(b.root, "png", NULL, &len); /* before backward: NaN data only */
    size_t marked = red_pixels(png, len);
    free(png);
    mg_graph *mg = mg_graph_new();
    mg_value *r = mg_add(mg_log(mg_input(mg, 2.0)), mg_input(mg, 1.0));
    png = viz_render(r, "png", NULL, &len);
    size_t unmarked = red_pixels(png, len); /* finite: no mark (a stray
                                               antialiased pixel at most) */
    ck_assert_uint_le(unmarked, 10);
    free(png);
    ck_assert_uint_gt(marked, 100);
    mg_graph_free(mg);
    mg_graph_free(b.g);
}
END_TEST

START_TEST(test_before_after_marks_the_after_side)
{
    /* y's grad becomes NaN only once backward has run */
    bad_graph b = make_bad();
    char dir[64], path[96];
    tu_tmpdir(dir, sizeof dir, "mgviz-numbers");
    snprintf(path, sizeof path, "%s/both.dot", dir);
    mg_error err;
    ck_assert_msg(mg_draw_backward(b.root, path, NULL, &err) == MG_OK, "%s", err.message);
    char *text = tu_slurp(path, NULL);
    ck_assert_ptr_nonnull(text);
    viz_text_check(text, "before/after DOT");
    Agraph_t *g = agmemread(text);
    free(text);
    tu_rmrf(dir);
    ck_assert_ptr_nonnull(g);
    Agraph_t *before = agsubg(g, "cluster_before", 0), *after = agsubg(g, "cluster_after", 0);
    ck_assert(!has_word(viz_attr(value_node(before, "", b.y), "class"), "nonfinite"));
    ck_assert(has_word(viz_attr(value_node(after, "b", b.y), "class"), "nonfinite"));
    ck_assert_ptr_nonnull(strstr(viz_attr(value_node(after, "b", b.y), "label"), "grad nan"));
    agclose(g);
    mg_graph_free(b.g);
}
END_TEST

/* Every DOT, SVG and JSON file under dir passes viz_text_check(); returns
 * how many. */
static size_t check_files(const char *dir)
{
    ck_assert_int_eq(tu_run(dir, "find \"$D\" -name '*.dot' -o -name '*.svg' -o -name '*.json'"
                                 " -o -name '*.jsonl' | sort > \"$D/list\""), 0);
    char list[256], line[1024];
    snprintf(list, sizeof list, "%s/list", dir);
    FILE *f = fopen(list, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *text = tu_slurp(line, NULL);
        ck_assert_ptr_nonnull(text);
        viz_text_check(text, line);
        free(text);
        n++;
    }
    fclose(f);
    return n;
}

/* What mgviz itself writes: pictures and graph JSON of NaN, Inf and -0
 * values, folded training graphs and their JSON, before/after pictures. */
START_TEST(test_what_mgviz_writes_is_honest)
{
    char dir[64];
    tu_tmpdir(dir, sizeof dir, "mgviz-honest");
    const char *programs[] = {"log(x) * y' x=-1 'y=2", "a = -1; b = a*0; relu(b) + b",
                              "e = exp(x*1000); -e + e' 'x=1"};
    const char *how[] = {"-o \"$D/p%d.dot\"", "-o \"$D/p%d.svg\"", "--before-after -o \"$D/p%d-ba.svg\"",
                         "--edges grad -o \"$D/p%d-grad.dot\"", "-o \"$D/p%d.json\""};
    for (int p = 0; p < 3; p++)
        for (int h = 0; h < 5; h++) {
            char out[96];
            snprintf(out, sizeof out, how[h], p);
            ck_assert_int_eq(tu_run(dir, "'%s' expr '%s' %s", tu_mgviz(), programs[p], out), 0);
        }
    ck_assert_int_eq(tu_run(dir, "'%s' train --steps 2 --snapshot-every 1 --samples 20 --format svg"
                                 " --quiet --out \"$D/run\"", tu_mgviz()), 0);
    ck_assert_int_eq(tu_run(dir, "'%s' train --steps 2 --snapshot-every 1 --samples 20 --format dot"
                                 " --json --quiet --out \"$D/rundot\"", tu_mgviz()), 0);
    ck_assert_uint_ge(check_files(dir), 3 * 5 + 2 * 2 * 2 + 2 * 2);
    tu_rmrf(dir);
}
END_TEST

static Suite *numbers_suite(void)
{
    Suite *s = suite_create("viz_numbers");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_display_format);
    tcase_add_test(tc, test_the_scanner_catches_dishonesty);
    tcase_add_test(tc, test_dot_labels_are_honest);
    tcase_add_test(tc, test_infinities_read_as_such);
    tcase_add_test(tc, test_nonfinite_nodes_are_marked);
    tcase_add_test(tc, test_finite_graph_has_no_legend);
    tcase_add_test(tc, test_png_shows_the_mark);
    tcase_add_test(tc, test_before_after_marks_the_after_side);
    tcase_add_test(tc, test_what_mgviz_writes_is_honest);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(numbers_suite()); }

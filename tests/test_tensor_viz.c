/* test_tensor_viz.c — tensor graphs through every viz path: drawing (with
 * summaries and heatmaps), graph JSON and text, inspect queries and the HTML
 * page; heatmap pictures and summaries against numbers worked out here. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/cgraph.h>

#include "test_util.h"
#include "mg_export.h"
#include "mg_html.h"
#include "mg_inspect.h"
#include "mg_tensor_viz.h"
#include "mg_tnn.h"
#include "mg_viz.h"
#include "test_plot_util.h"

/* An MLP 4-8-3 on a batch of 5 with cross-entropy, backward done. */
typedef struct net {
    mg_graph *g;
    mg_tmlp *m;
    mg_tensor *x, *loss;
} net;

static net make_net(void)
{
    net n;
    mg_error err;
    n.g = mg_graph_new();
    int sizes[] = {4, 8, 3};
    n.m = mg_tmlp_new(n.g, MG_F32, sizes, 3, MG_INIT_KAIMING, 7, &err);
    ck_assert_msg(n.m != NULL, "%s", err.message);
    n.x = mg_tensor_label(mg_tensor_input(n.g, MG_F32, 2, (const int[]){5, 4}), "x");
    for (int i = 0; i < 20; i++)
        mg_tensor_set(n.x, i, sin(0.7 * i));
    static const int32_t labels[] = {0, 1, 2, 1, 0};
    n.loss = mg_tensor_cross_entropy(mg_tmlp_forward(n.m, n.x), labels);
    ck_assert_ptr_nonnull(n.loss);
    ck_assert_int_eq(mg_tensor_backward(n.loss), MG_OK);
    return n;
}

static void free_net(net *n)
{
    mg_tmlp_free(n->m);
    mg_graph_free(n->g);
}

/* Tensor nodes the loss depends on, and how many of them have a grad /
 * more than one element (those get heatmaps). */
static void tally(const net *n, int *tensors, int *pictures)
{
    *tensors = *pictures = 0;
    size_t count = mg_graph_count(n->g);
    for (uint32_t id = 0; id < count; id++) {
        mg_tensor *t = mg_tensor_of(mg_graph_node(n->g, id));
        if (!t)
            continue;
        ++*tensors;
        if (t->numel > 1)
            *pictures += t->grad ? 2 : 1;
    }
}

static char *draw(mg_value *root, const char *format, const mg_viz_options *o)
{
    char *out = NULL;
    size_t len = 0;
    mg_error err;
    ck_assert_msg(mg_draw_dot_data(root, format, o, &out, &len, &err) == MG_OK, "%s",
                  err.message);
    ck_assert_uint_eq(strlen(out), len);
    return out;
}

START_TEST(test_summary_of_known_matrix)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *t = mg_tensor_param(g, MG_F64, 2, (const int[]){2, 3});
    const double x[] = {1, -2, 3, NAN, 0.5, -0.5};
    mg_tensor_load(t, x);
    mg_tensor_stats s = mg_tensor_stats_of(t, false);
    ck_assert_int_eq(s.count, 6);
    ck_assert_int_eq(s.nonfinite, 1);
    ck_assert_double_eq(s.min, -2);
    ck_assert_double_eq(s.max, 3);
    ck_assert_double_eq_tol(s.mean, 2.0 / 5.0, 1e-15);
    ck_assert_double_eq_tol(s.l2, sqrt(1 + 4 + 9 + 0.25 + 0.25), 1e-15);
    /* the grad is all zeros */
    mg_tensor_stats gs = mg_tensor_stats_of(t, true);
    ck_assert_int_eq(gs.count, 6);
    ck_assert_double_eq(gs.l2, 0);
    ck_assert(!mg_node_finite(t->node));
    /* an input has no grad: nothing to summarise */
    mg_tensor *in = mg_tensor_input(g, MG_F32, 1, (const int[]){3});
    ck_assert_int_eq(mg_tensor_stats_of(in, true).count, 0);
    ck_assert(mg_node_finite(in->node));
    mg_graph_free(g);
}
END_TEST

/* A decoded heatmap and where its painted area sits: at the top, centred. */
typedef struct heat_pic {
    decoded d;
    int x0, area_w, area_h;
} heat_pic;

static heat_pic heat(const mg_tensor *t, bool grad, int area_w, int area_h)
{
    mg_png png;
    mg_error err;
    ck_assert_msg(mg_heatmap_png(t, grad, &png, &err) == MG_OK, "%s", err.message);
    heat_pic h = { decode_png(png.bytes, png.len), 0, area_w, area_h };
    mg_png_free(&png);
    int w, ht;
    mg_heatmap_size(t, &w, &ht);
    ck_assert_int_eq(h.d.w, w);
    ck_assert_int_eq(h.d.h, ht);
    ck_assert_int_eq(w, area_w > MG_HEATMAP_MIN_WIDTH ? area_w : MG_HEATMAP_MIN_WIDTH);
    ck_assert_int_gt(ht, area_h + 12); /* the scale and its numbers below */
    h.x0 = (w - area_w) / 2;
    return h;
}

/* The colour bar: the row under the area with the most pixels of colour
 * (not white, not text, not the bar's grey frame). */
static int bar_row(const heat_pic *h)
{
    int best = -1;
    size_t most = 0;
    for (int y = h->area_h + 1; y < h->d.h; y++) {
        size_t k = 0;
        for (int x = 0; x < h->d.w; x++)
            k += pixel_at(&h->d, x, y) != 0xffffffu && pixel_at(&h->d, x, y) != 0x999999u &&
                 !is_dark(pixel_at(&h->d, x, y));
        if (k > most) {
            most = k;
            best = y;
        }
    }
    ck_assert_int_ge(best, 0);
    return best;
}

/* Heatmap of a 2x3 matrix: cells 64/3 = 21 pixels across, 64/2 = 32 down;
 * the largest |x| is full colour, 0 is white, NaN its own colour; the bar
 * runs from the colour of the smallest value to that of the largest, and
 * both are printed at its ends. */
START_TEST(test_heatmap_pixels)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *t = mg_tensor_param(g, MG_F64, 2, (const int[]){2, 3});
    const double x[] = {4, -4, 0, NAN, 2, -1};
    mg_tensor_load(t, x);
    heat_pic h = heat(t, false, 63, 64);
    ck_assert_uint_eq(pixel_at(&h.d, h.x0 + 10, 10), MG_HEATMAP_COLOR_POS);
    ck_assert_uint_eq(pixel_at(&h.d, h.x0 + 31, 10), MG_HEATMAP_COLOR_NEG);
    ck_assert_uint_eq(pixel_at(&h.d, h.x0 + 52, 10), 0xffffffu);
    ck_assert_uint_eq(pixel_at(&h.d, h.x0 + 10, 40), MG_HEATMAP_COLOR_NAN);
    /* 2 is half-way from white to red in every channel */
    uint32_t half = pixel_at(&h.d, h.x0 + 31, 40);
    ck_assert_int_le(abs((int)(half >> 16) - (0xff + 0xb2) / 2), 1);
    ck_assert_int_le(abs((int)(half & 0xff) - (0xff + 0x2b) / 2), 1);
    /* the bar: full blue at its left end (-4), full red at its right (4) */
    int y = bar_row(&h);
    ck_assert(near_colour(pixel_at(&h.d, 1, y), MG_HEATMAP_COLOR_NEG, 6));
    ck_assert(near_colour(pixel_at(&h.d, h.d.w - 2, y), MG_HEATMAP_COLOR_POS, 6));
    ck_assert(near_colour(pixel_at(&h.d, h.d.w / 2, y), 0xffffffu, 6)); /* 0 mid-way */
    /* numbers under both ends of the bar */
    ck_assert_uint_gt(count_dark_in(&h.d, 0, y + 4, 20, h.d.h), 10);
    ck_assert_uint_gt(count_dark_in(&h.d, h.d.w - 20, y + 4, h.d.w, h.d.h), 10);
    free(h.d.px);
    mg_png png;
    mg_error err;
    mg_tensor *in = mg_tensor_input(g, MG_F32, 1, (const int[]){3});
    ck_assert_int_eq(mg_heatmap_png(in, true, &png, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "no grad"));
    ck_assert_int_eq(mg_heatmap_png(NULL, false, &png, &err), MG_EINVAL);
    mg_graph_free(g);
}
END_TEST

/* The case: a grad that is 1e-4 everywhere. The area is one colour,
 * the bar is that same colour end to end and "constant ..." is printed
 * once, centred, not as two end values. A zero grad is white throughout. */
START_TEST(test_heatmap_of_constant_is_one_colour)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *t = mg_tensor_param(g, MG_F32, 2, (const int[]){4, 8});
    heat_pic z = heat(t, true, 64, 64); /* the grad exists, all zeros: white */
    for (int y = 0; y < 64; y++)
        for (int x = z.x0; x < z.x0 + 64; x++)
            ck_assert_uint_eq(pixel_at(&z.d, x, y), 0xffffffu);
    free(z.d.px);
    for (int i = 0; i < t->numel; i++)
        ((float *)t->grad)[i] = 1e-4f; /* an f32 tensor's grad buffer */
    heat_pic h = heat(t, true, 64, 64);
    uint32_t c = pixel_at(&h.d, h.x0, 0);
    ck_assert_uint_ne(c, 0xffffffu);
    for (int y = 0; y < 64; y++)
        for (int x = h.x0; x < h.x0 + 64; x++)
            ck_assert_uint_eq(pixel_at(&h.d, x, y), c);
    int y = bar_row(&h);
    for (int x = 2; x < h.d.w - 2; x++)
        ck_assert_uint_eq(pixel_at(&h.d, x, y), c);
    /* one centred text, no numbers at the ends */
    ck_assert_uint_eq(count_dark_in(&h.d, 0, y + 4, 12, h.d.h), 0);
    ck_assert_uint_eq(count_dark_in(&h.d, h.d.w - 12, y + 4, h.d.w, h.d.h), 0);
    ck_assert_uint_gt(count_dark_in(&h.d, h.d.w / 2 - 20, y + 4, h.d.w / 2 + 20, h.d.h), 20);
    free(h.d.px);
    mg_graph_free(g);
}
END_TEST

/* 200x3 rows are averaged in blocks of 4 (50 cells), 3-D flattens; cells
 * are 1 pixel down and 8 (not 64/3: the aspect cap) across. */
START_TEST(test_heatmap_block_average)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *t = mg_tensor_param(g, MG_F32, 3, (const int[]){2, 100, 3});
    for (int i = 0; i < t->numel; i++) /* rows alternate +1, -1: blocks average 0 */
        mg_tensor_set(t, i, (i / 3) % 2 ? -1.0 : 1.0);
    mg_tensor_set(t, 0, 5.0); /* first block of column 0: (5 - 1 + 1 - 1) / 4 = 1 */
    heat_pic h = heat(t, false, 3 * MG_HEATMAP_ASPECT, 50);
    ck_assert_uint_eq(pixel_at(&h.d, h.x0 + 7, 0), MG_HEATMAP_COLOR_POS);
    size_t white = 0;
    for (int y = 0; y < 50; y++)
        for (int x = h.x0; x < h.x0 + 24; x++)
            white += pixel_at(&h.d, x, y) == 0xffffffu;
    ck_assert_uint_eq(white, (size_t)(24 * 50 - 8));
    free(h.d.px);
    mg_graph_free(g);
}
END_TEST

/* The top-left corner of tile k inside the painted area. */
static void tile_at(int k, int *x, int *y)
{
    const int pitch = MG_HEATMAP_IMAGE_SIDE * MG_HEATMAP_TILE_SCALE + 2 + MG_HEATMAP_TILE_GAP;
    *x = (k % 4) * pitch + 1;
    *y = (k / 4) * pitch + 1;
}

/* Image pixel (r, c) of tile k as drawn: the centre of its scaled square. */
static uint32_t image_pixel(const heat_pic *h, int k, int r, int c)
{
    int x, y;
    tile_at(k, &x, &y);
    return pixel_at(&h->d, h->x0 + x + c * MG_HEATMAP_TILE_SCALE,
                    y + r * MG_HEATMAP_TILE_SCALE);
}

/* A batch x[10,784] of pixels in [0, 1]: image k is dark on row k and
 * white elsewhere. The first 8 are drawn as 28x28 tiles in ink, each with
 * its dark row where it belongs. */
START_TEST(test_heatmap_tiles_of_an_image_batch)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *x = mg_tensor_input(g, MG_F32, 2, (const int[]){10, 784});
    for (int k = 0; k < 10; k++)
        for (int c = 0; c < 28; c++)
            mg_tensor_set(x, k * 784 + k * 28 + c, 1.0);
    const int pitch = MG_HEATMAP_IMAGE_SIDE * MG_HEATMAP_TILE_SCALE + 2 + MG_HEATMAP_TILE_GAP;
    heat_pic h = heat(x, false, 4 * pitch - MG_HEATMAP_TILE_GAP, 2 * pitch - MG_HEATMAP_TILE_GAP);
    for (int k = 0; k < MG_HEATMAP_TILES; k++)
        for (int r = 0; r < 28; r++)
            for (int c = 0; c < 28; c += 9)
                ck_assert_uint_eq(image_pixel(&h, k, r, c), r == k ? 0x000000u : 0xffffffu);
    free(h.d.px);
    /* fewer images than tiles: all of them, in one row */
    mg_tensor *two = mg_tensor_input(g, MG_F32, 2, (const int[]){2, 784});
    mg_tensor_set(two, 784 + 5 * 28 + 3, 0.5);
    mg_tensor_set(two, 784 + 6 * 28 + 3, 1.0);
    h = heat(two, false, 2 * pitch - MG_HEATMAP_TILE_GAP, pitch - MG_HEATMAP_TILE_GAP);
    ck_assert_uint_eq(image_pixel(&h, 1, 6, 3), 0x000000u);
    uint32_t grey = image_pixel(&h, 1, 5, 3);
    ck_assert_int_le(abs((int)(grey & 0xff) - 0x80), 1); /* 0.5: half-way to black */
    ck_assert_uint_eq(image_pixel(&h, 0, 6, 3), 0xffffffu);
    free(h.d.px);
    mg_graph_free(g);
}
END_TEST

/* A first layer W[784,5]: each column is what one unit weighs, drawn as a
 * tile; signed weights diverge, so unit 2's positive pixel is red and unit
 * 4's negative one blue. */
START_TEST(test_heatmap_tiles_of_first_layer_columns)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *w = mg_tensor_param(g, MG_F32, 2, (const int[]){784, 5});
    mg_tensor_set(w, (10 * 28 + 20) * 5 + 2, 0.5);  /* unit 2, image pixel (10, 20) */
    mg_tensor_set(w, (3 * 28 + 4) * 5 + 4, -0.5);   /* unit 4, image pixel (3, 4) */
    const int pitch = MG_HEATMAP_IMAGE_SIDE * MG_HEATMAP_TILE_SCALE + 2 + MG_HEATMAP_TILE_GAP;
    heat_pic h = heat(w, false, 4 * pitch - MG_HEATMAP_TILE_GAP, 2 * pitch - MG_HEATMAP_TILE_GAP);
    ck_assert_uint_eq(image_pixel(&h, 2, 10, 20), MG_HEATMAP_COLOR_POS);
    ck_assert_uint_eq(image_pixel(&h, 4, 3, 4), MG_HEATMAP_COLOR_NEG);
    ck_assert_uint_eq(image_pixel(&h, 2, 3, 4), 0xffffffu);
    ck_assert_uint_eq(image_pixel(&h, 0, 10, 20), 0xffffffu);
    free(h.d.px);
    /* a tensor of 784 elements in one row is one image, not a heatmap row */
    mg_tensor *one = mg_tensor_param(g, MG_F32, 1, (const int[]){784});
    mg_tensor_set(one, 27, 1.0);
    h = heat(one, false, pitch - MG_HEATMAP_TILE_GAP, pitch - MG_HEATMAP_TILE_GAP);
    ck_assert_uint_eq(image_pixel(&h, 0, 0, 27), 0x000000u);
    free(h.d.px);
    mg_graph_free(g);
}
END_TEST

/* DOT with a heatmap directory: labels carry shape, summaries and image
 * paths; the images exist at the size mg_heatmap_size() gives. */
START_TEST(test_dot_labels_and_images)
{
    net n = make_net();
    char dir[64];
    tu_tmpdir(dir, sizeof dir, "tviz_dot");
    mg_viz_options o = {.heatmap_dir = dir};
    char *text = draw(n.loss->node, "dot", &o);
    Agraph_t *g = agmemread(text);
    ck_assert_ptr_nonnull(g);
    mg_tensor *w1 = n.m->layers[0].W;
    char name[32];
    snprintf(name, sizeof name, "n%u", w1->node->id);
    Agnode_t *node = agnode(g, name, 0);
    ck_assert_ptr_nonnull(node);
    const char *label = agget(node, "label");
    ck_assert_msg(aghtmlstr((char *)label), "tensor labels are HTML-like");
    ck_assert_ptr_nonnull(strstr(label, "f32[4,8]"));
    ck_assert_ptr_nonnull(strstr(label, "<B>layer1.W</B>"));
    char want[128];
    mg_tensor_stats s = mg_tensor_stats_of(w1, false);
    snprintf(want, sizeof want, "min %.4g max %.4g", s.min, s.max);
    ck_assert_msg(strstr(label, want), "%s lacks %s", label, want);
    snprintf(want, sizeof want, "mean %.4g L2 %.4g", s.mean, s.l2);
    ck_assert_msg(strstr(label, want), "%s lacks %s", label, want);
    snprintf(want, sizeof want, "<IMG SRC=\"%s/n%u-grad.png\"/>", dir, w1->node->id);
    ck_assert_msg(strstr(label, want), "%s lacks %s", label, want);
    agclose(g);
    int tensors, pictures;
    tally(&n, &tensors, &pictures);
    ck_assert_int_eq(tu_count_entries(dir), pictures);
    char file[160];
    snprintf(file, sizeof file, "%s/n%u-data.png", dir, w1->node->id);
    decoded d = decode_png_file(file);
    int w, h;
    mg_heatmap_size(w1, &w, &h);
    ck_assert_int_eq(d.w, w);
    ck_assert_int_eq(d.h, h);
    ck_assert_int_eq(w, MG_HEATMAP_MIN_WIDTH); /* cells: 8 columns of 8 pixels */
    ck_assert_int_gt(h, 64);                   /* 4 rows of 16, then the scale */
    free(d.px);
    /* no heatmaps when turned off; still summaries */
    o.no_heatmaps = true;
    free(text);
    text = draw(n.loss->node, "dot", &o);
    ck_assert_ptr_null(strstr(text, "IMG"));
    ck_assert_ptr_nonnull(strstr(text, "f32[5,8]"));
    free(text);
    tu_rmrf(dir);
    free_net(&n);
}
END_TEST

/* SVG and PNG without a directory: the temporary heatmaps are gone after,
 * the SVG holds them as data: URIs. */
START_TEST(test_svg_png_self_contained)
{
    net n = make_net();
    char tmp[64];
    tu_tmpdir(tmp, sizeof tmp, "tviz_tmp");
    setenv("TMPDIR", tmp, 1);
    char *svg = draw(n.loss->node, "svg", NULL);
    int tensors, pictures;
    tally(&n, &tensors, &pictures);
    ck_assert_uint_eq(tu_count(svg, "data:image/png;base64,"), (size_t)pictures);
    ck_assert_ptr_null(strstr(svg, tmp));
    ck_assert_uint_eq(tu_count(svg, "class=\"node value"), (size_t)tensors);
    free(svg);
    char path[128];
    snprintf(path, sizeof path, "%s/../%s.png", tmp, strrchr(tmp, '/') + 1);
    mg_error err;
    ck_assert_msg(mg_draw_dot(n.loss->node, path, NULL, &err) == MG_OK, "%s", err.message);
    decoded d = decode_png_file(path);
    ck_assert_int_gt(d.w, 100);
    free(d.px);
    unlink(path);
    ck_assert_int_eq(tu_count_entries(tmp), 0); /* temporary heatmaps removed */
    /* before/after backward draws too */
    snprintf(path, sizeof path, "%s/ba.svg", tmp);
    ck_assert_msg(mg_draw_backward(n.loss->node, path, NULL, &err) == MG_OK, "%s",
                  err.message);
    char *text = tu_text(tmp, "ba.svg");
    ck_assert_uint_eq(tu_count(text, "data:image/png;base64,"), 2 * (size_t)pictures);
    free(text);
    unsetenv("TMPDIR");
    tu_rmrf(tmp);
    free_net(&n);
}
END_TEST

/* Mixed graph: a scalar computed from a tensor's element keeps its record. */
START_TEST(test_mixed_graph)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *t = mg_tensor_param(g, MG_F64, 2, (const int[]){2, 2});
    mg_tensor *s = mg_tensor_sum(mg_tensor_mul(t, t), MG_AXIS_ALL, 0);
    mg_value *y = mg_label(mg_input(g, 3.0), "y");
    mg_value *z = mg_mul(y, mg_addc(y, 1.0));
    ck_assert_ptr_nonnull(s);
    char *dot = draw(z, "dot", NULL);
    ck_assert_ptr_nonnull(strstr(dot, "data 3 | grad 0"));
    free(dot);
    dot = draw(s->node, "svg", NULL);
    ck_assert_ptr_nonnull(strstr(dot, "data:image/png"));
    free(dot);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_export_json_and_text)
{
    net n = make_net();
    char *json = NULL;
    size_t len;
    mg_error err;
    ck_assert_msg(mg_export_json_data(n.loss->node, NULL, 0, 0, &json, &len, &err) == MG_OK,
                  "%s", err.message);
    int tensors, pictures;
    tally(&n, &tensors, &pictures);
    ck_assert_uint_eq(tu_count(json, "\"dtype\": \"f32\""), (size_t)tensors);
    ck_assert_ptr_nonnull(strstr(json, "\"shape\": [4,8]"));
    /* the root's value is the loss, the W variable's grad an array */
    const char *value = strstr(json, "\"value\":");
    ck_assert_ptr_nonnull(value);
    ck_assert_double_eq(strtod(value + strlen("\"value\":"), NULL), mg_tensor_get(n.loss, 0));
    ck_assert_ptr_nonnull(strstr(json, "\"layer1.W\":["));
    free(json);
    char *text = NULL;
    FILE *mem = open_memstream(&text, &len);
    ck_assert_int_eq(mg_export_text(mem, n.loss->node, NULL, 0, &err), MG_OK);
    fclose(mem);
    ck_assert_ptr_nonnull(strstr(text, "f32[4,8] mean"));
    ck_assert_ptr_nonnull(strstr(text, "norm "));
    free(text);
    free_net(&n);
}
END_TEST

START_TEST(test_inspect_queries)
{
    net n = make_net();
    const mg_value *root = n.loss->node;
    mg_inspect_counts c;
    ck_assert_int_eq(mg_inspect_count(root, &c, NULL), MG_OK);
    int tensors, pictures;
    tally(&n, &tensors, &pictures);
    ck_assert_uint_eq(c.tensors, (size_t)tensors);
    ck_assert_uint_eq(c.nodes, (size_t)tensors);
    ck_assert_uint_eq(c.params, 4);
    mg_inspect_counts_free(&c);
    /* top grads: ranked by each leaf's largest |grad element| */
    const mg_value *top[8];
    size_t found;
    ck_assert_int_eq(mg_inspect_top_grads(root, 8, top, &found, NULL), MG_OK);
    ck_assert_uint_eq(found, 5); /* x and 4 parameters */
    for (size_t i = 1; i < found; i++)
        ck_assert(mg_node_grad_size(top[i - 1]) >= mg_node_grad_size(top[i]));
    double big = 0;
    for (int p = 0; p < n.m->nparams; p++)
        for (int i = 0; i < n.m->params[p]->numel; i++)
            big = fmax(big, fabs(mg_tensor_grad_at(n.m->params[p], i)));
    ck_assert_double_eq(mg_node_grad_size(top[0]), big);
    /* non-finite search looks inside tensors */
    ck_assert_ptr_null(mg_inspect_first_nonfinite(root));
    mg_tensor *w2 = n.m->layers[1].W;
    mg_tensor_set(w2, 5, INFINITY);
    ck_assert_ptr_eq(mg_inspect_first_nonfinite(root), w2->node);
    ck_assert_ptr_eq(mg_inspect_find(root, "x"), n.x->node);
    mg_inspect_paths p;
    ck_assert_int_eq(mg_inspect_longest_path(root, &p, NULL), MG_OK);
    ck_assert_uint_eq(p.ids[p.start[1] - 1], root->id);
    mg_inspect_paths_free(&p);
    ck_assert_int_eq(mg_inspect_paths_find(root, n.x->node, 10, &p, NULL), MG_OK);
    ck_assert_uint_eq(p.total, 1);
    mg_inspect_paths_free(&p);
    uint32_t *ids;
    size_t nids;
    ck_assert_int_eq(mg_inspect_children(root, n.x->node, &ids, &nids, NULL), MG_OK);
    ck_assert_uint_eq(nids, 1);
    free(ids);
    free_net(&n);
}
END_TEST

START_TEST(test_html_page)
{
    net n = make_net();
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "tviz_html");
    snprintf(path, sizeof path, "%s/page.html", dir);
    mg_error err;
    ck_assert_msg(mg_html_write(n.loss->node, path, NULL, &err) == MG_OK, "%s", err.message);
    char *text = tu_text(dir, "page.html");
    ck_assert_ptr_nonnull(strstr(text, "f32"));
    ck_assert_ptr_nonnull(strstr(text, "data:image/png;base64,"));
    free(text);
    tu_rmrf(dir);
    free_net(&n);
}
END_TEST

/* Attention weights [H,T,T]: one panel per head with the causal triangle
 * masked in grey (H*T(T-1)/2 cells of MG_HEATMAP_COLOR_MASKED, and no other
 * grey that colour), and the keys' names printed above their columns: ink
 * above a column named "W", none above one named "". */
START_TEST(test_heatmap_attention_panels_and_names)
{
    mg_graph *g = mg_graph_new();
    enum { H = 2, T = 6 };
    mg_tensor *s = mg_tensor_param(g, MG_F64, 3, (const int[]){ H, T, T });
    for (int i = 0; i < s->numel; i++)
        mg_tensor_set(s, i, sin(0.37 * i));
    mg_tensor *att = mg_tensor_causal_softmax(s, 0.5, 0);
    const char *keys[T] = { "W", "", "W", "", "W", "" };
    ck_assert_int_eq(mg_tensor_set_names(att, -1, keys, T), MG_OK);
    mg_png png;
    mg_error err;
    ck_assert_msg(mg_heatmap_png(att, false, &png, &err) == MG_OK, "%s", err.message);
    decoded d = decode_png(png.bytes, png.len);
    mg_png_free(&png);
    /* the masked cells: count them, and find panel 0's grid from them */
    size_t masked = count_colour(&d, MG_HEATMAP_COLOR_MASKED);
    int x1 = -1, y0 = d.h, right = 0;
    for (int y = 0; y < d.h; y++)
        for (int x = 0; x < d.w; x++)
            if (pixel_at(&d, x, y) == MG_HEATMAP_COLOR_MASKED) {
                y0 = y < y0 ? y : y0;
                if (x1 < 0 || x < x1)
                    x1 = x;
                right = x > right ? x : right;
            }
    ck_assert_int_ge(x1, 0);
    /* x1 is column 1 of panel 0 (row 0 masks keys 1..T-1); the grid's cell
     * size follows from the number of masked pixels */
    int cell = (int)lround(sqrt((double)masked / (H * T * (T - 1) / 2)));
    ck_assert_int_ge(cell, 8); /* large enough for a character */
    ck_assert_uint_eq(masked, (size_t)H * T * (T - 1) / 2 * cell * cell);
    int gx = x1 - cell;
    for (int j = 0; j < T; j++) {
        size_t ink = count_dark_in(&d, gx + j * cell + 1, y0 - 12, gx + (j + 1) * cell - 1, y0 - 1);
        if (*keys[j])
            ck_assert_msg(ink > 3, "no label over key %d", j);
        else
            ck_assert_msg(ink == 0, "ink over the unnamed key %d", j);
    }
    /* the second panel sits to the right of the first */
    ck_assert_int_gt(right, gx + T * cell + cell);
    /* the diagonal is not masked: a softmax weight there, not grey */
    ck_assert_uint_ne(pixel_at(&d, gx + cell / 2, y0 + cell / 2), MG_HEATMAP_COLOR_MASKED);
    free(d.px);
    /* the grad picture has the same layout */
    mg_tensor *loss = mg_tensor_sum(mg_tensor_mul(att, s), MG_AXIS_ALL, 0);
    ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
    int w, h, gw, gh;
    mg_heatmap_size(att, &w, &h);
    ck_assert_msg(mg_heatmap_png(att, true, &png, &err) == MG_OK, "%s", err.message);
    d = decode_png(png.bytes, png.len);
    ck_assert_int_eq(d.w, w);
    ck_assert_uint_eq(count_colour(&d, MG_HEATMAP_COLOR_MASKED), masked);
    gw = d.w, gh = d.h;
    ck_assert_int_eq(gh, h);
    ck_assert_int_eq(gw, w);
    free(d.px);
    mg_png_free(&png);
    mg_graph_free(g);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("tensor_viz");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_summary_of_known_matrix);
    tcase_add_test(tc, test_heatmap_pixels);
    tcase_add_test(tc, test_heatmap_of_constant_is_one_colour);
    tcase_add_test(tc, test_heatmap_block_average);
    tcase_add_test(tc, test_heatmap_tiles_of_an_image_batch);
    tcase_add_test(tc, test_heatmap_tiles_of_first_layer_columns);
    tcase_add_test(tc, test_heatmap_attention_panels_and_names);
    tcase_add_test(tc, test_dot_labels_and_images);
    tcase_add_test(tc, test_svg_png_self_contained);
    tcase_add_test(tc, test_mixed_graph);
    tcase_add_test(tc, test_export_json_and_text);
    tcase_add_test(tc, test_inspect_queries);
    tcase_add_test(tc, test_html_page);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int rc = tu_run_suite(suite());
    mg_viz_cleanup();
    return rc;
}

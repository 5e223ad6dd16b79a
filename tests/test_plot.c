/* test_plot.c — the PNG plots of mg_plot.h: pictures decode with the size
 * asked for, show what they plot (the curve's colour, both classes' dots, the
 * field on the right side of the boundary), survive edge inputs (one point,
 * NaN, constant, huge values), and report bad arguments as errors. */
#include <math.h>
#include <sys/stat.h>

#include "check_main.h"
#include "mg_plot.h"
#include "test_plot_util.h"

/* Renders the curve into memory and decodes it; fails on any error. */
static decoded curve(const double *x, const double *y, size_t n, const mg_plot_options *o)
{
    mg_png png = { 0 };
    mg_error err;
    ck_assert_msg(mg_plot_curve_png(x, y, n, o, &png, &err) == MG_OK, "%s", err.message);
    decoded d = decode_png(png.bytes, png.len);
    mg_png_free(&png);
    ck_assert_ptr_null(png.bytes);
    return d;
}

START_TEST(curve_has_default_size_and_its_colour)
{
    double y[50];
    for (int i = 0; i < 50; i++)
        y[i] = exp(-i / 10.0);
    decoded d = curve(NULL, y, 50, NULL);
    ck_assert_int_eq(d.w, 640);
    ck_assert_int_eq(d.h, 400);
    ck_assert_uint_gt(count_colour(&d, MG_PLOT_COLOR_CURVE), 200);
    free(d.px);
}
END_TEST

START_TEST(curve_takes_size_title_and_log_scale)
{
    double x[] = { 10, 20, 30, 40 }, y[] = { 100, 10, 1, 0.1 };
    mg_plot_options o = { .width = 300, .height = 200, .title = "loss", .log_scale = true };
    decoded d = curve(x, y, 4, &o);
    ck_assert_int_eq(d.w, 300);
    ck_assert_int_eq(d.h, 200);
    ck_assert_uint_gt(count_colour(&d, MG_PLOT_COLOR_CURVE), 50);
    free(d.px);
}
END_TEST

/* On a log axis the points 100, 10, 1, 0.1 fall on a straight line: the
 * curve's pixels at the middle column sit midway between its ends. */
START_TEST(curve_log_scale_straightens_exponentials)
{
    double x[] = { 0, 1, 2, 3 }, y[] = { 100, 10, 1, 0.1 };
    mg_plot_options o = { .log_scale = true };
    decoded d = curve(x, y, 4, &o);
    int first = -1, last = -1;
    for (int col = 0; col < d.w; col++)
        if (count_colour_in(&d, MG_PLOT_COLOR_CURVE, col, col + 1)) {
            first = first < 0 ? col : first;
            last = col;
        }
    ck_assert_int_ge(first, 0);
    double rows[3] = { 0 };
    int cols[3] = { first + 2, (first + last) / 2, last - 2 };
    for (int k = 0; k < 3; k++) {
        int n = 0;
        for (int row = 0; row < d.h; row++)
            if (pixel_at(&d, cols[k], row) == MG_PLOT_COLOR_CURVE) {
                rows[k] += row;
                n++;
            }
        ck_assert_int_gt(n, 0);
        rows[k] /= n;
    }
    ck_assert_double_eq_tol(rows[1], (rows[0] + rows[2]) / 2, 3.0);
    free(d.px);
}
END_TEST

START_TEST(curve_of_one_point_is_a_dot)
{
    double y = 0.5;
    decoded d = curve(NULL, &y, 1, NULL);
    ck_assert_uint_gt(count_colour(&d, MG_PLOT_COLOR_CURVE), 4);
    free(d.px);
}
END_TEST

START_TEST(curve_of_nan_losses_draws_axes_only)
{
    double y[] = { NAN, NAN, NAN };
    decoded d = curve(NULL, y, 3, NULL);
    ck_assert_uint_eq(count_colour(&d, MG_PLOT_COLOR_CURVE), 0);
    ck_assert_uint_gt(count_colour(&d, 0xffffffu), (size_t)d.w * d.h / 2);
    free(d.px);
}
END_TEST

START_TEST(curve_skips_nan_and_infinite_values)
{
    double y[] = { 1, 0.5, NAN, 0.25, INFINITY, 0.2, -INFINITY, 0.1 };
    decoded d = curve(NULL, y, 8, NULL);
    ck_assert_uint_gt(count_colour(&d, MG_PLOT_COLOR_CURVE), 20);
    free(d.px);
}
END_TEST

static bool row_has(const decoded *d, uint32_t rgb, int row)
{
    for (int x = 0; x < d->w; x++)
        if (pixel_at(d, x, row) == rgb)
            return true;
    return false;
}

START_TEST(curve_of_constant_losses_is_flat)
{
    double y[20];
    for (int i = 0; i < 20; i++)
        y[i] = 0.75;
    decoded d = curve(NULL, y, 20, NULL);
    int top = d.h, bottom = -1;
    for (int row = 0; row < d.h; row++)
        if (row_has(&d, MG_PLOT_COLOR_CURVE, row)) {
            top = row < top ? row : top;
            bottom = row;
        }
    ck_assert_int_ge(bottom, 0);
    ck_assert_int_le(bottom - top, 2); /* a line two pixels thick */
    free(d.px);
    mg_plot_options o = { .log_scale = true };
    d = curve(NULL, y, 20, &o);
    ck_assert_uint_gt(count_colour(&d, MG_PLOT_COLOR_CURVE), 100);
    free(d.px);
}
END_TEST

START_TEST(curve_survives_extreme_values)
{
    double y[] = { 1e308, -1e308, 1e-308, 0, -5 };
    decoded d = curve(NULL, y, 5, NULL);
    free(d.px);
    mg_plot_options o = { .log_scale = true }; /* 0 and -5 are left out */
    d = curve(NULL, y, 5, &o);
    free(d.px);
    double x[] = { NAN, 1, 1, 1, 1 };
    d = curve(x, y, 5, NULL);
    free(d.px);
    double close[] = { 1e17, 1e17 + 16, 1e17 + 32 }; /* a range near the last bit */
    d = curve(NULL, close, 3, NULL);
    ck_assert_uint_gt(count_colour(&d, MG_PLOT_COLOR_CURVE), 20);
    free(d.px);
}
END_TEST

START_TEST(curve_rejects_bad_arguments)
{
    double y[] = { 1, 2 };
    mg_png png = { 0 };
    mg_error err;
    ck_assert_int_eq(mg_plot_curve_png(NULL, y, 0, NULL, &png, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "no points"));
    ck_assert_int_eq(mg_plot_curve_png(NULL, NULL, 2, NULL, &png, &err), MG_EINVAL);
    ck_assert_int_eq(mg_plot_curve_png(NULL, y, 2, NULL, NULL, &err), MG_EINVAL);
    mg_plot_options o = { .width = 10, .height = 400 };
    ck_assert_int_eq(mg_plot_curve_png(NULL, y, 2, &o, &png, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "10x400"));
    o = (mg_plot_options){ .width = 100000 };
    ck_assert_int_eq(mg_plot_curve_png(NULL, y, 2, &o, &png, NULL), MG_EINVAL);
    ck_assert_ptr_null(png.bytes);
    mg_png_free(NULL);
}
END_TEST

START_TEST(curve_file_is_written_whole_or_not_at_all)
{
    char dir[64], path[128];
    make_temp_dir(dir, sizeof dir, "test_plot");
    snprintf(path, sizeof path, "%s/loss.png", dir);
    double y[] = { 3, 2, 1 };
    mg_error err;
    ck_assert_msg(mg_plot_curve(path, NULL, y, 3, NULL, &err) == MG_OK, "%s", err.message);
    decoded d = decode_png_file(path);
    ck_assert_int_eq(d.w, 640);
    free(d.px);
    ck_assert_int_eq(count_entries(dir), 1); /* no temporary file left behind */
    /* A parent that is a file: an I/O error naming the path. */
    snprintf(path, sizeof path, "%s/loss.png/x.png", dir);
    ck_assert_int_eq(mg_plot_curve(path, NULL, y, 3, NULL, &err), MG_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "x.png"));
    ck_assert_int_eq(mg_plot_curve(NULL, NULL, y, 3, NULL, &err), MG_EINVAL);
    mg_png none = { 0 };
    ck_assert_int_eq(mg_png_write(&none, path, &err), MG_EINVAL);
    ck_assert_int_eq(count_entries(dir), 1);
    remove_dir(dir);
}
END_TEST

/* A classifier split at x = 0.5: class + on the right. */
static double split(void *ctx, double x, double y)
{
    (void)y;
    if (ctx)
        ++*(int *)ctx;
    return x - 0.5;
}

static double always_nan(void *ctx, double x, double y)
{
    (void)ctx, (void)x, (void)y;
    return NAN;
}

static const double points[] = { 0, 0, 0.2, 1, 0.9, 0.1, 1, 1 };
static const double labels[] = { -1, -1, 1, 1 };

static decoded boundary(mg_plot_predict_fn f, void *ctx, const double *X, const double *l,
                        size_t n, const mg_plot_options *o)
{
    mg_png png = { 0 };
    mg_error err;
    ck_assert_msg(mg_plot_boundary_png(f, ctx, X, l, n, o, &png, &err) == MG_OK, "%s",
                  err.message);
    decoded d = decode_png(png.bytes, png.len);
    mg_png_free(&png);
    return d;
}

/* Pixels clearly red (r > b + 40) or clearly blue (b > r + 40) in columns [x0, x1). */
static size_t tinted(const decoded *d, bool red, int x0, int x1)
{
    size_t n = 0;
    for (int y = 0; y < d->h; y++)
        for (int x = x0; x < x1; x++) {
            uint32_t c = pixel_at(d, x, y);
            int r = (int)(c >> 16), b = (int)(c & 0xff);
            n += red ? r > b + 40 : b > r + 40;
        }
    return n;
}

START_TEST(boundary_shows_both_classes_on_their_sides)
{
    decoded d = boundary(split, NULL, points, labels, 4, NULL);
    ck_assert_int_eq(d.w, 480);
    ck_assert_int_eq(d.h, 400);
    ck_assert_uint_gt(count_colour(&d, MG_PLOT_COLOR_NEG), 20);
    ck_assert_uint_gt(count_colour(&d, MG_PLOT_COLOR_POS), 20);
    /* the field: the negative tint left of the middle, the positive right */
    int mid = d.w / 2;
    ck_assert_uint_gt(tinted(&d, true, 0, mid), 10 * tinted(&d, true, mid, d.w) / 9);
    ck_assert_uint_gt(tinted(&d, false, mid, d.w), 10 * tinted(&d, false, 0, mid) / 9);
    ck_assert_uint_gt(tinted(&d, true, 0, mid), 10000);
    free(d.px);
}
END_TEST

START_TEST(boundary_dots_take_their_label_colour)
{
    double one[] = { 0.3, 0.3 }, plus = 1;
    mg_plot_options o = { .xmin = 0, .xmax = 1, .ymin = 0, .ymax = 1 };
    decoded d = boundary(split, NULL, one, &plus, 1, &o);
    ck_assert_uint_gt(count_colour(&d, MG_PLOT_COLOR_POS), 4);
    ck_assert_uint_eq(count_colour(&d, MG_PLOT_COLOR_NEG), 0);
    free(d.px);
}
END_TEST

START_TEST(boundary_samples_predict_on_the_grid_corners)
{
    int calls = 0;
    mg_plot_options o = { .grid = 7 };
    decoded d = boundary(split, &calls, points, labels, 4, &o);
    ck_assert_int_eq(calls, 8 * 8);
    free(d.px);
}
END_TEST

START_TEST(boundary_edge_inputs)
{
    /* one point: the region is centred on it */
    decoded d = boundary(split, NULL, points, labels, 1, NULL);
    ck_assert_uint_gt(count_colour(&d, MG_PLOT_COLOR_NEG), 4);
    free(d.px);
    /* NaN scores: no class tint, dots still drawn */
    d = boundary(always_nan, NULL, points, labels, 4, NULL);
    ck_assert_uint_eq(tinted(&d, true, 0, d.w) + tinted(&d, false, 0, d.w) -
                          count_colour(&d, MG_PLOT_COLOR_NEG) - count_colour(&d, MG_PLOT_COLOR_POS),
                      0);
    ck_assert_uint_gt(count_colour(&d, MG_PLOT_COLOR_POS), 4);
    free(d.px);
    /* no points but a region; labels absent; NaN coordinates */
    mg_plot_options o = { .xmin = -1, .xmax = 1, .ymin = -1, .ymax = 1, .grid = 1 };
    d = boundary(split, NULL, NULL, NULL, 0, &o);
    free(d.px);
    double odd[] = { NAN, 0, 0, NAN, 0.5, 0.5 };
    d = boundary(split, NULL, odd, NULL, 3, &o);
    free(d.px);
}
END_TEST

START_TEST(boundary_rejects_bad_arguments)
{
    mg_png png = { 0 };
    mg_error err;
    ck_assert_int_eq(mg_plot_boundary_png(NULL, NULL, points, labels, 4, NULL, &png, &err),
                     MG_EINVAL);
    ck_assert_int_eq(mg_plot_boundary_png(split, NULL, NULL, labels, 4, NULL, &png, &err),
                     MG_EINVAL);
    ck_assert_int_eq(mg_plot_boundary_png(split, NULL, NULL, NULL, 0, NULL, &png, &err),
                     MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "no points and no region"));
    mg_plot_options o = { .xmin = 1, .xmax = 0, .ymin = 0, .ymax = 1 };
    ck_assert_int_eq(mg_plot_boundary_png(split, NULL, points, labels, 4, &o, &png, &err),
                     MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "region"));
    o = (mg_plot_options){ .xmin = 0, .xmax = INFINITY, .ymin = 0, .ymax = 1 };
    ck_assert_int_eq(mg_plot_boundary_png(split, NULL, points, labels, 4, &o, &png, &err),
                     MG_EINVAL);
    o = (mg_plot_options){ .grid = -3 };
    ck_assert_int_eq(mg_plot_boundary_png(split, NULL, points, labels, 4, &o, &png, &err),
                     MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "grid -3"));
    ck_assert_ptr_null(png.bytes);
    ck_assert_int_eq(mg_plot_boundary("/nonexistent-dir/b.png", split, NULL, points, labels,
                                      4, NULL, &err), MG_EIO);
}
END_TEST

static Suite *plot_suite(void)
{
    Suite *s = suite_create("plot");
    TCase *c = tcase_create("curve");
    tcase_add_test(c, curve_has_default_size_and_its_colour);
    tcase_add_test(c, curve_takes_size_title_and_log_scale);
    tcase_add_test(c, curve_log_scale_straightens_exponentials);
    tcase_add_test(c, curve_of_one_point_is_a_dot);
    tcase_add_test(c, curve_of_nan_losses_draws_axes_only);
    tcase_add_test(c, curve_skips_nan_and_infinite_values);
    tcase_add_test(c, curve_of_constant_losses_is_flat);
    tcase_add_test(c, curve_survives_extreme_values);
    tcase_add_test(c, curve_rejects_bad_arguments);
    tcase_add_test(c, curve_file_is_written_whole_or_not_at_all);
    suite_add_tcase(s, c);
    TCase *b = tcase_create("boundary");
    tcase_add_test(b, boundary_shows_both_classes_on_their_sides);
    tcase_add_test(b, boundary_dots_take_their_label_colour);
    tcase_add_test(b, boundary_samples_predict_on_the_grid_corners);
    tcase_add_test(b, boundary_edge_inputs);
    tcase_add_test(b, boundary_rejects_bad_arguments);
    suite_add_tcase(s, b);
    return s;
}

int main(void)
{
    return mg_check_run(plot_suite());
}

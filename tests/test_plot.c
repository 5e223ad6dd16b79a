/* test_plot.c — the charts of mg_plot.h, read back: PNGs decoded with
 * libpng show what they plot (the curve where its values are, gaps at NaN,
 * axis text beside the frame, the field on the right side of the boundary,
 * the zero line where the score is 0), SVGs hold their titles and tick
 * labels as text, smoothing is the EMA its contract states, edge inputs
 * draw, and bad arguments are errors that leave no file behind. */
#include <math.h>
#include <sys/stat.h>

#include "test_util.h"
#include "mg_plot.h"
#include "test_plot_util.h"

enum { TOL = 24 }; /* how far anti-aliased line pixels may be from their colour */

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

/* Renders the curve as an SVG file and returns its text (caller frees). */
static char *curve_svg(const double *x, const double *y, size_t n, const mg_plot_options *o)
{
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "test_plot_svg");
    snprintf(path, sizeof path, "%s/c.svg", dir);
    mg_error err;
    ck_assert_msg(mg_plot_curve(path, x, y, n, o, &err) == MG_OK, "%s", err.message);
    char *text = tu_text(dir, "c.svg");
    tu_rmrf(dir);
    return text;
}

static size_t curve_pixels(const decoded *d)
{
    return count_near(d, MG_PLOT_COLOR_CURVE, TOL);
}

/* Mean row of the curve's pixels in column x, or -1 when it has none. */
static double curve_row(const decoded *d, int x)
{
    double sum = 0;
    int n = 0;
    for (int row = 0; row < d->h; row++)
        if (near_colour(pixel_at(d, x, row), MG_PLOT_COLOR_CURVE, TOL)) {
            sum += row;
            n++;
        }
    return n ? sum / n : -1;
}

/* First and last column holding curve pixels. */
static void curve_columns(const decoded *d, int *first, int *last)
{
    *first = *last = -1;
    for (int col = 0; col < d->w; col++)
        if (curve_row(d, col) >= 0) {
            *first = *first < 0 ? col : *first;
            *last = col;
        }
}

START_TEST(curve_has_default_size_and_its_colour)
{
    double y[50];
    for (int i = 0; i < 50; i++)
        y[i] = exp(-i / 10.0);
    decoded d = curve(NULL, y, 50, NULL);
    ck_assert_int_eq(d.w, 640);
    ck_assert_int_eq(d.h, 400);
    ck_assert_uint_gt(curve_pixels(&d), 300);
    /* the curve falls: its left end sits higher (smaller row) than its right */
    int first, last;
    curve_columns(&d, &first, &last);
    ck_assert_double_lt(curve_row(&d, first + 3), curve_row(&d, last - 3) - 100);
    free(d.px);
}
END_TEST

/* Text beside the frame: tick labels left of it and under it, the axis
 * titles further out, the title above; leaving a title out ("") leaves its
 * strip blank. */
START_TEST(curve_has_axis_text_where_the_axes_are)
{
    double y[] = { 3, 2.5, 1, 0.5 };
    mg_plot_options o = { .title = "training loss" };
    decoded d = curve(NULL, y, 4, &o);
    frame_box f = find_frame(&d, 0x333333u);
    ck_assert_int_gt(f.left, 30);
    ck_assert_int_gt(f.bottom, d.h / 2);
    ck_assert_int_gt(f.right - f.left, d.w / 2);
    /* y tick labels just left of the frame, x tick labels just under it */
    ck_assert_uint_gt(count_dark_in(&d, f.left - 40, f.top, f.left - 6, f.bottom), 40);
    ck_assert_uint_gt(count_dark_in(&d, f.left, f.bottom + 6, f.right, f.bottom + 24), 40);
    /* the title above the frame */
    ck_assert_uint_gt(count_dark_in(&d, 0, 0, d.w, f.top - 2), 60);
    size_t y_title = count_dark_in(&d, 0, f.top, 20, f.bottom);
    size_t x_title = count_dark_in(&d, f.left, d.h - 20, f.right, d.h);
    ck_assert_uint_gt(y_title, 20);
    ck_assert_uint_gt(x_title, 20);
    free(d.px);
    /* without titles those strips are blank and the frame grows into them */
    o = (mg_plot_options){ .x_title = "", .y_title = "" };
    d = curve(NULL, y, 4, &o);
    frame_box g = find_frame(&d, 0x333333u);
    ck_assert_int_lt(g.left, f.left);
    ck_assert_int_gt(g.bottom, f.bottom);
    ck_assert_uint_eq(count_dark_in(&d, 0, g.top, 8, g.bottom), 0);
    ck_assert_uint_eq(count_dark_in(&d, g.left, d.h - 8, g.right, d.h), 0);
    free(d.px);
}
END_TEST

/* Numeric <text> elements sharing a row (x ticks) or a column (y ticks). */
static int ticks_of(const svg_text *t, int n, bool x_axis, double *val)
{
    double best = 0;
    int count = 0;
    for (int i = 0; i < n; i++) { /* the coordinate most numeric labels share */
        int k = 0;
        for (int j = 0; j < n; j++)
            k += x_axis ? t[j].y == t[i].y : t[j].x == t[i].x;
        if (k > count) {
            count = k;
            best = x_axis ? t[i].y : t[i].x;
        }
    }
    int m = 0;
    for (int i = 0; i < n; i++)
        if ((x_axis ? t[i].y : t[i].x) == best)
            val[m++] = strtod(t[i].s, NULL);
    return m;
}

/* Tick values: at least three, evenly spaced, increasing, covering [lo, hi]
 * to within a step. */
static void check_ticks(const double *v, int n, double lo, double hi)
{
    ck_assert_int_ge(n, 3);
    double step = v[1] - v[0];
    ck_assert_double_gt(step, 0);
    for (int i = 1; i < n; i++)
        ck_assert_double_eq_tol(v[i] - v[i - 1], step, step * 1e-6);
    ck_assert_double_le(v[0], lo + step);
    ck_assert_double_ge(v[n - 1], hi - step);
}

START_TEST(curve_svg_holds_titles_and_tick_labels_as_text)
{
    double x[] = { 0, 100, 200, 300 }, y[] = { 2.0, 1.2, 0.7, 0.4 };
    mg_plot_options o = { .title = "moons <MLP> & co", .y_title = "training loss" };
    char *svg = curve_svg(x, y, 4, &o);
    ck_assert_ptr_nonnull(strstr(svg, "<svg"));
    ck_assert_ptr_nonnull(strstr(svg, ">step</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">training loss</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">moons &lt;MLP&gt; &amp; co</text>"));
    ck_assert_ptr_nonnull(strstr(svg, "rotate(-90")); /* the y title reads upwards */
    svg_text t[64], num[64];
    int n = svg_texts(svg, t, 64), k = 0;
    for (int i = 0; i < n; i++) {
        char *end;
        strtod(t[i].s, &end);
        if (end != t[i].s && *end == '\0')
            num[k++] = t[i];
    }
    double v[64];
    int nx = ticks_of(num, k, true, v);
    check_ticks(v, nx, 0, 300);
    int ny = ticks_of(num, k, false, v);
    check_ticks(v, ny, 0.4, 2.0);
    ck_assert_int_eq(nx + ny, k);
    free(svg);
}
END_TEST

START_TEST(curve_percent_axis_prints_percentages)
{
    double y[] = { 0.5, 0.7, 0.8, 0.85, 0.88 };
    mg_plot_options o = { .percent = true, .y_title = "test accuracy" };
    char *svg = curve_svg(NULL, y, 5, &o);
    svg_text t[64];
    int n = svg_texts(svg, t, 64), percent = 0;
    for (int i = 0; i < n; i++)
        if (t[i].s[strlen(t[i].s) - 1] == '%') {
            double v = strtod(t[i].s, NULL);
            ck_assert(v >= 40 && v <= 100);
            percent++;
        }
    ck_assert_int_ge(percent, 3);
    ck_assert_ptr_nonnull(strstr(svg, ">test accuracy</text>"));
    free(svg);
}
END_TEST

/* On a log axis the points 100, 10, 1, 0.1 fall on a straight line: the
 * curve at the middle column sits midway between its ends. */
START_TEST(curve_log_scale_straightens_exponentials)
{
    double x[] = { 0, 1, 2, 3 }, y[] = { 100, 10, 1, 0.1 };
    mg_plot_options o = { .log_scale = true };
    decoded d = curve(x, y, 4, &o);
    int first, last;
    curve_columns(&d, &first, &last);
    ck_assert_int_ge(first, 0);
    double a = curve_row(&d, first + 6), mid = curve_row(&d, (first + last) / 2),
           b = curve_row(&d, last - 6);
    ck_assert_double_eq_tol(mid, (a + b) / 2, 3.0);
    free(d.px);
}
END_TEST

START_TEST(curve_of_one_point_is_a_dot)
{
    double y = 0.5;
    decoded d = curve(NULL, &y, 1, NULL);
    ck_assert_uint_gt(curve_pixels(&d), 8);
    free(d.px);
}
END_TEST

/* All NaN: no curve, but a chart a reader can trust to be empty: the frame,
 * its tick labels and the axis titles are all there. */
START_TEST(curve_of_nan_losses_draws_axes_only)
{
    double y[] = { NAN, NAN, NAN };
    decoded d = curve(NULL, y, 3, NULL);
    ck_assert_uint_eq(curve_pixels(&d), 0);
    frame_box f = find_frame(&d, 0x333333u);
    ck_assert_uint_ge(count_near_in(&d, 0x333333u, 0, f.left, f.top, f.left + 1, f.bottom),
                      (size_t)(f.bottom - f.top - 2));
    ck_assert_uint_ge(count_near_in(&d, 0x333333u, 0, f.left, f.bottom, f.right, f.bottom + 1),
                      (size_t)(f.right - f.left - 2));
    ck_assert_uint_gt(count_dark_in(&d, f.left - 40, f.top, f.left - 6, f.bottom), 20);
    free(d.px);
    char *svg = curve_svg(NULL, y, 3, NULL);
    ck_assert_ptr_nonnull(strstr(svg, ">step</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">loss</text>"));
    svg_text t[64];
    ck_assert_int_ge(svg_texts(svg, t, 64), 2 + 3 + 3); /* titles, >= 3 ticks each */
    free(svg);
}
END_TEST

/* A NaN and an Inf break the line: no curve pixels strictly between the
 * neighbours of the missing point, curve pixels on both sides. */
START_TEST(curve_leaves_gaps_at_nan_and_infinite_values)
{
    double y[40];
    for (int i = 0; i < 40; i++)
        y[i] = 1.0 + 0.01 * i;
    y[15] = NAN;
    y[30] = INFINITY;
    decoded d = curve(NULL, y, 40, NULL);
    int first, last;
    curve_columns(&d, &first, &last);
    double per = (last - first) / 39.0; /* columns per step, about */
    for (int gap = 15; gap <= 30; gap += 15) {
        int from = first + (int)ceil((gap - 1) * per) + 4, to = first + (int)((gap + 1) * per) - 4;
        ck_assert_int_lt(from, to);
        for (int col = from; col <= to; col++)
            ck_assert_msg(curve_row(&d, col) < 0, "curve pixels at column %d, in a gap", col);
        ck_assert(curve_row(&d, from - 6) >= 0 && curve_row(&d, to + 6) >= 0);
    }
    free(d.px);
}
END_TEST

START_TEST(curve_of_constant_losses_is_flat)
{
    double y[50];
    for (int i = 0; i < 50; i++)
        y[i] = 0.75;
    decoded d = curve(NULL, y, 50, NULL);
    int top = d.h, bottom = -1;
    for (int row = 0; row < d.h; row++)
        if (count_near_in(&d, MG_PLOT_COLOR_CURVE, TOL, 0, row, d.w, row + 1) > 100) {
            top = row < top ? row : top;
            bottom = row;
        }
    ck_assert_int_ge(bottom, 0);
    ck_assert_int_le(bottom - top, 2); /* a line two pixels thick */
    ck_assert_int_gt(top, d.h / 4);    /* centred, not on the frame */
    ck_assert_int_lt(bottom, 3 * d.h / 4);
    free(d.px);
    mg_plot_options o = { .log_scale = true };
    d = curve(NULL, y, 50, &o);
    ck_assert_uint_gt(curve_pixels(&d), 300);
    free(d.px);
}
END_TEST

START_TEST(curve_survives_extreme_values)
{
    double y[] = { 1e308, -1e308, 1e-308, 0, -5 };
    decoded d = curve(NULL, y, 5, NULL);
    ck_assert_uint_gt(curve_pixels(&d), 20);
    free(d.px);
    mg_plot_options o = { .log_scale = true }; /* 0 and -5 are left out */
    d = curve(NULL, y, 5, &o);
    ck_assert_uint_gt(curve_pixels(&d), 20);
    free(d.px);
    double x[] = { NAN, 1, 1, 1, 1 };
    d = curve(x, y, 5, NULL);
    free(d.px);
    double close[] = { 1e17, 1e17 + 16, 1e17 + 32 }; /* a range near the last bit */
    d = curve(NULL, close, 3, NULL);
    ck_assert_uint_gt(curve_pixels(&d), 20);
    free(d.px);
}
END_TEST

/* ---- smoothing ---- */

START_TEST(smooth_is_a_debiased_exponential_moving_average)
{
    enum { N = 200 };
    double y[N], s[N];
    for (int i = 0; i < N; i++)
        y[i] = 0.5 + ((i * 7919) % 13) / 13.0 - 0.5; /* noisy, in [0, 1) */
    const double w = 0.8;
    ck_assert_int_eq(mg_plot_smooth(y, N, w, s, NULL), MG_OK);
    /* the contract: avg_k = w avg_{k-1} + (1-w) y_k, shown as avg_k / (1 - w^k) */
    ck_assert_double_eq_tol(s[0], y[0], 1e-12);
    for (int k = 2; k <= N; k++) {
        double avg = s[k - 1] * (1 - pow(w, k)), prev = s[k - 2] * (1 - pow(w, k - 1));
        ck_assert_double_eq_tol(avg, w * prev + (1 - w) * y[k - 1], 1e-12);
    }
    /* it smooths: the smoothed steps are far smaller than the raw ones */
    double raw = 0, smooth = 0;
    for (int i = 100; i < N; i++) {
        raw += fabs(y[i] - y[i - 1]);
        smooth += fabs(s[i] - s[i - 1]);
    }
    ck_assert_double_lt(smooth, raw / 4);
    /* a constant stays itself from the first point on (the debiasing) */
    double c[5] = { 2, 2, 2, 2, 2 }, cs[5];
    mg_plot_smooth(c, 5, 0.9, cs, NULL);
    for (int i = 0; i < 5; i++)
        ck_assert_double_eq_tol(cs[i], 2, 1e-12);
    /* w = 0 changes nothing; in place works */
    double copy[N];
    memcpy(copy, y, sizeof y);
    ck_assert_int_eq(mg_plot_smooth(copy, N, 0, copy, NULL), MG_OK);
    for (int i = 0; i < N; i++)
        ck_assert_double_eq(copy[i], y[i]);
}
END_TEST

START_TEST(smooth_skips_non_finite_values)
{
    double y[] = { 1, 3, NAN, 5, INFINITY, 7 }, s[6];
    double finite[] = { 1, 3, 5, 7 }, f[4];
    ck_assert_int_eq(mg_plot_smooth(y, 6, 0.6, s, NULL), MG_OK);
    ck_assert_int_eq(mg_plot_smooth(finite, 4, 0.6, f, NULL), MG_OK);
    ck_assert(isnan(s[2]) && isinf(s[4]));
    ck_assert_double_eq(s[0], f[0]);
    ck_assert_double_eq(s[1], f[1]);
    ck_assert_double_eq(s[3], f[2]);
    ck_assert_double_eq(s[5], f[3]);
    mg_error err;
    ck_assert_int_eq(mg_plot_smooth(y, 6, 1.0, s, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "smoothing 1"));
    ck_assert_int_eq(mg_plot_smooth(y, 6, -0.1, s, NULL), MG_EINVAL);
    ck_assert_int_eq(mg_plot_smooth(y, 6, NAN, s, NULL), MG_EINVAL);
    ck_assert_int_eq(mg_plot_smooth(NULL, 6, 0.5, s, NULL), MG_EINVAL);
}
END_TEST

/* A loss that jumps between 0 and 1: raw, the solid curve covers the whole
 * height; smoothed, the solid curve keeps near the middle while the raw one
 * is still there, faint. */
START_TEST(curve_smoothing_draws_the_average_over_the_faint_raw_curve)
{
    enum { N = 200 };
    double y[N];
    for (int i = 0; i < N; i++)
        y[i] = i % 2;
    decoded raw = curve(NULL, y, N, NULL);
    mg_plot_options o = { .smoothing = 0.9 };
    decoded sm = curve(NULL, y, N, &o);
    frame_box f = find_frame(&raw, 0x333333u);
    int x0 = f.left + (f.right - f.left) / 2, x1 = f.right - 10; /* the settled half */
    int h = f.bottom - f.top, mid_top = f.top + h / 3, mid_bottom = f.bottom - h / 3;
    /* solid pixels far from the middle: many raw, none smoothed */
    size_t raw_outer = count_near_in(&raw, MG_PLOT_COLOR_CURVE, 8, x0, f.top, x1, mid_top) +
                       count_near_in(&raw, MG_PLOT_COLOR_CURVE, 8, x0, mid_bottom, x1, f.bottom);
    size_t sm_outer = count_near_in(&sm, MG_PLOT_COLOR_CURVE, 8, x0, f.top, x1, mid_top) +
                      count_near_in(&sm, MG_PLOT_COLOR_CURVE, 8, x0, mid_bottom, x1, f.bottom);
    ck_assert_uint_gt(raw_outer, 100);
    ck_assert_uint_eq(sm_outer, 0);
    ck_assert_uint_gt(count_near_in(&sm, MG_PLOT_COLOR_CURVE, 8, x0, mid_top, x1, mid_bottom),
                      50);
    /* the raw curve is still drawn, faint: a light tint of the curve colour */
    uint32_t faint = 0; /* the curve's colour at 30 % over white */
    for (int shift = 0; shift <= 16; shift += 8)
        faint |= (uint32_t)lround(255 - 0.3 * (255 - (MG_PLOT_COLOR_CURVE >> shift & 0xff)))
                 << shift;
    ck_assert_uint_gt(count_near_in(&sm, faint, 20, x0, f.top, x1, mid_top), 50);
    free(raw.px);
    free(sm.px);
    mg_png png = { 0 };
    mg_error err;
    o.smoothing = 1;
    ck_assert_int_eq(mg_plot_curve_png(NULL, y, N, &o, &png, &err), MG_EINVAL);
    ck_assert_ptr_null(png.bytes);
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
    /* text that is not UTF-8 is drawn with '?' for the bad bytes, not refused */
    o = (mg_plot_options){ .title = "bad \xff\xfe title \x01" };
    ck_assert_int_eq(mg_plot_curve_png(NULL, y, 2, &o, &png, &err), MG_OK);
    mg_png_free(&png);
    mg_png_free(NULL);
}
END_TEST

START_TEST(curve_file_is_written_whole_or_not_at_all)
{
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "test_plot");
    snprintf(path, sizeof path, "%s/loss.png", dir);
    double y[] = { 3, 2, 1 };
    mg_error err;
    ck_assert_msg(mg_plot_curve(path, NULL, y, 3, NULL, &err) == MG_OK, "%s", err.message);
    decoded d = decode_png_file(path);
    ck_assert_int_eq(d.w, 640);
    free(d.px);
    ck_assert_int_eq(tu_count_entries(dir), 1); /* no temporary file left behind */
    /* A parent that is a file: an I/O error naming the path. */
    snprintf(path, sizeof path, "%s/loss.png/x.png", dir);
    ck_assert_int_eq(mg_plot_curve(path, NULL, y, 3, NULL, &err), MG_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "x.png"));
    ck_assert_int_eq(mg_plot_curve(NULL, NULL, y, 3, NULL, &err), MG_EINVAL);
    /* a name that is neither .png nor .svg: refused before drawing */
    snprintf(path, sizeof path, "%s/loss.jpg", dir);
    ck_assert_int_eq(mg_plot_curve(path, NULL, y, 3, NULL, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, ".png or .svg"));
    /* a failed drawing writes nothing */
    snprintf(path, sizeof path, "%s/empty.svg", dir);
    ck_assert_int_eq(mg_plot_curve(path, NULL, y, 0, NULL, &err), MG_EINVAL);
    mg_png none = { 0 };
    ck_assert_int_eq(mg_png_write(&none, path, &err), MG_EINVAL);
    ck_assert_int_eq(tu_count_entries(dir), 1);
    tu_rmrf(dir);
}
END_TEST

/* ---- decision boundary ---- */

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
    /* the field: the negative tint left of the zero line, the positive right */
    frame_box f = find_frame(&d, 0x333333u);
    int mid = (f.left + f.right) / 2;
    ck_assert_uint_gt(tinted(&d, true, f.left, mid), 10 * tinted(&d, true, mid, f.right));
    ck_assert_uint_gt(tinted(&d, false, mid, f.right), 10 * tinted(&d, false, f.left, mid));
    ck_assert_uint_gt(tinted(&d, true, f.left, mid), 10000);
    free(d.px);
}
END_TEST

/* The zero line of x - 0.5 over [0, 1]: dark pixels in the lower half of
 * the frame (the legend takes a top corner when there are no points) lie
 * in the middle column, give or take the line's width. */
START_TEST(boundary_zero_line_is_where_the_score_is_zero)
{
    mg_plot_options o = { .xmin = 0, .xmax = 1, .ymin = 0, .ymax = 1, .grid = 10 };
    decoded d = boundary(split, NULL, NULL, NULL, 0, &o);
    frame_box f = find_frame(&d, 0x333333u);
    int mid = (f.left + f.right) / 2, y0 = (f.top + f.bottom) / 2, y1 = f.bottom - 3;
    size_t on = count_dark_in(&d, mid - 3, y0, mid + 4, y1);
    size_t off = count_dark_in(&d, f.left + 3, y0, mid - 3, y1) +
                 count_dark_in(&d, mid + 4, y0, f.right - 2, y1);
    ck_assert_uint_ge(on, (size_t)(y1 - y0));
    ck_assert_uint_eq(off, 0);
    free(d.px);
}
END_TEST

/* Each point adds a dot of its label's colour (the legend has one of each). */
START_TEST(boundary_dots_take_their_label_colour)
{
    double three[] = { 0.3, 0.3, 0.6, 0.6, 0.8, 0.2 }, plus[] = { 1, 1, 1 };
    mg_plot_options o = { .xmin = 0, .xmax = 1, .ymin = 0, .ymax = 1 };
    decoded one = boundary(split, NULL, three, plus, 1, &o);
    decoded all = boundary(split, NULL, three, plus, 3, &o);
    size_t pos1 = count_colour(&one, MG_PLOT_COLOR_POS), pos3 = count_colour(&all, MG_PLOT_COLOR_POS);
    ck_assert_uint_gt(pos1, 8);
    ck_assert_uint_ge(pos3, pos1 + pos1 / 2);
    ck_assert_uint_eq(count_colour(&one, MG_PLOT_COLOR_NEG), count_colour(&all, MG_PLOT_COLOR_NEG));
    free(one.px);
    free(all.px);
}
END_TEST

START_TEST(boundary_rings_marked_points)
{
    size_t mark = 2, out_of_range = 99;
    mg_plot_options o = { 0 };
    decoded plain = boundary(split, NULL, points, labels, 4, &o);
    o.marked = &mark;
    o.nmarked = 1;
    decoded ringed = boundary(split, NULL, points, labels, 4, &o);
    ck_assert_uint_lt(count_near(&plain, 0x000000u, 8), 5);
    ck_assert_uint_gt(count_near(&ringed, 0x000000u, 8), 30);
    free(plain.px);
    free(ringed.px);
    o.marked = &out_of_range; /* ignored */
    decoded d = boundary(split, NULL, points, labels, 4, &o);
    ck_assert_uint_lt(count_near(&d, 0x000000u, 8), 5);
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
    ck_assert_uint_gt(count_colour(&d, MG_PLOT_COLOR_NEG), 8);
    free(d.px);
    /* NaN scores: the field is the NaN grey, not a class tint; dots still drawn */
    d = boundary(always_nan, NULL, points, labels, 4, NULL);
    ck_assert_uint_gt(count_colour(&d, 0xbdbdbdu), (size_t)d.w * d.h / 3);
    ck_assert_uint_gt(count_colour(&d, MG_PLOT_COLOR_POS), 8);
    free(d.px);
    d = boundary(split, NULL, points, labels, 4, NULL);
    ck_assert_uint_lt(count_colour(&d, 0xbdbdbdu), 100); /* an anti-aliased edge at most */
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

START_TEST(boundary_svg_has_its_text_and_field)
{
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "test_plot_b");
    snprintf(path, sizeof path, "%s/b.svg", dir);
    mg_plot_options o = { .title = "step 7" };
    mg_error err;
    ck_assert_msg(mg_plot_boundary(path, split, NULL, points, labels, 4, &o, &err) == MG_OK,
                  "%s", err.message);
    char *svg = tu_text(dir, "b.svg");
    ck_assert_ptr_nonnull(strstr(svg, ">step 7</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">X[:,0]</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">X[:,1]</text>"));
    ck_assert_ptr_nonnull(strstr(svg, ">label &gt; 0</text>"));
    ck_assert_ptr_nonnull(strstr(svg, "<image")); /* the field, as a picture */
    free(svg);
    tu_rmrf(dir);
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
    ck_assert_int_eq(mg_plot_boundary("b.gif", split, NULL, points, labels, 4, NULL, &err),
                     MG_EINVAL);
}
END_TEST

static Suite *plot_suite(void)
{
    Suite *s = suite_create("plot");
    TCase *c = tcase_create("curve");
    tcase_set_timeout(c, 120); /* a guard, not a measure: sanitizers on a busy machine */
    tcase_add_test(c, curve_has_default_size_and_its_colour);
    tcase_add_test(c, curve_has_axis_text_where_the_axes_are);
    tcase_add_test(c, curve_svg_holds_titles_and_tick_labels_as_text);
    tcase_add_test(c, curve_percent_axis_prints_percentages);
    tcase_add_test(c, curve_log_scale_straightens_exponentials);
    tcase_add_test(c, curve_of_one_point_is_a_dot);
    tcase_add_test(c, curve_of_nan_losses_draws_axes_only);
    tcase_add_test(c, curve_leaves_gaps_at_nan_and_infinite_values);
    tcase_add_test(c, curve_of_constant_losses_is_flat);
    tcase_add_test(c, curve_survives_extreme_values);
    tcase_add_test(c, curve_rejects_bad_arguments);
    tcase_add_test(c, curve_file_is_written_whole_or_not_at_all);
    suite_add_tcase(s, c);
    TCase *m = tcase_create("smooth");
    tcase_set_timeout(m, 120);
    tcase_add_test(m, smooth_is_a_debiased_exponential_moving_average);
    tcase_add_test(m, smooth_skips_non_finite_values);
    tcase_add_test(m, curve_smoothing_draws_the_average_over_the_faint_raw_curve);
    suite_add_tcase(s, m);
    TCase *b = tcase_create("boundary");
    tcase_set_timeout(b, 120);
    tcase_add_test(b, boundary_shows_both_classes_on_their_sides);
    tcase_add_test(b, boundary_zero_line_is_where_the_score_is_zero);
    tcase_add_test(b, boundary_dots_take_their_label_colour);
    tcase_add_test(b, boundary_rings_marked_points);
    tcase_add_test(b, boundary_samples_predict_on_the_grid_corners);
    tcase_add_test(b, boundary_edge_inputs);
    tcase_add_test(b, boundary_svg_has_its_text_and_field);
    tcase_add_test(b, boundary_rejects_bad_arguments);
    suite_add_tcase(s, b);
    return s;
}

int main(void)
{
    return tu_run_suite(plot_suite());
}

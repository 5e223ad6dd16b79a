/* plot_curve.c — a loss (or accuracy) curve: one series of (x, y) joined by
 * straight lines, broken wherever a value cannot be shown (NaN, Inf, <= 0 on
 * a log axis), with dots at the points when they are few; optionally
 * smoothed as TensorBoard does, the raw curve faint behind. */
#include <math.h>
#include <stdlib.h>

#include "plot_internal.h"

enum { DOTS_UP_TO = 30 };

typedef struct curve {
    const double *x, *y;  /* x may be NULL: the index is x */
    size_t n;
    bool log;
} curve;

mg_code mg_plot_smooth(const double *y, size_t n, double w, double *out, mg_error *err)
{
    if (!(w >= 0 && w < 1))
        return mg_error_set(err, MG_EINVAL, "smoothing %g: must be at least 0 and below 1", w);
    if (n > 0 && (!y || !out))
        return mg_error_set(err, MG_EINVAL, "smoothing: no values");
    double avg = 0, weight = 1; /* weight = w^k after k finite values */
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i])) {
            out[i] = y[i];
            continue;
        }
        avg = w * avg + (1 - w) * y[i];
        weight *= w;
        out[i] = avg / (1 - weight);
    }
    return MG_OK;
}

static double cx(const curve *c, size_t i)
{
    return c->x ? c->x[i] : (double)i;
}

static bool shown(const curve *c, size_t i)
{
    return isfinite(cx(c, i)) && isfinite(c->y[i]) && !(c->log && c->y[i] <= 0);
}

/* The series as line pieces; a point with no shown neighbour as a dot, and
 * every point as a dot when `dots`. */
static void draw_series(plot_pic *p, const plot_frame *f, const curve *c, double width,
                        double alpha, bool dots)
{
    cairo_t *cr = p->cr;
    double r = fmax(2.0, width * 1.3);
    pic_colour(cr, MG_PLOT_COLOR_CURVE, alpha);
    cairo_set_line_width(cr, width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (size_t i = 0; i < c->n; i++) {
        if (!shown(c, i))
            continue;
        double px = frame_px(f, cx(c, i)), py = frame_py(f, c->y[i]);
        bool prev = i > 0 && shown(c, i - 1), next = i + 1 < c->n && shown(c, i + 1);
        if (prev)
            cairo_line_to(cr, px, py);
        else
            cairo_move_to(cr, px, py);
        if (!next)
            cairo_stroke(cr);
    }
    for (size_t i = 0; i < c->n; i++) {
        bool lone = shown(c, i) && !(i > 0 && shown(c, i - 1)) &&
                    !(i + 1 < c->n && shown(c, i + 1));
        if (shown(c, i) && (dots || lone)) {
            cairo_new_sub_path(cr);
            cairo_arc(cr, frame_px(f, cx(c, i)), frame_py(f, c->y[i]), r, 0, PLOT_TAU);
            cairo_fill(cr);
        }
    }
}

/* The x axis of the curve, from x or (x NULL) from the indices 0..n-1. */
static plot_axis x_axis(const curve *c)
{
    if (c->x)
        return axis_fit(c->x, c->n, 1, false, 0.02);
    double ends[2] = { 0, (double)(c->n - 1) };
    return axis_fit(ends, 2, 1, false, 0.02);
}

/* Draws the chart of c (smoothed into `smooth` when given) into p. */
static void draw_chart(plot_pic *p, const curve *c, const double *smooth,
                       const mg_plot_options *opt)
{
    plot_frame f = {
        .x = x_axis(c),
        .y = axis_fit(c->y, c->n, 1, c->log, 0.05),
        .title = opt ? opt->title : NULL,
        .x_title = plot_axis_title(opt ? opt->x_title : NULL, "step"),
        .y_title = plot_axis_title(opt ? opt->y_title : NULL, "loss"),
    };
    f.y.percent = opt && opt->percent;
    frame_layout(p, &f, 0);
    frame_draw(p, &f);
    cairo_save(p->cr);
    frame_clip(p, &f);
    bool dots = c->n <= DOTS_UP_TO;
    if (smooth) {
        draw_series(p, &f, c, 1.25, 0.3, false);
        curve s = *c;
        s.y = smooth;
        draw_series(p, &f, &s, 2.0, 1.0, dots);
    } else {
        draw_series(p, &f, c, 2.0, 1.0, dots);
    }
    cairo_restore(p->cr);
    frame_border(p, &f);
}

static mg_code curve_picture(plot_format format, const double *x, const double *y, size_t n,
                             const mg_plot_options *opt, mg_png *out, mg_error *err)
{
    if (!y || !out || n == 0)
        return mg_error_set(err, MG_EINVAL, "loss curve: %s",
                            !out ? "no output" : "no points to plot");
    out->bytes = NULL;
    out->len = 0;
    int w, h;
    double weight = opt ? opt->smoothing : 0;
    mg_code rc = plot_size(opt, 640, 400, &w, &h, err);
    if (rc == MG_OK) /* checks the weight */
        rc = mg_plot_smooth(NULL, 0, weight, NULL, err);
    if (rc != MG_OK)
        return rc;
    double *smooth = NULL;
    if (weight > 0 && !(smooth = malloc(sizeof *smooth * n)))
        return mg_error_set(err, MG_ENOMEM, "out of memory smoothing a curve");
    if (smooth)
        mg_plot_smooth(y, n, weight, smooth, NULL);
    curve c = { .x = x, .y = y, .n = n, .log = opt && opt->log_scale };
    plot_pic p;
    if ((rc = pic_open(&p, format, w, h, err)) == MG_OK) {
        draw_chart(&p, &c, smooth, opt);
        rc = pic_encode(&p, out, err);
    }
    free(smooth);
    return rc;
}

mg_code mg_plot_curve_png(const double *x, const double *y, size_t n,
                          const mg_plot_options *opt, mg_png *out, mg_error *err)
{
    return curve_picture(PLOT_PNG, x, y, n, opt, out, err);
}

mg_code mg_plot_curve(const char *path, const double *x, const double *y, size_t n,
                      const mg_plot_options *opt, mg_error *err)
{
    plot_format format;
    mg_code rc = pic_format_of(path, &format, err);
    if (rc != MG_OK)
        return rc;
    mg_png bytes = { 0 };
    return pic_write_and_free(path, curve_picture(format, x, y, n, opt, &bytes, err), &bytes,
                              err);
}

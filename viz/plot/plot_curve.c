/* plot_curve.c — a loss curve: one series of (x, y) joined by straight
 * lines, broken wherever a value cannot be shown (NaN, Inf, <= 0 on a log
 * axis); a point with no neighbour to join is drawn as a dot. */
#include <math.h>
#include <stdlib.h>

#include "plot_internal.h"

enum { LINE_WIDTH = 2, DOT_RADIUS = 2 };

typedef struct curve {
    const double *x, *y;  /* x may be NULL: the index is x */
    size_t n;
    bool log;
} curve;

static double cx(const curve *c, size_t i)
{
    return c->x ? c->x[i] : (double)i;
}

static bool shown(const curve *c, size_t i)
{
    return isfinite(cx(c, i)) && isfinite(c->y[i]) && !(c->log && c->y[i] <= 0);
}

static void draw_series(plot_canvas *cv, const plot_frame *f, const curve *c)
{
    for (size_t i = 0; i < c->n; i++) {
        if (!shown(c, i))
            continue;
        int px = frame_px(f, cx(c, i)), py = frame_py(f, c->y[i]);
        bool next = i + 1 < c->n && shown(c, i + 1);
        bool prev = i > 0 && shown(c, i - 1);
        if (next)
            canvas_line(cv, px, py, frame_px(f, cx(c, i + 1)), frame_py(f, c->y[i + 1]),
                        LINE_WIDTH, MG_PLOT_COLOR_CURVE);
        else if (!prev)
            canvas_disc(cv, px, py, DOT_RADIUS, MG_PLOT_COLOR_CURVE);
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

mg_code mg_plot_curve_png(const double *x, const double *y, size_t n,
                          const mg_plot_options *opt, mg_png *out, mg_error *err)
{
    if (!y || !out || n == 0)
        return mg_error_set(err, MG_EINVAL, "loss curve: %s",
                            !out ? "no output" : "no points to plot");
    int w, h;
    mg_code rc = plot_size(opt, 640, 400, &w, &h, err);
    if (rc != MG_OK)
        return rc;
    curve c = { .x = x, .y = y, .n = n, .log = opt && opt->log_scale };
    const char *title = opt ? opt->title : NULL;
    plot_frame f = frame_layout(w, h, x_axis(&c), axis_fit(y, n, 1, c.log, 0.05), title);
    plot_canvas cv;
    if ((rc = canvas_init(&cv, w, h, PLOT_WHITE, err)) != MG_OK)
        return rc;
    frame_draw(&cv, &f, title);
    draw_series(&cv, &f, &c);
    frame_border(&cv, &f);
    rc = canvas_png(&cv, out, err);
    canvas_free(&cv);
    return rc;
}

mg_code mg_plot_curve(const char *path, const double *x, const double *y, size_t n,
                      const mg_plot_options *opt, mg_error *err)
{
    mg_png png = { 0 };
    return png_write_and_free(path, mg_plot_curve_png(x, y, n, opt, &png, err), &png, err);
}

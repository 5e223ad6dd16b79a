/* plot_axes.c — axes: fitting a range to data, choosing "nice" ticks
 * (1, 2 or 5 times a power of ten, or powers of ten on a log axis), laying
 * out the plot area around their labels, and drawing the frame. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot_internal.h"

enum { TICK_LEN = 5, GAP = 4, MARGIN = 10 };

plot_axis axis_fit(const double *v, size_t n, size_t stride, bool log, double pad)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double t = v[i * stride];
        if (!isfinite(t) || (log && t <= 0))
            continue;
        t = log ? log10(t) : t;
        lo = fmin(lo, t);
        hi = fmax(hi, t);
    }
    if (lo > hi) { /* nothing to show: a unit range */
        lo = 0;
        hi = 1;
    } else if (lo == hi) { /* one value: centre it */
        double w = log ? 0.5 : (lo != 0 ? fabs(lo) * 0.1 : 1.0);
        lo -= w;
        hi += w;
    }
    double range = hi - lo;
    if (isfinite(range)) {
        lo -= pad * range;
        hi += pad * range;
    }
    if (!isfinite(hi - lo)) { /* values near ±DBL_MAX: keep the span finite */
        lo = fmax(lo, -DBL_MAX / 4);
        hi = fmin(hi, DBL_MAX / 4);
    }
    return (plot_axis){ .lo = lo, .hi = hi, .log = log };
}

/* 1, 2 or 5 times a power of ten, near range / target. */
static double nice_step(double range, int target)
{
    double raw = range / target;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

/* Linear ticks over the values [lo, hi]; on a log axis at log10 of each. */
static void ticks_linear(plot_ticks *t, double lo, double hi, bool log, int target)
{
    double step = nice_step(hi - lo, target);
    if (!(step > 0) || !isfinite(step))
        return;
    t->step = step;
    /* the count bounds the loop even where k is too large for k++ to move */
    double k = ceil(lo / step);
    for (int tries = 0; t->n < PLOT_MAX_TICKS && tries < 4 * PLOT_MAX_TICKS; tries++, k++) {
        double v = k * step;
        if (v > hi + step * 1e-9)
            break;
        if (fabs(v) < step * 1e-9)
            v = 0;
        if (log && v <= 0)
            continue;
        t->val[t->n] = v;
        t->pos[t->n++] = log ? log10(v) : v;
    }
}

/* Powers of ten on a log axis, thinned to at most `target` and a bit; over
 * two decades or less also 2 and 5 times them, which the eye needs there. */
static void ticks_powers(plot_ticks *t, double lo, double hi, int target)
{
    double first = ceil(lo), last = floor(hi);
    bool fine = last - first < 2;
    double every = fine ? 1 : fmax(1, ceil((last - first + 1) / (target + 1)));
    static const double mults[] = { 1, 2, 5 };
    for (double k = first - fine; k <= last && t->n < PLOT_MAX_TICKS; k += every) {
        for (int m = 0; m < (fine ? 3 : 1) && t->n < PLOT_MAX_TICKS; m++) {
            double pos = k + log10(mults[m]);
            if (pos < lo || pos > hi)
                continue;
            t->pos[t->n] = pos;
            t->val[t->n++] = mults[m] * pow(10, k);
        }
    }
}

static plot_ticks ticks_for(plot_axis a, int target)
{
    plot_ticks t = { 0 };
    if (!a.log) {
        ticks_linear(&t, a.lo, a.hi, false, target);
    } else if (floor(a.hi) - ceil(a.lo) >= 1) {
        ticks_powers(&t, a.lo, a.hi, target);
    } else { /* less than a decade: ordinary ticks, placed logarithmically */
        ticks_linear(&t, pow(10, a.lo), pow(10, a.hi), true, target);
    }
    return t;
}

/* A tick's label: as many decimals as the step needs, exponents for very
 * large or small numbers. */
static void tick_label(const plot_ticks *t, int i, char *buf, size_t n)
{
    double v = t->val[i], step = t->step;
    if (v == 0) {
        snprintf(buf, n, "0");
    } else if (step == 0 || fabs(v) >= 1e6 || step < 1e-4) {
        snprintf(buf, n, "%.3g", v);
    } else {
        int decimals = (int)fmax(0, -floor(log10(step) + 1e-9));
        snprintf(buf, n, "%.*f", decimals, v);
    }
}

static int widest_label(const plot_ticks *t, int scale)
{
    int w = 0;
    char buf[32];
    for (int i = 0; i < t->n; i++) {
        tick_label(t, i, buf, sizeof buf);
        int k = font_width(buf, scale);
        w = k > w ? k : w;
    }
    return w;
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

plot_frame frame_layout(int w, int h, plot_axis x, plot_axis y, const char *title)
{
    plot_frame f = { .x = x, .y = y, .scale = h >= 300 && w >= 300 ? 2 : 1 };
    f.xt = ticks_for(x, clampi(w / 110, 2, 8));
    f.yt = ticks_for(y, clampi(h / 70, 2, 8));
    int text_h = font_height(f.scale);
    f.x0 = MARGIN + widest_label(&f.yt, f.scale) + TICK_LEN + GAP;
    f.x1 = w - 1 - MARGIN - widest_label(&f.xt, f.scale) / 2;
    f.y0 = MARGIN + (title ? text_h + MARGIN : 0);
    f.y1 = h - 1 - MARGIN - text_h - TICK_LEN - GAP;
    if (f.x1 - f.x0 < w / 3) { /* a tiny picture: the area first, labels may crowd */
        f.x0 = w / 6;
        f.x1 = w - 1 - w / 12;
    }
    if (f.y1 - f.y0 < h / 3) {
        f.y0 = h / 12;
        f.y1 = h - 1 - h / 6;
    }
    return f;
}

/* Position of t (axis units) as a fraction of the axis, clamped far outside
 * so it converts to int safely; NaN stays NaN. */
static double axis_frac(const plot_axis *a, double t)
{
    double u = (t - a->lo) / (a->hi - a->lo);
    return isnan(u) ? u : fmax(-100, fmin(100, u));
}

static double axis_units(const plot_axis *a, double v)
{
    return a->log ? (v > 0 ? log10(v) : NAN) : v;
}

static int frac_px(double u, int from, int to)
{
    return isnan(u) ? INT_MIN : (int)lround(from + u * (to - from));
}

int frame_px(const plot_frame *f, double v)
{
    return frac_px(axis_frac(&f->x, axis_units(&f->x, v)), f->x0, f->x1);
}

int frame_py(const plot_frame *f, double v)
{
    return frac_px(axis_frac(&f->y, axis_units(&f->y, v)), f->y1, f->y0);
}

static double axis_value(const plot_axis *a, double u)
{
    double t = a->lo + u * (a->hi - a->lo);
    return a->log ? pow(10, t) : t;
}

double frame_x_at(const plot_frame *f, double px)
{
    return axis_value(&f->x, (px - f->x0) / (double)(f->x1 - f->x0));
}

double frame_y_at(const plot_frame *f, double py)
{
    return axis_value(&f->y, (f->y1 - py) / (double)(f->y1 - f->y0));
}

void frame_border(plot_canvas *c, const plot_frame *f)
{
    canvas_line(c, f->x0, f->y0, f->x1, f->y0, 1, PLOT_INK);
    canvas_line(c, f->x0, f->y1, f->x1, f->y1, 1, PLOT_INK);
    canvas_line(c, f->x0, f->y0, f->x0, f->y1, 1, PLOT_INK);
    canvas_line(c, f->x1, f->y0, f->x1, f->y1, 1, PLOT_INK);
}

static void x_ticks(plot_canvas *c, const plot_frame *f)
{
    char buf[32];
    for (int i = 0; i < f->xt.n; i++) {
        int px = frac_px(axis_frac(&f->x, f->xt.pos[i]), f->x0, f->x1);
        canvas_line(c, px, f->y0 + 1, px, f->y1 - 1, 1, PLOT_GRID);
        canvas_line(c, px, f->y1, px, f->y1 + TICK_LEN, 1, PLOT_INK);
        tick_label(&f->xt, i, buf, sizeof buf);
        font_text(c, px - font_width(buf, f->scale) / 2, f->y1 + TICK_LEN + GAP, f->scale,
                  PLOT_INK, buf);
    }
}

static void y_ticks(plot_canvas *c, const plot_frame *f)
{
    char buf[32];
    for (int i = 0; i < f->yt.n; i++) {
        int py = frac_px(axis_frac(&f->y, f->yt.pos[i]), f->y1, f->y0);
        canvas_line(c, f->x0 + 1, py, f->x1 - 1, py, 1, PLOT_GRID);
        canvas_line(c, f->x0 - TICK_LEN, py, f->x0, py, 1, PLOT_INK);
        tick_label(&f->yt, i, buf, sizeof buf);
        font_text(c, f->x0 - TICK_LEN - GAP - font_width(buf, f->scale),
                  py - font_height(f->scale) / 2, f->scale, PLOT_INK, buf);
    }
}

void frame_draw(plot_canvas *c, const plot_frame *f, const char *title)
{
    x_ticks(c, f);
    y_ticks(c, f);
    frame_border(c, f);
    if (title)
        font_text(c, (c->w - font_width(title, f->scale)) / 2, MARGIN, f->scale, PLOT_INK,
                  title);
}

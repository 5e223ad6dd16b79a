/* plot_axes.c — axes: fitting a range to data, choosing "nice" ticks
 * (1, 2 or 5 times a power of ten, or powers of ten on a log axis), laying
 * out the plot area around their labels and the titles, and drawing the
 * frame, grid, ticks and text. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot_internal.h"

enum { TICK_LEN = 4, GAP = 3 };

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
 * large or small numbers; percentages on a percent axis. */
static void tick_label(const plot_axis *a, const plot_ticks *t, int i, char *buf, size_t n)
{
    double v = t->val[i], step = t->step, scale = a->percent ? 100 : 1;
    const char *unit = a->percent ? "%" : "";
    v *= scale;
    step *= scale;
    if (v == 0) {
        snprintf(buf, n, "0%s", unit);
    } else if (step == 0 || fabs(v) >= 1e6 || step < 1e-4) {
        plot_number(v, 3, buf, n);
        if (*unit && strlen(buf) + 2 <= n)
            strcat(buf, unit);
    } else {
        int decimals = (int)fmax(0, -floor(log10(step) + 1e-9));
        snprintf(buf, n, "%.*f%s", decimals, v, unit);
    }
}

static double widest_label(plot_pic *p, const plot_axis *a, const plot_ticks *t, double px)
{
    double w = 0;
    char buf[32];
    for (int i = 0; i < t->n; i++) {
        tick_label(a, t, i, buf, sizeof buf);
        w = fmax(w, pic_text_width(p, px, false, buf));
    }
    return w;
}

static bool has_text(const char *s)
{
    return s && *s;
}

const char *plot_axis_title(const char *given, const char *fallback)
{
    return given ? given : fallback;
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Outer margin of the picture. */
static double margin(const plot_pic *p)
{
    return round(0.7 * pic_font_size(p, FONT_TICK));
}

void frame_layout(plot_pic *p, plot_frame *f, double right)
{
    double ft = pic_font_size(p, FONT_TICK), fa = pic_font_size(p, FONT_AXIS);
    double fT = pic_font_size(p, FONT_TITLE), m = margin(p);
    int w = p->w, h = p->h;
    f->xt = ticks_for(f->x, clampi(w / 100, 3, 8));
    f->yt = ticks_for(f->y, clampi(h / 60, 3, 8));
    f->x0 = m + (has_text(f->y_title) ? 1.4 * fa : 0) + widest_label(p, &f->y, &f->yt, ft) +
            TICK_LEN + GAP;
    f->x1 = w - m - right - 0.6 * ft * 2; /* room for half the last x label */
    f->y0 = m + (has_text(f->title) ? 1.5 * fT : 0.5 * ft);
    f->y1 = h - m - (has_text(f->x_title) ? 1.4 * fa : 0) - 1.3 * ft - TICK_LEN - GAP;
    if (f->x1 - f->x0 < w / 3.0) { /* a tiny picture: the area first, labels may crowd */
        f->x0 = w / 6.0;
        f->x1 = w - w / 12.0 - right;
    }
    if (f->y1 - f->y0 < h / 3.0) {
        f->y0 = h / 12.0;
        f->y1 = h - h / 6.0;
    }
    f->x0 = round(f->x0);
    f->x1 = round(f->x1);
    f->y0 = round(f->y0);
    f->y1 = round(f->y1);
}

/* Position of t (axis units) as a fraction of the axis, clamped far outside
 * so it stays a usable coordinate; NaN stays NaN. */
static double axis_frac(const plot_axis *a, double t)
{
    double u = (t - a->lo) / (a->hi - a->lo);
    return isnan(u) ? u : fmax(-100, fmin(100, u));
}

static double axis_units(const plot_axis *a, double v)
{
    return a->log ? (v > 0 ? log10(v) : NAN) : v;
}

double frame_px(const plot_frame *f, double v)
{
    return f->x0 + axis_frac(&f->x, axis_units(&f->x, v)) * (f->x1 - f->x0);
}

double frame_py(const plot_frame *f, double v)
{
    return f->y1 - axis_frac(&f->y, axis_units(&f->y, v)) * (f->y1 - f->y0);
}

void frame_clip(plot_pic *p, const plot_frame *f)
{
    cairo_rectangle(p->cr, f->x0, f->y0, f->x1 - f->x0, f->y1 - f->y0);
    cairo_clip(p->cr);
}

void frame_border(plot_pic *p, const plot_frame *f)
{
    cairo_t *cr = p->cr;
    cairo_rectangle(cr, f->x0 + 0.5, f->y0 + 0.5, f->x1 - f->x0 - 1, f->y1 - f->y0 - 1);
    pic_colour(cr, PLOT_INK, 1);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
}

/* A crisp 1-pixel line between two points on the same row or column. */
static void hairline(cairo_t *cr, double x0, double y0, double x1, double y1, uint32_t colour)
{
    bool vertical = x0 == x1;
    double dx = vertical ? floor(x0) + 0.5 - x0 : 0, dy = vertical ? 0 : floor(y0) + 0.5 - y0;
    cairo_move_to(cr, x0 + dx, y0 + dy);
    cairo_line_to(cr, x1 + dx, y1 + dy);
    pic_colour(cr, colour, 1);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
}

static void x_ticks(plot_pic *p, const plot_frame *f, double ft)
{
    char buf[32];
    for (int i = 0; i < f->xt.n; i++) {
        double px = f->x0 + axis_frac(&f->x, f->xt.pos[i]) * (f->x1 - f->x0);
        if (px < f->x0 - 0.5 || px > f->x1 + 0.5)
            continue;
        hairline(p->cr, px, f->y0 + 1, px, f->y1 - 1, PLOT_GRID);
        hairline(p->cr, px, f->y1, px, f->y1 + TICK_LEN, PLOT_INK);
        tick_label(&f->x, &f->xt, i, buf, sizeof buf);
        pic_text(p, px, f->y1 + TICK_LEN + GAP + pic_text_ascent(ft), 0.5, 0, ft, false,
                 PLOT_INK, buf);
    }
}

static void y_ticks(plot_pic *p, const plot_frame *f, double ft)
{
    char buf[32];
    for (int i = 0; i < f->yt.n; i++) {
        double py = f->y1 - axis_frac(&f->y, f->yt.pos[i]) * (f->y1 - f->y0);
        if (py < f->y0 - 0.5 || py > f->y1 + 0.5)
            continue;
        hairline(p->cr, f->x0 + 1, py, f->x1 - 1, py, PLOT_GRID);
        hairline(p->cr, f->x0 - TICK_LEN, py, f->x0, py, PLOT_INK);
        tick_label(&f->y, &f->yt, i, buf, sizeof buf);
        pic_text(p, f->x0 - TICK_LEN - GAP, py + pic_text_ascent(ft) / 2, 1, 0, ft, false,
                 PLOT_INK, buf);
    }
}

void frame_draw(plot_pic *p, const plot_frame *f)
{
    double ft = pic_font_size(p, FONT_TICK), fa = pic_font_size(p, FONT_AXIS);
    double m = margin(p);
    x_ticks(p, f, ft);
    y_ticks(p, f, ft);
    frame_border(p, f);
    double mid_x = (f->x0 + f->x1) / 2, mid_y = (f->y0 + f->y1) / 2;
    if (has_text(f->x_title)) {
        double s = pic_fit_size(p, fa, false, f->x_title, p->w - 2 * m);
        pic_text(p, mid_x, p->h - m - 0.25 * s, 0.5, 0, s, false, PLOT_INK, f->x_title);
    }
    if (has_text(f->y_title)) {
        double s = pic_fit_size(p, fa, false, f->y_title, p->h - 2 * m);
        pic_text(p, m + pic_text_ascent(s), mid_y, 0.5, 90, s, false, PLOT_INK, f->y_title);
    }
    if (has_text(f->title)) {
        double s = pic_fit_size(p, pic_font_size(p, FONT_TITLE), true, f->title, p->w - 2 * m);
        pic_text(p, p->w / 2.0, m + pic_text_ascent(s), 0.5, 0, s, true, PLOT_INK, f->title);
    }
}

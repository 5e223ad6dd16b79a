/* tensor_scale.c — a heatmap's colours and the scale that explains them: a
 * bar from the smallest painted value to the largest, with both printed,
 * so the same red can never be read as both 1e-4 and 10. */
#include <math.h>
#include <stdio.h>

#include "heat_internal.h"

enum { GAP = 4, BAR_H = 7, LINE = 12 };
static const double font_px = 10.0;

heat_map heat_map_of(const double *v, size_t n, bool ink_if_positive)
{
    heat_map m = { .lo = INFINITY, .hi = -INFINITY, .limit = 0 };
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            continue;
        m.lo = fmin(m.lo, v[i]);
        m.hi = fmax(m.hi, v[i]);
        m.limit = fmax(m.limit, fabs(v[i]));
    }
    if (m.lo > m.hi)
        m.lo = m.hi = NAN;
    m.ink = ink_if_positive && !(m.lo < 0);
    return m;
}

uint32_t heat_colour(const heat_map *m, double x)
{
    if (!isfinite(x))
        return MG_HEATMAP_COLOR_NAN;
    double a = m->limit > 0 ? fmin(1.0, fabs(x) / m->limit) : 0.0;
    if (m->ink)
        return colour_mix(PLOT_WHITE, 0x000000u, a);
    return colour_mix(PLOT_WHITE, x < 0 ? MG_HEATMAP_COLOR_NEG : MG_HEATMAP_COLOR_POS, a);
}

int heat_scale_height(bool caption)
{
    return GAP + BAR_H + 2 + LINE + (caption ? LINE : 0);
}

/* The bar: column x of its width shows the value at that fraction of
 * [lo, hi]; one colour when they are equal. */
static void bar(plot_pic *pic, const heat_map *m, int y)
{
    cairo_t *cr = pic->cr;
    int w = pic->w - 2;
    for (int x = 0; x < w; x++) {
        double v = isnan(m->lo) ? NAN : m->lo + (m->hi - m->lo) * (x + 0.5) / w;
        cairo_rectangle(cr, 1 + x, y, 1, BAR_H);
        pic_colour(cr, heat_colour(m, v), 1);
        cairo_fill(cr);
    }
    cairo_rectangle(cr, 0.5, y - 0.5, w + 1, BAR_H + 1);
    pic_colour(cr, 0x999999u, 1);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
}

void heat_scale_draw(plot_pic *pic, const heat_map *m, int y, const char *caption)
{
    bar(pic, m, y + GAP);
    double base = y + GAP + BAR_H + 2 + pic_text_ascent(font_px) + 1;
    char lo[32], hi[32], text[48];
    plot_number(m->lo, 3, lo, sizeof lo);
    plot_number(m->hi, 3, hi, sizeof hi);
    if (isnan(m->lo)) {
        pic_text(pic, pic->w / 2.0, base, 0.5, 0, font_px, false, PLOT_INK, "no finite value");
    } else if (m->lo == m->hi) {
        snprintf(text, sizeof text, "constant %s", lo);
        pic_text(pic, pic->w / 2.0, base, 0.5, 0, font_px, false, PLOT_INK, text);
    } else {
        pic_text(pic, 1, base, 0, 0, font_px, false, PLOT_INK, lo);
        pic_text(pic, pic->w - 1, base, 1, 0, font_px, false, PLOT_INK, hi);
    }
    if (caption) {
        double px = pic_fit_size(pic, font_px, false, caption, pic->w - 2);
        pic_text(pic, pic->w / 2.0, base + LINE, 0.5, 0, px, false, 0x666666u, caption);
    }
}

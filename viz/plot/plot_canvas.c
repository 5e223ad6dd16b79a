/* plot_canvas.c — an RGB pixel buffer and the few shapes plots need:
 * rectangles, thick lines, discs. Everything is clipped to the canvas. */
#include <stdlib.h>

#include "plot_internal.h"

mg_code canvas_init(plot_canvas *c, int w, int h, uint32_t colour, mg_error *err)
{
    c->w = w;
    c->h = h;
    c->px = malloc((size_t)w * (size_t)h * 3);
    if (!c->px)
        return mg_error_set(err, MG_ENOMEM, "out of memory for a %dx%d picture", w, h);
    canvas_fill(c, 0, 0, w - 1, h - 1, colour);
    return MG_OK;
}

void canvas_free(plot_canvas *c)
{
    free(c->px);
    c->px = NULL;
}

void canvas_set(plot_canvas *c, int x, int y, uint32_t colour)
{
    if (x < 0 || y < 0 || x >= c->w || y >= c->h)
        return;
    uint8_t *p = c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3;
    p[0] = (uint8_t)(colour >> 16);
    p[1] = (uint8_t)(colour >> 8);
    p[2] = (uint8_t)colour;
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void canvas_fill(plot_canvas *c, int x0, int y0, int x1, int y1, uint32_t colour)
{
    if (x1 < 0 || y1 < 0 || x0 >= c->w || y0 >= c->h)
        return;
    x0 = clamp(x0, 0, c->w - 1);
    x1 = clamp(x1, 0, c->w - 1);
    y0 = clamp(y0, 0, c->h - 1);
    y1 = clamp(y1, 0, c->h - 1);
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            canvas_set(c, x, y, colour);
}

/* Bresenham's walk; each step stamps a width x width square. Endpoints far
 * outside the canvas are the caller's to avoid (plots clip to their frame). */
void canvas_line(plot_canvas *c, int x0, int y0, int x1, int y1, int width,
                 uint32_t colour)
{
    int dx = abs(x1 - x0), dy = -abs(y1 - y0);
    int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int e = dx + dy, lo = (width - 1) / 2, hi = width / 2;
    for (;;) {
        canvas_fill(c, x0 - lo, y0 - lo, x0 + hi, y0 + hi, colour);
        if (x0 == x1 && y0 == y1)
            return;
        int e2 = 2 * e;
        if (e2 >= dy) {
            e += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            e += dx;
            y0 += sy;
        }
    }
}

void canvas_disc(plot_canvas *c, int x, int y, int r, uint32_t colour)
{
    for (int j = -r; j <= r; j++)
        for (int i = -r; i <= r; i++)
            if (i * i + j * j <= r * r + r) /* +r rounds the rim outwards */
                canvas_set(c, x + i, y + j, colour);
}

uint32_t colour_mix(uint32_t from, uint32_t to, double a)
{
    uint32_t out = 0;
    for (int shift = 16; shift >= 0; shift -= 8) {
        double f = (from >> shift) & 0xff, t = (to >> shift) & 0xff;
        out |= (uint32_t)(f + (t - f) * a + 0.5) << shift;
    }
    return out;
}

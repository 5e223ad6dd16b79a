/* tensor_tiles.c — a matrix of 28x28 images drawn as images: the first few
 * samples of an input batch x[N,784], or the first few units' incoming
 * weights of a first layer W[784,H], the classic "what does this neuron
 * look for" figure. */
#include <stdio.h>
#include <string.h>

#include "heat_internal.h"

enum {
    SIDE = MG_HEATMAP_IMAGE_SIDE,
    PIXELS = SIDE * SIDE,
    PER_ROW = 4,                                   /* tiles across */
    TILE = SIDE * MG_HEATMAP_TILE_SCALE + 2,       /* with a 1-pixel frame */
    GAP = MG_HEATMAP_TILE_GAP
};

bool tiles_plan(heat_plan *p)
{
    bool rows = p->cols == PIXELS, cols = !rows && p->rows == PIXELS;
    if (!rows && !cols)
        return false;
    int images = rows ? p->rows : p->cols;
    p->tiles = true;
    p->by_column = cols;
    p->ntiles = images < MG_HEATMAP_TILES ? images : MG_HEATMAP_TILES;
    int across = p->ntiles < PER_ROW ? p->ntiles : PER_ROW;
    int down = (p->ntiles + PER_ROW - 1) / PER_ROW;
    p->area_w = across * TILE + (across - 1) * GAP;
    p->area_h = down * TILE + (down - 1) * GAP;
    p->caption = true;
    return true;
}

void tiles_values(const mg_tensor *t, bool grad, const heat_plan *p, double *v)
{
    for (int k = 0; k < p->ntiles; k++)
        for (int e = 0; e < PIXELS; e++)
            v[k * PIXELS + e] = p->by_column ? heat_element(t, grad, p, e, k)
                                             : heat_element(t, grad, p, k, e);
}

static void tile(plot_pic *pic, const double *v, const heat_map *m, int x, int y)
{
    cairo_t *cr = pic->cr;
    const int s = MG_HEATMAP_TILE_SCALE;
    cairo_rectangle(cr, x, y, TILE, TILE);
    pic_colour(cr, 0xbbbbbbu, 1);
    cairo_fill(cr);
    for (int r = 0; r < SIDE; r++)
        for (int c = 0; c < SIDE; c++) {
            cairo_rectangle(cr, x + 1 + c * s, y + 1 + r * s, s, s);
            pic_colour(cr, heat_colour(m, v[r * SIDE + c]), 1);
            cairo_fill(cr);
        }
}

void tiles_paint(plot_pic *pic, const heat_plan *p, const double *v, const heat_map *m,
                 int x, int y)
{
    for (int k = 0; k < p->ntiles; k++)
        tile(pic, v + k * PIXELS, m, x + (k % PER_ROW) * (TILE + GAP),
             y + (k / PER_ROW) * (TILE + GAP));
}

void tiles_caption(const heat_plan *p, char *buf, size_t n)
{
    int images = p->by_column ? p->cols : p->rows;
    const char *what = p->by_column ? "columns" : "rows";
    if (images == 1)
        snprintf(buf, n, "%.*s 0 as %d\xc3\x97%d", (int)strlen(what) - 1, what, SIDE, SIDE);
    else if (p->ntiles == images)
        snprintf(buf, n, "%s 0-%d as %d\xc3\x97%d", what, images - 1, SIDE, SIDE);
    else
        snprintf(buf, n, "first %d of %d %s", p->ntiles, images, what);
}

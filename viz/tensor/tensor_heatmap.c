/* tensor_heatmap.c — a tensor's data or grad as a small PNG: a grid of
 * diverging-colour cells, block-averaged down to MG_HEATMAP_CELLS a side
 * (or image tiles, tensor_tiles.c), over its colour scale. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "heat_internal.h"

/* Cells along a side of n elements, and elements per cell (rounded up). */
static int cells_of(int n, int *per)
{
    *per = (n + MG_HEATMAP_CELLS - 1) / MG_HEATMAP_CELLS;
    return (n + *per - 1) / *per;
}

static void cells_plan(heat_plan *p)
{
    p->cr = cells_of(p->rows, &p->pr);
    p->cc = cells_of(p->cols, &p->pc);
    p->sx = MG_HEATMAP_CELLS / p->cc > 1 ? MG_HEATMAP_CELLS / p->cc : 1;
    p->sy = MG_HEATMAP_CELLS / p->cr > 1 ? MG_HEATMAP_CELLS / p->cr : 1;
    if (p->sx > MG_HEATMAP_ASPECT * p->sy)
        p->sx = MG_HEATMAP_ASPECT * p->sy;
    if (p->sy > MG_HEATMAP_ASPECT * p->sx)
        p->sy = MG_HEATMAP_ASPECT * p->sx;
    p->area_w = p->cc * p->sx;
    p->area_h = p->cr * p->sy;
    p->caption = p->pr > 1 || p->pc > 1;
}

heat_plan heat_plan_of(const mg_tensor *t)
{
    heat_plan p = { 0 };
    p.cols = t->ndim >= 1 ? t->shape[t->ndim - 1] : 1;
    p.rows = t->numel / (p.cols > 0 ? p.cols : 1);
    if (!attention_plan(t, &p) && !tiles_plan(&p))
        cells_plan(&p);
    p.w = p.area_w > MG_HEATMAP_MIN_WIDTH ? p.area_w : MG_HEATMAP_MIN_WIDTH;
    p.h = p.area_h + heat_scale_height(p.caption);
    return p;
}

double heat_element(const mg_tensor *t, bool grad, const heat_plan *p, int i, int j)
{
    int k = i * p->cols + j;
    return grad ? mg_tensor_grad_at(t, k) : mg_tensor_get(t, k);
}

void mg_heatmap_size(const mg_tensor *t, int *width, int *height)
{
    heat_plan p = heat_plan_of(t);
    *width = p.w;
    *height = p.h;
}

/* Mean of the cell's elements (NaN when any is NaN or infinite). */
static double cell_mean(const mg_tensor *t, bool grad, const heat_plan *p, int r, int c)
{
    double sum = 0.0;
    int n = 0;
    for (int i = r * p->pr; i < (r + 1) * p->pr && i < p->rows; i++)
        for (int j = c * p->pc; j < (c + 1) * p->pc && j < p->cols; j++, n++)
            sum += heat_element(t, grad, p, i, j);
    return isfinite(sum) ? sum / n : NAN;
}

static void cells_values(const mg_tensor *t, bool grad, const heat_plan *p, double *v)
{
    for (int r = 0; r < p->cr; r++)
        for (int c = 0; c < p->cc; c++)
            v[r * p->cc + c] = cell_mean(t, grad, p, r, c);
}

static void cells_paint(plot_pic *pic, const heat_plan *p, const double *v, const heat_map *m,
                        int x)
{
    for (int r = 0; r < p->cr; r++)
        for (int c = 0; c < p->cc; c++) {
            cairo_rectangle(pic->cr, x + c * p->sx, r * p->sy, p->sx, p->sy);
            pic_colour(pic->cr, heat_colour(m, v[r * p->cc + c]), 1);
            cairo_fill(pic->cr);
        }
}

/* Paints the picture of values v (laid out by p) and encodes it. */
static mg_code paint(const mg_tensor *t, const heat_plan *p, const double *v, size_t n,
                     mg_png *out, mg_error *err)
{
    plot_pic pic;
    mg_code rc = pic_open(&pic, PLOT_PNG, p->w, p->h, err);
    if (rc != MG_OK)
        return rc;
    cairo_set_antialias(pic.cr, CAIRO_ANTIALIAS_NONE); /* cells are whole pixels */
    heat_map m = heat_map_of(v, n, p->tiles || p->attention);
    int x = (p->w - p->area_w) / 2;
    char caption[128];
    if (p->attention) {
        attention_paint(&pic, t, p, v, &m, x);
        attention_caption(t, p, caption, sizeof caption);
    } else if (p->tiles) {
        tiles_paint(&pic, p, v, &m, x, 0);
        tiles_caption(p, caption, sizeof caption);
    } else {
        cells_paint(&pic, p, v, &m, x);
        snprintf(caption, sizeof caption, "cell = mean of %d\xc3\x97%d", p->pr, p->pc);
    }
    heat_scale_draw(&pic, &m, p->area_h, p->caption ? caption : NULL);
    return pic_encode(&pic, out, err);
}

mg_code mg_heatmap_png(const mg_tensor *t, bool grad, mg_png *out, mg_error *err)
{
    if (!out)
        return mg_error_set(err, MG_EINVAL, "heatmap: no place for the picture (NULL)");
    out->bytes = NULL;
    out->len = 0;
    if (!t)
        return mg_error_set(err, MG_EINVAL, "heatmap: no tensor (NULL)");
    if (grad && !t->grad)
        return mg_error_set(err, MG_EINVAL, "heatmap: tensor #%u has no grad",
                            t->node ? t->node->id : 0u);
    heat_plan p = heat_plan_of(t);
    size_t n = p.attention ? (size_t)p.shown * p.nq * p.nk
             : p.tiles     ? (size_t)p.ntiles * MG_HEATMAP_IMAGE_SIDE * MG_HEATMAP_IMAGE_SIDE
                           : (size_t)p.cr * (size_t)p.cc;
    double *v = malloc(n * sizeof *v);
    if (!v)
        return mg_error_set(err, MG_ENOMEM, "heatmap: out of memory");
    if (p.attention)
        attention_values(t, grad, &p, v);
    else if (p.tiles)
        tiles_values(t, grad, &p, v);
    else
        cells_values(t, grad, &p, v);
    mg_code rc = paint(t, &p, v, n, out, err);
    free(v);
    return rc;
}

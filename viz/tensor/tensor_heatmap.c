/* tensor_heatmap.c — a tensor's data or grad as a small diverging-colour
 * PNG, block-averaged down to MG_HEATMAP_CELLS cells a side. */
#include <math.h>
#include <stdlib.h>

#include "mg_tensor_viz.h"
#include "plot_internal.h"

/* The tensor as a rows x cols matrix (leading dims flattened). */
static void matrix_shape(const mg_tensor *t, int *rows, int *cols)
{
    *cols = t->ndim >= 1 ? t->shape[t->ndim - 1] : 1;
    *rows = t->numel / (*cols > 0 ? *cols : 1);
}

/* Cells along a side of n elements, and elements per cell (rounded up). */
static int cells_of(int n, int *per)
{
    *per = (n + MG_HEATMAP_CELLS - 1) / MG_HEATMAP_CELLS;
    return (n + *per - 1) / *per;
}

typedef struct heat_grid {
    int rows, cols;  /* matrix */
    int cr, cc;      /* cells */
    int pr, pc;      /* matrix rows / cols per cell */
    int sx, sy;      /* pixels per cell across and down */
} heat_grid;

static heat_grid grid_of(const mg_tensor *t)
{
    heat_grid g;
    matrix_shape(t, &g.rows, &g.cols);
    g.cr = cells_of(g.rows, &g.pr);
    g.cc = cells_of(g.cols, &g.pc);
    g.sx = MG_HEATMAP_CELLS / g.cc > 1 ? MG_HEATMAP_CELLS / g.cc : 1;
    g.sy = MG_HEATMAP_CELLS / g.cr > 1 ? MG_HEATMAP_CELLS / g.cr : 1;
    if (g.sx > MG_HEATMAP_ASPECT * g.sy)
        g.sx = MG_HEATMAP_ASPECT * g.sy;
    if (g.sy > MG_HEATMAP_ASPECT * g.sx)
        g.sy = MG_HEATMAP_ASPECT * g.sx;
    return g;
}

void mg_heatmap_size(const mg_tensor *t, int *width, int *height)
{
    heat_grid g = grid_of(t);
    *width = g.cc * g.sx;
    *height = g.cr * g.sy;
}

/* Mean of the cell's elements (NaN when any is NaN or infinite). */
static double cell_mean(const mg_tensor *t, bool grad, const heat_grid *g, int r, int c)
{
    double sum = 0.0;
    int n = 0;
    for (int i = r * g->pr; i < (r + 1) * g->pr && i < g->rows; i++)
        for (int j = c * g->pc; j < (c + 1) * g->pc && j < g->cols; j++, n++)
            sum += grad ? mg_tensor_grad_at(t, i * g->cols + j)
                        : mg_tensor_get(t, i * g->cols + j);
    return isfinite(sum) ? sum / n : NAN;
}

static uint32_t diverging(double x, double scale)
{
    if (isnan(x))
        return PLOT_NAN;
    double a = scale > 0 ? fabs(x) / scale : 0.0;
    return colour_mix(PLOT_WHITE, x < 0 ? MG_HEATMAP_COLOR_NEG : MG_HEATMAP_COLOR_POS,
                      a > 1 ? 1 : a);
}

static mg_code paint(const mg_tensor *t, bool grad, const heat_grid *g, double *cell,
                     mg_png *out, mg_error *err)
{
    double scale = 0.0;
    for (int r = 0; r < g->cr; r++)
        for (int c = 0; c < g->cc; c++) {
            double x = cell[r * g->cc + c] = cell_mean(t, grad, g, r, c);
            if (fabs(x) > scale)
                scale = fabs(x);
        }
    plot_canvas cv;
    mg_code rc = canvas_init(&cv, g->cc * g->sx, g->cr * g->sy, PLOT_WHITE, err);
    if (rc != MG_OK)
        return rc;
    for (int r = 0; r < g->cr; r++)
        for (int c = 0; c < g->cc; c++)
            canvas_fill(&cv, c * g->sx, r * g->sy, (c + 1) * g->sx - 1, (r + 1) * g->sy - 1,
                        diverging(cell[r * g->cc + c], scale));
    rc = canvas_png(&cv, out, err);
    canvas_free(&cv);
    return rc;
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
    heat_grid g = grid_of(t);
    double *cell = malloc((size_t)g.cr * (size_t)g.cc * sizeof *cell);
    if (!cell)
        return mg_error_set(err, MG_ENOMEM, "heatmap: out of memory");
    mg_code rc = paint(t, grad, &g, cell, out, err);
    free(cell);
    return rc;
}

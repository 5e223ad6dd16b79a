/* heat_internal.h — the pieces of mg_tensor_viz.h, shared by viz/tensor only.
 *
 * A heatmap picture goes: plan its geometry from the tensor's shape
 * (tensor_heatmap.c for cells, tensor_tiles.c for images) -> read the values
 * it paints -> fit a colour map to them and paint them (tensor_scale.c) ->
 * draw the colour scale and caption under them (tensor_scale.c). */
#ifndef HEAT_INTERNAL_H
#define HEAT_INTERNAL_H

#include "mg_tensor_viz.h"
#include "plot_internal.h"

/* The geometry of one picture; a function of the tensor's shape alone. */
typedef struct heat_plan {
    int rows, cols;        /* the tensor as a matrix */
    bool tiles;            /* image tiles (else cells) */
    bool by_column;        /* tiles: the images are columns (else rows) */
    int ntiles;            /* tiles: how many are shown */
    int cr, cc;            /* cells: rows and columns of cells */
    int pr, pc;            /* cells: matrix rows / columns averaged per cell */
    int sx, sy;            /* cells: pixels per cell across and down */
    int area_w, area_h;    /* the painted area */
    int w, h;              /* the whole picture, scale and caption included */
    bool caption;          /* a caption line under the scale */
    /* attention (tensor_attention.c): one T×T panel per head of batch row 0 */
    bool attention;
    int heads, shown;      /* heads in the tensor, and panels drawn */
    int nq, nk;            /* queries (panel rows) and keys (panel columns) */
    int offset;            /* causal_softmax's: key j is seen by query i when
                              j <= i + offset */
    int cell;              /* pixels per cell */
    int every;             /* every k-th position is labelled */
    int margin_l, margin_t;/* room for the query and key labels, head titles */
    int panel_w, panel_h;  /* a panel with its labels */
} heat_plan;

/* A colour map fitted to the painted values. */
typedef struct heat_map {
    bool ink;              /* white at 0 to black (else diverging) */
    double lo, hi;         /* smallest and largest finite value; NaN if none */
    double limit;          /* the value of full colour (largest |value|) */
} heat_map;

/* tensor_heatmap.c: the plan of t (tiles when image-shaped, else cells). */
heat_plan heat_plan_of(const mg_tensor *t);
/* tensor_heatmap.c: element (i, j) of t's matrix, data or grad. */
double heat_element(const mg_tensor *t, bool grad, const heat_plan *p, int i, int j);

/* tensor_tiles.c: fills p's tile fields when t's matrix holds images;
 * false (p untouched) when it does not. */
bool tiles_plan(heat_plan *p);
/* tensor_tiles.c: the shown tiles' values, tile after tile, each 28x28
 * row-major (ntiles * 784 doubles into v). */
void tiles_values(const mg_tensor *t, bool grad, const heat_plan *p, double *v);
/* tensor_tiles.c: paints the tiles at (x, y) with map. */
void tiles_paint(plot_pic *pic, const heat_plan *p, const double *v, const heat_map *map,
                 int x, int y);
/* tensor_tiles.c: "first 8 of 64 rows" into buf. */
void tiles_caption(const heat_plan *p, char *buf, size_t n);

/* tensor_attention.c: fills p for attention weights (a causal_softmax of
 * at most MG_HEATMAP_ATTENTION_MAX positions a side); false (p untouched)
 * for any other tensor. */
bool attention_plan(const mg_tensor *t, heat_plan *p);
/* tensor_attention.c: the shown panels' values, head after head, nq×nk
 * row-major; masked cells are NaN (painted as masked, not as NaN). */
void attention_values(const mg_tensor *t, bool grad, const heat_plan *p, double *v);
/* tensor_attention.c: paints the panels at x with map, positions labelled
 * by t's names (mg_tensor_name) or numbers. */
void attention_paint(plot_pic *pic, const mg_tensor *t, const heat_plan *p, const double *v,
                     const heat_map *m, int x);
/* tensor_attention.c: what the picture shows ("batch row 0 of 8, grey =
 * masked (future)") into buf. */
void attention_caption(const mg_tensor *t, const heat_plan *p, char *buf, size_t n);

/* tensor_scale.c: the map of v[0..n-1]: ink when `ink_if_positive` and no
 * finite value is negative, else diverging. */
heat_map heat_map_of(const double *v, size_t n, bool ink_if_positive);
/* tensor_scale.c: the colour of x (0xRRGGBB). */
uint32_t heat_colour(const heat_map *m, double x);
/* tensor_scale.c: pixel extent of the scale (and caption) under the area. */
int heat_scale_height(bool caption);
/* tensor_scale.c: draws the colour bar with its end values from row y of
 * the picture down, and the caption (NULL = none) under it. */
void heat_scale_draw(plot_pic *pic, const heat_map *m, int y, const char *caption);

#endif

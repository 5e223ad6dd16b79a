/* mg_tensor_viz.h — what the visualiser shows of a tensor node: summary
 * statistics of its data or grad, a scalar stand-in for places that hold one
 * number per node, and a heatmap picture.
 *
 *     mg_tensor_stats s = mg_tensor_stats_of(w, false);   // min max mean l2
 *     mg_png png;
 *     if (mg_heatmap_png(w, true, &png, &err) == MG_OK) ...  // w's grad
 *
 * A tensor node's header (MG_FLAG_TENSOR) holds a pointer where a scalar
 * holds its data: code that shows or searches per-node numbers goes through
 * mg_node_number() / mg_node_finite() / mg_node_grad_size(), which read
 * scalars and tensors alike. */
#ifndef MG_TENSOR_VIZ_H
#define MG_TENSOR_VIZ_H

#include <stdbool.h>

#include "mg_error.h"
#include "mg_plot.h"
#include "mg_tensor.h"

/* Summary of a tensor's data or grad; min, max, mean and l2 (the Euclidean
 * norm) are over the finite elements (NaN when there are none). */
typedef struct mg_tensor_stats {
    int count;      /* elements summarised: numel, or 0 without a grad */
    int nonfinite;  /* of which NaN or infinite */
    double min, max, mean, l2;
} mg_tensor_stats;

/* Summary of t's data (grad false) or grad (grad true). */
mg_tensor_stats mg_tensor_stats_of(const mg_tensor *t, bool grad);

/* One number standing for a node: a scalar's data or grad; for a tensor
 * node its single element when it has one, else the mean of its elements
 * (0 for a tensor without a grad). */
double mg_node_number(const mg_value *v, bool grad);
/* True when every number of v (data and grad, every element) is finite. */
bool mg_node_finite(const mg_value *v);
/* |grad| of a scalar; for a tensor the largest |element| of its grad (NaN
 * when any is NaN, 0 without a grad). */
double mg_node_grad_size(const mg_value *v);

/* Heatmaps. A tensor is seen as a matrix: 0-D and 1-D as one row, 2-D as is,
 * more dims with the leading ones flattened into rows. A matrix larger than
 * MG_HEATMAP_CELLS on a side is block-averaged down to at most that many
 * cells per side; each cell is then drawn as sx x sy pixels, where
 * sx = max(1, MG_HEATMAP_CELLS / cell cols) and likewise sy for rows
 * (integer division), except that neither may exceed MG_HEATMAP_ASPECT
 * times the other (so a bias row stays a row): width = cell cols * sx,
 * height = cell rows * sy, each at most MG_HEATMAP_CELLS. Colours diverge from white at 0 to red (positive) and blue
 * (negative), scaled by the largest |cell|; NaN cells are grey. */
enum { MG_HEATMAP_CELLS = 64, MG_HEATMAP_ASPECT = 8 };
#define MG_HEATMAP_COLOR_POS 0xb2182bu
#define MG_HEATMAP_COLOR_NEG 0x2166acu

/* The picture's size in pixels for t (see above). */
void mg_heatmap_size(const mg_tensor *t, int *width, int *height);
/* t's data (grad false) or grad as a heatmap PNG in out (mg_png_free()).
 * MG_EINVAL when t is NULL or grad is asked of a tensor without one. */
mg_code mg_heatmap_png(const mg_tensor *t, bool grad, mg_png *out, mg_error *err);

#endif

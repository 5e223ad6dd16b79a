/* mg_tensor_viz.h — a tensor node as a picture: its data or grad as a heatmap.
 *
 *     mg_png png;
 *     if (mg_heatmap_png(w, true, &png, &err) == MG_OK) ...  // w's grad
 *
 * The numbers beside the picture (min, max, mean, norm) are mg_node_stats.h. */
#ifndef MG_TENSOR_VIZ_H
#define MG_TENSOR_VIZ_H

#include <stdbool.h>

#include "mg_error.h"
#include "mg_node_stats.h"
#include "mg_plot.h"
#include "mg_tensor.h"

MG_EXTERN_C_BEGIN

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
MG_API void mg_heatmap_size(const mg_tensor *t, int *width, int *height);
/* t's data (grad false) or grad as a heatmap PNG in out (mg_png_free()).
 * MG_EINVAL when t is NULL or grad is asked of a tensor without one. */
MG_API mg_code mg_heatmap_png(const mg_tensor *t, bool grad, mg_png *out, mg_error *err);

MG_EXTERN_C_END

#endif

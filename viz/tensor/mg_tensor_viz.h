/* mg_tensor_viz.h — a tensor node as a picture: its data or grad as a
 * heatmap with a colour scale, or as image tiles when it holds images.
 *
 *     mg_png png;
 *     if (mg_heatmap_png(w, true, &png, &err) == MG_OK) ...  // w's grad
 *
 * Every picture ends in its colour scale: a bar running from the smallest
 * painted value (printed at its left end) to the largest (at its right
 * end), so a constant tensor is one colour with "constant 0.0001" under it.
 * The numbers beside the picture (min, max, mean, norm) are mg_node_stats.h.
 * Pictures are drawn with cairo (viz/plot's raster path). */
#ifndef MG_TENSOR_VIZ_H
#define MG_TENSOR_VIZ_H

#include <stdbool.h>

#include "mg_error.h"
#include "mg_node_stats.h"
#include "mg_plot.h"
#include "mg_tensor.h"

MG_EXTERN_C_BEGIN

/* Layout: the painted area (cells or tiles) at the top, centred in a
 * picture at least MG_HEATMAP_MIN_WIDTH wide; under it the colour bar, its
 * numbers and, for block averages and tiles, a caption line. */
enum { MG_HEATMAP_MIN_WIDTH = 120 };

/* Heatmaps. A tensor is seen as a matrix: 0-D and 1-D as one row, 2-D as is,
 * more dims with the leading ones flattened into rows. A matrix larger than
 * MG_HEATMAP_CELLS on a side is block-averaged down to at most that many
 * cells per side (the caption says so); each cell is then drawn as sx x sy
 * pixels, where sx = max(1, MG_HEATMAP_CELLS / cell cols) and likewise sy
 * for rows (integer division), except that neither may exceed
 * MG_HEATMAP_ASPECT times the other (so a bias row stays a row). Colours
 * diverge from white at 0 to red (positive) and blue (negative), full at
 * the largest |cell|; NaN and Inf cells are MG_HEATMAP_COLOR_NAN. */
enum { MG_HEATMAP_CELLS = 64, MG_HEATMAP_ASPECT = 8 };
#define MG_HEATMAP_COLOR_POS 0xb2182bu
#define MG_HEATMAP_COLOR_NEG 0x2166acu
#define MG_HEATMAP_COLOR_NAN 0xe6ab02u

/* Image tiles. A matrix with MG_HEATMAP_IMAGE_SIDE² (784) columns is a batch
 * of 28x28 images, one per row (Fashion-MNIST's x[N,784]); one with 784 rows
 * (and not 784 columns) is a first layer whose columns are the images a
 * unit weighs (W[784,H]: "what does this neuron look for"). Either is drawn
 * as its first MG_HEATMAP_TILES rows / columns, each a 28x28 tile of
 * MG_HEATMAP_TILE_SCALE pixels per element in a 1-pixel grey frame, 4 to a
 * row, MG_HEATMAP_TILE_GAP pixels apart, captioned with what is shown
 * ("first 8 of 64 rows"). Tiles of data that is never negative
 * (pixels) run from white at 0 to black at the largest value, like ink;
 * others diverge as heatmaps do. One scale serves all tiles of a picture. */
enum {
    MG_HEATMAP_IMAGE_SIDE = 28,
    MG_HEATMAP_TILES = 8,
    MG_HEATMAP_TILE_SCALE = 2,
    MG_HEATMAP_TILE_GAP = 3
};

/* Attention weights. The result of mg_tensor_causal_softmax() over
 * [..., heads, T, T] (queries down, keys across) with T at most
 * MG_HEATMAP_ATTENTION_MAX is drawn as one T×T panel per head (the first
 * MG_HEATMAP_HEADS heads, MG_HEATMAP_HEADS_PER_ROW to a row) of batch row 0:
 * "head h" over each, its positions labelled with the tensor's names
 * (mg_tensor_set_names: the tokens of axis -2 down the left, of axis -1
 * along the top; a space shown as ␣ and a newline as ↵) or, without names,
 * their numbers; every k-th one when cells are too small for each. Masked
 * cells (keys after the query) are light grey, so the causal triangle shows
 * even where a weight rounds to white. All panels share one colour scale. */
enum {
    MG_HEATMAP_ATTENTION_MAX = 96,
    MG_HEATMAP_HEADS = 8,
    MG_HEATMAP_HEADS_PER_ROW = 4
};
#define MG_HEATMAP_COLOR_MASKED 0xdde1e6u

/* The picture's size in pixels for t (it depends on t's shape only). */
MG_API void mg_heatmap_size(const mg_tensor *t, int *width, int *height);
/* t's data (grad false) or grad as a heatmap PNG in out (mg_png_free()).
 * MG_EINVAL when t is NULL or grad is asked of a tensor without one. */
MG_API mg_code mg_heatmap_png(const mg_tensor *t, bool grad, mg_png *out, mg_error *err);

MG_EXTERN_C_END

#endif

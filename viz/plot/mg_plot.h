/* mg_plot.h — charts of a training run, drawn with cairo: a loss (or
 * accuracy) curve and a 2-D classifier's decision boundary, as PNG or SVG.
 *
 *     double step[] = { 0, 1, 2 }, loss[] = { 1.2, 0.7, 0.4 };
 *     mg_plot_options o = { .title = "moons", .smoothing = 0.6 };
 *     mg_error err;
 *     if (mg_plot_curve("loss.svg", step, loss, 3, &o, &err) != MG_OK)
 *         fprintf(stderr, "%s\n", err.message);
 *
 * A chart has a title, axis titles, tick labels, a light grid, anti-aliased
 * lines and text in the system's sans-serif font (fontconfig's choice:
 * DejaVu Sans on Debian). A file's format follows its name: "*.png" is an
 * RGB PNG, "*.svg" an SVG whose text is <text> elements (searchable and
 * selectable, drawn in the viewer's sans-serif). Non-finite values never
 * crash a chart: a curve leaves a gap at them, a boundary paints them grey.
 *
 * Every call returns an mg_code and fills err (may be NULL) with a message;
 * nothing aborts. Files are written to a temporary name in the same
 * directory and renamed, so they are complete or absent. */
#ifndef MG_PLOT_H
#define MG_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "mg_error.h"

MG_EXTERN_C_BEGIN

/* Dot colours (0xRRGGBB) of the two classes in a decision-boundary picture:
 * label <= 0 (micrograd's -1) and label > 0 (+1). No other pixel of the
 * picture has exactly these colours; the field behind uses lighter tints. */
#define MG_PLOT_COLOR_NEG 0xd62728u
#define MG_PLOT_COLOR_POS 0x1f77b4u
/* The curve's colour: the smoothed curve solid, the raw one faint behind. */
#define MG_PLOT_COLOR_CURVE 0x1f77b4u

/* Plot options. A zero-initialised struct (or NULL) means the defaults. */
typedef struct mg_plot_options {
    int width, height;  /* pixels, each 64..8192; 0 = 640x400 (curve),
                           480x400 (boundary) */
    const char *title;  /* drawn above the plot; NULL = none */
    const char *x_title, *y_title; /* axis titles; NULL = "step" and "loss"
                           (curve), "X[:,0]" and "X[:,1]" (boundary);
                           "" = none */
    bool log_scale;     /* curve: log10 y axis (values <= 0 left out) */
    bool percent;       /* curve: y values are fractions (accuracy), tick
                           labels are percentages */
    double smoothing;   /* curve: weight w in [0, 1) of an exponential moving
                           average (mg_plot_smooth) drawn solid over the raw
                           curve, which is drawn faint; 0 = raw curve only */
    int grid;           /* boundary: predict is evaluated on the corners of
                           grid x grid cells and interpolated; 0 = 100 */
    double xmin, xmax;  /* boundary: region shown; xmin == xmax (e.g. both 0)
                           = the data's range plus a margin */
    double ymin, ymax;  /* likewise for y */
    const size_t *marked; /* boundary: indices of points to ring (e.g. the
                           sample a graph shows); NULL = none */
    size_t nmarked;
} mg_plot_options;

/* A PNG file's bytes in memory, e.g. to embed in a page. */
typedef struct mg_png {
    unsigned char *bytes; /* malloc'd; release with mg_png_free() */
    size_t len;
} mg_png;

/* Releases png's bytes and zeroes it; NULL is a no-op. */
MG_API void mg_png_free(mg_png *png);
/* Writes png's bytes to path (temporary file + rename). */
MG_API mg_code mg_png_write(const mg_png *png, const char *path, mg_error *err);

/* TensorBoard's smoothing: out[i] is the exponential moving average of the
 * finite y[0..i] with weight w (avg = w*avg + (1-w)*y), divided by
 * 1 - w^k after k finite values so the start is not pulled towards 0; a
 * non-finite y[i] is copied through and skipped. out may be y. MG_EINVAL
 * unless 0 <= w < 1. */
MG_API mg_code mg_plot_smooth(const double *y, size_t n, double w, double *out,
                              mg_error *err);

/* A curve: y[i] against x[i] for i < n (x NULL: against i), joined by
 * lines, with a gap at every non-finite y; points are marked with dots when
 * there are at most 30 (one per epoch, say). n must be at least 1. */
MG_API mg_code mg_plot_curve_png(const double *x, const double *y, size_t n,
                          const mg_plot_options *opt, mg_png *out, mg_error *err);
/* As mg_plot_curve_png(), written to path as PNG or SVG (by its name). */
MG_API mg_code mg_plot_curve(const char *path, const double *x, const double *y, size_t n,
                      const mg_plot_options *opt, mg_error *err);

/* A classifier's score at the point (x, y): its sign is the class. */
typedef double (*mg_plot_predict_fn)(void *ctx, double x, double y);

/* A decision boundary: the plane coloured by the sign of predict (tinted
 * more strongly where |score| is larger, grey where it is NaN), the line
 * where the score is 0, and the n points (X row-major n x 2) as dots in
 * their label's colour, with a legend. predict is called only during this
 * call. n may be 0 when the region is given in opt. */
MG_API mg_code mg_plot_boundary_png(mg_plot_predict_fn predict, void *ctx, const double *X,
                             const double *label, size_t n,
                             const mg_plot_options *opt, mg_png *out, mg_error *err);
/* As mg_plot_boundary_png(), written to path as PNG or SVG (by its name). */
MG_API mg_code mg_plot_boundary(const char *path, mg_plot_predict_fn predict, void *ctx,
                         const double *X, const double *label, size_t n,
                         const mg_plot_options *opt, mg_error *err);

MG_EXTERN_C_END

#endif

/* plot_internal.h — the pieces of mg_plot.h, shared by viz/plot and the
 * tensor heatmaps (viz/tensor) only.
 *
 * A chart goes: open a cairo picture (plot_pic.c) -> lay out the plot area
 * around the tick labels and titles (plot_axes.c) -> draw the frame, then
 * the data (plot_curve.c, plot_boundary.c) -> encode it as PNG or SVG and
 * write it whole (plot_pic.c). */
#ifndef PLOT_INTERNAL_H
#define PLOT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <cairo.h>

#include "mg_buf.h"
#include "mg_plot.h"

/* ---- plot_pic.c: a picture being drawn ---- */

typedef enum plot_format { PLOT_PNG, PLOT_SVG } plot_format;

/* A cairo surface and its context. SVG text is not drawn as glyph outlines
 * (cairo's way) but kept as <text> elements and added when encoding. */
typedef struct plot_pic {
    plot_format format;
    int w, h;
    cairo_surface_t *surface;
    cairo_t *cr;
    mg_buf bytes;   /* what the encoder wrote */
    mg_buf text;    /* SVG: the <text> elements */
} plot_pic;

/* Starts a w x h picture, painted white. */
mg_code pic_open(plot_pic *p, plot_format format, int w, int h, mg_error *err);
/* Finishes the picture into out (PNG or SVG bytes) and frees p's drawing
 * state; on failure out is empty. */
mg_code pic_encode(plot_pic *p, mg_png *out, mg_error *err);
/* Frees p (after pic_encode or instead of it). */
void pic_free(plot_pic *p);
/* The format a file name asks for: ".png" or ".svg", else MG_EINVAL. */
mg_code pic_format_of(const char *path, plot_format *format, mg_error *err);
/* The file form of a chart: if made is MG_OK writes bytes to path; frees
 * bytes either way and returns the first failure. */
mg_code pic_write_and_free(const char *path, mg_code made, mg_png *bytes, mg_error *err);

/* Text styles: tick labels, axis titles, the chart title. */
typedef enum plot_font { FONT_TICK, FONT_AXIS, FONT_TITLE } plot_font;
/* Font sizes in pixels for a picture w x h, readable at small sizes too. */
double pic_font_size(const plot_pic *p, plot_font f);
/* Width of s in pixels at size px (bold for titles). */
double pic_text_width(plot_pic *p, double px, bool bold, const char *s);
/* A font size at most px (and at least 6) at which s fits in room pixels. */
double pic_fit_size(plot_pic *p, double px, bool bold, const char *s, double room);
/* Ascent of a line of text at size px (cap height is about 0.73 of px). */
double pic_text_ascent(double px);
/* Draws s with its baseline at y; anchor 0 puts its left end at x, 0.5 its
 * middle, 1 its right end. angle in degrees, counter-clockwise, about
 * (x, y). */
void pic_text(plot_pic *p, double x, double y, double anchor, double angle, double px,
              bool bold, uint32_t colour, const char *s);

/* cairo's source set to 0xRRGGBB at opacity alpha. */
void pic_colour(cairo_t *cr, uint32_t colour, double alpha);
/* The colour a of the way from `from` to `to` (a in [0, 1]). */
uint32_t colour_mix(uint32_t from, uint32_t to, double a);
/* A number as a chart prints it: %.*g with `digits`, "0" for -0, and
 * "nan", "inf", "-inf". */
void plot_number(double v, int digits, char *buf, size_t n);

/* ---- plot_axes.c: axes and the plot frame ---- */

typedef struct plot_axis {
    double lo, hi;  /* range shown, in data units (log10 units when log) */
    bool log;       /* values are shown as log10(v) */
    bool percent;   /* tick labels as percentages of 1 */
} plot_axis;

enum { PLOT_MAX_TICKS = 16 };

/* Where an axis gets tick marks: positions in axis units (log10 units on a
 * log axis) and the data values printed there. */
typedef struct plot_ticks {
    int n;
    double pos[PLOT_MAX_TICKS];
    double val[PLOT_MAX_TICKS];
    double step;    /* spacing of val on linear ticks, 0 for powers of ten */
} plot_ticks;

/* The plot area (pixel edges, x0 < x1, y0 < y1 top to bottom), its two
 * axes, their ticks and the texts around it. */
typedef struct plot_frame {
    double x0, y0, x1, y1;
    plot_axis x, y;
    plot_ticks xt, yt;
    const char *title, *x_title, *y_title; /* NULL or "" = none */
} plot_frame;

/* The range of v[0..n-1] (stride apart) over finite values (and, for a log
 * axis, positive ones), widened when empty or a single value, plus a margin
 * of `pad` times the range on each side. */
plot_axis axis_fit(const double *v, size_t n, size_t stride, bool log, double pad);
/* Lays out the plot area of picture p around the title, the axis titles and
 * the tick labels of f's axes (f's axes and texts set, the rest filled);
 * `right` pixels are kept free right of the area (for a legend). */
void frame_layout(plot_pic *p, plot_frame *f, double right);
/* x pixel of data value v (data units even on a log axis); far-out values
 * are clamped well outside the area, NaN stays NaN. */
double frame_px(const plot_frame *f, double v);
/* y pixel of data value v, as frame_px(). */
double frame_py(const plot_frame *f, double v);
/* Draws the grid, ticks, tick labels, axis titles and title. */
void frame_draw(plot_pic *p, const plot_frame *f);
/* Draws the frame's border (after data painted over the area). */
void frame_border(plot_pic *p, const plot_frame *f);
/* Clips cairo to the plot area (undo with cairo_reset_clip). */
void frame_clip(plot_pic *p, const plot_frame *f);
/* Checks opt's size (or the defaults) and fills *w, *h. */
mg_code plot_size(const mg_plot_options *opt, int default_w, int default_h, int *w,
                  int *h, mg_error *err);
/* An axis title: opt's when given ("" = none), else the default. */
const char *plot_axis_title(const char *given, const char *fallback);

/* A full turn in radians, for cairo_arc. */
#define PLOT_TAU 6.283185307179586

/* Chart colours beside the public ones in mg_plot.h. */
#define PLOT_WHITE 0xffffffu
#define PLOT_INK 0x333333u   /* frame, ticks, text */
#define PLOT_GRID 0xe6e6e6u  /* grid lines */
#define PLOT_NAN 0xbdbdbdu   /* a boundary cell whose score is NaN */

#endif
